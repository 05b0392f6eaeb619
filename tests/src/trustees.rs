//! The federation's joint key for encrypted small cells (issue 14), made the way a real
//! federation makes it but in one process: a 2-of-3 key ceremony among national, the Southern
//! region's hub and one officer (`run_ceremony`, Pedersen DKG, no dealer), each trustee's secret
//! file written in its own place (mode 0600), the joint key published in national's signed
//! guidance, and every regional hub relaying that guidance, so chapters pin the key when they
//! enroll and their reports carry encrypted withheld cells.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use shopfloor_hub::Hub;
use shopfloor_protocol::PartyId;
use shopfloor_protocol::threshold::{Ceremony, JointKey, run_ceremony};

use crate::servers::{HubServer, blocking};

/// The officer who holds the third share (an offline key in a real federation).
pub const OFFICER: &str = "officer-treasurer";

/// What the ceremony left behind.
#[derive(Clone, Debug)]
pub struct JointKeySetup {
    /// The published joint key.
    pub key: JointKey,
    /// Each trustee's secret file, in ceremony order.
    pub trustee_files: Vec<PathBuf>,
    /// The public key file national published.
    pub key_file: PathBuf,
}

/// Runs the ceremony among national, `southern` and [`OFFICER`] (threshold 2), writes the
/// trustee files under `root/trustees`, publishes the key at `national`, and has each of
/// `regionals` relay national's guidance carrying it.
pub async fn publish_joint_key(
    root: &Path,
    national: &Hub,
    southern: &Hub,
    regionals: &[Hub],
) -> Result<JointKeySetup> {
    let ids = vec![
        national.card().id.clone(),
        southern.card().id.clone(),
        PartyId::new(OFFICER)?,
    ];
    let dir = root.join("trustees");
    let (nat, d) = (national.clone(), dir.clone());
    let setup = blocking(move || {
        let ceremony = Ceremony::new("federation-demo", ids, 2)?;
        let trustees = run_ceremony(&ceremony)?;
        std::fs::create_dir_all(&d)?;
        let mut trustee_files = Vec::new();
        for t in &trustees {
            let path = d.join(format!("{}.trustee.json", t.id()));
            write_private(&path, &serde_json::to_vec_pretty(t)?)?;
            trustee_files.push(path);
        }
        let key = trustees
            .first()
            .map(|t| t.joint_key().clone())
            .context("a ceremony without trustees")?;
        let key_file = d.join("federation-demo.key.json");
        std::fs::write(&key_file, serde_json::to_vec_pretty(&key)?)?;
        shopfloor_hub::trustee::publish_key(&nat, &key_file, None, "demo")?;
        Ok(JointKeySetup {
            key,
            trustee_files,
            key_file,
        })
    })
    .await?;
    for hub in regionals {
        let parent = shopfloor_hub::forward::fetch_parent_guidance(hub)
            .await?
            .context("national publishes guidance with the joint key")?;
        let h = hub.clone();
        blocking(move || Ok(shopfloor_hub::guidance::relay(&h, parent)?)).await?;
    }
    Ok(setup)
}

/// Makes national and `southern` act as trustees at publication, as `docs/operate.md` has a
/// federation do it: each hub's trustee file goes into its data directory (`DATA/trustee/`),
/// each lists the other in `[[decryption.trustees]]`, and both are served again with that
/// configuration. Two of the three trustees then decrypt what the release rule allows whenever
/// either hub publishes; the officer's share stays offline.
pub async fn connect_trustees(
    setup: &JointKeySetup,
    national: &mut HubServer,
    southern: &mut HubServer,
) -> Result<()> {
    use shopfloor_hub::config::{self, Config, TrusteePeer};
    let name = setup.key.ceremony().name().to_owned();
    let pairs = [
        (national.dir(), southern.card().id.clone(), southern.url()),
        (southern.dir(), national.card().id.clone(), national.url()),
    ];
    for (i, (dir, peer, url)) in pairs.into_iter().enumerate() {
        let file = setup
            .trustee_files
            .get(i)
            .context("a trustee file per hub")?;
        let folder = dir.join(shopfloor_hub::trustee::TRUSTEE_DIR);
        std::fs::create_dir_all(&folder)?;
        write_private(
            &folder.join(format!("{name}.trustee.json")),
            &std::fs::read(file)?,
        )?;
        let mut cfg = Config::load(&dir)?;
        cfg.decryption.trustees = vec![TrusteePeer { id: peer, url }];
        std::fs::write(dir.join(config::CONFIG_FILE), cfg.to_toml()?)?;
    }
    national.reload().await?;
    southern.reload().await?;
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}
