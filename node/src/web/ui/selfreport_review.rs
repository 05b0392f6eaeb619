//! The organizer's side of self-reporting: the page that makes links (and lists who is still
//! unmapped), the CSV of links, the review queue and its decisions, and the dashboard's lines.

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shopfloor_protocol::registry::Dim;

use super::shared::{Check, county_name};
use crate::domain::selfreport::{self as sr, Answers, Selection, Target};
use crate::web::auth::MemberScope;
use crate::web::handler::{CsrfForm, Organizer, audit};
use crate::web::query::{self as q, MemberFilter, PageParams};
use crate::web::ui::i18n::{Arg, Lang, LangExt as _};
use crate::web::ui::page::{HasCsrf, Page};
use crate::web::ui::view::Choice;
use crate::web::ui::view::{self, Chrome, Nav};
use crate::web::{AppError, AppState};

/// `GET /self-report`
#[derive(Template, Debug)]
#[template(path = "selfreport_admin.html")]
pub struct AdminPage {
    /// The frame.
    pub c: Chrome,
    /// Progress lines.
    pub progress: Vec<(String, String)>,
    /// Answers waiting.
    pub pending: i64,
    /// Pods to choose.
    pub pods: Vec<Choice>,
    /// Current members with no workplace (first 100): (id, name).
    pub unmapped: Vec<(i64, String)>,
    /// How many in all.
    pub unmapped_total: i64,
    /// Default link lifetime.
    pub days: i64,
    /// How many members the Members page's filter matches, when one came along.
    pub filtered: Option<i64>,
    /// That filter's fields, for the form.
    pub filter_fields: Vec<(&'static str, String)>,
}

/// The progress numbers, as (label, value) lines.
pub fn progress_lines(lang: Lang, p: &sr::Progress) -> Vec<(String, String)> {
    vec![
        (
            lang.t("ui-sr-mapped"),
            lang.ta(
                "ui-sr-mapped-value",
                &[
                    ("pct", Arg::Str(lang.pct(p.mapped_pct()))),
                    ("n", Arg::Num(p.mapped)),
                    ("total", Arg::Num(p.current)),
                ],
            ),
        ),
        (lang.t("ui-sr-sent"), lang.num(p.sent)),
        (lang.t("ui-sr-opened"), lang.num(p.opened)),
        (lang.t("ui-sr-answered"), lang.num(p.answered)),
        (lang.t("ui-sr-accepted"), lang.num(p.accepted)),
    ]
}

/// The Members page's filter, as its query string names it (`/self-report?q=...&pod=...`), or
/// as the links form carries it (`f_q`, `f_pod`, ...).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberFilterQuery {
    /// Search text.
    pub q: String,
    /// Pod id.
    pub pod: String,
    /// Sector.
    pub sector: String,
    /// Stage.
    pub stage: String,
    /// Union role.
    pub union: String,
    /// Language.
    pub lang: String,
    /// Standing.
    pub status: String,
    /// present, missing or all.
    pub list: String,
}

impl MemberFilterQuery {
    /// The fields as (name, value), for hidden inputs.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        [
            ("q", &self.q),
            ("pod", &self.pod),
            ("sector", &self.sector),
            ("stage", &self.stage),
            ("union", &self.union),
            ("lang", &self.lang),
            ("status", &self.status),
            ("list", &self.list),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect()
    }

    /// The filter, the way the Members page reads it; `None` when nothing is filtered.
    pub fn filter(&self) -> Option<MemberFilter> {
        if self.fields().is_empty() {
            return None;
        }
        Some(MemberFilter {
            search: view::opt(&self.q),
            pod: self.pod.parse().ok(),
            workplace: None,
            sector: view::opt(&self.sector),
            stage: self.stage.parse().ok().filter(|s| (0..=5).contains(s)),
            union_role: view::opt(&self.union),
            union_code: None,
            language: view::opt(&self.lang),
            list_status: match self.list.as_str() {
                "missing" => Some("missing".into()),
                "all" => None,
                _ => Some("present".into()),
            },
            standing: view::opt(&self.status),
        })
    }
}

/// Every member id a filter matches (the Members page's order).
fn filtered_ids(conn: &rusqlite::Connection, filter: &MemberFilter) -> crate::Result<Vec<i64>> {
    let mut out = Vec::new();
    for page in 1.. {
        let p = PageParams {
            page: Some(page),
            per_page: Some(q::MAX_PER_PAGE),
            ..Default::default()
        };
        let r = q::member_page(conn, &MemberScope::All, filter, &p)?;
        if r.items.is_empty() {
            break;
        }
        out.extend(r.items.iter().map(|m| m.id));
        if i64::try_from(out.len()).unwrap_or(i64::MAX) >= r.total {
            break;
        }
    }
    Ok(out)
}

/// `GET /self-report` — progress, making links, and who is still unmapped.
pub async fn admin(
    Organizer(page): Organizer<Page>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    let r = async {
        let fq: MemberFilterQuery = crate::web::ui::page::query(raw.as_deref());
        let filter = fq.filter();
        let (progress, pods, unmapped, filtered) = page
            .state
            .store()
            .read_async(move |conn| {
                let filtered = match &filter {
                    Some(f) => Some(
                        q::member_page(
                            conn,
                            &MemberScope::All,
                            f,
                            &PageParams {
                                page: Some(1),
                                per_page: Some(1),
                                ..Default::default()
                            },
                        )?
                        .total,
                    ),
                    None => None,
                };
                let progress = sr::progress(conn)?;
                let pods = q::visible_pods(conn, &MemberScope::All)?;
                let mut stmt = conn.prepare(
                    "SELECT id, first_name, last_name FROM members m WHERE list_status = 'present'
                       AND (standing IS NULL OR standing <> 'lapsed')
                       AND NOT EXISTS (SELECT 1 FROM member_workplaces l WHERE l.member_id = m.id)
                     ORDER BY lower(last_name), lower(first_name), id LIMIT 100",
                )?;
                let rows = stmt.query_map([], |r| {
                    let f: String = r.get(1)?;
                    let l: String = r.get(2)?;
                    Ok((r.get::<_, i64>(0)?, format!("{f} {l}").trim().to_owned()))
                })?;
                let unmapped = rows.collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((progress, pods, unmapped, filtered))
            })
            .await?;
        let lang = page.lang;
        view::ok(&AdminPage {
            c: page.chrome("ui-sr-admin-title", Nav::Members),
            progress: progress_lines(lang, &progress),
            pending: progress.pending,
            pods: pods
                .into_iter()
                .map(|p| Choice {
                    value: p.id.to_string(),
                    label: p.name,
                    selected: false,
                })
                .collect(),
            unmapped_total: progress.current - progress.mapped,
            unmapped,
            days: sr::LINK_DAYS,
            filtered,
            filter_fields: fq.fields(),
        })
    }
    .await;
    page.respond(r)
}

/// The form that makes links.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinksForm {
    csrf: String,
    /// all, unmapped or pod.
    selection: String,
    /// The pod, for `pod`.
    pod: String,
    /// Days the links last.
    days: String,
    /// The Members page's filter, for `filter`.
    f_q: String,
    f_pod: String,
    f_sector: String,
    f_stage: String,
    f_union: String,
    f_lang: String,
    f_status: String,
    f_list: String,
}

impl HasCsrf for LinksForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The links' base: the configured `public_url`, else this request's host.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = state.config().public_url.as_deref() {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// `POST /self-report/links` — makes a link for each chosen member and answers with the CSV
/// (member id, email, first name, link). Audited (`selfreport.links`, a count, never names).
pub async fn make_links(
    Organizer(page): Organizer<Page>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<LinksForm>,
) -> Response {
    let r = async {
        let selection = match form.selection.as_str() {
            "all" => Selection::AllCurrent,
            "unmapped" => Selection::Unmapped,
            "pod" => Selection::Pod(
                form.pod
                    .parse()
                    .map_err(|_| AppError::invalid("pod", "choose a pod"))?,
            ),
            "filter" => {
                let fq = MemberFilterQuery {
                    q: form.f_q.clone(),
                    pod: form.f_pod.clone(),
                    sector: form.f_sector.clone(),
                    stage: form.f_stage.clone(),
                    union: form.f_union.clone(),
                    lang: form.f_lang.clone(),
                    status: form.f_status.clone(),
                    list: form.f_list.clone(),
                };
                let filter = fq
                    .filter()
                    .ok_or_else(|| AppError::invalid("selection", "no filter"))?;
                let ids = page
                    .state
                    .store()
                    .read_async(move |conn| filtered_ids(conn, &filter))
                    .await?;
                Selection::Ids(ids)
            }
            _ => return Err(AppError::invalid("selection", "all, unmapped or pod")),
        };
        let days: i64 = form
            .days
            .trim()
            .parse()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .unwrap_or(sr::LINK_DAYS);
        let actor = page.user.username.clone();
        let what = form.selection.clone();
        let links = page
            .write(move |tx| {
                let ids = sr::select(tx, &selection)?;
                let links = sr::make_links(tx, &ids, &actor, days)?;
                Ok(
                    audit("selfreport.links", format!("members:{}", links.len()))
                        .detail(format!("selection={what} days={days}"))
                        .returning(links),
                )
            })
            .await?;
        let base = base_url(&page.state, &headers);
        let mut w = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| AppError::Internal(e.to_string());
        w.write_record(["member_id", "email", "first_name", "link"])
            .map_err(csv_err)?;
        for l in &links {
            w.write_record([
                l.member_id.to_string(),
                crate::export::neutralize_formula(l.email.as_deref().unwrap_or("")).into_owned(),
                crate::export::neutralize_formula(&l.first_name).into_owned(),
                format!("{base}/r/{}", l.token),
            ])
            .map_err(csv_err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut resp = bytes.into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"self-report-links.csv\""),
        );
        view::secure_headers(h);
        Ok(resp)
    }
    .await;
    page.respond(r)
}

/// An answer as the review page shows it.
#[derive(Debug)]
pub struct ReviewItem {
    /// Its id.
    pub id: i64,
    /// The member.
    pub member_id: i64,
    /// Their name.
    pub member: String,
    /// When.
    pub received: String,
    /// (label, value) lines.
    pub lines: Vec<(String, String)>,
    /// Workplace choices: suggestions, then "new".
    pub targets: Vec<Check>,
}

/// `GET /self-report/review`
#[derive(Template, Debug)]
#[template(path = "selfreport_review.html")]
pub struct ReviewPage {
    /// The frame.
    pub c: Chrome,
    /// The queue.
    pub items: Vec<ReviewItem>,
    /// A notice (after a decision).
    pub notice: Option<String>,
}

fn lines_of(lang: Lang, a: &Answers) -> Vec<(String, String)> {
    let dash = || "—".to_owned();
    let or_dash = |s: &str| if s.is_empty() { dash() } else { s.to_owned() };
    vec![
        (lang.t("ui-field-employer"), or_dash(&a.employer)),
        (lang.t("ui-field-site"), or_dash(&a.site)),
        (lang.t("ui-field-workplace-city"), or_dash(&a.city)),
        (
            lang.t("ui-field-state"),
            a.state
                .as_deref()
                .map_or_else(dash, |s| lang.value(Dim::State, s)),
        ),
        (
            lang.t("ui-sr-county"),
            a.county_fips.as_deref().map_or_else(dash, county_name),
        ),
        (
            lang.t("ui-field-sector"),
            a.sector
                .as_deref()
                .map_or_else(dash, |s| lang.value(Dim::Sector, s)),
        ),
        (lang.t("ui-sr-job-title"), or_dash(&a.job_title)),
        (
            lang.t("ui-sr-union-status"),
            a.union_status
                .as_deref()
                .map_or_else(dash, |s| lang.value(Dim::UnionStatus, s)),
        ),
        (lang.t("ui-sr-union-name"), or_dash(&a.union_name)),
        (lang.t("ui-sr-union-local"), or_dash(&a.union_local)),
        (
            lang.t("ui-sr-interest"),
            a.interest
                .as_deref()
                .map_or_else(dash, |i| lang.t(&format!("ui-sr-interest-{i}"))),
        ),
        (
            lang.t("ui-sr-languages"),
            if a.languages.is_empty() {
                dash()
            } else {
                a.languages
                    .iter()
                    .map(|l| lang.value(Dim::Language, l))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
        (
            lang.t("ui-sr-consent-short"),
            lang.t(if a.consent { "ui-yes" } else { "ui-no" }),
        ),
    ]
}

/// `GET /self-report/review` — answers waiting for an organizer.
pub async fn review(
    Organizer(page): Organizer<Page>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    let r = async {
        let pending = page
            .state
            .store()
            .read_async(|conn| sr::pending(conn, 100))
            .await?;
        let lang = page.lang;
        let items = pending
            .into_iter()
            .map(|p| {
                let mut targets: Vec<Check> = p
                    .suggestions
                    .iter()
                    .enumerate()
                    .map(|(i, (id, label, city))| Check {
                        value: id.to_string(),
                        label: lang.ta(
                            "ui-sr-link-existing",
                            &[
                                ("name", Arg::Str(label.clone())),
                                ("value", Arg::Str(city.clone())),
                            ],
                        ),
                        checked: i == 0,
                    })
                    .collect();
                let none = targets.is_empty();
                targets.push(Check {
                    value: "new".into(),
                    label: lang.t("ui-sr-create-workplace"),
                    checked: none,
                });
                ReviewItem {
                    id: p.id,
                    member_id: p.member_id,
                    member: p.member_name.clone(),
                    received: lang.time(&p.received_at),
                    lines: lines_of(lang, &p.answers),
                    targets,
                }
            })
            .collect();
        view::ok(&ReviewPage {
            c: page.chrome("ui-sr-review-title", Nav::Members),
            items,
            notice: raw
                .as_deref()
                .is_some_and(|s| s.contains("reviewed=1"))
                .then(|| lang.t("ui-saved")),
        })
    }
    .await;
    page.respond(r)
}

/// The review form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    csrf: String,
    /// accept or discard.
    decision: String,
    /// A workplace id or `new`.
    workplace: String,
}

impl HasCsrf for ReviewForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /self-report/review/{id}` — accept (into a workplace) or discard one answer. Audited
/// (`selfreport.accept`, `selfreport.discard`).
pub async fn decide(
    Organizer(page): Organizer<Page>,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Response {
    let r = async {
        let actor = page.user.username.clone();
        match form.decision.as_str() {
            "accept" => {
                let target = match form.workplace.as_str() {
                    "new" | "" => Target::New,
                    w => Target::Existing(
                        w.parse()
                            .map_err(|_| AppError::invalid("workplace", "a workplace id"))?,
                    ),
                };
                page.write(move |tx| {
                    let (member, wp) = sr::accept(tx, id, target, &actor)?;
                    Ok(audit("selfreport.accept", format!("member:{member}"))
                        .detail(format!("answer:{id} workplace:{wp}")))
                })
                .await?;
            }
            "discard" => {
                page.write(move |tx| {
                    let member = sr::discard(tx, id, &actor)?;
                    Ok(audit("selfreport.discard", format!("member:{member}"))
                        .detail(format!("answer:{id}")))
                })
                .await?;
            }
            _ => return Err(AppError::invalid("decision", "accept or discard")),
        }
        Ok(view::redirect("/self-report/review?reviewed=1"))
    }
    .await;
    page.respond(r)
}

/// The dashboard's lines about mapping: the mapped share, and links sent / opened / answered /
/// accepted once any were made. The counts are kept until the next write (store::cache), like
/// the dashboard's other aggregates: at 20,000 members they cost more than the rest of the page.
pub async fn dashboard_progress(
    state: &AppState,
    lang: Lang,
) -> Result<Vec<(String, String)>, AppError> {
    let p = *state
        .store()
        .read_cached(
            "selfreport:progress".to_owned(),
            super::shared::CACHE_TTL,
            sr::progress,
        )
        .await?;
    let mut lines = progress_lines(lang, &p);
    if p.sent == 0 {
        lines.truncate(1);
    }
    Ok(lines)
}
