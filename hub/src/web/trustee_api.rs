//! This hub as a trustee: `POST /api/v1/trustee/shares` (crate::decryption); national relaying
//! its publication's shares to a regional hub: `POST /api/v1/released/shares` (crate::relay).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use shopfloor_protocol::envelope::MAX_BUNDLE_BYTES;
use shopfloor_protocol::threshold::publication::{ShareAnswer, ShareCall};

use super::{AppError, AppState};
use crate::error::Error;

/// The largest share request: a rollup's bundle at its limit, plus the signed request.
pub const SHARES_BODY_LIMIT: usize = MAX_BUNDLE_BYTES + 4 * 1024 * 1024;

/// How long answering may take: the whole tree is verified first (every range proof).
pub const SHARES_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// POST /api/v1/trustee/shares: a [`ShareCall`] (JSON). Answers a [`ShareAnswer`]: a decryption
/// share for each aggregate asked for that this trustee's own check of the release rule allows,
/// a refusal for each other one. Refused: a bundle that does not verify to the root card, a
/// request not signed by the rollup's signer, a hub `[decryption] answer_hubs` leaves out, a
/// joint key this hub holds no share of, and any request when `answer = false`.
pub async fn shares(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ShareAnswer>, AppError> {
    let body = body.map_err(|e| Error::bad_request(format!("the request body: {e}")))?;
    let answer = state
        .blocking(move |hub| {
            let call: ShareCall = serde_json::from_slice(&body)
                .map_err(|e| Error::bad_request(format!("a share request: {e}")))?;
            crate::decryption::answer_call(hub, &call)
        })
        .await?;
    Ok(Json(answer))
}

/// POST /api/v1/released/shares: a signed `ShareRequest` (an envelope, JSON) from an active
/// child. Answers a [`crate::relay::Relayed`]: the decryption shares national's newest
/// publication of the period released at the child's views, for the rollup of the child that
/// publication sums.
pub async fn relayed(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<crate::relay::Relayed>, AppError> {
    let body = body.map_err(|e| Error::bad_request(format!("the request body: {e}")))?;
    let relayed = state
        .blocking(move |hub| {
            let request = shopfloor_protocol::Envelope::from_json(&body)
                .map_err(|e| Error::bad_request(format!("a signed share request: {e}")))?;
            crate::relay::answer(hub, &request)
        })
        .await?;
    Ok(Json(relayed))
}
