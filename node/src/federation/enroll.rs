//! Enrollment with a hub (docs/protocol.md §2.1).
//!
//! 1. [`start`]: fetch the hub's card, post this node's card with the one-time invite code, and
//!    remember the request. Both fingerprints are returned for people to compare out of band.
//! 2. [`wait`]: poll until the hub's admin approves (or rejects); verify the certificate (signed
//!    by the hub's card, for this node's card), the hub's chain up to the national root when the
//!    root card is known, and store them. Then fetch the hub's revocation list and guidance.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use shopfloor_protocol::cert::{
    RevocationList, RevocationSet, may_certify, verify_certificate, verify_chain,
};
use shopfloor_protocol::{Card, Envelope, Kind};

use super::{Error, Result, body, client, network, read, refusal, url, write};
use crate::datadir::DataDir;
use crate::domain::audit;
use crate::store::Store;

/// Whether the held certificate (signed by the held hub card) certifies exactly `card`.
fn certified_for(held: Option<&(String, String)>, card: &Card) -> bool {
    let Some((hub_json, cert_json)) = held else {
        return false;
    };
    let Ok(hub) = Card::from_json(hub_json.as_bytes()) else {
        return false;
    };
    Envelope::from_json(cert_json.as_bytes())
        .and_then(|e| e.open_document::<shopfloor_protocol::cert::Certificate>(&hub.signing_key))
        .is_ok_and(|cert| &cert.subject == card)
}

/// What [`start`] learned: show both fingerprints to the operator.
#[derive(Clone, Debug, Serialize)]
pub struct Started {
    /// The hub's base URL.
    pub hub_url: String,
    /// The request id at the hub.
    pub request_id: String,
    /// The hub's card.
    pub hub_card: Card,
    /// The hub's fingerprint.
    pub hub_fingerprint: String,
    /// This node's fingerprint.
    pub node_fingerprint: String,
}

#[derive(Debug, Deserialize)]
struct CardAnswer {
    card: Card,
}

#[derive(Debug, Serialize)]
struct EnrollBody<'a> {
    card: &'a Card,
    code: &'a str,
}

#[derive(Debug, Deserialize)]
struct Submitted {
    id: String,
    hub_card: Card,
    #[serde(default)]
    hub_fingerprint: Option<String>,
    #[serde(default)]
    your_fingerprint: Option<String>,
}

#[derive(Debug, Deserialize)]
struct StatusAnswer {
    status: String,
    #[serde(default)]
    certificate: Option<serde_json::Value>,
    #[serde(default)]
    chain: Vec<serde_json::Value>,
    hub_card: Card,
}

/// Fetches `GET {hub}/api/v1/card`.
pub async fn fetch_card(hub_url: &str) -> Result<Card> {
    let resp = client()?
        .get(url(hub_url, "/api/v1/card"))
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    let bytes = body(resp).await?;
    let answer: CardAnswer = serde_json::from_slice(&bytes)
        .map_err(|e| Error::BadAnswer(format!("GET /api/v1/card: {e}")))?;
    // Re-validate through the protocol's parser (kinds, keys, names).
    Ok(Card::from_json(answer.card.to_json().as_bytes())?)
}

/// Step one: posts this node's card and the invite code to `hub_url`; remembers the request.
///
/// `root` is the national root card, pinned out of band (optional: when the hub is national its
/// own card is the root; when it is regional and no root is given, the hub's chain is stored
/// unverified and [`wait`] says so).
pub async fn start(
    store: &Store,
    dir: &DataDir,
    hub_url: &str,
    code: &str,
    root: Option<Card>,
) -> Result<Started> {
    let hub_url = hub_url.trim().trim_end_matches('/').to_owned();
    if !(hub_url.starts_with("https://") || hub_url.starts_with("http://")) {
        return Err(Error::Invalid(format!(
            "--hub {hub_url:?} must start with https:// (or http:// for local testing)"
        )));
    }
    let card = dir.card()?;
    let (status, held): (String, Option<(String, String)>) = read(store, |c| {
        Ok(c.query_row(
            "SELECT status, hub_card_json, certificate_json FROM enrollment WHERE id = 1",
            [],
            |r| {
                let hub: Option<String> = r.get(1)?;
                let cert: Option<String> = r.get(2)?;
                Ok((r.get(0)?, hub.zip(cert)))
            },
        )?)
    })
    .await?;
    // Enrolling again is for a node whose keys were replaced (a rebuilt server, a rotation):
    // the hub has revoked the old key and issues a certificate for the new card. A node still
    // holding a certificate for its current key is already enrolled.
    if status == "approved" && certified_for(held.as_ref(), &card) {
        return Err(Error::Invalid(
            "this node is already enrolled with a hub under its current keys".into(),
        ));
    }
    if let Some(root) = &root
        && root.kind != Kind::National
    {
        return Err(Error::Invalid(format!(
            "the root card must be the national card, not a {} card",
            root.kind
        )));
    }
    let hub_card = fetch_card(&hub_url).await?;
    if !may_certify(hub_card.kind, Kind::Chapter) {
        return Err(Error::BadAnswer(format!(
            "{} is a {} card: it cannot enroll a chapter",
            hub_card.id, hub_card.kind
        )));
    }
    if hub_card.kind == Kind::National
        && let Some(root) = &root
        && root != &hub_card
    {
        return Err(Error::BadAnswer(format!(
            "the hub says it is national, but its card is not the root card you pinned \
             (hub fingerprint {}, root fingerprint {})",
            hub_card.fingerprint(),
            root.fingerprint()
        )));
    }
    let resp = client()?
        .post(url(&hub_url, "/api/v1/enroll"))
        .json(&EnrollBody {
            card: &card,
            code: code.trim(),
        })
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    let bytes = body(resp).await?;
    let submitted: Submitted = serde_json::from_slice(&bytes)
        .map_err(|e| Error::BadAnswer(format!("POST /api/v1/enroll: {e}")))?;
    if submitted.hub_card != hub_card {
        return Err(Error::BadAnswer(
            "the hub answered with a different card than GET /api/v1/card".into(),
        ));
    }
    if submitted.id.len() != 32 || !submitted.id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::BadAnswer("malformed enrollment request id".into()));
    }
    if let Some(fp) = &submitted.your_fingerprint
        && fp != card.fingerprint().as_str()
    {
        return Err(Error::BadAnswer(format!(
            "the hub computed fingerprint {fp} for this node, but it is {}",
            card.fingerprint()
        )));
    }
    if let Some(fp) = &submitted.hub_fingerprint
        && fp != hub_card.fingerprint().as_str()
    {
        return Err(Error::BadAnswer(
            "the hub's stated fingerprint does not match its card".into(),
        ));
    }
    let root = match (hub_card.kind, root) {
        (Kind::National, _) => Some(hub_card.clone()),
        (_, r) => r,
    };
    let started = Started {
        hub_url: hub_url.clone(),
        request_id: submitted.id.clone(),
        hub_fingerprint: hub_card.fingerprint().to_string(),
        node_fingerprint: card.fingerprint().to_string(),
        hub_card: hub_card.clone(),
    };
    let (id, hub_json, root_json) = (submitted.id, hub_card.to_json(), root.map(|r| r.to_json()));
    write(store, move |tx| {
        tx.execute(
            "UPDATE enrollment SET hub_url = ?1, request_id = ?2, hub_card_json = ?3,
                 root_card_json = ?4, status = 'pending', certificate_json = NULL,
                 chain_json = NULL, chain_verified = 0, enrolled_at = NULL
             WHERE id = 1",
            params![hub_url, id, hub_json, root_json],
        )?;
        audit::record(
            tx,
            &audit::cli_actor(),
            "enroll.start",
            &hub_url,
            "enrollment requested",
        )
    })
    .await?;
    Ok(started)
}

/// How [`wait`] polls.
#[derive(Clone, Debug)]
pub struct WaitOptions {
    /// Between polls.
    pub poll: Duration,
    /// Give up after this long (`None`: wait forever).
    pub timeout: Option<Duration>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            poll: Duration::from_secs(3),
            timeout: Some(Duration::from_secs(30 * 60)),
        }
    }
}

/// What [`wait`] stored.
#[derive(Clone, Debug, Serialize)]
pub struct Enrolled {
    /// The hub's card.
    pub hub_card: Card,
    /// The certificate's serial.
    pub serial: u64,
    /// Valid until.
    pub not_after: Timestamp,
    /// Whether the hub's chain was verified up to the national root card.
    pub chain_verified: bool,
    /// Things that did not work after approval (revocation list, guidance); enrollment stands.
    pub warnings: Vec<String>,
}

/// A pending request: (hub URL, request id, hub card, root card).
type PendingRequest = (String, String, Card, Option<Card>);

fn pending(conn: &rusqlite::Connection) -> crate::Result<Option<PendingRequest>> {
    let row: (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = conn.query_row(
        "SELECT status, hub_url, request_id, hub_card_json, root_card_json
             FROM enrollment WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    match row {
        (s, Some(u), Some(id), Some(card), root) if s == "pending" => Ok(Some((
            u,
            id,
            Card::from_json(card.as_bytes())?,
            root.map(|r| Card::from_json(r.as_bytes())).transpose()?,
        ))),
        _ => Ok(None),
    }
}

/// Whether an enrollment request is waiting for the hub's decision.
pub fn is_pending(conn: &rusqlite::Connection) -> crate::Result<bool> {
    Ok(pending(conn)?.is_some())
}

/// Step two: polls the hub until it decides; verifies and stores the certificate and chain.
pub async fn wait(store: &Store, dir: &DataDir, opts: &WaitOptions) -> Result<Enrolled> {
    let card = dir.card()?;
    let Some((hub_url, request_id, hub_card, root)) = read(store, pending).await? else {
        return Err(Error::Invalid(
            "no enrollment request is waiting: run `shopfloor-node enroll --hub URL --code CODE`"
                .into(),
        ));
    };
    let client = client()?;
    let started = Instant::now();
    let status_url = url(&hub_url, &format!("/api/v1/enroll/{request_id}"));
    loop {
        match client.get(&status_url).send().await {
            Ok(resp) if resp.status().is_success() => {
                let bytes = body(resp).await?;
                let answer: StatusAnswer = serde_json::from_slice(&bytes)
                    .map_err(|e| Error::BadAnswer(format!("GET /api/v1/enroll/{{id}}: {e}")))?;
                if answer.hub_card != hub_card {
                    return Err(Error::BadAnswer(
                        "the hub's card changed during enrollment".into(),
                    ));
                }
                match answer.status.as_str() {
                    "approved" => {
                        return approved(store, &card, &hub_card, root, answer).await;
                    }
                    "rejected" => {
                        write(store, |tx| {
                            tx.execute(
                                "UPDATE enrollment SET status = 'rejected' WHERE id = 1",
                                [],
                            )?;
                            audit::record(
                                tx,
                                &audit::cli_actor(),
                                "enroll.rejected",
                                "",
                                "the hub rejected the request",
                            )
                        })
                        .await?;
                        return Err(Error::Enrollment(format!(
                            "the hub's admin rejected this enrollment request. Check the \
                             fingerprints with them, then ask for a new invite code and run \
                             `shopfloor-node enroll --hub {hub_url} --code NEWCODE`"
                        )));
                    }
                    "pending" => {}
                    other => {
                        return Err(Error::BadAnswer(format!("unknown status {other:?}")));
                    }
                }
            }
            Ok(resp) if resp.status().is_client_error() => return Err(refusal(resp).await),
            Ok(resp) => tracing::warn!(status = %resp.status(), "enrollment poll failed"),
            Err(e) => tracing::warn!("enrollment poll failed: {}", network(&e)),
        }
        if let Some(t) = opts.timeout
            && started.elapsed() >= t
        {
            return Err(Error::Timeout(format!(
                "the hub has not approved the request yet (waited {}s). It stays pending: \
                 run `shopfloor-node enroll` again (without --code) to keep waiting",
                t.as_secs()
            )));
        }
        tokio::time::sleep(opts.poll).await;
    }
}

fn envelope(v: &serde_json::Value) -> Result<Envelope> {
    Ok(Envelope::from_json(v.to_string().as_bytes())?)
}

async fn approved(
    store: &Store,
    card: &Card,
    hub_card: &Card,
    root: Option<Card>,
    answer: StatusAnswer,
) -> Result<Enrolled> {
    let now = Timestamp::now();
    let cert_env = envelope(
        answer
            .certificate
            .as_ref()
            .ok_or_else(|| Error::BadAnswer("approved without a certificate".into()))?,
    )?;
    let chain = answer
        .chain
        .iter()
        .map(envelope)
        .collect::<Result<Vec<_>>>()?;
    // Signed by the hub's card, for a chapter, valid now.
    let cert = verify_certificate(hub_card, &cert_env, now, &RevocationSet::new())?;
    if &cert.subject != card {
        return Err(Error::BadAnswer(
            "the certificate is for another card than this node's".into(),
        ));
    }
    let mut warnings = Vec::new();
    let chain_verified = match (hub_card.kind, &root) {
        (Kind::National, _) => {
            if !chain.is_empty() {
                return Err(Error::BadAnswer(
                    "a national hub sent a non-empty chain".into(),
                ));
            }
            true
        }
        (_, Some(root)) => {
            let leaf = verify_chain(root, &chain, now, &RevocationSet::new())?;
            if &leaf != hub_card {
                return Err(Error::BadAnswer(
                    "the hub's chain certifies another card than the hub's".into(),
                ));
            }
            let mut full = chain.clone();
            full.push(cert_env.clone());
            verify_chain(root, &full, now, &RevocationSet::new())?;
            true
        }
        (_, None) => {
            warnings.push(format!(
                "the hub's chain was not checked up to the national root: no root card pinned \
                 (get national's card out of band and enroll with --root FILE). The chain \
                 holds {} certificate(s).",
                chain.len()
            ));
            false
        }
    };
    let chain_json = serde_json::Value::Array(
        chain
            .iter()
            .map(Envelope::to_value)
            .collect::<Vec<serde_json::Value>>(),
    )
    .to_string();
    let cert_json = String::from_utf8_lossy(&cert_env.to_json()).into_owned();
    let (hub_id, serial) = (hub_card.id.to_string(), cert.serial);
    let root_json = root.as_ref().map(Card::to_json);
    write(store, move |tx| {
        tx.execute(
            "UPDATE enrollment SET hub_id = ?1, certificate_json = ?2, chain_json = ?3,
                 root_card_json = ?4, chain_verified = ?5, status = 'approved',
                 enrolled_at = ?6,
                 -- Enrolling again at the same hub (new keys) continues the report chain.
                 previous_report = CASE WHEN hub_id IS ?1 THEN previous_report ELSE NULL END
             WHERE id = 1",
            params![
                hub_id,
                cert_json,
                chain_json,
                root_json,
                chain_verified,
                now.to_string()
            ],
        )?;
        audit::record(
            tx,
            &audit::cli_actor(),
            "enroll.approved",
            &hub_id,
            &format!("certificate serial {serial}"),
        )
    })
    .await?;
    match fetch_revocations(store).await {
        Ok(r) if r.self_revoked => warnings.push(
            "the hub's revocation list revokes this node's key: reports will be refused".into(),
        ),
        Ok(_) => {}
        Err(e) => warnings.push(format!("revocation list: {e}")),
    }
    match super::guidance::fetch(store).await {
        Ok(_) => {}
        Err(e) => warnings.push(format!("guidance: {e}")),
    }
    Ok(Enrolled {
        hub_card: hub_card.clone(),
        serial,
        not_after: cert.not_after,
        chain_verified,
        warnings,
    })
}

/// What [`fetch_revocations`] found.
#[derive(Clone, Debug, Serialize)]
pub struct Revocations {
    /// When the hub issued the list.
    pub issued_at: Option<Timestamp>,
    /// Entries on the list.
    pub entries: usize,
    /// Whether this node's key is on it (revoked now).
    pub self_revoked: bool,
}

/// Fetches and verifies the hub's newest revocation list, and stores it unless it is older
/// than the one held. Raises an alarm when this node's own key is revoked.
pub async fn fetch_revocations(store: &Store) -> Result<Revocations> {
    let link = read(store, super::hub_link)
        .await?
        .ok_or_else(|| Error::NotEnrolled("no approved enrollment".into()))?;
    let resp = client()?
        .get(url(&link.url, "/api/v1/revocations"))
        .send()
        .await
        .map_err(|e| network(&e))?;
    if resp.status().as_u16() == 404 {
        return Ok(Revocations {
            issued_at: None,
            entries: 0,
            self_revoked: false,
        });
    }
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    let env = Envelope::from_json(&body(resp).await?)?;
    let list: RevocationList = env.open_document(&link.card.signing_key)?;
    let mut set = RevocationSet::new();
    set.add(&env, &link.card)?;
    let card_key = link
        .certificate
        .open_document::<shopfloor_protocol::cert::Certificate>(&link.card.signing_key)?;
    let self_revoked = set
        .revoked(&link.card.id, &card_key.subject.key_id(), Timestamp::now())
        .is_some();
    let json = String::from_utf8_lossy(&env.to_json()).into_owned();
    let issued = list.issued_at;
    let hub_key = link.card.signing_key;
    write(store, move |tx| {
        let held: Option<String> = tx.query_row(
            "SELECT revocations_json FROM enrollment WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        if let Some(h) = held
            && let Ok(e) = Envelope::from_json(h.as_bytes())
            && let Ok(held) = e.open_document::<RevocationList>(&hub_key)
            && held.issued_at > issued
        {
            tracing::warn!("the hub served an older revocation list than the one held; kept");
            return Ok(());
        }
        tx.execute(
            "UPDATE enrollment SET revocations_json = ?1, revocations_fetched_at = ?2 WHERE id = 1",
            params![json, super::now_secs()],
        )?;
        let open: i64 = tx.query_row(
            "SELECT count(*) FROM alarms WHERE kind = 'revoked' AND resolved_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        if self_revoked && open == 0 {
            super::raise_alarm(
                tx,
                "revoked",
                "the hub's revocation list revokes this node's key",
            )?;
        }
        Ok(())
    })
    .await?;
    Ok(Revocations {
        issued_at: Some(list.issued_at),
        entries: list.entries.len(),
        self_revoked,
    })
}
