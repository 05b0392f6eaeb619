//! The release rule: which encrypted aggregates may be decrypted and published.
//!
//! The rule is stated over public metadata only (the chapters in a tally and the bound each
//! chapter's range proof showed) plus, for publication, the decrypted aggregate:
//!
//! 1. at least [`MIN_CHAPTERS`] (3) distinct chapters contribute to the aggregate;
//! 2. the aggregate is at least `k` (the disclosure threshold, [`crate::DisclosurePolicy`]);
//! 3. no chapter can make up [`DOMINANCE_PERCENT`] (80%) or more of it: for every chapter,
//!    `bound − 1` (the most its range proof allows it to hold) is below 80% of the aggregate,
//!    i.e. `100 · (bound − 1) < 80 · aggregate`.
//!
//! Trustees do not know the aggregate before decrypting, so they apply
//! [`ReleasePolicy::may_decrypt`]: rule 1, and rules 2 and 3 with the largest aggregate the
//! bounds allow (`Σ (bound − 1)`); a tally that fails them could never be published, so it is
//! never decrypted. Whoever combines the shares applies [`ReleasePolicy::may_publish`] to the
//! value and withholds it if it fails. Differences between released aggregates (two aggregates
//! whose chapters differ by one chapter or a small group) are not checked here yet: that is a
//! later slice (docs/threat-model.md).

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
    /// chapter): rule 1, and rules 2 and 3 for the largest aggregate the bounds allow.
    /// `release-refused` names the rule that fails.
    pub fn may_decrypt(&self, bounds: &[u64]) -> Result<()> {
        let largest = bounds
            .iter()
            .fold(0u64, |acc, b| acc.saturating_add(b.saturating_sub(1)));
        self.check(bounds, largest)
            .map_err(|e| e.context("before decryption"))
    }

    /// Whether a decrypted aggregate may be published: rules 1 to 3 for this value.
    pub fn may_publish(&self, bounds: &[u64], aggregate: u64) -> Result<()> {
        self.check(bounds, aggregate)
    }

    fn check(&self, bounds: &[u64], aggregate: u64) -> Result<()> {
        if bounds.len() < MIN_CHAPTERS {
            return Err(refused(format!(
                "{} contributing chapters, at least {MIN_CHAPTERS} needed",
                bounds.len()
            )));
        }
        if aggregate < self.k {
            return Err(refused(format!("the aggregate is below k = {}", self.k)));
        }
        let limit = u128::from(DOMINANCE_PERCENT) * u128::from(aggregate);
        if let Some(b) = bounds
            .iter()
            .find(|&&b| 100 * u128::from(b.saturating_sub(1)) >= limit)
        {
            return Err(refused(format!(
                "a chapter with bound {b} could hold {DOMINANCE_PERCENT}% or more of the aggregate"
            )));
        }
        Ok(())
    }
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
        // Three chapters below k = 5: each may hold 4, so the aggregate must exceed 5.
        let b = [5, 5, 5];
        assert!(p.may_decrypt(&b).is_ok());
        assert!(p.may_publish(&b, 6).is_ok());
        assert_eq!(
            p.may_publish(&b, 5).unwrap_err().reason(),
            Reason::ReleaseRefused
        );
        assert_eq!(
            p.may_publish(&b, 4).unwrap_err().reason(),
            Reason::ReleaseRefused
        );
        // Two chapters are never enough.
        assert!(p.may_decrypt(&[5, 5]).is_err());
        assert!(p.may_publish(&[5, 5], 8).is_err());
        // A chapter whose bound is a table total of 50 dominates any aggregate up to 61.
        let b = [50, 5, 5, 5, 5];
        assert!(p.may_publish(&b, 61).is_err());
        assert!(p.may_publish(&b, 62).is_ok());
        assert!(p.may_decrypt(&b).is_ok());
        // Not even the largest possible aggregate passes: never decrypted.
        assert!(p.may_decrypt(&[200, 2, 2]).is_err());
        assert!(p.may_decrypt(&[2, 2, 2]).is_err());
        assert!(ReleasePolicy::new(1).is_err());
        assert!(p.may_publish(&[u64::MAX, u64::MAX, 2], u64::MAX).is_err());
    }
}
