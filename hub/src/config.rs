//! The data directory: `hub.toml` (configuration), `keys.txt` (mode 0600), `card.json` and the
//! SQLite database `hub.db`. [`init`] creates it; [`Config`] is what `hub.toml` holds.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use shopfloor_protocol::{Card, DisclosurePolicy, Kind, PartyId, SecretKeys};

use crate::error::{Error, Result};
use crate::store::Store;
use crate::users::{self, Role};

/// Name of the configuration file inside the data directory.
pub const CONFIG_FILE: &str = "hub.toml";
/// Name of the key file (mode 0600).
pub const KEYS_FILE: &str = "keys.txt";
/// Name of the public card.
pub const CARD_FILE: &str = "card.json";
/// Name of the database.
pub const DB_FILE: &str = "hub.db";

/// Where the hub sits in the federation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The national hub: its card is the root of trust.
    National,
    /// A regional hub: enrolls at national and forwards its rollups there.
    Regional,
}

impl Level {
    /// The card kind of a hub at this level.
    pub fn kind(self) -> Kind {
        match self {
            Level::National => Kind::National,
            Level::Regional => Kind::Regional,
        }
    }
}

impl std::str::FromStr for Level {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "national" => Ok(Level::National),
            "regional" => Ok(Level::Regional),
            _ => Err(Error::Config(format!(
                "level {s:?} is neither national nor regional"
            ))),
        }
    }
}

/// `hub.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// This hub's party id (from its card).
    pub id: PartyId,
    /// Display name.
    pub name: String,
    /// National or regional.
    pub level: Level,
    /// USPS state code, for a hub that sits in one state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Address `serve` listens on when `--listen` is not given.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Days an invite code stays valid.
    #[serde(default = "default_invite_days")]
    pub invite_days: u32,
    /// Days a membership certificate is valid.
    #[serde(default = "default_certificate_days")]
    pub certificate_days: u32,
    /// The disclosure policy this hub publishes in its guidance.
    #[serde(default)]
    pub policy: DisclosurePolicy,
    /// Rollups and forwarding.
    #[serde(default)]
    pub rollup: RollupConfig,
    /// The web interface.
    #[serde(default)]
    pub web: WebConfig,
    /// The log's checkpoints as C2SP signed notes, and witnessing (crate::witness).
    #[serde(default, skip_serializing_if = "LogConfig::is_default")]
    pub log: LogConfig,
    /// Encrypted aggregates decrypted at publication, and this hub as a trustee
    /// (crate::decryption).
    #[serde(default, skip_serializing_if = "DecryptionConfig::is_default")]
    pub decryption: DecryptionConfig,
}

/// `[decryption]` in `hub.toml` (docs/operate.md "Exact rare counts"): the other trustees this
/// hub asks for decryption shares when it publishes, and whom it answers as a trustee with the
/// trustee file it holds in `DATA/trustee/`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecryptionConfig {
    /// Other trustees' hubs, asked at publication (this hub's own trustee file, if any, is used
    /// without asking).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trustees: Vec<TrusteePeer>,
    /// Whether this hub answers other hubs' share requests with its trustee file.
    #[serde(default = "default_true")]
    pub answer: bool,
    /// The hubs whose share requests it answers; empty: any hub the root card vouches for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answer_hubs: Vec<PartyId>,
    /// At a regional hub holding a joint key: how many hours past a period's deadline its first
    /// publication waits for national's, whose released aggregates it shows (crate::relay);
    /// 0 publishes at once, without exact rare counts.
    #[serde(default = "default_wait_for_national_hours")]
    pub wait_for_national_hours: u64,
}

fn default_wait_for_national_hours() -> u64 {
    72
}

impl Default for DecryptionConfig {
    fn default() -> Self {
        DecryptionConfig {
            trustees: Vec::new(),
            answer: true,
            answer_hubs: Vec::new(),
            wait_for_national_hours: default_wait_for_national_hours(),
        }
    }
}

impl DecryptionConfig {
    fn is_default(&self) -> bool {
        *self == DecryptionConfig::default()
    }
}

/// One trustee in `[[decryption.trustees]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteePeer {
    /// The trustee's party id, as in the ceremony.
    pub id: PartyId,
    /// The hub's public URL (requests go to `<url>/api/v1/trustee/shares`).
    pub url: String,
}

/// `[log]` in `hub.toml`: the log's origin, the witnesses that cosign this hub's checkpoints, and
/// the logs this hub witnesses (docs/protocol.md "Witnessed checkpoints").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// The log's origin line. Unset: the one chosen at first use and kept in the database
    /// (`shopfloor/<id>/<key id>`), so a key rotation does not change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Witnesses asked to cosign each new checkpoint: their vkey and `add-checkpoint` prefix URL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<WitnessPeer>,
    /// Cosignatures (from distinct configured witnesses) a checkpoint needs to count as witnessed.
    #[serde(default)]
    pub quorum: usize,
    /// Logs this hub witnesses, by their log vkey (whose key name is the log's origin).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnessed: Vec<String>,
}

impl LogConfig {
    fn is_default(&self) -> bool {
        *self == LogConfig::default()
    }
}

/// One witness in `[[log.witnesses]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessPeer {
    /// The witness's cosigner vkey (signature type 0x04).
    pub vkey: String,
    /// Its submission prefix: requests go to `<url>/add-checkpoint`.
    pub url: String,
}

/// `[web]` in `hub.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// The hub is reached over HTTPS (a TLS reverse proxy in front of it): the dashboards'
    /// cookies are then marked `Secure`.
    #[serde(default)]
    pub behind_tls: bool,
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
    /// every client seems to come from the proxy's address, so the login and enrollment limits
    /// per address would count all clients as one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            behind_tls: false,
            header_read_timeout_secs: default_header_read_timeout_secs(),
            max_connections: default_max_connections(),
            trusted_proxies: Vec::new(),
        }
    }
}

impl WebConfig {
    /// The web server's header-read timeout and connection limit.
    pub fn limits(&self) -> crate::web::Limits {
        crate::web::Limits {
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_secs),
            max_connections: self.max_connections,
        }
    }
}

/// `[rollup]` in `hub.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupConfig {
    /// Day of the month after a period by which reports are on time (and at which a regional hub
    /// forwards whatever it has).
    #[serde(default = "default_deadline_day")]
    pub deadline_day: u8,
    /// Whether a regional hub forwards its rollup by itself (when every expected child has
    /// reported, or at the deadline).
    #[serde(default = "default_true")]
    pub auto_forward: bool,
    /// Seconds between two checks of the background forwarder.
    #[serde(default = "default_check_secs")]
    pub check_interval_secs: u64,
    /// Longest wait between two forwarding attempts, in seconds (backoff doubles up to it).
    #[serde(default = "default_backoff_secs")]
    pub max_backoff_secs: u64,
}

impl Default for RollupConfig {
    fn default() -> Self {
        RollupConfig {
            deadline_day: default_deadline_day(),
            auto_forward: true,
            check_interval_secs: default_check_secs(),
            max_backoff_secs: default_backoff_secs(),
        }
    }
}

fn default_listen() -> String {
    "127.0.0.1:8090".into()
}
fn default_invite_days() -> u32 {
    7
}
fn default_certificate_days() -> u32 {
    730
}
fn default_deadline_day() -> u8 {
    10
}
fn default_true() -> bool {
    true
}
fn default_check_secs() -> u64 {
    60
}
fn default_backoff_secs() -> u64 {
    600
}
fn default_header_read_timeout_secs() -> u64 {
    crate::web::accept::DEFAULT_HEADER_READ_TIMEOUT_SECS
}
fn default_max_connections() -> u32 {
    crate::web::accept::DEFAULT_MAX_CONNECTIONS
}

impl Config {
    /// Reads `hub.toml` from a data directory.
    pub fn load(dir: &Path) -> Result<Config> {
        let path = dir.join(CONFIG_FILE);
        let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let config: Config =
            toml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        if !(1..=28).contains(&config.rollup.deadline_day) {
            return Err(Error::Config("rollup.deadline_day must be 1-28".into()));
        }
        if !(1..=300).contains(&config.web.header_read_timeout_secs) {
            return Err(Error::Config(
                "web.header_read_timeout_secs must be 1-300".into(),
            ));
        }
        if !(1..=10_000).contains(&config.web.max_connections) {
            return Err(Error::Config("web.max_connections must be 1-10000".into()));
        }
        config
            .policy
            .validate()
            .map_err(|e| Error::Config(e.to_string()))?;
        crate::witness::check_config(&config.log)?;
        Ok(config)
    }

    /// The TOML text, with a header.
    pub fn to_toml(&self) -> Result<String> {
        let body = toml::to_string_pretty(self).map_err(|e| Error::Config(e.to_string()))?;
        Ok(format!(
            "# Shopfloor hub configuration. Keys are in keys.txt (keep it secret).\n{body}"
        ))
    }
}

/// What `init` needs.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// National or regional.
    pub level: Level,
    /// Display name; the party id is derived from it.
    pub name: String,
    /// USPS state code.
    pub state: Option<String>,
    /// The first admin's password; generated when absent.
    pub admin_password: Option<String>,
}

/// What `init` made.
#[derive(Debug)]
pub struct Created {
    /// The hub's card.
    pub card: Card,
    /// The first admin's user name.
    pub admin_user: String,
    /// The generated password, if none was given (print it once).
    pub generated_password: Option<String>,
}

/// Creates a data directory: keys, card, configuration, database, first admin. Refuses to touch
/// a directory that already holds a hub.
pub fn init(dir: &Path, opts: &InitOptions) -> Result<Created> {
    for f in [CONFIG_FILE, KEYS_FILE, CARD_FILE, DB_FILE] {
        if dir.join(f).exists() {
            return Err(Error::Config(format!(
                "{} already holds a hub ({f} exists); refusing to overwrite",
                dir.display()
            )));
        }
    }
    let id = PartyId::slugify(&opts.name)?;
    let keys = SecretKeys::generate()?;
    let card = keys.card(
        id.clone(),
        opts.level.kind(),
        &opts.name,
        opts.state.as_deref(),
    )?;
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    restrict_dir(dir)?;
    write_secret(&dir.join(KEYS_FILE), keys.to_text().as_bytes())?;
    crate::agekey::sync(dir)?;
    write_file(&dir.join(CARD_FILE), card.to_json().as_bytes())?;
    let config = Config {
        id,
        name: opts.name.clone(),
        level: opts.level,
        state: opts.state.clone(),
        listen: default_listen(),
        invite_days: default_invite_days(),
        certificate_days: default_certificate_days(),
        policy: DisclosurePolicy::default(),
        rollup: RollupConfig::default(),
        web: WebConfig::default(),
        log: LogConfig::default(),
        decryption: DecryptionConfig::default(),
    };
    let store = Store::open(&dir.join(DB_FILE))?;
    let (password, generated) = match &opts.admin_password {
        Some(p) => (p.clone(), None),
        None => {
            let p = crate::secret::random_code(20);
            (p.clone(), Some(p))
        }
    };
    users::add(&store, "admin", Role::Admin, &password)?;
    crate::enroll::publish_revocations(&store, &card, &keys)?;
    write_secret(&dir.join(CONFIG_FILE), config.to_toml()?.as_bytes())?;
    Ok(Created {
        card,
        admin_user: "admin".into(),
        generated_password: generated,
    })
}

/// The paths of a data directory.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The directory.
    pub dir: PathBuf,
}

impl Paths {
    /// `hub.db`.
    pub fn db(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }
    /// `keys.txt`.
    pub fn keys(&self) -> PathBuf {
        self.dir.join(KEYS_FILE)
    }
    /// `card.json`.
    pub fn card(&self) -> PathBuf {
        self.dir.join(CARD_FILE)
    }
}

fn restrict_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

/// Writes a file readable only by its owner.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))
}

/// Takes group and other permissions away from an existing file (a data directory made before
/// the hub kept `hub.toml` and `hub.db` private, or copied with a loose umask). A missing file is
/// left missing.
pub fn make_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        match fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                let mode = meta.permissions().mode() & 0o700;
                fs::set_permissions(path, fs::Permissions::from_mode(mode))
                    .map_err(|e| Error::io(path, e))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Writes (or replaces) a file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// Reads a file.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| Error::io(path, e))
}
