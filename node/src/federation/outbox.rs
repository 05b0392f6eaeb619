//! The durable outbox: sealed reports wait in SQLite (`outbox`) until the hub answers with a
//! verified receipt.
//!
//! Each pass ([`deliver_due`]) posts every item whose `next_attempt_at` has come, as
//! `application/octet-stream` to `{hub}/api/v1/reports`:
//! - 2xx with a receipt that verifies (hub's signature, inclusion proof, entry = the envelope's
//!   digest): the receipt is stored and the item is `delivered`.
//! - 4xx (except 408 and 429): the hub refused for good (`stale-revision`, `broken-chain`,
//!   `wrong-recipient`, `revoked`, `disclosure-violation`, ...): the item is `failed` with that
//!   code and never retried.
//! - 5xx, 408, 429, network errors, or a receipt that does not verify: retried later with
//!   exponential backoff and jitter. Attempts and the next time are in SQLite, so a crash or a
//!   restart loses nothing and does not reset the backoff.
//!
//! Re-posting the same sealed bytes is safe: the hub answers an envelope it already holds with
//! the same receipt. The outbox never holds the same period and revision twice.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;
use shopfloor_protocol::log::Receipt;
use shopfloor_protocol::{Digest, Envelope};

use super::{Error, HubLink, Result, body, client, network, now_secs, read, refusal, url, write};
use crate::datadir::DataDir;
use crate::domain::audit;
use crate::store::Store;

/// Backoff: first retry after `base`, doubling up to `max`, each with jitter (half fixed, half
/// random).
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// First delay.
    pub base: Duration,
    /// Largest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(15),
            max: Duration::from_secs(3600),
        }
    }
}

impl Backoff {
    /// The delay after `attempts` failed attempts (≥ 1), with jitter.
    pub fn delay(&self, attempts: u32) -> Duration {
        let exp = attempts.saturating_sub(1).min(30);
        let full = self
            .base
            .saturating_mul(1u32 << exp.min(20))
            .min(self.max)
            .max(Duration::from_secs(1));
        let half = full / 2;
        let mut b = [0u8; 4];
        let r = if getrandom::fill(&mut b).is_ok() {
            f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX)
        } else {
            0.5
        };
        half + half.mul_f64(r)
    }
}

/// An outbox row.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// Row id.
    pub id: i64,
    /// Period.
    pub period: String,
    /// Revision.
    pub revision: i64,
    /// Envelope digest.
    pub digest: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// Next attempt (unix seconds).
    pub next_attempt_at: i64,
    /// Last error, for people.
    pub last_error: Option<String>,
    /// Why the last attempt failed, as a stable code: the hub's reason code when it refused
    /// for good (`revoked`, `stale-revision`, ...), or, while the item waits for another try,
    /// one of [`RETRY_UNREACHABLE`], [`RETRY_BUSY`], [`RETRY_HUB_ERROR`], [`RETRY_BAD_RECEIPT`].
    pub error_code: Option<String>,
    /// When it was enqueued (unix seconds).
    pub created_at: i64,
    /// When it was delivered or failed.
    pub finished_at: Option<i64>,
}

const COLUMNS: &str = "id, period, revision, digest, status, attempts, next_attempt_at, last_error, \
                       error_code, created_at, finished_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    Ok(Item {
        id: r.get(0)?,
        period: r.get(1)?,
        revision: r.get(2)?,
        digest: r.get(3)?,
        status: r.get(4)?,
        attempts: r.get(5)?,
        next_attempt_at: r.get(6)?,
        last_error: r.get(7)?,
        error_code: r.get(8)?,
        created_at: r.get(9)?,
        finished_at: r.get(10)?,
    })
}

/// Every outbox item, newest first.
pub fn list(conn: &Connection) -> crate::Result<Vec<Item>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One outbox item.
pub fn item(conn: &Connection, id: i64) -> crate::Result<Option<Item>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?)
}

/// Makes every pending item due now (operators: `outbox deliver --now`; tests). Returns how many.
pub fn retry_now(conn: &Connection) -> crate::Result<usize> {
    Ok(conn.execute(
        "UPDATE outbox SET next_attempt_at = ?1 WHERE status = 'pending'",
        [now_secs()],
    )?)
}

/// How one item's attempt ended.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// Verified receipt stored.
    Delivered {
        /// Outbox id.
        id: i64,
        /// Log index of the entry.
        log_index: u64,
        /// Checkpoint size.
        checkpoint_size: u64,
        /// Checkpoint root.
        checkpoint_root: String,
    },
    /// Will be retried.
    Retry {
        /// Outbox id.
        id: i64,
        /// Attempts so far.
        attempts: i64,
        /// Next attempt (unix seconds).
        next_attempt_at: i64,
        /// Why.
        error: String,
    },
    /// Refused for good.
    Failed {
        /// Outbox id.
        id: i64,
        /// The hub's code.
        code: String,
        /// Why.
        error: String,
    },
}

/// Retry code: the hub could not be reached (network error, no answer).
pub const RETRY_UNREACHABLE: &str = "unreachable";
/// Retry code: the hub asked to try later (408, 429).
pub const RETRY_BUSY: &str = "busy";
/// Retry code: the hub failed on its side (5xx).
pub const RETRY_HUB_ERROR: &str = "hub-error";
/// Retry code: the hub's receipt did not verify (an alarm is raised too).
pub const RETRY_BAD_RECEIPT: &str = "bad-receipt";

enum Attempt {
    Receipt(Box<(Envelope, Receipt)>),
    /// (retry code, detail)
    Retry(&'static str, String),
    Refused(String, String),
}

async fn attempt(
    client: &reqwest::Client,
    link: &HubLink,
    sealed: Vec<u8>,
    digest: &Digest,
) -> Result<Attempt> {
    let resp = client
        .post(url(&link.url, "/api/v1/reports"))
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .body(sealed)
        .send()
        .await;
    let resp = match resp {
        Ok(r) => r,
        Err(e) => return Ok(Attempt::Retry(RETRY_UNREACHABLE, network(&e).to_string())),
    };
    let status = resp.status();
    if status.is_success() {
        let bytes = match body(resp).await {
            Ok(b) => b,
            Err(e) => return Ok(Attempt::Retry(RETRY_UNREACHABLE, e.to_string())),
        };
        let checked = Envelope::from_json(&bytes)
            .map_err(Error::from)
            .and_then(|env| {
                super::receipts::verify_receipt(&link.card, &env, digest).map(|r| (env, r))
            });
        return Ok(match checked {
            Ok(pair) => Attempt::Receipt(Box::new(pair)),
            Err(e) => Attempt::Retry(RETRY_BAD_RECEIPT, format!("bad receipt: {e}")),
        });
    }
    let code = status.as_u16();
    let err = refusal(resp).await;
    if status.is_client_error() && code != 408 && code != 429 {
        let c = err.code().unwrap_or("refused").to_owned();
        Ok(Attempt::Refused(c, err.to_string()))
    } else if code == 408 || code == 429 {
        Ok(Attempt::Retry(RETRY_BUSY, err.to_string()))
    } else {
        Ok(Attempt::Retry(RETRY_HUB_ERROR, err.to_string()))
    }
}

/// (id, period, revision, digest, sealed, attempts, next_attempt_at)
type DueRow = (i64, String, i64, String, Vec<u8>, i64, i64);

/// One pass: attempts every pending item that is due, oldest first. Items for a period wait
/// behind an older pending item (reports chain).
pub async fn deliver_due(store: &Store) -> Result<Vec<Outcome>> {
    deliver_due_with(store, &Backoff::default()).await
}

/// [`deliver_due`] with a given backoff.
pub async fn deliver_due_with(store: &Store, backoff: &Backoff) -> Result<Vec<Outcome>> {
    let (link, due) = read(store, |c| {
        let link = super::hub_link(c)?;
        let mut stmt = c.prepare(
            "SELECT id, period, revision, digest, sealed, attempts, next_attempt_at FROM outbox
             WHERE status = 'pending' ORDER BY id",
        )?;
        let rows: Vec<DueRow> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        Ok((link, rows))
    })
    .await?;
    let Some(link) = link else {
        return Ok(Vec::new());
    };
    let client = client()?;
    let mut out = Vec::new();
    for (id, period, revision, digest_hex, sealed, attempts, next_at) in due {
        if next_at > now_secs() {
            // The oldest pending item is not due: later ones wait behind it.
            break;
        }
        let digest = Digest::from_hex(&digest_hex)?;
        let result = attempt(&client, &link, sealed, &digest).await?;
        let attempts = attempts + 1;
        let outcome = match result {
            Attempt::Receipt(pair) => {
                let (env, r) = *pair;
                let (p, r2) = (period.clone(), r.clone());
                write(store, move |tx| {
                    super::receipts::store_receipt(tx, &r2, &env, &p, revision)?;
                    tx.execute(
                        "UPDATE outbox SET status = 'delivered', attempts = ?1, finished_at = ?2,
                             last_error = NULL, error_code = NULL WHERE id = ?3",
                        params![attempts, now_secs(), id],
                    )?;
                    Ok(())
                })
                .await?;
                tracing::info!(%period, revision, index = r.index, "report delivered");
                Outcome::Delivered {
                    id,
                    log_index: r.index,
                    checkpoint_size: r.checkpoint.size,
                    checkpoint_root: r.checkpoint.root.to_hex(),
                }
            }
            Attempt::Refused(code, error) => {
                let (c, e, p) = (code.clone(), error.clone(), period.clone());
                write(store, move |tx| {
                    tx.execute(
                        "UPDATE outbox SET status = 'failed', attempts = ?1, finished_at = ?2,
                             last_error = ?3, error_code = ?4 WHERE id = ?5",
                        params![attempts, now_secs(), e, c, id],
                    )?;
                    audit::record(
                        tx,
                        &audit::cli_actor(),
                        "report.refused",
                        &p,
                        &format!("revision {revision}: {e}"),
                    )
                })
                .await?;
                tracing::warn!(%period, revision, %code, "the hub refused the report: {error}");
                Outcome::Failed { id, code, error }
            }
            Attempt::Retry(kind, error) => {
                let delay = backoff.delay(u32::try_from(attempts).unwrap_or(u32::MAX));
                let next = now_secs() + i64::try_from(delay.as_secs().max(1)).unwrap_or(3600);
                let e = error.clone();
                let bad_receipt = kind == RETRY_BAD_RECEIPT;
                write(store, move |tx| {
                    tx.execute(
                        "UPDATE outbox SET attempts = ?1, next_attempt_at = ?2, last_error = ?3,
                             error_code = ?4 WHERE id = ?5",
                        params![attempts, next, e, kind, id],
                    )?;
                    if bad_receipt {
                        super::raise_alarm(tx, "bad-receipt", &e)?;
                    }
                    Ok(())
                })
                .await?;
                tracing::warn!(%period, revision, attempts, "delivery failed, will retry: {error}");
                Outcome::Retry {
                    id,
                    attempts,
                    next_attempt_at: next,
                    error,
                }
            }
        };
        let stop = matches!(outcome, Outcome::Retry { .. } | Outcome::Failed { .. });
        out.push(outcome);
        if stop {
            // Keep the chain in order: nothing after a report the hub has not accepted.
            break;
        }
    }
    Ok(out)
}

/// When the next pending item is due (unix seconds), if any.
pub fn next_due(conn: &Connection) -> crate::Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'",
        [],
        |r| r.get(0),
    )?)
}

/// Runs passes until the item is delivered or failed, or `timeout` passes. Returns the item as
/// it stands (check `status`).
pub async fn wait_for(store: &Store, id: i64, timeout: Duration) -> Result<Item> {
    let deadline = tokio::time::Instant::now() + timeout;
    let get = |store: Store| async move {
        read(&store, move |c| item(c, id))
            .await?
            .ok_or_else(|| Error::Invalid(format!("no outbox item {id}")))
    };
    loop {
        let it = get(store.clone()).await?;
        if it.status != "pending" {
            return Ok(it);
        }
        if it.next_attempt_at <= now_secs() {
            deliver_due(store).await?;
        }
        let it = get(store.clone()).await?;
        let now = tokio::time::Instant::now();
        if it.status != "pending" || now >= deadline {
            return Ok(it);
        }
        let until_due = u64::try_from(it.next_attempt_at - now_secs()).unwrap_or(0);
        let wait = Duration::from_secs(until_due)
            .min(deadline - now)
            .min(Duration::from_secs(5))
            .max(Duration::from_millis(200));
        tokio::time::sleep(wait).await;
    }
}

/// The outbox worker: a pass whenever something is due (checking at least every 30 s) until
/// `shutdown` turns true.
pub async fn run(store: Store, _dir: DataDir, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = deliver_due(&store).await {
            tracing::warn!("outbox: {e}");
        }
        let next = read(&store, next_due).await.ok().flatten();
        let wait = match next {
            Some(t) => u64::try_from(t - now_secs()).unwrap_or(0).clamp(1, 30),
            None => 30,
        };
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(wait)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
