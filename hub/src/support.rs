//! Support requests: a chapter asks for help (skills, language, sector, urgency); the hub makes
//! the request visible to the children whose latest documents show matching capacity, and those
//! chapters answer the asking chapter directly through `reply_to`, an opaque contact it chose: the
//! hub never learns who volunteers.
//!
//! **Matching.** A child (chapter, or a regional hub through its rollup) matches a request when
//! its latest document (newest period) shows
//! - the requested language: `reserve-languages[language=L]` above zero or suppressed, and
//! - one of the requested skills (if any): `reserve-skills[skill=S]` above zero or suppressed, and
//! - when a sector is asked, members in that sector: `members[sector=N]` above zero or
//!   suppressed.
//!
//! **Relays.** On `POST /api/v1/support-requests` the hub relays the request at once to its
//! matching chapters (`auto`). Further relays are an admin's decision on `/ui/support`:
//! *relay up* (a regional hub sends its own chapter's request to national, signed as national's
//! child: `POST /api/v1/support-requests/relayed`) and *relay down* (to this hub's matching
//! children: national to regional hubs, a region to its chapters, including a request that came
//! down from national, which a regional hub pulls from its parent's inbox in the background).
//! Every relay is recorded (target, direction, admin, time) and audited.
//!
//! **Status.** The asking chapter marks its request `met` or `unmet`
//! (`POST /api/v1/support-requests/{id}/status`); a regional hub passes the word up to the copy
//! it relayed to its parent, and regional hubs holding a copy from the parent read the status
//! from the parent's inbox. Inboxes carry the status, so chapters see a request closed.
//!
//! Chapters authenticate these calls with a signed request ([`RequestAuth`]): an envelope, signed
//! by the chapter's key, naming the hub, the method, the path, a digest of the body and the time,
//! sent as `Authorization: Shopfloor <base64 envelope JSON>`. The hub keeps no secret per child.

use jiff::Timestamp;
use rusqlite::params;
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::{CellKey, Kind, PartyId};

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

pub use shopfloor_protocol::support::{
    Inbox, Posted, Relayed, Status, StatusBody, SupportBody, Urgency,
};

/// The API path a regional hub relays a request up to.
pub const RELAYED_PATH: &str = "/api/v1/support-requests/relayed";

/// The API path where a request's status is set.
pub fn status_path(id: &str) -> String {
    format!("/api/v1/support-requests/{id}/status")
}

/// Whether `id` has the shape of a request id (32 hex digits).
pub fn id_ok(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether the latest document (newest period) of `party` under this hub shows `metric[dim=value]`
/// above zero or suppressed.
fn shows(
    db: &rusqlite::Connection,
    hub: &str,
    party: &str,
    metric: &str,
    dim: Dim,
    value: &str,
) -> Result<bool> {
    use rusqlite::OptionalExtension as _;
    let key = serde_json::to_string(&CellKey::new(metric, &[(dim, value)]))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let row: Option<(i64, i64)> = db
        .query_row(
            "SELECT c.sum, c.suppressed FROM agg_cells c WHERE c.party = ?1 AND c.dims = ?2 AND c.key = ?3 \
             AND c.period = (SELECT MAX(d.period) FROM agg_docs d WHERE d.party = ?1 AND d.parent = ?4)",
            params![party, dim.key(), key, hub],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.is_some_and(|(sum, suppressed)| sum > 0 || suppressed > 0))
}

/// Whether `party`'s latest document matches `body` (see the module documentation).
fn matches(db: &rusqlite::Connection, hub: &str, party: &str, body: &SupportBody) -> Result<bool> {
    if let Some(l) = &body.language
        && !shows(db, hub, party, "reserve-languages", Dim::Language, l)?
    {
        return Ok(false);
    }
    if !body.skills.is_empty() {
        let mut any = false;
        for s in &body.skills {
            if shows(db, hub, party, "reserve-skills", Dim::Skill, s)? {
                any = true;
                break;
            }
        }
        if !any {
            return Ok(false);
        }
    }
    if let Some(sector) = &body.sector
        && !shows(db, hub, party, "members", Dim::Sector, sector)?
    {
        return Ok(false);
    }
    Ok(true)
}

/// The active children (of `kinds`, other than `exclude`) whose latest document matches `body`.
pub fn matching_children(
    hub: &Hub,
    body: &SupportBody,
    kinds: &[Kind],
    exclude: &[&str],
) -> Result<Vec<PartyId>> {
    let me = hub.card().id.as_str().to_owned();
    let mut out = Vec::new();
    for child in enroll::children(hub.store())? {
        if !child.active() || !kinds.contains(&child.kind) || exclude.contains(&child.id.as_str()) {
            continue;
        }
        if hub
            .store()
            .read(|db| matches(db, &me, child.id.as_str(), body))?
        {
            out.push(child.id);
        }
    }
    Ok(out)
}

/// The chapters (other than `requester`) whose latest report matches `body`.
pub fn matching_chapters(
    hub: &Hub,
    requester: &PartyId,
    body: &SupportBody,
) -> Result<Vec<PartyId>> {
    matching_children(hub, body, &[Kind::Chapter], &[requester.as_str()])
}

/// Stores a request of a child chapter and relays it to the matching chapters of this hub.
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
            "INSERT INTO support_asks (id, requester, origin, via, body, created_at, expires_at) \
             VALUES (?1, ?2, 'child', ?2, ?3, ?4, ?5)",
            params![id, requester.id.as_str(), json, now, now + REQUEST_DAYS * 86400],
        )?;
        for t in &targets {
            tx.execute(
                "INSERT INTO support_relays (request, target, direction, actor, at) VALUES (?1, ?2, 'auto', '', ?3)",
                params![id, t.as_str(), now],
            )?;
        }
        Ok(())
    })?;
    Ok(Posted {
        id,
        relayed_to: targets.len(),
        status: Status::Open,
    })
}

/// Stores a request a regional child relayed up (`POST /api/v1/support-requests/relayed`).
/// Idempotent: the same request again changes nothing.
pub fn accept_relayed(hub: &Hub, from: &ChildRecord, relayed: &Relayed) -> Result<()> {
    if from.kind != Kind::Regional {
        return Err(Error::forbidden(
            "only regional hubs relay support requests up",
        ));
    }
    relayed.body.validate()?;
    if !id_ok(&relayed.id) {
        return Err(Error::bad_request("a request id is 32 hex digits"));
    }
    let json = serde_json::to_string(&relayed.body).map_err(|e| Error::Internal(e.to_string()))?;
    let created = relayed.created_at.as_second();
    hub.store().write(|tx, _| {
        let n = tx.execute(
            "INSERT INTO support_asks (id, requester, origin, via, body, status, created_at, expires_at) \
             VALUES (?1, ?2, 'child', ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            params![
                relayed.id,
                relayed.from.as_str(),
                from.id.as_str(),
                json,
                relayed.status.as_str(),
                created,
                created + REQUEST_DAYS * 86400
            ],
        )?;
        if n > 0 {
            crate::store::audit(tx, from.id.as_str(), "support-relayed-up", Some(&relayed.id))?;
        }
        Ok(())
    })
}

fn body_of(text: &str) -> Result<SupportBody> {
    serde_json::from_str(text).map_err(|e| Error::Internal(format!("stored support request: {e}")))
}

fn status_of(text: &str) -> Status {
    Status::parse(text).unwrap_or_default()
}

/// The requests relayed to a child (whatever their origin), and its own.
pub fn inbox(hub: &Hub, chapter: &PartyId) -> Result<Inbox> {
    let now = now_secs();
    hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT r.id, r.requester, r.body, r.created_at, r.status FROM support_asks r \
             JOIN support_relays t ON t.request = r.id \
             WHERE t.target = ?1 AND t.direction IN ('auto', 'down') AND r.expires_at > ?2 \
             ORDER BY r.created_at DESC",
        )?;
        let rows = stmt.query_map(params![chapter.as_str(), now], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut for_you = Vec::new();
        for row in rows {
            let (id, from, body, created_at, status) = row?;
            for_you.push(Relayed {
                id,
                from: PartyId::new(&from)?,
                created_at: ts(created_at),
                body: body_of(&body)?,
                status: status_of(&status),
            });
        }
        let mut stmt = db.prepare(
            "SELECT r.id, (SELECT COUNT(*) FROM support_relays t WHERE t.request = r.id), r.status \
             FROM support_asks r WHERE r.requester = ?1 AND r.via = ?1 AND r.expires_at > ?2 \
             ORDER BY r.created_at DESC",
        )?;
        let yours = stmt
            .query_map(params![chapter.as_str(), now], |r| {
                Ok(Posted {
                    id: r.get(0)?,
                    relayed_to: usize::try_from(r.get::<_, i64>(1)?).unwrap_or_default(),
                    status: status_of(&r.get::<_, String>(2)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Inbox { for_you, yours })
    })
}

/// The asking chapter (or the regional child that relayed it up) sets a request's status.
/// Answers whether this hub relayed the request up (so the status should follow it).
pub fn set_status(hub: &Hub, child: &ChildRecord, id: &str, body: &StatusBody) -> Result<bool> {
    body.validate()?;
    let missing = || {
        Error::not_found(
            "no-such-support-request",
            "no such support request of yours",
        )
    };
    if !id_ok(id) {
        return Err(missing());
    }
    hub.store().write(|tx, _| {
        use rusqlite::OptionalExtension as _;
        let row: Option<(String, String, String)> = tx
            .query_row(
                "SELECT requester, origin, via FROM support_asks WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((requester, origin, via)) = row else {
            return Err(missing());
        };
        let own = requester == child.id.as_str() && via == child.id.as_str();
        let relayed_up =
            origin == "child" && via == child.id.as_str() && child.kind == Kind::Regional;
        if !(own || relayed_up) {
            return Err(missing());
        }
        tx.execute(
            "UPDATE support_asks SET status = ?2, status_at = ?3 WHERE id = ?1",
            params![id, body.status.as_str(), now_secs()],
        )?;
        crate::store::audit(
            tx,
            child.id.as_str(),
            &format!("support-{}", body.status.as_str()),
            Some(id),
        )?;
        let up: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM support_relays WHERE request = ?1 AND direction = 'up')",
            [id],
            |r| r.get(0),
        )?;
        Ok(up)
    })
}

/// Where a copy of a request came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// This hub's own chapter asked.
    Own,
    /// A regional child relayed its chapter's request up (its id).
    Child(String),
    /// The parent relayed it down.
    Parent,
}

/// One relay of a request.
#[derive(Clone, Debug)]
pub struct Relay {
    /// The child (or the parent) it went to.
    pub target: String,
    /// `auto`, `down` or `up`.
    pub direction: String,
    /// The admin who relayed it (empty for `auto`).
    pub actor: String,
    /// When.
    pub at: Timestamp,
}

/// A request as this hub's page lists it.
#[derive(Clone, Debug)]
pub struct Ask {
    /// Request id.
    pub id: String,
    /// The asking chapter.
    pub requester: String,
    /// Where this copy came from.
    pub origin: Origin,
    /// The request.
    pub body: SupportBody,
    /// Open, met or unmet.
    pub status: Status,
    /// When it was made.
    pub created_at: Timestamp,
    /// Every relay from this hub.
    pub relays: Vec<Relay>,
}

/// The unexpired requests this hub holds, newest first: open ones only, or closed ones only.
pub fn list(hub: &Hub, open: bool) -> Result<Vec<Ask>> {
    let now = now_secs();
    hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT id, requester, origin, via, body, status, created_at FROM support_asks \
             WHERE expires_at > ?1 AND (status = 'open') = ?2 ORDER BY created_at DESC LIMIT 500",
        )?;
        let rows = stmt
            .query_map(params![now, open], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut relays = db.prepare(
            "SELECT target, direction, actor, at FROM support_relays WHERE request = ?1 ORDER BY at, target",
        )?;
        let mut out = Vec::new();
        for (id, requester, origin, via, body, status, created_at) in rows {
            let origin = match origin.as_str() {
                "parent" => Origin::Parent,
                _ if via == requester => Origin::Own,
                _ => Origin::Child(via),
            };
            let rs = relays
                .query_map([&id], |r| {
                    Ok(Relay {
                        target: r.get(0)?,
                        direction: r.get(1)?,
                        actor: r.get(2)?,
                        at: ts(r.get(3)?),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            out.push(Ask {
                id,
                requester,
                origin,
                body: body_of(&body)?,
                status: status_of(&status),
                created_at: ts(created_at),
                relays: rs,
            });
        }
        Ok(out)
    })
}

fn open_ask(
    db: &rusqlite::Connection,
    id: &str,
) -> Result<(String, String, String, SupportBody, Status, i64)> {
    use rusqlite::OptionalExtension as _;
    let row: Option<(String, String, String, String, String, i64)> = db
        .query_row(
            "SELECT requester, origin, via, body, status, created_at FROM support_asks WHERE id = ?1 AND expires_at > ?2",
            params![id, now_secs()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((requester, origin, via, body, status, created)) = row else {
        return Err(Error::not_found(
            "no-such-support-request",
            "no such support request",
        ));
    };
    let status = status_of(&status);
    if status != Status::Open {
        return Err(Error::conflict(
            "support-request-closed",
            "the asking chapter has closed this request",
        ));
    }
    Ok((requester, origin, via, body_of(&body)?, status, created))
}

/// An admin relays a request down to this hub's matching children (chapters and regional hubs)
/// it has not gone to yet; answers how many.
pub fn relay_down(hub: &Hub, id: &str, actor: &str) -> Result<usize> {
    let (requester, _, via, body, _, _) = hub.store().read(|db| open_ask(db, id))?;
    let already: Vec<String> = hub.store().read(|db| {
        let mut stmt = db.prepare("SELECT target FROM support_relays WHERE request = ?1")?;
        Ok(stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?)
    })?;
    let mut exclude: Vec<&str> = already.iter().map(String::as_str).collect();
    exclude.push(&requester);
    exclude.push(&via);
    let targets = matching_children(hub, &body, &[Kind::Chapter, Kind::Regional], &exclude)?;
    let now = now_secs();
    hub.store().write(|tx, _| {
        for t in &targets {
            tx.execute(
                "INSERT INTO support_relays (request, target, direction, actor, at) VALUES (?1, ?2, 'down', ?3, ?4) \
                 ON CONFLICT DO NOTHING",
                params![id, t.as_str(), actor, now],
            )?;
        }
        crate::store::audit(tx, actor, "support-relay-down", Some(&format!("{id} -> {}", targets.len())))?;
        Ok(())
    })?;
    Ok(targets.len())
}

/// The parent, if this regional hub is enrolled there.
fn enrolled_parent(hub: &Hub) -> Result<Option<crate::hub::Parent>> {
    if hub.level() != crate::config::Level::Regional {
        return Ok(None);
    }
    Ok(hub.parent()?.filter(|p| p.certificate.is_some()))
}

async fn blocking<R: Send + 'static>(f: impl FnOnce() -> Result<R> + Send + 'static) -> Result<R> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("blocking task failed: {e}")))?
}

/// A signed call to the parent, as its child.
async fn call_parent(
    hub: &Hub,
    parent: &crate::hub::Parent,
    method: reqwest::Method,
    path: &str,
    body: Vec<u8>,
) -> Result<reqwest::Response> {
    let auth = sign_request(
        hub.keys(),
        &hub.card().id,
        &parent.card.id,
        method.as_str(),
        path,
        &body,
    );
    let url = format!("{}{path}", parent.url.trim_end_matches('/'));
    let mut req = crate::forward::client()?
        .request(method, url)
        .header(reqwest::header::AUTHORIZATION, auth);
    if !body.is_empty() {
        req = req
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
    }
    let resp = req.send().await.map_err(|e| Error::Remote(e.to_string()))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        return Err(Error::Remote(format!(
            "the parent refused ({status}): {text}"
        )));
    }
    Ok(resp)
}

/// An admin of a regional hub relays one of its own chapters' open requests up to national.
pub async fn relay_up(hub: &Hub, id: &str, actor: &str) -> Result<()> {
    let parent = enrolled_parent(hub)?.ok_or_else(|| {
        Error::refused(
            409,
            "no-parent",
            "only a regional hub enrolled at national relays up",
        )
    })?;
    let (h, i) = (hub.clone(), id.to_owned());
    let (requester, origin, _, body, status, created) =
        blocking(move || h.store().read(|db| open_ask(db, &i))).await?;
    if origin == "parent" {
        return Err(Error::conflict(
            "came-from-parent",
            "this request came from the parent",
        ));
    }
    let relayed = Relayed {
        id: id.to_owned(),
        from: PartyId::new(&requester)?,
        created_at: ts(created),
        body,
        status,
    };
    let bytes = serde_json::to_vec(&relayed).map_err(|e| Error::Internal(e.to_string()))?;
    call_parent(hub, &parent, reqwest::Method::POST, RELAYED_PATH, bytes).await?;
    let (h, i, a, target) = (
        hub.clone(),
        id.to_owned(),
        actor.to_owned(),
        parent.card.id.as_str().to_owned(),
    );
    blocking(move || {
        h.store().write(|tx, _| {
            tx.execute(
                "INSERT INTO support_relays (request, target, direction, actor, at) VALUES (?1, ?2, 'up', ?3, ?4) \
                 ON CONFLICT DO NOTHING",
                params![i, target, a, now_secs()],
            )?;
            crate::store::audit(tx, &a, "support-relay-up", Some(&i))
        })
    })
    .await
}

/// Passes to the parent the status of every request this hub relayed up whose asking chapter
/// closed it since (a copy the parent refuses is tried again on the next pass).
pub async fn push_statuses(hub: &Hub) -> Result<()> {
    let Some(parent) = enrolled_parent(hub)? else {
        return Ok(());
    };
    let h = hub.clone();
    let due: Vec<(String, String)> = blocking(move || {
        h.store().read(|db| {
            let mut stmt = db.prepare(
                "SELECT a.id, a.status FROM support_asks a WHERE a.status != a.status_sent_up \
                 AND EXISTS (SELECT 1 FROM support_relays r WHERE r.request = a.id AND r.direction = 'up')",
            )?;
            Ok(stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?)
        })
    })
    .await?;
    for (id, status) in due {
        let body = serde_json::to_vec(&StatusBody {
            status: status_of(&status),
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        // One copy the parent refuses (expired there, say) must not hold back the others.
        if let Err(e) =
            call_parent(hub, &parent, reqwest::Method::POST, &status_path(&id), body).await
        {
            tracing::warn!(request = %id, "passing a support request's status up: {e}");
            continue;
        }
        let h = hub.clone();
        blocking(move || {
            h.store().write(|tx, _| {
                tx.execute(
                    "UPDATE support_asks SET status_sent_up = ?2 WHERE id = ?1",
                    params![id, status],
                )?;
                Ok(())
            })
        })
        .await?;
    }
    Ok(())
}

/// Reads the parent's inbox for this regional hub: requests national relayed down are stored
/// (origin `parent`) and the status of copies already held is brought up to date. Answers how
/// many requests were new.
pub async fn pull_from_parent(hub: &Hub) -> Result<usize> {
    let Some(parent) = enrolled_parent(hub)? else {
        return Ok(0);
    };
    let inbox: Inbox = call_parent(
        hub,
        &parent,
        reqwest::Method::GET,
        "/api/v1/support-requests",
        Vec::new(),
    )
    .await?
    .json()
    .await
    .map_err(|e| Error::Remote(format!("the parent's support inbox: {e}")))?;
    let (h, parent_id) = (hub.clone(), parent.card.id.as_str().to_owned());
    blocking(move || {
        h.store().write(|tx, _| {
            let mut new = 0;
            for r in &inbox.for_you {
                if r.body.validate().is_err() || !id_ok(&r.id) {
                    continue;
                }
                let json = serde_json::to_string(&r.body).map_err(|e| Error::Internal(e.to_string()))?;
                let created = r.created_at.as_second();
                let n = tx.execute(
                    "INSERT INTO support_asks (id, requester, origin, via, body, status, created_at, expires_at) \
                     VALUES (?1, ?2, 'parent', ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
                    params![r.id, r.from.as_str(), parent_id, json, r.status.as_str(), created, created + REQUEST_DAYS * 86400],
                )?;
                new += n;
                if n == 0 {
                    tx.execute(
                        "UPDATE support_asks SET status = ?2, status_at = ?3 \
                         WHERE id = ?1 AND origin = 'parent' AND status != ?2",
                        params![r.id, r.status.as_str(), now_secs()],
                    )?;
                }
            }
            Ok(new)
        })
    })
    .await
}

/// One background pass of a regional hub (run beside the forwarder): statuses up, then the
/// parent's relays down.
pub async fn sync_parent(hub: &Hub) -> Result<usize> {
    push_statuses(hub).await?;
    pull_from_parent(hub).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{InitOptions, Level, init};

    fn cell(
        db: &rusqlite::Connection,
        period: &str,
        metric: &str,
        dim: Dim,
        value: &str,
        sum: i64,
        suppressed: i64,
    ) {
        let key = serde_json::to_string(&CellKey::new(metric, &[(dim, value)])).unwrap();
        db.execute(
            "INSERT INTO agg_cells (party, period, dims, key, metric, sum, suppressed, contributors, largest) \
             VALUES ('p1', ?1, ?2, ?3, ?4, ?5, ?6, 1, ?5)",
            params![period, dim.key(), key, metric, sum, suppressed],
        )
        .unwrap();
    }

    #[test]
    fn matching_reads_the_latest_period_and_takes_suppressed_cells() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hub");
        init(
            &dir,
            &InitOptions {
                level: Level::Regional,
                name: "South".into(),
                state: None,
                admin_password: Some("a long passphrase here".into()),
            },
        )
        .unwrap();
        let hub = Hub::open(&dir).unwrap();
        let me = hub.card().id.as_str().to_owned();
        let ask = |skills: &[&str], language: Option<&str>, sector: Option<&str>| SupportBody {
            skills: skills.iter().map(|s| (*s).to_owned()).collect(),
            language: language.map(str::to_owned),
            sector: sector.map(str::to_owned),
            message: "m".into(),
            reply_to: "r".into(),
            urgency: Urgency::Normal,
            chapter: None,
        };
        hub.store()
            .read(|db| {
                for period in ["2026-04", "2026-05"] {
                    db.execute(
                        "INSERT INTO agg_docs (period, party, parent, kind, name, revision, digest, generated_at, chapters) \
                         VALUES (?1, 'p1', ?2, 'report', 'P1', 1, ?1, 0, 1)",
                        params![period, me],
                    )?;
                }
                // April: members in construction. May (latest): health care, suppressed.
                cell(db, "2026-04", "members", Dim::Sector, "23", 9, 0);
                cell(db, "2026-05", "members", Dim::Sector, "62", 0, 1);
                cell(db, "2026-05", "reserve-languages", Dim::Language, "es", 5, 0);
                cell(db, "2026-05", "reserve-skills", Dim::Skill, "mapping", 0, 0);
                cell(db, "2026-05", "reserve-skills", Dim::Skill, "one-on-ones", 6, 0);
                let yes = |b: &SupportBody| matches(db, &me, "p1", b).unwrap();
                assert!(yes(&ask(&["one-on-ones"], Some("es"), Some("62"))));
                assert!(yes(&ask(&["mapping", "one-on-ones"], None, None)), "any one skill");
                assert!(!yes(&ask(&["mapping"], None, None)), "zero is no reserve");
                assert!(!yes(&ask(&[], Some("fr"), None)));
                assert!(!yes(&ask(&[], Some("es"), Some("23"))), "only the latest period counts");
                assert!(!matches(db, &me, "p2", &ask(&[], Some("es"), None)).unwrap());
                Ok(())
            })
            .unwrap();
    }
}
