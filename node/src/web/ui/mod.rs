//! The HTML interface: server-rendered pages in English and Spanish.
//!
//! - Templates are compiled with the binary (askama, `node/templates/`); every string comes from
//!   the Fluent catalogues `node/i18n/{en,es}/node.ftl` ([`i18n`]) or, for metric and vocabulary
//!   labels, from [`shopfloor_protocol::registry`].
//! - No JavaScript: every flow is a link or a form; forms carry the session's CSRF token and their
//!   handlers check it ([`page::Page::form`]); a `POST` answers with a `303` to a page.
//! - Roles shape every page on the server ([`crate::web::Role`]): pod leads see only their pods'
//!   members (anyone else's member page is a 404), viewers see aggregates only.
//! - Charts are hand-written SVG ([`chart`]) with every value also written as text and tabled.
//! - The stylesheet (`node/assets/style.css`) is served from the binary.
//!
//! The whole route table of the pages is [`router`].

pub mod account;
pub mod admin;
pub mod campaign_approval;
pub mod chart;
pub mod dashboard;
pub mod flash;
pub mod i18n;
pub mod import_map;
pub mod members;
pub mod organizing;
pub mod outbox;
pub mod page;
pub mod reports;
pub mod selfreport;
pub mod selfreport_review;
pub mod shared;
pub mod view;
pub mod workplaces;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::AppState;

/// The stylesheet, compiled in.
const STYLE: &str = include_str!("../../../assets/style.css");

/// `GET /assets/style.css`
async fn style() -> Response {
    let mut resp = STYLE.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// The pages' routes, merged into [`crate::web::router`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/style.css", get(style))
        .route("/login", get(account::login))
        .route("/logout", get(account::logout))
        .route("/account", get(account::account))
        .route("/account/password", get(account::account))
        .route("/language", post(account::set_language))
        .route("/", get(dashboard::show))
        .route("/members", get(members::list))
        .route("/members/new", get(members::new).post(members::create))
        .route("/members/{id}", get(members::show))
        .route(
            "/members/{id}/edit",
            get(members::edit).post(members::update),
        )
        .route("/members/{id}/workplace", post(members::link))
        .route("/members/{id}/trainings", post(members::training))
        .route("/members/{id}/reserve", post(members::reserve_opt))
        .route("/workplaces", get(workplaces::list))
        .route(
            "/workplaces/new",
            get(workplaces::new).post(workplaces::create),
        )
        .route("/workplaces/{id}", get(workplaces::show))
        .route(
            "/workplaces/{id}/edit",
            get(workplaces::edit).post(workplaces::update),
        )
        .route("/workplaces/{id}/stage", post(workplaces::stage))
        .route("/members/{id}/pods", post(organizing::pods_add_member))
        .route(
            "/pods",
            get(organizing::pods_page).post(organizing::pods_create),
        )
        .route(
            "/trainings",
            get(organizing::trainings_page).post(organizing::trainings_add),
        )
        .route("/leadership", get(organizing::leadership_page))
        .route("/mentorships", post(organizing::mentorship_start))
        .route("/mentorships/{id}/end", post(organizing::mentorship_end))
        .route("/reserve", get(organizing::reserve_page))
        .route(
            "/campaigns",
            get(organizing::campaigns_page).post(organizing::campaigns_create),
        )
        .route(
            "/campaigns/{id}",
            get(organizing::campaign_page).post(organizing::campaign_update),
        )
        .route("/campaigns/{id}/metrics", post(organizing::campaign_metric))
        .route(
            "/campaigns/{id}/workplaces",
            post(organizing::campaign_workplace),
        )
        .route(
            "/recruitment",
            get(organizing::recruitment_page).post(organizing::recruitment_record),
        )
        .route(
            "/import",
            get(admin::import_form).merge(
                post(admin::import_upload).layer(DefaultBodyLimit::max(super::IMPORT_BODY_LIMIT)),
            ),
        )
        .route("/import/confirm", post(admin::import_confirm))
        .route("/settings", get(admin::settings))
        .route("/settings/users", post(admin::users_add))
        .route("/settings/users/{id}", post(admin::users_update))
        .route("/settings/facts", post(admin::facts_save))
        .route("/settings/enroll", post(admin::enroll))
        .route("/settings/backup", post(admin::backup_now))
        .route("/audit", get(admin::audit_log))
        .route("/reports", get(reports::reports))
        .route("/reports/submit", post(reports::submit))
        .route("/guidance", get(reports::guidance))
        .route("/support", post(reports::ask_support))
        .route("/support/{id}/status", post(reports::support_status))
        .route(
            "/campaigns/{id}/submit",
            post(campaign_approval::campaign_submit),
        )
        .route("/r/{token}", get(selfreport::open).post(selfreport::answer))
        .route("/self-report", get(selfreport::admin))
        .route("/self-report/links", post(selfreport::make_links))
        .route("/self-report/review", get(selfreport::review))
        .route("/self-report/review/{id}", post(selfreport::decide))
        .route("/import/map", post(admin::import_map))
}

/// The not-found page for any unknown path outside `/api/` (the router's fallback).
pub async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    tracing::debug!("no page at {}", uri.path());
    view::error_page(
        None,
        page::anonymous_lang(&headers),
        &super::AppError::not_found("page"),
    )
}

#[cfg(test)]
mod tests {
    use super::i18n::{Lang, LangExt as _, missing_lookups};

    /// Message ids written literally in the templates and the page code.
    fn literal_ids() -> Vec<String> {
        let mut sources: Vec<String> = Vec::new();
        for dir in ["templates", "src/web/ui"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(&root).unwrap().flatten() {
                sources.push(std::fs::read_to_string(entry.path()).unwrap());
            }
        }
        let mut ids = Vec::new();
        for text in &sources {
            for part in text.split('"').skip(1).step_by(2) {
                let ok = ["ui-", "err-", "rec-"].iter().any(|p| part.starts_with(p))
                    && part.len() > 4
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !part.ends_with('-');
                if ok {
                    ids.push(part.to_owned());
                }
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }

    #[test]
    fn every_message_the_pages_use_exists_in_both_languages() {
        let ids = literal_ids();
        assert!(ids.len() > 300, "found only {} ids", ids.len());
        let mut dynamic = super::view::dynamic_ids();
        dynamic.extend(super::import_map::dynamic_ids());
        for lang in Lang::ALL {
            for id in ids.iter().chain(dynamic.iter()) {
                let before = missing_lookups();
                let _ = lang.ta(id, &super::i18n::test_args());
                assert_eq!(missing_lookups(), before, "{id} missing in {}", lang.code());
            }
        }
    }
}
