//! This hub's rollups: for a period, the latest accepted document of every child, verified and
//! summed by `protocol::rollup::build`, signed, stored; and completeness (expected, reported, on
//! time, late, missing: DHIS2's reporting rates).

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use rusqlite::{OptionalExtension as _, params};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::rollup::{self, Bundle, Child};
use shopfloor_protocol::{Digest, Envelope, PartyId, Period};

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
    let deadline = deadline(hub, period);
    let children = enroll::children(hub.store())?;
    let first_received: BTreeMap<String, i64> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT child, MIN(received_at) FROM reports WHERE period = ?1 GROUP BY child",
        )?;
        let rows = stmt.query_map([period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<BTreeMap<_, _>, _>>()?)
    })?;
    let mut c = Completeness {
        period,
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
    Ok(c)
}

/// The latest accepted document of each child for a period.
fn latest_inputs(hub: &Hub, period: Period) -> Result<Vec<Child>> {
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
        out.push(Child {
            id: child.id,
            certificate,
            document: Envelope::from_json(&envelope)?,
        });
    }
    Ok(out)
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
    let envelope = Envelope::from_json(&envelope)?;
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

/// Builds, signs and stores the period's rollup, unless the newest one held already sums exactly
/// the same child documents (then that one is returned).
pub fn build(hub: &Hub, period: Period) -> Result<Built> {
    let children = latest_inputs(hub, period)?;
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
    let envelope = rollup::build(
        hub.card(),
        hub.keys(),
        recipient,
        period,
        revision,
        Timestamp::now(),
        completeness.expected.clone(),
        children,
        revocations,
        &root,
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

/// A bundle of a rollup with this hub's chain and revocation list, for offline verification.
pub fn bundle(hub: &Hub, envelope: Envelope) -> Result<Bundle> {
    let revocations: Vec<Envelope> = enroll::revocation_list(hub.store())?.into_iter().collect();
    Ok(Bundle::new(envelope, hub.chain()?, revocations))
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
