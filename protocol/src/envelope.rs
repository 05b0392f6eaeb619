//! Signed envelopes (DSSE) and sealing with age.
//!
//! docs/protocol.md §Envelopes: an envelope is the JSON object
//! `{"payloadType": T, "payload": base64(P), "signatures": [{"keyid": K, "sig": base64(S)}]}`
//! where `S` is an Ed25519 signature over the DSSE pre-authentication encoding
//! `"DSSEv1" SP LEN(T) SP T SP LEN(P) SP P` (lengths in ASCII decimal). The payload bytes are
//! what was signed; nothing is re-encoded before verification.
//!
//! Reading a payload requires verifying it first: an [`Envelope`] only hands out its payload
//! through [`Verified`], which [`Envelope::verify`] returns. Signatures are checked with
//! `verify_strict` (no malleable or small-order signatures).
//!
//! Sealing encrypts an envelope's JSON to a recipient with age ([`seal`], [`open`]). age does not
//! authenticate the sender, which is why every sealed document is signed first and names its
//! intended recipient inside the signed payload.

use std::borrow::Cow;
use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature as EdSignature, Signer as _};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Reason, Result};
use crate::identity::{AgeRecipient, KeyId, PublicKey, SecretKeys, hex};

/// Largest single signed document (envelope JSON, or a sealed one) this crate parses from an
/// untrusted sender: 4 MiB. The largest document the protocol produces is a national rollup
/// payload (rollup v2 binds children by digest): about 1 KiB per child plus the summed cells,
/// under 1 MiB for a nation of 1,000 chapters. The largest chapter report seen in testing is
/// 41 KB. docs/protocol.md §Limits.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// Largest bundle (a rollup with the documents it binds, flat) parsed from an untrusted sender,
/// sealed or not: 64 MiB. A regional hub forwards its rollup with every chapter's report and
/// certificate; at the largest report seen (41 KB payload, 56 KB as base64 JSON) a region of 500
/// chapters is 29 MB, so this leaves twice that.
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

/// Largest document or bundle a hub reads back from its own storage, or that `verify` reads from
/// a file the operator names: 256 MiB. A national bundle of 1,000 chapters is about 58 MB at the
/// largest report size; legacy v1 rollups (children embedded base64 inside base64) are read
/// under this limit too.
pub const MAX_STORED_BYTES: usize = 256 * 1024 * 1024;

fn mib(bytes: usize) -> usize {
    bytes / (1024 * 1024)
}

/// A document type that travels inside an envelope.
pub trait Document: Sized {
    /// The DSSE payloadType, e.g. `application/vnd.shopfloor.report.v1+json`.
    const PAYLOAD_TYPE: &'static str;
    /// Parses and validates the payload bytes.
    fn from_payload(bytes: &[u8]) -> Result<Self>;
    /// Encodes the payload bytes that will be signed.
    fn to_payload(&self) -> Vec<u8>;
}

/// The DSSE pre-authentication encoding of a payload type and payload.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// A SHA-256 digest, shown as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// SHA-256 of the bytes.
    pub fn of(bytes: &[u8]) -> Self {
        Digest(Sha256::digest(bytes).into())
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Self> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return Err(Error::malformed("a digest is 64 hex digits"));
        }
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(bytes.chunks(2)) {
            let txt = std::str::from_utf8(pair).map_err(|_| Error::malformed("digest not hex"))?;
            *o = u8::from_str_radix(txt, 16).map_err(|_| Error::malformed("digest not hex"))?;
        }
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(Error::malformed("digest must be lowercase hex"));
        }
        Ok(Digest(out))
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Digest::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// One signature in an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The signer's [`KeyId`], when the envelope names one in Shopfloor's form. DSSE makes
    /// `keyid` an optional, unauthenticated hint: a signature without one, or with another
    /// scheme's, has `None` here and is tried against every key it is verified with.
    pub keyid: Option<KeyId>,
    sig: [u8; 64],
}

/// A DSSE envelope: payload type, exact payload bytes, signatures.
///
/// The payload cannot be read before [`Envelope::verify`] succeeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    payload_type: String,
    payload: Vec<u8>,
    signatures: Vec<Signature>,
}

/// DSSE's JSON envelope. Unknown fields are ignored, as the DSSE spec requires of a verifier
/// (`envelope.md`); duplicate fields are still refused.
#[derive(Serialize, Deserialize)]
struct WireEnvelope<'a> {
    #[serde(rename = "payloadType")]
    payload_type: String,
    /// Borrowed from the input when it can be (base64 has nothing to unescape): a bundle's
    /// payloads are decoded from where they lie rather than copied first.
    #[serde(borrow)]
    payload: Cow<'a, str>,
    signatures: Vec<WireSignature>,
}

#[derive(Serialize, Deserialize)]
struct WireSignature {
    /// Optional in DSSE; unset is the same as empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    keyid: String,
    sig: String,
}

/// DSSE's base64: the standard alphabet or the URL-safe one (a verifier MUST accept either),
/// padded; one alphabet throughout.
fn b64_decode(text: &str) -> std::result::Result<Vec<u8>, base64::DecodeError> {
    B64.decode(text.as_bytes())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text.as_bytes()))
}

impl Envelope {
    /// Signs a document with the given keys.
    pub fn sign<D: Document>(doc: &D, keys: &SecretKeys) -> Envelope {
        Envelope::sign_bytes(D::PAYLOAD_TYPE, doc.to_payload(), keys)
    }

    /// Signs raw payload bytes under a payload type.
    pub fn sign_bytes(payload_type: &str, payload: Vec<u8>, keys: &SecretKeys) -> Envelope {
        let sig = keys.signing_key().sign(&pae(payload_type, &payload));
        Envelope {
            payload_type: payload_type.to_owned(),
            payload,
            signatures: vec![Signature {
                keyid: Some(keys.public_key().key_id()),
                sig: sig.to_bytes(),
            }],
        }
    }

    /// The payload type (readable before verification: it selects the verifier).
    pub fn payload_type(&self) -> &str {
        &self.payload_type
    }

    /// The key ids that signed (readable before verification: they select the key). Signatures
    /// without a key id in Shopfloor's form are not listed; [`Envelope::signed_by`] tries them
    /// against every trusted key.
    pub fn signer_ids(&self) -> impl Iterator<Item = &KeyId> {
        self.signatures.iter().filter_map(|s| s.keyid.as_ref())
    }

    /// SHA-256 of the pre-authentication encoding: names exactly what was signed. Reports chain
    /// by this digest and the transparency log records it.
    pub fn digest(&self) -> Digest {
        // The same bytes as `pae`, hashed as they go rather than copied first.
        let mut h = Sha256::new();
        h.update(b"DSSEv1 ");
        h.update(self.payload_type.len().to_string().as_bytes());
        h.update(b" ");
        h.update(self.payload_type.as_bytes());
        h.update(b" ");
        h.update(self.payload.len().to_string().as_bytes());
        h.update(b" ");
        h.update(&self.payload);
        Digest(h.finalize().into())
    }

    /// Length of the signed payload in bytes.
    pub fn payload_len(&self) -> usize {
        self.payload.len()
    }

    /// Checks that `key` signed this envelope, over the exact bytes received.
    ///
    /// Always `verify_strict`, one signature at a time, also when a rollup tree of hundreds of
    /// documents is verified, although `ed25519_dalek::verify_batch` does the curve arithmetic
    /// of many signatures in one multiscalar multiplication. Batch verification accepts more
    /// than `verify_strict` does: it does not refuse small-order keys (under which anyone can
    /// forge a signature in a few tries) nor an `R` that is small-order or not canonically
    /// encoded, and its random linear combination does not see a difference between `sB - hA` and
    /// `R` that is a small-order point, with odds the signer can grind for because the
    /// coefficients are derived from the inputs. The keys could be checked once each, but
    /// making batch verification refuse exactly what `verify_strict` refuses needs each `R`
    /// checked to be in the prime-order subgroup, one scalar multiplication per signature:
    /// about what a verification costs, which is the saving. Measured in
    /// docs/performance.md §National verification.
    ///
    /// The signatures that name `key`'s id are tried first, then every other (DSSE's `keyid` is
    /// an unauthenticated hint: missing, another scheme's or wrong, the signature still counts
    /// if it verifies). At most 8 signatures, so at most 8 verifications.
    pub fn verify(&self, key: &PublicKey) -> Result<Verified<'_>> {
        let keyid = key.key_id();
        let message = pae(&self.payload_type, &self.payload);
        let named = |s: &&Signature| s.keyid.as_ref() == Some(&keyid);
        let first = self.signatures.iter().filter(named);
        let rest = self.signatures.iter().filter(|s| !named(s));
        for s in first.chain(rest) {
            let sig = EdSignature::from_bytes(&s.sig);
            if key.verifying_key().verify_strict(&message, &sig).is_ok() {
                return Ok(Verified { envelope: self });
            }
        }
        Err(Error::new(
            Reason::BadSignature,
            format!("no valid signature by key {keyid} on {}", self.payload_type),
        ))
    }

    /// DSSE's verifier over a set of trusted keys: the distinct keys of `trusted` that signed
    /// this envelope, in `trusted`'s order, each once however many signatures it made. A DSSE
    /// threshold of `t` is met when at least `t` keys come back.
    pub fn signed_by<'k>(&self, trusted: &'k [PublicKey]) -> Vec<&'k PublicKey> {
        let mut out: Vec<&PublicKey> = Vec::new();
        for key in trusted {
            if out.iter().any(|k| k.key_id() == key.key_id()) {
                continue;
            }
            if self.verify(key).is_ok() {
                out.push(key);
            }
        }
        out
    }

    /// Verifies and parses in one step, checking the payload type first.
    pub fn open_document<D: Document>(&self, key: &PublicKey) -> Result<D> {
        if self.payload_type != D::PAYLOAD_TYPE {
            return Err(Error::new(
                Reason::WrongPayloadType,
                format!(
                    "expected {}, found {:?}",
                    D::PAYLOAD_TYPE,
                    self.payload_type
                ),
            ));
        }
        self.verify(key)?.document()
    }

    /// Parses an envelope from JSON bytes. As DSSE requires of a verifier, it ignores unknown
    /// fields, takes either base64 alphabet and a missing or foreign `keyid`; it refuses bad
    /// base64, signatures of the wrong length, envelopes with no signature or more than 8, and
    /// anything over the size limit.
    pub fn from_json(bytes: &[u8]) -> Result<Envelope> {
        Envelope::from_json_limited(bytes, MAX_DOCUMENT_BYTES)
    }

    /// [`Envelope::from_json`] with another size limit: [`MAX_STORED_BYTES`] for what a hub reads
    /// back from its own storage.
    pub fn from_json_limited(bytes: &[u8], limit: usize) -> Result<Envelope> {
        if bytes.len() > limit {
            return Err(Error::malformed(format!(
                "envelope larger than {} MiB",
                mib(limit)
            )));
        }
        let wire: WireEnvelope = serde_json::from_slice(bytes)
            .map_err(|e| Error::malformed(format!("envelope: {e}")))?;
        Envelope::from_wire(wire)
    }

    fn from_wire(wire: WireEnvelope<'_>) -> Result<Envelope> {
        if wire.payload_type.is_empty() || wire.payload_type.len() > 200 {
            return Err(Error::malformed(
                "envelope payloadType is empty or too long",
            ));
        }
        let payload = b64_decode(&wire.payload)
            .map_err(|_| Error::malformed("envelope payload is not base64"))?;
        if wire.signatures.is_empty() || wire.signatures.len() > 8 {
            return Err(Error::new(
                Reason::BadSignature,
                "envelope carries no signature",
            ));
        }
        let mut signatures = Vec::with_capacity(wire.signatures.len());
        for s in wire.signatures {
            let raw =
                b64_decode(&s.sig).map_err(|_| Error::malformed("signature is not base64"))?;
            let sig: [u8; 64] = raw
                .as_slice()
                .try_into()
                .map_err(|_| Error::malformed("an Ed25519 signature is 64 bytes"))?;
            // Shopfloor's key ids are 32 lowercase hex digits; any other keyid (none, another
            // scheme's) is a hint this crate cannot use, and is dropped.
            let ours = s.keyid.len() == 32
                && s.keyid
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            signatures.push(Signature {
                keyid: ours.then(|| KeyId::from_wire(s.keyid)),
                sig,
            });
        }
        Ok(Envelope {
            payload_type: wire.payload_type,
            payload,
            signatures,
        })
    }

    fn to_wire(&self) -> WireEnvelope<'static> {
        WireEnvelope {
            payload_type: self.payload_type.clone(),
            payload: Cow::Owned(B64.encode(&self.payload)),
            signatures: self
                .signatures
                .iter()
                .map(|s| WireSignature {
                    keyid: s
                        .keyid
                        .as_ref()
                        .map(|k| k.as_str().to_owned())
                        .unwrap_or_default(),
                    sig: B64.encode(s.sig),
                })
                .collect(),
        }
    }

    /// The envelope as compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing strings into a Vec cannot fail.
        serde_json::to_vec(&self.to_wire()).unwrap_or_default()
    }

    /// The envelope as a JSON value (for embedding verbatim in rollups).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self.to_wire()).unwrap_or_default()
    }
}

impl Serialize for Envelope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_wire().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let wire = WireEnvelope::deserialize(d)?;
        Envelope::from_wire(wire).map_err(serde::de::Error::custom)
    }
}

impl KeyId {
    fn from_wire(s: String) -> KeyId {
        // Only called after validation above; KeyId's field is private to identity.
        crate::identity::key_id_from_validated(s)
    }
}

/// An envelope whose signature has been checked: its payload may now be read.
#[derive(Clone, Copy, Debug)]
pub struct Verified<'a> {
    envelope: &'a Envelope,
}

impl<'a> Verified<'a> {
    /// An envelope whose exact signed bytes (its [`Envelope::digest`]) the caller verified
    /// earlier, signature and contents alike: a trustee's known-verified reports
    /// (docs/protocol.md §17.13). Only the rollup walk uses it, and only for such a digest.
    pub(crate) fn known(envelope: &'a Envelope) -> Verified<'a> {
        Verified { envelope }
    }

    /// The exact payload bytes that were signed.
    pub fn payload(&self) -> &'a [u8] {
        &self.envelope.payload
    }

    /// The envelope.
    pub fn envelope(&self) -> &'a Envelope {
        self.envelope
    }

    /// Parses the payload as a document, checking the payload type.
    pub fn document<D: Document>(&self) -> Result<D> {
        if self.envelope.payload_type != D::PAYLOAD_TYPE {
            return Err(Error::new(
                Reason::WrongPayloadType,
                format!(
                    "expected {}, found {:?}",
                    D::PAYLOAD_TYPE,
                    self.envelope.payload_type
                ),
            ));
        }
        D::from_payload(&self.envelope.payload)
    }
}

/// How a sealed file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealFormat {
    /// Binary age format (`age-encryption.org/v1` header).
    Binary,
    /// ASCII-armored age (`-----BEGIN AGE ENCRYPTED FILE-----`), for email and copy-paste.
    Armored,
}

/// Encrypts an envelope to one or more age recipients. Sign first, then seal.
pub fn seal(
    envelope: &Envelope,
    recipients: &[AgeRecipient],
    format: SealFormat,
) -> Result<Vec<u8>> {
    seal_bytes(&envelope.to_json(), recipients, format)
}

/// Encrypts signed bytes (an envelope's or a bundle's JSON) to one or more age recipients.
pub fn seal_bytes(
    plaintext: &[u8],
    recipients: &[AgeRecipient],
    format: SealFormat,
) -> Result<Vec<u8>> {
    let parsed: Vec<age::x25519::Recipient> = recipients
        .iter()
        .map(AgeRecipient::to_age)
        .collect::<Result<_>>()?;
    let encryptor =
        age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| Error::new(Reason::ApiMisuse, format!("cannot seal: {e}")))?;
    let mut out = Vec::with_capacity(plaintext.len() + 512);
    let io_err = |e: std::io::Error| Error::new(Reason::ApiMisuse, format!("sealing failed: {e}"));
    match format {
        SealFormat::Binary => {
            let mut w = encryptor.wrap_output(&mut out).map_err(io_err)?;
            w.write_all(plaintext).map_err(io_err)?;
            w.finish().map_err(io_err)?;
        }
        SealFormat::Armored => {
            let armor =
                age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
                    .map_err(io_err)?;
            let mut w = encryptor.wrap_output(armor).map_err(io_err)?;
            w.write_all(plaintext).map_err(io_err)?;
            w.finish().and_then(|a| a.finish()).map_err(io_err)?;
        }
    }
    Ok(out)
}

/// Decrypts a sealed file (binary or armored) with the receiver's keys and parses the envelope
/// inside. The envelope still has to be verified.
pub fn open(sealed: &[u8], keys: &SecretKeys) -> Result<Envelope> {
    Envelope::from_json(&open_bytes(sealed, keys, MAX_DOCUMENT_BYTES)?)
}

/// Decrypts a sealed file (binary or armored) with the receiver's keys, refusing a sealed file
/// or plaintext larger than `limit`. What comes out still has to be parsed and verified.
pub fn open_bytes(sealed: &[u8], keys: &SecretKeys, limit: usize) -> Result<Vec<u8>> {
    if sealed.len() > sealed_limit(limit) {
        return Err(Error::new(
            Reason::SealBroken,
            format!("sealed file larger than {} MiB", mib(limit)),
        ));
    }
    let broken = |e: &dyn std::fmt::Display| Error::new(Reason::SealBroken, format!("{e}"));
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(sealed))
        .map_err(|e| broken(&e))?;
    let mut reader = decryptor
        .decrypt(std::iter::once(keys.age_identity() as &dyn age::Identity))
        .map_err(|e| broken(&e))?;
    let mut plaintext = Vec::new();
    reader
        .by_ref()
        .take(limit as u64 + 1)
        .read_to_end(&mut plaintext)
        .map_err(|e| broken(&e))?;
    if plaintext.len() > limit {
        return Err(Error::new(
            Reason::SealBroken,
            format!("sealed content larger than {} MiB", mib(limit)),
        ));
    }
    Ok(plaintext)
}

/// The largest sealed file that can hold `limit` bytes of plaintext: age adds a header and a
/// 16-byte tag per 64 KiB chunk; ASCII armor adds base64 (4/3) and line breaks. Half again plus
/// 4 KiB bounds both.
fn sealed_limit(limit: usize) -> usize {
    limit.saturating_add(limit / 2).saturating_add(4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_dsse_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn sign_verify_round_trip_and_wrong_key() {
        let keys = SecretKeys::generate().unwrap();
        let other = SecretKeys::generate().unwrap();
        let env = Envelope::sign_bytes("application/test", b"{}".to_vec(), &keys);
        let parsed = Envelope::from_json(&env.to_json()).unwrap();
        assert_eq!(parsed, env);
        assert_eq!(parsed.verify(&keys.public_key()).unwrap().payload(), b"{}");
        assert_eq!(
            parsed.verify(&other.public_key()).unwrap_err().reason(),
            Reason::BadSignature
        );
    }

    #[test]
    fn seal_open_both_formats() {
        let sender = SecretKeys::generate().unwrap();
        let hub = SecretKeys::generate().unwrap();
        let env = Envelope::sign_bytes("application/test", b"payload".to_vec(), &sender);
        for format in [SealFormat::Binary, SealFormat::Armored] {
            let sealed = seal(&env, &[hub.age_recipient()], format).unwrap();
            if format == SealFormat::Armored {
                assert!(sealed.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
            }
            assert_eq!(open(&sealed, &hub).unwrap(), env);
            assert_eq!(
                open(&sealed, &sender).unwrap_err().reason(),
                Reason::SealBroken
            );
        }
    }

    #[test]
    fn digest_hex_round_trip() {
        let d = Digest::of(b"x");
        assert_eq!(Digest::from_hex(&d.to_hex()).unwrap(), d);
        assert!(Digest::from_hex("zz").is_err());
        assert!(Digest::from_hex(&d.to_hex().to_uppercase()).is_err());
    }
}
