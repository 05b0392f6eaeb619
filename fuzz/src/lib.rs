//! Shared fixtures for the fuzz targets: the test federation of `protocol/tests/vectors/`
//! (national → south → triangle), whose keys are public test keys committed with the vectors.
//! The committed corpus is made from those vectors, so mutated inputs still reach the code behind
//! signature and seal checks.
//!
//! Setup here may panic: it runs once, on committed files, never on fuzzer input.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use shopfloor_protocol::{Card, SecretKeys};

/// A party of the vector federation: its public card and its (public, test-only) secret keys.
pub struct Party {
    /// The card.
    pub card: Card,
    /// The keys.
    pub keys: SecretKeys,
}

fn party(card: &str, keys: &str) -> Party {
    Party {
        card: Card::from_json(card.as_bytes()).expect("vector card parses"),
        keys: SecretKeys::from_text(keys).expect("vector keys parse"),
    }
}

/// The national root.
pub fn national() -> Party {
    party(
        include_str!("../../protocol/tests/vectors/national.card.json"),
        include_str!("../../protocol/tests/vectors/national.keys.txt"),
    )
}

/// The Southern regional hub.
pub fn south() -> Party {
    party(
        include_str!("../../protocol/tests/vectors/south.card.json"),
        include_str!("../../protocol/tests/vectors/south.keys.txt"),
    )
}

/// The Triangle chapter (certified by south).
pub fn triangle() -> Party {
    party(
        include_str!("../../protocol/tests/vectors/triangle.card.json"),
        include_str!("../../protocol/tests/vectors/triangle.keys.txt"),
    )
}

/// A fixed time inside every vector certificate's validity window.
pub fn vector_time() -> jiff::Timestamp {
    "2026-11-15T00:00:00Z".parse().expect("fixed timestamp")
}
