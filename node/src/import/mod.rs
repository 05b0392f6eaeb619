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

/// One thing wrong with the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line in the file where the record starts (the header is line 1).
    pub line: u64,
    /// The column's header as written, when the problem is in one column.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
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
            None => problems.push(Problem {
                line: 1,
                column: Some(col.clone()),
                message: format!(
                    "--map target {field:?} is not a field (one of: {})",
                    headers::FIELD_NAMES
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
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
