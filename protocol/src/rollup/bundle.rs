//! Bundles: a signed document with the chain that authenticates its signer and, for a rollup,
//! every document the rollup tree binds, flat.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::{BUNDLE_SCHEMA, BUNDLE_SCHEMA_V1, Tree};
use crate::envelope::{Digest, Envelope, MAX_BUNDLE_BYTES};
use crate::error::{Error, Reason, Result};
use crate::threshold::JointKey;

/// Signed documents by digest: what a bundle carries beside its rollup, or what a hub holds.
/// Each document is hashed once, when it is added.
#[derive(Clone, Debug, Default)]
pub struct Documents {
    by_digest: HashMap<Digest, Envelope>,
    /// Joint keys that chapter reports' encrypted cells may be encrypted to, by id.
    joint_keys: BTreeMap<Digest, JointKey>,
}

impl Documents {
    /// No documents.
    pub fn new() -> Self {
        Documents::default()
    }

    /// Adds a document (a second copy of the same one is ignored) and returns its digest.
    pub fn insert(&mut self, envelope: Envelope) -> Digest {
        let digest = envelope.digest();
        self.by_digest.entry(digest).or_insert(envelope);
        digest
    }

    /// The documents of a bundle, refusing one that appears twice.
    pub fn from_envelopes(envelopes: Vec<Envelope>) -> Result<Self> {
        let digests = digests(&envelopes);
        let mut by_digest = HashMap::with_capacity(envelopes.len());
        for (digest, envelope) in digests.into_iter().zip(envelopes) {
            if by_digest.insert(digest, envelope).is_some() {
                return Err(Error::malformed(format!(
                    "document {digest} appears twice in the bundle"
                )));
            }
        }
        Ok(Documents {
            by_digest,
            joint_keys: BTreeMap::new(),
        })
    }

    /// Adds a joint key that reports' encrypted cells may name (verification refuses encrypted
    /// cells under a key it was not given: `unknown-joint-key`). A key is its own id's proof: a
    /// report names the id, which is a hash of the whole key.
    pub fn add_joint_key(&mut self, key: JointKey) {
        self.joint_keys.insert(key.id(), key);
    }

    /// The joint key with this id, if it was added.
    pub fn joint_key(&self, id: &Digest) -> Option<&JointKey> {
        self.joint_keys.get(id)
    }

    /// Every joint key added, in id order.
    pub fn joint_keys(&self) -> impl Iterator<Item = &JointKey> {
        self.joint_keys.values()
    }

    /// The document with this digest.
    pub fn get(&self, digest: &Digest) -> Option<&Envelope> {
        self.by_digest.get(digest)
    }

    /// How many documents.
    pub fn len(&self) -> usize {
        self.by_digest.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty()
    }

    /// Adds every document of `other`, without hashing them again.
    pub fn extend(&mut self, other: Documents) {
        for (digest, envelope) in other.by_digest {
            self.by_digest.entry(digest).or_insert(envelope);
        }
        self.joint_keys.extend(other.joint_keys);
    }

    /// Every digest held.
    pub fn digests(&self) -> impl Iterator<Item = &Digest> {
        self.by_digest.keys()
    }
}

/// Every envelope's digest, in order; a bundle's many documents are hashed on every core.
fn digests(envelopes: &[Envelope]) -> Vec<Digest> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads < 2 || envelopes.len() < 16 {
        return envelopes.iter().map(Envelope::digest).collect();
    }
    let chunk = envelopes.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = envelopes
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(Envelope::digest).collect::<Vec<_>>()))
            .collect();
        let mut out = Vec::with_capacity(envelopes.len());
        for (handle, part) in handles.into_iter().zip(envelopes.chunks(chunk)) {
            match handle.join() {
                Ok(v) => out.extend(v),
                // Hashing does not panic; were it to, hash this part here instead.
                Err(_) => out.extend(part.iter().map(Envelope::digest)),
            }
        }
        out
    })
}

/// A signed document together with the certificate chain that authenticates its signer, any
/// revocation lists the verifier should apply, and (v2) every document a rollup tree binds,
/// flat: each signed document once. This is the file `shopfloor-hub rollup --out` writes,
/// `shopfloor-hub verify` reads, and a regional hub forwards (sealed) to national.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_SCHEMA`], or [`BUNDLE_SCHEMA_V1`] for a bundle written before v2.
    pub schema: String,
    /// The signed document (a rollup, a report or a certificate).
    pub document: Envelope,
    /// Certificates from the root down to the signer; empty when the root signed.
    pub chain: Vec<Envelope>,
    /// Revocation lists (each signed by the root or a hub in the chain).
    #[serde(default)]
    pub revocations: Vec<Envelope>,
    /// Every certificate and document the rollup tree below `document` binds, in digest order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Envelope>,
    /// The joint keys the tree's encrypted cells are encrypted to (docs/protocol.md §17.4), in
    /// id order; absent when none is. Unsigned: each is bound by the id the signed reports name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint_keys: Vec<JointKey>,
    /// The witnessed checkpoints of the logs that accepted what the tree binds (docs/protocol.md
    /// §18.6): the publishing hub's and its regional children's; absent when none is carried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnessed: Vec<super::witnessed::WitnessedLog>,
}

impl Bundle {
    /// A bundle carrying no tree (a report, a certificate, or a rollup whose children a hub will
    /// look up itself).
    pub fn new(document: Envelope, chain: Vec<Envelope>, revocations: Vec<Envelope>) -> Self {
        Bundle {
            schema: BUNDLE_SCHEMA.to_owned(),
            document,
            chain,
            revocations,
            documents: Vec::new(),
            joint_keys: Vec::new(),
            witnessed: Vec::new(),
        }
    }

    /// A rollup's bundle: the documents are exactly those `tree` verified, taken from `pool`.
    pub fn for_tree(
        document: Envelope,
        chain: Vec<Envelope>,
        revocations: Vec<Envelope>,
        tree: &Tree,
        pool: &Documents,
    ) -> Result<Self> {
        let mut digests = tree.digests();
        digests.sort();
        let documents = digests
            .iter()
            .map(|d| {
                pool.get(d).cloned().ok_or_else(|| {
                    Error::new(
                        Reason::ApiMisuse,
                        format!("document {d} of the tree is not in the pool"),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut keys: BTreeSet<Digest> = BTreeSet::new();
        for node in &tree.nodes {
            if let super::Content::Report(r) = &node.content
                && let Some(id) = r.joint_key
            {
                keys.insert(id);
            }
        }
        let joint_keys = keys
            .iter()
            .filter_map(|id| pool.joint_key(id).cloned())
            .collect();
        Ok(Bundle {
            documents,
            joint_keys,
            ..Bundle::new(document, chain, revocations)
        })
    }

    /// Parses a bundle from JSON received from someone else (at most [`MAX_BUNDLE_BYTES`]).
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        Bundle::from_json_limited(bytes, MAX_BUNDLE_BYTES)
    }

    /// Parses a bundle from JSON of at most `limit` bytes
    /// ([`crate::envelope::MAX_STORED_BYTES`] for a hub's own files).
    pub fn from_json_limited(bytes: &[u8], limit: usize) -> Result<Self> {
        if bytes.len() > limit {
            return Err(Error::malformed(format!(
                "bundle larger than {} MiB",
                limit / (1024 * 1024)
            )));
        }
        let v1 = crate::report::check_schema(bytes, "shopfloor.bundle.", BUNDLE_SCHEMA_V1).is_ok();
        if !v1 {
            crate::report::check_schema(bytes, "shopfloor.bundle.", BUNDLE_SCHEMA)?;
        }
        let bundle: Bundle =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("bundle: {e}")))?;
        if v1 && !bundle.documents.is_empty() {
            return Err(Error::malformed(
                "a bundle v1 carries no documents: its rollup embeds them",
            ));
        }
        Ok(bundle)
    }

    /// Compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Writes compact JSON to `w` without building it in memory first.
    pub fn write_json<W: std::io::Write>(&self, w: W) -> std::io::Result<()> {
        serde_json::to_writer(w, self).map_err(std::io::Error::other)
    }
}
