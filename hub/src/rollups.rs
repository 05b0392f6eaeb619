//! This hub's rollups: for a period, the latest accepted document of every child, verified and
//! summed by `protocol::rollup::build`, signed, stored; and completeness (expected, reported, on
//! time, late, missing: DHIS2's reporting rates).

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use rusqlite::{OptionalExtension as _, params};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::cert::RevocationSet;
use shopfloor_protocol::rollup::{self, Bundle, Child, Documents, Tree};
use shopfloor_protocol::{Digest, Document as _, Envelope, PartyId, Period};

use crate::config::Level;
use crate::enroll::{self, ts};
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::store::now_secs;

/// Reporting completeness for a period.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Completeness {
    /// The period.
    pub period: Period,
    /// Reports received by the end of this instant are on time.
    pub deadline: Timestamp,
    /// Active children, plus any that reported.
    pub expected: Vec<PartyId>,
    /// Children with an accepted document for the period.
    pub reported: Vec<PartyId>,
    /// Reported by the deadline (first accepted revision).
    pub on_time: Vec<PartyId>,
    /// Reported after the deadline.
    pub late: Vec<PartyId>,
    /// Expected but not reported.
    pub missing: Vec<PartyId>,
}

impl Completeness {
    /// Every expected child has reported (and there is at least one).
    pub fn all_reported(&self) -> bool {
        !self.expected.is_empty() && self.missing.is_empty()
    }
}

/// The instant after which a period's reports are late: the end of the deadline day of the
/// following month (UTC).
pub fn deadline(hub: &Hub, period: Period) -> Timestamp {
    period.end() + SignedDuration::from_hours(24 * i64::from(hub.config().rollup.deadline_day))
}

/// Completeness of a period.
pub fn completeness(hub: &Hub, period: Period) -> Result<Completeness> {
    completeness_of(hub, &[period])?
        .pop()
        .ok_or_else(|| Error::Internal("no completeness computed".into()))
}

/// Completeness of several periods (in the order given), from one read of the children and
/// one query of first receipts for all of them.
pub fn completeness_of(hub: &Hub, periods: &[Period]) -> Result<Vec<Completeness>> {
    let texts: Vec<String> = periods.iter().map(ToString::to_string).collect();
    let (children, first_received) = hub.store().read(|db| {
        let children = enroll::summaries(db)?;
        let mut stmt = db.prepare_cached(
            "SELECT child, MIN(received_at) FROM reports WHERE period = ?1 GROUP BY child",
        )?;
        let mut first: Vec<BTreeMap<String, i64>> = Vec::with_capacity(texts.len());
        for text in &texts {
            let rows = stmt.query_map([text], |r| Ok((r.get(0)?, r.get(1)?)))?;
            first.push(rows.collect::<Result<_, _>>()?);
        }
        Ok((children, first))
    })?;
    let mut out = Vec::with_capacity(periods.len());
    for (period, first_received) in periods.iter().zip(&first_received) {
        let deadline = deadline(hub, *period);
        let mut c = Completeness {
            period: *period,
            deadline,
            expected: Vec::new(),
            reported: Vec::new(),
            on_time: Vec::new(),
            late: Vec::new(),
            missing: Vec::new(),
        };
        for child in &children {
            let received = first_received.get(child.id.as_str());
            if !child.active() && received.is_none() {
                continue;
            }
            c.expected.push(child.id.clone());
            match received {
                Some(at) => {
                    c.reported.push(child.id.clone());
                    if *at <= deadline.as_second() {
                        c.on_time.push(child.id.clone());
                    } else {
                        c.late.push(child.id.clone());
                    }
                }
                None => c.missing.push(child.id.clone()),
            }
        }
        out.push(c);
    }
    Ok(out)
}

/// The latest accepted document of each child for a period, and what regional children's
/// rollups bind.
fn latest_inputs(hub: &Hub, period: Period) -> Result<(Vec<Child>, Documents)> {
    let rows: Vec<(String, Vec<u8>, Option<String>)> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT r.child, r.envelope, r.certificate FROM reports r \
             WHERE r.period = ?1 AND r.revision = (SELECT MAX(revision) FROM reports WHERE child = r.child AND period = r.period) \
             ORDER BY r.child",
        )?;
        let rows = stmt.query_map([period.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })?;
    let mut out = Vec::with_capacity(rows.len());
    let mut pool = crate::encrypted::documents(hub)?;
    for (child_id, envelope, accepted_under) in rows {
        let child = hub
            .store()
            .read(|db| enroll::child(db, &child_id))?
            .ok_or_else(|| Error::Internal(format!("report from unknown child {child_id}")))?;
        // The certificate the report was accepted under (the child may have enrolled again with
        // new keys since); rows from before migration 2 use the current one.
        let certificate = match accepted_under {
            Some(json) => Envelope::from_json(json.as_bytes())?,
            None => child.certificate,
        };
        let document = crate::store::stored_envelope(&envelope)?;
        pool.extend(bound_documents(hub, &document.digest())?);
        out.push(Child {
            id: child.id,
            certificate,
            document,
        });
    }
    Ok((out, pool))
}

fn inputs_key(children: &[Child]) -> String {
    let mut digests: Vec<String> = children
        .iter()
        .map(|c| c.document.digest().to_hex())
        .collect();
    digests.sort();
    Digest::of(digests.join(",").as_bytes()).to_hex()
}

/// A rollup this hub built.
#[derive(Clone, Debug, Serialize)]
pub struct Built {
    /// Period.
    pub period: Period,
    /// Revision.
    pub revision: u32,
    /// The signed rollup.
    pub envelope: Envelope,
    /// Its digest.
    pub digest: Digest,
    /// Completeness when built.
    pub completeness: Completeness,
    /// A digest of the child documents it sums (a new build is only made when they change).
    #[serde(skip)]
    pub inputs: String,
    /// When it was forwarded (receipt held).
    pub forwarded_at: Option<Timestamp>,
    /// The parent's receipt.
    pub receipt: Option<Envelope>,
    /// Whether this call built it (false: an identical rollup was already held).
    pub new: bool,
}

/// The newest rollup held for a period.
pub fn latest(hub: &Hub, period: Period) -> Result<Option<Built>> {
    let row = hub.store().read(|db| {
        Ok(db
            .query_row(
                "SELECT revision, envelope, completeness, inputs, forwarded_at, receipt FROM rollups \
                 WHERE period = ?1 ORDER BY revision DESC LIMIT 1",
                [period.to_string()],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                        r.get::<_, Option<Vec<u8>>>(5)?,
                    ))
                },
            )
            .optional()?)
    })?;
    let Some((revision, envelope, completeness, inputs, forwarded_at, receipt)) = row else {
        return Ok(None);
    };
    let envelope = crate::store::stored_envelope(&envelope)?;
    Ok(Some(Built {
        period,
        revision: u32::try_from(revision).unwrap_or_default(),
        digest: envelope.digest(),
        envelope,
        completeness: serde_json::from_str(&completeness)
            .map_err(|e| Error::Internal(format!("stored completeness: {e}")))?,
        inputs,
        forwarded_at: forwarded_at.map(ts),
        receipt: receipt.map(|r| Envelope::from_json(&r)).transpose()?,
        new: false,
    }))
}

/// One of this hub's rollups by its digest.
pub fn by_digest(hub: &Hub, digest: &Digest) -> Result<Option<Envelope>> {
    let bytes: Option<Vec<u8>> = hub.store().read(|db| {
        Ok(db
            .query_row(
                "SELECT envelope FROM rollups WHERE digest = ?1",
                [digest.to_hex()],
                |r| r.get(0),
            )
            .optional()?)
    })?;
    Ok(bytes
        .map(|b| crate::store::stored_envelope(&b))
        .transpose()?)
}

/// Builds, signs and stores the period's rollup, unless the newest one held already sums exactly
/// the same child documents (then that one is returned).
pub fn build(hub: &Hub, period: Period) -> Result<Built> {
    let (children, mut pool) = latest_inputs(hub, period)?;
    let inputs = inputs_key(&children);
    if let Some(held) = latest(hub, period)?
        && held.inputs == inputs
    {
        return Ok(held);
    }
    let completeness = completeness(hub, period)?;
    let root = hub.root_card()?;
    let recipient = match hub.level() {
        Level::National => None,
        Level::Regional => Some(root.id.clone()),
    };
    let revocations: Vec<Envelope> = enroll::revocation_list(hub.store())?.into_iter().collect();
    let revision = hub.store().read(|db| {
        Ok(db.query_row(
            "SELECT COALESCE(MAX(revision), 0) + 1 FROM rollups WHERE period = ?1",
            [period.to_string()],
            |r| r.get::<_, i64>(0),
        )?)
    })?;
    let revision =
        u32::try_from(revision).map_err(|_| Error::Internal("revision overflow".into()))?;
    let (envelope, _tree) = rollup::build(
        hub.card(),
        hub.keys(),
        recipient,
        period,
        revision,
        Timestamp::now(),
        completeness.expected.clone(),
        children,
        &mut pool,
        revocations,
    )
    .map_err(Error::rejected)?;
    let digest = envelope.digest();
    let completeness_json =
        serde_json::to_string(&completeness).map_err(|e| Error::Internal(e.to_string()))?;
    hub.store().write(|tx, _| {
        tx.execute(
            "INSERT INTO rollups (period, revision, digest, envelope, inputs, completeness, built_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                period.to_string(),
                i64::from(revision),
                digest.to_hex(),
                envelope.to_json(),
                inputs,
                completeness_json,
                now_secs()
            ],
        )?;
        crate::store::audit(tx, "hub", "rollup", Some(&format!("{period} r{revision}")))?;
        Ok(())
    })?;
    Ok(Built {
        period,
        revision,
        envelope,
        digest,
        completeness,
        inputs,
        forwarded_at: None,
        receipt: None,
        new: true,
    })
}

/// A bundle of one of this hub's rollups with its chain and revocation list and every document
/// the rollup tree binds, for offline verification.
pub fn bundle(hub: &Hub, envelope: Envelope) -> Result<Bundle> {
    Ok(bundle_with_tree(hub, envelope)?.0)
}

/// [`bundle`] with the tree it verified on the way (every signature, tally and range proof),
/// for callers that need both (decryption at publication) without verifying it again.
pub fn bundle_with_tree(hub: &Hub, envelope: Envelope) -> Result<(Bundle, Tree)> {
    let (tree, pool) = own_tree(hub, &envelope)?;
    let revocations: Vec<Envelope> = enroll::revocation_list(hub.store())?.into_iter().collect();
    let mut bundle = Bundle::for_tree(envelope, hub.chain()?, revocations, &tree, &pool)?;
    bundle.witnessed = crate::witness::bundle_logs(hub, &tree)?;
    Ok((bundle, tree))
}

/// What a regional hub sends national: its rollup and every document it binds, no chain
/// (national enrolled the region and knows its card).
pub fn forward_bundle(hub: &Hub, envelope: Envelope) -> Result<Bundle> {
    let (tree, pool) = own_tree(hub, &envelope)?;
    let mut bundle = Bundle::for_tree(envelope, Vec::new(), Vec::new(), &tree, &pool)?;
    // This hub's own log only: national keeps it for its bundles (docs/protocol.md §18.6).
    let own: Vec<shopfloor_protocol::Digest> =
        tree.top.children.iter().map(|c| c.document).collect();
    if !own.is_empty() {
        bundle.witnessed = vec![crate::witness::witnessed_log(hub, &own)?];
    }
    Ok(bundle)
}

/// One of this hub's own rollups, verified again with the documents it binds, looked up by the
/// digests it names: each child's report or rollup in `reports`, its certificate (the one the
/// document was accepted under, or the child's current one), and what a regional child's rollup
/// binds in turn.
fn own_tree(hub: &Hub, envelope: &Envelope) -> Result<(Tree, Documents)> {
    let card = hub.card();
    let mut pool = crate::encrypted::documents(hub)?;
    let refs: Vec<rollup::ChildRef> = match envelope.payload_type() {
        shopfloor_protocol::rollup::legacy::RollupV1::PAYLOAD_TYPE => Vec::new(),
        _ => {
            envelope
                .open_document::<rollup::Rollup>(&card.signing_key)?
                .children
        }
    };
    for r in &refs {
        let row: Option<(Vec<u8>, Option<String>)> = hub.store().read(|db| {
            Ok(db
                .query_row(
                    "SELECT envelope, certificate FROM reports WHERE digest = ?1",
                    [r.document.to_hex()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?)
        })?;
        let Some((doc, accepted_under)) = row else {
            return Err(Error::Internal(format!(
                "rollup binds document {} of {}, which this hub does not hold",
                r.document, r.id
            )));
        };
        let doc = crate::store::stored_envelope(&doc)?;
        pool.extend(bound_documents(hub, &doc.digest())?);
        pool.insert(doc);
        if let Some(json) = accepted_under {
            pool.insert(Envelope::from_json(json.as_bytes())?);
        }
        if let Some(child) = hub.store().read(|db| enroll::child(db, r.id.as_str()))? {
            pool.insert(child.certificate);
        }
    }
    // The pool may hold a certificate the rollup does not bind (a child's current one, when the
    // document was accepted under an earlier one): the bundle takes only what the tree binds.
    let tree = rollup::verify_rollup(envelope, card, &RevocationSet::new(), &pool)
        .map_err(Error::rejected)?;
    Ok((tree, pool))
}

/// Records that the parent acknowledged a rollup with a verified receipt.
pub fn mark_forwarded(hub: &Hub, period: Period, revision: u32, receipt: &Envelope) -> Result<()> {
    hub.store().write(|tx, _| {
        tx.execute(
            "UPDATE rollups SET forwarded_at = ?1, receipt = ?2, last_error = NULL WHERE period = ?3 AND revision = ?4",
            params![now_secs(), receipt.to_json(), period.to_string(), i64::from(revision)],
        )?;
        Ok(())
    })
}

/// Records a failed forwarding attempt.
pub fn mark_attempt(hub: &Hub, period: Period, revision: u32, error: &str) -> Result<()> {
    hub.store().write(|tx, _| {
        tx.execute(
            "UPDATE rollups SET attempts = attempts + 1, last_attempt_at = ?1, last_error = ?2 WHERE period = ?3 AND revision = ?4",
            params![now_secs(), error, period.to_string(), i64::from(revision)],
        )?;
        Ok(())
    })
}

/// Attempts so far and the time of the last one, for backoff.
pub fn attempts(hub: &Hub, period: Period, revision: u32) -> Result<(u32, Option<i64>)> {
    hub.store().read(|db| {
        Ok(db
            .query_row(
                "SELECT attempts, last_attempt_at FROM rollups WHERE period = ?1 AND revision = ?2",
                params![period.to_string(), i64::from(revision)],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?)),
            )
            .optional()?
            .map_or((0, None), |(a, t)| {
                (u32::try_from(a).unwrap_or(u32::MAX), t)
            }))
    })
}

/// Where forwarding a period's latest rollup to the parent stands (the completeness page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forwarding {
    /// The rollup's revision (the latest built).
    pub revision: u32,
    /// When the parent acknowledged it with a verified receipt.
    pub forwarded_at: Option<i64>,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When the last failed attempt was made.
    pub last_attempt_at: Option<i64>,
    /// What the last failed attempt met (the parent's refusal or the network error).
    pub last_error: Option<String>,
}

/// Forwarding of the latest rollup of each of `periods`, `None` where no rollup is built yet.
pub fn forwarding(hub: &Hub, periods: &[Period]) -> Result<Vec<Option<Forwarding>>> {
    hub.store().read(|db| {
        let mut stmt = db.prepare_cached(
            "SELECT revision, forwarded_at, attempts, last_attempt_at, last_error FROM rollups \
             WHERE period = ?1 ORDER BY revision DESC LIMIT 1",
        )?;
        let mut out = Vec::with_capacity(periods.len());
        for p in periods {
            out.push(
                stmt.query_row([p.to_string()], |r| {
                    Ok(Forwarding {
                        revision: u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        forwarded_at: r.get(1)?,
                        attempts: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(u32::MAX),
                        last_attempt_at: r.get(3)?,
                        last_error: r.get(4)?,
                    })
                })
                .optional()?,
            );
        }
        Ok(out)
    })
}

/// Periods with any accepted document, newest first.
pub fn periods(hub: &Hub) -> Result<Vec<Period>> {
    let texts: Vec<String> = hub.store().read(|db| {
        let mut stmt = db.prepare("SELECT DISTINCT period FROM reports ORDER BY period DESC")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })?;
    texts
        .iter()
        .map(|t| t.parse().map_err(Error::Protocol))
        .collect()
}

/// The documents a stored regional rollup binds (national keeps them in `documents` when it
/// accepts the region's bundle).
pub fn bound_documents(hub: &Hub, rollup: &Digest) -> Result<Documents> {
    hub.store().read(|db| bound_in(db, &rollup.to_hex()))
}

/// [`bound_documents`] with the caller's connection (`rollup` as hex).
pub(crate) fn bound_in(db: &rusqlite::Connection, rollup: &str) -> Result<Documents> {
    let mut stmt = db.prepare_cached(
        "SELECT d.envelope FROM bound_documents b JOIN documents d ON d.digest = b.document \
         WHERE b.rollup = ?1",
    )?;
    let blobs = stmt
        .query_map([rollup], |r| r.get::<_, Vec<u8>>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut docs = Documents::new();
    for blob in blobs {
        docs.insert(crate::store::stored_envelope(&blob)?);
    }
    crate::encrypted::add_keys(db, &mut docs)?;
    Ok(docs)
}

/// A child's stored rollup (a regional hub's) and the tree below it, verified against the
/// child's card with the documents it binds. For the publication command and the pages that
/// drill into a region; `None` when the stored documents no longer verify.
pub fn child_tree(hub: &Hub, envelope: &Envelope, card: &shopfloor_protocol::Card) -> Option<Tree> {
    let pool = bound_documents(hub, &envelope.digest()).ok()?;
    rollup::verify_rollup(envelope, card, &RevocationSet::new(), &pool).ok()
}
