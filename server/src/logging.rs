//! Logging for `serve`: plain text on stderr (no colour codes unless stderr is a terminal), or
//! one JSON object a line with `--log-format json` / `SHOPFLOOR_LOG_FORMAT=json`; the level from
//! `RUST_LOG` (default `info`). Every request is logged at info by [`log_request`]: method, the
//! matched route (its pattern, never the path's values), status and duration. Never a query
//! string, a header or a body, so never a member's field.

use std::io::IsTerminal as _;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (what the journal shows).
    #[default]
    Text,
    /// One JSON object a line.
    Json,
}

/// Installs the global subscriber (once per process; later calls do nothing).
pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_ansi(false)
            .try_init(),
    };
}

/// Middleware: one info line per request once the response is ready.
pub async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned());
    let start = Instant::now();
    let response = next.run(req).await;
    let ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(
        target: "request",
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        ms,
        "request"
    );
    response
}
