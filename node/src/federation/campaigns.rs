//! Campaign approval: send a campaign to the hub for approval against one of its published
//! criteria, and fetch the hub's signed decisions. Every call is a
//! [signed request](shopfloor_protocol::request); every decision is verified with the hub's card
//! before it is stored, and only a verified decision on the campaign's latest submission changes
//! its approval (`approved`, or back to `draft` when the hub sent it back).
//!
//! What is sent: the campaign's type, labor component and success metrics with their targets,
//! plus the target employer's sector, the criterion and a short summary the organizer writes.
//! Never members, workplaces' names or the campaign's title.

use rusqlite::{Connection, OptionalExtension as _, params};
use shopfloor_protocol::campaign::{
    Decision, Decisions, Outcome, Received, Submission, SubmittedMetric, verify_decision,
};
use shopfloor_protocol::request::sign_request;
use shopfloor_protocol::{Digest, Envelope};

use super::{Error, Result, body, client, network, read, refusal, require_link, url, write};
use crate::datadir::DataDir;
use crate::domain::campaigns;
use crate::store::Store;

const PATH: &str = "/api/v1/campaign-submissions";

/// What the organizer chooses when submitting.
#[derive(Clone, Debug)]
pub struct Ask {
    /// The campaign.
    pub campaign_id: i64,
    /// Code of the hub's criterion.
    pub criterion: String,
    /// Target employer's NAICS sector.
    pub sector: String,
    /// A short summary (no names of people).
    pub summary: String,
}

/// The submission id sent for a campaign.
pub fn submission_id(campaign_id: i64) -> String {
    format!("campaign-{campaign_id}")
}

/// The criteria a campaign may be submitted against: the hub's own, then those it relays from
/// national (verified) whose code it does not use itself, as the hub reads them too.
pub fn criteria(conn: &Connection) -> crate::Result<Vec<shopfloor_protocol::guidance::Criterion>> {
    Ok(super::guidance::current(conn)?
        .map(|s| {
            let mut own = s.guidance.criteria;
            for c in s.inherited.map(|g| g.criteria).unwrap_or_default() {
                if !own.iter().any(|o| o.code == c.code) {
                    own.push(c);
                }
            }
            own
        })
        .unwrap_or_default())
}

/// Builds the submission from the stored campaign and the hub's newest guidance.
pub fn build(conn: &Connection, ask: &Ask) -> crate::Result<Submission> {
    let c = campaigns::get(conn, ask.campaign_id)?;
    let digest: Option<String> = conn
        .query_row(
            "SELECT digest FROM guidance ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let Some(digest) = digest else {
        return Err(crate::Error::invalid(
            "criterion",
            "the hub has published no criteria yet",
        ));
    };
    if !criteria(conn)?.iter().any(|k| k.code == ask.criterion) {
        return Err(crate::Error::invalid(
            "criterion",
            "choose one of the hub's criteria",
        ));
    }
    let metrics = c
        .metrics
        .iter()
        .map(|m| SubmittedMetric {
            name: m.name.clone(),
            target: u64::try_from(m.target).unwrap_or(0),
        })
        .collect();
    let sub = Submission {
        id: submission_id(c.id),
        campaign_type: c.fields.kind.clone(),
        sector: ask.sector.clone(),
        labor_component: c.fields.labor_component,
        criterion: ask.criterion.clone(),
        criteria_version: Digest::from_hex(&digest)?,
        metrics,
        summary: ask.summary.trim().to_owned(),
    };
    sub.validate()
        .map_err(|e| crate::Error::invalid("submission", e.to_string()))?;
    Ok(sub)
}

/// Sends a campaign for approval; on success records what was sent and marks it submitted
/// (audited as `campaign.submit` by `actor`).
pub async fn submit(store: &Store, dir: &DataDir, ask: Ask, actor: &str) -> Result<Received> {
    let a = ask.clone();
    let sub = read(store, move |c| build(c, &a)).await?;
    let link = read(store, |c| {
        require_link(c).map_err(|e| crate::Error::invalid("enrollment", e.to_string()))
    })
    .await?;
    let (card, keys) = super::identity(dir)?;
    let bytes = sub.to_body();
    let auth = sign_request(&keys, &card.id, &link.card.id, "POST", PATH, &bytes);
    let resp = client()?
        .post(url(&link.url, PATH))
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(bytes.clone())
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    let received: Received = serde_json::from_slice(&body(resp).await?)
        .map_err(|e| Error::BadAnswer(format!("campaign submission answer: {e}")))?;
    let digest = Digest::of(&bytes);
    if received.digest != digest || received.id != sub.id {
        return Err(Error::BadAnswer(
            "the hub acknowledged another submission".into(),
        ));
    }
    let actor = actor.to_owned();
    write(store, move |tx| {
        tx.execute(
            "INSERT INTO campaign_submissions (campaign_id, submission_id, digest, criterion,
                 criteria_version, sector, summary, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (campaign_id) DO UPDATE SET digest = excluded.digest,
                 criterion = excluded.criterion, criteria_version = excluded.criteria_version,
                 sector = excluded.sector, summary = excluded.summary, sent_at = excluded.sent_at",
            params![
                ask.campaign_id,
                sub.id,
                digest.to_hex(),
                sub.criterion,
                sub.criteria_version.to_hex(),
                sub.sector,
                sub.summary,
                super::now_secs()
            ],
        )?;
        campaigns::set_approval(tx, ask.campaign_id, "submitted")?;
        crate::domain::audit::record(
            tx,
            &actor,
            "campaign.submit",
            &format!("campaign:{}", ask.campaign_id),
            &sub.criterion,
        )?;
        Ok(())
    })
    .await?;
    Ok(received)
}

/// Fetches the hub's decisions, verifies every one with the hub's card (refusing the whole
/// answer if one does not verify: nothing is stored), stores the new ones and applies the
/// newest decision on each campaign's latest submission. Returns how many were new.
pub async fn fetch_decisions(store: &Store, dir: &DataDir) -> Result<usize> {
    let link = read(store, |c| {
        require_link(c).map_err(|e| crate::Error::invalid("enrollment", e.to_string()))
    })
    .await?;
    let (card, keys) = super::identity(dir)?;
    let auth = sign_request(&keys, &card.id, &link.card.id, "GET", PATH, b"");
    let resp = client()?
        .get(url(&link.url, PATH))
        .header("authorization", auth)
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    let answer: Decisions = serde_json::from_slice(&body(resp).await?)
        .map_err(|e| Error::BadAnswer(format!("campaign decisions: {e}")))?;
    let mut verified: Vec<(Decision, Envelope)> = Vec::with_capacity(answer.decisions.len());
    for env in answer.decisions {
        let d = verify_decision(&env, &link.card, &card.id)?;
        verified.push((d, env));
    }
    let n = write(store, move |tx| store_decisions(tx, &verified)).await?;
    Ok(n)
}

fn store_decisions(conn: &Connection, verified: &[(Decision, Envelope)]) -> crate::Result<usize> {
    let mut new = 0;
    for (d, env) in verified {
        let row: Option<(i64, String)> = conn
            .query_row(
                "SELECT campaign_id, digest FROM campaign_submissions WHERE submission_id = ?1",
                [&d.submission],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((campaign_id, latest)) = row else {
            continue;
        };
        let json = String::from_utf8_lossy(&env.to_json()).into_owned();
        let n = conn.execute(
            "INSERT OR IGNORE INTO campaign_decisions (campaign_id, submission_digest, outcome,
                 comment, decided_at, criteria_version, envelope, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                campaign_id,
                d.submission_digest.to_hex(),
                d.outcome.code(),
                d.comment,
                d.decided_at.to_string(),
                d.criteria_version.to_hex(),
                json,
                super::now_secs()
            ],
        )?;
        new += n;
        if n == 1 && d.submission_digest.to_hex() == latest {
            let approval = match d.outcome {
                Outcome::Approved => "approved",
                Outcome::Returned => "draft",
            };
            campaigns::set_approval(conn, campaign_id, approval)?;
        }
    }
    Ok(new)
}

/// A decision as stored.
#[derive(Clone, Debug)]
pub struct StoredDecision {
    /// approved or returned.
    pub outcome: String,
    /// The reviewer's comment.
    pub comment: String,
    /// When (RFC 3339).
    pub decided_at: String,
    /// The criteria version (hex digest).
    pub criteria_version: String,
    /// Whether it is about the campaign's latest submission.
    pub current: bool,
}

/// What was sent for a campaign: (criterion, sector, summary, sent_at).
pub fn sent(
    conn: &Connection,
    campaign_id: i64,
) -> crate::Result<Option<(String, String, String, i64)>> {
    Ok(conn
        .query_row(
            "SELECT criterion, sector, summary, sent_at FROM campaign_submissions WHERE campaign_id = ?1",
            [campaign_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?)
}

/// A campaign's decisions, newest first.
pub fn decisions(conn: &Connection, campaign_id: i64) -> crate::Result<Vec<StoredDecision>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.outcome, d.comment, d.decided_at, d.criteria_version,
                d.submission_digest = s.digest
         FROM campaign_decisions d LEFT JOIN campaign_submissions s ON s.campaign_id = d.campaign_id
         WHERE d.campaign_id = ?1 ORDER BY d.id DESC",
    )?;
    let rows = stmt
        .query_map([campaign_id], |r| {
            Ok(StoredDecision {
                outcome: r.get(0)?,
                comment: r.get(1)?,
                decided_at: r.get(2)?,
                criteria_version: r.get(3)?,
                current: r.get::<_, Option<bool>>(4)?.unwrap_or(false),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
