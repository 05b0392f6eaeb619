//! What is wrong with an imported list: [`ImportError`] and its [`Problem`]s, each with a
//! machine-readable [`ProblemKind`]. Plain data below the import code (`crate::import`, which
//! re-exports them and adds [`ProblemKind::message`] and [`Problem::new`]), so that
//! `crate::Error` can carry an import refusal without depending on the importer.

use std::fmt;

use serde::Serialize;

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
    /// The file is UTF-16 (or binary), not UTF-8 text.
    Utf16,
    /// A header and no member rows.
    NoRows,
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
    /// A field longer than its kind allows (`crate::domain::text`).
    TooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// A field holding a control character (NUL, escape, ...; line breaks outside the few
    /// multi-line fields).
    ControlCharacter,
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
            ProblemKind::Utf16 => "utf16",
            ProblemKind::NoRows => "no-rows",
            ProblemKind::UnknownColumn => "unknown-column",
            ProblemKind::DuplicateColumn { .. } => "duplicate-column",
            ProblemKind::MissingColumn { .. } => "missing-column",
            ProblemKind::NoIdColumn => "no-id-column",
            ProblemKind::UnreadableCsv { .. } => "unreadable-csv",
            ProblemKind::WrongColumnCount { .. } => "wrong-column-count",
            ProblemKind::NotUtf8 => "not-utf8",
            ProblemKind::TooLong { .. } => "too-long",
            ProblemKind::ControlCharacter => "control-character",
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
    /// The first problems found (at most the importer's `MAX_PROBLEMS`).
    pub problems: Vec<Problem>,
    /// How many more problems were found and not listed.
    pub more_problems: u64,
}

impl ImportError {
    /// How many problems were found in all.
    pub fn total(&self) -> u64 {
        u64::try_from(self.problems.len())
            .unwrap_or(u64::MAX)
            .saturating_add(self.more_problems)
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total();
        write!(
            f,
            "import refused, nothing was changed: {total} problem{}",
            if total == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        if self.more_problems > 0 {
            write!(
                f,
                "\n  ... and {} more (the first {} are listed)",
                self.more_problems,
                self.problems.len()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}
