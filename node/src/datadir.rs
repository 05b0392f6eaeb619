//! The node's data directory: `node.toml`, `keys.txt`, `card.json` and the database.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use shopfloor_protocol::{Card, Kind, PartyId, SecretKeys};

pub mod agekey;

use crate::domain::{audit, users};
use crate::error::{Error, Result};
use crate::store::{DB_FILE, Store};

/// Config file name.
pub const CONFIG_FILE: &str = "node.toml";
/// Secret keys file name (mode 0600).
pub const KEYS_FILE: &str = "keys.txt";
/// Public card file name.
pub const CARD_FILE: &str = "card.json";

/// `node.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// The chapter's display name.
    pub chapter_name: String,
    /// The chapter's party id (from the card).
    pub chapter_id: String,
    /// USPS state.
    pub state: String,
    /// Minimum published cell size. The hub's policy applies if it is stricter; this may only
    /// make the node stricter (never below 5).
    #[serde(default = "default_k")]
    pub min_cell_size: u64,
    /// The address people reach the web interface at, e.g. `https://shop.example.org`. When it
    /// is `https`, `serve` marks the session cookie `Secure` (run behind a TLS proxy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Day of the month (1-28) on which `serve` builds and sends last month's report.
    #[serde(default = "default_report_day")]
    pub report_day: u8,
    /// Seconds a client may take to send a request's headers (and an idle keep-alive connection
    /// stays open), 1-300; stalled connections are closed after it.
    #[serde(default = "default_header_read_timeout_secs")]
    pub header_read_timeout_secs: u64,
    /// Connections served at once (1-10000); more wait until one closes. Keep it well below the
    /// service's open-file limit (`LimitNOFILE`).
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Addresses of the reverse proxies in front of `serve` (e.g. `["127.0.0.1", "::1"]` for
    /// Caddy on the same host). Only from these is `X-Forwarded-For` believed; without them
    /// every client seems to come from the proxy's address, so the login limits per address
    /// would count all clients as one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Witnesses whose cosignatures the hub's checkpoint must carry (their cosigner vkeys, type
    /// 0x04), checked with the hub's log every day and by `federation check`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<String>,
    /// How many of `witnesses` must have cosigned the hub's checkpoint (0: not required).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub witness_quorum: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn default_k() -> u64 {
    5
}

fn default_report_day() -> u8 {
    3
}

fn default_header_read_timeout_secs() -> u64 {
    crate::limits::DEFAULT_HEADER_READ_TIMEOUT_SECS
}

fn default_max_connections() -> u32 {
    crate::limits::DEFAULT_MAX_CONNECTIONS
}

impl NodeConfig {
    /// Checks the config makes sense.
    pub fn validate(&self) -> Result<()> {
        if self.chapter_name.trim().is_empty() {
            return Err(Error::Config("chapter_name is empty".into()));
        }
        PartyId::new(&self.chapter_id).map_err(|e| Error::Config(format!("chapter_id: {e}")))?;
        if shopfloor_protocol::registry::state(&self.state).is_none() {
            return Err(Error::Config(format!(
                "state {:?} is not a USPS code",
                self.state
            )));
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(Error::Config(format!(
                "public_url {url:?} must start with https:// (or http:// for local testing)"
            )));
        }
        if !(1..=28).contains(&self.report_day) {
            return Err(Error::Config(format!(
                "report_day {} must be between 1 and 28",
                self.report_day
            )));
        }
        if !(1..=300).contains(&self.header_read_timeout_secs) {
            return Err(Error::Config(format!(
                "header_read_timeout_secs {} must be between 1 and 300",
                self.header_read_timeout_secs
            )));
        }
        if !(1..=10_000).contains(&self.max_connections) {
            return Err(Error::Config(format!(
                "max_connections {} must be between 1 and 10000",
                self.max_connections
            )));
        }
        if !(5..=100).contains(&self.min_cell_size) {
            return Err(Error::Config(format!(
                "min_cell_size {} must be between 5 and 100",
                self.min_cell_size
            )));
        }
        self.witness_policy()?;
        Ok(())
    }

    /// The witnesses that must cosign the hub's checkpoints, and how many, checked.
    pub fn witness_policy(&self) -> Result<crate::federation::witness_policy::Policy> {
        crate::federation::witness_policy::Policy::new(&self.witnesses, self.witness_quorum)
    }

    /// The web server's header-read timeout and connection limit.
    pub fn limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_secs),
            max_connections: self.max_connections,
        }
    }
}

/// Paths inside a data directory.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// A data directory at `root` (not checked).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }
    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `node.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }
    /// `keys.txt`.
    pub fn keys_path(&self) -> PathBuf {
        self.root.join(KEYS_FILE)
    }
    /// `card.json`.
    pub fn card_path(&self) -> PathBuf {
        self.root.join(CARD_FILE)
    }
    /// The database.
    pub fn db_path(&self) -> PathBuf {
        self.root.join(DB_FILE)
    }

    /// Reads `node.toml`.
    pub fn config(&self) -> Result<NodeConfig> {
        let path = self.config_path();
        let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let config: NodeConfig =
            toml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        config.validate()?;
        Ok(config)
    }

    /// Reads `keys.txt`.
    pub fn keys(&self) -> Result<SecretKeys> {
        let path = self.keys_path();
        let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Ok(SecretKeys::from_text(&text)?)
    }

    /// Reads `card.json`.
    pub fn card(&self) -> Result<Card> {
        let path = self.card_path();
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Card::from_json(&bytes)?)
    }

    /// Whether this looks like an existing node (any of its files exists).
    pub fn exists(&self) -> bool {
        [
            self.config_path(),
            self.keys_path(),
            self.card_path(),
            self.db_path(),
        ]
        .iter()
        .any(|p| p.exists())
    }

    /// Opens the database (applying pending migrations).
    pub fn open_store(&self) -> Result<Store> {
        Store::open(self.db_path())
    }
}

/// Creates the directory (mode 0700) if needed; refuses a non-empty one.
pub fn create_empty_dir(root: &Path) -> Result<()> {
    if root.exists() {
        let mut entries = fs::read_dir(root).map_err(|e| Error::io(root, e))?;
        if entries.next().is_some() {
            return Err(Error::AlreadyExists(format!(
                "{} (not empty; refusing to overwrite)",
                root.display()
            )));
        }
    } else {
        fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
    }
    fs::set_permissions(root, fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(root, e))?;
    Ok(())
}

/// Writes a new file with the given mode; fails if it exists.
pub fn write_new_file(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))?;
    // The umask may have narrowed the mode; make it exact.
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| Error::io(path, e))?;
    Ok(())
}

/// What `init` made.
#[derive(Debug)]
pub struct InitOutcome {
    /// The node's card.
    pub card: Card,
    /// The first admin's username.
    pub admin_username: String,
    /// The admin password, when it was generated (print it once).
    pub generated_password: Option<String>,
}

/// Creates a node: directory (0700), `node.toml`, `keys.txt` (0600), `card.json`, the database
/// and the first admin (`admin`). Refuses an existing node or non-empty directory.
pub fn init(
    root: &Path,
    chapter: &str,
    state: &str,
    admin_password: Option<String>,
) -> Result<InitOutcome> {
    let dir = DataDir::new(root);
    if dir.exists() {
        return Err(Error::AlreadyExists(format!(
            "a node in {}",
            root.display()
        )));
    }
    let state = state.trim().to_ascii_uppercase();
    let id = PartyId::slugify(chapter)?;
    let keys = SecretKeys::generate()?;
    let card = keys.card(id.clone(), Kind::Chapter, chapter.trim(), Some(&state))?;
    let config = NodeConfig {
        chapter_name: chapter.trim().to_owned(),
        chapter_id: id.to_string(),
        state: state.clone(),
        min_cell_size: 5,
        public_url: None,
        report_day: default_report_day(),
        header_read_timeout_secs: default_header_read_timeout_secs(),
        max_connections: default_max_connections(),
        trusted_proxies: Vec::new(),
        witnesses: Vec::new(),
        witness_quorum: 0,
    };
    config.validate()?;
    let (password, generated) = match admin_password {
        Some(p) => (p, None),
        None => {
            let p = users::generate_password()?;
            (p.clone(), Some(p))
        }
    };
    let hash = users::hash_new_password(&password, "admin")?;

    create_empty_dir(root)?;
    let toml_text = toml::to_string_pretty(&config).map_err(|e| Error::Config(e.to_string()))?;
    let header = "# Shopfloor chapter node configuration.\n\
                  # min_cell_size: smallest count published in reports (5 or more).\n\
                  # report_day: day of the month (1-28) `serve` sends last month's report.\n\
                  # header_read_timeout_secs: seconds a client may take to send a request's headers.\n\
                  # max_connections: connections served at once (keep well below LimitNOFILE).\n";
    write_new_file(
        &dir.config_path(),
        format!("{header}{toml_text}").as_bytes(),
        0o600,
    )?;
    write_new_file(&dir.keys_path(), keys.to_text().as_bytes(), 0o600)?;
    agekey::sync(&dir)?;
    write_new_file(
        &dir.card_path(),
        format!("{}\n", card.to_json()).as_bytes(),
        0o644,
    )?;
    let store = dir.open_store()?;
    fs::set_permissions(dir.db_path(), fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::io(dir.db_path(), e))?;
    store.write(|tx| {
        users::add(tx, "admin", "admin", &hash)?;
        audit::record(
            tx,
            &audit::cli_actor(),
            "init",
            &config.chapter_id,
            "node created",
        )?;
        audit::record(tx, &audit::cli_actor(), "user.add", "admin", "role admin")
    })?;
    Ok(InitOutcome {
        card,
        admin_username: "admin".into(),
        generated_password: generated,
    })
}
