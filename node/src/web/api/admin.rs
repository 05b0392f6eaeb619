//! Admin and bulk routes: users, the audit log, the member export (admins only) and the import
//! (admins and organizers).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{audit_event, read, write_audited};
use crate::domain::{audit, users};
use crate::import::{self, Format, ImportOptions, ImportSummary};
use crate::web::extract::{JsonBody, Params};
use crate::web::handler::{Admin, Organizer};
use crate::web::query::{Page, PageParams};
use crate::web::session;
use crate::web::{AppError, AppState, Role};

// ---- users ----

/// An account as the admin sees it.
#[derive(Debug, Serialize)]
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: String,
    /// Disabled.
    pub disabled: bool,
    /// Interface language.
    pub language: String,
    /// The member record (pod leads).
    pub member_id: Option<i64>,
    /// Created.
    pub created_at: String,
}

fn user_rows(conn: &rusqlite::Connection, id: Option<i64>) -> crate::Result<Vec<UserRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, username, role, disabled, language, member_id, created_at FROM users
         WHERE ?1 IS NULL OR id = ?1 ORDER BY username",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        Ok(UserRow {
            id: r.get(0)?,
            username: r.get(1)?,
            role: r.get(2)?,
            disabled: r.get(3)?,
            language: r.get(4)?,
            member_id: r.get(5)?,
            created_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn user_row(conn: &rusqlite::Connection, id: i64) -> crate::Result<UserRow> {
    user_rows(conn, Some(id))?
        .into_iter()
        .next()
        .ok_or_else(|| crate::Error::not_found(format!("user {id}")))
}

/// `GET /api/v1/users` — admins.
pub async fn users_list(
    State(state): State<AppState>,
    Admin(_user): Admin,
    Params(page): Params<PageParams>,
) -> Result<Json<Page<UserRow>>, AppError> {
    let all = read(&state, |conn| user_rows(conn, None)).await?;
    Ok(Json(page.slice(all)?))
}

/// A new account.
#[derive(Debug, Deserialize)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// admin, organizer, pod_lead or viewer.
    pub role: String,
    /// Password (at least 12 characters); generated and returned once when absent.
    pub password: Option<String>,
    /// The member record (for pod leads).
    pub member_id: Option<i64>,
}

/// `POST /api/v1/users` — admins. Returns the generated password once if none was given.
pub async fn users_create(
    State(state): State<AppState>,
    Admin(user): Admin,
    JsonBody(b): JsonBody<NewUser>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    let generated = b.password.is_none();
    let password = match b.password {
        Some(p) => p,
        None => users::generate_password()?,
    };
    let (pw, name) = (password.clone(), b.username.clone());
    let hash = state
        .password_work(move || users::hash_new_password(&pw, &name))
        .await?;
    let (name, role, member) = (b.username.clone(), b.role.clone(), b.member_id);
    let id = write_audited(
        &state,
        &user,
        "user.add",
        b.username.clone(),
        format!("role {}", b.role),
        move |conn| {
            let id = users::add(conn, &name, &role, &hash)?;
            if let Some(m) = member {
                crate::domain::members::get(conn, m)?;
                conn.execute(
                    "UPDATE users SET member_id = ?2 WHERE id = ?1",
                    params![id, m],
                )?;
            }
            Ok(id)
        },
    )
    .await?;
    let mut body = serde_json::json!({ "id": id });
    if generated {
        body["password"] = serde_json::Value::String(password);
    }
    Ok((StatusCode::CREATED, Json(body)))
}

/// Changes to an account; absent fields stay.
#[derive(Debug, Deserialize)]
pub struct UserPatch {
    /// New role.
    pub role: Option<String>,
    /// Disable (ends its sessions and API tokens) or re-enable.
    pub disabled: Option<bool>,
    /// Link to a member record (`null` unlinks: send `"unlink_member": true`).
    pub member_id: Option<i64>,
    /// Remove the member link.
    #[serde(default)]
    pub unlink_member: bool,
    /// Interface language (en, es).
    pub language: Option<String>,
}

/// `PATCH /api/v1/users/{id}` — admins. An admin cannot demote or disable themselves.
pub async fn users_update(
    State(state): State<AppState>,
    Admin(user): Admin,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<UserPatch>,
) -> Result<Json<UserRow>, AppError> {
    if let Some(r) = &b.role
        && Role::parse(r).is_none()
    {
        return Err(AppError::invalid(
            "role",
            "one of admin, organizer, pod_lead, viewer",
        ));
    }
    if id == user.id
        && (b.role.as_deref().is_some_and(|r| r != "admin") || b.disabled == Some(true))
    {
        return Err(AppError::Conflict(
            "you cannot demote or disable your own account".into(),
        ));
    }
    if let Some(l) = &b.language
        && !["en", "es"].contains(&l.as_str())
    {
        return Err(AppError::invalid("language", "en or es"));
    }
    let mut changed = Vec::new();
    for (set, name) in [
        (b.role.is_some(), "role"),
        (b.disabled.is_some(), "disabled"),
        (b.member_id.is_some() || b.unlink_member, "member"),
        (b.language.is_some(), "language"),
    ] {
        if set {
            changed.push(name);
        }
    }
    let out = write_audited(
        &state,
        &user,
        "user.edit",
        format!("user:{id}"),
        format!("fields: {}", changed.join(", ")),
        move |conn| {
            let before = user_row(conn, id)?;
            if let Some(r) = &b.role {
                conn.execute("UPDATE users SET role = ?2 WHERE id = ?1", params![id, r])?;
            }
            if let Some(d) = b.disabled {
                users::set_disabled(conn, &before.username, d)?;
                if d {
                    session::revoke_all(conn, id)?;
                }
            }
            if let Some(m) = b.member_id {
                crate::domain::members::get(conn, m)?;
                conn.execute(
                    "UPDATE users SET member_id = ?2 WHERE id = ?1",
                    params![id, m],
                )?;
            } else if b.unlink_member {
                conn.execute("UPDATE users SET member_id = NULL WHERE id = ?1", [id])?;
            }
            if let Some(l) = &b.language {
                conn.execute(
                    "UPDATE users SET language = ?2 WHERE id = ?1",
                    params![id, l],
                )?;
            }
            user_row(conn, id)
        },
    )
    .await?;
    Ok(Json(out))
}

/// `POST /api/v1/users/{id}/password` — admins: set a new password (`{"password"}`, or
/// generated and returned once); ends the user's sessions.
pub async fn users_reset_password(
    State(state): State<AppState>,
    Admin(user): Admin,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    #[derive(Deserialize)]
    struct Given {
        password: Option<String>,
    }
    let given = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<Given>(&body)
            .map_err(|e| AppError::bad_request(format!("body: {e}")))?
            .password
    };
    let generated = given.is_none();
    let password = match given {
        Some(p) => p,
        None => users::generate_password()?,
    };
    let username = read(&state, move |conn| Ok(user_row(conn, id)?.username)).await?;
    let pw = password.clone();
    let hash = state
        .password_work(move || users::hash_new_password(&pw, &username))
        .await?;
    write_audited(
        &state,
        &user,
        "user.reset-password",
        format!("user:{id}"),
        String::new(),
        move |conn| {
            let u = user_row(conn, id)?;
            users::set_password_hash(conn, &u.username, &hash)?;
            session::delete_all_of(conn, id, None)
        },
    )
    .await?;
    Ok(Json(if generated {
        serde_json::json!({ "password": password })
    } else {
        serde_json::json!({})
    }))
}

// ---- audit ----

/// `GET /api/v1/audit` — newest first, paginated; admins.
pub async fn audit_log(
    State(state): State<AppState>,
    Admin(_user): Admin,
    Params(page): Params<PageParams>,
) -> Result<Json<Page<audit::Entry>>, AppError> {
    let (limit, offset) = page.limit_offset()?;
    let (items, total) = read(&state, move |conn| {
        let total: i64 = conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, actor, action, subject, detail FROM audit_log
             ORDER BY id DESC LIMIT ?1 OFFSET ?2",
        )?;
        let rows = stmt.query_map(params![limit, offset], |r| {
            Ok(audit::Entry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok((rows.collect::<rusqlite::Result<Vec<_>>>()?, total))
    })
    .await?;
    let (page, per_page) = page.resolve()?;
    Ok(Json(Page {
        items,
        page,
        per_page,
        total,
    }))
}

// ---- export ----

/// `GET /api/v1/export/members` — every member as CSV; admins; audited (`export.members`).
pub async fn export_members(
    State(state): State<AppState>,
    Admin(user): Admin,
) -> Result<Response, AppError> {
    let (bytes, n) = read(&state, crate::export::members_csv_bytes).await?;
    audit_event(
        &state,
        &user.username,
        "export.members",
        "http",
        &format!("{n} members"),
    )
    .await?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"members.csv\""),
    );
    Ok(response)
}

// ---- import ----

/// `POST /api/v1/import?format=national|generic&dry_run=true&confirm=true&map=COL%3Dfield...` —
/// the CSV as the body (at most 10 MiB); admins and organizers. All or nothing: 422
/// `import_refused` with the first 50 problems and `more_problems`, or the summary. A national
/// list that would mark more than 20% of the members missing needs `confirm=true` (else 409
/// `conflict`, saying how many). Audited (`import`, `import.dry_run`).
pub async fn import_csv(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    RawQuery(raw): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImportSummary>, AppError> {
    let body = body?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| AppError::bad_request(format!("query: {e}")))?;
    let mut opts = ImportOptions::default();
    for (k, v) in pairs {
        match k.as_str() {
            "format" => {
                opts.format = match v.as_str() {
                    "national" => Format::National,
                    "generic" => Format::Generic,
                    _ => return Err(AppError::invalid("format", "national or generic")),
                }
            }
            "dry_run" => {
                opts.dry_run = match v.as_str() {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    _ => return Err(AppError::invalid("dry_run", "true or false")),
                }
            }
            "confirm" => {
                opts.confirm_missing = match v.as_str() {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    _ => return Err(AppError::invalid("confirm", "true or false")),
                }
            }
            "map" => {
                let Some((col, field)) = v.split_once('=') else {
                    return Err(AppError::invalid("map", "COL=field"));
                };
                opts.maps
                    .push((col.trim().to_owned(), field.trim().to_owned()));
            }
            other => {
                return Err(AppError::bad_request(format!(
                    "unknown query parameter {other:?}"
                )));
            }
        }
    }
    if body.is_empty() {
        return Err(AppError::invalid("body", "send the CSV file as the body"));
    }
    let store = state.store().clone();
    let actor = user.username.clone();
    let dry_run = opts.dry_run;
    let summary =
        tokio::task::spawn_blocking(move || import::import_bytes(&store, &body, &opts, &actor))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    match summary {
        Ok(s) => {
            if dry_run {
                audit_event(
                    &state,
                    &user.username,
                    "import.dry_run",
                    "http",
                    &serde_json::to_string(&s).unwrap_or_default(),
                )
                .await?;
            }
            Ok(Json(s))
        }
        Err(e) => {
            let problems = match &e {
                crate::Error::Import(ie) => ie.total(),
                _ => 0,
            };
            audit_event(
                &state,
                &user.username,
                "import.refused",
                "http",
                &format!("{problems} problem(s)"),
            )
            .await?;
            Err(e.into())
        }
    }
}
