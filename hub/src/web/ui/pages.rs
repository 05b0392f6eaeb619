//! The pages. Each handler's doc comment starts with its method and path; data is read in a
//! blocking task and the page rendered from a template in `hub/templates/`.
//!
//! One file (over 800 lines): the handlers share the page chrome, the period and path parsing
//! and the chart helpers, and read as the hub's one list of pages.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shopfloor_protocol::registry::{self, Dim, UNKNOWN};
use shopfloor_protocol::rollup::SummedCell;
use shopfloor_protocol::{CellKey, Kind, Period};

use super::charts::{self, BarChart, GoalBar, LegendItem, MapState, Row};
use super::data::{self, Child, Level, PathError, Reporting, Shown, disclose};
use super::i18n::Lang;
use super::session::{Member, Staff, Visitor, csrf_refused};
use super::view::{self, Chrome, Nav, error_page, redirect, render};
use crate::config::Level as HubLevel;
use crate::enroll;
use crate::error::Result;
use crate::hub::Hub;
use crate::web::AppState;
use crate::web::ui::i18n::LangExt as _;

/// How many recent periods the tables and the totals chart cover.
const RECENT: usize = 6;

fn hub_name(state: &AppState) -> String {
    state.hub().config().name.clone()
}

pub(super) fn internal(v: &Visitor, state: &AppState, e: &crate::Error) -> Response {
    tracing::error!("interface: {e}");
    error_page(
        v,
        &hub_name(state),
        StatusCode::INTERNAL_SERVER_ERROR,
        "err-internal",
        "rec-internal",
    )
}

/// Renders what a blocking page builder produced.
pub(super) async fn page<T: Template + Send + 'static>(
    state: &AppState,
    v: &Visitor,
    build: impl FnOnce(&Hub) -> Result<std::result::Result<T, PageError>> + Send + 'static,
) -> Response {
    match state.blocking(build).await {
        Ok(Ok(p)) => render(StatusCode::OK, &p),
        Ok(Err(PageError(status, err, rec))) => error_page(v, &hub_name(state), status, err, rec),
        Err(e) => internal(v, state, &e),
    }
}

/// A refusal a page builder returns: status, `err-` and `rec-` message ids.
#[derive(Debug)]
pub struct PageError(StatusCode, &'static str, &'static str);

impl PageError {
    /// An unknown metric in the query.
    pub(super) fn bad_metric() -> PageError {
        PageError(StatusCode::BAD_REQUEST, "err-bad-metric", "rec-bad-metric")
    }

    /// The error page for this refusal.
    pub(super) fn page(&self, v: &Visitor, hub_name: &str) -> Response {
        error_page(v, hub_name, self.0, self.1, self.2)
    }

    /// A `states=` that names no state (the county map).
    pub(super) fn bad_states() -> PageError {
        PageError(StatusCode::BAD_REQUEST, "err-bad-states", "rec-bad-states")
    }
}

fn kind_label(lang: Lang, kind: Kind) -> String {
    match kind {
        Kind::Regional => lang.t("hub-kind-regional"),
        Kind::National => lang.t("hub-kind-national"),
        _ => lang.t("hub-kind-chapter"),
    }
}

pub(super) fn metric_label(lang: Lang, metric: &str) -> String {
    registry::metric(metric).map_or_else(|| metric.to_owned(), |m| lang.pick(m.en, m.es).to_owned())
}

pub(super) fn parse_period(
    text: Option<&str>,
    periods: &[Period],
) -> std::result::Result<Option<Period>, PageError> {
    match text.filter(|t| !t.is_empty()) {
        Some(t) => t
            .parse::<Period>()
            .map(Some)
            .map_err(|_| PageError(StatusCode::BAD_REQUEST, "err-bad-period", "rec-bad-period")),
        None => Ok(periods.first().copied()),
    }
}

pub(super) fn split_path(path: Option<&str>) -> Vec<String> {
    path.unwrap_or_default()
        .split('/')
        .filter(|s| !s.is_empty())
        .take(8)
        .map(str::to_owned)
        .collect()
}

pub(super) fn path_refusal(e: &PathError) -> PageError {
    match e {
        PathError::Chapter => PageError(
            StatusCode::FORBIDDEN,
            "err-viewer-drilldown",
            "rec-viewer-drilldown",
        ),
        PathError::Unknown => PageError(
            StatusCode::NOT_FOUND,
            "err-no-such-node",
            "rec-no-such-node",
        ),
        PathError::NotPublished => PageError(
            StatusCode::NOT_FOUND,
            "err-not-published",
            "rec-not-published",
        ),
    }
}

/// The line telling what a page shows: the publication viewers see, or (admins) live sums.
pub(super) fn publication_line(lang: Lang, level: &Level) -> String {
    match level.publication {
        Some((sequence, at)) => lang.ta(
            "hub-publication-shown",
            &[
                ("sequence", u64::from(sequence).into()),
                (
                    "date",
                    lang.date(at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
                        .into(),
                ),
            ],
        ),
        None => lang.t("hub-publication-live"),
    }
}

fn total_shown(cells: &[SummedCell], metric: &str, admin: bool) -> Shown {
    data::find(cells, &CellKey::total(metric)).map_or(Shown::Exact(0), |c| disclose(c, admin))
}

/// A period choice.
#[derive(Debug)]
pub struct Choice {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Selected.
    pub selected: bool,
}

/// A period for people: its month (`November 2026`, `noviembre de 2026`).
pub(super) fn month(lang: Lang, p: Period) -> String {
    super::i18n::fmt(lang).period(&p.to_string())
}

pub(super) fn period_choices(
    lang: Lang,
    periods: &[Period],
    current: Option<Period>,
) -> Vec<Choice> {
    periods
        .iter()
        .map(|p| Choice {
            value: p.to_string(),
            label: month(lang, *p),
            selected: Some(*p) == current,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Overview.

/// The overview page.
#[derive(Debug, Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    c: Chrome,
    level: String,
    fingerprint: String,
    active: String,
    revoked: String,
    pending: Option<String>,
    log_size: String,
    log_root: String,
    parent: Option<String>,
    period: Option<String>,
    reported: String,
    members: String,
    workplaces: String,
    publication: String,
    viewer_note: bool,
}

/// GET /ui: the hub at a glance.
pub async fn overview(State(state): State<AppState>, Member(v, _): Member) -> Response {
    let vv = v.clone();
    page(&state, &v, move |hub| {
        let lang = vv.lang;
        let admin = vv.is_admin();
        let c = Chrome::new(&vv, &hub.config().name, "hub-overview-title", Nav::Overview);
        let (active, revoked) = hub.store().read(enroll::counts)?;
        let pending = if admin {
            Some(enroll::pending(hub)?.len())
        } else {
            None
        };
        let cp = data::checkpoint(hub)?;
        let parent = match hub.level() {
            HubLevel::National => None,
            HubLevel::Regional => Some(match hub.parent()? {
                Some(p) if p.certificate.is_some() => {
                    lang.ta("hub-parent-enrolled", &[("url", p.url.into())])
                }
                Some(p) => lang.ta("hub-parent-pending", &[("url", p.url.into())]),
                None => lang.t("hub-parent-none"),
            }),
        };
        let periods = data::periods(hub)?;
        let mut publication = String::new();
        let (period, reported, members, workplaces) = match periods.first() {
            Some(p) => {
                let comp = crate::rollups::completeness(hub, *p)?;
                // Viewers: how many children the publication covers, not the live count.
                let reported_count = if admin {
                    comp.reported.len()
                } else {
                    crate::publish::latest(hub, *p)?.map_or(0, |s| s.publication.covers.len())
                };
                // Admins: live sums (the two totals shown, two stored rows); viewers: the
                // newest publication, or nothing before it.
                let level = if admin {
                    Ok(Level {
                        cells: data::top_cells(
                            hub,
                            *p,
                            &[CellKey::total("members"), CellKey::total("workplaces")],
                        )?,
                        children: Vec::new(),
                        node: None,
                        trail: Vec::new(),
                        publication: None,
                    })
                } else {
                    data::view_level(hub, *p, &[], admin)?
                };
                let cells = match &level {
                    Ok(l) => {
                        publication = publication_line(lang, l);
                        l.cells.clone()
                    }
                    Err(_) => {
                        publication = lang.t("hub-not-published");
                        Vec::new()
                    }
                };
                let total = |metric: &str| {
                    if level.is_ok() {
                        charts::shown_text(lang, total_shown(&cells, metric, admin))
                    } else {
                        lang.t("hub-not-published-short")
                    }
                };
                (
                    Some(month(lang, *p)),
                    lang.ta(
                        "hub-overview-reported",
                        &[
                            (
                                "reported",
                                u64::try_from(reported_count).unwrap_or(0).into(),
                            ),
                            (
                                "expected",
                                u64::try_from(comp.expected.len()).unwrap_or(0).into(),
                            ),
                        ],
                    ),
                    total("members"),
                    total("workplaces"),
                )
            }
            None => (None, lang.t("hub-no-reports"), String::new(), String::new()),
        };
        Ok(Ok(OverviewPage {
            level: match hub.level() {
                HubLevel::National => lang.t("hub-level-national"),
                HubLevel::Regional => lang.t("hub-level-regional"),
            },
            fingerprint: hub.card().fingerprint().to_string(),
            active: lang.num(u64::try_from(active).unwrap_or(u64::MAX)),
            revoked: lang.num(u64::try_from(revoked).unwrap_or(u64::MAX)),
            pending: pending.map(|n| lang.num(u64::try_from(n).unwrap_or(u64::MAX))),
            log_size: lang.num(cp.size),
            log_root: cp.root.to_hex(),
            parent,
            period,
            reported,
            members,
            workplaces,
            publication,
            viewer_note: !admin,
            c,
        }))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Dashboards.

/// Query of the dashboards and the map.
#[derive(Debug, Default, Deserialize)]
pub struct DashQuery {
    pub(super) period: Option<String>,
    pub(super) path: Option<String>,
    pub(super) metric: Option<String>,
}

/// A step of the drill-down trail.
#[derive(Debug)]
pub struct Crumb {
    pub(super) href: String,
    pub(super) label: String,
    pub(super) current: bool,
}

/// A child listed for drill-down.
#[derive(Debug)]
pub struct DrillRow {
    name: String,
    kind: String,
    href: Option<String>,
    chapters: String,
    members: String,
}

/// The dashboards page.
#[derive(Debug, Template)]
#[template(path = "dashboards.html")]
pub struct DashboardsPage {
    c: Chrome,
    periods: Vec<Choice>,
    path: String,
    trail: Vec<Crumb>,
    heading: String,
    has_data: bool,
    totals: BarChart,
    charts: Vec<BarChart>,
    goals: Vec<GoalBar>,
    goals_height: u32,
    drill: Vec<DrillRow>,
    viewer_note: bool,
    chapter_view: bool,
    not_published: bool,
    publication: String,
    /// Periods in the series that hold reports rebuilt after the month closed, one line each.
    corrections: Vec<String>,
}

pub(super) fn dash_href(period: Option<Period>, path: &[String], base: &str) -> String {
    let mut q = Vec::new();
    if let Some(p) = period {
        q.push(format!("period={p}"));
    }
    if !path.is_empty() {
        q.push(format!("path={}", view::encode(&path.join("/"))));
    }
    if q.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", q.join("&"))
    }
}

pub(super) fn trail(
    lang: Lang,
    hub_name: &str,
    period: Option<Period>,
    level: &Level,
    base: &str,
) -> Vec<Crumb> {
    let mut out = vec![Crumb {
        href: dash_href(period, &[], base),
        label: lang.ta("hub-trail-top", &[("hub", hub_name.into())]),
        current: level.trail.is_empty(),
    }];
    let mut path = Vec::new();
    for (i, (id, name)) in level.trail.iter().enumerate() {
        path.push(id.clone());
        out.push(Crumb {
            href: dash_href(period, &path, base),
            label: name.clone(),
            current: i + 1 == level.trail.len(),
        });
    }
    out
}

pub(super) fn training_labeler(
    lang: Lang,
    guidance: &[crate::guidance::Guidance],
) -> impl Fn(&str) -> String + '_ {
    move |code: &str| {
        guidance
            .iter()
            .flat_map(|g| g.trainings.iter())
            .find(|t| t.code == code)
            .map_or_else(
                // A chapter's own training, which no guidance names (reports carry codes, not
                // titles): its code read as words, said to be a chapter's own, in the page's
                // language; never the bare code.
                || {
                    lang.ta(
                        "hub-training-unnamed",
                        &[("code", code_as_words(code).into())],
                    )
                },
                |t| lang.pick(&t.title_en, &t.title_es).to_owned(),
            )
    }
}

/// A code read as words: `eowc-101` is `Eowc 101`, `organizing-conversations` is `Organizing
/// conversations`.
fn code_as_words(code: &str) -> String {
    let spaced: String = code
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .collect();
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn shown_of(f: crate::goals::Figure) -> Shown {
    use crate::goals::Figure;
    match f {
        Figure::Exact(v) => Shown::Exact(v),
        Figure::AtLeast(v) => Shown::AtLeast(v),
        Figure::Withheld | Figure::Unpublished | Figure::Elsewhere => Shown::Withheld,
    }
}

/// Every goal of this hub's guidance and of the parent's it relays, measured in its own scope
/// and window ([`crate::goals`]) as of `period`, whatever level the page is drilled into.
fn goals(
    hub: &Hub,
    period: Period,
    lang: Lang,
    admin: bool,
    guidance: &[crate::guidance::Guidance],
) -> Result<Vec<charts::GoalRow>> {
    use crate::goals::{Figure, Source};
    use shopfloor_protocol::registry::Accrual;
    if guidance.iter().all(|g| g.goals.is_empty()) {
        return Ok(Vec::new());
    }
    let names: std::collections::BTreeMap<String, String> = hub
        .store()
        .read(crate::enroll::summaries)?
        .into_iter()
        .map(|c| (c.id.as_str().to_owned(), c.name))
        .chain(std::iter::once((
            hub.card().id.as_str().to_owned(),
            hub.config().name.clone(),
        )))
        .chain(
            hub.parent()
                .ok()
                .flatten()
                .map(|p| (p.card.id.as_str().to_owned(), p.card.name.clone())),
        )
        .collect();
    let measured = crate::goals::measure(hub, guidance, period, admin, RECENT * 2)?;
    Ok(measured
        .into_iter()
        .map(|m| {
            let goal = &m.goal;
            let mut label = metric_label(lang, &goal.metric);
            if let Some(sector) = &goal.sector {
                label = format!(
                    "{label} · {}",
                    charts::value_label(lang, Dim::Sector, sector)
                );
            }
            if let Some(region) = &goal.region {
                let place = registry::state(region).map_or_else(
                    || names.get(region).cloned().unwrap_or_else(|| region.clone()),
                    |s| lang.pick(s.en, s.es).to_owned(),
                );
                label = format!("{label} · {place}");
            }
            let who = if m.own {
                lang.t("hub-goal-own")
            } else {
                lang.ta(
                    "hub-goal-from",
                    &[(
                        "name",
                        names
                            .get(&m.issuer)
                            .cloned()
                            .unwrap_or(m.issuer.clone())
                            .into(),
                    )],
                )
            };
            let how = match (m.accrual, m.window) {
                (Accrual::Stock, _) | (_, None) => {
                    lang.ta("hub-goal-stock", &[("period", month(lang, period).into())])
                }
                (Accrual::PerPeriod, Some((from, until))) => lang.ta(
                    "hub-goal-per-period",
                    &[
                        ("from", month(lang, from).into()),
                        ("until", month(lang, until).into()),
                    ],
                ),
                (Accrual::ToDate, Some((from, until))) => lang.ta(
                    "hub-goal-to-date",
                    &[
                        ("from", month(lang, from).into()),
                        ("until", month(lang, until).into()),
                    ],
                ),
            };
            let mut meta = format!("{who} · {how}");
            if let Source::StateChapters { state, .. } = &m.source {
                meta = format!(
                    "{meta} · {}",
                    lang.ta("hub-goal-state-sum", &[("state", state.clone().into())])
                );
            }
            charts::GoalRow {
                label,
                meta,
                shown: shown_of(m.now),
                elsewhere: m.now == Figure::Elsewhere,
                unpublished: m.now == Figure::Unpublished,
                target: goal.target,
                by: lang.date(goal.by),
                series: m
                    .series
                    .iter()
                    .map(|(p, f)| {
                        (
                            super::i18n::fmt(lang).period_short(&p.to_string()),
                            shown_of(*f),
                        )
                    })
                    .collect(),
            }
        })
        .collect())
}

fn drill_rows(
    lang: Lang,
    admin: bool,
    period: Option<Period>,
    path: &[String],
    children: &[Child],
) -> Vec<DrillRow> {
    // Each kind's label looked up once, not once per row.
    let (chapter, regional) = (
        kind_label(lang, Kind::Chapter),
        kind_label(lang, Kind::Regional),
    );
    children
        .iter()
        // Viewers never see single chapters: only regional hubs are listed for them.
        .filter(|n| admin || n.region)
        .map(|n| {
            let mut p = path.to_vec();
            p.push(n.id.clone());
            DrillRow {
                name: n.name.clone(),
                kind: match n.kind {
                    Kind::Chapter => chapter.clone(),
                    Kind::Regional => regional.clone(),
                    other => kind_label(lang, other),
                },
                href: n.linkable.then(|| dash_href(period, &p, "/ui/dashboards")),
                chapters: lang.num(u64::try_from(n.chapters).unwrap_or(0)),
                members: charts::shown_text(lang, total_shown(&n.cells, "members", admin)),
            }
        })
        .collect()
}

/// GET /ui/dashboards?period=P&path=A/B: charts for this hub, or a child down the tree.
pub async fn dashboards(
    State(state): State<AppState>,
    Member(v, _): Member,
    q: std::result::Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let vv = v.clone();
    page(&state, &v, move |hub| {
        let lang = vv.lang;
        let admin = vv.is_admin();
        let c = Chrome::new(
            &vv,
            &hub.config().name,
            "hub-dashboards-title",
            Nav::Dashboards,
        );
        let periods = data::periods(hub)?;
        let period = match parse_period(q.period.as_deref(), &periods) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let path = split_path(q.path.as_deref());
        let empty = |c: Chrome, periods| DashboardsPage {
            c,
            periods,
            path: String::new(),
            trail: Vec::new(),
            heading: String::new(),
            has_data: false,
            totals: charts::layout(
                "totals",
                String::new(),
                String::new(),
                Vec::new(),
                lang,
                false,
            ),
            charts: Vec::new(),
            goals: Vec::new(),
            goals_height: 0,
            drill: Vec::new(),
            viewer_note: !admin,
            chapter_view: false,
            not_published: false,
            publication: String::new(),
            corrections: Vec::new(),
        };
        let Some(period) = period else {
            return Ok(Ok(empty(c, Vec::new())));
        };
        let level = match data::view_level(hub, period, &path, admin)? {
            Ok(l) => l,
            Err(PathError::NotPublished) => {
                let mut page = empty(c, period_choices(lang, &periods, Some(period)));
                page.not_published = true;
                page.path = path.join("/");
                return Ok(Ok(page));
            }
            Err(e) => return Ok(Err(path_refusal(&e))),
        };
        let guidance = data::guidance(hub)?;
        // Totals over the recent periods at this level, oldest first.
        let mut recent: Vec<Period> = periods.iter().take(RECENT * 2).copied().collect();
        recent.reverse();
        let mut total_rows = Vec::new();
        let mut corrections = Vec::new();
        let members = CellKey::total("members");
        for p in recent {
            // A period holding a report rebuilt after the month closed is marked in the series
            // and named below it: its counts are not all as of the month's end.
            let corrected = hub
                .store()
                .read(|db| crate::aggregates::corrections(db, &p.to_string()))?;
            if !corrected.is_empty() {
                let names: Vec<String> = corrected
                    .iter()
                    .map(|(name, as_of)| match as_of {
                        Some(t) => lang.ta(
                            "hub-correction-one",
                            &[
                                ("name", name.clone().into()),
                                (
                                    "date",
                                    jiff::Timestamp::from_second(*t)
                                        .map_or_else(|_| t.to_string(), |ts| lang.time(ts))
                                        .into(),
                                ),
                            ],
                        ),
                        None => name.clone(),
                    })
                    .collect();
                corrections.push(lang.ta(
                    "hub-corrections-note",
                    &[
                        ("period", month(lang, p).into()),
                        ("count", u64::try_from(corrected.len()).unwrap_or(0).into()),
                        ("names", names.join("; ").into()),
                    ],
                ));
            }
            let label = if corrected.is_empty() {
                super::i18n::fmt(lang).period_short(&p.to_string())
            } else {
                format!("{} *", super::i18n::fmt(lang).period_short(&p.to_string()))
            };
            if admin {
                // One stored row per period (crate::aggregates), not the whole level.
                if let Some(cell) = data::level_cell(hub, p, &path, &members)? {
                    total_rows.push(Row {
                        label,
                        shown: cell.map_or(Shown::Exact(0), |c| disclose(&c, admin)),
                    });
                }
            } else if let Ok(l) = data::view_level(hub, p, &path, admin)?
                && (l.node.is_some() || !l.children.is_empty() || l.publication.is_some())
            {
                total_rows.push(Row {
                    label,
                    shown: total_shown(&l.cells, "members", admin),
                });
            }
        }
        let totals = charts::layout(
            "totals",
            lang.ta(
                "hub-chart-totals",
                &[("metric", metric_label(lang, "members").into())],
            ),
            lang.ta(
                "hub-chart-desc-periods",
                &[("count", u64::try_from(total_rows.len()).unwrap_or(0).into())],
            ),
            total_rows,
            lang,
            false,
        );
        let plain = |d: Dim| move |code: &str| charts::value_label(lang, d, code);
        let cells = &level.cells;
        // The ladder shows every stage, 0 to 5, even those nobody reported.
        let ladder = data::whole_table(cells, "workplaces", Dim::Stage);
        let mut list = vec![
            charts::by_dim(
                "sector",
                lang,
                admin,
                data::table(cells, "members", Dim::Sector),
                "members",
                Dim::Sector,
                false,
                &plain(Dim::Sector),
            ),
            charts::by_dim(
                "ladder",
                lang,
                admin,
                ladder.iter().collect(),
                "workplaces",
                Dim::Stage,
                true,
                &plain(Dim::Stage),
            ),
            charts::by_dim(
                "density",
                lang,
                admin,
                data::table(cells, "members", Dim::UnionStatus),
                "members",
                Dim::UnionStatus,
                false,
                &plain(Dim::UnionStatus),
            ),
            charts::by_dim(
                "trainings",
                lang,
                admin,
                data::table(cells, "trainings-completed", Dim::Training),
                "trainings-completed",
                Dim::Training,
                false,
                &training_labeler(lang, &guidance),
            ),
            charts::by_dim(
                "languages",
                lang,
                admin,
                data::table(cells, "reserve-languages", Dim::Language),
                "reserve-languages",
                Dim::Language,
                false,
                &plain(Dim::Language),
            ),
            charts::by_dim(
                "skills",
                lang,
                admin,
                data::table(cells, "reserve-skills", Dim::Skill),
                "reserve-skills",
                Dim::Skill,
                false,
                &plain(Dim::Skill),
            ),
        ];
        // Friendlier titles for the ones the brief names.
        if let Some(ch) = list.get_mut(1) {
            ch.title = lang.t("hub-chart-ladder");
        }
        if let Some(ch) = list.get_mut(2) {
            ch.title = lang.t("hub-chart-density");
        }
        let (goal_bars, goals_height) =
            charts::goal_bars(goals(hub, period, lang, admin, &guidance)?, lang);
        let heading = level.node.as_ref().map_or_else(
            || hub.config().name.clone(),
            |n| format!("{} ({})", n.name, kind_label(lang, n.kind)),
        );
        Ok(Ok(DashboardsPage {
            periods: period_choices(lang, &periods, Some(period)),
            path: path.join("/"),
            trail: trail(
                lang,
                &hub.config().name,
                Some(period),
                &level,
                "/ui/dashboards",
            ),
            heading,
            has_data: true,
            totals,
            charts: list,
            goals: goal_bars,
            goals_height,
            drill: drill_rows(lang, admin, Some(period), &path, &level.children),
            viewer_note: !admin,
            chapter_view: level.is_chapter(),
            not_published: false,
            publication: publication_line(lang, &level),
            corrections,
            c,
        }))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Map.

/// The map page.
#[derive(Debug, Template)]
#[template(path = "map.html")]
pub struct MapPage {
    c: Chrome,
    periods: Vec<Choice>,
    metrics: Vec<Choice>,
    path: String,
    trail: Vec<Crumb>,
    has_data: bool,
    title: String,
    desc: String,
    states: Vec<MapState>,
    legend: Vec<LegendItem>,
    /// How many have no state and are not on the map, in words.
    unplaced: Option<String>,
    view_box: &'static str,
    attribution: &'static str,
    viewer_note: bool,
    not_published: bool,
    publication: String,
}

/// GET /ui/map?metric=M&period=P&path=A: a choropleth of US states for a metric with a state
/// table, with a legend and the same numbers as a table.
pub async fn map(
    State(state): State<AppState>,
    Member(v, _): Member,
    q: std::result::Result<Query<DashQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let vv = v.clone();
    page(&state, &v, move |hub| {
        let lang = vv.lang;
        let admin = vv.is_admin();
        let c = Chrome::new(&vv, &hub.config().name, "hub-map-title", Nav::Map);
        let by_state: Vec<&registry::Metric> = registry::METRICS
            .iter()
            .filter(|m| m.allows(&[Dim::State]))
            .collect();
        let metric = q.metric.clone().unwrap_or_else(|| "members".into());
        if !by_state.iter().any(|m| m.id == metric) {
            return Ok(Err(PageError(
                StatusCode::BAD_REQUEST,
                "err-bad-metric",
                "rec-bad-metric",
            )));
        }
        let metrics = by_state
            .iter()
            .map(|m| Choice {
                value: m.id.to_owned(),
                label: lang.pick(m.en, m.es).to_owned(),
                selected: m.id == metric,
            })
            .collect();
        let periods = data::periods(hub)?;
        let period = match parse_period(q.period.as_deref(), &periods) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let path = split_path(q.path.as_deref());
        let mut not_published = false;
        let mut publication = String::new();
        let (values, trail_list, has_data) = match period {
            Some(p) => {
                let level = match data::view_cells(hub, p, &path, admin)? {
                    Ok(l) => l,
                    Err(PathError::NotPublished) => {
                        not_published = true;
                        // An empty level: the map draws every state as "no data".
                        Level {
                            cells: Vec::new(),
                            children: Vec::new(),
                            node: None,
                            trail: Vec::new(),
                            publication: None,
                        }
                    }
                    Err(e) => return Ok(Err(path_refusal(&e))),
                };
                if !not_published {
                    publication = publication_line(lang, &level);
                }
                let values: Vec<(String, Shown)> = data::table(&level.cells, &metric, Dim::State)
                    .into_iter()
                    .filter_map(|cell| {
                        Some((
                            cell.key.dims.get(&Dim::State)?.clone(),
                            disclose(cell, admin),
                        ))
                    })
                    .collect();
                let t = trail(lang, &hub.config().name, Some(p), &level, "/ui/map");
                (values, t, true)
            }
            None => (Vec::new(), Vec::new(), false),
        };
        let (states, legend) = charts::map(lang, &values, admin);
        // What the shades leave out: members with no state (no workplace recorded, or its state
        // unknown), so the states and this line add up to the overview's total.
        let unplaced = values
            .iter()
            .find(|(code, shown)| code == UNKNOWN && *shown != Shown::Exact(0))
            .map(|(_, shown)| {
                lang.ta(
                    "hub-map-unplaced",
                    &[("value", charts::shown_text(lang, *shown).into())],
                )
            });
        let title = lang.ta(
            "hub-map-heading",
            &[
                ("metric", metric_label(lang, &metric).into()),
                (
                    "period",
                    period.map(|p| month(lang, p)).unwrap_or_default().into(),
                ),
            ],
        );
        Ok(Ok(MapPage {
            periods: period_choices(lang, &periods, period),
            metrics,
            path: path.join("/"),
            trail: trail_list,
            has_data,
            desc: lang.t("hub-map-desc"),
            title,
            states,
            legend,
            unplaced,
            view_box: charts::map_view_box(),
            attribution: charts::map_attribution(),
            viewer_note: !admin,
            not_published,
            publication,
            c,
        }))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Enrollment queue (admin).

/// A pending request as listed.
#[derive(Debug)]
pub struct PendingRow {
    id: String,
    name: String,
    invite_name: String,
    kind: String,
    state: String,
    fingerprint: String,
    hub_fingerprint: String,
    created_at: String,
}

/// The enrollment queue.
#[derive(Debug, Template)]
#[template(path = "enrollments.html")]
pub struct EnrollmentsPage {
    c: Chrome,
    rows: Vec<PendingRow>,
    notice: Option<String>,
}

/// Query carrying the outcome of a form.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn notice(lang: Lang, done: Option<&str>) -> Option<String> {
    match done? {
        "approved" => Some(lang.t("hub-notice-approved")),
        "rejected" => Some(lang.t("hub-notice-rejected")),
        "revoked" => Some(lang.t("hub-notice-revoked")),
        _ => None,
    }
}

/// GET /ui/enrollments (admin): pending requests with both fingerprints.
pub async fn enrollments(
    State(state): State<AppState>,
    Staff(v, _): Staff,
    q: std::result::Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let done = q.ok().and_then(|Query(q)| q.done);
    let vv = v.clone();
    page(&state, &v, move |hub| {
        let lang = vv.lang;
        let c = Chrome::new(
            &vv,
            &hub.config().name,
            "hub-enrollments-title",
            Nav::Enrollments,
        );
        let rows = enroll::pending(hub)?
            .into_iter()
            .map(|p| PendingRow {
                id: p.id,
                name: p.name,
                invite_name: p.invite_name,
                kind: kind_label(lang, p.kind),
                state: p.state.unwrap_or_default(),
                fingerprint: p.fingerprint,
                hub_fingerprint: p.hub_fingerprint,
                created_at: lang.time(p.created_at),
            })
            .collect();
        Ok(Ok(EnrollmentsPage {
            rows,
            notice: notice(lang, done.as_deref()),
            c,
        }))
    })
    .await
}

/// Body of the approve and reject forms.
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

fn request_id_ok(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn decide(state: AppState, v: Visitor, user: String, id: String, approve: bool) -> Response {
    if !request_id_ok(&id) {
        return error_page(
            &v,
            &hub_name(&state),
            StatusCode::NOT_FOUND,
            "err-no-such-request",
            "rec-no-such-request",
        );
    }
    let result = state
        .blocking(move |hub| {
            if approve {
                enroll::approve(hub, &id, &user).map(|_| ())
            } else {
                enroll::reject(hub, &id, &user)
            }
        })
        .await;
    match result {
        Ok(()) => redirect(if approve {
            "/ui/enrollments?done=approved"
        } else {
            "/ui/enrollments?done=rejected"
        }),
        Err(e) if e.code() == "no-such-request" => error_page(
            &v,
            &hub_name(&state),
            StatusCode::NOT_FOUND,
            "err-no-such-request",
            "rec-no-such-request",
        ),
        Err(e) if e.status() == 409 => error_page(
            &v,
            &hub_name(&state),
            StatusCode::CONFLICT,
            "err-not-pending",
            "rec-not-pending",
        ),
        Err(e) => internal(&v, &state, &e),
    }
}

/// POST /ui/enrollments/{id}/approve (admin): signs the child's certificate.
pub async fn approve(
    State(state): State<AppState>,
    Staff(v, user): Staff,
    Path(id): Path<String>,
    form: std::result::Result<Form<CsrfOnly>, FormRejection>,
) -> Response {
    if !form.is_ok_and(|Form(f)| v.csrf_ok(&f.csrf)) {
        return csrf_refused(&v, &hub_name(&state));
    }
    decide(state, v, user.name, id, true).await
}

/// POST /ui/enrollments/{id}/reject (admin).
pub async fn reject(
    State(state): State<AppState>,
    Staff(v, user): Staff,
    Path(id): Path<String>,
    form: std::result::Result<Form<CsrfOnly>, FormRejection>,
) -> Response {
    if !form.is_ok_and(|Form(f)| v.csrf_ok(&f.csrf)) {
        return csrf_refused(&v, &hub_name(&state));
    }
    decide(state, v, user.name, id, false).await
}

// ---------------------------------------------------------------------------------------------
// Children (admin).

/// A child as listed.
#[derive(Debug)]
pub struct ChildRow {
    id: String,
    name: String,
    kind: String,
    state: String,
    active: bool,
    status: String,
    serial: u64,
    fingerprint: String,
    enrolled_at: String,
}

/// The children page.
#[derive(Debug, Template)]
#[template(path = "children.html")]
pub struct ChildrenPage {
    c: Chrome,
    rows: Vec<ChildRow>,
    notice: Option<String>,
}

/// GET /ui/children (admin): enrolled children, with a revoke form for each active one.
pub async fn children(
    State(state): State<AppState>,
    Staff(v, _): Staff,
    q: std::result::Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let done = q.ok().and_then(|Query(q)| q.done);
    let vv = v.clone();
    page(&state, &v, move |hub| {
        let lang = vv.lang;
        let c = Chrome::new(&vv, &hub.config().name, "hub-children-title", Nav::Children);
        let rows = enroll::children(hub.store())?
            .into_iter()
            .map(|ch| ChildRow {
                active: ch.active(),
                status: if ch.active() {
                    lang.t("hub-status-active")
                } else {
                    lang.t("hub-status-revoked")
                },
                id: ch.id.as_str().to_owned(),
                name: ch.name.clone(),
                kind: kind_label(lang, ch.kind),
                state: ch.state.clone().unwrap_or_default(),
                serial: ch.serial,
                fingerprint: ch.card.fingerprint().to_string(),
                enrolled_at: lang.time(ch.enrolled_at),
            })
            .collect();
        Ok(Ok(ChildrenPage {
            rows,
            notice: notice(lang, done.as_deref()),
            c,
        }))
    })
    .await
}

/// Body of the revoke form.
#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    /// `yes` once the admin has seen the confirmation naming the child.
    #[serde(default)]
    confirm: String,
}

/// The step before a revocation: it names the child and cannot be undone.
#[derive(Debug, Template)]
#[template(path = "confirm_revoke.html")]
pub struct ConfirmRevokePage {
    c: Chrome,
    id: String,
    question: String,
    reason: String,
    button: String,
}

/// POST /ui/children/{id}/revoke (admin): with a reason, first a confirmation page naming the
/// child; with `confirm=yes` from that page, revokes and publishes a new signed list.
pub async fn revoke(
    State(state): State<AppState>,
    Staff(v, user): Staff,
    Path(id): Path<String>,
    form: std::result::Result<Form<RevokeForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return csrf_refused(&v, &hub_name(&state));
    };
    if !v.csrf_ok(&f.csrf) {
        return csrf_refused(&v, &hub_name(&state));
    }
    let reason = f.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return error_page(
            &v,
            &hub_name(&state),
            StatusCode::BAD_REQUEST,
            "err-revoke-reason",
            "rec-revoke-reason",
        );
    }
    if f.confirm != "yes" {
        let vv = v.clone();
        return page(&state, &v, move |hub| {
            let lang = vv.lang;
            let Some(child) = hub.store().read(|db| enroll::child(db, &id))? else {
                return Ok(Err(PageError(
                    StatusCode::NOT_FOUND,
                    "err-no-such-child",
                    "rec-no-such-child",
                )));
            };
            if !child.active() {
                return Ok(Err(PageError(
                    StatusCode::CONFLICT,
                    "err-already-revoked",
                    "rec-already-revoked",
                )));
            }
            let name = child.name.clone();
            Ok(Ok(ConfirmRevokePage {
                c: Chrome::new(
                    &vv,
                    &hub.config().name,
                    "hub-revoke-confirm-title",
                    Nav::Children,
                ),
                question: lang.ta("hub-revoke-confirm", &[("name", name.clone().into())]),
                button: lang.ta("hub-revoke-confirm-button", &[("name", name.into())]),
                id: child.id.as_str().to_owned(),
                reason,
            }))
        })
        .await;
    }
    let result = state
        .blocking(move |hub| enroll::revoke(hub, &id, &reason, &user.name))
        .await;
    match result {
        Ok(_) => redirect("/ui/children?done=revoked"),
        Err(e) if e.code() == "no-such-child" => error_page(
            &v,
            &hub_name(&state),
            StatusCode::NOT_FOUND,
            "err-no-such-child",
            "rec-no-such-child",
        ),
        Err(e) if e.code() == "already-revoked" => error_page(
            &v,
            &hub_name(&state),
            StatusCode::CONFLICT,
            "err-already-revoked",
            "rec-already-revoked",
        ),
        Err(e) => internal(&v, &state, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Completeness (admin).

/// A cell of the completeness table.
#[derive(Clone, Debug)]
pub struct StatusCell {
    symbol: &'static str,
    word: String,
    class: &'static str,
}

/// A child's row.
#[derive(Debug)]
pub struct CompletenessRow {
    name: String,
    kind: String,
    cells: Vec<StatusCell>,
}

/// A period's summary.
#[derive(Debug)]
pub struct PeriodSummary {
    period: String,
    /// The period's month, for people.
    label: String,
    deadline: String,
    text: String,
    /// A regional hub's forwarding of the period to its parent (admins act on it).
    forward: Option<ForwardStatus>,
}

/// Where a period's rollup stands with the parent, in words, and whether "Forward now" is offered.
#[derive(Debug)]
pub struct ForwardStatus {
    text: String,
    class: &'static str,
    can_send: bool,
}

/// The words for a period's forwarding (`None`: nothing built yet).
fn forward_status(lang: Lang, f: Option<&crate::rollups::Forwarding>) -> ForwardStatus {
    let at =
        |t: i64| jiff::Timestamp::from_second(t).map_or_else(|_| String::new(), |t| lang.time(t));
    match f {
        None => ForwardStatus {
            text: lang.t("hub-forward-none"),
            class: "none",
            can_send: true,
        },
        Some(f) => match (f.forwarded_at, &f.last_error) {
            (Some(t), _) => ForwardStatus {
                text: lang.ta(
                    "hub-forward-done",
                    &[
                        ("when", at(t).into()),
                        ("revision", u64::from(f.revision).into()),
                    ],
                ),
                class: "ontime",
                can_send: false,
            },
            (None, Some(e)) => ForwardStatus {
                text: lang.ta(
                    "hub-forward-failed",
                    &[
                        ("when", at(f.last_attempt_at.unwrap_or(0)).into()),
                        ("count", u64::from(f.attempts).into()),
                        ("reason", e.clone().into()),
                    ],
                ),
                class: "missing",
                can_send: true,
            },
            (None, None) => ForwardStatus {
                text: lang.ta(
                    "hub-forward-waiting",
                    &[("revision", u64::from(f.revision).into())],
                ),
                class: "late",
                can_send: true,
            },
        },
    }
}

/// The completeness page.
#[derive(Debug, Template)]
#[template(path = "completeness.html")]
pub struct CompletenessPage {
    c: Chrome,
    periods: Vec<String>,
    rows: Vec<CompletenessRow>,
    summaries: Vec<PeriodSummary>,
}

fn recent_periods(hub: &Hub) -> Result<Vec<Period>> {
    // The periods with reports, and the one just ended even if nobody reported yet.
    let mut periods = data::periods(hub)?;
    if let Ok(last) = Period::containing(jiff::Timestamp::now())
        && let Some(prev) = last.previous()
        && !periods.contains(&prev)
    {
        periods.push(prev);
    }
    periods.sort();
    periods.reverse();
    periods.truncate(RECENT);
    periods.reverse();
    Ok(periods)
}

/// GET /ui/completeness (admin): children × recent periods, on time / late / missing.
pub async fn completeness(State(state): State<AppState>, Staff(v, _): Staff) -> Response {
    let vv = v.clone();
    page(&state, &v, move |hub| {
        let lang = vv.lang;
        let c = Chrome::new(
            &vv,
            &hub.config().name,
            "hub-completeness-title",
            Nav::Completeness,
        );
        let periods = recent_periods(hub)?;
        let (children, per_period, grid) = data::completeness_grid(hub, &periods)?;
        // The four cells, translated once for the whole grid.
        let words = [
            ("hub-on-time", "✓", "ontime"),
            ("hub-late", "◷", "late"),
            ("hub-missing", "✗", "missing"),
            ("hub-not-expected", "–", "none"),
        ]
        .map(|(id, symbol, class)| StatusCell {
            symbol,
            word: lang.t(id),
            class,
        });
        let [on_time, late, missing, none] = &words;
        let rows = children
            .iter()
            .zip(grid)
            .map(|(ch, statuses)| CompletenessRow {
                name: ch.name.clone(),
                kind: kind_label(lang, ch.kind),
                cells: statuses
                    .into_iter()
                    .map(|s| {
                        match s {
                            Reporting::OnTime => on_time,
                            Reporting::Late => late,
                            Reporting::Missing => missing,
                            Reporting::NotExpected => none,
                        }
                        .clone()
                    })
                    .collect(),
            })
            .collect();
        let n = |v: usize| -> crate::web::ui::i18n::Arg { u64::try_from(v).unwrap_or(0).into() };
        let forwarding = if hub.level() == HubLevel::Regional {
            Some(crate::rollups::forwarding(hub, &periods)?)
        } else {
            None
        };
        let summaries = per_period
            .iter()
            .enumerate()
            .map(|(i, p)| PeriodSummary {
                forward: forwarding
                    .as_ref()
                    .map(|f| forward_status(lang, f.get(i).and_then(Option::as_ref))),
                period: p.period.to_string(),
                label: month(lang, p.period),
                deadline: lang.time(p.deadline),
                text: lang.ta(
                    "hub-completeness-summary",
                    &[
                        ("expected", n(p.expected.len())),
                        ("reported", n(p.reported.len())),
                        ("ontime", n(p.on_time.len())),
                        ("late", n(p.late.len())),
                        ("missing", n(p.missing.len())),
                    ],
                ),
            })
            .collect();
        Ok(Ok(CompletenessPage {
            periods: periods
                .iter()
                .map(|p| super::i18n::fmt(lang).period_short(&p.to_string()))
                .collect(),
            rows,
            summaries,
            c,
        }))
    })
    .await
}

/// The "Forward now" form.
#[derive(Debug, Deserialize)]
pub struct ForwardForm {
    csrf: String,
    period: String,
}

/// POST /ui/forward (admin, regional hub): builds the period's rollup and sends it to the parent
/// once, now; the completeness page then shows what the parent answered.
pub async fn forward_period(
    State(state): State<AppState>,
    Staff(v, user): Staff,
    form: std::result::Result<Form<ForwardForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(f)) if v.csrf_ok(&f.csrf) => f,
        _ => return csrf_refused(&v, &hub_name(&state)),
    };
    let Ok(period) = form.period.parse::<Period>() else {
        return error_page(
            &v,
            &hub_name(&state),
            StatusCode::BAD_REQUEST,
            "err-bad-period",
            "rec-bad-period",
        );
    };
    if state.hub().level() != HubLevel::Regional {
        return error_page(
            &v,
            &hub_name(&state),
            StatusCode::CONFLICT,
            "err-no-parent",
            "rec-no-parent",
        );
    }
    match crate::forward::forward_now(state.hub(), period, &user.name).await {
        // Whatever the parent answered is recorded and shown on the page.
        Ok(_) => redirect(&format!("/ui/completeness#forward-{period}")),
        Err(crate::Error::Config(_)) => error_page(
            &v,
            &hub_name(&state),
            StatusCode::CONFLICT,
            "err-no-parent",
            "rec-no-parent",
        ),
        Err(e) => internal(&v, &state, &e),
    }
}

// ---------------------------------------------------------------------------------------------
// Verification.

/// A verified document as listed.
#[derive(Debug)]
pub struct CheckedRow {
    who: String,
    kind: String,
    period: String,
    revision: i64,
    digest: String,
    at: String,
    log_index: String,
    note: String,
    ok: bool,
    outcome: String,
}

/// The verification page.
#[derive(Debug, Template)]
#[template(path = "verification.html")]
pub struct VerificationPage {
    c: Chrome,
    size: String,
    root: String,
    time: String,
    rollups: Vec<CheckedRow>,
    reports: Option<Vec<CheckedRow>>,
}

fn checked_rows(lang: Lang, rows: Vec<data::Checked>) -> Vec<CheckedRow> {
    rows.into_iter()
        .map(|r| {
            let mut notes = Vec::new();
            if r.superseded {
                notes.push(lang.t("hub-superseded"));
            }
            if let Some(f) = r.forwarded_at {
                notes.push(lang.ta(
                    "hub-forwarded-at",
                    &[("time", lang.time(enroll::ts(f)).into())],
                ));
            }
            CheckedRow {
                who: r.who,
                kind: if r.kind == "rollup" {
                    lang.t("hub-doc-rollup")
                } else {
                    lang.t("hub-doc-report")
                },
                period: super::i18n::fmt(lang).period(&r.period),
                revision: r.revision,
                digest: r.digest,
                at: lang.time(enroll::ts(r.at)),
                log_index: r.log_index.map(|i| i.to_string()).unwrap_or_default(),
                note: notes.join(" · "),
                ok: r.outcome.is_ok(),
                outcome: match r.outcome {
                    Ok(id) => lang.t(id),
                    Err(reasons) => {
                        format!("{}: {}", lang.t("hub-not-verified"), reasons.join("; "))
                    }
                },
            }
        })
        .collect()
}

/// GET /ui/verification: the log's checkpoint, this hub's rollups verified from the root down,
/// and (admins) every document received, verified again.
pub async fn verification(State(state): State<AppState>, Member(v, _): Member) -> Response {
    let vv = v.clone();
    page(&state, &v, move |hub| {
        let lang = vv.lang;
        let c = Chrome::new(
            &vv,
            &hub.config().name,
            "hub-verification-title",
            Nav::Verification,
        );
        let cp = data::checkpoint(hub)?;
        let rollups = checked_rows(lang, data::built(hub, 50)?);
        let reports = if vv.is_admin() {
            Some(checked_rows(lang, data::received(hub, 200)?))
        } else {
            None
        };
        Ok(Ok(VerificationPage {
            size: lang.num(cp.size),
            root: cp.root.to_hex(),
            time: lang.time(cp.time),
            rollups,
            reports,
            c,
        }))
    })
    .await
}

/// Any other path under `/ui`.
pub async fn not_found(State(state): State<AppState>, v: Visitor) -> Response {
    if v.user.is_none() {
        return redirect(&format!(
            "/ui/login?next={}",
            view::encode(&view::safe_next(&v.path))
        ));
    }
    error_page(
        &v,
        &hub_name(&state),
        StatusCode::NOT_FOUND,
        "err-not-found",
        "rec-not-found",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_training_no_guidance_names_is_quoted_as_a_chapters_own_never_a_bare_code() {
        let es = training_labeler(Lang::Es, &[])("eowc-101");
        assert_eq!(es, "«Eowc 101» (capacitación propia de un capítulo)");
        let en = training_labeler(Lang::En, &[])("organizing-conversations");
        assert_eq!(en, "“Organizing conversations” (a chapter’s own training)");
    }
}
