//! Guidance down the chain: a hub's signed training catalog, campaign approval criteria with
//! metrics of success, goals by sector and region with target dates, the disclosure policy, and
//! links to English and Spanish material. A regional hub relays national guidance verbatim inside
//! its own (`inherited`). Nodes fetch it, verify it and show it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::envelope::{Document, Envelope};
use crate::error::{Error as ProtocolError, Reason, Result};
use crate::identity::{Card, PartyId};
use crate::report::{DisclosurePolicy, check_schema};

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

/// A goal: a metric to reach by a date, optionally for one sector or region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// NAICS sector code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// Region (a hub id) or USPS state code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Metric id from the registry.
    pub metric: String,
    /// Target value.
    pub target: u64,
    /// Target date.
    pub by: jiff::civil::Date,
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
}

fn short(s: &str, max: usize) -> bool {
    !s.trim().is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control)
}

fn url_ok(u: &Option<String>) -> bool {
    u.as_ref().is_none_or(|u| {
        (u.starts_with("https://") || u.starts_with("http://"))
            && u.len() <= 500
            && !u.chars().any(|c| c.is_control() || c.is_whitespace())
    })
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
            if crate::registry::metric(&g.metric).is_none() {
                return Err(ProtocolError::new(
                    Reason::UnknownMetric,
                    format!("goal metric {:?}", g.metric),
                ));
            }
            if let Some(s) = &g.sector
                && !crate::registry::Dim::Sector.accepts(s)
            {
                return Err(ProtocolError::new(
                    Reason::UnknownMetric,
                    format!("goal sector {s:?}"),
                ));
            }
            if g.region.as_ref().is_some_and(|r| !short(r, 63)) {
                return Err(bad("goal region is malformed".into()));
            }
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
    }
    Ok(g)
}
