//! The accept loop `serve` runs instead of `axum::serve`, which has neither a header-read timeout
//! nor a connection limit: 300 half-open connections once made a server unreachable.
//!
//! - Each connection is served by hyper's HTTP/1 server with a **header-read timeout**: a client
//!   must send a request's complete headers within it, from the moment the connection is
//!   accepted and again after every response (so an idle keep-alive connection is closed too).
//!   HTTP/1 only, on purpose: hyper-util's `auto` builder first reads the HTTP/2 preface with
//!   no timeout at all (a connection that sends nothing would stay forever), and its HTTP/2
//!   server has no header-read timeout. The reverse proxy in front speaks HTTP/1.1 to us.
//! - At most `max_connections` connections are served at once; the loop stops accepting until one
//!   ends, and further clients wait in the kernel's listen queue. Stalled clients give up their
//!   place within the header-read timeout, so the server always comes back.
//! - An accept error other than a peer's reset (`EMFILE`, `ENFILE`, `ENOBUFS`) is logged and
//!   followed by a short pause instead of an immediate retry that would spin on the same error.
//! - Graceful shutdown: when `shutdown` resolves, the listener is closed, idle connections close
//!   and requests in flight finish.
//! - Handlers still receive `ConnectInfo<SocketAddr>`, the peer's address.
//!
//! The hub has the same loop in `hub/src/web/accept.rs` (node and hub share no crate but
//! `protocol`, which has no server code): keep the two identical.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;

pub use crate::limits::Limits;

/// Pause after an accept error that would repeat at once (out of descriptors or buffers).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `app` on `listener` within `limits` until `shutdown` resolves, then waits for the
/// connections still open to finish.
pub async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let max = limits.max_connections.max(1);
    let permits = Arc::new(Semaphore::new(max as usize));
    // Dropped at shutdown: every connection then closes once idle.
    let (stop_tx, stop_rx) = watch::channel(());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            biased;
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_peer_error(&e) => continue,
            Err(e) => {
                tracing::warn!("accept error: {e}");
                drop(permit);
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                }
            }
        };
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req.map(Body::new)
        });
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            tokio::pin!(conn);
            let result = tokio::select! {
                result = conn.as_mut() => result,
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    drop(listener);
    drop(stop_tx);
    // Every connection holds a permit until it ends.
    let _ = permits.acquire_many(max).await;
}

/// Errors about one connection that the peer already dropped: accept the next at once.
fn is_peer_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
