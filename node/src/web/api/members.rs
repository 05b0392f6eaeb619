//! Members: list (filtered, scoped, paginated), one member, editing the node's fields, training
//! completions. Viewers get 403; pod leads see only members of the pods they lead (others: 404).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::{audit_event, read, write_audited};
use crate::domain::members::{self, NodeFields};
use crate::domain::trainings;
use crate::web::extract::{JsonBody, Params};
use crate::web::handler::{Editor, SeesMembers};
use crate::web::query::{self, MemberDetail, MemberFilter, Page, PageParams};
use crate::web::{AppError, AppState};

/// The member-list query. Read as strings (serde_urlencoded cannot parse numbers inside
/// flattened structs), then checked.
#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct ListQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub search: Option<String>,
    pub pod: Option<String>,
    pub workplace: Option<String>,
    pub sector: Option<String>,
    pub stage: Option<String>,
    pub union_role: Option<String>,
    pub union_code: Option<String>,
    pub language: Option<String>,
    pub list_status: Option<String>,
    pub standing: Option<String>,
}

pub(crate) fn int(field: &'static str, v: Option<String>) -> Result<Option<i64>, AppError> {
    v.filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse()
                .map_err(|_| AppError::invalid(field, "a whole number"))
        })
        .transpose()
}

/// `GET /api/v1/members` — `?search&pod&workplace&sector&stage&union_role&union_code&language
/// &list_status&standing&page&per_page&after&before` (`after`: the id of the previous page's
/// last member, `before`: of the next page's first; see [`PageParams`]). Audited (`member.list`).
pub async fn list(
    State(state): State<AppState>,
    SeesMembers(user): SeesMembers,
    Params(raw): Params<ListQuery>,
) -> Result<Json<Page<members::Member>>, AppError> {
    let page = PageParams {
        page: int("page", raw.page)?,
        per_page: int("per_page", raw.per_page)?,
        after: int("after", raw.after)?,
        before: int("before", raw.before)?,
    };
    let filter = MemberFilter {
        search: raw.search,
        pod: int("pod", raw.pod)?,
        workplace: int("workplace", raw.workplace)?,
        sector: raw.sector,
        stage: int("stage", raw.stage)?,
        union_role: raw.union_role,
        union_code: raw.union_code,
        language: raw.language,
        list_status: raw.list_status,
        standing: raw.standing,
    };
    let scope = user.member_scope();
    let f = filter.clone();
    let result = read(&state, move |conn| {
        query::member_page(conn, &scope, &f, &page)
    })
    .await?;
    // The search text is usually someone's name: the log says only that there was one.
    let mut logged = filter;
    if logged.search.is_some() {
        logged.search = Some("(redacted)".into());
    }
    let detail = format!(
        "{} of {} shown; filter {}",
        result.items.len(),
        result.total,
        serde_json::to_string(&logged).unwrap_or_default()
    );
    audit_event(&state, &user.username, "member.list", "members", &detail).await?;
    Ok(Json(result))
}

/// `GET /api/v1/members/{id}` — the member, their workplaces, pods and trainings. Audited
/// (`member.view`).
pub async fn get(
    State(state): State<AppState>,
    SeesMembers(user): SeesMembers,
    Path(id): Path<i64>,
) -> Result<Json<MemberDetail>, AppError> {
    let scope = user.member_scope();
    let detail = read(&state, move |conn| query::member_detail(conn, &scope, id)).await?;
    audit_event(
        &state,
        &user.username,
        "member.view",
        &format!("member:{id}"),
        "",
    )
    .await?;
    Ok(Json(detail))
}

fn changed_fields(f: &NodeFields) -> String {
    let mut names = Vec::new();
    if f.union_role.is_some() {
        names.push("union_role");
    }
    if f.union_code.is_some() {
        names.push("union_code");
    }
    if f.reset_union_to_list {
        names.push("reset_union_to_list");
    }
    if f.readiness.is_some() || f.clear_readiness {
        names.push("readiness");
    }
    if f.languages.is_some() {
        names.push("languages");
    }
    if f.preferred_language.is_some() {
        names.push("preferred_language");
    }
    format!("fields: {}", names.join(", "))
}

/// `PATCH /api/v1/members/{id}` — the node's fields (union role/code, readiness, languages,
/// preferred language). Audited (`member.edit`, field names only).
pub async fn update(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path(id): Path<i64>,
    JsonBody(fields): JsonBody<NodeFields>,
) -> Result<Json<MemberDetail>, AppError> {
    let scope = user.member_scope();
    let detail = changed_fields(&fields);
    let s2 = scope.clone();
    write_audited(
        &state,
        &user,
        "member.edit",
        format!("member:{id}"),
        detail,
        move |conn| {
            query::require_member(conn, &s2, id)?;
            members::update_node_fields(conn, id, &fields)
        },
    )
    .await?;
    let out = read(&state, move |conn| query::member_detail(conn, &scope, id)).await?;
    Ok(Json(out))
}

/// `GET /api/v1/members/{id}/trainings` — `[(code, date)]`.
pub async fn trainings_of(
    State(state): State<AppState>,
    SeesMembers(user): SeesMembers,
    Path(id): Path<i64>,
) -> Result<Json<Vec<(String, String)>>, AppError> {
    let scope = user.member_scope();
    let out = read(&state, move |conn| {
        query::require_member(conn, &scope, id)?;
        trainings::completions_of(conn, id)
    })
    .await?;
    Ok(Json(out))
}

/// A completed training.
#[derive(Debug, Deserialize)]
pub struct Completion {
    /// Training code.
    pub code: String,
    /// Date completed (YYYY-MM-DD).
    pub on: String,
}

/// `POST /api/v1/members/{id}/trainings` — `{"code", "on"}`. Audited (`training.complete`).
pub async fn complete_training(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path(id): Path<i64>,
    JsonBody(c): JsonBody<Completion>,
) -> Result<StatusCode, AppError> {
    let scope = user.member_scope();
    let detail = format!("training {}", c.code);
    write_audited(
        &state,
        &user,
        "training.complete",
        format!("member:{id}"),
        detail,
        move |conn| {
            query::require_member(conn, &scope, id)?;
            trainings::complete(conn, id, &c.code, &c.on)
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
