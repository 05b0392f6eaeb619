//! Support requests: a chapter asks for help (skills, language, sector); the hub makes the request
//! visible to the chapters whose latest reports show matching reserve capacity
//! (`reserve-languages` / `reserve-skills` cells above zero or suppressed). Those chapters answer the
//! asking chapter directly through `reply_to`, an opaque contact it chose: the hub never learns who
//! volunteers.
//!
//! Chapters authenticate these calls with a signed request ([`RequestAuth`]): an envelope, signed
//! by the chapter's key, naming the hub, the method, the path, a digest of the body and the time,
//! sent as `Authorization: Shopfloor <base64 envelope JSON>`. The hub keeps no secret per child.

use jiff::Timestamp;
use rusqlite::params;
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::{CellKey, CellValue, Envelope, Kind, PartyId, Report};

use crate::enroll::{self, ChildRecord, ts};
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::secret;
use crate::store::now_secs;

pub use shopfloor_protocol::request::{
    AUTH_PAYLOAD_TYPE, AUTH_SCHEMA, AUTH_SCHEME, RequestAuth, sign_request,
};

/// How long a support request stays visible.
const REQUEST_DAYS: i64 = 30;

/// Checks a signed request and returns the active child that made it.
pub fn verify_request(
    hub: &Hub,
    header: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<ChildRecord> {
    let unauth = |m: &str| Error::unauthenticated(m.to_owned());
    let envelope = shopfloor_protocol::request::decode_header(header)
        .map_err(|_| unauth("expected Authorization: Shopfloor <signed request>"))?;
    let ids: Vec<String> = envelope
        .signer_ids()
        .map(|k| k.as_str().to_owned())
        .collect();
    let child = hub.store().read(|db| {
        for id in &ids {
            if let Some(c) = enroll::child_by_key(db, id)? {
                return Ok(Some(c));
            }
        }
        Ok(None)
    })?;
    let child = child
        .filter(ChildRecord::active)
        .ok_or_else(|| unauth("not signed by an active child of this hub"))?;
    let auth: RequestAuth = envelope
        .open_document(&child.card.signing_key)
        .map_err(|_| unauth("signed request does not verify"))?;
    if !auth.matches(
        &child.id,
        &hub.card().id,
        method,
        path,
        body,
        Timestamp::now(),
    ) {
        return Err(unauth(
            "signed request does not match this request or is stale",
        ));
    }
    Ok(child)
}

pub use shopfloor_protocol::support::{Inbox, Posted, Relayed, SupportBody};

fn has_capacity(report: &Report, metric: &str, dim: Dim, value: &str) -> bool {
    matches!(
        report.cell(&CellKey::new(metric, &[(dim, value)])),
        Some(CellValue::Suppressed) | Some(CellValue::Count(1..))
    )
}

/// The chapters (other than `requester`) whose latest report shows matching reserve capacity.
pub fn matching_chapters(
    hub: &Hub,
    requester: &PartyId,
    body: &SupportBody,
) -> Result<Vec<PartyId>> {
    let mut out = Vec::new();
    for child in enroll::children(hub.store())? {
        if !child.active() || child.kind != Kind::Chapter || &child.id == requester {
            continue;
        }
        let latest: Option<Vec<u8>> = hub.store().read(|db| {
            use rusqlite::OptionalExtension as _;
            Ok(db
                .query_row(
                    "SELECT envelope FROM reports WHERE child = ?1 AND kind = 'report' ORDER BY id DESC LIMIT 1",
                    [child.id.as_str()],
                    |r| r.get(0),
                )
                .optional()?)
        })?;
        let Some(bytes) = latest else { continue };
        let report: Report = Envelope::from_json(&bytes)?.open_document(&child.card.signing_key)?;
        let language_ok = body
            .language
            .as_ref()
            .is_none_or(|l| has_capacity(&report, "reserve-languages", Dim::Language, l));
        let skills_ok = body.skills.is_empty()
            || body
                .skills
                .iter()
                .any(|s| has_capacity(&report, "reserve-skills", Dim::Skill, s));
        if language_ok && skills_ok {
            out.push(child.id);
        }
    }
    Ok(out)
}

/// Stores a request and relays it to matching chapters.
pub fn post(hub: &Hub, requester: &ChildRecord, body: SupportBody) -> Result<Posted> {
    body.validate()?;
    if requester.kind != Kind::Chapter {
        return Err(Error::forbidden("only chapters post support requests"));
    }
    let targets = matching_chapters(hub, &requester.id, &body)?;
    let id = secret::random_id()?;
    let now = now_secs();
    let json = serde_json::to_string(&body).map_err(|e| Error::Internal(e.to_string()))?;
    hub.store().write(|tx, _| {
        tx.execute(
            "INSERT INTO support_requests (id, requester, body, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, requester.id.as_str(), json, now, now + REQUEST_DAYS * 86400],
        )?;
        for t in &targets {
            tx.execute(
                "INSERT INTO support_targets (request, chapter) VALUES (?1, ?2)",
                params![id, t.as_str()],
            )?;
        }
        Ok(())
    })?;
    Ok(Posted {
        id,
        relayed_to: targets.len(),
    })
}

/// The requests relayed to a chapter, and its own.
pub fn inbox(hub: &Hub, chapter: &PartyId) -> Result<Inbox> {
    let now = now_secs();
    hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT r.id, r.requester, r.body, r.created_at FROM support_requests r \
             JOIN support_targets t ON t.request = r.id WHERE t.chapter = ?1 AND r.expires_at > ?2 ORDER BY r.created_at DESC",
        )?;
        let rows = stmt.query_map(params![chapter.as_str(), now], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
        })?;
        let mut for_you = Vec::new();
        for row in rows {
            let (id, from, body, created_at) = row?;
            for_you.push(Relayed {
                id,
                from: PartyId::new(&from)?,
                created_at: ts(created_at),
                body: serde_json::from_str(&body).map_err(|e| Error::Internal(e.to_string()))?,
            });
        }
        let mut stmt = db.prepare(
            "SELECT r.id, (SELECT COUNT(*) FROM support_targets t WHERE t.request = r.id) FROM support_requests r \
             WHERE r.requester = ?1 AND r.expires_at > ?2 ORDER BY r.created_at DESC",
        )?;
        let yours = stmt
            .query_map(params![chapter.as_str(), now], |r| {
                Ok(Posted {
                    id: r.get(0)?,
                    relayed_to: usize::try_from(r.get::<_, i64>(1)?).unwrap_or_default(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Inbox { for_you, yours })
    })
}
