//! The release rule: which encrypted aggregates may be decrypted and published.
//!
//! The rule is stated over public metadata only (the chapters in a tally and the bound each
//! chapter's range proof showed) plus, for publication, the decrypted aggregate:
//!
//! 1. at least [`MIN_CHAPTERS`] (3) distinct chapters contribute to the aggregate;
//! 2. the aggregate is at least `k` (the disclosure threshold, [`crate::DisclosurePolicy`]);
//! 3. no chapter can make up [`DOMINANCE_PERCENT`] (80%) or more of it: for every chapter,
//!    `bound − 1` (the most its range proof allows it to hold) is below 80% of the aggregate,
//!    i.e. `100 · (bound − 1) < 80 · aggregate`;
//! 4. no chapter is pinned by the aggregate: for every chapter, the other chapters' bounds alone
//!    could hold the whole aggregate, i.e. `aggregate ≤ Σ_{others} (bound − 1)`. Otherwise the
//!    aggregate would show that the chapter holds at least `aggregate − Σ_{others} (bound − 1)`
//!    (five chapters with bound 5 and an aggregate of 20 each hold exactly 4);
//! 5. no chapter is capped by the aggregate: an encrypted value is at least 1 (a chapter
//!    publishes its zeros), so the aggregate shows that a chapter holds at most
//!    `aggregate − (n − 1)` of it; this must not be below what its bound already allows, i.e.
//!    `aggregate ≥ (n − 1) + max (bound − 1)` (ten chapters with bound 5 and an aggregate of 10
//!    each hold exactly 1).
//!
//! Rules 3 to 5 in general ([`Known`]): what an outsider knows of a chapter's value before any
//! release is an interval `lo..=hi`, by default `1..=bound − 1`, but narrower when the chapter's
//! published cells imply more (its margin minus its published parts leaves 5 for two withheld
//! cells below 5: each is in `1..=4`, but if one is known to be at least 2 the other is at most
//! 3; a cell withheld to protect another, whose range proof is the table total, 289, is often
//! known from the same margin to hold at most 12). The range proof's `bound − 1` is one such
//! upper end; the interval is everything public about the value, so the rule is stated on it:
//!
//! - rule 3 on the largest `hi`: no chapter can hold 80% of the aggregate if the most its
//!   published cells and its range proof allow it to hold is below 80%;
//! - rules 4 and 5 as one, with `L = Σ lo` and `H = Σ hi`: the aggregate leaves every chapter
//!   at least `k` possible values, or every value it had. An aggregate `A` in `L..=H` leaves
//!   chapter `c` the interval `max(lo, A − (H − hi)) ..= min(hi, A − (L − lo))`, which is
//!   `min(hi − lo, H − L − (hi − lo), A − L, H − A) + 1` values wide (the others' intervals sum
//!   to every integer between their ends). So a chapter whose own interval and the others'
//!   together each span at least `k` values (`hi − lo ≥ k − 1` and `H − L − (hi − lo) ≥ k − 1`)
//!   asks for `A` in `L + k − 1 ..= H − k + 1`, and any other chapter, which must not be
//!   narrowed at all, for `A` in `L + (hi − lo) ..= H − (hi − lo)`; the aggregate must satisfy
//!   every chapter ([`ReleasePolicy::narrowing`] gives what it leaves of each). This is the
//!   chapter's own disclosure rule (docs/protocol.md §9.1: a withheld cell is not known to
//!   fewer than `k` values) carried over to what releases show; what narrowing one encrypted
//!   cell does to the chapter's other withheld cells is clause 10 of the family rule
//!   ([`super::family`], [`super::narrowing`]).
//!
//! With only the bounds known and no chapter wide enough to be narrowed this is rules 3 to 5
//! above, except that rule 4 above does not count the 1 every chapter is known to hold, so it
//! stops one short of `H − (hi − lo)`. The known form is the one the federation applies
//! ([`super::family`]); the bounds form stays for a tally judged alone.
//!
//! Trustees do not know the aggregate before decrypting, so they apply
//! [`ReleasePolicy::may_decrypt`]: whether some aggregate could pass rules 1 to 5. Rules 2, 3
//! and 5 are easier and rule 4 harder the larger the aggregate, so this is the rule applied to the
//! largest aggregate rule 4 allows (`Σ (bound − 1) − max (bound − 1)`; in the known form,
//! `H` minus the largest chapter's margin above); a tally that could never be published is
//! never decrypted. Whoever combines the shares applies
//! [`ReleasePolicy::may_publish`] to the value and withholds it if it fails. Differences between
//! released aggregates (two aggregates whose chapters differ by one chapter or a small group),
//! lines across keys and cells a chapter's lines tie together are the family rule's
//! ([`super::family`], docs/threat-model.md §10).

use crate::error::{Error, Reason, Result};
use crate::report::DisclosurePolicy;

/// The fewest chapters an aggregate may be released over.
pub const MIN_CHAPTERS: usize = 3;

/// No chapter may be able to hold this share (in percent) of a released aggregate or more.
pub const DOMINANCE_PERCENT: u64 = 80;

/// The release rule for one disclosure threshold `k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReleasePolicy {
    k: u64,
}

impl ReleasePolicy {
    /// The rule for threshold `k` (2..=100 like [`DisclosurePolicy`]; `malformed` otherwise).
    pub fn new(k: u64) -> Result<Self> {
        DisclosurePolicy { k }.validate()?;
        Ok(ReleasePolicy { k })
    }

    /// The rule for a disclosure policy's `k`.
    pub fn from_disclosure(policy: &DisclosurePolicy) -> Result<Self> {
        ReleasePolicy::new(policy.k)
    }

    /// The threshold `k`.
    pub fn k(&self) -> u64 {
        self.k
    }

    /// Whether trustees may decrypt an aggregate over chapters with these bounds (one per
    /// chapter): whether any aggregate could pass rules 1 to 5. `release-refused` names the rule
    /// that fails.
    pub fn may_decrypt(&self, bounds: &[u64]) -> Result<()> {
        let (total, largest) = totals(bounds);
        let best = u64::try_from(total.saturating_sub(largest)).unwrap_or(u64::MAX);
        self.check(bounds, best)
            .map_err(|e| e.context("before decryption, for every possible aggregate"))
    }

    /// Whether a decrypted aggregate may be published: rules 1 to 5 for this value.
    pub fn may_publish(&self, bounds: &[u64], aggregate: u64) -> Result<()> {
        self.check(bounds, aggregate)
    }

    /// [`ReleasePolicy::may_decrypt`] with what an outsider knows of each chapter's value.
    pub fn may_decrypt_known(&self, known: &[Known]) -> Result<()> {
        let (low, high) = spans(known)?;
        let best =
            u64::try_from(high.saturating_sub(self.margin(known, low, high))).unwrap_or(u64::MAX);
        self.check_known(known, best)
            .map_err(|e| e.context("before decryption, for every possible aggregate"))
    }

    /// Whether every aggregate rules 4 and 5 allow passes rules 1 to 5 (rules 2 and 3 ask more
    /// of a smaller aggregate, so this is the rule at the smallest, `L` plus the largest
    /// chapter's margin). Before decryption it tells an aggregate that will pass whatever its
    /// value from one that may fail with it (a chapter that may hold 289 fails rule 3 below 362).
    pub fn passes_whatever_the_value(&self, known: &[Known]) -> bool {
        let Ok((low, high)) = spans(known) else {
            return false;
        };
        let least = low.saturating_add(self.margin(known, low, high));
        u64::try_from(least).is_ok_and(|least| self.check_known(known, least).is_ok())
    }

    /// [`ReleasePolicy::may_publish`] with what an outsider knows of each chapter's value.
    pub fn may_publish_known(&self, known: &[Known], aggregate: u64) -> Result<()> {
        self.check_known(known, aggregate)
    }

    fn check_known(&self, known: &[Known], aggregate: u64) -> Result<()> {
        self.check_count(known.len(), aggregate)?;
        let (low, high) = spans(known)?;
        let most = known
            .iter()
            .map(|c| u128::from(c.hi.min(c.bound.saturating_sub(1))))
            .max()
            .unwrap_or(0);
        dominance(most, aggregate)?;
        let margin = self.margin(known, low, high);
        let a = u128::from(aggregate);
        if a < low.saturating_add(margin) || a.saturating_add(margin) > high {
            return Err(refused(format!(
                "the aggregate would narrow what is known of a chapter to fewer than k = {} \
                 values, or narrow an interval that had fewer (it must lie in {}..={})",
                self.k,
                low.saturating_add(margin),
                high.saturating_sub(margin)
            )));
        }
        Ok(())
    }

    /// How far inside `L..=H` an aggregate must lie (rules 4 and 5): the largest of the
    /// chapters' margins, `k − 1` for a chapter that may be narrowed (its interval and the
    /// others' together each span at least `k` values) and `hi − lo` for any other (it must not
    /// be narrowed at all).
    fn margin(&self, known: &[Known], low: u128, high: u128) -> u128 {
        let keep = u128::from(self.k.saturating_sub(1));
        known
            .iter()
            .map(|c| {
                let width = u128::from(c.top().saturating_sub(c.lo));
                let others = high.saturating_sub(low).saturating_sub(width);
                if width >= keep && others >= keep {
                    keep
                } else {
                    width
                }
            })
            .max()
            .unwrap_or(0)
    }

    /// What an aggregate that passes rules 1 to 5 shows of each chapter: for every chapter
    /// (same index) whose interval it narrows, the interval left, `max(lo, A − (H − hi)) ..=
    /// min(hi, A − (L − lo))`. Rules 4 and 5 keep each at least `k` values wide, or as wide as
    /// it was; what that does to the chapter's other withheld cells is the family rule's
    /// (clause 10, [`super::family`]).
    pub fn narrowing(&self, known: &[Known], aggregate: u64) -> Vec<(usize, u64, u64)> {
        let Ok((low, high)) = spans(known) else {
            return Vec::new();
        };
        let a = u128::from(aggregate);
        known
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let (lo, hi) = (u128::from(c.lo), u128::from(c.top()));
                let others_most = high.saturating_sub(hi);
                let others_least = low.saturating_sub(lo);
                let from = lo.max(a.saturating_sub(others_most));
                let to = hi.min(a.saturating_sub(others_least));
                let from = u64::try_from(from).ok()?;
                let to = u64::try_from(to).ok()?;
                (from > c.lo || to < c.top()).then_some((i, from, to))
            })
            .collect()
    }

    /// Rules 4 and 5 for a block in which some chapters are *coupled* (clause 9 of the family
    /// rule, [`super::family`]): a coupled chapter's cell is tied by its report's lines to
    /// another of its cells that a released aggregate also sums, so the two may trade against
    /// each other and the chapter's value for this key cannot be taken as free to move within
    /// its interval when the others absorb a change. Only the *free* chapters (`coupled[i]`
    /// false) absorb: the rule asks that
    ///
    /// - whatever the coupled chapters hold in their intervals, the free ones could make up the
    ///   rest: `L_F + H_N ≤ A ≤ H_F + L_N` (sums of `lo` and `hi` over the free chapters `F`
    ///   and the coupled `N`); and
    /// - every chapter `c` keeps at least `min(k, hi_c − lo_c + 1)` values in
    ///   `max(lo_c, A − (L_{N∖c} + H_{F∖c})) ..= min(hi_c, A − (H_{N∖c} + L_{F∖c}))`, the values
    ///   of `c` for which the others absorb the rest whatever the coupled ones hold.
    ///
    /// With no chapter coupled this is exactly rules 4 and 5
    /// ([`ReleasePolicy::may_publish_known`]) and the intervals are
    /// [`ReleasePolicy::narrowing`]'s. Without the aggregate (trustees, before decryption) it
    /// asks that some aggregate satisfy both; with it, returns what the aggregate leaves of
    /// each chapter whose interval it narrows (same index). docs/threat-model.md §10 gives
    /// the argument.
    pub fn absorbed(
        &self,
        known: &[Known],
        coupled: &[bool],
        aggregate: Option<u64>,
    ) -> Result<Vec<(usize, u64, u64)>> {
        let is_coupled = |i: usize| coupled.get(i).copied().unwrap_or(false);
        let mut sums = Sums::default();
        for (i, c) in known.iter().enumerate() {
            let (lo, hi) = (i128::from(c.lo), i128::from(c.top()));
            if lo > hi {
                return Err(refused(format!(
                    "a chapter's known interval {}..={} is empty under its bound {}",
                    c.lo, c.hi, c.bound
                )));
            }
            sums.add(is_coupled(i), lo, hi);
        }
        let k = i128::from(self.k);
        // The aggregates that pass: first the coupled chapters' absorption, then each chapter.
        let mut from = sums.low_free + sums.high_coupled;
        let mut to = sums.high_free + sums.low_coupled;
        let mut reach: Vec<(i128, i128)> = Vec::with_capacity(known.len());
        for (i, c) in known.iter().enumerate() {
            let (lo, hi) = (i128::from(c.lo), i128::from(c.top()));
            let mut others = sums;
            others.add(is_coupled(i), -lo, -hi);
            // The others absorb `A − v` for every value `v` of this chapter in `A − up ..= A − down`.
            let up = others.low_coupled + others.high_free;
            let down = others.high_coupled + others.low_free;
            let keep = k.min(hi - lo + 1);
            if up - down < keep - 1 {
                return Err(refused(format!(
                    "coupled chapters leave a chapter's cell fewer than {keep} values: the \
                     free chapters can absorb only {} of it",
                    (up - down + 1).max(0)
                )));
            }
            from = from.max(lo + down + keep - 1);
            to = to.min(hi + up - keep + 1);
            reach.push((up, down));
        }
        if from > to {
            return Err(refused(
                "with coupled chapters no aggregate leaves every chapter its values and lets the \
                 free chapters absorb the coupled ones"
                    .into(),
            ));
        }
        let Some(a) = aggregate else {
            return Ok(Vec::new());
        };
        let a = i128::from(a);
        if a < from || a > to {
            return Err(refused(format!(
                "with coupled chapters the aggregate must lie in {from}..={to}"
            )));
        }
        Ok(known
            .iter()
            .zip(reach)
            .enumerate()
            .filter_map(|(i, (c, (up, down)))| {
                let from = i128::from(c.lo).max(a - up);
                let to = i128::from(c.top()).min(a - down);
                let (from, to) = (u64::try_from(from).ok()?, u64::try_from(to).ok()?);
                (from > c.lo || to < c.top()).then_some((i, from, to))
            })
            .collect())
    }

    /// Rules 1 and 2.
    fn check_count(&self, chapters: usize, aggregate: u64) -> Result<()> {
        if chapters < MIN_CHAPTERS {
            return Err(refused(format!(
                "{chapters} contributing chapters, at least {MIN_CHAPTERS} needed"
            )));
        }
        if aggregate < self.k {
            return Err(refused(format!("the aggregate is below k = {}", self.k)));
        }
        Ok(())
    }

    fn check(&self, bounds: &[u64], aggregate: u64) -> Result<()> {
        self.check_count(bounds.len(), aggregate)?;
        let (total, largest) = totals(bounds);
        dominance(largest, aggregate)?;
        if u128::from(aggregate) + largest > total {
            return Err(refused(format!(
                "the aggregate would show that a chapter that may hold {largest} holds at least {}",
                u128::from(aggregate) + largest - total
            )));
        }
        let others = u128::try_from(bounds.len().saturating_sub(1)).unwrap_or(u128::MAX);
        if u128::from(aggregate) < others.saturating_add(largest) {
            return Err(refused(format!(
                "the aggregate would show that a chapter that may hold {largest} holds at most {}",
                u128::from(aggregate).saturating_sub(others)
            )));
        }
        Ok(())
    }
}

/// What an outsider knows of one chapter's encrypted value before any release: it is below
/// `bound` (its range proof) and within `lo..=hi` (its published cells' implications).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known {
    /// The range proof's exclusive bound.
    pub bound: u64,
    /// The smallest value the chapter's published cells allow.
    pub lo: u64,
    /// The largest.
    pub hi: u64,
}

impl Known {
    /// The upper end, clipped to the bound: `min(hi, bound − 1)`.
    pub fn top(&self) -> u64 {
        self.hi.min(self.bound.saturating_sub(1))
    }

    /// The interval its published cells give, if any, else only the bound.
    pub fn within(bound: u64, interval: Option<(u64, u64)>) -> Self {
        match interval {
            Some((lo, hi)) => Known { bound, lo, hi },
            None => Known::from_bound(bound),
        }
    }

    /// Only the bound is known: `1..=bound − 1` (a chapter publishes its zeros).
    pub fn from_bound(bound: u64) -> Self {
        let hi = bound.saturating_sub(1);
        Known {
            bound,
            lo: 1.min(hi),
            hi,
        }
    }
}

/// `Σ lo` and `Σ hi` over a block's free and coupled chapters ([`ReleasePolicy::absorbed`]).
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    low_free: i128,
    high_free: i128,
    low_coupled: i128,
    high_coupled: i128,
}

impl Sums {
    fn add(&mut self, coupled: bool, lo: i128, hi: i128) {
        if coupled {
            self.low_coupled += lo;
            self.high_coupled += hi;
        } else {
            self.low_free += lo;
            self.high_free += hi;
        }
    }
}

/// Rule 3: a chapter that may hold `most` must hold less than 80% of `aggregate`.
fn dominance(most: u128, aggregate: u64) -> Result<()> {
    if 100 * most >= u128::from(DOMINANCE_PERCENT) * u128::from(aggregate) {
        return Err(refused(format!(
            "a chapter that may hold {most} could hold {DOMINANCE_PERCENT}% or more of the aggregate"
        )));
    }
    Ok(())
}

/// `Σ lo` and `Σ hi`, each interval clipped to the bound; an empty interval is refused.
fn spans(known: &[Known]) -> Result<(u128, u128)> {
    let mut out = (0u128, 0u128);
    for c in known {
        let hi = c.hi.min(c.bound.saturating_sub(1));
        if c.lo > hi {
            return Err(refused(format!(
                "a chapter's known interval {}..={} is empty under its bound {}",
                c.lo, c.hi, c.bound
            )));
        }
        out.0 = out.0.saturating_add(u128::from(c.lo));
        out.1 = out.1.saturating_add(u128::from(hi));
    }
    Ok(out)
}

/// `Σ (bound − 1)` and `max (bound − 1)`: the most all chapters, and the most any one chapter,
/// can hold.
fn totals(bounds: &[u64]) -> (u128, u128) {
    bounds.iter().fold((0u128, 0u128), |(sum, max), b| {
        let most = u128::from(b.saturating_sub(1));
        (sum.saturating_add(most), max.max(most))
    })
}

fn refused(detail: String) -> Error {
    Error::new(Reason::ReleaseRefused, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_clause_by_clause() {
        let p = ReleasePolicy::new(5).unwrap();
        let code = |r: Result<()>| r.unwrap_err().reason();
        // Three chapters below k = 5: each may hold 4, so the aggregate must exceed 5 (rule 3)
        // and be at most 8 (rule 4: the other two could hold it all).
        let b = [5, 5, 5];
        assert!(p.may_decrypt(&b).is_ok());
        for a in 6..=8 {
            assert!(p.may_publish(&b, a).is_ok(), "{a}");
        }
        for a in [0, 4, 5, 9, 12] {
            assert_eq!(code(p.may_publish(&b, a)), Reason::ReleaseRefused, "{a}");
        }
        // Five chapters all at their bound: 20 shows each holds 4.
        let b = [5; 5];
        assert!(p.may_publish(&b, 16).is_ok());
        assert!(p.may_publish(&b, 17).is_err());
        assert!(p.may_publish(&b, 20).is_err());
        // Two chapters are never enough.
        assert!(p.may_decrypt(&[5, 5]).is_err());
        assert!(p.may_publish(&[5, 5], 8).is_err());
        // A chapter whose bound is a table total of 50 dominates any aggregate up to 61, and the
        // other chapters must be able to hold the aggregate without it.
        let b = [50, 50, 50, 5, 5];
        assert!(p.may_publish(&b, 61).is_err());
        assert!(p.may_publish(&b, 62).is_ok());
        assert!(p.may_decrypt(&b).is_ok());
        assert!(
            p.may_decrypt(&[50, 5, 5, 5, 5]).is_err(),
            "the others hold at most 16"
        );
        // Not even the best possible aggregate passes: never decrypted.
        assert!(p.may_decrypt(&[200, 2, 2]).is_err());
        assert!(p.may_decrypt(&[2, 2, 2]).is_err());
        assert!(ReleasePolicy::new(1).is_err());
        assert!(p.may_publish(&[u64::MAX, u64::MAX, 2], u64::MAX).is_err());
        assert!(p.may_decrypt(&[1_000; 3]).is_ok());
        assert!(p.may_decrypt(&[u64::MAX; 3]).is_err(), "aggregates are u64");
        // Rule 5: ten chapters of bound 5 each hold at least 1, so 10 shows each holds exactly
        // 1 and 12 that each holds at most 3; from 13 on, each may hold up to its bound.
        let b = [5; 10];
        for a in [10, 11, 12] {
            assert_eq!(code(p.may_publish(&b, a)), Reason::ReleaseRefused, "{a}");
        }
        assert!(p.may_publish(&b, 13).is_ok());
        assert!(p.may_decrypt(&b).is_ok());
        // Rules 3 to 5 with known intervals: three chapters known to hold 3..=4 each. Rule 3
        // wants more than 5 (none holds more than 4), and the intervals allow 10 and 11: 9
        // would show all hold 3 and 12 all hold 4. The range proof's bound, 5 or 9, adds
        // nothing the intervals do not already say.
        for bound in [5, 9] {
            let known = [Known {
                bound,
                lo: 3,
                hi: 4,
            }; 3];
            let ok: Vec<u64> = (0..20)
                .filter(|a| p.may_publish_known(&known, *a).is_ok())
                .collect();
            assert_eq!(ok, vec![10, 11], "bound {bound}");
        }
        let known = [Known {
            bound: 9,
            lo: 3,
            hi: 4,
        }; 3];
        assert!(p.may_decrypt_known(&known).is_ok());
        assert!(
            p.may_publish_known(
                &[Known {
                    bound: 5,
                    lo: 4,
                    hi: 2
                }; 3],
                9
            )
            .is_err()
        );
        // With only the bounds known, the known form releases what the bounds form does, and
        // one more at the top: rule 4 in the bounds form does not count the 1 each chapter is
        // known to hold (four chapters of bound 5 at 13: each of the others holds 1..=4, so
        // any one holds 13 − (3..=12) = 1..=4, all it could).
        for a in 0..20 {
            let known = [Known::from_bound(5); 4];
            let bounds = p.may_publish(&[5; 4], a).is_ok();
            assert_eq!(
                p.may_publish_known(&known, a).is_ok(),
                bounds || a == 13,
                "{a}"
            );
        }
        // A cell withheld to protect another: its range proof is the table total (bound 289),
        // but its own margin minus its published parts leaves it at most 12. Judged on the
        // bound, it would dominate anything up to 360; judged on what is public, an aggregate
        // over it and six cells below 5 is released from 16 to 32 (rule 3 from 16; the
        // intervals 7 + 4 ..= 36 − 4: the six chapters in 1..=4 keep all four values, and the
        // one in 1..=12 keeps at least k = 5 of its twelve). Not narrowing it at all would
        // allow only 18..=25.
        let mut known = vec![Known::from_bound(5); 6];
        known.push(Known {
            bound: 289,
            lo: 1,
            hi: 12,
        });
        let bounds: Vec<u64> = known.iter().map(|c| c.bound).collect();
        let ok: Vec<u64> = (0..400)
            .filter(|a| p.may_publish_known(&known, *a).is_ok())
            .collect();
        assert_eq!(ok, (16..=32).collect::<Vec<_>>());
        assert!(p.may_decrypt_known(&known).is_ok());
        assert!(p.may_decrypt(&bounds).is_err(), "the bound alone dominates");
        // Rule 3 on the tightest upper end: a chapter known to hold at most 12 dominates 15.
        let mut three = vec![Known::from_bound(3); 2];
        three.push(Known {
            bound: 289,
            lo: 10,
            hi: 12,
        });
        let err = p.may_publish_known(&three, 13).unwrap_err();
        assert!(err.to_string().contains("80%"), "{err}");
    }

    /// The known form's may_decrypt says yes exactly when some aggregate passes its
    /// may_publish (small cases, all aggregates tried).
    #[test]
    fn may_decrypt_known_is_exactly_some_aggregate_may_be_published() {
        let p = ReleasePolicy::new(3).unwrap();
        let mut cases: Vec<Vec<Known>> = Vec::new();
        for lo in 1..4u64 {
            for hi in lo..6u64 {
                for bound in [hi + 1, 20] {
                    let c = Known { bound, lo, hi };
                    cases.push(vec![c, Known::from_bound(4), Known::from_bound(5)]);
                    cases.push(vec![c; 3]);
                    cases.push(vec![c, c, Known::from_bound(3), Known::from_bound(6)]);
                }
            }
        }
        for known in cases {
            let most: u64 = known.iter().map(|c| c.hi).sum();
            let any = (0..=most).any(|v| p.may_publish_known(&known, v).is_ok());
            assert_eq!(p.may_decrypt_known(&known).is_ok(), any, "{known:?}");
            // Surely: every aggregate rules 4 and 5 allow passes (none fails on rules 2 or 3).
            let allowed: Vec<u64> = (0..=most)
                .filter(|v| p.absorbed(&known, &[], Some(*v)).is_ok())
                .collect();
            let every = !allowed.is_empty()
                && allowed
                    .iter()
                    .all(|v| p.may_publish_known(&known, *v).is_ok());
            assert_eq!(p.passes_whatever_the_value(&known), every, "{known:?}");
        }
    }

    /// Chapters known to lie in these intervals, each bound just above its interval.
    fn intervals(ks: &[(u64, u64)]) -> Vec<Known> {
        ks.iter()
            .map(|(lo, hi)| Known {
                bound: hi + 1,
                lo: *lo,
                hi: *hi,
            })
            .collect()
    }

    /// Rules 4 and 5 over known intervals are exactly "every chapter keeps at least k values,
    /// or all it had": checked against the intervals an attacker computes by enumeration, and
    /// [`ReleasePolicy::narrowing`] is exactly what the attacker learns.
    #[test]
    fn rules_4_and_5_keep_every_chapter_k_values_wide_or_untouched() {
        let p = ReleasePolicy::new(3).unwrap();
        let k = p.k();
        let shapes: Vec<(u64, u64)> = vec![(1, 2), (1, 4), (2, 3), (1, 7), (3, 9), (5, 5), (1, 1)];
        let mut cases: Vec<Vec<Known>> = Vec::new();
        for a in &shapes {
            for b in &shapes {
                for c in &shapes {
                    let known = intervals(&[*a, *b, *c]);
                    cases.push(known.clone());
                    let mut four = known;
                    four.push(Known::from_bound(3));
                    cases.push(four);
                }
            }
        }
        for known in cases {
            let low: u64 = known.iter().map(|c| c.lo).sum();
            let high: u64 = known.iter().map(|c| c.hi).sum();
            for a in 0..=high + 1 {
                // What the aggregate leaves of each chapter, by enumeration.
                let left: Vec<(u64, u64)> = known
                    .iter()
                    .map(|c| {
                        let fits = |v: u64| {
                            let rest = a.checked_sub(v);
                            rest.is_some_and(|r| r >= low - c.lo && r <= high - c.hi)
                        };
                        let vs: Vec<u64> = (c.lo..=c.hi).filter(|v| fits(*v)).collect();
                        (
                            vs.first().copied().unwrap_or(1),
                            vs.last().copied().unwrap_or(0),
                        )
                    })
                    .collect();
                let feasible = (low..=high).contains(&a);
                let kept = known.iter().zip(&left).all(|(c, (lo, hi))| {
                    let had = c.hi - c.lo + 1;
                    hi + 1 >= lo + had.min(k)
                });
                let most = known.iter().map(|c| c.hi).max().unwrap_or(0);
                let rules_1_to_3 = a >= k && 100 * most < 80 * a;
                assert_eq!(
                    p.may_publish_known(&known, a).is_ok(),
                    feasible && rules_1_to_3 && kept,
                    "{known:?} at {a}"
                );
                if feasible {
                    let narrowed: Vec<(usize, u64, u64)> = known
                        .iter()
                        .zip(&left)
                        .enumerate()
                        .filter(|(_, (c, (lo, hi)))| (*lo, *hi) != (c.lo, c.hi))
                        .map(|(i, (_, (lo, hi)))| (i, *lo, *hi))
                        .collect();
                    assert_eq!(p.narrowing(&known, a), narrowed, "{known:?} at {a}");
                }
            }
        }
    }

    /// may_decrypt says yes exactly when some aggregate passes may_publish (small cases, all
    /// aggregates tried).
    #[test]
    fn may_decrypt_is_exactly_some_aggregate_may_be_published() {
        let p = ReleasePolicy::new(3).unwrap();
        let mut cases = Vec::new();
        for a in 2..7u64 {
            for b in 2..7u64 {
                for c in 2..7u64 {
                    cases.push(vec![a, b, c]);
                    cases.push(vec![a, b, c, 4]);
                }
            }
        }
        for bounds in cases {
            let most: u64 = bounds.iter().map(|b| b - 1).sum();
            let any = (0..=most).any(|v| p.may_publish(&bounds, v).is_ok());
            assert_eq!(p.may_decrypt(&bounds).is_ok(), any, "{bounds:?}");
        }
    }

    /// Every value of a chapter the others can absorb whatever the coupled ones hold, by
    /// enumeration: `absorbed` accepts exactly when the free chapters absorb every choice of the
    /// coupled ones and each chapter keeps `min(k, width)` such values, and names exactly the
    /// intervals; with no chapter coupled it agrees with rules 4 and 5.
    #[test]
    fn absorbed_is_exactly_what_free_chapters_can_make_up() {
        let p = ReleasePolicy::new(3).unwrap();
        let k = p.k();
        let shapes: Vec<(u64, u64)> = vec![(1, 2), (1, 4), (2, 3), (1, 7), (5, 5)];
        // Every sum a set of intervals reaches (every integer between its ends).
        let span = |ks: &[(u64, u64)]| -> (u64, u64) {
            ks.iter().fold((0, 0), |(l, h), (lo, hi)| (l + lo, h + hi))
        };
        for a in &shapes {
            for b in &shapes {
                for c in &shapes {
                    for d in &shapes {
                        let ks = [*a, *b, *c, *d];
                        let known = intervals(&ks);
                        for mask in 0u8..16 {
                            let coupled: Vec<bool> = (0..4).map(|i| mask & (1 << i) != 0).collect();
                            let part = |skip: Option<usize>, want: bool| -> Vec<(u64, u64)> {
                                (0..4)
                                    .filter(|i| Some(*i) != skip && coupled[*i] == want)
                                    .map(|i| ks[i])
                                    .collect()
                            };
                            let (total_lo, total_hi) = span(&ks);
                            for agg in total_lo..=total_hi {
                                // Whether the free chapters (but `skip`) make up `rest` minus
                                // whatever the coupled ones (but `skip`) hold.
                                let absorbs = |skip: Option<usize>, rest: i64| {
                                    let (fl, fh) = span(&part(skip, false));
                                    let (nl, nh) = span(&part(skip, true));
                                    (nl..=nh).all(|q| {
                                        let r = rest - q as i64;
                                        r >= fl as i64 && r <= fh as i64
                                    })
                                };
                                let whole = absorbs(None, agg as i64);
                                let left: Vec<Vec<u64>> = (0..4)
                                    .map(|i| {
                                        (ks[i].0..=ks[i].1)
                                            .filter(|v| absorbs(Some(i), agg as i64 - *v as i64))
                                            .collect()
                                    })
                                    .collect();
                                let kept = (0..4).all(|i| {
                                    let had = ks[i].1 - ks[i].0 + 1;
                                    left[i].len() as u64 >= had.min(k)
                                });
                                let got = p.absorbed(&known, &coupled, Some(agg));
                                assert_eq!(
                                    got.is_ok(),
                                    whole && kept,
                                    "{ks:?} {coupled:?} at {agg}"
                                );
                                if let Ok(narrowed) = &got {
                                    let want: Vec<(usize, u64, u64)> = (0..4)
                                        .filter_map(|i| {
                                            let lo = *left[i].first()?;
                                            let hi = *left[i].last()?;
                                            assert_eq!(left[i].len() as u64, hi - lo + 1);
                                            ((lo, hi) != ks[i]).then_some((i, lo, hi))
                                        })
                                        .collect();
                                    assert_eq!(narrowed, &want, "{ks:?} {coupled:?} at {agg}");
                                    if mask == 0 {
                                        assert_eq!(narrowed, &p.narrowing(&known, agg));
                                    }
                                }
                                if mask == 0 && agg >= k {
                                    let most = ks.iter().map(|(_, hi)| *hi).max().unwrap_or(0);
                                    if 100 * most < 80 * agg {
                                        assert_eq!(
                                            got.is_ok(),
                                            p.may_publish_known(&known, agg).is_ok(),
                                            "{ks:?} at {agg}"
                                        );
                                    }
                                }
                            }
                            let any = (total_lo..=total_hi)
                                .any(|agg| p.absorbed(&known, &coupled, Some(agg)).is_ok());
                            assert_eq!(
                                p.absorbed(&known, &coupled, None).is_ok(),
                                any,
                                "{ks:?} {coupled:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}
