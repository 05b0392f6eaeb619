//! Logging in and out, the current user, changing one's password.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::audit_event;
use crate::domain::users;
use crate::web::auth::{AuthMethod, ClientIp};
use crate::web::extract::JsonBody;
use crate::web::session::{self, NewSession};
use crate::web::{AppError, AppState, CurrentUser};

/// Longest password accepted at all (argon2 on megabytes would be a denial of service).
const MAX_PASSWORD: usize = 1024;

/// A successful login.
#[derive(Debug)]
pub struct LoggedIn {
    /// The account.
    pub user: users::User,
    /// The new session.
    pub session: NewSession,
}

/// Checks a user name and password under the rate limit and opens a fresh session, ending the
/// one the browser had (`replacing`). Audits success and failure.
pub async fn log_in(
    state: &AppState,
    username: &str,
    password: &str,
    ip: &str,
    replacing: Option<String>,
) -> Result<LoggedIn, AppError> {
    let username: String = username.trim().chars().take(64).collect();
    state.limiter().check(&username, ip)?;
    let found = if password.len() > MAX_PASSWORD || username.is_empty() {
        None
    } else {
        let (u, p) = (username.clone(), password.to_owned());
        let store = state.store().clone();
        state
            .password_work(move || store.read(|conn| users::authenticate(conn, &u, &p)))
            .await?
    };
    let Some(user) = found else {
        state.limiter().fail(&username, ip);
        tracing::info!(ip, "failed login");
        audit_event(
            state,
            "-",
            "login.failure",
            &username,
            &format!("from {ip}"),
        )
        .await?;
        return Err(AppError::LoginFailed);
    };
    state.limiter().succeed(&username);
    let (id, name, detail) = (user.id, user.username.clone(), format!("from {ip}"));
    let session = state
        .store()
        .write_async(move |tx| {
            let s = session::create(tx, id, replacing.as_deref())?;
            crate::domain::audit::record(tx, &name, "login", &name, &detail)?;
            Ok(s)
        })
        .await?;
    Ok(LoggedIn { user, session })
}

/// The `Set-Cookie` header for a session.
pub fn session_cookie(state: &AppState, secret: &str) -> Result<HeaderValue, AppError> {
    HeaderValue::from_str(&session::cookie(
        state.cookie_name(),
        secret,
        state.secure_cookies(),
    ))
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// The `Set-Cookie` header that removes the session cookie.
pub fn clearing_cookie(state: &AppState) -> Result<HeaderValue, AppError> {
    HeaderValue::from_str(&session::clear_cookie(
        state.cookie_name(),
        state.secure_cookies(),
    ))
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// Ends the request's session (if it is one) and audits it.
pub async fn log_out(state: &AppState, user: &CurrentUser) -> Result<(), AppError> {
    if let AuthMethod::Session { secret, .. } = &user.auth {
        let secret = secret.clone();
        let name = user.username.clone();
        state
            .store()
            .write_async(move |tx| {
                session::delete(tx, &secret)?;
                crate::domain::audit::record(tx, &name, "logout", &name, "")
            })
            .await?;
    }
    Ok(())
}

/// Changes the user's own password after checking the current one (rate limited like logins).
/// Ends the user's other sessions.
pub async fn change_password(
    state: &AppState,
    user: &CurrentUser,
    ip: &str,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    state.limiter().check(&user.username, ip)?;
    if current.len() > MAX_PASSWORD || new.len() > MAX_PASSWORD {
        return Err(AppError::invalid("password", "at most 1024 bytes"));
    }
    let (u, p, n) = (user.username.clone(), current.to_owned(), new.to_owned());
    let store = state.store().clone();
    let hash = state
        .password_work(move || {
            if store
                .read(|conn| users::authenticate(conn, &u, &p))?
                .is_none()
            {
                return Ok(None);
            }
            users::hash_password(&n).map(Some)
        })
        .await?;
    let Some(hash) = hash else {
        state.limiter().fail(&user.username, ip);
        audit_event(
            state,
            &user.username,
            "password.change.failure",
            &user.username,
            "",
        )
        .await?;
        return Err(AppError::invalid(
            "current_password",
            "the current password is wrong",
        ));
    };
    let (id, name) = (user.id, user.username.clone());
    let keep = match &user.auth {
        AuthMethod::Session { secret, .. } => Some(secret.clone()),
        AuthMethod::Token => None,
    };
    state
        .store()
        .write_async(move |tx| {
            users::set_password_hash(tx, &name, &hash)?;
            session::delete_all_of(tx, id, keep.as_deref())?;
            crate::domain::audit::record(tx, &name, "password.change", &name, "")
        })
        .await?;
    Ok(())
}

/// Login credentials.
#[derive(Debug, Deserialize)]
pub struct LoginBody {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// `POST /api/v1/login` — `{"username", "password"}`; sets the session cookie and returns the
/// user and the session's CSRF token (send it as `X-CSRF-Token` on writes).
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Response, AppError> {
    let old = session::read_cookie(&headers, state.cookie_name());
    let done = log_in(&state, &body.username, &body.password, &ip, old).await?;
    let cookie = session_cookie(&state, &done.session.secret)?;
    let mut response = Json(json!({
        "username": done.user.username,
        "role": done.user.role,
        "csrf_token": done.session.csrf,
        "expires_at": done.session.expires_at,
    }))
    .into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

/// `POST /api/v1/logout` — ends the session and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    log_out(&state, &user).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clearing_cookie(&state)?);
    Ok(response)
}

/// `GET /api/v1/me` — who is logged in, their role and what it allows, the CSRF token.
pub async fn me(user: CurrentUser) -> Json<serde_json::Value> {
    Json(json!({
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "language": user.language,
        "pod_ids": user.pod_ids,
        "member_id": user.member_id,
        "csrf_token": user.csrf_token(),
        "can": {
            "see_members": user.role.can_see_members(),
            "edit": user.role.can_edit(),
            "organize": user.role.can_organize(),
            "admin": user.role.can_admin(),
        },
    }))
}

/// A password change.
#[derive(Debug, Deserialize)]
pub struct PasswordBody {
    /// The current password.
    pub current_password: String,
    /// The new one (at least 12 characters).
    pub new_password: String,
}

/// `POST /api/v1/password` — change one's own password; other sessions end.
pub async fn password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    JsonBody(body): JsonBody<PasswordBody>,
) -> Result<StatusCode, AppError> {
    change_password(
        &state,
        &user,
        &ip,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
