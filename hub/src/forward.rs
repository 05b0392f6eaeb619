//! Talking to the parent hub: enrolling a regional hub at national, forwarding sealed rollups
//! until a verified receipt comes back, fetching the parent's guidance, and the background task
//! that forwards by itself when every expected child has reported or at the deadline.

use std::time::Duration;

use jiff::Timestamp;
use rusqlite::params;
use shopfloor_protocol::cert::{RevocationSet, verify_certificate};
use shopfloor_protocol::envelope::seal_bytes;
use shopfloor_protocol::log::Receipt;
use shopfloor_protocol::{Card, Envelope, Kind, Period, SealFormat};

use crate::config::Level;
use crate::enroll::{EnrollBody, EnrollStatus, Submitted};
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::rollups::{self, Built};

/// The HTTP client (rustls with the ring provider).
pub fn client() -> Result<reqwest::Client> {
    // Installing twice fails harmlessly; the first provider stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("shopfloor-hub/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Remote(format!("HTTP client: {e}")))
}

fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

async fn blocking<R: Send + 'static>(f: impl FnOnce() -> Result<R> + Send + 'static) -> Result<R> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("blocking task failed: {e}")))?
}

/// Reads an error body `{"error", "message"}` into a sentence.
async fn refusal(resp: reqwest::Response) -> String {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => format!(
            "{status}: {}: {}",
            v.get("error").and_then(|e| e.as_str()).unwrap_or("?"),
            v.get("message").and_then(|e| e.as_str()).unwrap_or("")
        ),
        Err(_) => format!("{status}"),
    }
}

/// Step one of enrolling at a parent: post this hub's card with the invite code and remember the
/// parent. The caller prints both fingerprints for people to compare.
pub async fn start_enrollment(hub: &Hub, parent_url: &str, code: &str) -> Result<Submitted> {
    if hub.level() != Level::Regional {
        return Err(Error::Config(
            "only a regional hub enrolls at a parent".into(),
        ));
    }
    let body = EnrollBody {
        card: hub.card().clone(),
        code: code.trim().to_owned(),
    };
    let resp = client()?
        .post(url(parent_url, "/api/v1/enroll"))
        .json(&body)
        .send()
        .await
        .map_err(|e| Error::Remote(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(Error::Remote(format!(
            "enrollment refused: {}",
            refusal(resp).await
        )));
    }
    let submitted: Submitted = resp
        .json()
        .await
        .map_err(|e| Error::Remote(e.to_string()))?;
    if submitted.hub_card.kind != Kind::National {
        return Err(Error::Remote(
            "the parent's card is not a national card".into(),
        ));
    }
    let (h, url_owned, s) = (
        hub.clone(),
        parent_url.trim_end_matches('/').to_owned(),
        submitted.clone(),
    );
    blocking(move || {
        h.store().write(|tx, _| {
            tx.execute(
                "INSERT INTO parent (id, url, card, request_id) VALUES (1, ?1, ?2, ?3) \
                 ON CONFLICT (id) DO UPDATE SET url = ?1, card = ?2, request_id = ?3, certificate = NULL, enrolled_at = NULL",
                params![url_owned, s.hub_card.to_json(), s.id],
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(submitted)
}

/// Step two: poll the parent until it approves (or rejects), check the certificate and store it.
pub async fn wait_for_approval(
    hub: &Hub,
    poll: Duration,
    timeout: Option<Duration>,
) -> Result<Envelope> {
    let h = hub.clone();
    let parent = blocking(move || h.parent())
        .await?
        .ok_or_else(|| Error::Config("no enrollment in progress; run `enroll` first".into()))?;
    let client = client()?;
    let started = std::time::Instant::now();
    loop {
        let resp = client
            .get(url(
                &parent.url,
                &format!("/api/v1/enroll/{}", parent.request_id),
            ))
            .send()
            .await;
        match resp {
            Ok(resp) if resp.status().is_success() => {
                let status: EnrollStatus = resp
                    .json()
                    .await
                    .map_err(|e| Error::Remote(e.to_string()))?;
                match status.status.as_str() {
                    "approved" => {
                        let cert = status.certificate.ok_or_else(|| {
                            Error::Remote("approved without a certificate".into())
                        })?;
                        let c = verify_certificate(
                            &parent.card,
                            &cert,
                            Timestamp::now(),
                            &RevocationSet::new(),
                        )?;
                        if &c.subject != hub.card() {
                            return Err(Error::Remote(
                                "the certificate is for another card".into(),
                            ));
                        }
                        let (h, cert2) = (hub.clone(), cert.clone());
                        blocking(move || {
                            h.store().write(|tx, _| {
                                tx.execute(
                                    "UPDATE parent SET certificate = ?1, enrolled_at = ?2 WHERE id = 1",
                                    params![String::from_utf8_lossy(&cert2.to_json()), crate::store::now_secs()],
                                )?;
                                Ok(())
                            })
                        })
                        .await?;
                        return Ok(cert);
                    }
                    "rejected" => {
                        return Err(Error::Remote("the parent rejected this enrollment".into()));
                    }
                    _ => {}
                }
            }
            Ok(resp) if resp.status().is_client_error() => {
                return Err(Error::Remote(refusal(resp).await));
            }
            Ok(_) | Err(_) => {}
        }
        if timeout.is_some_and(|t| started.elapsed() >= t) {
            return Err(Error::Remote("timed out waiting for approval".into()));
        }
        tokio::time::sleep(poll).await;
    }
}

/// What one forwarding attempt ended with.
#[derive(Debug)]
pub enum Attempt {
    /// The parent accepted; the verified receipt is stored.
    Receipt(Envelope),
    /// Worth retrying (network, 5xx, 408, 429).
    Retry(String),
    /// The parent refused the rollup (4xx): retrying the same bytes will not help.
    Refused(String),
}

/// Checks a receipt from the parent for a rollup envelope.
pub fn verify_receipt(parent: &Card, receipt: &Envelope, rollup: &Envelope) -> Result<Receipt> {
    let r: Receipt = receipt.open_document(&parent.signing_key)?;
    if r.log != parent.id || r.entry != rollup.digest() {
        return Err(Error::Remote("the receipt is not for this rollup".into()));
    }
    r.verify()?;
    Ok(r)
}

/// One attempt to forward a built rollup.
pub async fn attempt(hub: &Hub, built: &Built) -> Result<Attempt> {
    let h = hub.clone();
    let parent = blocking(move || h.parent())
        .await?
        .ok_or_else(|| Error::Config("this hub has no parent".into()))?;
    // Its witnessed log goes with it: gather the witnesses' cosignatures first if some lack.
    crate::witness::gather_if_short(hub).await;
    // The rollup travels with every document it binds, flat, sealed to national.
    let (h, envelope) = (hub.clone(), built.envelope.clone());
    let recipient = parent.card.age_recipient.clone();
    let sealed = blocking(move || {
        let bundle = rollups::forward_bundle(&h, envelope)?;
        Ok(seal_bytes(
            &bundle.to_json(),
            std::slice::from_ref(&recipient),
            SealFormat::Binary,
        )?)
    })
    .await?;
    let resp = client()?
        .post(url(&parent.url, "/api/v1/reports"))
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .body(sealed)
        .send()
        .await;
    let resp = match resp {
        Ok(r) => r,
        Err(e) => return Ok(Attempt::Retry(e.to_string())),
    };
    let status = resp.status();
    if status.is_success() {
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| Error::Remote(e.to_string()))?;
        let receipt = Envelope::from_json(&bytes)?;
        verify_receipt(&parent.card, &receipt, &built.envelope)?;
        let (h, r, period, revision) = (hub.clone(), receipt.clone(), built.period, built.revision);
        blocking(move || rollups::mark_forwarded(&h, period, revision, &r)).await?;
        return Ok(Attempt::Receipt(receipt));
    }
    let message = refusal(resp).await;
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Ok(Attempt::Retry(message))
    } else {
        Ok(Attempt::Refused(message))
    }
}

/// One attempt, asked for by `actor` (a hub admin, from the completeness page): builds (or
/// reuses) the period's rollup and, unless the parent already acknowledged it, sends it once.
/// A failure is recorded like the background forwarder's; the request is audited either way.
pub async fn forward_now(hub: &Hub, period: Period, actor: &str) -> Result<Attempt> {
    let (h, who) = (hub.clone(), actor.to_owned());
    let built = blocking(move || {
        if h.parent()?.is_none() {
            return Err(Error::Config("this hub has no parent".into()));
        }
        let built = rollups::build(&h, period)?;
        h.store()
            .write(|tx, _| crate::store::audit(tx, &who, "forward", Some(&period.to_string())))?;
        Ok(built)
    })
    .await?;
    if let (Some(_), Some(receipt)) = (built.forwarded_at, built.receipt.clone()) {
        return Ok(Attempt::Receipt(receipt));
    }
    let outcome = attempt(hub, &built).await?;
    if let Attempt::Retry(m) | Attempt::Refused(m) = &outcome {
        let (h, p, rev, m) = (hub.clone(), built.period, built.revision, m.clone());
        blocking(move || rollups::mark_attempt(&h, p, rev, &m)).await?;
    }
    Ok(outcome)
}

/// Builds (or reuses) the period's rollup and forwards it, retrying with exponential backoff until
/// the parent answers with a verified receipt or refuses it. `max_attempts` 0 retries forever.
pub async fn forward(hub: &Hub, period: Period, max_attempts: u32) -> Result<(Built, Envelope)> {
    let h = hub.clone();
    let built = blocking(move || rollups::build(&h, period)).await?;
    if let (Some(_), Some(receipt)) = (built.forwarded_at, built.receipt.clone()) {
        return Ok((built, receipt));
    }
    let mut delay = Duration::from_secs(1);
    let max = Duration::from_secs(hub.config().rollup.max_backoff_secs.max(1));
    let mut n = 0u32;
    loop {
        n += 1;
        match attempt(hub, &built).await? {
            Attempt::Receipt(r) => return Ok((built, r)),
            Attempt::Refused(m) => {
                let (h, p, rev, m2) = (hub.clone(), built.period, built.revision, m.clone());
                blocking(move || rollups::mark_attempt(&h, p, rev, &m2)).await?;
                return Err(Error::Remote(format!("the parent refused the rollup: {m}")));
            }
            Attempt::Retry(m) => {
                tracing::warn!(period = %built.period, attempt = n, "forwarding failed, will retry: {m}");
                let (h, p, rev) = (hub.clone(), built.period, built.revision);
                blocking(move || rollups::mark_attempt(&h, p, rev, &m)).await?;
                if max_attempts != 0 && n >= max_attempts {
                    return Err(Error::Remote(format!("gave up after {n} attempts")));
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(max);
            }
        }
    }
}

/// One pass of the background forwarder: for each recent period, if every expected child has
/// reported or the deadline has passed, build the rollup and, if it has not been acknowledged,
/// make one attempt (respecting backoff).
pub async fn tick(hub: &Hub) -> Result<()> {
    let h = hub.clone();
    let due: Vec<Built> = blocking(move || {
        let now = Timestamp::now();
        let mut out = Vec::new();
        if h.root_card().is_err() {
            return Ok(out);
        }
        let mut periods = rollups::periods(&h)?;
        if let Some(p) = Period::containing(now)?.previous()
            && !periods.contains(&p)
        {
            periods.push(p);
        }
        for period in periods.into_iter().take(6) {
            let c = rollups::completeness(&h, period)?;
            if !(c.all_reported() || (now >= c.deadline && !c.reported.is_empty())) {
                continue;
            }
            let built = rollups::build(&h, period)?;
            if built.receipt.is_some() {
                continue;
            }
            let (attempts, last) = rollups::attempts(&h, period, built.revision)?;
            let wait = 2i64
                .saturating_pow(attempts.min(20))
                .min(i64::try_from(h.config().rollup.max_backoff_secs).unwrap_or(600));
            if last.is_some_and(|t| crate::store::now_secs() < t + wait) {
                continue;
            }
            out.push(built);
        }
        Ok(out)
    })
    .await?;
    for built in due {
        match attempt(hub, &built).await {
            Ok(Attempt::Receipt(_)) => {
                tracing::info!(period = %built.period, revision = built.revision, "rollup forwarded")
            }
            Ok(Attempt::Retry(m) | Attempt::Refused(m)) => {
                tracing::warn!(period = %built.period, "forwarding failed: {m}");
                let (h, p, rev) = (hub.clone(), built.period, built.revision);
                blocking(move || rollups::mark_attempt(&h, p, rev, &m)).await?;
            }
            Err(e) => tracing::warn!(period = %built.period, "forwarding failed: {e}"),
        }
    }
    Ok(())
}

/// The background forwarder of a regional hub: [`tick`] every `check_interval_secs`.
pub async fn run(hub: Hub, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let every = Duration::from_secs(hub.config().rollup.check_interval_secs.max(1));
    loop {
        if let Err(e) = tick(&hub).await {
            tracing::warn!("forwarder: {e}");
        }
        match relay_parent_guidance(&hub).await {
            Ok(Some(crate::guidance::Relayed::Signed)) => {
                tracing::info!("relaying the parent's new guidance");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("relaying the parent's guidance: {e}"),
        }
        match crate::support::sync_parent(&hub).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("{n} support request(s) relayed down from the parent"),
            Err(e) => tracing::warn!("support requests with the parent: {e}"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Fetches and verifies the parent's current guidance (to relay it in this hub's own).
pub async fn fetch_parent_guidance(hub: &Hub) -> Result<Option<Envelope>> {
    let h = hub.clone();
    let Some(parent) = blocking(move || h.parent()).await? else {
        return Ok(None);
    };
    let resp = client()?
        .get(url(&parent.url, "/api/v1/guidance"))
        .send()
        .await
        .map_err(|e| Error::Remote(e.to_string()))?;
    if resp.status().as_u16() == 404 {
        return Ok(None);
    }
    if !resp.status().is_success() {
        return Err(Error::Remote(refusal(resp).await));
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| Error::Remote(e.to_string()))?;
    let envelope = Envelope::from_json(&bytes)?;
    crate::guidance::verify(&envelope, &parent.card, None)?;
    Ok(Some(envelope))
}

/// Fetches the parent's guidance and, when it is not the one this hub's newest guidance relays,
/// signs this hub's guidance again relaying it ([`crate::guidance::relay`]). `Ok(None)` when
/// this hub has no parent or the parent has published no guidance.
pub async fn relay_parent_guidance(hub: &Hub) -> Result<Option<crate::guidance::Relayed>> {
    let Some(parent) = fetch_parent_guidance(hub).await? else {
        return Ok(None);
    };
    let h = hub.clone();
    Ok(Some(
        blocking(move || crate::guidance::relay(&h, parent)).await?,
    ))
}
