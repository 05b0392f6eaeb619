//! WAL checkpoints off the writer's commits.
//!
//! SQLite checkpoints a WAL database automatically: the commit that takes the log past
//! `wal_autocheckpoint` pages (1,000 by default) copies the log into the database file and
//! `fsync`s both before it returns. That commit was often the view-audit writer's
//! ([`super::audit_queue`]), and every view waiting for its audit row waited for that `fsync`
//! too: on a disk shared with other work, seconds (the 1.8–13 s stalls of the load benchmark,
//! docs/performance.md). Here the writer connection's automatic checkpoints are off
//! (`PRAGMA wal_autocheckpoint=0`) and this thread, on a connection of its own, runs a
//! `PASSIVE` checkpoint every [`INTERVAL`]: it never waits for the writer or for readers and
//! nobody waits for it. A checkpoint that takes more than [`SLOW`] is logged (warn), with its
//! duration and the log's size.
//!
//! **Durability is unchanged.** With `synchronous=NORMAL` a commit in WAL mode never waited
//! for an `fsync` of its own, only for a checkpoint's when it happened to trigger one: a commit
//! survives a crash of the process once it returns; a power failure or an operating-system
//! crash can lose the transactions committed since the last checkpoint, which is now at most
//! [`INTERVAL`] old when the disk keeps up (before: up to 1,000 pages old). An acknowledged
//! view's audit row is in the WAL before its page is answered, exactly as before.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::connection::open_connection;
use crate::error::{Error, Result};

/// How often the thread checkpoints.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// A checkpoint slower than this is logged as a warning.
pub const SLOW: Duration = Duration::from_millis(200);

/// What one `PRAGMA wal_checkpoint(PASSIVE)` reported, and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpointed {
    /// Pages in the log.
    pub log_pages: i64,
    /// Pages of the log now in the database file.
    pub checkpointed_pages: i64,
    /// Wall-clock time of the checkpoint.
    pub took: Duration,
}

/// Runs one passive checkpoint on `conn`.
pub fn passive(conn: &Connection) -> Result<Checkpointed> {
    let t = Instant::now();
    let (log_pages, checkpointed_pages) =
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        })?;
    Ok(Checkpointed {
        log_pages,
        checkpointed_pages,
        took: t.elapsed(),
    })
}

/// Turns off the automatic checkpoints of `writer` (this thread does them).
pub fn disable_auto(writer: &Connection) -> Result<()> {
    writer.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(())
}

/// The checkpointing thread. Dropping it stops the thread after one last checkpoint.
#[derive(Debug)]
pub struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` every [`INTERVAL`].
    pub fn start(path: &Path) -> Result<Checkpointer> {
        let conn = open_connection(path, false)?;
        // This connection never writes; should it ever, it must not checkpoint inside a commit.
        disable_auto(&conn)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || run(&conn, &stopped))
            .map_err(|e| Error::Task(format!("checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(conn: &Connection, stopped: &mpsc::Receiver<()>) {
    loop {
        let last = matches!(
            stopped.recv_timeout(INTERVAL),
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected)
        );
        match passive(conn) {
            Ok(c) if c.took >= SLOW => tracing::warn!(
                took_ms = c.took.as_millis() as u64,
                log_pages = c.log_pages,
                checkpointed_pages = c.checkpointed_pages,
                "slow WAL checkpoint"
            ),
            Ok(c) => tracing::trace!(
                took_ms = c.took.as_millis() as u64,
                log_pages = c.log_pages,
                checkpointed_pages = c.checkpointed_pages,
                "WAL checkpoint"
            ),
            Err(e) => tracing::warn!("WAL checkpoint failed: {e}"),
        }
        if last {
            break;
        }
    }
}
