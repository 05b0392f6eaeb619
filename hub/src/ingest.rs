//! Intake of sealed documents from enrolled children: a chapter's report, or a regional hub's
//! rollup at national. The same path serves `POST /api/v1/reports` and `shopfloor-hub ingest`.
//!
//! docs/protocol.md §Reports: open the seal with the hub's identity; find the signer among the
//! enrolled children by key id; verify signature, certificate, revocation, intended recipient,
//! period and revision; for a report the registry and disclosure rules and the previous-report
//! digest; for a rollup the whole tree below it. Then store the verified envelope (aggregates only)
//! and, in the same transaction, its cells and those of the documents it embeds
//! ([`crate::aggregates`], what the pages read), append its digest to the Merkle log and answer with a signed receipt. The same envelope again
//! gets the same receipt.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;
use shopfloor_protocol::cert::verify_certificate;
use shopfloor_protocol::envelope::{MAX_BUNDLE_BYTES, MAX_DOCUMENT_BYTES, open_bytes};
use shopfloor_protocol::log::issue_noted_receipt;
use shopfloor_protocol::rollup::{self, Bundle, Documents, Rollup, Tree, WitnessedLog};
use shopfloor_protocol::{Digest, Document as _, Envelope, Kind, PartyId, Period, Reason, Report};

use crate::config::Level;
use crate::enroll::{self, ChildRecord};
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::translog;

/// What was taken in.
#[derive(Clone, Debug, Serialize)]
pub struct Ingested {
    /// The signed receipt (with the inclusion proof).
    pub receipt: Envelope,
    /// Whether this envelope had already been accepted (the receipt is then the original one).
    pub duplicate: bool,
    /// The child that signed.
    pub child: PartyId,
    /// `report` or `rollup`.
    pub kind: &'static str,
    /// Period.
    pub period: Period,
    /// Revision.
    pub revision: u32,
    /// The envelope's digest (the log entry).
    pub digest: Digest,
}

/// How far in the future a document's own time may lie (clock skew).
const SKEW: SignedDuration = SignedDuration::from_mins(10);

struct Checked {
    child: ChildRecord,
    /// For a rollup, the verified tree below it and the documents it binds.
    tree: Option<(Tree, Documents)>,
    kind: &'static str,
    period: Period,
    revision: u32,
    previous: Option<Option<Digest>>,
    generated_at: Timestamp,
    /// What the aggregate tables record for it (crate::aggregates).
    entries: Vec<crate::aggregates::DocEntry>,
}

/// The largest plaintext this hub takes from a child: a chapter's report anywhere; at national,
/// a regional hub's bundle (its rollup and every document the rollup binds).
pub fn plaintext_limit(level: Level) -> usize {
    match level {
        Level::Regional => MAX_DOCUMENT_BYTES,
        Level::National => MAX_BUNDLE_BYTES,
    }
}

/// Opens, verifies and stores a sealed document (a chapter's report, or at national a regional
/// hub's sealed bundle); answers with a signed receipt.
pub fn ingest(hub: &Hub, sealed: &[u8]) -> Result<Ingested> {
    let limit = plaintext_limit(hub.level());
    let plain = open_bytes(sealed, hub.keys(), limit).map_err(|e| {
        if e.detail().contains("larger than") {
            Error::refused(413, "too-large", e.detail())
        } else {
            e.into()
        }
    })?;
    let mut witnessed = None;
    let (envelope, pool) = if plain.starts_with(b"{\"schema\"") {
        let bundle = Bundle::from_json_limited(&plain, limit)?;
        if !bundle.chain.is_empty() || !bundle.revocations.is_empty() {
            return Err(shopfloor_protocol::Error::new(
                Reason::Malformed,
                "a child's bundle carries no chain or revocation lists: this hub knows its children",
            )
            .into());
        }
        // The child's own witnessed log, if it sent one (docs/protocol.md §18.6); checked once
        // the rollup is.
        witnessed = child_log(bundle.witnessed)?;
        let pool = Documents::from_envelopes(bundle.documents)?;
        (bundle.document, pool)
    } else {
        (
            Envelope::from_json_limited(&plain, limit)?,
            Documents::new(),
        )
    };
    drop(plain);
    let checked = check(hub, &envelope, pool)?;
    if let Some(log) = &witnessed {
        check_child_log(&checked, log)?;
    }
    let ingested = store(hub, &envelope, checked)?;
    if let Some(log) = witnessed {
        crate::witness::keep_child_log(hub, &ingested.digest, &log)?;
    }
    Ok(ingested)
}

fn check(hub: &Hub, envelope: &Envelope, pool: Documents) -> Result<Checked> {
    let ids: Vec<String> = envelope
        .signer_ids()
        .map(|k| k.as_str().to_owned())
        .collect();
    let child = hub.store().read(|db| {
        for id in &ids {
            if let Some(child) = enroll::child_by_key(db, id)? {
                return Ok(Some(child));
            }
        }
        Ok(None)
    })?;
    // DSSE's keyid is an optional hint: with none, or none that names an enrolled child, try
    // every enrolled child's key (at most one verification per enrolled party).
    let child = match child {
        Some(c) => Some(c),
        None => signer_by_trial(hub, envelope)?,
    };
    let Some(child) = child else {
        return Err(Error::refused(
            403,
            "unknown-signer",
            "the document is not signed by a child enrolled at this hub",
        ));
    };
    if !child.active() {
        return Err(shopfloor_protocol::Error::new(
            Reason::Revoked,
            format!("{} has been revoked by {}", child.id, hub.card().id),
        )
        .into());
    }
    let revocations = enroll::revocation_set(hub)?;
    let now = Timestamp::now();
    let checked = match envelope.payload_type() {
        Report::PAYLOAD_TYPE => {
            if !pool.is_empty() {
                return Err(shopfloor_protocol::Error::new(
                    Reason::Malformed,
                    "a report travels alone, not in a bundle",
                )
                .into());
            }
            if child.kind != Kind::Chapter {
                return Err(wrong_type("only chapters send reports"));
            }
            let report =
                rollup::verify_child_report(envelope, &child.card, &hub.card().id, &revocations)?;
            verify_certificate(
                hub.card(),
                &child.certificate,
                report.generated_at,
                &revocations,
            )?;
            // The chapter must have applied at least this hub's minimum cell size, and its
            // suppression must hold up: no withheld cell derivable from what it published.
            let floor = hub.config().policy.k;
            if report.policy.k < floor {
                return Err(shopfloor_protocol::Error::new(
                    Reason::DisclosureViolation,
                    format!(
                        "the report applied k = {}, below this hub's policy k = {floor}",
                        report.policy.k
                    ),
                )
                .into());
            }
            shopfloor_protocol::disclosure::check_report(
                &report.cells,
                report.policy.k,
                &report.campaigns,
            )?;
            crate::encrypted::check_report(hub, &report)?;
            let entries = vec![crate::aggregates::DocEntry::from_report(
                &report,
                hub.card().id.as_str(),
                &child.name,
                child.state.as_deref(),
                &envelope.digest().to_hex(),
            )];
            Checked {
                tree: None,
                kind: "report",
                period: report.period,
                revision: report.revision,
                previous: Some(report.previous),
                generated_at: report.generated_at,
                child,
                entries,
            }
        }
        Rollup::PAYLOAD_TYPE | rollup::legacy::RollupV1::PAYLOAD_TYPE => {
            if child.kind != Kind::Regional || hub.level() != Level::National {
                return Err(wrong_type(
                    "only regional hubs send rollups, and only to national",
                ));
            }
            let mut pool = pool;
            hub.store()
                .read(|db| crate::encrypted::add_keys(db, &mut pool))?;
            let tree = rollup::verify_rollup(envelope, &child.card, &revocations, &pool)
                .map_err(Error::rejected)?;
            tree.binds_all(&pool)?;
            let rollup = &tree.top;
            if rollup.hub != child.id {
                return Err(shopfloor_protocol::Error::new(
                    Reason::BadSignature,
                    format!(
                        "rollup names hub {} but was signed by {}",
                        rollup.hub, child.id
                    ),
                )
                .into());
            }
            if rollup.recipient.as_ref() != Some(&hub.card().id) {
                return Err(shopfloor_protocol::Error::new(
                    Reason::WrongRecipient,
                    format!("rollup is not addressed to {}", hub.card().id),
                )
                .into());
            }
            verify_certificate(
                hub.card(),
                &child.certificate,
                rollup.generated_at,
                &revocations,
            )?;
            let entries = crate::aggregates::DocEntry::from_rollup(
                rollup,
                &tree.nodes,
                hub.card().id.as_str(),
                &child.name,
                child.state.as_deref(),
                &envelope.digest().to_hex(),
            )?;
            Checked {
                kind: "rollup",
                period: rollup.period,
                revision: rollup.revision,
                previous: None,
                generated_at: rollup.generated_at,
                child,
                tree: Some((tree, pool)),
                entries,
            }
        }
        other => {
            return Err(wrong_type(&format!(
                "this hub takes reports and rollups, not {other:?}"
            )));
        }
    };
    if checked.generated_at > now + SKEW {
        return Err(Error::conflict(
            "from-the-future",
            "the document's generation time is in the future; check the sender's clock",
        ));
    }
    if checked.period.start() > now + SKEW {
        return Err(shopfloor_protocol::Error::new(
            Reason::WrongPeriod,
            format!("period {} has not started", checked.period),
        )
        .into());
    }
    Ok(checked)
}

fn wrong_type(message: &str) -> Error {
    shopfloor_protocol::Error::new(Reason::WrongPayloadType, message).into()
}

fn store(hub: &Hub, envelope: &Envelope, c: Checked) -> Result<Ingested> {
    let digest = envelope.digest();
    let period_text = c.period.to_string();
    let bytes = envelope.to_json();
    // The receipt carries the checkpoint as the log's signed note too (docs/protocol.md §18.5).
    let origin = crate::witness::origin(hub)?;
    hub.store().write(|tx, tree| {
        let held: Option<Vec<u8>> = tx
            .query_row("SELECT receipt FROM reports WHERE digest = ?1", [digest.to_hex()], |r| r.get(0))
            .optional()?;
        if let Some(receipt) = held {
            return Ok(Ingested {
                receipt: Envelope::from_json(&receipt)?,
                duplicate: true,
                child: c.child.id.clone(),
                kind: c.kind,
                period: c.period,
                revision: c.revision,
                digest,
            });
        }
        let max: Option<i64> = tx.query_row(
            "SELECT MAX(revision) FROM reports WHERE child = ?1 AND period = ?2",
            params![c.child.id.as_str(), period_text],
            |r| r.get(0),
        )?;
        if let Some(max) = max
            && i64::from(c.revision) <= max
        {
            return Err(shopfloor_protocol::Error::new(
                Reason::StaleRevision,
                format!(
                    "revision {} for {} does not supersede revision {max} held here",
                    c.revision, c.period
                ),
            )
            .into());
        }
        if let Some(previous) = c.previous {
            let last: Option<String> = tx
                .query_row(
                    "SELECT digest FROM reports WHERE child = ?1 AND kind = 'report' ORDER BY id DESC LIMIT 1",
                    [c.child.id.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            let expected = last.map(|h| Digest::from_hex(&h)).transpose()?;
            if previous != expected {
                return Err(shopfloor_protocol::Error::new(
                    Reason::BrokenChain,
                    match expected {
                        Some(d) => format!("previous must be {d}, the last report accepted from {}", c.child.id),
                        None => format!("this is the first report accepted from {}: previous must be null", c.child.id),
                    },
                )
                .into());
            }
        }
        let index = translog::append(tx, tree, digest)?;
        let receipt = issue_noted_receipt(
            tree,
            &hub.card().id,
            &origin,
            index,
            Timestamp::now(),
            hub.keys(),
        )?;
        tx.execute(
            "UPDATE reports SET superseded = 1 WHERE child = ?1 AND period = ?2",
            params![c.child.id.as_str(), period_text],
        )?;
        tx.execute(
            "INSERT INTO reports (child, kind, period, revision, digest, envelope, generated_at, received_at, log_index, receipt, certificate) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                c.child.id.as_str(),
                c.kind,
                period_text,
                i64::from(c.revision),
                digest.to_hex(),
                bytes,
                c.generated_at.as_second(),
                crate::store::now_secs(),
                i64::try_from(index).map_err(|_| Error::Internal("log full".into()))?,
                receipt.to_json(),
                String::from_utf8_lossy(&c.child.certificate.to_json()).into_owned(),
            ],
        )?;
        if let Some((_, pool)) = &c.tree {
            store_bound(tx, &digest, pool)?;
        }
        crate::aggregates::record(tx, &hub.card().id, &period_text, &c.entries)?;
        Ok(Ingested {
            receipt,
            duplicate: false,
            child: c.child.id.clone(),
            kind: c.kind,
            period: c.period,
            revision: c.revision,
            digest,
        })
    })
}

/// Stores, once each, the documents a regional rollup binds, and which rollup bound them.
fn store_bound(tx: &rusqlite::Transaction<'_>, rollup: &Digest, pool: &Documents) -> Result<()> {
    let now = crate::store::now_secs();
    let mut doc = tx.prepare_cached(
        "INSERT OR IGNORE INTO documents (digest, envelope, added_at) VALUES (?1, ?2, ?3)",
    )?;
    let mut link = tx.prepare_cached(
        "INSERT OR IGNORE INTO bound_documents (rollup, document) VALUES (?1, ?2)",
    )?;
    let rollup = rollup.to_hex();
    for d in pool.digests() {
        if let Some(env) = pool.get(d) {
            let hex = d.to_hex();
            doc.execute(params![hex, env.to_json(), now])?;
            link.execute(params![rollup, hex])?;
        }
    }
    Ok(())
}

/// The enrolled child whose key verifies the envelope, tried one by one: for an envelope whose
/// signatures name no enrolled child's key id (DSSE makes `keyid` optional). Stops at the first
/// key that verifies.
fn signer_by_trial(hub: &Hub, envelope: &Envelope) -> Result<Option<ChildRecord>> {
    Ok(enroll::children(hub.store())?
        .into_iter()
        .find(|c| envelope.verify(&c.card.signing_key).is_ok()))
}

/// A child's bundle carries at most its own log.
fn child_log(mut logs: Vec<WitnessedLog>) -> Result<Option<WitnessedLog>> {
    if logs.len() > 1 {
        return Err(shopfloor_protocol::Error::new(
            Reason::Malformed,
            "a child's bundle carries at most its own witnessed log",
        )
        .into());
    }
    Ok(logs.pop())
}

/// Checks a regional hub's witnessed log against the rollup it came with (its note keys signed
/// by its card, the log key's signature, the inclusion proofs it carries for the documents the
/// rollup binds; no quorum: `verify` asks for that), before anything is stored.
fn check_child_log(checked: &Checked, log: &WitnessedLog) -> Result<()> {
    let Some((tree, _)) = &checked.tree else {
        return Err(shopfloor_protocol::Error::new(
            Reason::Malformed,
            "only a rollup's bundle carries a witnessed log",
        )
        .into());
    };
    let required: Vec<Digest> = tree.top.children.iter().map(|c| c.document).collect();
    let policy = rollup::WitnessPolicy::default();
    // A document missing from it is for `verify` to name (`unwitnessed`); what does not hold
    // (keys, signature, a proof) refuses the rollup.
    match log
        .check(&checked.child.card, &required, &policy)
        .into_iter()
        .find(|e| e.reason() != Reason::Unwitnessed)
    {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
