//! Labor pods: groups of members by sector, with leads.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::domain::vocab;
use crate::error::{Error, Result};

/// A pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pod {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// registry::SECTORS code.
    pub sector: Option<String>,
    /// Lead members' ids.
    pub leads: Vec<i64>,
    /// All members' ids (leads included).
    pub members: Vec<i64>,
}

/// Creates a pod.
pub fn create(conn: &Connection, name: &str, sector: Option<&str>) -> Result<i64> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "a pod needs a name"));
    }
    if let Some(s) = sector
        && !vocab::is_sector(s)
    {
        return Err(Error::invalid(
            "sector",
            format!("{s:?} is not a NAICS sector"),
        ));
    }
    conn.execute(
        "INSERT INTO pods (name, sector, created_at) VALUES (?1, ?2, ?3)",
        params![name.trim(), sector, vocab::now()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Adds a member to a pod, or changes whether they lead it.
pub fn add_member(conn: &Connection, pod_id: i64, member_id: i64, lead: bool) -> Result<()> {
    conn.execute(
        "INSERT INTO pod_members (pod_id, member_id, is_lead) VALUES (?1, ?2, ?3)
         ON CONFLICT (pod_id, member_id) DO UPDATE SET is_lead = excluded.is_lead",
        params![pod_id, member_id, lead],
    )?;
    Ok(())
}

/// Removes a member from a pod.
pub fn remove_member(conn: &Connection, pod_id: i64, member_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM pod_members WHERE pod_id = ?1 AND member_id = ?2",
        params![pod_id, member_id],
    )?;
    Ok(())
}

/// Every pod with its members.
pub fn list(conn: &Connection) -> Result<Vec<Pod>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, sector FROM pods ORDER BY name")?;
    let mut pods = stmt
        .query_map([], |r| {
            Ok(Pod {
                id: r.get(0)?,
                name: r.get(1)?,
                sector: r.get(2)?,
                leads: Vec::new(),
                members: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut mstmt = conn.prepare_cached(
        "SELECT member_id, is_lead FROM pod_members WHERE pod_id = ?1 ORDER BY member_id",
    )?;
    for pod in &mut pods {
        let rows = mstmt.query_map(params![pod.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?))
        })?;
        for row in rows {
            let (m, lead) = row?;
            pod.members.push(m);
            if lead {
                pod.leads.push(m);
            }
        }
    }
    Ok(pods)
}

/// Pods a member leads (for the pod_lead role: they see only these pods' members).
pub fn led_by(conn: &Connection, member_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT pod_id FROM pod_members WHERE member_id = ?1 AND is_lead = 1 ORDER BY pod_id",
    )?;
    let rows = stmt.query_map(params![member_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
