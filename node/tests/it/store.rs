use shopfloor_node::Error;
use shopfloor_node::store::{Store, migrations};

use crate::util::{count, node};

#[test]
fn migrations_are_applied_once_and_recorded() {
    let (_tmp, dir, store) = node();
    let v = store.read(migrations::current).unwrap();
    assert_eq!(v, migrations::latest());
    drop(store);
    // Reopening is a no-op.
    let store = Store::open(dir.db_path()).unwrap();
    assert_eq!(
        store.read(migrations::current).unwrap(),
        migrations::latest()
    );
    let (fk, mode): (i64, String) = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT * FROM pragma_foreign_keys, pragma_journal_mode",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!((fk, mode.as_str()), (1, "wal"));
}

#[test]
fn newer_schema_is_refused() {
    let (_tmp, dir, store) = node();
    store
        .with_writer(|c| Ok(c.pragma_update(None, "user_version", migrations::latest() + 1)?))
        .unwrap();
    drop(store);
    assert!(matches!(
        Store::open(dir.db_path()),
        Err(Error::SchemaTooNew { .. })
    ));
}

#[test]
fn failed_write_rolls_back_and_readers_cannot_write() {
    let (_tmp, _dir, store) = node();
    let r: shopfloor_node::Result<()> = store.write(|tx| {
        tx.execute(
            "INSERT INTO pods (name, created_at) VALUES ('x', 'now')",
            [],
        )?;
        Err(Error::invalid("test", "abort"))
    });
    assert!(r.is_err());
    assert_eq!(count(&store, "SELECT count(*) FROM pods"), 0);
    let w = store.read(|c| {
        Ok(c.execute(
            "INSERT INTO pods (name, created_at) VALUES ('y', 'now')",
            [],
        )?)
    });
    assert!(w.is_err(), "readers are query_only");
}

#[test]
fn async_helpers_run_off_the_runtime() {
    let (_tmp, _dir, store) = node();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        store
            .write_async(|tx| {
                Ok(tx.execute(
                    "INSERT INTO pods (name, created_at) VALUES ('p', 'now')",
                    [],
                )?)
            })
            .await
            .unwrap();
        let n: i64 = store
            .read_async(|c| Ok(c.query_row("SELECT count(*) FROM pods", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(n, 1);
    });
}
