//! The federation's joint key for encrypted small cells (issue 14): taken only from national's
//! signed guidance (the hub's own when the hub is national, else the guidance it relays,
//! verified against the pinned national root card), pinned on first sight, and changed only by a
//! rotation that names the pinned key ([`shopfloor_protocol::guidance::pin`]). A silent change
//! refuses the whole guidance: nothing of it is stored.

use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;
use shopfloor_protocol::guidance::{Guidance, Pin, TrusteeKey, pin};
use shopfloor_protocol::threshold::JointKey;
use shopfloor_protocol::{Digest, Kind};

use super::HubLink;

/// The pinned key.
#[derive(Clone, Debug, Serialize)]
pub struct Pinned {
    /// The key id.
    pub key_id: Digest,
    /// The joint key and its ceremony.
    #[serde(skip)]
    pub joint_key: JointKey,
    /// Its fingerprint, to compare with what the trustees read aloud.
    pub fingerprint: String,
    /// The key it replaced, on a rotation.
    pub replaces: Option<Digest>,
    /// When it was pinned (unix seconds).
    pub pinned_at: i64,
}

/// The joint key national's guidance carries, from guidance verified by
/// [`super::guidance::verify`]: the hub's own when the hub is national, else national's relayed
/// guidance when it verified against the root card; never a regional hub's own.
pub fn offered(outer: &Guidance, link: &HubLink, inherited_verified: bool) -> Option<TrusteeKey> {
    if link.card.kind == Kind::National {
        return outer.trustee_key.clone();
    }
    let root = link.root.as_ref()?;
    if !inherited_verified || root == &link.card {
        return None;
    }
    outer
        .inherited
        .as_ref()?
        .open_document::<Guidance>(&root.signing_key)
        .ok()
        .filter(|g| g.issuer == root.id)?
        .trustee_key
}

/// The pinned key, or `None` before national has published one.
pub fn pinned(conn: &Connection) -> crate::Result<Option<Pinned>> {
    let row: Option<(String, String, Option<String>, i64)> = conn
        .query_row(
            "SELECT key_id, joint_key, replaces, pinned_at FROM joint_key_pins
             ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    row.map(|(id, json, replaces, at)| {
        let joint_key: JointKey = serde_json::from_str(&json)
            .map_err(|e| crate::Error::invalid("pinned joint key", e.to_string()))?;
        let key_id = Digest::from_hex(&id)?;
        if joint_key.id() != key_id {
            return Err(crate::Error::invalid(
                "pinned joint key",
                "the stored key is not the pinned key id",
            ));
        }
        Ok(Pinned {
            fingerprint: joint_key.fingerprint().to_string(),
            key_id,
            joint_key,
            replaces: replaces.map(|r| Digest::from_hex(&r)).transpose()?,
            pinned_at: at,
        })
    })
    .transpose()
}

/// Applies the pinning rule inside the transaction that stores guidance: pins a first key or a
/// rotation, accepts the pinned key, and answers the refusal of any other change (the caller
/// then stores nothing).
pub fn apply(
    tx: &rusqlite::Transaction<'_>,
    offered: &TrusteeKey,
    guidance_digest: &str,
    now: i64,
) -> crate::Result<Result<Pin, shopfloor_protocol::Error>> {
    let current: Option<String> = tx
        .query_row(
            "SELECT key_id FROM joint_key_pins ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let current = current.map(|c| Digest::from_hex(&c)).transpose()?;
    let outcome = match pin(current.as_ref(), offered) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    if outcome != Pin::Same {
        let json = serde_json::to_string(&offered.joint_key)
            .map_err(|e| crate::Error::invalid("joint key", e.to_string()))?;
        tx.execute(
            "INSERT INTO joint_key_pins (key_id, joint_key, replaces, pinned_at, guidance_digest)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                offered.key_id.to_hex(),
                json,
                offered.replaces.map(|r| r.to_hex()),
                now,
                guidance_digest
            ],
        )?;
    }
    Ok(Ok(outcome))
}
