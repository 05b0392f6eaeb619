//! Witnessed checkpoints (docs/protocol.md "Witnessed checkpoints"): the node asks its hub for
//! the log's checkpoint as a C2SP signed note, checks the hub's log key (published in note keys
//! signed by the hub's card), counts the cosignatures of the witnesses in `node.toml`, and ties
//! the witnessed checkpoint to the one the hub showed this node with a consistency proof.
//!
//! A hub that shows this node one log and its witnesses another (a split view) is caught here:
//! either the witnessed checkpoint is not consistent with the node's view (`log-fork`), or the
//! node's view lacks the cosignatures (`unwitnessed`). Both are alarms.

use shopfloor_protocol::log::{Checkpoint, Receipt};
use shopfloor_protocol::note::{CheckpointText, Note, NoteKeys, NoteVerifier};
use shopfloor_protocol::{Digest, Envelope};

pub use super::witness_policy::Policy;
use super::{HubLink, Result, get_bytes, get_json};

/// Checks the hub's witnessed checkpoint against `current` (the checkpoint the hub showed this
/// node). Returns the alarms to raise (kind, detail); network failures are errors, not alarms.
pub async fn check(
    client: &reqwest::Client,
    link: &HubLink,
    policy: &Policy,
    current: &Checkpoint,
) -> Result<Vec<(&'static str, String)>> {
    if !policy.is_required() {
        return Ok(Vec::new());
    }
    let keys = Envelope::from_json(&get_bytes(client, link, "/api/v1/log/note-keys").await?)?;
    let keys = NoteKeys::open(&keys, &link.card)?;
    let log_key = NoteVerifier::from_vkey(&keys.log)?;
    let raw = get_bytes(client, link, "/api/v1/log/note").await?;
    let note = Note::parse(&raw)?;
    if note.verify(std::slice::from_ref(&log_key)).is_err() {
        return Ok(vec![(
            "bad-checkpoint",
            "the hub's checkpoint note is not signed by its log key".into(),
        )]);
    }
    let cp = CheckpointText::parse(note.text())?;
    if cp.origin != keys.origin {
        return Ok(vec![(
            "bad-checkpoint",
            format!(
                "the hub's checkpoint note is for log {:?}, not {:?}",
                cp.origin, keys.origin
            ),
        )]);
    }
    let mut problems = Vec::new();
    let cosigned = policy
        .witnesses
        .iter()
        .filter(|w| note.verify(std::slice::from_ref(*w)).is_ok())
        .count();
    if cosigned < policy.quorum {
        problems.push((
            "unwitnessed",
            format!(
                "the hub's checkpoint of size {} carries {cosigned} of the {} witness cosignatures required",
                cp.size, policy.quorum
            ),
        ));
    }
    // Tie the witnessed view to this node's view.
    let (older, newer) = if cp.size <= current.size {
        ((cp.size, cp.root), (current.size, current.root))
    } else {
        ((current.size, current.root), (cp.size, cp.root))
    };
    if older.0 == newer.0 {
        if older.1 != newer.1 {
            problems.push(("log-fork", split_view(&cp, current)));
        }
        return Ok(problems);
    }
    let proof: ProofAnswer = get_json(
        client,
        link,
        &format!("/api/v1/log/proof?old={}&new={}", older.0, newer.0),
    )
    .await?;
    let ok = shopfloor_protocol::log::verify_consistency(
        older.0,
        newer.0,
        &older.1,
        &newer.1,
        &proof.proof,
    )
    .is_ok();
    if !ok {
        problems.push(("log-fork", split_view(&cp, current)));
    }
    Ok(problems)
}

#[derive(serde::Deserialize)]
struct ProofAnswer {
    proof: Vec<Digest>,
}

fn split_view(witnessed: &CheckpointText, shown: &Checkpoint) -> String {
    format!(
        "split view: the checkpoint the hub's witnesses cosigned (size {}, root {}) and the one it \
         showed this node (size {}, root {}) are not one log",
        witnessed.size, witnessed.root, shown.size, shown.root
    )
}

/// Checks the signed notes the hub's receipts carry (docs/protocol.md §18.5): each must be
/// signed by the log key the hub publishes in its note keys (signed by its card) and state the
/// receipt's checkpoint size and root. Receipts without a note (from hubs before notes) and
/// receipts that do not open with the hub's current card are skipped. Returns the alarms to raise;
/// the note keys are fetched only if some receipt carries a note.
pub async fn check_receipt_notes(
    client: &reqwest::Client,
    link: &HubLink,
    store: &crate::store::Store,
) -> Result<Vec<(&'static str, String)>> {
    let log = link.card.id.to_string();
    let envelopes: Vec<(String, String)> = super::read(store, move |c| {
        let mut st = c.prepare("SELECT digest, envelope FROM receipts WHERE log = ?1")?;
        let rows = st.query_map([&log], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    })
    .await?;
    let mut noted = Vec::new();
    for (digest, json) in envelopes {
        let Ok(env) = Envelope::from_json(json.as_bytes()) else {
            continue;
        };
        if let Ok(r) = env.open_document::<Receipt>(&link.card.signing_key)
            && !r.note.is_empty()
        {
            noted.push((digest, r));
        }
    }
    if noted.is_empty() {
        return Ok(Vec::new());
    }
    let keys = Envelope::from_json(&get_bytes(client, link, "/api/v1/log/note-keys").await?)?;
    let keys = NoteKeys::open(&keys, &link.card)?;
    let log_key = NoteVerifier::from_vkey(&keys.log)?;
    Ok(noted
        .into_iter()
        .filter_map(|(digest, r)| {
            r.verify_note(&log_key).err().map(|e| {
                (
                    "bad-checkpoint",
                    format!(
                        "the signed note in the hub's receipt for report {digest} does not hold: {e}"
                    ),
                )
            })
        })
        .collect())
}
