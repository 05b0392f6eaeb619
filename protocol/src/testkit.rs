//! A small federation for tests, vectors and the demo: a national hub, a Southern regional hub
//! and chapters, with certificates, and valid reports. Compiled only with the `testkit` feature.

use jiff::{SignedDuration, Timestamp};

use crate::cert::issue;
use crate::envelope::Envelope;
use crate::error::Result;
use crate::identity::{Card, Kind, PartyId, SecretKeys};
use crate::registry::Dim;
use crate::report::{Cell, CellKey, ChapterFacts, DisclosurePolicy, Period, REPORT_SCHEMA, Report};
use crate::rollup::Child;

/// A party: its keys and card.
#[derive(Debug)]
pub struct Party {
    /// Secret keys.
    pub keys: SecretKeys,
    /// Public card.
    pub card: Card,
}

impl Party {
    /// A party with fresh random keys.
    pub fn new(id: &str, kind: Kind, name: &str, state: Option<&str>) -> Result<Self> {
        let keys = SecretKeys::generate()?;
        let card = keys.card(PartyId::new(id)?, kind, name, state)?;
        Ok(Party { keys, card })
    }

    /// A party from fixed keys (vectors).
    pub fn from_keys(
        keys: SecretKeys,
        id: &str,
        kind: Kind,
        name: &str,
        state: Option<&str>,
    ) -> Result<Self> {
        let card = keys.card(PartyId::new(id)?, kind, name, state)?;
        Ok(Party { keys, card })
    }

    /// Certifies `child` for a year from `at` minus a day.
    pub fn certify(&self, child: &Card, serial: u64, at: Timestamp) -> Result<Envelope> {
        issue(
            &self.card,
            &self.keys,
            child.clone(),
            serial,
            at - SignedDuration::from_hours(24),
            at + SignedDuration::from_hours(24 * 365),
        )
    }

    /// This party as a rollup child, given the certificate its hub issued and its document.
    pub fn child(&self, certificate: Envelope, document: Envelope) -> Child {
        Child {
            id: self.card.id.clone(),
            certificate,
            document,
        }
    }
}

/// A valid report: `members` total plus members by sector and by union status, with counts that
/// need no suppression (each non-zero cell is at least 5), and a few other metrics.
pub fn sample_report(
    chapter: &PartyId,
    recipient: &PartyId,
    period: Period,
    generated_at: Timestamp,
    scale: u64,
) -> Report {
    let health = 5 * scale;
    let education = 7 * scale;
    let unknown = 5 + scale;
    let total = health + education + unknown;
    let m = |dims: &[(Dim, &str)], v: u64| Cell::count(CellKey::new("members", dims), v);
    let cells = vec![
        Cell::count(CellKey::total("members"), total),
        m(&[(Dim::Sector, "62")], health),
        m(&[(Dim::Sector, "61")], education),
        m(&[(Dim::Sector, "unknown")], unknown),
        m(&[(Dim::UnionStatus, "member")], health + education),
        m(&[(Dim::UnionStatus, "unknown")], unknown),
        Cell::count(CellKey::total("workplaces"), 6),
        Cell::count(CellKey::new("workplaces", &[(Dim::Stage, "1")]), 6),
        Cell::count(CellKey::total("lapsed-members"), scale + 2),
    ];
    Report {
        schema: REPORT_SCHEMA.to_owned(),
        chapter: chapter.clone(),
        recipient: recipient.clone(),
        period,
        revision: 1,
        previous: None,
        generated_at,
        policy: DisclosurePolicy::default(),
        cells,
        facts: ChapterFacts {
            labor_committee: true,
            clc_delegate: false,
            bylaws: true,
        },
        campaigns: Vec::new(),
    }
}
