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
}

/// What `POST /api/v1/support-requests` answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Posted {
    /// Request id.
    pub id: String,
    /// How many chapters it was relayed to.
    pub relayed_to: usize,
}

/// `GET /api/v1/support-requests` for a chapter.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Inbox {
    /// Requests relayed to this chapter.
    pub for_you: Vec<Relayed>,
    /// This chapter's own open requests.
    pub yours: Vec<Posted>,
}
