//! The node's web interface: the JSON API under `/api/v1` ([`api`]), the login/logout/password
//! form handlers ([`forms`]) and the HTML pages ([`ui`]), behind one [`router`].
//!
//! - [`AppState`]: what every handler reaches (store, data dir, config, card, keys, limiter).
//! - [`auth::CurrentUser`]: the extractor that authenticates a request (session cookie or
//!   `Authorization: Bearer`), with the user's [`auth::Role`] and pod-lead scope.
//! - [`csrf`]: per-session tokens for forms and cookie-authenticated API writes.
//! - [`AppError`]: every failure as `{"error": code, "message": ...}`; causes logged, never sent.
//!
//! See `CONTRACT.md` next to this file for how page handlers use these.
//!
//! ```no_run
//! # async fn demo(dir: shopfloor_node::datadir::DataDir) -> shopfloor_node::Result<()> {
//! use shopfloor_node::web::{self, AppState};
//! let state = AppState::open(dir)?;
//! web::serve(state, "127.0.0.1:8080".parse().unwrap(), web::shutdown_signal()).await?;
//! # Ok(()) }
//! ```

pub(crate) mod accept;
pub mod api;
pub mod auth;
pub mod csrf;
mod error;
pub mod extract;
pub mod forms;
pub mod handler;
pub mod query;
mod routes;
pub mod session;
pub mod throttle;
pub mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use shopfloor_protocol::{Card, SecretKeys};

use crate::datadir::{DataDir, NodeConfig};
use crate::error::Result;
use crate::store::Store;

pub use accept::Limits;
pub use auth::{CurrentUser, MemberScope, Role};
pub use csrf::{CsrfToken, check_csrf};
pub use error::AppError;
pub use handler::{Admin, CsrfForm, Editor, HasCsrf, Organizer, SeesMembers, audit, write_audited};
pub use routes::router;
pub use throttle::LoginLimiter;

/// Largest request body, except the import.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Largest import body (a national list of ~20,000 rows is a few megabytes).
pub const IMPORT_BODY_LIMIT: usize = 10 * 1024 * 1024;
/// Longest a request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Password checks (argon2id) allowed at once: the node has one vCPU.
const PASSWORD_CHECKS: usize = 2;
/// Threads of the runtime's blocking pool (`serve`): the four readers, the writer, the password
/// checks and one import or report at a time use at most eight. Unbounded (tokio's default is
/// 512), a busy node grew to 51 threads: a read hands its reader back before its thread is idle
/// again, so the next read often found no idle thread and started one, each with its own stack;
/// the ten-minute soak's memory grew with them (docs/performance.md).
pub const BLOCKING_THREADS: usize = 8;

/// The runtime `shopfloor-node serve` runs on: two workers and [`BLOCKING_THREADS`] blocking
/// threads, with glibc's allocator thresholds fixed first ([`crate::memory::tune`]). The load
/// benchmark serves the node on the same one.
pub fn serve_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    if !crate::memory::tune() {
        tracing::debug!("the allocator's thresholds are its own (not glibc)");
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
}

#[derive(Debug)]
struct Inner {
    dir: DataDir,
    config: NodeConfig,
    card: Card,
    limiter: LoginLimiter,
    password_checks: tokio::sync::Semaphore,
    secure_cookies: bool,
}

/// What every handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    store: Store,
    inner: Arc<Inner>,
}

impl AppState {
    /// Opens a node's data directory: config, card and database.
    pub fn open(dir: DataDir) -> Result<AppState> {
        let config = dir.config()?;
        let card = dir.card()?;
        let store = dir.open_store()?;
        Ok(AppState::new(dir, store, config, card))
    }

    /// State from parts already loaded.
    pub fn new(dir: DataDir, store: Store, config: NodeConfig, card: Card) -> AppState {
        AppState::with_limiter(dir, store, config, card, LoginLimiter::default())
    }

    /// State with a specific login limiter (tests use small windows).
    pub fn with_limiter(
        dir: DataDir,
        store: Store,
        config: NodeConfig,
        card: Card,
        limiter: LoginLimiter,
    ) -> AppState {
        let secure_cookies = config
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        AppState {
            store,
            inner: Arc::new(Inner {
                dir,
                config,
                card,
                limiter,
                password_checks: tokio::sync::Semaphore::new(PASSWORD_CHECKS),
                secure_cookies,
            }),
        }
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The data directory.
    pub fn dir(&self) -> &DataDir {
        &self.inner.dir
    }

    /// `node.toml`.
    pub fn config(&self) -> &NodeConfig {
        &self.inner.config
    }

    /// The node's public card.
    pub fn card(&self) -> &Card {
        &self.inner.card
    }

    /// The node's secret keys, read from `keys.txt` when needed (signing a report) so they are
    /// not held in the server's memory the rest of the time. Blocking file read.
    pub fn keys(&self) -> Result<SecretKeys> {
        self.inner.dir.keys()
    }

    /// The login rate limiter.
    pub fn limiter(&self) -> &LoginLimiter {
        &self.inner.limiter
    }

    /// Whether cookies are marked `Secure` (config `public_url` is https).
    pub fn secure_cookies(&self) -> bool {
        self.inner.secure_cookies
    }

    /// The session cookie's name: `__Host-sf_session` behind TLS (the browser then insists on
    /// Secure, Path=/ and no Domain), `sf_session` otherwise.
    pub fn cookie_name(&self) -> &'static str {
        if self.inner.secure_cookies {
            "__Host-sf_session"
        } else {
            "sf_session"
        }
    }

    /// Runs an argon2id check (or hash) off the async workers, at most two at a
    /// time so a burst of logins cannot starve the node's single CPU.
    pub async fn password_work<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .inner
            .password_checks
            .acquire()
            .await
            .map_err(|e| crate::Error::Task(e.to_string()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| crate::Error::Task(e.to_string()))?
    }
}

/// Binds `listen` and serves until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    listen: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| crate::Error::io(listen.to_string(), e))?;
    serve_listener(state, listener, shutdown).await
}

/// Serves on an already bound listener (tests bind port 0) until `shutdown` resolves, then
/// finishes the requests in flight. The header-read timeout and connection limit come from
/// `node.toml` ([`NodeConfig::limits`]).
pub async fn serve_listener(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let limits = state.config().limits();
    let releaser = tokio::spawn(release_when_idle(state.store().clone()));
    accept::serve_connections(listener, router(state), limits, shutdown).await;
    releaser.abort();
    Ok(())
}

/// Gives memory back once per burst of requests, a tick after the store stops moving
/// ([`crate::memory`]): the readers' page caches, then the allocator's free pages.
async fn release_when_idle(store: Store) {
    let mut watch = crate::memory::IdleRelease::new(store.activity());
    let mut tick = tokio::time::interval(crate::memory::IdleRelease::EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if !watch.tick(store.activity()) {
            continue;
        }
        let s = store.clone();
        let done = tokio::task::spawn_blocking(move || {
            let emptied = s.release_memory();
            (emptied, crate::memory::release())
        })
        .await;
        match done {
            Ok((Ok(emptied), trimmed)) => {
                tracing::debug!(emptied, trimmed, "idle: memory given back");
            }
            Ok((Err(e), _)) => tracing::warn!("idle: emptying the page caches failed: {e}"),
            Err(e) => tracing::warn!("idle: the release task failed: {e}"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
