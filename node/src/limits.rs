//! How long clients may stall and how many the web server serves at once: set in `node.toml`
//! ([`crate::datadir::NodeConfig::limits`]) and applied by the web server
//! ([`crate::web::accept`]). A leaf, so the configuration and the server need not import each
//! other.

use std::time::Duration;

/// Default longest wait for a request's headers, in seconds.
pub const DEFAULT_HEADER_READ_TIMEOUT_SECS: u64 = 10;
/// Default connections served at once: sized for a 1 vCPU / 512 MB server whose systemd unit
/// keeps the default `LimitNOFILE` (1024 descriptors), leaving room for the database, logs and
/// outgoing connections.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 256;

/// How long clients may stall and how many may be served at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest a client may take to send a request's headers; also how long an idle keep-alive
    /// connection stays open.
    pub header_read_timeout: Duration,
    /// Connections served at once (at least 1).
    pub max_connections: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(DEFAULT_HEADER_READ_TIMEOUT_SECS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}
