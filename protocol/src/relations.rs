//! The relations between a report's cells, as linear constraints.
//!
//! The registry states, next to each metric, what holds by construction between its cells and
//! other cells of a report ([`registry::Relation`]). This module turns those statements, for one
//! report's cells and public campaigns, into linear constraints over cell keys:
//! `sum(coef * cell) <= rhs` or `= rhs`. Disclosure control ([`crate::disclosure`]) adds them to
//! the table margins when it decides what to withhold and when it audits the result, so a reader
//! who knows the relations learns no more than the audit allows for.
//!
//! A cell absent from the report is a published zero: it appears in a constraint with its key all
//! the same, and readers of [`Constraint::terms`] give it the value 0.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::registry::{self, Cells, Dim, METRICS, Relation, STATE_FIPS, UNKNOWN};
use crate::report::{Cell, CellKey, PublicCampaign};

/// `sum(coef * cell) <= rhs` (or `= rhs` when `equal`), with absent cells worth 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// Cells and their coefficients.
    pub terms: Vec<(CellKey, i64)>,
    /// The right-hand side.
    pub rhs: i64,
    /// An equation rather than an upper bound.
    pub equal: bool,
    /// Why it holds (the registry's words).
    pub why: &'static str,
}

impl Constraint {
    /// Whether the constraint holds when each cell has the value `value` gives (absent cells 0).
    pub fn holds(&self, value: impl Fn(&CellKey) -> u64) -> bool {
        let lhs: i128 = self
            .terms
            .iter()
            .map(|(k, c)| i128::from(*c) * i128::from(value(k)))
            .sum();
        let rhs = i128::from(self.rhs);
        if self.equal { lhs == rhs } else { lhs <= rhs }
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (key, c)) in self.terms.iter().enumerate() {
            let sign = if *c < 0 { "-" } else { "+" };
            if i > 0 || *c < 0 {
                write!(f, "{sign} ")?;
            }
            if c.unsigned_abs() != 1 {
                write!(f, "{}·", c.unsigned_abs())?;
            }
            write!(f, "{key} ")?;
        }
        let op = if self.equal { "=" } else { "<=" };
        write!(f, "{op} {} ({})", self.rhs, self.why)
    }
}

/// Every constraint that the registry's relations impose on a report with these cells and public
/// campaigns. Never panics. Constraints of zeros are left out, and so are constraints through a
/// table or total the report does not list at all (unpublished, not zeros).
pub fn constraints(cells: &[Cell], campaigns: &[PublicCampaign]) -> Vec<Constraint> {
    let mut out = Vec::new();
    for metric in METRICS {
        for relation in metric.relations {
            expand(relation, cells, campaigns, &mut out);
        }
    }
    // A table (or total) the report does not list at all is not published: its cells are not
    // zeros, so a relation through it tells a reader nothing and is left out. (Nodes list every
    // total and every table of a non-zero metric; other writers may not.)
    let present: BTreeSet<(&str, Vec<Dim>)> = cells
        .iter()
        .map(|c| (c.key.metric.as_str(), c.key.table()))
        .collect();
    out.retain(|c| {
        (!c.terms.is_empty() || c.rhs != 0)
            && c.terms
                .iter()
                .all(|(k, _)| present.contains(&(k.metric.as_str(), k.table())))
    });
    out
}

fn expand(
    relation: &Relation,
    cells: &[Cell],
    campaigns: &[PublicCampaign],
    out: &mut Vec<Constraint>,
) {
    match relation {
        Relation::AtMost {
            small,
            large,
            per,
            why,
        } => {
            for value in per_values(*per, &[small, large], cells) {
                let mut terms = side(small, *per, value.as_deref(), 1);
                terms.extend(side(large, *per, value.as_deref(), -1));
                out.push(Constraint {
                    terms,
                    rhs: 0,
                    equal: false,
                    why,
                });
            }
        }
        Relation::Equal {
            left,
            right,
            per,
            why,
        } => {
            for value in per_values(*per, &[left, right], cells) {
                let mut terms = side(left, *per, value.as_deref(), 1);
                terms.extend(side(right, *per, value.as_deref(), -1));
                out.push(Constraint {
                    terms,
                    rhs: 0,
                    equal: true,
                    why,
                });
            }
        }
        Relation::CountiesWithinStates { metric } => counties(metric, cells, out),
        Relation::OncePerOrganizer {
            metric,
            dim,
            organizers,
        } => once_per_organizer(metric, *dim, organizers, cells, out),
        Relation::NeedWorkplaces {
            metric,
            dim,
            workplaces,
        } => need_workplaces(metric, *dim, workplaces, cells, out),
        Relation::PublicCampaigns {
            metric,
            priority_labor,
        } => public_campaigns(metric, *priority_labor, campaigns, out),
    }
}

/// The values of `per` seen in the report's cells of the relation's metrics (one `None` when the
/// relation has no `per` dimension). Values absent from every side make `0 <= 0`.
fn per_values(per: Option<Dim>, sides: &[&Cells], cells: &[Cell]) -> Vec<Option<String>> {
    let Some(dim) = per else {
        return vec![None];
    };
    let metrics: BTreeSet<&str> = sides.iter().filter(|s| s.per).map(|s| s.metric).collect();
    let values: BTreeSet<&str> = cells
        .iter()
        .filter(|c| metrics.contains(c.key.metric.as_str()))
        .filter_map(|c| c.key.dims.get(&dim).map(String::as_str))
        .collect();
    values.into_iter().map(|v| Some(v.to_owned())).collect()
}

/// The keys of one side, each with coefficient `coef`.
fn side(cells: &Cells, per: Option<Dim>, value: Option<&str>, coef: i64) -> Vec<(CellKey, i64)> {
    let mut keys = vec![CellKey::total(cells.metric)];
    let mut dims: Vec<(Dim, Vec<&str>)> = cells
        .fixed
        .iter()
        .map(|(d, vs)| (*d, vs.to_vec()))
        .collect();
    if cells.per
        && let (Some(d), Some(v)) = (per, value)
    {
        dims.push((d, vec![v]));
    }
    for (d, values) in dims {
        keys = keys
            .into_iter()
            .flat_map(|k| {
                values.iter().map(move |v| {
                    let mut k = k.clone();
                    k.dims.insert(d, (*v).to_owned());
                    k
                })
            })
            .collect();
    }
    keys.into_iter().map(|k| (k, coef)).collect()
}

fn once_per_organizer(
    metric: &str,
    dim: Dim,
    organizers: &str,
    cells: &[Cell],
    out: &mut Vec<Constraint>,
) {
    let why = "an organizer counts once per value, and as unknown only with none";
    let unknown = CellKey::new(metric, &[(dim, UNKNOWN)]);
    let total = CellKey::total(organizers);
    let values: BTreeSet<&str> = cells
        .iter()
        .filter(|c| c.key.metric == metric)
        .filter_map(|c| c.key.dims.get(&dim).map(String::as_str))
        .filter(|v| *v != UNKNOWN)
        .collect();
    out.push(Constraint {
        terms: vec![(unknown.clone(), 1), (total.clone(), -1)],
        rhs: 0,
        equal: false,
        why,
    });
    for v in values {
        out.push(Constraint {
            terms: vec![
                (CellKey::new(metric, &[(dim, v)]), 1),
                (unknown.clone(), 1),
                (total.clone(), -1),
            ],
            rhs: 0,
            equal: false,
            why,
        });
    }
    out.push(Constraint {
        terms: vec![(total, 1), (CellKey::total(metric), -1)],
        rhs: 0,
        equal: false,
        why: "every organizer counts at least once",
    });
}

fn need_workplaces(
    metric: &str,
    dim: Dim,
    workplaces: &str,
    cells: &[Cell],
    out: &mut Vec<Constraint>,
) {
    let total = cells
        .iter()
        .find(|c| c.key == CellKey::total(metric))
        .and_then(|c| c.value.count())
        .and_then(|t| i64::try_from(t).ok());
    let Some(t) = total else { return };
    out.push(Constraint {
        terms: vec![
            (CellKey::new(metric, &[(dim, UNKNOWN)]), 1),
            (CellKey::new(metric, &[(Dim::Stage, UNKNOWN)]), -1),
            (CellKey::new(workplaces, &[(dim, UNKNOWN)]), -t),
        ],
        rhs: 0,
        equal: false,
        why: "members with a workplace but an unknown value need a workplace with an unknown value",
    });
}

fn counties(metric: &str, cells: &[Cell], out: &mut Vec<Constraint>) {
    let mut by_state: BTreeMap<&str, Vec<CellKey>> = BTreeMap::new();
    for cell in cells.iter().filter(|c| c.key.metric == metric) {
        if cell.key.dims.len() != 1 {
            continue;
        }
        let Some(county) = cell.key.dims.get(&Dim::County) else {
            continue;
        };
        let Some(state) = county_state(county) else {
            continue;
        };
        by_state.entry(state).or_default().push(cell.key.clone());
    }
    for (state, keys) in by_state {
        let mut terms: Vec<(CellKey, i64)> = keys.into_iter().map(|k| (k, 1)).collect();
        terms.push((CellKey::new(metric, &[(Dim::State, state)]), -1));
        out.push(Constraint {
            terms,
            rhs: 0,
            equal: false,
            why: "a county lies in its state",
        });
    }
    out.push(Constraint {
        terms: vec![
            (CellKey::new(metric, &[(Dim::State, UNKNOWN)]), 1),
            (CellKey::new(metric, &[(Dim::County, UNKNOWN)]), -1),
        ],
        rhs: 0,
        equal: false,
        why: "a member whose state is unknown has no known county",
    });
}

/// The USPS state a county FIPS code lies in.
pub fn county_state(county: &str) -> Option<&'static str> {
    let prefix = county.get(..2)?;
    if county.len() != 5 {
        return None;
    }
    STATE_FIPS
        .iter()
        .find(|(_, f)| *f == prefix)
        .map(|(code, _)| *code)
}

fn public_campaigns(
    metric_id: &str,
    priority_labor: bool,
    campaigns: &[PublicCampaign],
    out: &mut Vec<Constraint>,
) {
    let Some(metric) = registry::metric(metric_id) else {
        return;
    };
    let mut floors: BTreeMap<CellKey, i64> = BTreeMap::new();
    for c in campaigns {
        if priority_labor && !(c.priority && c.labor_component) {
            continue;
        }
        *floors.entry(CellKey::total(metric_id)).or_insert(0) += 1;
        for table in metric.tables {
            let mut key = CellKey::total(metric_id);
            for d in *table {
                let raw = match d {
                    Dim::CampaignType => c.kind.as_str(),
                    Dim::CampaignStatus => c.status.as_str(),
                    Dim::Sector => c.sector.as_deref().unwrap_or(UNKNOWN),
                    _ => UNKNOWN,
                };
                let v = if d.accepts(raw) { raw } else { UNKNOWN };
                key.dims.insert(*d, v.to_owned());
            }
            *floors.entry(key).or_insert(0) += 1;
        }
    }
    for (key, n) in floors {
        // cell >= n, i.e. -cell <= -n.
        out.push(Constraint {
            terms: vec![(key, -1)],
            rhs: -n,
            equal: false,
            why: "the report lists this many public campaigns in the cell",
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_relation_names_tables_its_metrics_have() {
        for m in METRICS {
            for r in m.relations {
                let sides: Vec<(&Cells, Option<Dim>)> =
                    match r {
                        Relation::AtMost {
                            small, large, per, ..
                        } => vec![(small, *per), (large, *per)],
                        Relation::Equal {
                            left, right, per, ..
                        } => vec![(left, *per), (right, *per)],
                        Relation::CountiesWithinStates { metric } => {
                            let metric = registry::metric(metric);
                            assert!(metric.is_some_and(
                                |m| m.allows(&[Dim::County]) && m.allows(&[Dim::State])
                            ));
                            continue;
                        }
                        Relation::OncePerOrganizer {
                            metric,
                            organizers,
                            dim,
                        } => {
                            assert!(registry::metric(organizers).is_some());
                            assert!(registry::metric(metric).is_some_and(|m| m.allows(&[*dim])));
                            continue;
                        }
                        Relation::NeedWorkplaces {
                            metric,
                            dim,
                            workplaces,
                        } => {
                            for m in [metric, workplaces] {
                                assert!(registry::metric(m).is_some_and(|m| m.allows(&[*dim])));
                            }
                            continue;
                        }
                        Relation::PublicCampaigns { metric, .. } => {
                            assert!(registry::metric(metric).is_some());
                            continue;
                        }
                    };
                for (cells, per) in sides {
                    let metric = registry::metric(cells.metric);
                    assert!(metric.is_some(), "{} is not a metric", cells.metric);
                    let mut dims: Vec<Dim> = cells.fixed.iter().map(|(d, _)| *d).collect();
                    if cells.per
                        && let Some(p) = per
                    {
                        dims.push(p);
                    }
                    dims.sort();
                    assert!(
                        metric.is_some_and(|m| m.allows(&dims)),
                        "{} has no table {dims:?}",
                        cells.metric
                    );
                    for (d, values) in cells.fixed {
                        for v in *values {
                            assert!(d.accepts(v), "{v} is not a {d}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn constraints_expand_per_value_and_hold_on_consistent_cells() {
        let c = |m: &str, d: &[(Dim, &str)], v: u64| Cell::count(CellKey::new(m, d), v);
        let cells = vec![
            c("workplaces", &[], 10),
            c("workplaces", &[(Dim::Sector, "62")], 6),
            c("workplaces", &[(Dim::Sector, "44-45")], 4),
            c("workplaces", &[(Dim::Sector, "62"), (Dim::Stage, "1")], 6),
            c(
                "workplaces",
                &[(Dim::Sector, "44-45"), (Dim::Stage, "4")],
                4,
            ),
            c("majority-workplaces", &[], 3),
            c("majority-workplaces", &[(Dim::Sector, "62")], 3),
        ];
        let all = constraints(&cells, &[]);
        let value = |k: &CellKey| {
            cells
                .iter()
                .find(|c| &c.key == k)
                .and_then(|c| c.value.count())
                .unwrap_or(0)
        };
        let per_sector: Vec<_> = all
            .iter()
            .filter(|c| {
                c.why.contains("below stage 3")
                    && c.terms
                        .iter()
                        .all(|(k, _)| k.dims.contains_key(&Dim::Sector))
            })
            .collect();
        assert_eq!(per_sector.len(), 2, "one per sector seen: {all:#?}");
        assert!(all.iter().all(|c| c.holds(value)), "{all:#?}");
        // Break it: more majority workplaces in a sector than it has below stage 3.
        let broken = |k: &CellKey| {
            if k == &CellKey::new("majority-workplaces", &[(Dim::Sector, "62")]) {
                7
            } else {
                value(k)
            }
        };
        assert!(all.iter().any(|c| !c.holds(broken)));
    }

    #[test]
    fn counties_sit_in_their_states() {
        assert_eq!(county_state("37063"), Some("NC"));
        assert_eq!(county_state("99999"), None);
        assert_eq!(county_state("37"), None);
        let cells = vec![
            Cell::count(CellKey::new("members", &[(Dim::County, "37063")]), 5),
            Cell::count(CellKey::new("members", &[(Dim::County, "37135")]), 7),
            Cell::count(CellKey::new("members", &[(Dim::State, "NC")]), 12),
        ];
        let all = constraints(&cells, &[]);
        let within: Vec<_> = all
            .iter()
            .filter(|c| c.why == "a county lies in its state")
            .collect();
        assert_eq!(within.len(), 1);
        assert_eq!(within[0].terms.len(), 3);
    }

    #[test]
    fn public_campaigns_are_floors() {
        let campaign = PublicCampaign {
            id: "c1".into(),
            title: "Fair shifts".into(),
            kind: "workplace".into(),
            status: "active".into(),
            sector: None,
            priority: true,
            labor_component: true,
            metrics: Vec::new(),
        };
        let c = |m: &str, d: &[(Dim, &str)], v: u64| Cell::count(CellKey::new(m, d), v);
        let cells = vec![
            c("campaigns", &[], 3),
            c("campaigns", &[(Dim::CampaignType, UNKNOWN)], 3),
            c("campaigns", &[(Dim::CampaignStatus, "active")], 3),
            c(
                "campaigns",
                &[
                    (Dim::CampaignType, UNKNOWN),
                    (Dim::CampaignStatus, "active"),
                ],
                3,
            ),
            c("priority-labor-campaigns", &[], 1),
        ];
        let all = constraints(&cells, std::slice::from_ref(&campaign));
        // Without the tables in the report, the floors say nothing and are left out.
        assert!(constraints(&[], &[campaign]).is_empty());
        assert!(all.iter().any(|c| c.terms.len() == 1
            && c.terms[0].0 == CellKey::total("priority-labor-campaigns")
            && c.rhs == -1));
        assert!(
            all.iter()
                .filter(|c| c.why.contains("public campaigns"))
                .all(|c| c.rhs == -1)
        );
    }
}
