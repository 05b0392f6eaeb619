//! Pods, the trainings catalog, mentorships, the organizer reserve, campaigns and chapter facts.
//!
//! Pods, mentorships and the reserve name members (by id): viewers get 403, pod leads see what
//! touches their pods. Pod membership decides a pod lead's scope, so only organizers and admins
//! change it. The catalog, campaigns and facts are chapter-level: every role reads them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shopfloor_protocol::report::ChapterFacts;

use super::{Created, read, write_audited};
use crate::domain::campaigns::{self, Campaign, CampaignFields, SuccessMetric};
use crate::domain::mentorships::{self, Mentorship};
use crate::domain::reserve::{self, ReserveEntry};
use crate::domain::trainings::{self, Training};
use crate::domain::{facts, pods};
use crate::error::Error;
use crate::web::auth::MemberScope;
use crate::web::extract::{JsonBody, Params};
use crate::web::handler::{Editor, Organizer, SeesMembers};
use crate::web::query::{self, Page, PageParams};
use crate::web::{AppError, AppState, CurrentUser};

// ---- pods ----

/// `GET /api/v1/pods` — pods with their members' ids (pod leads: the pods they lead).
pub async fn pods_list(
    State(state): State<AppState>,
    SeesMembers(user): SeesMembers,
    Params(page): Params<PageParams>,
) -> Result<Json<Page<pods::Pod>>, AppError> {
    let scope = user.member_scope();
    let all = read(&state, move |conn| query::visible_pods(conn, &scope)).await?;
    Ok(Json(page.slice(all)?))
}

/// A new pod.
#[derive(Debug, Deserialize)]
pub struct PodBody {
    /// Name.
    pub name: String,
    /// NAICS sector code.
    pub sector: Option<String>,
}

/// `POST /api/v1/pods` — organizers and admins.
pub async fn pods_create(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    JsonBody(b): JsonBody<PodBody>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let id = write_audited(
        &state,
        &user,
        "pod.create",
        "pod".into(),
        String::new(),
        move |conn| pods::create(conn, &b.name, b.sector.as_deref()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Adding a member to a pod.
#[derive(Debug, Deserialize)]
pub struct PodMemberBody {
    /// The member.
    pub member_id: i64,
    /// Whether they lead the pod.
    #[serde(default)]
    pub lead: bool,
}

fn pod_exists(conn: &rusqlite::Connection, id: i64) -> crate::Result<()> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pods WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )?;
    if exists {
        Ok(())
    } else {
        Err(Error::not_found(format!("pod {id}")))
    }
}

/// `POST /api/v1/pods/{id}/members` — `{"member_id", "lead"}`; organizers and admins.
pub async fn pods_add_member(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<PodMemberBody>,
) -> Result<StatusCode, AppError> {
    write_audited(
        &state,
        &user,
        "pod.add_member",
        format!("pod:{id}"),
        format!("member:{} lead {}", b.member_id, b.lead),
        move |conn| {
            pod_exists(conn, id)?;
            query::require_member(conn, &MemberScope::All, b.member_id)?;
            pods::add_member(conn, id, b.member_id, b.lead)
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/pods/{id}/members/{member_id}` — organizers and admins.
pub async fn pods_remove_member(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    Path((id, member_id)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    write_audited(
        &state,
        &user,
        "pod.remove_member",
        format!("pod:{id}"),
        format!("member:{member_id}"),
        move |conn| {
            pod_exists(conn, id)?;
            pods::remove_member(conn, id, member_id)
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- trainings ----

/// `GET /api/v1/trainings` — the catalog (every role).
pub async fn trainings_catalog(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<Training>>, AppError> {
    Ok(Json(read(&state, trainings::catalog).await?))
}

/// A catalog entry's titles.
#[derive(Debug, Deserialize)]
pub struct TrainingBody {
    /// English title.
    pub title_en: String,
    /// Spanish title.
    #[serde(default)]
    pub title_es: String,
}

/// `PUT /api/v1/trainings/{code}` — add or rename a chapter training; organizers and admins.
pub async fn trainings_upsert(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    Path(code): Path<String>,
    JsonBody(b): JsonBody<TrainingBody>,
) -> Result<StatusCode, AppError> {
    write_audited(
        &state,
        &user,
        "training.upsert",
        format!("training:{code}"),
        String::new(),
        move |conn| {
            trainings::upsert(
                conn,
                &Training {
                    code,
                    title_en: b.title_en,
                    title_es: b.title_es,
                    source: "chapter".into(),
                },
            )
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- mentorships ----

fn visible(conn: &rusqlite::Connection, scope: &MemberScope, id: i64) -> crate::Result<bool> {
    query::member_visible(conn, scope, id)
}

/// `GET /api/v1/mentorships` — pairs (pod leads: those involving a member of their pods).
pub async fn mentorships_list(
    State(state): State<AppState>,
    SeesMembers(user): SeesMembers,
    Params(page): Params<PageParams>,
) -> Result<Json<Page<Mentorship>>, AppError> {
    let scope = user.member_scope();
    let all = read(&state, move |conn| {
        let mut out = Vec::new();
        for m in mentorships::list(conn)? {
            if visible(conn, &scope, m.mentor_id)? || visible(conn, &scope, m.mentee_id)? {
                out.push(m);
            }
        }
        Ok(out)
    })
    .await?;
    Ok(Json(page.slice(all)?))
}

/// A new mentorship.
#[derive(Debug, Deserialize)]
pub struct MentorshipBody {
    /// Mentor.
    pub mentor_id: i64,
    /// Mentee.
    pub mentee_id: i64,
    /// Started (YYYY-MM-DD).
    pub started_on: String,
}

/// `POST /api/v1/mentorships` — both members must be within the user's scope.
pub async fn mentorships_start(
    State(state): State<AppState>,
    Editor(user): Editor,
    JsonBody(b): JsonBody<MentorshipBody>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let scope = user.member_scope();
    let id = write_audited(
        &state,
        &user,
        "mentorship.start",
        format!("member:{}", b.mentor_id),
        format!("mentee member:{}", b.mentee_id),
        move |conn| {
            query::require_member(conn, &scope, b.mentor_id)?;
            query::require_member(conn, &scope, b.mentee_id)?;
            mentorships::start(conn, b.mentor_id, b.mentee_id, &b.started_on)
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Ending a mentorship.
#[derive(Debug, Deserialize)]
pub struct EndBody {
    /// Ended (YYYY-MM-DD).
    pub ended_on: String,
}

/// `POST /api/v1/mentorships/{id}/end` — `{"ended_on"}`; both members within scope.
pub async fn mentorships_end(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<EndBody>,
) -> Result<StatusCode, AppError> {
    let scope = user.member_scope();
    write_audited(
        &state,
        &user,
        "mentorship.end",
        format!("mentorship:{id}"),
        String::new(),
        move |conn| {
            let m = mentorships::list(conn)?
                .into_iter()
                .find(|m| m.id == id)
                .ok_or_else(|| Error::not_found(format!("mentorship {id}")))?;
            if !(visible(conn, &scope, m.mentor_id)? && visible(conn, &scope, m.mentee_id)?) {
                return Err(Error::not_found(format!("mentorship {id}")));
            }
            mentorships::end(conn, id, &b.ended_on)
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- reserve ----

/// `GET /api/v1/reserve` — volunteers (pod leads: members of their pods).
pub async fn reserve_list(
    State(state): State<AppState>,
    SeesMembers(user): SeesMembers,
    Params(page): Params<PageParams>,
) -> Result<Json<Page<ReserveEntry>>, AppError> {
    let scope = user.member_scope();
    let all = read(&state, move |conn| {
        let mut out = Vec::new();
        for e in reserve::list(conn)? {
            if visible(conn, &scope, e.member_id)? {
                out.push(e);
            }
        }
        Ok(out)
    })
    .await?;
    Ok(Json(page.slice(all)?))
}

/// A reserve entry.
#[derive(Debug, Deserialize)]
pub struct ReserveBody {
    /// Languages (codes or names).
    #[serde(default)]
    pub languages: Vec<String>,
    /// registry::SKILLS codes.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Availability, free text.
    #[serde(default)]
    pub availability: String,
    /// Opted in (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// `PUT /api/v1/reserve/{member_id}` — opt a member in or update their entry.
pub async fn reserve_put(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path(member_id): Path<i64>,
    JsonBody(b): JsonBody<ReserveBody>,
) -> Result<StatusCode, AppError> {
    if b.availability.chars().count() > 500 {
        return Err(AppError::invalid("availability", "at most 500 characters"));
    }
    let scope = user.member_scope();
    write_audited(
        &state,
        &user,
        "reserve.opt_in",
        format!("member:{member_id}"),
        String::new(),
        move |conn| {
            query::require_member(conn, &scope, member_id)?;
            reserve::opt_in(
                conn,
                &ReserveEntry {
                    member_id,
                    languages: b.languages,
                    skills: b.skills,
                    availability: b.availability,
                    active: b.active,
                },
            )
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/reserve/{member_id}` — opt a member out.
pub async fn reserve_delete(
    State(state): State<AppState>,
    Editor(user): Editor,
    Path(member_id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let scope = user.member_scope();
    write_audited(
        &state,
        &user,
        "reserve.opt_out",
        format!("member:{member_id}"),
        String::new(),
        move |conn| {
            query::require_member(conn, &scope, member_id)?;
            reserve::opt_out(conn, member_id)
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- campaigns ----

/// `GET /api/v1/campaigns` — every campaign with metrics and workplace ids (every role).
pub async fn campaigns_list(
    State(state): State<AppState>,
    _user: CurrentUser,
    Params(page): Params<PageParams>,
) -> Result<Json<Page<Campaign>>, AppError> {
    let all = read(&state, campaigns::list).await?;
    Ok(Json(page.slice(all)?))
}

/// `GET /api/v1/campaigns/{id}`.
pub async fn campaigns_get(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Campaign>, AppError> {
    Ok(Json(
        read(&state, move |conn| campaigns::get(conn, id)).await?,
    ))
}

/// `POST /api/v1/campaigns` — organizers and admins.
pub async fn campaigns_create(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    JsonBody(f): JsonBody<CampaignFields>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let id = write_audited(
        &state,
        &user,
        "campaign.create",
        "campaign".into(),
        String::new(),
        move |conn| campaigns::create_by_hand(conn, &f),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// `PUT /api/v1/campaigns/{id}` — replaces the fields; organizers and admins.
pub async fn campaigns_update(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    Path(id): Path<i64>,
    JsonBody(f): JsonBody<CampaignFields>,
) -> Result<Json<Campaign>, AppError> {
    let out = write_audited(
        &state,
        &user,
        "campaign.edit",
        format!("campaign:{id}"),
        String::new(),
        move |conn| {
            campaigns::edit_by_hand(conn, id, &f)?;
            campaigns::get(conn, id)
        },
    )
    .await?;
    Ok(Json(out))
}

/// `PUT /api/v1/campaigns/{id}/metrics` — `{"name", "target", "actual"}` (creates or updates
/// the named metric); organizers and admins.
pub async fn campaigns_metric(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    Path(id): Path<i64>,
    JsonBody(m): JsonBody<SuccessMetric>,
) -> Result<Json<Campaign>, AppError> {
    let out = write_audited(
        &state,
        &user,
        "campaign.metric",
        format!("campaign:{id}"),
        String::new(),
        move |conn| {
            campaigns::get(conn, id)?;
            campaigns::set_metric(conn, id, &m)?;
            campaigns::get(conn, id)
        },
    )
    .await?;
    Ok(Json(out))
}

/// A workplace for a campaign.
#[derive(Debug, Deserialize)]
pub struct CampaignWorkplaceBody {
    /// The workplace.
    pub workplace_id: i64,
}

/// `POST /api/v1/campaigns/{id}/workplaces` — link a workplace; organizers and admins.
pub async fn campaigns_add_workplace(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<CampaignWorkplaceBody>,
) -> Result<Json<Campaign>, AppError> {
    let out = write_audited(
        &state,
        &user,
        "campaign.add_workplace",
        format!("campaign:{id}"),
        format!("workplace:{}", b.workplace_id),
        move |conn| {
            campaigns::get(conn, id)?;
            crate::domain::workplaces::get(conn, b.workplace_id)?;
            campaigns::add_workplace(conn, id, b.workplace_id)?;
            campaigns::get(conn, id)
        },
    )
    .await?;
    Ok(Json(out))
}

// ---- facts ----

/// `GET /api/v1/facts` — the chapter's facts (every role).
pub async fn facts_get(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<ChapterFacts>, AppError> {
    Ok(Json(read(&state, facts::get).await?))
}

/// `PUT /api/v1/facts` — organizers and admins.
pub async fn facts_put(
    State(state): State<AppState>,
    Organizer(user): Organizer,
    JsonBody(f): JsonBody<ChapterFacts>,
) -> Result<Json<ChapterFacts>, AppError> {
    let out = write_audited(
        &state,
        &user,
        "facts.edit",
        "chapter".into(),
        String::new(),
        move |conn| {
            facts::set(conn, &f)?;
            facts::get(conn)
        },
    )
    .await?;
    Ok(Json(out))
}
