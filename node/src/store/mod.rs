//! The SQLite store: one writer, a pool of readers, embedded migrations.
//!
//! [`Store`] is cheap to clone (an `Arc`) and `Send + Sync`. Blocking calls ([`Store::read`],
//! [`Store::write`]) are for the command line and for code already on a blocking thread; async
//! code (axum handlers) uses [`Store::read_async`] / [`Store::write_async`], which run the closure
//! on tokio's blocking pool so the runtime's worker threads never wait on SQLite.
//!
//! ```no_run
//! # async fn demo(store: shopfloor_node::store::Store) -> shopfloor_node::Result<()> {
//! use shopfloor_node::domain::members;
//! let page = store
//!     .read_async(|conn| members::list(conn, &members::ListFilter::default()))
//!     .await?;
//! # Ok(()) }
//! ```

pub mod audit_queue;
pub mod cache;
pub mod checkpoint;
mod connection;
pub mod migrations;
mod pool;
pub mod search;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use connection::{configure, open_connection};
pub use pool::SqliteManager;

use crate::error::{Error, Result};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "shopfloor.db";

/// Readers kept in the pool. SQLite in WAL mode lets them run beside the writer.
const READERS: u32 = 4;

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    readers: r2d2::Pool<SqliteManager>,
    /// Set while idle readers are handed back to be closed ([`Store::release_memory`]).
    retire: Arc<std::sync::atomic::AtomicBool>,
    /// Bumped after every commit through the writer (not the view-audit queue's).
    generation: AtomicU64,
    /// Bumped by every read and write: the server gives memory back once it stops moving
    /// ([`crate::memory::IdleRelease`]).
    activity: AtomicU64,
    /// Pages' aggregates until the next write ([`cache`]).
    cache: cache::ReadCache,
    /// Async reads waiting for a reader wait here, not on a blocking thread each: the blocking
    /// threads (and their allocator arenas) stay as few as the readers.
    read_gate: Arc<tokio::sync::Semaphore>,
    /// Async writes likewise.
    write_gate: Arc<tokio::sync::Semaphore>,
    /// Audit rows of views, committed in batches ([`audit_queue`]). Declared last: dropped
    /// after the rest, it writes what is queued before the writer closes.
    audit: audit_queue::AuditQueue,
    /// Checkpoints the WAL off the writer's commits ([`checkpoint`]).
    _checkpointer: checkpoint::Checkpointer,
}

/// Handle to a node's database. Clone freely.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let mut writer = open_connection(&path, false)?;
        migrations::migrate(&mut writer)?;
        checkpoint::disable_auto(&writer)?;
        let checkpointer = checkpoint::Checkpointer::start(&path)?;
        let writer = Arc::new(Mutex::new(writer));
        let audit = audit_queue::AuditQueue::start(writer.clone())?;
        let manager = SqliteManager::new(&path);
        let retire = manager.retire_switch();
        let readers = r2d2::Pool::builder()
            .max_size(READERS)
            .min_idle(Some(0))
            .idle_timeout(Some(Duration::from_secs(300)))
            .connection_timeout(Duration::from_secs(30))
            .build(manager)?;
        Ok(Store {
            inner: Arc::new(Inner {
                path,
                writer,
                readers,
                retire,
                generation: AtomicU64::new(0),
                activity: AtomicU64::new(0),
                cache: cache::ReadCache::default(),
                read_gate: Arc::new(tokio::sync::Semaphore::new(READERS as usize)),
                write_gate: Arc::new(tokio::sync::Semaphore::new(1)),
                audit,
                _checkpointer: checkpointer,
            }),
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a pooled read-only connection.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.inner.activity.fetch_add(1, Ordering::Relaxed);
        let conn = self.inner.readers.get()?;
        f(&conn)
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction on the single writer connection.
    /// Commits when `f` returns `Ok`, rolls back otherwise.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.inner.activity.fetch_add(1, Ordering::Relaxed);
        let mut conn = self
            .inner
            .writer
            .lock()
            .map_err(|_| Error::Task("writer lock poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        self.bump();
        Ok(out)
    }

    /// Runs `f` in a write transaction and always rolls back: for dry runs.
    pub fn write_rolled_back<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self
            .inner
            .writer
            .lock()
            .map_err(|_| Error::Task("writer lock poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx);
        tx.rollback()?;
        out
    }

    /// Gives `f` the writer connection itself, outside any transaction (backups, maintenance).
    pub fn with_writer<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = self
            .inner
            .writer
            .lock()
            .map_err(|_| Error::Task("writer lock poisoned".into()))?;
        let out = f(&mut conn);
        self.bump();
        out
    }

    /// [`Store::read`] on tokio's blocking pool.
    pub async fn read_async<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let permit = self
            .inner
            .read_gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::Task(e.to_string()))?;
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let out = store.read(f);
            drop(permit);
            out
        })
        .await
        .map_err(|e| Error::Task(e.to_string()))?
    }

    /// [`Store::write`] on tokio's blocking pool.
    pub async fn write_async<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let permit = self
            .inner
            .write_gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::Task(e.to_string()))?;
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let out = store.write(f);
            drop(permit);
            out
        })
        .await
        .map_err(|e| Error::Task(e.to_string()))?
    }

    /// Marks the data changed: cached reads computed before are recomputed.
    fn bump(&self) {
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// How many reader connections are open (in use or idle in the pool).
    pub fn readers_open(&self) -> u32 {
        self.inner.readers.state().connections
    }

    /// How many reads and writes this store has begun since it was opened.
    pub fn activity(&self) -> u64 {
        self.inner.activity.load(Ordering::Relaxed)
    }

    /// Gives back what the connections and the read cache hold between bursts, for the
    /// allocator to return ([`crate::memory`]): the cached reads are forgotten (the dashboard's
    /// and the report preview's aggregates, the member search index: each is computed again by
    /// the next burst that needs it, [`cache::ReadCache::clear`]), the idle readers are closed
    /// (each held its page cache, its parsed schema and its prepared statements; the pool opens
    /// one again at the next read, in about a millisecond), and the writer, when free, drops its
    /// prepared statements and page cache (`sqlite3_db_release_memory`). A connection in use is
    /// left alone. Returns how many connections gave memory back.
    pub fn release_memory(&self) -> Result<usize> {
        self.inner.cache.clear()?;
        let mut idle = Vec::new();
        while let Some(conn) = self.inner.readers.try_get() {
            idle.push(conn);
        }
        let mut released = idle.len();
        // Handed back while the switch is on, the pool closes them (`has_broken`). A reader
        // another thread hands back meanwhile is closed too, and opened again when needed.
        self.inner.retire.store(true, Ordering::Release);
        drop(idle);
        self.inner.retire.store(false, Ordering::Release);
        if let Ok(conn) = self.inner.writer.try_lock() {
            conn.flush_prepared_statement_cache();
            conn.release_memory()?;
            released += 1;
        }
        Ok(released)
    }

    /// How many commits the writer has made since the store was opened.
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    /// `f`'s result for `key` on a reader, kept until the next write through this store or for
    /// `ttl` at most ([`cache`]); runs on tokio's blocking pool.
    pub async fn read_cached<T, F>(&self, key: String, ttl: Duration, f: F) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let permit = self
            .inner
            .read_gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::Task(e.to_string()))?;
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let inner = &store.inner;
            let out = inner.cache.get_or_compute(
                &key,
                || inner.generation.load(Ordering::Acquire),
                ttl,
                || store.read(f),
            );
            drop(permit);
            out
        })
        .await
        .map_err(|e| Error::Task(e.to_string()))?
    }

    /// [`Store::read_cached`] for code already on a reader (`conn`, e.g. inside
    /// [`Store::read_async`]): a page that needs a cached value and a query takes one trip to the
    /// blocking pool and one reader, not two.
    pub fn cached_on<T, F>(
        &self,
        conn: &Connection,
        key: &str,
        ttl: Duration,
        f: F,
    ) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce(&Connection) -> Result<T>,
    {
        let inner = &self.inner;
        inner.cache.get_or_compute(
            key,
            || inner.generation.load(Ordering::Acquire),
            ttl,
            || f(conn),
        )
    }

    /// Appends an audit row for a view (who looked at what), committed with other views' rows
    /// in one transaction; returns once it is committed ([`audit_queue`]).
    pub async fn record_view(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        self.inner
            .audit
            .record(actor, action, subject, detail)
            .await
    }
}
