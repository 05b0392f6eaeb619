//! The trustees' key ceremony: committed Pedersen distributed key generation
//! (`elastic_elgamal::dkg`), one round at a time, for trustees on separate machines.
//!
//! 1. Each trustee [starts](CollectingCommitments::start) and publishes its [`Commitment`] (a
//!    hash of its share of the key); it [receives](CollectingCommitments::receive) everyone
//!    else's.
//! 2. Once all are in it [finishes](CollectingCommitments::finish) the round and publishes its
//!    [`Polynomial`] (public polynomial, proof of possession, opening of the commitment); each
//!    received polynomial must open the commitment and carry a valid proof.
//! 3. Then each trustee sends every other trustee its [`SecretShare`] privately (the share is
//!    secret: seal it to the recipient), checks the shares it receives against the senders'
//!    polynomials, and [finishes](ExchangingShares::finish) with a [`Trustee`]: the joint key and
//!    its own secret share.
//!
//! Every message carries the ceremony id and trustee indexes; each is checked (`bad-ceremony`)
//! before it reaches the crate, whose methods panic on out-of-range or repeated indexes. The
//! states live in memory. A trustee running the rounds as separate commands starts from a saved
//! secret seed ([`CollectingCommitments::start_seeded`]) and replays the messages it received, so
//! every check runs again on each step; public messages are compared aloud by their
//! [`message_fingerprint`]. [`run_ceremony`] runs all rounds in one process for tests and the demo.

use elastic_elgamal::SecretKey;
use elastic_elgamal::dkg::{
    ParticipantCollectingCommitments, ParticipantCollectingPolynomials,
    ParticipantExchangingSecrets, PublicInfo,
};
use serde::{Deserialize, Serialize};

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use sha2::{Digest as _, Sha256};

use super::key::{Ceremony, JointKey, Trustee};
use super::{Group, rng};
use crate::envelope::Digest;
use crate::error::{Error, Reason, Result};
use crate::identity::{Fingerprint, PartyId};

/// Round 1 message: a trustee's commitment to its share of the joint key. Public.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    /// The ceremony id ([`Ceremony::id`]).
    pub ceremony: Digest,
    /// The sender's index.
    pub trustee: u16,
    /// SHA-256 commitment to the sender's key share.
    pub commitment: Digest,
}

/// Round 2 message: a trustee's public polynomial, its proof of possession and the opening of its
/// round 1 commitment. Public.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Polynomial {
    /// The ceremony id.
    pub ceremony: Digest,
    /// The sender's index.
    pub trustee: u16,
    /// The polynomial, proof and opening, as `elastic-elgamal` serializes them.
    pub info: PublicInfo<'static, Group>,
}

/// Round 3 message: the secret share one trustee computes for another. Secret: send it only to
/// `to`, sealed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretShare {
    /// The ceremony id.
    pub ceremony: Digest,
    /// The sender's index.
    pub from: u16,
    /// The recipient's index.
    pub to: u16,
    /// The share (a scalar).
    pub share: SecretKey<Group>,
}

/// A trustee in round 1, collecting the others' commitments.
#[derive(Debug)]
pub struct CollectingCommitments {
    ceremony: Ceremony,
    index: u16,
    inner: ParticipantCollectingCommitments<Group>,
}

impl CollectingCommitments {
    /// Starts the ceremony as trustee `me` (`api-misuse` if `me` is not one of its trustees).
    pub fn start(ceremony: &Ceremony, me: &PartyId) -> Result<Self> {
        let index = ceremony.index_of(me).ok_or_else(|| {
            Error::new(
                Reason::ApiMisuse,
                format!("{me} is not a trustee of this ceremony"),
            )
        })?;
        Ok(Self::start_with(ceremony, index, &mut rng()?))
    }

    /// Starts the ceremony as trustee `me` from a 32-byte secret seed: the same seed always gives
    /// the same secret polynomial and commitment. This lets a trustee that runs the rounds as
    /// separate commands keep only the seed and the messages received (in a private file) and
    /// rebuild its state through every check on each step, instead of trusting a saved state.
    /// The seed is as secret as the trustee's share: draw it from the system's randomness and
    /// delete it when the ceremony ends.
    pub fn start_seeded(ceremony: &Ceremony, me: &PartyId, seed: &[u8; 32]) -> Result<Self> {
        let index = ceremony.index_of(me).ok_or_else(|| {
            Error::new(
                Reason::ApiMisuse,
                format!("{me} is not a trustee of this ceremony"),
            )
        })?;
        let mut rng = ChaCha20Rng::from_seed(*seed);
        Ok(Self::start_with(ceremony, index, &mut rng))
    }

    fn start_with(ceremony: &Ceremony, index: u16, rng: &mut ChaCha20Rng) -> Self {
        // `index` comes from `index_of`, so it is below the number of trustees.
        let inner =
            ParticipantCollectingCommitments::new(ceremony.params(), usize::from(index), rng);
        CollectingCommitments {
            ceremony: ceremony.clone(),
            index,
            inner,
        }
    }

    /// This trustee's index.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// The commitment to publish.
    pub fn commitment(&self) -> Commitment {
        Commitment {
            ceremony: self.ceremony.id(),
            trustee: self.index,
            commitment: Digest(self.inner.commitment()),
        }
    }

    /// Takes another trustee's commitment.
    pub fn receive(&mut self, c: &Commitment) -> Result<()> {
        self.ceremony.check_id(&c.ceremony, "commitment")?;
        let from = check_other(&self.ceremony, self.index, c.trustee, "commitment")?;
        if !self.inner.missing_commitments().any(|i| i == from) {
            return Err(repeated("commitment", c.trustee));
        }
        self.inner.insert_commitment(from, c.commitment.0);
        Ok(())
    }

    /// The indexes whose commitments are still missing.
    pub fn missing(&self) -> Vec<u16> {
        to_u16(self.inner.missing_commitments())
    }

    /// Ends round 1 (`bad-ceremony` if a commitment is missing).
    pub fn finish(self) -> Result<CollectingPolynomials> {
        check_complete(&self.missing(), "commitments")?;
        Ok(CollectingPolynomials {
            ceremony: self.ceremony,
            index: self.index,
            inner: self.inner.finish_commitment_phase(),
        })
    }
}

/// A trustee in round 2, collecting the others' polynomials.
#[derive(Debug)]
pub struct CollectingPolynomials {
    ceremony: Ceremony,
    index: u16,
    inner: ParticipantCollectingPolynomials<Group>,
}

impl CollectingPolynomials {
    /// This trustee's index.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// The polynomial to publish.
    pub fn polynomial(&self) -> Polynomial {
        Polynomial {
            ceremony: self.ceremony.id(),
            trustee: self.index,
            info: self.inner.public_info().into_owned(),
        }
    }

    /// Takes another trustee's polynomial: it must have `t` coefficients, open that trustee's
    /// commitment and carry a valid proof of possession (`bad-ceremony` otherwise).
    pub fn receive(&mut self, p: &Polynomial) -> Result<()> {
        self.ceremony.check_id(&p.ceremony, "polynomial")?;
        let from = check_other(&self.ceremony, self.index, p.trustee, "polynomial")?;
        if !self.inner.missing_public_polynomials().any(|i| i == from) {
            return Err(repeated("polynomial", p.trustee));
        }
        if p.info.polynomial.len() != usize::from(self.ceremony.threshold()) {
            return Err(Error::new(
                Reason::BadCeremony,
                format!(
                    "polynomial from trustee {} has {} coefficients, not {}",
                    p.trustee,
                    p.info.polynomial.len(),
                    self.ceremony.threshold()
                ),
            ));
        }
        self.inner
            .insert_public_polynomial(from, p.info.clone())
            .map_err(|e| {
                Error::new(
                    Reason::BadCeremony,
                    format!("polynomial from trustee {}: {e}", p.trustee),
                )
            })
    }

    /// The indexes whose polynomials are still missing.
    pub fn missing(&self) -> Vec<u16> {
        to_u16(self.inner.missing_public_polynomials())
    }

    /// Ends round 2 (`bad-ceremony` if a polynomial is missing).
    pub fn finish(self) -> Result<ExchangingShares> {
        check_complete(&self.missing(), "polynomials")?;
        Ok(ExchangingShares {
            ceremony: self.ceremony,
            index: self.index,
            inner: self.inner.finish_polynomials_phase(),
        })
    }
}

/// A trustee in round 3, exchanging secret shares.
#[derive(Debug)]
pub struct ExchangingShares {
    ceremony: Ceremony,
    index: u16,
    inner: ParticipantExchangingSecrets<Group>,
}

impl ExchangingShares {
    /// This trustee's index.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// The secret share for trustee `to` (`api-misuse` for this trustee or an unknown index).
    pub fn share_for(&self, to: u16) -> Result<SecretShare> {
        if to == self.index || usize::from(to) >= self.ceremony.trustees().len() {
            return Err(Error::new(
                Reason::ApiMisuse,
                format!("no share to send to trustee {to}"),
            ));
        }
        Ok(SecretShare {
            ceremony: self.ceremony.id(),
            from: self.index,
            to,
            share: self.inner.secret_share_for_participant(usize::from(to)),
        })
    }

    /// Takes the share another trustee sent this one; it must lie on the sender's polynomial
    /// (`bad-ceremony` otherwise).
    pub fn receive(&mut self, s: SecretShare) -> Result<()> {
        self.ceremony.check_id(&s.ceremony, "secret share")?;
        if s.to != self.index {
            return Err(Error::new(
                Reason::BadCeremony,
                format!("secret share for trustee {}, not {}", s.to, self.index),
            ));
        }
        let from = check_other(&self.ceremony, self.index, s.from, "secret share")?;
        if !self.inner.missing_shares().any(|i| i == from) {
            return Err(repeated("secret share", s.from));
        }
        self.inner.insert_secret_share(from, s.share).map_err(|e| {
            Error::new(
                Reason::BadCeremony,
                format!("secret share from trustee {}: {e}", s.from),
            )
        })
    }

    /// The indexes whose shares are still missing.
    pub fn missing(&self) -> Vec<u16> {
        to_u16(self.inner.missing_shares())
    }

    /// Ends the ceremony (`bad-ceremony` if a share is missing or the keys do not agree).
    pub fn finish(self) -> Result<Trustee> {
        check_complete(&self.missing(), "secret shares")?;
        let participant = self
            .inner
            .complete()
            .map_err(|e| Error::new(Reason::BadCeremony, format!("completing: {e}")))?;
        let key = JointKey::from_set(self.ceremony, participant.key_set().clone());
        Trustee::new(key, self.index, participant.secret_share().clone())
    }
}

/// Runs the whole ceremony in one process: every trustee's rounds, every message through its
/// checks (and through JSON, as on the wire). For tests and the demo; real trustees run the
/// rounds on their own machines.
pub fn run_ceremony(ceremony: &Ceremony) -> Result<Vec<Trustee>> {
    let mut round1 = ceremony
        .trustees()
        .iter()
        .map(|t| CollectingCommitments::start(ceremony, t))
        .collect::<Result<Vec<_>>>()?;
    let commitments: Vec<Commitment> = round1.iter().map(|p| p.commitment()).collect();
    for p in &mut round1 {
        let me = p.index();
        for c in commitments.iter().filter(|c| c.trustee != me) {
            p.receive(&wire(c)?)?;
        }
    }
    let mut round2 = round1
        .into_iter()
        .map(CollectingCommitments::finish)
        .collect::<Result<Vec<_>>>()?;
    let polynomials: Vec<Polynomial> = round2.iter().map(|p| p.polynomial()).collect();
    for p in &mut round2 {
        let me = p.index();
        for poly in polynomials.iter().filter(|q| q.trustee != me) {
            p.receive(&wire(poly)?)?;
        }
    }
    let mut round3 = round2
        .into_iter()
        .map(CollectingPolynomials::finish)
        .collect::<Result<Vec<_>>>()?;
    let mut shares = Vec::new();
    for p in &round3 {
        for to in (0..ceremony.size()).filter(|&to| to != p.index()) {
            shares.push(p.share_for(to)?);
        }
    }
    for s in shares {
        let s = wire(&s)?;
        let to = usize::from(s.to);
        round3
            .get_mut(to)
            .ok_or_else(|| Error::new(Reason::ApiMisuse, "share for an unknown trustee"))?
            .receive(s)?;
    }
    round3.into_iter().map(ExchangingShares::finish).collect()
}

/// A message through JSON and back, as it would cross the wire.
fn wire<T: Serialize + for<'de> Deserialize<'de>>(m: &T) -> Result<T> {
    let json = serde_json::to_vec(m).map_err(|e| Error::malformed(e.to_string()))?;
    serde_json::from_slice(&json).map_err(|e| Error::malformed(e.to_string()))
}

fn check_other(ceremony: &Ceremony, me: u16, from: u16, what: &str) -> Result<usize> {
    let i = ceremony.check_index(from, what)?;
    if from == me {
        return Err(Error::new(
            Reason::BadCeremony,
            format!("{what} claims to come from this trustee ({me})"),
        ));
    }
    Ok(i)
}

fn repeated(what: &str, from: u16) -> Error {
    Error::new(
        Reason::BadCeremony,
        format!("{what} from trustee {from} received twice"),
    )
}

fn check_complete(missing: &[u16], what: &str) -> Result<()> {
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::new(
            Reason::BadCeremony,
            format!("{what} missing from trustees {missing:?}"),
        ))
    }
}

fn to_u16(it: impl Iterator<Item = usize>) -> Vec<u16> {
    it.filter_map(|i| u16::try_from(i).ok()).collect()
}

/// Six groups of five digits for a public ceremony message (its canonical bytes, e.g. a
/// commitment's JSON), read aloud between trustees as enrollment fingerprints are: SHA-256 with
/// the domain `shopfloor ceremony message v1`, then the fingerprint digits.
pub fn message_fingerprint(bytes: &[u8]) -> Fingerprint {
    let mut h = Sha256::new();
    h.update(b"shopfloor ceremony message v1");
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
    Fingerprint::of(&h.finalize().into())
}
