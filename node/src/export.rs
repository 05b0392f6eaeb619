//! Exporting the member list as CSV (audited).

use std::path::Path;

use crate::datadir;
use crate::domain::{audit, members};
use crate::error::{Error, Result};
use crate::store::Store;

/// A cell's text made safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`,
/// tab or carriage return would be read as a formula (OWASP "CSV injection"), so it gets a
/// leading single quote. Legitimate values such as a phone number `+1 919 555 0101` or a
/// negative number gain the quote too; spreadsheets show it as text. Every CSV the node writes
/// for people goes through here.
pub fn neutralize_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The first characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

const HEADER: &[&str] = &[
    "actionkit_id",
    "first_name",
    "middle_name",
    "last_name",
    "email",
    "mobile_phone",
    "home_phone",
    "work_phone",
    "best_phone",
    "do_not_call",
    "p2ptext_optout",
    "join_date",
    "xdate",
    "membership_status",
    "membership_type",
    "monthly_dues_status",
    "yearly_dues_status",
    "union_member",
    "union_name",
    "union_local",
    "city",
    "state",
    "zip",
    "preferred_language",
    "list_status",
    "union_role",
    "union_code",
    "readiness",
    "languages",
];

/// Writes every member to a new CSV file (mode 0600) and records the export in the audit log.
/// Returns the number of members written.
pub fn members_csv(store: &Store, out: &Path, actor: &str) -> Result<u64> {
    let (bytes, n) = store.read(members_csv_bytes)?;
    datadir::write_new_file(out, &bytes, 0o600)?;
    store.write(|tx| {
        audit::record(
            tx,
            actor,
            "export.members",
            &out.display().to_string(),
            &format!("{n} members"),
        )
    })?;
    Ok(n)
}

/// Every member as CSV bytes, and how many. Not audited: callers record the export.
pub fn members_csv_bytes(conn: &rusqlite::Connection) -> Result<(Vec<u8>, u64)> {
    let all = {
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM members ORDER BY id",
            members::COLUMNS
        ))?;
        let rows = stmt.query_map([], members::from_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    let mut cells: Vec<String> = Vec::with_capacity(HEADER.len());
    for m in &all {
        let l = &m.list;
        let b = |v: bool| if v { "TRUE" } else { "" };
        let row = [
            l.actionkit_id.as_deref().unwrap_or(""),
            &l.first_name,
            &l.middle_name,
            &l.last_name,
            l.email.as_deref().unwrap_or(""),
            &l.mobile_phone,
            &l.home_phone,
            &l.work_phone,
            &l.best_phone,
            b(l.do_not_call),
            b(l.p2ptext_optout),
            l.join_date.as_deref().unwrap_or(""),
            l.xdate.as_deref().unwrap_or(""),
            &l.membership_status,
            &l.membership_type,
            &l.monthly_dues_status,
            &l.yearly_dues_status,
            &l.union_member,
            &l.union_name,
            &l.union_local,
            &l.city,
            &l.state,
            &l.zip,
            l.preferred_language.as_deref().unwrap_or(""),
            &m.list_status,
            m.union_role.as_deref().unwrap_or(""),
            m.union_code.as_deref().unwrap_or(""),
            &m.readiness.map(|r| r.to_string()).unwrap_or_default(),
            &m.languages.join(","),
        ];
        cells.clear();
        cells.extend(row.iter().map(|c| neutralize_formula(c).into_owned()));
        w.write_record(&cells)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Backup(e.to_string()))?;
    Ok((bytes, u64::try_from(all.len()).unwrap_or(u64::MAX)))
}
