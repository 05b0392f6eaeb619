//! Limits on the free text the node accepts, one table for every way text comes in: the import
//! (each column of a membership list), the HTML forms and the JSON API (each field by name).
//!
//! Two rules: a field holds at most its kind's number of characters, and no control characters
//! (NUL, escape, ...). Tab and line breaks are allowed only in the multi-line kinds (notes,
//! descriptions, a union local that national writes on two lines).

use std::fmt;

/// A kind of text field and what it may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    /// A person's or an employer's name, a title: 200 characters, one line.
    Name,
    /// An email address: 254 characters (RFC 5321's limit), one line.
    Email,
    /// A phone number: 40 characters, one line.
    Phone,
    /// An id, code, date, status or other short value: 100 characters, one line.
    Code,
    /// Other one-line text (a city, a search): 200 characters.
    Line,
    /// Short free text on a few lines (a union local, availability): 500 characters.
    Short,
    /// A note on a workplace's stage: 2,000 characters, several lines.
    Note,
    /// A description or message: 5,000 characters, several lines.
    Long,
}

impl TextKind {
    /// The most characters (not bytes) a value may have.
    pub fn max_chars(self) -> usize {
        match self {
            TextKind::Name | TextKind::Line => 200,
            TextKind::Email => 254,
            TextKind::Phone => 40,
            TextKind::Code => 100,
            TextKind::Short => 500,
            TextKind::Note => 2_000,
            TextKind::Long => 5_000,
        }
    }

    /// Whether tab, CR and LF are allowed.
    pub fn multi_line(self) -> bool {
        matches!(self, TextKind::Short | TextKind::Note | TextKind::Long)
    }
}

/// Why a value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextProblem {
    /// Longer than the kind allows.
    TooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// Holds a control character the kind does not allow.
    ControlCharacter,
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextProblem::TooLong { max } => write!(f, "longer than {max} characters"),
            TextProblem::ControlCharacter => {
                f.write_str("holds a control character (such as NUL); remove it")
            }
        }
    }
}

/// Checks one value against its kind. Length is counted in characters, and counting stops one
/// past the limit, so a huge value costs no more than a short one.
pub fn check(kind: TextKind, value: &str) -> Result<(), TextProblem> {
    let max = kind.max_chars();
    if value.len() > max && value.chars().nth(max).is_some() {
        return Err(TextProblem::TooLong { max });
    }
    let allowed = |c: char| kind.multi_line() && matches!(c, '\t' | '\r' | '\n');
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(TextProblem::ControlCharacter);
    }
    Ok(())
}

/// The kind of a form or JSON field, by its name. Names not listed are treated as long free
/// text (5,000 characters, several lines): every field has a bound, and none is refused for
/// being a description it did not expect.
pub fn kind_of_field(name: &str) -> TextKind {
    match name {
        "first_name" | "middle_name" | "last_name" | "name" | "employer" | "title" | "title_en"
        | "title_es" | "job_title" | "username" | "rep_union" | "union_name" | "chapter"
        | "site" | "pod" | "workplace" => TextKind::Name,
        "email" | "reply_to" => TextKind::Email,
        "phone" | "mobile_phone" | "home_phone" | "work_phone" | "best_phone" => TextKind::Phone,
        "city"
        | "q"
        | "search"
        | "next"
        | "hub_url"
        | "membership_status"
        | "membership_type"
        | "monthly_dues_status"
        | "yearly_dues_status"
        | "union_member"
        | "languages"
        | "preferred_language"
        | "skills" => TextKind::Line,
        "union_local" | "rep_local" | "availability" => TextKind::Short,
        "note" => TextKind::Note,
        "csrf" | "token" | "code" | "actionkit_id" | "state" | "zip" | "sector" | "naics_code"
        | "county_fips" | "stage" | "status" | "kind" | "role" | "union_role" | "union_code"
        | "language" | "lang" | "skill" | "period" | "approval" | "representation" | "since"
        | "date" | "started_on" | "ended_on" | "join_date" | "xdate" | "standing"
        | "list_status" | "format" | "on" | "page" | "per_page" | "metric" | "do_not_call"
        | "p2ptext_optout" => TextKind::Code,
        _ => TextKind::Long,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limits_count_characters_and_refuse_controls() {
        assert_eq!(check(TextKind::Name, &"é".repeat(200)), Ok(()));
        assert_eq!(
            check(TextKind::Name, &"é".repeat(201)),
            Err(TextProblem::TooLong { max: 200 })
        );
        assert_eq!(
            check(TextKind::Name, "Ana\0"),
            Err(TextProblem::ControlCharacter)
        );
        assert_eq!(
            check(TextKind::Email, "a@b.org\n"),
            Err(TextProblem::ControlCharacter)
        );
        assert_eq!(check(TextKind::Short, "Local 391\r\nWarehouse"), Ok(()));
        assert_eq!(
            check(TextKind::Long, "note\u{1b}[2J"),
            Err(TextProblem::ControlCharacter)
        );
        assert_eq!(kind_of_field("first_name"), TextKind::Name);
        assert_eq!(kind_of_field("something_new"), TextKind::Long);
    }
}
