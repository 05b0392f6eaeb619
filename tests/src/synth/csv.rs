//! National's membership list as CSV, in both header styles, with the messiness real exports
//! have: a byte-order mark, CRLF line ends, rows of empty fields, quoting of every field.
//! Commas, quotes and accents occur in the data itself ("Yes, current union member",
//! `Kevin "Red"`, "Núñez").

use jiff::civil::Date;

use super::{Chapter, Member};

/// How messy the file is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvStyle {
    /// Start with a UTF-8 byte-order mark.
    pub bom: bool,
    /// CRLF line ends.
    pub crlf: bool,
    /// A row of empty fields every 97 rows.
    pub blank_rows: bool,
    /// Quote every field, not only those that need it.
    pub quote_all: bool,
}

impl CsvStyle {
    /// Every kind of mess at once.
    pub fn messy() -> CsvStyle {
        CsvStyle {
            bom: true,
            crlf: true,
            blank_rows: true,
            quote_all: false,
        }
    }
}

/// The current (lowercase) header, with `lat, lon`.
pub const CURRENT_HEADER: &[&str] = &[
    "first_name",
    "middle_name",
    "last_name",
    "email",
    "do_not_call",
    "p2ptext_optout",
    "mobile_phone",
    "home_phone",
    "work_phone",
    "best_phone",
    "join_date",
    "xdate",
    "membership_status",
    "memb_status_letter",
    "membership_type",
    "monthly_dues_status",
    "yearly_dues_status",
    "union_member",
    "union_name",
    "union_local",
    "accomodations",
    "race",
    "student_yes_no",
    "student_school_name",
    "mailing_pref",
    "actionkit_id",
    "dsa_chapter",
    "ydsa_chapter",
    "congressional_district",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "country",
    "lat",
    "lon",
];

/// The legacy (mixed case) header, with the later additions.
pub const LEGACY_HEADER: &[&str] = &[
    "AK_ID",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "Billing_Address_Line_1",
    "Billing_Address_Line_2",
    "Billing_City",
    "Billing_State",
    "Billing_Zip",
    "Mailing_Address1",
    "Mailing_Address2",
    "Mailing_City",
    "Mailing_State",
    "Mailing_Zip",
    "Mobile_Phone",
    "Home_Phone",
    "Work_Phone",
    "Email",
    "Mail_preference",
    "Do_Not_Call",
    "Join_Date",
    "Xdate",
    "membership_type",
    "monthly_dues_status",
    "membership_status",
    "union_member",
    "union_name",
    "union_local",
    "student_yes_no",
    "student_school_name",
    "YDSA Chapter",
    "DSA_chapter",
    "best_phone",
    "p2ptext_optout",
    "annual_recurring_dues_status",
    "memb_status_letter",
    "accomodations",
];

fn push_field(out: &mut Vec<u8>, field: &str, quote_all: bool) {
    let needs = quote_all
        || field.contains([',', '"', '\r', '\n'])
        || field.starts_with(' ')
        || field.ends_with(' ');
    if needs {
        out.push(b'"');
        out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

fn push_row(out: &mut Vec<u8>, fields: &[String], style: &CsvStyle) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_field(out, f, style.quote_all);
    }
    out.extend_from_slice(if style.crlf { b"\r\n" } else { b"\n" });
}

fn micro(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:06}", a / 1_000_000, a % 1_000_000)
}

fn us_date(d: Date) -> String {
    format!("{}/{}/{}", d.month(), d.day(), d.year())
}

fn flag(b: bool) -> String {
    if b { "TRUE".into() } else { String::new() }
}

fn current_row(m: &Member, chapter: &str) -> Vec<String> {
    vec![
        m.first_name.clone(),
        m.middle_name.clone(),
        m.last_name.clone(),
        m.email.clone(),
        flag(m.do_not_call),
        flag(m.p2ptext_optout),
        m.mobile_phone.clone(),
        m.home_phone.clone(),
        m.work_phone.clone(),
        m.best_phone.clone(),
        m.join_date.to_string(),
        m.xdate.to_string(),
        m.membership_status.clone(),
        m.memb_status_letter.into(),
        m.membership_type.clone(),
        m.monthly_dues_status.clone(),
        m.yearly_dues_status.clone(),
        m.union_member.clone(),
        m.union_name.clone(),
        m.union_local.clone(),
        m.accomodations.clone(),
        m.race.into(),
        m.student_yes_no.into(),
        m.student_school_name.clone(),
        m.mailing_pref.into(),
        m.actionkit_id.clone(),
        chapter.to_owned(),
        m.ydsa_chapter.clone(),
        m.congressional_district.into(),
        m.address1.clone(),
        m.address2.clone(),
        m.city.clone(),
        m.state_name.clone(),
        m.zip.clone(),
        "US".into(),
        micro(m.lat),
        micro(m.lon),
    ]
}

fn legacy_row(m: &Member, chapter: &str) -> Vec<String> {
    let yes_no = |b: bool| if b { "1".to_owned() } else { "0".to_owned() };
    vec![
        m.actionkit_id.clone(),
        m.first_name.clone(),
        m.middle_name.clone(),
        m.last_name.clone(),
        m.suffix.clone(),
        m.address1.clone(),
        m.address2.clone(),
        m.city.clone(),
        m.state.clone(),
        m.zip.clone(),
        m.address1.clone(),
        m.address2.clone(),
        m.city.clone(),
        m.state.clone(),
        m.zip.clone(),
        m.mobile_phone.clone(),
        m.home_phone.clone(),
        m.work_phone.clone(),
        m.email.clone(),
        m.mailing_pref.into(),
        yes_no(m.do_not_call),
        us_date(m.join_date),
        us_date(m.xdate),
        m.membership_type.clone(),
        m.monthly_dues_status.clone(),
        m.membership_status.clone(),
        m.union_member.clone(),
        m.union_name.clone(),
        m.union_local.clone(),
        m.student_yes_no.into(),
        m.student_school_name.clone(),
        m.ydsa_chapter.clone(),
        chapter.to_owned(),
        m.best_phone.clone(),
        yes_no(m.p2ptext_optout),
        m.yearly_dues_status.clone(),
        m.memb_status_letter.into(),
        m.accomodations.clone(),
    ]
}

fn write(
    chapter: &Chapter,
    header: &[&str],
    row: fn(&Member, &str) -> Vec<String>,
    style: &CsvStyle,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(chapter.members.len() * 300);
    if style.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let head: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    push_row(&mut out, &head, style);
    let dsa_chapter = chapter.name.trim_end_matches(" DSA").to_owned();
    for (i, m) in chapter.members.iter().enumerate() {
        if style.blank_rows && i % 97 == 50 {
            push_row(&mut out, &vec![String::new(); header.len()], style);
        }
        push_row(&mut out, &row(m, &dsa_chapter), style);
    }
    out
}

/// The list in the current header style (dates `YYYY-MM-DD`, state names, `lat, lon`).
pub fn national_csv(chapter: &Chapter, style: &CsvStyle) -> Vec<u8> {
    write(chapter, CURRENT_HEADER, current_row, style)
}

/// The list in the legacy header style (dates `M/D/YYYY`, USPS states, 0/1 flags).
pub fn national_csv_legacy(chapter: &Chapter, style: &CsvStyle) -> Vec<u8> {
    write(chapter, LEGACY_HEADER, legacy_row, style)
}
