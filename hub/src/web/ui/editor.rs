//! The guidance editor, `/ui/guidance`: every logged-in user sees the guidance this hub publishes
//! (its own, and the parent's it relays, each under its publisher's name, in both languages);
//! admins also get a form to write new guidance, preview it and publish it signed.
//!
//! The form is server-rendered and works without scripts (the hub's CSP forbids them): every
//! row is a set of numbered fields (`t.0.code`, `c.1.m.0.target`, `g.2.region`…), and "Add a
//! row" buttons post the form back to be drawn again with the values typed and one more empty
//! row. Nothing is stored until "Publish": a validation problem loses nothing the admin typed.
//!
//! "Preview" and "Publish" check a draft the same way: each field with the predicates the
//! protocol's validation uses, each goal with [`crate::goals::check`] (the problem placed on the
//! field that causes it), then the whole draft with [`crate::guidance::prepare`], the same
//! checks [`crate::guidance::publish_as`] makes before signing.
//!
//! One file (over 800 lines): the form's rows, their checks and the handlers that draw them
//! again share the field names and the row types, and are read together when a field changes.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shopfloor_protocol::Period;
use shopfloor_protocol::guidance::{link_ok, short};
use shopfloor_protocol::registry::{self, Dim};

use super::charts;
use super::i18n::{Arg, Lang};
use super::pages::{PageError, internal, metric_label, page};
use super::session::{Member, Staff, Visitor, csrf_refused};
use super::view::{Chrome, Nav, error_page, redirect, render};
use crate::config::Level as HubLevel;
use crate::error::Result;
use crate::guidance::{Criterion, CriterionMetric, Draft, Goal, Guidance, Link, Training};
use crate::hub::Hub;
use crate::web::AppState;
use crate::web::ui::i18n::LangExt as _;

/// The most rows of each kind the form draws (the protocol's limits).
const MAX_TRAININGS: usize = 500;
const MAX_CRITERIA: usize = 200;
const MAX_GOALS: usize = 500;
const MAX_LINKS: usize = 200;
const MAX_METRICS: usize = 20;

// ---------------------------------------------------------------------------------------------
// The form's state.

/// One field of the form: its name, what was typed, and the problem found with it.
#[derive(Clone, Debug)]
pub struct Field {
    /// The form field's name (also its element id).
    pub name: String,
    /// The value typed.
    pub value: String,
    /// The problem, in the reader's language.
    pub problem: Option<String>,
}

impl Field {
    fn new(name: String, value: impl Into<String>) -> Field {
        Field {
            name,
            value: value.into(),
            problem: None,
        }
    }

    fn text(&self) -> &str {
        self.value.trim()
    }

    fn blank(&self) -> bool {
        self.text().is_empty()
    }

    fn optional(&self) -> Option<String> {
        (!self.blank()).then(|| self.text().to_owned())
    }

    fn flag(&mut self, problem: String) {
        if self.problem.is_none() {
            self.problem = Some(problem);
        }
    }
}

/// A choice of a select.
#[derive(Clone, Debug)]
pub struct Choice {
    /// The value sent.
    pub value: String,
    /// What the reader sees.
    pub label: String,
    /// Whether it is the field's value.
    pub selected: bool,
}

/// A training row.
#[derive(Clone, Debug)]
pub struct TrainingRow {
    /// Code.
    pub code: Field,
    /// Title in English.
    pub title_en: Field,
    /// Title in Spanish.
    pub title_es: Field,
    /// Material in English.
    pub url_en: Field,
    /// Material in Spanish.
    pub url_es: Field,
}

/// A metric of success of a criterion.
#[derive(Clone, Debug)]
pub struct MetricRow {
    /// Name in English.
    pub name_en: Field,
    /// Name in Spanish.
    pub name_es: Field,
    /// Target.
    pub target: Field,
}

/// A criterion row with its metric rows.
#[derive(Clone, Debug)]
pub struct CriterionRow {
    /// Its number in the form.
    pub i: usize,
    /// Code.
    pub code: Field,
    /// Title in English.
    pub title_en: Field,
    /// Title in Spanish.
    pub title_es: Field,
    /// Metrics of success.
    pub metrics: Vec<MetricRow>,
}

/// A goal row.
#[derive(Clone, Debug)]
pub struct GoalRow {
    /// Metric id (a select).
    pub metric: Field,
    /// Sector (a select; empty for every sector).
    pub sector: Field,
    /// Region (a select; empty for this hub's whole area).
    pub region: Field,
    /// Target.
    pub target: Field,
    /// Date.
    pub by: Field,
    /// First month of the window (optional).
    pub from: Field,
    /// The metric select's choices.
    pub metrics: Vec<Choice>,
    /// The sector select's choices.
    pub sectors: Vec<Choice>,
    /// The region select's choices.
    pub regions: Vec<Choice>,
}

/// A link row.
#[derive(Clone, Debug)]
pub struct LinkRow {
    /// Title in English.
    pub title_en: Field,
    /// Title in Spanish.
    pub title_es: Field,
    /// URL in English.
    pub url_en: Field,
    /// URL in Spanish.
    pub url_es: Field,
}

/// Every row of the form.
#[derive(Clone, Debug, Default)]
pub struct Editor {
    /// Trainings.
    pub trainings: Vec<TrainingRow>,
    /// Criteria.
    pub criteria: Vec<CriterionRow>,
    /// Goals.
    pub goals: Vec<GoalRow>,
    /// Links.
    pub links: Vec<LinkRow>,
}

fn training_row(i: usize, t: Option<&Training>) -> TrainingRow {
    let f = |name: &str, v: Option<&str>| Field::new(format!("t.{i}.{name}"), v.unwrap_or(""));
    TrainingRow {
        code: f("code", t.map(|t| t.code.as_str())),
        title_en: f("title_en", t.map(|t| t.title_en.as_str())),
        title_es: f("title_es", t.map(|t| t.title_es.as_str())),
        url_en: f("url_en", t.and_then(|t| t.url_en.as_deref())),
        url_es: f("url_es", t.and_then(|t| t.url_es.as_deref())),
    }
}

fn metric_row(i: usize, j: usize, m: Option<&CriterionMetric>) -> MetricRow {
    let f = |name: &str, v: String| Field::new(format!("c.{i}.m.{j}.{name}"), v);
    MetricRow {
        name_en: f("name_en", m.map(|m| m.name_en.clone()).unwrap_or_default()),
        name_es: f("name_es", m.map(|m| m.name_es.clone()).unwrap_or_default()),
        target: f(
            "target",
            m.map(|m| m.target.to_string()).unwrap_or_default(),
        ),
    }
}

fn criterion_row(i: usize, c: Option<&Criterion>) -> CriterionRow {
    let f = |name: &str, v: Option<&str>| Field::new(format!("c.{i}.{name}"), v.unwrap_or(""));
    let mut metrics: Vec<MetricRow> = c
        .map(|c| {
            c.metrics
                .iter()
                .take(MAX_METRICS)
                .enumerate()
                .map(|(j, m)| metric_row(i, j, Some(m)))
                .collect()
        })
        .unwrap_or_default();
    if metrics.len() < MAX_METRICS {
        metrics.push(metric_row(i, metrics.len(), None));
    }
    CriterionRow {
        i,
        code: f("code", c.map(|c| c.code.as_str())),
        title_en: f("title_en", c.map(|c| c.title_en.as_str())),
        title_es: f("title_es", c.map(|c| c.title_es.as_str())),
        metrics,
    }
}

fn goal_row(i: usize, g: Option<&Goal>) -> GoalRow {
    let f = |name: &str, v: String| Field::new(format!("g.{i}.{name}"), v);
    GoalRow {
        metric: f("metric", g.map(|g| g.metric.clone()).unwrap_or_default()),
        sector: f(
            "sector",
            g.and_then(|g| g.sector.clone()).unwrap_or_default(),
        ),
        region: f(
            "region",
            g.and_then(|g| g.region.clone()).unwrap_or_default(),
        ),
        target: f(
            "target",
            g.map(|g| g.target.to_string()).unwrap_or_default(),
        ),
        by: f("by", g.map(|g| g.by.to_string()).unwrap_or_default()),
        from: f(
            "from",
            g.and_then(|g| g.from)
                .map(|p| p.to_string())
                .unwrap_or_default(),
        ),
        metrics: Vec::new(),
        sectors: Vec::new(),
        regions: Vec::new(),
    }
}

fn link_row(i: usize, l: Option<&Link>) -> LinkRow {
    let f = |name: &str, v: Option<&str>| Field::new(format!("l.{i}.{name}"), v.unwrap_or(""));
    LinkRow {
        title_en: f("title_en", l.map(|l| l.title_en.as_str())),
        title_es: f("title_es", l.map(|l| l.title_es.as_str())),
        url_en: f("url_en", l.and_then(|l| l.url_en.as_deref())),
        url_es: f("url_es", l.and_then(|l| l.url_es.as_deref())),
    }
}

/// What a form posted: the last value of each name.
type Posted = HashMap<String, String>;

fn value(p: &Posted, name: &str) -> String {
    p.get(name).cloned().unwrap_or_default()
}

fn count(p: &Posted, name: &str, max: usize) -> usize {
    p.get(name)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(max)
}

fn posted_field(p: &Posted, name: String) -> Field {
    let v = value(p, &name);
    Field::new(name, v)
}

/// The editor's rows for published items: at most `max`, numbered in order.
fn rows<T, R>(items: &[T], max: usize, row: impl Fn(usize, Option<&T>) -> R) -> Vec<R> {
    items
        .iter()
        .take(max)
        .enumerate()
        .map(|(i, t)| row(i, Some(t)))
        .collect()
}

impl Editor {
    /// The form for `own` guidance (this hub's newest), plus one empty row of each kind.
    fn from_guidance(own: Option<&Guidance>) -> Editor {
        let mut e = Editor::default();
        if let Some(g) = own {
            e.trainings = rows(&g.trainings, MAX_TRAININGS, training_row);
            e.criteria = rows(&g.criteria, MAX_CRITERIA, criterion_row);
            e.goals = rows(&g.goals, MAX_GOALS, goal_row);
            e.links = rows(&g.links, MAX_LINKS, link_row);
        }
        e.add("t");
        e.add("c");
        e.add("g");
        e.add("l");
        e
    }

    /// The form as posted, every row kept (empty ones too).
    fn from_posted(p: &Posted) -> Editor {
        let trainings = (0..count(p, "nt", MAX_TRAININGS))
            .map(|i| {
                let f = |n: &str| posted_field(p, format!("t.{i}.{n}"));
                TrainingRow {
                    code: f("code"),
                    title_en: f("title_en"),
                    title_es: f("title_es"),
                    url_en: f("url_en"),
                    url_es: f("url_es"),
                }
            })
            .collect();
        let criteria = (0..count(p, "nc", MAX_CRITERIA))
            .map(|i| {
                let f = |n: &str| posted_field(p, format!("c.{i}.{n}"));
                CriterionRow {
                    i,
                    code: f("code"),
                    title_en: f("title_en"),
                    title_es: f("title_es"),
                    metrics: (0..count(p, &format!("c.{i}.nm"), MAX_METRICS))
                        .map(|j| MetricRow {
                            name_en: f(&format!("m.{j}.name_en")),
                            name_es: f(&format!("m.{j}.name_es")),
                            target: f(&format!("m.{j}.target")),
                        })
                        .collect(),
                }
            })
            .collect();
        let goals = (0..count(p, "ng", MAX_GOALS))
            .map(|i| {
                let mut row = goal_row(i, None);
                for field in [
                    &mut row.metric,
                    &mut row.sector,
                    &mut row.region,
                    &mut row.target,
                    &mut row.by,
                    &mut row.from,
                ] {
                    field.value = value(p, &field.name);
                }
                row
            })
            .collect();
        let links = (0..count(p, "nl", MAX_LINKS))
            .map(|i| {
                let f = |n: &str| posted_field(p, format!("l.{i}.{n}"));
                LinkRow {
                    title_en: f("title_en"),
                    title_es: f("title_es"),
                    url_en: f("url_en"),
                    url_es: f("url_es"),
                }
            })
            .collect();
        Editor {
            trainings,
            criteria,
            goals,
            links,
        }
    }

    /// Adds an empty row: `t`, `c`, `g`, `l`, or `m.N` (a metric of criterion N).
    fn add(&mut self, what: &str) {
        match what {
            "t" if self.trainings.len() < MAX_TRAININGS => {
                self.trainings
                    .push(training_row(self.trainings.len(), None));
            }
            "c" if self.criteria.len() < MAX_CRITERIA => {
                self.criteria.push(criterion_row(self.criteria.len(), None));
            }
            "g" if self.goals.len() < MAX_GOALS => {
                self.goals.push(goal_row(self.goals.len(), None));
            }
            "l" if self.links.len() < MAX_LINKS => {
                self.links.push(link_row(self.links.len(), None));
            }
            _ => {
                if let Some(c) = what
                    .strip_prefix("m.")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| self.criteria.get_mut(i))
                    && c.metrics.len() < MAX_METRICS
                {
                    let j = c.metrics.len();
                    c.metrics.push(metric_row(c.i, j, None));
                }
            }
        }
    }

    /// Fills in the selects' choices in the reader's language.
    fn choices(&mut self, lang: Lang, regions: &[(String, String)]) {
        for g in &mut self.goals {
            g.metrics = choices(
                &g.metric.value,
                std::iter::once((String::new(), lang.t("hub-guidance-choose-metric"))).chain(
                    registry::METRICS
                        .iter()
                        .map(|m| (m.id.to_owned(), lang.pick(m.en, m.es).to_owned())),
                ),
            );
            g.sectors = choices(
                &g.sector.value,
                std::iter::once((String::new(), lang.t("hub-guidance-any-sector"))).chain(
                    registry::SECTORS.iter().map(|t| {
                        (
                            t.code.to_owned(),
                            format!("{} ({})", lang.pick(t.en, t.es), t.code),
                        )
                    }),
                ),
            );
            g.regions = choices(
                &g.region.value,
                std::iter::once((String::new(), lang.t("hub-guidance-whole-area")))
                    .chain(regions.iter().cloned())
                    .chain(
                        registry::STATES
                            .iter()
                            .map(|t| (t.code.to_owned(), lang.pick(t.en, t.es).to_owned())),
                    ),
            );
        }
    }
}

/// The choices of a select; a value not among them (from older guidance) is kept as one more.
fn choices(current: &str, all: impl Iterator<Item = (String, String)>) -> Vec<Choice> {
    let mut out: Vec<Choice> = all
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect();
    if !out.iter().any(|c| c.selected) {
        out.push(Choice {
            value: current.to_owned(),
            label: current.to_owned(),
            selected: true,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Checking a draft.

fn text_ok(f: &mut Field, max: usize, lang: Lang) {
    if !short(f.text(), max) {
        f.flag(lang.ta("hub-guidance-bad-text", &[("max", Arg::from(max as u64))]));
    }
}

fn url_field(f: &mut Field, lang: Lang) -> Option<String> {
    let v = f.optional()?;
    if !link_ok(&v) {
        f.flag(lang.t("hub-guidance-bad-url"));
    }
    Some(v)
}

fn number(f: &mut Field, lang: Lang) -> u64 {
    match f.text().parse::<u64>() {
        Ok(n) => n,
        Err(_) => {
            f.flag(lang.t("hub-guidance-bad-number"));
            0
        }
    }
}

fn problems_in(e: &Editor) -> usize {
    let n = |f: &Field| usize::from(f.problem.is_some());
    e.trainings
        .iter()
        .map(|r| n(&r.code) + n(&r.title_en) + n(&r.title_es) + n(&r.url_en) + n(&r.url_es))
        .sum::<usize>()
        + e.criteria
            .iter()
            .map(|r| {
                n(&r.code)
                    + n(&r.title_en)
                    + n(&r.title_es)
                    + r.metrics
                        .iter()
                        .map(|m| n(&m.name_en) + n(&m.name_es) + n(&m.target))
                        .sum::<usize>()
            })
            .sum::<usize>()
        + e.goals
            .iter()
            .map(|r| {
                n(&r.metric) + n(&r.sector) + n(&r.region) + n(&r.target) + n(&r.by) + n(&r.from)
            })
            .sum::<usize>()
        + e.links
            .iter()
            .map(|r| n(&r.title_en) + n(&r.title_es) + n(&r.url_en) + n(&r.url_es))
            .sum::<usize>()
}

/// Places a goal's refusal by [`crate::goals::check`] on the field that causes it, by checking
/// the goal again without its sector, then without its region.
fn place_goal_problem(hub: &Hub, row: &mut GoalRow, goal: &Goal, lang: Lang) -> Result<()> {
    let refused = |g: &Goal| -> Result<bool> {
        match crate::goals::check(hub, std::slice::from_ref(g)) {
            Ok(()) => Ok(false),
            Err(e) if e.status() < 500 => Ok(true),
            Err(e) => Err(e),
        }
    };
    if !refused(goal)? {
        return Ok(());
    }
    let no_sector = Goal {
        sector: None,
        ..goal.clone()
    };
    if let Some(sector) = &goal.sector
        && !refused(&no_sector)?
    {
        if Dim::Sector.accepts(sector) {
            row.sector.flag(lang.ta(
                "hub-guidance-bad-sector",
                &[("name", Arg::from(metric_label(lang, &goal.metric)))],
            ));
        } else {
            row.sector.flag(lang.t("hub-guidance-bad-choice"));
        }
        return Ok(());
    }
    let bare = Goal {
        region: None,
        ..no_sector
    };
    if goal.region.is_some() && !refused(&bare)? {
        row.region.flag(lang.t("hub-guidance-bad-region"));
    } else if goal.from.is_some() {
        row.from.flag(lang.t("hub-guidance-bad-window"));
    } else {
        row.by.flag(lang.t("hub-guidance-bad-window"));
    }
    Ok(())
}

/// Checks every field of the form (problems are written next to their fields) and returns the
/// draft it holds; empty rows are left out.
fn check_fields(hub: &Hub, e: &mut Editor, lang: Lang) -> Result<Draft> {
    let mut draft = Draft::default();
    for r in &mut e.trainings {
        if [&r.code, &r.title_en, &r.title_es, &r.url_en, &r.url_es]
            .iter()
            .all(|f| f.blank())
        {
            continue;
        }
        if !Dim::Training.accepts(r.code.text()) {
            r.code.flag(lang.t("hub-guidance-bad-code"));
        }
        text_ok(&mut r.title_en, 200, lang);
        text_ok(&mut r.title_es, 200, lang);
        draft.trainings.push(Training {
            code: r.code.text().to_owned(),
            title_en: r.title_en.text().to_owned(),
            title_es: r.title_es.text().to_owned(),
            url_en: url_field(&mut r.url_en, lang),
            url_es: url_field(&mut r.url_es, lang),
        });
    }
    for r in &mut e.criteria {
        let mut metrics = Vec::new();
        for m in &mut r.metrics {
            if [&m.name_en, &m.name_es, &m.target]
                .iter()
                .all(|f| f.blank())
            {
                continue;
            }
            text_ok(&mut m.name_en, 200, lang);
            text_ok(&mut m.name_es, 200, lang);
            metrics.push(CriterionMetric {
                name_en: m.name_en.text().to_owned(),
                name_es: m.name_es.text().to_owned(),
                target: number(&mut m.target, lang),
            });
        }
        if [&r.code, &r.title_en, &r.title_es]
            .iter()
            .all(|f| f.blank())
            && metrics.is_empty()
        {
            continue;
        }
        text_ok(&mut r.code, 64, lang);
        text_ok(&mut r.title_en, 200, lang);
        text_ok(&mut r.title_es, 200, lang);
        draft.criteria.push(Criterion {
            code: r.code.text().to_owned(),
            title_en: r.title_en.text().to_owned(),
            title_es: r.title_es.text().to_owned(),
            metrics,
        });
    }
    for r in &mut e.goals {
        if [&r.metric, &r.sector, &r.region, &r.target, &r.by, &r.from]
            .iter()
            .all(|f| f.blank())
        {
            continue;
        }
        if registry::metric(r.metric.text()).is_none() {
            r.metric.flag(lang.t("hub-guidance-bad-choice"));
        }
        let target = number(&mut r.target, lang);
        let by = r.by.text().parse::<jiff::civil::Date>();
        if by.is_err() {
            r.by.flag(lang.t("hub-guidance-bad-date"));
        }
        let from = match r.from.optional() {
            None => None,
            Some(t) => match t.parse::<Period>() {
                Ok(p) => Some(p),
                Err(_) => {
                    r.from.flag(lang.t("hub-guidance-bad-period"));
                    None
                }
            },
        };
        let Ok(by) = by else { continue };
        let goal = Goal {
            sector: r.sector.optional(),
            region: r.region.optional(),
            metric: r.metric.text().to_owned(),
            target,
            by,
            from,
        };
        if r.metric.problem.is_none() {
            place_goal_problem(hub, r, &goal, lang)?;
        }
        draft.goals.push(goal);
    }
    for r in &mut e.links {
        if [&r.title_en, &r.title_es, &r.url_en, &r.url_es]
            .iter()
            .all(|f| f.blank())
        {
            continue;
        }
        text_ok(&mut r.title_en, 200, lang);
        text_ok(&mut r.title_es, 200, lang);
        draft.links.push(Link {
            title_en: r.title_en.text().to_owned(),
            title_es: r.title_es.text().to_owned(),
            url_en: url_field(&mut r.url_en, lang),
            url_es: url_field(&mut r.url_es, lang),
        });
    }
    Ok(draft)
}

/// What checking a draft found.
enum Checked {
    /// Problems, written next to their fields (or one for the whole draft).
    Problems(String),
    /// The draft, and the guidance it becomes.
    Fine(Draft, Box<Guidance>),
}

/// Checks a draft as publishing would: every field, then [`crate::guidance::prepare`].
fn check(hub: &Hub, e: &mut Editor, lang: Lang, own: Option<&Guidance>) -> Result<Checked> {
    let mut draft = check_fields(hub, e, lang)?;
    // The policy is not edited here: the one in force stays.
    draft.policy = own.map(|g| g.policy);
    let n = problems_in(e);
    if n > 0 {
        return Ok(Checked::Problems(
            lang.ta("hub-guidance-problems", &[("n", Arg::from(n as u64))]),
        ));
    }
    let inherited = own.and_then(|g| g.inherited.clone());
    match crate::guidance::prepare(hub, draft.clone(), inherited) {
        Ok(g) => Ok(Checked::Fine(draft, Box::new(g))),
        Err(e) if e.status() < 500 => {
            tracing::info!("guidance draft refused: {e}");
            Ok(Checked::Problems(lang.t("hub-guidance-refused")))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Showing guidance as chapters see it.

/// A training or a link as shown.
#[derive(Clone, Debug)]
pub struct Item {
    /// Title.
    pub title: String,
    /// Code (trainings).
    pub code: String,
    /// Material (that language's, else the other's, as chapters show it).
    pub url: Option<String>,
}

/// A criterion as shown.
#[derive(Clone, Debug)]
pub struct CriterionShown {
    /// Title.
    pub title: String,
    /// Code.
    pub code: String,
    /// Its metrics, one line each.
    pub metrics: Vec<String>,
}

/// Guidance in one language, as chapters see it.
#[derive(Clone, Debug)]
pub struct Side {
    /// The language's code.
    pub lang: &'static str,
    /// The language's own name.
    pub name: &'static str,
    /// Heading of the trainings, in this language.
    pub h_trainings: String,
    /// Heading of the criteria.
    pub h_criteria: String,
    /// Heading of the goals.
    pub h_goals: String,
    /// Heading of the links.
    pub h_links: String,
    /// What an empty list says.
    pub none: String,
    /// Trainings.
    pub trainings: Vec<Item>,
    /// Criteria.
    pub criteria: Vec<CriterionShown>,
    /// Goals, one sentence each.
    pub goals: Vec<String>,
    /// Links.
    pub links: Vec<Item>,
}

/// Guidance in both languages under its publisher's name.
#[derive(Clone, Debug)]
pub struct Shown {
    /// Who published it and when, in the reader's language.
    pub by: String,
    /// English and Spanish.
    pub sides: [Side; 2],
}

fn goal_line(lang: Lang, g: &Goal, names: &BTreeMap<String, String>) -> String {
    let mut what = metric_label(lang, &g.metric);
    if let Some(s) = &g.sector {
        what = format!("{what} · {}", charts::value_label(lang, Dim::Sector, s));
    }
    if let Some(r) = &g.region {
        let place = registry::state(r).map_or_else(
            || names.get(r).cloned().unwrap_or_else(|| r.clone()),
            |s| lang.pick(s.en, s.es).to_owned(),
        );
        what = format!("{what} · {place}");
    }
    let mut args = vec![
        ("name", Arg::from(what)),
        ("value", Arg::from(lang.num(g.target))),
        ("when", Arg::from(lang.date(g.by))),
    ];
    match g.from {
        Some(p) => {
            args.push((
                "period",
                Arg::from(super::i18n::fmt(lang).period(&p.to_string())),
            ));
            lang.ta("hub-guidance-goal-from", &args)
        }
        None => lang.ta("hub-guidance-goal", &args),
    }
}

/// The material a chapter links to in a language: that language's, else the other's (as the
/// node's pages do).
fn material(lang: Lang, en: &Option<String>, es: &Option<String>) -> Option<String> {
    match lang {
        Lang::En => en.clone().or_else(|| es.clone()),
        Lang::Es => es.clone().or_else(|| en.clone()),
    }
}

fn side(lang: Lang, g: &Guidance, names: &BTreeMap<String, String>) -> Side {
    Side {
        lang: lang.code(),
        name: lang.own_name(),
        h_trainings: lang.t("hub-guidance-trainings"),
        h_criteria: lang.t("hub-guidance-criteria"),
        h_goals: lang.t("hub-guidance-goals"),
        h_links: lang.t("hub-guidance-links"),
        none: lang.t("hub-guidance-none"),
        trainings: g
            .trainings
            .iter()
            .map(|t| {
                let url = material(lang, &t.url_en, &t.url_es);
                Item {
                    title: lang.pick(&t.title_en, &t.title_es).to_owned(),
                    code: t.code.clone(),
                    url,
                }
            })
            .collect(),
        criteria: g
            .criteria
            .iter()
            .map(|c| CriterionShown {
                title: lang.pick(&c.title_en, &c.title_es).to_owned(),
                code: c.code.clone(),
                metrics: c
                    .metrics
                    .iter()
                    .map(|m| {
                        lang.ta(
                            "hub-guidance-metric-line",
                            &[
                                ("name", Arg::from(lang.pick(&m.name_en, &m.name_es))),
                                ("value", Arg::from(lang.num(m.target))),
                            ],
                        )
                    })
                    .collect(),
            })
            .collect(),
        goals: g.goals.iter().map(|x| goal_line(lang, x, names)).collect(),
        links: g
            .links
            .iter()
            .map(|l| {
                let url = material(lang, &l.url_en, &l.url_es);
                Item {
                    title: lang.pick(&l.title_en, &l.title_es).to_owned(),
                    code: String::new(),
                    url,
                }
            })
            .collect(),
    }
}

fn shown(g: &Guidance, by: String, names: &BTreeMap<String, String>) -> Shown {
    Shown {
        by,
        sides: [side(Lang::En, g, names), side(Lang::Es, g, names)],
    }
}

/// Names of this hub, its parent and its children, by id.
fn names(hub: &Hub) -> Result<BTreeMap<String, String>> {
    Ok(hub
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
        .collect())
}

/// The regions a goal may name besides states: this hub and its regional hubs.
fn region_choices(hub: &Hub) -> Result<Vec<(String, String)>> {
    let mut out = vec![(hub.card().id.as_str().to_owned(), hub.config().name.clone())];
    out.extend(
        hub.store()
            .read(crate::enroll::summaries)?
            .into_iter()
            .filter(|c| c.kind == shopfloor_protocol::Kind::Regional)
            .map(|c| (c.id.as_str().to_owned(), c.name)),
    );
    Ok(out)
}

/// The guidance this hub publishes now, as shown: its own, then the parent's it relays.
fn published(hub: &Hub, lang: Lang) -> Result<(Option<Guidance>, Vec<Shown>)> {
    let all = super::data::guidance(hub)?;
    let names = names(hub)?;
    let own_id = hub.card().id.clone();
    let shown_all = all
        .iter()
        .map(|g| {
            let name = names
                .get(g.issuer.as_str())
                .cloned()
                .unwrap_or_else(|| g.issuer.as_str().to_owned());
            let args = [
                ("name", Arg::from(name)),
                ("when", Arg::from(lang.time(g.issued_at))),
            ];
            let by = if g.issuer == own_id {
                lang.ta("hub-guidance-by-own", &args)
            } else {
                lang.ta("hub-guidance-by-parent", &args)
            };
            shown(g, by, &names)
        })
        .collect();
    let own = all.into_iter().find(|g| g.issuer == own_id);
    Ok((own, shown_all))
}

// ---------------------------------------------------------------------------------------------
// The page.

/// `/ui/guidance`.
#[derive(Debug, Template)]
#[template(path = "guidance.html")]
pub struct GuidancePage {
    c: Chrome,
    notice: Option<String>,
    /// The guidance published now.
    published: Vec<Shown>,
    /// Problems with the draft (a summary; each is next to its field).
    problems: Option<String>,
    /// The draft as chapters will see it.
    preview: Option<Shown>,
    /// Whether the preview relays the parent's guidance too.
    relays: bool,
    /// The form (admins).
    editor: Option<Editor>,
}

/// Query of `GET /ui/guidance`.
#[derive(Debug, Default, Deserialize)]
pub struct GuidanceQuery {
    done: Option<String>,
}

/// GET /ui/guidance: the guidance published now; for admins, the editor filled with it.
pub async fn guidance(
    State(state): State<AppState>,
    Member(v, _): Member,
    q: std::result::Result<Query<GuidanceQuery>, QueryRejection>,
) -> Response {
    let done = q.ok().and_then(|Query(q)| q.done);
    let vv = v.clone();
    page(&state, &v, move |hub| {
        let lang = vv.lang;
        let c = Chrome::new(&vv, &hub.config().name, "hub-guidance-title", Nav::Guidance);
        let (own, published) = published(hub, lang)?;
        let editor = c.admin.then(|| {
            let mut e = Editor::from_guidance(own.as_ref());
            region_choices(hub).map(|r| {
                e.choices(lang, &r);
                e
            })
        });
        Ok(Ok::<_, PageError>(GuidancePage {
            notice: (done.as_deref() == Some("published"))
                .then(|| lang.t("hub-guidance-published")),
            published,
            problems: None,
            preview: None,
            relays: false,
            editor: editor.transpose()?,
            c,
        }))
    })
    .await
}

/// What the form posted, or the page refusing it.
fn read_form(
    state: &AppState,
    v: &Visitor,
    form: std::result::Result<Form<Vec<(String, String)>>, FormRejection>,
) -> std::result::Result<Posted, Box<Response>> {
    let hub_name = state.hub().config().name.clone();
    let Ok(Form(pairs)) = form else {
        return Err(Box::new(error_page(
            v,
            &hub_name,
            StatusCode::BAD_REQUEST,
            "err-form",
            "rec-form",
        )));
    };
    let posted: Posted = pairs.into_iter().collect();
    if !v.csrf_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Err(Box::new(csrf_refused(v, &hub_name)));
    }
    Ok(posted)
}

/// The page with the form drawn again after a post.
fn again(
    hub: &Hub,
    v: &Visitor,
    mut editor: Editor,
    problems: Option<String>,
    preview: Option<Guidance>,
) -> Result<GuidancePage> {
    let lang = v.lang;
    let c = Chrome::new(v, &hub.config().name, "hub-guidance-title", Nav::Guidance);
    let (_, published) = published(hub, lang)?;
    editor.choices(lang, &region_choices(hub)?);
    let names = names(hub)?;
    let relays = preview.as_ref().is_some_and(|g| g.inherited.is_some());
    Ok(GuidancePage {
        notice: None,
        published,
        problems,
        preview: preview.map(|g| {
            shown(
                &g,
                lang.ta(
                    "hub-guidance-preview-by",
                    &[("name", Arg::from(hub.config().name.clone()))],
                ),
                &names,
            )
        }),
        relays,
        editor: Some(editor),
        c,
    })
}

fn status_of(problems: bool) -> StatusCode {
    if problems {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

/// POST /ui/guidance/preview (admin): adds a row (`add`), or checks the draft as publishing
/// would and shows it as chapters will see it, in both languages. Nothing is signed or stored.
pub async fn preview(
    State(state): State<AppState>,
    Staff(v, _): Staff,
    form: std::result::Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let posted = match read_form(&state, &v, form) {
        Ok(p) => p,
        Err(resp) => return *resp,
    };
    let vv = v.clone();
    let built = state
        .blocking(move |hub| {
            let mut editor = Editor::from_posted(&posted);
            if let Some(what) = posted.get("add") {
                editor.add(what);
                return Ok((StatusCode::OK, again(hub, &vv, editor, None, None)?));
            }
            let own = super::data::guidance(hub)?
                .into_iter()
                .find(|g| g.issuer == hub.card().id);
            match check(hub, &mut editor, vv.lang, own.as_ref())? {
                Checked::Problems(p) => {
                    Ok((status_of(true), again(hub, &vv, editor, Some(p), None)?))
                }
                Checked::Fine(_, g) => {
                    Ok((status_of(false), again(hub, &vv, editor, None, Some(*g))?))
                }
            }
        })
        .await;
    match built {
        Ok((status, p)) => render(status, &p),
        Err(e) => internal(&v, &state, &e),
    }
}

/// POST /ui/guidance/publish (admin): checks the draft, signs it with the hub's key (a regional
/// hub relaying its parent's newest verified guidance, as `publish-guidance` does) and stores
/// it, written in the audit log under the admin's name; then shows the published guidance. A
/// refused draft is drawn again with its problems, nothing lost.
pub async fn publish(
    State(state): State<AppState>,
    Staff(v, user): Staff,
    form: std::result::Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let posted = match read_form(&state, &v, form) {
        Ok(p) => p,
        Err(resp) => return *resp,
    };
    let vv = v.clone();
    let checked = state
        .blocking(move |hub| {
            let mut editor = Editor::from_posted(&posted);
            let own = super::data::guidance(hub)?
                .into_iter()
                .find(|g| g.issuer == hub.card().id);
            match check(hub, &mut editor, vv.lang, own.as_ref())? {
                Checked::Problems(p) => Ok(Err(again(hub, &vv, editor, Some(p), None)?)),
                Checked::Fine(draft, _) => Ok(Ok((draft, editor))),
            }
        })
        .await;
    let (draft, editor) = match checked {
        Ok(Ok(d)) => d,
        Ok(Err(p)) => return render(status_of(true), &p),
        Err(e) => return internal(&v, &state, &e),
    };
    let inherited = if state.hub().level() == HubLevel::Regional {
        match crate::forward::fetch_parent_guidance(state.hub()).await {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!("guidance: the parent's guidance could not be fetched: {e}");
                let vv = v.clone();
                let problem = v.lang.t("hub-guidance-parent-unreachable");
                return match state
                    .blocking(move |hub| again(hub, &vv, editor, Some(problem), None))
                    .await
                {
                    Ok(p) => render(StatusCode::BAD_GATEWAY, &p),
                    Err(e) => internal(&v, &state, &e),
                };
            }
        }
    } else {
        None
    };
    let name = user.name.clone();
    let vv = v.clone();
    let done = state
        .blocking(
            move |hub| match crate::guidance::publish_as(hub, draft, inherited, &name) {
                Ok(_) => Ok(None),
                Err(e) if e.status() < 500 => {
                    tracing::info!("guidance refused at publish: {e}");
                    let problem = vv.lang.t("hub-guidance-refused");
                    Ok(Some(again(hub, &vv, editor, Some(problem), None)?))
                }
                Err(e) => Err(e),
            },
        )
        .await;
    match done {
        Ok(None) => redirect("/ui/guidance?done=published"),
        Ok(Some(p)) => render(status_of(true), &p),
        Err(e) => internal(&v, &state, &e),
    }
}
