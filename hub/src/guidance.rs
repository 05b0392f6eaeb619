//! Guidance down the chain: a hub's signed training catalog, campaign approval criteria with
//! metrics of success, goals by sector and region with target dates, the disclosure policy, and
//! links to English and Spanish material. A regional hub relays national guidance verbatim inside
//! its own (`inherited`).
//!
//! The document types live in `shopfloor_protocol::guidance`; this module publishes and stores.

use jiff::Timestamp;
use rusqlite::{OptionalExtension as _, params};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::envelope::Document;
use shopfloor_protocol::{Card, DisclosurePolicy, Envelope};

use crate::error::Result;
use crate::hub::Hub;

pub use shopfloor_protocol::guidance::{
    Criterion, CriterionMetric, GUIDANCE_PAYLOAD_TYPE, GUIDANCE_SCHEMA, Goal, Guidance, Link,
    Training, TrusteeKey,
};

/// What an admin writes (the file given to `publish-guidance`): guidance without the fields the
/// hub fills in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// Disclosure policy; the hub's configured policy when absent.
    #[serde(default)]
    pub policy: Option<DisclosurePolicy>,
    /// Training catalog.
    #[serde(default)]
    pub trainings: Vec<Training>,
    /// Campaign approval criteria.
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// Goals.
    #[serde(default)]
    pub goals: Vec<Goal>,
    /// Links.
    #[serde(default)]
    pub links: Vec<Link>,
}

/// Verifies guidance signed by `issuer`, and any inherited guidance against `parent`.
pub fn verify(envelope: &Envelope, issuer: &Card, parent: Option<&Card>) -> Result<Guidance> {
    Ok(shopfloor_protocol::guidance::verify(
        envelope, issuer, parent,
    )?)
}

/// Signs and stores new guidance from a draft. A regional hub relays the newest verified guidance
/// it holds from its parent (`inherited`), fetched by [`crate::forward::fetch_parent_guidance`].
/// Every goal must be measurable here ([`crate::goals::check`]): a goal on a dimension its
/// metric lacks, or for a region outside this hub's tree, is refused and nothing is signed.
pub fn publish(hub: &Hub, draft: Draft, inherited: Option<Envelope>) -> Result<Envelope> {
    publish_as(hub, draft, inherited, "cli")
}

/// [`publish`] on behalf of `actor` (a user of the web interface), who is written in the audit
/// log as the publisher.
pub fn publish_as(
    hub: &Hub,
    draft: Draft,
    inherited: Option<Envelope>,
    actor: &str,
) -> Result<Envelope> {
    crate::goals::check(hub, &draft.goals)?;
    sign_and_store(hub, draft, inherited, (actor, "publish-guidance"))
}

/// The guidance a draft would become, checked exactly as [`publish`] checks it (the goals
/// against this hub, then the document's own validation), without signing or storing anything:
/// the web interface's preview.
pub fn prepare(hub: &Hub, draft: Draft, inherited: Option<Envelope>) -> Result<Guidance> {
    crate::goals::check(hub, &draft.goals)?;
    build(hub, draft, inherited, None)
}

/// The guidance of a draft, validated. At national it carries the joint key of the newest
/// guidance, or `key` when given (a key published or rotated now).
fn build(
    hub: &Hub,
    draft: Draft,
    inherited: Option<Envelope>,
    key: Option<TrusteeKey>,
) -> Result<Guidance> {
    let guidance = Guidance {
        schema: GUIDANCE_SCHEMA.into(),
        issuer: hub.card().id.clone(),
        issued_at: Timestamp::now(),
        policy: draft.policy.unwrap_or(hub.config().policy),
        trainings: draft.trainings,
        criteria: draft.criteria,
        goals: draft.goals,
        links: draft.links,
        inherited,
        trustee_key: match key {
            Some(k) => Some(k),
            None => published_key(hub)?,
        },
    };
    guidance.validate()?;
    Ok(guidance)
}

fn sign_and_store(
    hub: &Hub,
    draft: Draft,
    inherited: Option<Envelope>,
    (actor, action): (&str, &str),
) -> Result<Envelope> {
    sign_and_store_with(hub, draft, inherited, None, (actor, action))
}

fn sign_and_store_with(
    hub: &Hub,
    draft: Draft,
    inherited: Option<Envelope>,
    key: Option<TrusteeKey>,
    (actor, action): (&str, &str),
) -> Result<Envelope> {
    let guidance = build(hub, draft, inherited, key)?;
    let envelope = Envelope::sign_bytes(GUIDANCE_PAYLOAD_TYPE, guidance.to_payload(), hub.keys());
    let joint_keys = crate::encrypted::carried(hub, &guidance);
    hub.store().write(|tx, _| {
        tx.execute(
            "INSERT INTO guidance (issued_at, envelope) VALUES (?1, ?2)",
            params![guidance.issued_at.as_second(), envelope.to_json()],
        )?;
        crate::encrypted::record(tx, &joint_keys)?;
        crate::store::audit(tx, actor, action, None)?;
        Ok(())
    })?;
    Ok(envelope)
}

/// What [`relay`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relayed {
    /// This hub's newest guidance already relays exactly that parent guidance.
    Unchanged,
    /// New guidance was signed: this hub's own content, relaying the parent's new guidance.
    Signed,
}

/// Relays the parent's newest guidance (verified by the caller against the parent's card) in
/// this hub's own: when the newest guidance this hub signed does not carry exactly `parent`,
/// it signs new guidance with the same own content (trainings, criteria, goals, links, policy;
/// nothing of its own when it never published) and `parent` inherited. Called by the
/// forwarder's background task, so chapters under a region see national's guidance without
/// the regional admin publishing again.
pub fn relay(hub: &Hub, parent: Envelope) -> Result<Relayed> {
    let own: Option<Guidance> = current(hub)?
        .map(|env| env.open_document(&hub.card().signing_key))
        .transpose()?;
    if let Some(own) = &own
        && own.inherited.as_ref().map(Envelope::digest) == Some(parent.digest())
    {
        return Ok(Relayed::Unchanged);
    }
    sign_and_store(hub, own_draft(own), Some(parent), ("hub", "relay-guidance"))?;
    Ok(Relayed::Signed)
}

/// The draft that signs the same own content again (nothing when there is none).
fn own_draft(own: Option<Guidance>) -> Draft {
    own.map_or_else(Draft::default, |g| Draft {
        policy: Some(g.policy),
        trainings: g.trainings,
        criteria: g.criteria,
        goals: g.goals,
        links: g.links,
    })
}

/// The joint key this hub's newest guidance carries (national only; a regional hub relays
/// national's inside `inherited` and never publishes one of its own).
pub fn published_key(hub: &Hub) -> Result<Option<TrusteeKey>> {
    if hub.level() != crate::config::Level::National {
        return Ok(None);
    }
    let own: Option<Guidance> = current(hub)?
        .map(|env| env.open_document(&hub.card().signing_key))
        .transpose()?;
    Ok(own.and_then(|g| g.trustee_key))
}

/// Signs new guidance with the same own content and `key` as the federation's joint key
/// (national only; the caller checks the rotation rule, see [`crate::trustee::publish_key`]).
pub fn sign_with_key(hub: &Hub, key: TrusteeKey, actor: &str) -> Result<Envelope> {
    let own: Option<Guidance> = current(hub)?
        .map(|env| env.open_document(&hub.card().signing_key))
        .transpose()?;
    let inherited = own.as_ref().and_then(|g| g.inherited.clone());
    sign_and_store_with(
        hub,
        own_draft(own),
        inherited,
        Some(key),
        (actor, "publish-joint-key"),
    )
}

/// The newest guidance this hub published.
pub fn current(hub: &Hub) -> Result<Option<Envelope>> {
    let bytes: Option<Vec<u8>> = hub.store().read(|db| {
        Ok(db
            .query_row(
                "SELECT envelope FROM guidance ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    })?;
    bytes.map(|b| Ok(Envelope::from_json(&b)?)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopfloor_protocol::{Kind, PartyId, SecretKeys};

    #[test]
    fn guidance_round_trip_and_relay() {
        let national = SecretKeys::generate().unwrap();
        let ncard = national
            .card(
                PartyId::new("national").unwrap(),
                Kind::National,
                "National",
                None,
            )
            .unwrap();
        let south = SecretKeys::generate().unwrap();
        let scard = south
            .card(
                PartyId::new("south").unwrap(),
                Kind::Regional,
                "South",
                None,
            )
            .unwrap();
        let g = Guidance {
            schema: GUIDANCE_SCHEMA.into(),
            issuer: ncard.id.clone(),
            issued_at: Timestamp::now(),
            policy: DisclosurePolicy { k: 5 },
            trainings: vec![Training {
                code: "one-on-ones".into(),
                title_en: "One-on-ones".into(),
                title_es: "Conversaciones uno a uno".into(),
                url_en: Some("https://example.org/en".into()),
                url_es: None,
            }],
            criteria: vec![],
            goals: vec![Goal {
                sector: Some("62".into()),
                region: None,
                metric: "members".into(),
                target: 100,
                by: jiff::civil::date(2027, 1, 1),
                from: None,
            }],
            links: vec![],
            inherited: None,
            trustee_key: None,
        };
        let env = Envelope::sign_bytes(GUIDANCE_PAYLOAD_TYPE, g.to_payload(), &national);
        assert_eq!(verify(&env, &ncard, None).unwrap(), g);
        let relay = Guidance {
            issuer: scard.id.clone(),
            inherited: Some(env.clone()),
            ..g.clone()
        };
        let renv = Envelope::sign_bytes(GUIDANCE_PAYLOAD_TYPE, relay.to_payload(), &south);
        assert!(verify(&renv, &scard, Some(&ncard)).is_ok());
        assert!(verify(&renv, &scard, Some(&scard)).is_err());
        let mut bad = g;
        bad.goals[0].metric = "nope".into();
        let benv = Envelope::sign_bytes(GUIDANCE_PAYLOAD_TYPE, bad.to_payload(), &national);
        assert_eq!(
            verify(&benv, &ncard, None).unwrap_err().code(),
            "unknown-metric"
        );
    }
}
