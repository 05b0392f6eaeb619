//! Guidance down the chain: a hub's signed training catalog, campaign approval criteria with
//! metrics of success, goals by sector and region with target dates, the disclosure policy, and
//! links to English and Spanish material. A regional hub relays national guidance verbatim inside
//! its own (`inherited`). Nodes fetch it, verify it and show it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::envelope::{Digest, Document, Envelope};
use crate::error::{Error as ProtocolError, Reason, Result};
use crate::identity::{Card, Kind, PartyId};
use crate::registry::{self, Accrual};
use crate::report::{DisclosurePolicy, Period, check_schema};
use crate::threshold::JointKey;

/// Schema id of guidance payload v1.
pub const GUIDANCE_SCHEMA: &str = "shopfloor.guidance.v1";
/// DSSE payload type of signed guidance.
pub const GUIDANCE_PAYLOAD_TYPE: &str = "application/vnd.shopfloor.guidance.v1+json";

/// A training in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// Code used in `trainings-completed` cells (the `training` dimension).
    pub code: String,
    /// Title in English.
    pub title_en: String,
    /// Title in Spanish.
    pub title_es: String,
    /// Material in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_en: Option<String>,
    /// Material in Spanish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_es: Option<String>,
}

/// A metric of success of a campaign criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionMetric {
    /// Name in English.
    pub name_en: String,
    /// Name in Spanish.
    pub name_es: String,
    /// Target.
    pub target: u64,
}

/// A campaign approval criterion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable code.
    pub code: String,
    /// Title in English.
    pub title_en: String,
    /// Title in Spanish.
    pub title_es: String,
    /// Metrics of success.
    #[serde(default)]
    pub metrics: Vec<CriterionMetric>,
}

/// The longest window a goal with `from` may span, in months (ten years).
pub const MAX_WINDOW_MONTHS: i64 = 120;

/// A goal: a metric to reach by a date, optionally for one sector or region.
///
/// What counts towards it depends on the metric's [`Accrual`]: a stock (members, workplaces…)
/// as of the latest period; a per-period count (coworkers recruited) summed over the goal's
/// window; a running total (trainings completed) by how much it grew over the window. The
/// window runs from `from` (or, when absent, the month the guidance was issued) through the
/// month of `by`, both included ([`Goal::window`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// NAICS sector code. Only for a metric published by sector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// Region (a regional hub's id) or USPS state code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Metric id from the registry.
    pub metric: String,
    /// Target value.
    pub target: u64,
    /// Target date.
    pub by: jiff::civil::Date,
    /// First period of the goal's window (optional; added after v1's first payloads, which
    /// parse unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Period>,
}

impl Goal {
    /// The goal's window: `from` (or the period containing `issued_at`) through the period
    /// containing `by`. `None` when the dates are out of range.
    pub fn window(&self, issued_at: Timestamp) -> Option<(Period, Period)> {
        let until = Period::new(
            u16::try_from(self.by.year()).ok()?,
            u8::try_from(self.by.month()).ok()?,
        )
        .ok()?;
        let from = match self.from {
            Some(p) => p,
            None => Period::containing(issued_at).ok()?,
        };
        Some((from, until))
    }

    /// How the goal's metric accrues (a stock when the metric is unknown).
    pub fn accrual(&self) -> Accrual {
        registry::metric(&self.metric).map_or(Accrual::Stock, registry::Metric::accrual)
    }

    /// The region as a USPS state, when it is one.
    pub fn state(&self) -> Option<&'static registry::Term> {
        self.region.as_deref().and_then(registry::state)
    }

    /// Checks the goal against the registry: a known metric, a sector only on a metric published
    /// by sector, a region that is a state or a hub id, a window that is not empty.
    pub fn validate(&self) -> std::result::Result<(), ProtocolError> {
        let Some(metric) = registry::metric(&self.metric) else {
            return Err(ProtocolError::new(
                Reason::UnknownMetric,
                format!("goal metric {:?}", self.metric),
            ));
        };
        if let Some(s) = &self.sector {
            if !registry::Dim::Sector.accepts(s) {
                return Err(ProtocolError::new(
                    Reason::UnknownMetric,
                    format!("goal sector {s:?}"),
                ));
            }
            if !metric.allows(&[registry::Dim::Sector]) {
                return Err(ProtocolError::new(
                    Reason::Malformed,
                    format!(
                        "a goal on metric {:?} cannot name a sector: {:?} has no sector \
                         dimension",
                        self.metric, self.metric
                    ),
                ));
            }
        }
        if let Some(r) = &self.region
            && (!short(r, 63) || (registry::state(r).is_none() && PartyId::new(r).is_err()))
        {
            return Err(ProtocolError::new(
                Reason::Malformed,
                format!("goal region {r:?} is neither a USPS state nor a hub id"),
            ));
        }
        if let (Some(from), Ok(y), Ok(m)) = (
            self.from,
            u16::try_from(self.by.year()),
            u8::try_from(self.by.month()),
        ) {
            let months = |p: Period| i64::from(p.year()) * 12 + i64::from(p.month());
            let span = Period::new(y, m).map_or(0, |until| months(until) - months(from));
            if !(0..=MAX_WINDOW_MONTHS).contains(&span) {
                return Err(ProtocolError::new(
                    Reason::Malformed,
                    format!(
                        "goal on {:?}: its window ({from} to {}) must start no later than its \
                         date and span at most {MAX_WINDOW_MONTHS} months",
                        self.metric, self.by
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A link to material.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Title in English.
    pub title_en: String,
    /// Title in Spanish.
    pub title_es: String,
    /// URL (English material).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_en: Option<String>,
    /// URL (Spanish material).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_es: Option<String>,
}

/// Guidance payload v1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guidance {
    /// Always [`GUIDANCE_SCHEMA`].
    pub schema: String,
    /// The issuing hub.
    pub issuer: PartyId,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// The disclosure policy children must apply (at least).
    pub policy: DisclosurePolicy,
    /// Training catalog.
    pub trainings: Vec<Training>,
    /// Campaign approval criteria.
    pub criteria: Vec<Criterion>,
    /// Goals.
    pub goals: Vec<Goal>,
    /// Links.
    pub links: Vec<Link>,
    /// The parent's guidance, relayed verbatim (a regional hub relays national's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherited: Option<Envelope>,
    /// The federation's joint key for encrypted small cells, with its trustees. Only national
    /// guidance carries it; nodes pin it on first sight ([`pin`]). Absent from guidance written
    /// before issue 14, which stays byte-identical and valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trustee_key: Option<TrusteeKey>,
}

/// The joint key national publishes in its guidance: the key (with its ceremony: name,
/// trustees in order, threshold, and each trustee's public key share), its id restated, and on a
/// rotation the id of the key it replaces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrusteeKey {
    /// [`JointKey::id`], which must match the key.
    pub key_id: Digest,
    /// The joint public key and its ceremony.
    pub joint_key: JointKey,
    /// On a rotation (a new ceremony each year, or after a trustee is compromised): the id of
    /// the key this one replaces. A node holding another key than this one accepts it only when
    /// it names the pinned key here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<Digest>,
}

impl TrusteeKey {
    /// The published form of a joint key.
    pub fn new(joint_key: JointKey, replaces: Option<Digest>) -> Result<Self> {
        let k = TrusteeKey {
            key_id: joint_key.id(),
            joint_key,
            replaces,
        };
        k.validate()?;
        Ok(k)
    }

    /// Checks that the id is the key's and that a key does not replace itself.
    pub fn validate(&self) -> Result<()> {
        if self.key_id != self.joint_key.id() {
            return Err(ProtocolError::new(
                Reason::BadCeremony,
                format!(
                    "the joint key's id is {}, not {}",
                    self.joint_key.id(),
                    self.key_id
                ),
            ));
        }
        if self.replaces.as_ref() == Some(&self.key_id) {
            return Err(ProtocolError::new(
                Reason::BadCeremony,
                "a joint key cannot replace itself",
            ));
        }
        Ok(())
    }
}

/// What a node does with the joint key in national guidance, given the key it has pinned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pin {
    /// No key was pinned: pin this one.
    First,
    /// The pinned key.
    Same,
    /// A rotation from the pinned key, signed by national: pin the new one.
    Rotation,
}

/// The pinning rule: the first key seen is pinned; afterwards only the same key, or a key that
/// names the pinned one in `replaces` (in guidance signed by the national root card), is
/// accepted. Any other change is refused (`bad-ceremony`): a hub, a mirror or a compromised
/// regional server cannot switch chapters to a key whose trustees it controls.
pub fn pin(pinned: Option<&Digest>, offered: &TrusteeKey) -> Result<Pin> {
    offered.validate()?;
    match pinned {
        None => Ok(Pin::First),
        Some(p) if *p == offered.key_id => Ok(Pin::Same),
        Some(p) if offered.replaces.as_ref() == Some(p) => Ok(Pin::Rotation),
        Some(p) => Err(ProtocolError::new(
            Reason::BadCeremony,
            format!(
                "national guidance carries joint key {} (fingerprint {}), not the pinned key {p}, and does not say it replaces it",
                offered.key_id,
                offered.joint_key.fingerprint()
            ),
        )),
    }
}

/// Whether a text field of guidance is acceptable: not blank, at most `max` characters, no
/// control characters (titles: 200; criterion codes: 64). Editors check fields with it.
pub fn short(s: &str, max: usize) -> bool {
    !s.trim().is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control)
}

/// Whether a link of guidance is acceptable: `https://` or `http://`, at most 500 bytes, no
/// spaces or control characters. Editors check fields with it.
pub fn link_ok(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 500
        && !u.chars().any(|c| c.is_control() || c.is_whitespace())
}

fn url_ok(u: &Option<String>) -> bool {
    u.as_deref().is_none_or(link_ok)
}

impl Guidance {
    /// Checks sizes, codes and vocabularies.
    pub fn validate(&self) -> std::result::Result<(), ProtocolError> {
        let bad = |m: String| ProtocolError::new(Reason::Malformed, m);
        if self.schema != GUIDANCE_SCHEMA {
            return Err(ProtocolError::new(
                Reason::UnsupportedSchema,
                format!("guidance schema {:?}", self.schema),
            ));
        }
        self.policy.validate()?;
        if let Some(k) = &self.trustee_key {
            k.validate()?;
        }
        if self.trainings.len() > 500
            || self.criteria.len() > 200
            || self.goals.len() > 500
            || self.links.len() > 200
        {
            return Err(bad("guidance has too many entries".into()));
        }
        for t in &self.trainings {
            if !crate::registry::Dim::Training.accepts(&t.code)
                || !short(&t.title_en, 200)
                || !short(&t.title_es, 200)
                || !url_ok(&t.url_en)
                || !url_ok(&t.url_es)
            {
                return Err(bad(format!("training {:?} is malformed", t.code)));
            }
        }
        for c in &self.criteria {
            if !short(&c.code, 64)
                || !short(&c.title_en, 200)
                || !short(&c.title_es, 200)
                || c.metrics.len() > 20
            {
                return Err(bad(format!("criterion {:?} is malformed", c.code)));
            }
            if c.metrics
                .iter()
                .any(|m| !short(&m.name_en, 200) || !short(&m.name_es, 200))
            {
                return Err(bad(format!(
                    "criterion {:?} has a malformed metric",
                    c.code
                )));
            }
        }
        for g in &self.goals {
            g.validate()?;
        }
        for l in &self.links {
            if !short(&l.title_en, 200)
                || !short(&l.title_es, 200)
                || !url_ok(&l.url_en)
                || !url_ok(&l.url_es)
            {
                return Err(bad("a link is malformed".into()));
            }
        }
        Ok(())
    }
}

impl Document for Guidance {
    const PAYLOAD_TYPE: &'static str = GUIDANCE_PAYLOAD_TYPE;

    fn from_payload(bytes: &[u8]) -> std::result::Result<Self, ProtocolError> {
        check_schema(bytes, "shopfloor.guidance.", GUIDANCE_SCHEMA)?;
        let g: Guidance = serde_json::from_slice(bytes)
            .map_err(|e| ProtocolError::new(Reason::Malformed, format!("guidance: {e}")))?;
        g.validate()?;
        Ok(g)
    }

    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Verifies guidance signed by `issuer`, and any inherited guidance against `parent`.
pub fn verify(envelope: &Envelope, issuer: &Card, parent: Option<&Card>) -> Result<Guidance> {
    let g: Guidance = envelope.open_document(&issuer.signing_key)?;
    if g.issuer != issuer.id {
        return Err(ProtocolError::new(
            Reason::BadSignature,
            "guidance issuer is not its signer",
        ));
    }
    check_key_issuer(&g, issuer)?;
    if let Some(inherited) = &g.inherited {
        let parent = parent.ok_or_else(|| {
            ProtocolError::new(
                Reason::UntrustedChain,
                "inherited guidance with no parent card",
            )
        })?;
        let inner: Guidance = inherited.open_document(&parent.signing_key)?;
        if inner.issuer != parent.id {
            return Err(ProtocolError::new(
                Reason::BadSignature,
                "inherited guidance issuer is not its signer",
            ));
        }
        check_key_issuer(&inner, parent)?;
    }
    Ok(g)
}

/// Only the national root publishes the joint key (`bad-ceremony` for anyone else's guidance).
pub fn check_key_issuer(g: &Guidance, issuer: &Card) -> Result<()> {
    if g.trustee_key.is_some() && issuer.kind != Kind::National {
        return Err(ProtocolError::new(
            Reason::BadCeremony,
            format!(
                "guidance from {} carries a joint key; only national publishes one",
                issuer.id
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::identity::SecretKeys;

    fn goal(metric: &str, sector: Option<&str>, region: Option<&str>) -> Goal {
        Goal {
            sector: sector.map(str::to_owned),
            region: region.map(str::to_owned),
            metric: metric.into(),
            target: 500,
            by: jiff::civil::date(2027, 6, 30),
            from: None,
        }
    }

    #[test]
    fn a_goal_on_a_dimension_its_metric_lacks_is_refused_naming_both() {
        let e = goal("trainings-completed", Some("62"), None)
            .validate()
            .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("trainings-completed"), "{text}");
        assert!(text.contains("sector"), "{text}");
        assert!(goal("members", Some("62"), Some("NC")).validate().is_ok());
        assert!(
            goal("coworkers-recruited", Some("62"), None)
                .validate()
                .is_ok()
        );
        assert!(goal("members", None, Some("south")).validate().is_ok());
        assert!(
            goal("members", None, Some("North Carolina"))
                .validate()
                .is_err()
        );
        assert!(goal("no-such-metric", None, None).validate().is_err());
    }

    #[test]
    fn windows_default_to_the_issue_month_and_old_goals_still_parse() {
        let old = br#"{"sector":"62","metric":"members","target":100,"by":"2027-06-30"}"#;
        let g: Goal = serde_json::from_slice(old).unwrap();
        assert_eq!(g.from, None);
        // Serialized again without `from`: byte-identical to what v1 signers produced.
        assert_eq!(serde_json::to_vec(&g).unwrap(), old.to_vec());
        let issued: Timestamp = "2026-11-15T12:00:00Z".parse().unwrap();
        let (from, until) = g.window(issued).unwrap();
        assert_eq!(from.to_string(), "2026-11");
        assert_eq!(until.to_string(), "2027-06");
        let mut with = goal("coworkers-recruited", None, None);
        with.from = Some("2026-01".parse().unwrap());
        assert_eq!(with.window(issued).unwrap().0.to_string(), "2026-01");
        assert!(with.validate().is_ok());
        with.from = Some("2027-07".parse().unwrap());
        assert!(with.validate().is_err(), "a window starting after its date");
        with.from = Some("2010-01".parse().unwrap());
        assert!(with.validate().is_err(), "a window of more than ten years");
    }

    #[test]
    fn accrual_of_the_metrics_goals_name() {
        assert_eq!(
            goal("coworkers-recruited", None, None).accrual(),
            Accrual::PerPeriod
        );
        assert_eq!(
            goal("trainings-completed", None, None).accrual(),
            Accrual::ToDate
        );
        assert_eq!(goal("members", None, None).accrual(), Accrual::Stock);
    }

    fn joint_key(name: &str) -> JointKey {
        let ids = ["national", "south", "officer-a"].map(|s| PartyId::new(s).unwrap());
        let c = crate::threshold::Ceremony::new(name, ids.to_vec(), 2).unwrap();
        crate::threshold::run_ceremony(&c).unwrap()[0]
            .joint_key()
            .clone()
    }

    #[test]
    fn nodes_pin_the_first_key_and_take_only_a_rotation_that_names_it() {
        let a = TrusteeKey::new(joint_key("federation-2027"), None).unwrap();
        let b = TrusteeKey::new(joint_key("federation-2028"), None).unwrap();
        let b_rotates = TrusteeKey::new(b.joint_key.clone(), Some(a.key_id)).unwrap();
        assert_eq!(pin(None, &a).unwrap(), Pin::First);
        assert_eq!(pin(Some(&a.key_id), &a).unwrap(), Pin::Same);
        let silent = pin(Some(&a.key_id), &b).unwrap_err();
        assert_eq!(silent.reason().code(), "bad-ceremony");
        assert!(silent.to_string().contains("does not say it replaces"));
        assert_eq!(pin(Some(&a.key_id), &b_rotates).unwrap(), Pin::Rotation);
        // A rotation from some other key is a silent change for a node that pinned `a`.
        let other = TrusteeKey::new(b.joint_key.clone(), Some(Digest([7; 32]))).unwrap();
        assert!(pin(Some(&a.key_id), &other).is_err());
        // A restated id that is not the key's is refused.
        let mut lying = a.clone();
        lying.key_id = b.key_id;
        assert_eq!(
            pin(None, &lying).unwrap_err().reason().code(),
            "bad-ceremony"
        );
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<TrusteeKey>(&json).unwrap(), a);
    }

    #[test]
    fn only_national_guidance_may_carry_the_joint_key() {
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
        let key = TrusteeKey::new(joint_key("federation-2027"), None).unwrap();
        let g = Guidance {
            schema: GUIDANCE_SCHEMA.into(),
            issuer: ncard.id.clone(),
            issued_at: Timestamp::now(),
            policy: DisclosurePolicy { k: 5 },
            trainings: vec![],
            criteria: vec![],
            goals: vec![],
            links: vec![],
            inherited: None,
            trustee_key: Some(key.clone()),
        };
        let env = Envelope::sign_bytes(GUIDANCE_PAYLOAD_TYPE, g.to_payload(), &national);
        assert_eq!(
            verify(&env, &ncard, None).unwrap().trustee_key,
            Some(key.clone())
        );
        // Relayed inside a region's guidance, it is national's and verifies.
        let relay = Guidance {
            issuer: scard.id.clone(),
            inherited: Some(env),
            trustee_key: None,
            ..g.clone()
        };
        let renv = Envelope::sign_bytes(GUIDANCE_PAYLOAD_TYPE, relay.to_payload(), &south);
        assert!(verify(&renv, &scard, Some(&ncard)).is_ok());
        // A region's own key is refused.
        let own = Guidance {
            issuer: scard.id.clone(),
            trustee_key: Some(key),
            ..g
        };
        let oenv = Envelope::sign_bytes(GUIDANCE_PAYLOAD_TYPE, own.to_payload(), &south);
        assert_eq!(
            verify(&oenv, &scard, Some(&ncard))
                .unwrap_err()
                .reason()
                .code(),
            "bad-ceremony"
        );
    }
}
