//! Support requests (design §9): a chapter asks its hub for help (skills, a language, a sector);
//! the hub relays the request to the chapters whose latest reports show matching reserve
//! capacity, and those chapters answer the asking chapter directly through `reply_to`, a contact
//! it chose. The hub never learns who volunteers. These are the JSON bodies of
//! `POST`/`GET /api/v1/support-requests`, authenticated with a [signed request](crate::request).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Reason, Result};
use crate::identity::PartyId;
use crate::registry::Dim;

/// `POST /api/v1/support-requests` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportBody {
    /// Skill codes wanted (registry `skill` vocabulary).
    #[serde(default)]
    pub skills: Vec<String>,
    /// ISO 639 language wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// NAICS sector of the campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// What is needed, in a few sentences (no names of people).
    pub message: String,
    /// An opaque contact chosen by the asking chapter.
    pub reply_to: String,
    /// How soon help is needed (`normal` when absent, so older bodies still parse).
    #[serde(default)]
    pub urgency: Urgency,
    /// The asking chapter's name as it calls itself, so the chapters that receive the request
    /// read a name and not an id (absent in older bodies: they show the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chapter: Option<String>,
}

/// How soon help is needed: a closed vocabulary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    /// When someone can.
    Low,
    /// The usual.
    #[default]
    Normal,
    /// As soon as possible.
    Urgent,
}

impl Urgency {
    /// The wire name (`low`, `normal`, `urgent`).
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Urgency> {
        match text {
            "low" => Some(Urgency::Low),
            "normal" => Some(Urgency::Normal),
            "urgent" => Some(Urgency::Urgent),
            _ => None,
        }
    }
}

/// Where a request stands: open until the asking chapter marks it met or unmet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Still looking for help.
    #[default]
    Open,
    /// The asking chapter got the help it needed.
    Met,
    /// The asking chapter closed it without the help it needed.
    Unmet,
}

impl Status {
    /// The wire name (`open`, `met`, `unmet`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Met => "met",
            Status::Unmet => "unmet",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "open" => Some(Status::Open),
            "met" => Some(Status::Met),
            "unmet" => Some(Status::Unmet),
            _ => None,
        }
    }
}

/// `POST /api/v1/support-requests/{id}/status` body: the asking chapter closes its request (or a
/// regional hub passes the chapter's word up to the copy it relayed to its parent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `met` or `unmet` (`open` is refused: a closed request stays closed).
    pub status: Status,
}

impl StatusBody {
    /// Refuses `open`.
    pub fn validate(&self) -> Result<()> {
        if self.status == Status::Open {
            return Err(Error::new(Reason::Malformed, "status must be met or unmet"));
        }
        Ok(())
    }
}

impl SupportBody {
    /// Checks sizes and vocabularies.
    pub fn validate(&self) -> Result<()> {
        let ok_text = |s: &str, max: usize| !s.trim().is_empty() && s.chars().count() <= max;
        if !ok_text(&self.message, 2000) || !ok_text(&self.reply_to, 300) {
            return Err(Error::new(
                Reason::Malformed,
                "message (≤2000) and reply_to (≤300) must be non-empty",
            ));
        }
        if self.chapter.as_ref().is_some_and(|n| !ok_text(n, 120)) {
            return Err(Error::new(
                Reason::Malformed,
                "chapter (≤120) must be non-empty when present",
            ));
        }
        if self.skills.len() > 20 || self.skills.iter().any(|s| !Dim::Skill.accepts(s)) {
            return Err(Error::new(Reason::UnknownMetric, "unknown skill"));
        }
        if self
            .language
            .as_ref()
            .is_some_and(|l| !Dim::Language.accepts(l))
        {
            return Err(Error::new(Reason::UnknownMetric, "unknown language"));
        }
        if self
            .sector
            .as_ref()
            .is_some_and(|s| !Dim::Sector.accepts(s))
        {
            return Err(Error::new(Reason::UnknownMetric, "unknown sector"));
        }
        if self.skills.is_empty() && self.language.is_none() {
            return Err(Error::new(
                Reason::Malformed,
                "ask for at least one skill or a language",
            ));
        }
        Ok(())
    }
}

/// A request as the chapters it was relayed to see it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Relayed {
    /// Request id.
    pub id: String,
    /// The asking chapter.
    pub from: PartyId,
    /// When it was made.
    pub created_at: Timestamp,
    /// The request.
    #[serde(flatten)]
    pub body: SupportBody,
    /// Open, met or unmet (as the relaying hub last heard from the asking chapter).
    #[serde(default)]
    pub status: Status,
}

/// What `POST /api/v1/support-requests` answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Posted {
    /// Request id.
    pub id: String,
    /// How many chapters it was relayed to.
    pub relayed_to: usize,
    /// Open, met or unmet.
    #[serde(default)]
    pub status: Status,
}

/// `GET /api/v1/support-requests` for a chapter.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Inbox {
    /// Requests relayed to this chapter.
    pub for_you: Vec<Relayed>,
    /// This chapter's own open requests.
    pub yours: Vec<Posted>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_bodies_parse_and_urgency_defaults_to_normal() {
        let old = r#"{"skills":["mapping"],"message":"help","reply_to":"x"}"#;
        let b: SupportBody = serde_json::from_str(old).unwrap();
        assert_eq!(b.urgency, Urgency::Normal);
        b.validate().unwrap();
        let urgent = r#"{"skills":["mapping"],"message":"help","reply_to":"x","urgency":"urgent"}"#;
        let b: SupportBody = serde_json::from_str(urgent).unwrap();
        assert_eq!(b.urgency, Urgency::Urgent);
        let bad = r#"{"skills":["mapping"],"message":"help","reply_to":"x","urgency":"now"}"#;
        assert!(serde_json::from_str::<SupportBody>(bad).is_err());
        for u in [Urgency::Low, Urgency::Normal, Urgency::Urgent] {
            assert_eq!(Urgency::parse(u.as_str()), Some(u));
        }
    }

    #[test]
    fn status_body_refuses_open_and_unknown() {
        let met: StatusBody = serde_json::from_str(r#"{"status":"met"}"#).unwrap();
        met.validate().unwrap();
        let open: StatusBody = serde_json::from_str(r#"{"status":"open"}"#).unwrap();
        assert!(open.validate().is_err());
        assert!(serde_json::from_str::<StatusBody>(r#"{"status":"done"}"#).is_err());
        for s in [Status::Open, Status::Met, Status::Unmet] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        let old = r#"{"id":"a","from":"triangle","created_at":"2026-01-01T00:00:00Z","skills":[],"language":"es","message":"m","reply_to":"r"}"#;
        let r: Relayed = serde_json::from_str(old).unwrap();
        assert_eq!(r.status, Status::Open);
    }
}
