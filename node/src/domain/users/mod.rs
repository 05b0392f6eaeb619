//! Accounts: usernames, argon2id password hashes, roles. (Sessions and tokens belong to the web
//! interface and come in a later migration.)

mod password;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

pub use password::{
    MAX_PASSWORD_BYTES, MIN_PASSWORD_SCORE, check_new_password, generate_password,
    hash_new_password, hash_password, verify_password,
};

use crate::domain::vocab;
use crate::error::{Error, Result};

/// The roles, from most to least access.
pub const ROLES: &[&str] = &["admin", "organizer", "pod_lead", "viewer"];

/// An account (without its hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// admin, organizer, pod_lead or viewer.
    pub role: String,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// Created.
    pub created_at: String,
    /// Interface language (en, es).
    pub language: String,
}

fn check_username(username: &str) -> Result<()> {
    let ok = (1..=64).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "username",
            "1-64 characters: letters, digits, '.', '_', '-', '@'",
        ))
    }
}

/// Adds an account with an already hashed password. Returns its id.
pub fn add(conn: &Connection, username: &str, role: &str, password_hash: &str) -> Result<i64> {
    check_username(username)?;
    if !ROLES.contains(&role) {
        return Err(Error::invalid(
            "role",
            format!("one of {}", ROLES.join(", ")),
        ));
    }
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)",
        params![username],
        |r| r.get(0),
    )?;
    if exists {
        return Err(Error::AlreadyExists(format!("user {username}")));
    }
    conn.execute(
        "INSERT INTO users (username, password_hash, role, disabled, created_at, language)
         VALUES (?1, ?2, ?3, 0, ?4, '')",
        params![username, password_hash, role, vocab::now()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Every account.
pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, username, role, disabled, created_at, language FROM users ORDER BY username",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(User {
            id: r.get(0)?,
            username: r.get(1)?,
            role: r.get(2)?,
            disabled: r.get(3)?,
            created_at: r.get(4)?,
            language: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Disables (or re-enables) an account.
pub fn set_disabled(conn: &Connection, username: &str, disabled: bool) -> Result<()> {
    let n = conn.execute(
        "UPDATE users SET disabled = ?2 WHERE username = ?1",
        params![username, disabled],
    )?;
    if n == 0 {
        return Err(Error::not_found(format!("user {username}")));
    }
    Ok(())
}

/// Replaces an account's password hash.
pub fn set_password_hash(conn: &Connection, username: &str, password_hash: &str) -> Result<()> {
    let n = conn.execute(
        "UPDATE users SET password_hash = ?2 WHERE username = ?1",
        params![username, password_hash],
    )?;
    if n == 0 {
        return Err(Error::not_found(format!("user {username}")));
    }
    Ok(())
}

/// Checks a username and password. Returns the account if it exists, is enabled and the
/// password matches; `None` otherwise (without saying which).
pub fn authenticate(conn: &Connection, username: &str, password: &str) -> Result<Option<User>> {
    let row: Option<(User, String)> = conn
        .query_row(
            "SELECT id, username, role, disabled, created_at, language, password_hash
             FROM users WHERE username = ?1",
            params![username],
            |r| {
                Ok((
                    User {
                        id: r.get(0)?,
                        username: r.get(1)?,
                        role: r.get(2)?,
                        disabled: r.get(3)?,
                        created_at: r.get(4)?,
                        language: r.get(5)?,
                    },
                    r.get(6)?,
                ))
            },
        )
        .optional()?;
    match row {
        Some((user, hash)) if !user.disabled && verify_password(password, &hash) => Ok(Some(user)),
        Some(_) => Ok(None),
        None => {
            // Spend the same time as a real check so timing does not reveal usernames.
            let _ = verify_password(password, password::dummy_hash());
            Ok(None)
        }
    }
}
