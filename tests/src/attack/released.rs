//! The attacker holding released aggregates of encrypted cells (issue 14): the chapters'
//! published reports, the bound of every encrypted cell's range proof, and every aggregate the
//! release rule let trustees decrypt and hubs publish.
//!
//! Unknowns: each chapter's withheld cells (at least 1: zeros are published), as in
//! [`super::attack_report`]. Constraints: every chapter's published cells and the relations of
//! [`super::relations`] (each chapter's own program), each range proof's bound
//! ([`RANGE_PROOFS`]: a withheld cell is below the bound its proof showed, which is public), and
//! each released aggregate as an exact equation over the chapters it sums ([`RELEASED`]). The
//! released aggregates are what ties the chapters' programs together.
//!
//! Every chapter's withheld cell of the keys asked for is a target. The disclosure rule asks of a
//! withheld cell that it not be narrower than k ([`super::CellBound::narrower_than`]); a cell
//! whose range proof's bound is at most k is narrower than k from its bound alone (that is what
//! encrypting it with a proof shows), and for it the releases must teach nothing: its interval
//! stays the one the same program gives without any release. [`protected`] states both.

use std::collections::{BTreeMap, BTreeSet};

use shopfloor_protocol::{Cell, CellKey, CellValue, Report};

use super::model::{Lin, Model, Var};
use super::relations::{self, MARGINS, Source as _};
use super::{AttackResult, CellBound, ReportSource, analyse, public_campaigns};

/// Each encrypted cell is below the bound its range proof showed.
pub const RANGE_PROOFS: &str = "range-proofs";
/// A released aggregate: the exact sum of one cell over its chapters.
pub const RELEASED: &str = "released";

/// One chapter as the attacker sees it.
#[derive(Clone, Debug)]
pub struct Chapter<'r> {
    /// The chapter's id (the name aggregates use).
    pub id: String,
    /// Its published report.
    pub report: &'r Report,
    /// The (exclusive) bound of each withheld cell's range proof.
    pub bounds: BTreeMap<CellKey, u64>,
}

/// An aggregate the hubs published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleasedAggregate {
    /// The cell.
    pub key: CellKey,
    /// The chapters summed.
    pub chapters: Vec<String>,
    /// The value.
    pub value: u64,
}

/// The bounds a chapter proves for its withheld cells, as issue 14 sets them: `k` for a cell
/// below `k` (primary suppression), the metric's total plus one otherwise (complementary).
/// `truth` are the chapter's true cells (only the chapter knows which are primary).
pub fn range_bounds(report: &Report, truth: &[Cell]) -> BTreeMap<CellKey, u64> {
    let value = |key: &CellKey| {
        truth
            .iter()
            .find(|c| &c.key == key)
            .and_then(|c| c.value.count())
            .unwrap_or(0)
    };
    let k = report.policy.k;
    report
        .cells
        .iter()
        .filter(|c| c.value == CellValue::Suppressed)
        .map(|c| {
            let v = value(&c.key);
            let bound = if v < k {
                k
            } else {
                value(&CellKey::total(&c.key.metric)).saturating_add(1)
            };
            (c.key.clone(), bound)
        })
        .collect()
}

/// The attack: every chapter's withheld cell of `keys` bounded under every chapter's relations,
/// the range proofs and the `released` aggregates. Returns the result and, for each of its
/// cells, the chapter it belongs to.
pub fn attack_released(
    case: &str,
    k: u64,
    chapters: &[Chapter<'_>],
    released: &[ReleasedAggregate],
    keys: &BTreeSet<CellKey>,
) -> (AttackResult, Vec<String>) {
    let mut m = Model::default();
    let mut srcs: Vec<ReportSource<'_>> = Vec::with_capacity(chapters.len());
    for ch in chapters {
        let mut src = ReportSource::new(ch.report, &format!("{}: ", ch.id));
        relations::all(&mut src, &mut m, &public_campaigns(ch.report));
        src.touch_all(&mut m);
        for (key, var) in src.vars() {
            if let Some(b) = ch.bounds.get(key) {
                let most = i64::try_from(b.saturating_sub(1)).unwrap_or(i64::MAX);
                m.le(RANGE_PROOFS, &Lin::var(*var), &Lin::constant(most));
            }
        }
        srcs.push(src);
    }
    let index: BTreeMap<&str, usize> = chapters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    for r in released {
        let mut parts = Vec::with_capacity(r.chapters.len());
        for id in &r.chapters {
            if let Some(src) = index.get(id.as_str()).and_then(|i| srcs.get_mut(*i)) {
                parts.push(src.cell(&mut m, &r.key));
            }
        }
        let value = i64::try_from(r.value).unwrap_or(i64::MAX);
        m.eq(RELEASED, &Lin::sum(&parts), &Lin::constant(value));
    }
    let mut targets: Vec<(String, Option<CellKey>, Var)> = Vec::new();
    let mut owners = Vec::new();
    for (ch, src) in chapters.iter().zip(&srcs) {
        for (key, var) in src.vars() {
            if keys.contains(key) {
                targets.push((format!("{}: {key}", ch.id), Some(key.clone()), *var));
                owners.push(ch.id.clone());
            }
        }
    }
    let result = analyse(
        case.to_owned(),
        k,
        &m,
        targets,
        &[MARGINS, RANGE_PROOFS, RELEASED],
        false,
    );
    (result, owners)
}

/// Whether a cell is protected as the disclosure rule demands: not narrower than k, or, when
/// its range proof already makes it so, exactly as wide as without any release (`baseline`).
pub fn protected(cell: &CellBound, baseline: &CellBound, k: u64) -> bool {
    !cell.narrower_than(k) || (cell.lo, cell.hi) == (baseline.lo, baseline.hi)
}
