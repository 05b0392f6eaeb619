//! This hub as a trustee: `POST /api/v1/trustee/shares` (crate::decryption).

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
