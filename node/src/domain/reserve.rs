//! The organizer reserve: members who volunteer to help other chapters.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::domain::vocab;
use crate::error::{Error, Result};

/// A member's reserve entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveEntry {
    /// The member.
    pub member_id: i64,
    /// Languages (ISO 639 codes).
    pub languages: Vec<String>,
    /// registry::SKILLS codes.
    pub skills: Vec<String>,
    /// Availability, free text ("weekends", "2 evenings a month").
    pub availability: String,
    /// Active (opted in).
    pub active: bool,
}

/// Opts a member in (or updates their entry).
pub fn opt_in(conn: &Connection, e: &ReserveEntry) -> Result<()> {
    let langs =
        vocab::language_list(&e.languages.join(",")).map_err(|m| Error::invalid("languages", m))?;
    for s in &e.skills {
        if !vocab::is_skill(s) {
            return Err(Error::invalid("skills", format!("unknown skill {s:?}")));
        }
    }
    conn.execute(
        "INSERT INTO reserve (member_id, languages, availability, opted_in_on, active)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (member_id) DO UPDATE SET languages = excluded.languages,
            availability = excluded.availability, active = excluded.active",
        params![
            e.member_id,
            langs.join(","),
            e.availability,
            vocab::today(),
            e.active
        ],
    )?;
    conn.execute(
        "DELETE FROM reserve_skills WHERE member_id = ?1",
        params![e.member_id],
    )?;
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO reserve_skills (member_id, skill) VALUES (?1, ?2)",
    )?;
    for s in &e.skills {
        stmt.execute(params![e.member_id, s])?;
    }
    Ok(())
}

/// Opts a member out (keeps the row, inactive).
pub fn opt_out(conn: &Connection, member_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE reserve SET active = 0 WHERE member_id = ?1",
        params![member_id],
    )?;
    Ok(())
}

/// Every reserve entry.
pub fn list(conn: &Connection) -> Result<Vec<ReserveEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT member_id, languages, availability, active FROM reserve ORDER BY member_id",
    )?;
    let mut entries = stmt
        .query_map([], |r| {
            let langs: String = r.get(1)?;
            Ok(ReserveEntry {
                member_id: r.get(0)?,
                languages: langs
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                skills: Vec::new(),
                availability: r.get(2)?,
                active: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut sk = conn
        .prepare_cached("SELECT skill FROM reserve_skills WHERE member_id = ?1 ORDER BY skill")?;
    for e in &mut entries {
        e.skills = sk
            .query_map(params![e.member_id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(entries)
}

/// One member's reserve entry, if they have one (what [`list`] holds for them).
pub fn of_member(conn: &Connection, member_id: i64) -> Result<Option<ReserveEntry>> {
    let entry = conn
        .prepare_cached("SELECT languages, availability, active FROM reserve WHERE member_id = ?1")?
        .query_row(params![member_id], |r| {
            let langs: String = r.get(0)?;
            Ok(ReserveEntry {
                member_id,
                languages: langs
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                skills: Vec::new(),
                availability: r.get(1)?,
                active: r.get(2)?,
            })
        });
    let mut entry = match entry {
        Ok(e) => e,
        Err(rusqlite::Error::QueryReturnedNoRows) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    entry.skills = conn
        .prepare_cached("SELECT skill FROM reserve_skills WHERE member_id = ?1 ORDER BY skill")?
        .query_map(params![member_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(entry))
}
