//! Talking to the hub: enrollment, guidance, the durable outbox of sealed reports, receipts and
//! checks of the hub's log, and the background schedule that ties them together.
//!
//! Only `shopfloor_protocol` documents cross the wire: the node's card, signed and sealed
//! reports, and what the hub signs (certificates, revocation lists, guidance, checkpoints,
//! receipts). Everything the node learns is verified before it is stored.
//!
//! - [`enroll`]: `start` (post the card and invite code, show both fingerprints) and `wait`
//!   (poll until approved, verify the certificate and chain, store them).
//! - [`guidance`]: fetch and verify the hub's guidance; its disclosure k becomes the node's floor.
//! - [`reports`]: build, sign and seal a period's report (to a file, or into the outbox).
//! - [`outbox`]: deliver sealed reports with retries across restarts until a verified receipt.
//! - [`receipts`]: receipts, checkpoints and the consistency check of the hub's log; alarms.
//! - [`rotate`]: replace the node's keys, certified by the hub through a signed rotation.
//! - [`support`]: ask the hub for help, and read requests relayed to this chapter.
//! - [`campaigns`]: send a campaign for the hub's approval; fetch and verify its decisions.
//! - [`scheduler`]: the daily job run beside the web server ([`spawn_background`]).
//!
//! ```no_run
//! # async fn demo(store: shopfloor_node::store::Store, dir: shopfloor_node::datadir::DataDir)
//! # -> shopfloor_node::federation::Result<()> {
//! use std::time::Duration;
//! use shopfloor_node::federation::{enroll, outbox, reports};
//! let started = enroll::start(&store, &dir, "https://hub.example.org", "CODE", None).await?;
//! println!("node {} hub {}", started.node_fingerprint, started.hub_fingerprint);
//! enroll::wait(&store, &dir, &enroll::WaitOptions::default()).await?;
//! let period = "2026-10".parse()?;
//! let queued = reports::enqueue(&store, &dir, period)?;
//! let done = outbox::wait_for(&store, queued.outbox_id, Duration::from_secs(60)).await?;
//! # Ok(()) }
//! ```

pub mod campaigns;
pub mod enroll;
pub mod guidance;
pub mod joint_key;
pub mod outbox;
pub mod receipts;
pub mod reports;
pub mod rotate;
pub mod scheduler;
pub mod support;
pub mod witness_policy;
pub mod witnessed;

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension as _, params};
use shopfloor_protocol::{Card, Envelope};

use crate::datadir::DataDir;
use crate::store::Store;

pub use scheduler::spawn_background;

/// What can go wrong talking to the hub.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something local: the database, files, configuration.
    #[error(transparent)]
    Node(#[from] crate::Error),
    /// A document did not verify (or could not be made).
    #[error("protocol: {0}")]
    Protocol(#[from] shopfloor_protocol::Error),
    /// The hub could not be reached (or did not answer in time).
    #[error("cannot reach the hub: {0}")]
    Network(String),
    /// The hub refused, with its stable reason code.
    #[error("the hub refused ({status}): {code}: {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The hub's stable reason code (`stale-revision`, `revoked`, ...).
        code: String,
        /// The hub's sentence.
        message: String,
    },
    /// The hub answered something the protocol does not allow.
    #[error("the hub's answer is not acceptable: {0}")]
    BadAnswer(String),
    /// The node is not (yet) enrolled with a hub.
    #[error("not enrolled: {0}")]
    NotEnrolled(String),
    /// Enrollment ended without a certificate (rejected).
    #[error("{0}")]
    Enrollment(String),
    /// Waited long enough.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A check of the hub's log failed: an alarm was recorded.
    #[error("ALARM ({kind}): {detail}")]
    Alarm {
        /// Alarm kind (`log-fork`, `report-dropped`, ...).
        kind: String,
        /// What was found.
        detail: String,
    },
    /// The caller asked for something that cannot be done now.
    #[error("{0}")]
    Invalid(String),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Node(e.into())
    }
}

impl Error {
    /// The hub's reason code, when the hub refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Refused { code, .. } => Some(code),
            Error::Protocol(e) => Some(e.reason().code()),
            _ => None,
        }
    }
}

/// Result of the federation functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The HTTP client (rustls with the ring provider; installs the provider once).
pub fn client() -> Result<reqwest::Client> {
    // A second install fails harmlessly; the first provider stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("shopfloor-node/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Network(format!("HTTP client: {e}")))
}

/// `base` + `path`, without a doubled slash.
pub(crate) fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// Unix seconds now.
pub(crate) fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A transport error as text (without the URL's query, which holds nothing secret anyway).
pub(crate) fn network(e: &reqwest::Error) -> Error {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    Error::Network(msg)
}

/// Turns a non-success response into [`Error::Refused`] with the hub's code and sentence.
pub(crate) async fn refusal(resp: reqwest::Response) -> Error {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let (code, message) = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => (
            v.get("error")
                .and_then(|e| e.as_str())
                .unwrap_or("unknown")
                .to_owned(),
            v.get("message")
                .and_then(|e| e.as_str())
                .unwrap_or("")
                .to_owned(),
        ),
        Err(_) => ("unknown".to_owned(), text.chars().take(200).collect()),
    };
    Error::Refused {
        status,
        code,
        message,
    }
}

/// `GET path` from the hub: the body of a success, or the hub's refusal.
pub(crate) async fn get_bytes(
    client: &reqwest::Client,
    link: &HubLink,
    path: &str,
) -> Result<Vec<u8>> {
    let resp = client
        .get(url(&link.url, path))
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    body(resp).await
}

/// `GET path` from the hub, read as JSON.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    link: &HubLink,
    path: &str,
) -> Result<T> {
    serde_json::from_slice(&get_bytes(client, link, path).await?)
        .map_err(|e| Error::BadAnswer(format!("GET {path}: {e}")))
}

/// Reads a response body of at most 16 MiB.
pub(crate) async fn body(resp: reqwest::Response) -> Result<Vec<u8>> {
    let bytes = resp.bytes().await.map_err(|e| network(&e))?;
    if bytes.len() > shopfloor_protocol::envelope::MAX_DOCUMENT_BYTES {
        return Err(Error::BadAnswer("answer larger than 16 MiB".into()));
    }
    Ok(bytes.to_vec())
}

/// The hub this node is enrolled with (approved), and what vouches for it.
#[derive(Clone, Debug)]
pub struct HubLink {
    /// Base URL, e.g. `https://south.example.org`.
    pub url: String,
    /// The hub's card.
    pub card: Card,
    /// The node's membership certificate, issued by the hub.
    pub certificate: Envelope,
    /// The hub's chain from the root (empty when the hub is national).
    pub chain: Vec<Envelope>,
    /// The national root card, when known (pinned with `--root`, or the hub itself).
    pub root: Option<Card>,
    /// Whether the hub's chain was verified up to `root`.
    pub chain_verified: bool,
}

/// The approved enrollment, or `None`.
pub fn hub_link(conn: &Connection) -> crate::Result<Option<HubLink>> {
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
    );
    let row: Option<Row> = conn
        .query_row(
            "SELECT hub_url, hub_card_json, certificate_json, chain_json, root_card_json,
                    chain_verified
             FROM enrollment WHERE id = 1 AND status = 'approved' AND hub_id IS NOT NULL",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((Some(url), Some(card), Some(cert), chain, root, chain_verified)) = row else {
        return Ok(None);
    };
    let chain: Vec<serde_json::Value> = match chain {
        Some(c) => serde_json::from_str(&c)
            .map_err(|e| crate::Error::invalid("enrollment chain", e.to_string()))?,
        None => Vec::new(),
    };
    let chain = chain
        .iter()
        .map(|v| Envelope::from_json(v.to_string().as_bytes()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(HubLink {
        url,
        card: Card::from_json(card.as_bytes())?,
        certificate: Envelope::from_json(cert.as_bytes())?,
        chain,
        root: root.map(|r| Card::from_json(r.as_bytes())).transpose()?,
        chain_verified,
    }))
}

/// [`hub_link`] or [`Error::NotEnrolled`].
pub fn require_link(conn: &Connection) -> Result<HubLink> {
    hub_link(conn)?.ok_or_else(|| {
        Error::NotEnrolled(
            "this node has no approved enrollment with a hub: run `shopfloor-node enroll --hub URL --code CODE`".into(),
        )
    })
}

/// An alarm: something about the hub people must look at.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Alarm {
    /// Row id.
    pub id: i64,
    /// When it was raised (unix seconds).
    pub at: i64,
    /// Kind: `log-fork`, `log-shrank`, `report-dropped`, `bad-checkpoint`, `bad-receipt`, `revoked`.
    pub kind: String,
    /// What was found.
    pub detail: String,
    /// When someone marked it resolved.
    pub resolved_at: Option<i64>,
}

/// Records an alarm (also logged at error level).
pub fn raise_alarm(conn: &Connection, kind: &str, detail: &str) -> crate::Result<i64> {
    tracing::error!(kind, "federation alarm: {detail}");
    conn.execute(
        "INSERT INTO alarms (at, kind, detail) VALUES (?1, ?2, ?3)",
        params![now_secs(), kind, detail],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Alarms, newest first; only open ones unless `all`.
pub fn alarms(conn: &Connection, all: bool) -> crate::Result<Vec<Alarm>> {
    let sql = if all {
        "SELECT id, at, kind, detail, resolved_at FROM alarms ORDER BY id DESC"
    } else {
        "SELECT id, at, kind, detail, resolved_at FROM alarms WHERE resolved_at IS NULL ORDER BY id DESC"
    };
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(Alarm {
            id: r.get(0)?,
            at: r.get(1)?,
            kind: r.get(2)?,
            detail: r.get(3)?,
            resolved_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Marks an alarm resolved (after people looked into it). Returns whether it was open.
pub fn resolve_alarm(conn: &Connection, id: i64) -> crate::Result<bool> {
    Ok(conn.execute(
        "UPDATE alarms SET resolved_at = ?1 WHERE id = ?2 AND resolved_at IS NULL",
        params![now_secs(), id],
    )? == 1)
}

/// Runs a blocking store closure from async code.
pub(crate) async fn read<T, F>(store: &Store, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> crate::Result<T> + Send + 'static,
{
    Ok(store.read_async(f).await?)
}

/// Runs a blocking write transaction from async code.
pub(crate) async fn write<T, F>(store: &Store, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&rusqlite::Transaction<'_>) -> crate::Result<T> + Send + 'static,
{
    Ok(store.write_async(f).await?)
}

/// The node's own card and keys, read from the data directory.
pub(crate) fn identity(dir: &DataDir) -> Result<(Card, shopfloor_protocol::SecretKeys)> {
    Ok((dir.card()?, dir.keys()?))
}
