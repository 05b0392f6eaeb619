//! Encrypted small cells at the hub (issue 14, docs/protocol.md §17.3 and §17.4).
//!
//! The hub learns joint keys only from national's signed guidance: national's own when it
//! publishes one ([`crate::guidance::sign_with_key`]), and at a regional hub the one inside the
//! national guidance it relays, verified against the root card. Each is recorded in
//! `joint_keys` (hub migration 11) when the guidance is stored ([`record`]). A chapter report
//! whose cells are encrypted to a key the hub does not hold is refused (`unknown-joint-key`);
//! otherwise every bound and range proof is checked ([`check_report`]). The ciphertexts stay
//! inside the stored signed report; rollups tally them ([`shopfloor_protocol::rollup::sum`]).

use rusqlite::{Connection, params};
use shopfloor_protocol::guidance::Guidance;
use shopfloor_protocol::rollup::Documents;
use shopfloor_protocol::threshold::JointKey;
use shopfloor_protocol::{Reason, Report};

use crate::error::{Error, Result};
use crate::hub::Hub;

/// The joint key `guidance` carries, or the one inside the national guidance it relays (opened
/// with the root card). Read before the transaction that stores the guidance ([`record`]).
pub fn carried(hub: &Hub, guidance: &Guidance) -> Vec<JointKey> {
    let mut keys = Vec::new();
    if let Some(k) = &guidance.trustee_key {
        keys.push(k.joint_key.clone());
    }
    if let Some(inherited) = &guidance.inherited
        && let Ok(root) = hub.root_card()
        && let Ok(national) = inherited.open_document::<Guidance>(&root.signing_key)
        && national.issuer == root.id
        && let Some(k) = national.trustee_key
    {
        keys.push(k.joint_key);
    }
    keys
}

/// Records `keys` ([`carried`]) inside the transaction that stores the guidance.
pub fn record(tx: &rusqlite::Transaction<'_>, keys: &[JointKey]) -> Result<()> {
    for key in keys {
        let json =
            serde_json::to_string(&key).map_err(|e| Error::Internal(format!("joint key: {e}")))?;
        tx.execute(
            "INSERT OR IGNORE INTO joint_keys (key_id, joint_key, added_at) VALUES (?1, ?2, ?3)",
            params![key.id().to_hex(), json, crate::store::now_secs()],
        )?;
    }
    Ok(())
}

/// Every joint key this hub holds, oldest first.
pub fn keys_in(db: &Connection) -> Result<Vec<JointKey>> {
    let mut stmt =
        db.prepare_cached("SELECT joint_key FROM joint_keys ORDER BY added_at, key_id")?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    rows.iter()
        .map(|json| {
            serde_json::from_str(json)
                .map_err(|e| Error::Internal(format!("stored joint key: {e}")))
        })
        .collect()
}

/// Every joint key this hub holds.
pub fn keys(hub: &Hub) -> Result<Vec<JointKey>> {
    hub.store().read(keys_in)
}

/// Adds every joint key the hub holds to `docs`, so that verifying a tree checks its chapters'
/// encrypted cells under them.
pub fn add_keys(db: &Connection, docs: &mut Documents) -> Result<()> {
    for key in keys_in(db)? {
        docs.add_joint_key(key);
    }
    Ok(())
}

/// No documents yet, with every joint key this hub holds.
pub fn documents(hub: &Hub) -> Result<Documents> {
    let mut docs = Documents::new();
    hub.store().read(|db| add_keys(db, &mut docs))?;
    Ok(docs)
}

/// Checks a chapter report's encrypted cells at ingest: the key it names must be one this hub
/// holds from national's guidance (`unknown-joint-key`), each bound the public bound
/// (`bad-bound`) and each range proof valid (`bad-range-proof`). A report without encrypted
/// cells passes.
pub fn check_report(hub: &Hub, report: &Report) -> Result<()> {
    let Some(id) = report.joint_key else {
        return Ok(());
    };
    let key = keys(hub)?.into_iter().find(|k| k.id() == id).ok_or_else(|| {
        shopfloor_protocol::Error::new(
            Reason::UnknownJointKey,
            format!(
                "the report's cells are encrypted to joint key {id}, which national's guidance held here does not carry"
            ),
        )
    })?;
    report.check_encrypted(&key)?;
    Ok(())
}
