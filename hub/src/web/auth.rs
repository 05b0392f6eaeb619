//! Authentication in extractors: handlers receive an already-verified [`CurrentUser`] or
//! [`Admin`]; chapters' signed requests are checked in the support handlers (they need the body).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::{AppError, AppState};
use crate::error::Error;
use crate::store::{audit, now_secs};
use crate::users::{self, Role, User};

/// A logged-in user (admin or viewer), from `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// A logged-in admin.
#[derive(Debug, Clone)]
pub struct Admin(pub User);

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty() && token.len() <= 200).then(|| token.to_owned())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = bearer(parts).ok_or_else(|| {
            Error::unauthenticated("log in first (Authorization: Bearer <token>)")
        })?;
        let user = state
            .blocking(move |hub| users::authenticate(hub.store(), &token))
            .await?
            .ok_or_else(|| Error::unauthenticated("the token is unknown, expired or disabled"))?;
        Ok(CurrentUser(user))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if user.role != Role::Admin {
            return Err(Error::forbidden("this needs an admin").into());
        }
        Ok(Admin(user))
    }
}

/// The client's address: the TCP peer, or, when the peer is one of `[web] trusted_proxies` in
/// `hub.toml` (e.g. Caddy on the same host), the address `X-Forwarded-For` names: read from the
/// right, the first entry that is not itself a trusted proxy. From any other peer the header is
/// ignored (anyone can write it). Without a peer (a router driven without a socket) the
/// unspecified address.
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
    ) -> std::result::Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(ClientIp(client_ip(
            &parts.headers,
            peer,
            &state.hub().config().web.trusted_proxies,
        )))
    }
}

/// The device cookie (see [`super::throttle`]).
pub const DEVICE_COOKIE: &str = "sf_device";

/// The `Set-Cookie` value for a device token.
pub fn device_cookie(state: &AppState, secret: &str) -> String {
    let secure = if state.hub().config().web.behind_tls {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{DEVICE_COOKIE}={secret}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
        state.limiter().device_secs
    )
}

/// The device token a request carries, if any.
pub fn device_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == DEVICE_COOKIE)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// A successful login.
#[derive(Debug)]
pub struct LoggedIn {
    /// The session's bearer token.
    pub token: String,
    /// The user.
    pub user: User,
    /// A new device token for the client, if it came without a valid one.
    pub device: Option<String>,
}

/// The refusal of a locked login or enrollment.
pub fn too_many(retry_after: u64) -> Error {
    Error::refused(
        429,
        "too-many-attempts",
        format!("too many failed attempts; try again in {retry_after} seconds"),
    )
}

/// Checks a name and password under the login limits ([`super::throttle`]) and opens a
/// session. Used by `POST /api/v1/login` and `POST /ui/login`. Audits an account getting
/// locked.
pub async fn log_in(
    state: &AppState,
    name: &str,
    password: &str,
    ip: IpAddr,
    device: Option<String>,
) -> Result<LoggedIn, Error> {
    let name: String = name.trim().chars().take(64).collect();
    let limiter = *state.limiter();
    let n = name.clone();
    let attempt = state
        .blocking(move |hub| {
            hub.store()
                .read(|db| limiter.assess(db, &n, ip, device.as_deref(), now_secs()))
        })
        .await?;
    if let Some(retry_after) = attempt.refused {
        return Err(too_many(retry_after));
    }
    let (n, p) = (name.clone(), password.to_owned());
    let result = state
        .blocking(move |hub| users::login(hub.store(), &n, &p))
        .await;
    match result {
        Ok((token, user)) => {
            let id = user.id;
            let device = state
                .blocking(move |hub| {
                    hub.store()
                        .write(|tx, _| limiter.record_success(tx, &attempt, id, now_secs()))
                })
                .await?;
            Ok(LoggedIn {
                token,
                user,
                device,
            })
        }
        Err(e) if e.status() == 401 => {
            state
                .blocking(move |hub| {
                    hub.store().write(|tx, _| {
                        let failed = limiter.record_failure(tx, &attempt, now_secs())?;
                        if failed.account_locked {
                            audit(tx, "-", "login-lock", Some(&attempt.name))?;
                        }
                        Ok(())
                    })
                })
                .await?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(ip("127.0.0.1", &[]), "127.0.0.1");
        assert_eq!(ip("127.0.0.1", &caddy), "198.51.100.4");
        assert_eq!(ip("::1", &caddy), "198.51.100.4");
        assert_eq!(ip("192.0.2.1", &caddy), "192.0.2.1");
        let two: Vec<IpAddr> = vec![
            "127.0.0.1".parse().unwrap(),
            "198.51.100.4".parse().unwrap(),
        ];
        assert_eq!(ip("127.0.0.1", &two), "203.0.113.9");
        assert_eq!(client_ip(&h, None, &caddy).to_string(), "0.0.0.0");
    }
}
