//! Importing national's membership list (and other member CSVs).
//!
//! The import is all or nothing: every row is parsed and checked first, and every problem is
//! collected with its line and column; if there is any, nothing is written. Otherwise the rows
//! are applied in one transaction. Members are matched by `actionkit_id`, then by email
//! (case-insensitive); members absent from a newer national list are marked `missing`, never
//! deleted.

mod apply;
pub mod dates;
pub mod headers;
mod parse;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

pub use headers::Field;
pub use parse::{ParsedFile, ParsedRow, parse};

use crate::error::{Error, Result};
use crate::store::Store;

/// Which kind of CSV.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// National's list, either header style; a complete list, so absent members are marked.
    #[default]
    National,
    /// Any other member CSV: columns named like the fields or mapped with `--map`; a partial
    /// list, so nobody is marked missing.
    Generic,
}

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Format.
    pub format: Format,
    /// `COL=field` mappings (COL compared after normalisation; field from
    /// [`headers::FIELD_NAMES`], or `ignore`).
    pub maps: Vec<(String, String)>,
    /// Compute the summary, write nothing.
    pub dry_run: bool,
}

/// What an import did (or, for a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// National or generic.
    pub format: Format,
    /// True when nothing was written.
    pub dry_run: bool,
    /// Data rows read (blank rows excluded).
    pub rows_read: u64,
    /// Rows of empty fields skipped (wholly empty lines are skipped without counting).
    pub blank_rows: u64,
    /// New members.
    pub created: u64,
    /// Existing members whose fields changed (or who came back onto the list).
    pub updated: u64,
    /// Existing members with nothing new.
    pub unchanged: u64,
    /// Of the updated, members who had been missing and are on this list again.
    pub returned: u64,
    /// Members present before and absent from this national list, now marked missing.
    pub marked_missing: u64,
    /// Members whose status became Lapsed with this list.
    pub newly_lapsed: u64,
    /// Rows on this list with status Lapsed.
    pub lapsed_in_list: u64,
}

/// What is wrong, machine-readable: one variant per kind of problem, with its particulars.
/// [`ProblemKind::message`] gives the English sentence; the web pages translate the kind.
/// Serialized as its stable kebab-case [`code`](ProblemKind::code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A `--map` target that is not a field.
    UnknownMapTarget {
        /// The target as written.
        target: String,
    },
    /// The header line could not be read.
    UnreadableHeader {
        /// The CSV reader's explanation (English).
        detail: String,
    },
    /// The file has no lines.
    EmptyFile,
    /// A column whose header is not known and not mapped (the column is the problem's).
    UnknownColumn,
    /// Two columns fill the same field (the problem's column is the second).
    DuplicateColumn {
        /// The header of the first column that fills it.
        first: String,
        /// The field's name.
        field: String,
    },
    /// A national list lacks a required column.
    MissingColumn {
        /// The field's name.
        field: String,
    },
    /// A generic list has neither an `actionkit_id` nor an `email` column.
    NoIdColumn,
    /// A record could not be read as CSV.
    UnreadableCsv {
        /// The CSV reader's explanation (English).
        detail: String,
    },
    /// A row with the wrong number of fields.
    WrongColumnCount {
        /// Columns in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A field that is not UTF-8.
    NotUtf8,
    /// A yes/no field with another value.
    NotBoolean {
        /// The value as written.
        value: String,
    },
    /// A date in no format we read.
    NotADate {
        /// The value as written.
        value: String,
    },
    /// A date with a two-digit year.
    TwoDigitYear {
        /// The value as written.
        value: String,
    },
    /// A date that does not exist.
    NotARealDate {
        /// The value as written.
        value: String,
    },
    /// A date whose year is out of range.
    YearOutOfRange {
        /// The value as written.
        value: String,
    },
    /// A language that is neither a name nor an ISO 639 code.
    NotALanguage {
        /// The value as written.
        value: String,
    },
    /// A row with neither an `actionkit_id` nor an email.
    NoIdOrEmail,
    /// An `actionkit_id` already on an earlier line.
    DuplicateActionkitId {
        /// The id.
        id: String,
        /// The line where it first appears.
        first_line: u64,
    },
}

impl ProblemKind {
    /// A stable kebab-case code, for programs.
    pub fn code(&self) -> &'static str {
        match self {
            ProblemKind::UnknownMapTarget { .. } => "unknown-map-target",
            ProblemKind::UnreadableHeader { .. } => "unreadable-header",
            ProblemKind::EmptyFile => "empty-file",
            ProblemKind::UnknownColumn => "unknown-column",
            ProblemKind::DuplicateColumn { .. } => "duplicate-column",
            ProblemKind::MissingColumn { .. } => "missing-column",
            ProblemKind::NoIdColumn => "no-id-column",
            ProblemKind::UnreadableCsv { .. } => "unreadable-csv",
            ProblemKind::WrongColumnCount { .. } => "wrong-column-count",
            ProblemKind::NotUtf8 => "not-utf8",
            ProblemKind::NotBoolean { .. } => "not-boolean",
            ProblemKind::NotADate { .. } => "not-a-date",
            ProblemKind::TwoDigitYear { .. } => "two-digit-year",
            ProblemKind::NotARealDate { .. } => "not-a-real-date",
            ProblemKind::YearOutOfRange { .. } => "year-out-of-range",
            ProblemKind::NotALanguage { .. } => "not-a-language",
            ProblemKind::NoIdOrEmail => "no-id-or-email",
            ProblemKind::DuplicateActionkitId { .. } => "duplicate-actionkit-id",
        }
    }

    /// The English sentence (what the CLI prints).
    pub fn message(&self) -> String {
        match self {
            ProblemKind::UnknownMapTarget { target } => format!(
                "--map target {target:?} is not a field (one of: {})",
                headers::FIELD_NAMES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ProblemKind::UnreadableHeader { detail } => format!("unreadable header: {detail}"),
            ProblemKind::EmptyFile => "the file is empty".into(),
            ProblemKind::UnknownColumn => {
                "unknown column; map it with --map COLUMN=field or --map COLUMN=ignore".into()
            }
            ProblemKind::DuplicateColumn { first, field } => {
                format!("column {first:?} already fills {field}")
            }
            ProblemKind::MissingColumn { field } => format!("required column {field} is missing"),
            ProblemKind::NoIdColumn => "a column for actionkit_id or email is required".into(),
            ProblemKind::UnreadableCsv { detail } => format!("unreadable CSV: {detail}"),
            ProblemKind::WrongColumnCount { expected, found } => {
                format!("expected {expected} columns, found {found}")
            }
            ProblemKind::NotUtf8 => "not valid UTF-8 (save the file as UTF-8)".into(),
            ProblemKind::NotBoolean { value } => format!("{value:?} is not true/false"),
            ProblemKind::NotADate { value } => {
                dates::DateError::NotADate(value.clone()).to_string()
            }
            ProblemKind::TwoDigitYear { value } => {
                dates::DateError::TwoDigitYear(value.clone()).to_string()
            }
            ProblemKind::NotARealDate { value } => {
                dates::DateError::NotReal(value.clone()).to_string()
            }
            ProblemKind::YearOutOfRange { value } => {
                dates::DateError::YearOutOfRange(value.clone()).to_string()
            }
            ProblemKind::NotALanguage { value } => {
                format!("{value:?} is not a language name or ISO 639 code")
            }
            ProblemKind::NoIdOrEmail => "the row has neither an actionkit_id nor an email".into(),
            ProblemKind::DuplicateActionkitId { id, first_line } => {
                format!("actionkit_id {id} already appears on line {first_line}")
            }
        }
    }
}

impl From<dates::DateError> for ProblemKind {
    fn from(e: dates::DateError) -> Self {
        match e {
            dates::DateError::NotADate(value) => ProblemKind::NotADate { value },
            dates::DateError::TwoDigitYear(value) => ProblemKind::TwoDigitYear { value },
            dates::DateError::NotReal(value) => ProblemKind::NotARealDate { value },
            dates::DateError::YearOutOfRange(value) => ProblemKind::YearOutOfRange { value },
        }
    }
}

impl Serialize for ProblemKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// One thing wrong with the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line in the file where the record starts (the header is line 1).
    pub line: u64,
    /// The column's header as written, when the problem is in one column.
    pub column: Option<String>,
    /// What is wrong, in English.
    pub message: String,
    /// What is wrong, machine-readable (serialized as a kebab-case code).
    pub kind: ProblemKind,
}

impl Problem {
    /// A problem of this kind; the message is the kind's English sentence.
    pub fn new(line: u64, column: Option<String>, kind: ProblemKind) -> Self {
        Problem {
            line,
            column,
            message: kind.message(),
            kind,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// The import was refused; the database is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportError {
    /// Every problem found.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "import refused, nothing was changed: {} problem{}",
            self.problems.len(),
            if self.problems.len() == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// Parses `--map` pairs into normalised header → field.
pub fn parse_maps(
    maps: &[(String, String)],
) -> std::result::Result<HashMap<String, Field>, ImportError> {
    let mut out = HashMap::new();
    let mut problems = Vec::new();
    for (col, field) in maps {
        match headers::field_by_name(field) {
            Some(f) => {
                out.insert(headers::normalize(col), f);
            }
            None => problems.push(Problem::new(
                1,
                Some(col.clone()),
                ProblemKind::UnknownMapTarget {
                    target: field.clone(),
                },
            )),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ImportError { problems })
    }
}

/// Imports CSV bytes into the store. On any problem returns [`Error::Import`] and writes nothing.
pub fn import_bytes(
    store: &Store,
    bytes: &[u8],
    opts: &ImportOptions,
    actor: &str,
) -> Result<ImportSummary> {
    let maps = parse_maps(&opts.maps)?;
    let parsed = parse(bytes, opts.format, &maps)?;
    let run = |tx: &rusqlite::Transaction<'_>| -> Result<ImportSummary> {
        let mut summary = apply::apply(tx, &parsed, opts.format)?;
        summary.dry_run = opts.dry_run;
        if !opts.dry_run {
            crate::domain::audit::record(
                tx,
                actor,
                "import",
                match opts.format {
                    Format::National => "national list",
                    Format::Generic => "generic csv",
                },
                &serde_json::to_string(&summary).unwrap_or_default(),
            )?;
        }
        Ok(summary)
    };
    if opts.dry_run {
        store.write_rolled_back(run)
    } else {
        store.write(run)
    }
}

/// Imports a CSV file.
pub fn import_file(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    actor: &str,
) -> Result<ImportSummary> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    import_bytes(store, &bytes, opts, actor)
}
