//! The form handlers behind the HTML pages: `POST /login`, `POST /logout`,
//! `POST /account/password`. (The pages that show these forms live in [`super::ui`].)
//!
//! They answer with `303 See Other` redirects, so a reload never re-posts:
//! - `/login`: to `next` (a local path) on success; else to
//!   `/login?error=invalid|rate_limited&next=...`.
//! - `/logout`: to `/login?logged_out=1`.
//! - `/account/password`: to `/account/password?done=1`, or `?error=wrong_password|invalid|weak|
//!   mismatch|rate_limited|csrf`.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::api::account;
use super::auth::{ClientIp, percent_encode, safe_next};
use super::extract::FormBody;
use super::handler::{CsrfForm, FormRefused, HasCsrf};
use super::session;
use super::{AppError, AppState, CurrentUser};

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Where to go afterwards (a local path).
    pub next: Option<String>,
}

/// `POST /login` — the login form; sets the session cookie and redirects.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    FormBody(form): FormBody<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let old = session::read_cookie(&headers, state.cookie_name());
    let device = session::read_cookie(&headers, account::device_cookie_name(&state));
    match account::log_in(&state, &form.username, &form.password, ip, old, device).await {
        Ok(done) => {
            let mut response = Redirect::to(&next).into_response();
            account::login_cookies(&state, &done, response.headers_mut())?;
            Ok(response)
        }
        Err(e @ (AppError::LoginFailed | AppError::RateLimited { .. })) => {
            let code = if matches!(e, AppError::LoginFailed) {
                "invalid"
            } else {
                "rate_limited"
            };
            Ok(Redirect::to(&format!(
                "/login?error={code}&next={}",
                percent_encode(&next)
            ))
            .into_response())
        }
        Err(e) => Err(e),
    }
}

impl HasCsrf for LogoutForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl HasCsrf for PasswordForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The logout form (just the CSRF token).
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    /// CSRF token.
    #[serde(default)]
    pub csrf: String,
}

/// `POST /logout` — ends the session, clears the cookie, redirects to the login page.
pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(_form): CsrfForm<LogoutForm>,
) -> Result<Response, AppError> {
    account::log_out(&state, &user).await?;
    let mut response = Redirect::to("/login?logged_out=1").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, account::clearing_cookie(&state)?);
    Ok(response)
}

/// The change-password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    /// CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// Current password.
    pub current_password: String,
    /// New password.
    pub new_password: String,
    /// New password again.
    pub confirm_password: String,
}

/// `POST /account/password` — change one's own password; redirects with `done` or `error`.
pub async fn password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    form: Result<CsrfForm<PasswordForm>, FormRefused>,
) -> Result<Response, AppError> {
    let back =
        |code: &str| Redirect::to(&format!("/account/password?error={code}")).into_response();
    // A wrong CSRF token goes back to the form with `error=csrf`; other refusals as they are.
    let form = match form {
        Ok(CsrfForm(form)) => form,
        Err(FormRefused {
            error: Some(AppError::Csrf),
            ..
        }) => return Ok(back("csrf")),
        Err(refused) => return Ok(refused.into_response()),
    };
    if form.new_password != form.confirm_password {
        return Ok(back("mismatch"));
    }
    match account::change_password(
        &state,
        &user,
        ip,
        &form.current_password,
        &form.new_password,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/account/password?done=1").into_response()),
        Err(AppError::Invalid { field, .. }) if field == "current_password" => {
            Ok(back("wrong_password"))
        }
        Err(AppError::Invalid { field, .. }) if field == "password_strength" => Ok(back("weak")),
        Err(AppError::Invalid { .. }) => Ok(back("invalid")),
        Err(AppError::RateLimited { .. }) => Ok(back("rate_limited")),
        Err(e) => Err(e),
    }
}
