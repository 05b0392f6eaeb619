//! The trustees' key ceremony as separate steps on separate machines: `shopfloor-hub trustee
//! init | round2 | round3 | finish | show` (issue 14).
//!
//! Each trustee (the national hub, a regional hub, an officer with a laptop) runs the same four
//! steps and passes files to the others (USB stick, email, a shared folder):
//!
//! 1. [`init`]: draws a secret seed and a one-ceremony age key, saves them in the private state
//!    file and writes the round 1 message (the commitment to its share of the key, plus the age
//!    recipient the others seal its secret shares to). Everyone reads its fingerprint aloud.
//! 2. [`round2`]: takes the others' round 1 messages (each fingerprint is printed, to compare with
//!    what its trustee read out) and writes the round 2 message (public polynomial and proof).
//! 3. [`round3`]: takes the others' round 2 messages, each checked against its commitment, and
//!    writes one secret share per other trustee, sealed to that trustee's age recipient.
//! 4. [`finish`]: takes the shares sealed to this trustee, checks each against its sender's
//!    polynomial, and writes the trustee file (joint key and this trustee's secret share, mode
//!    0600) in `DATA/trustee/`; the state file is deleted. Everyone reads the joint key's
//!    fingerprint aloud: all must match.
//!
//! The state between steps is never trusted as saved: it holds only the inputs (the ceremony,
//! the seed, the age key, the messages received), and each step rebuilds the crate's state from
//! them through every check again, then compares its own round 1 message with the saved one.
//! It is written atomically (a new 0600 file, synced, then renamed over the old one).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use shopfloor_protocol::envelope::{open_bytes, seal_bytes};
use shopfloor_protocol::threshold::{
    Ceremony, CollectingCommitments, CollectingPolynomials, Commitment, ExchangingShares, JointKey,
    Polynomial, SecretShare, Trustee, message_fingerprint,
};
use shopfloor_protocol::{
    AgeRecipient, Digest, Fingerprint, PartyId, Reason, SealFormat, SecretKeys,
};

use crate::error::{Error, Result};

/// The folder of the data directory that holds ceremony states and trustee files.
pub const TRUSTEE_DIR: &str = "trustee";

/// The largest ceremony message or sealed share this reads (a polynomial of 16 points is a few
/// kilobytes).
const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// The version of the state file's format.
const STATE_VERSION: u32 = 1;

/// A round 1 message: the commitment and the age recipient the sender's secret shares are sealed
/// to. Public; its fingerprint is read aloud, which also pins the recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Round1 {
    /// The commitment.
    pub commitment: Commitment,
    /// Where to seal secret shares for this trustee.
    pub recipient: AgeRecipient,
}

impl Round1 {
    /// The fingerprint read aloud.
    pub fn fingerprint(&self) -> Result<Fingerprint> {
        Ok(message_fingerprint(&to_json(self)?))
    }
}

/// The fingerprint of a round 2 message.
pub fn polynomial_fingerprint(p: &Polynomial) -> Result<Fingerprint> {
    Ok(message_fingerprint(&to_json(p)?))
}

/// What a trustee keeps between steps: inputs only.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct State {
    version: u32,
    ceremony: Ceremony,
    me: PartyId,
    /// The secret seed of this trustee's polynomial, hex.
    seed: String,
    /// This ceremony's age key (`SecretKeys` text form).
    transport: String,
    /// This trustee's round 1 message, to compare with the rebuilt one.
    own: Round1,
    /// The others' round 1 messages, once round 2 has run.
    commitments: Vec<Round1>,
    /// The others' round 2 messages, once round 3 has run.
    polynomials: Vec<Polynomial>,
}

/// A trustee's state rebuilt from its inputs.
enum Stage {
    Round1(CollectingCommitments),
    Round2(CollectingPolynomials),
    Round3(ExchangingShares),
}

/// What a step wrote and what to read aloud.
#[derive(Debug, Serialize)]
pub struct Step {
    /// The ceremony's fingerprint.
    pub ceremony: String,
    /// This trustee's index.
    pub index: u16,
    /// Files written for the other trustees.
    pub wrote: Vec<PathBuf>,
    /// This step's own message fingerprint (rounds 1 and 2).
    pub fingerprint: Option<String>,
    /// For each message taken in: sender index, sender id, fingerprint.
    pub received: Vec<(u16, String, Option<String>)>,
}

/// The end of the ceremony.
#[derive(Debug, Serialize)]
pub struct Finished {
    /// The trustee file (secret).
    pub trustee_file: PathBuf,
    /// The joint public key file (public; give it to the national hub).
    pub key_file: PathBuf,
    /// The joint key's fingerprint, read aloud.
    pub fingerprint: String,
    /// The joint key's id.
    pub key_id: Digest,
    /// This trustee's index.
    pub index: u16,
    /// Senders of the shares taken in.
    pub received: Vec<(u16, String)>,
    /// Files not sealed to this trustee (skipped).
    pub skipped: Vec<PathBuf>,
}

/// Checks a ceremony name used in file names: letters, digits, `.`, `_` and `-`, not starting
/// with `.`.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "a ceremony name is 1 to 64 letters, digits, '.', '_' or '-', not starting with '.': {name:?}"
        )))
    }
}

fn trustee_dir(data: &Path) -> PathBuf {
    data.join(TRUSTEE_DIR)
}

/// The private state file of a ceremony in progress.
pub fn state_path(data: &Path, name: &str) -> PathBuf {
    trustee_dir(data).join(format!("{name}.state.json"))
}

/// The trustee file (joint key and secret share) of a finished ceremony.
pub fn trustee_path(data: &Path, name: &str) -> PathBuf {
    trustee_dir(data).join(format!("{name}.trustee.json"))
}

/// The public joint key file of a finished ceremony.
pub fn key_path(data: &Path, name: &str) -> PathBuf {
    trustee_dir(data).join(format!("{name}.key.json"))
}

/// Step 1: starts the ceremony as `me`, saves the state and writes the round 1 message in `out`.
pub fn init(data: &Path, ceremony: Ceremony, me: &PartyId, out: &Path) -> Result<Step> {
    let name = ceremony.name().to_owned();
    check_name(&name)?;
    if trustee_path(data, &name).exists() || state_path(data, &name).exists() {
        return Err(Error::refused(
            409,
            "ceremony-exists",
            format!(
                "this data directory already has ceremony {name} (see `shopfloor-hub trustee show --ceremony {name}`)"
            ),
        ));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| Error::Internal(format!("no system randomness: {e}")))?;
    let transport = SecretKeys::generate()?;
    let round1 = CollectingCommitments::start_seeded(&ceremony, me, &seed)?;
    let own = Round1 {
        commitment: round1.commitment(),
        recipient: transport.age_recipient(),
    };
    let state = State {
        version: STATE_VERSION,
        ceremony: ceremony.clone(),
        me: me.clone(),
        seed: hex(&seed),
        transport: transport.to_text(),
        own: own.clone(),
        commitments: Vec::new(),
        polynomials: Vec::new(),
    };
    seed.fill(0);
    private_dir(&trustee_dir(data))?;
    save_state(data, &state)?;
    let file = out.join(format!("{name}.round1.{me}.json"));
    write_public(&file, &to_json(&own)?)?;
    Ok(Step {
        ceremony: ceremony.fingerprint().to_string(),
        index: round1.index(),
        wrote: vec![file],
        fingerprint: Some(own.fingerprint()?.to_string()),
        received: Vec::new(),
    })
}

/// Step 2: takes the others' round 1 messages (this trustee's own is skipped), saves them and
/// writes the round 2 message in `out`.
pub fn round2(data: &Path, name: &str, files: &[PathBuf], out: &Path) -> Result<Step> {
    let mut state = load_state(data, name)?;
    let Stage::Round1(mut round1) = rebuild(&state)? else {
        return Err(done_already(name, 2));
    };
    let mut received = Vec::new();
    for file in files {
        let msg: Round1 = read_json(file)?;
        if msg == state.own {
            continue;
        }
        round1
            .receive(&msg.commitment)
            .map_err(|e| Error::from(e.context(file.display())))?;
        received.push((
            msg.commitment.trustee,
            sender(&state.ceremony, msg.commitment.trustee),
            Some(msg.fingerprint()?.to_string()),
        ));
        state.commitments.push(msg);
    }
    let round2 = round1.finish()?;
    let poly = round2.polynomial();
    save_state(data, &state)?;
    let file = out.join(format!("{name}.round2.{}.json", state.me));
    write_public(&file, &to_json(&poly)?)?;
    Ok(Step {
        ceremony: state.ceremony.fingerprint().to_string(),
        index: round2.index(),
        wrote: vec![file],
        fingerprint: Some(polynomial_fingerprint(&poly)?.to_string()),
        received,
    })
}

/// Step 3: takes the others' round 2 messages (each must open its sender's commitment), saves
/// them and writes in `out` one secret share per other trustee, sealed to its age recipient.
pub fn round3(data: &Path, name: &str, files: &[PathBuf], out: &Path) -> Result<Step> {
    let mut state = load_state(data, name)?;
    let mut round2 = match rebuild(&state)? {
        Stage::Round2(r) => r,
        Stage::Round1(_) => return Err(not_yet(name, 3, "round2")),
        Stage::Round3(_) => return Err(done_already(name, 3)),
    };
    let own = round2.polynomial();
    let own_json = to_json(&own)?;
    let mut received = Vec::new();
    for file in files {
        let poly: Polynomial = read_json(file)?;
        if to_json(&poly)? == own_json {
            continue;
        }
        round2
            .receive(&poly)
            .map_err(|e| Error::from(e.context(file.display())))?;
        received.push((
            poly.trustee,
            sender(&state.ceremony, poly.trustee),
            Some(polynomial_fingerprint(&poly)?.to_string()),
        ));
        state.polynomials.push(poly);
    }
    let round3 = round2.finish()?;
    let mut wrote = Vec::new();
    for r in &state.commitments {
        let to = r.commitment.trustee;
        let share = round3.share_for(to)?;
        let sealed = seal_bytes(
            &to_json(&share)?,
            std::slice::from_ref(&r.recipient),
            SealFormat::Armored,
        )?;
        let file = out.join(format!(
            "{name}.share.{}-to-{}.age",
            state.me,
            sender(&state.ceremony, to)
        ));
        write_public(&file, &sealed)?;
        wrote.push(file);
    }
    save_state(data, &state)?;
    Ok(Step {
        ceremony: state.ceremony.fingerprint().to_string(),
        index: round3.index(),
        wrote,
        fingerprint: None,
        received,
    })
}

/// Step 4: takes the secret shares sealed to this trustee (files sealed to others are skipped),
/// checks each, writes the trustee file and the public key file, and deletes the state.
pub fn finish(data: &Path, name: &str, files: &[PathBuf]) -> Result<Finished> {
    let state = load_state(data, name)?;
    let mut round3 = match rebuild(&state)? {
        Stage::Round3(r) => r,
        Stage::Round1(_) => return Err(not_yet(name, 4, "round2")),
        Stage::Round2(_) => return Err(not_yet(name, 4, "round3")),
    };
    let transport = SecretKeys::from_text(&state.transport)?;
    let mut received = Vec::new();
    let mut skipped = Vec::new();
    for file in files {
        let sealed = read_limited(file)?;
        let Ok(plain) = open_bytes(&sealed, &transport, MAX_MESSAGE_BYTES) else {
            skipped.push(file.clone());
            continue;
        };
        let share: SecretShare = serde_json::from_slice(&plain)
            .map_err(|e| protocol_error(Reason::Malformed, format!("{}: {e}", file.display())))?;
        let from = share.from;
        round3
            .receive(share)
            .map_err(|e| Error::from(e.context(file.display())))?;
        received.push((from, sender(&state.ceremony, from)));
    }
    let trustee = round3.finish()?;
    let trustee_file = trustee_path(data, name);
    write_atomic(&trustee_file, &to_json(&trustee)?, true)?;
    let key = trustee.joint_key();
    let key_file = key_path(data, name);
    write_atomic(&key_file, &to_json(key)?, false)?;
    let state_file = state_path(data, name);
    fs::remove_file(&state_file).map_err(|e| Error::io(&state_file, e))?;
    Ok(Finished {
        trustee_file,
        key_file,
        fingerprint: key.fingerprint().to_string(),
        key_id: key.id(),
        index: trustee.index(),
        received,
        skipped,
    })
}

/// Where a ceremony stands in a data directory.
#[derive(Debug)]
pub enum Status {
    /// Finished: this trustee's file, checked.
    Done(Box<Trustee>),
    /// In progress: the next step and the indexes it still needs messages from.
    InProgress {
        /// The next command.
        next: &'static str,
        /// The ceremony's fingerprint.
        ceremony: Fingerprint,
    },
}

/// Loads a finished trustee file (checked: the share must match the joint key).
pub fn load_trustee(data: &Path, name: &str) -> Result<Trustee> {
    check_name(name)?;
    read_json(&trustee_path(data, name))
}

/// Loads a ceremony's public joint key file (checked on parse).
pub fn load_key(file: &Path) -> Result<JointKey> {
    read_json(file)
}

/// The ceremony's status in this data directory.
pub fn status(data: &Path, name: &str) -> Result<Status> {
    check_name(name)?;
    if trustee_path(data, name).exists() {
        return Ok(Status::Done(Box::new(load_trustee(data, name)?)));
    }
    let state = load_state(data, name)?;
    let next = match rebuild(&state)? {
        Stage::Round1(_) => "round2",
        Stage::Round2(_) => "round3",
        Stage::Round3(_) => "finish",
    };
    Ok(Status::InProgress {
        next,
        ceremony: state.ceremony.fingerprint(),
    })
}

/// Rebuilds the crate's state from the saved inputs, through every check.
fn rebuild(state: &State) -> Result<Stage> {
    let bad =
        |what: String| protocol_error(Reason::BadCeremony, format!("the saved state: {what}"));
    if state.version != STATE_VERSION {
        return Err(bad(format!("unknown version {}", state.version)));
    }
    let seed = unhex32(&state.seed).ok_or_else(|| bad("the seed is not 64 hex digits".into()))?;
    let transport =
        SecretKeys::from_text(&state.transport).map_err(|e| bad(format!("the age key: {e}")))?;
    let mut round1 = CollectingCommitments::start_seeded(&state.ceremony, &state.me, &seed)?;
    let own = Round1 {
        commitment: round1.commitment(),
        recipient: transport.age_recipient(),
    };
    if own != state.own {
        return Err(bad(
            "this trustee's round 1 message does not follow from its seed and key".into(),
        ));
    }
    if state.commitments.is_empty() {
        return Ok(Stage::Round1(round1));
    }
    for c in &state.commitments {
        round1.receive(&c.commitment)?;
    }
    let mut round2 = round1.finish()?;
    if state.polynomials.is_empty() {
        return Ok(Stage::Round2(round2));
    }
    for p in &state.polynomials {
        round2.receive(p)?;
    }
    Ok(Stage::Round3(round2.finish()?))
}

fn load_state(data: &Path, name: &str) -> Result<State> {
    check_name(name)?;
    let path = state_path(data, name);
    if !path.exists() {
        return Err(Error::not_found(
            "no-ceremony",
            format!(
                "no ceremony {name} in progress here ({}); start it with `shopfloor-hub trustee init`",
                path.display()
            ),
        ));
    }
    let state: State = read_json(&path)?;
    if state.ceremony.name() != name {
        return Err(protocol_error(
            Reason::BadCeremony,
            format!("the saved state is for ceremony {}", state.ceremony.name()),
        ));
    }
    Ok(state)
}

fn save_state(data: &Path, state: &State) -> Result<()> {
    write_atomic(
        &state_path(data, state.ceremony.name()),
        &to_json(state)?,
        true,
    )
}

fn sender(ceremony: &Ceremony, index: u16) -> String {
    ceremony
        .trustee(index)
        .map_or_else(|| format!("#{index}"), ToString::to_string)
}

/// Makes the trustee folder, readable only by its owner.
fn private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

fn done_already(name: &str, step: u8) -> Error {
    Error::refused(
        409,
        "ceremony-step-done",
        format!("ceremony {name} is past step {step} already"),
    )
}

fn not_yet(name: &str, step: u8, first: &str) -> Error {
    Error::refused(
        409,
        "ceremony-step-early",
        format!("ceremony {name} cannot take step {step} yet: run `trustee {first}` first"),
    )
}

fn protocol_error(reason: Reason, detail: String) -> Error {
    Error::Protocol(shopfloor_protocol::Error::new(reason, detail))
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| Error::Internal(format!("encoding JSON: {e}")))
}

fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_MESSAGE_BYTES as u64 {
        return Err(protocol_error(
            Reason::Malformed,
            format!("{}: larger than {MAX_MESSAGE_BYTES} bytes", path.display()),
        ));
    }
    fs::read(path).map_err(|e| Error::io(path, e))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let bytes = read_limited(path)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        // A type's own check (e.g. a joint key's consistency) surfaces as a JSON error.
        protocol_error(Reason::BadCeremony, format!("{}: {e}", path.display()))
    })
}

/// Writes a message for the other trustees; refuses to overwrite.
fn write_public(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

/// Writes a file atomically: a new file (0600 when `private`) next to it, synced, renamed over
/// it, and the directory synced.
fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::Internal(format!("{} has no folder", path.display())))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", crate::secret::random_id()?));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })?;
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// What [`publish_key`] did.
#[derive(Debug, Serialize)]
pub struct PublishedKey {
    /// The key's id.
    pub key_id: Digest,
    /// The key's fingerprint, read aloud.
    pub fingerprint: String,
    /// The key it replaces, on a rotation.
    pub replaces: Option<Digest>,
    /// The digest of the signed guidance that carries it.
    pub guidance: Digest,
}

/// National publishes a ceremony's joint key (the public key file from `trustee finish`) in new
/// signed guidance, with the same content as its newest guidance. Once a key is published,
/// another is published only as a rotation naming it (`replaces`), the rule nodes apply
/// ([`shopfloor_protocol::guidance::pin`]); publishing the same key again only re-signs.
pub fn publish_key(
    hub: &crate::Hub,
    key_file: &Path,
    replaces: Option<Digest>,
    actor: &str,
) -> Result<PublishedKey> {
    use shopfloor_protocol::guidance::TrusteeKey;
    if hub.level() != crate::config::Level::National {
        return Err(Error::refused(
            409,
            "not-national",
            "only the national hub publishes the joint key; a regional hub relays national's guidance",
        ));
    }
    let key = load_key(key_file)?;
    let current = crate::guidance::published_key(hub)?;
    let replaces = match (&current, replaces) {
        (Some(c), _) if c.key_id == key.id() => c.replaces,
        (Some(c), Some(r)) if r == c.key_id => Some(r),
        (Some(c), _) => {
            return Err(Error::refused(
                409,
                "rotation-unnamed",
                format!(
                    "joint key {} is published; a new key is published only as a rotation: add --replaces {}",
                    c.key_id, c.key_id
                ),
            ));
        }
        (None, Some(r)) => {
            return Err(Error::refused(
                409,
                "rotation-unnamed",
                format!("no joint key is published, so there is no key {r} to replace"),
            ));
        }
        (None, None) => None,
    };
    let published = TrusteeKey::new(key, replaces)?;
    let env = crate::guidance::sign_with_key(hub, published.clone(), actor)?;
    Ok(PublishedKey {
        fingerprint: published.joint_key.fingerprint().to_string(),
        key_id: published.key_id,
        replaces: published.replaces,
        guidance: env.digest(),
    })
}
