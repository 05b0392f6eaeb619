//! Mentorship pairs.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::import::dates::parse_date;

/// A mentorship.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mentorship {
    /// Row id.
    pub id: i64,
    /// Mentor member id.
    pub mentor_id: i64,
    /// Mentee member id.
    pub mentee_id: i64,
    /// Started (YYYY-MM-DD).
    pub started_on: String,
    /// Ended, if it has.
    pub ended_on: Option<String>,
}

/// Starts a mentorship.
pub fn start(conn: &Connection, mentor_id: i64, mentee_id: i64, on: &str) -> Result<i64> {
    if mentor_id == mentee_id {
        return Err(Error::invalid(
            "mentee",
            "a member cannot mentor themselves",
        ));
    }
    let on = parse_date(on).map_err(|e| Error::invalid("started_on", e))?;
    conn.execute(
        "INSERT INTO mentorships (mentor_id, mentee_id, started_on) VALUES (?1, ?2, ?3)",
        params![mentor_id, mentee_id, on],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Ends a mentorship.
pub fn end(conn: &Connection, id: i64, on: &str) -> Result<()> {
    let on = parse_date(on).map_err(|e| Error::invalid("ended_on", e))?;
    let n = conn.execute(
        "UPDATE mentorships SET ended_on = ?2 WHERE id = ?1 AND started_on <= ?2",
        params![id, on],
    )?;
    if n == 0 {
        return Err(Error::invalid(
            "ended_on",
            "no such mentorship, or it ends before it starts",
        ));
    }
    Ok(())
}

/// Every mentorship, newest first.
pub fn list(conn: &Connection) -> Result<Vec<Mentorship>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, mentor_id, mentee_id, started_on, ended_on FROM mentorships
         ORDER BY started_on DESC, id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Mentorship {
            id: r.get(0)?,
            mentor_id: r.get(1)?,
            mentee_id: r.get(2)?,
            started_on: r.get(3)?,
            ended_on: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The mentorships `member_id` is in, as mentor or mentee, newest first (those of [`list`]).
pub fn of_member(conn: &Connection, member_id: i64) -> Result<Vec<Mentorship>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, mentor_id, mentee_id, started_on, ended_on FROM mentorships
         WHERE mentor_id = ?1 OR mentee_id = ?1 ORDER BY started_on DESC, id DESC",
    )?;
    let rows = stmt.query_map(params![member_id], |r| {
        Ok(Mentorship {
            id: r.get(0)?,
            mentor_id: r.get(1)?,
            mentee_id: r.get(2)?,
            started_on: r.get(3)?,
            ended_on: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
