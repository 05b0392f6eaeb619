//! Workplaces: the list, a workplace's ladder with its dated history, structure counts and
//! majority percentage, the form to move it along the ladder, and create/edit forms.
//!
//! Coworkers who are not members are never named: a workplace carries counts only.

use askama::Template;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shopfloor_protocol::registry::{self, Dim};

use super::flash::back;
use super::members::{Choice, choices, full_name};
use super::page::{HasCsrf, Page, query};
use super::view::{self, Chrome, Nav, Pager, encode, field_error, opt};
use crate::domain::members;
use crate::domain::workplaces::{self, WorkplaceFields};
use crate::web::handler::{Audited, CsrfForm, Editor, Organizer, SeesMembers, audit};
use crate::web::query::{self as q, PageParams, WorkplaceFilter};
use crate::web::ui::i18n::LangExt as _;

const PER_PAGE: i64 = 50;

/// Whether the workplace's own numbers show majority support: a known workforce and more
/// supporters than half of it. The ladder stage alone never does; the dashboard and the report's
/// `majority-workplaces` (crate::report::aggregate) use the same rule.
pub fn numbers_show_majority(f: &WorkplaceFields) -> bool {
    f.workforce_size
        .is_some_and(|w| w > 0 && f.supporters.saturating_mul(2) > w)
}

/// The majority percentage (supporters of the estimated workforce), if the workforce is known.
pub fn majority_pct(f: &WorkplaceFields) -> Option<i64> {
    f.workforce_size
        .filter(|w| *w > 0)
        .map(|w| (f.supporters * 100 / w).min(100))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    sector: String,
    stage: String,
    page: String,
}

/// A row of the list.
#[derive(Debug)]
pub struct Row {
    /// Id.
    pub id: i64,
    /// Employer · site.
    pub name: String,
    /// City.
    pub city: String,
    /// Sector.
    pub sector: String,
    /// Stage label.
    pub stage: String,
    /// Majority percentage, formatted.
    pub majority: String,
}

/// `GET /workplaces`
#[derive(Template, Debug)]
#[template(path = "workplaces.html")]
pub struct ListPage {
    /// The frame.
    pub c: Chrome,
    /// Search.
    pub q: String,
    /// Sectors.
    pub sectors: Vec<Choice>,
    /// Stages.
    pub stages: Vec<Choice>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Pager.
    pub pager: Pager,
    /// May add.
    pub can_add: bool,
}

/// Employer · site.
pub fn label(f: &WorkplaceFields) -> String {
    if f.site.trim().is_empty() {
        f.employer.clone()
    } else {
        format!("{} · {}", f.employer, f.site)
    }
}

/// `GET /workplaces` — search and filter.
pub async fn list(SeesMembers(page): SeesMembers<Page>, RawQuery(raw): RawQuery) -> Response {
    let r = async {
        let lq: ListQuery = query(raw.as_deref());
        let lang = page.lang;
        let filter = WorkplaceFilter {
            search: opt(&lq.q),
            sector: opt(&lq.sector),
            stage: lq.stage.parse().ok().filter(|s| (0..=5).contains(s)),
            state: None,
        };
        let wanted: i64 = lq.page.parse().unwrap_or(1).max(1);
        let scope = page.user.member_scope();
        let result = page
            .state
            .store()
            .read_async(move |conn| {
                let mut p = PageParams {
                    page: Some(wanted),
                    per_page: Some(PER_PAGE),
                    ..Default::default()
                };
                let mut r = q::workplace_page(conn, &scope, &filter, &p)?;
                let last = ((r.total + PER_PAGE - 1) / PER_PAGE).max(1);
                if wanted > last {
                    p.page = Some(last);
                    r = q::workplace_page(conn, &scope, &filter, &p)?;
                }
                Ok(r)
            })
            .await?;
        let rows = result
            .items
            .iter()
            .map(|w| Row {
                id: w.id,
                name: label(&w.fields),
                city: w.fields.city.clone(),
                sector: lang.value(
                    Dim::Sector,
                    w.fields.sector.as_deref().unwrap_or(registry::UNKNOWN),
                ),
                stage: lang.value(Dim::Stage, &w.stage.to_string()),
                majority: majority_pct(&w.fields)
                    .map(|p| format!("{p}%"))
                    .unwrap_or_else(|| "—".into()),
            })
            .collect();
        let mut base = String::from("/workplaces?");
        for (k, v) in [("q", &lq.q), ("sector", &lq.sector), ("stage", &lq.stage)] {
            if !v.is_empty() {
                base.push_str(&format!("{k}={}&", encode(v)));
            }
        }
        let base = base.trim_end_matches(['&', '?']).to_owned();
        let any = || Some(lang.t("ui-filter-any"));
        view::ok(&ListPage {
            c: page.chrome("ui-workplaces-title", Nav::Workplaces),
            q: lq.q.clone(),
            sectors: choices(lang, registry::SECTORS, &lq.sector, any()),
            stages: choices(lang, registry::STAGES, &lq.stage, any()),
            rows,
            pager: Pager::new(result.page, PER_PAGE, result.total, &base),
            can_add: page.role().can_organize(),
        })
    }
    .await;
    page.respond(r)
}

/// A rung of the ladder as shown.
#[derive(Debug)]
pub struct Rung {
    /// Stage number.
    pub stage: i64,
    /// Label.
    pub label: String,
    /// Passed.
    pub done: bool,
    /// Current.
    pub current: bool,
}

/// A line of the stage history.
#[derive(Debug)]
pub struct Change {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// From → to.
    pub what: String,
    /// Why.
    pub note: String,
}

/// `GET /workplaces/{id}`
#[derive(Template, Debug)]
#[template(path = "workplace.html")]
pub struct ShowPage {
    /// The frame.
    pub c: Chrome,
    /// Id.
    pub id: i64,
    /// Facts.
    pub facts: Vec<(String, String)>,
    /// Structure counts.
    pub counts: Vec<(String, String)>,
    /// Majority sentence.
    pub majority: String,
    /// Whether the workplace counts as having majority support (its numbers show it).
    pub has_majority: bool,
    /// At stage 3 or above without the numbers that show a majority: says so.
    pub majority_unshown: Option<String>,
    /// The ladder.
    pub ladder: Vec<Rung>,
    /// History, newest first.
    pub history: Vec<Change>,
    /// Members linked (visible to this user): (id, name).
    pub members: Vec<(i64, String)>,
    /// May edit and move.
    pub can_edit: bool,
    /// Stages to move to.
    pub stage_choices: Vec<Choice>,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowQuery {
    saved: String,
    moved: String,
    error: String,
}

/// `GET /workplaces/{id}` — ladder, history, counts.
pub async fn show(
    SeesMembers(page): SeesMembers<Page>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Response {
    let r = async {
        let sq: ShowQuery = query(raw.as_deref());
        let lang = page.lang;
        let scope = page.user.member_scope();
        let (detail, names) = page
            .state
            .store()
            .read_async(move |conn| {
                let d = q::workplace_detail(conn, &scope, id)?;
                let mut names = Vec::new();
                for m in &d.member_ids {
                    names.push((*m, full_name(&members::get(conn, *m)?.list)));
                }
                Ok((d, names))
            })
            .await?;
        let w = &detail.workplace;
        let f = &w.fields;
        let dash = |s: &str| {
            if s.trim().is_empty() {
                "—".to_owned()
            } else {
                s.to_owned()
            }
        };
        let facts = vec![
            (lang.t("ui-field-employer"), f.employer.clone()),
            (lang.t("ui-field-site"), dash(&f.site)),
            (
                lang.t("ui-field-city"),
                dash(&format!(
                    "{} {}",
                    f.city,
                    f.state.as_deref().unwrap_or_default()
                )),
            ),
            (
                lang.t("ui-field-county"),
                dash(f.county_fips.as_deref().unwrap_or_default()),
            ),
            (
                lang.t("ui-field-sector"),
                lang.value(
                    Dim::Sector,
                    f.sector.as_deref().unwrap_or(registry::UNKNOWN),
                ),
            ),
            (lang.t("ui-field-naics"), dash(&f.naics_code)),
            (
                lang.t("ui-field-representation"),
                lang.value(Dim::Representation, &f.representation),
            ),
            (
                lang.t("ui-field-rep-union"),
                dash(&format!("{} {}", f.rep_union, f.rep_local)),
            ),
            (lang.t("ui-field-notes"), dash(&f.notes)),
        ];
        let counts = vec![
            (
                lang.t("ui-field-workforce"),
                f.workforce_size
                    .map(|n| lang.num(n))
                    .unwrap_or_else(|| lang.t("ui-unknown")),
            ),
            (lang.t("ui-field-committee"), lang.num(f.committee_size)),
            (lang.t("ui-field-supporters"), lang.num(f.supporters)),
            (
                lang.t("ui-workplace-members-here"),
                lang.num(names.len() as i64),
            ),
            (lang.t("ui-workplace-recruited"), lang.num(detail.recruited)),
        ];
        let pct = majority_pct(f);
        let has_majority = numbers_show_majority(f);
        let majority_unshown =
            (w.stage >= 3 && !has_majority).then(|| lang.t("ui-workplace-majority-unshown"));
        let majority = match pct {
            Some(p) => lang.ta("ui-workplace-majority-pct", &[("pct", lang.pct(p).into())]),
            None => lang.t("ui-workplace-majority-unknown"),
        };
        let ladder = registry::STAGES
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let i = i as i64;
                Rung {
                    stage: i,
                    label: lang.term(t).to_owned(),
                    done: i < w.stage,
                    current: i == w.stage,
                }
            })
            .collect();
        let stage_label = |s: i64| lang.value(Dim::Stage, &s.to_string());
        let history = detail
            .history
            .iter()
            .rev()
            .map(|h| Change {
                at: lang.time(&h.at),
                actor: h.actor.clone(),
                what: match h.from_stage {
                    Some(from) => format!("{} → {}", stage_label(from), stage_label(h.to_stage)),
                    None => lang.ta(
                        "ui-workplace-created-at",
                        &[("stage", stage_label(h.to_stage).into())],
                    ),
                },
                note: if h.note == "created" {
                    String::new()
                } else {
                    h.note.clone()
                },
            })
            .collect();
        let next = (w.stage + 1).min(5).to_string();
        let notice = if !sq.moved.is_empty() {
            Some(lang.ta(
                "ui-workplace-moved",
                &[("stage", stage_label(w.stage).into())],
            ))
        } else if !sq.saved.is_empty() {
            Some(lang.t("ui-saved"))
        } else {
            None
        };
        view::ok(&ShowPage {
            c: page.chrome_titled(label(f), Nav::Workplaces),
            id,
            facts,
            counts,
            majority,
            has_majority,
            majority_unshown,
            ladder,
            history,
            members: names,
            can_edit: page.role().can_edit(),
            stage_choices: choices(lang, registry::STAGES, &next, None),
            notice,
            problem: (!sq.error.is_empty()).then(|| field_error(lang, &sq.error)),
        })
    }
    .await;
    page.respond(r)
}

/// Moving along the ladder.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StageForm {
    csrf: String,
    stage: String,
    note: String,
    /// `yes` once a jump of more than one stage has been confirmed.
    confirm: String,
}

/// `POST /workplaces/{id}/stage` for a jump of more than one stage, before `confirm=yes`: names
/// the workplace and both stages, and posts the same form again with `confirm=yes`.
#[derive(Template, Debug)]
#[template(path = "stage_confirm.html")]
pub struct ConfirmStagePage {
    /// The frame.
    pub c: Chrome,
    /// Id.
    pub id: i64,
    /// Employer · site.
    pub workplace: String,
    /// The sentence naming the workplace and both stages.
    pub lead: String,
    /// At stage 3 or above without the numbers that show a majority.
    pub majority_warning: Option<String>,
    /// The stage asked for.
    pub stage: i64,
    /// The note, carried over.
    pub note: String,
}

impl HasCsrf for StageForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /workplaces/{id}/stage` — moves the workplace to a stage, with a dated note.
pub async fn stage(
    Editor(page): Editor<Page>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StageForm>,
) -> Response {
    let r = async {
        let Ok(to) = form.stage.parse::<i64>() else {
            return Ok(view::redirect(&format!("/workplaces/{id}?error=stage")));
        };
        let scope = page.user.member_scope();
        let actor = page.user.username.clone();
        let note: String = form.note.trim().chars().take(500).collect();
        if form.confirm != "yes" {
            let scope = scope.clone();
            let w = page
                .state
                .store()
                .read_async(move |conn| Ok(q::workplace_detail(conn, &scope, id)?.workplace))
                .await?;
            if (0..=5).contains(&to) && (to - w.stage).abs() > 1 {
                let lang = page.lang;
                let stage_label = |s: i64| lang.value(Dim::Stage, &s.to_string());
                let name = label(&w.fields);
                let majority_warning = (to >= 3 && !numbers_show_majority(&w.fields)).then(|| {
                    lang.ta(
                        "ui-stage-confirm-majority",
                        &[
                            (
                                "total",
                                w.fields
                                    .workforce_size
                                    .map(|n| lang.num(n))
                                    .unwrap_or_else(|| lang.t("ui-unknown"))
                                    .into(),
                            ),
                            ("n", lang.num(w.fields.supporters).into()),
                        ],
                    )
                });
                return view::ok(&ConfirmStagePage {
                    c: page.chrome_titled(lang.t("ui-stage-confirm-title"), Nav::Workplaces),
                    id,
                    lead: lang.ta(
                        "ui-stage-confirm-lead",
                        &[
                            ("name", name.clone().into()),
                            ("first", stage_label(w.stage).into()),
                            ("last", stage_label(to).into()),
                        ],
                    ),
                    workplace: name,
                    majority_warning,
                    stage: to,
                    note,
                });
            }
        }
        let res = page
            .write(move |tx| {
                q::require_workplace(tx, &scope, id)?;
                let changed = workplaces::set_stage(tx, id, to, &actor, &note)?;
                Ok(if changed {
                    audit("workplace.stage", format!("workplace:{id}"))
                        .detail(format!("stage {to}"))
                } else {
                    Audited::nothing()
                })
            })
            .await;
        back(format!("/workplaces/{id}"))
            .flag("moved=1")
            .exists_is_error()
            .answer(res)
    }
    .await;
    page.respond(r)
}

/// The workplace form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkplaceForm {
    csrf: String,
    employer: String,
    site: String,
    city: String,
    county_fips: String,
    state: String,
    sector: String,
    naics_code: String,
    representation: String,
    rep_union: String,
    rep_local: String,
    workforce_size: String,
    committee_size: String,
    supporters: String,
    notes: String,
}

impl HasCsrf for WorkplaceForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl WorkplaceForm {
    fn from_fields(f: &WorkplaceFields) -> WorkplaceForm {
        WorkplaceForm {
            csrf: String::new(),
            employer: f.employer.clone(),
            site: f.site.clone(),
            city: f.city.clone(),
            county_fips: f.county_fips.clone().unwrap_or_default(),
            state: f.state.clone().unwrap_or_default(),
            sector: f.sector.clone().unwrap_or_default(),
            naics_code: f.naics_code.clone(),
            representation: f.representation.clone(),
            rep_union: f.rep_union.clone(),
            rep_local: f.rep_local.clone(),
            workforce_size: f.workforce_size.map(|n| n.to_string()).unwrap_or_default(),
            committee_size: f.committee_size.to_string(),
            supporters: f.supporters.to_string(),
            notes: f.notes.clone(),
        }
    }

    /// The fields, or the names of the fields that do not parse.
    fn fields(&self) -> Result<WorkplaceFields, Vec<&'static str>> {
        let mut bad = Vec::new();
        let count = |s: &str, name: &'static str, bad: &mut Vec<&'static str>| -> Option<i64> {
            match s.trim() {
                "" => None,
                t => match t.replace(',', "").parse::<i64>() {
                    Ok(n) if n >= 0 => Some(n),
                    _ => {
                        bad.push(name);
                        None
                    }
                },
            }
        };
        let workforce = count(&self.workforce_size, "workforce_size", &mut bad);
        let committee = count(&self.committee_size, "committee_size", &mut bad).unwrap_or(0);
        let supporters = count(&self.supporters, "supporters", &mut bad).unwrap_or(0);
        if self.employer.trim().is_empty() {
            bad.push("employer");
        }
        if !bad.is_empty() {
            return Err(bad);
        }
        Ok(WorkplaceFields {
            employer: self.employer.trim().to_owned(),
            site: self.site.trim().to_owned(),
            city: self.city.trim().to_owned(),
            county_fips: opt(&self.county_fips),
            state: opt(&self.state).map(|s| s.to_uppercase()),
            sector: opt(&self.sector),
            naics_code: self.naics_code.trim().to_owned(),
            representation: opt(&self.representation).unwrap_or_else(|| "none".into()),
            rep_union: self.rep_union.trim().to_owned(),
            rep_local: self.rep_local.trim().to_owned(),
            workforce_size: workforce,
            committee_size: committee,
            supporters,
            notes: self.notes.trim().to_owned(),
        })
    }
}

/// `GET /workplaces/new` and `GET /workplaces/{id}/edit`
#[derive(Template, Debug)]
#[template(path = "workplace_form.html")]
pub struct FormPage {
    /// The frame.
    pub c: Chrome,
    /// Where the form posts.
    pub action: String,
    /// Where cancel goes.
    pub back: String,
    /// Values.
    pub f: WorkplaceForm,
    /// Sectors.
    pub sectors: Vec<Choice>,
    /// Representation choices.
    pub reps: Vec<Choice>,
    /// Errors: (field, message).
    pub errors: Vec<(String, String)>,
}

impl FormPage {
    /// The error for a field.
    pub fn error(&self, field: &str) -> Option<&str> {
        view::error_for(&self.errors, field)
    }
}

fn form_page(
    page: &Page,
    title: String,
    action: String,
    back: String,
    f: WorkplaceForm,
    errors: Vec<(String, String)>,
) -> FormPage {
    let lang = page.lang;
    FormPage {
        c: page.chrome_titled(title, Nav::Workplaces),
        action,
        back,
        sectors: choices(
            lang,
            registry::SECTORS,
            &f.sector,
            Some(lang.t("ui-unknown")),
        ),
        reps: choices(lang, registry::REPRESENTATIONS, &f.representation, None),
        f,
        errors,
    }
}

fn count_errors(page: &Page, bad: &[&str]) -> Vec<(String, String)> {
    bad.iter()
        .map(|b| {
            let id = match *b {
                "employer" => "employer",
                _ => "counts",
            };
            ((*b).to_owned(), field_error(page.lang, id))
        })
        .collect()
}

/// `GET /workplaces/new`
pub async fn new(Organizer(page): Organizer<Page>) -> Response {
    let r = async {
        let f = WorkplaceForm {
            state: page.state.config().state.clone(),
            representation: "none".into(),
            ..WorkplaceForm::default()
        };
        view::ok(&form_page(
            &page,
            page.t("ui-workplace-new-title"),
            "/workplaces/new".into(),
            "/workplaces".into(),
            f,
            Vec::new(),
        ))
    }
    .await;
    page.respond(r)
}

/// `POST /workplaces/new`
pub async fn create(
    Organizer(page): Organizer<Page>,
    CsrfForm(form): CsrfForm<WorkplaceForm>,
) -> Response {
    let r = async {
        let title = page.t("ui-workplace-new-title");
        let fields = match form.fields() {
            Ok(f) => f,
            Err(bad) => {
                let errors = count_errors(&page, &bad);
                return Ok(view::render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form_page(
                        &page,
                        title,
                        "/workplaces/new".into(),
                        "/workplaces".into(),
                        form,
                        errors,
                    ),
                ));
            }
        };
        let actor = page.user.username.clone();
        let res = page
            .write(move |tx| {
                let id = workplaces::create(tx, &fields, &actor)?;
                Ok(audit("workplace.create", format!("workplace:{id}")).returning(id))
            })
            .await;
        match res {
            Ok(id) => Ok(view::redirect(&format!("/workplaces/{id}?saved=1"))),
            Err(crate::Error::Invalid { field, .. }) => {
                let errors = vec![(field.to_owned(), field_error(page.lang, field))];
                Ok(view::render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form_page(
                        &page,
                        title,
                        "/workplaces/new".into(),
                        "/workplaces".into(),
                        form,
                        errors,
                    ),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page.respond(r)
}

/// `GET /workplaces/{id}/edit`
pub async fn edit(Editor(page): Editor<Page>, Path(id): Path<i64>) -> Response {
    let r = async {
        let scope = page.user.member_scope();
        let w = page
            .state
            .store()
            .read_async(move |conn| Ok(q::workplace_detail(conn, &scope, id)?.workplace))
            .await?;
        let title = page.lang.ta(
            "ui-workplace-edit-title",
            &[("name", label(&w.fields).into())],
        );
        view::ok(&form_page(
            &page,
            title,
            format!("/workplaces/{id}/edit"),
            format!("/workplaces/{id}"),
            WorkplaceForm::from_fields(&w.fields),
            Vec::new(),
        ))
    }
    .await;
    page.respond(r)
}

/// `POST /workplaces/{id}/edit`
pub async fn update(
    Editor(page): Editor<Page>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<WorkplaceForm>,
) -> Response {
    let r = async {
        let title = page.lang.ta(
            "ui-workplace-edit-title",
            &[("name", form.employer.clone().into())],
        );
        let fields = match form.fields() {
            Ok(f) => f,
            Err(bad) => {
                let errors = count_errors(&page, &bad);
                return Ok(view::render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form_page(
                        &page,
                        title,
                        format!("/workplaces/{id}/edit"),
                        format!("/workplaces/{id}"),
                        form,
                        errors,
                    ),
                ));
            }
        };
        let scope = page.user.member_scope();
        let res = page
            .write(move |tx| {
                q::require_workplace(tx, &scope, id)?;
                workplaces::update(tx, id, &fields)?;
                Ok(audit("workplace.edit", format!("workplace:{id}")))
            })
            .await;
        match res {
            Ok(()) => Ok(view::redirect(&format!("/workplaces/{id}?saved=1"))),
            Err(crate::Error::Invalid { field, .. }) => {
                let errors = vec![(field.to_owned(), field_error(page.lang, field))];
                Ok(view::render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form_page(
                        &page,
                        title,
                        format!("/workplaces/{id}/edit"),
                        format!("/workplaces/{id}"),
                        form,
                        errors,
                    ),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page.respond(r)
}
