//! The audit log: who did what, when.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::domain::vocab;
use crate::error::Result;

/// One audit entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Row id.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who: a username, or `cli:<os user>` for the command line.
    pub actor: String,
    /// What, e.g. `import`, `export.members`, `user.add`.
    pub action: String,
    /// On what.
    pub subject: String,
    /// Details (never member data).
    pub detail: String,
}

/// Appends an entry.
pub fn record(
    conn: &Connection,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![vocab::now(), actor, action, subject, detail])?;
    Ok(())
}

/// The latest entries, newest first.
pub fn recent(conn: &Connection, limit: i64) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map(params![limit.clamp(1, 10_000)], |r| {
        Ok(Entry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            subject: r.get(4)?,
            detail: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The actor name for the command line: `cli:$USER`.
pub fn cli_actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}
