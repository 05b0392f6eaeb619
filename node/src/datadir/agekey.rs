//! The node's age identity in its own file, `age-key.txt`, in the standard form the stock `age`
//! tool reads (`age -d -i age-key.txt backup.age`): comment lines and one `AGE-SECRET-KEY-1...`
//! line, mode 0600.
//!
//! `keys.txt` stays the source of truth (it holds the signing key too, which `age` cannot
//! read). `init` writes both; `serve` and a key rotation bring `age-key.txt` in line with
//! `keys.txt` (creating it in a data directory made before it existed).

use std::fs;
use std::path::{Path, PathBuf};

use shopfloor_protocol::SecretKeys;

use super::{DataDir, write_new_file};
use crate::error::{Error, Result};

/// The file name inside the data directory.
pub const AGE_KEY_FILE: &str = "age-key.txt";

/// `age-key.txt` in `dir`.
pub fn path(dir: &DataDir) -> PathBuf {
    dir.root().join(AGE_KEY_FILE)
}

/// The standard age identity file for the keys in `keys_text` (the text of `keys.txt`).
pub fn file_text(keys_text: &str) -> Result<String> {
    let keys = SecretKeys::from_text(keys_text)?;
    let line = keys_text
        .lines()
        .map(str::trim)
        .find(|l| l.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-1"))
        .ok_or_else(|| Error::Config("keys.txt holds no age identity".into()))?;
    Ok(format!(
        "# Shopfloor chapter node: its age identity, for the stock age tool.\n\
         # Open a backup sealed to this node: age -d -i age-key.txt BACKUP.age\n\
         # public key: {}\n{}\n",
        keys.age_recipient(),
        line.to_ascii_uppercase()
    ))
}

/// Writes `age-key.txt` from `keys.txt` when it is missing or differs. Returns whether it wrote.
pub fn sync(dir: &DataDir) -> Result<bool> {
    let keys_path = dir.keys_path();
    let keys_text = fs::read_to_string(&keys_path).map_err(|e| Error::io(&keys_path, e))?;
    let want = file_text(&keys_text)?;
    let target = path(dir);
    if fs::read_to_string(&target).is_ok_and(|have| have == want) {
        return Ok(false);
    }
    replace(&target, want.as_bytes())?;
    Ok(true)
}

/// Writes a new file beside `target` (mode 0600), then renames it over `target`.
fn replace(target: &Path, bytes: &[u8]) -> Result<()> {
    let staged = target.with_extension("txt.new");
    let _ = fs::remove_file(&staged);
    write_new_file(&staged, bytes, 0o600)?;
    fs::rename(&staged, target).map_err(|e| Error::io(target, e))
}
