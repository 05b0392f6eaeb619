//! Embedded, versioned migrations on `PRAGMA user_version`.
//!
//! Migration `n` (1-based) brings the schema from version `n - 1` to `n`; each runs in its own
//! transaction together with the `user_version` bump, so a failure leaves the previous version
//! intact. **To add a migration**, create `migrations/NNNN_what.sql` and append one line to
//! [`MIGRATIONS`]; never edit or reorder a migration that has shipped. (The web interface's
//! sessions, tokens and login throttling tables go in such an appended migration; `users` and
//! `audit_log` already exist in version 1.)

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// One schema step.
#[derive(Debug)]
pub struct Migration {
    /// Short name, for `doctor`.
    pub name: &'static str,
    /// SQL run as one batch.
    pub sql: &'static str,
}

/// Every migration, in order. Version = index + 1.
pub static MIGRATIONS: &[Migration] = &[
    Migration {
        name: "initial",
        sql: include_str!("migrations/0001_initial.sql"),
    },
    Migration {
        name: "web_sessions",
        sql: include_str!("migrations/0002_web_sessions.sql"),
    },
    Migration {
        name: "federation",
        sql: include_str!("migrations/0003_federation.sql"),
    },
    Migration {
        name: "login_throttle",
        sql: include_str!("migrations/0004_login_throttle.sql"),
    },
    Migration {
        name: "period_snapshots",
        sql: include_str!("migrations/0005_period_snapshots.sql"),
    },
    Migration {
        name: "campaign_approval",
        sql: include_str!("migrations/0006_campaign_approval.sql"),
    },
    Migration {
        name: "members_added_by_hand",
        sql: include_str!("migrations/0007_members_added_by_hand.sql"),
    },
    Migration {
        name: "self_report",
        sql: include_str!("migrations/0008_self_report.sql"),
    },
    Migration {
        name: "joint_key_pins",
        sql: include_str!("migrations/0009_joint_key_pins.sql"),
    },
    Migration {
        name: "list_indexes",
        sql: include_str!("migrations/0010_list_indexes.sql"),
    },
    Migration {
        name: "member_pages",
        sql: include_str!("migrations/0011_member_pages.sql"),
    },
    Migration {
        name: "report_indexes",
        sql: include_str!("migrations/0012_report_indexes.sql"),
    },
    Migration {
        name: "guidance_checked",
        sql: include_str!("migrations/0013_guidance_checked.sql"),
    },
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The database's current `user_version`.
pub fn current(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Applies every pending migration. Refuses a database from a newer build.
pub fn migrate(conn: &mut Connection) -> Result<i64> {
    let found = current(conn)?;
    let supported = latest();
    if found > supported {
        return Err(Error::SchemaTooNew { found, supported });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate() {
        let version = i64::try_from(index + 1).unwrap_or(i64::MAX);
        if version <= found {
            continue;
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(migration.sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, name = migration.name, "applied migration");
    }
    current(conn)
}
