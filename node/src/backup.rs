//! Encrypted backups: the database (SQLite online backup API) and the node's files, sealed with
//! age to one or more recipients; and restore into an empty data directory.
//!
//! The plaintext never touches the disk: the online backup copies into an in-memory database,
//! which is serialised, framed with the node's files and encrypted in memory.
//!
//! Archive format (inside age): `SHOPFLOOR-BACKUP-1\n`, then for each file a line
//! `<name> <length>\n` followed by exactly `length` bytes.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::str::FromStr as _;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, MAIN_DB};
use shopfloor_protocol::AgeRecipient;

use crate::datadir::{self, CARD_FILE, CONFIG_FILE, DataDir, KEYS_FILE};
use crate::error::{Error, Result};
use crate::store::{DB_FILE, Store};

const MAGIC: &[u8] = b"SHOPFLOOR-BACKUP-1\n";
/// Largest backup restore will read (1 GiB).
const MAX_BACKUP: u64 = 1 << 30;

/// A consistent copy of the database, as bytes of a SQLite file.
pub fn snapshot(store: &Store) -> Result<Vec<u8>> {
    store.read(|conn| {
        let mut mem = Connection::open_in_memory()?;
        {
            let backup = Backup::new(conn, &mut mem)?;
            // One step copies every page under one read lock: a consistent snapshot.
            loop {
                match backup.step(-1)? {
                    StepResult::Done => break,
                    StepResult::More => {}
                    StepResult::Busy | StepResult::Locked => {
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    _ => {}
                }
            }
        }
        let data = mem.serialize(MAIN_DB)?;
        Ok(data.to_vec())
    })
}

fn frame(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::with_capacity(files.iter().map(|(_, b)| b.len() + 64).sum::<usize>() + 32);
    out.extend_from_slice(MAGIC);
    for (name, bytes) in files {
        out.extend_from_slice(format!("{name} {}\n", bytes.len()).as_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

fn unframe(mut data: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let bad = |m: &str| Error::Backup(format!("not a Shopfloor backup: {m}"));
    data = data
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("wrong header"))?;
    let mut out = Vec::new();
    while !data.is_empty() {
        let nl = data
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| bad("truncated"))?;
        let line =
            std::str::from_utf8(data.get(..nl).unwrap_or_default()).map_err(|_| bad("entry"))?;
        let (name, len) = line.split_once(' ').ok_or_else(|| bad("entry"))?;
        let len: usize = len.parse().map_err(|_| bad("length"))?;
        let body = data
            .get(nl + 1..nl + 1 + len)
            .ok_or_else(|| bad("truncated"))?;
        out.push((name.to_owned(), body.to_vec()));
        data = data.get(nl + 1 + len..).unwrap_or_default();
    }
    Ok(out)
}

/// Writes an encrypted backup of the node to `out`, sealed to `recipients` (at least one).
/// Refuses to overwrite `out` (as the hub does); creates its directory (mode 0700) when
/// missing. Returns the number of bytes written.
pub fn backup(
    dir: &DataDir,
    store: &Store,
    recipients: &[AgeRecipient],
    out: &Path,
) -> Result<u64> {
    if recipients.is_empty() {
        return Err(Error::Backup("no recipients".into()));
    }
    if out.exists() {
        return Err(refuse_overwrite(out));
    }
    create_parent(out)?;
    let db = snapshot(store)?;
    let read = |p: std::path::PathBuf| std::fs::read(&p).map_err(|e| Error::io(p, e));
    let config = read(dir.config_path())?;
    let keys = read(dir.keys_path())?;
    let card = read(dir.card_path())?;
    let plain = frame(&[
        (CONFIG_FILE, &config),
        (KEYS_FILE, &keys),
        (CARD_FILE, &card),
        (DB_FILE, &db),
    ]);
    let parsed: Vec<age::x25519::Recipient> = recipients
        .iter()
        .map(|r| {
            age::x25519::Recipient::from_str(r.as_str())
                .map_err(|e| Error::Backup(format!("recipient {r}: {e}")))
        })
        .collect::<Result<_>>()?;
    let encryptor =
        age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| Error::Backup(e.to_string()))?;
    let mut sealed = Vec::with_capacity(plain.len() + 1024);
    {
        let mut w = encryptor
            .wrap_output(&mut sealed)
            .map_err(|e| Error::Backup(e.to_string()))?;
        w.write_all(&plain)
            .map_err(|e| Error::Backup(e.to_string()))?;
        w.finish().map_err(|e| Error::Backup(e.to_string()))?;
    }
    // Written with mode 0600 even though it is encrypted: it is still a member list.
    // Written to a partial file first, then linked into place: a crash never leaves a truncated
    // backup under the real name, and linking fails rather than replace a file made meanwhile.
    let tmp = partial_path(out);
    let _ = std::fs::remove_file(&tmp);
    datadir::write_new_file(&tmp, &sealed, 0o600)?;
    let linked = std::fs::hard_link(&tmp, out);
    let _ = std::fs::remove_file(&tmp);
    if let Err(e) = linked {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(refuse_overwrite(out));
        }
        // A file system without hard links: write the file directly (still refusing to replace).
        datadir::write_new_file(out, &sealed, 0o600)?;
    }
    Ok(u64::try_from(sealed.len()).unwrap_or(u64::MAX))
}

fn refuse_overwrite(out: &Path) -> Error {
    Error::Backup(format!(
        "{} already exists; refusing to overwrite (choose another --out)",
        out.display()
    ))
}

fn partial_path(out: &Path) -> std::path::PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// Creates the directory `out` goes in (mode 0700) when it does not exist yet, e.g. the first
/// run of the backup timer.
fn create_parent(out: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.exists() => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| Error::io(parent, e))
        }
        _ => Ok(()),
    }
}

/// Reads age identities (`AGE-SECRET-KEY-1...` lines) from a key file: the node's `keys.txt`
/// or an officer's age identity file.
pub fn read_identities(path: &Path) -> Result<Vec<age::x25519::Identity>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let ids: Vec<age::x25519::Identity> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .map(|l| {
            age::x25519::Identity::from_str(l)
                .map_err(|e| Error::Backup(format!("{}: bad age identity: {e}", path.display())))
        })
        .collect::<Result<_>>()?;
    if ids.is_empty() {
        return Err(Error::Backup(format!(
            "{} holds no age identity",
            path.display()
        )));
    }
    Ok(ids)
}

/// Decrypts a backup and writes its files into `target`, which must be empty or absent.
pub fn restore(archive: &Path, identity_file: &Path, target: &Path) -> Result<()> {
    let identities = read_identities(identity_file)?;
    let sealed = std::fs::read(archive).map_err(|e| Error::io(archive, e))?;
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(&sealed[..]))
        .map_err(|e| Error::Backup(e.to_string()))?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
        .map_err(|e| Error::Backup(format!("cannot decrypt with this identity: {e}")))?;
    let mut plain = Vec::new();
    reader
        .by_ref()
        .take(MAX_BACKUP)
        .read_to_end(&mut plain)
        .map_err(|e| Error::Backup(e.to_string()))?;
    let files = unframe(&plain)?;
    for needed in [CONFIG_FILE, KEYS_FILE, CARD_FILE, DB_FILE] {
        if !files.iter().any(|(n, _)| n == needed) {
            return Err(Error::Backup(format!("the backup has no {needed}")));
        }
    }
    datadir::create_empty_dir(target)?;
    for (name, bytes) in &files {
        let mode = match name.as_str() {
            CARD_FILE => 0o644,
            CONFIG_FILE | KEYS_FILE | DB_FILE => 0o600,
            _ => continue,
        };
        datadir::write_new_file(&target.join(name), bytes, mode)?;
    }
    // Opening applies WAL mode and any migrations newer than the backup.
    DataDir::new(target).open_store()?;
    Ok(())
}
