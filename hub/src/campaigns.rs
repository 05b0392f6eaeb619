//! Campaign approval: chapters submit campaigns against the criteria this hub published in its
//! guidance; admins approve them or send them back with a comment; the hub signs each decision
//! ([`shopfloor_protocol::campaign::Decision`]) and the chapter fetches it with a signed request.
//!
//! Every submission received is kept (a resubmission of the same id supersedes a pending one),
//! and every decision with its signed envelope: the history. Criteria versions are the guidance
//! envelopes this hub published, all of which it keeps (`guidance` table); a version is named by
//! the envelope's digest, and a decision names the version the campaign was judged against.

use jiff::Timestamp;
use rusqlite::{OptionalExtension as _, params};
use shopfloor_protocol::Digest;
use shopfloor_protocol::campaign::{
    DECISION_SCHEMA, Decision, Decisions, Outcome, Received, ReviewerRole, Submission,
};
use shopfloor_protocol::guidance::{Criterion, Guidance};
use shopfloor_protocol::{Envelope, Kind, PartyId};

use crate::enroll::{ChildRecord, ts};
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::store::now_secs;

pub use shopfloor_protocol::campaign::{MAX_COMMENT, SubmittedMetric};

/// A version of the criteria: one guidance envelope this hub published.
#[derive(Clone, Debug)]
pub struct CriteriaVersion {
    /// Digest of the guidance envelope (hex).
    pub digest: String,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// Its criteria, then those it relays from the parent (empty when the envelope no longer
    /// opens with this hub's key).
    pub criteria: Vec<Criterion>,
}

/// Every guidance this hub published, newest first.
pub fn criteria_versions(hub: &Hub) -> Result<Vec<CriteriaVersion>> {
    let rows: Vec<(i64, Vec<u8>)> = hub.store().read(|db| {
        let mut stmt = db.prepare("SELECT issued_at, envelope FROM guidance ORDER BY id DESC")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })?;
    let parent = hub.parent()?.map(|p| p.card);
    let mut out = Vec::with_capacity(rows.len());
    for (issued_at, bytes) in rows {
        let Ok(env) = crate::store::stored_envelope(&bytes) else {
            continue;
        };
        let criteria = env
            .open_document::<Guidance>(&hub.card().signing_key)
            .map(|g| with_inherited(g, parent.as_ref()))
            .unwrap_or_default();
        out.push(CriteriaVersion {
            digest: env.digest().to_hex(),
            issued_at: ts(issued_at),
            criteria,
        });
    }
    Ok(out)
}

/// A guidance's own criteria, then those of the parent's guidance it relays (verified with the
/// parent's card) whose code it does not use itself: what its chapters are shown.
fn with_inherited(g: Guidance, parent: Option<&shopfloor_protocol::Card>) -> Vec<Criterion> {
    let mut criteria = g.criteria;
    if let (Some(inner), Some(parent)) = (&g.inherited, parent)
        && let Ok(p) = inner.open_document::<Guidance>(&parent.signing_key)
        && p.issuer == parent.id
    {
        for c in p.criteria {
            if !criteria.iter().any(|o| o.code == c.code) {
                criteria.push(c);
            }
        }
    }
    criteria
}

fn version(hub: &Hub, digest: &Digest) -> Result<Option<CriteriaVersion>> {
    let hex = digest.to_hex();
    Ok(criteria_versions(hub)?
        .into_iter()
        .find(|v| v.digest == hex))
}

/// Stores a submission from a chapter (already authenticated), after checking it against the
/// criteria version it names. A pending submission with the same id is superseded.
pub fn submit(hub: &Hub, chapter: &ChildRecord, body: &[u8]) -> Result<Received> {
    if chapter.kind != Kind::Chapter {
        return Err(Error::forbidden("only chapters submit campaigns"));
    }
    let sub: Submission = serde_json::from_slice(body)
        .map_err(|e| Error::bad_request(format!("campaign submission: {e}")))?;
    sub.validate()?;
    let Some(v) = version(hub, &sub.criteria_version)? else {
        return Err(Error::conflict(
            "unknown-criteria-version",
            "this hub never published guidance with that digest; fetch its guidance again",
        ));
    };
    if !v.criteria.iter().any(|c| c.code == sub.criterion) {
        return Err(Error::conflict(
            "unknown-criterion",
            format!("no criterion {:?} in that guidance", sub.criterion),
        ));
    }
    let digest = Digest::of(body);
    let text = String::from_utf8_lossy(body).into_owned();
    let (chapter_id, id, hex) = (
        chapter.id.as_str().to_owned(),
        sub.id.clone(),
        digest.to_hex(),
    );
    hub.store().write(|tx, _| {
        tx.execute(
            "UPDATE campaign_submissions SET state = 'superseded'
             WHERE chapter = ?1 AND id = ?2 AND state = 'pending'",
            params![chapter_id, id],
        )?;
        tx.execute(
            "INSERT INTO campaign_submissions (chapter, id, body, digest, received_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending')",
            params![chapter_id, id, text, hex, now_secs()],
        )?;
        crate::store::audit(tx, &chapter_id, "campaign-submit", Some(&id))?;
        Ok(())
    })?;
    Ok(Received { id: sub.id, digest })
}

/// The signed decisions on a chapter's submissions (the newest 1000), oldest first.
pub fn decisions_for(hub: &Hub, chapter: &PartyId) -> Result<Decisions> {
    let rows: Vec<Vec<u8>> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT envelope FROM (SELECT seq, envelope FROM campaign_decisions WHERE chapter = ?1
                 ORDER BY seq DESC LIMIT 1000) ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([chapter.as_str()], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })?;
    let decisions = rows
        .iter()
        .map(|b| crate::store::stored_envelope(b))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Decisions { decisions })
}

/// A submission as stored.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Row number (the handle of the admin's forms).
    pub seq: i64,
    /// The chapter.
    pub chapter: String,
    /// The chapter's display name.
    pub chapter_name: String,
    /// What was submitted.
    pub submission: Submission,
    /// SHA-256 of the bytes received (hex).
    pub digest: String,
    /// When it arrived.
    pub received_at: Timestamp,
    /// pending, approved, returned or superseded.
    pub state: String,
}

/// A decision as listed in the history.
#[derive(Clone, Debug)]
pub struct HistoryRow {
    /// The submission's row.
    pub seq: i64,
    /// The chapter.
    pub chapter: String,
    /// The submission's id.
    pub id: String,
    /// approved or returned.
    pub outcome: String,
    /// The comment.
    pub comment: String,
    /// When.
    pub decided_at: Timestamp,
    /// The criteria version (hex digest).
    pub criteria_version: String,
}

fn names(hub: &Hub) -> Result<std::collections::BTreeMap<String, String>> {
    Ok(crate::enroll::children(hub.store())?
        .into_iter()
        .map(|c| (c.id.as_str().to_owned(), c.name))
        .collect())
}

/// Submissions in a state (`pending`, or all when `None`), newest first (at most 500).
pub fn submissions(hub: &Hub, state: Option<&str>) -> Result<Vec<Stored>> {
    let rows: Vec<(i64, String, String, String, i64, String)> = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT seq, chapter, body, digest, received_at, state FROM campaign_submissions
             WHERE ?1 IS NULL OR state = ?1 ORDER BY seq DESC LIMIT 500",
        )?;
        let rows = stmt
            .query_map([state], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })?;
    let names = names(hub)?;
    let mut out = Vec::with_capacity(rows.len());
    for (seq, chapter, body, digest, received_at, state) in rows {
        let submission: Submission =
            serde_json::from_str(&body).map_err(|e| Error::Internal(e.to_string()))?;
        out.push(Stored {
            seq,
            chapter_name: names.get(&chapter).cloned().unwrap_or_default(),
            chapter,
            submission,
            digest,
            received_at: ts(received_at),
            state,
        });
    }
    Ok(out)
}

/// Every decision, newest first (at most 500).
pub fn history(hub: &Hub) -> Result<Vec<HistoryRow>> {
    hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT d.submission, d.chapter, s.id, d.outcome, d.comment, d.decided_at, d.criteria_version
             FROM campaign_decisions d JOIN campaign_submissions s ON s.seq = d.submission
             ORDER BY d.seq DESC LIMIT 500",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(HistoryRow {
                    seq: r.get(0)?,
                    chapter: r.get(1)?,
                    id: r.get(2)?,
                    outcome: r.get(3)?,
                    comment: r.get(4)?,
                    decided_at: ts(r.get(5)?),
                    criteria_version: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })
}

/// Decides a pending submission: signs the decision, stores it, marks the submission and
/// audits the admin's action. `no-such-submission` (404) or `not-pending` (409) otherwise.
pub fn decide(
    hub: &Hub,
    seq: i64,
    outcome: Outcome,
    comment: &str,
    actor: &str,
) -> Result<Envelope> {
    let comment = comment.trim();
    let row: Option<(String, String, String, String)> = hub.store().read(|db| {
        Ok(db
            .query_row(
                "SELECT chapter, body, digest, state FROM campaign_submissions WHERE seq = ?1",
                [seq],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?)
    })?;
    let Some((chapter, body, digest, state)) = row else {
        return Err(Error::not_found(
            "no-such-submission",
            format!("no campaign submission {seq}"),
        ));
    };
    if state != "pending" {
        return Err(Error::conflict(
            "not-pending",
            "this submission was already decided or superseded",
        ));
    }
    let submission: Submission =
        serde_json::from_str(&body).map_err(|e| Error::Internal(e.to_string()))?;
    let decision = Decision {
        schema: DECISION_SCHEMA.into(),
        hub: hub.card().id.clone(),
        chapter: PartyId::new(&chapter)?,
        submission: submission.id.clone(),
        submission_digest: Digest::from_hex(&digest)?,
        outcome,
        comment: comment.to_owned(),
        reviewer: ReviewerRole::HubAdmin,
        decided_at: Timestamp::now(),
        criteria_version: submission.criteria_version,
    };
    decision
        .validate()
        .map_err(|e| Error::refused(422, "bad-comment", e.to_string()))?;
    let envelope = Envelope::sign(&decision, hub.keys());
    let json = envelope.to_json();
    hub.store().write(|tx, _| {
        let n = tx.execute(
            "UPDATE campaign_submissions SET state = ?2 WHERE seq = ?1 AND state = 'pending'",
            params![seq, outcome.code()],
        )?;
        if n == 0 {
            return Err(Error::conflict(
                "not-pending",
                "this submission was already decided or superseded",
            ));
        }
        tx.execute(
            "INSERT INTO campaign_decisions (submission, chapter, outcome, comment, decided_at,
                 criteria_version, envelope) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                seq,
                chapter,
                outcome.code(),
                comment,
                decision.decided_at.as_second(),
                decision.criteria_version.to_hex(),
                json
            ],
        )?;
        crate::store::audit(
            tx,
            actor,
            &format!("campaign-{}", outcome.code()),
            Some(&format!("{chapter}/{}", submission.id)),
        )?;
        Ok(())
    })?;
    Ok(envelope)
}

/// The criterion a submission answers, from the version it names.
pub fn criterion_of(versions: &[CriteriaVersion], sub: &Submission) -> Option<Criterion> {
    let hex = sub.criteria_version.to_hex();
    versions
        .iter()
        .find(|v| v.digest == hex)
        .and_then(|v| v.criteria.iter().find(|c| c.code == sub.criterion))
        .cloned()
}
