//! The support requests page (admins): every request this hub holds, from its own chapters, up
//! from a regional child or down from the parent, with who asked, what for, how urgent, its
//! status and where it was relayed; and the admin actions *relay down* (to this hub's matching
//! children) and *relay up* (a regional hub to national). See [`crate::support`] for the matching
//! rule and how statuses travel. Every action is a CSRF-checked form, audited.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shopfloor_protocol::registry::Dim;

use super::charts::value_label;
use super::i18n::{Arg, Lang, LangExt as _};
use super::pages::{internal, page};
use super::session::{Staff, Visitor, csrf_refused};
use super::view::{Chrome, Nav, error_page, redirect};
use crate::config::Level;
use crate::support::{self, Origin, Status, Urgency};
use crate::web::AppState;

/// A request as listed.
#[derive(Debug)]
pub struct Row {
    id: String,
    from: String,
    origin: String,
    skills: String,
    language: String,
    sector: String,
    urgency: String,
    urgent: bool,
    status: String,
    open: bool,
    created: String,
    message: String,
    relayed: String,
    relays: Vec<String>,
    can_up: bool,
}

/// The support requests page.
#[derive(Debug, Template)]
#[template(path = "support.html")]
pub struct SupportPage {
    c: Chrome,
    rows: Vec<Row>,
    open: bool,
    notice: Option<String>,
}

/// Body of the relay forms.
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Query of `/ui/support`.
#[derive(Debug, Default, Deserialize)]
pub struct SupportQuery {
    show: Option<String>,
    done: Option<String>,
    n: Option<u64>,
}

fn urgency_label(lang: Lang, u: Urgency) -> String {
    lang.t(match u {
        Urgency::Low => "hub-support-urgency-low",
        Urgency::Normal => "hub-support-urgency-normal",
        Urgency::Urgent => "hub-support-urgency-urgent",
    })
}

fn status_label(lang: Lang, s: Status) -> String {
    lang.t(match s {
        Status::Open => "hub-support-status-open",
        Status::Met => "hub-support-status-met",
        Status::Unmet => "hub-support-status-unmet",
    })
}

fn direction_label(lang: Lang, d: &str) -> String {
    lang.t(match d {
        "up" => "hub-support-dir-up",
        "down" => "hub-support-dir-down",
        _ => "hub-support-dir-auto",
    })
}

fn notice(lang: Lang, done: Option<&str>, n: u64) -> Option<String> {
    match done? {
        "down" => Some(lang.ta(
            "hub-support-notice-down",
            &[("count", Arg::Num(i64::try_from(n).unwrap_or(i64::MAX)))],
        )),
        "up" => Some(lang.t("hub-support-notice-up")),
        _ => None,
    }
}

/// GET /ui/support (admin): the requests, open ones or (`?show=closed`) closed ones.
pub async fn support_page(
    State(state): State<AppState>,
    Staff(v, _): Staff,
    q: std::result::Result<Query<SupportQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let open = q.show.as_deref() != Some("closed");
    let vv = v.clone();
    page(&state, &v, move |hub| {
        let lang = vv.lang;
        let c = Chrome::new(&vv, &hub.config().name, "hub-support-title", Nav::Support);
        let can_up = hub.level() == Level::Regional
            && hub.parent()?.is_some_and(|p| p.certificate.is_some());
        // Children, this hub and its parent by name; anyone else (a chapter of another region)
        // by the name the request carries, or in words: never by id.
        let mut names: std::collections::BTreeMap<String, String> =
            crate::enroll::children(hub.store())?
                .into_iter()
                .map(|c| (c.id.as_str().to_owned(), c.name))
                .collect();
        names.insert(hub.card().id.to_string(), hub.config().name.clone());
        if let Some(p) = hub.parent()? {
            names.insert(p.card.id.to_string(), p.card.name.clone());
        }
        let name = |id: &str| {
            names
                .get(id)
                .cloned()
                .unwrap_or_else(|| lang.t("hub-support-unknown-party"))
        };
        let rows = support::list(hub, open)?
            .into_iter()
            .map(|a| {
                let relays: Vec<String> = a
                    .relays
                    .iter()
                    .map(|r| {
                        let who = if r.actor.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", r.actor)
                        };
                        format!(
                            "{} {}{who}, {}",
                            direction_label(lang, &r.direction),
                            name(&r.target),
                            lang.time(r.at)
                        )
                    })
                    .collect();
                let gone_up = a.relays.iter().any(|r| r.direction == "up");
                Row {
                    origin: match &a.origin {
                        Origin::Own => lang.t("hub-support-origin-own"),
                        Origin::Child(via) => {
                            lang.ta("hub-support-origin-child", &[("name", Arg::Str(name(via)))])
                        }
                        Origin::Parent => lang.t("hub-support-origin-parent"),
                    },
                    can_up: can_up
                        && a.status == Status::Open
                        && a.origin != Origin::Parent
                        && !gone_up,
                    id: a.id,
                    from: names.get(a.requester.as_str()).cloned().unwrap_or_else(|| {
                        a.body
                            .chapter
                            .clone()
                            .unwrap_or_else(|| lang.t("hub-support-unknown-party"))
                    }),
                    skills: a
                        .body
                        .skills
                        .iter()
                        .map(|s| value_label(lang, Dim::Skill, s))
                        .collect::<Vec<_>>()
                        .join(", "),
                    language: a
                        .body
                        .language
                        .as_deref()
                        .map(|l| value_label(lang, Dim::Language, l))
                        .unwrap_or_default(),
                    sector: a
                        .body
                        .sector
                        .as_deref()
                        .map(|s| value_label(lang, Dim::Sector, s))
                        .unwrap_or_default(),
                    urgency: urgency_label(lang, a.body.urgency),
                    urgent: a.body.urgency == Urgency::Urgent,
                    status: status_label(lang, a.status),
                    open: a.status == Status::Open,
                    created: lang.time(a.created_at),
                    message: a.body.message,
                    relayed: lang.ta(
                        "hub-support-relayed-count",
                        &[(
                            "count",
                            Arg::Num(i64::try_from(relays.len()).unwrap_or(i64::MAX)),
                        )],
                    ),
                    relays,
                }
            })
            .collect();
        Ok(Ok(SupportPage {
            c,
            rows,
            open,
            notice: notice(lang, q.done.as_deref(), q.n.unwrap_or(0)),
        }))
    })
    .await
}

fn refusal(v: &Visitor, state: &AppState, e: &crate::Error) -> Response {
    let name = state.hub().config().name.clone();
    match e.code() {
        "no-such-support-request" => error_page(
            v,
            &name,
            StatusCode::NOT_FOUND,
            "err-no-such-support-request",
            "rec-no-such-support-request",
        ),
        "support-request-closed" | "came-from-parent" | "no-parent" => error_page(
            v,
            &name,
            StatusCode::CONFLICT,
            "err-support-not-relayable",
            "rec-support-not-relayable",
        ),
        _ if matches!(e, crate::Error::Remote(_)) => error_page(
            v,
            &name,
            StatusCode::BAD_GATEWAY,
            "err-support-parent",
            "rec-support-parent",
        ),
        _ => internal(v, state, e),
    }
}

/// POST /ui/support/{id}/relay-down (admin): relays the request to this hub's matching children.
pub async fn relay_down(
    State(state): State<AppState>,
    Staff(v, user): Staff,
    Path(id): Path<String>,
    form: std::result::Result<Form<CsrfOnly>, FormRejection>,
) -> Response {
    if !form.is_ok_and(|Form(f)| v.csrf_ok(&f.csrf)) {
        return csrf_refused(&v, &state.hub().config().name);
    }
    if !support::id_ok(&id) {
        return refusal(
            &v,
            &state,
            &crate::Error::not_found("no-such-support-request", "no such request"),
        );
    }
    match state
        .blocking(move |hub| support::relay_down(hub, &id, &user.name))
        .await
    {
        Ok(n) => redirect(&format!("/ui/support?done=down&n={n}")),
        Err(e) => refusal(&v, &state, &e),
    }
}

/// POST /ui/support/{id}/relay-up (admin of a regional hub): relays the request to national.
pub async fn relay_up(
    State(state): State<AppState>,
    Staff(v, user): Staff,
    Path(id): Path<String>,
    form: std::result::Result<Form<CsrfOnly>, FormRejection>,
) -> Response {
    if !form.is_ok_and(|Form(f)| v.csrf_ok(&f.csrf)) {
        return csrf_refused(&v, &state.hub().config().name);
    }
    if !support::id_ok(&id) {
        return refusal(
            &v,
            &state,
            &crate::Error::not_found("no-such-support-request", "no such request"),
        );
    }
    let hub = state.hub().clone();
    match support::relay_up(&hub, &id, &user.name).await {
        Ok(()) => redirect("/ui/support?done=up"),
        Err(e) => refusal(&v, &state, &e),
    }
}
