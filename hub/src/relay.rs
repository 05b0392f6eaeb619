//! A regional hub's exact rare counts from national's publication (issue 14, docs/protocol.md
//! §17.14).
//!
//! National holds the whole federation's tree, so the release rule it applies
//! ([`shopfloor_protocol::threshold::family`]) sees every region at once; a region's own tree
//! sees only itself. A regional hub therefore asks national for the decryption shares national's
//! newest publication of the period holds for aggregates at the region's views:
//! `POST /api/v1/released/shares` with the same [`ShareRequest`] it signs for trustees, without
//! the bundle. National answers ([`answer`]) only
//!
//! - an active child, whose signing key signed the request;
//! - for the rollup of that child its publication sums (otherwise `covered` is false and no
//!   share goes back: the region's tallies would not be the ones the shares decrypt);
//! - with shares of aggregates its publication released, which its publication bundle already
//!   carries for any verifier.
//!
//! So a regional hub needs no trustee of its own, and what it shows exactly is what national's
//! drill-down into it shows: one decision for the whole federation. The region checks every
//! share against its own tallies and applies the rule again over its own tree, exactly as with
//! trustees' answers (`publication::combine_answers`), and `verify` checks its publication the
//! same way.
//!
//! A regional hub's first publication of a period waits for national's ([`waits`]), up to
//! `[decryption] wait_for_national_hours` past the period's deadline: a publication without
//! exact figures followed by one with them would be held back (a value that changed with no
//! chapter changing, `publish::difference_problems`).

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use shopfloor_protocol::threshold::publication::{Answered, ShareAnswer, ShareRequest, Wanted};
use shopfloor_protocol::{Envelope, Period};

use crate::config::Level;
use crate::error::{Error, Result};
use crate::hub::{Hub, Parent};

/// The path of the relay endpoint under national's URL.
pub const RELAY_PATH: &str = "/api/v1/released/shares";

/// How long a regional hub waits for national's answer: a lookup, not a verification.
const RELAY_TIMEOUT: Duration = Duration::from_secs(60);

/// National's answer to a region.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relayed {
    /// Whether national's newest publication of the period sums the rollup the request names.
    pub covered: bool,
    /// One answer per decryption share position, each with a share for every aggregate asked
    /// for that national's publication released (refused otherwise).
    pub answers: Vec<ShareAnswer>,
}

/// National's side: the shares its newest publication of `request`'s period released at the
/// requesting child's views. Refused: at a regional hub (`not-national`), a request no active
/// child signed (`unknown-child`, `bad-signature`).
pub fn answer(hub: &Hub, request: &Envelope) -> Result<Relayed> {
    if hub.level() != Level::National {
        return Err(Error::refused(
            404,
            "not-national",
            "only the national hub relays its publication's shares",
        ));
    }
    let child = hub
        .store()
        .read(|db| {
            let mut found = None;
            for key in request.signer_ids() {
                if let Some(c) = crate::enroll::child_by_key(db, key.as_str())? {
                    found = Some(c);
                    break;
                }
            }
            Ok(found)
        })?
        .filter(|c| c.status == "active")
        .ok_or_else(|| {
            Error::refused(
                403,
                "unknown-child",
                "the request is not from an active child",
            )
        })?;
    let request: ShareRequest = request
        .open_document(&child.card.signing_key)
        .map_err(|e| Error::refused(403, "bad-signature", format!("the request: {e}")))?;
    if request.hub != child.id {
        return Err(Error::refused(
            403,
            "bad-signature",
            "the request names another hub than the child that signed it",
        ));
    }
    let Some(latest) = crate::publish::latest(hub, request.period)? else {
        return Ok(Relayed::default());
    };
    let rollup = request.rollup.to_hex();
    let covered = latest
        .publication
        .covers
        .iter()
        .any(|c| c.child == child.id && c.digest == rollup);
    if !covered {
        return Ok(Relayed::default());
    }
    let released = crate::publish::released(hub, &latest)?;
    let at = |w: &Wanted| {
        let mut view = Vec::with_capacity(w.view.len() + 1);
        view.push(child.id.as_str().to_owned());
        view.extend(w.view.iter().cloned());
        released
            .iter()
            .find(|r| r.key == w.key && r.view == view && r.tally.key == request.joint_key)
    };
    let positions = request
        .wanted
        .iter()
        .filter_map(|w| at(w).map(|r| r.shares.len()))
        .max()
        .unwrap_or(0);
    let answers = (0..positions)
        .map(|p| ShareAnswer {
            schema: shopfloor_protocol::threshold::publication::SHARE_ANSWER_SCHEMA.into(),
            trustee: hub.card().id.clone(),
            rollup: request.rollup,
            answers: request
                .wanted
                .iter()
                .map(|w| {
                    let share = at(w).and_then(|r| r.shares.get(p).cloned());
                    let refused = share
                        .is_none()
                        .then(|| "national's publication does not release it".to_owned());
                    Answered {
                        wanted: w.clone(),
                        share,
                        refused,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Relayed {
        covered: true,
        answers,
    })
}

/// The parent a regional hub asks, once its certificate is held.
pub fn parent_of(hub: &Hub) -> Result<Option<Parent>> {
    if hub.level() != Level::Regional {
        return Ok(None);
    }
    Ok(hub.parent()?.filter(|p| p.certificate.is_some()))
}

/// A regional hub's side: sends the signed request to national, from a thread with its own
/// runtime (publication runs in blocking code).
pub fn ask(parent: &Parent, request: &Envelope) -> Result<Relayed> {
    let body = request.to_json();
    let url = format!("{}{RELAY_PATH}", parent.url.trim_end_matches('/'));
    let run = move || -> Result<Relayed> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("a runtime for the relay: {e}")))?;
        rt.block_on(async {
            let client = crate::forward::client()?;
            let resp = client
                .post(&url)
                .timeout(RELAY_TIMEOUT)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map_err(|e| Error::Remote(format!("national's relay: {e}")))?;
            if !resp.status().is_success() {
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                return Err(Error::Remote(format!(
                    "national's relay refused: {status}: {text}"
                )));
            }
            resp.json::<Relayed>()
                .await
                .map_err(|e| Error::Remote(format!("national's relay: an unreadable answer: {e}")))
        })
    };
    std::thread::scope(|s| {
        s.spawn(run)
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the relay's thread panicked".into())))
    })
}

/// Whether a regional hub's first publication of `period` waits for national's: the hub holds a
/// joint key, is enrolled, national's newest publication does not yet sum its rollup, and the
/// wait (`[decryption] wait_for_national_hours` past `deadline`) has not run out. National
/// unreachable counts as not yet published.
pub fn waits(hub: &Hub, period: Period, now: Timestamp, deadline: Timestamp) -> Result<bool> {
    let hours = hub.config().decryption.wait_for_national_hours;
    if hours == 0 || crate::encrypted::keys(hub)?.is_empty() {
        return Ok(false);
    }
    let Some(parent) = parent_of(hub)? else {
        return Ok(false);
    };
    let until = deadline
        .checked_add(jiff::SignedDuration::from_hours(
            i64::try_from(hours).unwrap_or(i64::MAX / 3600),
        ))
        .unwrap_or(deadline);
    if now >= until {
        return Ok(false);
    }
    let built = crate::rollups::build(hub, period)?;
    let request = ShareRequest {
        schema: shopfloor_protocol::threshold::publication::SHARE_REQUEST_SCHEMA.into(),
        hub: hub.card().id.clone(),
        period,
        rollup: built.envelope.digest(),
        joint_key: shopfloor_protocol::Digest([0; 32]),
        wanted: Vec::new(),
    };
    match ask(&parent, &Envelope::sign(&request, hub.keys())) {
        Ok(r) => Ok(!r.covered),
        Err(e) => {
            tracing::info!(%period, "waiting for national's publication: {e}");
            Ok(true)
        }
    }
}
