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
//! **The log is kept short.** A passive checkpoint copies the log into the database but cannot
//! start it again from the beginning while readers are still in it, and under sustained load
//! some reader always is: the log then grows without end (7.0 GB in a ten-minute soak of the load
//! benchmark, the node's memory growing with the log's shared index from 53 to 71 MB; 45.6 to
//! 54.4 MB with the log kept short; docs/performance.md). So when a passive checkpoint has copied a
//! log of [`TRUNCATE_PAGES`] or more, the thread also runs a `TRUNCATE` checkpoint, which waits
//! for the readers then in the log (new readers read the database file, the log being all
//! copied) and empties the file. It holds new writers back while it waits, so it waits at most
//! [`TRUNCATE_WAIT`] and otherwise tries again at the next interval.
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

/// A log of this many pages or more (16 MiB of 4 KiB pages), all copied, is emptied.
pub const TRUNCATE_PAGES: i64 = 4_096;

/// How long an emptying checkpoint waits for readers still in the log.
pub const TRUNCATE_WAIT: Duration = Duration::from_millis(50);

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

/// Empties the log with a `TRUNCATE` checkpoint when `last` (a passive checkpoint's report) copied
/// all of a log of `at_pages` pages or more. Whether it did: it gives up when readers stay in
/// the log past the connection's busy timeout.
pub fn truncate_if_long(conn: &Connection, last: &Checkpointed, at_pages: i64) -> Result<bool> {
    if last.log_pages < at_pages || last.checkpointed_pages < last.log_pages {
        return Ok(false);
    }
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    Ok(busy == 0)
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
        // Only an emptying checkpoint waits (passive ones never do): briefly.
        conn.busy_timeout(TRUNCATE_WAIT)?;
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
        let checkpointed = passive(conn);
        match &checkpointed {
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
        if let Ok(c) = &checkpointed {
            match truncate_if_long(conn, c, TRUNCATE_PAGES) {
                Ok(true) => tracing::debug!(log_pages = c.log_pages, "WAL emptied"),
                Ok(false) => {}
                Err(e) => tracing::warn!("emptying the WAL failed: {e}"),
            }
        }
        if last {
            break;
        }
    }
}
