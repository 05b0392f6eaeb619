//! `doctor`: checks a node's files and database.

use std::os::unix::fs::PermissionsExt as _;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::datadir::DataDir;
use crate::store::migrations;

/// One check.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// Passed.
    pub ok: bool,
    /// Details.
    pub detail: String,
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

fn private_mode(path: &std::path::Path, want: u32) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        Ok(format!("{} is {mode:04o}", path.display()))
    } else {
        Err(format!(
            "{} is {mode:04o}; others can read it. Run: chmod {want:o} {}",
            path.display(),
            path.display()
        ))
    }
}

/// Runs every check; the node is healthy when all pass.
pub fn run(dir: &DataDir) -> Vec<Check> {
    let mut out = Vec::new();
    out.push(check(
        "data directory permissions",
        private_mode(dir.root(), 0o700),
    ));
    out.push(check(
        "key file permissions",
        private_mode(&dir.keys_path(), 0o600),
    ));
    let keys = dir.keys().map_err(|e| e.to_string());
    out.push(check(
        "key file",
        keys.as_ref()
            .map(|_| "signing key and age identity parse".into())
            .map_err(Clone::clone),
    ));
    let card = dir.card().map_err(|e| e.to_string());
    out.push(check(
        "card",
        match (&card, &keys) {
            (Ok(c), Ok(k))
                if c.signing_key == k.public_key() && c.age_recipient == k.age_recipient() =>
            {
                Ok(format!(
                    "{} ({}), fingerprint {}",
                    c.name,
                    c.id,
                    c.fingerprint()
                ))
            }
            (Ok(_), Ok(_)) => Err("card.json does not match keys.txt".into()),
            (Err(e), _) => Err(e.clone()),
            (_, Err(_)) => Err("cannot compare with keys.txt".into()),
        },
    ));
    let config = dir.config().map_err(|e| e.to_string());
    out.push(check(
        "config",
        match (&config, &card) {
            (Ok(cfg), Ok(c)) if cfg.chapter_id != c.id.as_str() => Err(format!(
                "node.toml chapter_id {} but the card says {}",
                cfg.chapter_id, c.id
            )),
            (Ok(cfg), Ok(c)) if c.state.as_deref() != Some(cfg.state.as_str()) => Err(format!(
                "node.toml state {} but the card says {:?}",
                cfg.state, c.state
            )),
            (Ok(cfg), _) => Ok(format!(
                "chapter {}, state {}, k >= {}",
                cfg.chapter_id, cfg.state, cfg.min_cell_size
            )),
            (Err(e), _) => Err(e.clone()),
        },
    ));
    out.push(check(
        "database permissions",
        private_mode(&dir.db_path(), 0o600),
    ));
    if !dir.db_path().exists() {
        out.push(check(
            "database",
            Err(format!("{} does not exist", dir.db_path().display())),
        ));
        return out;
    }
    let conn = match Connection::open_with_flags(dir.db_path(), OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => {
            out.push(check("database", Err(e.to_string())));
            return out;
        }
    };
    out.push(check(
        "schema version",
        (|| {
            let v = migrations::current(&conn).map_err(|e| e.to_string())?;
            let latest = migrations::latest();
            if v == latest {
                Ok(format!("version {v} (latest)"))
            } else if v < latest {
                Err(format!(
                    "version {v}, this program needs {latest}: run any command to migrate"
                ))
            } else {
                Err(format!("version {v} is newer than this program ({latest})"))
            }
        })(),
    ));
    out.push(check(
        "integrity",
        (|| {
            let mut stmt = conn
                .prepare("PRAGMA integrity_check")
                .map_err(|e| e.to_string())?;
            let rows: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .and_then(Iterator::collect)
                .map_err(|e| e.to_string())?;
            if rows == ["ok"] {
                Ok("ok".into())
            } else {
                Err(rows.join("; "))
            }
        })(),
    ));
    out.push(check(
        "foreign keys",
        (|| {
            let mut stmt = conn
                .prepare("PRAGMA foreign_key_check")
                .map_err(|e| e.to_string())?;
            let rows: Vec<(String, i64)> = stmt
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0)))
                })
                .and_then(Iterator::collect)
                .map_err(|e| e.to_string())?;
            if rows.is_empty() {
                Ok("no dangling references".into())
            } else {
                Err(format!(
                    "{} dangling references, first in {} row {}",
                    rows.len(),
                    rows[0].0,
                    rows[0].1
                ))
            }
        })(),
    ));
    out.push(check("period snapshots", period_snapshots(&conn)));
    out.push(check(
        "admin account",
        (|| {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0",
                    [],
                    |r| r.get(0),
                )
                .map_err(|e| e.to_string())?;
            if n > 0 {
                Ok(format!("{n} enabled admin(s)"))
            } else {
                Err("no enabled admin: run `user add NAME --role admin`".into())
            }
        })(),
    ));
    out.push(check(
        "federation alarms",
        (|| {
            let has_table: bool = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alarms'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map_err(|e| e.to_string())?
                > 0;
            if !has_table {
                return Ok("no alarms table yet (run any command to migrate)".into());
            }
            let (n, kinds): (i64, Option<String>) = conn
                .query_row(
                    "SELECT count(*), group_concat(DISTINCT kind) FROM alarms WHERE resolved_at IS NULL",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(|e| e.to_string())?;
            if n == 0 {
                Ok("no open alarms".into())
            } else {
                Err(format!(
                    "{n} open alarm(s) about the hub ({}): see `shopfloor-node federation alarms`",
                    kinds.unwrap_or_default()
                ))
            }
        })(),
    ));
    out
}

/// Every closed month's recorded counts read back (`report::snapshot`); how many there are.
fn period_snapshots(conn: &Connection) -> Result<String, String> {
    let exists: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'period_snapshots'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if exists == 0 {
        return Ok("none (the database is not migrated yet)".into());
    }
    let periods: Vec<String> = conn
        .prepare("SELECT period FROM period_snapshots ORDER BY period")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| e.to_string())?;
    let mut latest = None;
    for p in &periods {
        let period: shopfloor_protocol::Period = p
            .parse()
            .map_err(|e| format!("a recorded month {p:?} is not a period: {e}"))?;
        let s = crate::report::snapshot::get(conn, period)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{p} vanished while being read"))?;
        latest = Some(s);
    }
    Ok(match latest {
        Some(s) => format!(
            "{} closed month(s) recorded, the latest {} as of {}",
            periods.len(),
            s.period,
            s.as_of
        ),
        None => "none yet: a month is recorded when it ends".into(),
    })
}
