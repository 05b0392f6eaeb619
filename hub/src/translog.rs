//! The hub's transparency log: every accepted envelope's digest, in order, as an RFC 6962 Merkle
//! tree (protocol `log`), with signed checkpoints, receipts and proofs.

use std::sync::{Mutex, PoisonError};

use jiff::SignedDuration;
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};
use shopfloor_protocol::log::{Checkpoint, MerkleTree};
use shopfloor_protocol::{Digest, Envelope};

use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::store::now_secs;

/// Appends an entry inside a write transaction; returns its index.
pub fn append(tx: &Transaction<'_>, tree: &mut MerkleTree, entry: Digest) -> Result<u64> {
    let index = tree.push(entry);
    tx.execute(
        "INSERT INTO log_leaves (idx, digest, added_at) VALUES (?1, ?2, ?3)",
        params![
            i64::try_from(index).map_err(|_| Error::Internal("log full".into()))?,
            entry.to_hex(),
            now_secs()
        ],
    )?;
    Ok(index)
}

/// How long a signed checkpoint is served again while the log does not grow. The protocol sets
/// no freshness rule for checkpoints; re-signing after a few minutes keeps the time a checkpoint
/// states close to when it is read, while page views and API calls in between cost no signature.
pub const CHECKPOINT_REUSE: SignedDuration = SignedDuration::from_mins(5);

/// The newest signed checkpoint and its opened form, per log size (held by [`Hub`]).
#[derive(Debug, Default)]
pub struct CheckpointCache(Mutex<Option<(Envelope, Checkpoint)>>);

/// A signed checkpoint of the log at its current size: the one signed last if the log has not
/// grown since and it is younger than [`CHECKPOINT_REUSE`], else a new one.
pub fn checkpoint(hub: &Hub) -> Result<Envelope> {
    Ok(current(hub)?.0)
}

/// The current signed checkpoint and its contents (signed here, so not verified again).
pub fn current(hub: &Hub) -> Result<(Envelope, Checkpoint)> {
    hub.store().with_tree(|tree| {
        let now = jiff::Timestamp::now();
        let mut cache = hub
            .checkpoint_cache()
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((env, cp)) = cache.as_ref()
            && cp.size == tree.len()
            && cp.time <= now
            && now.duration_since(cp.time) < CHECKPOINT_REUSE
        {
            return Ok((env.clone(), cp.clone()));
        }
        let cp = tree.checkpoint(&hub.card().id, now);
        let env = Envelope::sign(&cp, hub.keys());
        *cache = Some((env.clone(), cp.clone()));
        Ok((env, cp))
    })
}

/// `GET /api/v1/log/proof?index=I&size=N`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InclusionProof {
    /// Leaf index.
    pub index: u64,
    /// Tree size the proof is for.
    pub size: u64,
    /// The entry (envelope digest) at `index`.
    pub entry: Digest,
    /// The root of the tree of `size` leaves.
    pub root: Digest,
    /// The audit path.
    pub proof: Vec<Digest>,
}

/// `GET /api/v1/log/proof?old=M&new=N`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// Older size.
    pub old: u64,
    /// Newer size.
    pub new: u64,
    /// Root at the older size.
    pub old_root: Digest,
    /// Root at the newer size.
    pub new_root: Digest,
    /// The proof.
    pub proof: Vec<Digest>,
}

fn check_size(tree: &MerkleTree, size: u64) -> Result<()> {
    if size > tree.len() {
        return Err(Error::not_found(
            "beyond-log",
            format!("the log has {} entries, not {size}", tree.len()),
        ));
    }
    Ok(())
}

/// An inclusion proof for leaf `index` in the tree of `size` leaves.
pub fn inclusion(hub: &Hub, index: u64, size: u64) -> Result<InclusionProof> {
    hub.store().with_tree(|tree| {
        check_size(tree, size)?;
        if index >= size {
            return Err(Error::bad_request("index must be below size"));
        }
        let entry = tree
            .entry(index)
            .ok_or_else(|| Error::not_found("beyond-log", "no such entry"))?;
        Ok(InclusionProof {
            index,
            size,
            entry,
            root: tree.root_at(size)?,
            proof: tree.inclusion_proof(index, size)?,
        })
    })
}

/// A consistency proof between two sizes.
pub fn consistency(hub: &Hub, old: u64, new: u64) -> Result<ConsistencyProof> {
    hub.store().with_tree(|tree| {
        check_size(tree, new)?;
        if old > new {
            return Err(Error::bad_request("old must not exceed new"));
        }
        Ok(ConsistencyProof {
            old,
            new,
            old_root: tree.root_at(old)?,
            new_root: tree.root_at(new)?,
            proof: tree.consistency_proof(old, new)?,
        })
    })
}
