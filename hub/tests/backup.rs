//! `backup`, `restore` and `doctor` through the real `shopfloor-hub` binary.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use age::secrecy::ExposeSecret as _;
use rusqlite::types::Value as SqlValue;
use shopfloor_protocol::{SealFormat, SecretKeys, seal};
use util::*;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every table's rows, `SELECT * FROM t ORDER BY 1`, by table name.
fn dump(db: &Path) -> BTreeMap<String, Vec<Vec<SqlValue>>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
            .unwrap();
        let n = stmt.column_count();
        let rows: Vec<Vec<SqlValue>> = stmt
            .query_map([], |r| (0..n).map(|i| r.get(i)).collect())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        out.insert(t, rows);
    }
    out
}

/// An age identity file as `age-keygen` writes it; returns its recipient.
fn age_identity_file(path: &Path) -> String {
    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    std::fs::write(
        path,
        format!(
            "# created: 2026-01-01T00:00:00Z\n# public key: {recipient}\n{}\n",
            id.to_string().expose_secret()
        ),
    )
    .unwrap();
    recipient
}

/// A national hub with one enrolled chapter whose report was ingested by hand.
fn hub_with_a_report(root: &Path) -> HubDir {
    let national = HubDir::init(root, "Backup National", "national");
    let hub = shopfloor_hub::Hub::open(&national.dir).unwrap();
    let ch = Chapter::new("rural", "Rural DSA", "MS", "CANARY-BACKUP");
    ch.enroll_directly(&hub);
    drop(hub);
    let period = last_month();
    let r1 = ch.report(&national.card.id, period, 1, None, 30);
    let file = root.join("report.age");
    std::fs::write(
        &file,
        seal(
            &r1,
            std::slice::from_ref(&national.card.age_recipient),
            SealFormat::Armored,
        )
        .unwrap(),
    )
    .unwrap();
    hub_ok(&national.dir, &["ingest", file.to_str().unwrap()]);
    national
}

#[test]
fn backup_then_restore_gives_identical_tables_and_a_healthy_hub() {
    let tmp = tempfile::tempdir().unwrap();
    let national = hub_with_a_report(tmp.path());
    let doctor = hub_json(&national.dir, &["doctor", "--json"]);
    assert_eq!(doctor["ok"], true, "{doctor}");
    let log = doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "transparency log")
        .unwrap();
    assert!(
        log["detail"].as_str().unwrap().contains("1 entries"),
        "{log}"
    );

    let officer_a = tmp.path().join("officer-a.key");
    let officer_b = tmp.path().join("officer-b.key");
    let to_a = age_identity_file(&officer_a);
    let to_b = age_identity_file(&officer_b);
    // The snapshot is taken before the backup is audited.
    let before = dump(&national.dir.join("hub.db"));
    let out = tmp.path().join("hub.backup.age");
    let o = hub_cmd(
        &national.dir,
        &[
            "backup",
            "--out",
            out.to_str().unwrap(),
            "--to",
            &to_a,
            "--to",
            &to_b,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let sealed = std::fs::read(&out).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1"));
    for plain in [
        &b"SHOPFLOOR-HUB-BACKUP-1"[..],
        b"SQLite format",
        b"AGE-SECRET-KEY-1",
    ] {
        assert!(!contains(&sealed, plain), "backup must be encrypted");
    }
    assert_eq!(mode(&out), 0o600);
    assert!(
        !files_under(tmp.path())
            .iter()
            .any(|p| p.to_string_lossy().ends_with(".partial")),
        "no partial file left behind"
    );
    // Never overwrites.
    let o = hub_cmd(
        &national.dir,
        &["backup", "--out", out.to_str().unwrap(), "--to", &to_a],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("refusing to overwrite"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&out).unwrap(), sealed);

    // Officer B restores on a new machine.
    let restored = tmp.path().join("restored");
    let o = hub_cmd(
        &restored,
        &[
            "restore",
            out.to_str().unwrap(),
            "--identity",
            officer_b.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("All checks passed."), "{}", stdout(&o));
    assert!(stdout(&o).contains("✓ transparency log"), "{}", stdout(&o));
    assert_eq!(mode(&restored), 0o700);
    assert_eq!(mode(&restored.join("keys.txt")), 0o600);
    assert_eq!(mode(&restored.join("hub.db")), 0o600);
    for f in ["keys.txt", "hub.toml", "card.json"] {
        assert_eq!(
            std::fs::read(national.dir.join(f)).unwrap(),
            std::fs::read(restored.join(f)).unwrap(),
            "{f}"
        );
    }
    let after = dump(&restored.join("hub.db"));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(after["reports"].len() == 1 && after["log_leaves"].len() == 1);
    assert_eq!(after, before, "restored tables differ");
    assert!(hub_cmd(&restored, &["doctor"]).status.success());
    // The backup was audited in the original, after its snapshot.
    let audited = dump(&national.dir.join("hub.db"))["audit"]
        .iter()
        .any(|row| row[3] == SqlValue::Text("backup".into()));
    assert!(audited, "backup audited");
    // The restored hub works: it opens and signs a checkpoint of the same log.
    let hub = shopfloor_hub::Hub::open(&restored).unwrap();
    assert_eq!(hub.card(), &national.card);
    assert!(shopfloor_hub::translog::checkpoint(&hub).is_ok());
    drop(hub);

    // Not with a wrong identity, and then nothing is written.
    let wrong = tmp.path().join("wrong.key");
    age_identity_file(&wrong);
    let target = tmp.path().join("other");
    let o = hub_cmd(
        &target,
        &[
            "restore",
            out.to_str().unwrap(),
            "--identity",
            wrong.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("decrypt"), "{}", stderr(&o));
    assert!(!target.exists(), "nothing written on a failed restore");
    std::fs::create_dir(&target).unwrap();
    let o = hub_cmd(
        &target,
        &[
            "restore",
            out.to_str().unwrap(),
            "--identity",
            wrong.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
    // A file with no age identity is refused.
    let o = hub_cmd(
        &target,
        &[
            "restore",
            out.to_str().unwrap(),
            "--identity",
            national.dir.join("card.json").to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no age identity"), "{}", stderr(&o));

    // Not into a non-empty directory, even with the right identity.
    let o = hub_cmd(
        &national.dir,
        &[
            "restore",
            out.to_str().unwrap(),
            "--identity",
            officer_a.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    let occupied = tmp.path().join("occupied");
    std::fs::create_dir(&occupied).unwrap();
    std::fs::write(occupied.join("notes.txt"), b"keep me").unwrap();
    let o = hub_cmd(
        &occupied,
        &[
            "restore",
            out.to_str().unwrap(),
            "--identity",
            officer_a.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert_eq!(std::fs::read_dir(&occupied).unwrap().count(), 1);
}

#[test]
fn default_backup_is_sealed_to_the_hubs_own_key_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = HubDir::init(tmp.path(), "Solo Regional", "regional");
    let out = tmp.path().join("b.age");
    let o = hub_cmd(&hub.dir, &["backup", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("useless"), "{}", stderr(&o));
    // The hub's keys.txt is an identity file too (its age line is taken, the rest ignored).
    let restored = tmp.path().join("r");
    let o = hub_cmd(
        &restored,
        &[
            "restore",
            out.to_str().unwrap(),
            "--identity",
            hub.dir.join("keys.txt").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("The log is empty."), "{}", stdout(&o));
    // A bad recipient is refused before anything is written.
    let o = hub_cmd(
        &hub.dir,
        &[
            "backup",
            "--out",
            tmp.path().join("c.age").to_str().unwrap(),
            "--to",
            "age1nope",
        ],
    );
    assert!(!o.status.success());
    assert!(!tmp.path().join("c.age").exists());
}

#[test]
fn doctor_fails_on_key_permissions_and_a_card_that_does_not_match() {
    let tmp = tempfile::tempdir().unwrap();
    let national = hub_with_a_report(tmp.path());
    let dir = &national.dir;
    let o = hub_cmd(dir, &["doctor"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o)
            .lines()
            .all(|l| l.starts_with('✓') || l == "All checks passed.")
    );

    std::fs::set_permissions(dir.join("keys.txt"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = hub_cmd(dir, &["doctor"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("✗ key file permissions"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("chmod 600"), "{}", stdout(&o));
    let o = hub_cmd(dir, &["doctor", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["key file permissions"]);
    std::fs::set_permissions(dir.join("keys.txt"), std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(hub_cmd(dir, &["doctor"]).status.success());

    // A card made with other keys (same id, kind and name) does not match keys.txt.
    let original = std::fs::read(dir.join("card.json")).unwrap();
    let other = SecretKeys::generate().unwrap();
    let c = &national.card;
    let fake = other
        .card(c.id.clone(), c.kind, &c.name, c.state.as_deref())
        .unwrap();
    std::fs::write(dir.join("card.json"), fake.to_json()).unwrap();
    let o = hub_cmd(dir, &["doctor"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("✗ card:"), "{}", stdout(&o));
    // The receipts are signed by the real key, not the fake card's.
    assert!(stdout(&o).contains("✗ transparency log"), "{}", stdout(&o));
    std::fs::write(dir.join("card.json"), &original).unwrap();
    assert!(hub_cmd(dir, &["doctor"]).status.success());

    // A log leaf that no longer matches its report's receipt.
    {
        let conn = rusqlite::Connection::open(dir.join("hub.db")).unwrap();
        conn.execute(
            "UPDATE log_leaves SET digest = ?1 WHERE idx = 0",
            [shopfloor_protocol::Digest::of(b"tampered").to_hex()],
        )
        .unwrap();
    }
    let o = hub_cmd(dir, &["doctor"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("✗ transparency log"), "{}", stdout(&o));

    // No data directory at all fails without a panic.
    let o = hub_cmd(&tmp.path().join("none"), &["doctor"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains('✗'));
}

#[test]
fn new_commands_have_help() {
    let tmp = tempfile::tempdir().unwrap();
    for cmd in ["doctor", "reindex", "backup", "restore"] {
        let out = hub_cmd(tmp.path(), &[cmd, "--help"]);
        assert!(out.status.success(), "{cmd} --help");
        assert!(stdout(&out).contains("Usage"), "{cmd} --help");
    }
    let help = stdout(&hub_cmd(tmp.path(), &["--help"]));
    for cmd in ["doctor", "reindex", "backup", "restore"] {
        assert!(help.contains(cmd), "{help}");
    }
}

/// A trustee's hub is backed up after the key ceremony: the backup carries `DATA/trustee/`, a
/// restore gives every file back with its mode, and the restored trustee file still decrypts
/// its share (two of three trustees, one of them restored, decrypt a tally).
#[test]
fn backup_carries_the_trustee_folder_and_the_restored_share_still_decrypts() {
    use shopfloor_hub::trustee;
    use shopfloor_protocol::PartyId;
    use shopfloor_protocol::threshold::{
        Contribution, DecodeTable, EncryptedCell, ReleasePolicy, Tally, combine,
    };
    use util::ceremony::{self, NAME};

    let tmp = tempfile::tempdir().unwrap();
    let x = tmp.path().join("exchange");
    std::fs::create_dir_all(&x).unwrap();
    let ps = ceremony::parties(tmp.path());
    hub_ok(
        &ps[0].dir,
        &["init", "--level", "national", "--name", "National"],
    );
    ceremony::whole_ceremony(&ps, &x);
    let folder = ps[0].dir.join(trustee::TRUSTEE_DIR);
    let originals = files_under(&folder);
    assert!(originals.len() >= 2, "trustee and key files: {originals:?}");
    // The key file is public (0644), the trustee file private (0600): both come back as such.
    let public = trustee::key_path(&ps[0].dir, NAME);
    assert_eq!(mode(&public), 0o644);
    assert_eq!(mode(&trustee::trustee_path(&ps[0].dir, NAME)), 0o600);

    let officer = tmp.path().join("officer.key");
    let to = age_identity_file(&officer);
    let out = tmp.path().join("national.backup.age");
    let o = hub_cmd(
        &ps[0].dir,
        &["backup", "--out", out.to_str().unwrap(), "--to", &to],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sealed = std::fs::read(&out).unwrap();
    let share_file = std::fs::read(trustee::trustee_path(&ps[0].dir, NAME)).unwrap();
    assert!(
        !contains(&sealed, &share_file[..32]),
        "backup must be encrypted"
    );

    let restored = tmp.path().join("restored");
    let o = hub_cmd(
        &restored,
        &[
            "restore",
            out.to_str().unwrap(),
            "--identity",
            officer.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert_eq!(mode(&restored.join(trustee::TRUSTEE_DIR)), 0o700);
    for original in &originals {
        let name = original.file_name().unwrap();
        let copy = restored.join(trustee::TRUSTEE_DIR).join(name);
        assert_eq!(
            std::fs::read(original).unwrap(),
            std::fs::read(&copy).unwrap()
        );
        assert_eq!(mode(original), mode(&copy), "{}", copy.display());
    }

    // The restored share and another trustee's decrypt together; the restored one alone cannot.
    let back = trustee::load_trustee(&restored, NAME).unwrap();
    let south = trustee::load_trustee(&ps[1].dir, NAME).unwrap();
    let key = back.joint_key().clone();
    assert_eq!(&key, south.joint_key());
    let cells: Vec<Contribution> = [3u64, 4, 1, 2, 4]
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            Contribution::new(
                PartyId::new(&format!("chapter-{i}")).unwrap(),
                EncryptedCell::encrypt(&key, v, 5).unwrap(),
            )
        })
        .collect();
    let tally = Tally::of_cells(&key, &cells).unwrap();
    let policy = ReleasePolicy::new(5).unwrap();
    let table = DecodeTable::new(100).unwrap();
    let shares = [
        back.share(&tally, &policy).unwrap(),
        south.share(&tally, &policy).unwrap(),
    ];
    assert_eq!(combine(&key, &tally, &shares, &table).unwrap(), 14);
    assert!(combine(&key, &tally, &shares[..1], &table).is_err());
}
