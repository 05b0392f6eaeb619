//! An encrypted small cell: the exponential-ElGamal ciphertext of a count under the joint key,
//! with a range proof that the count is in `0..bound`.
//!
//! The bound is `k` for a primary-suppressed cell (its value is below the disclosure threshold,
//! see [`crate::disclosure`]) or the table's total for a complementary one. The proof
//! (`elastic_elgamal::RangeProof` over the optimal `RangeDecomposition` of `0..bound`) shows the
//! value is in range without revealing it; it cannot be made for a value outside the range, and
//! a proof verifies only for the bound it was made for.

use std::fmt;

use elastic_elgamal::{PreparedRange, RangeDecomposition, RangeProof};
use merlin::Transcript;
use serde::{Deserialize, Serialize};

use super::key::JointKey;
use super::{Group, rng};
use crate::error::{Error, Reason, Result};

/// The largest bound a cell may have (a table total). Proofs grow with its logarithm.
pub const MAX_BOUND: u64 = 1_000_000;

/// The transcript label of cells' range proofs (domain separation).
const CELL_TRANSCRIPT: &[u8] = b"shopfloor encrypted cell v1";

/// An exponential-ElGamal ciphertext in ristretto255: `(r·G, v·G + r·K)` for value `v`, joint key
/// `K`. Adding ciphertexts adds their values. JSON: `{"random_element": …, "blinded_element": …}`,
/// each 32 bytes in base64url without padding.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ciphertext(pub(crate) elastic_elgamal::Ciphertext<Group>);

impl Ciphertext {
    /// The ciphertext of the sum of no values.
    pub fn zero() -> Self {
        Ciphertext(elastic_elgamal::Ciphertext::zero())
    }

    /// The 64 bytes: random element then blinded element, each compressed.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes()
    }

    /// The crate's ciphertext.
    pub fn inner(&self) -> &elastic_elgamal::Ciphertext<Group> {
        &self.0
    }
}

impl std::ops::Add for Ciphertext {
    type Output = Ciphertext;

    fn add(self, rhs: Ciphertext) -> Ciphertext {
        Ciphertext(self.0 + rhs.0)
    }
}

impl PartialEq for Ciphertext {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for Ciphertext {}

impl fmt::Debug for Ciphertext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use base64::Engine as _;
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.to_bytes());
        write!(f, "Ciphertext({b})")
    }
}

/// A withheld cell's exact value, encrypted to the joint key, with its range proof.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedCell {
    /// The exclusive upper bound the proof shows the value is below (2..=[`MAX_BOUND`]).
    pub bound: u64,
    /// The value's ciphertext.
    pub ciphertext: Ciphertext,
    /// The range proof (`elastic-elgamal`'s JSON: partial ciphertexts and ring proof).
    pub proof: RangeProof<Group>,
}

/// The range `0..bound` prepared for proving or verifying (`api-misuse` or `invalid-cell` for a
/// bound outside 2..=MAX_BOUND, as `reason` says).
fn range(bound: u64, reason: Reason) -> Result<PreparedRange<Group>> {
    if !(2..=MAX_BOUND).contains(&bound) {
        return Err(Error::new(
            reason,
            format!("a cell's bound must be between 2 and {MAX_BOUND}, not {bound}"),
        ));
    }
    let decomposition = RangeDecomposition::optimal(bound);
    if decomposition.upper_bound() != bound {
        return Err(Error::new(
            reason,
            format!("no exact range decomposition for bound {bound}"),
        ));
    }
    Ok(decomposition.into())
}

impl EncryptedCell {
    /// Encrypts `value` to the joint key with a proof that it is below `bound` (`api-misuse` if
    /// it is not, or if the bound is outside 2..=[`MAX_BOUND`]: no proof can be made then).
    pub fn encrypt(key: &JointKey, value: u64, bound: u64) -> Result<Self> {
        let range = range(bound, Reason::ApiMisuse)?;
        if value >= bound {
            return Err(Error::new(
                Reason::ApiMisuse,
                format!("a value of {value} cannot be proven below {bound}"),
            ));
        }
        let (ciphertext, proof) = RangeProof::new(
            key.public(),
            &range,
            value,
            &mut Transcript::new(CELL_TRANSCRIPT),
            &mut rng()?,
        );
        Ok(EncryptedCell {
            bound,
            ciphertext: Ciphertext(ciphertext.into()),
            proof,
        })
    }

    /// Checks the range proof against the ciphertext, the joint key and the cell's bound:
    /// `invalid-cell` for a bound outside 2..=[`MAX_BOUND`], `bad-range-proof` for a tampered
    /// ciphertext, a tampered proof or a proof made for another bound or key.
    ///
    /// Callers also check the bound is the one policy asks for (`k`, or the table total).
    pub fn verify(&self, key: &JointKey) -> Result<()> {
        let range = range(self.bound, Reason::InvalidCell)?;
        self.proof
            .verify(
                key.public(),
                &range,
                self.ciphertext.0,
                &mut Transcript::new(CELL_TRANSCRIPT),
            )
            .map_err(|e| {
                Error::new(
                    Reason::BadRangeProof,
                    format!("the value is not shown to be below {}: {e}", self.bound),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every bound a cell may use has an exact decomposition, so `encrypt` never refuses a valid
    /// bound and a proof's range is exactly `0..bound`.
    #[test]
    fn every_bound_decomposes_exactly() {
        let sample = (2..=5_000).chain([9_999, 65_536, 99_999, 123_457, 999_983, MAX_BOUND]);
        for bound in sample {
            assert!(range(bound, Reason::ApiMisuse).is_ok(), "bound {bound}");
        }
        assert!(range(1, Reason::ApiMisuse).is_err());
        assert!(range(0, Reason::ApiMisuse).is_err());
        assert!(range(MAX_BOUND + 1, Reason::InvalidCell).is_err());
    }
}
