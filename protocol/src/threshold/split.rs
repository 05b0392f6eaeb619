//! Where a chapter's members work, as the exact check's network carries it: the state and county
//! tables as a laminar split of the total, joined to the chain at its stage end
//! (docs/threat-model.md §10, "the exact check").
//!
//! A member without a workplace is `unknown` in stage, state and county; one with a workplace has
//! a stage (0 to 5), and a state and a county that may each be unknown; a known county lies in
//! its state (the registry's relations on `members`). So, from the stage margins toward the
//! total, the network splits in series:
//!
//! ```text
//! stage 0..5 ──► W ──► state s ──► county c (in s) ──────────────► E ──► total
//!                │              └─► slack: in s, county unknown ─┐
//!                └─► slack: workplace, state unknown ──┐          │
//! stage unknown ──────────────────────────────────────► state unknown ──► county unknown ──► E
//! ```
//!
//! Each margin is one arc; a slack is an arc of its own, from zero to the total, except that
//! when the report publishes no workplace with an unknown state (`NeedWorkplaces`), members with
//! a workplace have a known state and that slack is zero. Conservation at every node is exactly
//! the tables' lines and the relations `stage = unknown ≤ state = unknown ≤ county = unknown`,
//! `stage = unknown ≤ county = unknown` and "a county lies in its state", so the network's
//! polytope is the attacker's, and it is still a network (every row one arc out, one arc in), so
//! its bounds are the integer ones.
//!
//! At the chain's released end the split runs the other way (the total splits down to the
//! stage margins), and the known stages, whose released margins the blocks feed, are fed by the
//! circulation's hub instead: their leaf returns to the hub, which loses nothing, since its flow
//! is the total less the unknown stage's. A chapter with the unknown stage released too is not
//! modelled ([`super::exact::same_end`] keeps such keys apart).
//!
//! This module also says which of a report's constraints the network carries
//! ([`Split::carries`], [`within_table`]), so that the check asks only the others to follow
//! from the cells' intervals.

use std::collections::{BTreeMap, BTreeSet};

use super::network::{ArcId, Network, NodeId};
use crate::registry::{Dim, Metric, Relation, UNKNOWN};
use crate::relations::{Constraint, county_state};
use crate::report::{CellKey, CellValue};

/// A cell's interval, from the chapter's report.
pub(super) type Bounds<'b> = dyn Fn(&CellKey, &CellValue) -> Option<(i64, i64)> + 'b;

/// The split of one chapter's total at one end of its chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Split {
    /// The metric.
    metric: &'static str,
    /// The chain's end dimension whose `unknown` margin counts members without a workplace.
    pub(super) end: Dim,
    /// The levels the report lists, outermost first: state, then county.
    levels: Vec<Dim>,
    /// Whether members with a workplace may have an unknown state (a workplace with an unknown
    /// state is published, or may be).
    state_slack: bool,
}

/// The dimensions a split may have as levels, outermost first: each lies in the one before
/// (`CountiesWithinStates`).
const LEVELS: [Dim; 2] = [Dim::State, Dim::County];

/// Whether `r` says `sum(small) <= sum(large)` of one-dimensional `unknown` cells of `metric`.
fn unknown_at_most(r: &Relation, metric: &str, small: Dim, large: Dim) -> bool {
    let one = |cells: &crate::registry::Cells, d: Dim| {
        cells.metric == metric && !cells.per && cells.fixed == [(d, &[UNKNOWN][..])]
    };
    matches!(r, Relation::AtMost { small: s, large: l, per: None, .. } if one(s, small) && one(l, large))
}

/// Whether the registry splits `metric`'s total where members work at `end`: its `unknown`
/// margin is then fed by the split and its other margins by the blocks, so released keys of
/// both kinds cannot be modelled together ([`super::exact::same_end`]).
pub(super) fn splits_at(metric: &Metric, end: Dim) -> bool {
    LEVELS.into_iter().any(|l| {
        metric
            .relations
            .iter()
            .any(|r| unknown_at_most(r, metric.id, end, l))
    })
}

impl Split {
    /// The split at `end` of a chapter's chain `dims` (the dimensions the network models),
    /// when the registry ties `end = unknown` to the report's state or county table. `tables`
    /// are the report's tables of the metric; `zero` says whether a cell is known to be zero.
    pub(super) fn at(
        metric: &Metric,
        end: Dim,
        dims: &[Dim],
        tables: &BTreeSet<Vec<Dim>>,
        constraints: &[Constraint],
        zero: impl Fn(&CellKey) -> bool,
    ) -> Option<Split> {
        let in_pair = |d: Dim| metric.tables.iter().any(|t| t.len() == 2 && t.contains(&d));
        let mut levels: Vec<Dim> = LEVELS
            .into_iter()
            .filter(|l| {
                !dims.contains(l)
                    && !in_pair(*l)
                    && tables.contains(&vec![*l])
                    && metric
                        .relations
                        .iter()
                        .any(|r| unknown_at_most(r, metric.id, end, *l))
            })
            .collect();
        if levels.len() == 2
            && !metric.relations.iter().any(
                |r| matches!(r, Relation::CountiesWithinStates { metric: m } if *m == metric.id),
            )
        {
            levels.truncate(1);
        }
        if levels.is_empty() {
            return None;
        }
        // Members with a workplace but an unknown state need a workplace with an unknown state
        // (`NeedWorkplaces`): when none is published, that slack is zero.
        let state_unknown = CellKey::new(metric.id, &[(Dim::State, UNKNOWN)]);
        let end_unknown = CellKey::new(metric.id, &[(end, UNKNOWN)]);
        let state_slack = !constraints.iter().any(|c| {
            !c.equal
                && c.rhs == 0
                && c.terms.len() == 3
                && c.terms.contains(&(state_unknown.clone(), 1))
                && c.terms.contains(&(end_unknown.clone(), -1))
                && c.terms
                    .iter()
                    .any(|(k, coef)| k.metric != metric.id && *coef < 0 && zero(k))
        });
        Some(Split {
            metric: metric.id,
            end,
            levels,
            state_slack,
        })
    }

    /// Adds the split to `net`, in the direction from the stage margins to the total (`up`
    /// gives each arc's direction): the known stages' flow enters `known`, the unknown stage's
    /// enters `unknown`. Returns the node the total leaves from, or `None` when a county lies
    /// in no state. Each level's margins are arcs with the bounds `bounds` gives them; they
    /// go into `modelled`, and the withheld ones into `withheld`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn build<'c>(
        &self,
        net: &mut Network,
        up: &dyn Fn(&mut Network, NodeId, NodeId, i64, i64) -> ArcId,
        (known, unknown): (NodeId, NodeId),
        total: i64,
        cells: &BTreeMap<&'c CellKey, CellValue>,
        bounds: &Bounds<'_>,
        modelled: &mut BTreeMap<&'c CellKey, (i64, i64)>,
        withheld: &mut Vec<(CellKey, ArcId)>,
    ) -> Option<NodeId> {
        // The flow of members with a workplace, by the previous level's value (`None` before
        // the first level), and of those unknown in every level so far.
        let mut groups: BTreeMap<Option<&str>, NodeId> = BTreeMap::from([(None, known)]);
        let mut unknown = unknown;
        for (i, level) in self.levels.iter().enumerate() {
            let collect = net.node();
            up(net, unknown, collect, 0, total);
            let cap = if *level == Dim::State && !self.state_slack {
                0
            } else {
                total
            };
            for node in groups.values() {
                up(net, *node, collect, 0, cap);
            }
            let mut next: BTreeMap<Option<&str>, NodeId> = BTreeMap::new();
            let mut next_unknown = None;
            for (key, value) in cells.iter().filter(|(k, _)| k.table() == [*level]) {
                let v = key.dims.get(level)?.as_str();
                let (lo, hi) = bounds(key, value)?;
                let arc = if v == UNKNOWN {
                    let to = net.node();
                    next_unknown = Some(to);
                    up(net, collect, to, lo, hi)
                } else {
                    let parent = if i == 0 {
                        Some(known)
                    } else {
                        groups.get(&Some(county_state(v)?)).copied()
                    };
                    // A county whose state the report does not list is a zero.
                    let parent = parent.unwrap_or_else(|| net.node());
                    let to = net.node();
                    next.insert(Some(v), to);
                    up(net, parent, to, lo, hi)
                };
                modelled.insert(key, (lo, hi));
                if matches!(value, CellValue::Suppressed) {
                    withheld.push(((*key).clone(), arc));
                }
            }
            groups = next;
            // An unknown cell the report does not list is a zero: nothing leaves `collect`.
            unknown = next_unknown.unwrap_or_else(|| net.node());
        }
        let top = net.node();
        for node in groups.values() {
            up(net, *node, top, 0, total);
        }
        up(net, unknown, top, 0, total);
        Some(top)
    }

    /// Whether the split carries `c` (with the cells `zero` says are zero left out): `end =
    /// unknown` at most a level's unknown, state unknown at most county unknown, a county in
    /// its state, and a level's unknown at most the end's when that level has no slack.
    pub(super) fn carries(&self, c: &Constraint, zero: impl Fn(&CellKey) -> bool) -> bool {
        if c.equal || c.rhs != 0 {
            return false;
        }
        let terms: Vec<&(CellKey, i64)> = c.terms.iter().filter(|(k, _)| !zero(k)).collect();
        if terms.iter().any(|(k, _)| k.metric != self.metric) {
            return false;
        }
        let level = |d: Dim| self.levels.contains(&d);
        if let Some((small, large)) = unknown_pair(&terms) {
            let first = self.levels.first().copied();
            return (small == self.end && level(large))
                || (small == Dim::State && large == Dim::County && level(small) && level(large))
                || (Some(small) == first
                    && small == Dim::State
                    && large == self.end
                    && !self.state_slack);
        }
        // A county lies in its state: counties of one state, at most that state's cell.
        if !(level(Dim::State) && level(Dim::County)) {
            return false;
        }
        let mut state: Option<&str> = None;
        let mut states = BTreeSet::new();
        for (key, coef) in &terms {
            match (key.dims.iter().collect::<Vec<_>>().as_slice(), coef) {
                ([(Dim::County, v)], 1) if v.as_str() != UNKNOWN => {
                    let Some(s) = county_state(v) else {
                        return false;
                    };
                    states.insert(s);
                }
                ([(Dim::State, v)], -1) if state.is_none() => state = Some(v.as_str()),
                _ => return false,
            }
        }
        match state {
            Some(s) => states.iter().all(|t| *t == s),
            None => states.len() <= 1,
        }
    }
}

/// `[a = unknown] − [b = unknown] ≤ 0` of one metric: `(a, b)`.
pub(super) fn unknown_pair(terms: &[&(CellKey, i64)]) -> Option<(Dim, Dim)> {
    fn dim(k: &CellKey) -> Option<Dim> {
        match k.dims.iter().collect::<Vec<_>>().as_slice() {
            [(d, v)] if v.as_str() == UNKNOWN => Some(**d),
            _ => None,
        }
    }
    match terms {
        [(a, 1), (b, -1)] | [(b, -1), (a, 1)] if a.metric == b.metric => Some((dim(a)?, dim(b)?)),
        _ => None,
    }
}

/// Whether a chain's two-dimensional table carries `[a = unknown] ≤ [b = unknown]`: when every
/// cell of the table with `a` unknown and `b` known is zero, `a = unknown` is the table's one
/// cell unknown in both, which is at most `b = unknown`.
pub(super) fn within_table(
    (a, b): (Dim, Dim),
    dims: &[Dim],
    cells: &BTreeMap<&CellKey, CellValue>,
    zero: impl Fn(&CellKey) -> bool,
) -> bool {
    let adjacent = dims.windows(2).any(|w| w == [a, b] || w == [b, a]);
    let mut table = vec![a, b];
    table.sort();
    adjacent
        && cells.keys().filter(|k| k.table() == table).all(|k| {
            let unknown = |d: Dim| k.dims.get(&d).is_some_and(|v| v == UNKNOWN);
            !unknown(a) || unknown(b) || zero(k)
        })
}
