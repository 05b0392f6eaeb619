//! Reading members.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{COLUMNS, Member, from_row};
use crate::error::{Error, Result};

/// Which members to list. All fields optional; `limit` defaults to 100, at most 1000.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListFilter {
    /// Case-insensitive substring of first/last name or email.
    pub search: Option<String>,
    /// present or missing.
    pub list_status: Option<String>,
    /// good-standing, member or lapsed.
    pub standing: Option<String>,
    /// Only members of this pod (for pod leads).
    pub pod_id: Option<i64>,
    /// Only members linked to this workplace.
    pub workplace_id: Option<i64>,
    /// Page size.
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// One member by id.
pub fn get(conn: &Connection, id: i64) -> Result<Member> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM members WHERE id = ?1"))?
        .query_row(params![id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found(format!("member {id}")))
}

/// One member by ActionKit id.
pub fn get_by_actionkit_id(conn: &Connection, actionkit_id: &str) -> Result<Option<Member>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM members WHERE actionkit_id = ?1"
        ))?
        .query_row(params![actionkit_id], from_row)
        .optional()?)
}

/// Members matching `filter`, ordered by last then first name, then id.
pub fn list(conn: &Connection, filter: &ListFilter) -> Result<Vec<Member>> {
    let limit = filter.limit.unwrap_or(100).clamp(1, 1000);
    let offset = filter.offset.unwrap_or(0).max(0);
    let search = filter
        .search
        .as_deref()
        .map(|s| format!("%{}%", s.trim().to_lowercase()));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM members m WHERE
            (?1 IS NULL OR lower(first_name) LIKE ?1 OR lower(last_name) LIKE ?1 OR email_norm LIKE ?1)
        AND (?2 IS NULL OR list_status = ?2)
        AND (?3 IS NULL OR standing = ?3)
        AND (?4 IS NULL OR EXISTS (SELECT 1 FROM pod_members p WHERE p.member_id = m.id AND p.pod_id = ?4))
        AND (?5 IS NULL OR EXISTS (SELECT 1 FROM member_workplaces w WHERE w.member_id = m.id AND w.workplace_id = ?5))
        ORDER BY lower(last_name), lower(first_name), id
        LIMIT ?6 OFFSET ?7"
    ))?;
    let rows = stmt.query_map(
        params![
            search,
            filter.list_status,
            filter.standing,
            filter.pod_id,
            filter.workplace_id,
            limit,
            offset
        ],
        from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Members present on the latest list.
pub fn count_present(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM members WHERE list_status = 'present'",
        [],
        |r| r.get(0),
    )?)
}
