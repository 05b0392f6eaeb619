//! Decryption shares and their combination.
//!
//! A [`Trustee`] answers a request for an aggregate with a [`DecryptionShare`]: its partial
//! decryption of the tally with a Chaum–Pedersen proof (`elastic-elgamal`'s `LogEqualityProof`)
//! that it used the secret matching its public key share. [`combine`] verifies each share against
//! the joint key (`bad-decryption-share`), needs `t` distinct valid ones (`insufficient-shares`),
//! interpolates them (Lagrange, in the crate) and looks the value up in a bounded
//! [`DecodeTable`] (`undecodable` beyond it; never a panic).

use std::collections::BTreeMap;

use elastic_elgamal::{
    CandidateDecryption, DiscreteLogTable, LogEqualityProof, VerifiableDecryption,
};
use serde::{Deserialize, Serialize};

use super::cell::Ciphertext;
use super::key::{JointKey, Trustee};
use super::release::ReleasePolicy;
use super::tally::Tally;
use super::{Group, rng};
use crate::envelope::Digest;
use crate::error::{Error, Reason, Result};
use crate::identity::PartyId;

/// The largest table [`DecodeTable::new`] builds: aggregates up to this value decode.
pub const MAX_TABLE: u64 = 100_000;

/// One trustee's partial decryption of a tally, with its proof.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecryptionShare {
    /// The joint key's id.
    pub key: Digest,
    /// The trustee's index.
    pub trustee: u16,
    /// The partial decryption: the tally's random element times the trustee's secret share.
    pub share: CandidateDecryption<Group>,
    /// Proof that the same secret underlies the trustee's public key share and this share.
    pub proof: LogEqualityProof<Group>,
}

impl Trustee {
    /// This trustee's decryption share of a tally, after checking the tally is under this key
    /// (`tally-mismatch`), lists each chapter once (`invalid-cell`) and that the release rule allows decrypting it (`release-refused`, see
    /// [`ReleasePolicy::may_decrypt`]).
    ///
    /// The caller must first have checked the tally against the signed child reports
    /// ([`Tally::check_cells`] or [`Tally::check_tallies`]); a trustee never decrypts a single
    /// chapter's ciphertext because the rule needs at least three chapters.
    pub fn share(&self, tally: &Tally, policy: &ReleasePolicy) -> Result<DecryptionShare> {
        self.joint_key()
            .check_id(&tally.key, Reason::TallyMismatch, "tally")?;
        tally.check_chapters()?;
        policy.may_decrypt(&tally.bounds())?;
        self.share_of(&tally.ciphertext)
    }

    /// [`Trustee::share`] with what is public of each chapter's value (its published cells'
    /// intervals, [`super::family::Candidate::known`]): the release rule judged as the
    /// federation judges it ([`ReleasePolicy::may_decrypt_known`]).
    pub fn share_known(
        &self,
        tally: &Tally,
        policy: &ReleasePolicy,
        intervals: &BTreeMap<PartyId, (u64, u64)>,
    ) -> Result<DecryptionShare> {
        self.joint_key()
            .check_id(&tally.key, Reason::TallyMismatch, "tally")?;
        tally.check_chapters()?;
        policy.may_decrypt_known(&tally.known(intervals))?;
        self.share_of(&tally.ciphertext)
    }

    /// The decryption share of any ciphertext, without the release rule. Only with the
    /// `testkit` feature: tests use it to show what one share alone does and does not reveal.
    #[cfg(any(test, feature = "testkit"))]
    pub fn share_unchecked(&self, ciphertext: &Ciphertext) -> Result<DecryptionShare> {
        self.share_of(ciphertext)
    }

    fn share_of(&self, ciphertext: &Ciphertext) -> Result<DecryptionShare> {
        let (share, proof) = self.participant().decrypt_share(ciphertext.0, &mut rng()?);
        Ok(DecryptionShare {
            key: self.joint_key().id(),
            trustee: self.index(),
            share: share.into(),
            proof,
        })
    }
}

impl JointKey {
    /// Verifies a trustee's share of `ciphertext` (`bad-decryption-share` for another key, an
    /// unknown trustee or a proof that does not verify).
    pub fn verify_share(
        &self,
        ciphertext: &Ciphertext,
        share: &DecryptionShare,
    ) -> Result<VerifiableDecryption<Group>> {
        self.check_id(&share.key, Reason::BadDecryptionShare, "decryption share")?;
        let index = usize::from(share.trustee);
        if index >= self.ceremony().trustees().len() {
            return Err(Error::new(
                Reason::BadDecryptionShare,
                format!("decryption share from unknown trustee {}", share.trustee),
            ));
        }
        self.set()
            .verify_share(share.share, ciphertext.0, index, &share.proof)
            .map_err(|e| {
                Error::new(
                    Reason::BadDecryptionShare,
                    format!("decryption share from trustee {}: {e}", share.trustee),
                )
            })
    }
}

/// A discrete-log lookup table for values `0..=max`.
#[derive(Debug, Clone)]
pub struct DecodeTable {
    max: u64,
    table: DiscreteLogTable<Group>,
}

impl DecodeTable {
    /// Builds the table (`api-misuse` above [`MAX_TABLE`]). One group operation per value: build
    /// it once and reuse it.
    pub fn new(max: u64) -> Result<Self> {
        if max > MAX_TABLE {
            return Err(Error::new(
                Reason::ApiMisuse,
                format!("a decode table reaches at most {MAX_TABLE}, not {max}"),
            ));
        }
        Ok(DecodeTable {
            max,
            table: DiscreteLogTable::new(0..=max),
        })
    }

    /// The largest value this table decodes.
    pub fn max(&self) -> u64 {
        self.max
    }
}

/// Decrypts a tally from trustees' shares: each share is verified (`bad-decryption-share`; the
/// same trustee twice is refused too), `t` valid shares are needed (`insufficient-shares`), and
/// the value must be in `table` (`undecodable`).
pub fn combine(
    key: &JointKey,
    tally: &Tally,
    shares: &[DecryptionShare],
    table: &DecodeTable,
) -> Result<u64> {
    key.check_id(&tally.key, Reason::TallyMismatch, "tally")?;
    let mut seen = Vec::with_capacity(shares.len());
    let mut verified = Vec::with_capacity(shares.len());
    for s in shares {
        if seen.contains(&s.trustee) {
            return Err(Error::new(
                Reason::BadDecryptionShare,
                format!("two decryption shares from trustee {}", s.trustee),
            ));
        }
        seen.push(s.trustee);
        verified.push((
            usize::from(s.trustee),
            key.verify_share(&tally.ciphertext, s)?,
        ));
    }
    let t = key.ceremony().threshold();
    if verified.len() < usize::from(t) {
        return Err(insufficient(verified.len(), t));
    }
    // Indexes were checked against the ceremony by verify_share, so the crate's assertion holds.
    let combined = key
        .ceremony()
        .params()
        .combine_shares(verified)
        .ok_or_else(|| insufficient(0, t))?;
    combined
        .decrypt(tally.ciphertext.0, &table.table)
        .ok_or_else(|| {
            Error::new(
                Reason::Undecodable,
                format!("the aggregate is not a value in 0..={}", table.max),
            )
        })
}

fn insufficient(have: usize, t: u16) -> Error {
    Error::new(
        Reason::InsufficientShares,
        format!("{have} valid decryption shares, {t} needed"),
    )
}
