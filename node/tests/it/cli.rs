use std::os::unix::fs::PermissionsExt as _;

use shopfloor_node::datadir::DataDir;
use shopfloor_node::domain::users;

use crate::util::{ADMIN_PASSWORD, bin, cli_node, run, stderr, stdout};

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_creates_a_node_and_refuses_to_overwrite_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = run(bin(&data).args(["init", "--chapter", "Región Sur DSA", "--state", "tx"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Fingerprint: "), "{out}");
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("Admin password (shown once, write it down): "))
        .expect("generated password printed");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("keys.txt")), 0o600);
    let dir = DataDir::new(&data);
    let card = dir.card().unwrap();
    assert_eq!(card.id.as_str(), "region-sur-dsa");
    assert_eq!(card.state.as_deref(), Some("TX"));
    assert!(out.contains(card.fingerprint().as_str()));
    assert_eq!(dir.keys().unwrap().public_key(), card.signing_key);
    let store = dir.open_store().unwrap();
    let admin = store
        .read(|c| users::authenticate(c, "admin", generated))
        .unwrap()
        .unwrap();
    assert_eq!(admin.role, "admin");
    let hash: String = store
        .read(|c| Ok(c.query_row("SELECT password_hash FROM users", [], |r| r.get(0))?))
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
    drop(store);

    let keys_before = std::fs::read(data.join("keys.txt")).unwrap();
    let o = run(bin(&data).args(["init", "--chapter", "Other", "--state", "NC"]));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read(data.join("keys.txt")).unwrap(), keys_before);
    assert!(run(bin(&data).arg("doctor")).status.success());
}

#[test]
fn doctor_passes_fresh_and_fails_on_key_permissions() {
    let (_tmp, data) = cli_node();
    let o = run(bin(&data).args(["doctor", "--json"]));
    assert!(o.status.success(), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ok"], true);
    std::fs::set_permissions(
        data.join("keys.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let o = run(bin(&data).arg("doctor"));
    assert!(!o.status.success());
    assert!(
        stdout(&o).contains("[FAIL] key file permissions"),
        "{}",
        stdout(&o)
    );
    std::fs::set_permissions(
        data.join("keys.txt"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    assert!(run(bin(&data).arg("doctor")).status.success());
    // A card that does not match the keys fails too.
    let other = shopfloor_protocol::SecretKeys::generate().unwrap();
    let dir = DataDir::new(&data);
    let card = dir.card().unwrap();
    let fake = other
        .card(
            card.id.clone(),
            card.kind,
            &card.name,
            card.state.as_deref(),
        )
        .unwrap();
    std::fs::write(data.join("card.json"), fake.to_json()).unwrap();
    let o = run(bin(&data).arg("doctor"));
    assert!(!o.status.success());
    assert!(stdout(&o).contains("[FAIL] card"), "{}", stdout(&o));
}

#[test]
fn user_commands() {
    let (_tmp, data) = cli_node();
    let o = run(bin(&data)
        .args(["user", "add", "rosa", "--role", "organizer"])
        .env("SHOPFLOOR_PASSWORD", "a long enough password"));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(bin(&data).args(["user", "add", "lee", "--role", "pod_lead"]));
    assert!(o.status.success());
    let lee_pw = stdout(&o)
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown once): ").map(str::to_owned))
        .unwrap();
    assert!(
        !run(bin(&data).args(["user", "add", "rosa", "--role", "viewer"]))
            .status
            .success()
    );
    assert!(
        !run(bin(&data).args(["user", "add", "x", "--role", "king"]))
            .status
            .success()
    );
    assert!(
        run(bin(&data).args(["user", "disable", "rosa"]))
            .status
            .success()
    );
    let list = stdout(&run(bin(&data).args(["user", "list"])));
    assert!(
        list.contains("rosa") && list.contains("disabled") && list.contains("pod_lead"),
        "{list}"
    );
    let o = run(bin(&data).args(["user", "reset-password", "lee"]));
    let new_pw = stdout(&o)
        .lines()
        .find_map(|l| {
            l.strip_prefix("New password (shown once): ")
                .map(str::to_owned)
        })
        .unwrap();
    let store = DataDir::new(&data).open_store().unwrap();
    store
        .read(|c| {
            assert!(
                users::authenticate(c, "rosa", "a long enough password")?.is_none(),
                "disabled"
            );
            assert!(
                users::authenticate(c, "lee", &lee_pw)?.is_none(),
                "old password"
            );
            assert!(users::authenticate(c, "lee", &new_pw)?.is_some());
            assert!(users::authenticate(c, "admin", ADMIN_PASSWORD)?.is_some());
            assert!(users::authenticate(c, "nobody", ADMIN_PASSWORD)?.is_none());
            Ok(())
        })
        .unwrap();
    let actions: Vec<String> = store
        .read(|c| {
            Ok(c.prepare("SELECT action FROM audit_log")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?)
        })
        .unwrap();
    for a in ["init", "user.add", "user.disable", "user.reset-password"] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} not audited: {actions:?}"
        );
    }
}

#[test]
fn export_members_is_written_privately_and_audited() {
    let (tmp, data) = cli_node();
    assert!(
        run(bin(&data)
            .arg("import")
            .arg(crate::util::fixture("national_current.csv")))
        .status
        .success()
    );
    let out = tmp.path().join("members.csv");
    let o = run(bin(&data).args(["export", "members", "--out"]).arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&out), 0o600);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("José") && text.contains("\"Raleigh, NC\""));
    assert_eq!(csv::Reader::from_path(&out).unwrap().records().count(), 6);
    let store = DataDir::new(&data).open_store().unwrap();
    let n = crate::util::count(
        &store,
        "SELECT count(*) FROM audit_log WHERE action = 'export.members'",
    );
    assert_eq!(n, 1);
    // Never overwrites.
    assert!(
        !run(bin(&data).args(["export", "members", "--out"]).arg(&out))
            .status
            .success()
    );
}

#[test]
fn every_command_has_help() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    for args in [
        vec!["--help"],
        vec!["init", "--help"],
        vec!["import", "--help"],
        vec!["export", "members", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "list", "--help"],
        vec!["user", "disable", "--help"],
        vec!["user", "reset-password", "--help"],
        vec!["report", "preview", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["doctor", "--help"],
    ] {
        let o = run(bin(&data).args(&args));
        assert!(o.status.success(), "{args:?}");
        assert!(stdout(&o).contains("Usage"), "{args:?}");
    }
    // Commands other than init refuse a missing node.
    let o = run(bin(&data).args(["user", "list"]));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no node"));
}
