//! Column headers: the national list's two styles, their known renames, and `--map`.

use std::collections::HashMap;

/// A member field a column can fill, or `Ignore`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// actionkit_id
    ActionkitId,
    /// first_name
    FirstName,
    /// middle_name
    MiddleName,
    /// last_name
    LastName,
    /// email
    Email,
    /// mobile_phone
    MobilePhone,
    /// home_phone
    HomePhone,
    /// work_phone
    WorkPhone,
    /// best_phone
    BestPhone,
    /// do_not_call
    DoNotCall,
    /// p2ptext_optout
    P2pTextOptout,
    /// join_date
    JoinDate,
    /// xdate
    Xdate,
    /// membership_status
    MembershipStatus,
    /// membership_type
    MembershipType,
    /// monthly_dues_status
    MonthlyDuesStatus,
    /// yearly_dues_status
    YearlyDuesStatus,
    /// union_member
    UnionMember,
    /// union_name
    UnionName,
    /// union_local
    UnionLocal,
    /// city
    City,
    /// state
    State,
    /// zip
    Zip,
    /// preferred_language
    PreferredLanguage,
    /// A known column the node deliberately does not keep (addresses, race, ...).
    Ignore,
    /// employer: where the member works (goes to the self-report review queue, not the record)
    Employer,
    /// work_city
    WorkCity,
    /// work_county: 5-digit county FIPS
    WorkCounty,
    /// work_state: USPS code
    WorkState,
    /// industry: a NAICS code or words
    Industry,
    /// job_title
    JobTitle,
}

/// Field names as written in `--map COL=field`.
pub const FIELD_NAMES: &[(&str, Field)] = &[
    ("actionkit_id", Field::ActionkitId),
    ("first_name", Field::FirstName),
    ("middle_name", Field::MiddleName),
    ("last_name", Field::LastName),
    ("email", Field::Email),
    ("mobile_phone", Field::MobilePhone),
    ("home_phone", Field::HomePhone),
    ("work_phone", Field::WorkPhone),
    ("best_phone", Field::BestPhone),
    ("do_not_call", Field::DoNotCall),
    ("p2ptext_optout", Field::P2pTextOptout),
    ("join_date", Field::JoinDate),
    ("xdate", Field::Xdate),
    ("membership_status", Field::MembershipStatus),
    ("membership_type", Field::MembershipType),
    ("monthly_dues_status", Field::MonthlyDuesStatus),
    ("yearly_dues_status", Field::YearlyDuesStatus),
    ("union_member", Field::UnionMember),
    ("union_name", Field::UnionName),
    ("union_local", Field::UnionLocal),
    ("city", Field::City),
    ("state", Field::State),
    ("zip", Field::Zip),
    ("preferred_language", Field::PreferredLanguage),
    ("ignore", Field::Ignore),
    ("employer", Field::Employer),
    ("work_city", Field::WorkCity),
    ("work_county", Field::WorkCounty),
    ("work_state", Field::WorkState),
    ("industry", Field::Industry),
    ("job_title", Field::JobTitle),
];

/// Renames seen in national exports and chapters' scripts (after normalisation).
const ALIASES: &[(&str, Field)] = &[
    ("ak_id", Field::ActionkitId),
    ("akid", Field::ActionkitId),
    ("union_name_local", Field::UnionLocal),
    ("billing_city", Field::City),
    ("billing_state", Field::State),
    ("billing_zip", Field::Zip),
    ("annual_recurring_dues_status", Field::YearlyDuesStatus),
    ("language", Field::PreferredLanguage),
    ("primary_language", Field::PreferredLanguage),
    ("preferred_lang", Field::PreferredLanguage),
];

/// Columns of the national list the node does not keep (data minimisation).
const IGNORED: &[&str] = &[
    "memb_status_letter",
    "accomodations",
    "accommodations",
    "race",
    "student_yes_no",
    "student_school_name",
    "mailing_pref",
    "mail_preference",
    "dsa_chapter",
    "chapter",
    "ydsa_chapter",
    "congressional_district",
    "address1",
    "address2",
    "country",
    "lat",
    "lon",
    "suffix",
    "billing_address_line_1",
    "billing_address_line_2",
    "mailing_address1",
    "mailing_address2",
    "mailing_city",
    "mailing_state",
    "mailing_zip",
    // What the node's own export adds (node-side fields, edited in the node, not imported), so
    // that an export imports back into another node with `--format generic`.
    "list_status",
    "union_role",
    "union_code",
    "readiness",
    "languages",
];

/// Normalises a header: trimmed, lowercased, runs of spaces and hyphens become one underscore.
pub fn normalize(header: &str) -> String {
    let lower = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    let mut out = String::with_capacity(lower.len());
    for c in lower.chars() {
        if c == ' ' || c == '-' || c == '\t' {
            if !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Looks a field up by its `--map` name.
pub fn field_by_name(name: &str) -> Option<Field> {
    let n = normalize(name);
    FIELD_NAMES.iter().find(|(k, _)| *k == n).map(|(_, f)| *f)
}

/// What a header means, given the user's `--map` entries (keys already normalised).
pub fn resolve(header: &str, maps: &HashMap<String, Field>) -> Option<Field> {
    let n = normalize(header);
    if let Some(f) = maps.get(&n) {
        return Some(*f);
    }
    if let Some((_, f)) = FIELD_NAMES.iter().find(|(k, _)| *k == n && *k != "ignore") {
        return Some(*f);
    }
    if let Some((_, f)) = ALIASES.iter().find(|(k, _)| *k == n) {
        return Some(*f);
    }
    if IGNORED.contains(&n.as_str()) {
        return Some(Field::Ignore);
    }
    None
}

impl Field {
    /// The field's name.
    pub fn name(self) -> &'static str {
        FIELD_NAMES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("ignore", |(n, _)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let none = HashMap::new();
        assert_eq!(resolve(" AK_ID ", &none), Some(Field::ActionkitId));
        assert_eq!(resolve("Email", &none), Some(Field::Email));
        assert_eq!(resolve("YDSA Chapter", &none), Some(Field::Ignore));
        assert_eq!(resolve("Billing_City", &none), Some(Field::City));
        assert_eq!(resolve("union_name_local", &none), Some(Field::UnionLocal));
        assert_eq!(resolve("\u{feff}first_name", &none), Some(Field::FirstName));
        assert_eq!(resolve("shoe size", &none), None);
        let mut maps = HashMap::new();
        maps.insert("shoe_size".to_owned(), Field::Ignore);
        assert_eq!(resolve("Shoe Size", &maps), Some(Field::Ignore));
    }
}
