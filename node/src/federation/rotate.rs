//! Key rotation (docs/protocol.md §6.4): the node makes new keys, signs a rotation statement
//! with its current key naming its new card, and sends it to its hub, which revokes the old key
//! from now and certifies the new card. Only then are the new keys written, replacing the old
//! ones (the old secret key is not kept: a rotation is often made because it may have leaked).

use std::fs;

use jiff::Timestamp;
use rusqlite::params;
use serde::Deserialize;
use shopfloor_protocol::cert::{self, Certificate};
use shopfloor_protocol::{Card, Envelope, SecretKeys};

use super::{Error, Result, body, client, network, read, refusal, require_link, url, write};
use crate::datadir::{DataDir, write_new_file};
use crate::domain::audit;
use crate::store::Store;

/// A completed rotation.
#[derive(Debug)]
pub struct Rotated {
    /// The node's new card.
    pub card: Card,
    /// Its certificate, issued by the hub.
    pub certificate: Envelope,
}

#[derive(Deserialize)]
struct Answer {
    card: Card,
    certificate: Envelope,
}

/// Rotates the node's keys at its hub. Refused while a report waits in the outbox: it is signed
/// with the old key, which the hub stops accepting.
pub async fn rotate_keys(store: &Store, dir: &DataDir) -> Result<Rotated> {
    let link = store.read(|c| {
        require_link(c).map_err(|e| crate::Error::invalid("enrollment", e.to_string()))
    })?;
    let waiting: i64 = read(store, |c| {
        Ok(c.query_row(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )?)
    })
    .await?;
    if waiting > 0 {
        return Err(Error::Invalid(
            "a report is waiting in the outbox: deliver it (`outbox deliver`) before rotating keys"
                .into(),
        ));
    }
    let old_card = dir.card()?;
    let old_keys = dir.keys()?;
    let new_keys = SecretKeys::generate()?;
    let new_card = new_keys.card(
        old_card.id.clone(),
        old_card.kind,
        &old_card.name,
        old_card.state.as_deref(),
    )?;
    let statement = cert::rotate(&old_card, &old_keys, new_card.clone(), Timestamp::now())?;
    let resp = client()?
        .post(url(&link.url, "/api/v1/rotate"))
        .header("content-type", "application/json")
        .body(statement.to_json())
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(refusal(resp).await);
    }
    let answer: Answer = serde_json::from_slice(&body(resp).await?)
        .map_err(|e| Error::BadAnswer(format!("rotation answer: {e}")))?;
    let issued: Certificate = answer
        .certificate
        .open_document(&link.card.signing_key)
        .map_err(|e| Error::BadAnswer(format!("the new certificate does not verify: {e}")))?;
    if issued.subject != new_card || answer.card != new_card {
        return Err(Error::BadAnswer(
            "the hub certified another card than the one sent".into(),
        ));
    }
    // The hub has switched: write the new keys (a new file, then rename over the old one, so a
    // crash leaves one complete key file), then the card and the certificate.
    let staged = dir.root().join("keys.txt.new");
    let _ = fs::remove_file(&staged);
    write_new_file(&staged, new_keys.to_text().as_bytes(), 0o600)?;
    fs::rename(&staged, dir.keys_path()).map_err(|e| crate::Error::io(dir.keys_path(), e))?;
    crate::datadir::agekey::sync(dir)?;
    fs::write(dir.card_path(), new_card.to_json())
        .map_err(|e| crate::Error::io(dir.card_path(), e))?;
    let cert_json = String::from_utf8_lossy(&answer.certificate.to_json()).into_owned();
    let fingerprint = new_card.fingerprint().to_string();
    write(store, move |tx| {
        tx.execute(
            "UPDATE enrollment SET certificate_json = ?1 WHERE id = 1",
            params![cert_json],
        )?;
        audit::record(
            tx,
            &audit::cli_actor(),
            "keys.rotate",
            "",
            &format!("new fingerprint {fingerprint}"),
        )
    })
    .await?;
    Ok(Rotated {
        card: new_card,
        certificate: answer.certificate,
    })
}
