//! Editing what the node adds to a member.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::domain::vocab;
use crate::error::{Error, Result};

/// Node-side fields to change; `None` leaves a field as it is. To clear a value, use the
/// explicit `clear_*` flags.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NodeFields {
    /// New union role (manual from now on).
    pub union_role: Option<String>,
    /// New union code (manual from now on).
    pub union_code: Option<String>,
    /// Give union role and code back to the import's derivation.
    #[serde(default)]
    pub reset_union_to_list: bool,
    /// Readiness level 1-4.
    pub readiness: Option<i64>,
    /// Clear readiness.
    #[serde(default)]
    pub clear_readiness: bool,
    /// Languages spoken (codes or names, comma-separated).
    pub languages: Option<String>,
    /// Preferred language (code or name).
    pub preferred_language: Option<String>,
}

/// Applies [`NodeFields`] to a member.
pub fn update_node_fields(conn: &Connection, id: i64, f: &NodeFields) -> Result<()> {
    let now = vocab::now();
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM members WHERE id = ?1)",
        params![id],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(Error::not_found(format!("member {id}")));
    }
    if let Some(role) = &f.union_role {
        if !vocab::is_union_role(role) {
            return Err(Error::invalid(
                "union_role",
                format!("unknown role {role:?}"),
            ));
        }
        conn.execute(
            "UPDATE members SET union_role = ?2, union_role_manual = 1, updated_at = ?3 WHERE id = ?1",
            params![id, role, now],
        )?;
    }
    if let Some(code) = &f.union_code {
        if !vocab::is_union(code) {
            return Err(Error::invalid(
                "union_code",
                format!("unknown union {code:?}"),
            ));
        }
        conn.execute(
            "UPDATE members SET union_code = ?2, union_code_manual = 1, updated_at = ?3 WHERE id = ?1",
            params![id, code, now],
        )?;
    }
    if f.reset_union_to_list {
        let m = super::get(conn, id)?;
        let d = super::save::derive(&m.list, None, None);
        conn.execute(
            "UPDATE members SET union_role = ?2, union_code = ?3, union_role_manual = 0,
                union_code_manual = 0, updated_at = ?4 WHERE id = ?1",
            params![id, d.union_role, d.union_code, now],
        )?;
    }
    if let Some(level) = f.readiness {
        if !(1..=4).contains(&level) {
            return Err(Error::invalid("readiness", "readiness is 1 to 4"));
        }
        conn.execute(
            "UPDATE members SET readiness = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, level, now],
        )?;
    } else if f.clear_readiness {
        conn.execute(
            "UPDATE members SET readiness = NULL, updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
    }
    if let Some(langs) = &f.languages {
        let list = vocab::language_list(langs).map_err(|e| Error::invalid("languages", e))?;
        conn.execute(
            "UPDATE members SET languages = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, list.join(","), now],
        )?;
    }
    if let Some(lang) = &f.preferred_language {
        let code = if lang.trim().is_empty() {
            None
        } else {
            Some(
                vocab::language_code(lang)
                    .ok_or_else(|| Error::invalid("preferred_language", format!("{lang:?}")))?,
            )
        };
        conn.execute(
            "UPDATE members SET preferred_language = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, code, now],
        )?;
    }
    Ok(())
}

/// Marks a member present or missing from the list.
pub fn set_list_status(conn: &Connection, id: i64, present: bool) -> Result<()> {
    conn.execute(
        "UPDATE members SET list_status = ?2, updated_at = ?3 WHERE id = ?1",
        params![
            id,
            if present { "present" } else { "missing" },
            vocab::now()
        ],
    )?;
    Ok(())
}
