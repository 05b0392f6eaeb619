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
    // Only national publishes the joint key: a regional hub's own is refused.
    pg::check_key_issuer(&outer, &link.card)?;
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
        // The hub answered: nothing published yet. The guidance page says when it last asked.
        write(store, |tx| {
            tx.execute(
                "UPDATE enrollment SET guidance_checked_at = ?1 WHERE id = 1",
                params![jiff::Timestamp::now().to_string()],
            )?;
            Ok(())
        })
        .await?;
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
    let joint_key = super::joint_key::offered(&guidance, &link, inherited_verified);
    let outcome = write(store, move |tx| {
        let held: Option<(String, String)> = tx
            .query_row(
                "SELECT digest, issued_at_text FROM guidance ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        tx.execute(
            "UPDATE enrollment SET guidance_checked_at = ?1 WHERE id = 1",
            params![jiff::Timestamp::now().to_string()],
        )?;
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
                return Ok(Ok(Some(false)));
            }
            if t.parse::<jiff::Timestamp>().is_ok_and(|t| t > issued_at) {
                return Ok(Ok(None));
            }
        }
        // The joint key before anything is stored: a silent change refuses the whole guidance.
        if let Some(key) = &joint_key
            && let Err(e) = super::joint_key::apply(tx, key, &digest, super::now_secs())?
        {
            return Ok(Err(e));
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
        Ok(Ok(Some(true)))
    })
    .await?;
    let changed = outcome?;
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
    /// The parent's guidance the hub relays (national's, under a regional hub), opened with the
    /// national root card; `None` when there is none or it was not verified.
    pub inherited: Option<Guidance>,
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
    let root = super::hub_link(conn)?.and_then(|l| l.root);
    row.map(|(json, k, iv, at)| {
        let guidance: Guidance = serde_json::from_str(&json)
            .map_err(|e| crate::Error::invalid("stored guidance", e.to_string()))?;
        // Verified when fetched; opened again with the root card to read it.
        let inherited = match (&guidance.inherited, &root, iv) {
            (Some(env), Some(root), true) => env
                .open_document::<Guidance>(&root.signing_key)
                .ok()
                .filter(|g| g.issuer == root.id),
            _ => None,
        };
        Ok(Stored {
            guidance,
            inherited,
            policy_k: u64::try_from(k).unwrap_or(5),
            inherited_verified: iv,
            fetched_at: at,
        })
    })
    .transpose()
}

impl Stored {
    /// The hub's own guidance, then the parent's it relays (when verified).
    pub fn all(&self) -> Vec<&Guidance> {
        std::iter::once(&self.guidance)
            .chain(self.inherited.as_ref())
            .collect()
    }
}

/// This chapter's own part of a goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// What this chapter counts towards it (from its own records, before disclosure control).
    Counted(u64),
    /// The goal's region or state does not include this chapter.
    OutOfScope,
}

/// Where this chapter sits, for a goal's scope.
#[derive(Clone, Debug, Default)]
pub struct Place {
    /// The chapter's USPS state (its card's).
    pub state: Option<String>,
    /// The hubs above it: its hub and the national root.
    pub hubs: Vec<String>,
}

/// This chapter's part of `goal` (published in guidance issued at `issued_at`) as of `now`,
/// counted the way hubs count it (`hub/src/goals.rs`): a stock as it stands now, a per-period
/// count summed over the goal's window up to `now`, a running total by its growth over the
/// window. A state goal counts the metric's `[state]` cell when the metric has one and the
/// goal no sector, otherwise all of the chapter's figure if the chapter is in that state.
pub fn own_part(
    conn: &Connection,
    goal: &pg::Goal,
    issued_at: jiff::Timestamp,
    place: &Place,
    now: shopfloor_protocol::Period,
) -> crate::Result<Part> {
    use shopfloor_protocol::CellKey;
    use shopfloor_protocol::registry::{self, Accrual, Dim};
    let mut key = match &goal.sector {
        Some(s) => CellKey::new(&goal.metric, &[(Dim::Sector, s)]),
        None => CellKey::total(&goal.metric),
    };
    if let Some(r) = &goal.region {
        if goal.state().is_some() {
            let has_state = registry::metric(&goal.metric).is_some_and(|m| m.allows(&[Dim::State]));
            if goal.sector.is_none() && has_state {
                key = CellKey::new(&goal.metric, &[(Dim::State, r)]);
            } else if place.state.as_deref() != Some(r) {
                return Ok(Part::OutOfScope);
            }
        } else if !place.hubs.iter().any(|h| h == r) {
            return Ok(Part::OutOfScope);
        }
    }
    let at = |p: shopfloor_protocol::Period| -> crate::Result<u64> {
        let cells = crate::report::raw_cells_where(conn, p, |m| m == goal.metric)?;
        Ok(cells
            .iter()
            .find(|c| c.key == key)
            .and_then(|c| c.value.count())
            .unwrap_or(0))
    };
    let value = match (goal.accrual(), goal.window(issued_at)) {
        (Accrual::Stock, _) | (_, None) => at(now)?,
        (_, Some((from, _))) if now < from => 0,
        (Accrual::PerPeriod, Some((from, until))) => {
            let mut sum = 0u64;
            let mut p = from;
            while p <= until && p <= now {
                sum = sum.saturating_add(at(p)?);
                match p.next() {
                    Some(n) => p = n,
                    None => break,
                }
            }
            sum
        }
        (Accrual::ToDate, Some((from, until))) => {
            let end = at(now.min(until))?;
            let base = match from.previous() {
                Some(b) => at(b)?,
                None => 0,
            };
            end.saturating_sub(base)
        }
    };
    Ok(Part::Counted(value))
}
