//! The viewers' JSON: a period's publications (crate::publish), never live sums.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shopfloor_protocol::Period;

use super::auth::CurrentUser;
use super::{AppError, AppState};
use crate::error::Error;
use crate::publish;

/// Query of `GET /api/v1/publications/{period}`.
#[derive(Debug, Default, Deserialize)]
pub struct Which {
    sequence: Option<u32>,
}

/// GET /api/v1/publications/{period}?sequence=N (any logged-in user): the period's newest
/// publication (or the numbered one) as its signed envelope; 404 `not-published` before the
/// first.
pub async fn publication(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Path(p): Path<String>,
    which: Result<Query<Which>, QueryRejection>,
) -> Result<Response, AppError> {
    let period: Period = p.parse().map_err(Error::Protocol)?;
    let Ok(Query(which)) = which else {
        return Err(Error::bad_request("expected ?sequence=N").into());
    };
    let sequence = which.sequence;
    let found = state
        .blocking(move |hub| {
            Ok(match sequence {
                None => publish::latest(hub, period)?,
                Some(n) => publish::all(hub, period)?
                    .into_iter()
                    .find(|s| s.publication.sequence == n),
            })
        })
        .await?
        .ok_or_else(|| {
            Error::not_found("not-published", "this period has no such publication yet")
        })?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        found.envelope.to_json(),
    )
        .into_response())
}
