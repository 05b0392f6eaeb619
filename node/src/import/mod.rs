//! Importing national's membership list (and other member CSVs).
//!
//! The import is all or nothing: every row is parsed and checked first, and every problem is
//! collected with its line and column; if there is any, nothing is written. Otherwise the rows
//! are applied in one transaction. Members are matched by `actionkit_id`, then by email
//! (case-insensitive); members absent from a newer national list are marked `missing`, never
//! deleted.
//!
//! Problems name the **physical line** where the record starts (the header is line 1; blank
//! lines and line breaks inside quoted fields count), for LF and CRLF files alike. At most
//! [`MAX_PROBLEMS`] are listed, with a count of the rest. A national list that would mark more
//! than [`MISSING_CONFIRM_PERCENT`]% of present members missing (and more than
//! [`MISSING_CONFIRM_MIN`]) is imported only with [`ImportOptions::confirm_missing`].

mod apply;
mod bulk;
pub mod dates;
pub mod headers;
mod parse;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

pub use headers::Field;
pub use parse::{ParsedFile, ParsedRow, parse};

pub use crate::error::import_problem::{ImportError, Problem, ProblemKind};
use crate::error::{Error, Result};
use crate::store::Store;

/// Problems listed at most; the rest are counted ([`ImportError::more_problems`]).
pub const MAX_PROBLEMS: usize = 50;

/// A national list that would mark more than this share (percent) of the members present
/// missing needs [`ImportOptions::confirm_missing`]...
pub const MISSING_CONFIRM_PERCENT: u64 = 20;

/// ...and more than this many members: a small chapter losing a few members needs no
/// confirmation.
pub const MISSING_CONFIRM_MIN: u64 = 5;

/// A list that marks more than this share (percent) of the members present missing (and more
/// than [`MISSING_CONFIRM_MIN`]) is shown with a warning, in the dry run and in the result: it
/// is rarely what a chapter expects from a month's list, even below the confirmation threshold.
pub const MISSING_WARN_PERCENT: u64 = 10;

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
    /// Import even though the list marks many members missing (see [`MISSING_CONFIRM_PERCENT`]).
    pub confirm_missing: bool,
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
    /// Members present on the list before this import.
    pub present_before: u64,
    /// The import marks so many members missing that it needs confirmation
    /// ([`ImportOptions::confirm_missing`]); a dry run says so, a real import without it is
    /// refused with [`Error::ImportUnconfirmed`].
    pub needs_confirmation: bool,
    /// Rows whose workplace columns (employer, work_city, work_county, work_state, industry,
    /// job_title) went to the self-report review queue.
    #[serde(default)]
    pub self_reports: u64,
}

impl ImportSummary {
    /// Whether this list marks a large share of the members missing (more than
    /// [`MISSING_WARN_PERCENT`]% of those present before, and more than [`MISSING_CONFIRM_MIN`]),
    /// so that the pages warn about it.
    pub fn missing_is_large(&self) -> bool {
        self.marked_missing > MISSING_CONFIRM_MIN
            && self.marked_missing.saturating_mul(100)
                > self.present_before.saturating_mul(MISSING_WARN_PERCENT)
    }

    /// Whether marking `marked_missing` of `present_before` members missing needs confirmation.
    pub fn missing_needs_confirmation(marked_missing: u64, present_before: u64) -> bool {
        marked_missing > MISSING_CONFIRM_MIN
            && marked_missing.saturating_mul(100)
                > present_before.saturating_mul(MISSING_CONFIRM_PERCENT)
    }
}

impl ProblemKind {
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
            ProblemKind::Utf16 => "the file is UTF-16 or binary, not UTF-8 text (save it as \
                                   \"CSV UTF-8\")"
                .into(),
            ProblemKind::NoRows => "the list has no member rows".into(),
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
            ProblemKind::TooLong { max } => format!("longer than {max} characters"),
            ProblemKind::ControlCharacter => {
                "holds a control character (such as NUL or a line break); remove it".into()
            }
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

/// How a value from the file is shown in a problem: control characters, invisible format
/// characters (bidi overrides, zero-width) and bytes that are not UTF-8 escaped, and at most 80
/// characters. A file's bytes are never echoed raw to a terminal, a page or JSON.
pub fn shown(value: &str) -> String {
    shown_bytes(value.as_bytes())
}

/// [`shown`] for bytes that may not be UTF-8 (invalid bytes as `\xNN`).
pub fn shown_bytes(raw: &[u8]) -> String {
    const MAX: usize = 80;
    let mut out = String::new();
    let mut n = 0usize;
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            if n == MAX {
                out.push('…');
                return out;
            }
            let invisible = matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}' | '\u{feff}');
            if c.is_control() || invisible {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
            n += 1;
        }
        for b in chunk.invalid() {
            if n == MAX {
                out.push('…');
                return out;
            }
            out.push_str(&format!("\\x{b:02X}"));
            n += 1;
        }
    }
    out
}

/// Undoes [`crate::export::neutralize_formula`] when the node re-imports its own export (generic format): the
/// one leading quote is removed only where the export adds it, before a formula character.
/// National lists never carry the quote, so they are read as written.
pub fn strip_formula_guard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(crate::export::FORMULA_STARTS) => rest,
        _ => cell,
    }
}

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
        Err(ImportError {
            problems,
            more_problems: 0,
        })
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
        summary.needs_confirmation = ImportSummary::missing_needs_confirmation(
            summary.marked_missing,
            summary.present_before,
        );
        if summary.needs_confirmation && !opts.confirm_missing && !opts.dry_run {
            // Returning an error rolls the transaction back: nothing is written.
            return Err(Error::ImportUnconfirmed {
                marked_missing: summary.marked_missing,
                present_before: summary.present_before,
            });
        }
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
