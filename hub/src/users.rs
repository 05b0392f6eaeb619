//! Accounts (admin, viewer) with argon2id password hashes, login sessions and API tokens.
//!
//! Tokens are random, shown once and stored as SHA-256 hashes. Sessions (from `POST
//! /api/v1/login`) expire after twelve hours; API tokens for scripts (`user token`) do not.

use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::secret;
use crate::store::{Store, audit, now_secs};

/// How long a login session lasts.
pub const SESSION_SECS: i64 = 12 * 3600;

/// What a user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees dashboards built only from cells that pass the viewers' rule.
    Viewer,
    /// Manages enrollment, revocation, guidance, users; sees chapter aggregates.
    Admin,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "admin" => Ok(Role::Admin),
            "viewer" => Ok(Role::Viewer),
            _ => Err(Error::bad_request(format!(
                "role {s:?} is neither admin nor viewer"
            ))),
        }
    }
}

/// A user as listed.
#[derive(Clone, Debug, Serialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Disabled users cannot log in and their tokens stop working.
    pub disabled: bool,
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'))
}

/// Adds a user.
pub fn add(store: &Store, name: &str, role: Role, password: &str) -> Result<User> {
    if !valid_name(name) {
        return Err(Error::bad_request(
            "a user name is 1-64 letters, digits, '-', '_', '.' or '@'",
        ));
    }
    if password.chars().count() < 12 {
        return Err(Error::bad_request("a password has at least 12 characters"));
    }
    let hash = secret::hash_password(password)?;
    store.write(|tx, _| {
        let exists: bool = tx
            .query_row("SELECT 1 FROM users WHERE name = ?1", [name], |_| Ok(true))
            .optional()?
            .unwrap_or(false);
        if exists {
            return Err(Error::conflict(
                "user-exists",
                format!("user {name} exists"),
            ));
        }
        tx.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, role.as_str(), hash, now_secs()],
        )?;
        audit(tx, "cli", "user-add", Some(name))?;
        Ok(User {
            id: tx.last_insert_rowid(),
            name: name.to_owned(),
            role,
            disabled: false,
        })
    })
}

/// Every user.
pub fn list(store: &Store) -> Result<Vec<User>> {
    store.read(|db| {
        let mut stmt = db.prepare("SELECT id, name, role, disabled FROM users ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, role, disabled) = row?;
            out.push(User {
                id,
                name,
                role: role.parse()?,
                disabled,
            });
        }
        Ok(out)
    })
}

/// Disables a user and ends its sessions and tokens.
pub fn disable(store: &Store, name: &str) -> Result<()> {
    store.write(|tx, _| {
        let n = tx.execute("UPDATE users SET disabled = 1 WHERE name = ?1", [name])?;
        if n == 0 {
            return Err(Error::not_found("no-such-user", format!("no user {name}")));
        }
        tx.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
            [name],
        )?;
        audit(tx, "cli", "user-disable", Some(name))?;
        Ok(())
    })
}

/// Checks a password and opens a session; returns the bearer token.
pub fn login(store: &Store, name: &str, password: &str) -> Result<(String, User)> {
    let row = store.read(|db| {
        Ok(db
            .query_row(
                "SELECT id, role, password_hash, disabled FROM users WHERE name = ?1",
                [name],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                    ))
                },
            )
            .optional()?)
    })?;
    let bad = || Error::unauthenticated("wrong user name or password");
    let Some((id, role, hash, disabled)) = row else {
        // Spend the same time as a real check so names cannot be probed by timing.
        let _ = secret::verify_password(password, dummy_hash());
        return Err(bad());
    };
    if !secret::verify_password(password, &hash) || disabled {
        return Err(bad());
    }
    let token = secret::random_token("sfs_")?;
    let now = now_secs();
    store.write(|tx, _| {
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES (?1, ?2, 'session', ?3, ?4)",
            params![secret::hash_secret(&token), id, now, now + SESSION_SECS],
        )?;
        audit(tx, name, "login", None)?;
        Ok(())
    })?;
    Ok((
        token,
        User {
            id,
            name: name.to_owned(),
            role: role.parse()?,
            disabled,
        },
    ))
}

/// A PHC string of a random password, verified against when the user does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| secret::hash_password(&secret::random_code(24)).unwrap_or_default())
}

/// Creates a long-lived API token for scripts.
pub fn create_token(store: &Store, name: &str, label: &str) -> Result<String> {
    let token = secret::random_token("sfh_")?;
    store.write(|tx, _| {
        let id: Option<i64> = tx
            .query_row(
                "SELECT id FROM users WHERE name = ?1 AND disabled = 0",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else {
            return Err(Error::not_found("no-such-user", format!("no active user {name}")));
        };
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, kind, label, created_at) VALUES (?1, ?2, 'api', ?3, ?4)",
            params![secret::hash_secret(&token), id, label, now_secs()],
        )?;
        audit(tx, "cli", "token-create", Some(name))?;
        Ok(())
    })?;
    Ok(token)
}

/// The user a bearer token belongs to, if the token is valid.
pub fn authenticate(store: &Store, token: &str) -> Result<Option<User>> {
    let hash = secret::hash_secret(token);
    store.read(|db| {
        let row = db
            .query_row(
                "SELECT u.id, u.name, u.role, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = ?1 AND (s.expires_at IS NULL OR s.expires_at > ?2) AND u.disabled = 0",
                params![hash, now_secs()],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, name, role, disabled)| {
            Ok(User {
                id,
                name,
                role: role.parse()?,
                disabled,
            })
        })
        .transpose()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_log_in_and_get_disabled() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("hub.db")).unwrap();
        add(&store, "ana", Role::Viewer, "a long passphrase").unwrap();
        assert!(add(&store, "ana", Role::Viewer, "a long passphrase").is_err());
        assert!(add(&store, "bo", Role::Viewer, "short").is_err());
        assert!(login(&store, "ana", "wrong password!").is_err());
        assert!(login(&store, "nobody", "a long passphrase").is_err());
        let (token, user) = login(&store, "ana", "a long passphrase").unwrap();
        assert_eq!(user.role, Role::Viewer);
        assert_eq!(authenticate(&store, &token).unwrap().unwrap().name, "ana");
        let api = create_token(&store, "ana", "script").unwrap();
        assert!(authenticate(&store, &api).unwrap().is_some());
        disable(&store, "ana").unwrap();
        assert!(authenticate(&store, &token).unwrap().is_none());
        assert!(authenticate(&store, &api).unwrap().is_none());
        assert!(login(&store, "ana", "a long passphrase").is_err());
        assert_eq!(list(&store).unwrap().len(), 1);
    }
}
