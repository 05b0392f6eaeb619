//! Witnessed checkpoints (docs/protocol.md "Witnessed checkpoints"): this hub's log as C2SP
//! signed notes, this hub as a `tlog-witness` for the logs it is configured to follow, and the
//! cosignatures it gathers from its own witnesses.
//!
//! - The log's checkpoint note is signed by the hub's *log key* and each cosignature by a
//!   witness's *cosigner key*; both are derived from the hub's signing key
//!   ([`NoteSigner::log`], [`NoteSigner::cosigner`]) so the card key itself signs only DSSE
//!   envelopes. [`keys_envelope`] publishes the two vkeys and the origin, signed by the card key,
//!   so anyone holding the hub's card can learn them.
//! - [`add_checkpoint`] answers the witness protocol's `add-checkpoint`: the check against the
//!   last cosigned size and root and the update are one write transaction (the spec's race). A
//!   request that proves a fork (a consistency proof that fails, or another root for a size
//!   already cosigned) is kept in `witness_evidence` and logged as the alarm `split-view`.
//! - [`gather`] submits this hub's current checkpoint to every configured witness and keeps the
//!   cosignatures that verify; [`checkpoint_note`] serves the note with them.

use std::time::Duration;

use rusqlite::{OptionalExtension as _, params};
use shopfloor_protocol::log::MerkleTree;
use shopfloor_protocol::note::{
    AddCheckpoint, CheckpointText, Note, NoteKeys, NoteSignature, NoteSigner, NoteVerifier,
    TYPE_COSIGNATURE_V1, TYPE_ED25519, WitnessAnswer,
};
use shopfloor_protocol::rollup::{Content, LogEntry, Tree, WitnessedLog};
use shopfloor_protocol::{Digest, Envelope};

use crate::config::LogConfig;
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::store::{meta, now_secs};

/// The alarm logged (and named in answers) when a witnessed log shows two views.
pub const SPLIT_VIEW: &str = "split-view";

const ORIGIN_META: &str = "log_origin";

/// Checks `[log]` when the configuration is read: every vkey parses and has the right type,
/// the quorum can be met, and URLs are http(s).
pub fn check_config(log: &LogConfig) -> Result<()> {
    for w in &log.witnesses {
        let v = NoteVerifier::from_vkey(&w.vkey)
            .map_err(|e| Error::Config(format!("log.witnesses vkey {}: {e}", w.vkey)))?;
        if v.kind() != TYPE_COSIGNATURE_V1 {
            return Err(Error::Config(format!(
                "log.witnesses vkey {} is not a cosigner key (type 0x04)",
                w.vkey
            )));
        }
        if !(w.url.starts_with("http://") || w.url.starts_with("https://")) {
            return Err(Error::Config(format!(
                "log.witnesses url {:?} is not http(s)",
                w.url
            )));
        }
    }
    if log.quorum > log.witnesses.len() {
        return Err(Error::Config(format!(
            "log.quorum {} is more than the {} configured witnesses",
            log.quorum,
            log.witnesses.len()
        )));
    }
    for vkey in &log.witnessed {
        let v = NoteVerifier::from_vkey(vkey)
            .map_err(|e| Error::Config(format!("log.witnessed vkey {vkey}: {e}")))?;
        if v.kind() != TYPE_ED25519 {
            return Err(Error::Config(format!(
                "log.witnessed vkey {vkey} is not a log key (type 0x01)"
            )));
        }
    }
    if let Some(o) = &log.origin
        && !shopfloor_protocol::note::valid_key_name(o)
    {
        return Err(Error::Config(format!(
            "log.origin {o:?} must be non-empty, without spaces or '+'"
        )));
    }
    Ok(())
}

/// This log's origin line: `[log] origin`, else the one kept in the database, else (first use)
/// `shopfloor/<id>/<key id>`, kept so that later key rotations do not change it.
pub fn origin(hub: &Hub) -> Result<String> {
    if let Some(o) = &hub.config().log.origin {
        return Ok(o.clone());
    }
    if let Some(o) = hub.store().read(|db| meta(db, ORIGIN_META))? {
        return Ok(o);
    }
    let fresh = format!(
        "shopfloor/{}/{}",
        hub.card().id,
        hub.keys().public_key().key_id()
    );
    hub.store().read(|db| {
        db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            params![ORIGIN_META, fresh],
        )?;
        Ok(())
    })?;
    Ok(hub
        .store()
        .read(|db| meta(db, ORIGIN_META))?
        .unwrap_or(fresh))
}

/// The name of this hub's cosigner key: its origin followed by `/witness`.
pub fn cosigner_name(origin: &str) -> String {
    format!("{origin}/witness")
}

fn log_signer(hub: &Hub, origin: &str) -> Result<NoteSigner> {
    Ok(NoteSigner::log(hub.keys(), origin)?)
}

fn cosigner(hub: &Hub, origin: &str) -> Result<NoteSigner> {
    Ok(NoteSigner::cosigner(hub.keys(), &cosigner_name(origin))?)
}

/// The hub's note keys, signed by its card key.
pub fn keys_envelope(hub: &Hub) -> Result<Envelope> {
    let origin = origin(hub)?;
    Ok(NoteKeys::sign(&hub.card().id, &origin, hub.keys())?)
}

fn text_at(origin: &str, tree: &MerkleTree) -> CheckpointText {
    CheckpointText {
        origin: origin.to_owned(),
        size: tree.len(),
        root: tree.root(),
    }
}

/// The log's current checkpoint as a signed note, with every cosignature gathered for it.
pub fn checkpoint_note(hub: &Hub) -> Result<Note> {
    let origin = origin(hub)?;
    let text = hub.store().with_tree(|tree| Ok(text_at(&origin, tree)))?;
    let body = text.to_text();
    let mut note = Note::new(&body)?;
    note.add(log_signer(hub, &origin)?.sign(&body)?)?;
    let lines: Vec<String> = hub.store().read(|db| {
        let mut st = db.prepare(
            "SELECT line FROM log_cosignatures WHERE size = ?1 AND root = ?2 ORDER BY witness",
        )?;
        let rows = st.query_map(params![size_i64(text.size)?, text.root.to_hex()], |r| {
            r.get::<_, String>(0)
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    })?;
    for line in lines {
        note.add(NoteSignature::parse_line(&line)?)?;
    }
    Ok(note)
}

fn size_i64(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| Error::Internal("log size beyond i64".into()))
}

fn size_u64(n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|_| Error::Internal("negative log size stored".into()))
}

/// `GET /api/v1/log/consistency?old=&new=` in the witness protocol's form: one base64 hash per
/// line.
pub fn consistency_lines(hub: &Hub, old: u64, new: u64) -> Result<String> {
    use base64::Engine as _;
    let proof = hub
        .store()
        .with_tree(|tree| Ok(tree.consistency_proof(old, new)?))?;
    let mut out = String::new();
    for h in proof {
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(h.0));
        out.push('\n');
    }
    Ok(out)
}

/// The answer to `add-checkpoint`: the HTTP status and the body (the cosignature line on 200,
/// the witness's size on 409, a sentence otherwise).
pub fn add_checkpoint(hub: &Hub, body: &[u8]) -> Result<(u16, String)> {
    let followed: Vec<NoteVerifier> = hub
        .config()
        .log
        .witnessed
        .iter()
        .filter_map(|v| NoteVerifier::from_vkey(v).ok())
        .collect();
    let own_origin = origin(hub)?;
    let signer = cosigner(hub, &own_origin)?;
    let now = u64::try_from(now_secs()).unwrap_or(0);
    hub.store().write(|tx, _| {
        let latest = |origin: &str| -> Option<(u64, Digest)> {
            tx.query_row(
                "SELECT size, root FROM witness_seen WHERE origin = ?1",
                params![origin],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()
            .ok()
            .flatten()
            .and_then(|(s, r)| Some((u64::try_from(s).ok()?, Digest::from_hex(&r).ok()?)))
        };
        let keys = |origin: &str| -> Option<Vec<NoteVerifier>> {
            let keys: Vec<NoteVerifier> = followed
                .iter()
                .filter(|v| v.name() == origin)
                .cloned()
                .collect();
            (!keys.is_empty()).then_some(keys)
        };
        let answer = shopfloor_protocol::note::witness(body, keys, latest);
        match &answer {
            WitnessAnswer::Cosign(cp) => {
                tx.execute(
                    "INSERT INTO witness_seen (origin, size, root, cosigned_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root,
                         cosigned_at = excluded.cosigned_at",
                    params![cp.origin, size_i64(cp.size)?, cp.root.to_hex(), now_secs()],
                )?;
                let line = signer.cosign(&cp.to_text(), now)?.line();
                Ok((200, format!("{line}\n")))
            }
            WitnessAnswer::Conflict(size) => Ok((409, format!("{size}\n"))),
            WitnessAnswer::Fork(why) => {
                // Signed by the log and inconsistent with what it signed before: keep it.
                {
                    let origin = AddCheckpoint::parse(body)
                        .ok()
                        .and_then(|r| CheckpointText::parse(r.checkpoint.text()).ok())
                        .map(|c| c.origin)
                        .unwrap_or_default();
                    tx.execute(
                        "INSERT INTO witness_evidence (origin, body, reason, at) VALUES (?1, ?2, ?3, ?4)",
                        params![origin, body, why, now_secs()],
                    )?;
                    tracing::error!(alarm = SPLIT_VIEW, %origin, "a witnessed log forked: {why}");
                }
                Ok((422, format!("{SPLIT_VIEW}: {why}\n")))
            }
            other => Ok((other.status(), format!("{other:?}\n"))),
        }
    })
}

/// How [`gather`] went with one witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gathered {
    /// The witness cosigned the checkpoint of this size.
    Cosigned(u64),
    /// The witness refused (status and its words).
    Refused(u16, String),
    /// The witness could not be reached.
    Unreachable(String),
}

/// Submits the current checkpoint to every configured witness and stores the cosignatures that
/// verify. Returns one outcome per witness, in configuration order.
pub async fn gather(hub: &Hub) -> Result<Vec<Gathered>> {
    let h = hub.clone();
    let note = tokio::task::spawn_blocking(move || checkpoint_note(&h))
        .await
        .map_err(|e| Error::Internal(format!("blocking task failed: {e}")))??;
    let text = CheckpointText::parse(note.text())?;
    // Send only the log's own signature: witnesses ignore unknown keys, but there is no need.
    let mut bare = Note::new(note.text())?;
    if let Some(own) = note.signatures().first() {
        bare.add(own.clone())?;
    }
    let client = crate::forward::client()?;
    let mut out = Vec::new();
    for peer in &hub.config().log.witnesses {
        let verifier = NoteVerifier::from_vkey(&peer.vkey)?;
        let outcome = gather_one(hub, &client, &peer.url, &verifier, &bare, &text).await;
        match &outcome {
            Gathered::Cosigned(_) => {}
            Gathered::Refused(status, why) => {
                tracing::warn!(witness = verifier.name(), status, "witness refused: {why}");
            }
            Gathered::Unreachable(why) => {
                tracing::warn!(witness = verifier.name(), "witness unreachable: {why}");
            }
        }
        out.push(outcome);
    }
    Ok(out)
}

async fn gather_one(
    hub: &Hub,
    client: &reqwest::Client,
    url: &str,
    verifier: &NoteVerifier,
    note: &Note,
    text: &CheckpointText,
) -> Gathered {
    let vkey = verifier.vkey();
    let h = hub.clone();
    let v = vkey.clone();
    let mut old = match tokio::task::spawn_blocking(move || last_cosigned(&h, &v)).await {
        Ok(Ok(n)) => n.min(text.size),
        Ok(Err(e)) => return Gathered::Unreachable(e.to_string()),
        Err(e) => return Gathered::Unreachable(e.to_string()),
    };
    // One retry on 409, with the size the witness says it holds.
    for _ in 0..2 {
        let h = hub.clone();
        let new = text.size;
        let proof = if old == 0 || old == new {
            Ok(Vec::new())
        } else {
            match tokio::task::spawn_blocking(move || {
                h.store().with_tree(|t| Ok(t.consistency_proof(old, new)?))
            })
            .await
            {
                Ok(p) => p,
                Err(e) => return Gathered::Unreachable(e.to_string()),
            }
        };
        let proof = match proof {
            Ok(p) => p,
            Err(e) => return Gathered::Refused(0, e.to_string()),
        };
        let body = AddCheckpoint {
            old,
            proof,
            checkpoint: note.clone(),
        }
        .to_text();
        let resp = match client
            .post(format!("{}/add-checkpoint", url.trim_end_matches('/')))
            .timeout(Duration::from_secs(20))
            .body(body)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return Gathered::Unreachable(e.to_string()),
        };
        let status = resp.status().as_u16();
        let answer = resp.text().await.unwrap_or_default();
        match status {
            200 => return store_cosignatures(hub, verifier, note, text, &answer).await,
            409 => match answer.trim().parse::<u64>() {
                Ok(n) if n <= text.size && n != old => old = n,
                _ => return Gathered::Refused(409, answer),
            },
            _ => return Gathered::Refused(status, answer.trim().to_owned()),
        }
    }
    Gathered::Refused(409, "the witness kept answering with another size".into())
}

async fn store_cosignatures(
    hub: &Hub,
    verifier: &NoteVerifier,
    note: &Note,
    text: &CheckpointText,
    answer: &str,
) -> Gathered {
    // Keep only lines from this witness's key that verify over this checkpoint.
    let mut line = None;
    for l in answer.lines() {
        let Ok(sig) = NoteSignature::parse_line(l) else {
            continue;
        };
        if sig.name != verifier.name() || sig.id != verifier.id() {
            continue;
        }
        let mut n = match Note::new(note.text()) {
            Ok(n) => n,
            Err(e) => return Gathered::Refused(200, e.to_string()),
        };
        if n.add(sig).is_err() || n.verify(std::slice::from_ref(verifier)).is_err() {
            return Gathered::Refused(200, "the witness's cosignature does not verify".into());
        }
        line = Some(l.to_owned());
    }
    let Some(line) = line else {
        return Gathered::Refused(200, "no cosignature from the witness's key".into());
    };
    let h = hub.clone();
    let (vkey, size, root) = (verifier.vkey(), text.size, text.root);
    let stored = tokio::task::spawn_blocking(move || {
        h.store().write(|tx, _| {
            tx.execute(
                "INSERT INTO log_cosignatures (witness, size, root, line, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (witness, size) DO UPDATE SET root = excluded.root, line = excluded.line,
                     at = excluded.at",
                params![vkey, size_i64(size)?, root.to_hex(), line, now_secs()],
            )?;
            Ok(())
        })
    })
    .await;
    match stored {
        Ok(Ok(())) => Gathered::Cosigned(text.size),
        Ok(Err(e)) => Gathered::Refused(200, e.to_string()),
        Err(e) => Gathered::Refused(200, e.to_string()),
    }
}

fn last_cosigned(hub: &Hub, vkey: &str) -> Result<u64> {
    let n: Option<i64> = hub.store().read(|db| {
        Ok(db
            .query_row(
                "SELECT max(size) FROM log_cosignatures WHERE witness = ?1",
                params![vkey],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    })?;
    n.map(size_u64).transpose().map(|n| n.unwrap_or(0))
}

/// How many configured witnesses cosigned the current checkpoint, and the quorum.
pub fn witnessed(hub: &Hub) -> Result<(usize, usize)> {
    let note = checkpoint_note(hub)?;
    let verifiers: Vec<NoteVerifier> = hub
        .config()
        .log
        .witnesses
        .iter()
        .filter_map(|w| NoteVerifier::from_vkey(&w.vkey).ok())
        .collect();
    let n = verifiers
        .iter()
        .filter(|v| note.verify(std::slice::from_ref(v)).is_ok())
        .count();
    Ok((n, hub.config().log.quorum))
}

/// The background task: gathers cosignatures every `check_interval_secs` when witnesses are
/// configured.
pub async fn run(hub: Hub, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let every = Duration::from_secs(hub.config().rollup.check_interval_secs.max(1));
    loop {
        if let Err(e) = gather(&hub).await {
            tracing::warn!("witnesses: {e}");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Fork evidence this hub holds as a witness: origin, reason, time.
pub fn evidence(hub: &Hub) -> Result<Vec<(String, String, i64)>> {
    hub.store().read(|db| {
        let mut st = db.prepare("SELECT origin, reason, at FROM witness_evidence ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    })
}

/// This log's witnessed checkpoint for a bundle (docs/protocol.md §18.6), with an inclusion proof
/// of each of `entries` (envelope digests this hub accepted). The checkpoint is the size, among
/// those that hold every entry, with the most cosignatures gathered (the larger on a tie), or
/// the current size if none was cosigned; the note carries the log key's signature and every
/// cosignature held for it.
pub fn witnessed_log(hub: &Hub, entries: &[Digest]) -> Result<WitnessedLog> {
    let origin = origin(hub)?;
    let signer = log_signer(hub, &origin)?;
    let keys = keys_envelope(hub)?;
    let (text, lines, proofs) = hub.store().write(|tx, tree| {
        let mut indexed = Vec::with_capacity(entries.len());
        for d in entries {
            let index: Option<i64> = tx
                .query_row(
                    "SELECT log_index FROM reports WHERE digest = ?1",
                    [d.to_hex()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(i) = index {
                indexed.push((*d, size_u64(i)?));
            }
        }
        let need = indexed.iter().map(|(_, i)| i + 1).max().unwrap_or(0);
        let best: Option<(i64, String)> = tx
            .query_row(
                "SELECT size, root FROM log_cosignatures WHERE size >= ?1 AND size <= ?2
                 GROUP BY size, root ORDER BY COUNT(*) DESC, size DESC LIMIT 1",
                params![size_i64(need)?, size_i64(tree.len())?],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let mut text = text_at(&origin, tree);
        if let Some((size, root)) = best {
            let size = size_u64(size)?;
            let root = Digest::from_hex(&root)?;
            if tree.root_at(size)? == root {
                text = CheckpointText {
                    origin: origin.clone(),
                    size,
                    root,
                };
            }
        }
        let lines: Vec<String> = {
            let mut st = tx.prepare(
                "SELECT line FROM log_cosignatures WHERE size = ?1 AND root = ?2 ORDER BY witness",
            )?;
            let rows = st.query_map(params![size_i64(text.size)?, text.root.to_hex()], |r| {
                r.get::<_, String>(0)
            })?;
            rows.collect::<std::result::Result<Vec<_>, _>>()?
        };
        let mut proofs = Vec::with_capacity(indexed.len());
        for (entry, index) in indexed {
            proofs.push(LogEntry {
                entry,
                index,
                inclusion: tree.inclusion_proof(index, text.size)?,
            });
        }
        Ok((text, lines, proofs))
    })?;
    let body = text.to_text();
    let mut note = Note::new(&body)?;
    note.add(signer.sign(&body)?)?;
    for line in lines {
        note.add(NoteSignature::parse_line(&line)?)?;
    }
    Ok(WitnessedLog {
        log: hub.card().id.clone(),
        keys,
        note: note.to_text(),
        entries: proofs,
    })
}

/// Keeps a regional child's witnessed log, checked at ingest, for the rollup it came with; a
/// later copy for the same rollup (more cosignatures) replaces it.
pub fn keep_child_log(hub: &Hub, rollup: &Digest, log: &WitnessedLog) -> Result<()> {
    let json = serde_json::to_string(log).map_err(|e| Error::Internal(e.to_string()))?;
    hub.store().write(|tx, _| {
        tx.execute(
            "INSERT INTO child_logs (rollup, log, witnessed, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (rollup) DO UPDATE SET witnessed = excluded.witnessed, at = excluded.at",
            params![rollup.to_hex(), log.log.as_str(), json, now_secs()],
        )?;
        Ok(())
    })
}

/// The witnessed logs a bundle of this hub's rollup carries: this hub's log (for the documents
/// its rollup binds) and, for each regional child's rollup it binds, the child's log as kept at
/// ingest. A child whose log was not sent is left out (`verify` then names it `unwitnessed`).
pub fn bundle_logs(hub: &Hub, tree: &Tree) -> Result<Vec<WitnessedLog>> {
    let mut out = Vec::new();
    let own: Vec<Digest> = tree.top.children.iter().map(|c| c.document).collect();
    if !own.is_empty() {
        out.push(witnessed_log(hub, &own)?);
    }
    let id = &hub.card().id;
    for node in &tree.nodes {
        if &node.parent != id || !matches!(node.content, Content::Rollup(_)) {
            continue;
        }
        let kept: Option<String> = hub.store().read(|db| {
            Ok(db
                .query_row(
                    "SELECT witnessed FROM child_logs WHERE rollup = ?1",
                    [node.digest.to_hex()],
                    |r| r.get(0),
                )
                .optional()?)
        })?;
        if let Some(json) = kept {
            let log: WitnessedLog = serde_json::from_str(&json)
                .map_err(|e| Error::Internal(format!("a kept child log: {e}")))?;
            out.push(log);
        }
    }
    Ok(out)
}

/// Gathers cosignatures first if this hub's current checkpoint lacks some configured witness's
/// (before a bundle is written or forwarded, so it carries them). Best effort: a witness that
/// does not answer leaves the bundle with fewer.
pub async fn gather_if_short(hub: &Hub) {
    if hub.config().log.witnesses.is_empty() {
        return;
    }
    let h = hub.clone();
    let have = tokio::task::spawn_blocking(move || witnessed(&h)).await;
    if let Ok(Ok((n, _))) = have
        && n >= hub.config().log.witnesses.len()
    {
        return;
    }
    if let Err(e) = gather(hub).await {
        tracing::warn!("witnesses: {e}");
    }
}
