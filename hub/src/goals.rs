//! Goals as a hub measures them: each goal's scope (sector, region or state) read from the
//! stored aggregates ([`crate::aggregates`]) for admins or from publications for viewers, and
//! its window added up the way its metric accrues ([`Accrual`]):
//!
//! - a stock (members, workplaces, pods…) is taken as of the period shown;
//! - a per-period count (coworkers recruited) is summed over the stored periods of the window,
//!   from the goal's `from` (or the month its guidance was issued) through the month of `by`;
//! - a running total (trainings completed) counts its growth over the window: the value as of
//!   the period shown less the value of the period before the window starts (0 when that period
//!   is not stored).
//!
//! Scope: a sector picks the metric's `[sector]` table (a metric without one is refused when the
//! guidance is published: [`Goal::validate`]). A region that is a regional hub reads that hub's
//! rollup, or this hub's own level when it names this hub. A USPS state uses the metric's
//! `[state]` table when the goal has no sector; with a sector (no registry table has both) it sums
//! the `[sector]` cell of the chapters whose card names that state. Viewers see only what a
//! publication holds: a state goal with a sector is withheld from them.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use shopfloor_protocol::registry::{Accrual, Dim};
use shopfloor_protocol::rollup::SummedCell;
use shopfloor_protocol::{CellKey, Kind, Period};

use crate::aggregates::{self, DocKind};
use crate::error::{Error, Result};
use crate::guidance::{Goal, Guidance};
use crate::hub::Hub;

/// Where a goal's figure is read at this hub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A cell of a level: this hub's own (`path` empty) or a regional child's (`path` = [id]).
    Level {
        /// Drill-down path from this hub.
        path: Vec<String>,
        /// The cell.
        key: CellKey,
    },
    /// The sum of a cell over the chapters of this hub's tree whose card names `state`.
    StateChapters {
        /// USPS code.
        state: String,
        /// The cell each chapter holds.
        key: CellKey,
    },
    /// The goal's region is not this hub nor one of its regional hubs (a goal of national's for
    /// another region, seen at a regional hub).
    Elsewhere,
}

/// This hub's regional children's ids.
fn regions(hub: &Hub) -> Result<BTreeSet<String>> {
    // Columns only: parsing every child's card and certificate costs milliseconds at 250.
    Ok(hub
        .store()
        .read(crate::enroll::summaries)?
        .into_iter()
        .filter(|c| c.kind == Kind::Regional)
        .map(|c| c.id.as_str().to_owned())
        .collect())
}

/// The cell a goal reads, before its region: the metric's total or its `[sector]` cell.
fn base_key(goal: &Goal) -> CellKey {
    match &goal.sector {
        Some(s) => CellKey::new(&goal.metric, &[(Dim::Sector, s)]),
        None => CellKey::total(&goal.metric),
    }
}

fn source_with(hub: &Hub, goal: &Goal, regions: &BTreeSet<String>) -> Source {
    let key = base_key(goal);
    match &goal.region {
        None => Source::Level {
            path: Vec::new(),
            key,
        },
        Some(r) if goal.state().is_some() => {
            let has_state = shopfloor_protocol::registry::metric(&goal.metric)
                .is_some_and(|m| m.allows(&[Dim::State]));
            if goal.sector.is_none() && has_state {
                Source::Level {
                    path: Vec::new(),
                    key: CellKey::new(&goal.metric, &[(Dim::State, r)]),
                }
            } else {
                Source::StateChapters {
                    state: r.clone(),
                    key,
                }
            }
        }
        Some(r) if r == hub.card().id.as_str() => Source::Level {
            path: Vec::new(),
            key,
        },
        Some(r) if regions.contains(r) => Source::Level {
            path: vec![r.clone()],
            key,
        },
        Some(_) => Source::Elsewhere,
    }
}

/// Where a goal's figure is read at this hub.
pub fn source(hub: &Hub, goal: &Goal) -> Result<Source> {
    Ok(source_with(hub, goal, &regions(hub)?))
}

/// Checks a hub's own goals before it signs them: each passes [`Goal::validate`] (a known
/// metric, a sector only on a metric published by sector), and a region is a USPS state, this
/// hub, or one of its regional hubs, so that every goal can be measured here.
pub fn check(hub: &Hub, goals: &[Goal]) -> Result<()> {
    let regions = regions(hub)?;
    for g in goals {
        g.validate()?;
        if source_with(hub, g, &regions) == Source::Elsewhere {
            return Err(Error::bad_request(format!(
                "goal on {:?}: region {:?} is not a USPS state, this hub, nor one of its \
                 regional hubs ({}), so it cannot be measured here",
                g.metric,
                g.region.as_deref().unwrap_or_default(),
                regions.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    Ok(())
}

/// A figure as a reader may see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Exact.
    Exact(u64),
    /// A lower bound (some chapters suppressed the cell).
    AtLeast(u64),
    /// Withheld from this reader by the viewers' rule.
    Withheld,
    /// Not in the publication viewers read (a sum of single chapters in a state, or a view
    /// the publication does not have).
    Unpublished,
    /// Not measured at this hub (the goal's region is outside its tree).
    Elsewhere,
}

impl Figure {
    /// The number to draw (0 for what is not shown).
    pub fn value(self) -> u64 {
        match self {
            Figure::Exact(v) | Figure::AtLeast(v) => v,
            Figure::Withheld | Figure::Unpublished | Figure::Elsewhere => 0,
        }
    }

    fn add(self, other: Figure) -> Figure {
        use Figure::{AtLeast, Elsewhere, Exact, Unpublished, Withheld};
        match (self, other) {
            (Elsewhere, _) | (_, Elsewhere) => Elsewhere,
            (Unpublished, _) | (_, Unpublished) => Unpublished,
            (Withheld, _) | (_, Withheld) => Withheld,
            (Exact(a), Exact(b)) => Exact(a.saturating_add(b)),
            (Exact(a) | AtLeast(a), Exact(b) | AtLeast(b)) => AtLeast(a.saturating_add(b)),
        }
    }

    fn of_cell(cell: Option<&SummedCell>, admin: bool) -> Figure {
        let Some(c) = cell else {
            return Figure::Exact(0);
        };
        if !admin && !crate::publish::rule::viewer_may_see(c) {
            Figure::Withheld
        } else if c.suppressed > 0 {
            Figure::AtLeast(c.sum)
        } else {
            Figure::Exact(c.sum)
        }
    }
}

fn add_cells(total: &mut Option<SummedCell>, c: SummedCell) {
    match total {
        None => *total = Some(c),
        Some(t) => {
            t.sum = t.sum.saturating_add(c.sum);
            t.suppressed = t.suppressed.saturating_add(c.suppressed);
            t.contributors = t.contributors.saturating_add(c.contributors);
            t.largest = t.largest.max(c.largest);
        }
    }
}

/// The chapters of this hub's tree that reported for a period, with their states (direct
/// children and those inside regional rollups); `None` when nothing was reported.
type Chapters = Option<Vec<(String, Option<String>)>>;

fn chapters(db: &Connection, hub: &Hub, period: &str) -> Result<Chapters> {
    let top = aggregates::docs(db, period, hub.card().id.as_str())?;
    if top.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for doc in top {
        match doc.kind {
            DocKind::Report => out.push((doc.party, doc.state)),
            DocKind::Rollup => out.extend(
                aggregates::docs(db, period, &doc.party)?
                    .into_iter()
                    .filter(|d| d.kind == DocKind::Report)
                    .map(|d| (d.party, d.state)),
            ),
        }
    }
    Ok(Some(out))
}

/// Admins: the live figure of a source for one period, or `None` when nothing was reported
/// for the period.
fn live(
    db: &Connection,
    hub: &Hub,
    source: &Source,
    period: &str,
    chapters: &Chapters,
) -> Result<Option<Figure>> {
    let Some(chapters) = chapters else {
        return Ok(None);
    };
    Ok(Some(match source {
        Source::Elsewhere => Figure::Elsewhere,
        Source::Level { path, key } => {
            let party = path.last().map_or(hub.card().id.as_str(), String::as_str);
            Figure::of_cell(aggregates::cell(db, party, period, key)?.as_ref(), true)
        }
        Source::StateChapters { state, key } => {
            let mut total = None;
            for (party, _) in chapters.iter().filter(|(_, s)| s.as_deref() == Some(state)) {
                if let Some(c) = aggregates::cell(db, party, period, key)? {
                    add_cells(&mut total, c);
                }
            }
            Figure::of_cell(total.as_ref(), true)
        }
    }))
}

/// Viewers: the figure in the period's newest publication, or `None` when it has none.
fn published(source: &Source, publication: Option<&crate::publish::Publication>) -> Option<Figure> {
    let publication = publication?;
    Some(match source {
        Source::Elsewhere => Figure::Elsewhere,
        Source::StateChapters { .. } => Figure::Unpublished,
        Source::Level { path, key } => match publication.view(path) {
            None => Figure::Unpublished,
            Some(v) => match v.cells.iter().find(|c| &c.key == key).map(|c| c.value) {
                None => Figure::Exact(0),
                Some(crate::publish::Value::Exact(n)) => Figure::Exact(n),
                Some(crate::publish::Value::AtLeast(n)) => Figure::AtLeast(n),
                Some(crate::publish::Value::Withheld) => Figure::Withheld,
            },
        },
    })
}

/// One goal measured at this hub.
#[derive(Clone, Debug)]
pub struct Progress {
    /// The goal.
    pub goal: Goal,
    /// Who published it (the guidance's issuer).
    pub issuer: String,
    /// Whether this hub published it (otherwise relayed from its parent).
    pub own: bool,
    /// Where its figure is read.
    pub source: Source,
    /// How its metric accrues.
    pub accrual: Accrual,
    /// Its window (first and last period).
    pub window: Option<(Period, Period)>,
    /// The figure as of the period shown.
    pub now: Figure,
    /// The figure as of each stored period up to the one shown, oldest first.
    pub series: Vec<(Period, Figure)>,
}

/// The goal's figure as of `at`, from per-period figures `per` (newest first, every stored
/// period) and its window.
fn as_of(
    accrual: Accrual,
    window: Option<(Period, Period)>,
    per: &[(Period, Figure)],
    at: Period,
) -> Figure {
    let figure = |p: Period| {
        per.iter()
            .find(|(q, _)| *q == p)
            .map_or(Figure::Exact(0), |(_, f)| *f)
    };
    match (accrual, window) {
        (Accrual::Stock, _) | (_, None) => figure(at),
        (Accrual::PerPeriod, Some((from, until))) => per
            .iter()
            .filter(|(p, _)| *p >= from && *p <= until && *p <= at)
            .fold(Figure::Exact(0), |acc, (_, f)| acc.add(*f)),
        (Accrual::ToDate, Some((from, until))) => {
            if at < from {
                return Figure::Exact(0);
            }
            let end = figure(at.min(until));
            let base = from.previous().map_or(Figure::Exact(0), figure);
            match (end, base) {
                (Figure::Elsewhere, _) | (_, Figure::Elsewhere) => Figure::Elsewhere,
                (Figure::Unpublished, _) | (_, Figure::Unpublished) => Figure::Unpublished,
                (Figure::Exact(e), Figure::Exact(b)) => Figure::Exact(e.saturating_sub(b)),
                (Figure::AtLeast(e), Figure::Exact(b)) => Figure::AtLeast(e.saturating_sub(b)),
                _ => Figure::Withheld,
            }
        }
    }
}

/// Measures every goal of `guidance` (this hub's own first, then its parent's it relays) as of
/// `period`, with a series over the stored periods up to it (at most `series_len`, oldest
/// first). `admin` reads the live aggregates, otherwise the publications.
pub fn measure(
    hub: &Hub,
    guidance: &[Guidance],
    period: Period,
    admin: bool,
    series_len: usize,
) -> Result<Vec<Progress>> {
    let regions = regions(hub)?;
    // Every stored period up to the one shown, newest first.
    let periods: Vec<Period> = crate::rollups::periods(hub)?
        .into_iter()
        .filter(|p| *p <= period)
        .collect();
    // Read once per period, whatever the number of goals.
    let mut tree: BTreeMap<Period, Chapters> = BTreeMap::new();
    let mut publications: BTreeMap<Period, Option<crate::publish::Publication>> = BTreeMap::new();
    let mut out = Vec::new();
    for g in guidance {
        for goal in &g.goals {
            let source = source_with(hub, goal, &regions);
            let accrual = goal.accrual();
            let window = goal.window(g.issued_at);
            // Only the periods the figure or its series needs.
            let oldest_needed = periods
                .get(series_len.saturating_sub(1))
                .or(periods.last())
                .copied();
            let needs = |p: Period| match (accrual, window) {
                (Accrual::Stock, _) | (_, None) => oldest_needed.is_none_or(|o| p >= o),
                (_, Some((from, _))) => {
                    oldest_needed.is_none_or(|o| p >= o) || p >= from || from.previous() == Some(p)
                }
            };
            let mut per = Vec::new();
            for p in periods.iter().copied().filter(|p| needs(*p)) {
                let text = p.to_string();
                let f = if admin {
                    let c = match tree.entry(p) {
                        Entry::Occupied(e) => e.into_mut(),
                        Entry::Vacant(e) => {
                            e.insert(hub.store().read(|db| chapters(db, hub, &text))?)
                        }
                    };
                    hub.store().read(|db| live(db, hub, &source, &text, c))?
                } else {
                    let stored = match publications.entry(p) {
                        Entry::Occupied(e) => e.into_mut(),
                        Entry::Vacant(e) => {
                            e.insert(crate::publish::latest(hub, p)?.map(|s| s.publication))
                        }
                    };
                    published(&source, stored.as_ref())
                };
                if let Some(f) = f {
                    per.push((p, f));
                }
            }
            let mut series: Vec<(Period, Figure)> = periods
                .iter()
                .take(series_len)
                .filter(|p| per.iter().any(|(q, _)| q == *p))
                .map(|p| (*p, as_of(accrual, window, &per, *p)))
                .collect();
            series.reverse();
            out.push(Progress {
                goal: goal.clone(),
                issuer: g.issuer.as_str().to_owned(),
                own: g.issuer == hub.card().id,
                now: as_of(accrual, window, &per, period),
                source,
                accrual,
                window,
                series,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(m: u8) -> Period {
        Period::new(2026, m).unwrap()
    }

    #[test]
    fn per_period_counts_sum_over_the_window_and_stocks_take_the_latest() {
        let per = vec![
            (p(5), Figure::Exact(94)),
            (p(4), Figure::Exact(80)),
            (p(3), Figure::Exact(70)),
            (p(2), Figure::Exact(60)),
        ];
        let window = Some((p(3), p(12)));
        assert_eq!(
            as_of(Accrual::PerPeriod, window, &per, p(5)),
            Figure::Exact(94 + 80 + 70)
        );
        assert_eq!(
            as_of(Accrual::PerPeriod, window, &per, p(4)),
            Figure::Exact(80 + 70)
        );
        assert_eq!(as_of(Accrual::Stock, window, &per, p(5)), Figure::Exact(94));
        // A running total counts what it grew since the month before the window.
        assert_eq!(
            as_of(Accrual::ToDate, window, &per, p(5)),
            Figure::Exact(94 - 60)
        );
        assert_eq!(as_of(Accrual::ToDate, window, &per, p(2)), Figure::Exact(0));
        let hidden = vec![(p(5), Figure::Withheld), (p(4), Figure::Exact(3))];
        assert_eq!(
            as_of(Accrual::PerPeriod, window, &hidden, p(5)),
            Figure::Withheld
        );
        let bound = vec![(p(5), Figure::AtLeast(9)), (p(4), Figure::Exact(3))];
        assert_eq!(
            as_of(Accrual::PerPeriod, window, &bound, p(5)),
            Figure::AtLeast(12)
        );
    }
}
