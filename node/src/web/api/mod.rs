//! The JSON API under `/api/v1`. Handlers take an already-verified [`CurrentUser`], check its
//! role, read and write through the store off the async workers, and audit what they did.
//! Routes and the role matrix: `../routes.rs`.

pub mod account;
pub mod admin;
pub mod members;
pub mod organizing;
pub mod report;
pub mod workplaces;

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::json;

use super::{AppError, AppState, CurrentUser, handler};
use crate::error::Result;

/// Appends an audit entry (who, what, on what, details: never member data).
pub async fn audit_event(
    state: &AppState,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), AppError> {
    // Committed with other requests' audit rows in one transaction (store::audit_queue).
    state
        .store()
        .record_view(actor, action, subject, detail)
        .await?;
    Ok(())
}

/// Runs a read on the reader pool.
pub async fn read<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
) -> Result<T, AppError> {
    Ok(state.store().read_async(f).await?)
}

/// [`crate::web::handler::write_audited`] for a write whose audit row is known before it runs:
/// `action` on `subject` by `user`, with `detail`, in the same transaction as the change.
pub async fn write_audited<T: Send + 'static>(
    state: &AppState,
    user: &CurrentUser,
    action: &'static str,
    subject: String,
    detail: String,
    f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
) -> Result<T, AppError> {
    let entry = handler::audit(action, subject).detail(detail);
    Ok(handler::write_audited(state, user, move |tx| Ok(entry.returning(f(tx)?))).await?)
}

/// A created record's id.
#[derive(Debug, Serialize)]
pub struct Created {
    /// Its id.
    pub id: i64,
}

/// `GET /api/v1/health` — `{"status": "ok"}` (anonymous; says nothing else).
pub async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Any unknown path: 404 as JSON under `/api/`, else the pages' not-found page.
pub async fn not_found(uri: Uri, headers: axum::http::HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        AppError::not_found("route").into_response()
    } else {
        super::ui::not_found(uri, headers).await
    }
}

/// Chapter totals for the dashboard: counts only, no member-level data.
#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    /// Members present on the list and not lapsed.
    pub members: i64,
    /// Present members by standing: good-standing, member, lapsed, unknown.
    pub by_standing: Vec<(String, i64)>,
    /// Workplaces by organizing stage 0-5.
    pub workplaces_by_stage: Vec<(i64, i64)>,
    /// Pods.
    pub pods: i64,
    /// Active organizer-reserve volunteers.
    pub reserve_active: i64,
    /// Mentorships not ended.
    pub mentorships_active: i64,
    /// Campaigns by status.
    pub campaigns_by_status: Vec<(String, i64)>,
}

fn pairs<K: rusqlite::types::FromSql>(conn: &Connection, sql: &str) -> Result<Vec<(K, i64)>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn count(conn: &Connection, sql: &str) -> Result<i64> {
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

/// `GET /api/v1/dashboard` — chapter totals (every role).
pub async fn dashboard(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Dashboard>, AppError> {
    // Kept until the next write (store::cache), like the dashboard page.
    let d = state
        .store()
        .read_cached(
            "api-dashboard".into(),
            crate::web::ui::dashboard::CACHE_TTL,
            |conn| {
                Ok(Dashboard {
                    members: count(
                        conn,
                        "SELECT count(*) FROM members WHERE list_status = 'present'
                 AND standing IS NOT 'lapsed'",
                    )?,
                    by_standing: pairs(
                        conn,
                        "SELECT coalesce(standing, 'unknown'), count(*) FROM members
                 WHERE list_status = 'present' GROUP BY 1 ORDER BY 1",
                    )?,
                    workplaces_by_stage: pairs(
                        conn,
                        "SELECT stage, count(*) FROM workplaces GROUP BY stage ORDER BY stage",
                    )?,
                    pods: count(conn, "SELECT count(*) FROM pods")?,
                    reserve_active: count(conn, "SELECT count(*) FROM reserve WHERE active = 1")?,
                    mentorships_active: count(
                        conn,
                        "SELECT count(*) FROM mentorships WHERE ended_on IS NULL",
                    )?,
                    campaigns_by_status: pairs(
                        conn,
                        "SELECT status, count(*) FROM campaigns GROUP BY status ORDER BY status",
                    )?,
                })
            },
        )
        .await?
        .as_ref()
        .clone();
    Ok(Json(d))
}
