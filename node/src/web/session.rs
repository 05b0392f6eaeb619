//! Login sessions and API tokens in SQLite (tables of migration 2).
//!
//! Both are 256-bit random secrets handed out once; the database keeps their SHA-256. A session
//! lasts at most [`SESSION_MAX`] and ends after [`SESSION_IDLE`] without use; logging in always
//! makes a new session (and ends the one the browser had), logging out deletes it. API tokens
//! (`shopfloor-node user token NAME`) last until their user is disabled.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension as _, params};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// Longest a session lives.
pub const SESSION_MAX: Duration = Duration::from_secs(12 * 3600);
/// A session unused this long has ended.
pub const SESSION_IDLE: Duration = Duration::from_secs(2 * 3600);
/// `last_seen` / `last_used` are written at most this often per session or token.
const TOUCH_EVERY: i64 = 60;
/// Prefix of API tokens, so they are recognisable in scripts and secret scanners.
pub const TOKEN_PREFIX: &str = "sfn_";

/// Unix seconds now.
pub fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// 32 random bytes, hex.
pub fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Task(format!("no system randomness: {e}")))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of a secret, hex: what the database keeps.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A session just created: the secret goes into the cookie, the CSRF token into forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value (only its hash is stored).
    pub secret: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Unix seconds when it expires at the latest.
    pub expires_at: i64,
}

/// Creates a session for a user. Also sweeps expired sessions, and deletes `replacing` (the
/// session the browser had before logging in) so an old or planted id never survives a login.
pub fn create(conn: &Connection, user_id: i64, replacing: Option<&str>) -> Result<NewSession> {
    let now = now_unix();
    conn.execute(
        "DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen <= ?2",
        params![now, now - secs(SESSION_IDLE)],
    )?;
    if let Some(old) = replacing {
        conn.execute(
            "DELETE FROM sessions WHERE id_hash = ?1",
            params![hash_secret(old)],
        )?;
    }
    let secret = random_secret()?;
    let csrf = random_secret()?;
    let expires_at = now + secs(SESSION_MAX);
    conn.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
        params![hash_secret(&secret), user_id, csrf, now, expires_at],
    )?;
    Ok(NewSession {
        secret,
        csrf,
        expires_at,
    })
}

/// Deletes a session (logout). Returns whether it existed.
pub fn delete(conn: &Connection, secret: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM sessions WHERE id_hash = ?1",
        params![hash_secret(secret)],
    )? > 0)
}

/// Ends every session of a user, except optionally one (after a password change).
pub fn delete_all_of(conn: &Connection, user_id: i64, except: Option<&str>) -> Result<()> {
    conn.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND id_hash IS NOT ?2",
        params![user_id, except.map(hash_secret)],
    )?;
    Ok(())
}

/// What a valid credential resolves to.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The user's row id.
    pub user_id: i64,
    /// Login name.
    pub username: String,
    /// Stored role name.
    pub role: String,
    /// Interface language.
    pub language: String,
    /// The member record the user is (pod leads).
    pub member_id: Option<i64>,
    /// The session's CSRF token (None for API tokens).
    pub csrf: Option<String>,
    /// Whether `last_seen`/`last_used` is old enough to be rewritten.
    pub stale: bool,
}

/// The enabled user behind a live session.
pub fn resolve_session(conn: &Connection, secret: &str) -> Result<Option<Resolved>> {
    let now = now_unix();
    Ok(conn
        .prepare_cached(
            "SELECT u.id, u.username, u.role, u.language, u.member_id, s.csrf, s.last_seen
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND s.last_seen > ?3 AND u.disabled = 0",
        )?
        .query_row(
            params![hash_secret(secret), now, now - secs(SESSION_IDLE)],
            |r| {
                let last_seen: i64 = r.get(6)?;
                Ok(Resolved {
                    user_id: r.get(0)?,
                    username: r.get(1)?,
                    role: r.get(2)?,
                    language: r.get(3)?,
                    member_id: r.get(4)?,
                    csrf: Some(r.get(5)?),
                    stale: now - last_seen >= TOUCH_EVERY,
                })
            },
        )
        .optional()?)
}

/// The enabled user behind an API token.
pub fn resolve_token(conn: &Connection, token: &str) -> Result<Option<Resolved>> {
    let now = now_unix();
    Ok(conn
        .prepare_cached(
            "SELECT u.id, u.username, u.role, u.language, u.member_id, t.last_used
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ?1 AND u.disabled = 0",
        )?
        .query_row(params![hash_secret(token)], |r| {
            let last_used: Option<i64> = r.get(5)?;
            Ok(Resolved {
                user_id: r.get(0)?,
                username: r.get(1)?,
                role: r.get(2)?,
                language: r.get(3)?,
                member_id: r.get(4)?,
                csrf: None,
                stale: last_used.is_none_or(|t| now - t >= TOUCH_EVERY),
            })
        })
        .optional()?)
}

/// Records that a session was used now.
pub fn touch_session(conn: &Connection, secret: &str) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1",
        params![hash_secret(secret), now_unix()],
    )?;
    Ok(())
}

/// Records that a token was used now.
pub fn touch_token(conn: &Connection, token: &str) -> Result<()> {
    conn.execute(
        "UPDATE api_tokens SET last_used = ?2 WHERE token_hash = ?1",
        params![hash_secret(token), now_unix()],
    )?;
    Ok(())
}

/// Creates an API token for an enabled user; returns the token (shown once).
pub fn create_token(conn: &Connection, username: &str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::invalid("name", "a token name is 1-64 characters"));
    }
    let user_id: i64 = conn
        .query_row(
            "SELECT id FROM users WHERE username = ?1 AND disabled = 0",
            params![username],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Error::not_found(format!("active user {username}")))?;
    let token = format!("{TOKEN_PREFIX}{}", random_secret()?);
    conn.execute(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![hash_secret(&token), user_id, name, now_unix()],
    )?;
    Ok(token)
}

/// Deletes every session and API token of a user (when disabled).
pub fn revoke_all(conn: &Connection, user_id: i64) -> Result<()> {
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", params![user_id])?;
    conn.execute(
        "DELETE FROM api_tokens WHERE user_id = ?1",
        params![user_id],
    )?;
    Ok(())
}

/// The `Set-Cookie` value for a new session.
pub fn cookie(name: &str, secret: &str, secure: bool) -> String {
    format!(
        "{name}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_MAX.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(name: &str, secure: bool) -> String {
    format!(
        "{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The value of cookie `name` in a request's `Cookie` headers.
pub fn read_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hash_and_compare() {
        let a = random_secret().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_secret().unwrap());
        assert_eq!(hash_secret(&a).len(), 64);
        assert_ne!(hash_secret(&a), a);
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &hash_secret(&a)));
        assert!(!constant_time_eq("ab", "abc"));
    }

    #[test]
    fn cookies_are_strict_and_http_only() {
        let c = cookie("sf_session", "abc", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        assert!(!cookie("sf_session", "abc", false).contains("Secure"));
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            axum::http::HeaderValue::from_static("a=1; sf_session=xyz; b=2"),
        );
        assert_eq!(read_cookie(&h, "sf_session").as_deref(), Some("xyz"));
        assert_eq!(read_cookie(&h, "other"), None);
    }
}
