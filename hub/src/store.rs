//! The hub's SQLite database: WAL, foreign keys, a busy timeout, migrations on
//! `PRAGMA user_version`, and one writer.
//!
//! One connection sits behind a mutex; async code reaches it through
//! `tokio::task::spawn_blocking`. The Merkle log's tree is kept in memory next to the connection
//! and re-synchronised with the `log_leaves` table at the start of every write, so a command-line
//! `ingest` running beside `serve` cannot fork the log.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension as _, Transaction, TransactionBehavior};
use shopfloor_protocol::log::MerkleTree;
use shopfloor_protocol::{Digest, Envelope};

use crate::error::{Error, Result};

/// The migrations, in order; `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    // 1: everything a hub holds. Only aggregates: envelopes are stored after verification, and a
    // report envelope carries cells, never members.
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE parent (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    url TEXT NOT NULL,
    card TEXT NOT NULL,
    request_id TEXT NOT NULL,
    certificate TEXT,
    chain TEXT,
    enrolled_at INTEGER
);
CREATE TABLE invites (
    code_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('chapter', 'regional')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE enroll_requests (
    id TEXT PRIMARY KEY,
    invite TEXT NOT NULL REFERENCES invites(code_hash),
    invite_name TEXT NOT NULL,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    card TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    certificate TEXT
);
CREATE TABLE children (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('chapter', 'regional')),
    name TEXT NOT NULL,
    state TEXT,
    card TEXT NOT NULL,
    key_id TEXT NOT NULL UNIQUE,
    certificate TEXT NOT NULL,
    serial INTEGER NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    enrolled_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE TABLE log_leaves (
    idx INTEGER PRIMARY KEY,
    digest TEXT NOT NULL,
    added_at INTEGER NOT NULL
);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    child TEXT NOT NULL REFERENCES children(id),
    kind TEXT NOT NULL CHECK (kind IN ('report', 'rollup')),
    period TEXT NOT NULL,
    revision INTEGER NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    envelope BLOB NOT NULL,
    generated_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    log_index INTEGER NOT NULL UNIQUE REFERENCES log_leaves(idx),
    receipt BLOB NOT NULL,
    superseded INTEGER NOT NULL DEFAULT 0,
    UNIQUE (child, period, revision)
);
CREATE INDEX reports_period ON reports(period, child);
CREATE TABLE rollups (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    revision INTEGER NOT NULL,
    digest TEXT NOT NULL,
    envelope BLOB NOT NULL,
    inputs TEXT NOT NULL,
    completeness TEXT NOT NULL,
    built_at INTEGER NOT NULL,
    forwarded_at INTEGER,
    receipt BLOB,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at INTEGER,
    last_error TEXT,
    UNIQUE (period, revision)
);
CREATE TABLE revocations (
    serial INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    key_id TEXT NOT NULL,
    revoked_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE revocation_lists (
    id INTEGER PRIMARY KEY,
    issued_at INTEGER NOT NULL,
    envelope BLOB NOT NULL
);
CREATE TABLE guidance (
    id INTEGER PRIMARY KEY,
    issued_at INTEGER NOT NULL,
    envelope BLOB NOT NULL
);
CREATE TABLE support_requests (
    id TEXT PRIMARY KEY,
    requester TEXT NOT NULL REFERENCES children(id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE support_targets (
    request TEXT NOT NULL REFERENCES support_requests(id) ON DELETE CASCADE,
    chapter TEXT NOT NULL REFERENCES children(id),
    PRIMARY KEY (request, chapter)
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    label TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT
);
"#,
    // 2: the certificate each report was accepted under, so a rollup embeds the right one after
    // a child is revoked and enrolls again with new keys.
    r#"
ALTER TABLE reports ADD COLUMN certificate TEXT;
"#,
    // 3: login and enrollment throttling, and device tokens (web/throttle.rs). In the database,
    // not in memory, so `user unlock` clears what the running server sees and a restart forgets
    // no attack. Keys: 'p:<user>|<address>', 'q:<address>' (unknown names), 'a:<address>',
    // 'u:<user>', 'g' (global budget on unknown names), 'e:<address>' and 'c:<code hash>'
    // (enrollment). `account` names the user a counter is about, for `user unlock`.
    r#"
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    account TEXT,
    failures INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX login_throttle_expires ON login_throttle (expires_at);
CREATE INDEX login_throttle_kind ON login_throttle (kind, last_at);
CREATE INDEX login_throttle_account ON login_throttle (account) WHERE account IS NOT NULL;
CREATE TABLE device_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    last_failed_at INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX device_tokens_user ON device_tokens (user_id, created_at);
CREATE INDEX device_tokens_expires ON device_tokens (expires_at);
"#,
    // 4: publications, what viewers see (crate::publish): signed, numbered per period, never
    // changed or removed once written (the triggers refuse it). `leaves` maps each chapter down
    // the tree to the report digest the publication covers.
    r#"
CREATE TABLE publications (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    envelope BLOB NOT NULL,
    leaves TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    UNIQUE (period, sequence)
);
CREATE TRIGGER publications_no_update BEFORE UPDATE ON publications
BEGIN SELECT RAISE(ABORT, 'publications are immutable'); END;
CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
BEGIN SELECT RAISE(ABORT, 'publications are immutable'); END;
"#,
    // 5: the verified cells of every document, stored once at ingest so pages never open an
    // envelope (crate::aggregates). Derived data: `doctor` compares it with the signed documents
    // and `reindex` rebuilds it. The `meta` row makes the first open fill the tables from the
    // documents already stored (opening them needs the hub's keys, so it cannot be SQL).
    r#"
CREATE TABLE agg_docs (
    period TEXT NOT NULL,
    party TEXT NOT NULL,
    parent TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'rollup')),
    name TEXT NOT NULL,
    state TEXT,
    revision INTEGER NOT NULL,
    digest TEXT NOT NULL,
    generated_at INTEGER NOT NULL,
    as_of INTEGER,
    correction INTEGER NOT NULL DEFAULT 0,
    chapters INTEGER NOT NULL,
    PRIMARY KEY (period, party)
) WITHOUT ROWID;
CREATE INDEX agg_docs_parent ON agg_docs (period, parent);
CREATE TABLE agg_cells (
    party TEXT NOT NULL,
    period TEXT NOT NULL,
    dims TEXT NOT NULL,
    key TEXT NOT NULL,
    metric TEXT NOT NULL,
    sum INTEGER NOT NULL,
    suppressed INTEGER NOT NULL,
    contributors INTEGER NOT NULL,
    largest INTEGER NOT NULL,
    PRIMARY KEY (party, period, dims, key)
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('aggregates-pending', '1')
    ON CONFLICT (key) DO UPDATE SET value = '1';
"#,
    // 6: documents a regional rollup (v2) binds, stored once each when national accepts the
    // region's bundle: the chapters' certificates and reports. `bound_documents` says which
    // rollup bound which document, so national's own bundle carries exactly the tree.
    r#"
CREATE TABLE documents (
    digest TEXT PRIMARY KEY,
    envelope BLOB NOT NULL,
    added_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE bound_documents (
    rollup TEXT NOT NULL,
    document TEXT NOT NULL REFERENCES documents(digest),
    PRIMARY KEY (rollup, document)
) WITHOUT ROWID;
"#,
    // 7: covering indexes for the pages that list receipts (verification: newest first;
    // completeness: each child's first receipt per period). A `reports` row holds its signed
    // envelope (tens of KB in overflow pages) before `received_at`, so reading that column from
    // the table walks the envelope's page chain; these indexes answer without the table.
    r#"
CREATE INDEX IF NOT EXISTS reports_first_received ON reports (period, child, received_at);
CREATE INDEX IF NOT EXISTS reports_received ON reports
    (received_at, id, child, kind, period, revision, digest, log_index, superseded);
"#,
    // 8: each report's chapter facts (labor committee, CLC delegate, bylaws) beside its cells,
    // for the labor formations page; filled for documents already stored by a reindex.
    r#"
ALTER TABLE agg_docs ADD COLUMN facts TEXT;
INSERT INTO meta (key, value) VALUES ('aggregates-pending', '1')
    ON CONFLICT (key) DO UPDATE SET value = '1';
"#,
    // 9: support requests as work (crate::support): every copy this hub holds, whether its own
    // child asked or it came relayed (up from a regional child, down from the parent), with the
    // asking chapter's status, and every relay (to whom, which way, by whom). `requester` is not
    // a foreign key: a copy from the parent names a chapter of another hub. Requests from before
    // are carried over as open ones asked by a child, with their automatic relays. Safe to run
    // again on a database that already has these tables (IF NOT EXISTS, OR IGNORE).
    r#"
CREATE TABLE IF NOT EXISTS support_asks (
    id TEXT PRIMARY KEY,
    requester TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('child', 'parent')),
    via TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'met', 'unmet')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status_at INTEGER,
    status_sent_up TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX IF NOT EXISTS support_asks_requester ON support_asks (requester, created_at);
CREATE TABLE IF NOT EXISTS support_relays (
    request TEXT NOT NULL REFERENCES support_asks(id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('auto', 'down', 'up')),
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (request, target)
);
CREATE INDEX IF NOT EXISTS support_relays_target ON support_relays (target, direction);
INSERT OR IGNORE INTO support_asks (id, requester, origin, via, body, created_at, expires_at)
    SELECT id, requester, 'child', requester, body, created_at, expires_at FROM support_requests;
INSERT OR IGNORE INTO support_relays (request, target, direction, actor, at)
    SELECT t.request, t.chapter, 'auto', '', r.created_at
    FROM support_targets t JOIN support_requests r ON r.id = t.request;
"#,
    // 10: campaign approval (crate::campaigns): every submission a chapter sent, as received, and
    // every decision with the envelope the hub signed. Criteria versions are the `guidance` rows.
    r#"
CREATE TABLE IF NOT EXISTS campaign_submissions (
    seq INTEGER PRIMARY KEY,
    chapter TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    digest TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'returned', 'superseded'))
);
CREATE INDEX IF NOT EXISTS campaign_submissions_by_chapter ON campaign_submissions (chapter, id, state);
CREATE INDEX IF NOT EXISTS campaign_submissions_by_state ON campaign_submissions (state, seq);
CREATE TABLE IF NOT EXISTS campaign_decisions (
    seq INTEGER PRIMARY KEY,
    submission INTEGER NOT NULL REFERENCES campaign_submissions(seq),
    chapter TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'returned')),
    comment TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    criteria_version TEXT NOT NULL,
    envelope BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS campaign_decisions_by_chapter ON campaign_decisions (chapter, seq);
"#,
    // 11: encrypted small cells (crate::encrypted): every joint key national's guidance carried,
    // as this hub signed or relayed it, by key id; reports' encrypted cells must name one.
    r#"
CREATE TABLE IF NOT EXISTS joint_keys (
    key_id TEXT PRIMARY KEY,
    joint_key TEXT NOT NULL,
    added_at INTEGER NOT NULL
);
"#,
    // 12: witnessed checkpoints (crate::witness): cosignatures this hub's checkpoints received,
    // the latest checkpoint this hub cosigned per log it witnesses, and fork evidence.
    r#"
CREATE TABLE IF NOT EXISTS log_cosignatures (
    witness TEXT NOT NULL,
    size INTEGER NOT NULL,
    root TEXT NOT NULL,
    line TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (witness, size)
);
CREATE INDEX IF NOT EXISTS log_cosignatures_by_size ON log_cosignatures (size, root);
CREATE TABLE IF NOT EXISTS witness_seen (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    root TEXT NOT NULL,
    cosigned_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_evidence (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    body BLOB NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
);
"#,
    // 13: the witnessed logs regional children send with their rollups (crate::witness), for
    // this hub's bundles (docs/protocol.md §18.6).
    r#"
CREATE TABLE IF NOT EXISTS child_logs (
    rollup TEXT PRIMARY KEY,
    log TEXT NOT NULL,
    witnessed TEXT NOT NULL,
    at INTEGER NOT NULL
);
"#,
    // 14: exact rare counts (crate::decryption): the released aggregates of each publication
    // (tallies with their chapters and bounds, shares, values), which only admins' exports and
    // `verify` read; the publication viewers see carries their digest.
    r#"
CREATE TABLE IF NOT EXISTS publication_released (
    period TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    released TEXT NOT NULL,
    PRIMARY KEY (period, sequence)
);
"#,
];

/// Reads back a signed document this hub stored (which may be a legacy v1 rollup larger than
/// what is accepted from a sender).
pub fn stored_envelope(bytes: &[u8]) -> std::result::Result<Envelope, shopfloor_protocol::Error> {
    Envelope::from_json_limited(bytes, shopfloor_protocol::envelope::MAX_STORED_BYTES)
}

/// The database and the in-memory Merkle tree, behind one lock: the single writer.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

struct Inner {
    db: Connection,
    tree: MerkleTree,
}

impl Store {
    /// Opens (creating if needed) and migrates the database.
    pub fn open(path: &Path) -> Result<Store> {
        create_private(path)?;
        let mut db = Connection::open(path)?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate(&mut db)?;
        let tree = load_tree(&db, MerkleTree::new())?;
        Ok(Store {
            inner: Arc::new(Mutex::new(Inner { db, tree })),
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>> {
        self.inner
            .lock()
            .map_err(|_| Error::Internal("database lock poisoned".into()))
    }

    /// Runs a read (or a single-statement write) on the connection.
    pub fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        let inner = self.lock()?;
        f(&inner.db)
    }

    /// Runs `f` in an immediate transaction with the log's tree, synchronised with the database
    /// first. Commits if `f` succeeds; otherwise rolls back and reloads the tree.
    pub fn write<R>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &mut MerkleTree) -> Result<R>,
    ) -> Result<R> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let tx = inner
            .db
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let tree = std::mem::take(&mut inner.tree);
        let mut tree = load_tree(&tx, tree)?;
        match f(&tx, &mut tree) {
            Ok(r) => match tx.commit() {
                Ok(()) => {
                    inner.tree = tree;
                    Ok(r)
                }
                Err(e) => {
                    inner.tree = load_tree(&inner.db, MerkleTree::new())?;
                    Err(e.into())
                }
            },
            Err(e) => {
                drop(tx);
                inner.tree = load_tree(&inner.db, MerkleTree::new())?;
                Err(e)
            }
        }
    }

    /// Runs `f` with the log's tree (synchronised) for reading: checkpoints and proofs.
    pub fn with_tree<R>(&self, f: impl FnOnce(&MerkleTree) -> Result<R>) -> Result<R> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let tree = std::mem::take(&mut inner.tree);
        inner.tree = load_tree(&inner.db, tree)?;
        f(&inner.tree)
    }
}

/// The schema version this program migrates to: the number of migrations.
pub fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The Merkle tree rebuilt from the `log_leaves` table (for `doctor`).
pub fn rebuild_tree(db: &Connection) -> Result<MerkleTree> {
    load_tree(db, MerkleTree::new())
}

/// Appends to `tree` the leaves the database holds beyond its length (or rebuilds it if the
/// database holds fewer, which only a restore from backup would cause).
fn load_tree(db: &Connection, mut tree: MerkleTree) -> Result<MerkleTree> {
    let count: i64 = db.query_row("SELECT COUNT(*) FROM log_leaves", [], |r| r.get(0))?;
    let have = i64::try_from(tree.len()).unwrap_or(i64::MAX);
    if count == have {
        return Ok(tree);
    }
    if count < have {
        tree = MerkleTree::new();
    }
    let from = i64::try_from(tree.len()).unwrap_or(i64::MAX);
    let mut stmt = db.prepare("SELECT idx, digest FROM log_leaves WHERE idx >= ?1 ORDER BY idx")?;
    let rows = stmt.query_map([from], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (idx, hex) = row?;
        if idx != i64::try_from(tree.len()).unwrap_or(-1) {
            return Err(Error::Internal(format!("log leaf {idx} out of order")));
        }
        let digest =
            Digest::from_hex(&hex).map_err(|e| Error::Internal(format!("log leaf {idx}: {e}")))?;
        tree.push(digest);
    }
    Ok(tree)
}

fn migrate(db: &mut Connection) -> Result<()> {
    let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version > known {
        return Err(Error::Config(format!(
            "database schema version {version} is newer than this hub ({known}); upgrade the hub"
        )));
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// Now, in whole seconds since the epoch.
pub fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Reads one value of the `meta` table.
pub fn meta(db: &Connection, key: &str) -> Result<Option<String>> {
    Ok(db
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Writes one value of the `meta` table.
pub fn set_meta(db: &Connection, key: &str, value: &str) -> Result<()> {
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
        [key, value],
    )?;
    Ok(())
}

/// Removes one value of the `meta` table.
pub fn delete_meta(db: &Connection, key: &str) -> Result<()> {
    db.execute("DELETE FROM meta WHERE key = ?1", [key])?;
    Ok(())
}

/// Records an action in the audit table.
pub fn audit(db: &Connection, actor: &str, action: &str, subject: Option<&str>) -> Result<()> {
    db.execute(
        "INSERT INTO audit (at, actor, action, subject) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![now_secs(), actor, action, subject],
    )?;
    Ok(())
}

/// Creates the database file with mode 0600 before SQLite opens it, and narrows an existing one
/// (and its `-wal` and `-shm` files) to the owner. SQLite creates `-wal` and `-shm` later, on the
/// first write, with the database file's own permissions: so they are private too, whatever the
/// umask.
fn create_private(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        crate::config::make_private(Path::new(&name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_requests_of_schema_8_are_carried_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let mut db = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..8] {
            db.execute_batch(sql).unwrap();
        }
        db.execute_batch(
            "PRAGMA user_version = 8;
             INSERT INTO children (id, kind, name, card, key_id, certificate, serial, status, enrolled_at)
                 VALUES ('triangle', 'chapter', 'Triangle', '{}', 'k1', '{}', 1, 'active', 0),
                        ('durham', 'chapter', 'Durham', '{}', 'k2', '{}', 2, 'active', 0);
             INSERT INTO support_requests (id, requester, body, created_at, expires_at)
                 VALUES ('00000000000000000000000000000001', 'triangle', '{}', 10, 20);
             INSERT INTO support_targets (request, chapter)
                 VALUES ('00000000000000000000000000000001', 'durham');",
        )
        .unwrap();
        migrate(&mut db).unwrap();
        let (requester, origin, via, status): (String, String, String, String) = db
            .query_row(
                "SELECT requester, origin, via, status FROM support_asks",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            (
                requester.as_str(),
                origin.as_str(),
                via.as_str(),
                status.as_str()
            ),
            ("triangle", "child", "triangle", "open")
        );
        let (target, direction): (String, String) = db
            .query_row("SELECT target, direction FROM support_relays", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((target.as_str(), direction.as_str()), ("durham", "auto"));
    }

    #[test]
    fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let store = Store::open(&path).unwrap();
        let v: i64 = store
            .read(|db| Ok(db.query_row("PRAGMA user_version", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(v, i64::try_from(MIGRATIONS.len()).unwrap());
        drop(store);
        let store = Store::open(&path).unwrap();
        store
            .write(|tx, tree| {
                let i = tree.push(Digest::of(b"x"));
                tx.execute(
                    "INSERT INTO log_leaves (idx, digest, added_at) VALUES (?1, ?2, 0)",
                    rusqlite::params![i64::try_from(i).unwrap(), Digest::of(b"x").to_hex()],
                )?;
                Ok(())
            })
            .unwrap();
        // A failed write rolls the tree back too.
        let err = store.write(|_, tree| {
            tree.push(Digest::of(b"y"));
            Err::<(), _>(Error::Internal("boom".into()))
        });
        assert!(err.is_err());
        assert_eq!(store.with_tree(|t| Ok(t.len())).unwrap(), 1);
    }
}
