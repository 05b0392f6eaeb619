//! The node's enrollment with its parent hub (written by the enrollment flow; read by reports).

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// What the node knows about its hub. Every field is None until enrolled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// The hub's party id.
    pub hub_id: Option<String>,
    /// The hub's card, JSON.
    pub hub_card_json: Option<String>,
    /// The node's membership certificate envelope, JSON.
    pub certificate_json: Option<String>,
    /// The hub's disclosure k.
    pub policy_k: Option<i64>,
    /// Hex digest of the last report envelope the hub accepted.
    pub previous_report: Option<String>,
    /// When enrolled.
    pub enrolled_at: Option<String>,
}

/// Reads the enrollment row.
pub fn get(conn: &Connection) -> Result<Enrollment> {
    Ok(conn.query_row(
        "SELECT hub_id, hub_card_json, certificate_json, policy_k, previous_report, enrolled_at
         FROM enrollment WHERE id = 1",
        [],
        |r| {
            Ok(Enrollment {
                hub_id: r.get(0)?,
                hub_card_json: r.get(1)?,
                certificate_json: r.get(2)?,
                policy_k: r.get(3)?,
                previous_report: r.get(4)?,
                enrolled_at: r.get(5)?,
            })
        },
    )?)
}

/// Replaces the enrollment row.
pub fn set(conn: &Connection, e: &Enrollment) -> Result<()> {
    conn.execute(
        "UPDATE enrollment SET hub_id = ?1, hub_card_json = ?2, certificate_json = ?3,
            policy_k = ?4, previous_report = ?5, enrolled_at = ?6 WHERE id = 1",
        params![
            e.hub_id,
            e.hub_card_json,
            e.certificate_json,
            e.policy_k,
            e.previous_report,
            e.enrolled_at
        ],
    )?;
    Ok(())
}
