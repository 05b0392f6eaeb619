//! Building a period's report for the hub: aggregate ([`crate::report::build`]), sign with the
//! node's key, seal to the hub's age recipient, and record it in `reports` (period, revision,
//! digest, envelope). Then either write the sealed file ([`build_file`], for `shopfloor-hub
//! ingest FILE`) or put it in the outbox ([`enqueue`]).
//!
//! `revision` is one more than the last revision built for the period; `previous` is the digest
//! of the last report the hub **accepted** (the receipt with the highest log index).
//!
//! A period that has ended is signed with its stocks as of its close: the first build takes the
//! period's snapshot if the schedule has not ([`report::prepare_to_sign`]), and a closed period
//! the node holds no snapshot for is refused unless built as a labelled correction
//! ([`enqueue_as`], [`build_file_as`] with `correction`).

use std::path::Path;

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use serde::Serialize;
use shopfloor_protocol::{Digest, Envelope, Period, SealFormat, seal};

use super::{Error, Result, now_secs};
use crate::datadir::DataDir;
use crate::domain::audit;
use crate::report;
use crate::store::Store;

/// A built, signed and sealed report.
#[derive(Clone, Debug)]
pub struct Sealed {
    /// The period.
    pub period: Period,
    /// Its revision.
    pub revision: u32,
    /// `previous` as written in the report.
    pub previous: Option<Digest>,
    /// The signed envelope.
    pub envelope: Envelope,
    /// The envelope's digest (what the hub's receipt will name).
    pub digest: Digest,
    /// The sealed bytes.
    pub sealed: Vec<u8>,
    /// What the report publishes and withholds.
    pub overview: report::Overview,
}

/// The digest of the last report the hub accepted (by verified receipt), if any.
pub fn last_accepted(conn: &Connection) -> crate::Result<Option<Digest>> {
    let d: Option<String> = conn
        .query_row(
            "SELECT r.digest FROM receipts r
             JOIN enrollment e ON e.id = 1 AND r.log = e.hub_id
             ORDER BY r.log_index DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(d.map(|d| Digest::from_hex(&d)).transpose()?)
}

/// Builds, signs, seals and records a report inside `tx` (the caller's transaction).
fn build_in(
    tx: &Transaction<'_>,
    dir: &DataDir,
    period: Period,
    format: SealFormat,
    correction: bool,
) -> Result<Sealed> {
    let link = super::require_link(tx)?;
    let config = dir.config()?;
    let (card, keys) = super::identity(dir)?;
    if card.signing_key != keys.public_key() {
        return Err(Error::Invalid("card.json does not match keys.txt".into()));
    }
    let mut ctx = report::context(tx, &config, &card, period)?;
    if ctx.recipient != link.card.id {
        return Err(Error::Invalid(format!(
            "the report would be addressed to {}, but the hub is {}",
            ctx.recipient, link.card.id
        )));
    }
    ctx.previous = last_accepted(tx)?;
    ctx.correction = correction;
    report::prepare_to_sign(tx, &ctx)?;
    let mut built = report::build(tx, &ctx)?;
    report::encrypt_withheld(tx, &mut built)?;
    let envelope = Envelope::sign(&built.report, &keys);
    let digest = envelope.digest();
    let sealed = seal(
        &envelope,
        std::slice::from_ref(&link.card.age_recipient),
        format,
    )?;
    tx.execute(
        "INSERT INTO reports (period, revision, digest, built_at, envelope) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            period.to_string(),
            i64::from(ctx.revision),
            digest.to_hex(),
            jiff::Timestamp::now().to_string(),
            envelope.to_json()
        ],
    )?;
    audit::record(
        tx,
        &audit::cli_actor(),
        "report.build",
        &period.to_string(),
        &format!(
            "revision {} for {}, digest {digest}{}",
            ctx.revision,
            link.card.id,
            if built.report.correction {
                ", correction"
            } else {
                ""
            }
        ),
    )?;
    Ok(Sealed {
        period,
        revision: ctx.revision,
        previous: ctx.previous,
        envelope,
        digest,
        overview: report::overview(&built),
        sealed,
    })
}

/// Builds the period's report and writes the sealed file `out` (must not exist; mode 0600):
/// the offline path, for the hub's admin to run `shopfloor-hub ingest FILE`. Then import the
/// receipt the hub prints (`shopfloor-hub ingest --json`) with [`super::receipts::import`].
pub fn build_file(
    store: &Store,
    dir: &DataDir,
    period: Period,
    out: &Path,
    armored: bool,
) -> Result<Sealed> {
    build_file_as(store, dir, period, out, armored, false)
}

/// [`build_file`]; with `correction`, a closed period is rebuilt from the current state and
/// labelled a correction.
pub fn build_file_as(
    store: &Store,
    dir: &DataDir,
    period: Period,
    out: &Path,
    armored: bool,
    correction: bool,
) -> Result<Sealed> {
    let format = if armored {
        SealFormat::Armored
    } else {
        SealFormat::Binary
    };
    if out.exists() {
        return Err(Error::Invalid(format!(
            "{} exists; refusing to overwrite",
            out.display()
        )));
    }
    store
        .write(|tx| {
            let s = build_in(tx, dir, period, format, correction).map_err(into_node)?;
            crate::datadir::write_new_file(out, &s.sealed, 0o600)?;
            Ok(s)
        })
        .map_err(from_node)
}

/// What [`enqueue`] did.
#[derive(Clone, Debug, Serialize)]
pub struct Queued {
    /// The outbox row.
    pub outbox_id: i64,
    /// Period.
    pub period: Period,
    /// Revision.
    pub revision: u32,
    /// Envelope digest.
    pub digest: String,
    /// False when a report for this period was already waiting in the outbox (it is returned
    /// instead of building another).
    pub new: bool,
}

/// Builds the period's report and puts it in the outbox, unless one for this period is already
/// waiting there (then that one is returned). Refuses while a report for another period is
/// waiting: reports chain by `previous`, so they go to the hub one at a time.
pub fn enqueue(store: &Store, dir: &DataDir, period: Period) -> Result<Queued> {
    enqueue_as(store, dir, period, false)
}

/// [`enqueue`]; with `correction`, a closed period is rebuilt from the current state and
/// labelled a correction.
pub fn enqueue_as(
    store: &Store,
    dir: &DataDir,
    period: Period,
    correction: bool,
) -> Result<Queued> {
    store
        .write(|tx| {
            let waiting: Option<(i64, String, i64, String)> = tx
                .query_row(
                    "SELECT id, period, revision, digest FROM outbox WHERE status = 'pending'
                     ORDER BY id LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            if let Some((id, p, rev, digest)) = waiting {
                if p == period.to_string() {
                    return Ok(Queued {
                        outbox_id: id,
                        period,
                        revision: u32::try_from(rev).unwrap_or(0),
                        digest,
                        new: false,
                    });
                }
                return Err(into_node(Error::Invalid(format!(
                    "the report for {p} (revision {rev}) is still waiting for delivery; reports \
                     chain one after the other, so it must reach the hub first \
                     (see `shopfloor-node outbox list`)"
                ))));
            }
            let s = build_in(tx, dir, period, SealFormat::Binary, correction).map_err(into_node)?;
            let now = now_secs();
            tx.execute(
                "INSERT INTO outbox (period, revision, digest, sealed, next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![
                    period.to_string(),
                    i64::from(s.revision),
                    s.digest.to_hex(),
                    s.sealed,
                    now
                ],
            )?;
            Ok(Queued {
                outbox_id: tx.last_insert_rowid(),
                period,
                revision: s.revision,
                digest: s.digest.to_hex(),
                new: true,
            })
        })
        .map_err(from_node)
}

/// Whether the hub accepted a report for `period` (any revision), by verified receipt.
pub fn accepted_for(conn: &Connection, period: Period) -> crate::Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM receipts r JOIN enrollment e ON e.id = 1 AND r.log = e.hub_id
             WHERE r.period = ?1 LIMIT 1",
            [period.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

// The store's closures speak the node's error; carry federation errors through it.
fn into_node(e: Error) -> crate::Error {
    match e {
        Error::Node(n) => n,
        Error::Protocol(p) => crate::Error::Protocol(p),
        other => crate::Error::invalid("report", other.to_string()),
    }
}

fn from_node(e: crate::Error) -> Error {
    match e {
        crate::Error::Protocol(p) => Error::Protocol(p),
        crate::Error::Invalid {
            field: "report",
            message,
        } => Error::Invalid(message),
        other => Error::Node(other),
    }
}
