//! Chapter-level facts.

use rusqlite::{Connection, params};
use shopfloor_protocol::report::ChapterFacts;

use crate::domain::vocab;
use crate::error::Result;

/// The chapter's facts.
pub fn get(conn: &Connection) -> Result<ChapterFacts> {
    Ok(conn.query_row(
        "SELECT labor_committee, clc_delegate, bylaws FROM chapter_facts WHERE id = 1",
        [],
        |r| {
            Ok(ChapterFacts {
                labor_committee: r.get(0)?,
                clc_delegate: r.get(1)?,
                bylaws: r.get(2)?,
            })
        },
    )?)
}

/// Replaces the chapter's facts.
pub fn set(conn: &Connection, f: &ChapterFacts) -> Result<()> {
    conn.execute(
        "UPDATE chapter_facts SET labor_committee = ?1, clc_delegate = ?2, bylaws = ?3,
            updated_at = ?4 WHERE id = 1",
        params![f.labor_committee, f.clc_delegate, f.bylaws, vocab::now()],
    )?;
    Ok(())
}
