//! The hub's guidance: fetched, verified against the hub's card (and relayed parent guidance
//! against the national root card), stored verbatim and parsed. Its disclosure k becomes the
//! node's floor: reports use max(hub k, `min_cell_size` in node.toml).

use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;
use shopfloor_protocol::guidance::{self as pg, Guidance};
use shopfloor_protocol::{Envelope, Reason};

use super::{Error, HubLink, Result, body, client, network, read, refusal, url, write};
use crate::store::Store;

/// What [`fetch`] got.
#[derive(Clone, Debug, Serialize)]
pub struct Fetched {
    /// The verified guidance.
    pub guidance: Guidance,
    /// The k the hub asks for (the stricter of its own and a verified inherited policy).
    pub policy_k: u64,
    /// Whether relayed parent guidance was verified (true when there is none).
    pub inherited_verified: bool,
    /// Whether this was new (not the guidance already held).
    pub changed: bool,
}

/// Verifies a guidance envelope from the hub; returns (guidance, k, inherited verified).
pub fn verify(envelope: &Envelope, link: &HubLink) -> Result<(Guidance, u64, bool)> {
    let outer: Guidance = envelope.open_document(&link.card.signing_key)?;
    if outer.issuer != link.card.id {
        return Err(shopfloor_protocol::Error::new(
            Reason::BadSignature,
            "guidance issuer is not the hub",
        )
        .into());
    }
    let mut k = outer.policy.k;
    let inherited_verified = match (&outer.inherited, &link.root) {
        (None, _) => true,
        (Some(inner), Some(root)) if root != &link.card => {
            pg::verify(envelope, &link.card, Some(root))?;
            let inner: Guidance = inner.open_document(&root.signing_key)?;
            k = k.max(inner.policy.k);
            true
        }
        (Some(_), _) => false,
    };
    Ok((outer, k, inherited_verified))
}

/// Fetches `GET {hub}/api/v1/guidance`, verifies and stores it, and applies its disclosure k as
/// the hub's minimum. `Ok(None)` when the hub has published no guidance yet. Older guidance than
/// the one held is refused ([`Error::BadAnswer`]) and nothing changes.
pub async fn fetch(store: &Store) -> Result<Option<Fetched>> {
    let link = read(store, super::hub_link)
        .await?
        .ok_or_else(|| Error::NotEnrolled("no approved enrollment".into()))?;
    let resp = client()?
        .get(url(&link.url, "/api/v1/guidance"))
        .send()
        .await
        .map_err(|e| network(&e))?;
    if resp.status().as_u16() == 404 {
        return Ok(None);
    }
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    let envelope = Envelope::from_json(&body(resp).await?)?;
    let (guidance, policy_k, inherited_verified) = verify(&envelope, &link)?;
    let digest = envelope.digest().to_hex();
    let env_json = String::from_utf8_lossy(&envelope.to_json()).into_owned();
    let parsed =
        serde_json::to_string(&guidance).map_err(|e| Error::Invalid(format!("guidance: {e}")))?;
    let (issuer, issued_at) = (guidance.issuer.to_string(), guidance.issued_at);
    let k = i64::try_from(policy_k).unwrap_or(100);
    let changed = write(store, move |tx| {
        let held: Option<(String, String)> = tx
            .query_row(
                "SELECT digest, issued_at_text FROM guidance ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((d, t)) = &held {
            if d == &digest {
                tx.execute(
                    "UPDATE guidance SET fetched_at = ?1 WHERE digest = ?2",
                    params![super::now_secs(), digest],
                )?;
                tx.execute(
                    "UPDATE enrollment SET policy_k = ?1 WHERE id = 1",
                    params![k],
                )?;
                return Ok(Some(false));
            }
            if t.parse::<jiff::Timestamp>().is_ok_and(|t| t > issued_at) {
                return Ok(None);
            }
        }
        tx.execute(
            "INSERT INTO guidance (fetched_at, issuer, issued_at_text, digest, envelope,
                 guidance_json, policy_k, inherited_verified)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                super::now_secs(),
                issuer,
                issued_at.to_string(),
                digest,
                env_json,
                parsed,
                k,
                inherited_verified
            ],
        )?;
        tx.execute(
            "UPDATE enrollment SET policy_k = ?1 WHERE id = 1",
            params![k],
        )?;
        Ok(Some(true))
    })
    .await?;
    let Some(changed) = changed else {
        return Err(Error::BadAnswer(
            "the hub served older guidance than the guidance held; kept the newer one".into(),
        ));
    };
    Ok(Some(Fetched {
        guidance,
        policy_k,
        inherited_verified,
        changed,
    }))
}

/// Guidance as stored, for the web interface.
#[derive(Clone, Debug, Serialize)]
pub struct Stored {
    /// The verified guidance.
    pub guidance: Guidance,
    /// The k it asks for.
    pub policy_k: u64,
    /// Whether relayed parent guidance was verified.
    pub inherited_verified: bool,
    /// When it was last fetched (unix seconds).
    pub fetched_at: i64,
}

/// The newest stored guidance (verified when it was fetched).
pub fn current(conn: &Connection) -> crate::Result<Option<Stored>> {
    let row: Option<(String, i64, bool, i64)> = conn
        .query_row(
            "SELECT guidance_json, policy_k, inherited_verified, fetched_at
             FROM guidance ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    row.map(|(json, k, iv, at)| {
        Ok(Stored {
            guidance: serde_json::from_str(&json)
                .map_err(|e| crate::Error::invalid("stored guidance", e.to_string()))?,
            policy_k: u64::try_from(k).unwrap_or(5),
            inherited_verified: iv,
            fetched_at: at,
        })
    })
    .transpose()
}
