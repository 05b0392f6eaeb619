//! One error type for the whole crate, with a stable reason code per failure.
//!
//! Reasons are grouped by who is at fault, like rustls' error module: a peer that sent bad bytes,
//! a peer whose documents do not chain to the trusted root, or the caller misusing the API. Servers
//! map [`Fault`] to an HTTP status and send [`Reason::code`] with a sentence; the codes are part of
//! the protocol (docs/protocol.md lists them) and never change meaning.

use std::fmt;

/// Who is responsible for a failure; servers map this to an HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// The bytes are not a well-formed document of the expected kind (HTTP 400).
    Malformed,
    /// The document is well formed but its signatures, certificates or sums do not hold (HTTP 403
    /// or 422 depending on the server).
    Untrusted,
    /// The document is authentic but not acceptable here: wrong recipient, period, revision (HTTP 409).
    Unacceptable,
    /// The caller asked for something impossible (a programming or configuration error).
    Local,
}

/// Why a document was refused. Each variant has a stable, kebab-case [code](Reason::code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Bytes that do not parse: bad JSON, bad base64, missing or extra fields.
    Malformed,
    /// A schema id or version this implementation does not know.
    UnsupportedSchema,
    /// An envelope whose payloadType is not the one expected here.
    WrongPayloadType,
    /// A key or identity that does not decode.
    BadKey,
    /// No signature verifies under the expected key.
    BadSignature,
    /// A certificate that is malformed for its place in the chain (wrong issuer, role, subject).
    BadCertificate,
    /// A certificate chain that does not lead to the pinned root card.
    UntrustedChain,
    /// A certificate or document outside its validity window.
    Expired,
    /// A key that its issuer has revoked.
    Revoked,
    /// A document addressed to another party.
    WrongRecipient,
    /// A document for another period than expected, or a malformed period.
    WrongPeriod,
    /// A revision that does not supersede what is held.
    StaleRevision,
    /// A report whose previous-report hash does not match the chain of reports held.
    BrokenChain,
    /// A metric, dimension or vocabulary value that the registry does not define.
    UnknownMetric,
    /// The same cell twice, or a cell whose value is invalid (negative, both value and suppressed).
    InvalidCell,
    /// Published cells that break disclosure control (0 < v < k published, or a suppressed cell
    /// that can be derived).
    DisclosureViolation,
    /// A rollup whose sums or completeness do not match its embedded children.
    SumMismatch,
    /// A sealed file that does not open with the given identity.
    SealBroken,
    /// A Merkle proof or checkpoint that does not verify.
    BadProof,
    /// The caller misused the API (e.g. sealing to no recipient).
    ApiMisuse,
    /// A message of the trustees' key ceremony (distributed key generation) that does not hold:
    /// another ceremony, an unknown or repeated trustee, a commitment, polynomial or secret share
    /// that does not match, or a joint key whose trustee keys are inconsistent.
    BadCeremony,
    /// An encrypted cell whose range proof does not verify under the joint key for its bound: a
    /// tampered ciphertext, a tampered proof, or a proof made for another bound.
    BadRangeProof,
    /// A claimed tally of encrypted cells that is not the product of the given children's
    /// ciphertexts (a child left out or added, or another product).
    TallyMismatch,
    /// A trustee's decryption share whose proof does not verify, from an unknown trustee, for
    /// another joint key, or repeated.
    BadDecryptionShare,
    /// Fewer valid decryption shares than the joint key's threshold.
    InsufficientShares,
    /// A combined decryption whose value is not in the discrete-log table (beyond its bound).
    Undecodable,
    /// An aggregate that the release rule does not allow to be decrypted or published.
    ReleaseRefused,
    /// An encrypted cell whose range-proof bound is not the public bound: one more than the
    /// largest value the report's published cells allow the withheld cell (docs/protocol.md §17).
    BadBound,
    /// Encrypted cells under a joint key the receiver does not hold from national's guidance.
    UnknownJointKey,
    /// A log checkpoint that carries fewer valid cosignatures from the required witnesses than
    /// the quorum, or a document not shown to be in a witnessed log (docs/protocol.md §18.6).
    Unwitnessed,
}

impl Reason {
    /// The stable reason code sent over the wire and printed by the command-line tools.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::UnsupportedSchema => "unsupported-schema",
            Reason::WrongPayloadType => "wrong-payload-type",
            Reason::BadKey => "bad-key",
            Reason::BadSignature => "bad-signature",
            Reason::BadCertificate => "bad-certificate",
            Reason::UntrustedChain => "untrusted-chain",
            Reason::Expired => "expired",
            Reason::Revoked => "revoked",
            Reason::WrongRecipient => "wrong-recipient",
            Reason::WrongPeriod => "wrong-period",
            Reason::StaleRevision => "stale-revision",
            Reason::BrokenChain => "broken-chain",
            Reason::UnknownMetric => "unknown-metric",
            Reason::InvalidCell => "invalid-cell",
            Reason::DisclosureViolation => "disclosure-violation",
            Reason::SumMismatch => "sum-mismatch",
            Reason::SealBroken => "seal-broken",
            Reason::BadProof => "bad-proof",
            Reason::ApiMisuse => "api-misuse",
            Reason::BadCeremony => "bad-ceremony",
            Reason::BadRangeProof => "bad-range-proof",
            Reason::TallyMismatch => "tally-mismatch",
            Reason::BadDecryptionShare => "bad-decryption-share",
            Reason::InsufficientShares => "insufficient-shares",
            Reason::Undecodable => "undecodable",
            Reason::ReleaseRefused => "release-refused",
            Reason::BadBound => "bad-bound",
            Reason::UnknownJointKey => "unknown-joint-key",
            Reason::Unwitnessed => "unwitnessed",
        }
    }

    /// Who is at fault for this reason.
    pub fn fault(self) -> Fault {
        match self {
            Reason::Malformed
            | Reason::UnsupportedSchema
            | Reason::WrongPayloadType
            | Reason::BadKey
            | Reason::UnknownMetric
            | Reason::InvalidCell
            | Reason::SealBroken => Fault::Malformed,
            Reason::BadSignature
            | Reason::BadCertificate
            | Reason::UntrustedChain
            | Reason::Expired
            | Reason::Revoked
            | Reason::DisclosureViolation
            | Reason::SumMismatch
            | Reason::BadProof
            | Reason::BadCeremony
            | Reason::BadRangeProof
            | Reason::TallyMismatch
            | Reason::BadDecryptionShare => Fault::Untrusted,
            Reason::WrongRecipient
            | Reason::WrongPeriod
            | Reason::StaleRevision
            | Reason::BrokenChain
            | Reason::InsufficientShares
            | Reason::Undecodable
            | Reason::ReleaseRefused => Fault::Unacceptable,
            Reason::ApiMisuse => Fault::Local,
            Reason::BadBound => Fault::Untrusted,
            Reason::UnknownJointKey => Fault::Unacceptable,
            Reason::Unwitnessed => Fault::Unacceptable,
        }
    }

    /// Every reason, in declaration order (for documentation and tests).
    pub const ALL: &'static [Reason] = &[
        Reason::Malformed,
        Reason::UnsupportedSchema,
        Reason::WrongPayloadType,
        Reason::BadKey,
        Reason::BadSignature,
        Reason::BadCertificate,
        Reason::UntrustedChain,
        Reason::Expired,
        Reason::Revoked,
        Reason::WrongRecipient,
        Reason::WrongPeriod,
        Reason::StaleRevision,
        Reason::BrokenChain,
        Reason::UnknownMetric,
        Reason::InvalidCell,
        Reason::DisclosureViolation,
        Reason::SumMismatch,
        Reason::SealBroken,
        Reason::BadProof,
        Reason::ApiMisuse,
        Reason::BadCeremony,
        Reason::BadRangeProof,
        Reason::TallyMismatch,
        Reason::BadDecryptionShare,
        Reason::InsufficientShares,
        Reason::Undecodable,
        Reason::ReleaseRefused,
        Reason::BadBound,
        Reason::UnknownJointKey,
        Reason::Unwitnessed,
    ];
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A refused document or failed operation: a stable [`Reason`] and a sentence for people.
///
/// The sentence never contains secret material; it may name parties, periods, metrics and cells.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct Error {
    reason: Reason,
    detail: String,
}

impl Error {
    /// A new error with the given reason and explanation.
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Error {
            reason,
            detail: detail.into(),
        }
    }

    /// The stable reason.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The human explanation.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Prefixes the explanation with context, keeping the reason (e.g. which child of a rollup).
    #[must_use]
    pub fn context(self, what: impl fmt::Display) -> Self {
        Error {
            reason: self.reason,
            detail: format!("{what}: {}", self.detail),
        }
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        Error::new(Reason::Malformed, detail)
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for r in Reason::ALL {
            assert!(seen.insert(r.code()), "duplicate code {}", r.code());
            assert!(r.code().chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        }
    }

    #[test]
    fn context_keeps_reason() {
        let e = Error::new(Reason::SumMismatch, "members 3 != 4").context("child ch-a");
        assert_eq!(e.reason(), Reason::SumMismatch);
        assert_eq!(e.to_string(), "sum-mismatch: child ch-a: members 3 != 4");
    }
}
