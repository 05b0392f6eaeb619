//! The whole route table.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use tower_http::timeout::TimeoutLayer;

use super::{
    AppState, BODY_LIMIT, INGEST_TIMEOUT, REQUEST_TIMEOUT, api, publications, trustee_api, ui,
    witness_api,
};

/// The application: the JSON API, the dashboards, limits, timeouts and the security headers.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        // Public: identity, trust and the log.
        .route("/api/v1/card", get(api::card))
        .route("/api/v1/revocations", get(api::revocations))
        .route("/api/v1/guidance", get(api::guidance))
        .route("/api/v1/log/checkpoint", get(api::checkpoint))
        .route("/api/v1/log/proof", get(api::proof))
        // Children.
        .route("/api/v1/enroll", post(api::enroll))
        .route("/api/v1/enroll/{id}", get(api::enroll_status))
        .route("/api/v1/rotate", post(api::rotate))
        .route(
            "/api/v1/support-requests",
            post(api::support_post).get(api::support_inbox),
        )
        .route(
            "/api/v1/support-requests/relayed",
            post(api::support_relayed),
        )
        .route(
            "/api/v1/support-requests/{id}/status",
            post(api::support_status),
        )
        // People: login, then admin or viewer endpoints.
        .route("/api/v1/login", post(api::login))
        .route("/api/v1/status", get(api::status))
        .route("/api/v1/children", get(api::children))
        .route("/api/v1/invites", post(api::invite))
        .route("/api/v1/enroll-requests", get(api::pending))
        .route("/api/v1/enroll-requests/{id}/approve", post(api::approve))
        .route("/api/v1/enroll-requests/{id}/reject", post(api::reject))
        .route("/api/v1/children/{id}/revoke", post(api::revoke))
        .route("/api/v1/completeness", get(api::completeness))
        .route("/api/v1/tables/{period}", get(api::tables))
        .route(
            "/api/v1/rollups/{period}",
            get(api::rollup).post(api::build_rollup),
        )
        // Viewers: what was published, never live sums.
        .route(
            "/api/v1/publications/{period}",
            get(publications::publication),
        )
        // Campaign approval: chapters submit (signed requests) and read the signed decisions.
        .route(
            "/api/v1/campaign-submissions",
            post(api::campaign_submit).get(api::campaign_decisions),
        )
        // Witnessed checkpoints: the log as C2SP notes, and this hub as a tlog-witness.
        // National's released shares for a regional hub's views (crate::relay).
        .route(crate::relay::RELAY_PATH, post(trustee_api::relayed))
        .route("/api/v1/log/note", get(witness_api::note))
        .route("/api/v1/log/note-keys", get(witness_api::note_keys))
        .route("/api/v1/log/consistency", get(witness_api::consistency))
        .route(
            "/api/v1/witness/add-checkpoint",
            post(witness_api::add_checkpoint),
        );
    // A trustee verifies a whole tree before it answers: its own body limit and timeout.
    let trustee = Router::new()
        .route(
            "/api/v1/trustee/shares",
            post(trustee_api::shares)
                .layer(DefaultBodyLimit::max(trustee_api::SHARES_BODY_LIMIT))
                .layer(axum::middleware::from_fn(api::large_uploads_one_at_a_time)),
        )
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            trustee_api::SHARES_TIMEOUT,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(crate::logging::log_request))
        .with_state(state.clone());
    // Reports and rollups: the body must arrive within the usual timeout, and verifying it may
    // take up to INGEST_TIMEOUT.
    let ingest = Router::new()
        .route(
            "/api/v1/reports",
            post(api::reports)
                .layer(DefaultBodyLimit::max(report_body_limit(
                    state.hub().level(),
                )))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    api::body_within_request_timeout,
                ))
                .layer(axum::middleware::from_fn(api::large_uploads_one_at_a_time)),
        )
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            INGEST_TIMEOUT,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(crate::logging::log_request))
        .with_state(state.clone());
    Router::new()
        .merge(api)
        .merge(ui::router())
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(crate::logging::log_request))
        .with_state(state)
        .merge(trustee)
        .merge(ingest)
}

/// Largest sealed body `POST /api/v1/reports` takes: a chapter's report anywhere, a regional
/// hub's sealed bundle at national (docs/protocol.md §Limits).
pub fn report_body_limit(level: crate::config::Level) -> usize {
    let plain = crate::ingest::plaintext_limit(level);
    // age adds a header and 16 bytes per 64 KiB chunk; armor adds a third and line breaks.
    plain.saturating_add(plain / 2).saturating_add(4096)
}

/// The headers every response carries, JSON and pages, answers and errors alike (404, 405, 408,
/// 413 included): no MIME sniffing, no framing, no referrer outside the hub, a policy that
/// loads nothing but the hub's own stylesheet and images, and no caching. A handler may set its
/// own value first (the stylesheet is cacheable).
const SECURITY_HEADERS: &[(HeaderName, &str)] = &[
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::CACHE_CONTROL, "no-store"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    ),
];

/// Adds [`SECURITY_HEADERS`] the handler did not set.
async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        if !h.contains_key(name) {
            h.insert(name.clone(), HeaderValue::from_static(value));
        }
    }
    resp
}
