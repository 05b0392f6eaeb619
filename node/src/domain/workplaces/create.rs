//! Creating and editing workplaces.

use rusqlite::{Connection, params};
use shopfloor_protocol::registry::Dim;

use super::WorkplaceFields;
use crate::domain::vocab;
use crate::error::{Error, Result};

fn validate(f: &WorkplaceFields) -> Result<()> {
    if f.employer.trim().is_empty() {
        return Err(Error::invalid("employer", "an employer name is required"));
    }
    if let Some(c) = &f.county_fips
        && !Dim::County.accepts(c)
    {
        return Err(Error::invalid(
            "county_fips",
            format!("{c:?} is not a county FIPS code"),
        ));
    }
    if let (Some(c), Some(s)) = (&f.county_fips, &f.state) {
        let state_fips = shopfloor_protocol::registry::STATE_FIPS
            .iter()
            .find(|(code, _)| code == s)
            .map(|(_, f)| *f);
        if state_fips.is_some_and(|sf| !c.starts_with(sf)) {
            return Err(Error::invalid("county_fips", format!("{c} is not in {s}")));
        }
    }
    if let Some(s) = &f.state
        && !vocab::is_state(s)
    {
        return Err(Error::invalid(
            "state",
            format!("{s:?} is not a USPS state code"),
        ));
    }
    if let Some(s) = &f.sector
        && !vocab::is_sector(s)
    {
        return Err(Error::invalid(
            "sector",
            format!("{s:?} is not a NAICS sector"),
        ));
    }
    let naics_ok = f.naics_code.is_empty()
        || ((2..=6).contains(&f.naics_code.len())
            && f.naics_code.bytes().all(|b| b.is_ascii_digit()));
    if !naics_ok {
        return Err(Error::invalid(
            "naics_code",
            "a NAICS code is 2 to 6 digits",
        ));
    }
    if !["none", "organizing", "represented"].contains(&f.representation.as_str()) {
        return Err(Error::invalid(
            "representation",
            "representation is none, organizing or represented",
        ));
    }
    if f.workforce_size.is_some_and(|n| n < 0) || f.committee_size < 0 || f.supporters < 0 {
        return Err(Error::invalid("counts", "counts cannot be negative"));
    }
    Ok(())
}

/// Creates a workplace at stage 0 and records the stage in its history. Returns its id.
pub fn create(conn: &Connection, f: &WorkplaceFields, actor: &str) -> Result<i64> {
    validate(f)?;
    let now = vocab::now();
    conn.execute(
        "INSERT INTO workplaces (employer, site, city, county_fips, state, sector, naics_code,
            representation, rep_union, rep_local, workforce_size, committee_size, supporters,
            notes, stage, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 0, ?15, ?15)",
        params![
            f.employer.trim(),
            f.site,
            f.city,
            f.county_fips,
            f.state,
            f.sector,
            f.naics_code,
            f.representation,
            f.rep_union,
            f.rep_local,
            f.workforce_size,
            f.committee_size,
            f.supporters,
            f.notes,
            now
        ],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO workplace_stage_history (workplace_id, at, actor, from_stage, to_stage, note)
         VALUES (?1, ?2, ?3, NULL, 0, 'created')",
        params![id, now, actor],
    )?;
    Ok(id)
}

/// Replaces a workplace's fields (not its stage: see [`super::set_stage`]).
pub fn update(conn: &Connection, id: i64, f: &WorkplaceFields) -> Result<()> {
    validate(f)?;
    let n = conn.execute(
        "UPDATE workplaces SET employer = ?2, site = ?3, city = ?4, county_fips = ?5, state = ?6,
            sector = ?7, naics_code = ?8, representation = ?9, rep_union = ?10, rep_local = ?11,
            workforce_size = ?12, committee_size = ?13, supporters = ?14, notes = ?15,
            updated_at = ?16
         WHERE id = ?1",
        params![
            id,
            f.employer.trim(),
            f.site,
            f.city,
            f.county_fips,
            f.state,
            f.sector,
            f.naics_code,
            f.representation,
            f.rep_union,
            f.rep_local,
            f.workforce_size,
            f.committee_size,
            f.supporters,
            f.notes,
            vocab::now()
        ],
    )?;
    if n == 0 {
        return Err(Error::not_found(format!("workplace {id}")));
    }
    Ok(())
}
