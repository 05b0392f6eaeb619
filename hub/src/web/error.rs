//! [`AppError`]: every failure as a JSON refusal `{"error": code, "message": sentence}` with the
//! status the protocol's fault (or the hub's refusal) calls for. Local causes are logged, never
//! sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;

/// A handler's error.
#[derive(Debug)]
pub struct AppError(pub Error);

impl<E: Into<Error>> From<E> for AppError {
    fn from(e: E) -> Self {
        AppError(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!("{e}");
        } else {
            tracing::debug!("refused: {e}");
        }
        let reasons: Vec<_> = e
            .reasons()
            .into_iter()
            .map(|(code, message)| json!({"error": code, "message": message}))
            .collect();
        let mut body = json!({"error": e.code(), "message": e.public_message()});
        if reasons.len() > 1 {
            body["reasons"] = serde_json::Value::Array(reasons);
        }
        (status, Json(body)).into_response()
    }
}
