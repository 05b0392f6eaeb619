//! Witnessed logs in a bundle (docs/protocol.md §18.6): the signed checkpoints, with their
//! witnesses' cosignatures, of the logs whose entries a rollup bundle relies on, and the check
//! `shopfloor-hub verify --witness … --witness-quorum N` makes of them.
//!
//! A rollup binds its children's documents, and the hub that built it accepted each of them into
//! its transparency log. A bundle may carry, for each such hub, a [`WitnessedLog`]: the hub's
//! note keys (signed by its card key), its log's checkpoint as a C2SP signed note with the
//! cosignatures it had gathered, and an inclusion proof, at that checkpoint, of each document its
//! rollup binds. The check runs after the bundle's ordinary verification succeeded, so every card
//! and document it reads is already authenticated.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Bundle, MAX_CHILDREN, Rollup};
use crate::cert::Certificate;
use crate::envelope::{Digest, Document as _, Envelope};
use crate::error::{Error, Reason, Result};
use crate::identity::{Card, PartyId};
use crate::log::{MAX_PROOF_LEN, verify_inclusion};
use crate::note::{CheckpointText, Note, NoteKeys, NoteVerifier, TYPE_COSIGNATURE_V1};

/// How deep a tree the check descends (national, regions, and room to spare).
const MAX_DEPTH: usize = 8;

/// One log's witnessed checkpoint as a bundle carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessedLog {
    /// The hub that keeps the log.
    pub log: PartyId,
    /// Its note keys (`shopfloor.note-keys.v1`), signed by its card key.
    pub keys: Envelope,
    /// The log's checkpoint as a C2SP signed note: the log key's signature and the cosignatures
    /// the hub held for that size.
    pub note: String,
    /// Inclusion proofs, at the note's size, of the documents the hub's rollup binds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<LogEntry>,
}

/// An entry of a log and its inclusion proof at the size of the log's note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// The document's envelope digest.
    pub entry: Digest,
    /// Its index in the log.
    pub index: u64,
    /// The RFC 6962 audit path to the note's root.
    pub inclusion: Vec<Digest>,
}

/// Which witnesses' cosignatures count, and how many each checkpoint needs.
#[derive(Clone, Debug, Default)]
pub struct WitnessPolicy {
    /// The witnesses' cosigner keys (type 0x04).
    pub witnesses: Vec<NoteVerifier>,
    /// How many of them must have cosigned each checkpoint.
    pub quorum: usize,
}

impl WitnessPolicy {
    /// A policy from vkeys: each must be a cosigner key, and the quorum at most their number.
    pub fn new(vkeys: &[String], quorum: usize) -> Result<Self> {
        let mut witnesses = Vec::with_capacity(vkeys.len());
        for vkey in vkeys {
            let v = NoteVerifier::from_vkey(vkey)?;
            if v.kind() != TYPE_COSIGNATURE_V1 {
                return Err(Error::new(
                    Reason::BadKey,
                    format!("{vkey} is not a witness's cosigner key (type 0x04)"),
                ));
            }
            witnesses.push(v);
        }
        if quorum > witnesses.len() {
            return Err(Error::new(
                Reason::ApiMisuse,
                format!(
                    "a quorum of {quorum} cannot be met by {} witness keys",
                    witnesses.len()
                ),
            ));
        }
        Ok(WitnessPolicy { witnesses, quorum })
    }
}

impl WitnessedLog {
    /// Checks this as the log of the hub `card`, whose rollup binds the documents `required`:
    /// the note keys are signed by the card (and name the log's origin), the note by the log key;
    /// at least `policy.quorum` of the policy's witnesses (never the log's own witness key) made
    /// a cosignature that verifies, and none that fails; each required document has an inclusion
    /// proof at the note's size. Returns every failure, each with its reason.
    pub fn check(&self, card: &Card, required: &[Digest], policy: &WitnessPolicy) -> Vec<Error> {
        let what = format!("the log of {}", card.id);
        match self.check_inner(card, required, policy) {
            Ok(errors) => errors.into_iter().map(|e| e.context(&what)).collect(),
            Err(e) => vec![e.context(&what)],
        }
    }

    fn check_inner(
        &self,
        card: &Card,
        required: &[Digest],
        policy: &WitnessPolicy,
    ) -> Result<Vec<Error>> {
        if self.log != card.id {
            return Err(Error::malformed(format!(
                "a checkpoint of {}'s log where {}'s was expected",
                self.log, card.id
            )));
        }
        let keys = NoteKeys::open(&self.keys, card)?;
        let log_key = NoteVerifier::from_vkey(&keys.log)?;
        let note = Note::parse(self.note.as_bytes())?;
        note.verify(std::slice::from_ref(&log_key))?;
        let cp = CheckpointText::parse(note.text())?;
        if cp.origin != keys.origin {
            return Err(Error::new(
                Reason::BadProof,
                format!(
                    "the checkpoint is of origin {:?}, the note keys name {:?}",
                    cp.origin, keys.origin
                ),
            ));
        }
        let mut errors = Vec::new();
        let mut cosigned = 0usize;
        for w in &policy.witnesses {
            // A log cannot witness itself.
            if w.vkey() == keys.witness {
                continue;
            }
            let signed = note
                .signatures()
                .iter()
                .any(|s| s.name == w.name() && s.id == w.id());
            if !signed {
                continue;
            }
            match note.verify(std::slice::from_ref(w)) {
                Ok(_) => cosigned += 1,
                Err(_) => errors.push(Error::new(
                    Reason::BadSignature,
                    format!(
                        "the cosignature of witness {} on the checkpoint of size {} does not verify",
                        w.name(),
                        cp.size
                    ),
                )),
            }
        }
        if cosigned < policy.quorum {
            errors.push(Error::new(
                Reason::Unwitnessed,
                format!(
                    "its checkpoint of size {} carries {cosigned} valid cosignatures of the {} required",
                    cp.size, policy.quorum
                ),
            ));
        }
        if self.entries.len() > MAX_CHILDREN {
            return Err(Error::malformed(format!(
                "{} log entries (at most {MAX_CHILDREN})",
                self.entries.len()
            )));
        }
        let by_entry: HashMap<&Digest, &LogEntry> =
            self.entries.iter().map(|e| (&e.entry, e)).collect();
        for d in required {
            let Some(e) = by_entry.get(d) else {
                errors.push(Error::new(
                    Reason::Unwitnessed,
                    format!("document {d} is not shown to be in the witnessed checkpoint"),
                ));
                continue;
            };
            if e.inclusion.len() > MAX_PROOF_LEN {
                errors.push(Error::malformed(format!(
                    "an inclusion proof of {} hashes (at most {MAX_PROOF_LEN})",
                    e.inclusion.len()
                )));
                continue;
            }
            if let Err(err) = verify_inclusion(&e.entry, e.index, cp.size, &e.inclusion, &cp.root) {
                errors.push(err.context(format!("document {d}")));
            }
        }
        Ok(errors)
    }
}

/// The certificates and rollups of a bundle by digest, taken before its documents are hashed
/// into the verification pool: what the witness check descends through.
pub(super) struct Side(HashMap<Digest, Envelope>);

impl Side {
    pub(super) fn collect(bundle: &Bundle) -> Side {
        Side(
            bundle
                .documents
                .iter()
                .filter(|e| {
                    matches!(
                        e.payload_type(),
                        Certificate::PAYLOAD_TYPE
                            | Rollup::PAYLOAD_TYPE
                            | super::legacy::RollupV1::PAYLOAD_TYPE
                    )
                })
                .map(|e| (e.digest(), e.clone()))
                .collect(),
        )
    }
}

/// The signer the bundle's chain names (the root itself for an empty chain). Only called after
/// the bundle verified, so each certificate opens with the card before it.
fn signer(bundle: &Bundle, root: &Card) -> Option<Card> {
    let mut card = root.clone();
    for env in &bundle.chain {
        card = env
            .open_document::<Certificate>(&card.signing_key)
            .ok()?
            .subject;
    }
    Some(card)
}

/// Checks the witnessed logs of a verified bundle: for the hub that signed its rollup and each
/// regional hub below, the log that accepted the documents its rollup binds.
pub(super) fn check_bundle(
    bundle: &Bundle,
    logs: &[WitnessedLog],
    side: &Side,
    root: &Card,
    policy: &WitnessPolicy,
) -> Vec<Error> {
    let mut errors = Vec::new();
    if !matches!(bundle.document.payload_type(), Rollup::PAYLOAD_TYPE) {
        if bundle.document.payload_type() == super::legacy::RollupV1::PAYLOAD_TYPE {
            errors.push(Error::new(
                Reason::Unwitnessed,
                "a legacy (v1) rollup's bundle carries no witnessed checkpoints",
            ));
        }
        // A report or a certificate is in no log this bundle relies on.
        return errors;
    }
    let Some(card) = signer(bundle, root) else {
        return vec![Error::new(
            Reason::UntrustedChain,
            "the chain does not open",
        )];
    };
    walk(&card, &bundle.document, logs, side, policy, 0, &mut errors);
    errors
}

fn walk(
    hub: &Card,
    document: &Envelope,
    logs: &[WitnessedLog],
    side: &Side,
    policy: &WitnessPolicy,
    depth: usize,
    errors: &mut Vec<Error>,
) {
    if depth > MAX_DEPTH {
        errors.push(Error::malformed("the tree is deeper than a federation"));
        return;
    }
    let rollup: Rollup = match document.open_document(&hub.signing_key) {
        Ok(r) => r,
        Err(e) => {
            errors.push(e.context(format!("the rollup of {}", hub.id)));
            return;
        }
    };
    if rollup.children.is_empty() {
        return;
    }
    let required: Vec<Digest> = rollup.children.iter().map(|c| c.document).collect();
    match logs.iter().find(|l| l.log == hub.id) {
        Some(log) => errors.extend(log.check(hub, &required, policy)),
        None => errors.push(Error::new(
            Reason::Unwitnessed,
            format!(
                "the bundle carries no witnessed checkpoint of the log of {}, which accepted the documents its rollup binds",
                hub.id
            ),
        )),
    }
    for child in &rollup.children {
        let (Some(doc), Some(cert)) = (side.0.get(&child.document), side.0.get(&child.certificate))
        else {
            continue;
        };
        if doc.payload_type() == super::legacy::RollupV1::PAYLOAD_TYPE {
            errors.push(Error::new(
                Reason::Unwitnessed,
                format!("{}'s legacy (v1) rollup has no witnessed log", child.id),
            ));
            continue;
        }
        if doc.payload_type() != Rollup::PAYLOAD_TYPE {
            continue;
        }
        match cert.open_document::<Certificate>(&hub.signing_key) {
            Ok(c) => walk(&c.subject, doc, logs, side, policy, depth + 1, errors),
            Err(e) => errors.push(e.context(format!("the certificate of {}", child.id))),
        }
    }
}
