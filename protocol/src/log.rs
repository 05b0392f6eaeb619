//! The transparency log: an RFC 6962 (Certificate Transparency) Merkle tree of accepted envelopes,
//! signed tree heads ([`Checkpoint`]) and inclusion receipts ([`Receipt`]).
//!
//! A hub appends the [digest](crate::Envelope::digest) of every envelope it accepts to its log and
//! answers with a signed [`Receipt`]: the entry, its index, a [`Checkpoint`] (size, root hash,
//! time, signed by the hub) and the inclusion proof that ties the entry to that root. A chapter
//! that keeps its receipts can later ask for a consistency proof between two checkpoints and so
//! check that the hub never rewrote or dropped what it accepted.
//!
//! # The Merkle Tree Hash (RFC 6962 §2.1)
//!
//! The leaves of our log are 32-byte envelope digests: the data entry `d(i)` of RFC 6962 is the
//! 32 bytes of a [`Digest`], so a leaf hash is `SHA-256(0x00 || digest)` ([`leaf_hash`]) and an
//! interior node is `SHA-256(0x01 || left || right)` ([`node_hash`]). RFC 6962 §2.1:
//!
//! > Given an ordered list of n inputs, D\[n\] = {d(0), d(1), ..., d(n-1)}, the Merkle Tree
//! > Hash (MTH) is thus defined as follows:
//! >
//! > The hash of an empty list is the hash of an empty string:
//! >
//! > `MTH({}) = SHA-256().`
//! >
//! > The hash of a list with one entry (also known as a leaf hash) is:
//! >
//! > `MTH({d(0)}) = SHA-256(0x00 || d(0)).`
//! >
//! > For n > 1, let k be the largest power of two smaller than n (i.e., k < n <= 2k). The Merkle
//! > Tree Hash of an n-element list D\[n\] is then defined recursively as
//! >
//! > `MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])),`
//! >
//! > where || is concatenation and D\[k1:k2\] denotes the list {d(k1), d(k1+1), ..., d(k2-1)} of
//! > length (k2 - k1). (Note that the hash calculations for leaves and nodes differ. This domain
//! > separation is required to give second preimage resistance.)
//!
//! [`MerkleTree`] keeps the leaf hashes and every complete, aligned subtree hash, so any
//! `MTH(D[a:b])` the definitions below need costs O(log n) lookups, and a root or proof for any
//! earlier size costs O(log² n) hashes at most.
//!
//! # Inclusion proofs (RFC 6962 §2.1.1)
//!
//! [`MerkleTree::inclusion_proof`] computes the audit path:
//!
//! > The path for the single leaf in a tree with a one-element input list D\[1\] = {d(0)} is
//! > empty: `PATH(0, {d(0)}) = {}`
//! >
//! > For n > 1, let k be the largest power of two smaller than n. The path for the (m+1)th
//! > element d(m) in a list of n > m elements is then defined recursively as
//! >
//! > `PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])` for m < k; and
//! >
//! > `PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])` for m >= k,
//! >
//! > where : is concatenation of lists.
//!
//! [`verify_inclusion`] implements the iterative verification algorithm of RFC 9162 §2.1.3.2,
//! which rejects paths with missing or extra elements.
//!
//! # Consistency proofs (RFC 6962 §2.1.2)
//!
//! [`MerkleTree::consistency_proof`] computes `PROOF(m, D[n]) = SUBPROOF(m, D[n], true)`:
//!
//! > `SUBPROOF(m, D[m], true) = {}`
//! >
//! > `SUBPROOF(m, D[m], false) = {MTH(D[m])}`
//! >
//! > For m < n, let k be the largest power of two smaller than n. [...] If m <= k, the right
//! > subtree entries D\[k:n\] only exist in the current tree. We prove that the left subtree
//! > entries D\[0:k\] are consistent and add a commitment to D\[k:n\]:
//! >
//! > `SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])`
//! >
//! > If m > k, the left subtree entries D\[0:k\] are identical in both trees. We prove that the
//! > right subtree entries D\[k:n\] are consistent and add a commitment to D\[0:k\].
//! >
//! > `SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])`
//!
//! RFC 6962 defines proofs for 0 < m < n only. Here, as in RFC 9162 and the transparency-dev
//! implementations, the proof from size 0 and the proof between equal sizes are empty; the
//! verifier then requires the old root to be `SHA-256()` or the two roots to be equal.
//! [`verify_consistency`] implements RFC 9162 §2.1.4.2 for 0 < m < n.
//!
//! Every verification failure is [`Reason::BadProof`]; asking a tree for a proof it cannot make
//! (an index or size beyond its leaves) is [`Reason::Malformed`].

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::envelope::{Digest, Document, Envelope};
use crate::error::{Error, Reason, Result};
use crate::identity::{PartyId, SecretKeys};
use crate::note::{CheckpointText, Note, NoteSigner, NoteVerifier};
use crate::report::check_schema;

/// Schema id of a [`Checkpoint`].
pub const CHECKPOINT_SCHEMA: &str = "shopfloor.checkpoint.v1";
/// DSSE payload type of a signed [`Checkpoint`].
pub const CHECKPOINT_PAYLOAD_TYPE: &str = "application/vnd.shopfloor.checkpoint.v1+json";
/// Schema id of a [`Receipt`].
pub const RECEIPT_SCHEMA: &str = "shopfloor.receipt.v1";
/// DSSE payload type of a signed [`Receipt`].
pub const RECEIPT_PAYLOAD_TYPE: &str = "application/vnd.shopfloor.receipt.v1+json";
/// The longest inclusion proof a [`Receipt`] may carry: a tree of fewer than 2^64 leaves has
/// audit paths of at most 64 hashes.
pub const MAX_PROOF_LEN: usize = 64;

/// The RFC 6962 leaf hash `SHA-256(0x00 || data)`. For our log, `data` is the 32 bytes of an
/// envelope digest.
pub fn leaf_hash(data: &[u8]) -> Digest {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Digest(h.finalize().into())
}

/// The RFC 6962 interior node hash `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Digest(h.finalize().into())
}

/// The Merkle Tree Hash of the empty list, `SHA-256()` (the root of a log with no entries).
pub fn empty_root() -> Digest {
    Digest::of(b"")
}

/// The largest power of two smaller than `n`, for `n >= 2` (the `k` of RFC 6962 §2.1).
fn split_point(n: u64) -> u64 {
    // For n >= 2, n - 1 >= 1 has at most 63 leading zeros; saturating keeps n < 2 harmless.
    let bits = 63u32.saturating_sub((n.saturating_sub(1)).leading_zeros());
    1u64 << bits
}

fn bad_proof(detail: impl Into<String>) -> Error {
    Error::new(Reason::BadProof, detail)
}

/// An append-only Merkle tree of log entries, held in memory.
///
/// A hub rebuilds it at startup by [pushing](MerkleTree::push) the digests of its accepted
/// envelopes in log order. Besides the leaf hashes it stores the hash of every complete subtree
/// whose leaves start at a multiple of its size (about twice the leaf count in all: 64 MiB for a
/// million entries), so appending is amortized O(1) and roots and proofs for any size up to
/// [`len`](MerkleTree::len) cost O(log² n) at most.
#[derive(Clone, Default)]
pub struct MerkleTree {
    /// The entry (envelope digest) of each leaf; `None` for leaves pushed as raw leaf hashes.
    entries: Vec<Option<Digest>>,
    /// `levels[h][i]` is the MTH of leaves `[i * 2^h, (i + 1) * 2^h)`; `levels[0]` holds the leaf
    /// hashes. Invariant: `levels[h].len() == entries.len() >> h`.
    levels: Vec<Vec<Digest>>,
}

impl fmt::Debug for MerkleTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerkleTree")
            .field("size", &self.len())
            .field("root", &self.root())
            .finish()
    }
}

impl MerkleTree {
    /// An empty tree.
    pub fn new() -> Self {
        MerkleTree::default()
    }

    /// Appends an entry (an envelope digest; its leaf hash is `SHA-256(0x00 || entry)`) and
    /// returns its index.
    pub fn push(&mut self, entry: Digest) -> u64 {
        self.append(Some(entry), leaf_hash(&entry.0))
    }

    /// Appends a leaf given by its leaf hash, for logs of arbitrary data such as the RFC 6962 test
    /// vectors. The tree does not know the entry, so [`issue_receipt`] refuses such a leaf.
    pub fn push_leaf_hash(&mut self, leaf_hash: Digest) -> u64 {
        self.append(None, leaf_hash)
    }

    fn append(&mut self, entry: Option<Digest>, hash: Digest) -> u64 {
        let index = self.entries.len();
        self.entries.push(entry);
        let mut node = hash;
        let mut pos = index;
        let mut level = 0;
        loop {
            if self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            let Some(row) = self.levels.get_mut(level) else {
                break;
            };
            row.push(node);
            if pos.is_multiple_of(2) {
                break;
            }
            // `pos` is odd, so its left sibling `pos - 1` is in the row.
            let Some(left) = row.get(pos - 1) else {
                break;
            };
            node = node_hash(left, &node);
            pos /= 2;
            level += 1;
        }
        index as u64
    }

    /// The number of leaves.
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Whether the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry (envelope digest) at `index`, if the leaf exists and was pushed as an entry.
    pub fn entry(&self, index: u64) -> Option<Digest> {
        let i = usize::try_from(index).ok()?;
        self.entries.get(i).copied().flatten()
    }

    /// The leaf hash at `index`, if it exists.
    pub fn leaf_hash_at(&self, index: u64) -> Option<Digest> {
        let i = usize::try_from(index).ok()?;
        self.levels.first()?.get(i).copied()
    }

    /// The Merkle Tree Hash of all leaves; `SHA-256()` for an empty tree.
    pub fn root(&self) -> Digest {
        // The whole tree is always in range, so `subtree` cannot miss here.
        self.subtree(0, self.len()).unwrap_or_else(empty_root)
    }

    /// The Merkle Tree Hash of the first `size` leaves (the root the log had at that size).
    pub fn root_at(&self, size: u64) -> Result<Digest> {
        if size > self.len() {
            return Err(Error::malformed(format!(
                "no root for size {size}: the log has {} entries",
                self.len()
            )));
        }
        self.subtree(0, size).ok_or_else(internal)
    }

    /// MTH(D\[start:start + len\]), or `None` if the range is not within the tree.
    ///
    /// Every range RFC 6962's recursions visit starts at a multiple of a power of two at least as
    /// large as its length, so it decomposes into O(log n) cached complete subtrees.
    fn subtree(&self, start: u64, len: u64) -> Option<Digest> {
        let end = start.checked_add(len)?;
        if end > self.len() {
            return None;
        }
        if len == 0 {
            return Some(empty_root());
        }
        if len.is_power_of_two() && start.is_multiple_of(len) {
            let level = usize::try_from(len.trailing_zeros()).ok()?;
            let i = usize::try_from(start >> len.trailing_zeros()).ok()?;
            return self.levels.get(level)?.get(i).copied();
        }
        let k = split_point(len);
        let left = self.subtree(start, k)?;
        let right = self.subtree(start + k, len - k)?;
        Some(node_hash(&left, &right))
    }

    /// The RFC 6962 audit path `PATH(index, D[size])` proving that leaf `index` is in the tree of
    /// the first `size` leaves. Requires `index < size <= len()`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Digest>> {
        if size > self.len() || index >= size {
            return Err(Error::malformed(format!(
                "no inclusion proof for index {index} at size {size}: the log has {} entries",
                self.len()
            )));
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof).ok_or_else(internal)?;
        Ok(proof)
    }

    /// PATH(m, D\[start:start + n\]), appended to `out`.
    fn path(&self, m: u64, start: u64, n: u64, out: &mut Vec<Digest>) -> Option<()> {
        if n <= 1 {
            return Some(());
        }
        let k = split_point(n);
        if m < k {
            self.path(m, start, k, out)?;
            out.push(self.subtree(start + k, n - k)?);
        } else {
            self.path(m - k, start + k, n - k, out)?;
            out.push(self.subtree(start, k)?);
        }
        Some(())
    }

    /// The RFC 6962 consistency proof `PROOF(old_size, D[new_size])` that the tree of the first
    /// `old_size` leaves is a prefix of the tree of the first `new_size`. Requires
    /// `old_size <= new_size <= len()`; the proof is empty when `old_size` is 0 or equals
    /// `new_size`.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Digest>> {
        if new_size > self.len() || old_size > new_size {
            return Err(Error::malformed(format!(
                "no consistency proof from size {old_size} to {new_size}: the log has {} entries",
                self.len()
            )));
        }
        let mut proof = Vec::new();
        if old_size > 0 {
            self.subproof(old_size, 0, new_size, true, &mut proof)
                .ok_or_else(internal)?;
        }
        Ok(proof)
    }

    /// SUBPROOF(m, D\[start:start + n\], b), appended to `out`. Requires 0 < m <= n.
    fn subproof(&self, m: u64, start: u64, n: u64, b: bool, out: &mut Vec<Digest>) -> Option<()> {
        if m == n {
            if !b {
                out.push(self.subtree(start, n)?);
            }
            return Some(());
        }
        if m == 0 || m > n {
            return None;
        }
        let k = split_point(n);
        if m <= k {
            self.subproof(m, start, k, b, out)?;
            out.push(self.subtree(start + k, n - k)?);
        } else {
            self.subproof(m - k, start + k, n - k, false, out)?;
            out.push(self.subtree(start, k)?);
        }
        Some(())
    }

    /// An unsigned checkpoint of the tree at its current size.
    pub fn checkpoint(&self, log: &PartyId, time: jiff::Timestamp) -> Checkpoint {
        Checkpoint::new(log.clone(), self.len(), self.root(), time)
    }

    /// An unsigned receipt for the entry at `index`, against a checkpoint of the current size.
    /// Fails if there is no such leaf, or if it was pushed as a raw leaf hash.
    pub fn receipt(&self, log: &PartyId, index: u64, time: jiff::Timestamp) -> Result<Receipt> {
        let entry = self.entry(index).ok_or_else(|| {
            Error::malformed(format!(
                "log has no entry at index {index} to issue a receipt for"
            ))
        })?;
        let size = self.len();
        let inclusion = self.inclusion_proof(index, size)?;
        Ok(Receipt {
            schema: RECEIPT_SCHEMA.to_owned(),
            log: log.clone(),
            entry,
            index,
            checkpoint: self.checkpoint(log, time),
            inclusion,
            note: String::new(),
        })
    }
}

impl Extend<Digest> for MerkleTree {
    /// Pushes each entry in order.
    fn extend<I: IntoIterator<Item = Digest>>(&mut self, iter: I) {
        for entry in iter {
            self.push(entry);
        }
    }
}

impl FromIterator<Digest> for MerkleTree {
    /// A tree of the given entries, in order.
    fn from_iter<I: IntoIterator<Item = Digest>>(iter: I) -> Self {
        let mut tree = MerkleTree::new();
        tree.extend(iter);
        tree
    }
}

fn internal() -> Error {
    Error::new(
        Reason::ApiMisuse,
        "internal error: Merkle tree range out of bounds",
    )
}

/// Verifies that `entry` (an envelope digest) is leaf `index` of the tree of `size` leaves whose
/// root is `root`, given the audit path `proof`.
pub fn verify_inclusion(
    entry: &Digest,
    index: u64,
    size: u64,
    proof: &[Digest],
    root: &Digest,
) -> Result<()> {
    verify_inclusion_hash(&leaf_hash(&entry.0), index, size, proof, root)
}

/// Verifies an inclusion proof for a leaf given by its leaf hash (for logs of arbitrary data).
///
/// This is the algorithm of RFC 9162 §2.1.3.2, step by step. Fails with [`Reason::BadProof`] when
/// `index >= size`, when the path has too many or too few elements, or when the computed root
/// differs.
pub fn verify_inclusion_hash(
    leaf_hash: &Digest,
    index: u64,
    size: u64,
    proof: &[Digest],
    root: &Digest,
) -> Result<()> {
    // 1. If leaf_index is greater than or equal to tree_size, fail.
    if index >= size {
        return Err(bad_proof(format!(
            "leaf index {index} is outside a tree of size {size}"
        )));
    }
    // 2. Set fn to leaf_index and sn to tree_size - 1. 3. Set r to hash.
    let mut fnode = index;
    let mut snode = size - 1;
    let mut r = *leaf_hash;
    // 4. For each value p in the inclusion_path array:
    for p in proof {
        // If sn is 0, stop the iteration and fail the proof verification.
        if snode == 0 {
            return Err(bad_proof("inclusion proof has too many elements"));
        }
        if fnode & 1 == 1 || fnode == snode {
            // Set r to HASH(0x01 || p || r).
            r = node_hash(p, &r);
            // If LSB(fn) is not set, right-shift both fn and sn equally until either LSB(fn) is
            // set or fn is 0.
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            // Set r to HASH(0x01 || r || p).
            r = node_hash(&r, p);
        }
        // Finally, right-shift both fn and sn one time.
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. sn must be 0 and r must equal the root.
    if snode != 0 {
        return Err(bad_proof("inclusion proof has too few elements"));
    }
    if r != *root {
        return Err(bad_proof(format!(
            "inclusion proof for index {index} does not lead to root {root}"
        )));
    }
    Ok(())
}

/// Verifies that the tree of `old_size` leaves with root `old_root` is a prefix of the tree of
/// `new_size` leaves with root `new_root`, given the consistency proof `proof`.
///
/// For 0 < old_size < new_size this is the algorithm of RFC 9162 §2.1.4.2, step by step. When
/// `old_size == new_size` the proof must be empty and the roots equal; when `old_size == 0` the
/// proof must be empty and `old_root` must be `SHA-256()` (every tree extends the empty one).
/// Fails with [`Reason::BadProof`], also when `old_size > new_size`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Digest,
    new_root: &Digest,
    proof: &[Digest],
) -> Result<()> {
    if old_size > new_size {
        return Err(bad_proof(format!(
            "a log cannot shrink from size {old_size} to {new_size}"
        )));
    }
    // The empty tree first: its root is SHA-256("") whatever the new size, 0 included (checking
    // equal sizes first would take any root X for a log of size 0 from (0, 0, X, X)).
    if old_size == 0 {
        if !proof.is_empty() {
            return Err(bad_proof(
                "consistency proof from the empty tree must be empty",
            ));
        }
        if *old_root != empty_root() {
            return Err(bad_proof("the root of the empty tree must be SHA-256()"));
        }
        if new_size == 0 && new_root != old_root {
            return Err(bad_proof("two different roots for the same size 0"));
        }
        return Ok(());
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(bad_proof(
                "consistency proof between equal sizes must be empty",
            ));
        }
        if old_root != new_root {
            return Err(bad_proof(format!(
                "two different roots for the same size {old_size}"
            )));
        }
        return Ok(());
    }
    // 1. If consistency_path is an empty array, stop and fail the proof verification.
    if proof.is_empty() {
        return Err(bad_proof("consistency proof is empty"));
    }
    // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
    let mut path = proof.iter();
    let first_value = if old_size.is_power_of_two() {
        old_root
    } else {
        path.next()
            .ok_or_else(|| bad_proof("consistency proof is empty"))?
    };
    // 3. Set fn to first - 1 and sn to second - 1.
    let mut fnode = old_size - 1;
    let mut snode = new_size - 1;
    // 4. If LSB(fn) is set, right-shift both fn and sn equally until LSB(fn) is not set.
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. Set both fr and sr to the first value in the consistency_path array.
    let mut fr = *first_value;
    let mut sr = *first_value;
    // 6. For each subsequent value c in the consistency_path array:
    for c in path {
        // If sn is 0, stop the iteration and fail the proof verification.
        if snode == 0 {
            return Err(bad_proof("consistency proof has too many elements"));
        }
        if fnode & 1 == 1 || fnode == snode {
            // Set fr to HASH(0x01 || c || fr) and sr to HASH(0x01 || c || sr).
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            // If LSB(fn) is not set, right-shift both fn and sn equally until either LSB(fn) is
            // set or fn is 0.
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            // Set sr to HASH(0x01 || sr || c).
            sr = node_hash(&sr, c);
        }
        // Finally, right-shift both fn and sn one time.
        fnode >>= 1;
        snode >>= 1;
    }
    // 7. Verify that fr equals first_hash, sr equals second_hash, and sn is 0.
    if snode != 0 {
        return Err(bad_proof("consistency proof has too few elements"));
    }
    if fr != *old_root {
        return Err(bad_proof(format!(
            "consistency proof does not lead to the root of size {old_size}"
        )));
    }
    if sr != *new_root {
        return Err(bad_proof(format!(
            "consistency proof does not lead to the root of size {new_size}"
        )));
    }
    Ok(())
}

/// A signed tree head: the log's size and root hash at a time, signed by the hub that keeps the
/// log.
///
/// ```json
/// {"schema":"shopfloor.checkpoint.v1","log":"national","size":42,
///  "root":"<64 hex digits>","time":"2025-06-01T12:00:00Z"}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Always [`CHECKPOINT_SCHEMA`].
    pub schema: String,
    /// The id of the hub that keeps the log.
    pub log: PartyId,
    /// The number of entries in the log.
    pub size: u64,
    /// The Merkle Tree Hash of those entries.
    pub root: Digest,
    /// When the hub computed this checkpoint.
    pub time: jiff::Timestamp,
}

impl Checkpoint {
    /// A checkpoint of [`CHECKPOINT_SCHEMA`].
    pub fn new(log: PartyId, size: u64, root: Digest, time: jiff::Timestamp) -> Self {
        Checkpoint {
            schema: CHECKPOINT_SCHEMA.to_owned(),
            log,
            size,
            root,
            time,
        }
    }

    /// Checks the schema, and that an empty log has the empty root.
    pub fn validate(&self) -> Result<()> {
        if self.schema != CHECKPOINT_SCHEMA {
            return Err(Error::new(
                Reason::UnsupportedSchema,
                format!(
                    "checkpoint schema {:?}; this implementation reads {CHECKPOINT_SCHEMA}",
                    self.schema
                ),
            ));
        }
        if self.size == 0 && self.root != empty_root() {
            return Err(bad_proof(format!(
                "checkpoint of log {} has size 0 but a root other than SHA-256()",
                self.log
            )));
        }
        Ok(())
    }

    /// Verifies that `newer` extends this checkpoint of the same log, given the consistency proof
    /// from this size to `newer.size`.
    pub fn verify_consistency(&self, newer: &Checkpoint, proof: &[Digest]) -> Result<()> {
        if self.log != newer.log {
            return Err(bad_proof(format!(
                "checkpoints of two logs, {} and {}",
                self.log, newer.log
            )));
        }
        verify_consistency(self.size, newer.size, &self.root, &newer.root, proof)
    }
}

impl Document for Checkpoint {
    const PAYLOAD_TYPE: &'static str = CHECKPOINT_PAYLOAD_TYPE;

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.checkpoint.", CHECKPOINT_SCHEMA)?;
        let checkpoint: Checkpoint = serde_json::from_slice(bytes)
            .map_err(|e| Error::malformed(format!("checkpoint: {e}")))?;
        checkpoint.validate()?;
        Ok(checkpoint)
    }

    fn to_payload(&self) -> Vec<u8> {
        // Serializing strings, numbers and a timestamp cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A hub's receipt for an accepted envelope: the entry, its index in the log, a checkpoint and
/// the inclusion proof from the entry to the checkpoint's root.
///
/// Check the hub's signature with [`Envelope::open_document`], then the proof with
/// [`Receipt::verify`], then that [`entry`](Receipt::entry) is the digest of the envelope sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Always [`RECEIPT_SCHEMA`].
    pub schema: String,
    /// The id of the hub that keeps the log.
    pub log: PartyId,
    /// The digest of the accepted envelope.
    pub entry: Digest,
    /// The entry's index in the log.
    pub index: u64,
    /// The checkpoint the inclusion proof leads to.
    pub checkpoint: Checkpoint,
    /// The RFC 6962 audit path from the entry's leaf to the checkpoint's root.
    pub inclusion: Vec<Digest>,
    /// The same checkpoint (size and root) as a C2SP signed note of the hub's log, signed by its
    /// log key (docs/protocol.md §18.5); empty in receipts that predate it, and then not written.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Receipt {
    /// Checks the receipt's shape: schemas, the same log in the receipt and its checkpoint, an
    /// index inside the checkpoint, and a proof of at most [`MAX_PROOF_LEN`] hashes.
    pub fn validate(&self) -> Result<()> {
        if self.schema != RECEIPT_SCHEMA {
            return Err(Error::new(
                Reason::UnsupportedSchema,
                format!(
                    "receipt schema {:?}; this implementation reads {RECEIPT_SCHEMA}",
                    self.schema
                ),
            ));
        }
        self.checkpoint.validate()?;
        if self.log != self.checkpoint.log {
            return Err(Error::malformed(format!(
                "receipt of log {} carries a checkpoint of log {}",
                self.log, self.checkpoint.log
            )));
        }
        if self.index >= self.checkpoint.size {
            return Err(Error::malformed(format!(
                "receipt index {} is outside its checkpoint of size {}",
                self.index, self.checkpoint.size
            )));
        }
        if self.inclusion.len() > MAX_PROOF_LEN {
            return Err(Error::malformed(format!(
                "inclusion proof of {} hashes (at most {MAX_PROOF_LEN})",
                self.inclusion.len()
            )));
        }
        self.note_checkpoint()?;
        Ok(())
    }

    /// Checks the receipt's shape and that its inclusion proof leads from the entry to the
    /// embedded checkpoint's root. Does not check any signature: open the receipt's envelope with
    /// [`Envelope::open_document`] and the hub's key first.
    pub fn verify(&self) -> Result<()> {
        self.validate()?;
        verify_inclusion(
            &self.entry,
            self.index,
            self.checkpoint.size,
            &self.inclusion,
            &self.checkpoint.root,
        )
        .map_err(|e| e.context(format!("receipt for entry {}", self.entry)))
    }
}

impl Document for Receipt {
    const PAYLOAD_TYPE: &'static str = RECEIPT_PAYLOAD_TYPE;

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.receipt.", RECEIPT_SCHEMA)?;
        let receipt: Receipt =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("receipt: {e}")))?;
        receipt.validate()?;
        Ok(receipt)
    }

    fn to_payload(&self) -> Vec<u8> {
        // Serializing strings, numbers and a timestamp cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Signs a checkpoint of `tree` at its current size, as the hub `log`.
pub fn sign_checkpoint(
    tree: &MerkleTree,
    log: &PartyId,
    time: jiff::Timestamp,
    keys: &SecretKeys,
) -> Envelope {
    Envelope::sign(&tree.checkpoint(log, time), keys)
}

/// Builds and signs, as the hub `log`, a receipt for the entry at `index` against a checkpoint of
/// `tree` at its current size. Fails with [`Reason::Malformed`] if the tree has no entry at
/// `index` (or only a raw leaf hash there).
pub fn issue_receipt(
    tree: &MerkleTree,
    log: &PartyId,
    index: u64,
    time: jiff::Timestamp,
    keys: &SecretKeys,
) -> Result<Envelope> {
    let receipt = tree.receipt(log, index, time)?;
    Ok(Envelope::sign(&receipt, keys))
}

impl Receipt {
    /// Adds the note: this receipt's checkpoint (its size and root) as a tlog-checkpoint of the
    /// log `origin`, signed by `log_key` (the hub's log key, named by the origin).
    pub fn with_note(mut self, log_key: &NoteSigner) -> Result<Self> {
        let text = CheckpointText {
            origin: log_key.verifier().name().to_owned(),
            size: self.checkpoint.size,
            root: self.checkpoint.root,
        }
        .to_text();
        let mut note = Note::new(&text)?;
        note.add(log_key.sign(&text)?)?;
        self.note = note.to_text();
        Ok(self)
    }

    /// The note's checkpoint, if the receipt carries a note: it must parse and state this
    /// receipt's checkpoint size and root (`bad-proof` otherwise). Checks no signature.
    fn note_checkpoint(&self) -> Result<Option<(Note, CheckpointText)>> {
        if self.note.is_empty() {
            return Ok(None);
        }
        let note = Note::parse(self.note.as_bytes())?;
        let cp = CheckpointText::parse(note.text())?;
        if cp.size != self.checkpoint.size || cp.root != self.checkpoint.root {
            return Err(bad_proof(format!(
                "the receipt's note states size {} and root {}, its checkpoint size {} and root {}",
                cp.size, cp.root, self.checkpoint.size, self.checkpoint.root
            )));
        }
        Ok(Some((note, cp)))
    }

    /// Verifies the receipt's note, if it carries one, against the log's note key (from the
    /// hub's published note keys): the log key's signature (`bad-signature`), the origin it names
    /// (`bad-proof`), and that it states the receipt's checkpoint size and root (`bad-proof`).
    /// Returns the note (`None` for a receipt without one).
    pub fn verify_note(&self, log_key: &NoteVerifier) -> Result<Option<Note>> {
        let Some((note, cp)) = self.note_checkpoint()? else {
            return Ok(None);
        };
        if cp.origin != log_key.name() {
            return Err(bad_proof(format!(
                "the receipt's note is for log {:?}, not {:?}",
                cp.origin,
                log_key.name()
            )));
        }
        note.verify(std::slice::from_ref(log_key))?;
        Ok(Some(note))
    }
}

/// [`issue_receipt`], with the checkpoint also as a C2SP signed note of the log `origin`, signed
/// by the log key derived from `keys` ([`NoteSigner::log`]).
pub fn issue_noted_receipt(
    tree: &MerkleTree,
    log: &PartyId,
    origin: &str,
    index: u64,
    time: jiff::Timestamp,
    keys: &SecretKeys,
) -> Result<Envelope> {
    let receipt = tree
        .receipt(log, index, time)?
        .with_note(&NoteSigner::log(keys, origin)?)?;
    Ok(Envelope::sign(&receipt, keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(s: &str) -> Digest {
        Digest::from_hex(s).unwrap()
    }

    fn hs(v: &[&str]) -> Vec<Digest> {
        v.iter().map(|s| h(s)).collect()
    }

    /// The eight leaves of the Certificate Transparency test data (raw bytes, not digests).
    fn ct_leaves() -> Vec<Vec<u8>> {
        vec![
            vec![],
            vec![0x00],
            vec![0x10],
            vec![0x20, 0x21],
            vec![0x30, 0x31],
            vec![0x40, 0x41, 0x42, 0x43],
            (0x50..0x58).collect(),
            (0x60..0x70).collect(),
        ]
    }

    fn ct_tree() -> MerkleTree {
        let mut tree = MerkleTree::new();
        for leaf in ct_leaves() {
            tree.push_leaf_hash(leaf_hash(&leaf));
        }
        tree
    }

    /// Distinct entries for property tests.
    fn entries(n: usize, seed: u64) -> Vec<Digest> {
        (0..n)
            .map(|i| Digest::of(format!("entry {seed} {i}").as_bytes()))
            .collect()
    }

    fn tree_of(entries: &[Digest]) -> MerkleTree {
        entries.iter().copied().collect()
    }

    /// A direct transcription of RFC 6962 §2.1 over slices of leaf hashes, as an oracle.
    mod naive {
        use super::super::*;

        fn k(n: usize) -> usize {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            k
        }

        pub fn mth(d: &[Digest]) -> Digest {
            match d.len() {
                0 => empty_root(),
                1 => d[0],
                n => node_hash(&mth(&d[..k(n)]), &mth(&d[k(n)..])),
            }
        }

        pub fn path(m: usize, d: &[Digest]) -> Vec<Digest> {
            let n = d.len();
            if n <= 1 {
                return vec![];
            }
            let k = k(n);
            let (mut p, x) = if m < k {
                (path(m, &d[..k]), mth(&d[k..]))
            } else {
                (path(m - k, &d[k..]), mth(&d[..k]))
            };
            p.push(x);
            p
        }

        pub fn subproof(m: usize, d: &[Digest], b: bool) -> Vec<Digest> {
            let n = d.len();
            if m == n {
                return if b { vec![] } else { vec![mth(d)] };
            }
            let k = k(n);
            let (mut p, x) = if m <= k {
                (subproof(m, &d[..k], b), mth(&d[k..]))
            } else {
                (subproof(m - k, &d[k..], false), mth(&d[..k]))
            };
            p.push(x);
            p
        }
    }

    #[test]
    fn empty_tree_root_is_sha256_of_nothing() {
        let tree = MerkleTree::new();
        assert!(tree.is_empty());
        assert_eq!(
            tree.root(),
            h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(tree.root_at(0).unwrap(), empty_root());
        assert_eq!(tree.root_at(1).unwrap_err().reason(), Reason::Malformed);
        assert_eq!(tree.consistency_proof(0, 0).unwrap(), vec![]);
        assert!(tree.inclusion_proof(0, 0).is_err());
    }

    #[test]
    fn ct_roots_for_every_size() {
        // Roots of the first 1..=8 leaves of the Certificate Transparency test data (recomputed
        // independently for this test; they match the CT Go and C++ test suites).
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let tree = ct_tree();
        assert_eq!(tree.len(), 8);
        assert_eq!(
            tree.root(),
            h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
        );
        let mut grown = MerkleTree::new();
        for (i, (leaf, root)) in ct_leaves().iter().zip(roots).enumerate() {
            grown.push_leaf_hash(leaf_hash(leaf));
            assert_eq!(grown.root(), h(root), "size {}", i + 1);
            assert_eq!(
                tree.root_at(i as u64 + 1).unwrap(),
                h(root),
                "size {}",
                i + 1
            );
        }
        // Leaves pushed as raw hashes have no entry.
        assert_eq!(tree.entry(0), None);
        assert_eq!(tree.leaf_hash_at(0), Some(leaf_hash(b"")));
    }

    #[test]
    fn ct_inclusion_vectors() {
        let tree = ct_tree();
        let leaves = ct_leaves();
        let cases: [(u64, u64, Vec<Digest>); 5] = [
            (0, 1, vec![]),
            (
                0,
                8,
                hs(&[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]),
            ),
            (
                5,
                8,
                hs(&[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]),
            ),
            (
                2,
                3,
                hs(&["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
            ),
            (
                1,
                5,
                hs(&[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]),
            ),
        ];
        for (index, size, path) in cases {
            assert_eq!(tree.inclusion_proof(index, size).unwrap(), path);
            let leaf = leaf_hash(&leaves[index as usize]);
            let root = tree.root_at(size).unwrap();
            verify_inclusion_hash(&leaf, index, size, &path, &root).unwrap();
        }
    }

    #[test]
    fn ct_consistency_vectors() {
        let tree = ct_tree();
        let cases: [(u64, u64, Vec<Digest>); 4] = [
            (1, 1, vec![]),
            (
                1,
                8,
                hs(&[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]),
            ),
            (
                6,
                8,
                hs(&[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]),
            ),
            (
                2,
                5,
                hs(&[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]),
            ),
        ];
        for (old, new, proof) in cases {
            assert_eq!(tree.consistency_proof(old, new).unwrap(), proof);
            let (r1, r2) = (tree.root_at(old).unwrap(), tree.root_at(new).unwrap());
            verify_consistency(old, new, &r1, &r2, &proof).unwrap();
        }
    }

    #[test]
    fn tree_matches_the_rfc_definitions_for_small_sizes() {
        let all = entries(40, 7);
        let tree = tree_of(&all);
        let hashes: Vec<Digest> = all.iter().map(|e| leaf_hash(&e.0)).collect();
        for n in 0..=all.len() {
            let d = &hashes[..n];
            assert_eq!(tree.root_at(n as u64).unwrap(), naive::mth(d), "root {n}");
            for m in 0..n {
                assert_eq!(
                    tree.inclusion_proof(m as u64, n as u64).unwrap(),
                    naive::path(m, d),
                    "path {m} {n}"
                );
            }
            for m in 1..=n {
                assert_eq!(
                    tree.consistency_proof(m as u64, n as u64).unwrap(),
                    naive::subproof(m, d, true),
                    "proof {m} {n}"
                );
            }
        }
    }

    #[test]
    fn tree_refuses_impossible_requests() {
        let tree = tree_of(&entries(5, 1));
        for (index, size) in [(5, 5), (0, 6), (3, 2), (u64::MAX, u64::MAX)] {
            let err = tree.inclusion_proof(index, size).unwrap_err();
            assert_eq!(err.reason(), Reason::Malformed);
        }
        for (old, new) in [(3, 2), (0, 6), (u64::MAX, 5), (5, u64::MAX)] {
            let err = tree.consistency_proof(old, new).unwrap_err();
            assert_eq!(err.reason(), Reason::Malformed);
        }
        assert_eq!(tree.consistency_proof(0, 5).unwrap(), vec![]);
        assert_eq!(tree.consistency_proof(5, 5).unwrap(), vec![]);
    }

    #[test]
    fn consistency_edge_cases() {
        let tree = tree_of(&entries(9, 2));
        let root = tree.root();
        let other = tree.root_at(8).unwrap();
        let bad = |r: Result<()>| assert_eq!(r.unwrap_err().reason(), Reason::BadProof);
        // Equal sizes: empty proof and equal roots only.
        verify_consistency(9, 9, &root, &root, &[]).unwrap();
        bad(verify_consistency(9, 9, &root, &other, &[]));
        bad(verify_consistency(9, 9, &root, &root, &[root]));
        // From the empty tree: empty proof, and the old root must be SHA-256().
        verify_consistency(0, 9, &empty_root(), &root, &[]).unwrap();
        verify_consistency(0, 0, &empty_root(), &empty_root(), &[]).unwrap();
        bad(verify_consistency(0, 0, &root, &root, &[]));
        bad(verify_consistency(0, 9, &other, &root, &[]));
        bad(verify_consistency(0, 9, &empty_root(), &root, &[root]));
        // Shrinking, and an empty proof where one is needed.
        bad(verify_consistency(9, 8, &root, &other, &[]));
        bad(verify_consistency(8, 9, &other, &root, &[]));
        bad(verify_consistency(
            4,
            9,
            &tree.root_at(4).unwrap(),
            &root,
            &[],
        ));
        // Inclusion in an empty tree, or past the end.
        bad(verify_inclusion(
            &entries(1, 2)[0],
            0,
            0,
            &[],
            &empty_root(),
        ));
        bad(verify_inclusion(&entries(1, 2)[0], 9, 9, &[], &root));
    }

    #[test]
    fn extra_and_missing_elements_are_refused_by_length() {
        // The sn checks of RFC 9162 refuse a wrong-length proof before any root is compared.
        let all = entries(11, 12);
        let tree = tree_of(&all);
        let root = tree.root();
        let detail = |r: Result<()>| r.unwrap_err().detail().to_owned();
        for index in [0u64, 5, 10] {
            let entry = all[index as usize];
            let proof = tree.inclusion_proof(index, 11).unwrap();
            let mut longer = proof.clone();
            longer.push(root);
            let d = detail(verify_inclusion(&entry, index, 11, &longer, &root));
            assert!(d.contains("too many"), "{d}");
            let shorter = &proof[..proof.len() - 1];
            let d = detail(verify_inclusion(&entry, index, 11, shorter, &root));
            assert!(d.contains("too few"), "{d}");
        }
        for old in [3u64, 4, 7] {
            let r1 = tree.root_at(old).unwrap();
            let proof = tree.consistency_proof(old, 11).unwrap();
            let mut longer = proof.clone();
            longer.push(root);
            let d = detail(verify_consistency(old, 11, &r1, &root, &longer));
            assert!(d.contains("too many"), "{d}");
            let shorter = &proof[..proof.len() - 1];
            let d = detail(verify_consistency(old, 11, &r1, &root, shorter));
            assert!(d.contains("too few"), "{d}");
        }
    }

    #[test]
    fn large_tree_proofs() {
        // Not a power of two, with a long right edge; proofs at several earlier sizes.
        let n = 100_003u64;
        let tree: MerkleTree = (0..n).map(|i| Digest::of(&i.to_be_bytes())).collect();
        let root = tree.root();
        for index in [0, 1, 65_535, 65_536, 99_999, n - 1] {
            let entry = tree.entry(index).unwrap();
            let proof = tree.inclusion_proof(index, n).unwrap();
            assert!(proof.len() <= 17);
            verify_inclusion(&entry, index, n, &proof, &root).unwrap();
        }
        for old in [1, 2, 3, 1000, 65_536, 65_537, 99_999, n] {
            let proof = tree.consistency_proof(old, n).unwrap();
            verify_consistency(old, n, &tree.root_at(old).unwrap(), &root, &proof).unwrap();
        }
    }

    fn hub() -> (SecretKeys, PartyId) {
        (
            SecretKeys::generate().unwrap(),
            PartyId::new("national").unwrap(),
        )
    }

    fn at() -> jiff::Timestamp {
        "2025-06-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn checkpoint_round_trip() {
        let (keys, log) = hub();
        let tree = tree_of(&entries(13, 3));
        let env = sign_checkpoint(&tree, &log, at(), &keys);
        assert_eq!(env.payload_type(), CHECKPOINT_PAYLOAD_TYPE);
        let parsed = Envelope::from_json(&env.to_json()).unwrap();
        let cp: Checkpoint = parsed.open_document(&keys.public_key()).unwrap();
        assert_eq!(cp, tree.checkpoint(&log, at()));
        assert_eq!((cp.size, cp.root, cp.time), (13, tree.root(), at()));
        // The wire form is plain JSON with an RFC 3339 time.
        let json: serde_json::Value = serde_json::from_slice(&cp.to_payload()).unwrap();
        assert_eq!(json["schema"], CHECKPOINT_SCHEMA);
        assert_eq!(json["time"], "2025-06-01T12:00:00Z");
        assert_eq!(json["root"], tree.root().to_hex());
        // Another key does not open it; a receipt is not a checkpoint.
        let other = SecretKeys::generate().unwrap();
        assert_eq!(
            parsed
                .open_document::<Checkpoint>(&other.public_key())
                .unwrap_err()
                .reason(),
            Reason::BadSignature
        );
        assert_eq!(
            parsed
                .open_document::<Receipt>(&keys.public_key())
                .unwrap_err()
                .reason(),
            Reason::WrongPayloadType
        );
    }

    #[test]
    fn checkpoint_payload_is_strict() {
        let tree = tree_of(&entries(2, 4));
        let cp = tree.checkpoint(&PartyId::new("hub-a").unwrap(), at());
        let mut v: serde_json::Value = serde_json::from_slice(&cp.to_payload()).unwrap();
        let parse =
            |v: &serde_json::Value| Checkpoint::from_payload(&serde_json::to_vec(v).unwrap());
        assert_eq!(parse(&v).unwrap(), cp);

        let mut wrong = v.clone();
        wrong["schema"] = "shopfloor.checkpoint.v2".into();
        assert_eq!(
            parse(&wrong).unwrap_err().reason(),
            Reason::UnsupportedSchema
        );
        wrong["schema"] = "shopfloor.report.v1".into();
        assert_eq!(
            parse(&wrong).unwrap_err().reason(),
            Reason::UnsupportedSchema
        );

        let mut extra = v.clone();
        extra["extra"] = 1.into();
        assert_eq!(parse(&extra).unwrap_err().reason(), Reason::Malformed);

        let mut empty = v.clone();
        empty["size"] = 0.into();
        assert_eq!(parse(&empty).unwrap_err().reason(), Reason::BadProof);
        empty["root"] = empty_root().to_hex().into();
        parse(&empty).unwrap();

        v["root"] = "00".into();
        assert_eq!(parse(&v).unwrap_err().reason(), Reason::Malformed);
        assert_eq!(
            Checkpoint::from_payload(b"not json").unwrap_err().reason(),
            Reason::Malformed
        );
    }

    #[test]
    fn checkpoint_consistency_between_signed_heads() {
        let log = PartyId::new("national").unwrap();
        let mut tree = tree_of(&entries(6, 5));
        let old = tree.checkpoint(&log, at());
        tree.extend(entries(5, 6));
        let new = tree.checkpoint(&log, at());
        let proof = tree.consistency_proof(6, 11).unwrap();
        old.verify_consistency(&new, &proof).unwrap();
        assert!(new.verify_consistency(&old, &proof).is_err());
        let mut foreign = new.clone();
        foreign.log = PartyId::new("regional-x").unwrap();
        assert_eq!(
            old.verify_consistency(&foreign, &proof)
                .unwrap_err()
                .reason(),
            Reason::BadProof
        );
    }

    #[test]
    fn receipts_round_trip_and_verify() {
        let (keys, log) = hub();
        let all = entries(21, 8);
        let tree = tree_of(&all);
        for (i, entry) in all.iter().enumerate() {
            let env = issue_receipt(&tree, &log, i as u64, at(), &keys).unwrap();
            assert_eq!(env.payload_type(), RECEIPT_PAYLOAD_TYPE);
            let parsed = Envelope::from_json(&env.to_json()).unwrap();
            let receipt: Receipt = parsed.open_document(&keys.public_key()).unwrap();
            receipt.verify().unwrap();
            assert_eq!(receipt.entry, *entry);
            assert_eq!(receipt.index, i as u64);
            assert_eq!(receipt.checkpoint, tree.checkpoint(&log, at()));
            assert_eq!(receipt, tree.receipt(&log, i as u64, at()).unwrap());
        }
        assert_eq!(
            issue_receipt(&tree, &log, 21, at(), &keys)
                .unwrap_err()
                .reason(),
            Reason::Malformed
        );
        // A tree of raw leaf hashes knows no entries to issue receipts for.
        assert!(issue_receipt(&ct_tree(), &log, 0, at(), &keys).is_err());
    }

    #[test]
    fn tampered_receipts_fail() {
        let log = PartyId::new("national").unwrap();
        let tree = tree_of(&entries(10, 9));
        let good = tree.receipt(&log, 6, at()).unwrap();
        good.verify().unwrap();
        let reason = |r: &Receipt| r.verify().unwrap_err().reason();

        let mut r = good.clone();
        r.index = 7;
        assert_eq!(reason(&r), Reason::BadProof);
        let mut r = good.clone();
        r.entry = entries(1, 10)[0];
        assert_eq!(reason(&r), Reason::BadProof);
        let mut r = good.clone();
        r.inclusion[1].0[0] ^= 1;
        assert_eq!(reason(&r), Reason::BadProof);
        let mut r = good.clone();
        r.inclusion.pop();
        assert_eq!(reason(&r), Reason::BadProof);
        let mut r = good.clone();
        r.checkpoint.root.0[31] ^= 0x80;
        assert_eq!(reason(&r), Reason::BadProof);
        let mut r = good.clone();
        r.index = 10;
        assert_eq!(reason(&r), Reason::Malformed);
        let mut r = good.clone();
        r.log = PartyId::new("other").unwrap();
        assert_eq!(reason(&r), Reason::Malformed);
        let mut r = good.clone();
        r.inclusion = vec![Digest([0; 32]); MAX_PROOF_LEN + 1];
        assert_eq!(reason(&r), Reason::Malformed);
        let mut r = good.clone();
        r.checkpoint.schema = "shopfloor.checkpoint.v9".to_owned();
        assert_eq!(reason(&r), Reason::UnsupportedSchema);
        let mut r = good;
        r.schema = "shopfloor.receipt.v2".to_owned();
        assert_eq!(reason(&r), Reason::UnsupportedSchema);
        assert_eq!(
            Receipt::from_payload(&r.to_payload()).unwrap_err().reason(),
            Reason::UnsupportedSchema
        );
    }

    #[test]
    fn receipt_payload_is_strict() {
        let tree = tree_of(&entries(3, 11));
        let receipt = tree
            .receipt(&PartyId::new("national").unwrap(), 2, at())
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&receipt.to_payload()).unwrap();
        let parse = |v: &serde_json::Value| Receipt::from_payload(&serde_json::to_vec(v).unwrap());
        assert_eq!(parse(&v).unwrap(), receipt);
        let mut extra = v.clone();
        extra["checkpoint"]["note"] = "hi".into();
        assert_eq!(parse(&extra).unwrap_err().reason(), Reason::Malformed);
        let mut missing = v.clone();
        missing.as_object_mut().unwrap().remove("inclusion");
        assert_eq!(parse(&missing).unwrap_err().reason(), Reason::Malformed);
        let mut nested = v;
        nested["checkpoint"]["schema"] = "shopfloor.checkpoint.v2".into();
        assert_eq!(
            parse(&nested).unwrap_err().reason(),
            Reason::UnsupportedSchema
        );
    }

    #[test]
    fn receipts_carry_the_note_and_old_receipts_keep_their_bytes() {
        let (keys, log) = hub();
        let tree = tree_of(&entries(9, 12));
        let plain = tree.receipt(&log, 4, at()).unwrap();
        // Without a note, the wire form has no `note` field: old receipts keep their bytes.
        let v: serde_json::Value = serde_json::from_slice(&plain.to_payload()).unwrap();
        assert!(v.get("note").is_none());
        assert_eq!(plain.verify_note(&log_verifier(&keys)).unwrap(), None);

        let env = issue_noted_receipt(&tree, &log, "example.org/log", 4, at(), &keys).unwrap();
        let receipt: Receipt = env.open_document(&keys.public_key()).unwrap();
        receipt.verify().unwrap();
        let signer = NoteSigner::log(&keys, "example.org/log").unwrap();
        let note = receipt.verify_note(signer.verifier()).unwrap().unwrap();
        let cp = CheckpointText::parse(note.text()).unwrap();
        assert_eq!((cp.size, cp.root), (9, tree.root()));
        assert_eq!(cp.origin, "example.org/log");

        // Another log key, another origin, a changed note: each refused with its reason.
        let other = NoteSigner::log(&SecretKeys::generate().unwrap(), "example.org/log").unwrap();
        assert_eq!(
            receipt.verify_note(other.verifier()).unwrap_err().reason(),
            Reason::BadSignature
        );
        let renamed = NoteSigner::log(&keys, "example.org/other").unwrap();
        assert_eq!(
            receipt
                .verify_note(renamed.verifier())
                .unwrap_err()
                .reason(),
            Reason::BadProof
        );
        // A note of another size does not match the receipt's checkpoint.
        let mut r = receipt.clone();
        r.note = r.note.replacen("\n9\n", "\n10\n", 1);
        assert_eq!(r.verify().unwrap_err().reason(), Reason::BadProof);
        let mut r = receipt;
        r.note = "not a note".into();
        assert_eq!(r.verify().unwrap_err().reason(), Reason::Malformed);
    }

    fn log_verifier(keys: &SecretKeys) -> NoteVerifier {
        NoteSigner::log(keys, "example.org/log")
            .unwrap()
            .verifier()
            .clone()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn every_inclusion_proof_verifies_and_tampering_fails(
            n in 1usize..200,
            seed in any::<u64>(),
            size_pick in any::<prop::sample::Index>(),
            flip in any::<(prop::sample::Index, usize, u8)>(),
        ) {
            let all = entries(n, seed);
            let tree = tree_of(&all);
            let size = 1 + size_pick.index(n) as u64;
            let root = tree.root_at(size).unwrap();
            for index in 0..size {
                let entry = all[index as usize];
                let proof = tree.inclusion_proof(index, size).unwrap();
                prop_assert!(verify_inclusion(&entry, index, size, &proof, &root).is_ok());
                // Another index with the same proof.
                for other in 0..size {
                    if other != index {
                        prop_assert!(verify_inclusion(&entry, other, size, &proof, &root).is_err());
                    }
                }
                // Another entry, another root.
                let next = all[(index as usize + 1) % n];
                if next != entry {
                    prop_assert!(verify_inclusion(&next, index, size, &proof, &root).is_err());
                }
                let mut bad_root = root;
                bad_root.0[flip.1 % 32] ^= flip.2 | 1;
                prop_assert!(verify_inclusion(&entry, index, size, &proof, &bad_root).is_err());
                if !proof.is_empty() {
                    // A flipped byte, a missing element, a doubled element.
                    let mut p = proof.clone();
                    p[flip.0.index(proof.len())].0[flip.1 % 32] ^= flip.2 | 1;
                    prop_assert!(verify_inclusion(&entry, index, size, &p, &root).is_err());
                    let mut p = proof.clone();
                    p.pop();
                    prop_assert!(verify_inclusion(&entry, index, size, &p, &root).is_err());
                    let mut p = proof.clone();
                    p.remove(0);
                    prop_assert!(verify_inclusion(&entry, index, size, &p, &root).is_err());
                }
                let mut p = proof.clone();
                p.push(root);
                prop_assert!(verify_inclusion(&entry, index, size, &p, &root).is_err());
                let mut p = proof;
                p.insert(0, entry);
                prop_assert!(verify_inclusion(&entry, index, size, &p, &root).is_err());
            }
        }

        #[test]
        fn every_consistency_proof_verifies_and_tampering_fails(
            n in 1usize..200,
            seed in any::<u64>(),
            sizes in any::<(prop::sample::Index, prop::sample::Index)>(),
            flip in any::<(prop::sample::Index, usize, u8)>(),
        ) {
            let tree = tree_of(&entries(n, seed));
            let a = sizes.0.index(n + 1) as u64;
            let b = sizes.1.index(n + 1) as u64;
            let (old, new) = (a.min(b), a.max(b));
            let (r1, r2) = (tree.root_at(old).unwrap(), tree.root_at(new).unwrap());
            let proof = tree.consistency_proof(old, new).unwrap();
            prop_assert!(verify_consistency(old, new, &r1, &r2, &proof).is_ok());
            prop_assert_eq!(proof.is_empty(), old == 0 || old == new);

            let mut bad = r1;
            bad.0[flip.1 % 32] ^= flip.2 | 1;
            prop_assert!(verify_consistency(old, new, &bad, &r2, &proof).is_err());
            if old > 0 {
                // From the empty tree, any new root is consistent.
                let mut bad = r2;
                bad.0[flip.1 % 32] ^= flip.2 | 1;
                prop_assert!(verify_consistency(old, new, &r1, &bad, &proof).is_err());
            }
            if !proof.is_empty() {
                let mut p = proof.clone();
                p[flip.0.index(proof.len())].0[flip.1 % 32] ^= flip.2 | 1;
                prop_assert!(verify_consistency(old, new, &r1, &r2, &p).is_err());
                let mut p = proof.clone();
                p.pop();
                prop_assert!(verify_consistency(old, new, &r1, &r2, &p).is_err());
                let mut p = proof.clone();
                p.remove(0);
                prop_assert!(verify_consistency(old, new, &r1, &r2, &p).is_err());
            }
            let mut p = proof.clone();
            p.push(r2);
            prop_assert!(verify_consistency(old, new, &r1, &r2, &p).is_err());
            let mut p = proof;
            p.insert(0, r1);
            prop_assert!(verify_consistency(old, new, &r1, &r2, &p).is_err());
        }

        #[test]
        fn arbitrary_proofs_never_panic(
            index in any::<u64>(),
            size in prop_oneof![any::<u64>(), 0u64..300, Just(u64::MAX), Just(1u64 << 63)],
            old in prop_oneof![any::<u64>(), 0u64..300, Just(u64::MAX)],
            proof in prop::collection::vec(any::<[u8; 32]>().prop_map(Digest), 0..80),
            root in any::<[u8; 32]>().prop_map(Digest),
            other in any::<[u8; 32]>().prop_map(Digest),
        ) {
            // Random proofs essentially never verify; the point is that nothing panics.
            let _ = verify_inclusion(&other, index, size, &proof, &root);
            let _ = verify_inclusion(&other, index % size.max(1), size, &proof, &root);
            let _ = verify_consistency(old, size, &other, &root, &proof);
            let _ = verify_consistency(old % size.max(1), size, &other, &root, &proof);
            let tree = tree_of(&entries((index % 40) as usize, old));
            let _ = tree.inclusion_proof(index % 50, size % 50);
            let _ = tree.inclusion_proof(index, size);
            let _ = tree.consistency_proof(old % 50, size % 50);
            let _ = tree.consistency_proof(old, size);
            let _ = tree.root_at(size);
        }
    }
}
