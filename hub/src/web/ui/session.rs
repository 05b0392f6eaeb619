//! Cookie sessions for the interface, CSRF tokens, and the language choice.
//!
//! Logging in goes through [`crate::web::auth::log_in`] (argon2id, the same sessions table and
//! the same login limits as `POST /api/v1/login`); the session token travels in an `HttpOnly`,
//! `SameSite=Strict` cookie, `Secure` when `hub.toml` says `[web] behind_tls = true`.
//!
//! Every form carries a CSRF token in a hidden field, checked on the server: for a logged-in
//! user it is derived from the session token (SHA-256 under a fixed label), so it changes with
//! every session and cannot be computed without the cookie; before login (the login form and the
//! language switch) it is a random value that must match a pre-session cookie.

use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::i18n::Lang;
use super::view::{self, Chrome, Nav, redirect, render};
use crate::users::{self, Role, User};
use crate::web::AppState;
use crate::web::auth::{ClientIp, device_cookie, device_token, log_in};
use crate::web::ui::i18n::LangExt as _;

/// The session cookie.
pub const SESSION_COOKIE: &str = "sf_session";
/// The pre-session CSRF cookie.
pub const PRE_COOKIE: &str = "sf_pre";
/// The language cookie (for visitors not logged in; users' choice is also stored with them).
pub const LANG_COOKIE: &str = "sf_lang";

/// Whoever sent the request, logged in or not.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The language to answer in.
    pub lang: Lang,
    /// The logged-in user.
    pub user: Option<User>,
    /// The CSRF token forms must carry.
    pub csrf: String,
    /// A new pre-session CSRF value to set as a cookie.
    pub set_pre: Option<String>,
    /// The session token.
    token: Option<String>,
    /// This request's path and query.
    pub path: String,
    /// Whether cookies are `Secure`.
    pub secure: bool,
}

impl Visitor {
    /// Whether the visitor is a logged-in admin.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Admin)
    }

    /// Whether a submitted token is this visitor's CSRF token.
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        !self.csrf.is_empty() && constant_time_eq(self.csrf.as_bytes(), submitted.as_bytes())
    }

    fn cookie(&self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The CSRF token of a session.
fn derive_csrf(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"shopfloor-ui-csrf\0");
    h.update(token.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A cookie of the request.
fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 200
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

fn internal(v: &Visitor, hub_name: &str, e: &crate::Error) -> Response {
    tracing::error!("interface: {e}");
    view::error_page(
        v,
        hub_name,
        StatusCode::INTERNAL_SERVER_ERROR,
        "err-internal",
        "rec-internal",
    )
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let header_lang = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language);
        let cookie_lang = cookie(parts, LANG_COOKIE).and_then(|c| Lang::parse(&c));
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
        let mut v = Visitor {
            lang: cookie_lang.or(header_lang).unwrap_or_default(),
            user: None,
            csrf: String::new(),
            set_pre: None,
            token: None,
            path,
            secure: state.hub().config().web.behind_tls,
        };
        if let Some(token) = cookie(parts, SESSION_COOKIE).filter(|t| t.starts_with("sfs_")) {
            let t = token.clone();
            let found = state
                .blocking(move |hub| {
                    let Some(user) = users::authenticate(hub.store(), &t)? else {
                        return Ok(None);
                    };
                    let lang = hub
                        .store()
                        .read(|db| crate::store::meta(db, &format!("ui-lang:{}", user.id)))?;
                    Ok(Some((user, lang)))
                })
                .await;
            match found {
                Ok(Some((user, lang))) => {
                    if let Some(l) = lang.as_deref().and_then(Lang::parse) {
                        v.lang = l;
                    }
                    v.user = Some(user);
                    v.csrf = derive_csrf(&token);
                    v.token = Some(token);
                }
                Ok(None) => {}
                Err(e) => return Err(internal(&v, &state.hub().config().name, &e)),
            }
        }
        if v.user.is_none() {
            match cookie(parts, PRE_COOKIE) {
                Some(pre) => v.csrf = pre,
                None => {
                    let pre = crate::secret::random_token("sfp_")
                        .map_err(|e| internal(&v, &state.hub().config().name, &e))?;
                    v.csrf = pre.clone();
                    v.set_pre = Some(pre);
                }
            }
        }
        Ok(v)
    }
}

/// A logged-in user (admin or viewer); anyone else is sent to the login page.
#[derive(Debug, Clone)]
pub struct Member(pub Visitor, pub User);

impl FromRequestParts<AppState> for Member {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let v = Visitor::from_request_parts(parts, state).await?;
        match v.user.clone() {
            Some(u) => Ok(Member(v, u)),
            None => {
                let next = if parts.method == axum::http::Method::GET {
                    v.path.clone()
                } else {
                    "/ui".to_owned()
                };
                Err(redirect(&format!(
                    "/ui/login?next={}",
                    view::encode(&view::safe_next(&next))
                )))
            }
        }
    }
}

/// A logged-in admin; a viewer gets a 403 page.
#[derive(Debug, Clone)]
pub struct Staff(pub Visitor, pub User);

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Member(v, u) = Member::from_request_parts(parts, state).await?;
        if u.role != Role::Admin {
            return Err(view::error_page(
                &v,
                &state.hub().config().name,
                StatusCode::FORBIDDEN,
                "err-admin-only",
                "rec-admin-only",
            ));
        }
        Ok(Staff(v, u))
    }
}

/// The refusal of a form whose CSRF token is missing or wrong.
pub fn csrf_refused(v: &Visitor, hub_name: &str) -> Response {
    view::error_page(v, hub_name, StatusCode::FORBIDDEN, "err-csrf", "rec-csrf")
}

/// The login page.
#[derive(Debug, askama::Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// The frame.
    pub c: Chrome,
    /// Where to go after logging in.
    pub next: String,
    /// The name typed, kept after a failure.
    pub name: String,
    /// A problem to show (`err-` message) and its fix (`rec-`).
    pub problem: Option<(String, String)>,
}

/// Query of `GET /ui/login`.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

fn with_cookie(mut resp: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

fn login_page(
    v: &Visitor,
    hub_name: &str,
    status: StatusCode,
    next: &str,
    name: &str,
    problem: Option<(&str, &str)>,
) -> Response {
    let page = LoginPage {
        c: Chrome::new(v, hub_name, "hub-login-title", Nav::None),
        next: view::safe_next(next),
        name: name.to_owned(),
        problem: problem.map(|(e, r)| (v.lang.t(e), v.lang.t(r))),
    };
    let resp = render(status, &page);
    match &v.set_pre {
        Some(pre) => with_cookie(resp, &v.cookie(PRE_COOKIE, pre, 12 * 3600)),
        None => resp,
    }
}

/// GET /ui/login: the login form (a logged-in user goes straight on).
pub async fn login_form(
    State(state): State<AppState>,
    v: Visitor,
    q: Result<axum::extract::Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = q.map(|q| q.0.next).unwrap_or_default();
    if v.user.is_some() {
        return redirect(&view::safe_next(&next));
    }
    login_page(
        &v,
        &state.hub().config().name,
        StatusCode::OK,
        &next,
        "",
        None,
    )
}

/// Body of `POST /ui/login`.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// POST /ui/login: checks the password (under the login limits) and opens a cookie session.
pub async fn login(
    State(state): State<AppState>,
    v: Visitor,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let hub_name = state.hub().config().name.clone();
    let Ok(Form(f)) = form else {
        return view::error_page(
            &v,
            &hub_name,
            StatusCode::BAD_REQUEST,
            "err-form",
            "rec-form",
        );
    };
    if v.set_pre.is_some() || !v.csrf_ok(&f.csrf) {
        return csrf_refused(&v, &hub_name);
    }
    let name = f.name.trim().to_owned();
    match log_in(&state, &name, &f.password, ip, device_token(&headers)).await {
        Ok(done) => {
            let resp = redirect(&view::safe_next(&f.next));
            let resp = with_cookie(
                resp,
                &v.cookie(SESSION_COOKIE, &done.token, users::SESSION_SECS),
            );
            let resp = with_cookie(resp, &v.cookie(PRE_COOKIE, "", 0));
            match &done.device {
                Some(device) => with_cookie(resp, &device_cookie(&state, device)),
                None => resp,
            }
        }
        Err(e) if e.status() == 429 => login_page(
            &v,
            &hub_name,
            StatusCode::TOO_MANY_REQUESTS,
            &f.next,
            &name,
            Some(("err-too-many-attempts", "rec-too-many-attempts")),
        ),
        Err(e) if e.status() == 401 => login_page(
            &v,
            &hub_name,
            StatusCode::UNAUTHORIZED,
            &f.next,
            &name,
            Some(("err-login", "rec-login")),
        ),
        Err(e) => internal(&v, &hub_name, &e),
    }
}

/// Body of `POST /ui/logout`.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// POST /ui/logout: ends the session.
pub async fn logout(
    State(state): State<AppState>,
    Member(v, _): Member,
    form: Result<Form<CsrfForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let hub_name = state.hub().config().name.clone();
    let ok = form.is_ok_and(|Form(f)| v.csrf_ok(&f.csrf));
    if !ok {
        return csrf_refused(&v, &hub_name);
    }
    if let Some(token) = v.token.clone() {
        let hash = crate::secret::hash_secret(&token);
        let ended = state
            .blocking(move |hub| {
                hub.store().write(|tx, _| {
                    tx.execute(
                        "DELETE FROM sessions WHERE token_hash = ?1 AND kind = 'session'",
                        [hash],
                    )?;
                    Ok(())
                })
            })
            .await;
        if let Err(e) = ended {
            return internal(&v, &hub_name, &e);
        }
    }
    with_cookie(redirect("/ui/login"), &v.cookie(SESSION_COOKIE, "", 0))
}

/// Body of `POST /ui/lang`.
#[derive(Debug, Deserialize)]
pub struct LangForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// POST /ui/lang: switches language (kept with the user, and in a cookie).
pub async fn switch_lang(
    State(state): State<AppState>,
    v: Visitor,
    form: Result<Form<LangForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let hub_name = state.hub().config().name.clone();
    let Ok(Form(f)) = form else {
        return view::error_page(
            &v,
            &hub_name,
            StatusCode::BAD_REQUEST,
            "err-form",
            "rec-form",
        );
    };
    if v.set_pre.is_some() || !v.csrf_ok(&f.csrf) {
        return csrf_refused(&v, &hub_name);
    }
    let Some(lang) = Lang::parse(&f.lang) else {
        return view::error_page(
            &v,
            &hub_name,
            StatusCode::BAD_REQUEST,
            "err-form",
            "rec-form",
        );
    };
    if let Some(user) = &v.user {
        let id = user.id;
        let stored = state
            .blocking(move |hub| {
                hub.store().write(|tx, _| {
                    crate::store::set_meta(tx, &format!("ui-lang:{id}"), lang.code())
                })
            })
            .await;
        if let Err(e) = stored {
            return internal(&v, &hub_name, &e);
        }
    }
    let next = if v.user.is_some() || f.next.starts_with("/ui/login") {
        view::safe_next(&f.next)
    } else {
        "/ui/login".to_owned()
    };
    with_cookie(
        redirect(&next),
        &v.cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600),
    )
}
