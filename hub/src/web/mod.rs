//! The hub's HTTP interface: the JSON API under `/api/v1` (this module), and room for the
//! server-rendered dashboards under [`ui`].
//!
//! [`router`] builds the whole application so tests can drive it without a socket; [`serve`]
//! runs it with graceful shutdown and, on a regional hub, the background forwarder.

pub(crate) mod accept;
mod api;
mod auth;
mod error;
mod publications;
mod routes;
pub mod throttle;
mod trustee_api;
pub mod ui;
mod witness_api;

use std::future::Future;

use crate::config::Level;
use crate::error::Result;
use crate::hub::Hub;

pub use accept::Limits;
pub use error::AppError;
pub use routes::router;
pub use throttle::LoginLimiter;

/// Largest request body, except `POST /api/v1/reports` at national, which takes a regional hub's
/// sealed bundle ([`routes::report_body_limit`]).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Longest a request may take (and, for `POST /api/v1/reports`, its body to arrive).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Longest `POST /api/v1/reports` may take once its body has arrived: at national, a regional
/// hub's bundle is verified whole (every chapter's signatures and range proofs), which takes
/// longer than [`REQUEST_TIMEOUT`] for a large region on a small or busy machine. Only enrolled
/// children's documents get that far; a stranger's is refused at its signature.
pub const INGEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    hub: Hub,
    limiter: LoginLimiter,
}

impl AppState {
    /// State for a hub.
    pub fn new(hub: Hub) -> Self {
        AppState::with_limiter(hub, LoginLimiter::default())
    }

    /// State with specific login limits (tests shrink them; the counters are in the database).
    pub fn with_limiter(hub: Hub, limiter: LoginLimiter) -> Self {
        AppState { hub, limiter }
    }

    /// The hub.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The login and invite-code rate limiter.
    pub fn limiter(&self) -> &LoginLimiter {
        &self.limiter
    }

    /// Runs blocking hub work (database, signing, verification) off the async workers.
    pub async fn blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Hub) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let hub = self.hub.clone();
        tokio::task::spawn_blocking(move || f(&hub))
            .await
            .map_err(|e| crate::Error::Internal(format!("blocking task failed: {e}")))?
    }
}

/// Serves the hub on `listener` until `shutdown` resolves, within the header-read timeout and
/// connection limit of `[web]` in `hub.toml`; a regional hub with `auto_forward` also runs the
/// background forwarder.
pub async fn serve(
    hub: Hub,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let forwarder = if hub.level() == Level::Regional && hub.config().rollup.auto_forward {
        Some(tokio::task::spawn(crate::forward::run(
            hub.clone(),
            stop_rx.clone(),
        )))
    } else {
        None
    };
    let limits = hub.config().web.limits();
    // Viewers see only publications; with automatic forwarding on, the hub also publishes by
    // itself (crate::publish).
    let publisher = hub
        .config()
        .rollup
        .auto_forward
        .then(|| tokio::task::spawn(crate::publish::run(hub.clone(), stop_rx.clone())));
    let witnesses = (!hub.config().log.witnesses.is_empty())
        .then(|| tokio::task::spawn(crate::witness::run(hub.clone(), stop_rx.clone())));
    let app = router(AppState::new(hub));
    accept::serve_connections(listener, app, limits, shutdown).await;
    let _ = stop_tx.send(true);
    if let Some(task) = forwarder {
        let _ = task.await;
    }
    if let Some(task) = publisher {
        let _ = task.await;
    }
    if let Some(task) = witnesses {
        let _ = task.await;
    }
    Ok(())
}
