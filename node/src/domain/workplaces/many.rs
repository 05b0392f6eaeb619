//! Workplaces for many members or links in one query (the member list's primary workplaces,
//! a member page's links), instead of one or two queries each.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::{COLUMNS, Workplace, from_row};
use crate::error::Result;

/// Column of the member id, after the workplace's columns.
const MEMBER_COLUMN: usize = 18;

/// The primary workplace of each of `member_ids` that has one, by member id.
pub fn primaries_of(conn: &Connection, member_ids: &[i64]) -> Result<HashMap<i64, Workplace>> {
    if member_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // The first primary link by link id, as `links_of_member` orders them. The statement's
    // text is made once: every member list page asks for it.
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let cols = COLUMNS
            .split(',')
            .map(|c| format!("w.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "SELECT {cols}, l.member_id FROM member_workplaces l
             JOIN workplaces w ON w.id = l.workplace_id
             WHERE l.is_primary = 1 AND l.member_id IN (SELECT value FROM json_each(?1))
             ORDER BY l.member_id, l.id"
        )
    });
    let mut stmt = conn.prepare_cached(&SQL)?;
    let ids = crate::store::search::json_ids(member_ids);
    let mut rows = stmt.query(params![ids])?;
    let mut out = HashMap::new();
    while let Some(r) = rows.next()? {
        let member: i64 = r.get(MEMBER_COLUMN)?;
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(member) {
            e.insert(from_row(r)?);
        }
    }
    Ok(out)
}

/// Workplaces by id (those that exist).
pub fn get_many(conn: &Connection, ids: &[i64]) -> Result<HashMap<i64, Workplace>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM workplaces WHERE id IN (SELECT value FROM json_each(?1))"
    ))?;
    let json = crate::store::search::json_ids(ids);
    let rows = stmt.query_map(params![json], from_row)?;
    let mut out = HashMap::new();
    for w in rows {
        let w = w?;
        out.insert(w.id, w);
    }
    Ok(out)
}
