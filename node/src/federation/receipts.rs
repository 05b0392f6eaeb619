//! Receipts and the hub's log (docs/protocol.md §12).
//!
//! A receipt is checked by (1) opening it with the hub's key, (2) verifying its inclusion proof
//! from `entry` to its checkpoint's root, (3) checking `entry` is the digest of the envelope sent.
//! The node keeps every receipt and every checkpoint it has seen; [`check_consistency`] later
//! fetches the hub's current checkpoint and proves that each held checkpoint is a prefix of it
//! and that each of the node's accepted reports is still in it. Any failure is an **alarm**: the
//! hub forked or rewrote its log, or dropped a report.

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::log::{Checkpoint, Receipt, verify_inclusion};
use shopfloor_protocol::{Card, Digest, Envelope, Period};

use super::{
    Error, HubLink, Result, body, client, get_json, network, now_secs, read, refusal, url, write,
};
use crate::domain::audit;
use crate::store::Store;

/// Verifies a receipt envelope from the hub for the envelope with digest `sent`.
pub fn verify_receipt(hub: &Card, receipt: &Envelope, sent: &Digest) -> Result<Receipt> {
    let r: Receipt = receipt.open_document(&hub.signing_key)?;
    if r.log != hub.id {
        return Err(Error::BadAnswer(format!(
            "the receipt is for log {}, not {}",
            r.log, hub.id
        )));
    }
    r.verify()?;
    if &r.entry != sent {
        return Err(Error::BadAnswer(format!(
            "the receipt names entry {}, but the report sent is {sent}",
            r.entry
        )));
    }
    Ok(r)
}

/// Stores a verified receipt (and its checkpoint) for the report `period`/`revision`, and moves
/// `previous` on. Idempotent.
pub(crate) fn store_receipt(
    tx: &Transaction<'_>,
    receipt: &Receipt,
    envelope: &Envelope,
    period: &str,
    revision: i64,
) -> crate::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO receipts (digest, period, revision, log, log_index, checkpoint_size,
             checkpoint_root, envelope, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            receipt.entry.to_hex(),
            period,
            revision,
            receipt.log.as_str(),
            i64::try_from(receipt.index).unwrap_or(i64::MAX),
            i64::try_from(receipt.checkpoint.size).unwrap_or(i64::MAX),
            receipt.checkpoint.root.to_hex(),
            String::from_utf8_lossy(&envelope.to_json()),
            now_secs()
        ],
    )?;
    keep_checkpoint(tx, &receipt.checkpoint, "receipt")?;
    // `previous` for the next report: the accepted report latest in the hub's log.
    tx.execute(
        "UPDATE enrollment SET previous_report = (
             SELECT r.digest FROM receipts r WHERE r.log = enrollment.hub_id
             ORDER BY r.log_index DESC LIMIT 1)
         WHERE id = 1",
        [],
    )?;
    audit::record(
        tx,
        &audit::cli_actor(),
        "report.receipt",
        period,
        &format!(
            "revision {revision} accepted by {}: log index {}, checkpoint size {}",
            receipt.log, receipt.index, receipt.checkpoint.size
        ),
    )?;
    Ok(())
}

fn keep_checkpoint(conn: &Connection, cp: &Checkpoint, source: &str) -> crate::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO checkpoints (log, size, root, time_text, source, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            cp.log.as_str(),
            i64::try_from(cp.size).unwrap_or(i64::MAX),
            cp.root.to_hex(),
            cp.time.to_string(),
            source,
            now_secs()
        ],
    )?;
    Ok(())
}

/// A stored receipt.
#[derive(Clone, Debug, Serialize)]
pub struct StoredReceipt {
    /// Envelope digest of the accepted report.
    pub digest: String,
    /// Period.
    pub period: String,
    /// Revision.
    pub revision: i64,
    /// The hub's log.
    pub log: String,
    /// Index in the log.
    pub log_index: i64,
    /// Size of the checkpoint in the receipt.
    pub checkpoint_size: i64,
    /// Root of that checkpoint.
    pub checkpoint_root: String,
}

/// Every stored receipt, in log order.
pub fn list(conn: &Connection) -> crate::Result<Vec<StoredReceipt>> {
    let mut stmt = conn.prepare(
        "SELECT digest, period, revision, log, log_index, checkpoint_size, checkpoint_root
         FROM receipts ORDER BY log, log_index",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredReceipt {
            digest: r.get(0)?,
            period: r.get(1)?,
            revision: r.get(2)?,
            log: r.get(3)?,
            log_index: r.get(4)?,
            checkpoint_size: r.get(5)?,
            checkpoint_root: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Imports a receipt printed by `shopfloor-hub ingest --json` for a report built with
/// `report build --out FILE` (the offline path): verifies it against the hub's card and a report
/// this node built, and stores it.
pub fn import(store: &Store, bytes: &[u8]) -> Result<StoredReceipt> {
    let envelope = Envelope::from_json(bytes)?;
    store
        .write(|tx| {
            let link = super::require_link(tx)
                .map_err(|e| crate::Error::invalid("receipt", e.to_string()))?;
            let r: Receipt = envelope.open_document(&link.card.signing_key)?;
            let built: Option<(String, i64)> = tx
                .query_row(
                    "SELECT period, revision FROM reports WHERE digest = ?1",
                    [r.entry.to_hex()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((period, revision)) = built else {
                return Err(crate::Error::invalid(
                    "receipt",
                    format!("no report built here has digest {}", r.entry),
                ));
            };
            let r = verify_receipt(&link.card, &envelope, &r.entry)
                .map_err(|e| crate::Error::invalid("receipt", e.to_string()))?;
            store_receipt(tx, &r, &envelope, &period, revision)?;
            Ok(StoredReceipt {
                digest: r.entry.to_hex(),
                period,
                revision,
                log: r.log.to_string(),
                log_index: i64::try_from(r.index).unwrap_or(i64::MAX),
                checkpoint_size: i64::try_from(r.checkpoint.size).unwrap_or(i64::MAX),
                checkpoint_root: r.checkpoint.root.to_hex(),
            })
        })
        .map_err(|e| match e {
            crate::Error::Protocol(p) => Error::Protocol(p),
            other => Error::Node(other),
        })
}

/// Whether a report for `period` has a stored receipt.
pub fn for_period(conn: &Connection, period: Period) -> crate::Result<Vec<StoredReceipt>> {
    Ok(list(conn)?
        .into_iter()
        .filter(|r| r.period == period.to_string())
        .collect())
}

#[derive(Debug, Deserialize)]
struct InclusionAnswer {
    index: u64,
    size: u64,
    entry: Digest,
    root: Digest,
    proof: Vec<Digest>,
}

#[derive(Debug, Deserialize)]
struct ConsistencyAnswer {
    old: u64,
    new: u64,
    proof: Vec<Digest>,
}

/// What [`check_consistency`] proved.
#[derive(Clone, Debug, Serialize)]
pub struct Consistency {
    /// The hub's current checkpoint (verified).
    pub checkpoint: Checkpoint,
    /// Held checkpoints proven to be prefixes of it.
    pub checkpoints_checked: usize,
    /// Receipts whose entries were proven to be in it.
    pub receipts_checked: usize,
}

/// Fetches `GET /api/v1/log/checkpoint` and verifies the hub's signature.
pub async fn fetch_checkpoint(client: &reqwest::Client, link: &HubLink) -> Result<Checkpoint> {
    let resp = client
        .get(url(&link.url, "/api/v1/log/checkpoint"))
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    let env = Envelope::from_json(&body(resp).await?)?;
    let cp: Checkpoint = env.open_document(&link.card.signing_key)?;
    if cp.log != link.card.id {
        return Err(Error::BadAnswer(format!(
            "checkpoint of log {}, not {}",
            cp.log, link.card.id
        )));
    }
    Ok(cp)
}

/// Checks the hub's log: fetches its current signed checkpoint; proves with consistency proofs
/// that every checkpoint this node holds is a prefix of it, and with inclusion proofs that every
/// report the hub gave this node a receipt for is still in it. Stores the new checkpoint.
///
/// A failed proof records an alarm (table `alarms`) and returns [`Error::Alarm`]. Network errors
/// and refusals are returned as such (no alarm: an unreachable hub is not a forked log).
pub async fn check_consistency(
    store: &Store,
    witnesses: &super::witnessed::Policy,
) -> Result<Consistency> {
    let link = read(store, super::hub_link)
        .await?
        .ok_or_else(|| Error::NotEnrolled("no approved enrollment".into()))?;
    let client = client()?;
    let new = fetch_checkpoint(&client, &link).await?;
    let log = link.card.id.to_string();
    let (held, receipts) = {
        let log = log.clone();
        read(store, move |c| {
            let mut stmt = c.prepare(
                "SELECT size, root, time_text FROM checkpoints WHERE log = ?1 ORDER BY size, id",
            )?;
            let held: Vec<(i64, String, String)> = stmt
                .query_map([&log], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            let receipts: Vec<StoredReceipt> =
                list(c)?.into_iter().filter(|r| r.log == log).collect();
            Ok((held, receipts))
        })
        .await?
    };
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let mut checkpoints_checked = 0;
    for (size, root, time) in &held {
        let (Ok(size), Ok(root)) = (u64::try_from(*size), Digest::from_hex(root)) else {
            problems.push((
                "bad-checkpoint",
                format!("held checkpoint {size} {root} is unreadable"),
            ));
            continue;
        };
        let old = Checkpoint::new(
            link.card.id.clone(),
            size,
            root,
            time.parse().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        );
        if size > new.size {
            problems.push((
                "log-shrank",
                format!(
                    "the hub's log has {} entries now, but it showed {size} before (root {root})",
                    new.size
                ),
            ));
            continue;
        }
        let proof: ConsistencyAnswer = match get_json(
            &client,
            &link,
            &format!("/api/v1/log/proof?old={size}&new={}", new.size),
        )
        .await
        {
            Ok(p) => p,
            Err(Error::Refused {
                status,
                code,
                message,
            }) if status < 500 => {
                problems.push((
                    "log-fork",
                    format!(
                        "the hub refused a consistency proof {size} -> {}: {code}: {message}",
                        new.size
                    ),
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        if proof.old != size || proof.new != new.size {
            problems.push((
                "log-fork",
                format!(
                    "the hub answered a proof for {} -> {}",
                    proof.old, proof.new
                ),
            ));
            continue;
        }
        match old.verify_consistency(&new, &proof.proof) {
            Ok(()) => checkpoints_checked += 1,
            Err(e) => problems.push((
                "log-fork",
                format!(
                    "checkpoint of size {size} (root {root}) is not a prefix of the hub's current \
                     log of size {} (root {}): {e}",
                    new.size, new.root
                ),
            )),
        }
    }
    problems.extend(super::witnessed::check(&client, &link, witnesses, &new).await?);
    problems.extend(super::witnessed::check_receipt_notes(&client, &link, store).await?);
    let mut receipts_checked = 0;
    for r in &receipts {
        let (Ok(index), Ok(entry)) = (u64::try_from(r.log_index), Digest::from_hex(&r.digest))
        else {
            problems.push((
                "bad-receipt",
                format!("stored receipt {} is unreadable", r.digest),
            ));
            continue;
        };
        if index >= new.size {
            problems.push((
                "report-dropped",
                format!(
                    "the report for {} revision {} was at index {index}, but the hub's log has only {} entries",
                    r.period, r.revision, new.size
                ),
            ));
            continue;
        }
        let proof: InclusionAnswer = match get_json(
            &client,
            &link,
            &format!("/api/v1/log/proof?index={index}&size={}", new.size),
        )
        .await
        {
            Ok(p) => p,
            Err(Error::Refused {
                status,
                code,
                message,
            }) if status < 500 => {
                problems.push((
                    "report-dropped",
                    format!(
                        "the hub refused an inclusion proof for {} revision {}: {code}: {message}",
                        r.period, r.revision
                    ),
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        let ok = proof.index == index
            && proof.size == new.size
            && proof.entry == entry
            && proof.root == new.root
            && verify_inclusion(&entry, index, new.size, &proof.proof, &new.root).is_ok();
        if ok {
            receipts_checked += 1;
        } else {
            problems.push((
                "report-dropped",
                format!(
                    "the report for {} revision {} (digest {entry}, index {index}) is not in the \
                     hub's log of size {} (root {})",
                    r.period, r.revision, new.size, new.root
                ),
            ));
        }
    }
    let cp = new.clone();
    let problems2 = problems.clone();
    write(store, move |tx| {
        for (kind, detail) in &problems2 {
            super::raise_alarm(tx, kind, detail)?;
        }
        if problems2.is_empty() {
            keep_checkpoint(tx, &cp, "fetched")?;
        }
        Ok(())
    })
    .await?;
    if let Some((kind, detail)) = problems.into_iter().next() {
        return Err(Error::Alarm {
            kind: kind.to_owned(),
            detail,
        });
    }
    Ok(Consistency {
        checkpoint: new,
        checkpoints_checked,
        receipts_checked,
    })
}
