//! Encrypted small cells: threshold ElGamal so that rare counts can be summed exactly across
//! chapters while no single server can read one chapter's small cell (issue 14).
//!
//! The construction is the one verifiable elections use (ElectionGuard): exponential ElGamal in
//! the Ristretto group under a joint key shared by trustees, homomorphic tallies, and
//! Chaum–Pedersen proofs of correct decryption. Every primitive comes from the `elastic-elgamal`
//! crate; this module adds the federation's types, their wire format and their checks, and never
//! lets input reach one of the crate's panicking constructors unvalidated.
//!
//! - [`dkg`]: the trustees' key ceremony (Pedersen distributed key generation, threshold `t` of
//!   `n`), step by step for separate parties, and [`run_ceremony`] for tests and the demo.
//! - [`key`]: the [`Ceremony`] (trustees and threshold), the published [`JointKey`] with its
//!   fingerprint, and a [`Trustee`]'s secret share.
//! - [`cell`]: an [`EncryptedCell`]: the ciphertext of a value in `0..bound` with its range proof.
//! - [`tally`]: a [`Tally`]: the product of children's ciphertexts per cell, which anyone can
//!   recompute and check.
//! - [`decrypt`]: trustees' [`DecryptionShare`]s with proofs, and [`combine`] to decode an
//!   aggregate from `t` of them with a bounded [`DecodeTable`].
//! - [`release`]: the release rule, a pure function deciding which aggregates may be decrypted
//!   and published.
//! - [`family`]: the release rule over every aggregate of a period across views and cell keys,
//!   so that no difference of released aggregates isolates a chapter.
//! - [`released`]: a [`Released`] aggregate as a publication carries it (tally, shares, value),
//!   checked offline against the joint key and the rule.
//!
//! Wire format: serde JSON. Group elements and scalars are strings in base64url without padding
//! (RFC 4648 §5), as `elastic-elgamal` serializes them; digests are lowercase hex.
//!
//! ```
//! use shopfloor_protocol::PartyId;
//! use shopfloor_protocol::threshold::{
//!     Ceremony, Contribution, DecodeTable, EncryptedCell, ReleasePolicy, Tally, combine,
//!     run_ceremony,
//! };
//!
//! let ids = ["national", "south", "officer-a"].map(|s| PartyId::new(s)).map(Result::unwrap);
//! let ceremony = Ceremony::new("federation-2027", ids.to_vec(), 2)?;
//! let trustees = run_ceremony(&ceremony)?;
//! let key = trustees[0].joint_key().clone();
//!
//! // Five chapters each encrypt a small count below k = 5.
//! let cells: Vec<Contribution> = [4u64, 3, 0, 2, 4]
//!     .iter()
//!     .enumerate()
//!     .map(|(i, &v)| {
//!         let chapter = PartyId::new(&format!("chapter-{i}"))?;
//!         Ok(Contribution::new(chapter, EncryptedCell::encrypt(&key, v, 5)?))
//!     })
//!     .collect::<shopfloor_protocol::Result<_>>()?;
//! let tally = Tally::of_cells(&key, &cells)?;
//! tally.check_cells(&key, &cells)?;
//!
//! // Two of the three trustees decrypt the aggregate, which the release rule allows.
//! let policy = ReleasePolicy::new(5)?;
//! let shares = [trustees[0].share(&tally, &policy)?, trustees[2].share(&tally, &policy)?];
//! let total = combine(&key, &tally, &shares, &DecodeTable::new(100)?)?;
//! assert_eq!(total, 13);
//! policy.may_publish(&tally.bounds(), total)?;
//! # Ok::<(), shopfloor_protocol::Error>(())
//! ```

pub mod cell;
pub mod decrypt;
pub mod dkg;
pub mod exact;
pub mod family;
pub mod key;
pub mod narrowing;
pub mod network;
pub mod publication;
pub mod release;
pub mod released;
mod split;
pub mod tally;

use elastic_elgamal::group::Ristretto;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

use crate::error::{Error, Reason, Result};

pub use cell::{Ciphertext, EncryptedCell, MAX_BOUND};
pub use decrypt::{DecodeTable, DecryptionShare, MAX_TABLE, combine};
pub use dkg::{
    CollectingCommitments, CollectingPolynomials, Commitment, ExchangingShares, Polynomial,
    SecretShare, message_fingerprint, run_ceremony,
};
pub use family::{Candidate, Decision, Form, Line, Withheld};
pub use key::{Ceremony, JointKey, MAX_TRUSTEES, Trustee};
pub use release::{DOMINANCE_PERCENT, Known, MIN_CHAPTERS, ReleasePolicy};
pub use released::Released;
pub use tally::{ChapterBound, Contribution, Tally};

/// The group every threshold type uses: ristretto255.
pub type Group = Ristretto;

/// A cryptographic generator for one operation: ChaCha20 seeded from the operating system.
///
/// Seeding here keeps a failure of the system's randomness an [`Error`] instead of a panic.
pub(crate) fn rng() -> Result<ChaCha20Rng> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| Error::new(Reason::ApiMisuse, format!("no system randomness: {e}")))?;
    let rng = ChaCha20Rng::from_seed(seed);
    seed.fill(0);
    Ok(rng)
}
