//! Authentication in an extractor: handlers receive an already-verified [`CurrentUser`] with its
//! [`Role`] and, for pod leads, the pods whose members they may see.
//!
//! Credentials: `Authorization: Bearer <api token>` (scripts), else the session cookie (browsers).
//! Without valid credentials an HTML request (outside `/api/`, `Accept: text/html`) is redirected
//! to `/login?next=...`; anything else gets 401 JSON. A cookie-authenticated `/api/` request with
//! an unsafe method must carry the session's token in `X-CSRF-Token` (checked here, so no API
//! handler can forget it); bearer requests are exempt (no ambient authority to forge).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::session::{self, Resolved};
use super::{AppError, AppState};
use crate::domain::pods;

/// What a user may do. Enforced on the server by every handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything: users, audit log, export, import, reports, all members.
    Admin,
    /// All members (read and edit), workplaces, pods, campaigns, import, report preview.
    Organizer,
    /// Members of the pods they lead (read and edit), their workplaces, aggregates.
    PodLead,
    /// Aggregates only: dashboard numbers, report preview, campaigns, facts. No member data.
    Viewer,
}

impl Role {
    /// Parses the stored name (`admin`, `organizer`, `pod_lead`, `viewer`).
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "organizer" => Some(Role::Organizer),
            "pod_lead" => Some(Role::PodLead),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organizer => "organizer",
            Role::PodLead => "pod_lead",
            Role::Viewer => "viewer",
        }
    }

    /// May see member-level data at all (pod leads: only within [`CurrentUser::member_scope`]).
    pub fn can_see_members(self) -> bool {
        !matches!(self, Role::Viewer)
    }

    /// May change member and workplace data (pod leads: within their scope).
    pub fn can_edit(self) -> bool {
        !matches!(self, Role::Viewer)
    }

    /// Chapter-wide organizing: all members, creating workplaces, pods and their membership,
    /// campaigns, trainings catalog, chapter facts, import.
    pub fn can_organize(self) -> bool {
        matches!(self, Role::Admin | Role::Organizer)
    }

    /// Users, audit log, member export.
    pub fn can_admin(self) -> bool {
        matches!(self, Role::Admin)
    }
}

/// Which members a user may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberScope {
    /// Every member.
    All,
    /// Members of these pods (the pods a pod lead leads; may be empty).
    Pods(Vec<i64>),
    /// No member at all.
    None,
}

/// How the request authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// A browser session; carries the session's CSRF token.
    Session {
        /// The cookie's secret (to log out or rotate).
        secret: String,
        /// The session's CSRF token.
        csrf: String,
    },
    /// `Authorization: Bearer <api token>`.
    Token,
}

/// The logged-in user of a request.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    /// Row id in `users`.
    pub id: i64,
    /// Login name (what the audit log records).
    pub username: String,
    /// Role.
    pub role: Role,
    /// Interface language (`en`, `es`), if set.
    pub language: Option<String>,
    /// Pods this user leads (pod leads; empty for everyone else).
    pub pod_ids: Vec<i64>,
    /// The member record this user is, if linked.
    pub member_id: Option<i64>,
    /// Session or token.
    pub auth: AuthMethod,
}

impl CurrentUser {
    /// Which members this user may see.
    pub fn member_scope(&self) -> MemberScope {
        match self.role {
            Role::Admin | Role::Organizer => MemberScope::All,
            Role::PodLead => MemberScope::Pods(self.pod_ids.clone()),
            Role::Viewer => MemberScope::None,
        }
    }

    /// `Ok` if `allowed`, else 403 `forbidden`.
    pub fn require(&self, allowed: bool) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The session's CSRF token (None for API tokens).
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.auth {
            AuthMethod::Session { csrf, .. } => Some(csrf),
            AuthMethod::Token => None,
        }
    }
}

/// Why [`CurrentUser`] refused: a redirect to the login page for HTML requests, else an error.
#[derive(Debug)]
pub enum AuthRejection {
    /// 303 to `/login?next=...`.
    Login(String),
    /// A JSON error.
    Error(AppError),
}

impl From<AppError> for AuthRejection {
    fn from(e: AppError) -> Self {
        AuthRejection::Error(e)
    }
}

impl From<crate::Error> for AuthRejection {
    fn from(e: crate::Error) -> Self {
        AuthRejection::Error(e.into())
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Login(next) => {
                Redirect::to(&format!("/login?next={}", percent_encode(&next))).into_response()
            }
            AuthRejection::Error(e) => e.into_response(),
        }
    }
}

/// Whether a request is for a page (redirect to login) rather than the API (401 JSON).
pub fn wants_html(parts: &Parts) -> bool {
    !parts.uri.path().starts_with("/api/")
        && parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}

fn bearer(headers: &HeaderMap) -> Option<Result<String, AppError>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128);
    Some(token.map(str::to_owned).ok_or(AppError::Unauthenticated))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, AuthRejection> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let unauthenticated = |parts: &Parts| {
            if wants_html(parts) && matches!(parts.method, Method::GET | Method::HEAD) {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_owned();
                AuthRejection::Login(next)
            } else if wants_html(parts) {
                AuthRejection::Login("/".into())
            } else {
                AuthRejection::Error(AppError::Unauthenticated)
            }
        };
        let (secret, is_token) = match bearer(&parts.headers) {
            Some(Ok(t)) => (t, true),
            // A malformed Authorization header is a script's mistake: always JSON.
            Some(Err(e)) => return Err(e.into()),
            None => match session::read_cookie(&parts.headers, state.cookie_name()) {
                Some(c) => (c, false),
                None => return Err(unauthenticated(parts)),
            },
        };
        let lookup = secret.clone();
        let found: Option<(Resolved, Vec<i64>)> = state
            .store()
            .read_async(move |conn| {
                let r = if is_token {
                    session::resolve_token(conn, &lookup)?
                } else {
                    session::resolve_session(conn, &lookup)?
                };
                let Some(r) = r else { return Ok(None) };
                let pods = match (r.role.as_str(), r.member_id) {
                    ("pod_lead", Some(m)) => pods::led_by(conn, m)?,
                    _ => Vec::new(),
                };
                Ok(Some((r, pods)))
            })
            .await?;
        let Some((r, pod_ids)) = found else {
            return Err(if is_token {
                AuthRejection::Error(AppError::Unauthenticated)
            } else {
                unauthenticated(parts)
            });
        };
        let role = Role::parse(&r.role).ok_or_else(|| {
            AppError::Internal(format!("user {} has role {:?}", r.user_id, r.role))
        })?;
        let auth = match r.csrf.clone() {
            Some(csrf) => AuthMethod::Session {
                secret: secret.clone(),
                csrf,
            },
            None => AuthMethod::Token,
        };
        if let AuthMethod::Session { csrf, .. } = &auth
            && parts.uri.path().starts_with("/api/")
            && !is_safe(&parts.method)
        {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !session::constant_time_eq(sent, csrf) {
                return Err(AppError::Csrf.into());
            }
        }
        if r.stale {
            let touch = secret.clone();
            let res = state
                .store()
                .write_async(move |tx| {
                    if is_token {
                        session::touch_token(tx, &touch)
                    } else {
                        session::touch_session(tx, &touch)
                    }
                })
                .await;
            if let Err(e) = res {
                // Not worth failing the request over.
                tracing::warn!("could not record session use: {e}");
            }
        }
        let user = CurrentUser {
            id: r.user_id,
            username: r.username,
            role,
            language: Some(r.language).filter(|l| !l.is_empty()),
            pod_ids,
            member_id: r.member_id,
            auth,
        };
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// GET, HEAD and OPTIONS change nothing.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Percent-encodes a string for a query value.
pub fn percent_encode(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A `next` target that stays on this site: a path starting with a single `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The client's address: the TCP peer, or, when the peer is this machine (a reverse proxy on
/// the same host), the address the proxy appended last to `X-Forwarded-For`.
pub fn client_ip(parts_headers: &HeaderMap, peer: Option<&ConnectInfo<SocketAddr>>) -> String {
    let Some(ConnectInfo(addr)) = peer else {
        return "unknown".into();
    };
    let ip = addr.ip();
    if ip.is_loopback()
        && let Some(forwarded) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return forwarded.to_string();
    }
    ip.to_string()
}

/// The client's address as [`client_ip`] sees it, as an extractor (never fails).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(ClientIp(client_ip(&parts.headers, peer)))
    }
}

/// Failed logins per user name and per client address in a fixed window; once either has too
/// many, further attempts are refused with 429 before any password is checked.
#[derive(Debug)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    per_user: u32,
    per_ip: u32,
    window: Duration,
}

/// Keys the limiter remembers at most (memory bound under a flood of made-up names).
const LIMITER_KEYS: usize = 10_000;

impl Default for LoginLimiter {
    /// 5 failures per user name and 20 per address in 15 minutes.
    fn default() -> Self {
        LoginLimiter::new(5, 20, Duration::from_secs(15 * 60))
    }
}

impl LoginLimiter {
    /// A limiter allowing `per_user` failures per user name and `per_ip` per address within
    /// `window`.
    pub fn new(per_user: u32, per_ip: u32, window: Duration) -> Self {
        LoginLimiter {
            failures: Mutex::new(HashMap::new()),
            per_user,
            per_ip,
            window,
        }
    }

    fn keys(username: &str, ip: &str) -> [(String, bool); 2] {
        [
            (format!("u:{}", username.trim().to_lowercase()), true),
            (format!("ip:{ip}"), false),
        ]
    }

    /// Refuses with 429 if the user name or the address failed too often recently.
    pub fn check(&self, username: &str, ip: &str) -> Result<(), AppError> {
        let Ok(mut map) = self.failures.lock() else {
            return Err(AppError::Internal("limiter lock poisoned".into()));
        };
        let now = Instant::now();
        map.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        for (key, is_user) in Self::keys(username, ip) {
            let max = if is_user { self.per_user } else { self.per_ip };
            if let Some((n, since)) = map.get(&key)
                && *n >= max
            {
                let left = self.window.saturating_sub(now.duration_since(*since));
                return Err(AppError::RateLimited {
                    retry_after: left.as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    /// Records a failed attempt.
    pub fn fail(&self, username: &str, ip: &str) {
        if let Ok(mut map) = self.failures.lock() {
            for (key, _) in Self::keys(username, ip) {
                if map.len() >= LIMITER_KEYS && !map.contains_key(&key) {
                    continue;
                }
                map.entry(key).or_insert((0, Instant::now())).0 += 1;
            }
        }
    }

    /// Forgets a user name's failures after a successful login (the address's stay).
    pub fn succeed(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("u:{}", username.trim().to_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_order_permissions() {
        for name in crate::domain::users::ROLES {
            assert_eq!(Role::parse(name).map(Role::as_str), Some(*name));
        }
        assert!(Role::Admin.can_admin() && !Role::Organizer.can_admin());
        assert!(Role::Organizer.can_organize() && !Role::PodLead.can_organize());
        assert!(Role::PodLead.can_see_members() && !Role::Viewer.can_see_members());
        assert!(!Role::Viewer.can_edit());
    }

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/members?page=2")), "/members?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(percent_encode("/a b?c=d&e"), "/a%20b%3Fc%3Dd%26e");
    }

    #[test]
    fn limiter_counts_per_user_and_per_address() {
        let l = LoginLimiter::new(2, 3, Duration::from_secs(60));
        l.fail("Ana", "1.2.3.4");
        assert!(l.check("ana", "9.9.9.9").is_ok());
        l.fail("ana", "5.6.7.8");
        assert!(matches!(
            l.check("ana", "9.9.9.9"),
            Err(AppError::RateLimited { .. })
        ));
        assert!(l.check("bo", "1.2.3.4").is_ok());
        l.fail("bo", "1.2.3.4");
        l.fail("cy", "1.2.3.4");
        assert!(l.check("dee", "1.2.3.4").is_err());
        l.succeed("ana");
        assert!(l.check("ana", "9.9.9.9").is_ok());
    }
}
