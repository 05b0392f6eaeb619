//! The web import's column mapping: what the CLI's `--map COLUMN=field` does, as a form.
//!
//! When a list has columns the import does not recognize ("Shirt size"), the page keeps the
//! upload in memory (as for a dry run) and offers, for each such column, a choice of the member
//! fields it can fill or "ignore it". The choices are `--map` pairs ([`crate::import::parse_maps`]
//! checks them); the dry run is made again with them, and the confirmation imports with them.
//! A mapping that still leaves problems is offered again with the columns already mapped, so a
//! wrong choice can be changed without uploading the file again.

use super::i18n::Lang;
use super::view::Choice;
use crate::import::headers::FIELD_NAMES;
use crate::import::{ImportError, ProblemKind};
use crate::web::AppError;
use crate::web::ui::i18n::LangExt as _;

/// A list with more unknown columns than this is not offered a mapping (it is most likely
/// not a member list at all); its problems are listed as usual.
pub const MAX_COLUMNS: usize = 40;

/// What a column can be mapped to besides a field.
pub const IGNORE: &str = "ignore";

/// One column to map, with its choices.
#[derive(Debug)]
pub struct MapRow {
    /// The column's header as written in the file (escaped like every value shown).
    pub column: String,
    /// "Choose", each member field, and "ignore this column"; the current choice selected.
    pub options: Vec<Choice>,
}

/// The catalogue id of a field's label (`first_name` → `ui-import-field-first-name`).
fn field_id(name: &str) -> String {
    format!("ui-import-field-{}", name.replace('_', "-"))
}

/// Every catalogue id this module builds (the catalogue test checks they exist).
pub fn dynamic_ids() -> Vec<String> {
    FIELD_NAMES.iter().map(|(name, _)| field_id(name)).collect()
}

/// The choices for one column, `current` selected (empty: nothing chosen yet).
fn options(lang: Lang, current: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: lang.t("ui-import-map-choose"),
        selected: current.is_empty(),
    }];
    out.extend(
        FIELD_NAMES
            .iter()
            .filter(|(name, _)| *name != IGNORE)
            .map(|(name, _)| Choice {
                value: (*name).to_owned(),
                label: lang.t(&field_id(name)),
                selected: *name == current,
            }),
    );
    out.push(Choice {
        value: IGNORE.to_owned(),
        label: lang.t("ui-import-field-ignore"),
        selected: current == IGNORE,
    });
    out
}

/// The columns the list does not recognize, in the file's order, each once.
pub fn unknown_columns(e: &ImportError) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in &e.problems {
        if let (ProblemKind::UnknownColumn, Some(col)) = (&p.kind, &p.column)
            && !out.contains(col)
        {
            out.push(col.clone());
        }
    }
    out
}

/// The rows to offer: the columns already mapped (with their choice), then the columns still
/// unknown.
pub fn rows(lang: Lang, mapped: &[(String, String)], unknown: &[String]) -> Vec<MapRow> {
    let mut out: Vec<MapRow> = mapped
        .iter()
        .map(|(col, field)| MapRow {
            column: col.clone(),
            options: options(lang, field),
        })
        .collect();
    for col in unknown {
        if !mapped.iter().any(|(c, _)| c == col) {
            out.push(MapRow {
                column: col.clone(),
                options: options(lang, ""),
            });
        }
    }
    out
}

/// The mapping form's `col`/`to` pairs, in the form's order: each column's hidden `col` field
/// is followed by its `to` choice. A column left on "choose" is left out, so it stays unknown
/// and is offered again with the list's problems.
pub fn pairs(all: &[(String, String)]) -> Result<Vec<(String, String)>, AppError> {
    let cols: Vec<&String> = all
        .iter()
        .filter(|(k, _)| k == "col")
        .map(|(_, v)| v)
        .collect();
    let tos: Vec<&String> = all
        .iter()
        .filter(|(k, _)| k == "to")
        .map(|(_, v)| v)
        .collect();
    if cols.len() != tos.len() || cols.is_empty() {
        return Err(AppError::bad_request("form: every column needs a choice"));
    }
    Ok(cols
        .into_iter()
        .zip(tos)
        .filter(|(_, t)| !t.is_empty())
        .map(|(c, t)| (c.clone(), t.clone()))
        .collect())
}
