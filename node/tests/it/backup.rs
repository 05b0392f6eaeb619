use std::os::unix::fs::PermissionsExt as _;

use shopfloor_protocol::SecretKeys;

use crate::report::populate;
use crate::util::{bin, cli_node, dump, fixture, run, stderr, stdout};

#[test]
fn backup_then_restore_gives_identical_tables_and_a_healthy_node() {
    let (tmp, data) = cli_node();
    assert!(
        run(bin(&data)
            .arg("import")
            .arg(fixture("national_current.csv")))
        .status
        .success()
    );
    {
        let store = shopfloor_node::datadir::DataDir::new(&data)
            .open_store()
            .unwrap();
        populate(&store, 40);
        // A closed month's recorded counts travel with the backup.
        let now = jiff::Timestamp::now();
        let last = shopfloor_protocol::Period::containing(now)
            .unwrap()
            .previous()
            .unwrap();
        assert!(
            store
                .write(|tx| shopfloor_node::report::close_period(tx, last, now))
                .unwrap()
        );
    }
    let officer = SecretKeys::generate().unwrap();
    let officer_file = tmp.path().join("officer.txt");
    std::fs::write(&officer_file, officer.to_text()).unwrap();
    let out = tmp.path().join("node.backup");
    let o = run(bin(&data)
        .arg("backup")
        .arg("--out")
        .arg(&out)
        .arg("--to")
        .arg(officer.age_recipient().as_str()));
    assert!(o.status.success(), "{}", stderr(&o));
    let sealed = std::fs::read(&out).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1"));
    assert!(
        !sealed.windows(6).any(|w| w == b"CANARY"),
        "backup must be encrypted"
    );
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let original = dump(&data.join("shopfloor.db"));
    assert_eq!(original["period_snapshots"].len(), 1);

    // The officer restores on a new machine.
    let restored = tmp.path().join("restored");
    let o = run(bin(&restored)
        .arg("restore")
        .arg(&out)
        .arg("--identity")
        .arg(&officer_file));
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("All checks passed."));
    let mut after = dump(&restored.join("shopfloor.db"));
    let mut before = original.clone();
    // The backup itself is audited in the original after the snapshot was taken.
    for d in [&mut before, &mut after] {
        if let Some(rows) = d.get_mut("audit_log") {
            rows.retain(|r| !r[3].contains("backup"));
        }
    }
    assert_eq!(after, before, "restored tables differ");
    for f in ["keys.txt", "node.toml", "card.json"] {
        assert_eq!(
            std::fs::read(data.join(f)).unwrap(),
            std::fs::read(restored.join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(run(bin(&restored).arg("doctor")).status.success());

    // Not into a non-empty directory; not with the wrong identity.
    let o = run(bin(&data)
        .arg("restore")
        .arg(&out)
        .arg("--identity")
        .arg(&officer_file));
    assert!(!o.status.success());
    let wrong = tmp.path().join("wrong.txt");
    std::fs::write(&wrong, SecretKeys::generate().unwrap().to_text()).unwrap();
    let o = run(bin(&tmp.path().join("other"))
        .arg("restore")
        .arg(&out)
        .arg("--identity")
        .arg(&wrong));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("decrypt"), "{}", stderr(&o));
}

#[test]
fn default_backup_is_sealed_to_the_node_key() {
    let (tmp, data) = cli_node();
    let out = tmp.path().join("b.age");
    assert!(
        run(bin(&data).arg("backup").arg("--out").arg(&out))
            .status
            .success()
    );
    let restored = tmp.path().join("r");
    let o = run(bin(&restored)
        .arg("restore")
        .arg(&out)
        .arg("--identity")
        .arg(data.join("keys.txt")));
    assert!(o.status.success(), "{}", stderr(&o));
}
