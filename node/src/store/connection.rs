//! Opening and configuring one SQLite connection.

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

/// Applies the node's connection settings: WAL, foreign keys, busy timeout, synchronous=NORMAL,
/// a small page cache (the node runs in 512 MB), plans that do not depend on bound values.
/// Readers are also made `query_only`.
pub fn configure(conn: &Connection, read_only: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // The query planner stability guarantee: a statement's plan does not depend on the values
    // bound to it. Without it SQLite reads some bound values while planning (a `LIMIT ?`, an
    // `OFFSET ?`, a value compared with a partial index's condition), and a statement so planned
    // is compiled again each time it is taken from rusqlite's statement cache (returning it there
    // clears its bindings, which expires it). That was every member list page and every
    // session lookup, each compiled anew at every request: a sixth of `/members`' processor time
    // at 20,000 members (docs/performance.md; tested in tests/it/speed.rs). The node's
    // queries do not need value-dependent plans: its `LIKE` patterns start with `%` and its
    // partial indexes are used with literal conditions or `col = ?`, which implies `NOT NULL`.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // journal_mode returns a row; pragma_update_and_check reads it.
    let _mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // 2 MB of pages per connection (the writer and each reader): the operating system's file
    // cache holds the rest, shared, and the node stays within 512 MB (docs/performance.md).
    conn.pragma_update(None, "cache_size", -2000)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    if read_only {
        conn.pragma_update(None, "query_only", "ON")?;
    }
    Ok(())
}

/// Opens a configured connection to the database file.
pub fn open_connection(path: &Path, read_only: bool) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    configure(&conn, read_only)?;
    Ok(conn)
}
