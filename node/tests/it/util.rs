//! Shared helpers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::{Connection, OpenFlags, types::Value};
use shopfloor_node::datadir::{self, DataDir};
use shopfloor_node::store::Store;

pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// The real binary, with a clean environment.
pub fn bin(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shopfloor-node"));
    c.env_remove("SHOPFLOOR_DATA")
        .env_remove("SHOPFLOOR_ADMIN_PASSWORD")
        .env_remove("SHOPFLOOR_PASSWORD")
        .arg("--data")
        .arg(data);
    c
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh node made through the library (fast); returns (tempdir guard, data dir, store).
pub fn node() -> (tempfile::TempDir, DataDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    datadir::init(&root, "Triangle DSA", "NC", Some(ADMIN_PASSWORD.into())).unwrap();
    let dir = DataDir::new(&root);
    let store = dir.open_store().unwrap();
    (tmp, dir, store)
}

/// A fresh node made through the CLI; returns (tempdir guard, data dir path).
pub fn cli_node() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = run(bin(&data)
        .args(["init", "--chapter", "Triangle DSA", "--state", "NC"])
        .env("SHOPFLOOR_ADMIN_PASSWORD", ADMIN_PASSWORD));
    assert!(o.status.success(), "init failed: {}", stderr(&o));
    (tmp, data)
}

pub type Dump = BTreeMap<String, Vec<Vec<String>>>;

/// Every row of every table, in a stable order.
pub fn dump(db: &Path) -> Dump {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows: Vec<Vec<String>> = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, Value>(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        out.insert(t, rows);
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    out.insert("#user_version".into(), vec![vec![version.to_string()]]);
    out
}

pub fn count(store: &Store, sql: &str) -> i64 {
    store
        .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}
