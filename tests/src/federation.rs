//! A whole federation on loopback: the national hub, a Southern regional hub enrolled at
//! national, and chapter nodes enrolled at their hubs, loaded with synthetic members, with a
//! recording proxy in front of every hub that receives reports.
//!
//! Enrollment approval is automatic here ([`approve_all_danger`]): in real life a person reads
//! both fingerprints aloud before approving. The testbed still compares the fingerprint each
//! side computed, as that person would.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail, ensure};
use shopfloor_hub::Hub;
use shopfloor_hub::config::Level;
use shopfloor_hub::enroll::{self as hub_enroll, ChildRecord};
use shopfloor_hub::{forward, rollups};
use shopfloor_node::federation::{enroll, outbox, reports};
use shopfloor_protocol::rollup::{Summary, verify_bytes};
use shopfloor_protocol::{Card, Kind, Period};

use crate::proxy::RecordingProxy;
use crate::servers::{DEMO_PASSWORD, HubServer, NodeServer, blocking};
use crate::synth::{self, ChapterProfile, Loaded};

/// Which hub a chapter reports to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    /// The Southern regional hub.
    Regional,
    /// Straight to national.
    National,
}

/// Both fingerprints of one enrollment, as each side computed them.
#[derive(Clone, Debug)]
pub struct Enrollment {
    /// Who enrolled.
    pub child: String,
    /// Where.
    pub parent: String,
    /// The child's fingerprint as the child shows it.
    pub child_fingerprint: String,
    /// The parent's fingerprint as the child was shown it.
    pub parent_fingerprint: String,
}

/// Approves every pending enrollment request at `hub` without a person checking anything.
/// For the demo and tests only: a real hub's admin compares both fingerprints first.
pub fn approve_all_danger(hub: &Hub) -> Result<Vec<ChildRecord>> {
    hub_enroll::pending(hub)?
        .into_iter()
        .map(|p| {
            Ok(hub_enroll::approve(
                hub,
                &p.id,
                "testbed-danger-auto-approve",
            )?)
        })
        .collect()
}

/// Approves the pending request whose card has `fingerprint` (what a person would check),
/// refusing when no such request waits.
pub fn approve_fingerprint_danger(hub: &Hub, fingerprint: &str) -> Result<ChildRecord> {
    let pending = hub_enroll::pending(hub)?;
    let p = pending
        .iter()
        .find(|p| p.fingerprint == fingerprint)
        .ok_or_else(|| anyhow!("no pending request with fingerprint {fingerprint}"))?;
    ensure!(
        p.hub_fingerprint == hub.card().fingerprint().to_string(),
        "the hub's own fingerprint differs from what it shows"
    );
    Ok(hub_enroll::approve(
        hub,
        &p.id,
        "testbed-danger-auto-approve",
    )?)
}

/// A chapter to create.
#[derive(Clone, Debug)]
pub struct ChapterSpec {
    /// The synthetic chapter.
    pub profile: ChapterProfile,
    /// Where it reports.
    pub parent: Parent,
}

/// A running chapter node.
#[derive(Debug)]
pub struct ChapterNode {
    /// The chapter's name.
    pub name: String,
    /// The node.
    pub node: NodeServer,
    /// The generated data.
    pub chapter: synth::Chapter,
    /// What was loaded.
    pub loaded: Loaded,
    /// Where it reports.
    pub parent: Parent,
    /// The proxy its hub traffic goes through.
    pub proxy: RecordingProxy,
}

/// Builds a [`Federation`].
#[derive(Debug, Default)]
pub struct FederationBuilder {
    data: Option<PathBuf>,
    chapters: Vec<ChapterSpec>,
    no_regional: bool,
    encrypted: bool,
}

impl FederationBuilder {
    /// Data directories under `dir` (must not hold a federation already) instead of a temp dir.
    pub fn data_dir(mut self, dir: &Path) -> Self {
        self.data = Some(dir.to_path_buf());
        self
    }

    /// Adds a chapter.
    pub fn chapter(mut self, profile: ChapterProfile, parent: Parent) -> Self {
        self.chapters.push(ChapterSpec { profile, parent });
        self
    }

    /// No regional hub (every chapter reports to national).
    pub fn without_regional(mut self) -> Self {
        self.no_regional = true;
        self
    }

    /// Runs the trustees' key ceremony (national, the Southern region, an officer) and publishes
    /// the joint key before chapters enroll, so their reports carry encrypted withheld cells
    /// ([`crate::trustees`]). Needs the regional hub.
    pub fn encrypted_cells(mut self) -> Self {
        self.encrypted = true;
        self
    }

    /// Starts everything, enrolls everyone, loads the synthetic data.
    pub async fn start(self) -> Result<Federation> {
        let (tmp, root) = match self.data {
            Some(d) => {
                std::fs::create_dir_all(&d)?;
                (None, d)
            }
            None => {
                let t = tempfile::Builder::new().prefix("shopfloor-").tempdir()?;
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
        let mut enrollments = Vec::new();

        let dir = root.join("national-hub");
        let national = blocking(move || {
            HubServer::init(
                &dir,
                Level::National,
                "National Labor Commission",
                None,
                false,
            )
        })
        .await?;
        let mut national = HubServer::start(national).await?;

        let (mut regional, regional_proxy) = if self.no_regional {
            (None, None)
        } else {
            // The regional hub's rollups reach national through a recording proxy too.
            let to_national = RecordingProxy::start(national.addr).await?;
            let dir = root.join("southern-hub");
            let hub = blocking(move || {
                HubServer::init(&dir, Level::Regional, "Southern Region", None, false)
            })
            .await?;
            let h = national.hub.clone();
            let invite = blocking(move || {
                Ok(hub_enroll::invite(
                    &h,
                    "Southern Region",
                    Kind::Regional,
                    "testbed",
                )?)
            })
            .await?;
            let submitted =
                forward::start_enrollment(&hub, &to_national.url(), &invite.code).await?;
            ensure!(
                submitted.hub_fingerprint == national.card().fingerprint().to_string(),
                "national's fingerprint as the regional hub sees it differs"
            );
            let fp = hub.card().fingerprint().to_string();
            let h = national.hub.clone();
            let f = fp.clone();
            blocking(move || approve_fingerprint_danger(&h, &f)).await?;
            forward::wait_for_approval(
                &hub,
                Duration::from_millis(100),
                Some(Duration::from_secs(30)),
            )
            .await?;
            enrollments.push(Enrollment {
                child: hub.card().name.clone(),
                parent: national.card().name.clone(),
                child_fingerprint: fp,
                parent_fingerprint: submitted.hub_fingerprint,
            });
            (Some(HubServer::start(hub).await?), Some(to_national))
        };

        let joint_key = match &regional {
            Some(r) if self.encrypted => Some(
                crate::trustees::publish_joint_key(
                    &root,
                    &national.hub,
                    &r.hub,
                    std::slice::from_ref(&r.hub),
                )
                .await?,
            ),
            _ => None,
        };
        if let (Some(setup), Some(r)) = (&joint_key, regional.as_mut()) {
            crate::trustees::connect_trustees(setup, &mut national, r).await?;
        }
        let mut chapters = Vec::new();
        for spec in self.chapters {
            let parent = match (spec.parent, &regional) {
                (Parent::Regional, Some(r)) => r,
                _ => &national,
            };
            let name = spec.profile.name.clone();
            let slug = shopfloor_protocol::PartyId::slugify(&name)?.to_string();
            let root_dir = root.join(format!("node-{slug}"));
            let state = spec.profile.state.clone();
            let n = name.clone();
            let dir = blocking(move || NodeServer::init(&root_dir, &n, &state)).await?;
            let node = NodeServer::start(dir).await?;
            // Synthetic members and organizing data, through the import and the domain.
            let (store, profile) = (node.store.clone(), spec.profile.clone());
            let (chapter, loaded) = blocking(move || {
                let chapter = synth::generate(&profile);
                let loaded = synth::load(&store, &chapter)?;
                Ok((chapter, loaded))
            })
            .await?;
            // Enroll through the recording proxy, the way the node reaches its hub.
            let proxy = RecordingProxy::start(parent.addr).await?;
            let h = parent.hub.clone();
            let invite =
                blocking(move || Ok(hub_enroll::invite(&h, &name, Kind::Chapter, "testbed")?))
                    .await?;
            let started = enroll::start(
                &node.store,
                &node.dir,
                &proxy.url(),
                &invite.code,
                Some(national.card().clone()),
            )
            .await?;
            ensure!(
                started.hub_fingerprint == parent.card().fingerprint().to_string(),
                "the hub's fingerprint as {} sees it differs",
                chapter.name
            );
            let h = parent.hub.clone();
            let f = started.node_fingerprint.clone();
            blocking(move || approve_fingerprint_danger(&h, &f)).await?;
            let enrolled = enroll::wait(
                &node.store,
                &node.dir,
                &enroll::WaitOptions {
                    poll: Duration::from_millis(100),
                    timeout: Some(Duration::from_secs(30)),
                },
            )
            .await?;
            ensure!(
                enrolled.chain_verified,
                "{}: the hub's chain did not verify to the national root",
                chapter.name
            );
            enrollments.push(Enrollment {
                child: chapter.name.clone(),
                parent: parent.card().name.clone(),
                child_fingerprint: started.node_fingerprint,
                parent_fingerprint: started.hub_fingerprint,
            });
            chapters.push(ChapterNode {
                name: chapter.name.clone(),
                node,
                chapter,
                loaded,
                parent: spec.parent,
                proxy,
            });
        }
        Ok(Federation {
            _tmp: tmp,
            root,
            national,
            regional,
            regional_proxy,
            chapters,
            enrollments,
            joint_key,
        })
    }
}

/// One chapter's delivered report.
#[derive(Clone, Debug)]
pub struct Delivered {
    /// Chapter.
    pub chapter: String,
    /// Revision.
    pub revision: u32,
    /// Envelope digest.
    pub digest: String,
    /// Delivery attempts.
    pub attempts: i64,
}

/// What a reporting period produced.
#[derive(Clone, Debug)]
pub struct PeriodRun {
    /// The period.
    pub period: Period,
    /// Each chapter's delivered report.
    pub delivered: Vec<Delivered>,
    /// The regional rollup's revision, when there is a regional hub.
    pub regional_revision: Option<u32>,
    /// National's rollup revision.
    pub national_revision: u32,
    /// National's rollup as a bundle (rollup, chain, revocations): what `hub verify` reads.
    pub bundle: Vec<u8>,
    /// The offline verification against the national root card.
    pub summary: Summary,
}

/// A running federation. Servers stop when it is dropped; a temp data dir is removed.
#[derive(Debug)]
pub struct Federation {
    _tmp: Option<tempfile::TempDir>,
    /// Where the data directories are.
    pub root: PathBuf,
    /// The national hub.
    pub national: HubServer,
    /// The Southern regional hub.
    pub regional: Option<HubServer>,
    /// The proxy between the regional hub and national.
    pub regional_proxy: Option<RecordingProxy>,
    /// The chapters.
    pub chapters: Vec<ChapterNode>,
    /// Every enrollment's fingerprints.
    pub enrollments: Vec<Enrollment>,
    /// The joint key and its trustees' files, with [`FederationBuilder::encrypted_cells`].
    pub joint_key: Option<crate::trustees::JointKeySetup>,
}

impl Federation {
    /// A builder.
    pub fn builder() -> FederationBuilder {
        FederationBuilder::default()
    }

    /// The national root card (what everyone pins).
    pub fn root_card(&self) -> Card {
        self.national.card().clone()
    }

    /// The chapter called `name`.
    pub fn chapter(&self, name: &str) -> Result<&ChapterNode> {
        self.chapters
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| anyhow!("no chapter {name}"))
    }

    /// The hub a chapter reports to.
    pub fn parent_of(&self, c: &ChapterNode) -> &HubServer {
        match (c.parent, &self.regional) {
            (Parent::Regional, Some(r)) => r,
            _ => &self.national,
        }
    }

    /// Builds, signs and seals a chapter's report into its outbox and delivers it, waiting for
    /// the verified receipt (the path `shopfloor-node report submit` takes).
    pub async fn submit(&self, c: &ChapterNode, period: Period) -> Result<outbox::Item> {
        let (store, dir) = (c.node.store.clone(), c.node.dir.clone());
        let queued = blocking(move || Ok(reports::enqueue(&store, &dir, period)?)).await?;
        let item =
            outbox::wait_for(&c.node.store, queued.outbox_id, Duration::from_secs(60)).await?;
        Ok(item)
    }

    /// Runs one reporting period end to end: every chapter submits through its outbox and gets
    /// a verified receipt; the regional hub rolls up and forwards (verified receipt from
    /// national); national builds its rollup; the rollup is verified offline against the root.
    pub async fn run_period(&self, period: Period) -> Result<PeriodRun> {
        let mut delivered = Vec::new();
        for c in &self.chapters {
            let item = self.submit(c, period).await?;
            if item.status != "delivered" {
                bail!(
                    "{}: report not delivered ({}): {}",
                    c.name,
                    item.status,
                    item.last_error.unwrap_or_default()
                );
            }
            delivered.push(Delivered {
                chapter: c.name.clone(),
                revision: u32::try_from(item.revision).unwrap_or(0),
                digest: item.digest,
                attempts: item.attempts,
            });
        }
        let regional_revision = match &self.regional {
            Some(r) => {
                let (built, _receipt) = forward::forward(&r.hub, period, 5)
                    .await
                    .context("the regional hub forwarding its rollup to national")?;
                Some(built.revision)
            }
            None => None,
        };
        let (national_revision, bundle) = self.national_rollup(period).await?;
        let root = self.root_card();
        let b = bundle.clone();
        let summary = verify_bytes(&b, &root, None).map_err(|errors| {
            anyhow!(
                "the national rollup does not verify: {}",
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.reason().code(), e.detail()))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })?;
        Ok(PeriodRun {
            period,
            delivered,
            regional_revision,
            national_revision,
            bundle,
            summary,
        })
    }

    /// Builds national's rollup for the period; returns its revision and bundle bytes.
    pub async fn national_rollup(&self, period: Period) -> Result<(u32, Vec<u8>)> {
        let h = self.national.hub.clone();
        blocking(move || {
            let built = rollups::build(&h, period)?;
            let bundle = rollups::bundle(&h, built.envelope.clone())?;
            Ok((built.revision, bundle.to_json()))
        })
        .await
    }

    /// Logs in to every web interface with the demo login (`admin` / [`DEMO_PASSWORD`]) over
    /// HTTP, as a person would; returns each interface's name and address.
    pub async fn check_logins(&self) -> Result<Vec<(String, String)>> {
        let client = shopfloor_node::federation::client()?;
        let mut out =
            check_hub_logins(std::iter::once(&self.national).chain(self.regional.as_ref())).await?;
        for c in &self.chapters {
            let resp = client
                .post(format!("{}/api/v1/login", c.node.url()))
                .json(&serde_json::json!({"username": "admin", "password": DEMO_PASSWORD}))
                .send()
                .await?;
            ensure!(
                resp.status().is_success(),
                "login at {} refused: {}",
                c.name,
                resp.status()
            );
            // The node answers `/` with 401 to clients that are not browsers; `/login` is the door.
            out.push((c.name.clone(), format!("{}/login", c.node.url())));
        }
        Ok(out)
    }

    /// Every recording proxy: each chapter's, and the regional hub's to national.
    pub fn proxies(&self) -> Vec<&RecordingProxy> {
        let mut out: Vec<&RecordingProxy> = self.chapters.iter().map(|c| &c.proxy).collect();
        out.extend(self.regional_proxy.as_ref());
        out
    }

    /// Stops every server.
    pub async fn stop(&mut self) -> Result<()> {
        for c in &mut self.chapters {
            c.node.stop().await?;
        }
        if let Some(r) = &mut self.regional {
            r.stop().await?;
        }
        self.national.stop().await
    }
}

/// The period to report: last month.
pub fn last_month() -> Result<Period> {
    Period::containing(jiff::Timestamp::now())?
        .previous()
        .ok_or_else(|| anyhow!("no previous period"))
}

/// The last day of a period (synthetic data is dated on or before it).
pub fn last_day(period: Period) -> Result<jiff::civil::Date> {
    let first = jiff::civil::Date::new(
        i16::try_from(period.year())?,
        i8::try_from(period.month())?,
        1,
    )?;
    Ok(first.last_of_month())
}

/// Logs in to each hub's API as the demo admin; answers each hub's name and address, or the first
/// refusal.
pub async fn check_hub_logins<'a>(
    hubs: impl Iterator<Item = &'a HubServer>,
) -> Result<Vec<(String, String)>> {
    let client = shopfloor_node::federation::client()?;
    let mut out = Vec::new();
    for h in hubs {
        let resp = client
            .post(format!("{}/api/v1/login", h.url()))
            .json(&serde_json::json!({"name": "admin", "password": DEMO_PASSWORD}))
            .send()
            .await?;
        ensure!(
            resp.status().is_success(),
            "login at {} refused: {}",
            h.card().name,
            resp.status()
        );
        out.push((h.card().name.clone(), h.url()));
    }
    Ok(out)
}
