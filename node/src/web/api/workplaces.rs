//! Workplaces: list, one, create, update, the organizing stage (with a dated history), members'
//! links and recruitment counts. Pod leads see and edit the workplaces where members of their
//! pods work; only organizers and admins create them. Viewers: 403.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::{Created, read, write_audited};
use crate::domain::recruitments;
use crate::domain::workplaces::{self, Link, Workplace, WorkplaceFields};
use crate::web::extract::{JsonBody, Params};
use crate::web::handler::{Editor, Organizer, SeesMembers};
use crate::web::query::{self, Page, PageParams, WorkplaceDetail, WorkplaceFilter};
use crate::web::{AppError, AppState};

/// The workplace-list query.
#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct ListQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    pub search: Option<String>,
    pub sector: Option<String>,
    pub stage: Option<i64>,
    pub state: Option<String>,
}

/// `GET /api/v1/workplaces` — `?search&sector&stage&state&page&per_page`.
pub async fn list(
    State(state): State<AppState>,
    SeesMembers(user): SeesMembers,
    Params(q): Params<ListQuery>,
) -> Result<Json<Page<Workplace>>, AppError> {
    let scope = user.member_scope();
    let page = PageParams {
        page: q.page,
        per_page: q.per_page,
        ..Default::default()
    };
    let filter = WorkplaceFilter {
        search: q.search,
        sector: q.sector,
        stage: q.stage,
        state: q.state,
    };
    let out = read(&state, move |conn| {
        query::workplace_page(conn, &scope, &filter, &page)
    })
    .await?;
    Ok(Json(out))
}

/// `GET /api/v1/workplaces/{id}` — with stage history, recruitment total and linked members.
pub async fn get(
    State(state): State<AppState>,
    SeesMembers(user): SeesMembers,
    Path(id): Path<i64>,
) -> Result<Json<WorkplaceDetail>, AppError> {
    let scope = user.member_scope();
    let out = read(&state, move |conn| {
        query::workplace_detail(conn, &scope, id)
    })
    .await?;
    Ok(Json(out))
}

/// `POST /api/v1/workplaces` — organizers and admins. Starts at stage 0.
pub async fn create(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    JsonBody(f): JsonBody<WorkplaceFields>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let actor = user.username.clone();
    let id = write_audited(
        &state,
        &user,
        "workplace.create",
        "workplace".into(),
        String::new(),
        move |conn| workplaces::create(conn, &f, &actor),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// `PUT /api/v1/workplaces/{id}` — replaces the fields (not the stage).
pub async fn update(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path(id): Path<i64>,
    JsonBody(f): JsonBody<WorkplaceFields>,
) -> Result<Json<WorkplaceDetail>, AppError> {
    let scope = user.member_scope();
    let s2 = scope.clone();
    write_audited(
        &state,
        &user,
        "workplace.edit",
        format!("workplace:{id}"),
        String::new(),
        move |conn| {
            query::require_workplace(conn, &s2, id)?;
            workplaces::update(conn, id, &f)
        },
    )
    .await?;
    let out = read(&state, move |conn| {
        query::workplace_detail(conn, &scope, id)
    })
    .await?;
    Ok(Json(out))
}

/// A stage change.
#[derive(Debug, Deserialize)]
pub struct StageBody {
    /// New stage 0-5.
    pub stage: i64,
    /// Why (kept in the history).
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/workplaces/{id}/stage` — `{"stage", "note"}`; recorded in the history.
pub async fn set_stage(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<StageBody>,
) -> Result<Json<WorkplaceDetail>, AppError> {
    if b.note.chars().count() > 2000 {
        return Err(AppError::invalid("note", "at most 2000 characters"));
    }
    let scope = user.member_scope();
    let s2 = scope.clone();
    let actor = user.username.clone();
    write_audited(
        &state,
        &user,
        "workplace.stage",
        format!("workplace:{id}"),
        format!("stage {}", b.stage),
        move |conn| {
            query::require_workplace(conn, &s2, id)?;
            workplaces::set_stage(conn, id, b.stage, &actor, &b.note)
        },
    )
    .await?;
    let out = read(&state, move |conn| {
        query::workplace_detail(conn, &scope, id)
    })
    .await?;
    Ok(Json(out))
}

/// A member's link to the workplace.
#[derive(Debug, Deserialize)]
pub struct LinkBody {
    /// The member.
    pub member_id: i64,
    /// Job title, free text.
    #[serde(default)]
    pub job_title: String,
    /// Since (YYYY-MM-DD).
    pub since: Option<String>,
    /// Make it the member's primary workplace.
    #[serde(default)]
    pub is_primary: bool,
}

/// `POST /api/v1/workplaces/{id}/members` — link a member (pod leads: a member of their pods).
pub async fn link_member(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<LinkBody>,
) -> Result<StatusCode, AppError> {
    let scope = user.member_scope();
    write_audited(
        &state,
        &user,
        "workplace.link",
        format!("workplace:{id}"),
        format!("member:{}", b.member_id),
        move |conn| {
            query::require_member(conn, &scope, b.member_id)?;
            workplaces::get(conn, id)?;
            workplaces::link_member(
                conn,
                &Link {
                    member_id: b.member_id,
                    workplace_id: id,
                    job_title: b.job_title,
                    since: b.since,
                    is_primary: b.is_primary,
                },
            )
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/workplaces/{id}/members/{member_id}` — unlink.
pub async fn unlink_member(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path((id, member_id)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    let scope = user.member_scope();
    write_audited(
        &state,
        &user,
        "workplace.unlink",
        format!("workplace:{id}"),
        format!("member:{member_id}"),
        move |conn| {
            query::require_member(conn, &scope, member_id)?;
            workplaces::unlink_member(conn, member_id, id)
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Coworkers recruited.
#[derive(Debug, Deserialize)]
pub struct RecruitBody {
    /// Date (YYYY-MM-DD).
    pub on: String,
    /// How many (at least 1).
    pub count: i64,
}

/// `POST /api/v1/workplaces/{id}/recruitments` — `{"on", "count"}` (counts, never names).
pub async fn recruit(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<RecruitBody>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let scope = user.member_scope();
    let rid = write_audited(
        &state,
        &user,
        "recruitment.add",
        format!("workplace:{id}"),
        format!("{} on {}", b.count, b.on),
        move |conn| {
            query::require_workplace(conn, &scope, id)?;
            recruitments::record(conn, id, &b.on, b.count)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: rid })))
}
