//! Disclosure control: primary and complementary cell suppression, and the audit that checks it.
//!
//! # The threat
//!
//! Reports travel from chapters to hubs and hubs publish rollups. Assume a hostile employer reads
//! every published cell, knows the registry (which tables a metric has and that they add up),
//! knows that zeros are always published, and therefore that a withheld cell is at least 1. A
//! small count (`0 < v < k`) about one sector, union status or county may single out a member;
//! the employer must not learn such a count, neither because it is printed nor because it can be
//! worked out from the printed cells by adding and subtracting.
//!
//! # The specification
//!
//! docs/protocol.md §9 (Disclosure control) specifies this module; §2.2 has the node run
//! [`suppress`] and then [`check`] before signing, and receivers run [`check`] as a step separate
//! from payload validation (§8.2). Its rule, §9.1, quoted:
//!
//! > - **Totals are published.** A metric's total (no dimensions) is never withheld, whatever its
//! >   size: readers need it to trust the sums, and it is the margin complementary suppression
//! >   protects against. **Zeros are published.** So every withheld cell is known to be ≥ 1.
//! >   (Residual risk: a small total itself says that all of its metric's cells are small; see the
//! >   threat model §5.)
//! > - **Primary**: every non-total cell with `0 < v < k` is withheld.
//! > - **Protection rule**: for each withheld cell, its *feasible interval* `[lo, hi]` is the
//! >   range of values it takes over all assignments of integers ≥ 1 to the withheld cells that
//! >   make every line add up, published cells fixed. Each withheld cell MUST have `hi − lo ≥ 1`
//! >   (not exactly determined) and `hi ≥ k` (not known to be small) — **whenever achievable**: a
//! >   condition is achievable for a cell if it would hold with every non-zero non-total cell of
//! >   the metric withheld. What is not achievable (an intrinsically small table, e.g. a total of
//! >   3) is accepted residual risk.
//!
//! §9.2 to §9.4 describe [`suppress`], [`audit`] and [`check`] as below; the finding codes are
//! [`Problem::code`].
//!
//! # Tables and lines
//!
//! A metric's total (no dimensions) is always published. Each 1-D table `[a]` sums to the total;
//! each 2-D table `[a, b]` has rows (fixed `a`) that sum to the 1-D cell `[a = x]` and columns
//! (fixed `b`) that sum to `[b = y]`. A cell absent from the list is a published zero. A **line**
//! is a set of cells with the margin they sum to: a 1-D table with the total, or one row or column
//! of a 2-D table with its 1-D margin cell. The margin of a 2-D line is itself a cell of a 1-D
//! table and may be withheld. Lines are read off the cells themselves: a table is present in a
//! report when at least one of its cells is listed, and then every margin cell of that table's
//! margin tables heads a line (possibly of zeros).
//!
//! # The protection rule, and what "achievable" means
//!
//! For a withheld cell, its *feasible interval* `[lo, hi]` is the smallest and largest value it
//! can take in any assignment of integers `>= 1` to the withheld cells that makes every line add
//! up, the published cells being fixed. The rule: for every withheld cell `hi - lo >= 1` (never
//! exactly determined) and `hi >= k` (a reader cannot conclude it is a small count), each
//! whenever achievable, that is, whenever it would hold with every non-zero non-total cell of
//! the metric withheld (the most any suppression can withhold, since totals and zeros are always
//! published). Some tables are *intrinsically small*: a total of 3 tells every reader that all
//! the metric's cells are small, whatever is withheld.
//!
//! This is the exact form of the line-by-line test "some line through the cell has a published
//! margin `M >= k + n - 1`, with `n` the non-zero cells of the line". The line test can call a
//! cell protectable while the other cells of its line are capped from below by their own rows (a
//! sector of 8 members spread over 8 union statuses is at least 8 whatever is withheld, so with a
//! total of 11 its neighbour is at most 3), and the audit must not demand the impossible. What
//! is not achievable is residual risk, accepted and documented (threat model §5): the reader
//! learns only what the always-published totals and zeros imply.
//!
//! # How [`suppress`] works
//!
//! 1. Primary: every non-total cell with `0 < v < k` is withheld.
//! 2. Line rule, repeated until nothing changes: for every line with withheld cells `S` and a
//!    published margin `M`, the remainder `R = M - (sum of the published cells of the line)` must
//!    satisfy `R >= k + |S| - 1` (so each withheld cell may be as large as `k` as far as this line
//!    tells), and `|S| >= 2` (one withheld cell alone equals `R`). While it does not, the
//!    smallest published non-zero cell of the line is withheld (ties broken by [`CellKey`] order):
//!    the least information lost. When no such cell is left the line is intrinsically small and
//!    is left alone. A line whose margin is withheld needs at least one withheld cell besides the
//!    margin (else the margin is their sum); its cells are otherwise protected through the other
//!    lines they are in.
//! 3. The line rule looks at one line at a time and cannot see everything: in a 2-D table a
//!    withheld cell that is a "bridge" between two groups of withheld cells is determined exactly
//!    even though every row and column holds two withheld cells, and the lower bounds `>= 1`
//!    interact across lines. So the audit below is run on the result, and for every finding one
//!    more cell is withheld, one per connected group of withheld cells at a time; then step 2
//!    again, until the audit is clean. The cell is chosen among the published non-zero cells
//!    near the offending cell: those in its own lines and relations first, then in the lines and
//!    relations of the withheld cells those reach, and so on outwards, each layer smallest first.
//!    In that order each is *tried*: withheld on a copy, step 2 applied, and the offending cell
//!    judged again; the first after which it passes is withheld. If none does alone (or the
//!    group's budget of 400 trials is spent), the first in that order is withheld.
//!
//!    Trying matters where relations tie tables together. Members without a workplace are unknown
//!    in sector, state and stage at once; once the sector table's unknown cell is withheld, the
//!    published count of members whose state is unknown pins it, and withholding the smallest
//!    nearby cell each round (the rule before trials) withheld cell after cell of the sector
//!    tables, all of which left it pinned, before it reached the one that freed it: on the
//!    250-chapter demo's data, 37,718 of the 54,870 cells were withheld that way and 35,216 with
//!    trials (0.93×); 214 chapters withhold fewer cells, 2 withhold more (by one and two cells),
//!    and 51 of the 139 chapters that withheld their whole union-status table now publish part
//!    of it (docs/performance.md, "Disclosure control").
//!
//! Withholding more only widens feasible intervals, and withholding every non-zero non-total cell
//! satisfies the rule by the definition of achievable, so the loop ends with a clean audit after
//! at most as many rounds as there are cells.
//!
//! The rounds are incremental and withhold the cells that auditing everything each round would
//! (byte for byte on the benchmark's chapters; they can differ only where exact arithmetic gives
//! up and the bounds fall back to propagation, and the loop still ends on a clean audit): a
//! connected group of withheld cells whose members did not change since a round that solved it
//! has the same equations, so its intervals are taken from that round; a group is solved only
//! up to its first finding that step 3 acts on (the cells after it are judged in a later round,
//! once the group has changed anyway); and the intervals under maximal suppression, which decide
//! what is achievable, are solved once for every cell, the first time a finding needs them.
//!
//! # How [`audit`] works
//!
//! [`audit`] and [`suppress`] work per metric, from table margins alone. The whole-report forms,
//! [`audit_report`], [`suppress_report`] and [`check_report`], also take every relation the
//! registry states between metrics ([`crate::relations::constraints`], docs/protocol.md §9.1.1):
//! metrics tied by a relation form one group, and each inequality `sum <= rhs` becomes an equation
//! with a slack variable. With those, the system is not always totally unimodular, and the bounds
//! below are the linear relaxation's rounded inwards (they contain the integer truth). Within a
//! group, the withheld cells are unknowns `x_i >= 1` and each line is an equation
//! `sum of cells = margin` in them. The constraint matrix of 1-D tables and 2-D tables with their
//! margins is a network matrix (a 2-D table with its margins is a transportation problem), hence
//! totally unimodular: the linear programme's optimum over the reals is attained at an integer
//! point, so `lo_i = min x_i` and `hi_i = max x_i` computed by linear programming are the exact
//! integer bounds. The solver is a dense two-phase simplex with Bland's rule in exact rational
//! arithmetic (`i128` fractions with checked operations), run per connected group of withheld
//! cells, warm-started from one objective to the next. Outside that structure (relations between
//! metrics; tables that valid reports do not contain) the bounds are rounded inwards to integers
//! and may be wider than the integer truth; they always contain it. Should exact arithmetic overflow or the pivot budget
//! run out, the bounds fall back to interval propagation over the lines, which also contains the
//! truth. Feasible points found along the way certify most cells as safe without solving both of
//! their programmes; a cell reported in a [`Finding`] always has its exact interval.
//!
//! Interval propagation alone is not an audit: it gives an outer bound, wider than the truth, so
//! a cell that passes propagation may still be exactly determined.
//!
//! # What this does not cover
//!
//! Suppression works within one report. Differencing across periods and revisions (a sector
//! going from 7 to 6 the month someone was fired) is outside it (threat model §5). Rollup cells
//! are sums and are not suppressed by the protocol; hubs apply their viewer rule when they
//! display them (docs/protocol.md §9.5).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::error::{Error, Reason, Result};
use crate::registry::Dim;
use crate::relations::{self, Constraint};
use crate::report::{Cell, CellKey, CellValue, DisclosurePolicy, PublicCampaign};

#[cfg(doc)]
use crate::report::check_tables;

/// What [`suppress`] withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SuppressionSummary {
    /// Cells withheld because their count was `0 < v < k`.
    pub primary: usize,
    /// Cells withheld to protect other withheld cells.
    pub complementary: usize,
}

/// What is wrong with a cell, according to [`audit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Problem {
    /// A published count `0 < v < k` in a cell other than a total.
    PublishedBelowK,
    /// A withheld cell whose value the published cells determine exactly, where withholding more
    /// cells could have prevented it.
    Exact,
    /// A withheld cell that the published cells show to be below `k`, where withholding more
    /// cells could have prevented it.
    KnownSmall,
    /// The published cells of this metric do not add up (no assignment of values `>= 1` to the
    /// withheld cells satisfies every line), so nothing can be judged. The finding names the
    /// metric's total, with `lo = hi = 0`.
    Inconsistent,
}

impl Problem {
    /// A stable kebab-case code for the problem.
    pub fn code(self) -> &'static str {
        match self {
            Problem::PublishedBelowK => "published-below-k",
            Problem::Exact => "exact",
            Problem::KnownSmall => "known-small",
            Problem::Inconsistent => "inconsistent",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A cell that breaks the protection rule, with what a reader can infer about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The cell.
    pub key: CellKey,
    /// The smallest value the cell can have given the published cells (the value itself for
    /// [`Problem::PublishedBelowK`]).
    pub lo: u64,
    /// The largest value the cell can have given the published cells.
    pub hi: u64,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem {
            Problem::PublishedBelowK => write!(f, "{} publishes {}, below k", self.key, self.lo),
            Problem::Exact => write!(
                f,
                "withheld cell {} is exactly {} given the published cells",
                self.key, self.lo
            ),
            Problem::KnownSmall => write!(
                f,
                "withheld cell {} is between {} and {} given the published cells, below k",
                self.key, self.lo, self.hi
            ),
            Problem::Inconsistent => write!(
                f,
                "the published cells of metric {} do not add up",
                self.key.metric
            ),
        }
    }
}

/// Applies primary and complementary suppression in place.
///
/// `cells` hold exact counts ([`CellValue::Count`]) for any number of metrics, totals included.
/// Every non-total cell with `0 < v < k` is withheld (primary); then further non-zero, non-total
/// cells are withheld until [`audit`] finds nothing (complementary), as the
/// [module documentation](self) explains. Totals and zeros are never withheld; cells are never
/// added, removed or reordered. Cells already withheld on input are taken as withheld cells of
/// unknown value. The result does not depend on the order of `cells`, and tables that passed
/// [`check_tables`] still pass it.
///
/// Never panics; on input that does not add up it does what it can and leaves the rest (the
/// audit then reports [`Problem::Inconsistent`]).
// The signature is the crate's published API; a `Vec` leaves room to drop explicit zeros later.
#[allow(clippy::ptr_arg)]
pub fn suppress(cells: &mut Vec<Cell>, policy: &DisclosurePolicy) -> SuppressionSummary {
    suppress_under(cells, policy, &[], TRIALS)
}

/// [`suppress`] for a whole report: besides every table's margins it protects against every
/// relation the registry states between the report's cells ([`relations::constraints`]), and
/// against what the report's public campaigns reveal. This is what a node runs before signing.
#[allow(clippy::ptr_arg)]
pub fn suppress_report(
    cells: &mut Vec<Cell>,
    policy: &DisclosurePolicy,
    campaigns: &[PublicCampaign],
) -> SuppressionSummary {
    let constraints = relations::constraints(cells, campaigns);
    suppress_under(cells, policy, &constraints, TRIALS)
}

/// [`suppress`] under `constraints`, with at most `trials` trial analyses per group (no trials:
/// every finding takes the nearest smallest candidate).
fn suppress_under(
    cells: &mut [Cell],
    policy: &DisclosurePolicy,
    constraints: &[Constraint],
    trials: usize,
) -> SuppressionSummary {
    let k = policy.k;
    let mut summary = SuppressionSummary::default();
    for cell in cells.iter_mut() {
        if let CellValue::Count(v) = cell.value
            && !cell.key.dims.is_empty()
            && v > 0
            && v < k
        {
            cell.value = CellValue::Suppressed;
            summary.primary += 1;
        }
    }
    let mut withhold = Vec::new();
    for group in joint_groups(cells, constraints) {
        let keys: Vec<&CellKey> = group.keys().copied().collect();
        let positions: Vec<&Vec<usize>> = group.values().map(|(_, p)| p).collect();
        let before: Vec<CellValue> = group.values().map(|(v, _)| *v).collect();
        let model = Model::build(keys, constraints);
        let mut states = before.clone();
        protect(&model, &mut states, k, trials);
        for ((old, new), pos) in before.iter().zip(&states).zip(&positions) {
            if old != new {
                summary.complementary += 1;
                withhold.extend(pos.iter().copied());
            }
        }
    }
    for pos in withhold {
        if let Some(cell) = cells.get_mut(pos)
            && cell.value != CellValue::Count(0)
        {
            cell.value = CellValue::Suppressed;
        }
    }
    summary
}

/// Checks published cells against the protection rule with minimum cell size `k`.
///
/// Works from what a reader sees: published counts, withheld cells (each at least 1), and zeros
/// for absent cells. Reports published counts `0 < v < k` outside totals, withheld cells that are
/// exactly determined or known to be below `k` where more suppression could have prevented it,
/// and metrics whose published cells do not add up. Findings are sorted by cell. An empty result
/// means the cells are safe to publish. Never panics.
pub fn audit(cells: &[Cell], k: u64) -> Vec<Finding> {
    audit_under(cells, k, &[])
}

/// [`audit`] for a whole report: intervals are computed from every table margin **and** every
/// relation the registry states between the report's cells, and the report's public campaigns,
/// jointly. This is what a node checks before signing and what a hub re-checks at ingest.
///
/// Cross-metric relations are inequalities, so the joint system is not always totally
/// unimodular: where it is not, the bounds are those of the linear relaxation rounded inwards to
/// integers, which contain the integer truth but may be wider than it (the attacker's test in the
/// testbed computes the integer bounds independently).
pub fn audit_report(cells: &[Cell], k: u64, campaigns: &[PublicCampaign]) -> Vec<Finding> {
    audit_under(cells, k, &relations::constraints(cells, campaigns))
}

fn audit_under(cells: &[Cell], k: u64, constraints: &[Constraint]) -> Vec<Finding> {
    let mut out = Vec::new();
    for cell in cells {
        if let CellValue::Count(v) = cell.value
            && !cell.key.dims.is_empty()
            && v > 0
            && v < k
        {
            out.push(Finding {
                key: cell.key.clone(),
                lo: v,
                hi: v,
                problem: Problem::PublishedBelowK,
            });
        }
    }
    for group in joint_groups(cells, constraints) {
        let keys: Vec<&CellKey> = group.keys().copied().collect();
        let states: Vec<CellValue> = group.values().map(|(v, _)| *v).collect();
        let model = Model::build(keys, constraints);
        let mut cache = BTreeMap::new();
        let evaluation = evaluate(&model, &states, k, &mut cache);
        if evaluation.inconsistent {
            // Name the metrics whose own tables do not add up; else the relation broke.
            let metrics: BTreeSet<&str> = model.keys.iter().map(|k| k.metric.as_str()).collect();
            let own: Vec<&str> = metrics
                .iter()
                .copied()
                .filter(|m| {
                    let (keys, states): (Vec<&CellKey>, Vec<CellValue>) = model
                        .keys
                        .iter()
                        .zip(&states)
                        .filter(|(k, _)| k.metric == *m)
                        .map(|(k, s)| (*k, *s))
                        .unzip();
                    analyze(&Model::build(keys, &[]), &states, None, Mode::Exact).inconsistent
                })
                .collect();
            // A metric that adds up on its own but breaks a relation is named by the group's
            // first metric: the relation ties the group together.
            let named = if own.is_empty() {
                metrics.first().copied().into_iter().collect()
            } else {
                own
            };
            for metric in named {
                out.push(Finding {
                    key: CellKey::total(metric),
                    lo: 0,
                    hi: 0,
                    problem: Problem::Inconsistent,
                });
            }
            continue;
        }
        for (node, problem, iv) in evaluation.findings {
            if let Some(key) = model.keys.get(node) {
                let (lo, hi) = iv.to_u64();
                out.push(Finding {
                    key: (*key).clone(),
                    lo,
                    hi,
                    problem,
                });
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key).then(a.problem.cmp(&b.problem)));
    out
}

/// The feasible interval `(lo, hi)` of every withheld cell, computed from the published cells as
/// [`audit`] does (exactly, for every cell). `hi` is `u64::MAX` when nothing bounds the cell
/// (which cannot happen when totals are published). Cells of a metric whose published cells do
/// not add up are left out.
pub fn intervals(cells: &[Cell]) -> BTreeMap<CellKey, (u64, u64)> {
    intervals_under(cells, &[])
}

/// [`intervals`] under every relation of a whole report, as [`audit_report`] computes them.
pub fn intervals_report(
    cells: &[Cell],
    campaigns: &[PublicCampaign],
) -> BTreeMap<CellKey, (u64, u64)> {
    intervals_under(cells, &relations::constraints(cells, campaigns))
}

/// [`intervals_report`] once some withheld cells are known to lie in narrower intervals (what
/// range proofs and released aggregates of encrypted cells show, docs/threat-model.md §10,
/// clause 10): the feasible interval of every withheld cell in a group that holds one of
/// `touched`, under the report's relations and `lo <= cell <= hi` for each of `narrowed`.
/// `None` when no value of the report fits those intervals (a group becomes inconsistent), or
/// a bound does not fit the constraints' integers.
pub fn intervals_within(
    cells: &[Cell],
    campaigns: &[PublicCampaign],
    narrowed: &BTreeMap<CellKey, (u64, u64)>,
    touched: &BTreeSet<&CellKey>,
) -> Option<BTreeMap<CellKey, (u64, u64)>> {
    let mut constraints = relations::constraints(cells, campaigns);
    for (key, (lo, hi)) in narrowed {
        let lo = i64::try_from(*lo).ok()?;
        let hi = i64::try_from(*hi).ok()?;
        constraints.push(Constraint {
            terms: vec![(key.clone(), 1)],
            rhs: hi,
            equal: false,
            why: "a released aggregate's upper end",
        });
        constraints.push(Constraint {
            terms: vec![(key.clone(), -1)],
            rhs: -lo,
            equal: false,
            why: "a released aggregate's lower end",
        });
    }
    let mut out = BTreeMap::new();
    for group in joint_groups(cells, &constraints) {
        if !touched.iter().any(|k| group.contains_key(*k)) {
            continue;
        }
        let keys: Vec<&CellKey> = group.keys().copied().collect();
        let states: Vec<CellValue> = group.values().map(|(v, _)| *v).collect();
        let model = Model::build(keys, &constraints);
        let analysis = analyze(&model, &states, None, Mode::Exact);
        if analysis.inconsistent {
            return None;
        }
        for (node, iv) in analysis.intervals {
            if let Some(key) = model.keys.get(node) {
                out.insert((*key).clone(), iv.to_u64());
            }
        }
    }
    Some(out)
}

fn intervals_under(cells: &[Cell], constraints: &[Constraint]) -> BTreeMap<CellKey, (u64, u64)> {
    let mut out = BTreeMap::new();
    for group in joint_groups(cells, constraints) {
        let keys: Vec<&CellKey> = group.keys().copied().collect();
        let states: Vec<CellValue> = group.values().map(|(v, _)| *v).collect();
        let model = Model::build(keys, constraints);
        let analysis = analyze(&model, &states, None, Mode::Exact);
        if analysis.inconsistent {
            continue;
        }
        for (node, iv) in analysis.intervals {
            if let Some(key) = model.keys.get(node) {
                out.insert((*key).clone(), iv.to_u64());
            }
        }
    }
    out
}

/// Runs [`audit`] and turns its first finding into an error: [`Reason::SumMismatch`] for a metric
/// that does not add up, [`Reason::DisclosureViolation`] otherwise.
///
/// The error names the cell but never the values a reader could infer, so it can be logged.
pub fn check(cells: &[Cell], k: u64) -> Result<()> {
    refuse(&audit(cells, k), k)
}

/// [`check`] for a whole report, on [`audit_report`]'s findings: what a node runs before signing
/// and a hub runs at ingest.
pub fn check_report(cells: &[Cell], k: u64, campaigns: &[PublicCampaign]) -> Result<()> {
    refuse(&audit_report(cells, k, campaigns), k)
}

fn refuse(findings: &[Finding], k: u64) -> Result<()> {
    let Some(first) = findings.first() else {
        return Ok(());
    };
    let more = match findings.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let (reason, what) = match first.problem {
        Problem::PublishedBelowK => (
            Reason::DisclosureViolation,
            format!("cell {} publishes a count below k = {k}", first.key),
        ),
        Problem::Exact => (
            Reason::DisclosureViolation,
            format!("withheld cell {} can be derived exactly", first.key),
        ),
        Problem::KnownSmall => (
            Reason::DisclosureViolation,
            format!("withheld cell {} is known to be below k = {k}", first.key),
        ),
        Problem::Inconsistent => (
            Reason::SumMismatch,
            format!(
                "the cells of metric {} do not add up (or break a relation the registry states)",
                first.key.metric
            ),
        ),
    };
    Err(Error::new(reason, format!("{what}{more}")))
}

// ---------------------------------------------------------------------------------------------
// The model of one metric: its cells and lines.

/// One metric's cells by key (first occurrence wins): value and positions in the input.
type Group<'a> = BTreeMap<&'a CellKey, (CellValue, Vec<usize>)>;

fn group(cells: &[Cell]) -> BTreeMap<&str, Group<'_>> {
    let mut out: BTreeMap<&str, Group<'_>> = BTreeMap::new();
    for (pos, cell) in cells.iter().enumerate() {
        out.entry(cell.key.metric.as_str())
            .or_default()
            .entry(&cell.key)
            .or_insert((cell.value, Vec::new()))
            .1
            .push(pos);
    }
    out
}

/// The groups audited together: one per metric, except that metrics tied by a constraint are
/// merged into one group (relations cross metrics).
fn joint_groups<'a>(cells: &'a [Cell], constraints: &[Constraint]) -> Vec<Group<'a>> {
    let groups = group(cells);
    let names: Vec<&str> = groups.keys().copied().collect();
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn root(parent: &[usize], mut x: usize) -> usize {
        while let Some(&p) = parent.get(x) {
            if p == x {
                break;
            }
            x = p;
        }
        x
    }
    for c in constraints {
        let idx: Vec<usize> = c
            .terms
            .iter()
            .filter_map(|(k, _)| names.iter().position(|n| *n == k.metric))
            .collect();
        if let Some(first) = idx.first() {
            for i in &idx {
                let (a, b) = (root(&parent, *first), root(&parent, *i));
                if a != b
                    && let Some(slot) = parent.get_mut(a.max(b))
                {
                    *slot = a.min(b);
                }
            }
        }
    }
    let mut merged: BTreeMap<usize, Group<'a>> = BTreeMap::new();
    for (i, group) in groups.into_values().enumerate() {
        merged.entry(root(&parent, i)).or_default().extend(group);
    }
    merged.into_values().collect()
}

/// A relation between nodes: `sum(coef * node) <= rhs` (or `=`), absent cells dropped as zeros.
#[derive(Debug)]
struct Link {
    terms: Vec<(usize, i128)>,
    rhs: i128,
    equal: bool,
}

/// A line: members sum to the margin. `margin: None` is an absent (zero) margin.
#[derive(Debug)]
struct Line {
    margin: Option<usize>,
    members: Vec<usize>,
}

impl Line {
    fn cells(&self) -> impl Iterator<Item = usize> + '_ {
        self.members.iter().copied().chain(self.margin)
    }
}

/// The cells ("nodes", sorted by key) of one metric and the lines between them.
#[derive(Debug)]
struct Model<'a> {
    keys: Vec<&'a CellKey>,
    lines: Vec<Line>,
    /// For every node, the lines it is a member or the margin of.
    lines_of: Vec<Vec<usize>>,
    /// Relations between the nodes (from the registry), beyond the lines.
    links: Vec<Link>,
    /// For every node, the links it appears in.
    links_of: Vec<Vec<usize>>,
}

impl<'a> Model<'a> {
    fn build(keys: Vec<&'a CellKey>, constraints: &[Constraint]) -> Self {
        let index: BTreeMap<&CellKey, usize> =
            keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let tables: Vec<Vec<Dim>> = keys.iter().map(|k| k.table()).collect();
        // Tables present, per metric (a group may hold several metrics).
        let present: BTreeSet<(&str, &Vec<Dim>)> = keys
            .iter()
            .zip(&tables)
            .filter(|(_, t)| !t.is_empty())
            .map(|(k, t)| (k.metric.as_str(), t))
            .collect();
        let mut map: BTreeMap<(Vec<Dim>, Dim, CellKey), Vec<usize>> = BTreeMap::new();
        for (i, (key, table)) in keys.iter().zip(&tables).enumerate() {
            for free in table {
                let mut margin = (*key).clone();
                margin.dims.remove(free);
                map.entry((table.clone(), *free, margin))
                    .or_default()
                    .push(i);
            }
        }
        // Margin cells of a present table head a line even when the line holds only zeros.
        for (metric, table) in present.iter().filter(|(_, t)| t.len() >= 2) {
            for free in table.iter() {
                let sub: Vec<Dim> = table.iter().copied().filter(|d| d != free).collect();
                for (key, t) in keys.iter().zip(&tables) {
                    if *t == sub && key.metric == *metric {
                        map.entry(((*table).clone(), *free, (*key).clone()))
                            .or_default();
                    }
                }
            }
        }
        let mut lines = Vec::with_capacity(map.len());
        let mut lines_of = vec![Vec::new(); keys.len()];
        for (l, ((_, _, margin), members)) in map.into_iter().enumerate() {
            let line = Line {
                margin: index.get(&margin).copied(),
                members,
            };
            for n in line.cells() {
                if let Some(v) = lines_of.get_mut(n) {
                    v.push(l);
                }
            }
            lines.push(line);
        }
        let mut links = Vec::new();
        let mut links_of = vec![Vec::new(); keys.len()];
        let metrics: BTreeSet<&str> = keys.iter().map(|k| k.metric.as_str()).collect();
        for c in constraints {
            // Groups are merged along constraints, so a constraint belongs to the group holding
            // any of its metrics.
            if !c
                .terms
                .iter()
                .any(|(k, _)| metrics.contains(k.metric.as_str()))
            {
                continue;
            }
            let terms: Vec<(usize, i128)> = c
                .terms
                .iter()
                .filter_map(|(k, coef)| index.get(k).map(|n| (*n, i128::from(*coef))))
                .collect();
            for (n, _) in &terms {
                if let Some(v) = links_of.get_mut(*n) {
                    v.push(links.len());
                }
            }
            links.push(Link {
                terms,
                rhs: i128::from(c.rhs),
                equal: c.equal,
            });
        }
        Model {
            keys,
            lines,
            lines_of,
            links,
            links_of,
        }
    }

    fn is_total(&self, node: usize) -> bool {
        self.keys.get(node).is_none_or(|k| k.dims.is_empty())
    }

    /// The value of a node that may still be withheld: published, non-zero, not a total.
    fn candidate(&self, states: &[CellValue], node: usize) -> Option<u64> {
        match states.get(node) {
            Some(CellValue::Count(v)) if *v > 0 && !self.is_total(node) => Some(*v),
            _ => None,
        }
    }

    /// The smallest candidate among `nodes`, ties broken by key.
    fn smallest(&self, states: &[CellValue], nodes: impl Iterator<Item = usize>) -> Option<usize> {
        nodes
            .filter_map(|n| Some((self.candidate(states, n)?, self.keys.get(n)?, n)))
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
            .map(|(_, _, n)| n)
    }
}

fn is_withheld(states: &[CellValue], node: usize) -> bool {
    states.get(node) == Some(&CellValue::Suppressed)
}

fn withhold(states: &mut [CellValue], node: usize) {
    if let Some(s) = states.get_mut(node) {
        *s = CellValue::Suppressed;
    }
}

// ---------------------------------------------------------------------------------------------
// Complementary suppression.

/// How many trial analyses [`clearing_candidate`] may run for one group of metrics, in all. Past
/// it, findings take the nearest smallest candidate untried. It bounds a node's suppression time
/// (docs/performance.md, "Disclosure control"): one trial is one solve of the finding's group.
const TRIALS: usize = 400;

/// Complementary suppression of one metric, in place.
fn protect(model: &Model<'_>, states: &mut [CellValue], k: u64, mut trials: usize) {
    let mut cache = BTreeMap::new();
    let mut solved = Solved::new();
    // Every round but the last withholds at least one more cell.
    for _ in 0..=model.keys.len() {
        line_rule(model, states, k);
        let evaluation = evaluate_first(model, states, k, &mut cache, &mut solved);
        if evaluation.inconsistent || evaluation.findings.is_empty() {
            return;
        }
        let mut handled = BTreeSet::new();
        for (node, _, _) in &evaluation.findings {
            let component = evaluation.component.get(node).copied();
            if handled.contains(&component) {
                continue;
            }
            if let Some(c) = clearing_candidate(model, states, k, *node, &mut trials) {
                withhold(states, c);
                handled.insert(component);
            }
        }
        if handled.is_empty() {
            // No candidate is reachable through lines or relations from any finding, yet the
            // findings are avoidable (withholding every candidate avoids them, by definition):
            // withhold the smallest candidate anywhere, so the loop reaches that pattern if
            // nothing sooner clears the findings.
            match model.smallest(states, 0..model.keys.len()) {
                Some(c) => withhold(states, c),
                None => return,
            }
        }
    }
}

/// The candidate to withhold for a finding at `node`: the first, in the order of [`Layers`],
/// after whose withholding (and the line rule) the published cells no longer break the rule at
/// `node`; if none does alone, or `trials` runs out, the nearest smallest
/// ([`nearest_candidate`]).
///
/// The nearest smallest candidate alone often leaves the finding as it was: a withheld cell
/// pinned by a relation to a cell of another table (members without a workplace, pinned by the
/// members whose state is unknown) stays pinned while cell after cell of its own tables is
/// withheld, and the rounds cascade through whole tables before they reach the one cell that
/// frees it.
fn clearing_candidate(
    model: &Model<'_>,
    states: &[CellValue],
    k: u64,
    node: usize,
    trials: &mut usize,
) -> Option<usize> {
    let mut layers = Layers::new(model, states, node);
    let first = layers.next()?;
    let nearest = first.first().copied();
    let only = BTreeSet::from([node]);
    let mut trial = states.to_vec();
    for c in first.into_iter().chain(layers.flatten()) {
        if *trials == 0 {
            break;
        }
        *trials -= 1;
        trial.copy_from_slice(states);
        withhold(&mut trial, c);
        line_rule(model, &mut trial, k);
        let analysis = analyze(model, &trial, Some(&only), Mode::Judge(k));
        let clear = !analysis.inconsistent
            && analysis
                .intervals
                .get(&node)
                .is_some_and(|iv| iv.judge(k).is_none());
        if clear {
            return Some(c);
        }
    }
    nearest
}

/// Applies the line rule until nothing changes.
fn line_rule(model: &Model<'_>, states: &mut [CellValue], k: u64) {
    for _ in 0..=model.keys.len() {
        let mut changed = false;
        for line in &model.lines {
            changed |= protect_line(model, line, states, k);
        }
        if !changed {
            return;
        }
    }
}

fn protect_line(model: &Model<'_>, line: &Line, states: &mut [CellValue], k: u64) -> bool {
    let margin = match line.margin {
        None => Some(0),
        Some(m) => states.get(m).and_then(|s| s.count()),
    };
    let withheld = |states: &[CellValue]| {
        line.members
            .iter()
            .filter(|m| is_withheld(states, **m))
            .count()
    };
    let mut changed = false;
    match margin {
        Some(total) => loop {
            let s = withheld(states);
            if s == 0 {
                break;
            }
            let published: u128 = line
                .members
                .iter()
                .filter_map(|m| states.get(*m).and_then(|v| v.count()))
                .map(u128::from)
                .sum();
            let Some(remainder) = u128::from(total).checked_sub(published) else {
                break; // does not add up; the audit reports it
            };
            let needed = u128::from(k) + s as u128 - 1;
            if s >= 2 && remainder >= needed {
                break;
            }
            match model.smallest(states, line.members.iter().copied()) {
                Some(c) => {
                    withhold(states, c);
                    changed = true;
                }
                None => break, // intrinsically small
            }
        },
        None => {
            if withheld(states) == 0
                && let Some(c) = model.smallest(states, line.members.iter().copied())
            {
                withhold(states, c);
                changed = true;
            }
        }
    }
    changed
}

/// The smallest candidate in the lines of `start`, else in the lines of the withheld cells those
/// reach, and so on outwards.
fn nearest_candidate(model: &Model<'_>, states: &[CellValue], start: usize) -> Option<usize> {
    Layers::new(model, states, start)
        .next()
        .and_then(|l| l.first().copied())
}

/// The candidates reachable from `start`, layer by layer, computed as they are asked for: those
/// in the lines and relations of `start`, then those in the lines and relations of the withheld
/// cells the first layer holds, and so on outwards; each layer ordered by value, ties broken by
/// key. Empty layers are left out.
struct Layers<'m, 'a, 's> {
    model: &'m Model<'a>,
    states: &'s [CellValue],
    seen_lines: BTreeSet<usize>,
    seen_links: BTreeSet<usize>,
    seen_nodes: BTreeSet<usize>,
    offered: BTreeSet<usize>,
    frontier: Vec<usize>,
}

impl<'m, 'a, 's> Layers<'m, 'a, 's> {
    fn new(model: &'m Model<'a>, states: &'s [CellValue], start: usize) -> Self {
        Layers {
            model,
            states,
            seen_lines: BTreeSet::new(),
            seen_links: BTreeSet::new(),
            seen_nodes: BTreeSet::from([start]),
            offered: BTreeSet::new(),
            frontier: vec![start],
        }
    }
}

impl Iterator for Layers<'_, '_, '_> {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        let model = self.model;
        while !self.frontier.is_empty() {
            let mut layer = BTreeSet::new();
            for n in &self.frontier {
                for l in model.lines_of.get(*n).into_iter().flatten() {
                    if self.seen_lines.insert(*l)
                        && let Some(line) = model.lines.get(*l)
                    {
                        layer.extend(line.cells());
                    }
                }
                for l in model.links_of.get(*n).into_iter().flatten() {
                    if self.seen_links.insert(*l)
                        && let Some(link) = model.links.get(*l)
                    {
                        layer.extend(link.terms.iter().map(|(n, _)| *n));
                    }
                }
            }
            let mut candidates: Vec<(u64, &CellKey, usize)> = layer
                .iter()
                .filter(|n| self.offered.insert(**n))
                .filter_map(|n| Some((model.candidate(self.states, *n)?, *model.keys.get(*n)?, *n)))
                .collect();
            candidates.sort();
            self.frontier = layer
                .into_iter()
                .filter(|n| is_withheld(self.states, *n) && self.seen_nodes.insert(*n))
                .collect();
            if !candidates.is_empty() {
                return Some(candidates.into_iter().map(|(_, _, n)| n).collect());
            }
        }
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Judging: intervals against the rule, with achievability.

/// A feasible interval of a withheld cell; `hi: None` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Iv {
    lo: i128,
    hi: Option<i128>,
}

impl Iv {
    const UNKNOWN: Iv = Iv { lo: 1, hi: None };

    fn to_u64(self) -> (u64, u64) {
        let clamp = |v: i128| u64::try_from(v.max(0)).unwrap_or(u64::MAX);
        (clamp(self.lo), self.hi.map_or(u64::MAX, clamp))
    }

    /// What the rule says about this interval, ignoring achievability.
    fn judge(self, k: u64) -> Option<Problem> {
        if self.hi == Some(self.lo) {
            Some(Problem::Exact)
        } else if self.hi.is_some_and(|h| h < i128::from(k)) {
            Some(Problem::KnownSmall)
        } else {
            None
        }
    }
}

#[derive(Debug, Default)]
struct Evaluation {
    inconsistent: bool,
    /// Connected group of withheld cells of each withheld node.
    component: BTreeMap<usize, usize>,
    findings: Vec<(usize, Problem, Iv)>,
}

/// The findings for one metric. `cache` holds intervals under maximal suppression, which do not
/// change while [`suppress`] withholds more (the maximal pattern is the same).
fn evaluate(
    model: &Model<'_>,
    states: &[CellValue],
    k: u64,
    cache: &mut BTreeMap<usize, Iv>,
) -> Evaluation {
    let analysis = analyze(model, states, None, Mode::Judge(k));
    findings_of(model, states, k, cache, analysis)
}

/// Puts in `cache` the interval under maximal suppression (every candidate withheld) of every
/// node of `missing` it does not hold yet; with `all`, of every node as soon as one is missing
/// (one solve instead of one per round).
fn best_interval(
    model: &Model<'_>,
    states: &[CellValue],
    k: u64,
    cache: &mut BTreeMap<usize, Iv>,
    missing: BTreeSet<usize>,
    all: bool,
) {
    if missing.iter().all(|n| cache.contains_key(n)) {
        return;
    }
    let missing: BTreeSet<usize> = if all {
        (0..states.len())
            .filter(|n| !cache.contains_key(n))
            .collect()
    } else {
        missing
            .into_iter()
            .filter(|n| !cache.contains_key(n))
            .collect()
    };
    let maximal: Vec<CellValue> = (0..states.len())
        .map(|n| match model.candidate(states, n) {
            Some(_) => CellValue::Suppressed,
            None => states.get(n).copied().unwrap_or(CellValue::Suppressed),
        })
        .collect();
    let best = analyze(model, &maximal, Some(&missing), Mode::Judge(k));
    for n in missing {
        // If the maximal pattern cannot be judged, count the problem as avoidable.
        let iv = best.intervals.get(&n).copied().unwrap_or(Iv::UNKNOWN);
        cache.insert(n, iv);
    }
}

/// Whether `problem`, found for a cell whose interval under maximal suppression is `best`, could
/// have been avoided.
fn achievable(problem: Problem, best: Iv, k: u64) -> bool {
    match problem {
        Problem::Exact => best.hi != Some(best.lo),
        Problem::KnownSmall => best.hi.is_none_or(|h| h >= i128::from(k)),
        Problem::PublishedBelowK | Problem::Inconsistent => true,
    }
}

/// What [`protect`] needs of [`evaluate`], sooner: in each connected group of withheld cells, the
/// first finding (in node order) that [`protect`] acts on, if any. Solving a group stops at that
/// finding, and a group solved in full is kept in `solved` for the next rounds: a group whose
/// withheld cells did not change has the same equations and the same intervals. The result is
/// the one [`evaluate`] gives, less the findings [`protect`] would pass over.
fn evaluate_first(
    model: &Model<'_>,
    states: &[CellValue],
    k: u64,
    cache: &mut BTreeMap<usize, Iv>,
    solved: &mut Solved,
) -> Evaluation {
    let mut stop = |node: usize, iv: Iv| -> bool {
        let Some(problem) = iv.judge(k) else {
            return false;
        };
        best_interval(model, states, k, cache, BTreeSet::from([node]), true);
        let best = cache.get(&node).copied().unwrap_or(Iv::UNKNOWN);
        achievable(problem, best, k) && nearest_candidate(model, states, node).is_some()
    };
    let analysis = analyze_with(
        model,
        states,
        None,
        Mode::Judge(k),
        Some(solved),
        Some(&mut stop),
    );
    findings_of(model, states, k, cache, analysis)
}

/// The findings of an [`Analysis`], judged against achievability.
fn findings_of(
    model: &Model<'_>,
    states: &[CellValue],
    k: u64,
    cache: &mut BTreeMap<usize, Iv>,
    analysis: Analysis,
) -> Evaluation {
    let mut evaluation = Evaluation {
        inconsistent: analysis.inconsistent,
        component: analysis.component,
        findings: Vec::new(),
    };
    if evaluation.inconsistent {
        return evaluation;
    }
    let flagged: Vec<(usize, Problem, Iv)> = analysis
        .intervals
        .iter()
        .filter_map(|(n, iv)| iv.judge(k).map(|p| (*n, p, *iv)))
        .collect();
    best_interval(
        model,
        states,
        k,
        cache,
        flagged.iter().map(|f| f.0).collect(),
        false,
    );
    for (node, problem, iv) in flagged {
        let best = cache.get(&node).copied().unwrap_or(Iv::UNKNOWN);
        if achievable(problem, best, k) {
            evaluation.findings.push((node, problem, iv));
        }
    }
    evaluation
}

// ---------------------------------------------------------------------------------------------
// The linear system of one metric and its feasible intervals.

/// `sum(coef * x_var) = rhs`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    terms: Vec<(usize, i128)>,
    rhs: i128,
}

/// How much of each interval to compute.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Exact intervals for every cell.
    Exact,
    /// Exact intervals for cells that break the rule with this k; for the others, any interval
    /// inside the true one that shows they pass.
    Judge(u64),
}

#[derive(Debug, Default)]
struct Analysis {
    inconsistent: bool,
    intervals: BTreeMap<usize, Iv>,
    component: BTreeMap<usize, usize>,
}

/// Components solved in full, by their equations: the node of each variable (`None` for a
/// slack) and the rows. Valid for one model, mode and `only: None`.
type Solved = BTreeMap<(Vec<Option<usize>>, Vec<Row>), Option<Vec<(usize, Iv)>>>;

/// Says, for a withheld node and an interval computed for it, whether solving its component can
/// stop there.
type Stop<'s> = &'s mut dyn FnMut(usize, Iv) -> bool;

/// Intervals of the withheld nodes (only those in `only`, if given).
fn analyze(
    model: &Model<'_>,
    states: &[CellValue],
    only: Option<&BTreeSet<usize>>,
    mode: Mode,
) -> Analysis {
    analyze_with(model, states, only, mode, None, None)
}

/// [`analyze`], taking components already solved from `solved` (and keeping the ones it solves
/// in full there), and leaving the rest of a component unsolved once `stop` says so.
fn analyze_with(
    model: &Model<'_>,
    states: &[CellValue],
    only: Option<&BTreeSet<usize>>,
    mode: Mode,
    mut solved: Option<&mut Solved>,
    mut stop: Option<Stop<'_>>,
) -> Analysis {
    let mut analysis = Analysis::default();
    // Unknowns: the withheld nodes, then one slack per inequality link (`None`).
    let mut var_of = vec![None; states.len()];
    let mut vars: Vec<Option<usize>> = Vec::new();
    for (n, s) in states.iter().enumerate() {
        if *s == CellValue::Suppressed
            && let Some(slot) = var_of.get_mut(n)
        {
            *slot = Some(vars.len());
            vars.push(Some(n));
        }
    }
    let mut rows = Vec::new();
    for line in &model.lines {
        let mut terms = Vec::new();
        let mut rhs: i128 = 0;
        let mut term =
            |node: usize, sign: i128, terms: &mut Vec<(usize, i128)>| match states.get(node) {
                Some(CellValue::Count(v)) => rhs = rhs.saturating_add(sign * i128::from(*v)),
                Some(CellValue::Suppressed) => {
                    if let Some(Some(x)) = var_of.get(node) {
                        terms.push((*x, -sign));
                    }
                }
                None => {}
            };
        if let Some(m) = line.margin {
            term(m, 1, &mut terms);
        }
        for m in &line.members {
            term(*m, -1, &mut terms);
        }
        if terms.is_empty() {
            if rhs != 0 {
                analysis.inconsistent = true;
            }
        } else {
            rows.push(Row { terms, rhs });
        }
    }
    for link in &model.links {
        // sum(coef * cell) <= rhs: published cells move to the right-hand side.
        let mut terms = Vec::new();
        let mut rhs = link.rhs;
        for (node, coef) in &link.terms {
            match states.get(*node) {
                Some(CellValue::Count(v)) => {
                    rhs = rhs.saturating_sub(coef.saturating_mul(i128::from(*v)));
                }
                Some(CellValue::Suppressed) => {
                    if let Some(Some(x)) = var_of.get(*node) {
                        terms.push((*x, *coef));
                    }
                }
                None => {}
            }
        }
        if terms.is_empty() {
            if (link.equal && rhs != 0) || rhs < 0 {
                analysis.inconsistent = true;
            }
            continue;
        }
        if !link.equal {
            // A slack s >= 0 written as a variable x >= 1 with s = x - 1.
            terms.push((vars.len(), 1));
            vars.push(None);
            rhs = rhs.saturating_add(1);
        }
        rows.push(Row { terms, rhs });
    }
    for (id, (cvars, crows)) in components(vars.len(), &rows).into_iter().enumerate() {
        // Aligned with `cvars`: the node of each variable, `None` for slacks.
        let nodes: Vec<Option<usize>> = cvars
            .iter()
            .map(|v| vars.get(*v).copied().flatten())
            .collect();
        for n in nodes.iter().flatten() {
            analysis.component.insert(*n, id);
        }
        let wanted: Vec<usize> = nodes
            .iter()
            .enumerate()
            .filter_map(|(l, n)| n.map(|n| (l, n)))
            .filter(|(_, n)| only.is_none_or(|o| o.contains(n)))
            .map(|(l, _)| l)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let local: BTreeMap<usize, usize> =
            cvars.iter().enumerate().map(|(l, v)| (*v, l)).collect();
        let sub: Vec<Row> = crows
            .iter()
            .filter_map(|r| rows.get(*r))
            .map(|row| Row {
                terms: row
                    .terms
                    .iter()
                    .filter_map(|(v, c)| local.get(v).map(|l| (*l, *c)))
                    .collect(),
                rhs: row.rhs,
            })
            .collect();
        let memo = solved
            .as_deref_mut()
            .map(|s| (s, (nodes.clone(), sub.clone())));
        let result = match memo.as_ref().and_then(|(s, key)| s.get(key).cloned()) {
            Some(result) => result,
            None => {
                let mut stopped = false;
                let mut local_stop = |l: usize, iv: Iv| -> bool {
                    let done = match (&mut stop, nodes.get(l)) {
                        (Some(f), Some(Some(n))) => f(*n, iv),
                        _ => false,
                    };
                    stopped |= done;
                    done
                };
                let result = solve(cvars.len(), &sub, &wanted, mode, &mut local_stop);
                if !stopped && let Some((s, key)) = memo {
                    s.insert(key, result.clone());
                }
                result
            }
        };
        match result {
            None => analysis.inconsistent = true,
            Some(ivs) => {
                for (l, iv) in ivs {
                    if let Some(Some(n)) = nodes.get(l) {
                        analysis.intervals.insert(*n, iv);
                    }
                }
            }
        }
    }
    analysis
}

/// Connected components of variables linked by rows: (variables, rows) each, in order.
fn components(nvars: usize, rows: &[Row]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut parent: Vec<usize> = (0..nvars).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        loop {
            let p = parent.get(x).copied().unwrap_or(x);
            if p == x {
                return x;
            }
            let gp = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(x) {
                *slot = gp;
            }
            x = gp;
        }
    }
    for row in rows {
        let mut first = None;
        for (v, _) in &row.terms {
            let r = find(&mut parent, *v);
            match first {
                None => first = Some(r),
                Some(f) if f != r => {
                    let (lo, hi) = if f < r { (f, r) } else { (r, f) };
                    if let Some(slot) = parent.get_mut(hi) {
                        *slot = lo;
                    }
                    first = Some(lo);
                }
                Some(_) => {}
            }
        }
    }
    let mut by_root: BTreeMap<usize, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for v in 0..nvars {
        let r = find(&mut parent, v);
        by_root.entry(r).or_default().0.push(v);
    }
    for (i, row) in rows.iter().enumerate() {
        if let Some((v, _)) = row.terms.first() {
            let r = find(&mut parent, *v);
            by_root.entry(r).or_default().1.push(i);
        }
    }
    by_root.into_values().collect()
}

/// Intervals of the `wanted` variables of one component (`x >= 1`), or `None` if infeasible.
/// `stop` is asked after each interval the simplex computes exactly (not the ones certified by a
/// feasible point); when it says so, the other wanted variables are left out of the result.
fn solve(
    n: usize,
    rows: &[Row],
    wanted: &[usize],
    mode: Mode,
    stop: &mut dyn FnMut(usize, Iv) -> bool,
) -> Option<Vec<(usize, Iv)>> {
    match simplex_intervals(n, rows, wanted, mode, stop) {
        Ok(result) => result,
        Err(Fail) => {
            let bounds = propagate(n, rows)?;
            Some(
                wanted
                    .iter()
                    .filter_map(|w| bounds.get(*w).map(|iv| (*w, *iv)))
                    .collect(),
            )
        }
    }
}

fn simplex_intervals(
    n: usize,
    rows: &[Row],
    wanted: &[usize],
    mode: Mode,
    stop: &mut dyn FnMut(usize, Iv) -> bool,
) -> Result<Option<Vec<(usize, Iv)>>, Fail> {
    let Some(mut lp) = Simplex::start(n, rows)? else {
        return Ok(None);
    };
    // Integer feasible points seen so far: the range of each variable (x, not y).
    let mut seen: Vec<Option<(i128, i128)>> = vec![None; n];
    let record = |lp: &Simplex, seen: &mut Vec<Option<(i128, i128)>>| -> Result<(), Fail> {
        if let Some(point) = lp.integer_point()? {
            for (s, y) in seen.iter_mut().zip(point) {
                let x = y.checked_add(1).ok_or(Fail)?;
                *s = Some(match *s {
                    None => (x, x),
                    Some((a, b)) => (a.min(x), b.max(x)),
                });
            }
        }
        Ok(())
    };
    let certified = |seen: &[Option<(i128, i128)>], i: usize| -> Option<Iv> {
        let Mode::Judge(k) = mode else { return None };
        let (a, b) = seen.get(i).copied().flatten()?;
        let iv = Iv { lo: a, hi: Some(b) };
        (iv.judge(k).is_none()).then_some(iv)
    };
    record(&lp, &mut seen)?;
    let mut out = Vec::with_capacity(wanted.len());
    for &i in wanted {
        if let Some(iv) = certified(&seen, i) {
            out.push((i, iv));
            continue;
        }
        let hi = lp.maximize(i)?;
        record(&lp, &mut seen)?;
        let hi = match hi {
            None => None,
            Some(q) => Some(q.floor().checked_add(1).ok_or(Fail)?),
        };
        if let (Some(iv), Some(h)) = (certified(&seen, i), hi)
            && h >= iv.hi.unwrap_or(h)
        {
            out.push((
                i,
                Iv {
                    lo: iv.lo,
                    hi: Some(h),
                },
            ));
            continue;
        }
        let lo = lp.minimize(i)?;
        record(&lp, &mut seen)?;
        let lo = lo.ceil()?.checked_add(1).ok_or(Fail)?;
        out.push((i, Iv { lo, hi }));
        if stop(i, Iv { lo, hi }) {
            break;
        }
    }
    Ok(Some(out))
}

// ---------------------------------------------------------------------------------------------
// Exact rational arithmetic.

/// Exact arithmetic overflowed, an index was out of range, or the pivot budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fail;

/// A fraction `n / d` in lowest terms with `d > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Q {
    n: i128,
    d: i128,
}

fn gcd(a: i128, b: i128) -> u128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Q {
    const ZERO: Q = Q { n: 0, d: 1 };
    const ONE: Q = Q { n: 1, d: 1 };

    fn int(n: i128) -> Q {
        Q { n, d: 1 }
    }

    fn new(n: i128, d: i128) -> Result<Q, Fail> {
        if d == 0 {
            return Err(Fail);
        }
        if d == 1 {
            return Ok(Q::int(n));
        }
        let g = i128::try_from(gcd(n, d)).map_err(|_| Fail)?;
        let (mut n, mut d) = (n / g, d / g);
        if d < 0 {
            n = n.checked_neg().ok_or(Fail)?;
            d = d.checked_neg().ok_or(Fail)?;
        }
        Ok(Q { n, d })
    }

    fn is_zero(self) -> bool {
        self.n == 0
    }

    fn is_pos(self) -> bool {
        self.n > 0
    }

    fn is_neg(self) -> bool {
        self.n < 0
    }

    fn neg(self) -> Result<Q, Fail> {
        Ok(Q {
            n: self.n.checked_neg().ok_or(Fail)?,
            d: self.d,
        })
    }

    fn add(self, o: Q) -> Result<Q, Fail> {
        if self.d == 1 && o.d == 1 {
            return Ok(Q::int(self.n.checked_add(o.n).ok_or(Fail)?));
        }
        let g = i128::try_from(gcd(self.d, o.d)).map_err(|_| Fail)?;
        let a = self.n.checked_mul(o.d / g).ok_or(Fail)?;
        let b = o.n.checked_mul(self.d / g).ok_or(Fail)?;
        let d = (self.d / g).checked_mul(o.d).ok_or(Fail)?;
        Q::new(a.checked_add(b).ok_or(Fail)?, d)
    }

    fn sub(self, o: Q) -> Result<Q, Fail> {
        self.add(o.neg()?)
    }

    fn mul(self, o: Q) -> Result<Q, Fail> {
        if self.is_zero() || o.is_zero() {
            return Ok(Q::ZERO);
        }
        if self.d == 1 && o.d == 1 {
            return Ok(Q::int(self.n.checked_mul(o.n).ok_or(Fail)?));
        }
        let g1 = i128::try_from(gcd(self.n, o.d)).map_err(|_| Fail)?;
        let g2 = i128::try_from(gcd(o.n, self.d)).map_err(|_| Fail)?;
        let n = (self.n / g1).checked_mul(o.n / g2).ok_or(Fail)?;
        let d = (self.d / g2).checked_mul(o.d / g1).ok_or(Fail)?;
        Q::new(n, d)
    }

    fn div(self, o: Q) -> Result<Q, Fail> {
        if o.is_zero() {
            return Err(Fail);
        }
        // Pivots of the tables' (network) matrices are mostly ±1: no fractions to reduce.
        if self.is_zero() || o == Q::ONE {
            return Ok(self);
        }
        if o == Q::int(-1) {
            return self.neg();
        }
        self.mul(Q::new(o.d, o.n)?)
    }

    fn cmp(self, o: Q) -> Result<Ordering, Fail> {
        if self.d == o.d {
            return Ok(self.n.cmp(&o.n));
        }
        Ok(self.sub(o)?.n.cmp(&0))
    }

    fn floor(self) -> i128 {
        self.n.div_euclid(self.d)
    }

    fn ceil(self) -> Result<i128, Fail> {
        let f = self.floor();
        if self.n.rem_euclid(self.d) == 0 {
            Ok(f)
        } else {
            f.checked_add(1).ok_or(Fail)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dense two-phase simplex with Bland's rule over `A y = b, y >= 0`.

/// A feasible tableau: `rows[r]` holds the structural columns then the right-hand side.
#[derive(Debug)]
struct Simplex {
    n: usize,
    rows: Vec<Vec<Q>>,
    basis: Vec<usize>,
    basic: Vec<bool>,
    budget: usize,
}

fn at<T: Copy>(v: &[T], i: usize) -> Result<T, Fail> {
    v.get(i).copied().ok_or(Fail)
}

fn rhs(row: &[Q]) -> Result<Q, Fail> {
    row.last().copied().ok_or(Fail)
}

/// `row -= row[c] * pivot_row`.
fn eliminate(row: &mut [Q], pivot_row: &[Q], c: usize) -> Result<(), Fail> {
    let f = at(row, c)?;
    if f.is_zero() {
        return Ok(());
    }
    for (x, p) in row.iter_mut().zip(pivot_row) {
        if !p.is_zero() {
            *x = x.sub(f.mul(*p)?)?;
        }
    }
    Ok(())
}

impl Simplex {
    /// Phase 1 for `sum(coef * x) = rhs, x >= 1` over `n` variables (substituting `x = y + 1`).
    /// `Ok(None)` if infeasible.
    fn start(n: usize, rows: &[Row]) -> Result<Option<Simplex>, Fail> {
        let m = rows.len();
        let width = n + m + 1;
        let mut table = Vec::with_capacity(m);
        for (r, row) in rows.iter().enumerate() {
            let mut v = vec![Q::ZERO; width];
            let mut b = row.rhs;
            for (j, c) in &row.terms {
                if *j >= n {
                    return Err(Fail);
                }
                let slot = v.get_mut(*j).ok_or(Fail)?;
                *slot = slot.add(Q::int(*c))?;
                b = b.checked_sub(*c).ok_or(Fail)?;
            }
            if b < 0 {
                for q in v.iter_mut() {
                    *q = q.neg()?;
                }
                b = b.checked_neg().ok_or(Fail)?;
            }
            *v.get_mut(n + r).ok_or(Fail)? = Q::ONE;
            *v.last_mut().ok_or(Fail)? = Q::int(b);
            table.push(v);
        }
        let mut basic = vec![false; n + m];
        for slot in basic.iter_mut().skip(n) {
            *slot = true;
        }
        let mut lp = Simplex {
            n,
            rows: table,
            basis: (n..n + m).collect(),
            basic,
            budget: 200 * (n + m) + 2_000,
        };
        // Phase 1 objective: maximise -(sum of artificials); reduced costs are column sums.
        let mut obj = vec![Q::ZERO; width];
        for row in &lp.rows {
            for (o, x) in obj.iter_mut().zip(row).take(n) {
                *o = o.add(*x)?;
            }
        }
        loop {
            lp.tick()?;
            let entering = (0..n).find(|j| {
                !lp.basic.get(*j).copied().unwrap_or(true)
                    && obj.get(*j).is_some_and(|q| q.is_pos())
            });
            let Some(c) = entering else { break };
            let r = lp.ratio_test(c)?.ok_or(Fail)?;
            lp.pivot(r, c, Some(&mut obj))?;
        }
        for (r, row) in lp.rows.iter().enumerate() {
            if at(&lp.basis, r)? >= n && !rhs(row)?.is_zero() {
                return Ok(None);
            }
        }
        // Drive the remaining (zero) artificials out of the basis; drop redundant rows.
        let mut keep = vec![true; m];
        for r in 0..m {
            if at(&lp.basis, r)? < n {
                continue;
            }
            let row = lp.rows.get(r).ok_or(Fail)?;
            match (0..n).find(|j| row.get(*j).is_some_and(|q| !q.is_zero())) {
                Some(c) => lp.pivot(r, c, None)?,
                None => *keep.get_mut(r).ok_or(Fail)? = false,
            }
        }
        let mut rows = Vec::new();
        let mut basis = Vec::new();
        for ((row, b), k) in lp.rows.into_iter().zip(lp.basis).zip(keep) {
            if k {
                let mut short: Vec<Q> = row.iter().take(n).copied().collect();
                short.push(rhs(&row)?);
                rows.push(short);
                basis.push(b);
            }
        }
        lp.basic.truncate(n);
        Ok(Some(Simplex {
            n,
            rows,
            basis,
            basic: lp.basic,
            budget: lp.budget,
        }))
    }

    fn tick(&mut self) -> Result<(), Fail> {
        self.budget = self.budget.checked_sub(1).ok_or(Fail)?;
        Ok(())
    }

    /// Bland's leaving row for entering column `c`: minimum ratio, ties by smallest basic index.
    fn ratio_test(&self, c: usize) -> Result<Option<usize>, Fail> {
        let mut best: Option<(usize, Q, usize)> = None;
        for (r, row) in self.rows.iter().enumerate() {
            let a = at(row, c)?;
            if !a.is_pos() {
                continue;
            }
            let ratio = rhs(row)?.div(a)?;
            let b = at(&self.basis, r)?;
            let better = match &best {
                None => true,
                Some((_, br, bb)) => match ratio.cmp(*br)? {
                    Ordering::Less => true,
                    Ordering::Equal => b < *bb,
                    Ordering::Greater => false,
                },
            };
            if better {
                best = Some((r, ratio, b));
            }
        }
        Ok(best.map(|(r, _, _)| r))
    }

    fn pivot(&mut self, r: usize, c: usize, obj: Option<&mut Vec<Q>>) -> Result<(), Fail> {
        let prow = self.rows.get(r).ok_or(Fail)?;
        let p = at(prow, c)?;
        let pivot_row: Vec<Q> = prow.iter().map(|q| q.div(p)).collect::<Result<_, Fail>>()?;
        for (i, row) in self.rows.iter_mut().enumerate() {
            if i != r {
                eliminate(row, &pivot_row, c)?;
            }
        }
        if let Some(obj) = obj {
            eliminate(obj, &pivot_row, c)?;
        }
        *self.rows.get_mut(r).ok_or(Fail)? = pivot_row;
        let old = at(&self.basis, r)?;
        *self.basic.get_mut(old).ok_or(Fail)? = false;
        *self.basis.get_mut(r).ok_or(Fail)? = c;
        *self.basic.get_mut(c).ok_or(Fail)? = true;
        Ok(())
    }

    fn row_of(&self, i: usize) -> Option<usize> {
        self.basis.iter().position(|b| *b == i)
    }

    /// Maximises `y_i` from the current basis; `None` if unbounded.
    fn maximize(&mut self, i: usize) -> Result<Option<Q>, Fail> {
        if i >= self.n {
            return Err(Fail);
        }
        loop {
            self.tick()?;
            let c = match self.row_of(i) {
                None => i,
                Some(r) => {
                    let row = self.rows.get(r).ok_or(Fail)?;
                    let entering = (0..self.n).find(|j| {
                        !self.basic.get(*j).copied().unwrap_or(true)
                            && row.get(*j).is_some_and(|q| q.is_neg())
                    });
                    match entering {
                        Some(j) => j,
                        None => return Ok(Some(rhs(row)?)),
                    }
                }
            };
            match self.ratio_test(c)? {
                None => return Ok(None),
                Some(r) => self.pivot(r, c, None)?,
            }
        }
    }

    /// Minimises `y_i` from the current basis.
    fn minimize(&mut self, i: usize) -> Result<Q, Fail> {
        if i >= self.n {
            return Err(Fail);
        }
        loop {
            self.tick()?;
            let Some(r) = self.row_of(i) else {
                return Ok(Q::ZERO);
            };
            let row = self.rows.get(r).ok_or(Fail)?;
            let entering = (0..self.n).find(|j| {
                !self.basic.get(*j).copied().unwrap_or(true)
                    && row.get(*j).is_some_and(|q| q.is_pos())
            });
            let Some(c) = entering else {
                return rhs(row);
            };
            let r = self.ratio_test(c)?.ok_or(Fail)?;
            self.pivot(r, c, None)?;
        }
    }

    /// The current basic solution `y`, if it is integral.
    fn integer_point(&self) -> Result<Option<Vec<i128>>, Fail> {
        let mut y = vec![0; self.n];
        for (row, b) in self.rows.iter().zip(&self.basis) {
            let v = rhs(row)?;
            if v.d != 1 {
                return Ok(None);
            }
            *y.get_mut(*b).ok_or(Fail)? = v.n;
        }
        Ok(Some(y))
    }
}

// ---------------------------------------------------------------------------------------------
// Fallback: interval propagation (an outer bound).

const PROPAGATION_ROUNDS: usize = 1_000;

/// Bounds on `x >= 1` from each row in turn; `None` if the rows are found infeasible. Rows with
/// coefficients other than ±1 are skipped (dropping constraints keeps the bound sound).
fn propagate(n: usize, rows: &[Row]) -> Option<Vec<Iv>> {
    let mut iv = vec![Iv::UNKNOWN; n];
    let bound = |iv: &[Iv], j: usize, c: i128| -> (Option<i128>, Option<i128>) {
        let x = iv.get(j).copied().unwrap_or(Iv::UNKNOWN);
        if c > 0 {
            (Some(x.lo), x.hi)
        } else {
            (x.hi.map(|h| -h), Some(-x.lo))
        }
    };
    for _ in 0..PROPAGATION_ROUNDS {
        let mut changed = false;
        for row in rows {
            if row
                .terms
                .iter()
                .any(|(j, c)| (*c != 1 && *c != -1) || *j >= n)
            {
                continue;
            }
            let (mut min_fin, mut min_inf, mut max_fin, mut max_inf) =
                (0i128, 0usize, 0i128, 0usize);
            for (j, c) in &row.terms {
                let (a, b) = bound(&iv, *j, *c);
                match a {
                    Some(a) => min_fin = min_fin.saturating_add(a),
                    None => min_inf += 1,
                }
                match b {
                    Some(b) => max_fin = max_fin.saturating_add(b),
                    None => max_inf += 1,
                }
            }
            for (j, c) in &row.terms {
                let (a, b) = bound(&iv, *j, *c);
                // Range of the other terms.
                let others_min = match a {
                    Some(a) if min_inf == 0 => Some(min_fin.saturating_sub(a)),
                    None if min_inf == 1 => Some(min_fin),
                    _ => None,
                };
                let others_max = match b {
                    Some(b) if max_inf == 0 => Some(max_fin.saturating_sub(b)),
                    None if max_inf == 1 => Some(max_fin),
                    _ => None,
                };
                // c * x_j lies in [rhs - others_max, rhs - others_min].
                let low = others_max.map(|o| row.rhs.saturating_sub(o));
                let high = others_min.map(|o| row.rhs.saturating_sub(o));
                let (xl, xh) = if *c > 0 {
                    (low, high)
                } else {
                    (high.map(|h| -h), low.map(|l| -l))
                };
                let Some(x) = iv.get_mut(*j) else { continue };
                if let Some(l) = xl
                    && l > x.lo
                {
                    x.lo = l;
                    changed = true;
                }
                if let Some(h) = xh
                    && x.hi.is_none_or(|cur| h < cur)
                {
                    x.hi = Some(h);
                    changed = true;
                }
                if x.hi.is_some_and(|h| h < x.lo) {
                    return None;
                }
            }
        }
        if !changed {
            break;
        }
    }
    Some(iv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::check_tables;

    const M: &str = "members";

    fn total(v: u64) -> Cell {
        Cell::count(CellKey::total(M), v)
    }

    fn sector(s: &str, v: u64) -> Cell {
        Cell::count(CellKey::new(M, &[(Dim::Sector, s)]), v)
    }

    fn union(u: &str, v: u64) -> Cell {
        Cell::count(CellKey::new(M, &[(Dim::UnionStatus, u)]), v)
    }

    fn both(s: &str, u: &str, v: u64) -> Cell {
        Cell::count(
            CellKey::new(M, &[(Dim::Sector, s), (Dim::UnionStatus, u)]),
            v,
        )
    }

    fn withheld(cells: &[Cell]) -> BTreeSet<CellKey> {
        cells
            .iter()
            .filter(|c| c.value == CellValue::Suppressed)
            .map(|c| c.key.clone())
            .collect()
    }

    fn hide(mut cells: Vec<Cell>, keys: &[CellKey]) -> Vec<Cell> {
        for c in &mut cells {
            if keys.contains(&c.key) {
                c.value = CellValue::Suppressed;
            }
        }
        cells
    }

    /// A full sector × union-status table with margins and total, from its inner cells.
    fn table(rows: &[(&str, &[(&str, u64)])]) -> Vec<Cell> {
        let mut cells = Vec::new();
        let mut by_union: BTreeMap<&str, u64> = BTreeMap::new();
        let mut grand = 0;
        for (s, row) in rows {
            let mut sum = 0;
            for (u, v) in *row {
                cells.push(both(s, u, *v));
                *by_union.entry(u).or_default() += v;
                sum += v;
            }
            cells.push(sector(s, sum));
            grand += sum;
        }
        for (u, v) in by_union {
            cells.push(union(u, v));
        }
        cells.push(total(grand));
        cells
    }

    fn truth(cells: &[Cell]) -> BTreeMap<CellKey, u64> {
        cells
            .iter()
            .filter_map(|c| Some((c.key.clone(), c.value.count()?)))
            .collect()
    }

    fn assert_sound(original: &[Cell], published: &[Cell]) {
        let truth = truth(original);
        let ivs = intervals(published);
        for key in withheld(published) {
            let (lo, hi) = ivs[&key];
            let v = truth[&key];
            assert!(lo <= v && v <= hi, "{key}: {v} outside [{lo}, {hi}]");
        }
    }

    #[test]
    fn one_small_cell_forces_a_second() {
        let original = vec![
            total(30),
            sector("62", 2),
            sector("61", 10),
            sector("72", 18),
        ];
        let mut cells = original.clone();
        let summary = suppress(&mut cells, &DisclosurePolicy { k: 5 });
        assert_eq!(
            summary,
            SuppressionSummary {
                primary: 1,
                complementary: 1
            }
        );
        assert_eq!(
            withheld(&cells),
            BTreeSet::from([sector("62", 0).key, sector("61", 0).key])
        );
        assert_eq!(audit(&cells, 5), vec![]);
        check(&cells, 5).unwrap();
        check_tables(&cells).unwrap();
        let ivs = intervals(&cells);
        assert_eq!(ivs[&sector("62", 0).key], (1, 11));
        assert_eq!(ivs[&sector("61", 0).key], (1, 11));
    }

    #[test]
    fn small_remainder_forces_a_third() {
        // k = 10: 2 and 5 are both primary; their remainder 7 < 10 + 1 so 13 goes too.
        let mut cells = vec![
            total(20),
            sector("62", 2),
            sector("61", 5),
            sector("72", 13),
        ];
        let summary = suppress(&mut cells, &DisclosurePolicy { k: 10 });
        assert_eq!(summary.primary, 2);
        assert_eq!(summary.complementary, 1);
        assert_eq!(withheld(&cells).len(), 3);
        assert_eq!(audit(&cells, 10), vec![]);
    }

    #[test]
    fn rows_and_columns_interact() {
        //          none member steward | sector
        //   62       20     15       2 |  37
        //   61       10      3      12 |  25
        //   72        8      9      10 |  27
        //   union    38     27      24 |  89
        let original = table(&[
            ("62", &[("none", 20), ("member", 15), ("steward", 2)]),
            ("61", &[("none", 10), ("member", 3), ("steward", 12)]),
            ("72", &[("none", 8), ("member", 9), ("steward", 10)]),
        ]);
        let mut cells = original.clone();
        let summary = suppress(&mut cells, &DisclosurePolicy { k: 5 });
        assert_eq!(summary.primary, 2);
        // Columns are visited first, then rows. Column member (3 withheld) takes 9 (72), column
        // steward (2 withheld) takes 10 (72); row 61 (3) takes 10 (none), row 62 (2) takes 15
        // (member); row 72 now holds two. On the second pass column none holds one withheld
        // cell, (61, none), and takes 8 (72): the column and row rules fed each other.
        assert_eq!(
            withheld(&cells),
            BTreeSet::from([
                both("62", "member", 0).key,
                both("62", "steward", 0).key,
                both("61", "none", 0).key,
                both("61", "member", 0).key,
                both("72", "none", 0).key,
                both("72", "member", 0).key,
                both("72", "steward", 0).key,
            ])
        );
        assert_eq!(summary.complementary, 5);
        assert_eq!(audit(&cells, 5), vec![]);
        check_tables(&cells).unwrap();
        assert_sound(&original, &cells);
        // Worked by hand: (62, steward) + (72, steward) = 24 - 12, so at most 11; and
        // (62, member) = 17 - (62, steward) lies in [6, 16].
        let ivs = intervals(&cells);
        assert_eq!(ivs[&both("62", "steward", 0).key], (1, 11));
        assert_eq!(ivs[&both("62", "member", 0).key], (6, 16));
        assert_eq!(ivs[&both("61", "member", 0).key], (1, 12));
    }

    #[test]
    fn rectangle_of_four_is_protected() {
        //          none member | sector
        //   62        3      6 |   9
        //   61        7      4 |  11
        //   72       10     10 |  20
        let original = table(&[
            ("62", &[("none", 3), ("member", 6)]),
            ("61", &[("none", 7), ("member", 4)]),
            ("72", &[("none", 10), ("member", 10)]),
        ]);
        let rectangle = [
            both("62", "none", 0).key,
            both("62", "member", 0).key,
            both("61", "none", 0).key,
            both("61", "member", 0).key,
        ];
        let cells = hide(original.clone(), &rectangle);
        assert_eq!(audit(&cells, 5), vec![]);
        // a + b = 9, c + d = 11, a + c = 10, b + d = 10, all >= 1: a in [1, 8], d = a + 1.
        let ivs = intervals(&cells);
        assert_eq!(ivs.len(), 4);
        assert_eq!(ivs[&rectangle[0]], (1, 8));
        assert_eq!(ivs[&rectangle[1]], (1, 8));
        assert_eq!(ivs[&rectangle[2]], (2, 9));
        assert_eq!(ivs[&rectangle[3]], (2, 9));
        // And suppress finds the same pattern from the exact counts.
        let mut again = original.clone();
        suppress(&mut again, &DisclosurePolicy { k: 5 });
        assert_eq!(withheld(&again), BTreeSet::from(rectangle));
    }

    #[test]
    fn audit_flags_a_lone_withheld_cell() {
        let cells = hide(
            vec![
                total(30),
                sector("62", 2),
                sector("61", 10),
                sector("72", 18),
            ],
            &[sector("62", 0).key],
        );
        let findings = audit(&cells, 5);
        assert_eq!(
            findings,
            vec![Finding {
                key: sector("62", 0).key,
                lo: 2,
                hi: 2,
                problem: Problem::Exact
            }]
        );
        let err = check(&cells, 5).unwrap_err();
        assert_eq!(err.reason(), Reason::DisclosureViolation);
        // The error names the cell, never the value a reader could derive.
        assert_eq!(
            err.detail(),
            "withheld cell members[sector=62] can be derived exactly"
        );
    }

    #[test]
    fn audit_flags_known_small_and_published_below_k() {
        // Two withheld cells whose remainder is 4: each is in [1, 3], below k = 5, though
        // withholding 20 as well would protect them.
        let cells = hide(
            vec![
                total(24),
                sector("62", 2),
                sector("61", 2),
                sector("72", 20),
                union("none", 21),
                union("member", 3),
            ],
            &[sector("62", 0).key, sector("61", 0).key],
        );
        let findings = audit(&cells, 5);
        let problems: Vec<(CellKey, Problem)> = findings
            .iter()
            .map(|f| (f.key.clone(), f.problem))
            .collect();
        assert_eq!(
            problems,
            vec![
                (sector("61", 0).key, Problem::KnownSmall),
                (sector("62", 0).key, Problem::KnownSmall),
                (union("member", 0).key, Problem::PublishedBelowK),
            ]
        );
        assert_eq!((findings[0].lo, findings[0].hi), (1, 3));
    }

    #[test]
    fn intrinsically_small_table_is_accepted() {
        let original = vec![total(3), sector("62", 1), sector("61", 2)];
        let mut cells = original.clone();
        let summary = suppress(&mut cells, &DisclosurePolicy { k: 5 });
        assert_eq!(
            summary,
            SuppressionSummary {
                primary: 2,
                complementary: 0
            }
        );
        assert_eq!(audit(&cells, 5), vec![]);
        assert_eq!(intervals(&cells)[&sector("62", 0).key], (1, 2));
        // A single non-zero cell equal to a small total is exact, and cannot be helped.
        let mut single = vec![total(3), sector("62", 3), sector("61", 0)];
        suppress(&mut single, &DisclosurePolicy { k: 5 });
        assert_eq!(intervals(&single)[&sector("62", 0).key], (3, 3));
        assert_eq!(audit(&single, 5), vec![]);
    }

    #[test]
    fn cell_capped_by_a_neighbours_row_is_not_flagged() {
        // [62] = 3 and [61] = 8, total 11: the sector line alone could hold [62] up to
        // 11 - 1 = 10, but [61] has 8 non-zero cells in its row, so [62] <= 3 whatever is
        // withheld. Not achievable: accepted, not flagged; exactness is still avoided.
        let statuses = [
            "none",
            "organizing",
            "member",
            "steward",
            "officer",
            "staff",
            "retired",
            "unknown",
        ];
        let row61: Vec<(&str, u64)> = statuses.iter().map(|s| (*s, 1)).collect();
        let original = table(&[("62", &[("none", 3)]), ("61", &row61)]);
        let mut cells = original.clone();
        suppress(&mut cells, &DisclosurePolicy { k: 5 });
        assert_eq!(audit(&cells, 5), vec![]);
        assert_sound(&original, &cells);
        let (lo, hi) = intervals(&cells)[&sector("62", 0).key];
        assert_eq!((lo, hi), (1, 3));
    }

    #[test]
    fn withheld_margin_is_not_left_derivable() {
        // [61] = 20 is withheld to protect [62] = 2 in the sector table; its row (10 + 10) would
        // give it away unless a row cell goes too.
        let original = table(&[
            ("62", &[("none", 2)]),
            ("61", &[("none", 10), ("member", 10)]),
            ("72", &[("none", 15), ("member", 15)]),
        ]);
        let mut cells = original.clone();
        suppress(&mut cells, &DisclosurePolicy { k: 5 });
        assert_eq!(audit(&cells, 5), vec![]);
        check_tables(&cells).unwrap();
        assert_sound(&original, &cells);
        let ivs = intervals(&cells);
        for (key, (lo, hi)) in &ivs {
            assert!(lo < hi, "{key}");
        }
    }

    #[test]
    fn bridge_between_cycles_is_caught_by_the_audit() {
        // Rows 62/61 and columns none/member form one 4-cycle; rows 72/23 and columns
        // steward/officer another; (61, steward) links them. Every row and column holds two
        // withheld cells, yet the link is determined: the line rule alone is not enough.
        let original = table(&[
            ("62", &[("none", 3), ("member", 6)]),
            ("61", &[("none", 7), ("member", 4), ("steward", 2)]),
            ("72", &[("steward", 3), ("officer", 6)]),
            ("23", &[("steward", 7), ("officer", 4)]),
        ]);
        let bad = hide(
            original.clone(),
            &[
                both("62", "none", 0).key,
                both("62", "member", 0).key,
                both("61", "none", 0).key,
                both("61", "member", 0).key,
                both("61", "steward", 0).key,
                both("72", "steward", 0).key,
                both("72", "officer", 0).key,
                both("23", "steward", 0).key,
                both("23", "officer", 0).key,
            ],
        );
        let findings = audit(&bad, 5);
        assert!(
            findings
                .iter()
                .any(|f| f.key == both("61", "steward", 0).key && f.problem == Problem::Exact),
            "{findings:?}"
        );
        let mut cells = original.clone();
        suppress(&mut cells, &DisclosurePolicy { k: 5 });
        assert_eq!(audit(&cells, 5), vec![]);
        assert_sound(&original, &cells);
        // Handed the bad pattern as already withheld, the line rule is satisfied everywhere and
        // only the audit step of `suppress` sees the bridge; it withholds the nearest published
        // cell, the column margin [steward] = 12, and the line rule follows up on its table.
        let mut repaired = bad.clone();
        let summary = suppress(&mut repaired, &DisclosurePolicy { k: 5 });
        assert_eq!(summary.primary, 0);
        assert!(summary.complementary >= 2, "{summary:?}");
        assert!(withheld(&repaired).contains(&union("steward", 0).key));
        assert_eq!(audit(&repaired, 5), vec![]);
    }

    #[test]
    fn inconsistent_sums_are_reported_not_judged() {
        let cells = hide(
            vec![total(5), sector("62", 3), sector("61", 9)],
            &[sector("62", 0).key],
        );
        let findings = audit(&cells, 5);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].problem, Problem::Inconsistent);
        assert_eq!(check(&cells, 5).unwrap_err().reason(), Reason::SumMismatch);
        assert!(intervals(&cells).is_empty());
    }

    #[test]
    fn totals_and_zeros_are_never_withheld() {
        let mut cells = vec![total(2), sector("62", 2), sector("61", 0)];
        suppress(&mut cells, &DisclosurePolicy { k: 5 });
        assert_eq!(cells[0].value, CellValue::Count(2));
        assert_eq!(cells[1].value, CellValue::Suppressed);
        assert_eq!(cells[2].value, CellValue::Count(0));
    }

    #[test]
    fn metrics_are_independent_and_order_does_not_matter() {
        let mut cells = vec![
            total(30),
            sector("62", 2),
            sector("61", 10),
            sector("72", 18),
            Cell::count(CellKey::total("pods"), 12),
            Cell::count(CellKey::new("pods", &[(Dim::Sector, "62")]), 12),
        ];
        let mut reversed: Vec<Cell> = cells.iter().rev().cloned().collect();
        let a = suppress(&mut cells, &DisclosurePolicy::default());
        let b = suppress(&mut reversed, &DisclosurePolicy::default());
        assert_eq!(a, b);
        assert_eq!(withheld(&cells), withheld(&reversed));
        assert_eq!(withheld(&cells).len(), 2);
    }

    #[test]
    fn rationals() {
        let half = Q::new(1, 2).unwrap();
        let third = Q::new(-2, -6).unwrap();
        assert_eq!(half.add(third).unwrap(), Q::new(5, 6).unwrap());
        assert_eq!(half.mul(third).unwrap(), Q::new(1, 6).unwrap());
        assert_eq!(half.div(third).unwrap(), Q::new(3, 2).unwrap());
        assert_eq!(Q::new(7, 2).unwrap().floor(), 3);
        assert_eq!(Q::new(-7, 2).unwrap().floor(), -4);
        assert_eq!(Q::new(-7, 2).unwrap().ceil().unwrap(), -3);
        assert!(Q::int(i128::MAX).add(Q::ONE).is_err());
        assert!(Q::new(1, 0).is_err());
    }

    #[test]
    fn propagation_is_an_outer_bound() {
        // x0 + x1 = 9, x0 + x2 = 10, x1 + x3 = 10, x2 + x3 = 11 (the rectangle).
        let rows = vec![
            Row {
                terms: vec![(0, 1), (1, 1)],
                rhs: 9,
            },
            Row {
                terms: vec![(2, 1), (3, 1)],
                rhs: 11,
            },
            Row {
                terms: vec![(0, 1), (2, 1)],
                rhs: 10,
            },
            Row {
                terms: vec![(1, 1), (3, 1)],
                rhs: 10,
            },
        ];
        let outer = propagate(4, &rows).unwrap();
        let exact = solve(4, &rows, &[0, 1, 2, 3], Mode::Exact, &mut |_, _| false).unwrap();
        for (i, iv) in exact {
            assert!(outer[i].lo <= iv.lo && outer[i].hi.unwrap() >= iv.hi.unwrap());
        }
        // Infeasible: x0 + x1 = 1 with both >= 1.
        let bad = vec![Row {
            terms: vec![(0, 1), (1, 1)],
            rhs: 1,
        }];
        assert!(propagate(2, &bad).is_none());
        assert!(solve(2, &bad, &[0, 1], Mode::Exact, &mut |_, _| false).is_none());
    }

    #[test]
    fn unbounded_when_nothing_bounds_a_cell() {
        let cells = vec![Cell {
            key: CellKey::total(M),
            value: CellValue::Suppressed,
        }];
        assert_eq!(intervals(&cells)[&CellKey::total(M)], (1, u64::MAX));
        assert_eq!(audit(&cells, 5), vec![]);
    }

    /// Members without a workplace are unknown in sector, state and stage at once, so the
    /// registry's relations tie those three cells together. Once the sector table's small cells
    /// are withheld, the rounds find cells pinned through those relations; withholding the
    /// nearest smallest cell each time leaves them pinned and cascades through every table.
    /// Trying the nearest cells for one that clears the finding publishes the sector, state and
    /// stage tables whole. (The case is the smallest of 3,000 generated chapters that gains 3
    /// cells or more; over those chapters the trials withhold fewer cells in 1,159 and more in
    /// 13.)
    #[test]
    fn a_cell_pinned_by_a_relation_is_freed_without_a_cascade() {
        let c = |m: &str, d: &[(Dim, &str)], v: u64| Cell::count(CellKey::new(m, d), v);
        use Dim::{Sector, Stage, State, UnionStatus as Us};
        let cells = vec![
            c("members", &[], 23),
            c("members", &[(Sector, "72")], 14),
            c("members", &[(Sector, "unknown")], 9),
            c("members", &[(Sector, "72"), (Us, "member")], 3),
            c("members", &[(Sector, "72"), (Us, "none")], 6),
            c("members", &[(Sector, "72"), (Us, "officer")], 3),
            c("members", &[(Sector, "72"), (Us, "staff")], 2),
            c("members", &[(Sector, "unknown"), (Us, "member")], 1),
            c("members", &[(Sector, "unknown"), (Us, "none")], 4),
            c("members", &[(Sector, "unknown"), (Us, "officer")], 4),
            c("members", &[(Sector, "72"), (Stage, "2")], 14),
            c("members", &[(Sector, "unknown"), (Stage, "unknown")], 9),
            c("members", &[(State, "NC")], 14),
            c("members", &[(State, "unknown")], 9),
            c("members", &[(Us, "member")], 4),
            c("members", &[(Us, "none")], 10),
            c("members", &[(Us, "officer")], 7),
            c("members", &[(Us, "staff")], 2),
            c("members", &[(Stage, "2")], 14),
            c("members", &[(Stage, "unknown")], 9),
            c("workplaces", &[], 2),
            c("workplaces", &[(Sector, "72")], 2),
            c("workplaces", &[(Sector, "72"), (Stage, "2")], 2),
            c("workplaces", &[(State, "NC")], 2),
            c("workplaces", &[(Stage, "2")], 2),
        ];
        let constraints = relations::constraints(&cells, &[]);
        let policy = DisclosurePolicy { k: 5 };
        let mut tried = cells.clone();
        suppress_under(&mut tried, &policy, &constraints, TRIALS);
        assert_eq!(audit_under(&tried, 5, &constraints), vec![]);
        let published: BTreeSet<CellKey> = tried
            .iter()
            .filter(|c| c.value.count().is_some())
            .map(|c| c.key.clone())
            .collect();
        for key in [
            CellKey::new("members", &[(Sector, "72")]),
            CellKey::new("members", &[(Sector, "unknown")]),
            CellKey::new("members", &[(State, "NC")]),
            CellKey::new("members", &[(State, "unknown")]),
            CellKey::new("members", &[(Stage, "2")]),
            CellKey::new("members", &[(Stage, "unknown")]),
            CellKey::new("members", &[(Us, "none")]),
        ] {
            assert!(published.contains(&key), "{key} withheld: {tried:#?}");
        }
        assert_eq!(withheld(&tried).len(), 14);
        // The nearest smallest cell alone withholds every cell but the totals.
        let mut nearest = cells.clone();
        suppress_under(&mut nearest, &policy, &constraints, 0);
        assert_eq!(audit_under(&nearest, 5, &constraints), vec![]);
        assert_eq!(withheld(&nearest).len(), 23);
    }
}
