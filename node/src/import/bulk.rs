//! Loading many new members at once: the `members` table's secondary indexes are dropped inside
//! the import's transaction and rebuilt from their own definitions once the rows are in.
//!
//! Building an index over rows already in the table is one sort; keeping eight indexes up to date
//! row by row (three of them on `lower()` expressions) writes every index page many times and,
//! with the node's 2 MB page cache, spills them to the write-ahead log during the transaction. The
//! indexes are recreated from the SQL SQLite stored for them (`sqlite_master`), so they come back
//! exactly as the migrations made them, and all of it is inside the import's one transaction: an
//! error rolls the drop back with the rows, and readers never see the table without its indexes.
//! The `UNIQUE` constraint on `actionkit_id` is not droppable and is checked row by row as before.

use rusqlite::Connection;

use crate::error::Result;

/// A load is "bulk" when it brings at least this many rows...
const MIN_ROWS: usize = 1_000;

/// Whether a file of `rows` rows into a table of `existing` members is loaded with the indexes
/// deferred: when the rows are many and at least twice the members already there (a chapter's
/// first list, or a list onto a node that held only a few members added by hand), rebuilding
/// is cheaper than maintaining. A monthly list over the same members is applied as before.
pub(super) fn worth_deferring(rows: usize, existing: usize) -> bool {
    rows >= MIN_ROWS && existing.saturating_mul(2) <= rows
}

/// Runs `load` with the members table's secondary indexes dropped, then recreates them.
pub(super) fn with_member_indexes_deferred<T>(
    conn: &Connection,
    load: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let indexes: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND tbl_name = 'members' AND sql IS NOT NULL
             ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    let out = load()?;
    for (_, sql) in &indexes {
        conn.execute_batch(sql)?;
    }
    Ok(out)
}
