//! Applying checked rows inside the caller's transaction.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::headers::Field;
use super::{Format, ImportSummary, ParsedFile};
use crate::domain::members::{self, ListFields, email_norm};
use crate::domain::vocab;
use crate::error::Result;

struct Existing {
    id: i64,
    list: ListFields,
    standing: Option<String>,
    present: bool,
    /// Added by hand, not yet matched by an import: not "missing" from a list they were never on.
    by_hand: bool,
    claimed: bool,
}

fn copy_field(dst: &mut ListFields, src: &ListFields, field: Field) {
    match field {
        Field::ActionkitId => dst.actionkit_id.clone_from(&src.actionkit_id),
        Field::FirstName => dst.first_name.clone_from(&src.first_name),
        Field::MiddleName => dst.middle_name.clone_from(&src.middle_name),
        Field::LastName => dst.last_name.clone_from(&src.last_name),
        Field::Email => dst.email.clone_from(&src.email),
        Field::MobilePhone => dst.mobile_phone.clone_from(&src.mobile_phone),
        Field::HomePhone => dst.home_phone.clone_from(&src.home_phone),
        Field::WorkPhone => dst.work_phone.clone_from(&src.work_phone),
        Field::BestPhone => dst.best_phone.clone_from(&src.best_phone),
        Field::DoNotCall => dst.do_not_call = src.do_not_call,
        Field::P2pTextOptout => dst.p2ptext_optout = src.p2ptext_optout,
        Field::JoinDate => dst.join_date.clone_from(&src.join_date),
        Field::Xdate => dst.xdate.clone_from(&src.xdate),
        Field::MembershipStatus => dst.membership_status.clone_from(&src.membership_status),
        Field::MembershipType => dst.membership_type.clone_from(&src.membership_type),
        Field::MonthlyDuesStatus => dst.monthly_dues_status.clone_from(&src.monthly_dues_status),
        Field::YearlyDuesStatus => dst.yearly_dues_status.clone_from(&src.yearly_dues_status),
        Field::UnionMember => dst.union_member.clone_from(&src.union_member),
        Field::UnionName => dst.union_name.clone_from(&src.union_name),
        Field::UnionLocal => dst.union_local.clone_from(&src.union_local),
        Field::City => dst.city.clone_from(&src.city),
        Field::State => dst.state.clone_from(&src.state),
        Field::Zip => dst.zip.clone_from(&src.zip),
        Field::PreferredLanguage => dst.preferred_language.clone_from(&src.preferred_language),
        Field::Ignore
        | Field::Employer
        | Field::WorkCity
        | Field::WorkCounty
        | Field::WorkState
        | Field::Industry
        | Field::JobTitle => {}
    }
}

fn load(conn: &Connection) -> Result<Vec<Existing>> {
    let mut stmt = conn.prepare(&format!("SELECT {} FROM members", members::COLUMNS))?;
    let rows = stmt.query_map([], members::from_row)?;
    let mut out = Vec::new();
    for m in rows {
        let m = m?;
        out.push(Existing {
            id: m.id,
            present: m.list_status == "present",
            by_hand: m.added_by_hand,
            standing: m.standing,
            list: m.list,
            claimed: false,
        });
    }
    Ok(out)
}

pub(super) fn apply(conn: &Connection, file: &ParsedFile, format: Format) -> Result<ImportSummary> {
    let now = vocab::now();
    let mut existing = load(conn)?;
    let mut by_ak: HashMap<String, usize> = HashMap::new();
    let mut by_email: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in existing.iter().enumerate() {
        if let Some(ak) = &e.list.actionkit_id {
            by_ak.insert(ak.clone(), i);
        }
        if let Some(em) = email_norm(e.list.email.as_deref()) {
            by_email.entry(em).or_default().push(i);
        }
    }
    let mut s = ImportSummary {
        format,
        rows_read: u64::try_from(file.rows.len()).unwrap_or(u64::MAX),
        blank_rows: file.blank_rows,
        present_before: u64::try_from(existing.iter().filter(|e| e.present).count())
            .unwrap_or(u64::MAX),
        ..ImportSummary::default()
    };
    let mut seen_ids = std::collections::HashSet::new();
    let file_aks: std::collections::HashSet<&str> = file
        .rows
        .iter()
        .filter_map(|r| r.fields.actionkit_id.as_deref())
        .collect();
    let bulk = super::bulk::worth_deferring(file.rows.len(), existing.len());
    let mut load = || -> Result<()> {
        for row in &file.rows {
            let new_standing = vocab::standing(&row.fields.membership_status);
            if new_standing == Some("lapsed") {
                s.lapsed_in_list += 1;
            }
            // Match by actionkit_id, then by email among members not yet matched in this import
            // whose actionkit_id is absent or not on this list.
            let mut found = row
                .fields
                .actionkit_id
                .as_ref()
                .and_then(|ak| by_ak.get(ak).copied());
            if found.is_some_and(|i| existing.get(i).is_some_and(|e| e.claimed)) {
                found = None;
            }
            if found.is_none()
                && let Some(em) = email_norm(row.fields.email.as_deref())
                && let Some(cands) = by_email.get(&em)
            {
                let free: Vec<usize> = cands
                    .iter()
                    .copied()
                    .filter(|i| {
                        existing.get(*i).is_some_and(|e| {
                            !e.claimed
                                && match (&e.list.actionkit_id, &row.fields.actionkit_id) {
                                    (Some(old), Some(new)) => {
                                        old == new || !file_aks.contains(old.as_str())
                                    }
                                    _ => true,
                                }
                        })
                    })
                    .collect();
                if free.len() == 1 {
                    found = free.first().copied();
                }
            }
            match found.and_then(|i| existing.get_mut(i)) {
                Some(e) => {
                    e.claimed = true;
                    seen_ids.insert(e.id);
                    if let Some(w) = &row.work {
                        crate::domain::selfreport::queue_import(conn, e.id, w)?;
                        s.self_reports += 1;
                    }
                    let mut merged = e.list.clone();
                    for f in &file.present {
                        copy_field(&mut merged, &row.fields, *f);
                    }
                    if merged != e.list || !e.present || e.by_hand {
                        members::update_list_fields(conn, e.id, &merged, &now)?;
                        s.updated += 1;
                        if !e.present {
                            s.returned += 1;
                        }
                        if new_standing == Some("lapsed") && e.standing.as_deref() != Some("lapsed")
                        {
                            s.newly_lapsed += 1;
                        }
                    } else {
                        s.unchanged += 1;
                    }
                }
                None => {
                    let id = members::insert_list_fields(conn, &row.fields, &now)?;
                    seen_ids.insert(id);
                    if let Some(w) = &row.work {
                        crate::domain::selfreport::queue_import(conn, id, w)?;
                        s.self_reports += 1;
                    }
                    s.created += 1;
                }
            }
        }
        if format == Format::National {
            let mut stmt = conn.prepare_cached(
                "UPDATE members SET list_status = 'missing', updated_at = ?2 WHERE id = ?1",
            )?;
            for e in existing
                .iter()
                .filter(|e| e.present && !e.by_hand && !seen_ids.contains(&e.id))
            {
                stmt.execute(params![e.id, now])?;
                s.marked_missing += 1;
            }
        }
        Ok(())
    };
    if bulk {
        super::bulk::with_member_indexes_deferred(conn, load)?;
    } else {
        load()?;
    }
    Ok(s)
}
