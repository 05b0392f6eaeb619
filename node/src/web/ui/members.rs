//! Members: the list with search, filters and pagination; a member's page; adding a member;
//! editing what the node adds (union role, readiness, languages); linking a workplace,
//! recording a training, the reserve opt-in.
//!
//! Every read goes through [`crate::web::query`] with the user's scope: a pod lead asking for a
//! member outside their pods gets the same 404 as for a member that does not exist.

use askama::Template;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::{Connection, params};
use serde::Deserialize;
use shopfloor_protocol::registry::{self, Dim};

use super::flash::{Back, back};
use super::i18n::Lang;
use super::page::{HasCsrf, Page, query};
use super::view::{self, Chrome, Nav, Pager, encode, field_error, opt};
pub use super::view::{Choice, KNOWN_ACTIONS};
use crate::domain::members::{self, ListFields, NodeFields};
use crate::domain::workplaces::{self, Link, WorkplaceFields};
use crate::domain::{mentorships, reserve, trainings};
use crate::store::search;
use crate::web::AppError;
use crate::web::handler::{Audited, CsrfForm, Editor, Organizer, SeesMembers, audit};
use crate::web::query::{self as q, MemberFilter, PageParams};
use crate::web::ui::i18n::LangExt as _;

/// Members per page.
const PER_PAGE: i64 = 50;

/// Choices from registry terms, with the current value selected and a leading "any" option.
pub fn choices(
    lang: Lang,
    terms: &[registry::Term],
    current: &str,
    any: Option<String>,
) -> Vec<Choice> {
    let mut out = Vec::new();
    if let Some(any) = any {
        out.push(Choice {
            value: String::new(),
            label: any,
            selected: current.is_empty(),
        });
    }
    out.extend(terms.iter().map(|t| Choice {
        value: t.code.to_owned(),
        label: lang.term(t).to_owned(),
        selected: t.code == current,
    }));
    out
}

/// Choices from (value, label) pairs.
pub fn choices_of(pairs: Vec<(String, String)>, current: &str, any: Option<String>) -> Vec<Choice> {
    let mut out = Vec::new();
    if let Some(any) = any {
        out.push(Choice {
            value: String::new(),
            label: any,
            selected: current.is_empty(),
        });
    }
    out.extend(pairs.into_iter().map(|(value, label)| Choice {
        selected: value == current,
        value,
        label,
    }));
    out
}

/// The list's query string.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    pod: String,
    sector: String,
    stage: String,
    union: String,
    lang: String,
    status: String,
    list: String,
    page: String,
    after: String,
    before: String,
}

/// One row of the list.
#[derive(Debug)]
pub struct Row {
    /// Member id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Primary workplace (employer · site).
    pub workplace: String,
    /// Sector label.
    pub sector: String,
    /// Stage label.
    pub stage: String,
    /// Union role label.
    pub union: String,
    /// Standing label.
    pub standing: String,
    /// Whether missing from the latest list.
    pub missing: bool,
    /// Preferred language label.
    pub language: String,
}

/// `GET /members`
#[derive(Template, Debug)]
#[template(path = "members.html")]
pub struct ListPage {
    /// The frame.
    pub c: Chrome,
    /// Search text.
    pub q: String,
    /// Filter choices.
    pub pods: Vec<Choice>,
    /// Sectors.
    pub sectors: Vec<Choice>,
    /// Stages.
    pub stages: Vec<Choice>,
    /// Union roles.
    pub unions: Vec<Choice>,
    /// Languages.
    pub langs: Vec<Choice>,
    /// Standings.
    pub statuses: Vec<Choice>,
    /// List status.
    pub lists: Vec<Choice>,
    /// The rows.
    pub rows: Vec<Row>,
    /// Pagination.
    pub pager: Pager,
    /// Whether the user may add members.
    pub can_add: bool,
    /// "Showing x-y of z".
    pub showing: String,
}

impl ListPage {
    /// Whether a search or a filter is active: the filters then start open on phones too.
    pub fn filtering(&self) -> bool {
        !self.q.trim().is_empty()
            || [
                &self.pods,
                &self.sectors,
                &self.stages,
                &self.unions,
                &self.langs,
                &self.statuses,
                &self.lists,
            ]
            .iter()
            .any(|cs| cs.iter().any(|o| o.selected && !o.value.is_empty()))
    }
}

/// Full name of a member.
pub fn full_name(f: &ListFields) -> String {
    let parts = [
        f.first_name.trim(),
        f.middle_name.trim(),
        f.last_name.trim(),
    ];
    let name = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() { "—".into() } else { name }
}

fn standing_label(lang: Lang, standing: Option<&str>) -> String {
    match standing {
        Some("lapsed") => lang.t("ui-standing-lapsed"),
        Some(s) => lang.value(Dim::Status, s),
        None => lang.value(Dim::Status, registry::UNKNOWN),
    }
}

/// National's list writes membership type and status in English words. The ones it uses are
/// shown in the reader's language; anything else as written (it is the list's text, not an id).
fn list_words(lang: Lang, raw: &str) -> String {
    let key = match raw.trim().to_ascii_lowercase().as_str() {
        "" => return "—".into(),
        "monthly" => "ui-list-type-monthly",
        "yearly" => "ui-list-type-yearly",
        "annual" => "ui-list-type-annual",
        "one-time" => "ui-list-type-one-time",
        "income-based" => "ui-list-type-income-based",
        "lifetime" => "ui-list-type-lifetime",
        "member in good standing" => "ui-list-status-good-standing",
        "member" => "ui-list-status-member",
        "lapsed" => "ui-list-status-lapsed",
        _ => return raw.trim().to_owned(),
    };
    lang.t(key)
}

fn union_label(lang: Lang, role: Option<&str>) -> String {
    lang.value(Dim::UnionStatus, role.unwrap_or(registry::UNKNOWN))
}

fn language_label(lang: Lang, code: Option<&str>) -> String {
    match code {
        Some(c) => lang.value(Dim::Language, c),
        None => "—".into(),
    }
}

fn workplace_label(w: &workplaces::Workplace) -> String {
    if w.fields.site.trim().is_empty() {
        w.fields.employer.clone()
    } else {
        format!("{} · {}", w.fields.employer, w.fields.site)
    }
}

/// `GET /members` — search, filters, pagination.
pub async fn list(SeesMembers(page): SeesMembers<Page>, RawQuery(raw): RawQuery) -> Response {
    let r = list_inner(&page, raw).await;
    page.respond(r)
}

async fn list_inner(page: &Page, raw: Option<String>) -> Result<Response, AppError> {
    let lq: ListQuery = query(raw.as_deref());
    let lang = page.lang;
    let filter = MemberFilter {
        search: opt(&lq.q),
        pod: lq.pod.parse().ok(),
        workplace: None,
        sector: opt(&lq.sector),
        stage: lq.stage.parse().ok().filter(|s| (0..=5).contains(s)),
        union_role: opt(&lq.union),
        union_code: None,
        language: opt(&lq.lang),
        // Present members by default; `list=all` shows everyone.
        list_status: match lq.list.as_str() {
            "missing" => Some("missing".into()),
            "all" => None,
            _ => Some("present".into()),
        },
        standing: opt(&lq.status),
    };
    let wanted: i64 = lq.page.parse().unwrap_or(1).max(1);
    let (after, before) = (lq.after.trim().parse().ok(), lq.before.trim().parse().ok());
    let scope = page.user.member_scope();
    let actor = page.user.username.clone();
    // A search is answered from the store's index of names and emails (store::search), taken
    // on the same reader as the page's queries (one trip to the blocking pool, not two).
    let store = page.state.store().clone();
    let (result, pods, rows) = page
        .state
        .store()
        .read_async(move |tx| {
            let index = match &filter.search {
                Some(_) => Some(store.cached_on(
                    tx,
                    search::CACHE_KEY,
                    search::TTL,
                    search::MemberIndex::build,
                )?),
                None => None,
            };
            let pods = q::visible_pods_cached(tx, &store, &scope)?;
            // The count and the page's ids from the index when it holds what the filters and
            // the scope need; else the matching ids (or the LIKEs) in SQL.
            let page_of = |params: &PageParams| -> crate::error::Result<q::Page<members::Member>> {
                if let Some(index) = &index
                    && let Some(page) = q::member_page_indexed(tx, index, &scope, &filter, params)?
                {
                    return Ok(page);
                }
                let among = match (&index, &filter.search) {
                    (Some(index), Some(text)) => index
                        .matching(&search::needle(text))
                        .filter(|ids| ids.len() <= search::MAX_IDS)
                        .map(|ids| search::json_ids(&ids)),
                    _ => None,
                };
                q::member_page_among(tx, &scope, &filter, params, among.as_deref(), Some(&store))
            };
            // The pager's links carry the neighbouring page's edge member (keyset: a deep page
            // costs what the first does); a typed `page=` alone is read by its offset.
            let mut params = PageParams {
                page: Some(wanted),
                per_page: Some(PER_PAGE),
                after,
                before,
            };
            let mut result = page_of(&params)?;
            // A page past the end (after filtering, or a cursor at the end of a list that
            // shrank) shows the last page instead.
            let last = ((result.total + PER_PAGE - 1) / PER_PAGE).max(1);
            if wanted > last || (result.items.is_empty() && result.total > 0) {
                params = PageParams {
                    page: Some(wanted.min(last)),
                    per_page: Some(PER_PAGE),
                    ..Default::default()
                };
                result = page_of(&params)?;
            }
            let ids: Vec<i64> = result.items.iter().map(|m| m.id).collect();
            let mut primaries = workplaces::primaries_of(tx, &ids)?;
            // The members move into the rows: the page keeps only its numbers.
            let rows = std::mem::take(&mut result.items)
                .into_iter()
                .map(|m| {
                    let w = primaries.remove(&m.id);
                    (m, w)
                })
                .collect::<Vec<_>>();
            Ok((result, pods, rows))
        })
        .await?;
    page.state
        .store()
        .record_view(
            &actor,
            "members.list",
            "members",
            &format!("page {} ({} shown)", result.page, rows.len()),
        )
        .await?;
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(m, w)| Row {
            id: m.id,
            name: full_name(&m.list),
            workplace: w.as_ref().map(workplace_label).unwrap_or_default(),
            sector: w
                .as_ref()
                .and_then(|w| w.fields.sector.as_deref())
                .map(|s| lang.value(Dim::Sector, s))
                .unwrap_or_default(),
            stage: w
                .as_ref()
                .map(|w| lang.value(Dim::Stage, &w.stage.to_string()))
                .unwrap_or_default(),
            union: union_label(lang, m.union_role.as_deref()),
            standing: standing_label(lang, m.standing.as_deref()),
            missing: m.list_status == "missing",
            language: language_label(lang, m.list.preferred_language.as_deref()),
        })
        .collect();
    let mut base = String::from("/members?");
    for (k, v) in [
        ("q", &lq.q),
        ("pod", &lq.pod),
        ("sector", &lq.sector),
        ("stage", &lq.stage),
        ("union", &lq.union),
        ("lang", &lq.lang),
        ("status", &lq.status),
        ("list", &lq.list),
    ] {
        if !v.is_empty() {
            base.push_str(&format!("{k}={}&", encode(v)));
        }
    }
    let base = base.trim_end_matches(['&', '?']).to_owned();
    let pager = Pager::new(result.page, PER_PAGE, result.total, &base)
        .keyset(rows.first().map(|r| r.id), rows.last().map(|r| r.id));
    let first = if result.total == 0 {
        0
    } else {
        pager.offset(PER_PAGE) + 1
    };
    let showing = lang.ta(
        "ui-members-showing",
        &[
            ("first", first.into()),
            ("last", (pager.offset(PER_PAGE) + rows.len() as i64).into()),
            ("total", result.total.into()),
        ],
    );
    let any = || Some(lang.t("ui-filter-any"));
    let page_out = ListPage {
        c: page.chrome("ui-members-title", Nav::Members),
        q: lq.q.clone(),
        pods: choices_of(
            pods.iter()
                .map(|p| (p.id.to_string(), p.name.clone()))
                .collect(),
            &lq.pod,
            any(),
        ),
        sectors: choices(lang, registry::SECTORS, &lq.sector, any()),
        stages: choices(lang, registry::STAGES, &lq.stage, any()),
        unions: choices(lang, registry::UNION_STATUSES, &lq.union, any()),
        langs: choices(lang, registry::LANGUAGES, &lq.lang, any()),
        statuses: choices_of(
            vec![
                (
                    "good-standing".into(),
                    lang.value(Dim::Status, "good-standing"),
                ),
                ("member".into(), lang.value(Dim::Status, "member")),
                ("lapsed".into(), lang.t("ui-standing-lapsed")),
            ],
            &lq.status,
            any(),
        ),
        lists: choices_of(
            vec![
                ("all".into(), lang.t("ui-list-all")),
                ("missing".into(), lang.t("ui-list-missing")),
            ],
            &lq.list,
            Some(lang.t("ui-list-present")),
        ),
        rows,
        pager,
        can_add: page.role().can_organize(),
        showing,
    };
    view::ok(&page_out)
}

/// A training completion, for the member page.
#[derive(Debug)]
pub struct Done {
    /// Title.
    pub title: String,
    /// Date.
    pub on: String,
}

/// A workplace link, for the member page.
#[derive(Debug)]
pub struct WorkLink {
    /// Workplace id.
    pub id: i64,
    /// Employer · site.
    pub name: String,
    /// Job title.
    pub job_title: String,
    /// Since.
    pub since: String,
    /// Primary.
    pub primary: bool,
    /// Stage label.
    pub stage: String,
    /// Sector label.
    pub sector: String,
}

/// A line of the member's history.
#[derive(Debug)]
pub struct HistoryLine {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub what: String,
}

/// `GET /members/{id}`
#[derive(Template, Debug)]
#[template(path = "member.html")]
pub struct MemberPage {
    /// The frame.
    pub c: Chrome,
    /// Member id.
    pub id: i64,
    /// Facts: (label, value).
    pub facts: Vec<(String, String)>,
    /// Contact facts.
    pub contact: Vec<(String, String)>,
    /// Union facts.
    pub union: Vec<(String, String)>,
    /// Workplaces.
    pub links: Vec<WorkLink>,
    /// Pods.
    pub pods: Vec<(i64, String, bool)>,
    /// Trainings done.
    pub done: Vec<Done>,
    /// Mentorships: (text, since, until).
    pub mentorships: Vec<(String, String, String)>,
    /// Reserve entry summary, if any.
    pub reserve: Option<Vec<(String, String)>>,
    /// History.
    pub history: Vec<HistoryLine>,
    /// Readiness label.
    pub readiness: String,
    /// Whether the user may edit.
    pub can_edit: bool,
    /// Workplaces to link: (id, label).
    pub workplace_choices: Vec<Choice>,
    /// Trainings to record.
    pub training_choices: Vec<Choice>,
    /// Sectors (new workplace).
    pub sectors: Vec<Choice>,
    /// Skills (reserve form).
    pub skills: Vec<Choice>,
    /// Reserve form: languages, availability, active.
    pub reserve_langs: String,
    /// Availability.
    pub reserve_availability: String,
    /// Active in the reserve.
    pub reserve_active: bool,
    /// Today (default date).
    pub today: String,
    /// A notice after a change.
    pub notice: Option<String>,
    /// A problem with the last form.
    pub problem: Option<String>,
    /// Pods to put the member in (organizers).
    pub pod_choices: Vec<Choice>,
    /// Whether the user organizes chapter-wide.
    pub can_organize: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowQuery {
    saved: String,
    error: String,
}

/// `GET /members/{id}` — one member.
pub async fn show(
    SeesMembers(page): SeesMembers<Page>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Response {
    let r = show_inner(&page, id, raw).await;
    page.respond(r)
}

async fn show_inner(page: &Page, id: i64, raw: Option<String>) -> Result<Response, AppError> {
    let sq: ShowQuery = query(raw.as_deref());
    let lang = page.lang;
    let scope = page.user.member_scope();
    let actor = page.user.username.clone();
    let all_workplaces = page.role().can_organize();
    // Every workplace, for the link form, as (id, label) pairs: the same list for every
    // member, kept until a write (store::cache). Up to 1,000 workplaces: cloning whole rows per
    // request cost a fifth of this page's time at 20,000 members (docs/performance.md).
    let every_workplace = if all_workplaces {
        Some(
            page.state
                .store()
                .read_cached(
                    "workplace-choices".into(),
                    super::shared::CACHE_TTL,
                    |conn| {
                        Ok(workplaces::list(conn, None, 1000, 0)?
                            .iter()
                            .map(|w| (w.id.to_string(), workplace_label(w)))
                            .collect::<Vec<(String, String)>>())
                    },
                )
                .await?,
        )
    } else {
        None
    };
    let pods_store = page.state.store().clone();
    let loaded = page
        .state
        .store()
        .read_async(move |tx| {
            let detail = q::member_detail(tx, &scope, id)?;
            let wanted: Vec<i64> = detail.workplaces.iter().map(|l| l.workplace_id).collect();
            let found = workplaces::get_many(tx, &wanted)?;
            let mut links = Vec::new();
            for l in &detail.workplaces {
                let w = found.get(&l.workplace_id).cloned().ok_or_else(|| {
                    crate::Error::not_found(format!("workplace {}", l.workplace_id))
                })?;
                links.push((l.clone(), w));
            }
            let names = |conn: &Connection, mid: i64| -> crate::Result<String> {
                Ok(if q::member_visible(conn, &scope, mid)? {
                    full_name(&members::get(conn, mid)?.list)
                } else {
                    format!("#{mid}")
                })
            };
            let mut ments = Vec::new();
            for m in mentorships::of_member(tx, id)? {
                if m.mentor_id == id {
                    ments.push((true, names(tx, m.mentee_id)?, m));
                } else if m.mentee_id == id {
                    ments.push((false, names(tx, m.mentor_id)?, m));
                }
            }
            let entry = reserve::of_member(tx, id)?;
            let catalog = trainings::catalog(tx)?;
            let choices = if all_workplaces {
                Vec::new()
            } else {
                q::workplace_page(
                    tx,
                    &scope,
                    &q::WorkplaceFilter::default(),
                    &PageParams {
                        page: Some(1),
                        per_page: Some(100),
                        ..Default::default()
                    },
                )?
                .items
            };
            let history = history_of(tx, id)?;
            let all_pods = q::all_pods_cached(tx, &pods_store)?;
            Ok((
                detail, links, ments, entry, catalog, choices, history, all_pods,
            ))
        })
        .await?;
    page.state
        .store()
        .record_view(&actor, "member.view", &format!("member:{id}"), "")
        .await?;
    let (detail, links, ments, entry, catalog, linkable, history, all_pods) = loaded;
    let linkable: Vec<(String, String)> = match &every_workplace {
        Some(every) => every.as_ref().clone(),
        None => linkable
            .iter()
            .map(|w| (w.id.to_string(), workplace_label(w)))
            .collect(),
    };
    let m = &detail.member;
    let f = &m.list;
    let dash = |s: &str| {
        if s.trim().is_empty() {
            "—".to_owned()
        } else {
            s.to_owned()
        }
    };
    let yes_no = |b: bool| lang.t(if b { "ui-yes" } else { "ui-no" });
    let mut facts = vec![
        (
            lang.t("ui-member-standing"),
            standing_label(lang, m.standing.as_deref()),
        ),
        (
            lang.t("ui-member-list-status"),
            // Someone added by hand is not on the list until an import matches them.
            lang.t(if m.added_by_hand {
                "ui-list-by-hand"
            } else if m.list_status == "missing" {
                "ui-list-missing"
            } else {
                "ui-list-present"
            }),
        ),
        (
            lang.t("ui-member-status-text"),
            list_words(lang, &f.membership_status),
        ),
        (
            lang.t("ui-member-type"),
            list_words(lang, &f.membership_type),
        ),
        (
            lang.t("ui-member-joined"),
            dash(f.join_date.as_deref().unwrap_or("")),
        ),
        (
            lang.t("ui-member-expires"),
            dash(f.xdate.as_deref().unwrap_or("")),
        ),
        (
            lang.t("ui-member-preferred-language"),
            language_label(lang, f.preferred_language.as_deref()),
        ),
        (
            lang.t("ui-member-languages"),
            if m.languages.is_empty() {
                "—".into()
            } else {
                m.languages
                    .iter()
                    .map(|l| lang.value(Dim::Language, l))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
    ];
    if let Some(ak) = &f.actionkit_id {
        facts.push((lang.t("ui-member-actionkit"), ak.clone()));
    }
    let contact = vec![
        (
            lang.t("ui-member-email"),
            dash(f.email.as_deref().unwrap_or("")),
        ),
        (
            lang.t("ui-member-phone"),
            dash(if f.best_phone.is_empty() {
                &f.mobile_phone
            } else {
                &f.best_phone
            }),
        ),
        (lang.t("ui-member-do-not-call"), yes_no(f.do_not_call)),
        (lang.t("ui-member-no-texts"), yes_no(f.p2ptext_optout)),
        (
            lang.t("ui-member-city"),
            // The city as entered, with the state after a comma; no city: a dash, not the
            // state alone.
            if f.city.trim().is_empty() {
                "—".to_owned()
            } else if f.state.trim().is_empty() {
                f.city.clone()
            } else {
                format!("{}, {}", f.city, f.state)
            },
        ),
    ];
    let union = vec![
        (
            lang.t("ui-member-union-role"),
            union_label(lang, m.union_role.as_deref()),
        ),
        (
            lang.t("ui-member-union"),
            lang.value(
                Dim::Union,
                m.union_code.as_deref().unwrap_or(registry::UNKNOWN),
            ),
        ),
        (
            lang.t("ui-member-union-text"),
            dash(&format!("{} {}", f.union_name, f.union_local)),
        ),
        (lang.t("ui-member-union-answer"), dash(&f.union_member)),
        (
            lang.t("ui-member-union-manual"),
            yes_no(m.union_role_manual || m.union_code_manual),
        ),
    ];
    let title_of = |code: &str| {
        catalog
            .iter()
            .find(|t| t.code == code)
            .map(|t| {
                if lang == Lang::Es && !t.title_es.is_empty() {
                    t.title_es.clone()
                } else {
                    t.title_en.clone()
                }
            })
            .unwrap_or_else(|| code.to_owned())
    };
    let done = detail
        .trainings
        .iter()
        .map(|(code, on)| Done {
            title: title_of(code),
            on: on.clone(),
        })
        .collect();
    let links_out = links
        .iter()
        .map(|(l, w)| WorkLink {
            id: w.id,
            name: workplace_label(w),
            job_title: l.job_title.clone(),
            since: l.since.clone().unwrap_or_default(),
            primary: l.is_primary,
            stage: lang.value(Dim::Stage, &w.stage.to_string()),
            sector: lang.value(
                Dim::Sector,
                w.fields.sector.as_deref().unwrap_or(registry::UNKNOWN),
            ),
        })
        .collect();
    let mentorships = ments
        .iter()
        .map(|(as_mentor, other, m)| {
            (
                lang.ta(
                    if *as_mentor {
                        "ui-mentor-of"
                    } else {
                        "ui-mentee-of"
                    },
                    &[("name", other.clone().into())],
                ),
                m.started_on.clone(),
                m.ended_on.clone().unwrap_or_default(),
            )
        })
        .collect();
    let reserve_summary = entry.as_ref().map(|e| {
        vec![
            (lang.t("ui-reserve-active"), yes_no(e.active)),
            (
                lang.t("ui-reserve-languages"),
                e.languages
                    .iter()
                    .map(|l| lang.value(Dim::Language, l))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                lang.t("ui-reserve-skills"),
                e.skills
                    .iter()
                    .map(|s| lang.value(Dim::Skill, s))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (lang.t("ui-reserve-availability"), dash(&e.availability)),
        ]
    });
    let history = history
        .into_iter()
        .map(|e| HistoryLine {
            at: lang.time(&e.at),
            actor: e.actor,
            what: action_label(lang, &e.action),
        })
        .collect();
    let notice = (!sq.saved.is_empty()).then(|| lang.t("ui-saved"));
    let problem = (!sq.error.is_empty()).then(|| field_error(lang, &sq.error));
    let skills_chosen = entry.as_ref().map(|e| e.skills.clone()).unwrap_or_default();
    let out = MemberPage {
        c: page.chrome_titled(full_name(f), Nav::Members),
        id,
        facts,
        contact,
        union,
        links: links_out,
        pods: detail
            .pods
            .iter()
            .map(|p| (p.id, p.name.clone(), p.lead))
            .collect(),
        done,
        mentorships,
        reserve: reserve_summary,
        history,
        readiness: m
            .readiness
            .map(|r| lang.value(Dim::Readiness, &r.to_string()))
            .unwrap_or_else(|| "—".into()),
        can_edit: page.role().can_edit(),
        workplace_choices: choices_of(linkable, "", Some(lang.t("ui-choose"))),
        training_choices: choices_of(
            catalog
                .iter()
                .map(|t| (t.code.clone(), title_of(&t.code)))
                .collect(),
            "",
            Some(lang.t("ui-choose")),
        ),
        sectors: choices(lang, registry::SECTORS, "", Some(lang.t("ui-unknown"))),
        skills: registry::SKILLS
            .iter()
            .map(|t| Choice {
                value: t.code.into(),
                label: lang.term(t).into(),
                selected: skills_chosen.iter().any(|s| s == t.code),
            })
            .collect(),
        reserve_langs: entry
            .as_ref()
            .map(|e| e.languages.join(", "))
            .unwrap_or_default(),
        reserve_availability: entry
            .as_ref()
            .map(|e| e.availability.clone())
            .unwrap_or_default(),
        reserve_active: entry.as_ref().is_none_or(|e| e.active),
        today: crate::domain::vocab::today(),
        notice,
        problem,
        pod_choices: choices_of(
            all_pods
                .iter()
                .map(|p| (p.id.to_string(), p.name.clone()))
                .collect(),
            "",
            Some(lang.t("ui-choose")),
        ),
        can_organize: page.role().can_organize(),
    };
    view::ok(&out)
}

/// The audit entries about one member, newest first (edits, not views).
fn history_of(conn: &Connection, id: i64) -> crate::Result<Vec<crate::domain::audit::Entry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, subject, detail FROM audit_log
         WHERE subject = ?1 AND action <> 'member.view' ORDER BY id DESC LIMIT 50",
    )?;
    let rows = stmt.query_map(params![format!("member:{id}")], |r| {
        Ok(crate::domain::audit::Entry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            subject: r.get(4)?,
            detail: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A translated name for an audit action (the action itself if unknown).
pub fn action_label(lang: Lang, action: &str) -> String {
    if KNOWN_ACTIONS.contains(&action) {
        lang.t(&format!("ui-action-{}", action.replace('.', "-")))
    } else {
        action.to_owned()
    }
}

/// The node-fields form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    csrf: String,
    union_role: String,
    union_code: String,
    reset_union: String,
    readiness: String,
    languages: String,
    preferred_language: String,
}

impl HasCsrf for EditForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `GET /members/{id}/edit`
#[derive(Template, Debug)]
#[template(path = "member_edit.html")]
pub struct EditPage {
    /// The frame.
    pub c: Chrome,
    /// Member id.
    pub id: i64,
    /// Union roles.
    pub roles: Vec<Choice>,
    /// Unions.
    pub unions: Vec<Choice>,
    /// Readiness levels.
    pub levels: Vec<Choice>,
    /// Preferred language choices.
    pub preferred: Vec<Choice>,
    /// Languages spoken (text).
    pub languages: String,
    /// Errors by field.
    pub errors: Vec<(String, String)>,
}

impl EditPage {
    /// The error for a field, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        view::error_for(&self.errors, field)
    }
}

fn edit_page(
    page: &Page,
    m: &members::Member,
    form: Option<&EditForm>,
    errors: Vec<(String, String)>,
) -> EditPage {
    let lang = page.lang;
    let role = form.map_or(m.union_role.clone().unwrap_or_default(), |f| {
        f.union_role.clone()
    });
    let code = form.map_or(m.union_code.clone().unwrap_or_default(), |f| {
        f.union_code.clone()
    });
    let level = form.map_or(
        m.readiness.map(|r| r.to_string()).unwrap_or_default(),
        |f| f.readiness.clone(),
    );
    let preferred = form.map_or(m.list.preferred_language.clone().unwrap_or_default(), |f| {
        f.preferred_language.clone()
    });
    let languages = form.map_or(m.languages.join(", "), |f| f.languages.clone());
    EditPage {
        c: page.chrome_titled(
            lang.ta(
                "ui-member-edit-title",
                &[("name", full_name(&m.list).into())],
            ),
            Nav::Members,
        ),
        id: m.id,
        roles: choices(
            lang,
            registry::UNION_STATUSES,
            &role,
            Some(lang.t("ui-unknown")),
        ),
        unions: choices(lang, registry::UNIONS, &code, Some(lang.t("ui-unknown"))),
        levels: choices(
            lang,
            registry::READINESS,
            &level,
            Some(lang.t("ui-not-assessed")),
        ),
        preferred: choices(
            lang,
            registry::LANGUAGES,
            &preferred,
            Some(lang.t("ui-unknown")),
        ),
        languages,
        errors,
    }
}

/// `GET /members/{id}/edit` — the form.
pub async fn edit(Editor(page): Editor<Page>, Path(id): Path<i64>) -> Response {
    let r = async {
        let scope = page.user.member_scope();
        let m = page
            .state
            .store()
            .read_async(move |conn| Ok(q::member_detail(conn, &scope, id)?.member))
            .await?;
        view::ok(&edit_page(&page, &m, None, Vec::new()))
    }
    .await;
    page.respond(r)
}

/// `POST /members/{id}/edit` — saves, or shows the form again with what is wrong.
pub async fn update(
    Editor(page): Editor<Page>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Response {
    let r = update_inner(&page, id, form).await;
    page.respond(r)
}

async fn update_inner(page: &Page, id: i64, form: EditForm) -> Result<Response, AppError> {
    let lang = page.lang;
    let mut errors = Vec::new();
    let readiness = match form.readiness.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (1..=4).contains(&n) => Some(n),
            _ => {
                errors.push(("readiness".into(), field_error(lang, "readiness")));
                None
            }
        },
    };
    if let Err(_bad) = crate::domain::vocab::language_list(&form.languages) {
        errors.push(("languages".into(), field_error(lang, "languages")));
    }
    let scope = page.user.member_scope();
    if !errors.is_empty() {
        let m = page
            .state
            .store()
            .read_async(move |conn| Ok(q::member_detail(conn, &scope, id)?.member))
            .await?;
        return Ok(view::render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &edit_page(page, &m, Some(&form), errors),
        ));
    }
    let fields = NodeFields {
        union_role: opt(&form.union_role),
        union_code: opt(&form.union_code),
        reset_union_to_list: form.reset_union == "1",
        readiness,
        clear_readiness: readiness.is_none(),
        languages: Some(form.languages.clone()),
        preferred_language: Some(form.preferred_language.clone()),
    };
    let saved = page
        .write(move |tx| {
            q::require_member(tx, &scope, id)?;
            members::update_node_fields(tx, id, &fields)?;
            Ok(audit("member.edit", format!("member:{id}")))
        })
        .await;
    match saved {
        Ok(()) => Ok(view::redirect(&format!("/members/{id}?saved=1"))),
        Err(crate::Error::Invalid { field, .. }) => {
            let scope = page.user.member_scope();
            let m = page
                .state
                .store()
                .read_async(move |conn| Ok(q::member_detail(conn, &scope, id)?.member))
                .await?;
            let errors = vec![(field.to_owned(), field_error(lang, field))];
            Ok(view::render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &edit_page(page, &m, Some(&form), errors),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The new-member form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    csrf: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    /// Where the member lives (the workplace's city is `city`).
    member_city: String,
    preferred_language: String,
    workplace_id: String,
    employer: String,
    site: String,
    city: String,
    sector: String,
    job_title: String,
}

impl HasCsrf for NewForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `GET /members/new`
#[derive(Template, Debug)]
#[template(path = "member_new.html")]
pub struct NewPage {
    /// The frame.
    pub c: Chrome,
    /// What was typed.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// The member's city.
    pub member_city: String,
    /// Employer of a new workplace.
    pub employer: String,
    /// Site.
    pub site: String,
    /// City.
    pub city: String,
    /// Job title.
    pub job_title: String,
    /// Preferred language.
    pub preferred: Vec<Choice>,
    /// Existing workplaces.
    pub workplaces: Vec<Choice>,
    /// Sectors.
    pub sectors: Vec<Choice>,
    /// Errors by field.
    pub errors: Vec<(String, String)>,
}

impl NewPage {
    /// The error for a field, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        view::error_for(&self.errors, field)
    }
}

async fn new_page(
    page: &Page,
    form: &NewForm,
    errors: Vec<(String, String)>,
) -> Result<NewPage, AppError> {
    let lang = page.lang;
    let list = page
        .state
        .store()
        .read_async(|conn| workplaces::list(conn, None, 1000, 0))
        .await?;
    Ok(NewPage {
        c: page.chrome("ui-member-new-title", Nav::Members),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        member_city: form.member_city.clone(),
        employer: form.employer.clone(),
        site: form.site.clone(),
        city: form.city.clone(),
        job_title: form.job_title.clone(),
        preferred: choices(
            lang,
            registry::LANGUAGES,
            &form.preferred_language,
            Some(lang.t("ui-unknown")),
        ),
        workplaces: choices_of(
            list.iter()
                .map(|w| (w.id.to_string(), workplace_label(w)))
                .collect(),
            &form.workplace_id,
            Some(lang.t("ui-workplace-none-or-new")),
        ),
        sectors: choices(
            lang,
            registry::SECTORS,
            &form.sector,
            Some(lang.t("ui-unknown")),
        ),
        errors,
    })
}

/// `GET /members/new` — the form.
pub async fn new(Organizer(page): Organizer<Page>) -> Response {
    let r = async { view::ok(&new_page(&page, &NewForm::default(), Vec::new()).await?) }.await;
    page.respond(r)
}

/// `POST /members/new` — adds a member (and, optionally, their workplace).
pub async fn create(
    Organizer(page): Organizer<Page>,
    CsrfForm(form): CsrfForm<NewForm>,
) -> Response {
    let r = create_inner(&page, form).await;
    page.respond(r)
}

async fn create_inner(page: &Page, form: NewForm) -> Result<Response, AppError> {
    let lang = page.lang;
    let mut errors = Vec::new();
    if form.first_name.trim().is_empty() && form.last_name.trim().is_empty() {
        errors.push(("name".into(), field_error(lang, "name")));
    }
    let email = opt(&form.email);
    if email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.contains(char::is_whitespace))
    {
        errors.push(("email".into(), field_error(lang, "email")));
    }
    let preferred = match opt(&form.preferred_language) {
        None => None,
        Some(l) => match crate::domain::vocab::language_code(&l) {
            Some(c) => Some(c),
            None => {
                errors.push((
                    "preferred_language".into(),
                    field_error(lang, "preferred_language"),
                ));
                None
            }
        },
    };
    let existing: Option<i64> = form.workplace_id.parse().ok();
    let sector = opt(&form.sector);
    if sector
        .as_deref()
        .is_some_and(|s| !crate::domain::vocab::is_sector(s))
    {
        errors.push(("sector".into(), field_error(lang, "sector")));
    }
    if !errors.is_empty() {
        return Ok(view::render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(page, &form, errors).await?,
        ));
    }
    let fields = ListFields {
        first_name: form.first_name.trim().to_owned(),
        last_name: form.last_name.trim().to_owned(),
        email,
        best_phone: form.phone.trim().to_owned(),
        mobile_phone: form.phone.trim().to_owned(),
        preferred_language: preferred,
        city: form.member_city.trim().to_owned(),
        state: page.state.config().state.clone(),
        ..ListFields::default()
    };
    let new_wp = opt(&form.employer).map(|employer| WorkplaceFields {
        employer,
        site: form.site.trim().to_owned(),
        city: form.city.trim().to_owned(),
        state: Some(page.state.config().state.clone()),
        sector: sector.clone(),
        representation: "none".into(),
        ..WorkplaceFields::default()
    });
    let job_title = form.job_title.trim().to_owned();
    let actor = page.user.username.clone();
    let result = page
        .write(move |tx| {
            let id = members::create(tx, &fields)?;
            let mut done = audit("member.create", format!("member:{id}"));
            let wp = match (existing, new_wp) {
                (Some(w), _) => Some(workplaces::get(tx, w)?.id),
                (None, Some(f)) => {
                    let w = workplaces::create(tx, &f, &actor)?;
                    done = done.and("workplace.create", format!("workplace:{w}"));
                    Some(w)
                }
                (None, None) => None,
            };
            if let Some(w) = wp {
                workplaces::link_member(
                    tx,
                    &Link {
                        member_id: id,
                        workplace_id: w,
                        job_title,
                        since: None,
                        is_primary: true,
                    },
                )?;
                done = done.and("member.workplace", format!("member:{id}"));
            }
            Ok(done.returning(id))
        })
        .await;
    match result {
        Ok(id) => Ok(view::redirect(&format!("/members/{id}?saved=1"))),
        Err(crate::Error::Invalid { field, .. }) => {
            let errors = vec![(field.to_owned(), field_error(lang, field))];
            Ok(view::render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &new_page(page, &form, errors).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Linking a member to a workplace.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    csrf: String,
    workplace_id: String,
    employer: String,
    sector: String,
    job_title: String,
    since: String,
    primary: String,
}

impl HasCsrf for LinkForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /members/{id}/workplace` — links an existing workplace, or a new one by name.
pub async fn link(
    Editor(page): Editor<Page>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Response {
    let scope = page.user.member_scope();
    let can_create = page.role().can_organize();
    let actor = page.user.username.clone();
    let state = page.state.config().state.clone();
    page.save(after_form(id), move |tx| {
        q::require_member(tx, &scope, id)?;
        let mut done = Audited::nothing();
        let wp = match form.workplace_id.parse::<i64>() {
            Ok(w) => {
                if !can_create {
                    q::require_workplace(tx, &scope, w)?;
                }
                workplaces::get(tx, w)?.id
            }
            Err(_) => {
                let Some(employer) = opt(&form.employer) else {
                    return Err(crate::Error::invalid("workplace", "choose or name one"));
                };
                if !can_create {
                    return Err(crate::Error::invalid("workplace", "choose one"));
                }
                let w = workplaces::create(
                    tx,
                    &WorkplaceFields {
                        employer,
                        state: Some(state),
                        sector: opt(&form.sector),
                        representation: "none".into(),
                        ..WorkplaceFields::default()
                    },
                    &actor,
                )?;
                done = done.and("workplace.create", format!("workplace:{w}"));
                w
            }
        };
        workplaces::link_member(
            tx,
            &Link {
                member_id: id,
                workplace_id: wp,
                job_title: form.job_title.trim().to_owned(),
                since: opt(&form.since),
                is_primary: form.primary == "1",
            },
        )?;
        Ok(done.and("member.workplace", format!("member:{id}")))
    })
    .await
}

/// A member form's outcome: back to the member page with a notice, or with the field in error.
fn after_form(id: i64) -> Back {
    back(format!("/members/{id}"))
        .error_anchor("#forms")
        .exists_is_error()
}

/// Recording a training.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TrainingForm {
    csrf: String,
    code: String,
    on: String,
}

impl HasCsrf for TrainingForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /members/{id}/trainings` — records a completed training.
pub async fn training(
    Editor(page): Editor<Page>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<TrainingForm>,
) -> Response {
    let scope = page.user.member_scope();
    page.save(after_form(id), move |tx| {
        q::require_member(tx, &scope, id)?;
        if !trainings::catalog(tx)?.iter().any(|t| t.code == form.code) {
            return Err(crate::Error::invalid("code", "choose a training"));
        }
        trainings::complete(tx, id, &form.code, &form.on)?;
        Ok(audit("member.training", format!("member:{id}")))
    })
    .await
}

/// The reserve opt-in (skills are repeated `skill` fields, so it is read as pairs).
#[derive(Debug, Default, Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct ReserveForm {
    csrf: String,
    languages: String,
    availability: String,
    active: String,
    skills: Vec<String>,
}

impl From<Vec<(String, String)>> for ReserveForm {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut form = ReserveForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => form.csrf = v,
                "languages" => form.languages = v,
                "availability" => form.availability = v,
                "active" => form.active = v,
                "skill" => form.skills.push(v),
                _ => {}
            }
        }
        form
    }
}

impl HasCsrf for ReserveForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /members/{id}/reserve` — opts a member in (or updates, or opts out).
pub async fn reserve_opt(
    Editor(page): Editor<Page>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReserveForm>,
) -> Response {
    let scope = page.user.member_scope();
    page.save(after_form(id), move |tx| {
        q::require_member(tx, &scope, id)?;
        let languages = crate::domain::vocab::language_list(&form.languages)
            .map_err(|m| crate::Error::invalid("languages", m))?;
        reserve::opt_in(
            tx,
            &reserve::ReserveEntry {
                member_id: id,
                languages,
                skills: form.skills.clone(),
                availability: form.availability.trim().to_owned(),
                active: form.active == "1",
            },
        )?;
        Ok(audit("member.reserve", format!("member:{id}")))
    })
    .await
}
