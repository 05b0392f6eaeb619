//! Members working at workplaces.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A member's link to a workplace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The member.
    pub member_id: i64,
    /// The workplace.
    pub workplace_id: i64,
    /// Role or job title, free text.
    pub job_title: String,
    /// Working there since (YYYY-MM-DD).
    pub since: Option<String>,
    /// The member's main workplace: the one their report dimensions come from.
    pub is_primary: bool,
}

/// Links a member to a workplace (or updates the link). A member's first link becomes primary;
/// `primary = true` moves the primary flag here.
pub fn link_member(conn: &Connection, link: &Link) -> Result<()> {
    if let Some(since) = &link.since {
        crate::import::dates::parse_date(since).map_err(|e| Error::invalid("since", e))?;
    }
    let has_primary: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM member_workplaces WHERE member_id = ?1 AND is_primary = 1
            AND workplace_id <> ?2)",
        params![link.member_id, link.workplace_id],
        |r| r.get(0),
    )?;
    let primary = link.is_primary || !has_primary;
    if primary {
        conn.execute(
            "UPDATE member_workplaces SET is_primary = 0 WHERE member_id = ?1",
            params![link.member_id],
        )?;
    }
    conn.execute(
        "INSERT INTO member_workplaces (member_id, workplace_id, job_title, since, is_primary)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (member_id, workplace_id) DO UPDATE SET
            job_title = excluded.job_title, since = excluded.since, is_primary = excluded.is_primary",
        params![link.member_id, link.workplace_id, link.job_title, link.since, primary],
    )?;
    Ok(())
}

/// Makes one of a member's workplaces the primary one.
pub fn set_primary(conn: &Connection, member_id: i64, workplace_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE member_workplaces SET is_primary = 0 WHERE member_id = ?1",
        params![member_id],
    )?;
    let n = conn.execute(
        "UPDATE member_workplaces SET is_primary = 1 WHERE member_id = ?1 AND workplace_id = ?2",
        params![member_id, workplace_id],
    )?;
    if n == 0 {
        return Err(Error::not_found(format!(
            "link of member {member_id} to workplace {workplace_id}"
        )));
    }
    Ok(())
}

/// Removes a link; if it was primary, the oldest remaining link becomes primary.
pub fn unlink_member(conn: &Connection, member_id: i64, workplace_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM member_workplaces WHERE member_id = ?1 AND workplace_id = ?2",
        params![member_id, workplace_id],
    )?;
    conn.execute(
        "UPDATE member_workplaces SET is_primary = 1
         WHERE id = (SELECT min(id) FROM member_workplaces WHERE member_id = ?1)
           AND NOT EXISTS (SELECT 1 FROM member_workplaces WHERE member_id = ?1 AND is_primary = 1)",
        params![member_id],
    )?;
    Ok(())
}

/// A member's workplaces, primary first.
pub fn links_of_member(conn: &Connection, member_id: i64) -> Result<Vec<Link>> {
    let mut stmt = conn.prepare_cached(
        "SELECT member_id, workplace_id, job_title, since, is_primary FROM member_workplaces
         WHERE member_id = ?1 ORDER BY is_primary DESC, id",
    )?;
    let rows = stmt.query_map(params![member_id], |r| {
        Ok(Link {
            member_id: r.get(0)?,
            workplace_id: r.get(1)?,
            job_title: r.get(2)?,
            since: r.get(3)?,
            is_primary: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
