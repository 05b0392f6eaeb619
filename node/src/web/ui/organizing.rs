//! The organizing pages: labor pods, trainings, leadership and mentorship, the organizer
//! reserve, campaigns, recruitment.

use askama::Template;
use axum::extract::{Path, RawQuery};
use axum::response::Response;
use rusqlite::{Connection, params};
use serde::Deserialize;
use shopfloor_protocol::guidance::Guidance;
use shopfloor_protocol::registry::{self, Dim};

use super::chart::{self, Datum};
use super::flash::{Flash, back};
use super::i18n::Lang;
use super::members::{Choice, choices, choices_of, full_name};
use super::page::{HasCsrf, Page};
use super::view::{self, Chrome, Nav, opt};
use crate::domain::campaigns::{self, CampaignFields, SuccessMetric};
use crate::domain::trainings::{self, Training};
use crate::domain::{members, mentorships, pods, recruitments, reserve, workplaces};
use crate::web::handler::{CsrfForm, Editor, Organizer, SeesMembers, audit};
use crate::web::query as q;
use crate::web::ui::i18n::LangExt as _;

/// A simple form with only a CSRF token and a few text fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Fields {
    csrf: String,
    name: String,
    sector: String,
    member_id: String,
    pod_id: String,
    lead: String,
    code: String,
    title_en: String,
    title_es: String,
    source: String,
    mentor_id: String,
    mentee_id: String,
    on: String,
    workplace_id: String,
    count: String,
    target: String,
    actual: String,
}

impl HasCsrf for Fields {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn training_title(lang: Lang, t: &Training) -> String {
    if lang == Lang::Es && !t.title_es.is_empty() {
        t.title_es.clone()
    } else {
        t.title_en.clone()
    }
}

/// The stored hub guidance, if any, with the trainings and criteria of the parent's guidance it
/// relays (verified) added after the hub's own (a code the hub uses itself keeps the hub's).
fn guidance(conn: &Connection) -> crate::Result<Option<Guidance>> {
    Ok(crate::federation::guidance::current(conn)?.map(|s| {
        let mut g = s.guidance;
        if let Some(parent) = s.inherited {
            for t in parent.trainings {
                if !g.trainings.iter().any(|o| o.code == t.code) {
                    g.trainings.push(t);
                }
            }
            for c in parent.criteria {
                if !g.criteria.iter().any(|o| o.code == c.code) {
                    g.criteria.push(c);
                }
            }
        }
        g
    }))
}

// ---------------------------------------------------------------------------------------------
// Pods

/// A pod as shown.
#[derive(Debug)]
pub struct PodView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Sector label.
    pub sector: String,
    /// Leads' names.
    pub leads: Vec<(i64, String)>,
    /// Members' names.
    pub members: Vec<(i64, String)>,
}

/// `GET /pods`
#[derive(Template, Debug)]
#[template(path = "pods.html")]
pub struct PodsPage {
    /// The frame.
    pub c: Chrome,
    /// Pods.
    pub pods: Vec<PodView>,
    /// May create pods.
    pub can_create: bool,
    /// Sectors.
    pub sectors: Vec<Choice>,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

/// `GET /pods` — pods within the user's scope, with leads and members.
pub async fn pods_page(SeesMembers(page): SeesMembers<Page>, RawQuery(raw): RawQuery) -> Response {
    let r = async {
        let lang = page.lang;
        let scope = page.user.member_scope();
        let list = page
            .state
            .store()
            .read_async(move |conn| {
                let mut out = Vec::new();
                for p in q::visible_pods(conn, &scope)? {
                    let mut names = Vec::new();
                    for m in &p.members {
                        names.push((*m, full_name(&members::get(conn, *m)?.list)));
                    }
                    out.push((p, names));
                }
                Ok(out)
            })
            .await?;
        let pods = list
            .into_iter()
            .map(|(p, names)| PodView {
                id: p.id,
                name: p.name.clone(),
                sector: lang.value(
                    Dim::Sector,
                    p.sector.as_deref().unwrap_or(registry::UNKNOWN),
                ),
                leads: names
                    .iter()
                    .filter(|(id, _)| p.leads.contains(id))
                    .cloned()
                    .collect(),
                members: names,
            })
            .collect();
        let (notice, problem) = Flash::messages(raw.as_deref(), lang);
        view::ok(&PodsPage {
            c: page.chrome("ui-pods-title", Nav::Pods),
            pods,
            can_create: page.role().can_organize(),
            sectors: choices(lang, registry::SECTORS, "", Some(lang.t("ui-unknown"))),
            notice,
            problem,
        })
    }
    .await;
    page.respond(r)
}

/// `POST /pods` — creates a pod.
pub async fn pods_create(
    Organizer(page): Organizer<Page>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Response {
    page.save(back("/pods"), move |tx| {
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM pods WHERE name = ?1)",
            params![f.name.trim()],
            |r| r.get(0),
        )?;
        if exists {
            return Err(crate::Error::AlreadyExists("pod".into()));
        }
        let id = pods::create(tx, &f.name, opt(&f.sector).as_deref())?;
        Ok(audit("pod.create", format!("pod:{id}")))
    })
    .await
}

/// `POST /members/{id}/pods` — puts a member in a pod (optionally as its lead).
pub async fn pods_add_member(
    Organizer(page): Organizer<Page>,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Response {
    page.save(back(format!("/members/{id}")), move |tx| {
        let pod: i64 = f
            .pod_id
            .parse()
            .map_err(|_| crate::Error::invalid("pod", "choose a pod"))?;
        members::get(tx, id)?;
        pods::add_member(tx, pod, id, f.lead == "1")?;
        Ok(audit("pod.member", format!("member:{id}")).detail(format!("pod:{pod}")))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Trainings

/// A training as shown.
#[derive(Debug)]
pub struct TrainingView {
    /// Code.
    pub code: String,
    /// Title in the page's language.
    pub title: String,
    /// Hub or chapter, translated.
    pub source: String,
    /// Completions.
    pub completed: String,
    /// Link to material.
    pub url: Option<String>,
}

/// `GET /trainings`
#[derive(Template, Debug)]
#[template(path = "trainings.html")]
pub struct TrainingsPage {
    /// The frame.
    pub c: Chrome,
    /// The chapter's catalog.
    pub catalog: Vec<TrainingView>,
    /// Hub trainings not yet in the catalog.
    pub offered: Vec<TrainingView>,
    /// Completions chart.
    pub chart: String,
    /// May add.
    pub can_add: bool,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

/// `GET /trainings` — the catalog (hub guidance plus the chapter's own) and completions.
pub async fn trainings_page(page: Page, RawQuery(raw): RawQuery) -> Response {
    let r = async {
        let lang = page.lang;
        let (catalog, counts, hub) = page
            .state
            .store()
            .read_async(|conn| {
                let counts = conn
                    .prepare_cached(
                        "SELECT training_code, count(*) FROM training_completions GROUP BY 1",
                    )?
                    .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((trainings::catalog(conn)?, counts, guidance(conn)?))
            })
            .await?;
        let count_of = |code: &str| {
            counts
                .iter()
                .find(|(c, _)| c == code)
                .map_or(0, |(_, n)| *n)
        };
        let hub_url = |code: &str| {
            hub.as_ref()
                .and_then(|g| g.trainings.iter().find(|t| t.code == code))
                .and_then(|t| match lang {
                    Lang::Es => t.url_es.clone().or_else(|| t.url_en.clone()),
                    Lang::En => t.url_en.clone().or_else(|| t.url_es.clone()),
                })
        };
        let views: Vec<TrainingView> = catalog
            .iter()
            .map(|t| TrainingView {
                code: t.code.clone(),
                title: training_title(lang, t),
                source: lang.t(if t.source == "hub" {
                    "ui-training-from-hub"
                } else {
                    "ui-training-ours"
                }),
                completed: lang.num(count_of(&t.code)),
                url: hub_url(&t.code),
            })
            .collect();
        let offered = hub
            .as_ref()
            .map(|g| {
                g.trainings
                    .iter()
                    .filter(|t| !catalog.iter().any(|c| c.code == t.code))
                    .map(|t| TrainingView {
                        code: t.code.clone(),
                        title: lang.pick(&t.title_en, &t.title_es).to_owned(),
                        source: lang.t("ui-training-from-hub"),
                        completed: String::new(),
                        url: match lang {
                            Lang::Es => t.url_es.clone().or_else(|| t.url_en.clone()),
                            Lang::En => t.url_en.clone().or_else(|| t.url_es.clone()),
                        },
                    })
                    .collect()
            })
            .unwrap_or_default();
        let data: Vec<Datum> = catalog
            .iter()
            .map(|t| Datum::new(training_title(lang, t), count_of(&t.code)))
            .collect();
        let title = lang.t("ui-chart-trainings");
        let (notice, problem) = Flash::messages(raw.as_deref(), lang);
        view::ok(&TrainingsPage {
            c: page.chrome("ui-trainings-title", Nav::Trainings),
            catalog: views,
            offered,
            chart: chart::bars(lang, &title, &data, &lang.t("ui-chart-empty")),
            can_add: page.role().can_organize(),
            notice,
            problem,
        })
    }
    .await;
    page.respond(r)
}

/// `POST /trainings` — adds the chapter's own training, or takes one from the hub's catalog.
pub async fn trainings_add(
    Organizer(page): Organizer<Page>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Response {
    page.save(back("/trainings"), move |tx| {
        let t = if f.source == "hub" {
            let g = guidance(tx)?;
            let Some(t) = g.and_then(|g| g.trainings.into_iter().find(|t| t.code == f.code)) else {
                return Err(crate::Error::invalid("code", "not in the hub's catalog"));
            };
            Training {
                code: t.code,
                title_en: t.title_en,
                title_es: t.title_es,
                source: "hub".into(),
            }
        } else {
            let title_en = f.title_en.trim().to_owned();
            if title_en.is_empty() || title_en.chars().count() > 200 {
                return Err(crate::Error::invalid("title", "1-200 characters"));
            }
            Training {
                code: f.code.trim().to_lowercase(),
                title_es: f.title_es.trim().to_owned(),
                title_en,
                source: "chapter".into(),
            }
        };
        trainings::upsert(tx, &t)?;
        Ok(audit("training.add", format!("training:{}", t.code)))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Leadership and mentorship

/// A mentorship as shown.
#[derive(Debug)]
pub struct MentorshipView {
    /// Id.
    pub id: i64,
    /// Mentor (id, name).
    pub mentor: (i64, String),
    /// Mentee (id, name).
    pub mentee: (i64, String),
    /// Started.
    pub started: String,
    /// Ended (empty while active).
    pub ended: String,
}

/// `GET /leadership`
#[derive(Template, Debug)]
#[template(path = "leadership.html")]
pub struct LeadershipPage {
    /// The frame.
    pub c: Chrome,
    /// Readiness chart.
    pub chart: String,
    /// Readiness table.
    pub levels: Vec<(String, String)>,
    /// Mentorships.
    pub mentorships: Vec<MentorshipView>,
    /// Members with a readiness level, for the mentorship form.
    pub people: Vec<Choice>,
    /// Today.
    pub today: String,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

/// `GET /leadership` — readiness levels and mentorship pairs.
pub async fn leadership_page(
    Organizer(page): Organizer<Page>,
    RawQuery(raw): RawQuery,
) -> Response {
    let r = async {
        let lang = page.lang;
        let (levels, ments, people) = page
            .state
            .store()
            .read_async(|conn| {
                let levels = conn
                    .prepare_cached(
                        "SELECT readiness, count(*) FROM members WHERE readiness IS NOT NULL
                         AND list_status = 'present' GROUP BY 1 ORDER BY 1",
                    )?
                    .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let mut ments = Vec::new();
                for m in mentorships::list(conn)? {
                    let a = full_name(&members::get(conn, m.mentor_id)?.list);
                    let b = full_name(&members::get(conn, m.mentee_id)?.list);
                    ments.push((m, a, b));
                }
                let people = conn
                    .prepare_cached(
                        "SELECT id FROM members WHERE readiness IS NOT NULL AND list_status = 'present'
                         ORDER BY lower(last_name), lower(first_name) LIMIT 1000",
                    )?
                    .query_map([], |r| r.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?
                    .into_iter()
                    .map(|id| Ok((id, full_name(&members::get(conn, id)?.list))))
                    .collect::<crate::Result<Vec<_>>>()?;
                Ok((levels, ments, people))
            })
            .await?;
        let data: Vec<Datum> = registry::READINESS
            .iter()
            .map(|t| {
                let n = levels
                    .iter()
                    .find(|(l, _)| l.to_string() == t.code)
                    .map_or(0, |(_, n)| *n);
                Datum::new(lang.term(t), n)
            })
            .collect();
        let title = lang.t("ui-chart-readiness");
        let (notice, problem) = Flash::messages(raw.as_deref(), lang);
        view::ok(&LeadershipPage {
            c: page.chrome("ui-leadership-title", Nav::Leadership),
            chart: chart::bars(lang, &title, &data, &lang.t("ui-chart-empty")),
            levels: data
                .iter()
                .map(|d| (d.label.clone(), lang.num(d.value)))
                .collect(),
            mentorships: ments
                .into_iter()
                .map(|(m, a, b)| MentorshipView {
                    id: m.id,
                    mentor: (m.mentor_id, a),
                    mentee: (m.mentee_id, b),
                    started: m.started_on,
                    ended: m.ended_on.unwrap_or_default(),
                })
                .collect(),
            people: choices_of(
                people
                    .into_iter()
                    .map(|(id, n)| (id.to_string(), n))
                    .collect(),
                "",
                Some(lang.t("ui-choose")),
            ),
            today: crate::domain::vocab::today(),
            notice,
            problem,
        })
    }
    .await;
    page.respond(r)
}

/// `POST /mentorships` — starts a mentorship.
pub async fn mentorship_start(
    Organizer(page): Organizer<Page>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Response {
    page.save(back("/leadership"), move |tx| {
        let mentor: i64 = f
            .mentor_id
            .parse()
            .map_err(|_| crate::Error::invalid("member", "choose a mentor"))?;
        let mentee: i64 = f
            .mentee_id
            .parse()
            .map_err(|_| crate::Error::invalid("mentee", "choose a mentee"))?;
        let id = mentorships::start(tx, mentor, mentee, &f.on)?;
        Ok(audit("mentorship.start", format!("mentorship:{id}")))
    })
    .await
}

/// `POST /mentorships/{id}/end` — ends a mentorship.
pub async fn mentorship_end(
    Organizer(page): Organizer<Page>,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Response {
    page.save(back("/leadership"), move |tx| {
        mentorships::end(tx, id, &f.on)?;
        Ok(audit("mentorship.end", format!("mentorship:{id}")))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Reserve

/// A reserve entry as shown.
#[derive(Debug)]
pub struct ReserveView {
    /// Member id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Languages.
    pub languages: String,
    /// Skills.
    pub skills: String,
    /// Availability.
    pub availability: String,
}

/// `GET /reserve`
#[derive(Template, Debug)]
#[template(path = "reserve.html")]
pub struct ReservePage {
    /// The frame.
    pub c: Chrome,
    /// Active entries.
    pub entries: Vec<ReserveView>,
    /// Skills chart.
    pub chart: String,
}

/// `GET /reserve` — members who volunteered to help other chapters.
pub async fn reserve_page(Organizer(page): Organizer<Page>) -> Response {
    let r = async {
        let lang = page.lang;
        let entries = page
            .state
            .store()
            .read_async(|conn| {
                let mut out = Vec::new();
                for e in reserve::list(conn)?.into_iter().filter(|e| e.active) {
                    let name = full_name(&members::get(conn, e.member_id)?.list);
                    out.push((e, name));
                }
                Ok(out)
            })
            .await?;
        let data: Vec<Datum> = registry::SKILLS
            .iter()
            .map(|t| {
                let n = entries
                    .iter()
                    .filter(|(e, _)| e.skills.iter().any(|s| s == t.code))
                    .count() as i64;
                Datum::new(lang.term(t), n)
            })
            .filter(|d| d.value > 0)
            .collect();
        let title = lang.t("ui-chart-reserve-skills");
        view::ok(&ReservePage {
            c: page.chrome("ui-reserve-title", Nav::Reserve),
            chart: chart::bars(lang, &title, &data, &lang.t("ui-chart-empty")),
            entries: entries
                .into_iter()
                .map(|(e, name)| ReserveView {
                    id: e.member_id,
                    name,
                    languages: e
                        .languages
                        .iter()
                        .map(|l| lang.value(Dim::Language, l))
                        .collect::<Vec<_>>()
                        .join(", "),
                    skills: e
                        .skills
                        .iter()
                        .map(|s| lang.value(Dim::Skill, s))
                        .collect::<Vec<_>>()
                        .join(", "),
                    availability: e.availability,
                })
                .collect(),
        })
    }
    .await;
    page.respond(r)
}

// ---------------------------------------------------------------------------------------------
// Campaigns

/// A campaign as listed.
#[derive(Debug)]
pub struct CampaignRow {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Type.
    pub kind: String,
    /// Status.
    pub status: String,
    /// Approval.
    pub approval: String,
    /// Public.
    pub public: bool,
    /// Metrics met / total.
    pub progress: String,
}

/// A hub criterion as shown.
#[derive(Debug)]
pub struct CriterionView {
    /// Title.
    pub title: String,
    /// Metrics with targets.
    pub metrics: Vec<(String, String)>,
}

fn criteria(lang: Lang, g: Option<&Guidance>) -> Vec<CriterionView> {
    g.map(|g| {
        g.criteria
            .iter()
            .map(|c| CriterionView {
                title: lang.pick(&c.title_en, &c.title_es).to_owned(),
                metrics: c
                    .metrics
                    .iter()
                    .map(|m| {
                        (
                            lang.pick(&m.name_en, &m.name_es).to_owned(),
                            lang.num(i64::try_from(m.target).unwrap_or(i64::MAX)),
                        )
                    })
                    .collect(),
            })
            .collect()
    })
    .unwrap_or_default()
}

/// `GET /campaigns`
#[derive(Template, Debug)]
#[template(path = "campaigns.html")]
pub struct CampaignsPage {
    /// The frame.
    pub c: Chrome,
    /// Campaigns.
    pub rows: Vec<CampaignRow>,
    /// The hub's approval criteria.
    pub criteria: Vec<CriterionView>,
    /// May create.
    pub can_create: bool,
    /// The new-campaign form's choices.
    pub kinds: Vec<Choice>,
    /// Statuses.
    pub statuses: Vec<Choice>,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

fn approval_label(lang: Lang, a: &str) -> String {
    match a {
        "draft" | "submitted" | "approved" | "rejected" => lang.t(&format!("ui-approval-{a}")),
        other => other.to_owned(),
    }
}

/// `GET /campaigns` — campaigns, and the hub's approval criteria.
pub async fn campaigns_page(page: Page, RawQuery(raw): RawQuery) -> Response {
    let r = async {
        let lang = page.lang;
        let (list, g) = page
            .state
            .store()
            .read_async(|conn| Ok((campaigns::list(conn)?, guidance(conn)?)))
            .await?;
        let rows = list
            .iter()
            .map(|c| {
                let met = c.metrics.iter().filter(|m| m.actual >= m.target).count();
                CampaignRow {
                    id: c.id,
                    title: c.fields.title.clone(),
                    kind: lang.value(Dim::CampaignType, &c.fields.kind),
                    status: lang.value(Dim::CampaignStatus, &c.fields.status),
                    approval: approval_label(lang, &c.fields.approval),
                    public: c.fields.public,
                    progress: lang.ta(
                        "ui-campaign-progress",
                        &[("met", met.into()), ("total", c.metrics.len().into())],
                    ),
                }
            })
            .collect();
        let (notice, problem) = Flash::messages(raw.as_deref(), lang);
        view::ok(&CampaignsPage {
            c: page.chrome("ui-campaigns-title", Nav::Campaigns),
            rows,
            criteria: criteria(lang, g.as_ref()),
            can_create: page.role().can_organize(),
            kinds: choices(lang, registry::CAMPAIGN_TYPES, "", None),
            statuses: choices(lang, registry::CAMPAIGN_STATUSES, "planning", None),
            notice,
            problem,
        })
    }
    .await;
    page.respond(r)
}

/// The campaign form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    csrf: String,
    title: String,
    kind: String,
    status: String,
    approval: String,
    public: String,
    priority: String,
    labor_component: String,
}

impl HasCsrf for CampaignForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl CampaignForm {
    fn fields(&self) -> CampaignFields {
        CampaignFields {
            title: self.title.trim().to_owned(),
            kind: self.kind.clone(),
            status: self.status.clone(),
            approval: self.approval.trim().to_owned(),
            public: self.public == "1",
            priority: self.priority == "1",
            labor_component: self.labor_component == "1",
        }
    }
}

/// `POST /campaigns` — creates a campaign.
pub async fn campaigns_create(
    Organizer(page): Organizer<Page>,
    CsrfForm(f): CsrfForm<CampaignForm>,
) -> Response {
    let mut fields = f.fields();
    if fields.approval.is_empty() {
        fields.approval = "draft".into();
    }
    let res = page
        .write(move |tx| {
            let id = campaigns::create_by_hand(tx, &fields)?;
            Ok(audit("campaign.create", format!("campaign:{id}")).returning(id))
        })
        .await;
    page.respond(match res {
        Ok(id) => back(format!("/campaigns/{id}")).answer(Ok(())),
        Err(e) => back("/campaigns").answer(Err::<(), _>(e)),
    })
}

/// A success metric as shown.
#[derive(Debug)]
pub struct MetricView {
    /// Name.
    pub name: String,
    /// Target.
    pub target: String,
    /// Actual.
    pub actual: String,
    /// Percent of target, formatted.
    pub pct: String,
    /// Met.
    pub met: bool,
}

/// `GET /campaigns/{id}`
#[derive(Template, Debug)]
#[template(path = "campaign.html")]
pub struct CampaignPage {
    /// The frame.
    pub c: Chrome,
    /// Id.
    pub id: i64,
    /// Facts.
    pub facts: Vec<(String, String)>,
    /// Metrics.
    pub metrics: Vec<MetricView>,
    /// Target vs actual chart.
    pub chart: String,
    /// Workplaces (id, label) visible to the user.
    pub workplaces: Vec<(i64, String)>,
    /// The hub's criteria.
    pub criteria: Vec<CriterionView>,
    /// Suggested metric names (from the criteria).
    pub suggestions: Vec<String>,
    /// May edit.
    pub can_edit: bool,
    /// Form values.
    pub title: String,
    /// Type choices.
    pub kinds: Vec<Choice>,
    /// Status choices.
    pub statuses: Vec<Choice>,
    /// The hub's approval: the submit form, what was sent, the hub's decisions.
    pub approval: super::campaign_approval::Panel,
    /// Flags.
    pub public: bool,
    /// Priority.
    pub priority: bool,
    /// Labor component.
    pub labor_component: bool,
    /// Workplaces to add.
    pub workplace_choices: Vec<Choice>,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

/// `GET /campaigns/{id}` — a campaign's success metrics, target against actual.
pub async fn campaign_page(page: Page, Path(id): Path<i64>, RawQuery(raw): RawQuery) -> Response {
    let r = async {
        let lang = page.lang;
        let scope = page.user.member_scope();
        super::campaign_approval::refresh_if_waiting(&page, id).await;
        let (c, g, wps, all, approval) = page
            .state
            .store()
            .read_async(move |conn| {
                let c = campaigns::get(conn, id)?;
                let approval = super::campaign_approval::panel(conn, lang, id)?;
                let mut wps = Vec::new();
                for w in &c.workplaces {
                    if q::workplace_visible(conn, &scope, *w)? {
                        wps.push(workplaces::get(conn, *w)?);
                    }
                }
                let all = if scope == crate::web::MemberScope::All {
                    workplaces::list(conn, None, 1000, 0)?
                } else {
                    Vec::new()
                };
                Ok((c, guidance(conn)?, wps, all, approval))
            })
            .await?;
        let f = &c.fields;
        let yes_no = |b: bool| lang.t(if b { "ui-yes" } else { "ui-no" });
        let facts = vec![
            (
                lang.t("ui-campaign-kind"),
                lang.value(Dim::CampaignType, &f.kind),
            ),
            (
                lang.t("ui-campaign-status"),
                lang.value(Dim::CampaignStatus, &f.status),
            ),
            (
                lang.t("ui-campaign-approval"),
                approval_label(lang, &f.approval),
            ),
            (lang.t("ui-campaign-public"), yes_no(f.public)),
            (lang.t("ui-campaign-priority"), yes_no(f.priority)),
            (lang.t("ui-campaign-labor"), yes_no(f.labor_component)),
        ];
        let metrics: Vec<MetricView> = c
            .metrics
            .iter()
            .map(|m| MetricView {
                name: m.name.clone(),
                target: lang.num(m.target),
                actual: lang.num(m.actual),
                pct: lang.pct(if m.target > 0 {
                    m.actual * 100 / m.target
                } else {
                    100
                }),
                met: m.actual >= m.target,
            })
            .collect();
        let mut data = Vec::new();
        for m in &c.metrics {
            data.push(Datum::new(
                lang.ta("ui-campaign-target-of", &[("name", m.name.clone().into())]),
                m.target,
            ));
            data.push(Datum::new(
                lang.ta("ui-campaign-actual-of", &[("name", m.name.clone().into())]),
                m.actual,
            ));
        }
        let title = lang.t("ui-chart-target-actual");
        let crit = criteria(lang, g.as_ref());
        let suggestions = crit
            .iter()
            .flat_map(|c| c.metrics.iter().map(|(n, _)| n.clone()))
            .collect();
        let (notice, problem) = Flash::messages(raw.as_deref(), lang);
        view::ok(&CampaignPage {
            c: page.chrome_titled(f.title.clone(), Nav::Campaigns),
            id,
            facts,
            chart: chart::bars(lang, &title, &data, &lang.t("ui-chart-empty")),
            metrics,
            workplaces: wps
                .iter()
                .map(|w| (w.id, super::workplaces::label(&w.fields)))
                .collect(),
            criteria: crit,
            suggestions,
            can_edit: page.role().can_organize(),
            title: f.title.clone(),
            kinds: choices(lang, registry::CAMPAIGN_TYPES, &f.kind, None),
            statuses: choices(lang, registry::CAMPAIGN_STATUSES, &f.status, None),
            approval,
            public: f.public,
            priority: f.priority,
            labor_component: f.labor_component,
            workplace_choices: choices_of(
                all.iter()
                    .filter(|w| !c.workplaces.contains(&w.id))
                    .map(|w| (w.id.to_string(), super::workplaces::label(&w.fields)))
                    .collect(),
                "",
                Some(lang.t("ui-choose")),
            ),
            notice,
            problem,
        })
    }
    .await;
    page.respond(r)
}

/// `POST /campaigns/{id}` — edits a campaign.
pub async fn campaign_update(
    Organizer(page): Organizer<Page>,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<CampaignForm>,
) -> Response {
    let fields = f.fields();
    page.save(back(format!("/campaigns/{id}")), move |tx| {
        campaigns::edit_by_hand(tx, id, &fields)?;
        Ok(audit("campaign.edit", format!("campaign:{id}")))
    })
    .await
}

/// `POST /campaigns/{id}/metrics` — sets a success metric's target and actual.
pub async fn campaign_metric(
    Organizer(page): Organizer<Page>,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Response {
    page.save(back(format!("/campaigns/{id}")), move |tx| {
        let n = |s: &str| s.trim().replace(',', "").parse::<i64>();
        let (Ok(target), Ok(actual)) = (n(&f.target), n(&f.actual)) else {
            return Err(crate::Error::invalid("metric", "numbers"));
        };
        campaigns::get(tx, id)?;
        campaigns::set_metric(
            tx,
            id,
            &SuccessMetric {
                name: f.name.trim().to_owned(),
                target,
                actual,
            },
        )?;
        Ok(audit("campaign.edit", format!("campaign:{id}")).detail("metric"))
    })
    .await
}

/// `POST /campaigns/{id}/workplaces` — links a workplace to a campaign.
pub async fn campaign_workplace(
    Organizer(page): Organizer<Page>,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Response {
    page.save(back(format!("/campaigns/{id}")), move |tx| {
        let w: i64 = f
            .workplace_id
            .parse()
            .map_err(|_| crate::Error::invalid("workplace", "choose one"))?;
        campaigns::get(tx, id)?;
        workplaces::get(tx, w)?;
        campaigns::add_workplace(tx, id, w)?;
        Ok(audit("campaign.edit", format!("campaign:{id}")).detail("workplace"))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Recruitment

/// `GET /recruitment`
#[derive(Template, Debug)]
#[template(path = "recruitment.html")]
pub struct RecruitmentPage {
    /// The frame.
    pub c: Chrome,
    /// By month.
    pub chart: String,
    /// Table: (period, count).
    pub months: Vec<(String, String)>,
    /// Recent entries: (date, workplace, count).
    pub recent: Vec<(String, String, String)>,
    /// Workplaces to record at.
    pub workplaces: Vec<Choice>,
    /// Today.
    pub today: String,
    /// Notice.
    pub notice: Option<String>,
    /// Problem.
    pub problem: Option<String>,
}

/// `GET /recruitment` — coworkers recruited, by month and recent entries (counts, never names).
pub async fn recruitment_page(
    SeesMembers(page): SeesMembers<Page>,
    RawQuery(raw): RawQuery,
) -> Response {
    let r = async {
        let lang = page.lang;
        let period = super::dashboard::current_period()?;
        let scope = page.user.member_scope();
        let (months, recent, wps) = page
            .state
            .store()
            .read_async(move |conn| {
                let months = super::dashboard::recruitment_by_month(conn, period, 12)?;
                let rows = conn
                    .prepare_cached(
                        "SELECT r.recruited_on, r.workplace_id, r.count FROM recruitments r
                         ORDER BY r.recruited_on DESC, r.id DESC LIMIT 200",
                    )?
                    .query_map([], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, i64>(2)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let mut recent = Vec::new();
                for (on, w, n) in rows {
                    if q::workplace_visible(conn, &scope, w)? {
                        let wp = workplaces::get(conn, w)?;
                        recent.push((on, super::workplaces::label(&wp.fields), n));
                    }
                    if recent.len() >= 50 {
                        break;
                    }
                }
                let wps = q::workplace_page(
                    conn,
                    &scope,
                    &q::WorkplaceFilter::default(),
                    &q::PageParams {
                        page: Some(1),
                        per_page: Some(100),
                        ..Default::default()
                    },
                )?
                .items;
                Ok((months, recent, wps))
            })
            .await?;
        let data: Vec<Datum> = months
            .iter()
            .map(|(p, n)| Datum::new(super::i18n::fmt(lang).period_short(&p.to_string()), *n))
            .collect();
        let title = lang.t("ui-chart-recruitment");
        let (notice, problem) = Flash::messages(raw.as_deref(), lang);
        view::ok(&RecruitmentPage {
            c: page.chrome("ui-recruitment-title", Nav::Recruitment),
            chart: chart::columns(lang, &title, &data, &lang.t("ui-chart-empty")),
            months: months
                .iter()
                .map(|(p, n)| (super::i18n::fmt(lang).period(&p.to_string()), lang.num(*n)))
                .collect(),
            recent: recent
                .into_iter()
                .map(|(on, w, n)| (on, w, lang.num(n)))
                .collect(),
            workplaces: choices_of(
                wps.iter()
                    .map(|w| (w.id.to_string(), super::workplaces::label(&w.fields)))
                    .collect(),
                "",
                Some(lang.t("ui-choose")),
            ),
            today: crate::domain::vocab::today(),
            notice,
            problem,
        })
    }
    .await;
    page.respond(r)
}

/// `POST /recruitment` — records coworkers recruited at a workplace on a date.
pub async fn recruitment_record(
    Editor(page): Editor<Page>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Response {
    let scope = page.user.member_scope();
    page.save(back("/recruitment"), move |tx| {
        let w: i64 = f
            .workplace_id
            .parse()
            .map_err(|_| crate::Error::invalid("workplace", "choose one"))?;
        q::require_workplace(tx, &scope, w)?;
        let n: i64 = f
            .count
            .trim()
            .parse()
            .map_err(|_| crate::Error::invalid("count", "a number"))?;
        recruitments::record(tx, w, &f.on, n)?;
        Ok(audit("recruitment", format!("workplace:{w}")).detail(n.to_string()))
    })
    .await
}
