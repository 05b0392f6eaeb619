//! Mapping the national list's free text to the registry's codes.

use shopfloor_protocol::registry;

/// Membership standing from the list's `membership_status` text.
pub fn standing(status: &str) -> Option<&'static str> {
    let s = status.trim().to_ascii_lowercase();
    match s.as_str() {
        "member in good standing" | "good standing" | "in good standing" | "good-standing" => {
            Some("good-standing")
        }
        "member" | "new member" | "member - dues pending" => Some("member"),
        "lapsed" | "lapsed member" | "expired" => Some("lapsed"),
        _ => None,
    }
}

/// The union role implied by the list's `union_member` answer (very old lists use 0/1/2:
/// 0 = no, 1 = yes; 2 is ambiguous across exports and maps to unknown).
pub fn union_role_from_answer(answer: &str) -> Option<&'static str> {
    let a = answer.trim().to_ascii_lowercase();
    if a.is_empty() {
        return None;
    }
    match a.as_str() {
        "0" | "no" | "false" => return Some("none"),
        "1" | "yes" | "true" => return Some("member"),
        _ => {}
    }
    if a.contains("organizing") {
        Some("organizing")
    } else if a.contains("retired") {
        Some("retired")
    } else if a.starts_with("yes") || a.contains("current union member") {
        Some("member")
    } else if a.starts_with("no") {
        // "No, but former union member" and "No, not a union member".
        Some("none")
    } else {
        None
    }
}

/// Keyword table: (substring of the normalised union text, registry::UNIONS code). Longer and
/// more specific keywords first.
const UNION_KEYWORDS: &[(&str, &str)] = &[
    ("workers united", "wu"),
    ("unite here", "unite-here"),
    ("unitehere", "unite-here"),
    ("teamster", "ibt"),
    ("ibt", "ibt"),
    ("seiu", "seiu"),
    ("service employees", "seiu"),
    ("afscme", "afscme"),
    ("afge", "afge"),
    ("aft", "aft"),
    ("federation of teachers", "aft"),
    ("nea", "nea"),
    ("education association", "nea"),
    ("atu", "atu"),
    ("amalgamated transit", "atu"),
    ("cwa", "cwa"),
    ("communications workers", "cwa"),
    ("newsguild", "cwa"),
    ("iatse", "iatse"),
    ("ibew", "ibew"),
    ("electrical workers", "ibew"),
    ("iam", "iam"),
    ("machinists", "iam"),
    ("ilwu", "ilwu"),
    ("longshore", "ilwu"),
    ("liuna", "liuna"),
    ("laborers", "liuna"),
    ("nnu", "nnu"),
    ("national nurses", "nnu"),
    ("ufcw", "ufcw"),
    ("food and commercial", "ufcw"),
    ("uaw", "uaw"),
    ("auto workers", "uaw"),
    ("autoworkers", "uaw"),
    ("usw", "usw"),
    ("steelworkers", "usw"),
    ("ue", "ue"),
    ("electrical, radio", "ue"),
    ("independent", "independent"),
];

/// The registry union code for a member, from their union role and the list's union text.
///
/// Not in a union (role none/organizing) gives `none`; a union member whose union text matches a
/// keyword gets that code; one with text that matches nothing gets `other`; a union member with
/// no text, or an unknown role, gives `None` (reported as `unknown`).
pub fn union_code(role: Option<&str>, union_name: &str, union_local: &str) -> Option<&'static str> {
    match role {
        Some("none") | Some("organizing") => return Some("none"),
        None => {}
        Some(_) => {}
    }
    let text = format!("{union_name} {union_local}").to_lowercase();
    let words: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ',' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let padded = format!(
        " {} ",
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    if padded.trim().is_empty() {
        return None;
    }
    for (kw, code) in UNION_KEYWORDS {
        // Short abbreviations must match whole words ("nea" is not in "linear").
        let hit = if kw.len() <= 5 && !kw.contains(' ') {
            padded.contains(&format!(" {kw} "))
        } else {
            padded.contains(kw)
        };
        if hit {
            return Some(code);
        }
    }
    if role.is_some() { Some("other") } else { None }
}

/// Normalises a language given as an ISO 639 code or a common English/Spanish name.
pub fn language_code(text: &str) -> Option<String> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    for lang in registry::LANGUAGES {
        if t == lang.code || t == lang.en.to_lowercase() || t == lang.es.to_lowercase() {
            return Some(lang.code.to_owned());
        }
    }
    let alias = match t.as_str() {
        "español" | "espanol" | "castellano" => Some("es"),
        "mandarin" | "cantonese" => Some("zh"),
        "kreyòl" | "kreyol" | "creole" => Some("ht"),
        _ => None,
    };
    if let Some(a) = alias {
        return Some(a.to_owned());
    }
    if (2..=3).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_lowercase()) {
        return Some(t);
    }
    None
}

/// Parses a comma-separated list of languages into sorted, de-duplicated codes.
pub fn language_list(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let code = language_code(part).ok_or_else(|| format!("unknown language {part:?}"))?;
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out.sort();
    Ok(out)
}

/// Whether `code` is a registry sector code.
pub fn is_sector(code: &str) -> bool {
    registry::SECTORS.iter().any(|t| t.code == code)
}

/// Whether `code` is a USPS state code.
pub fn is_state(code: &str) -> bool {
    registry::state(code).is_some()
}

/// Whether `code` is a union role.
pub fn is_union_role(code: &str) -> bool {
    registry::UNION_STATUSES.iter().any(|t| t.code == code)
}

/// Whether `code` is a registry union code.
pub fn is_union(code: &str) -> bool {
    registry::UNIONS.iter().any(|t| t.code == code)
}

/// Whether `code` is an organizing skill.
pub fn is_skill(code: &str) -> bool {
    registry::SKILLS.iter().any(|t| t.code == code)
}

/// The current time as RFC 3339 UTC text.
pub fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_or_else(|_| jiff::Timestamp::now().to_string(), |t| t.to_string())
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_answers() {
        assert_eq!(
            union_role_from_answer("Yes, current union member"),
            Some("member")
        );
        assert_eq!(
            union_role_from_answer("Yes, retired union member"),
            Some("retired")
        );
        assert_eq!(
            union_role_from_answer("No, but former union member"),
            Some("none")
        );
        assert_eq!(
            union_role_from_answer("No, not a union member"),
            Some("none")
        );
        assert_eq!(
            union_role_from_answer("Currently organizing my workplace"),
            Some("organizing")
        );
        assert_eq!(union_role_from_answer("1"), Some("member"));
        assert_eq!(union_role_from_answer("0"), Some("none"));
        assert_eq!(union_role_from_answer(""), None);
        assert_eq!(union_role_from_answer("2"), None);
    }

    #[test]
    fn union_keywords() {
        assert_eq!(
            union_code(Some("member"), "SEIU Local 1199", ""),
            Some("seiu")
        );
        assert_eq!(union_code(Some("member"), "", "UFCW 3000"), Some("ufcw"));
        assert_eq!(
            union_code(Some("steward"), "Teamsters", "Local 79"),
            Some("ibt")
        );
        assert_eq!(
            union_code(Some("member"), "Linear Guild", ""),
            Some("other")
        );
        assert_eq!(union_code(Some("member"), "", ""), None);
        assert_eq!(union_code(Some("none"), "SEIU", ""), Some("none"));
        assert_eq!(union_code(None, "NewsGuild-CWA", ""), Some("cwa"));
        assert_eq!(union_code(None, "", ""), None);
    }

    #[test]
    fn languages() {
        assert_eq!(language_code("Spanish").as_deref(), Some("es"));
        assert_eq!(language_code("Español").as_deref(), Some("es"));
        assert_eq!(language_code("vi").as_deref(), Some("vi"));
        assert_eq!(language_code("Klingon"), None);
        assert_eq!(language_list("es, en,es").unwrap(), vec!["en", "es"]);
    }

    #[test]
    fn standings() {
        assert_eq!(standing("Member in Good Standing"), Some("good-standing"));
        assert_eq!(standing(" member "), Some("member"));
        assert_eq!(standing("Lapsed"), Some("lapsed"));
        assert_eq!(standing("???"), None);
    }
}
