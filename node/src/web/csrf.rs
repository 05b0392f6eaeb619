//! Cross-site request forgery defences, three deep:
//!
//! 1. The session cookie is `SameSite=Strict`: browsers do not send it on cross-site requests.
//! 2. [`same_origin`] (a middleware on every route) refuses unsafe requests that a browser marks
//!    as coming from another site (`Sec-Fetch-Site`) or whose `Origin` is not this server.
//! 3. A per-session token: HTML forms carry it in a hidden field named `csrf` and their handlers
//!    call [`check_csrf`]; cookie-authenticated `/api/` writes send it in `X-CSRF-Token` (checked
//!    by [`super::CurrentUser`] itself). Requests with `Authorization: Bearer` are exempt.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::{AuthMethod, AuthRejection, CurrentUser, is_safe};
use super::session::constant_time_eq;
use super::{AppError, AppState};

/// Name of the hidden form field that carries the token.
pub const FORM_FIELD: &str = "csrf";
/// Header that carries the token on cookie-authenticated API writes.
pub const HEADER: &str = "x-csrf-token";

/// The logged-in session's CSRF token, for rendering forms:
/// `<input type="hidden" name="csrf" value="{{ csrf.0 }}">`. Rejects like [`CurrentUser`]
/// (login redirect for pages). For a bearer-token request it is empty (forms are not used there).
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl FromRequestParts<AppState> for CsrfToken {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, AuthRejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        Ok(CsrfToken(user.csrf_token().unwrap_or_default().to_owned()))
    }
}

/// Checks a form's `csrf` field against the user's session. Every HTML form `POST` handler calls
/// this before doing anything. Bearer-token requests pass (they carry no ambient credentials).
pub fn check_csrf(user: &CurrentUser, form_token: &str) -> Result<(), AppError> {
    match &user.auth {
        AuthMethod::Token => Ok(()),
        AuthMethod::Session { csrf, .. } if constant_time_eq(form_token, csrf) => Ok(()),
        AuthMethod::Session { .. } => Err(AppError::Csrf),
    }
}

/// Whether `Origin` (if any) names this server: the configured `public_url`, or the `Host` the
/// request was sent to.
fn origin_ok(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if let Some(url) = public_url
        && origin.eq_ignore_ascii_case(url.trim_end_matches('/'))
    {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    !host.is_empty() && origin_host.is_some_and(|h| h.eq_ignore_ascii_case(host))
}

/// Middleware: refuses unsafe requests (POST, PUT, PATCH, DELETE) that a browser says come from
/// another site, unless they authenticate with a bearer token.
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let bearer = headers.contains_key(header::AUTHORIZATION);
    if !is_safe(req.method()) && !bearer {
        let fetch_site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("same-origin");
        let site_ok = matches!(fetch_site, "same-origin" | "none");
        if !site_ok || !origin_ok(headers, state.config().public_url.as_deref()) {
            return AppError::Csrf.into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn origin_must_match_host_or_public_url() {
        let mut h = HeaderMap::new();
        assert!(origin_ok(&h, None));
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(origin_ok(&h, None));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!origin_ok(&h, None));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!origin_ok(&h, None));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://shop.example.org"),
        );
        assert!(origin_ok(&h, Some("https://shop.example.org/")));
    }
}
