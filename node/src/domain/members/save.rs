//! Writing the list's fields (used by the import and by manual entry).

use rusqlite::{Connection, params};

use super::{ListFields, email_norm};
use crate::domain::vocab;
use crate::error::{Error, Result};

/// Derived node fields for a member's list fields, honouring manual overrides.
pub(crate) struct Derived {
    pub standing: Option<&'static str>,
    pub union_role: Option<String>,
    pub union_code: Option<String>,
}

pub(crate) fn derive(
    f: &ListFields,
    manual_role: Option<&str>,
    manual_code: Option<&str>,
) -> Derived {
    let union_role = match manual_role {
        Some(r) => Some(r.to_owned()),
        None => vocab::union_role_from_answer(&f.union_member).map(str::to_owned),
    };
    let union_code = match manual_code {
        Some(c) => Some(c.to_owned()),
        None => vocab::union_code(union_role.as_deref(), &f.union_name, &f.union_local)
            .map(str::to_owned),
    };
    Derived {
        standing: vocab::standing(&f.membership_status),
        union_role,
        union_code,
    }
}

/// Inserts a member from list fields (present on the list). Returns the new id.
pub fn insert_list_fields(conn: &Connection, f: &ListFields, now: &str) -> Result<i64> {
    let d = derive(f, None, None);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO members (actionkit_id, first_name, middle_name, last_name, email, email_norm,
            mobile_phone, home_phone, work_phone, best_phone, do_not_call, p2ptext_optout,
            join_date, xdate, membership_status, standing, membership_type, monthly_dues_status,
            yearly_dues_status, union_member, union_name, union_local, city, state, zip,
            preferred_language, list_status, union_role, union_code, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, 'present', ?27, ?28, ?29, ?29)",
    )?;
    stmt.execute(params![
        f.actionkit_id,
        f.first_name,
        f.middle_name,
        f.last_name,
        f.email,
        email_norm(f.email.as_deref()),
        f.mobile_phone,
        f.home_phone,
        f.work_phone,
        f.best_phone,
        f.do_not_call,
        f.p2ptext_optout,
        f.join_date,
        f.xdate,
        f.membership_status,
        d.standing,
        f.membership_type,
        f.monthly_dues_status,
        f.yearly_dues_status,
        f.union_member,
        f.union_name,
        f.union_local,
        f.city,
        f.state,
        f.zip,
        f.preferred_language,
        d.union_role,
        d.union_code,
        now,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Overwrites a member's list fields, re-deriving standing, union role and union code unless
/// they were set by hand, and marks the member present.
pub fn update_list_fields(conn: &Connection, id: i64, f: &ListFields, now: &str) -> Result<()> {
    let (role_manual, role, code_manual, code): (bool, Option<String>, bool, Option<String>) = conn
        .prepare_cached(
            "SELECT union_role_manual, union_role, union_code_manual, union_code
             FROM members WHERE id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    let d = derive(
        f,
        if role_manual { role.as_deref() } else { None },
        if code_manual { code.as_deref() } else { None },
    );
    let n = conn
        .prepare_cached(
            "UPDATE members SET actionkit_id = ?2, first_name = ?3, middle_name = ?4,
                last_name = ?5, email = ?6, email_norm = ?7, mobile_phone = ?8, home_phone = ?9,
                work_phone = ?10, best_phone = ?11, do_not_call = ?12, p2ptext_optout = ?13,
                join_date = ?14, xdate = ?15, membership_status = ?16, standing = ?17,
                membership_type = ?18, monthly_dues_status = ?19, yearly_dues_status = ?20,
                union_member = ?21, union_name = ?22, union_local = ?23, city = ?24, state = ?25,
                zip = ?26, preferred_language = ?27, list_status = 'present', union_role = ?28,
                union_code = ?29, updated_at = ?30, added_by_hand = 0
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            f.actionkit_id,
            f.first_name,
            f.middle_name,
            f.last_name,
            f.email,
            email_norm(f.email.as_deref()),
            f.mobile_phone,
            f.home_phone,
            f.work_phone,
            f.best_phone,
            f.do_not_call,
            f.p2ptext_optout,
            f.join_date,
            f.xdate,
            f.membership_status,
            d.standing,
            f.membership_type,
            f.monthly_dues_status,
            f.yearly_dues_status,
            f.union_member,
            f.union_name,
            f.union_local,
            f.city,
            f.state,
            f.zip,
            f.preferred_language,
            d.union_role,
            d.union_code,
            now,
        ])?;
    if n == 0 {
        return Err(Error::not_found(format!("member {id}")));
    }
    Ok(())
}

/// Adds a member by hand (someone not yet on national's list): marked `added_by_hand` until an
/// import of the list matches them. Needs a name.
pub fn create(conn: &Connection, f: &ListFields) -> Result<i64> {
    if f.first_name.trim().is_empty() && f.last_name.trim().is_empty() {
        return Err(Error::invalid(
            "name",
            "a member needs a first or last name",
        ));
    }
    let id = insert_list_fields(conn, f, &vocab::now())?;
    conn.prepare_cached("UPDATE members SET added_by_hand = 1 WHERE id = ?1")?
        .execute([id])?;
    Ok(id)
}
