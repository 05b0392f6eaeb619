//! Campaign approval (`/ui/campaigns`, admins only; viewers get the 403 page like
//! `/ui/enrollments`): pending submissions beside the criterion they answer, a form to approve
//! or send back with a comment (required to send back), the history of decisions and every
//! criteria version this hub published. The work is in [`crate::campaigns`].

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shopfloor_protocol::campaign::Outcome;
use shopfloor_protocol::registry::Dim;

use super::charts::value_label;
use super::i18n::Lang;
use super::pages;
use super::session::{Staff, Visitor, csrf_refused};
use super::view::{Chrome, Nav, error_page, redirect};
use crate::campaigns::{self, CriteriaVersion};
use crate::web::AppState;
use crate::web::ui::i18n::LangExt as _;

/// A metric line: name and target.
#[derive(Debug)]
pub struct MetricLine {
    name: String,
    target: String,
}

/// A pending submission as shown.
#[derive(Debug)]
pub struct PendingRow {
    seq: i64,
    chapter: String,
    chapter_id: String,
    id: String,
    received_at: String,
    kind: String,
    sector: String,
    labor: String,
    summary: String,
    metrics: Vec<MetricLine>,
    criterion: String,
    criterion_metrics: Vec<MetricLine>,
    version: String,
}

/// A decision as listed.
#[derive(Debug)]
pub struct DecisionRow {
    chapter: String,
    id: String,
    outcome: String,
    approved: bool,
    comment: String,
    decided_at: String,
    version: String,
}

/// A criteria version as listed.
#[derive(Debug)]
pub struct VersionRow {
    digest: String,
    issued_at: String,
    criteria: String,
}

/// The page.
#[derive(Debug, Template)]
#[template(path = "campaigns.html")]
pub struct CampaignsPage {
    c: Chrome,
    notice: Option<String>,
    pending: Vec<PendingRow>,
    history: Vec<DecisionRow>,
    versions: Vec<VersionRow>,
}

fn short(hex: &str) -> String {
    hex.chars().take(12).collect()
}

fn outcome_label(lang: Lang, outcome: &str) -> String {
    if outcome == "approved" {
        lang.t("hub-campaign-approved")
    } else {
        lang.t("hub-campaign-returned")
    }
}

fn num(lang: Lang, n: u64) -> String {
    lang.num(n)
}

/// Query carrying the outcome of the decision form.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// GET /ui/campaigns (admin): submissions to decide, the history and the criteria versions.
pub async fn campaigns_page(
    State(state): State<AppState>,
    Staff(v, _): Staff,
    q: std::result::Result<Query<Done>, QueryRejection>,
) -> Response {
    let done = q.ok().and_then(|Query(q)| q.done);
    let vv = v.clone();
    pages::page(&state, &v, move |hub| {
        let lang = vv.lang;
        let c = Chrome::new(
            &vv,
            &hub.config().name,
            "hub-campaigns-title",
            Nav::Campaigns,
        );
        let versions: Vec<CriteriaVersion> = campaigns::criteria_versions(hub)?;
        let names: std::collections::BTreeMap<String, String> =
            crate::enroll::children(hub.store())?
                .into_iter()
                .map(|c| (c.id.as_str().to_owned(), c.name))
                .collect();
        let pending = campaigns::submissions(hub, Some("pending"))?
            .into_iter()
            .map(|s| {
                let crit = campaigns::criterion_of(&versions, &s.submission);
                let sub = &s.submission;
                PendingRow {
                    seq: s.seq,
                    chapter: s.chapter_name.clone(),
                    chapter_id: s.chapter.clone(),
                    id: sub.id.clone(),
                    received_at: lang.time(s.received_at),
                    kind: value_label(lang, Dim::CampaignType, &sub.campaign_type),
                    sector: value_label(lang, Dim::Sector, &sub.sector),
                    labor: lang.t(if sub.labor_component {
                        "hub-campaign-yes"
                    } else {
                        "hub-campaign-no"
                    }),
                    summary: sub.summary.clone(),
                    metrics: sub
                        .metrics
                        .iter()
                        .map(|m| MetricLine {
                            name: m.name.clone(),
                            target: num(lang, m.target),
                        })
                        .collect(),
                    criterion: crit.as_ref().map_or_else(
                        || sub.criterion.clone(),
                        |c| lang.pick(&c.title_en, &c.title_es).to_owned(),
                    ),
                    criterion_metrics: crit
                        .map(|c| {
                            c.metrics
                                .iter()
                                .map(|m| MetricLine {
                                    name: lang.pick(&m.name_en, &m.name_es).to_owned(),
                                    target: num(lang, m.target),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    version: short(&sub.criteria_version.to_hex()),
                }
            })
            .collect();
        let history = campaigns::history(hub)?
            .into_iter()
            .map(|h| DecisionRow {
                chapter: names.get(&h.chapter).cloned().unwrap_or(h.chapter),
                id: h.id,
                approved: h.outcome == "approved",
                outcome: outcome_label(lang, &h.outcome),
                comment: h.comment,
                decided_at: lang.time(h.decided_at),
                version: short(&h.criteria_version),
            })
            .collect();
        let versions = versions
            .iter()
            .map(|v| VersionRow {
                digest: short(&v.digest),
                issued_at: lang.time(v.issued_at),
                criteria: v
                    .criteria
                    .iter()
                    .map(|c| lang.pick(&c.title_en, &c.title_es).to_owned())
                    .collect::<Vec<_>>()
                    .join(" · "),
            })
            .collect();
        let notice = match done.as_deref() {
            Some("approved") => Some(lang.t("hub-campaign-notice-approved")),
            Some("returned") => Some(lang.t("hub-campaign-notice-returned")),
            _ => None,
        };
        Ok(Ok(CampaignsPage {
            c,
            notice,
            pending,
            history,
            versions,
        }))
    })
    .await
}

/// Body of the decision form.
#[derive(Debug, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    comment: String,
}

fn refuse(v: &Visitor, state: &AppState, status: StatusCode, err: &str, rec: &str) -> Response {
    error_page(v, &state.hub().config().name, status, err, rec)
}

/// POST /ui/campaigns/{seq}/decide (admin): approves or sends back a pending submission; the
/// hub signs the decision and the chapter fetches it.
pub async fn decide(
    State(state): State<AppState>,
    Staff(v, user): Staff,
    Path(seq): Path<i64>,
    form: std::result::Result<Form<DecideForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return csrf_refused(&v, &state.hub().config().name);
    };
    if !v.csrf_ok(&f.csrf) {
        return csrf_refused(&v, &state.hub().config().name);
    }
    let outcome = match f.outcome.as_str() {
        "approved" => Outcome::Approved,
        "returned" => Outcome::Returned,
        _ => {
            return refuse(
                &v,
                &state,
                StatusCode::BAD_REQUEST,
                "err-campaign-outcome",
                "rec-campaign-outcome",
            );
        }
    };
    let comment = f.comment.trim().to_owned();
    if comment.chars().count() > campaigns::MAX_COMMENT
        || (outcome == Outcome::Returned && comment.is_empty())
    {
        return refuse(
            &v,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "err-campaign-comment",
            "rec-campaign-comment",
        );
    }
    let name = user.name.clone();
    let result = state
        .blocking(move |hub| campaigns::decide(hub, seq, outcome, &comment, &name))
        .await;
    match result {
        Ok(_) => redirect(&format!("/ui/campaigns?done={}", outcome.code())),
        Err(e) if e.code() == "no-such-submission" => refuse(
            &v,
            &state,
            StatusCode::NOT_FOUND,
            "err-no-such-submission",
            "rec-no-such-submission",
        ),
        Err(e) if e.status() == 409 => refuse(
            &v,
            &state,
            StatusCode::CONFLICT,
            "err-campaign-not-pending",
            "rec-campaign-not-pending",
        ),
        Err(e) if e.status() == 422 => refuse(
            &v,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "err-campaign-comment",
            "rec-campaign-comment",
        ),
        Err(e) => pages::internal(&v, &state, &e),
    }
}
