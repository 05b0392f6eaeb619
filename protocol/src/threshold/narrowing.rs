//! Clause 10 of the family rule, judged on the chapters' reports (docs/threat-model.md §10).
//!
//! A released aggregate may narrow what is known of a chapter's encrypted cell down to `k`
//! values ([`super::release::ReleasePolicy::narrowing`]). The chapter's published lines carry
//! that to its other withheld cells: a complementary cell narrowed to `40..=44` in a line whose
//! remainder is 45 leaves the primary cell it protects in `1..=5`. [`Reports`] recomputes the
//! chapter's feasible intervals with the narrowed cells' new intervals
//! ([`crate::disclosure::intervals_within`], the chapter's own disclosure audit) and accepts the
//! narrowing only if every withheld cell of the groups it touches keeps at least `k` values, or
//! every value it had.
//!
//! The intervals are exact where the chapter's own audit is (tables and their margins); under
//! the registry's relations they are the linear relaxation's, rounded inwards, which contain
//! the integer truth and may be wider than it, as for the chapter's own audit (§9).

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use super::exact::{self, ExactBlock};
use super::family::{ExactVerdict, Intervals, Narrowing, tighten};
use crate::disclosure;
use crate::identity::PartyId;
use crate::relations::{self, Constraint};
use crate::report::{CellKey, CellValue, Report};

/// The chapters' reports, by chapter, with the disclosure threshold `k`.
#[derive(Debug)]
pub struct Reports<'a> {
    k: u64,
    chapters: BTreeMap<PartyId, Chapter<'a>>,
    /// Verdicts already computed: the family rule asks again in each of clause 9's rounds.
    seen: RefCell<BTreeMap<(PartyId, Intervals), bool>>,
    /// The exact check's verdicts already computed, by a SHA-256 digest of the blocks (asked
    /// again in each round too; at national a set of blocks lists thousands of chapters, and
    /// keeping each set whole held hundreds of megabytes).
    exact_seen: RefCell<BTreeMap<[u8; 32], ExactVerdict>>,
}

#[derive(Debug)]
struct Chapter<'a> {
    report: &'a Report,
    /// What the range proofs show: each encrypted cell in `1..=bound − 1`.
    bounds: Intervals,
    /// For the exact check, computed once: every withheld cell's interval and the report's
    /// relations (`None` when the report's intervals cannot be computed).
    exact: OnceCell<Option<(Intervals, Vec<Constraint>)>>,
}

impl<'a> Reports<'a> {
    /// No reports yet, threshold `k`.
    pub fn new(k: u64) -> Self {
        Reports {
            k,
            chapters: BTreeMap::new(),
            seen: RefCell::new(BTreeMap::new()),
            exact_seen: RefCell::new(BTreeMap::new()),
        }
    }

    /// Adds a chapter's report, with the bounds of its encrypted cells' range proofs (a second
    /// report for the same chapter replaces the first).
    pub fn insert(&mut self, chapter: PartyId, report: &'a Report) {
        let bounds = report
            .encrypted
            .iter()
            .map(|e| (e.key.clone(), e.cell.bound))
            .collect();
        self.insert_with_bounds(chapter, report, &bounds);
    }

    /// [`Reports::insert`] with the range proofs' bounds given apart from the report (what an
    /// attacker's model assumes them to be).
    pub fn insert_with_bounds(
        &mut self,
        chapter: PartyId,
        report: &'a Report,
        bounds: &BTreeMap<CellKey, u64>,
    ) {
        let bounds = bounds
            .iter()
            .map(|(k, b)| (k.clone(), (1, b.saturating_sub(1))))
            .collect();
        self.chapters.insert(
            chapter,
            Chapter {
                report,
                bounds,
                exact: OnceCell::new(),
            },
        );
    }

    /// A chapter's report as the exact check reads it.
    fn exact_chapter(&self, chapter: &PartyId) -> Option<exact::Chapter<'_>> {
        let c = self.chapters.get(chapter)?;
        let (intervals, constraints) = c
            .exact
            .get_or_init(|| {
                let withheld: BTreeSet<&CellKey> = c
                    .report
                    .cells
                    .iter()
                    .filter(|cell| matches!(cell.value, CellValue::Suppressed))
                    .map(|cell| &cell.key)
                    .collect();
                let intervals = disclosure::intervals_within(
                    &c.report.cells,
                    &c.report.campaigns,
                    &c.bounds,
                    &withheld,
                )?;
                let constraints = relations::constraints(&c.report.cells, &c.report.campaigns);
                Some((intervals, constraints))
            })
            .as_ref()?;
        Some(exact::Chapter {
            report: c.report,
            intervals,
            constraints,
        })
    }

    fn judge(&self, chapter: &PartyId, narrowed: &Intervals) -> bool {
        let Some(c) = self.chapters.get(chapter) else {
            return narrowed.is_empty();
        };
        let touched: BTreeSet<&CellKey> = narrowed.keys().collect();
        let within = |extra: &Intervals| {
            disclosure::intervals_within(&c.report.cells, &c.report.campaigns, extra, &touched)
        };
        let Some(before) = within(&c.bounds) else {
            return false;
        };
        let mut both = c.bounds.clone();
        for (key, (lo, hi)) in narrowed {
            tighten(&mut both, key, *lo, *hi);
        }
        let Some(after) = within(&both) else {
            return false;
        };
        let values = |(lo, hi): (u64, u64)| hi.saturating_sub(lo).saturating_add(1);
        after.iter().all(|(key, now)| {
            before
                .get(key)
                .is_some_and(|had| values(*now) >= values(*had).min(self.k))
        })
    }
}

impl Narrowing for Reports<'_> {
    fn exact(&self, blocks: &[ExactBlock]) -> Option<ExactVerdict> {
        let id = fingerprint(blocks);
        if let Some(seen) = id.and_then(|id| self.exact_seen.borrow().get(&id).cloned()) {
            return Some(seen);
        }
        let verdict = exact::check(self.k, blocks, |p| self.exact_chapter(p));
        if let Some(id) = id {
            self.exact_seen.borrow_mut().insert(id, verdict.clone());
        }
        Some(verdict)
    }

    fn keeps_protected(&self, chapter: &PartyId, narrowed: &Intervals) -> bool {
        let id = (chapter.clone(), narrowed.clone());
        if let Some(seen) = self.seen.borrow().get(&id) {
            return *seen;
        }
        let verdict = self.judge(chapter, narrowed);
        self.seen.borrow_mut().insert(id, verdict);
        verdict
    }
}

/// A SHA-256 digest of blocks, each field length-prefixed (keys as their JSON); `None` if a key
/// does not serialize (then nothing is cached).
fn fingerprint(blocks: &[ExactBlock]) -> Option<[u8; 32]> {
    use sha2::{Digest as _, Sha256};
    let mut h = Sha256::new();
    let mut put = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    for b in blocks {
        put(&serde_json::to_vec(&b.key).ok()?);
        put(&(b.chapters.len() as u64).to_le_bytes());
        for c in &b.chapters {
            put(c.as_str().as_bytes());
        }
        put(&b.value.to_le_bytes());
    }
    Some(h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Dim;
    use crate::report::{Cell, CellValue, Period};

    /// Members by union status: 30 none and 10 members published, staff (2, below k = 5) and
    /// officers (18, withheld to protect it) withheld. Staff and officers sum to 20, so each is
    /// known to lie in 1..=19.
    fn report() -> Report {
        let id = PartyId::new("c1").unwrap();
        let national = PartyId::new("national").unwrap();
        let mut r = crate::testkit::sample_report(
            &id,
            &national,
            Period::new(2026, 11).unwrap(),
            jiff::Timestamp::UNIX_EPOCH,
            1,
        );
        let m = |status: &str| CellKey::new("members", &[(Dim::UnionStatus, status)]);
        r.cells = vec![
            Cell::count(CellKey::total("members"), 60),
            Cell::count(m("none"), 30),
            Cell::count(m("member"), 10),
            Cell {
                key: m("staff"),
                value: CellValue::Suppressed,
            },
            Cell {
                key: m("officer"),
                value: CellValue::Suppressed,
            },
        ];
        r
    }

    #[test]
    fn a_narrowed_cell_may_not_narrow_the_cell_it_protects() {
        let r = report();
        let id = PartyId::new("c1").unwrap();
        let officer = CellKey::new("members", &[(Dim::UnionStatus, "officer")]);
        let staff = CellKey::new("members", &[(Dim::UnionStatus, "staff")]);
        let mut reports = Reports::new(5);
        reports.insert(id.clone(), &r);
        let before = disclosure::intervals_report(&r.cells, &r.campaigns);
        assert_eq!(before.get(&staff), Some(&(1, 19)));
        // Officers in 10..=14 leave staff in 6..=10: five values each.
        let ok = BTreeMap::from([(officer.clone(), (10, 14))]);
        assert!(reports.keeps_protected(&id, &ok));
        // Officers in 16..=20 (five values) leave staff in 1..=4: four.
        let bad = BTreeMap::from([(officer.clone(), (16, 20))]);
        let after =
            disclosure::intervals_within(&r.cells, &r.campaigns, &bad, &bad.keys().collect())
                .unwrap();
        assert_eq!(after.get(&staff), Some(&(1, 4)));
        assert!(!reports.keeps_protected(&id, &bad));
        // Asked again, the same verdict (from the cache).
        assert!(!reports.keeps_protected(&id, &bad));
        assert!(reports.keeps_protected(&id, &ok));
        // A chapter whose report is not at hand is never narrowed.
        let other = PartyId::new("c2").unwrap();
        assert!(!reports.keeps_protected(&other, &ok));
        assert!(reports.keeps_protected(&other, &BTreeMap::new()));
        // An interval no value of the report fits.
        let none = BTreeMap::from([(officer, (25, 30))]);
        assert!(!reports.keeps_protected(&id, &none));
    }

    /// The family rule after decryption: an aggregate that narrows c1's officers from 1..=19
    /// to 10..=19 (and with them its staff from 1..=19 to 1..=10) is released when c1's report
    /// is at hand and shows every cell keeps at least k values; with no report it is withheld
    /// under clause 10, and the audit names it.
    #[test]
    fn the_family_rule_releases_a_narrowing_the_report_allows() {
        use super::super::family::{self, Candidate, Form, Unnarrowed, Withheld};
        use super::super::release::ReleasePolicy;
        use super::super::tally::ChapterBound;
        let r = report();
        let officer = CellKey::new("members", &[(Dim::UnionStatus, "officer")]);
        let policy = ReleasePolicy::new(5).unwrap();
        let mut bounds = vec![ChapterBound {
            chapter: PartyId::new("c1").unwrap(),
            bound: 20,
        }];
        for n in 2..=6 {
            bounds.push(ChapterBound {
                chapter: PartyId::new(&format!("c{n}")).unwrap(),
                bound: 5,
            });
        }
        let known = BTreeMap::from([(PartyId::new("c1").unwrap(), (1, 19))]);
        // Σ lo = 6 + 1, Σ hi = 19 + 20: 30 narrows c1 to 30 − 20 ..= 19.
        let cand = Candidate::new(officer, Vec::new(), bounds)
            .with_known(known)
            .with_value(30);
        let known_all: Vec<_> = cand
            .chapters
            .iter()
            .map(|b| {
                super::super::release::Known::within(b.bound, cand.known.get(&b.chapter).copied())
            })
            .collect();
        assert_eq!(policy.narrowing(&known_all, 30), vec![(0, 10, 19)]);
        let cands = vec![cand];
        let mut reports = Reports::new(5);
        reports.insert(PartyId::new("c1").unwrap(), &r);
        let with = family::decide_with(&policy, &cands, &[], Form::AfterDecryption, &reports);
        assert!(with.releases(0), "{with:?}");
        assert!(
            family::audit_with(&policy, &cands, &[], &with, Form::AfterDecryption, &reports)
                .is_empty()
        );
        let without = family::decide_with(&policy, &cands, &[], Form::AfterDecryption, &Unnarrowed);
        assert!(matches!(
            without.withheld.get(&0),
            Some(Withheld::Narrows { chapter }) if chapter.as_str() == "c1"
        ));
        let problems = family::audit(&policy, &cands, &[], &with, Form::AfterDecryption);
        assert_eq!(problems.len(), 1, "{problems:?}");
        // Before decryption the value is unknown: trustees judge rules 1 to 5 alone.
        let before = family::decide(&policy, &cands, &[], Form::BeforeDecryption);
        assert!(before.releases(0));
    }
}
