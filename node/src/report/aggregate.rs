//! SQL aggregates for every metric and table of the registry.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use shopfloor_protocol::registry::{self, Dim, METRICS, UNKNOWN};
use shopfloor_protocol::report::{PublicCampaign, SuccessMetric};
use shopfloor_protocol::{Cell, CellKey, Period};

mod members_pass;

use crate::error::Result;
use members_pass::MembersPass;

/// Accumulates weighted observations into every table of one metric.
pub(super) struct Tally {
    metric: &'static registry::Metric,
    cells: BTreeMap<CellKey, u64>,
}

impl Tally {
    fn new(id: &str) -> Result<Self> {
        let metric = registry::metric(id).ok_or_else(|| {
            crate::Error::invalid("metric", format!("{id} is not in the registry"))
        })?;
        let mut cells = BTreeMap::new();
        cells.insert(CellKey::total(id), 0);
        Ok(Tally { metric, cells })
    }

    /// Adds `n` to the total and, for each table, to the cell at `dims`' values (values outside
    /// the dimension's vocabulary count as `unknown`).
    fn add(&mut self, dims: &[(Dim, Option<&str>)], n: u64) {
        if n == 0 {
            return;
        }
        *self
            .cells
            .entry(CellKey::total(self.metric.id))
            .or_insert(0) += n;
        for table in self.metric.tables {
            let mut key = CellKey::total(self.metric.id);
            for d in *table {
                let raw = dims.iter().find(|(x, _)| x == d).and_then(|(_, v)| *v);
                let v = match raw {
                    Some(v) if d.accepts(v) => v,
                    _ => UNKNOWN,
                };
                key.dims.insert(*d, v.to_owned());
            }
            *self.cells.entry(key).or_insert(0) += n;
        }
    }

    /// The metric's tables (each a list of dimensions).
    pub(super) fn tables(&self) -> &'static [&'static [Dim]] {
        self.metric.tables
    }

    /// Adds `n` to the total only (the caller adds to the tables with [`Tally::add_at`]).
    pub(super) fn add_total(&mut self, n: u64) {
        *self
            .cells
            .entry(CellKey::total(self.metric.id))
            .or_insert(0) += n;
    }

    /// Adds `n` to one table's cell at `values` (one per dimension of `table`, already checked
    /// against the dimension's vocabulary as [`Tally::add`] does).
    pub(super) fn add_at(&mut self, table: &[Dim], values: &[&str], n: u64) {
        if n == 0 {
            return;
        }
        let mut key = CellKey::total(self.metric.id);
        for (d, v) in table.iter().zip(values) {
            key.dims.insert(*d, (*v).to_owned());
        }
        *self.cells.entry(key).or_insert(0) += n;
    }

    /// Emits the cells: every total, and every non-zero cell (absent cells are zeros).
    fn into_cells(self, out: &mut Vec<Cell>) {
        for (key, v) in self.cells {
            // Totals are always present; other zero cells are left out (absent = 0).
            if v > 0 || key.dims.is_empty() {
                out.push(Cell::count(key, v));
            }
        }
    }
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The last day of a period as `YYYY-MM-DD` bounds: `[start, end)` as date strings.
fn bounds(period: Period) -> (String, String) {
    let start = format!("{:04}-{:02}-01", period.year(), period.month());
    let end = period.next().map_or_else(
        || "9999-12-31".to_owned(),
        |n| format!("{:04}-{:02}-01", n.year(), n.month()),
    );
    (start, end)
}

/// Every metric's exact cells (before disclosure control), in registry order.
pub fn raw_cells(conn: &Connection, period: Period) -> Result<Vec<Cell>> {
    raw_cells_where(conn, period, |_| true)
}

/// The exact cells of the metrics `want` selects (by id), in registry order.
pub(crate) fn raw_cells_where(
    conn: &Connection,
    period: Period,
    want: impl Fn(&str) -> bool,
) -> Result<Vec<Cell>> {
    let (start, end) = bounds(period);
    let mut out = Vec::new();
    // `members` and `lapsed-members` share one read of the members table.
    let mut pass: Option<MembersPass> = None;
    for m in METRICS.iter().filter(|m| want(m.id)) {
        let mut t = Tally::new(m.id)?;
        match m.id {
            "members" => members_pass(conn, &mut pass)?.fold_members(&mut t),
            "lapsed-members" => {
                let n = members_pass(conn, &mut pass)?.lapsed;
                t.add(&[], n);
            }
            "workplaces" => {
                let mut stmt = conn.prepare_cached(
                    "SELECT sector, state, CAST(stage AS TEXT), representation, count(*)
                     FROM workplaces GROUP BY 1, 2, 3, 4",
                )?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let (sector, state, stage, rep): (
                        Option<String>,
                        Option<String>,
                        String,
                        String,
                    ) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                    t.add(
                        &[
                            (Dim::Sector, sector.as_deref()),
                            (Dim::State, state.as_deref()),
                            (Dim::Stage, Some(&stage)),
                            (Dim::Representation, Some(&rep)),
                        ],
                        count(r.get(4)?),
                    );
                }
            }
            "majority-workplaces" => {
                let mut stmt = conn.prepare_cached(
                    "SELECT sector, count(*) FROM workplaces
                     WHERE stage < 3 AND workforce_size > 0 AND supporters * 2 > workforce_size
                     GROUP BY 1",
                )?;
                one_dim(&mut stmt, &[], Dim::Sector, &mut t)?;
            }
            "trainings-completed" => {
                let mut stmt = conn.prepare_cached(
                    "SELECT training_code, count(*) FROM training_completions
                     WHERE completed_on < ?1 GROUP BY 1",
                )?;
                one_dim(&mut stmt, &[&end], Dim::Training, &mut t)?;
            }
            "mentorships-active" => {
                let n: i64 = conn.query_row(
                    "SELECT count(*) FROM mentorships
                     WHERE started_on < ?2 AND (ended_on IS NULL OR ended_on >= ?1)",
                    params![start, end],
                    |r| r.get(0),
                )?;
                t.add(&[], count(n));
            }
            "reserve-organizers" => {
                let n: i64 = conn.query_row(
                    "SELECT count(*) FROM reserve r CROSS JOIN members m ON m.id = r.member_id
                     WHERE r.active = 1 AND m.list_status = 'present'",
                    [],
                    |r| r.get(0),
                )?;
                t.add(&[], count(n));
            }
            "reserve-languages" => {
                let mut stmt = conn.prepare_cached(
                    "SELECT r.languages FROM reserve r CROSS JOIN members m ON m.id = r.member_id
                     WHERE r.active = 1 AND m.list_status = 'present'",
                )?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let langs: String = r.get(0)?;
                    // Once per language; unknown only for an organizer with no valid language.
                    let spoken: std::collections::BTreeSet<&str> = langs
                        .split(',')
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && *l != UNKNOWN && Dim::Language.accepts(l))
                        .collect();
                    if spoken.is_empty() {
                        t.add(&[(Dim::Language, None)], 1);
                    }
                    for l in spoken {
                        t.add(&[(Dim::Language, Some(l))], 1);
                    }
                }
            }
            "reserve-skills" => {
                // Once per organizer and skill; unknown only for an organizer with no valid skill
                // (the registry's relation: each skill plus unknown is at most the reserve).
                let mut stmt = conn.prepare_cached(
                    "SELECT r.member_id, s.skill FROM reserve r CROSS JOIN members m ON m.id = r.member_id
                     LEFT JOIN reserve_skills s ON s.member_id = r.member_id
                     WHERE r.active = 1 AND m.list_status = 'present' ORDER BY 1",
                )?;
                let mut rows = stmt.query([])?;
                let mut per_member: BTreeMap<i64, std::collections::BTreeSet<String>> =
                    BTreeMap::new();
                while let Some(r) = rows.next()? {
                    let (member, skill): (i64, Option<String>) = (r.get(0)?, r.get(1)?);
                    let skills = per_member.entry(member).or_default();
                    if let Some(s) = skill.filter(|s| s != UNKNOWN && Dim::Skill.accepts(s)) {
                        skills.insert(s);
                    }
                }
                for mut skills in per_member.into_values() {
                    if skills.is_empty() {
                        skills.insert(UNKNOWN.to_owned());
                    }
                    for s in skills {
                        t.add(&[(Dim::Skill, Some(&s))], 1);
                    }
                }
            }
            "coworkers-recruited" => {
                let mut stmt = conn.prepare_cached(
                    "SELECT w.sector, sum(c.count) FROM recruitments c
                     JOIN workplaces w ON w.id = c.workplace_id
                     WHERE c.recruited_on >= ?1 AND c.recruited_on < ?2 GROUP BY 1",
                )?;
                one_dim(&mut stmt, &[&start, &end], Dim::Sector, &mut t)?;
            }
            "pods" => {
                let mut stmt =
                    conn.prepare_cached("SELECT sector, count(*) FROM pods GROUP BY 1")?;
                one_dim(&mut stmt, &[], Dim::Sector, &mut t)?;
            }
            "campaigns" => {
                let mut stmt = conn.prepare_cached(
                    "SELECT kind, status, count(*) FROM campaigns WHERE approval <> 'rejected'
                     GROUP BY 1, 2",
                )?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let (kind, status): (String, String) = (r.get(0)?, r.get(1)?);
                    t.add(
                        &[
                            (Dim::CampaignType, Some(&kind)),
                            (Dim::CampaignStatus, Some(&status)),
                        ],
                        count(r.get(2)?),
                    );
                }
            }
            "priority-labor-campaigns" => {
                let n: i64 = conn.query_row(
                    "SELECT count(*) FROM campaigns
                     WHERE approval <> 'rejected' AND priority = 1 AND labor_component = 1",
                    [],
                    |r| r.get(0),
                )?;
                t.add(&[], count(n));
            }
            other => {
                return Err(crate::Error::invalid(
                    "metric",
                    format!("the node does not know how to count {other}; update shopfloor-node"),
                ));
            }
        }
        t.into_cells(&mut out);
    }
    Ok(out)
}

fn one_dim(
    stmt: &mut rusqlite::CachedStatement<'_>,
    args: &[&dyn rusqlite::ToSql],
    dim: Dim,
    t: &mut Tally,
) -> Result<()> {
    let mut rows = stmt.query(args)?;
    while let Some(r) = rows.next()? {
        let v: Option<String> = r.get(0)?;
        let n: i64 = r.get(1)?;
        t.add(&[(dim, v.as_deref())], count(n));
    }
    Ok(())
}

/// The members pass, read on first use.
fn members_pass<'a>(
    conn: &Connection,
    pass: &'a mut Option<MembersPass>,
) -> Result<&'a MembersPass> {
    if pass.is_none() {
        *pass = Some(MembersPass::read(conn)?);
    }
    pass.as_ref()
        .ok_or_else(|| crate::Error::invalid("report", "the members pass is missing"))
}

/// The state a member is counted under: their workplace's county's state when the county is
/// known, else the workplace's own state, so that the registry's relations "a county lies in its
/// state" and "unknown state means unknown county" hold on every report whatever was stored (the
/// forms refuse a county outside the workplace's state, but a state can be cleared later).
pub(super) fn effective_state<'a>(state: Option<&'a str>, county: Option<&str>) -> Option<&'a str> {
    county
        .filter(|c| Dim::County.accepts(c))
        .and_then(shopfloor_protocol::relations::county_state)
        .or_else(|| state.filter(|s| Dim::State.accepts(s) && *s != UNKNOWN))
}

/// The union a member is counted under, so that the registry's identity "union is none exactly
/// when union status is none or organizing" holds whatever was typed by hand: a member whose
/// status says they are not in a union counts as `none`, and one whose status says they are (or
/// is unknown) never does (their union is then unknown).
pub(super) fn effective_union<'a>(role: Option<&str>, union: Option<&'a str>) -> Option<&'a str> {
    match role {
        Some("none") | Some("organizing") => Some("none"),
        _ => union.filter(|u| *u != "none"),
    }
}

/// Campaigns the chapter made public (not rejected), with their success metrics.
pub fn public_campaigns(conn: &Connection) -> Result<Vec<PublicCampaign>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, title, kind, status, priority, labor_component,
            (SELECT CASE WHEN count(DISTINCT w.sector) = 1 AND count(*) = count(w.sector)
                         THEN min(w.sector) END
             FROM campaign_workplaces cw JOIN workplaces w ON w.id = cw.workplace_id
             WHERE cw.campaign_id = campaigns.id)
         FROM campaigns WHERE public = 1 AND approval <> 'rejected' ORDER BY id",
    )?;
    let mut metrics = conn.prepare_cached(
        "SELECT name, target, actual FROM campaign_metrics WHERE campaign_id = ?1 ORDER BY id LIMIT 20",
    )?;
    let mut out = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let ms = metrics
            .query_map(params![id], |m| {
                Ok(SuccessMetric {
                    name: m.get(0)?,
                    target: count(m.get(1)?),
                    actual: count(m.get(2)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(PublicCampaign {
            id: format!("c{id}"),
            title: r.get(1)?,
            kind: r.get(2)?,
            status: r.get(3)?,
            sector: r.get(6)?,
            priority: r.get(4)?,
            labor_component: r.get(5)?,
            metrics: ms,
        });
    }
    Ok(out)
}
