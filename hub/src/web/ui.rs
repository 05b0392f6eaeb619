//! Server-rendered dashboards (English and Spanish): a later task. Routes added to [`router`] are
//! merged into the application by [`super::router`].

use axum::Router;

use super::AppState;

/// The dashboards' routes (none yet).
pub fn router() -> Router<AppState> {
    Router::new()
}
