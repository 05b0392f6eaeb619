//! Support requests (design §9): ask the hub for organizers with some skills or a language, and
//! read the requests the hub relayed to this chapter because its reports show matching reserve
//! capacity. Answers go chapter to chapter through the `reply_to` contact the asker chose; the hub
//! never learns who volunteers. Every call is a [signed request](shopfloor_protocol::request).

use shopfloor_protocol::request::sign_request;
use shopfloor_protocol::support::{Inbox, Posted, Status, StatusBody, SupportBody};

use super::{Error, Result, body, client, network, refusal, require_link, url};
use crate::datadir::DataDir;
use crate::store::Store;

const PATH: &str = "/api/v1/support-requests";

/// Posts a support request to the hub.
pub async fn ask(store: &Store, dir: &DataDir, request: &SupportBody) -> Result<Posted> {
    let (hub_url, hub_id) = link(store)?;
    let (card, keys) = super::identity(dir)?;
    // The chapters that receive the request read this chapter's name, not its id.
    let mut request = request.clone();
    if request.chapter.is_none() && !card.name.trim().is_empty() {
        request.chapter = Some(card.name.chars().take(120).collect());
    }
    request.validate()?;
    let bytes = serde_json::to_vec(&request)
        .map_err(|e| Error::Invalid(format!("support request: {e}")))?;
    let auth = sign_request(&keys, &card.id, &hub_id, "POST", PATH, &bytes);
    let resp = client()?
        .post(url(&hub_url, PATH))
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    serde_json::from_slice(&body(resp).await?)
        .map_err(|e| Error::BadAnswer(format!("support answer: {e}")))
}

/// The requests relayed to this chapter, and its own open ones.
pub async fn inbox(store: &Store, dir: &DataDir) -> Result<Inbox> {
    let (hub_url, hub_id) = link(store)?;
    let (card, keys) = super::identity(dir)?;
    let auth = sign_request(&keys, &card.id, &hub_id, "GET", PATH, b"");
    let resp = client()?
        .get(url(&hub_url, PATH))
        .header("authorization", auth)
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    serde_json::from_slice(&body(resp).await?)
        .map_err(|e| Error::BadAnswer(format!("support inbox: {e}")))
}

/// Marks one of this chapter's own requests met or unmet at the hub (which passes the word on to
/// every hub it relayed the request to).
pub async fn set_status(store: &Store, dir: &DataDir, id: &str, status: Status) -> Result<()> {
    let body = StatusBody { status };
    body.validate()?;
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Invalid("support request id".into()));
    }
    let (hub_url, hub_id) = link(store)?;
    let (card, keys) = super::identity(dir)?;
    let path = format!("{PATH}/{id}/status");
    let bytes =
        serde_json::to_vec(&body).map_err(|e| Error::Invalid(format!("support status: {e}")))?;
    let auth = sign_request(&keys, &card.id, &hub_id, "POST", &path, &bytes);
    let resp = client()?
        .post(url(&hub_url, &path))
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    Ok(())
}

fn link(store: &Store) -> Result<(String, shopfloor_protocol::PartyId)> {
    let link = store.read(|c| {
        require_link(c).map_err(|e| crate::Error::invalid("enrollment", e.to_string()))
    })?;
    Ok((link.url, link.card.id))
}
