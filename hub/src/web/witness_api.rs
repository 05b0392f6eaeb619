//! The log in the transparency ecosystem's forms (crate::witness): the checkpoint as a C2SP
//! signed note, the hub's note keys, consistency proofs as base64 lines, and the witness
//! protocol's `add-checkpoint`. Each doc comment starts with its method and path.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{AppError, AppState};
use crate::error::Error;
use crate::witness;

type ApiResult<T = Response> = Result<T, AppError>;

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// GET /api/v1/log/note: the current checkpoint as a C2SP signed note (tlog-checkpoint), signed
/// by the hub's log key, with every witness cosignature gathered for it.
pub async fn note(State(state): State<AppState>) -> ApiResult {
    let note = state.blocking(witness::checkpoint_note).await?;
    Ok(text(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        note.to_text(),
    ))
}

/// GET /api/v1/log/note-keys: the log's origin, its log vkey and its witness vkey, signed by the
/// hub's card key (a DSSE envelope).
pub async fn note_keys(State(state): State<AppState>) -> ApiResult {
    let env = state.blocking(witness::keys_envelope).await?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        env.to_json(),
    )
        .into_response())
}

/// Query of `GET /api/v1/log/consistency`.
#[derive(Debug, Deserialize)]
pub struct Sizes {
    old: u64,
    new: u64,
}

/// GET /api/v1/log/consistency?old=M&new=N: the RFC 6962 consistency proof, one base64 hash per
/// line (the witness protocol's form).
pub async fn consistency(
    State(state): State<AppState>,
    query: Result<Query<Sizes>, QueryRejection>,
) -> ApiResult {
    let Ok(Query(q)) = query else {
        return Err(Error::bad_request("expected ?old=M&new=N").into());
    };
    let lines = state
        .blocking(move |hub| witness::consistency_lines(hub, q.old, q.new))
        .await?;
    Ok(text(StatusCode::OK, "text/plain; charset=utf-8", lines))
}

/// POST /api/v1/witness/add-checkpoint: c2sp.org/tlog-witness. 200 with the cosignature line;
/// 400, 403, 404, 409 (body: the size this witness holds, `text/x.tlog.size`) or 422 as the
/// specification says. A fork's request is kept as evidence and logged as `split-view`.
pub async fn add_checkpoint(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let Ok(body) = body else {
        return Ok(text(
            StatusCode::BAD_REQUEST,
            "text/plain; charset=utf-8",
            "the request body could not be read\n".into(),
        ));
    };
    let (status, answer) = state
        .blocking(move |hub| witness::add_checkpoint(hub, &body))
        .await?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if status == StatusCode::CONFLICT {
        "text/x.tlog.size"
    } else {
        "text/plain; charset=utf-8"
    };
    Ok(text(status, content_type, answer))
}
