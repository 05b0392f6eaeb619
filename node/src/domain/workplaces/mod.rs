//! Workplaces: where members work. Counts only; coworkers who are not members are never named.

mod create;
mod link;
mod many;
mod stage;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

pub use create::{create, update};
pub use link::{Link, link_member, links_of_member, set_primary, unlink_member};
pub use many::{get_many, primaries_of};
pub use stage::{StageChange, set_stage, stage_history};

use crate::error::{Error, Result};

/// What a workplace is; used to create and to update one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkplaceFields {
    /// Employer name.
    pub employer: String,
    /// Site (store number, campus, building...).
    #[serde(default)]
    pub site: String,
    /// City.
    #[serde(default)]
    pub city: String,
    /// County FIPS, 5 digits.
    pub county_fips: Option<String>,
    /// USPS state.
    pub state: Option<String>,
    /// registry::SECTORS code.
    pub sector: Option<String>,
    /// Finer NAICS code (digits).
    #[serde(default)]
    pub naics_code: String,
    /// none, organizing or represented.
    #[serde(default = "default_representation")]
    pub representation: String,
    /// Representing (or organizing) union, free text.
    #[serde(default)]
    pub rep_union: String,
    /// Local, free text.
    #[serde(default)]
    pub rep_local: String,
    /// Estimated workforce.
    pub workforce_size: Option<i64>,
    /// Organizing committee size (a count).
    #[serde(default)]
    pub committee_size: i64,
    /// Known supporters (a count).
    #[serde(default)]
    pub supporters: i64,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

fn default_representation() -> String {
    "none".into()
}

/// A workplace as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workplace {
    /// Row id.
    pub id: i64,
    /// Its fields.
    #[serde(flatten)]
    pub fields: WorkplaceFields,
    /// Organizing stage 0-5.
    pub stage: i64,
    /// Created.
    pub created_at: String,
    /// Last changed.
    pub updated_at: String,
}

const COLUMNS: &str = "id, employer, site, city, county_fips, state, sector, naics_code, \
    representation, rep_union, rep_local, workforce_size, committee_size, supporters, notes, \
    stage, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Workplace> {
    Ok(Workplace {
        id: r.get(0)?,
        fields: WorkplaceFields {
            employer: r.get(1)?,
            site: r.get(2)?,
            city: r.get(3)?,
            county_fips: r.get(4)?,
            state: r.get(5)?,
            sector: r.get(6)?,
            naics_code: r.get(7)?,
            representation: r.get(8)?,
            rep_union: r.get(9)?,
            rep_local: r.get(10)?,
            workforce_size: r.get(11)?,
            committee_size: r.get(12)?,
            supporters: r.get(13)?,
            notes: r.get(14)?,
        },
        stage: r.get(15)?,
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
    })
}

/// One workplace.
pub fn get(conn: &Connection, id: i64) -> Result<Workplace> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM workplaces WHERE id = ?1"))?
        .query_row(params![id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found(format!("workplace {id}")))
}

/// Workplaces, optionally filtered by sector, ordered by employer.
pub fn list(
    conn: &Connection,
    sector: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Workplace>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM workplaces WHERE (?1 IS NULL OR sector = ?1)
         ORDER BY lower(employer), lower(site), id LIMIT ?2 OFFSET ?3"
    ))?;
    let rows = stmt.query_map(
        params![sector, limit.clamp(1, 1000), offset.max(0)],
        from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
