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

/// A log all copied into the database is emptied once it is long, so sustained load does not
/// grow it without end; a reader still in it makes the emptying give up (briefly), not wait or
/// fail, and the next try succeeds.
#[test]
fn a_long_log_all_copied_is_emptied_unless_a_reader_stays_in_it() {
    use shopfloor_node::domain::members;
    use shopfloor_node::store::checkpoint;
    use std::time::{Duration, Instant};
    let (_tmp, dir, store) = node();
    for i in 0..100 {
        store
            .write(|tx| {
                members::create(tx, &crate::web::canary_member(&format!("wal{i}")))?;
                Ok(())
            })
            .unwrap();
    }
    let wal = dir.root().join("shopfloor.db-wal");
    let wal_len = || std::fs::metadata(&wal).unwrap().len();
    assert!(wal_len() > 0);
    let conn = rusqlite::Connection::open(dir.db_path()).unwrap();
    conn.busy_timeout(checkpoint::TRUNCATE_WAIT).unwrap();
    // A reader inside the log.
    let reader = rusqlite::Connection::open(dir.db_path()).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let n: i64 = reader
        .query_row("SELECT count(*) FROM members", [], |r| r.get(0))
        .unwrap();
    assert!(n >= 100);
    let copied = checkpoint::passive(&conn).unwrap();
    assert!(copied.log_pages >= 100, "{copied:?}");
    assert_eq!(copied.checkpointed_pages, copied.log_pages, "{copied:?}");
    // Shorter than the threshold: left alone.
    assert!(!checkpoint::truncate_if_long(&conn, &copied, copied.log_pages + 1).unwrap());
    // Long enough, but the reader is in it: gives up after the busy timeout.
    let t = Instant::now();
    assert!(!checkpoint::truncate_if_long(&conn, &copied, copied.log_pages).unwrap());
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(wal_len() > 0, "emptied under a reader");
    // The reader leaves: emptied.
    reader.execute_batch("COMMIT").unwrap();
    assert!(checkpoint::truncate_if_long(&conn, &copied, copied.log_pages).unwrap());
    assert_eq!(wal_len(), 0);
    // Nothing lost.
    assert_eq!(count(&store, "SELECT count(*) FROM members"), n);
}
