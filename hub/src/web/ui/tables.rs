//! Every metric, every table: the metric pages (`/ui/tables`), their trends over every stored
//! period, and the same numbers as CSV (`/ui/tables.csv`) and JSON (`GET /api/v1/tables/{period}`).
//!
//! All three are built by [`level_tables`] from what a page would show at that level
//! ([`data::view_level`]): admins the live sums from the stored aggregates, viewers the period's
//! newest publication, each cell passed through [`data::disclose`] on the server. A withheld
//! cell is written as withheld (never blank, never its value); a cell a chapter suppressed as
//! "suppressed"; a lower bound as "at least". The tables are the registry's, in its order
//! (`shopfloor_protocol::registry`): a metric's total, its one-dimension tables with every term
//! of a closed vocabulary (zero where nothing was reported), then its two-dimension tables with
//! the cells that were reported (cells not listed are zero).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::registry::{self, Dim, UNKNOWN};
use shopfloor_protocol::rollup::SummedCell;
use shopfloor_protocol::{CellKey, Period};

use super::charts::{self, BarChart, Row};
use super::data::{self, Level, PathError, Shown, disclose};
use super::i18n::Lang;
use super::pages::{self, Choice, Crumb, DashQuery, PageError};
use super::session::Member;
use super::trends;
use super::view::{self, Chrome, Nav};
use crate::error::Result;
use crate::guidance::Guidance;
use crate::hub::Hub;
use crate::web::AppState;
use crate::web::ui::i18n::LangExt as _;

/// One cell of a table, as its reader may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableCell {
    /// The cell's dimensions and values (codes), in the table's order; empty for the total.
    pub dims: Vec<(Dim, String)>,
    /// What is shown.
    #[serde(flatten)]
    pub shown: ShownJson,
}

/// [`Shown`] in the JSON API and the CSV: `status` and, where there is one, `value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ShownJson {
    /// `exact`, `at-least`, `suppressed` or `withheld`.
    pub status: &'static str,
    /// The number (exact, or the lower bound); absent when nothing may be shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<u64>,
}

impl From<Shown> for ShownJson {
    fn from(s: Shown) -> Self {
        match s {
            Shown::Exact(v) => ShownJson {
                status: "exact",
                value: Some(v),
            },
            Shown::AtLeast(v) => ShownJson {
                status: "at-least",
                value: Some(v),
            },
            Shown::Suppressed => ShownJson {
                status: "suppressed",
                value: None,
            },
            Shown::Withheld => ShownJson {
                status: "withheld",
                value: None,
            },
        }
    }
}

impl ShownJson {
    fn shown(self) -> Shown {
        match (self.status, self.value) {
            ("exact", Some(v)) => Shown::Exact(v),
            ("at-least", Some(v)) => Shown::AtLeast(v),
            ("suppressed", _) => Shown::Suppressed,
            _ => Shown::Withheld,
        }
    }
}

/// One table of a metric: its dimensions and cells.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    /// The metric's id.
    pub metric: &'static str,
    /// The dimensions (empty: the metric's total).
    pub dims: Vec<Dim>,
    /// Its cells.
    pub cells: Vec<TableCell>,
}

/// Every table of the chosen metrics at one level and period.
#[derive(Clone, Debug, Serialize)]
pub struct LevelTables {
    /// The period.
    pub period: String,
    /// The drill-down path (child ids from this hub down).
    pub path: Vec<String>,
    /// Names from the top down to this level (this hub's name first).
    pub names: Vec<String>,
    /// The publication shown to a viewer (its sequence number), or none for admins' live sums.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publication: Option<u32>,
    /// The tables, in registry order.
    pub tables: Vec<Table>,
}

/// The tables of `metrics` in `cells`, as `admin` (or a viewer) may see them.
fn tables_of(
    cells: &[SummedCell],
    metrics: &[&'static registry::Metric],
    admin: bool,
) -> Vec<Table> {
    let mut out = Vec::new();
    for m in metrics {
        let total = data::find(cells, &CellKey::total(m.id))
            .map_or(Shown::Exact(0), |c| disclose(c, admin));
        out.push(Table {
            metric: m.id,
            dims: Vec::new(),
            cells: vec![TableCell {
                dims: Vec::new(),
                shown: total.into(),
            }],
        });
        for dims in m.tables {
            let listed: Vec<SummedCell> = match dims {
                [d] if d.terms().is_some() => data::whole_table(cells, m.id, *d),
                _ => {
                    let mut v: Vec<SummedCell> = cells
                        .iter()
                        .filter(|c| {
                            c.key.metric == m.id
                                && c.key.dims.len() == dims.len()
                                && dims.iter().all(|d| c.key.dims.contains_key(d))
                        })
                        .cloned()
                        .collect();
                    order(&mut v, dims);
                    v
                }
            };
            let cells = listed
                .iter()
                .map(|c| TableCell {
                    dims: dims
                        .iter()
                        .map(|d| (*d, c.key.dims.get(d).cloned().unwrap_or_default()))
                        .collect(),
                    shown: disclose(c, admin).into(),
                })
                .collect();
            out.push(Table {
                metric: m.id,
                dims: dims.to_vec(),
                cells,
            });
        }
    }
    out
}

/// Orders cells by their values along `dims`: a closed vocabulary's order, `unknown` last, open
/// vocabularies by code.
fn order(cells: &mut [SummedCell], dims: &[Dim]) {
    let rank = |d: Dim, v: &str| -> (usize, String) {
        if v == UNKNOWN {
            return (usize::MAX, String::new());
        }
        match d.terms() {
            Some(terms) => (
                terms
                    .iter()
                    .position(|t| t.code == v)
                    .unwrap_or(usize::MAX - 1),
                String::new(),
            ),
            None => (0, v.to_owned()),
        }
    };
    cells.sort_by(|a, b| {
        for d in dims {
            let va = a.key.dims.get(d).map_or("", String::as_str);
            let vb = b.key.dims.get(d).map_or("", String::as_str);
            let o = rank(*d, va).cmp(&rank(*d, vb));
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
}

/// The metrics `metric` names: one, or every metric when `None`. `None` when the id is unknown.
fn chosen(metric: Option<&str>) -> Option<Vec<&'static registry::Metric>> {
    match metric.filter(|m| !m.is_empty() && *m != "all") {
        Some(id) => registry::metric(id).map(|m| vec![m]),
        None => Some(registry::METRICS.iter().collect()),
    }
}

/// Every table of `metrics` at `path` for `period`, as `admin` (or a viewer) may see them.
pub fn level_tables(
    hub: &Hub,
    period: Period,
    path: &[String],
    admin: bool,
    metrics: &[&'static registry::Metric],
) -> Result<std::result::Result<LevelTables, PathError>> {
    let level = match data::level_only(hub, period, path, admin)? {
        Ok(l) => l,
        Err(e) => return Ok(Err(e)),
    };
    let mut names = vec![hub.config().name.clone()];
    names.extend(level.trail.iter().map(|(_, n)| n.clone()));
    Ok(Ok(LevelTables {
        period: period.to_string(),
        path: path.to_vec(),
        names,
        publication: level.publication.map(|(s, _)| s),
        tables: tables_of(&level.cells, metrics, admin),
    }))
}

// ---------------------------------------------------------------------------------------------
// Labels.

/// Labels dimension values in the page's language (trainings by the guidance's titles).
struct Labels<'a> {
    lang: Lang,
    guidance: &'a [Guidance],
}

impl Labels<'_> {
    fn value(&self, dim: Dim, code: &str) -> String {
        if dim == Dim::Training && code != UNKNOWN {
            return pages::training_labeler(self.lang, self.guidance)(code);
        }
        if dim == Dim::County
            && let Some(name) = super::counties::county_name(code)
        {
            return name;
        }
        charts::value_label(self.lang, dim, code)
    }

    fn dim(&self, dim: Dim) -> String {
        let (en, es) = dim.label();
        self.lang.pick(en, es).to_owned()
    }

    fn metric(&self, id: &str) -> String {
        pages::metric_label(self.lang, id)
    }

    fn table(&self, t: &Table) -> String {
        if t.dims.is_empty() {
            return format!(
                "{} · {}",
                self.metric(t.metric),
                self.lang.t("hub-tables-total")
            );
        }
        let dims: Vec<String> = t.dims.iter().map(|d| self.dim(*d)).collect();
        format!("{} · {}", self.metric(t.metric), dims.join(" × "))
    }
}

// ---------------------------------------------------------------------------------------------
// CSV.

/// A CSV field: quoted when it holds a comma, quote or line break (RFC 4180).
fn csv_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn csv_line(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, f);
    }
    out.push_str("\r\n");
}

/// The CSV of some levels' tables: a byte-order mark (so spreadsheets read accents right), a
/// header in the reader's language, then one line per cell: period, level, metric (label and
/// code), up to two dimensions (label, value code, value label), the number and its status.
fn csv(lang: Lang, guidance: &[Guidance], levels: &[LevelTables]) -> String {
    let labels = Labels { lang, guidance };
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = [
        "hub-csv-period",
        "hub-csv-level",
        "hub-csv-metric",
        "hub-csv-metric-code",
        "hub-csv-dim1",
        "hub-csv-value1-code",
        "hub-csv-value1",
        "hub-csv-dim2",
        "hub-csv-value2-code",
        "hub-csv-value2",
        "hub-csv-count",
        "hub-csv-status",
    ]
    .iter()
    .map(|id| lang.t(id))
    .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    csv_line(&mut out, &header);
    for level in levels {
        let where_ = level.names.join(" / ");
        for t in &level.tables {
            let metric = labels.metric(t.metric);
            for c in &t.cells {
                let mut dim_fields: Vec<String> = Vec::with_capacity(6);
                for i in 0..2 {
                    match c.dims.get(i) {
                        Some((d, v)) => {
                            dim_fields.push(labels.dim(*d));
                            dim_fields.push(v.clone());
                            dim_fields.push(labels.value(*d, v));
                        }
                        None => dim_fields.extend([String::new(), String::new(), String::new()]),
                    }
                }
                let value = c.shown.value.map(|v| v.to_string()).unwrap_or_default();
                let status = lang.t(match c.shown.status {
                    "exact" => "hub-csv-status-exact",
                    "at-least" => "hub-csv-status-at-least",
                    "suppressed" => "hub-csv-status-suppressed",
                    _ => "hub-csv-status-withheld",
                });
                let mut fields: Vec<&str> = vec![&level.period, &where_, &metric, t.metric];
                fields.extend(dim_fields.iter().map(String::as_str));
                fields.push(&value);
                fields.push(&status);
                csv_line(&mut out, &fields);
            }
        }
    }
    out
}

/// GET /ui/tables.csv?period=P|all&path=A/B&metric=M|all: the tables as CSV, under the same
/// rule as the pages (viewers: the published views only). `period=all` writes every stored
/// period, newest first (for viewers, every period with a publication).
pub async fn tables_csv(
    State(state): State<AppState>,
    Member(v, _): Member,
    q: std::result::Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let vv = v.clone();
    let name = state.hub().config().name.clone();
    let built = state
        .blocking(
            move |hub| -> Result<std::result::Result<(String, String), PageError>> {
                let lang = vv.lang;
                let admin = vv.is_admin();
                let Some(metrics) = chosen(q.metric.as_deref()) else {
                    return Ok(Err(PageError::bad_metric()));
                };
                let periods = data::periods(hub)?;
                let path = pages::split_path(q.path.as_deref());
                let all = q.period.as_deref() == Some("all");
                let wanted: Vec<Period> = if all {
                    periods.clone()
                } else {
                    match pages::parse_period(q.period.as_deref(), &periods) {
                        Ok(Some(p)) => vec![p],
                        Ok(None) => Vec::new(),
                        Err(e) => return Ok(Err(e)),
                    }
                };
                let mut levels = Vec::new();
                for p in &wanted {
                    match level_tables(hub, *p, &path, admin, &metrics)? {
                        Ok(l) => levels.push(l),
                        // A period not yet published (viewers), or in which the level has no
                        // document (a chapter that did not report that month), is left out of
                        // the series.
                        Err(PathError::NotPublished | PathError::Unknown) if all => {}
                        Err(e) => return Ok(Err(pages::path_refusal(&e))),
                    }
                }
                if all && levels.is_empty() && !wanted.is_empty() {
                    // No month holds this level (or, for viewers, none is published).
                    return Ok(Err(pages::path_refusal(&PathError::Unknown)));
                }
                let guidance = data::guidance(hub)?;
                let metric_part = match metrics.as_slice() {
                    [m] => m.id,
                    _ => "all",
                };
                let period_part = if all {
                    "all".to_owned()
                } else {
                    wanted
                        .first()
                        .map_or_else(|| "none".to_owned(), ToString::to_string)
                };
                // Ids and periods only, and only their safe characters: the name goes in a header.
                let file: String = format!(
                    "{}-{}-{period_part}.csv",
                    path.last().map_or(hub.card().id.as_str(), String::as_str),
                    metric_part
                )
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
                .collect();
                Ok(Ok((file, csv(lang, &guidance, &levels))))
            },
        )
        .await;
    match built {
        Ok(Ok((file, body))) => {
            let mut resp = body.into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
                h.insert(header::CONTENT_DISPOSITION, value);
            }
            resp
        }
        Ok(Err(e)) => e.page(&v, &name),
        Err(e) => pages::internal(&v, &state, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// The page.

/// A two-dimension table laid out as a grid.
#[derive(Debug)]
pub struct Grid {
    /// Caption.
    pub title: String,
    /// The row dimension's and the column dimension's names.
    pub corner: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows: heading and one text per column (empty where no cell was reported: zero).
    pub rows: Vec<(String, Vec<String>)>,
}

/// A child's line in the drill-down.
#[derive(Debug)]
pub struct DrillLine {
    name: String,
    href: Option<String>,
    total: String,
}

/// The metric page.
#[derive(Debug, Template)]
#[template(path = "tables.html")]
pub struct TablesPage {
    c: Chrome,
    periods: Vec<Choice>,
    metrics: Vec<Choice>,
    path: String,
    trail: Vec<Crumb>,
    heading: String,
    has_data: bool,
    not_published: bool,
    publication: String,
    viewer_note: bool,
    total: String,
    changes: Vec<String>,
    marks: Vec<String>,
    trend: BarChart,
    charts: Vec<BarChart>,
    grids: Vec<Grid>,
    drill: Vec<DrillLine>,
    csv_this: String,
    csv_all_metrics: String,
    csv_all_periods: String,
}

fn href(base: &str, period: Option<&str>, path: &[String], metric: &str) -> String {
    let mut q = Vec::new();
    if let Some(p) = period {
        q.push(format!("period={p}"));
    }
    if !path.is_empty() {
        q.push(format!("path={}", view::encode(&path.join("/"))));
    }
    q.push(format!("metric={metric}"));
    format!("{base}?{}", q.join("&"))
}

/// GET /ui/tables?period=P&path=A/B&metric=M: one metric at one level: its total over every
/// stored period, each of its tables (bars for one dimension, a grid for two), its children's
/// totals to drill into, and downloads.
pub async fn tables(
    State(state): State<AppState>,
    Member(v, _): Member,
    q: std::result::Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let vv = v.clone();
    pages::page(&state, &v, move |hub| {
        let lang = vv.lang;
        let admin = vv.is_admin();
        let c = Chrome::new(&vv, &hub.config().name, "hub-tables-title", Nav::Tables);
        let metric_id = q.metric.clone().unwrap_or_else(|| "members".into());
        let Some(metric) = registry::metric(&metric_id) else {
            return Ok(Err(PageError::bad_metric()));
        };
        let metrics = registry::METRICS
            .iter()
            .map(|m| Choice {
                value: m.id.to_owned(),
                label: lang.pick(m.en, m.es).to_owned(),
                selected: m.id == metric.id,
            })
            .collect();
        let periods = data::periods(hub)?;
        let period = match pages::parse_period(q.period.as_deref(), &periods) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let path = pages::split_path(q.path.as_deref());
        let mut page = TablesPage {
            periods: pages::period_choices(lang, &periods, period),
            metrics,
            path: path.join("/"),
            trail: Vec::new(),
            heading: String::new(),
            has_data: false,
            not_published: false,
            publication: String::new(),
            viewer_note: !admin,
            total: String::new(),
            changes: Vec::new(),
            marks: Vec::new(),
            trend: charts::layout(
                "trend",
                String::new(),
                String::new(),
                Vec::new(),
                lang,
                false,
            ),
            charts: Vec::new(),
            grids: Vec::new(),
            drill: Vec::new(),
            csv_this: String::new(),
            csv_all_metrics: String::new(),
            csv_all_periods: String::new(),
            c,
        };
        let Some(period) = period else {
            return Ok(Ok(page));
        };
        let level: Level = match data::view_level(hub, period, &path, admin)? {
            Ok(l) => l,
            Err(PathError::NotPublished) => {
                page.not_published = true;
                return Ok(Ok(page));
            }
            Err(e) => return Ok(Err(pages::path_refusal(&e))),
        };
        let guidance = data::guidance(hub)?;
        let labels = Labels {
            lang,
            guidance: &guidance,
        };
        page.has_data = true;
        page.trail = pages::trail(lang, &hub.config().name, Some(period), &level, "/ui/tables")
            .into_iter()
            .map(|mut cr| {
                let sep = if cr.href.contains('?') { '&' } else { '?' };
                cr.href = format!("{}{sep}metric={}", cr.href, metric.id);
                cr
            })
            .collect();
        page.heading = level
            .node
            .as_ref()
            .map_or_else(|| hub.config().name.clone(), |n| n.name.clone());
        page.publication = pages::publication_line(lang, &level);
        let period_text = period.to_string();
        page.csv_this = href("/ui/tables.csv", Some(&period_text), &path, metric.id);
        page.csv_all_metrics = href("/ui/tables.csv", Some(&period_text), &path, "all");
        page.csv_all_periods = href("/ui/tables.csv", Some("all"), &path, metric.id);

        // The total over every stored period, oldest first, and its changes.
        let total_key = CellKey::total(metric.id);
        let oldest_first: Vec<Period> = periods.iter().rev().copied().collect();
        let marks = trends::marks(hub, &oldest_first)?;
        let series: Vec<(Period, Shown)> = trends::totals_over(
            hub,
            &oldest_first,
            &path,
            admin,
            std::slice::from_ref(&total_key),
        )?
        .into_iter()
        .filter_map(|(p, v)| Some((p, *v.first()?)))
        .collect();
        if let Some(now) = series.iter().find(|(p, _)| *p == period).map(|(_, s)| *s) {
            page.total = lang.ta(
                "hub-tables-now",
                &[
                    ("period", pages::month(lang, period).into()),
                    ("total", charts::shown_text(lang, now).into()),
                ],
            );
            page.changes = trends::changes(lang, &series, period);
        }
        page.marks = trends::legend(lang, &marks);
        let rows: Vec<Row> = series
            .iter()
            .map(|(p, s)| Row {
                label: trends::label(lang, *p, &marks),
                shown: *s,
            })
            .collect();
        page.trend = charts::layout(
            "trend",
            lang.ta(
                "hub-chart-totals",
                &[("metric", labels.metric(metric.id).into())],
            ),
            lang.ta(
                "hub-chart-desc-periods",
                &[("count", u64::try_from(rows.len()).unwrap_or(0).into())],
            ),
            rows,
            lang,
            false,
        );

        // Each table of the metric.
        for (i, t) in tables_of(&level.cells, &[metric], admin)
            .into_iter()
            .enumerate()
            .filter(|(_, t)| !t.dims.is_empty())
        {
            match t.dims.as_slice() {
                [d] => {
                    let rows = t
                        .cells
                        .iter()
                        .map(|c| Row {
                            label: c
                                .dims
                                .first()
                                .map(|(d, v)| labels.value(*d, v))
                                .unwrap_or_default(),
                            shown: c.shown.shown(),
                        })
                        .collect();
                    let funnel = *d == Dim::Stage;
                    page.charts.push(charts::layout(
                        &format!("t{i}"),
                        labels.table(&t),
                        lang.ta(
                            if funnel {
                                "hub-chart-desc-funnel"
                            } else {
                                "hub-chart-desc-bars"
                            },
                            &[("count", u64::try_from(t.cells.len()).unwrap_or(0).into())],
                        ),
                        rows,
                        lang,
                        funnel,
                    ));
                }
                [a, b] => page.grids.push(grid(&labels, &t, *a, *b)),
                _ => {}
            }
        }

        // Children to drill into: admins every child, viewers the published regional views.
        page.drill = level
            .children
            .iter()
            .filter(|ch| admin || ch.region)
            .map(|ch| -> Result<DrillLine> {
                let mut p = path.clone();
                p.push(ch.id.clone());
                let shown = match data::find(&ch.cells, &total_key) {
                    Some(cell) => disclose(cell, admin),
                    None if admin => data::child_cell(hub, period, &ch.id, &total_key)?
                        .map_or(Shown::Exact(0), |c| disclose(&c, true)),
                    None => Shown::Withheld,
                };
                Ok(DrillLine {
                    name: ch.name.clone(),
                    href: ch
                        .linkable
                        .then(|| href("/ui/tables", Some(&period_text), &p, metric.id)),
                    total: charts::shown_text(lang, shown),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Ok(page))
    })
    .await
}

fn grid(labels: &Labels<'_>, t: &Table, a: Dim, b: Dim) -> Grid {
    let mut rows_order: Vec<String> = Vec::new();
    let mut cols_order: Vec<String> = Vec::new();
    for c in &t.cells {
        if let [(_, va), (_, vb)] = c.dims.as_slice() {
            if !rows_order.contains(va) {
                rows_order.push(va.clone());
            }
            if !cols_order.contains(vb) {
                cols_order.push(vb.clone());
            }
        }
    }
    // Columns in the vocabulary's order too (the cells are ordered by rows first).
    let mut col_cells: Vec<SummedCell> = cols_order
        .iter()
        .map(|v| SummedCell {
            key: CellKey::new(t.metric, &[(b, v)]),
            sum: 0,
            suppressed: 0,
            contributors: 0,
            largest: 0,
            tally: None,
        })
        .collect();
    order(&mut col_cells, &[b]);
    let cols_order: Vec<String> = col_cells
        .iter()
        .filter_map(|c| c.key.dims.get(&b).cloned())
        .collect();
    let rows = rows_order
        .iter()
        .map(|ra| {
            let texts = cols_order
                .iter()
                .map(|cb| {
                    t.cells
                        .iter()
                        .find(
                            |c| matches!(c.dims.as_slice(), [(_, x), (_, y)] if x == ra && y == cb),
                        )
                        .map_or_else(String::new, |c| {
                            charts::shown_text(labels.lang, c.shown.shown())
                        })
                })
                .collect();
            (labels.value(a, ra), texts)
        })
        .collect();
    Grid {
        title: labels.table(t),
        corner: format!("{} \\ {}", labels.dim(a), labels.dim(b)),
        columns: cols_order.iter().map(|v| labels.value(b, v)).collect(),
        rows,
    }
}

/// Query of `GET /api/v1/tables/{period}`.
#[derive(Debug, Default, Deserialize)]
pub struct ApiTablesQuery {
    /// Drill-down path.
    pub path: Option<String>,
    /// One metric, or every metric.
    pub metric: Option<String>,
}

/// The JSON API's answer: see [`level_tables`]. `Err(None)`: unknown metric.
pub fn api_tables(
    hub: &Hub,
    period: Period,
    q: &ApiTablesQuery,
    admin: bool,
) -> Result<std::result::Result<LevelTables, Option<PathError>>> {
    let Some(metrics) = chosen(q.metric.as_deref()) else {
        return Ok(Err(None));
    };
    let path = pages::split_path(q.path.as_deref());
    Ok(level_tables(hub, period, &path, admin, &metrics)?.map_err(Some))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let mut out = String::new();
        csv_line(&mut out, &["plain", "a, b", "say \"hi\"", "two\nlines"]);
        assert_eq!(out, "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }

    #[test]
    fn withheld_cells_carry_no_value() {
        let j: ShownJson = Shown::Withheld.into();
        assert_eq!(j.value, None);
        assert_eq!(
            serde_json::to_string(&j).ok().as_deref(),
            Some(r#"{"status":"withheld"}"#)
        );
        let j: ShownJson = Shown::AtLeast(7).into();
        assert_eq!(j.shown(), Shown::AtLeast(7));
    }

    #[test]
    fn every_table_of_a_metric_is_listed_with_its_whole_vocabulary() {
        let m = registry::metric("workplaces").map(|m| vec![m]);
        let Some(m) = m else {
            panic!("workplaces is in the registry");
        };
        let cells = vec![SummedCell {
            key: CellKey::new("workplaces", &[(Dim::Stage, "2")]),
            sum: 4,
            suppressed: 0,
            contributors: 4,
            largest: 1,
            tally: None,
        }];
        let tables = tables_of(&cells, &m, true);
        let metric = m.first().map(|m| m.tables.len()).unwrap_or(0);
        assert_eq!(tables.len(), metric + 1, "the total and every table");
        let stage = tables
            .iter()
            .find(|t| t.dims == [Dim::Stage])
            .map(|t| t.cells.len());
        assert_eq!(
            stage,
            Dim::Stage.terms().map(<[_]>::len),
            "every stage, zeros too"
        );
    }
}
