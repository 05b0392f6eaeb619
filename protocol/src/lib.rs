//! Shopfloor's wire protocol: what crosses between chapter nodes and hubs.
//!
//! This crate is pure: no I/O beyond reading the system's randomness for new keys, no async
//! runtime, no database, no HTTP. CI proves it with `cargo tree`. Everything here is specified in
//! `docs/protocol.md`; the known-answer vectors in `protocol/tests/vectors/` pin the formats.
//!
//! - [`identity`]: keys, cards, fingerprints.
//! - [`envelope`]: DSSE signed envelopes; sealing with age.
//! - [`cert`]: membership certificates, chains to the national root, revocation, rotation.
//! - [`registry`]: metrics, dimensions and vocabularies, labelled in English and Spanish.
//! - [`relations`]: what holds by construction between a report's cells, as linear constraints.
//! - [`report`]: the chapter report payload.
//! - [`disclosure`]: primary and complementary suppression, and the audit that checks them.
//! - [`rollup`]: sums of children's reports, and offline verification of a rollup tree.
//! - [`log`]: the RFC 6962 Merkle log, checkpoints and receipts.
//! - [`guidance`]: what hubs publish down the chain: trainings, criteria, goals, policy.
//! - [`request`]: signed HTTP requests from a child to its hub.
//! - [`support`]: support requests relayed between chapters through their hub.
//! - [`campaign`]: campaigns submitted for approval and the hub's signed decisions.
//! - [`threshold`]: encrypted small cells under a trustees' joint key (threshold ElGamal).
//!
//! ```
//! use shopfloor_protocol::{Envelope, Kind, PartyId, SecretKeys, SealFormat, open, seal};
//!
//! let chapter = SecretKeys::generate()?;
//! let hub = SecretKeys::generate()?;
//! let envelope = Envelope::sign_bytes("application/example", b"hello".to_vec(), &chapter);
//! let sealed = seal(&envelope, &[hub.age_recipient()], SealFormat::Armored)?;
//! let opened = open(&sealed, &hub)?;
//! assert_eq!(opened.verify(&chapter.public_key())?.payload(), b"hello");
//! # Ok::<(), shopfloor_protocol::Error>(())
//! ```

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod campaign;
pub mod cert;
pub mod disclosure;
pub mod envelope;
pub mod error;
pub mod guidance;
pub mod identity;
pub mod log;
pub mod note;
pub mod registry;
pub mod relations;
pub mod report;
pub mod request;
pub mod rollup;
pub mod support;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod threshold;

pub use envelope::{Digest, Document, Envelope, SealFormat, Verified, open, seal};
pub use error::{Error, Fault, Reason, Result};
pub use identity::{AgeRecipient, Card, Fingerprint, KeyId, Kind, PartyId, PublicKey, SecretKeys};
pub use report::{Cell, CellKey, CellValue, DisclosurePolicy, Period, Report};
