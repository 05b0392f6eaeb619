//! Reading and checking every row before anything is written.

use std::collections::{HashMap, HashSet};

use super::dates::parse_date_checked;
use super::headers::{self, Field};
use super::{Format, ImportError, Problem, ProblemKind};
use crate::domain::members::ListFields;
use crate::domain::vocab;

/// A row that passed every check.
#[derive(Clone, Debug)]
pub struct ParsedRow {
    /// Line where the record starts.
    pub line: u64,
    /// The values (fields not in the file keep their defaults).
    pub fields: ListFields,
}

/// A file that passed every check.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    /// Fields the file has columns for.
    pub present: Vec<Field>,
    /// Data rows.
    pub rows: Vec<ParsedRow>,
    /// Blank rows skipped.
    pub blank_rows: u64,
}

const NATIONAL_REQUIRED: &[Field] = &[
    Field::ActionkitId,
    Field::FirstName,
    Field::LastName,
    Field::Email,
    Field::MembershipStatus,
];

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "f" | "no" | "n" | "0" => Some(false),
        "true" | "t" | "yes" | "y" | "1" | "x" => Some(true),
        _ => None,
    }
}

/// Parses and checks a whole file. Returns every problem found, or the rows.
pub fn parse(
    bytes: &[u8],
    format: Format,
    maps: &HashMap<String, Field>,
) -> Result<ParsedFile, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();

    // Header.
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(ImportError {
                problems: vec![Problem::new(
                    1,
                    None,
                    ProblemKind::UnreadableHeader {
                        detail: e.to_string(),
                    },
                )],
            });
        }
        None => {
            return Err(ImportError {
                problems: vec![Problem::new(1, None, ProblemKind::EmptyFile)],
            });
        }
    };
    let mut names = Vec::with_capacity(header.len());
    let mut columns: Vec<Field> = Vec::with_capacity(header.len());
    let mut seen: HashMap<Field, String> = HashMap::new();
    for raw in header.iter() {
        let name = String::from_utf8_lossy(raw)
            .trim()
            .trim_start_matches('\u{feff}')
            .to_owned();
        let field = match headers::resolve(&name, maps) {
            Some(f) => f,
            None => {
                problems.push(Problem::new(
                    1,
                    Some(name.clone()),
                    ProblemKind::UnknownColumn,
                ));
                Field::Ignore
            }
        };
        if field != Field::Ignore {
            if let Some(first) = seen.get(&field) {
                problems.push(Problem::new(
                    1,
                    Some(name.clone()),
                    ProblemKind::DuplicateColumn {
                        first: first.clone(),
                        field: field.name().to_owned(),
                    },
                ));
            } else {
                seen.insert(field, name.clone());
            }
        }
        names.push(name);
        columns.push(field);
    }
    match format {
        Format::National => {
            for f in NATIONAL_REQUIRED {
                if !seen.contains_key(f) {
                    problems.push(Problem::new(
                        1,
                        None,
                        ProblemKind::MissingColumn {
                            field: f.name().to_owned(),
                        },
                    ));
                }
            }
        }
        Format::Generic => {
            if !seen.contains_key(&Field::ActionkitId) && !seen.contains_key(&Field::Email) {
                problems.push(Problem::new(1, None, ProblemKind::NoIdColumn));
            }
        }
    }
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }

    let mut rows = Vec::new();
    let mut blank_rows = 0u64;
    let mut ak_lines: HashMap<String, u64> = HashMap::new();
    let mut line_guess = 1u64;
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(line_guess + 1, |p| p.line());
                problems.push(Problem::new(
                    line,
                    None,
                    ProblemKind::UnreadableCsv {
                        detail: e.to_string(),
                    },
                ));
                continue;
            }
        };
        let line = rec.position().map_or(line_guess + 1, |p| p.line());
        line_guess = line;
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            blank_rows += 1;
            continue;
        }
        if rec.len() != columns.len() {
            problems.push(Problem::new(
                line,
                None,
                ProblemKind::WrongColumnCount {
                    expected: columns.len(),
                    found: rec.len(),
                },
            ));
            continue;
        }
        let mut f = ListFields::default();
        let mut row_ok = true;
        for ((raw, field), name) in rec.iter().zip(&columns).zip(&names) {
            if *field == Field::Ignore {
                continue;
            }
            let mut problem = |kind: ProblemKind| {
                problems.push(Problem::new(line, Some(name.clone()), kind));
            };
            let value = match std::str::from_utf8(raw) {
                Ok(v) => v.trim().to_owned(),
                Err(_) => {
                    problem(ProblemKind::NotUtf8);
                    row_ok = false;
                    continue;
                }
            };
            let opt = || {
                if value.is_empty() {
                    None
                } else {
                    Some(value.clone())
                }
            };
            match field {
                Field::ActionkitId => f.actionkit_id = opt(),
                Field::FirstName => f.first_name = value,
                Field::MiddleName => f.middle_name = value,
                Field::LastName => f.last_name = value,
                Field::Email => f.email = opt(),
                Field::MobilePhone => f.mobile_phone = value,
                Field::HomePhone => f.home_phone = value,
                Field::WorkPhone => f.work_phone = value,
                Field::BestPhone => f.best_phone = value,
                Field::DoNotCall | Field::P2pTextOptout => match parse_bool(&value) {
                    Some(b) if *field == Field::DoNotCall => f.do_not_call = b,
                    Some(b) => f.p2ptext_optout = b,
                    None => {
                        problem(ProblemKind::NotBoolean {
                            value: value.clone(),
                        });
                        row_ok = false;
                    }
                },
                Field::JoinDate | Field::Xdate => {
                    let parsed = if value.is_empty() {
                        Ok(None)
                    } else {
                        parse_date_checked(&value).map(Some)
                    };
                    match parsed {
                        Ok(d) if *field == Field::JoinDate => f.join_date = d,
                        Ok(d) => f.xdate = d,
                        Err(e) => {
                            problem(e.into());
                            row_ok = false;
                        }
                    }
                }
                Field::MembershipStatus => f.membership_status = value,
                Field::MembershipType => f.membership_type = value,
                Field::MonthlyDuesStatus => f.monthly_dues_status = value,
                Field::YearlyDuesStatus => f.yearly_dues_status = value,
                Field::UnionMember => f.union_member = value,
                Field::UnionName => f.union_name = value,
                Field::UnionLocal => f.union_local = value,
                Field::City => f.city = value,
                Field::State => f.state = value,
                Field::Zip => f.zip = value,
                Field::PreferredLanguage => {
                    if value.is_empty() {
                        f.preferred_language = None;
                    } else {
                        match vocab::language_code(&value) {
                            Some(code) => f.preferred_language = Some(code),
                            None => {
                                problem(ProblemKind::NotALanguage {
                                    value: value.clone(),
                                });
                                row_ok = false;
                            }
                        }
                    }
                }
                Field::Ignore => {}
            }
        }
        if !row_ok {
            continue;
        }
        if f.actionkit_id.is_none() && f.email.is_none() {
            problems.push(Problem::new(line, None, ProblemKind::NoIdOrEmail));
            continue;
        }
        if let Some(ak) = &f.actionkit_id {
            if let Some(first) = ak_lines.get(ak) {
                problems.push(Problem::new(
                    line,
                    seen.get(&Field::ActionkitId).cloned(),
                    ProblemKind::DuplicateActionkitId {
                        id: ak.clone(),
                        first_line: *first,
                    },
                ));
                continue;
            }
            ak_lines.insert(ak.clone(), line);
        }
        rows.push(ParsedRow { line, fields: f });
    }
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }
    let present: HashSet<Field> = seen.into_keys().collect();
    let mut present: Vec<Field> = present.into_iter().collect();
    present.sort_by_key(|f| f.name());
    Ok(ParsedFile {
        present,
        rows,
        blank_rows,
    })
}
