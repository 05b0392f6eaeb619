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
        as_of: None,
        correction: false,
        encrypted: Vec::new(),
        joint_key: None,
    }
}

/// A report the size of a real chapter's (tens of kilobytes): cells across every metric and its
/// one- and two-dimension tables, with a deterministic mix of zeros, withheld cells and counts of
/// at least `k`, for size and speed tests of rollups. Its tables add up as a report's must (each
/// one-dimension table withholds a cell and sums below the total; two-dimension cells are
/// withheld), but a hub's disclosure audit would refuse it: it is not a chapter's real data.
pub fn bulky_report(
    chapter: &PartyId,
    recipient: &PartyId,
    period: Period,
    generated_at: Timestamp,
    seed: u64,
    state_fips: &str,
) -> Report {
    use crate::registry::{METRICS, UNKNOWN};
    use crate::report::CellValue;
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let values = |dim: Dim| -> Vec<String> {
        match dim.terms() {
            Some(terms) => terms.iter().map(|t| t.code.to_owned()).collect(),
            None => match dim {
                Dim::County => (1..=12)
                    .map(|i| format!("{state_fips}{:03}", 2 * i - 1))
                    .chain([UNKNOWN.to_owned()])
                    .collect(),
                Dim::Training => ["one-on-ones", "workplace-mapping", "steward", "bargaining"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                Dim::Language => ["en", "es", UNKNOWN]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                _ => vec![UNKNOWN.to_owned()],
            },
        }
    };
    let mut cells = Vec::new();
    for metric in METRICS {
        cells.push(Cell::count(
            CellKey::total(metric.id),
            100_000 + next() % 2000,
        ));
        for table in metric.tables {
            let combos: Vec<Vec<(Dim, String)>> = match table {
                [] => Vec::new(),
                [a] => values(*a).into_iter().map(|v| vec![(*a, v)]).collect(),
                [a, b] => {
                    let bs = values(*b);
                    values(*a)
                        .into_iter()
                        .flat_map(|va| {
                            bs.iter()
                                .map(move |vb| vec![(*a, va.clone()), (*b, vb.clone())])
                        })
                        .collect()
                }
                _ => Vec::new(),
            };
            for (i, dims) in combos.into_iter().take(90).enumerate() {
                let two = dims.len() > 1;
                let key = CellKey {
                    metric: metric.id.to_owned(),
                    dims: dims.into_iter().collect(),
                };
                let value = match (i, two, next() % 10) {
                    (0, _, _) | (_, true, _) | (_, _, 4 | 5) => CellValue::Suppressed,
                    (_, _, 0..=3) => CellValue::Count(0),
                    _ => CellValue::Count(5 + next() % 300),
                };
                cells.push(Cell { key, value });
            }
        }
    }
    let mut report = sample_report(chapter, recipient, period, generated_at, 1);
    cells.sort_by(|a, b| a.key.cmp(&b.key));
    cells.dedup_by(|a, b| a.key == b.key);
    report.cells = cells;
    report
}

/// A small deterministic generator (a 64-bit linear congruential generator with Knuth's MMIX
/// constants), so that generated test families repeat exactly without a crate.
#[derive(Clone, Debug)]
pub struct Lcg(pub u64);

impl Lcg {
    /// The next value in `0..n` (`0` when `n` is 0).
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33).checked_rem(n).unwrap_or(0)
    }
}
