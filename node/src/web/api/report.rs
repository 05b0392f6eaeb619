//! The report preview: exactly the aggregate payload that would be signed, after disclosure
//! control. Every role may see it (it holds no member-level data).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::json;
use shopfloor_protocol::Period;

use super::audit_event;
use crate::report;
use crate::web::extract::Params;
use crate::web::{AppError, AppState, CurrentUser};

/// `?period=YYYY-MM[&correction=true]`.
#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    /// The period.
    pub period: String,
    /// Show a closed period rebuilt from the current state, labelled a correction.
    #[serde(default)]
    pub correction: bool,
}

/// `GET /api/v1/report/preview?period=YYYY-MM` — `{"overview", "payload"}`; audited
/// (`report.preview`). The overview says `as_of`, `to_date` and `correction` (a closed period
/// the node holds no snapshot for previews as a correction).
pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Params(q): Params<PeriodQuery>,
) -> Result<Json<serde_json::Value>, AppError> {
    let period: Period = q
        .period
        .parse()
        .map_err(|_| AppError::invalid("period", "YYYY-MM"))?;
    if period > crate::web::ui::dashboard::current_period()? {
        return Err(AppError::invalid(
            "period",
            "a month that has started (there is no report for a future month)",
        ));
    }
    let (config, card) = (state.config().clone(), state.card().clone());
    let correction = q.correction;
    let (overview, payload) = state
        .store()
        .read_cached(
            format!("api-report-preview:{period}:{correction}"),
            crate::web::ui::dashboard::CACHE_TTL,
            move |conn| {
                let mut ctx = report::context(conn, &config, &card, period)?;
                ctx.correction = correction;
                let built = report::build(conn, &ctx)?;
                Ok((report::overview(&built), report::payload(&built.report)))
            },
        )
        .await?
        .as_ref()
        .clone();
    let payload: serde_json::Value = serde_json::from_slice(&payload)
        .map_err(|e| AppError::Internal(format!("payload is not JSON: {e}")))?;
    audit_event(
        &state,
        &user.username,
        "report.preview",
        &period.to_string(),
        "",
    )
    .await?;
    Ok(Json(json!({ "overview": overview, "payload": payload })))
}
