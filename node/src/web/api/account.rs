//! Logging in and out, the current user, changing one's password.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use std::net::IpAddr;

use crate::domain::{audit, users};
use crate::web::auth::{AuthMethod, ClientIp};
use crate::web::extract::JsonBody;
use crate::web::handler::{self, write_audited};
use crate::web::session::{self, NewSession};
use crate::web::{AppError, AppState, CurrentUser};

/// A successful login.
#[derive(Debug)]
pub struct LoggedIn {
    /// The account.
    pub user: users::User,
    /// The new session.
    pub session: NewSession,
    /// A new device token for the browser (see [`crate::web::throttle`]), if it had none.
    pub device: Option<String>,
}

/// Checks a user name and password under the login limits ([`crate::web::throttle`]) and opens
/// a fresh session, ending the one the browser had (`replacing`). `device` is the browser's
/// device token, if it sent one. Audits success, failure and an account getting locked.
pub async fn log_in(
    state: &AppState,
    username: &str,
    password: &str,
    ip: IpAddr,
    replacing: Option<String>,
    device: Option<String>,
) -> Result<LoggedIn, AppError> {
    let username: String = username.trim().chars().take(64).collect();
    let limiter = *state.limiter();
    let (name, now) = (username.clone(), session::now_unix());
    let attempt = state
        .store()
        .read_async(move |conn| limiter.assess(conn, &name, ip, device.as_deref(), now))
        .await?;
    if let Some(retry_after) = attempt.refused {
        return Err(AppError::RateLimited { retry_after });
    }
    // Longer than any password can be set: refused before argon2 (it is still a failure).
    let found = if password.len() > users::MAX_PASSWORD_BYTES {
        None
    } else {
        let (u, p) = (username.clone(), password.to_owned());
        let store = state.store().clone();
        state
            .password_work(move || store.read(|conn| users::authenticate(conn, &u, &p)))
            .await?
    };
    let detail = format!("from {ip}");
    let Some(user) = found else {
        tracing::info!(%ip, "failed login");
        state
            .store()
            .write_async(move |tx| {
                let failed = limiter.record_failure(tx, &attempt, session::now_unix())?;
                audit::record(tx, "-", "login.failure", &attempt.name, &detail)?;
                if failed.account_locked {
                    audit::record(tx, "-", "login.lock", &attempt.name, &detail)?;
                }
                Ok(())
            })
            .await?;
        return Err(AppError::LoginFailed);
    };
    let (id, name) = (user.id, user.username.clone());
    let (session, device) = state
        .store()
        .write_async(move |tx| {
            let device = limiter.record_success(tx, &attempt, id, session::now_unix())?;
            let s = session::create(tx, id, replacing.as_deref())?;
            audit::record(tx, &name, "login", &name, &detail)?;
            Ok((s, device))
        })
        .await?;
    Ok(LoggedIn {
        user,
        session,
        device,
    })
}

/// The device cookie's name: `__Host-sf_device` behind TLS, `sf_device` otherwise.
pub fn device_cookie_name(state: &AppState) -> &'static str {
    if state.secure_cookies() {
        "__Host-sf_device"
    } else {
        "sf_device"
    }
}

/// The `Set-Cookie` header for a device token (as long as the token lives).
pub fn device_cookie(state: &AppState, secret: &str) -> Result<HeaderValue, AppError> {
    HeaderValue::from_str(&format!(
        "{}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        device_cookie_name(state),
        state.limiter().device_secs,
        if state.secure_cookies() {
            "; Secure"
        } else {
            ""
        }
    ))
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// The Set-Cookie headers of a successful login: the session, and a new device token.
pub fn login_cookies(
    state: &AppState,
    done: &LoggedIn,
    headers: &mut HeaderMap,
) -> Result<(), AppError> {
    headers.append(
        header::SET_COOKIE,
        session_cookie(state, &done.session.secret)?,
    );
    if let Some(device) = &done.device {
        headers.append(header::SET_COOKIE, device_cookie(state, device)?);
    }
    Ok(())
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
        write_audited(state, user, move |tx| {
            session::delete(tx, &secret)?;
            Ok(handler::audit("logout", name))
        })
        .await?;
    }
    Ok(())
}

/// Changes the user's own password after checking the current one (limited like logins from
/// this address). Ends the user's other sessions.
pub async fn change_password(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    users::check_new_password(new, &[&user.username])?;
    let limiter = *state.limiter();
    let name = user.username.clone();
    let refused = state
        .store()
        .read_async(move |conn| limiter.assess_reauth(conn, &name, ip, session::now_unix()))
        .await?;
    if let Some(retry_after) = refused {
        return Err(AppError::RateLimited { retry_after });
    }
    let wrong = || AppError::invalid("current_password", "the current password is wrong");
    if current.len() > users::MAX_PASSWORD_BYTES {
        return Err(wrong());
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
            users::hash_new_password(&n, &u).map(Some)
        })
        .await?;
    let Some(hash) = hash else {
        let name = user.username.clone();
        write_audited(state, user, move |tx| {
            limiter.record_reauth_failure(tx, &name, ip, session::now_unix())?;
            Ok(handler::audit("password.change.failure", name))
        })
        .await?;
        return Err(wrong());
    };
    let (id, name) = (user.id, user.username.clone());
    let keep = match &user.auth {
        AuthMethod::Session { secret, .. } => Some(secret.clone()),
        AuthMethod::Token => None,
    };
    write_audited(state, user, move |tx| {
        users::set_password_hash(tx, &name, &hash)?;
        session::delete_all_of(tx, id, keep.as_deref())?;
        Ok(handler::audit("password.change", name))
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
    let device = session::read_cookie(&headers, device_cookie_name(&state));
    let done = log_in(&state, &body.username, &body.password, ip, old, device).await?;
    let mut response = Json(json!({
        "username": done.user.username,
        "role": done.user.role,
        "csrf_token": done.session.csrf,
        "expires_at": done.session.expires_at,
    }))
    .into_response();
    login_cookies(&state, &done, response.headers_mut())?;
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
        ip,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
