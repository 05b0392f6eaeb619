//! C2SP signed notes, checkpoints and witness cosignatures: the forms the transparency ecosystem
//! reads, so that independent witnesses can cosign a hub's log and any C2SP client can check it.
//!
//! - **Signed notes** (c2sp.org/signed-note@v1): a UTF-8 text ending in a newline, a blank line,
//!   then one or more lines `— <key name> base64(key ID || signature)`. A key is named by its
//!   name and a 32-bit key ID, `SHA-256(name || 0x0A || type || public key)[:4]`; verifier keys
//!   ("vkeys") are `<name>+<hex key ID>+base64(type || public key)`. Only Ed25519 (type `0x01`)
//!   and Ed25519 cosignatures (type `0x04`) are implemented: the spec asks implementations to
//!   support only the types their design needs.
//! - **Checkpoints** (c2sp.org/tlog-checkpoint@v1): a note whose text is the log's origin line,
//!   its tree size in decimal and its RFC 6962 root hash in base64, each on its own line.
//! - **Cosignatures** (c2sp.org/tlog-cosignature, Ed25519 form): a note signature of type `0x04`
//!   whose signed message is `cosignature/v1\ntime <T>\n` followed by the checkpoint's text, and
//!   whose signature bytes are the 8-byte big-endian timestamp followed by the Ed25519 signature.
//! - **Witness requests** (c2sp.org/tlog-witness, `add-checkpoint`): `old <size>`, up to 63
//!   consistency-proof hashes in base64, a blank line, then the checkpoint; [`witness`] decides
//!   the answer as the spec's status codes, as a pure function of the witness's last cosigned
//!   size and root for that origin.
//!
//! Signatures are made with keys derived from a party's signing key ([`NoteSigner::log`],
//! [`NoteSigner::cosigner`]): a hub's card key signs DSSE envelopes only, its log key signs
//! checkpoints only and its cosigner key signs cosignatures only. Each derived seed is
//! `SHA-256(label || 0x00 || signing seed)` with a distinct label, so a signature made for one
//! purpose is never valid under the key of another (docs/protocol.md §"Witnessed checkpoints").
//!
//! Parsing never panics and is bounded: a note is at most [`MAX_NOTE_BYTES`] with at most
//! [`MAX_SIGNATURES`] signature lines (the spec asks verifiers to accept at least 16).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::envelope::Digest;
use crate::error::{Error, Reason, Result};
use crate::identity::{PublicKey, SecretKeys};

/// The largest note accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// The most signature lines a note may carry.
pub const MAX_SIGNATURES: usize = 64;
/// The most consistency-proof lines an `add-checkpoint` request may carry (tlog-witness).
pub const MAX_PROOF_LINES: usize = 63;
/// Signature type of plain Ed25519 note signatures.
pub const TYPE_ED25519: u8 = 0x01;
/// Signature type of timestamped Ed25519 checkpoint cosignatures (tlog-cosignature).
pub const TYPE_COSIGNATURE_V1: u8 = 0x04;

const EM_DASH: char = '\u{2014}';
const LOG_KEY_LABEL: &[u8] = b"shopfloor/note/log-key/v1";
const COSIGNER_KEY_LABEL: &[u8] = b"shopfloor/note/cosigner-key/v1";

fn bad(what: impl Into<String>) -> Error {
    Error::new(Reason::Malformed, what)
}

/// The note key ID rule: `SHA-256(name || 0x0A || type || public key)[:4]`, big-endian.
pub fn key_id(name: &str, kind: u8, public: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', kind]);
    h.update(public);
    let d: [u8; 32] = h.finalize().into();
    let [a, b, c, e, ..] = d;
    u32::from_be_bytes([a, b, c, e])
}

/// Whether `name` is a valid key name: non-empty, no Unicode space, no `+`, no control character.
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// A key that can verify note signatures of one type: a name, its key ID and an Ed25519 key.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: u32,
    kind: u8,
    key: VerifyingKey,
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteVerifier({})", self.vkey())
    }
}

impl NoteVerifier {
    /// A verifier for `name`, signature type `kind` ([`TYPE_ED25519`] or [`TYPE_COSIGNATURE_V1`]).
    pub fn new(name: &str, kind: u8, key: &PublicKey) -> Result<Self> {
        if !valid_key_name(name) {
            return Err(bad(format!("invalid note key name {name:?}")));
        }
        if kind != TYPE_ED25519 && kind != TYPE_COSIGNATURE_V1 {
            return Err(Error::new(
                Reason::BadKey,
                format!("unsupported note signature type 0x{kind:02x}"),
            ));
        }
        let bytes = key.to_bytes();
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|e| Error::new(Reason::BadKey, format!("bad Ed25519 key: {e}")))?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            id: key_id(name, kind, &bytes),
            kind,
            key,
        })
    }

    /// Parses a vkey: `<name>+<hex key ID>+base64(type || public key)`. The key ID must be the
    /// one the key ID rule gives for the name, type and key.
    pub fn from_vkey(vkey: &str) -> Result<Self> {
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("a vkey is <name>+<key id>+<key>"));
        };
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("a vkey's key id is 8 hex digits"));
        }
        let id = u32::from_str_radix(id_hex, 16).map_err(|e| bad(format!("vkey key id: {e}")))?;
        let raw = STANDARD
            .decode(key_b64)
            .map_err(|e| bad(format!("vkey key is not base64: {e}")))?;
        let Some((&kind, public)) = raw.split_first() else {
            return Err(bad("vkey key is empty"));
        };
        let public = PublicKey::from_bytes(public)?;
        let verifier = NoteVerifier::new(name, kind, &public)?;
        if verifier.id != id {
            return Err(Error::new(
                Reason::BadKey,
                format!("vkey key id {id_hex} does not match its name and key"),
            ));
        }
        Ok(verifier)
    }

    /// The vkey text of this verifier.
    pub fn vkey(&self) -> String {
        let mut raw = Vec::with_capacity(33);
        raw.push(self.kind);
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id, STANDARD.encode(raw))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The signature type.
    pub fn kind(&self) -> u8 {
        self.kind
    }

    fn matches(&self, sig: &NoteSignature) -> bool {
        sig.name == self.name && sig.id == self.id
    }
}

/// A key that makes note signatures of one type.
pub struct NoteSigner {
    verifier: NoteVerifier,
    key: SigningKey,
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteSigner({})", self.verifier.vkey())
    }
}

impl NoteSigner {
    fn derived(keys: &SecretKeys, label: &[u8], name: &str, kind: u8) -> Result<Self> {
        let mut h = Sha256::new();
        h.update(label);
        h.update([0u8]);
        h.update(keys.signing_key().to_bytes());
        let mut seed: [u8; 32] = h.finalize().into();
        let key = SigningKey::from_bytes(&seed);
        seed.fill(0);
        let public = PublicKey::from_bytes(key.verifying_key().as_bytes())?;
        Ok(NoteSigner {
            verifier: NoteVerifier::new(name, kind, &public)?,
            key,
        })
    }

    /// The key a log signs its checkpoints with, named `name` (its origin), derived from the
    /// party's signing key.
    pub fn log(keys: &SecretKeys, name: &str) -> Result<Self> {
        Self::derived(keys, LOG_KEY_LABEL, name, TYPE_ED25519)
    }

    /// The key a witness cosigns with, named `name`, derived from the party's signing key.
    pub fn cosigner(keys: &SecretKeys, name: &str) -> Result<Self> {
        Self::derived(keys, COSIGNER_KEY_LABEL, name, TYPE_COSIGNATURE_V1)
    }

    /// The matching verifier.
    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// Signs a note text with an Ed25519 note signature (type 0x01).
    pub fn sign(&self, text: &str) -> Result<NoteSignature> {
        if self.verifier.kind != TYPE_ED25519 {
            return Err(Error::new(Reason::ApiMisuse, "this key makes cosignatures"));
        }
        let sig = self.key.sign(text.as_bytes());
        Ok(NoteSignature {
            name: self.verifier.name.clone(),
            id: self.verifier.id,
            bytes: sig.to_bytes().to_vec(),
        })
    }

    /// Cosigns a checkpoint's text at `time` (POSIX seconds) with a `cosignature/v1` signature.
    pub fn cosign(&self, text: &str, time: u64) -> Result<NoteSignature> {
        if self.verifier.kind != TYPE_COSIGNATURE_V1 {
            return Err(Error::new(
                Reason::ApiMisuse,
                "this key signs notes, not cosignatures",
            ));
        }
        if time > i64::MAX as u64 {
            return Err(Error::new(
                Reason::ApiMisuse,
                "cosignature time beyond 2^63 - 1",
            ));
        }
        let sig = self.key.sign(&cosigned_message(text, time));
        let mut bytes = time.to_be_bytes().to_vec();
        bytes.extend_from_slice(&sig.to_bytes());
        Ok(NoteSignature {
            name: self.verifier.name.clone(),
            id: self.verifier.id,
            bytes,
        })
    }
}

fn cosigned_message(text: &str, time: u64) -> Vec<u8> {
    let mut m = format!("cosignature/v1\ntime {time}\n").into_bytes();
    m.extend_from_slice(text.as_bytes());
    m
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub id: u32,
    /// The signature bytes after the key ID.
    pub bytes: Vec<u8>,
}

impl NoteSignature {
    /// Parses one line (without its newline): `— <name> <base64>`.
    pub fn parse_line(line: &str) -> Result<Self> {
        let rest = line
            .strip_prefix(EM_DASH)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or_else(|| bad("a signature line starts with an em dash and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or_else(|| bad("a signature line is a key name and a signature"))?;
        if !valid_key_name(name) {
            return Err(bad(format!(
                "invalid key name {name:?} in a signature line"
            )));
        }
        let raw = STANDARD
            .decode(b64)
            .map_err(|e| bad(format!("signature is not base64: {e}")))?;
        let Some((id, bytes)) = raw.split_first_chunk::<4>().filter(|(_, b)| !b.is_empty()) else {
            return Err(bad("a signature is a key ID and at least one byte"));
        };
        Ok(NoteSignature {
            name: name.to_owned(),
            id: u32::from_be_bytes(*id),
            bytes: bytes.to_vec(),
        })
    }

    /// The line's text, without its newline.
    pub fn line(&self) -> String {
        let mut raw = self.id.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.bytes);
        format!("{EM_DASH} {} {}", self.name, STANDARD.encode(raw))
    }

    /// For a cosignature, its timestamp (the first 8 bytes).
    pub fn cosignature_time(&self) -> Option<u64> {
        let t: [u8; 8] = self.bytes.get(..8)?.try_into().ok()?;
        Some(u64::from_be_bytes(t))
    }
}

/// A signed note: its text (ending in a newline) and its signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// A signature that verified, and for a cosignature its time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The verifier's vkey.
    pub vkey: String,
    /// The key name.
    pub name: String,
    /// For a cosignature, its timestamp (POSIX seconds).
    pub time: Option<u64>,
}

impl Note {
    /// A note of `text` with no signatures yet. The text must end in a newline and hold no
    /// control character other than newline.
    pub fn new(text: &str) -> Result<Self> {
        check_text(text)?;
        Ok(Note {
            text: text.to_owned(),
            signatures: Vec::new(),
        })
    }

    /// Parses a signed note.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(bad(format!("a note is at most {MAX_NOTE_BYTES} bytes")));
        }
        let s = std::str::from_utf8(bytes).map_err(|_| bad("a note is UTF-8"))?;
        if s.chars().any(|c| c.is_control() && c != '\n') {
            return Err(bad("a note holds no control character but newline"));
        }
        if !s.ends_with('\n') {
            return Err(bad("a note ends in a newline"));
        }
        // The text is separated from the signatures by the last blank line.
        let split = s
            .rfind("\n\n")
            .ok_or_else(|| bad("a note has a blank line before its signatures"))?;
        let text = &s[..split + 1];
        let sigs = &s[split + 2..];
        let mut signatures = Vec::new();
        for line in sigs.split_terminator('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(bad(format!(
                    "a note has at most {MAX_SIGNATURES} signatures"
                )));
            }
            signatures.push(NoteSignature::parse_line(line)?);
        }
        if signatures.is_empty() {
            return Err(bad("a note has at least one signature"));
        }
        check_text(text)?;
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note text, with its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its signature lines.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature line (one per key: a second from the same name and ID replaces the first).
    pub fn add(&mut self, sig: NoteSignature) -> Result<()> {
        self.signatures
            .retain(|s| !(s.name == sig.name && s.id == sig.id));
        if self.signatures.len() == MAX_SIGNATURES {
            return Err(bad(format!(
                "a note has at most {MAX_SIGNATURES} signatures"
            )));
        }
        self.signatures.push(sig);
        Ok(())
    }

    /// The serialized note.
    pub fn to_text(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.line());
            out.push('\n');
        }
        out
    }

    /// Verifies the note against known keys, as signed-note requires: signatures from unknown
    /// keys (name and ID not both matching) are ignored; a known key's signature that fails
    /// rejects the whole note; at least one known key must have signed. Returns the keys that
    /// verified, in the order of `known`.
    pub fn verify(&self, known: &[NoteVerifier]) -> Result<Vec<Verified>> {
        let mut out = Vec::new();
        for v in known {
            for s in self.signatures.iter().filter(|s| v.matches(s)) {
                let time = verify_one(v, s, &self.text)?;
                if !out.iter().any(|o: &Verified| o.vkey == v.vkey()) {
                    out.push(Verified {
                        vkey: v.vkey(),
                        name: v.name.clone(),
                        time,
                    });
                }
            }
        }
        if out.is_empty() {
            return Err(Error::new(
                Reason::BadSignature,
                "no signature on the note is from a known key",
            ));
        }
        Ok(out)
    }
}

fn verify_one(v: &NoteVerifier, s: &NoteSignature, text: &str) -> Result<Option<u64>> {
    let fail = || {
        Error::new(
            Reason::BadSignature,
            format!("the note signature of {} does not verify", v.name),
        )
    };
    match v.kind {
        TYPE_ED25519 => {
            let sig = ed25519_dalek::Signature::from_slice(&s.bytes).map_err(|_| fail())?;
            v.key.verify(text.as_bytes(), &sig).map_err(|_| fail())?;
            Ok(None)
        }
        TYPE_COSIGNATURE_V1 => {
            if s.bytes.len() != 72 {
                return Err(fail());
            }
            let (t, sig) = s.bytes.split_at(8);
            let time = u64::from_be_bytes(t.try_into().map_err(|_| fail())?);
            if time > i64::MAX as u64 {
                return Err(fail());
            }
            let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| fail())?;
            v.key
                .verify(&cosigned_message(text, time), &sig)
                .map_err(|_| fail())?;
            Ok(Some(time))
        }
        _ => Err(fail()),
    }
}

fn check_text(text: &str) -> Result<()> {
    if text.is_empty() || !text.ends_with('\n') {
        return Err(bad("a note text ends in a newline"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(bad("a note text holds no control character but newline"));
    }
    if text.len() > MAX_NOTE_BYTES {
        return Err(bad(format!("a note is at most {MAX_NOTE_BYTES} bytes")));
    }
    Ok(())
}

/// The text of a checkpoint: origin, tree size and root hash (tlog-checkpoint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointText {
    /// The log's origin line.
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The RFC 6962 root hash at that size.
    pub root: Digest,
}

impl CheckpointText {
    /// The note text (no extension lines).
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root.0)
        )
    }

    /// Parses a checkpoint's note text. Extension lines are allowed (and ignored), as the spec
    /// says; none of the three lines may be empty, and the size has no leading zero.
    pub fn parse(text: &str) -> Result<Self> {
        let mut lines = text.split_terminator('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(bad("a checkpoint is an origin, a size and a root hash"));
        };
        if origin.is_empty() || lines.any(str::is_empty) {
            return Err(bad("a checkpoint's lines are not empty"));
        }
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(bad(
                "a checkpoint's size is a decimal without leading zeros",
            ));
        }
        let size: u64 = size
            .parse()
            .map_err(|e| bad(format!("checkpoint size: {e}")))?;
        Ok(CheckpointText {
            origin: origin.to_owned(),
            size,
            root: decode_hash(root)?,
        })
    }
}

fn decode_hash(b64: &str) -> Result<Digest> {
    let raw = STANDARD
        .decode(b64)
        .map_err(|e| bad(format!("a hash is base64: {e}")))?;
    let raw: [u8; 32] = raw.try_into().map_err(|_| bad("a hash is 32 bytes"))?;
    Ok(Digest(raw))
}

/// A parsed `add-checkpoint` request (tlog-witness).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the log believes the witness cosigned last.
    pub old: u64,
    /// The consistency proof from `old` to the checkpoint's size.
    pub proof: Vec<Digest>,
    /// The checkpoint, with the log's signature.
    pub checkpoint: Note,
}

impl AddCheckpoint {
    /// The request body.
    pub fn to_text(&self) -> String {
        let mut out = format!("old {}\n", self.old);
        for h in &self.proof {
            out.push_str(&STANDARD.encode(h.0));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint.to_text());
        out
    }

    /// Parses a request body.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_NOTE_BYTES + 8 * 1024 {
            return Err(bad("add-checkpoint request too large"));
        }
        let s = std::str::from_utf8(bytes).map_err(|_| bad("a request is UTF-8"))?;
        let (head, note) = s
            .split_once("\n\n")
            .ok_or_else(|| bad("a request has a blank line before its checkpoint"))?;
        let mut lines = head.split('\n');
        let old = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .ok_or_else(|| bad("a request starts with `old <size>`"))?;
        if old.is_empty()
            || !old.bytes().all(|b| b.is_ascii_digit())
            || (old.len() > 1 && old.starts_with('0'))
        {
            return Err(bad("the old size is a decimal without leading zeros"));
        }
        let old: u64 = old.parse().map_err(|e| bad(format!("old size: {e}")))?;
        let mut proof = Vec::new();
        for line in lines {
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad(format!("at most {MAX_PROOF_LINES} proof lines")));
            }
            proof.push(decode_hash(line)?);
        }
        Ok(AddCheckpoint {
            old,
            proof,
            checkpoint: Note::parse(note.as_bytes())?,
        })
    }
}

/// What a witness answers to `add-checkpoint`, as tlog-witness specifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WitnessAnswer {
    /// 200: cosign this checkpoint and record it as the latest for its origin.
    Cosign(CheckpointText),
    /// 400: the request is malformed, or the old size is above the checkpoint's size.
    BadRequest(String),
    /// 403: no valid signature from a key trusted for the origin, or a trusted key's fails.
    Forbidden(String),
    /// 404: the origin is not one this witness follows.
    UnknownOrigin,
    /// 409: the old size is not the size this witness cosigned last (the body says that size).
    Conflict(u64),
    /// 422: a malformed proof request (a proof from size 0, an empty tree with another root).
    Unprocessable(String),
    /// 422 as well, but evidence: the log signed a checkpoint that its consistency proof does
    /// not tie to the one this witness cosigned, or another root for a size already cosigned —
    /// two views of one log (a split view), which the witness keeps.
    Fork(String),
}

impl WitnessAnswer {
    /// The HTTP status the spec gives this answer.
    pub fn status(&self) -> u16 {
        match self {
            WitnessAnswer::Cosign(_) => 200,
            WitnessAnswer::BadRequest(_) => 400,
            WitnessAnswer::Forbidden(_) => 403,
            WitnessAnswer::UnknownOrigin => 404,
            WitnessAnswer::Conflict(_) => 409,
            WitnessAnswer::Unprocessable(_) | WitnessAnswer::Fork(_) => 422,
        }
    }
}

/// Decides a witness's answer to an `add-checkpoint` request. `log_keys` finds the keys trusted
/// for an origin (`None`: not followed); `latest` finds the size and root this witness cosigned
/// last for it (`None`: never). Pure: the caller persists [`WitnessAnswer::Cosign`]'s checkpoint
/// atomically with the check (the spec's race), then cosigns it.
pub fn witness(
    body: &[u8],
    log_keys: impl Fn(&str) -> Option<Vec<NoteVerifier>>,
    latest: impl Fn(&str) -> Option<(u64, Digest)>,
) -> WitnessAnswer {
    let req = match AddCheckpoint::parse(body) {
        Ok(r) => r,
        Err(e) => return WitnessAnswer::BadRequest(e.to_string()),
    };
    let cp = match CheckpointText::parse(req.checkpoint.text()) {
        Ok(c) => c,
        Err(e) => return WitnessAnswer::BadRequest(e.to_string()),
    };
    let Some(keys) = log_keys(&cp.origin) else {
        return WitnessAnswer::UnknownOrigin;
    };
    if let Err(e) = req.checkpoint.verify(&keys) {
        return WitnessAnswer::Forbidden(e.to_string());
    }
    if req.old > cp.size {
        return WitnessAnswer::BadRequest("the old size is above the checkpoint's size".into());
    }
    let (last_size, last_root) = latest(&cp.origin).unwrap_or((0, crate::log::empty_root()));
    if req.old != last_size {
        return WitnessAnswer::Conflict(last_size);
    }
    if cp.size == 0 && cp.root != crate::log::empty_root() {
        return WitnessAnswer::Unprocessable("an empty tree's root is SHA-256 of nothing".into());
    }
    if req.old == 0 {
        if !req.proof.is_empty() {
            return WitnessAnswer::Unprocessable("no proof is needed from size 0".into());
        }
        return WitnessAnswer::Cosign(cp);
    }
    if req.old == cp.size {
        if cp.root != last_root {
            return WitnessAnswer::Fork(format!("size {} was cosigned with another root", cp.size));
        }
        return WitnessAnswer::Cosign(cp);
    }
    match crate::log::verify_consistency(req.old, cp.size, &last_root, &cp.root, &req.proof) {
        Ok(()) => WitnessAnswer::Cosign(cp),
        Err(e) => WitnessAnswer::Fork(format!(
            "no consistency from size {} to {}: {e}",
            req.old, cp.size
        )),
    }
}

/// The DSSE payload type of a party's note keys.
pub const KEYS_PAYLOAD_TYPE: &str = "application/vnd.shopfloor.note-keys.v1+json";
/// Its schema id.
pub const KEYS_SCHEMA: &str = "shopfloor.note-keys.v1";

/// A hub's note keys, published in a DSSE envelope signed by its card key: the log's origin,
/// the vkey that signs its checkpoints and the vkey it cosigns other logs' checkpoints with.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteKeys {
    /// [`KEYS_SCHEMA`].
    pub schema: String,
    /// The hub.
    pub hub: crate::PartyId,
    /// The log's origin line.
    pub origin: String,
    /// The vkey that signs the log's checkpoints (type 0x01, named by the origin).
    pub log: String,
    /// The vkey this hub cosigns other logs' checkpoints with (type 0x04).
    pub witness: String,
}

impl NoteKeys {
    /// The keys of `keys`' holder for a log of `origin`, signed with its card key.
    pub fn sign(hub: &crate::PartyId, origin: &str, keys: &SecretKeys) -> Result<crate::Envelope> {
        let doc = NoteKeys {
            schema: KEYS_SCHEMA.into(),
            hub: hub.clone(),
            origin: origin.to_owned(),
            log: NoteSigner::log(keys, origin)?.verifier().vkey(),
            witness: NoteSigner::cosigner(keys, &format!("{origin}/witness"))?
                .verifier()
                .vkey(),
        };
        let payload = serde_json::to_vec(&doc).map_err(|e| bad(format!("note keys: {e}")))?;
        Ok(crate::Envelope::sign_bytes(
            KEYS_PAYLOAD_TYPE,
            payload,
            keys,
        ))
    }

    /// Opens note keys with the hub's card: payload type, signature, schema, the hub's id, and
    /// both vkeys (the log key named by the origin, with the right types).
    pub fn open(envelope: &crate::Envelope, card: &crate::Card) -> Result<Self> {
        if envelope.payload_type() != KEYS_PAYLOAD_TYPE {
            return Err(Error::new(
                Reason::WrongPayloadType,
                "not a hub's note keys",
            ));
        }
        let verified = envelope.verify(&card.signing_key)?;
        let keys: NoteKeys = serde_json::from_slice(verified.payload())
            .map_err(|e| bad(format!("note keys: {e}")))?;
        if keys.schema != KEYS_SCHEMA {
            return Err(Error::new(
                Reason::UnsupportedSchema,
                "unknown note keys schema",
            ));
        }
        if keys.hub != card.id {
            return Err(Error::new(
                Reason::WrongRecipient,
                "note keys of another hub",
            ));
        }
        let log = NoteVerifier::from_vkey(&keys.log)?;
        let witness = NoteVerifier::from_vkey(&keys.witness)?;
        if log.kind() != TYPE_ED25519
            || log.name() != keys.origin
            || witness.kind() != TYPE_COSIGNATURE_V1
        {
            return Err(Error::new(
                Reason::BadKey,
                "note keys of the wrong types or names",
            ));
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_exclude_spaces_and_plus() {
        assert!(valid_key_name("example.com/foo"));
        assert!(!valid_key_name(""));
        assert!(!valid_key_name("a b"));
        assert!(!valid_key_name("a+b"));
        assert!(!valid_key_name("a\u{2003}b"));
    }

    #[test]
    fn parse_refuses_without_panicking() {
        for bad in [
            &b""[..],
            b"\n",
            b"text\n",
            b"text\n\n",
            b"text\n\n\xe2\x80\x94 \n",
            b"text\n\n- name AAAAAAA=\n",
            b"text\n\n\xe2\x80\x94 name !!!\n",
            b"text\n\n\xe2\x80\x94 name AAAA\n",
            b"te\rxt\n\n\xe2\x80\x94 name AAAAAAA=\n",
            b"\xff\n\n\xe2\x80\x94 name AAAAAAA=\n",
        ] {
            assert!(
                Note::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
