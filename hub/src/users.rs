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

/// Fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most bytes a password may have, at login and wherever one is set: argon2 on megabytes would
/// be a denial of service, and a password that could be set but not used would lock its user out.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Lowest zxcvbn score a new password needs (3: about 10^10 guesses; `aaaaaaaaaaaa` scores 0).
pub const MIN_PASSWORD_SCORE: u8 = 3;

/// Checks a new password: 12 characters to 1,024 bytes (code `password-length`), and not easy
/// to guess by the zxcvbn estimate, also given `user_inputs` such as the user name (code
/// `password-weak`). The codes name the catalogue messages `err-password-length` and
/// `err-password-weak`.
pub fn check_new_password(password: &str, user_inputs: &[&str]) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::refused(
            400,
            "password-length",
            "a password has 12 characters to 1024 bytes",
        ));
    }
    if u8::from(zxcvbn::zxcvbn(password, user_inputs).score()) < MIN_PASSWORD_SCORE {
        return Err(Error::refused(
            400,
            "password-weak",
            "this password is too easy to guess: use a few random words or a generated password",
        ));
    }
    Ok(())
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
    check_new_password(password, &[name])?;
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

/// Clears the login locks and failure counts of user `name` (all addresses, its device tokens)
/// and audits it. Returns how many counters were cleared.
pub fn unlock(store: &Store, name: &str) -> Result<usize> {
    store.write(|tx, _| {
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(Error::not_found("no-such-user", format!("no user {name}")));
        }
        let n = crate::web::throttle::unlock(tx, name)?;
        audit(tx, "cli", "user-unlock", Some(name))?;
        Ok(n)
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
    if password.len() > MAX_PASSWORD_BYTES {
        // No password this long can be set: refused before argon2.
        return Err(bad());
    }
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
        // Weak, or longer than a login accepts: refused when set.
        for (pw, code) in [
            ("aaaaaaaaaaaa", "password-weak"),
            ("password1234", "password-weak"),
            ("bo.marquez.2024", "password-weak"),
        ] {
            let name = if pw.starts_with("bo.") {
                "bo.marquez"
            } else {
                "bo"
            };
            assert_eq!(
                add(&store, name, Role::Viewer, pw).unwrap_err().code(),
                code
            );
        }
        let long = format!("{} {}", secret::random_code(20), "x".repeat(1024));
        assert_eq!(
            add(&store, "bo", Role::Viewer, &long).unwrap_err().code(),
            "password-length"
        );
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
