//! `doctor`: checks a hub's data directory, keys, card, configuration, database and transparency
//! log. Every check is read-only: the database is opened read-only and nothing is migrated.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use shopfloor_protocol::log::Receipt;
use shopfloor_protocol::{Card, Digest, Envelope, SecretKeys};

use crate::config::{CARD_FILE, CONFIG_FILE, Config, DB_FILE, KEYS_FILE};
use crate::store;

/// One check.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// A sentence: what was found, and on failure what to do.
    pub detail: String,
}

/// Whether every check passed.
pub fn all_ok(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.ok)
}

fn check(name: &'static str, result: Result<String, String>) -> Check {
    match result {
        Ok(detail) => Check {
            name,
            ok: true,
            detail,
        },
        Err(detail) => Check {
            name,
            ok: false,
            detail,
        },
    }
}

#[cfg(unix)]
fn private_mode(path: &Path, want: u32) -> Result<String, String> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        Ok(format!("{} is {mode:04o}.", path.display()))
    } else {
        Err(format!(
            "{} is {mode:04o}, so other users can read it; run: chmod {want:o} {}",
            path.display(),
            path.display()
        ))
    }
}

#[cfg(not(unix))]
fn private_mode(path: &Path, _want: u32) -> Result<String, String> {
    std::fs::metadata(path)
        .map(|_| format!("{} exists (permissions not checked here).", path.display()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs every check on the hub in `dir`; the hub is healthy when all pass.
pub fn run(dir: &Path) -> Vec<Check> {
    let mut out = Vec::new();
    out.push(check(
        "data directory permissions",
        private_mode(dir, 0o700),
    ));
    let keys_path = dir.join(KEYS_FILE);
    out.push(check(
        "key file permissions",
        private_mode(&keys_path, 0o600),
    ));
    out.push(check(
        "configuration permissions",
        private_mode(&dir.join(CONFIG_FILE), 0o600),
    ));
    out.push(check(
        "database permissions",
        private_mode(&dir.join(DB_FILE), 0o600),
    ));
    let keys = std::fs::read_to_string(&keys_path)
        .map_err(|e| format!("{}: {e}", keys_path.display()))
        .and_then(|t| SecretKeys::from_text(&t).map_err(|e| format!("{KEYS_FILE}: {e}")));
    out.push(check(
        "key file",
        keys.as_ref()
            .map(|_| "The signing key and the age identity parse.".into())
            .map_err(Clone::clone),
    ));
    let card_path = dir.join(CARD_FILE);
    let card = std::fs::read(&card_path)
        .map_err(|e| format!("{}: {e}", card_path.display()))
        .and_then(|b| Card::from_json(&b).map_err(|e| format!("{CARD_FILE}: {e}")));
    out.push(check(
        "card",
        match (&card, &keys) {
            (Ok(c), Ok(k))
                if c.signing_key == k.public_key() && c.age_recipient == k.age_recipient() =>
            {
                Ok(format!(
                    "{} ({}, {}) matches keys.txt; fingerprint {}.",
                    c.name,
                    c.id,
                    c.kind,
                    c.fingerprint()
                ))
            }
            (Ok(c), Ok(k)) if c.signing_key != k.public_key() => {
                Err("card.json's signing key is not the one in keys.txt.".into())
            }
            (Ok(_), Ok(_)) => Err("card.json's age recipient is not the one in keys.txt.".into()),
            (Err(e), _) => Err(e.clone()),
            (_, Err(_)) => {
                Err("Cannot compare card.json with keys.txt, which does not parse.".into())
            }
        },
    ));
    let config = Config::load(dir).map_err(|e| e.to_string());
    out.push(check(
        "configuration",
        match (&config, &card) {
            (Ok(cfg), Ok(c)) if cfg.id != c.id || cfg.level.kind() != c.kind => Err(format!(
                "{CONFIG_FILE} says {} ({:?}) but card.json says {} ({}).",
                cfg.id, cfg.level, c.id, c.kind
            )),
            (Ok(cfg), _) => Ok(format!(
                "{CONFIG_FILE} parses: {} hub {}, listening on {}.",
                cfg.level.kind(),
                cfg.id,
                cfg.listen
            )),
            (Err(e), _) => Err(e.clone()),
        },
    ));
    let db_path = dir.join(DB_FILE);
    if !db_path.exists() {
        out.push(check(
            "database",
            Err(format!("{} does not exist.", db_path.display())),
        ));
        return out;
    }
    let conn = match Connection::open_with_flags(&db_path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => {
            out.push(check(
                "database",
                Err(format!("{}: {e}", db_path.display())),
            ));
            return out;
        }
    };
    out.push(check("integrity", integrity(&conn)));
    out.push(check("foreign keys", foreign_keys(&conn)));
    out.push(check("schema version", schema_version(&conn)));
    out.push(check(
        "transparency log",
        transparency_log(&conn, card.as_ref().ok()),
    ));
    out.push(check("aggregates", aggregates(&conn, card.as_ref().ok())));
    out.push(check("admin account", admin_account(&conn)));
    out
}

/// How many differences the aggregates check names before summing up the rest.
const SHOWN_DIFFERENCES: usize = 20;

/// Re-derives the aggregate tables from the stored signed documents and names every difference.
fn aggregates(conn: &Connection, card: Option<&Card>) -> Result<String, String> {
    let card = card.ok_or("Cannot open the stored documents without a readable card.json.")?;
    let exists: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'agg_cells'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if exists == 0 {
        return Err(
            "The aggregate tables do not exist yet: run any other command to migrate.".into(),
        );
    }
    if store::meta(conn, crate::aggregates::PENDING)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(
            "The aggregate tables have not been filled yet: run `shopfloor-hub reindex`.".into(),
        );
    }
    let diffs = crate::aggregates::check(conn, card)
        .map_err(|e| format!("Cannot re-derive the aggregates: {e}"))?;
    if diffs.is_empty() {
        let docs: i64 = conn
            .query_row("SELECT count(*) FROM agg_docs", [], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        return Ok(format!(
            "The stored aggregates of {docs} document(s) match the signed documents."
        ));
    }
    let mut lines: Vec<String> = diffs
        .iter()
        .take(SHOWN_DIFFERENCES)
        .map(|d| {
            format!(
                "{} {}{}: stored {}; derived {}",
                d.party,
                d.period,
                d.key.as_ref().map(|k| format!(" {k}")).unwrap_or_default(),
                d.stored,
                d.derived
            )
        })
        .collect();
    if diffs.len() > SHOWN_DIFFERENCES {
        lines.push(format!("and {} more", diffs.len() - SHOWN_DIFFERENCES));
    }
    Err(format!(
        "{} difference(s) between the stored aggregates and the signed documents: {}. Run `shopfloor-hub reindex`.",
        diffs.len(),
        lines.join("; ")
    ))
}

fn integrity(conn: &Connection) -> Result<String, String> {
    let mut stmt = conn
        .prepare("PRAGMA integrity_check")
        .map_err(|e| e.to_string())?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(Iterator::collect)
        .map_err(|e| e.to_string())?;
    if rows == ["ok"] {
        Ok("SQLite's integrity check passes.".into())
    } else {
        Err(format!(
            "SQLite's integrity check fails: {}",
            rows.join("; ")
        ))
    }
}

fn foreign_keys(conn: &Connection) -> Result<String, String> {
    let mut stmt = conn
        .prepare("PRAGMA foreign_key_check")
        .map_err(|e| e.to_string())?;
    let rows: Vec<(String, i64)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0)))
        })
        .and_then(Iterator::collect)
        .map_err(|e| e.to_string())?;
    match rows.first() {
        None => Ok("No dangling references.".into()),
        Some((table, row)) => Err(format!(
            "{} dangling reference(s), the first in {table} row {row}.",
            rows.len()
        )),
    }
}

fn schema_version(conn: &Connection) -> Result<String, String> {
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let latest = store::latest_version();
    if v == latest {
        Ok(format!("Version {v}, the latest this program knows."))
    } else if v < latest {
        Err(format!(
            "Version {v}, but this program needs {latest}: run any other command to migrate."
        ))
    } else {
        Err(format!(
            "Version {v} is newer than this program ({latest}): upgrade shopfloor-hub."
        ))
    }
}

/// Rebuilds the Merkle tree from `log_leaves` and checks every stored report against it: its
/// digest is the leaf at its index, and its receipt is signed by this hub and proves inclusion
/// in a checkpoint whose root is the rebuilt tree's root at that size. Each check is
/// O(log² n), so this stays cheap for large logs.
fn transparency_log(conn: &Connection, card: Option<&Card>) -> Result<String, String> {
    let tree = store::rebuild_tree(conn).map_err(|e| e.to_string())?;
    let card = card.ok_or("Cannot check receipts without a readable card.json.")?;
    let mut stmt = conn
        .prepare("SELECT log_index, digest, receipt FROM reports ORDER BY log_index")
        .map_err(|e| e.to_string())?;
    let rows: Vec<(i64, String, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(Iterator::collect)
        .map_err(|e| e.to_string())?;
    if u64::try_from(rows.len()).ok() != Some(tree.len()) {
        return Err(format!(
            "The log holds {} entries but {} reports are stored.",
            tree.len(),
            rows.len()
        ));
    }
    let mut roots: HashMap<u64, Digest> = HashMap::new();
    let mut newest: Option<u64> = None;
    for (index, hex, receipt) in &rows {
        let bad = |m: String| format!("Log entry {index}: {m}");
        let index = u64::try_from(*index).map_err(|_| bad("negative index".into()))?;
        let digest = Digest::from_hex(hex).map_err(|e| bad(e.to_string()))?;
        if tree.entry(index) != Some(digest) {
            return Err(bad(
                "the stored report is not the log's entry at its index.".into(),
            ));
        }
        let receipt: Receipt = Envelope::from_json(receipt)
            .and_then(|env| env.open_document(&card.signing_key))
            .map_err(|e| bad(format!("the receipt is not signed by this hub: {e}")))?;
        receipt
            .verify()
            .map_err(|e| bad(format!("the receipt's inclusion proof fails: {e}")))?;
        if receipt.entry != digest || receipt.index != index || receipt.log != card.id {
            return Err(bad("the receipt is for another entry or log.".into()));
        }
        let size = receipt.checkpoint.size;
        let root = match roots.get(&size) {
            Some(r) => *r,
            None => {
                let r = tree.root_at(size).map_err(|e| {
                    bad(format!(
                        "the receipt's checkpoint is beyond the rebuilt log: {e}"
                    ))
                })?;
                roots.insert(size, r);
                r
            }
        };
        if root != receipt.checkpoint.root {
            return Err(bad(format!(
                "the receipt's checkpoint of size {size} does not match the rebuilt log."
            )));
        }
        newest = Some(newest.map_or(size, |n| n.max(size)));
    }
    match newest {
        None => Ok("The log is empty.".into()),
        Some(size) => Ok(format!(
            "{} entries; every receipt verifies against the rebuilt tree (newest checkpoint size {size}).",
            tree.len()
        )),
    }
}

fn admin_account(conn: &Connection) -> Result<String, String> {
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if n > 0 {
        Ok(format!("{n} enabled admin account(s)."))
    } else {
        Err("No enabled admin: run `shopfloor-hub user add NAME --role admin`.".into())
    }
}
