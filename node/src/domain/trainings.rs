//! The trainings catalog and completions.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::registry::Dim;

use crate::error::{Error, Result};

/// A training in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    /// Code (lowercase letters, digits, hyphens), as reported.
    pub code: String,
    /// English title.
    pub title_en: String,
    /// Spanish title.
    pub title_es: String,
    /// hub or chapter.
    pub source: String,
}

/// Adds or renames a training.
pub fn upsert(conn: &Connection, t: &Training) -> Result<()> {
    if t.code == shopfloor_protocol::registry::UNKNOWN || !Dim::Training.accepts(&t.code) {
        return Err(Error::invalid(
            "code",
            "a training code is 1-40 lowercase letters, digits or hyphens",
        ));
    }
    if !["hub", "chapter"].contains(&t.source.as_str()) {
        return Err(Error::invalid("source", "hub or chapter"));
    }
    conn.execute(
        "INSERT INTO trainings (code, title_en, title_es, source) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (code) DO UPDATE SET title_en = excluded.title_en,
            title_es = excluded.title_es, source = excluded.source",
        params![t.code, t.title_en, t.title_es, t.source],
    )?;
    Ok(())
}

/// The catalog.
pub fn catalog(conn: &Connection) -> Result<Vec<Training>> {
    let mut stmt = conn
        .prepare_cached("SELECT code, title_en, title_es, source FROM trainings ORDER BY code")?;
    let rows = stmt.query_map([], |r| {
        Ok(Training {
            code: r.get(0)?,
            title_en: r.get(1)?,
            title_es: r.get(2)?,
            source: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Records that a member completed a training on a date (YYYY-MM-DD).
pub fn complete(conn: &Connection, member_id: i64, code: &str, on: &str) -> Result<()> {
    let on = crate::import::dates::parse_date(on).map_err(|e| Error::invalid("date", e))?;
    conn.execute(
        "INSERT OR IGNORE INTO training_completions (member_id, training_code, completed_on)
         VALUES (?1, ?2, ?3)",
        params![member_id, code, on],
    )?;
    Ok(())
}

/// A member's completions: (training code, date).
pub fn completions_of(conn: &Connection, member_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT training_code, completed_on FROM training_completions WHERE member_id = ?1
         ORDER BY completed_on, training_code",
    )?;
    let rows = stmt.query_map(params![member_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
