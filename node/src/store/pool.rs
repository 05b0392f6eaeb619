//! An r2d2 connection manager for rusqlite (the published one pins an older rusqlite).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::Connection;

use super::connection::open_connection;

/// Hands out configured, read-only connections to one database file.
#[derive(Debug, Clone)]
pub struct SqliteManager {
    path: PathBuf,
    /// While set, connections handed back are closed instead of kept
    /// ([`crate::store::Store::release_memory`]).
    retire: Arc<AtomicBool>,
}

impl SqliteManager {
    /// A manager for the database at `path`.
    pub fn new(path: &Path) -> Self {
        SqliteManager {
            path: path.to_path_buf(),
            retire: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The switch that makes the pool close the connections handed back to it.
    pub fn retire_switch(&self) -> Arc<AtomicBool> {
        self.retire.clone()
    }
}

impl r2d2::ManageConnection for SqliteManager {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        open_connection(&self.path, true)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), rusqlite::Error> {
        conn.execute_batch("SELECT 1")
    }

    fn has_broken(&self, _conn: &mut Connection) -> bool {
        self.retire.load(Ordering::Acquire)
    }
}
