//! Enrollment: invite codes, requests, approval (a signed membership certificate), rejection,
//! revocation and the hub's signed revocation list.
//!
//! docs/protocol.md §Trust. An admin makes a one-time code for a named chapter (or, at national,
//! a regional hub); the child posts its card with the code; both sides show both fingerprints,
//! which people compare out of band; the admin approves and the hub signs a certificate for the
//! child's card. Codes are kept only as hashes, expire, and work once.

use jiff::{SignedDuration, Timestamp};
use rusqlite::{OptionalExtension as _, Transaction, params};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::cert::{self, Revocation, RevocationList, RevocationSet};
use shopfloor_protocol::{Card, Envelope, Kind, PartyId, SecretKeys};

use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::secret;
use crate::store::{Store, audit, now_secs};

/// A new invite; the code is shown once.
#[derive(Clone, Debug, Serialize)]
pub struct Invite {
    /// The one-time code.
    pub code: String,
    /// Who it is for.
    pub name: String,
    /// Chapter or regional.
    pub kind: Kind,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// Makes a one-time invite code.
pub fn invite(hub: &Hub, name: &str, kind: Kind, actor: &str) -> Result<Invite> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        return Err(Error::bad_request(
            "an invite name is 1-120 printable characters",
        ));
    }
    if !cert::may_certify(hub.card().kind, kind) {
        return Err(Error::bad_request(format!(
            "a {} hub cannot enroll a {kind}",
            hub.card().kind
        )));
    }
    let code = secret::random_code(20);
    if code.is_empty() {
        return Err(Error::Internal("no system randomness".into()));
    }
    let now = Timestamp::now();
    let expires_at = now + SignedDuration::from_hours(24 * i64::from(hub.config().invite_days));
    hub.store().write(|tx, _| {
        tx.execute(
            "INSERT INTO invites (code_hash, name, kind, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![secret::hash_secret(&code), name, kind.as_str(), now.as_second(), expires_at.as_second()],
        )?;
        audit(tx, actor, "invite", Some(name))?;
        Ok(())
    })?;
    Ok(Invite {
        code,
        name: name.to_owned(),
        kind,
        expires_at,
    })
}

/// `POST /api/v1/enroll` body.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollBody {
    /// The child's card.
    pub card: Card,
    /// The invite code.
    pub code: String,
}

/// The answer to an enrollment request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Submitted {
    /// The request id to poll.
    pub id: String,
    /// Always `pending`.
    pub status: String,
    /// The hub's card.
    pub hub_card: Card,
    /// The hub's fingerprint, to compare out of band.
    pub hub_fingerprint: String,
    /// The child's fingerprint as the hub computed it.
    pub your_fingerprint: String,
}

/// Takes an enrollment request: checks and spends the invite code.
pub fn submit(hub: &Hub, body: &EnrollBody) -> Result<Submitted> {
    let card = &body.card;
    if !cert::may_certify(hub.card().kind, card.kind) {
        return Err(Error::refused(
            403,
            "bad-invite",
            format!("a {} hub does not enroll a {}", hub.card().kind, card.kind),
        ));
    }
    if card.id == hub.card().id || card.signing_key == hub.card().signing_key {
        return Err(Error::conflict(
            "party-exists",
            "that card is this hub's own",
        ));
    }
    let code_hash = secret::hash_secret(&body.code);
    let id = secret::random_id()?;
    let now = now_secs();
    hub.store().write(|tx, _| {
        let invite = tx
            .query_row(
                "SELECT name, kind, expires_at, used_at FROM invites WHERE code_hash = ?1",
                [&code_hash],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((invite_name, kind, expires_at, used_at)) = invite else {
            return Err(Error::refused(403, "bad-invite", "no such invite code"));
        };
        if used_at.is_some() {
            return Err(Error::conflict("invite-used", "this invite code was already used"));
        }
        if expires_at <= now {
            return Err(Error::refused(403, "invite-expired", "this invite code has expired"));
        }
        if kind != card.kind.as_str() {
            return Err(Error::refused(
                403,
                "bad-invite",
                format!("this invite is for a {kind}, not a {}", card.kind),
            ));
        }
        let taken: bool = tx
            .query_row(
                "SELECT 1 FROM children WHERE (id = ?1 AND status = 'active') OR key_id = ?2",
                params![card.id.as_str(), card.key_id().as_str()],
                |_| Ok(true),
            )
            .optional()?
            .unwrap_or(false);
        if taken {
            return Err(Error::conflict(
                "party-exists",
                format!("{} or its key is already enrolled here", card.id),
            ));
        }
        tx.execute("UPDATE invites SET used_at = ?1 WHERE code_hash = ?2", params![now, code_hash])?;
        tx.execute(
            "INSERT INTO enroll_requests (id, invite, invite_name, party, kind, card, status, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)",
            params![id, code_hash, invite_name, card.id.as_str(), card.kind.as_str(), card.to_json(), now],
        )?;
        audit(tx, card.id.as_str(), "enroll-request", Some(&id))?;
        Ok(())
    })?;
    Ok(Submitted {
        id,
        status: "pending".into(),
        hub_card: hub.card().clone(),
        hub_fingerprint: hub.card().fingerprint().to_string(),
        your_fingerprint: card.fingerprint().to_string(),
    })
}

/// A pending request as an admin sees it.
#[derive(Clone, Debug, Serialize)]
pub struct Pending {
    /// Request id (for `approve`).
    pub id: String,
    /// The name the invite was made for.
    pub invite_name: String,
    /// The party id on the card.
    pub party: PartyId,
    /// The name on the card.
    pub name: String,
    /// Chapter or regional.
    pub kind: Kind,
    /// State on the card.
    pub state: Option<String>,
    /// The child's fingerprint.
    pub fingerprint: String,
    /// This hub's fingerprint (what the child should see).
    pub hub_fingerprint: String,
    /// When it was made.
    pub created_at: Timestamp,
}

/// Pending requests, oldest first.
pub fn pending(hub: &Hub) -> Result<Vec<Pending>> {
    let rows = hub.store().read(|db| {
        let mut stmt = db.prepare(
            "SELECT id, invite_name, card, created_at FROM enroll_requests WHERE status = 'pending' ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })?;
    rows.into_iter()
        .map(|(id, invite_name, card, created_at)| {
            let card = Card::from_json(card.as_bytes())?;
            Ok(Pending {
                id,
                invite_name,
                party: card.id.clone(),
                name: card.name.clone(),
                kind: card.kind,
                state: card.state.clone(),
                fingerprint: card.fingerprint().to_string(),
                hub_fingerprint: hub.card().fingerprint().to_string(),
                created_at: ts(created_at),
            })
        })
        .collect()
}

/// An enrolled child.
#[derive(Clone, Debug, Serialize)]
pub struct ChildRecord {
    /// Party id.
    pub id: PartyId,
    /// Chapter or regional.
    pub kind: Kind,
    /// Display name.
    pub name: String,
    /// State.
    pub state: Option<String>,
    /// The card.
    pub card: Card,
    /// The certificate this hub issued.
    pub certificate: Envelope,
    /// Its serial.
    pub serial: u64,
    /// `active` or `revoked`.
    pub status: String,
    /// When it was approved.
    pub enrolled_at: Timestamp,
}

impl ChildRecord {
    /// Whether the child is active (not revoked).
    pub fn active(&self) -> bool {
        self.status == "active"
    }
}

const CHILD_COLUMNS: &str = "card, certificate, serial, status, enrolled_at";

fn child_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, i64, String, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn child_record(row: (String, String, i64, String, i64)) -> Result<ChildRecord> {
    let (card, certificate, serial, status, enrolled_at) = row;
    let card = Card::from_json(card.as_bytes())?;
    Ok(ChildRecord {
        id: card.id.clone(),
        kind: card.kind,
        name: card.name.clone(),
        state: card.state.clone(),
        certificate: Envelope::from_json(certificate.as_bytes())?,
        serial: u64::try_from(serial).unwrap_or_default(),
        status,
        enrolled_at: ts(enrolled_at),
        card,
    })
}

/// Every enrolled child (active and revoked), by id.
pub fn children(store: &Store) -> Result<Vec<ChildRecord>> {
    let rows = store.read(|db| {
        let mut stmt = db.prepare(&format!("SELECT {CHILD_COLUMNS} FROM children ORDER BY id"))?;
        let rows = stmt.query_map([], child_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })?;
    rows.into_iter().map(child_record).collect()
}

/// An enrolled child as listings show it, read from the table's columns alone: no card or
/// certificate is parsed (pages that need the fingerprint or certificate use [`children`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildSummary {
    /// Party id.
    pub id: PartyId,
    /// Chapter or regional.
    pub kind: Kind,
    /// Display name.
    pub name: String,
    /// State.
    pub state: Option<String>,
    /// `active` or `revoked`.
    pub status: String,
}

impl ChildSummary {
    /// Whether the child is active (not revoked).
    pub fn active(&self) -> bool {
        self.status == "active"
    }
}

/// Every enrolled child (active and revoked), by id, from the columns only.
pub fn summaries(db: &rusqlite::Connection) -> Result<Vec<ChildSummary>> {
    let mut stmt =
        db.prepare_cached("SELECT id, kind, name, state, status FROM children ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, name, state, status) = row?;
        out.push(ChildSummary {
            id: PartyId::new(&id)?,
            kind: kind.parse()?,
            name,
            state,
            status,
        });
    }
    Ok(out)
}

/// How many children are active and how many revoked.
pub fn counts(db: &rusqlite::Connection) -> Result<(usize, usize)> {
    let (active, revoked): (i64, i64) = db.query_row(
        "SELECT COALESCE(SUM(status = 'active'), 0), COALESCE(SUM(status != 'active'), 0) FROM children",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((
        usize::try_from(active).unwrap_or(0),
        usize::try_from(revoked).unwrap_or(0),
    ))
}

/// The child whose signing key has this id.
pub fn child_by_key(db: &rusqlite::Connection, key_id: &str) -> Result<Option<ChildRecord>> {
    let row = db
        .query_row(
            &format!("SELECT {CHILD_COLUMNS} FROM children WHERE key_id = ?1"),
            [key_id],
            child_from_row,
        )
        .optional()?;
    row.map(child_record).transpose()
}

/// The child with this id.
pub fn child(db: &rusqlite::Connection, id: &str) -> Result<Option<ChildRecord>> {
    let row = db
        .query_row(
            &format!("SELECT {CHILD_COLUMNS} FROM children WHERE id = ?1"),
            [id],
            child_from_row,
        )
        .optional()?;
    row.map(child_record).transpose()
}

/// Signs a certificate for `card` with the next serial, valid from an hour ago for the
/// configured number of days. Returns the serial, the envelope and its JSON.
fn certify(hub: &Hub, tx: &Transaction<'_>, card: &Card) -> Result<(i64, Envelope, String)> {
    let now = Timestamp::now();
    let not_before = now - SignedDuration::from_hours(1);
    let not_after = now + SignedDuration::from_hours(24 * i64::from(hub.config().certificate_days));
    let serial: i64 = tx.query_row(
        "SELECT COALESCE(MAX(serial), 0) + 1 FROM children",
        [],
        |r| r.get(0),
    )?;
    let envelope = cert::issue(
        hub.card(),
        hub.keys(),
        card.clone(),
        u64::try_from(serial).unwrap_or(1),
        not_before,
        not_after,
    )?;
    let json = String::from_utf8(envelope.to_json()).map_err(|e| Error::Internal(e.to_string()))?;
    Ok((serial, envelope, json))
}

/// Approves a pending request: signs a certificate and enrolls the child.
pub fn approve(hub: &Hub, id: &str, actor: &str) -> Result<ChildRecord> {
    let now = Timestamp::now();
    let row = hub.store().write(|tx, _| {
        let (card, status) = request(tx, id)?;
        if status != "pending" {
            return Err(Error::conflict("not-pending", format!("request {id} is {status}")));
        }
        let card = Card::from_json(card.as_bytes())?;
        let (serial, _, cert_json) = certify(hub, tx, &card)?;
        let taken: bool = tx
            .query_row(
                "SELECT 1 FROM children WHERE (id = ?1 AND status = 'active') OR key_id = ?2",
                params![card.id.as_str(), card.key_id().as_str()],
                |_| Ok(true),
            )
            .optional()?
            .unwrap_or(false);
        if taken {
            return Err(Error::conflict("party-exists", format!("{} is already enrolled", card.id)));
        }
        tx.execute(
            // A revoked child may enroll again with new keys (a lost key, a rebuilt server): its
            // row takes the new card; the old key stays on the revocation list.
            "INSERT INTO children (id, kind, name, state, card, key_id, certificate, serial, status, enrolled_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'active', ?9) \
             ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name, state = excluded.state, \
             card = excluded.card, key_id = excluded.key_id, certificate = excluded.certificate, \
             serial = excluded.serial, status = 'active', enrolled_at = excluded.enrolled_at, revoked_at = NULL",
            params![
                card.id.as_str(),
                card.kind.as_str(),
                card.name,
                card.state,
                card.to_json(),
                card.key_id().as_str(),
                cert_json,
                serial,
                now.as_second()
            ],
        )?;
        tx.execute(
            "UPDATE enroll_requests SET status = 'approved', decided_at = ?1, certificate = ?2 WHERE id = ?3",
            params![now.as_second(), cert_json, id],
        )?;
        audit(tx, actor, "approve", Some(card.id.as_str()))?;
        Ok((card.to_json(), cert_json, serial, "active".to_owned(), now.as_second()))
    })?;
    child_record(row)
}

fn request(tx: &Transaction<'_>, id: &str) -> Result<(String, String)> {
    tx.query_row(
        "SELECT card, status FROM enroll_requests WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| Error::not_found("no-such-request", format!("no enrollment request {id}")))
}

/// Rejects a pending request.
pub fn reject(hub: &Hub, id: &str, actor: &str) -> Result<()> {
    hub.store().write(|tx, _| {
        let (_, status) = request(tx, id)?;
        if status != "pending" {
            return Err(Error::conflict(
                "not-pending",
                format!("request {id} is {status}"),
            ));
        }
        tx.execute(
            "UPDATE enroll_requests SET status = 'rejected', decided_at = ?1 WHERE id = ?2",
            params![now_secs(), id],
        )?;
        audit(tx, actor, "reject", Some(id))?;
        Ok(())
    })
}

/// `GET /api/v1/enroll/{id}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnrollStatus {
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// The certificate, once approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Envelope>,
    /// The hub's own chain from the root (empty at national), once approved.
    #[serde(default)]
    pub chain: Vec<Envelope>,
    /// The hub's card.
    pub hub_card: Card,
}

/// The state of an enrollment request. The id is a 128-bit random value: knowing it is what
/// entitles a caller to the answer (which holds only public documents).
pub fn status(hub: &Hub, id: &str) -> Result<EnrollStatus> {
    let row = hub.store().read(|db| {
        Ok(db
            .query_row(
                "SELECT status, certificate FROM enroll_requests WHERE id = ?1",
                [id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .optional()?)
    })?;
    let Some((status, certificate)) = row else {
        return Err(Error::not_found(
            "no-such-request",
            "no such enrollment request",
        ));
    };
    let certificate = certificate
        .map(|c| Envelope::from_json(c.as_bytes()))
        .transpose()?;
    let chain = if certificate.is_some() {
        hub.chain()?
    } else {
        Vec::new()
    };
    Ok(EnrollStatus {
        status,
        certificate,
        chain,
        hub_card: hub.card().clone(),
    })
}

/// What a child gets back for a rotation: its new certificate.
#[derive(Clone, Debug, Serialize)]
pub struct Rotated {
    /// The child's new card.
    pub card: Card,
    /// The certificate this hub issued for it.
    pub certificate: Envelope,
}

/// Accepts a child's key rotation (docs/protocol.md §6.4): a [`cert::Rotation`] signed by the
/// child's current key, naming its new card. The old key is revoked from now with reason
/// "rotated", the new card is certified, and a new revocation list is published. No invitation
/// is needed: only the holder of the certified key can sign the statement.
pub fn rotate(hub: &Hub, statement: &Envelope) -> Result<Rotated> {
    let now = Timestamp::now();
    let rotated = hub.store().write(|tx, _| {
        let mut current = None;
        for id in statement.signer_ids() {
            if let Some(c) = child_by_key(tx, id.as_str())? {
                current = Some(c);
                break;
            }
        }
        let Some(child) = current.filter(ChildRecord::active) else {
            return Err(Error::unauthenticated(
                "the rotation is not signed by an active child of this hub".to_owned(),
            ));
        };
        let new_card = cert::verify_rotation(&child.card, statement)?;
        let taken: bool = tx
            .query_row(
                "SELECT 1 FROM children WHERE key_id = ?1",
                [new_card.key_id().as_str()],
                |_| Ok(true),
            )
            .optional()?
            .unwrap_or(false);
        if taken {
            return Err(Error::conflict("party-exists", "that key is already enrolled here"));
        }
        let (serial, certificate, cert_json) = certify(hub, tx, &new_card)?;
        tx.execute(
            "INSERT INTO revocations (serial, subject, key_id, revoked_at, reason) VALUES (?1, ?2, ?3, ?4, 'rotated')",
            params![
                i64::try_from(child.serial).unwrap_or(i64::MAX),
                child.id.as_str(),
                child.card.key_id().as_str(),
                now.to_string(),
            ],
        )?;
        tx.execute(
            "UPDATE children SET card = ?1, key_id = ?2, certificate = ?3, serial = ?4, name = ?5, state = ?6 WHERE id = ?7",
            params![
                new_card.to_json(),
                new_card.key_id().as_str(),
                cert_json,
                serial,
                new_card.name,
                new_card.state,
                child.id.as_str()
            ],
        )?;
        audit(tx, child.id.as_str(), "rotate", Some(child.id.as_str()))?;
        Ok(Rotated { card: new_card, certificate })
    })?;
    publish_revocations(hub.store(), hub.card(), hub.keys())?;
    Ok(rotated)
}

/// Revokes a child's certificate from now, and publishes a new signed revocation list.
pub fn revoke(hub: &Hub, child_id: &str, reason: &str, actor: &str) -> Result<Envelope> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Err(Error::bad_request(
            "a revocation reason is 1-200 printable characters",
        ));
    }
    let now = Timestamp::now();
    hub.store().write(|tx, _| {
        let Some(child) = child(tx, child_id)? else {
            return Err(Error::not_found("no-such-child", format!("no child {child_id}")));
        };
        if !child.active() {
            return Err(Error::conflict("already-revoked", format!("{child_id} is already revoked")));
        }
        tx.execute(
            "INSERT INTO revocations (serial, subject, key_id, revoked_at, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                i64::try_from(child.serial).unwrap_or(i64::MAX),
                child.id.as_str(),
                child.card.key_id().as_str(),
                now.to_string(),
                reason
            ],
        )?;
        tx.execute(
            "UPDATE children SET status = 'revoked', revoked_at = ?1 WHERE id = ?2",
            params![now.as_second(), child_id],
        )?;
        audit(tx, actor, "revoke", Some(child_id))?;
        Ok(())
    })?;
    publish_revocations(hub.store(), hub.card(), hub.keys())
}

/// Signs and stores a revocation list of every revocation held.
pub fn publish_revocations(store: &Store, card: &Card, keys: &SecretKeys) -> Result<Envelope> {
    store.write(|tx, _| {
        let mut list = RevocationList::new(card.id.clone(), Timestamp::now());
        let mut stmt = tx.prepare(
            "SELECT serial, subject, key_id, revoked_at, reason FROM revocations ORDER BY serial",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (serial, subject, key_id, revoked_at, reason) = row?;
            list.entries.push(Revocation {
                serial: u64::try_from(serial).unwrap_or_default(),
                subject: PartyId::new(&subject)?,
                key: key_id
                    .parse()
                    .map_err(|e| Error::Internal(format!("revoked key id: {e}")))?,
                revoked_at: revoked_at
                    .parse()
                    .map_err(|e| Error::Internal(format!("revocation time: {e}")))?,
                reason,
            });
        }
        drop(stmt);
        let envelope = Envelope::sign(&list, keys);
        tx.execute(
            "INSERT INTO revocation_lists (issued_at, envelope) VALUES (?1, ?2)",
            params![list.issued_at.as_second(), envelope.to_json()],
        )?;
        Ok(envelope)
    })
}

/// The newest signed revocation list.
pub fn revocation_list(store: &Store) -> Result<Option<Envelope>> {
    let bytes: Option<Vec<u8>> = store.read(|db| {
        Ok(db
            .query_row(
                "SELECT envelope FROM revocation_lists ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    })?;
    bytes.map(|b| Ok(Envelope::from_json(&b)?)).transpose()
}

/// This hub's revocations as a set for verification.
pub fn revocation_set(hub: &Hub) -> Result<RevocationSet> {
    let mut set = RevocationSet::new();
    if let Some(env) = revocation_list(hub.store())? {
        set.add(&env, hub.card())?;
    }
    Ok(set)
}

/// A timestamp from whole seconds.
pub fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}
