//! Campaign approval (issue 13 item 8): a chapter submits a campaign against one of the criteria
//! its hub published in guidance; an admin of the hub approves it or sends it back with a
//! comment; the hub signs the [`Decision`] and the chapter fetches it, verifies it with the hub's
//! card and shows it on the campaign's page.
//!
//! A [`Submission`] is the JSON body of `POST /api/v1/campaign-submissions`, authenticated with a
//! [signed request](crate::request). It carries counts and codes only: a campaign type, a NAICS
//! sector, success metrics with targets and a short summary that must not name people. A
//! [`Decision`] is an envelope of its own payload type, signed by the hub, naming the criteria
//! version (the digest of the guidance envelope) the campaign was judged against and the digest
//! of the exact submission bytes judged; its reviewer is a role, never a person's name.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::envelope::{Digest, Document, Envelope};
use crate::error::{Error, Reason, Result};
use crate::identity::{Card, PartyId};
use crate::registry::{self, Dim};
use crate::report::check_schema;

/// Schema id of a campaign decision.
pub const DECISION_SCHEMA: &str = "shopfloor.campaign-decision.v1";
/// DSSE payload type of a signed campaign decision.
pub const DECISION_PAYLOAD_TYPE: &str = "application/vnd.shopfloor.campaign-decision.v1+json";
/// Longest submission id.
pub const MAX_ID: usize = 64;
/// Longest summary, in characters.
pub const MAX_SUMMARY: usize = 1000;
/// Longest reviewer comment, in characters.
pub const MAX_COMMENT: usize = 2000;
/// Most success metrics in a submission.
pub const MAX_METRICS: usize = 20;
/// Longest metric name, in characters.
pub const MAX_METRIC_NAME: usize = 120;

/// A success metric with its target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmittedMetric {
    /// What is measured.
    pub name: String,
    /// Target.
    pub target: u64,
}

/// `POST /api/v1/campaign-submissions` body: a campaign submitted for approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// Chosen by the chapter, stable across resubmissions of the same campaign
    /// (`[A-Za-z0-9_-]`, at most [`MAX_ID`]).
    pub id: String,
    /// Campaign type (registry `campaign-type` vocabulary).
    pub campaign_type: String,
    /// Target employer's NAICS sector (registry `sector` vocabulary).
    pub sector: String,
    /// Whether the campaign has a labor component.
    pub labor_component: bool,
    /// Code of the criterion it is submitted against.
    pub criterion: String,
    /// The criteria version the chapter saw: the digest of the hub's guidance envelope.
    pub criteria_version: Digest,
    /// Success metrics with targets (1 to [`MAX_METRICS`]).
    pub metrics: Vec<SubmittedMetric>,
    /// What the campaign is, in a few sentences; never names of people.
    pub summary: String,
}

fn text_ok(s: &str, max: usize) -> bool {
    !s.trim().is_empty()
        && s.chars().count() <= max
        && !s.chars().any(|c| c.is_control() && c != '\n')
}

/// Whether `id` is an acceptable submission id.
pub fn id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Submission {
    /// Checks sizes and vocabularies.
    pub fn validate(&self) -> Result<()> {
        if !id_ok(&self.id) {
            return Err(Error::new(
                Reason::Malformed,
                format!("submission id: 1-{MAX_ID} of A-Z a-z 0-9 - _"),
            ));
        }
        if self.campaign_type == registry::UNKNOWN
            || !Dim::CampaignType.accepts(&self.campaign_type)
        {
            return Err(Error::new(
                Reason::UnknownMetric,
                format!("unknown campaign type {:?}", self.campaign_type),
            ));
        }
        if self.sector == registry::UNKNOWN || !Dim::Sector.accepts(&self.sector) {
            return Err(Error::new(
                Reason::UnknownMetric,
                format!("unknown sector {:?}", self.sector),
            ));
        }
        if !id_ok(&self.criterion) {
            return Err(Error::new(Reason::Malformed, "criterion code"));
        }
        if self.metrics.is_empty() || self.metrics.len() > MAX_METRICS {
            return Err(Error::new(
                Reason::Malformed,
                format!("1 to {MAX_METRICS} success metrics"),
            ));
        }
        for m in &self.metrics {
            if !text_ok(&m.name, MAX_METRIC_NAME) || m.name.contains('\n') {
                return Err(Error::new(
                    Reason::Malformed,
                    format!("metric names: 1-{MAX_METRIC_NAME} printable characters"),
                ));
            }
        }
        let mut names: Vec<&str> = self.metrics.iter().map(|m| m.name.trim()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w.first() == w.get(1)) {
            return Err(Error::new(Reason::Malformed, "the same metric twice"));
        }
        if !text_ok(&self.summary, MAX_SUMMARY) {
            return Err(Error::new(
                Reason::Malformed,
                format!("summary: 1-{MAX_SUMMARY} characters"),
            ));
        }
        Ok(())
    }

    /// The bytes a chapter sends (and the hub judges): the compact JSON of the submission.
    pub fn to_body(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// What the hub decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Approved as submitted.
    Approved,
    /// Sent back to the chapter with a comment.
    Returned,
}

impl Outcome {
    /// `approved` or `returned`.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Returned => "returned",
        }
    }
}

/// Who decided: a role at the hub, never a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewerRole {
    /// An administrator of the hub.
    HubAdmin,
}

/// A hub's signed decision on a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Always [`DECISION_SCHEMA`].
    pub schema: String,
    /// The hub that decided (the signer).
    pub hub: PartyId,
    /// The chapter that submitted.
    pub chapter: PartyId,
    /// The submission's id.
    pub submission: String,
    /// SHA-256 of the submission bytes judged ([`Submission::to_body`]).
    pub submission_digest: Digest,
    /// Approved or returned.
    pub outcome: Outcome,
    /// The reviewer's comment (required when returned; may be empty when approved).
    pub comment: String,
    /// The reviewer's role.
    pub reviewer: ReviewerRole,
    /// When it was decided.
    pub decided_at: Timestamp,
    /// The criteria version judged against (digest of the hub's guidance envelope).
    pub criteria_version: Digest,
}

impl Document for Decision {
    const PAYLOAD_TYPE: &'static str = DECISION_PAYLOAD_TYPE;
    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.campaign-decision.", DECISION_SCHEMA)?;
        let d: Decision = serde_json::from_slice(bytes)
            .map_err(|e| Error::new(Reason::Malformed, format!("campaign decision: {e}")))?;
        if d.schema != DECISION_SCHEMA {
            return Err(Error::new(
                Reason::UnsupportedSchema,
                "campaign decision schema",
            ));
        }
        Ok(d)
    }
    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl Decision {
    /// Checks sizes: an id, a comment of at most [`MAX_COMMENT`], required when returned.
    pub fn validate(&self) -> Result<()> {
        if self.schema != DECISION_SCHEMA {
            return Err(Error::new(Reason::UnsupportedSchema, "decision schema"));
        }
        if !id_ok(&self.submission) {
            return Err(Error::new(Reason::Malformed, "submission id"));
        }
        let comment_ok = match self.outcome {
            Outcome::Returned => text_ok(&self.comment, MAX_COMMENT),
            Outcome::Approved => self.comment.is_empty() || text_ok(&self.comment, MAX_COMMENT),
        };
        if !comment_ok {
            return Err(Error::new(
                Reason::Malformed,
                format!("comment: at most {MAX_COMMENT} characters, required when returned"),
            ));
        }
        Ok(())
    }
}

/// Verifies a decision envelope: signed by `hub`'s key, issued by `hub`, addressed to `chapter`,
/// well formed.
pub fn verify_decision(envelope: &Envelope, hub: &Card, chapter: &PartyId) -> Result<Decision> {
    let d: Decision = envelope.open_document(&hub.signing_key)?;
    if d.hub != hub.id {
        return Err(Error::new(
            Reason::BadSignature,
            "campaign decision issuer is not the hub",
        ));
    }
    if &d.chapter != chapter {
        return Err(Error::new(
            Reason::WrongRecipient,
            "campaign decision for another chapter",
        ));
    }
    d.validate()?;
    Ok(d)
}

/// `GET /api/v1/campaign-submissions` answer: every decision on this chapter's submissions,
/// oldest first, each a signed envelope.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Decisions {
    /// Signed [`Decision`] envelopes.
    pub decisions: Vec<Envelope>,
}

/// What `POST /api/v1/campaign-submissions` answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Received {
    /// The submission's id.
    pub id: String,
    /// SHA-256 of the submission bytes received.
    pub digest: Digest,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{Kind, SecretKeys};

    fn submission() -> Submission {
        Submission {
            id: "c-7".into(),
            campaign_type: "new-organizing".into(),
            sector: "62".into(),
            labor_component: true,
            criterion: "workplace-organizing".into(),
            criteria_version: Digest::of(b"guidance"),
            metrics: vec![SubmittedMetric {
                name: "Cards signed".into(),
                target: 40,
            }],
            summary: "Organize the night shift at the hospital laundry.".into(),
        }
    }

    fn decision(chapter: &PartyId, hub: &PartyId) -> Decision {
        Decision {
            schema: DECISION_SCHEMA.into(),
            hub: hub.clone(),
            chapter: chapter.clone(),
            submission: "c-7".into(),
            submission_digest: Digest::of(&submission().to_body()),
            outcome: Outcome::Returned,
            comment: "Añada una meta de reuniones.".into(),
            reviewer: ReviewerRole::HubAdmin,
            decided_at: Timestamp::now(),
            criteria_version: Digest::of(b"guidance"),
        }
    }

    #[test]
    fn submission_validates() {
        let s = submission();
        s.validate().unwrap();
        let back: Submission = serde_json::from_slice(&s.to_body()).unwrap();
        assert_eq!(back, s);
        let bad = |f: &dyn Fn(&mut Submission)| {
            let mut s = submission();
            f(&mut s);
            s.validate().is_err()
        };
        assert!(bad(&|s| s.id = "a b".into()));
        assert!(bad(&|s| s.id = "x".repeat(65)));
        assert!(bad(&|s| s.sector = "99".into()));
        assert!(bad(&|s| s.campaign_type = "unknown".into()));
        assert!(bad(&|s| s.metrics.clear()));
        assert!(bad(&|s| s.metrics.push(s.metrics[0].clone())));
        assert!(bad(&|s| s.summary = "x".repeat(MAX_SUMMARY + 1)));
        assert!(bad(&|s| s.summary = " ".into()));
        let mut v = serde_json::to_value(submission()).unwrap();
        v["member"] = "Ana".into();
        assert!(serde_json::from_value::<Submission>(v).is_err());
    }

    #[test]
    fn decision_signed_verified_and_tampering_refused() {
        let hub_keys = SecretKeys::generate().unwrap();
        let hub_id: PartyId = "south".parse().unwrap();
        let card = hub_keys
            .card(hub_id.clone(), Kind::Regional, "South", None)
            .unwrap();
        let chapter: PartyId = "triangle".parse().unwrap();
        let d = decision(&chapter, &hub_id);
        let env = Envelope::sign(&d, &hub_keys);
        let back = Envelope::from_json(&env.to_json()).unwrap();
        assert_eq!(verify_decision(&back, &card, &chapter).unwrap(), d);

        // Another chapter's decision.
        let other: PartyId = "durham".parse().unwrap();
        assert_eq!(
            verify_decision(&back, &card, &other).unwrap_err().reason(),
            Reason::WrongRecipient
        );
        // Signed by someone else (a forged decision).
        let forger = SecretKeys::generate().unwrap();
        let forged = Envelope::sign(&d, &forger);
        assert!(verify_decision(&forged, &card, &chapter).is_err());
        // Payload changed after signing: approved instead of returned.
        let mut v: serde_json::Value = serde_json::from_slice(&env.to_json()).unwrap();
        let mut payload = d.clone();
        payload.outcome = Outcome::Approved;
        v["payload"] = base64_of(&payload.to_payload()).into();
        let tampered = Envelope::from_json(&serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(
            verify_decision(&tampered, &card, &chapter)
                .unwrap_err()
                .reason(),
            Reason::BadSignature
        );
        // Signed by the hub but naming another issuer.
        let mut wrong = d.clone();
        wrong.hub = "north".parse().unwrap();
        let env = Envelope::sign(&wrong, &hub_keys);
        assert!(verify_decision(&env, &card, &chapter).is_err());
        // A returned decision needs a comment.
        let mut empty = d.clone();
        empty.comment = String::new();
        assert!(empty.validate().is_err());
        empty.outcome = Outcome::Approved;
        empty.validate().unwrap();
        // Another payload type is refused.
        let env = Envelope::sign_bytes("application/other", d.to_payload(), &hub_keys);
        assert!(verify_decision(&env, &card, &chapter).is_err());
    }

    fn base64_of(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}
