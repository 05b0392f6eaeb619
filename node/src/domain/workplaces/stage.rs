//! The organizing ladder: stage changes and their dated history.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::domain::vocab;
use crate::error::{Error, Result};

/// One recorded change of stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageChange {
    /// When.
    pub at: String,
    /// Who (username).
    pub actor: String,
    /// Previous stage (None for the creation entry).
    pub from_stage: Option<i64>,
    /// New stage.
    pub to_stage: i64,
    /// Why.
    pub note: String,
}

/// Moves a workplace to `stage` (0-5) and records who, when, from, to and why. Setting the
/// current stage again records nothing and returns `false`.
pub fn set_stage(conn: &Connection, id: i64, stage: i64, actor: &str, note: &str) -> Result<bool> {
    if !(0..=5).contains(&stage) {
        return Err(Error::invalid("stage", "stages run from 0 to 5"));
    }
    let current: i64 = conn
        .query_row(
            "SELECT stage FROM workplaces WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Error::not_found(format!("workplace {id}")))?;
    if current == stage {
        return Ok(false);
    }
    let now = vocab::now();
    conn.execute(
        "UPDATE workplaces SET stage = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, stage, now],
    )?;
    conn.execute(
        "INSERT INTO workplace_stage_history (workplace_id, at, actor, from_stage, to_stage, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, now, actor, current, stage, note],
    )?;
    Ok(true)
}

/// A workplace's stage history, oldest first.
pub fn stage_history(conn: &Connection, id: i64) -> Result<Vec<StageChange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, from_stage, to_stage, note FROM workplace_stage_history
         WHERE workplace_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        Ok(StageChange {
            at: r.get(0)?,
            actor: r.get(1)?,
            from_stage: r.get(2)?,
            to_stage: r.get(3)?,
            note: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
