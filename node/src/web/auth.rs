//! Authentication in an extractor: handlers receive an already-verified [`CurrentUser`] with its
//! [`Role`] and, for pod leads, the pods whose members they may see.
//!
//! Credentials: `Authorization: Bearer <api token>` (scripts), else the session cookie (browsers).
//! Without valid credentials an HTML request (outside `/api/`, `Accept: text/html`) is redirected
//! to `/login?next=...`; anything else gets 401 JSON. A cookie-authenticated `/api/` request with
//! an unsafe method must carry the session's token in `X-CSRF-Token` (checked here, so no API
//! handler can forget it); bearer requests are exempt (no ambient authority to forge).

use std::net::{IpAddr, SocketAddr};

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

/// The client's address: the TCP peer, or, when the peer is one of `trusted_proxies` (config
/// `trusted_proxies`, e.g. Caddy on the same host), the address `X-Forwarded-For` names: read
/// from the right, the first entry that is not itself a trusted proxy. From any other peer the
/// header is ignored (anyone can write it). Without a peer (a router driven without a socket)
/// the unspecified address.
pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<&ConnectInfo<SocketAddr>>,
    trusted_proxies: &[IpAddr],
) -> IpAddr {
    let Some(ConnectInfo(addr)) = peer else {
        return IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    };
    let peer = addr.ip().to_canonical();
    if !trusted_proxies.iter().any(|p| p.to_canonical() == peer) {
        return peer;
    }
    let mut client = peer;
    // The last header line is the nearest proxy's: walk lines and entries from the right.
    let lines: Vec<_> = headers.get_all("x-forwarded-for").iter().collect();
    for value in lines.into_iter().rev() {
        let Ok(value) = value.to_str() else {
            return peer;
        };
        for hop in value.rsplit(',') {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                // A garbled entry: stop at the last address a trusted proxy vouched for.
                return client;
            };
            client = ip.to_canonical();
            if !trusted_proxies.iter().any(|p| p.to_canonical() == client) {
                return client;
            }
        }
    }
    client
}

/// The client's address as [`client_ip`] sees it, as an extractor (never fails).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(ClientIp(client_ip(
            &parts.headers,
            peer,
            &state.config().trusted_proxies,
        )))
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
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let peer = |s: &str| ConnectInfo(SocketAddr::new(s.parse().unwrap(), 4000));
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.4".parse().unwrap(),
        );
        let caddy: Vec<IpAddr> = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
        let ip = |p: &str, t: &[IpAddr]| client_ip(&h, Some(&peer(p)), t).to_string();
        // No trusted proxy configured: the header is ignored, even from loopback.
        assert_eq!(ip("127.0.0.1", &[]), "127.0.0.1");
        // From a configured proxy: the last hop the proxy appended.
        assert_eq!(ip("127.0.0.1", &caddy), "198.51.100.4");
        assert_eq!(ip("::1", &caddy), "198.51.100.4");
        // From anyone else: the peer.
        assert_eq!(ip("192.0.2.1", &caddy), "192.0.2.1");
        // A chain of trusted proxies is walked from the right.
        let two: Vec<IpAddr> = vec![
            "127.0.0.1".parse().unwrap(),
            "198.51.100.4".parse().unwrap(),
        ];
        assert_eq!(ip("127.0.0.1", &two), "203.0.113.9");
        assert_eq!(client_ip(&h, None, &caddy).to_string(), "0.0.0.0");
    }
}
