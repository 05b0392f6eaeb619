//! The whole route table, and who may use each route.
//!
//! | route | anonymous | viewer | pod_lead | organizer | admin |
//! |---|---|---|---|---|---|
//! | `GET /api/v1/health`, `POST /api/v1/login`, `POST /login` | yes | yes | yes | yes | yes |
//! | `GET /api/v1/me`, `POST /api/v1/logout`, `POST /api/v1/password`, `POST /logout`, `POST /account/password` | 401 | yes | yes | yes | yes |
//! | `GET /api/v1/dashboard`, `GET /api/v1/report/preview` | 401 | yes | yes | yes | yes |
//! | `GET /api/v1/trainings`, `GET /api/v1/campaigns[/{id}]`, `GET /api/v1/facts` | 401 | yes | yes | yes | yes |
//! | `GET /api/v1/members[/{id}[/trainings]]`, `PATCH /api/v1/members/{id}`, `POST /api/v1/members/{id}/trainings` | 401 | 403 | own pods (else 404) | yes | yes |
//! | `GET /api/v1/workplaces[/{id}]`, `PUT …/{id}`, `POST …/{id}/stage`, `…/members`, `…/recruitments` | 401 | 403 | own pods' workplaces | yes | yes |
//! | `GET /api/v1/pods`, `/mentorships`, `/reserve` and their member-level writes | 401 | 403 | own pods | yes | yes |
//! | `POST /api/v1/workplaces`, `/pods`, pod membership, `/campaigns…` writes, `PUT /trainings/{code}`, `PUT /facts`, `POST /api/v1/import` | 401 | 403 | 403 | yes | yes |
//! | `/api/v1/users…`, `GET /api/v1/audit`, `GET /api/v1/export/members` | 401 | 403 | 403 | 403 | yes |
//!
//! Every route is walked for every role by `node/tests/it/web_roles.rs`.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::{get, patch, post, put};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use super::api::{self, account, admin, members, organizing, report, workplaces};
use super::{AppState, BODY_LIMIT, IMPORT_BODY_LIMIT, REQUEST_TIMEOUT, csrf, forms, ui};

/// The application: the JSON API, the form handlers and the pages, with body limits, timeouts,
/// the same-origin check and security headers.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/v1/health", get(api::health))
        // Accounts.
        .route("/api/v1/login", post(account::login))
        .route("/api/v1/logout", post(account::logout))
        .route("/api/v1/me", get(account::me))
        .route("/api/v1/password", post(account::password))
        // Aggregates (every role).
        .route("/api/v1/dashboard", get(api::dashboard))
        .route("/api/v1/report/preview", get(report::preview))
        // Members.
        .route("/api/v1/members", get(members::list))
        .route(
            "/api/v1/members/{id}",
            get(members::get).patch(members::update),
        )
        .route(
            "/api/v1/members/{id}/trainings",
            get(members::trainings_of).post(members::complete_training),
        )
        // Workplaces.
        .route(
            "/api/v1/workplaces",
            get(workplaces::list).post(workplaces::create),
        )
        .route(
            "/api/v1/workplaces/{id}",
            get(workplaces::get).put(workplaces::update),
        )
        .route("/api/v1/workplaces/{id}/stage", post(workplaces::set_stage))
        .route(
            "/api/v1/workplaces/{id}/members",
            post(workplaces::link_member),
        )
        .route(
            "/api/v1/workplaces/{id}/members/{member_id}",
            axum::routing::delete(workplaces::unlink_member),
        )
        .route(
            "/api/v1/workplaces/{id}/recruitments",
            post(workplaces::recruit),
        )
        // Pods, trainings, mentorships, reserve, campaigns, facts.
        .route(
            "/api/v1/pods",
            get(organizing::pods_list).post(organizing::pods_create),
        )
        .route(
            "/api/v1/pods/{id}/members",
            post(organizing::pods_add_member),
        )
        .route(
            "/api/v1/pods/{id}/members/{member_id}",
            axum::routing::delete(organizing::pods_remove_member),
        )
        .route("/api/v1/trainings", get(organizing::trainings_catalog))
        .route(
            "/api/v1/trainings/{code}",
            put(organizing::trainings_upsert),
        )
        .route(
            "/api/v1/mentorships",
            get(organizing::mentorships_list).post(organizing::mentorships_start),
        )
        .route(
            "/api/v1/mentorships/{id}/end",
            post(organizing::mentorships_end),
        )
        .route("/api/v1/reserve", get(organizing::reserve_list))
        .route(
            "/api/v1/reserve/{member_id}",
            put(organizing::reserve_put).delete(organizing::reserve_delete),
        )
        .route(
            "/api/v1/campaigns",
            get(organizing::campaigns_list).post(organizing::campaigns_create),
        )
        .route(
            "/api/v1/campaigns/{id}",
            get(organizing::campaigns_get).put(organizing::campaigns_update),
        )
        .route(
            "/api/v1/campaigns/{id}/metrics",
            put(organizing::campaigns_metric),
        )
        .route(
            "/api/v1/campaigns/{id}/workplaces",
            post(organizing::campaigns_add_workplace),
        )
        .route(
            "/api/v1/facts",
            get(organizing::facts_get).put(organizing::facts_put),
        )
        // Bulk and admin.
        .route(
            "/api/v1/import",
            post(admin::import_csv).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)),
        )
        .route("/api/v1/export/members", get(admin::export_members))
        .route(
            "/api/v1/users",
            get(admin::users_list).post(admin::users_create),
        )
        .route("/api/v1/users/{id}", patch(admin::users_update))
        .route(
            "/api/v1/users/{id}/password",
            post(admin::users_reset_password),
        )
        .route("/api/v1/audit", get(admin::audit_log));
    let forms = Router::new()
        .route("/login", post(forms::login))
        .route("/logout", post(forms::logout))
        .route("/account/password", post(forms::password));
    Router::new()
        .merge(api)
        .merge(forms)
        .merge(ui::router())
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::same_origin,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(header_layer(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(header_layer(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(header_layer(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(header_layer(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        ))
        .layer(axum::middleware::from_fn(crate::logging::log_request))
        .with_state(state)
}

/// Sets a header unless the handler already did (pages may set their own Cache-Control or CSP).
fn header_layer(name: HeaderName, value: HeaderValue) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, value)
}
