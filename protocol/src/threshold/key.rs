//! The trustees, their joint public key, and one trustee's secret share of it.
//!
//! A [`Ceremony`] names the trustees (national hub, regional hubs, officers' offline keys) and
//! the threshold `t`: any `t` of them can decrypt an aggregate together, fewer cannot. The
//! [`JointKey`] it produces is public: nodes pin it (by its [`fingerprint`](JointKey::fingerprint),
//! read aloud like an enrollment) and encrypt small cells to it. A [`Trustee`] is what one trustee
//! keeps after the ceremony: the joint key and its own secret share. No party ever holds the whole
//! secret; there is no dealer.

use std::fmt;

use elastic_elgamal::sharing::{ActiveParticipant, Params, PublicKeySet};
use elastic_elgamal::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::Group;
use crate::envelope::Digest;
use crate::error::{Error, Reason, Result};
use crate::identity::{Fingerprint, PartyId};

/// The most trustees a ceremony may have.
pub const MAX_TRUSTEES: usize = 16;

/// The most bytes in a ceremony's name.
const MAX_NAME_BYTES: usize = 64;

/// Who the trustees are and how many of them must cooperate to decrypt.
///
/// Rules (checked on construction and on parse, `malformed` otherwise): a name of 1 to 64 bytes
/// without control characters (e.g. `federation-2027`: rotation per year or on compromise is a
/// new ceremony with a new name), 2 to [`MAX_TRUSTEES`] distinct trustees, and a threshold
/// between 2 and the number of trustees (a threshold of 1 would let any single trustee decrypt a
/// chapter's cell). A trustee's index is its position in `trustees`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CeremonyWire")]
pub struct Ceremony {
    name: String,
    trustees: Vec<PartyId>,
    threshold: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CeremonyWire {
    name: String,
    trustees: Vec<PartyId>,
    threshold: u16,
}

impl TryFrom<CeremonyWire> for Ceremony {
    type Error = Error;

    fn try_from(w: CeremonyWire) -> Result<Self> {
        Ceremony::new(&w.name, w.trustees, w.threshold)
    }
}

impl Ceremony {
    /// A ceremony among `trustees`, any `threshold` of whom can decrypt.
    pub fn new(name: &str, trustees: Vec<PartyId>, threshold: u16) -> Result<Self> {
        if name.is_empty() || name.len() > MAX_NAME_BYTES || name.chars().any(char::is_control) {
            return Err(Error::malformed(
                "a ceremony name is 1 to 64 bytes without control characters",
            ));
        }
        if trustees.len() < 2 || trustees.len() > MAX_TRUSTEES {
            return Err(Error::malformed(format!(
                "a ceremony has 2 to {MAX_TRUSTEES} trustees, not {}",
                trustees.len()
            )));
        }
        let mut sorted: Vec<&PartyId> = trustees.iter().collect();
        sorted.sort();
        if sorted.windows(2).any(|w| w.first() == w.get(1)) {
            return Err(Error::malformed("a trustee is named twice"));
        }
        if threshold < 2 || usize::from(threshold) > trustees.len() {
            return Err(Error::malformed(format!(
                "the threshold must be between 2 and {}, not {threshold}",
                trustees.len()
            )));
        }
        Ok(Ceremony {
            name: name.to_owned(),
            trustees,
            threshold,
        })
    }

    /// The ceremony's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The trustees, in index order.
    pub fn trustees(&self) -> &[PartyId] {
        &self.trustees
    }

    /// How many trustees must cooperate to decrypt.
    pub fn threshold(&self) -> u16 {
        self.threshold
    }

    /// The number of trustees (`n`).
    pub fn size(&self) -> u16 {
        // At most MAX_TRUSTEES by construction.
        u16::try_from(self.trustees.len()).unwrap_or(u16::MAX)
    }

    /// The index of a trustee, if it is one.
    pub fn index_of(&self, trustee: &PartyId) -> Option<u16> {
        self.trustees
            .iter()
            .position(|t| t == trustee)
            .and_then(|i| u16::try_from(i).ok())
    }

    /// The trustee at an index, if there is one.
    pub fn trustee(&self, index: u16) -> Option<&PartyId> {
        self.trustees.get(usize::from(index))
    }

    /// The id every ceremony message carries: SHA-256 over a length-prefixed encoding of the
    /// name, the trustees and the threshold (domain `shopfloor threshold ceremony v1`).
    pub fn id(&self) -> Digest {
        let mut h = Sha256::new();
        h.update(b"shopfloor threshold ceremony v1");
        put(&mut h, self.name.as_bytes());
        h.update((self.trustees.len() as u64).to_be_bytes());
        for t in &self.trustees {
            put(&mut h, t.as_str().as_bytes());
        }
        h.update(u64::from(self.threshold).to_be_bytes());
        Digest(h.finalize().into())
    }

    /// Six groups of five digits of the ceremony's id, read aloud before round 1 so that every
    /// trustee starts the same ceremony (name, trustees in order, threshold).
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.id().0)
    }

    /// The crate's parameters; valid by construction (2 ≤ t ≤ n).
    pub(crate) fn params(&self) -> Params {
        Params {
            shares: self.trustees.len(),
            threshold: usize::from(self.threshold),
        }
    }

    /// Checks that a message's index names a trustee (`bad-ceremony` otherwise).
    pub(crate) fn check_index(&self, index: u16, what: &str) -> Result<usize> {
        let i = usize::from(index);
        if i < self.trustees.len() {
            Ok(i)
        } else {
            Err(Error::new(
                Reason::BadCeremony,
                format!("{what}: trustee index {index} is not in this ceremony"),
            ))
        }
    }

    /// Checks that a message belongs to this ceremony (`bad-ceremony` otherwise).
    pub(crate) fn check_id(&self, id: &Digest, what: &str) -> Result<()> {
        if *id == self.id() {
            Ok(())
        } else {
            Err(Error::new(
                Reason::BadCeremony,
                format!("{what}: another ceremony ({id})"),
            ))
        }
    }
}

fn put(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// The federation's joint public key: the ceremony, the key cells are encrypted to, and each
/// trustee's public key share (which verifies that trustee's decryption shares).
///
/// On parse the trustee keys must be as many as the trustees and lie on one polynomial whose
/// value at zero is `key` (`bad-ceremony` otherwise), so a parsed key is always usable.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "JointKeyWire", into = "JointKeyWire")]
pub struct JointKey {
    ceremony: Ceremony,
    set: PublicKeySet<Group>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JointKeyWire {
    ceremony: Ceremony,
    key: PublicKey<Group>,
    trustee_keys: Vec<PublicKey<Group>>,
}

impl TryFrom<JointKeyWire> for JointKey {
    type Error = Error;

    fn try_from(w: JointKeyWire) -> Result<Self> {
        let key = JointKey::from_trustee_keys(w.ceremony, w.trustee_keys)?;
        if *key.public() != w.key {
            return Err(Error::new(
                Reason::BadCeremony,
                "the joint key is not the one its trustees' keys make",
            ));
        }
        Ok(key)
    }
}

impl From<JointKey> for JointKeyWire {
    fn from(k: JointKey) -> Self {
        JointKeyWire {
            key: k.set.shared_key().clone(),
            trustee_keys: k.set.participant_keys().to_vec(),
            ceremony: k.ceremony,
        }
    }
}

impl JointKey {
    /// The joint key of a ceremony from every trustee's public key share, checked consistent.
    pub fn from_trustee_keys(ceremony: Ceremony, keys: Vec<PublicKey<Group>>) -> Result<Self> {
        if keys.len() != ceremony.trustees().len() {
            return Err(Error::new(
                Reason::BadCeremony,
                format!(
                    "{} trustee keys for {} trustees",
                    keys.len(),
                    ceremony.trustees().len()
                ),
            ));
        }
        let set = PublicKeySet::from_participants(ceremony.params(), keys)
            .map_err(|e| Error::new(Reason::BadCeremony, format!("trustee keys: {e}")))?;
        Ok(JointKey { ceremony, set })
    }

    pub(crate) fn from_set(ceremony: Ceremony, set: PublicKeySet<Group>) -> Self {
        JointKey { ceremony, set }
    }

    /// The ceremony that made this key.
    pub fn ceremony(&self) -> &Ceremony {
        &self.ceremony
    }

    /// The public key cells are encrypted to.
    pub fn public(&self) -> &PublicKey<Group> {
        self.set.shared_key()
    }

    /// The public key share of the trustee at `index`, if there is one.
    pub fn trustee_key(&self, index: u16) -> Option<&PublicKey<Group>> {
        self.set.participant_key(usize::from(index))
    }

    pub(crate) fn set(&self) -> &PublicKeySet<Group> {
        &self.set
    }

    /// The key's id, carried by cells' tallies and decryption shares: SHA-256 over the ceremony
    /// id, the joint key and every trustee key (domain `shopfloor threshold key v1`).
    pub fn id(&self) -> Digest {
        let mut h = Sha256::new();
        h.update(b"shopfloor threshold key v1");
        h.update(self.ceremony.id().0);
        h.update(self.public().as_bytes());
        for k in self.set.participant_keys() {
            h.update(k.as_bytes());
        }
        Digest(h.finalize().into())
    }

    /// Six groups of five digits that people read to each other to check they hold the same
    /// joint key (as for enrollment fingerprints).
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.id().0)
    }

    /// Checks that something made for a key id was made for this key.
    pub(crate) fn check_id(&self, id: &Digest, reason: Reason, what: &str) -> Result<()> {
        if *id == self.id() {
            Ok(())
        } else {
            Err(Error::new(
                reason,
                format!("{what}: made for another joint key ({id})"),
            ))
        }
    }
}

impl PartialEq for JointKey {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for JointKey {}

impl fmt::Debug for JointKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JointKey")
            .field("ceremony", &self.ceremony.name)
            .field("id", &self.id())
            .finish()
    }
}

/// One trustee after the ceremony: the joint key and this trustee's secret share of it.
///
/// Serialized, this is the trustee's secret file (it holds the share); keep it like a private
/// key. On parse the share must match the trustee's public key share (`bad-ceremony` otherwise).
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "TrusteeWire", into = "TrusteeWire")]
pub struct Trustee {
    key: JointKey,
    index: u16,
    id: PartyId,
    participant: ActiveParticipant<Group>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrusteeWire {
    joint_key: JointKey,
    trustee: PartyId,
    secret_share: SecretKey<Group>,
}

impl TryFrom<TrusteeWire> for Trustee {
    type Error = Error;

    fn try_from(w: TrusteeWire) -> Result<Self> {
        let index = w.joint_key.ceremony().index_of(&w.trustee).ok_or_else(|| {
            Error::new(
                Reason::BadCeremony,
                format!("{} is not a trustee of this key", w.trustee),
            )
        })?;
        Trustee::new(w.joint_key, index, w.secret_share)
    }
}

impl From<Trustee> for TrusteeWire {
    fn from(t: Trustee) -> Self {
        TrusteeWire {
            trustee: t.id,
            secret_share: t.participant.secret_share().clone(),
            joint_key: t.key,
        }
    }
}

impl Trustee {
    /// A trustee from the joint key, its index and its secret share, checked to match.
    pub(crate) fn new(key: JointKey, index: u16, share: SecretKey<Group>) -> Result<Self> {
        let i = key.ceremony().check_index(index, "trustee")?;
        let id = key
            .ceremony()
            .trustee(index)
            .cloned()
            .ok_or_else(|| Error::new(Reason::BadCeremony, "no such trustee"))?;
        let participant = ActiveParticipant::new(key.set().clone(), i, share)
            .map_err(|e| Error::new(Reason::BadCeremony, format!("trustee secret share: {e}")))?;
        Ok(Trustee {
            key,
            index,
            id,
            participant,
        })
    }

    /// The joint key this trustee holds a share of.
    pub fn joint_key(&self) -> &JointKey {
        &self.key
    }

    /// This trustee's index in the ceremony.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// This trustee's id.
    pub fn id(&self) -> &PartyId {
        &self.id
    }

    pub(crate) fn participant(&self) -> &ActiveParticipant<Group> {
        &self.participant
    }
}

impl fmt::Debug for Trustee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trustee")
            .field("key", &self.key)
            .field("index", &self.index)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
