//! Membership certificates, chains to the national root, revocation lists and key rotation.
//!
//! docs/protocol.md §Trust. The national hub's [`Card`] is the root of trust, pinned by every
//! party out of band. A hub admits a child by signing a [`Certificate`] for the child's card.
//! Chains run national → chapter, or national → regional → chapter; a regional hub can only
//! certify chapters. A hub publishes a signed [`RevocationList`]; a document signed by a revoked
//! key at or after its revocation time is refused. A party changes keys with a [`Rotation`]
//! statement signed by the old key, after which its parent certifies the new card.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::envelope::{Document, Envelope};
use crate::error::{Error, Reason, Result};
use crate::identity::{Card, KeyId, Kind, PartyId, SecretKeys};
use crate::report::check_schema;

/// Schema id of a certificate.
pub const CERT_SCHEMA: &str = "shopfloor.cert.v1";
/// Schema id of a revocation list.
pub const REVOCATIONS_SCHEMA: &str = "shopfloor.revocations.v1";
/// Schema id of a rotation statement.
pub const ROTATION_SCHEMA: &str = "shopfloor.rotation.v1";

/// A parent's signed statement that a child's card belongs to the federation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// Always [`CERT_SCHEMA`].
    pub schema: String,
    /// Serial number, unique per issuer.
    pub serial: u64,
    /// The issuing hub.
    pub issuer: PartyId,
    /// The key id the issuer signs with.
    pub issuer_key: KeyId,
    /// The certified card.
    pub subject: Card,
    /// Start of validity.
    pub not_before: jiff::Timestamp,
    /// End of validity.
    pub not_after: jiff::Timestamp,
}

impl Document for Certificate {
    const PAYLOAD_TYPE: &'static str = "application/vnd.shopfloor.cert.v1+json";

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.cert.", CERT_SCHEMA)?;
        let cert: Certificate = serde_json::from_slice(bytes)
            .map_err(|e| Error::malformed(format!("certificate: {e}")))?;
        if cert.not_after <= cert.not_before {
            return Err(Error::new(
                Reason::BadCertificate,
                "certificate validity window is empty",
            ));
        }
        Card::from_json(&serde_json::to_vec(&cert.subject).unwrap_or_default())?;
        Ok(cert)
    }

    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Whether a party of kind `issuer` may certify a party of kind `subject`.
pub fn may_certify(issuer: Kind, subject: Kind) -> bool {
    matches!(
        (issuer, subject),
        (Kind::National, Kind::Regional)
            | (Kind::National, Kind::Chapter)
            | (Kind::Regional, Kind::Chapter)
    )
}

/// Signs a certificate for `subject`, valid from `not_before` to `not_after`.
pub fn issue(
    issuer: &Card,
    keys: &SecretKeys,
    subject: Card,
    serial: u64,
    not_before: jiff::Timestamp,
    not_after: jiff::Timestamp,
) -> Result<Envelope> {
    if keys.public_key() != issuer.signing_key {
        return Err(Error::new(
            Reason::ApiMisuse,
            "issuer keys do not match the issuer card",
        ));
    }
    if !may_certify(issuer.kind, subject.kind) {
        return Err(Error::new(
            Reason::BadCertificate,
            format!("a {} hub cannot certify a {}", issuer.kind, subject.kind),
        ));
    }
    if not_after <= not_before {
        return Err(Error::new(
            Reason::ApiMisuse,
            "certificate validity window is empty",
        ));
    }
    let cert = Certificate {
        schema: CERT_SCHEMA.to_owned(),
        serial,
        issuer: issuer.id.clone(),
        issuer_key: issuer.key_id(),
        subject,
        not_before,
        not_after,
    };
    Ok(Envelope::sign(&cert, keys))
}

/// One revoked certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// Serial of the revoked certificate.
    pub serial: u64,
    /// The party whose certificate it was.
    pub subject: PartyId,
    /// The revoked signing key.
    pub key: KeyId,
    /// From when documents signed by the key are refused.
    pub revoked_at: jiff::Timestamp,
    /// Why, in a few words (never names people).
    pub reason: String,
}

/// A hub's signed list of revoked certificates. Each new list replaces the previous one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationList {
    /// Always [`REVOCATIONS_SCHEMA`].
    pub schema: String,
    /// The issuing hub.
    pub issuer: PartyId,
    /// When this list was issued.
    pub issued_at: jiff::Timestamp,
    /// Revoked certificates.
    pub entries: Vec<Revocation>,
}

impl RevocationList {
    /// An empty list for `issuer`.
    pub fn new(issuer: PartyId, issued_at: jiff::Timestamp) -> Self {
        RevocationList {
            schema: REVOCATIONS_SCHEMA.to_owned(),
            issuer,
            issued_at,
            entries: Vec::new(),
        }
    }
}

impl Document for RevocationList {
    const PAYLOAD_TYPE: &'static str = "application/vnd.shopfloor.revocations.v1+json";

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.revocations.", REVOCATIONS_SCHEMA)?;
        serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("revocation list: {e}")))
    }

    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The verified revocation lists known to a verifier, newest per issuer.
#[derive(Clone, Debug, Default)]
pub struct RevocationSet {
    lists: BTreeMap<PartyId, RevocationList>,
}

impl RevocationSet {
    /// An empty set.
    pub fn new() -> Self {
        RevocationSet::default()
    }

    /// Verifies a list signed by `issuer` and keeps it if it is the newest from that issuer.
    pub fn add(&mut self, envelope: &Envelope, issuer: &Card) -> Result<()> {
        let list: RevocationList = envelope
            .open_document(&issuer.signing_key)
            .map_err(|e| e.context(format!("revocation list of {}", issuer.id)))?;
        if list.issuer != issuer.id {
            return Err(Error::new(
                Reason::BadCertificate,
                format!(
                    "revocation list names issuer {} but is signed by {}",
                    list.issuer, issuer.id
                ),
            ));
        }
        self.insert(list);
        Ok(())
    }

    /// Keeps an already verified list (the hub's own).
    pub fn insert(&mut self, list: RevocationList) {
        match self.lists.get(&list.issuer) {
            Some(held) if held.issued_at >= list.issued_at => {}
            _ => {
                self.lists.insert(list.issuer.clone(), list);
            }
        }
    }

    /// The revocation that applies to a key certified by `issuer` for a document made at `at`.
    pub fn revoked(
        &self,
        issuer: &PartyId,
        key: &KeyId,
        at: jiff::Timestamp,
    ) -> Option<&Revocation> {
        self.lists
            .get(issuer)?
            .entries
            .iter()
            .find(|r| &r.key == key && r.revoked_at <= at)
    }
}

/// Verifies a certificate chain from the pinned root down to a leaf, for a document made at `at`.
///
/// `chain` is ordered from the certificate the root issued to the leaf's certificate. An empty
/// chain means the root itself. Returns the leaf's card.
pub fn verify_chain(
    root: &Card,
    chain: &[Envelope],
    at: jiff::Timestamp,
    revocations: &RevocationSet,
) -> Result<Card> {
    if root.kind != Kind::National {
        return Err(Error::new(
            Reason::UntrustedChain,
            "the pinned root card is not a national card",
        ));
    }
    if chain.len() > 2 {
        return Err(Error::new(
            Reason::UntrustedChain,
            "a chain has at most two certificates",
        ));
    }
    let mut issuer = root.clone();
    for (depth, envelope) in chain.iter().enumerate() {
        let cert = verify_certificate(&issuer, envelope, at, revocations)
            .map_err(|e| e.context(format!("certificate {} of the chain", depth + 1)))?;
        issuer = cert.subject;
    }
    Ok(issuer)
}

/// Verifies one certificate issued by `issuer`: signature, names, kinds, validity at `at`, and
/// revocation by the issuer.
pub fn verify_certificate(
    issuer: &Card,
    envelope: &Envelope,
    at: jiff::Timestamp,
    revocations: &RevocationSet,
) -> Result<Certificate> {
    let cert = open_certificate(issuer, envelope)?;
    check_certificate(issuer, &cert, at, revocations)?;
    Ok(cert)
}

/// Checks `issuer`'s signature on a certificate and parses it; [`check_certificate`] does the
/// rest once the time of the document it vouches for is known.
pub fn open_certificate(issuer: &Card, envelope: &Envelope) -> Result<Certificate> {
    envelope.open_document(&issuer.signing_key).map_err(|e| {
        if e.reason() == Reason::BadSignature {
            Error::new(
                Reason::UntrustedChain,
                format!("not signed by {}: {}", issuer.id, e.detail()),
            )
        } else {
            e
        }
    })
}

/// Checks a certificate whose signature by `issuer` was verified ([`open_certificate`]): names,
/// kinds, validity at `at`, and revocation by the issuer.
pub fn check_certificate(
    issuer: &Card,
    cert: &Certificate,
    at: jiff::Timestamp,
    revocations: &RevocationSet,
) -> Result<()> {
    if cert.issuer != issuer.id || cert.issuer_key != issuer.key_id() {
        return Err(Error::new(
            Reason::UntrustedChain,
            format!(
                "certificate names issuer {} but {} signed it",
                cert.issuer, issuer.id
            ),
        ));
    }
    if !may_certify(issuer.kind, cert.subject.kind) {
        return Err(Error::new(
            Reason::BadCertificate,
            format!("a {} cannot certify a {}", issuer.kind, cert.subject.kind),
        ));
    }
    if at < cert.not_before || at >= cert.not_after {
        return Err(Error::new(
            Reason::Expired,
            format!(
                "certificate {} for {} is valid {} to {}, not at {at}",
                cert.serial, cert.subject.id, cert.not_before, cert.not_after
            ),
        ));
    }
    if let Some(r) = revocations.revoked(&issuer.id, &cert.subject.key_id(), at) {
        return Err(Error::new(
            Reason::Revoked,
            format!(
                "{} was revoked by {} at {} ({})",
                cert.subject.id, issuer.id, r.revoked_at, r.reason
            ),
        ));
    }
    Ok(())
}

/// A party's statement, signed with its old key, that its new card replaces the old one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// Always [`ROTATION_SCHEMA`].
    pub schema: String,
    /// The party rotating.
    pub subject: PartyId,
    /// The key being retired.
    pub old_key: KeyId,
    /// The new card.
    pub new_card: Card,
    /// When the rotation was made.
    pub at: jiff::Timestamp,
}

impl Document for Rotation {
    const PAYLOAD_TYPE: &'static str = "application/vnd.shopfloor.rotation.v1+json";

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.rotation.", ROTATION_SCHEMA)?;
        serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("rotation: {e}")))
    }

    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Signs a rotation from `old` keys to `new_card`.
pub fn rotate(
    old_card: &Card,
    old: &SecretKeys,
    new_card: Card,
    at: jiff::Timestamp,
) -> Result<Envelope> {
    if old.public_key() != old_card.signing_key {
        return Err(Error::new(
            Reason::ApiMisuse,
            "old keys do not match the old card",
        ));
    }
    if new_card.id != old_card.id || new_card.kind != old_card.kind {
        return Err(Error::new(
            Reason::ApiMisuse,
            "a rotation keeps the party's id and kind",
        ));
    }
    if new_card.signing_key == old_card.signing_key {
        return Err(Error::new(
            Reason::ApiMisuse,
            "a rotation changes the signing key",
        ));
    }
    let rotation = Rotation {
        schema: ROTATION_SCHEMA.to_owned(),
        subject: old_card.id.clone(),
        old_key: old_card.key_id(),
        new_card,
        at,
    };
    Ok(Envelope::sign(&rotation, old))
}

/// Verifies a rotation statement against the old card and returns the new card.
pub fn verify_rotation(old_card: &Card, envelope: &Envelope) -> Result<Card> {
    let rotation: Rotation = envelope.open_document(&old_card.signing_key)?;
    if rotation.subject != old_card.id
        || rotation.old_key != old_card.key_id()
        || rotation.new_card.id != old_card.id
        || rotation.new_card.kind != old_card.kind
    {
        return Err(Error::new(
            Reason::BadCertificate,
            "rotation does not match the old card",
        ));
    }
    if rotation.new_card.signing_key == old_card.signing_key {
        return Err(Error::new(
            Reason::BadCertificate,
            "rotation keeps the same key",
        ));
    }
    Ok(rotation.new_card)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::{SignedDuration, Timestamp};

    struct Party {
        keys: SecretKeys,
        card: Card,
    }

    fn party(id: &str, kind: Kind) -> Party {
        let keys = SecretKeys::generate().unwrap();
        let card = keys
            .card(PartyId::new(id).unwrap(), kind, id, None)
            .unwrap();
        Party { keys, card }
    }

    fn year() -> (Timestamp, Timestamp) {
        let now = Timestamp::now();
        (
            now - SignedDuration::from_hours(1),
            now + SignedDuration::from_hours(24 * 365),
        )
    }

    #[test]
    fn two_level_chain_verifies() {
        let (nb, na) = year();
        let national = party("national", Kind::National);
        let south = party("south", Kind::Regional);
        let chapter = party("triangle", Kind::Chapter);
        let c1 = issue(
            &national.card,
            &national.keys,
            south.card.clone(),
            1,
            nb,
            na,
        )
        .unwrap();
        let c2 = issue(&south.card, &south.keys, chapter.card.clone(), 1, nb, na).unwrap();
        let leaf = verify_chain(
            &national.card,
            &[c1.clone(), c2.clone()],
            Timestamp::now(),
            &RevocationSet::new(),
        )
        .unwrap();
        assert_eq!(leaf, chapter.card);

        // Wrong root.
        let other = party("impostor", Kind::National);
        let err = verify_chain(
            &other.card,
            &[c1.clone(), c2.clone()],
            Timestamp::now(),
            &RevocationSet::new(),
        )
        .unwrap_err();
        assert_eq!(err.reason(), Reason::UntrustedChain);

        // Order matters.
        assert!(
            verify_chain(
                &national.card,
                &[c2.clone(), c1.clone()],
                Timestamp::now(),
                &RevocationSet::new()
            )
            .is_err()
        );

        // Outside the window.
        let err = verify_chain(
            &national.card,
            &[c1.clone(), c2.clone()],
            na,
            &RevocationSet::new(),
        )
        .unwrap_err();
        assert_eq!(err.reason(), Reason::Expired);
    }

    #[test]
    fn regional_cannot_certify_regional() {
        let (nb, na) = year();
        let south = party("south", Kind::Regional);
        let other = party("west", Kind::Regional);
        assert_eq!(
            issue(&south.card, &south.keys, other.card, 1, nb, na)
                .unwrap_err()
                .reason(),
            Reason::BadCertificate
        );
    }

    #[test]
    fn revocation_applies_from_its_time() {
        let (nb, na) = year();
        let national = party("national", Kind::National);
        let chapter = party("triangle", Kind::Chapter);
        let cert = issue(
            &national.card,
            &national.keys,
            chapter.card.clone(),
            7,
            nb,
            na,
        )
        .unwrap();
        let revoked_at = Timestamp::now();
        let mut list = RevocationList::new(national.card.id.clone(), revoked_at);
        list.entries.push(Revocation {
            serial: 7,
            subject: chapter.card.id.clone(),
            key: chapter.card.key_id(),
            revoked_at,
            reason: "key lost".into(),
        });
        let env = Envelope::sign(&list, &national.keys);
        let mut set = RevocationSet::new();
        set.add(&env, &national.card).unwrap();
        let before = revoked_at - SignedDuration::from_mins(1);
        verify_chain(&national.card, std::slice::from_ref(&cert), before, &set).unwrap();
        let err = verify_chain(&national.card, &[cert], revoked_at, &set).unwrap_err();
        assert_eq!(err.reason(), Reason::Revoked);
        // A list signed by someone else is refused.
        assert!(set.add(&env, &chapter.card).is_err());
    }

    #[test]
    fn rotation_round_trip() {
        let old = party("triangle", Kind::Chapter);
        let new_keys = SecretKeys::generate().unwrap();
        let new_card = new_keys
            .card(old.card.id.clone(), Kind::Chapter, "triangle", None)
            .unwrap();
        let env = rotate(&old.card, &old.keys, new_card.clone(), Timestamp::now()).unwrap();
        assert_eq!(verify_rotation(&old.card, &env).unwrap(), new_card);
        // Signed by the new key instead of the old: refused.
        let forged = Rotation {
            schema: ROTATION_SCHEMA.into(),
            subject: old.card.id.clone(),
            old_key: old.card.key_id(),
            new_card: new_card.clone(),
            at: Timestamp::now(),
        };
        let forged = Envelope::sign(&forged, &new_keys);
        assert_eq!(
            verify_rotation(&old.card, &forged).unwrap_err().reason(),
            Reason::BadSignature
        );
    }
}
