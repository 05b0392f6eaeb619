//! Reading and checking every row before anything is written.

use std::collections::{HashMap, HashSet};

use super::dates::parse_date_checked;
use super::headers::{self, Field};
use super::{Format, ImportError, MAX_PROBLEMS, Problem, ProblemKind};
use crate::domain::members::ListFields;
use crate::domain::text::{self, TextProblem};
use crate::domain::vocab;

/// A row that passed every check.
#[derive(Clone, Debug)]
pub struct ParsedRow {
    /// Line where the record starts.
    pub line: u64,
    /// The values (fields not in the file keep their defaults).
    pub fields: ListFields,
    /// Where the member works, when the file says: for the self-report review queue.
    pub work: Option<crate::domain::selfreport::Answers>,
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

/// Physical line numbers: where in the file a record starts, counting the header, blank lines
/// and the line breaks inside quoted fields, for LF, CRLF and lone-CR line ends alike.
///
/// The CSV reader's own line count is off by one after a CRLF (it stops at the CR, so the
/// next record's position points at the LF), so lines are counted here from byte offsets.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            pos: 0,
            line: 1,
        }
    }

    fn is_break(&self, i: usize) -> bool {
        match self.bytes.get(i) {
            Some(b'\n') => true,
            Some(b'\r') => self.bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        }
    }

    /// The line of the record whose reading began at byte `offset`: the reader skips empty
    /// lines (and the LF of a CRLF) before the record, so they are skipped here too.
    fn record_at(&mut self, offset: u64) -> u64 {
        let target = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while self.pos < target {
            if self.is_break(self.pos) {
                self.line += 1;
            }
            self.pos += 1;
        }
        while let Some(b'\r' | b'\n') = self.bytes.get(self.pos) {
            if self.is_break(self.pos) {
                self.line += 1;
            }
            self.pos += 1;
        }
        self.line
    }
}

/// Problems found so far: the first [`MAX_PROBLEMS`] kept, the rest counted.
#[derive(Default)]
struct Problems {
    kept: Vec<Problem>,
    more: u64,
}

impl Problems {
    fn push(&mut self, p: Problem) {
        if self.kept.len() < MAX_PROBLEMS {
            self.kept.push(p);
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    fn into_error(self) -> ImportError {
        ImportError {
            problems: self.kept,
            more_problems: self.more,
        }
    }
}

fn refuse(line: u64, column: Option<String>, kind: ProblemKind) -> ImportError {
    ImportError {
        problems: vec![Problem::new(line, column, kind)],
        more_problems: 0,
    }
}

/// Whether the bytes look like UTF-16: its byte-order mark, or NUL bytes in the first line
/// (UTF-16 writes ASCII letters as a letter and a NUL).
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return true;
    }
    let first_line = bytes
        .iter()
        .take(4096)
        .take_while(|b| **b != b'\n')
        .copied()
        .collect::<Vec<u8>>();
    let nuls = first_line.iter().filter(|b| **b == 0).count();
    nuls > 0 && nuls * 3 >= first_line.len()
}

/// Parses and checks a whole file. Returns the problems found (the first [`MAX_PROBLEMS`] and a
/// count of the rest), or the rows.
pub fn parse(
    bytes: &[u8],
    format: Format,
    maps: &HashMap<String, Field>,
) -> Result<ParsedFile, ImportError> {
    if looks_like_utf16(bytes) {
        return Err(refuse(1, None, ProblemKind::Utf16));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut lines = Lines::new(bytes);
    let mut problems = Problems::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();

    // Header.
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(refuse(
                1,
                None,
                ProblemKind::UnreadableHeader {
                    detail: e.to_string(),
                },
            ));
        }
        None => return Err(refuse(1, None, ProblemKind::EmptyFile)),
    };
    let header_line = header.position().map_or(1, |p| lines.record_at(p.byte()));
    let mut names = Vec::with_capacity(header.len());
    let mut columns: Vec<Field> = Vec::with_capacity(header.len());
    let mut seen: HashMap<Field, String> = HashMap::new();
    for raw in header.iter() {
        let shown = super::shown_bytes(raw);
        let Ok(text) = std::str::from_utf8(raw) else {
            problems.push(Problem::new(header_line, Some(shown), ProblemKind::NotUtf8));
            names.push(String::new());
            columns.push(Field::Ignore);
            continue;
        };
        let name = text.trim().trim_start_matches('\u{feff}');
        let shown = super::shown(name);
        let field = match headers::resolve(name, maps) {
            Some(f) => f,
            None => {
                problems.push(Problem::new(
                    header_line,
                    Some(shown.clone()),
                    ProblemKind::UnknownColumn,
                ));
                Field::Ignore
            }
        };
        if field != Field::Ignore {
            if let Some(first) = seen.get(&field) {
                problems.push(Problem::new(
                    header_line,
                    Some(shown.clone()),
                    ProblemKind::DuplicateColumn {
                        first: first.clone(),
                        field: field.name().to_owned(),
                    },
                ));
            } else {
                seen.insert(field, shown.clone());
            }
        }
        names.push(shown);
        columns.push(field);
    }
    match format {
        Format::National => {
            for f in NATIONAL_REQUIRED {
                if !seen.contains_key(f) {
                    problems.push(Problem::new(
                        header_line,
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
                problems.push(Problem::new(header_line, None, ProblemKind::NoIdColumn));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
    }

    let mut rows = Vec::new();
    let mut blank_rows = 0u64;
    let mut ak_lines: HashMap<String, u64> = HashMap::new();
    let mut last_line = header_line;
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(last_line + 1, |p| lines.record_at(p.byte()));
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
        let line = rec
            .position()
            .map_or(last_line + 1, |p| lines.record_at(p.byte()));
        last_line = line;
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
        let mut work = crate::domain::selfreport::Answers::default();
        let mut industry = String::new();
        let mut row_ok = true;
        for ((raw, field), name) in rec.iter().zip(&columns).zip(&names) {
            if *field == Field::Ignore {
                continue;
            }
            let mut problem = |kind: ProblemKind| {
                problems.push(Problem::new(line, Some(name.clone()), kind));
            };
            let value = match std::str::from_utf8(raw) {
                Ok(v) => v.trim(),
                Err(_) => {
                    problem(ProblemKind::NotUtf8);
                    row_ok = false;
                    continue;
                }
            };
            let value = match format {
                Format::Generic => super::strip_formula_guard(value),
                Format::National => value,
            };
            if let Err(p) = text::check(text::kind_of_field(field.name()), value) {
                problem(match p {
                    TextProblem::TooLong { max } => ProblemKind::TooLong { max },
                    TextProblem::ControlCharacter => ProblemKind::ControlCharacter,
                });
                row_ok = false;
                continue;
            }
            let value = value.to_owned();
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
                            value: super::shown(&value),
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
                                    value: super::shown(&value),
                                });
                                row_ok = false;
                            }
                        }
                    }
                }
                Field::Employer => work.employer = value,
                Field::WorkCity => work.city = value,
                Field::WorkCounty => work.county_fips = opt(),
                Field::WorkState => work.state = opt().map(|v| v.to_uppercase()),
                Field::Industry => industry = value,
                Field::JobTitle => work.job_title = value,
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
                        id: super::shown(ak),
                        first_line: *first,
                    },
                ));
                continue;
            }
            ak_lines.insert(ak.clone(), line);
        }
        let work = crate::domain::selfreport::imported(work, &industry, &f);
        rows.push(ParsedRow {
            line,
            fields: f,
            work,
        });
    }
    if problems.is_empty() && rows.is_empty() {
        problems.push(Problem::new(header_line, None, ProblemKind::NoRows));
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
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
