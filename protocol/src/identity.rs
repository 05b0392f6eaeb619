//! Identities: signing keys, age identities, public cards and fingerprints.
//!
//! Every node and hub holds [`SecretKeys`]: an Ed25519 signing key and an age X25519 identity.
//! Its public [`Card`] names it (id, kind, display name, state) and carries both public keys. A
//! [`Fingerprint`] is what two people read to each other over the phone or Signal to check an
//! enrollment: six groups of five digits derived from the signing key.
//!
//! Files are the binaries' job; this module only turns keys into text and back.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Reason, Result};
use crate::registry;

/// Schema id of a card.
pub const CARD_SCHEMA: &str = "shopfloor.card.v1";
const SIGNING_KEY_PREFIX: &str = "SHOPFLOOR-ED25519-SECRET-1:";

/// The id of a party (chapter, regional hub or national hub): lowercase ASCII letters, digits and
/// hyphens, 1 to 63 characters, starting with a letter or digit. Ids appear in reports and
/// rollups, so they name chapters, never people.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PartyId(String);

impl PartyId {
    /// Parses and validates an id.
    pub fn new(s: &str) -> Result<Self> {
        let ok = !s.is_empty()
            && s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-');
        if ok {
            Ok(PartyId(s.to_owned()))
        } else {
            Err(Error::malformed(format!(
                "party id {s:?} must be 1-63 lowercase letters, digits or hyphens"
            )))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Derives an id from a display name: "Triangle DSA (NC)" becomes "triangle-dsa-nc".
    pub fn slugify(name: &str) -> Result<Self> {
        let mut out = String::new();
        for c in name.chars() {
            let c = match c {
                'á' | 'à' | 'ä' | 'â' | 'Á' => 'a',
                'é' | 'è' | 'ë' | 'ê' | 'É' => 'e',
                'í' | 'ï' | 'Í' => 'i',
                'ó' | 'ö' | 'ô' | 'Ó' => 'o',
                'ú' | 'ü' | 'Ú' => 'u',
                'ñ' | 'Ñ' => 'n',
                c => c,
            };
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let trimmed: String = out.trim_end_matches('-').chars().take(63).collect();
        PartyId::new(trimmed.trim_end_matches('-'))
    }
}

impl fmt::Display for PartyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PartyId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        PartyId::new(s)
    }
}

impl<'de> Deserialize<'de> for PartyId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PartyId::new(&s).map_err(serde::de::Error::custom)
    }
}

/// What a party is, in the order of the federation from the leaves up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A local chapter's node: holds member data, sends reports.
    Chapter,
    /// A regional body's hub: rolls up its chapters and forwards to national.
    Regional,
    /// The national hub: the root of trust.
    National,
}

impl Kind {
    /// The lowercase wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Chapter => "chapter",
            Kind::Regional => "regional",
            Kind::National => "national",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "chapter" => Ok(Kind::Chapter),
            "regional" => Ok(Kind::Regional),
            "national" => Ok(Kind::National),
            _ => Err(Error::malformed(format!("unknown kind {s:?}"))),
        }
    }
}

/// An Ed25519 public key, checked to be a valid, non-weak curve point.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Decodes 32 bytes, refusing invalid and small-order (weak) keys.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::new(Reason::BadKey, "a signing key is 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&arr)
            .map_err(|_| Error::new(Reason::BadKey, "not a valid Ed25519 public key"))?;
        if key.is_weak() {
            return Err(Error::new(
                Reason::BadKey,
                "weak (small-order) Ed25519 public key",
            ));
        }
        Ok(PublicKey(key))
    }

    /// The 32 raw bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The short id used in envelope signatures: hex of the first 16 bytes of SHA-256(key).
    pub fn key_id(&self) -> KeyId {
        let digest = Sha256::digest(self.0.as_bytes());
        KeyId(hex(digest.get(..16).unwrap_or_default()))
    }

    /// The fingerprint people compare out of band.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.to_bytes())
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", B64.encode(self.0.as_bytes()))
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(self.0.as_bytes()))
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bytes = B64.decode(s.as_bytes()).map_err(serde::de::Error::custom)?;
        PublicKey::from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}

/// The id of a signing key inside envelopes: 32 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyId(String);

impl KeyId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for KeyId {
    type Err = Error;
    /// Parses 32 lowercase hex digits.
    fn from_str(s: &str) -> Result<Self> {
        if s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(KeyId(s.to_owned()))
        } else {
            Err(Error::malformed("a key id is 32 lowercase hex digits"))
        }
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A fingerprint people can read aloud: six groups of five decimal digits (about 100 bits).
///
/// Each group is 5 bytes of SHA-256("shopfloor fingerprint v1" || key) read as a big-endian
/// integer modulo 100000, the construction Signal uses for safety numbers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub(crate) fn of(key: &[u8; 32]) -> Self {
        let mut h = Sha256::new();
        h.update(b"shopfloor fingerprint v1");
        h.update(key);
        let digest = h.finalize();
        let groups: Vec<String> = digest
            .chunks(5)
            .take(6)
            .map(|chunk| {
                let n = chunk.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
                format!("{:05}", n % 100_000)
            })
            .collect();
        Fingerprint(groups.join(" "))
    }

    /// The fingerprint as printed: `12345 67890 12345 67890 12345 67890`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An age X25519 recipient (`age1...`), validated on parse.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AgeRecipient(String);

impl AgeRecipient {
    /// Parses an `age1...` recipient.
    pub fn new(s: &str) -> Result<Self> {
        age::x25519::Recipient::from_str(s)
            .map_err(|e| Error::new(Reason::BadKey, format!("not an age X25519 recipient: {e}")))?;
        Ok(AgeRecipient(s.to_owned()))
    }

    /// The recipient as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn to_age(&self) -> Result<age::x25519::Recipient> {
        age::x25519::Recipient::from_str(&self.0)
            .map_err(|e| Error::new(Reason::BadKey, format!("not an age X25519 recipient: {e}")))
    }
}

impl fmt::Debug for AgeRecipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgeRecipient({})", self.0)
    }
}

impl fmt::Display for AgeRecipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for AgeRecipient {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AgeRecipient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AgeRecipient::new(&s).map_err(serde::de::Error::custom)
    }
}

/// A party's secret keys: an Ed25519 signing key and an age X25519 identity.
///
/// `Debug` never prints secrets. The text form ([`SecretKeys::to_text`]) is what the binaries
/// write to `keys.txt` with mode 0600.
pub struct SecretKeys {
    signing: SigningKey,
    age: age::x25519::Identity,
}

impl fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKeys")
            .field("public", &PublicKey(self.signing.verifying_key()))
            .finish_non_exhaustive()
    }
}

impl SecretKeys {
    /// Generates fresh keys from the operating system's random number generator.
    pub fn generate() -> Result<Self> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| Error::new(Reason::ApiMisuse, format!("no system randomness: {e}")))?;
        let keys = SecretKeys {
            signing: SigningKey::from_bytes(&seed),
            age: age::x25519::Identity::generate(),
        };
        seed.fill(0);
        Ok(keys)
    }

    /// Builds keys from a fixed signing seed and age identity text. For test vectors and the
    /// deterministic demo only: real keys come from [`SecretKeys::generate`].
    pub fn from_parts_danger(seed: [u8; 32], age_identity: &str) -> Result<Self> {
        let age = age::x25519::Identity::from_str(age_identity)
            .map_err(|e| Error::new(Reason::BadKey, format!("bad age identity: {e}")))?;
        Ok(SecretKeys {
            signing: SigningKey::from_bytes(&seed),
            age,
        })
    }

    /// The public signing key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key())
    }

    /// The public age recipient that others seal to.
    pub fn age_recipient(&self) -> AgeRecipient {
        AgeRecipient(self.age.to_public().to_string())
    }

    /// A card for these keys.
    pub fn card(&self, id: PartyId, kind: Kind, name: &str, state: Option<&str>) -> Result<Card> {
        Card::new(
            id,
            kind,
            name,
            state,
            self.public_key(),
            self.age_recipient(),
        )
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    pub(crate) fn age_identity(&self) -> &age::x25519::Identity {
        &self.age
    }

    /// The text form: two lines, the signing key and the age identity.
    ///
    /// ```text
    /// SHOPFLOOR-ED25519-SECRET-1:<base64 seed>
    /// AGE-SECRET-KEY-1...
    /// ```
    pub fn to_text(&self) -> String {
        use age::secrecy::ExposeSecret as _;
        format!(
            "{SIGNING_KEY_PREFIX}{}\n{}\n",
            B64.encode(self.signing.to_bytes()),
            self.age.to_string().expose_secret()
        )
    }

    /// Parses the text form. Blank lines and lines starting with `#` are ignored.
    pub fn from_text(text: &str) -> Result<Self> {
        let mut signing = None;
        let mut age_id = None;
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            if let Some(rest) = line.strip_prefix(SIGNING_KEY_PREFIX) {
                let bytes = B64
                    .decode(rest.as_bytes())
                    .map_err(|_| Error::new(Reason::BadKey, "signing key is not base64"))?;
                let seed: [u8; 32] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| Error::new(Reason::BadKey, "signing key seed is 32 bytes"))?;
                signing = Some(SigningKey::from_bytes(&seed));
            } else if line.starts_with("AGE-SECRET-KEY-1") {
                age_id = Some(
                    age::x25519::Identity::from_str(line)
                        .map_err(|_| Error::new(Reason::BadKey, "age identity does not decode"))?,
                );
            } else {
                return Err(Error::new(Reason::BadKey, "unrecognised line in key file"));
            }
        }
        match (signing, age_id) {
            (Some(signing), Some(age)) => Ok(SecretKeys { signing, age }),
            _ => Err(Error::new(
                Reason::BadKey,
                "key file needs a signing key and an age identity",
            )),
        }
    }
}

/// A party's public card: who it is and its two public keys.
///
/// Cards are exchanged as JSON; the national card is pinned out of band by every party and is the
/// root of trust. Other cards are trusted through [certificates](crate::cert::Certificate).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// Always [`CARD_SCHEMA`].
    pub schema: String,
    /// The party's id.
    pub id: PartyId,
    /// Chapter, regional or national.
    pub kind: Kind,
    /// Display name, e.g. "Triangle DSA".
    pub name: String,
    /// USPS state code, for chapters and regional hubs that sit in one state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Ed25519 key that signs the party's documents.
    pub signing_key: PublicKey,
    /// age recipient that documents for this party are sealed to.
    pub age_recipient: AgeRecipient,
}

impl Card {
    /// A validated card.
    pub fn new(
        id: PartyId,
        kind: Kind,
        name: &str,
        state: Option<&str>,
        signing_key: PublicKey,
        age_recipient: AgeRecipient,
    ) -> Result<Self> {
        let card = Card {
            schema: CARD_SCHEMA.to_owned(),
            id,
            kind,
            name: name.to_owned(),
            state: state.map(str::to_owned),
            signing_key,
            age_recipient,
        };
        card.validate()?;
        Ok(card)
    }

    fn validate(&self) -> Result<()> {
        if self.schema != CARD_SCHEMA {
            return Err(Error::new(
                Reason::UnsupportedSchema,
                format!("card schema {:?}, expected {CARD_SCHEMA}", self.schema),
            ));
        }
        let name_len = self.name.chars().count();
        if name_len == 0 || name_len > 120 || self.name.chars().any(char::is_control) {
            return Err(Error::malformed(
                "card name must be 1-120 printable characters",
            ));
        }
        if let Some(state) = &self.state
            && registry::state(state).is_none()
        {
            return Err(Error::malformed(format!(
                "unknown USPS state code {state:?}"
            )));
        }
        Ok(())
    }

    /// Parses and validates a card from JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let card: Card =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("card: {e}")))?;
        card.validate()?;
        Ok(card)
    }

    /// Pretty JSON, as written to `card.json`.
    pub fn to_json(&self) -> String {
        // Serializing a struct of strings cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The signing key's id.
    pub fn key_id(&self) -> KeyId {
        self.signing_key.key_id()
    }

    /// The signing key's fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        self.signing_key.fingerprint()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

pub(crate) fn key_id_from_validated(s: String) -> KeyId {
    KeyId(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_text_round_trip() {
        let keys = SecretKeys::generate().unwrap();
        let text = keys.to_text();
        let back = SecretKeys::from_text(&text).unwrap();
        assert_eq!(back.public_key(), keys.public_key());
        assert_eq!(back.age_recipient(), keys.age_recipient());
        assert!(!format!("{keys:?}").contains("AGE-SECRET"));
    }

    #[test]
    fn card_round_trip_and_fingerprint_shape() {
        let keys = SecretKeys::generate().unwrap();
        let card = keys
            .card(
                PartyId::new("triangle").unwrap(),
                Kind::Chapter,
                "Triangle DSA",
                Some("NC"),
            )
            .unwrap();
        let back = Card::from_json(card.to_json().as_bytes()).unwrap();
        assert_eq!(back, card);
        let fp = card.fingerprint().to_string();
        assert_eq!(fp.len(), 6 * 5 + 5);
        assert!(
            fp.split(' ')
                .all(|g| g.len() == 5 && g.bytes().all(|b| b.is_ascii_digit()))
        );
    }

    #[test]
    fn card_refuses_unknown_state_and_fields() {
        let keys = SecretKeys::generate().unwrap();
        assert!(
            keys.card(PartyId::new("x").unwrap(), Kind::Chapter, "X", Some("ZZ"))
                .is_err()
        );
        let card = keys
            .card(PartyId::new("x").unwrap(), Kind::Chapter, "X", None)
            .unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&card.to_json()).unwrap();
        v["extra"] = serde_json::Value::Bool(true);
        assert!(Card::from_json(v.to_string().as_bytes()).is_err());
    }

    #[test]
    fn party_ids() {
        assert!(PartyId::new("").is_err());
        assert!(PartyId::new("Caps").is_err());
        assert!(PartyId::new("-x").is_err());
        assert_eq!(
            PartyId::slugify("Triangle DSA (NC)").unwrap().as_str(),
            "triangle-dsa-nc"
        );
        assert_eq!(
            PartyId::slugify("Región Sur").unwrap().as_str(),
            "region-sur"
        );
    }

    #[test]
    fn weak_keys_refused() {
        assert_eq!(
            PublicKey::from_bytes(&[0u8; 32]).unwrap_err().reason(),
            Reason::BadKey
        );
        assert!(PublicKey::from_bytes(&[1u8; 31]).is_err());
    }
}
