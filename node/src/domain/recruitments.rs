//! Coworkers recruited to the organization: dated counts by workplace. Never names.

use rusqlite::{Connection, params};

use crate::error::{Error, Result};

/// Records that `count` coworkers at a workplace joined on a date.
pub fn record(conn: &Connection, workplace_id: i64, on: &str, count: i64) -> Result<i64> {
    if count <= 0 {
        return Err(Error::invalid("count", "at least 1"));
    }
    let on = crate::import::dates::parse_date(on).map_err(|e| Error::invalid("date", e))?;
    conn.execute(
        "INSERT INTO recruitments (workplace_id, recruited_on, count) VALUES (?1, ?2, ?3)",
        params![workplace_id, on, count],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Total recruited at a workplace.
pub fn total_at(conn: &Connection, workplace_id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(count), 0) FROM recruitments WHERE workplace_id = ?1",
        params![workplace_id],
        |r| r.get(0),
    )?)
}
