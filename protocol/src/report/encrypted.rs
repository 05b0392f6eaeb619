//! Encrypted withheld cells in a report (issue 14, docs/protocol.md §8.1 and §17.3).
//!
//! A chapter that has pinned the federation's joint key sends, beside each cell it withholds, an
//! [`EncryptedEntry`]: the exact value encrypted to the joint key with a range proof that it lies
//! in `0..bound`. The report names the key by its id ([`Report::joint_key`]).
//!
//! **The bound is public.** A range proof states "this value is below `bound`" to everyone who
//! reads the report. So the bound must not say more than the published cells already say: it is
//! `hi + 1`, where `[lo, hi]` is the withheld cell's feasible interval computed from the published
//! cells alone ([`crate::disclosure::intervals_report`], what an attacker computes). A bound of
//! `k` on a primary-suppressed cell would tell every reader "this cell is below k", which the
//! disclosure rule (§9.1, `hi >= k` whenever achievable) exists to prevent. When the intervals
//! give no finite `hi` the metric's total plus one is used (totals are always published). A
//! receiver recomputes every bound with [`public_bounds`] and refuses an entry whose bound
//! differs (`bad-bound`).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{Cell, CellKey, CellValue, PublicCampaign, Report};
use crate::error::{Error, Reason, Result};
use crate::threshold::{EncryptedCell, JointKey, MAX_BOUND};

/// One withheld cell's encrypted value.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedEntry {
    /// The withheld cell it belongs to.
    pub key: CellKey,
    /// The ciphertext and its range proof.
    pub cell: EncryptedCell,
}

impl PartialEq for EncryptedEntry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
            && self.cell.bound == other.cell.bound
            && self.cell.ciphertext == other.cell.ciphertext
            && serde_json::to_vec(&self.cell.proof).ok()
                == serde_json::to_vec(&other.cell.proof).ok()
    }
}

impl Eq for EncryptedEntry {}

/// The public bound of every withheld cell: `hi + 1` from the published cells' feasible
/// intervals, or the metric's total plus one when they give no finite `hi`. A withheld cell
/// whose bound would fall outside `2..=`[`MAX_BOUND`] has none (it cannot travel encrypted).
pub fn public_bounds(cells: &[Cell], campaigns: &[PublicCampaign]) -> BTreeMap<CellKey, u64> {
    if !cells.iter().any(|c| c.value == CellValue::Suppressed) {
        return BTreeMap::new();
    }
    let intervals = crate::disclosure::intervals_report(cells, campaigns);
    let totals: HashMap<&str, u64> = cells
        .iter()
        .filter(|c| c.key.dims.is_empty())
        .filter_map(|c| c.value.count().map(|v| (c.key.metric.as_str(), v)))
        .collect();
    cells
        .iter()
        .filter(|c| c.value == CellValue::Suppressed)
        .filter_map(|c| {
            let hi = intervals
                .get(&c.key)
                .map(|&(_, hi)| hi)
                .filter(|&hi| hi != u64::MAX)
                .or_else(|| totals.get(c.key.metric.as_str()).copied())?;
            let bound = hi.checked_add(1)?;
            (2..=MAX_BOUND)
                .contains(&bound)
                .then(|| (c.key.clone(), bound))
        })
        .collect()
}

/// Checks the shape of a report's encrypted entries, without keys (part of
/// [`Report::validate`]): `joint_key` present exactly when there are entries (`malformed`); every
/// entry belongs to a withheld cell of the report, at most one per cell, in the order of the
/// cells (`invalid-cell`).
pub(super) fn validate_shape(report: &Report) -> Result<()> {
    if report.encrypted.is_empty() != report.joint_key.is_none() {
        return Err(Error::malformed(
            "a report names a joint key exactly when it carries encrypted cells",
        ));
    }
    if report.encrypted.is_empty() {
        return Ok(());
    }
    let position: HashMap<&CellKey, (usize, CellValue)> = report
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.key, (i, c.value)))
        .collect();
    let mut last: Option<usize> = None;
    for e in &report.encrypted {
        let Some(&(i, value)) = position.get(&e.key) else {
            return Err(Error::new(
                Reason::InvalidCell,
                format!("encrypted cell {} is not a cell of the report", e.key),
            ));
        };
        if value != CellValue::Suppressed {
            return Err(Error::new(
                Reason::InvalidCell,
                format!("encrypted cell {} is published, not withheld", e.key),
            ));
        }
        if last.is_some_and(|l| l >= i) {
            return Err(Error::new(
                Reason::InvalidCell,
                format!(
                    "encrypted cell {} is repeated or out of the cells' order",
                    e.key
                ),
            ));
        }
        last = Some(i);
    }
    Ok(())
}

impl Report {
    /// Checks every encrypted entry against the joint key the receiver holds: the report must
    /// name `key` (`unknown-joint-key`), every bound must be the public bound
    /// ([`public_bounds`], `bad-bound`) and every range proof must verify (`bad-range-proof`).
    /// A report without entries passes.
    pub fn check_encrypted(&self, key: &JointKey) -> Result<()> {
        let Some(id) = self.joint_key else {
            return Ok(());
        };
        if id != key.id() {
            return Err(Error::new(
                Reason::UnknownJointKey,
                format!(
                    "the report's cells are encrypted to joint key {id}, not {}",
                    key.id()
                ),
            ));
        }
        let bounds = public_bounds(&self.cells, &self.campaigns);
        for e in &self.encrypted {
            let want = bounds.get(&e.key).copied();
            if want != Some(e.cell.bound) {
                return Err(Error::new(
                    Reason::BadBound,
                    match want {
                        Some(b) => format!(
                            "encrypted cell {} is proven below {}, but its public bound is {b}",
                            e.key, e.cell.bound
                        ),
                        None => format!("encrypted cell {} has no public bound", e.key),
                    },
                ));
            }
            e.cell
                .verify(key)
                .map_err(|err| err.context(format!("encrypted cell {}", e.key)))?;
        }
        Ok(())
    }

    /// Encrypts the exact value of every withheld cell to `key` with its public bound and names
    /// the key, replacing any entries already there. `exact` gives the withheld cells' values
    /// (cells missing from it, or whose value is not below the public bound, stay without an
    /// entry). Call after suppression, before signing.
    pub fn encrypt_withheld(
        &mut self,
        key: &JointKey,
        exact: &BTreeMap<CellKey, u64>,
    ) -> Result<()> {
        let bounds = public_bounds(&self.cells, &self.campaigns);
        let mut entries = Vec::new();
        for c in self
            .cells
            .iter()
            .filter(|c| c.value == CellValue::Suppressed)
        {
            let (Some(&bound), Some(&value)) = (bounds.get(&c.key), exact.get(&c.key)) else {
                continue;
            };
            if value >= bound {
                continue;
            }
            entries.push(EncryptedEntry {
                key: c.key.clone(),
                cell: EncryptedCell::encrypt(key, value, bound)?,
            });
        }
        self.joint_key = (!entries.is_empty()).then(|| key.id());
        self.encrypted = entries;
        Ok(())
    }
}
