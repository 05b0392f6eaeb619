//! Members: the national list's fields plus what the node adds.

mod list;
mod save;
mod update;

use rusqlite::Row;
use serde::{Deserialize, Serialize};

pub use list::{ListFilter, count_present, get, get_by_actionkit_id, list};
pub use save::{create, insert_list_fields, update_list_fields};
pub use update::{NodeFields, set_list_status, update_node_fields};

/// The fields national's list carries (the ones the node keeps; addresses, race, student status
/// etc. are deliberately not stored).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFields {
    /// ActionKit id, the list's stable key.
    pub actionkit_id: Option<String>,
    /// First name.
    pub first_name: String,
    /// Middle name.
    pub middle_name: String,
    /// Last name.
    pub last_name: String,
    /// Email.
    pub email: Option<String>,
    /// Mobile phone.
    pub mobile_phone: String,
    /// Home phone.
    pub home_phone: String,
    /// Work phone.
    pub work_phone: String,
    /// Best phone.
    pub best_phone: String,
    /// Do not call.
    pub do_not_call: bool,
    /// Opted out of peer-to-peer texts.
    pub p2ptext_optout: bool,
    /// Join date, YYYY-MM-DD.
    pub join_date: Option<String>,
    /// Expiry date, YYYY-MM-DD (lifetime members: 2099-11-01).
    pub xdate: Option<String>,
    /// Membership status as the list writes it.
    pub membership_status: String,
    /// Membership type (monthly, yearly, one-time, ...).
    pub membership_type: String,
    /// Monthly dues status.
    pub monthly_dues_status: String,
    /// Yearly dues status.
    pub yearly_dues_status: String,
    /// The union_member answer, verbatim.
    pub union_member: String,
    /// Union name, free text.
    pub union_name: String,
    /// Union local, free text.
    pub union_local: String,
    /// City.
    pub city: String,
    /// State.
    pub state: String,
    /// ZIP code.
    pub zip: String,
    /// Preferred language, ISO 639 code.
    pub preferred_language: Option<String>,
}

/// A member as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Row id.
    pub id: i64,
    /// The list's fields.
    #[serde(flatten)]
    pub list: ListFields,
    /// good-standing, member, lapsed, or None when the status text is not recognised.
    pub standing: Option<String>,
    /// present, or missing (absent from the latest national list).
    pub list_status: String,
    /// none, organizing, member, steward, officer, staff, retired; None = unknown.
    pub union_role: Option<String>,
    /// The role was set by hand; imports leave it alone.
    pub union_role_manual: bool,
    /// registry::UNIONS code; None = unknown.
    pub union_code: Option<String>,
    /// The union code was set by hand; imports leave it alone.
    pub union_code_manual: bool,
    /// Leadership readiness 1-4.
    pub readiness: Option<i64>,
    /// Languages spoken, ISO 639 codes.
    pub languages: Vec<String>,
    /// When created (RFC 3339).
    pub created_at: String,
    /// When last changed (RFC 3339).
    pub updated_at: String,
    /// Added by hand and not yet matched by an import of national's list.
    #[serde(default)]
    pub added_by_hand: bool,
}

/// Columns in the order [`from_row`] reads them.
pub(crate) const COLUMNS: &str = "id, actionkit_id, first_name, middle_name, last_name, email, \
     mobile_phone, home_phone, work_phone, best_phone, do_not_call, p2ptext_optout, join_date, \
     xdate, membership_status, membership_type, monthly_dues_status, yearly_dues_status, \
     union_member, union_name, union_local, city, state, zip, preferred_language, standing, \
     list_status, union_role, union_role_manual, union_code, union_code_manual, readiness, \
     languages, created_at, updated_at, added_by_hand";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Member> {
    let languages: String = r.get(32)?;
    Ok(Member {
        id: r.get(0)?,
        list: ListFields {
            actionkit_id: r.get(1)?,
            first_name: r.get(2)?,
            middle_name: r.get(3)?,
            last_name: r.get(4)?,
            email: r.get(5)?,
            mobile_phone: r.get(6)?,
            home_phone: r.get(7)?,
            work_phone: r.get(8)?,
            best_phone: r.get(9)?,
            do_not_call: r.get(10)?,
            p2ptext_optout: r.get(11)?,
            join_date: r.get(12)?,
            xdate: r.get(13)?,
            membership_status: r.get(14)?,
            membership_type: r.get(15)?,
            monthly_dues_status: r.get(16)?,
            yearly_dues_status: r.get(17)?,
            union_member: r.get(18)?,
            union_name: r.get(19)?,
            union_local: r.get(20)?,
            city: r.get(21)?,
            state: r.get(22)?,
            zip: r.get(23)?,
            preferred_language: r.get(24)?,
        },
        standing: r.get(25)?,
        list_status: r.get(26)?,
        union_role: r.get(27)?,
        union_role_manual: r.get(28)?,
        union_code: r.get(29)?,
        union_code_manual: r.get(30)?,
        readiness: r.get(31)?,
        languages: languages
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        created_at: r.get(33)?,
        updated_at: r.get(34)?,
        added_by_hand: r.get(35)?,
    })
}

/// Normalised email used for matching: trimmed, lowercased; None when empty.
pub fn email_norm(email: Option<&str>) -> Option<String> {
    email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
}
