//! Encrypted backups of a hub: a consistent copy of the database (SQLite's online backup API)
//! with `hub.toml`, `keys.txt`, `card.json` and the trustee folder (`trustee/`: a trustee's
//! secret share of the joint key and any ceremony in progress), sealed with age to one or more
//! recipients; and [`restore`] into an empty data directory.
//!
//! The plaintext never touches the disk: the online backup copies into an in-memory database,
//! which is serialised, framed with the hub's files and encrypted in memory; restore decrypts in
//! memory and writes each file with its mode.
//!
//! # Archive format
//!
//! Inside the age encryption (binary or ASCII-armored on reading), the plaintext is:
//!
//! ```text
//! SHOPFLOOR-HUB-BACKUP-1\n
//! <name> <length>\n<length bytes>      (once per file)
//! ```
//!
//! `<name>` is a file name without spaces (`hub.toml`, `keys.txt`, `card.json`, `hub.db`) and
//! `<length>` its size in bytes, in decimal; the file's bytes follow the newline exactly. The
//! header differs from a chapter node's (`SHOPFLOOR-BACKUP-1`), so neither program restores the
//! other's backups. Unknown names are skipped on restore, so later versions may add files.
//!
//! The trustee folder's regular files follow as `trustee/<file>` (file names as
//! `shopfloor-hub trustee` writes them: letters, digits, `.`, `_`, `-`, not starting with `.`),
//! then one entry `trustee.modes` with a line `<octal mode> <file>` per file, so restore gives
//! each file its mode back (the folder itself is 0700). A backup made before a trustee ceremony
//! has neither.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, MAIN_DB};
use shopfloor_protocol::AgeRecipient;

use crate::config::{CARD_FILE, CONFIG_FILE, DB_FILE, KEYS_FILE};
use crate::error::{Error, Result};
use crate::hub::Hub;
use crate::store::{self, Store};
use crate::trustee::TRUSTEE_DIR;

/// The entry listing the trustee files' modes.
const TRUSTEE_MODES: &str = "trustee.modes";

/// The first line of the plaintext.
pub const MAGIC: &[u8] = b"SHOPFLOOR-HUB-BACKUP-1\n";
/// Largest backup [`restore`] will read (1 GiB).
const MAX_BACKUP: u64 = 1 << 30;

/// A consistent copy of the database, as the bytes of a SQLite file.
pub fn snapshot(store: &Store) -> Result<Vec<u8>> {
    store.read(|conn| {
        let mut mem = Connection::open_in_memory()?;
        {
            let backup = Backup::new(conn, &mut mem)?;
            // One step of every page copies under one read lock: a consistent snapshot.
            loop {
                match backup.step(-1)? {
                    StepResult::Done => break,
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

/// Frames files as described in the [module documentation](self).
pub fn frame(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::with_capacity(files.iter().map(|(_, b)| b.len() + 64).sum::<usize>() + 32);
    out.extend_from_slice(MAGIC);
    for (name, bytes) in files {
        out.extend_from_slice(format!("{name} {}\n", bytes.len()).as_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// Reads framed files back.
pub fn unframe(mut data: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let bad = |m: &str| Error::Backup(format!("not a Shopfloor hub backup: {m}"));
    data = data
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("wrong header"))?;
    let mut out = Vec::new();
    while !data.is_empty() {
        let nl = data
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| bad("truncated"))?;
        let line = std::str::from_utf8(data.get(..nl).unwrap_or_default())
            .map_err(|_| bad("bad entry line"))?;
        let (name, len) = line.split_once(' ').ok_or_else(|| bad("bad entry line"))?;
        let len: usize = len.parse().map_err(|_| bad("bad length"))?;
        let end = nl
            .checked_add(1)
            .and_then(|s| s.checked_add(len))
            .ok_or_else(|| bad("bad length"))?;
        let body = data.get(nl + 1..end).ok_or_else(|| bad("truncated"))?;
        out.push((name.to_owned(), body.to_vec()));
        data = data.get(end..).unwrap_or_default();
    }
    Ok(out)
}

/// Parses `age1...` recipients.
pub fn parse_recipients(recipients: &[AgeRecipient]) -> Result<Vec<age::x25519::Recipient>> {
    recipients
        .iter()
        .map(|r| {
            age::x25519::Recipient::from_str(r.as_str())
                .map_err(|e| Error::Backup(format!("recipient {r}: {e}")))
        })
        .collect()
}

fn seal(plain: &[u8], recipients: &[age::x25519::Recipient]) -> Result<Vec<u8>> {
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| Error::Backup(e.to_string()))?;
    let mut sealed = Vec::with_capacity(plain.len() + 1024);
    let mut w = encryptor
        .wrap_output(&mut sealed)
        .map_err(|e| Error::Backup(e.to_string()))?;
    w.write_all(plain)
        .map_err(|e| Error::Backup(e.to_string()))?;
    w.finish().map_err(|e| Error::Backup(e.to_string()))?;
    Ok(sealed)
}

/// Writes a new file with exactly `mode`; fails if it exists.
fn write_new_file(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(mode);
    }
    let mut f = opts.open(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        // The umask may have narrowed the mode; make it exact.
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(())
}

/// Creates the directory `out` goes in (mode 0700) when it does not exist yet, e.g. the first
/// run of the backup timer.
fn create_parent(out: &Path) -> Result<()> {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.exists() => {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt as _;
                builder.mode(0o700);
            }
            builder.create(parent).map_err(|e| Error::io(parent, e))
        }
        _ => Ok(()),
    }
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// Writes an encrypted backup of the hub to `out` (mode 0600), sealed to `recipients` (at least
/// one). Refuses to overwrite `out`. Returns the number of bytes written.
pub fn backup(hub: &Hub, recipients: &[AgeRecipient], out: &Path) -> Result<u64> {
    if recipients.is_empty() {
        return Err(Error::Backup("no recipients".into()));
    }
    if out.exists() {
        return Err(Error::Backup(format!(
            "{} already exists; refusing to overwrite",
            out.display()
        )));
    }
    create_parent(out)?;
    let parsed = parse_recipients(recipients)?;
    let read = |name: &str| {
        let p = hub.dir().join(name);
        std::fs::read(&p).map_err(|e| Error::io(&p, e))
    };
    let config = read(CONFIG_FILE)?;
    let keys = read(KEYS_FILE)?;
    let card = read(CARD_FILE)?;
    let db = snapshot(hub.store())?;
    let trustee = trustee_files(&hub.dir().join(TRUSTEE_DIR))?;
    let mut files: Vec<(String, &[u8])> = vec![
        (CONFIG_FILE.to_owned(), &config),
        (KEYS_FILE.to_owned(), &keys),
        (CARD_FILE.to_owned(), &card),
        (DB_FILE.to_owned(), &db),
    ];
    let mut modes = String::new();
    for (name, mode, bytes) in &trustee {
        files.push((format!("{TRUSTEE_DIR}/{name}"), bytes));
        modes.push_str(&format!("{mode:o} {name}\n"));
    }
    if !trustee.is_empty() {
        files.push((TRUSTEE_MODES.to_owned(), modes.as_bytes()));
    }
    let named: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let plain = frame(&named);
    let sealed = seal(&plain, &parsed)?;
    // Written to a partial file first, then linked into place: a crash never leaves a truncated
    // backup under the real name, and linking fails rather than replace a file made meanwhile.
    let tmp = partial_path(out);
    let _ = std::fs::remove_file(&tmp);
    write_new_file(&tmp, &sealed, 0o600)?;
    let linked = std::fs::hard_link(&tmp, out);
    let _ = std::fs::remove_file(&tmp);
    if let Err(e) = linked {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(Error::Backup(format!(
                "{} already exists; refusing to overwrite",
                out.display()
            )));
        }
        // A file system without hard links: write the file directly (still refusing to replace).
        write_new_file(out, &sealed, 0o600)?;
    }
    hub.store().read(|db| {
        store::audit(
            db,
            "cli",
            "backup",
            Some(&format!("{} recipient(s)", recipients.len())),
        )
    })?;
    Ok(u64::try_from(sealed.len()).unwrap_or(u64::MAX))
}

/// Whether `name` is a trustee file name a backup carries (see the module documentation).
fn trustee_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The trustee folder's regular files: name, mode and bytes, by name (none when the folder does
/// not exist). Temporary files (starting with `.`) and anything else are left out.
fn trustee_files(dir: &Path) -> Result<Vec<(String, u32, Vec<u8>)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).map_err(|e| Error::io(&path, e))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !meta.is_file() || !trustee_name_ok(&name) {
            continue;
        }
        #[cfg(unix)]
        let mode = {
            use std::os::unix::fs::PermissionsExt as _;
            meta.permissions().mode() & 0o777
        };
        #[cfg(not(unix))]
        let mode = 0o600;
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        out.push((name, mode, bytes));
    }
    out.sort();
    Ok(out)
}

/// The modes `trustee.modes` lists, by file name; a line that is not `<octal mode> <name>` is
/// refused.
fn trustee_modes(text: &[u8]) -> Result<std::collections::BTreeMap<String, u32>> {
    let bad = || Error::Backup(format!("not a Shopfloor hub backup: bad {TRUSTEE_MODES}"));
    let text = std::str::from_utf8(text).map_err(|_| bad())?;
    let mut out = std::collections::BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (mode, name) = line.split_once(' ').ok_or_else(bad)?;
        let mode = u32::from_str_radix(mode, 8).map_err(|_| bad())?;
        if mode > 0o777 || !trustee_name_ok(name) {
            return Err(bad());
        }
        out.insert(name.to_owned(), mode);
    }
    Ok(out)
}

/// Reads age identities from a key file: every line starting with `AGE-SECRET-KEY-1`, as
/// `age-keygen` writes them or as in a hub's own `keys.txt`; other lines are ignored.
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
            "{} holds no age identity (AGE-SECRET-KEY-1...)",
            path.display()
        )));
    }
    Ok(ids)
}

/// Refuses a target that exists and is not an empty directory.
fn check_empty(target: &Path) -> Result<()> {
    if !target.exists() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(target).map_err(|e| Error::io(target, e))?;
    if entries.next().is_some() {
        return Err(Error::Backup(format!(
            "{} is not empty; restore only writes into an empty or new directory",
            target.display()
        )));
    }
    Ok(())
}

/// Decrypts a backup with the identities in `identity_file` and writes its files into `target`,
/// which must be empty or absent: the directory mode 0700, `keys.txt`, `hub.toml` and `hub.db`
/// 0600, `card.json` 0644, and the trustee folder (0700) with each file's mode as it was. Nothing is written unless the backup decrypts and is complete. Then
/// opens the database once, which applies WAL mode and any newer migrations.
pub fn restore(archive: &Path, identity_file: &Path, target: &Path) -> Result<()> {
    check_empty(target)?;
    let identities = read_identities(identity_file)?;
    let size = std::fs::metadata(archive)
        .map_err(|e| Error::io(archive, e))?
        .len();
    if size > MAX_BACKUP.saturating_mul(2) {
        return Err(Error::Backup(format!(
            "{} is too large to be a hub backup",
            archive.display()
        )));
    }
    let sealed = std::fs::read(archive).map_err(|e| Error::io(archive, e))?;
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(&sealed[..]))
        .map_err(|e| Error::Backup(format!("{}: not an age file: {e}", archive.display())))?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
        .map_err(|e| Error::Backup(format!("cannot decrypt with this identity: {e}")))?;
    let mut plain = Vec::new();
    reader
        .by_ref()
        .take(MAX_BACKUP)
        .read_to_end(&mut plain)
        .map_err(|e| Error::Backup(format!("cannot decrypt: {e}")))?;
    let files = unframe(&plain)?;
    let modes = match files.iter().find(|(n, _)| n == TRUSTEE_MODES) {
        Some((_, text)) => trustee_modes(text)?,
        None => Default::default(),
    };
    let prefix = format!("{TRUSTEE_DIR}/");
    for (name, _) in &files {
        if let Some(t) = name.strip_prefix(&prefix)
            && !trustee_name_ok(t)
        {
            return Err(Error::Backup(format!(
                "not a Shopfloor hub backup: bad trustee file name {t:?}"
            )));
        }
    }
    for needed in [CONFIG_FILE, KEYS_FILE, CARD_FILE, DB_FILE] {
        if files.iter().filter(|(n, _)| n == needed).count() != 1 {
            return Err(Error::Backup(format!(
                "the backup does not hold exactly one {needed}"
            )));
        }
    }
    check_empty(target)?;
    std::fs::create_dir_all(target).map_err(|e| Error::io(target, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(target, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(target, e))?;
    }
    for (name, bytes) in &files {
        let mode = match name.as_str() {
            CARD_FILE => 0o644,
            CONFIG_FILE | KEYS_FILE | DB_FILE => 0o600,
            _ => continue,
        };
        write_new_file(&target.join(name), bytes, mode)?;
    }
    let trustee: Vec<(&str, &Vec<u8>)> = files
        .iter()
        .filter_map(|(n, b)| n.strip_prefix(&prefix).map(|t| (t, b)))
        .collect();
    if !trustee.is_empty() {
        let dir = target.join(TRUSTEE_DIR);
        std::fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io(&dir, e))?;
        }
        for (name, bytes) in trustee {
            // Without a listed mode, the private default: a trustee file holds a secret share.
            let mode = modes.get(name).copied().unwrap_or(0o600);
            write_new_file(&dir.join(name), bytes, mode)?;
        }
    }
    drop(Store::open(&target.join(DB_FILE))?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_refuse_garbage() {
        let files: [(&str, &[u8]); 2] = [("a.txt", b"one\ntwo"), ("empty", b"")];
        let framed = frame(&files);
        let back = unframe(&framed).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0], ("a.txt".to_owned(), b"one\ntwo".to_vec()));
        assert_eq!(back[1], ("empty".to_owned(), Vec::new()));
        assert!(unframe(b"SHOPFLOOR-BACKUP-1\n").is_err());
        assert!(unframe(&framed[..framed.len() - 1]).is_err());
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(format!("x {}\n", usize::MAX).as_bytes());
        assert!(unframe(&huge).is_err());
    }

    #[test]
    fn trustee_names_and_modes_are_checked() {
        assert!(trustee_name_ok("federation-2027.trustee.json"));
        for bad in ["", ".hidden", "../keys.txt", "a/b", "a b"] {
            assert!(!trustee_name_ok(bad), "{bad}");
        }
        let m = trustee_modes(b"600 a.trustee.json\n644 a.key.json\n").unwrap();
        assert_eq!(m.get("a.key.json"), Some(&0o644));
        assert!(trustee_modes(b"7777 a.json\n").is_err());
        assert!(trustee_modes(b"600 ../x\n").is_err());
        assert!(trustee_modes(b"600\n").is_err());
    }
}
