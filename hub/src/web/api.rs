//! The JSON API's handlers. Each doc comment starts with its method and path.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shopfloor_protocol::{Envelope, Kind, Period};

use super::auth::{Admin, ClientIp, CurrentUser, device_cookie, device_token, log_in, too_many};
use super::{AppError, AppState};
use crate::enroll::{self, EnrollBody};
use crate::error::Error;
use crate::store::now_secs;
use crate::{guidance, ingest, rollups, support, translog, users};

type ApiResult<T = Response> = Result<T, AppError>;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::bad_request(format!("request body: {e}")))
}

/// A body, or the refusal for one that is too large or unreadable.
fn body(b: Result<Bytes, BytesRejection>) -> Result<Bytes, Error> {
    b.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::refused(413, "too-large", "the request body is larger than 8 MiB")
        } else {
            Error::bad_request("the request body could not be read")
        }
    })
}

fn envelope_response(status: StatusCode, envelope: &Envelope) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        envelope.to_json(),
    )
        .into_response()
}

/// Any path the API does not have.
pub async fn not_found() -> AppError {
    Error::not_found("not-found", "no such endpoint").into()
}

/// Any known path with a method it does not take: a JSON refusal like every other.
pub async fn method_not_allowed() -> AppError {
    Error::refused(
        405,
        "method-not-allowed",
        "this endpoint does not take that method",
    )
    .into()
}

/// GET /api/v1/card: this hub's public card and fingerprint.
pub async fn card(State(state): State<AppState>) -> Json<Value> {
    let card = state.hub().card();
    Json(json!({"card": card, "fingerprint": card.fingerprint().to_string()}))
}

/// GET /api/v1/revocations: the newest signed revocation list.
pub async fn revocations(State(state): State<AppState>) -> ApiResult {
    let list = state
        .blocking(|hub| enroll::revocation_list(hub.store()))
        .await?
        .ok_or_else(|| Error::not_found("no-revocation-list", "no revocation list yet"))?;
    Ok(envelope_response(StatusCode::OK, &list))
}

/// GET /api/v1/guidance: the newest signed guidance.
pub async fn guidance(State(state): State<AppState>) -> ApiResult {
    let g = state
        .blocking(guidance::current)
        .await?
        .ok_or_else(|| Error::not_found("no-guidance", "this hub has published no guidance"))?;
    Ok(envelope_response(StatusCode::OK, &g))
}

/// GET /api/v1/log/checkpoint: a signed checkpoint of the log.
pub async fn checkpoint(State(state): State<AppState>) -> ApiResult {
    let cp = state.blocking(translog::checkpoint).await?;
    Ok(envelope_response(StatusCode::OK, &cp))
}

/// Query of `GET /api/v1/log/proof`.
#[derive(Debug, Deserialize)]
pub struct ProofQuery {
    index: Option<u64>,
    size: Option<u64>,
    old: Option<u64>,
    new: Option<u64>,
}

/// GET /api/v1/log/proof?index=I&size=N (inclusion) or ?old=M&new=N (consistency).
pub async fn proof(
    State(state): State<AppState>,
    query: Result<Query<ProofQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Ok(Query(q)) = query else {
        return Err(Error::bad_request("expected ?index=I&size=N or ?old=M&new=N").into());
    };
    match q {
        ProofQuery {
            index: Some(index),
            size: Some(size),
            old: None,
            new: None,
        } => {
            let p = state
                .blocking(move |hub| translog::inclusion(hub, index, size))
                .await?;
            Ok(Json(json!(p)))
        }
        ProofQuery {
            old: Some(old),
            new: Some(new),
            index: None,
            size: None,
        } => {
            let p = state
                .blocking(move |hub| translog::consistency(hub, old, new))
                .await?;
            Ok(Json(json!(p)))
        }
        _ => Err(Error::bad_request("expected ?index=I&size=N or ?old=M&new=N").into()),
    }
}

/// POST /api/v1/enroll: a child's card and invite code; answers the request id to poll.
/// Wrong codes are limited per address and per existing code, never globally
/// ([`super::throttle`]).
pub async fn enroll(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let body = body(raw)?;
    let body: EnrollBody = parse(&body)?;
    let limiter = *state.limiter();
    let code = crate::secret::hash_secret(&body.code);
    let c = code.clone();
    let refused = state
        .blocking(move |hub| {
            hub.store()
                .read(|db| limiter.assess_enroll(db, ip, &c, now_secs()))
        })
        .await?;
    if let Some(retry_after) = refused {
        return Err(too_many(retry_after).into());
    }
    match state.blocking(move |hub| enroll::submit(hub, &body)).await {
        Ok(s) => Ok((StatusCode::CREATED, Json(s)).into_response()),
        Err(e) => {
            if matches!(e.code(), "bad-invite" | "invite-used" | "invite-expired") {
                state
                    .blocking(move |hub| {
                        hub.store().write(|tx, _| {
                            let known: bool = tx.query_row(
                                "SELECT EXISTS (SELECT 1 FROM invites WHERE code_hash = ?1)",
                                [&code],
                                |r| r.get(0),
                            )?;
                            limiter.record_enroll_failure(tx, ip, &code, known, now_secs())
                        })
                    })
                    .await?;
            }
            Err(e.into())
        }
    }
}

/// POST /api/v1/rotate: a child's key rotation statement, signed by its current key; answers
/// with the new card's certificate.
pub async fn rotate(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<enroll::Rotated>> {
    let body = body(raw)?;
    let statement = Envelope::from_json(&body).map_err(Error::from)?;
    Ok(Json(
        state
            .blocking(move |hub| enroll::rotate(hub, &statement))
            .await?,
    ))
}

/// GET /api/v1/enroll/{id}: pending, approved (certificate, chain, hub card) or rejected.
pub async fn enroll_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<enroll::EnrollStatus>> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::not_found("no-such-request", "no such enrollment request").into());
    }
    Ok(Json(
        state.blocking(move |hub| enroll::status(hub, &id)).await?,
    ))
}

/// Bodies larger than the general limit (a regional hub's sealed bundle at national) are read
/// two at a time, so strangers sending large bodies cannot make the hub hold many at once; a
/// body that does not state its length counts as large.
pub async fn large_uploads_one_at_a_time(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    static LARGE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n <= super::BODY_LIMIT) {
        return next.run(req).await;
    }
    // The semaphore is never closed, so acquiring only waits.
    let _permit = LARGE.acquire().await.ok();
    next.run(req).await
}

/// Reads `POST /api/v1/reports`'s body within [`super::REQUEST_TIMEOUT`] (408 otherwise) and up
/// to the route's limit (413 `too-large`), so that the route's longer timeout covers verifying
/// it, not a slow sender.
pub async fn body_within_request_timeout(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let limit = super::routes::report_body_limit(state.hub().level());
    let too_large = || {
        AppError(Error::refused(
            413,
            "too-large",
            format!("the report is larger than {limit} bytes"),
        ))
        .into_response()
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(super::REQUEST_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => {
            next.run(axum::extract::Request::from_parts(parts, bytes.into()))
                .await
        }
        // Over the limit, or a body that broke off (whose sender no longer reads the answer).
        Ok(Err(_)) => too_large(),
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// POST /api/v1/reports: sealed bytes (`application/octet-stream`); answers the signed receipt.
pub async fn reports(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let body = body(raw)?;
    if body.is_empty() {
        return Err(Error::bad_request("empty body: send the sealed report").into());
    }
    let ingested = state
        .blocking(move |hub| ingest::ingest(hub, &body))
        .await?;
    let status = if ingested.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(envelope_response(status, &ingested.receipt))
}

fn auth_header(headers: &HeaderMap) -> Result<String, Error> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::unauthenticated("sign the request: Authorization: Shopfloor <signed request>")
        })
}

/// POST /api/v1/support-requests: a chapter (signed request) asks for help.
pub async fn support_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let body = body(raw)?;
    let auth = auth_header(&headers)?;
    let posted = state
        .blocking(move |hub| {
            let child =
                support::verify_request(hub, &auth, "POST", "/api/v1/support-requests", &body)?;
            let req: support::SupportBody = parse(&body)?;
            support::post(hub, &child, req)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(posted)).into_response())
}

/// GET /api/v1/support-requests: a chapter (signed request) reads what was relayed to it.
pub async fn support_inbox(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<support::Inbox>> {
    let auth = auth_header(&headers)?;
    let inbox = state
        .blocking(move |hub| {
            let child =
                support::verify_request(hub, &auth, "GET", "/api/v1/support-requests", b"")?;
            support::inbox(hub, &child.id)
        })
        .await?;
    Ok(Json(inbox))
}

/// POST /api/v1/support-requests/relayed: a regional child (signed request) relays one of its
/// chapters' requests up.
pub async fn support_relayed(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let body = body(raw)?;
    let auth = auth_header(&headers)?;
    state
        .blocking(move |hub| {
            let child = support::verify_request(hub, &auth, "POST", support::RELAYED_PATH, &body)?;
            let req: support::Relayed = parse(&body)?;
            support::accept_relayed(hub, &child, &req)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"status": "stored"}))).into_response())
}

/// POST /api/v1/support-requests/{id}/status: the asking chapter (signed request) marks its
/// request met or unmet; a regional hub passes it up to its parent's copy.
pub async fn support_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let body = body(raw)?;
    let auth = auth_header(&headers)?;
    let path = support::status_path(&id);
    let (up, status) = state
        .blocking(move |hub| {
            let child = support::verify_request(hub, &auth, "POST", &path, &body)?;
            let req: support::StatusBody = parse(&body)?;
            let up = support::set_status(hub, &child, &id, &req)?;
            Ok((up, req.status))
        })
        .await?;
    if up {
        let hub = state.hub().clone();
        tokio::spawn(async move {
            if let Err(e) = support::push_statuses(&hub).await {
                tracing::warn!("passing a support request's status up: {e}");
            }
        });
    }
    Ok(Json(json!({"status": status})))
}

/// Body of `POST /api/v1/login`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    name: String,
    password: String,
}

/// POST /api/v1/login: name and password; answers a bearer token (under the login limits of
/// [`super::throttle`]; a new device token comes as the `sf_device` cookie).
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let body = body(raw)?;
    let body: LoginBody = parse(&body)?;
    let done = log_in(
        &state,
        &body.name,
        &body.password,
        ip,
        device_token(&headers),
    )
    .await?;
    let mut resp = Json(json!({
        "token": done.token,
        "name": done.user.name,
        "role": done.user.role,
        "expires_in": users::SESSION_SECS,
    }))
    .into_response();
    if let Some(device) = &done.device
        && let Ok(v) = header::HeaderValue::from_str(&device_cookie(&state, device))
    {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// GET /api/v1/status: the hub at a glance (any logged-in user).
pub async fn status(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
) -> ApiResult<Json<Value>> {
    let v = state
        .blocking(|hub| {
            let (active, revoked) = hub.store().read(enroll::counts)?;
            let log_size = hub.store().with_tree(|t| Ok(t.len()))?;
            let parent = hub.parent()?;
            Ok(json!({
                "card": hub.card(),
                "fingerprint": hub.card().fingerprint().to_string(),
                "level": hub.level(),
                "children": active,
                "revoked": revoked,
                "log_size": log_size,
                "parent": parent.map(|p| json!({"id": p.card.id, "url": p.url, "enrolled": p.certificate.is_some()})),
            }))
        })
        .await?;
    Ok(Json(v))
}

/// GET /api/v1/children: enrolled children (any logged-in user).
pub async fn children(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
) -> ApiResult<Json<Value>> {
    let list = state.blocking(|hub| enroll::children(hub.store())).await?;
    let rows: Vec<Value> = list
        .iter()
        .map(|c| {
            json!({"id": c.id, "kind": c.kind, "name": c.name, "state": c.state, "status": c.status,
                   "serial": c.serial, "fingerprint": c.card.fingerprint().to_string(), "enrolled_at": c.enrolled_at})
        })
        .collect();
    Ok(Json(Value::Array(rows)))
}

/// Body of `POST /api/v1/invites`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    name: String,
    kind: Kind,
}

/// POST /api/v1/invites (admin): a one-time invite code.
pub async fn invite(
    State(state): State<AppState>,
    Admin(user): Admin,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let body = body(raw)?;
    let body: InviteBody = parse(&body)?;
    let inv = state
        .blocking(move |hub| enroll::invite(hub, &body.name, body.kind, &user.name))
        .await?;
    Ok((StatusCode::CREATED, Json(inv)).into_response())
}

/// GET /api/v1/enroll-requests (admin): pending requests with both fingerprints.
pub async fn pending(
    State(state): State<AppState>,
    Admin(_): Admin,
) -> ApiResult<Json<Vec<enroll::Pending>>> {
    Ok(Json(state.blocking(enroll::pending).await?))
}

/// POST /api/v1/enroll-requests/{id}/approve (admin): sign the child's certificate.
pub async fn approve(
    State(state): State<AppState>,
    Admin(user): Admin,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let child = state
        .blocking(move |hub| enroll::approve(hub, &id, &user.name))
        .await?;
    Ok(Json(
        json!({"id": child.id, "serial": child.serial, "certificate": child.certificate}),
    ))
}

/// POST /api/v1/enroll-requests/{id}/reject (admin).
pub async fn reject(
    State(state): State<AppState>,
    Admin(user): Admin,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    state
        .blocking(move |hub| enroll::reject(hub, &id, &user.name))
        .await?;
    Ok(Json(json!({"status": "rejected"})))
}

/// Body of `POST /api/v1/children/{id}/revoke`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    reason: String,
}

/// POST /api/v1/children/{id}/revoke (admin): revoke and publish a new signed list.
pub async fn revoke(
    State(state): State<AppState>,
    Admin(user): Admin,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let body = body(raw)?;
    let body: RevokeBody = parse(&body)?;
    let list = state
        .blocking(move |hub| enroll::revoke(hub, &id, &body.reason, &user.name))
        .await?;
    Ok(envelope_response(StatusCode::OK, &list))
}

/// Query with a period.
#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    period: String,
}

fn period(text: &str) -> Result<Period, Error> {
    text.parse().map_err(Error::Protocol)
}

/// GET /api/v1/completeness?period=P (admin): expected, reported, on time, late, missing.
pub async fn completeness(
    State(state): State<AppState>,
    Admin(_): Admin,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> ApiResult<Json<rollups::Completeness>> {
    let Ok(Query(q)) = query else {
        return Err(Error::bad_request("expected ?period=YYYY-MM").into());
    };
    let p = period(&q.period)?;
    Ok(Json(
        state
            .blocking(move |hub| rollups::completeness(hub, p))
            .await?,
    ))
}

/// GET /api/v1/rollups/{period} (admin): the newest rollup this hub built for the period.
pub async fn rollup(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(p): Path<String>,
) -> ApiResult<Json<rollups::Built>> {
    let p = period(&p)?;
    let built = state
        .blocking(move |hub| rollups::latest(hub, p))
        .await?
        .ok_or_else(|| Error::not_found("no-rollup", "no rollup built for this period"))?;
    Ok(Json(built))
}

/// POST /api/v1/rollups/{period} (admin): build (or reuse) and sign the period's rollup.
pub async fn build_rollup(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(p): Path<String>,
) -> ApiResult<Json<rollups::Built>> {
    let p = period(&p)?;
    Ok(Json(
        state.blocking(move |hub| rollups::build(hub, p)).await?,
    ))
}

/// GET /api/v1/tables/{period}?path=A/B&metric=M (any logged-in user): every table of one
/// metric (or every metric) at a level, as the pages show it: admins the live sums, viewers the
/// period's newest publication, each cell with its `status` (`exact`, `at-least`, `suppressed`,
/// `withheld`) and a `value` only where one may be shown (crate::web::ui::tables).
pub async fn tables(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(p): Path<String>,
    query: Result<Query<crate::web::ui::tables::ApiTablesQuery>, QueryRejection>,
) -> ApiResult<Json<crate::web::ui::tables::LevelTables>> {
    use crate::web::ui::data::PathError;
    let p = period(&p)?;
    let Ok(Query(q)) = query else {
        return Err(Error::bad_request("expected ?path=A/B&metric=M").into());
    };
    let admin = user.role == crate::users::Role::Admin;
    let answer = state
        .blocking(move |hub| crate::web::ui::tables::api_tables(hub, p, &q, admin))
        .await?;
    match answer {
        Ok(t) => Ok(Json(t)),
        Err(None) => Err(Error::bad_request("unknown metric").into()),
        Err(Some(PathError::Chapter)) => {
            Err(Error::forbidden("viewers see no single chapter").into())
        }
        Err(Some(PathError::Unknown)) => {
            Err(Error::not_found("no-such-node", "no such level for this period").into())
        }
        Err(Some(PathError::NotPublished)) => {
            Err(Error::not_found("not-published", "this period has no publication yet").into())
        }
    }
}

/// POST /api/v1/campaign-submissions: a chapter (signed request) submits a campaign for approval
/// against a version of this hub's criteria (crate::campaigns).
pub async fn campaign_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let body = body(raw)?;
    let auth = auth_header(&headers)?;
    let received = state
        .blocking(move |hub| {
            let child =
                support::verify_request(hub, &auth, "POST", "/api/v1/campaign-submissions", &body)?;
            crate::campaigns::submit(hub, &child, &body)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(received)).into_response())
}

/// GET /api/v1/campaign-submissions: a chapter (signed request) reads the signed decisions on
/// its submissions.
pub async fn campaign_decisions(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Json<shopfloor_protocol::campaign::Decisions>> {
    let auth = auth_header(&headers)?;
    let decisions = state
        .blocking(move |hub| {
            let child =
                support::verify_request(hub, &auth, "GET", "/api/v1/campaign-submissions", b"")?;
            crate::campaigns::decisions_for(hub, &child.id)
        })
        .await?;
    Ok(Json(decisions))
}
