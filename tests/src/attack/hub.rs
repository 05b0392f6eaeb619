//! The attacker with a hub viewer account: every number a viewer's pages show, as sums over
//! groups of chapters.
//!
//! A viewer's pages (overview, dashboards at every drill-down level, the map by metric) show a
//! cell as an exact count, as "at least n" (some chapters withheld it, so the sum is at least
//! n + 1), as withheld, or not at all (a table lists every non-zero cell, so a missing one is 0).
//! The attacker names the **atoms** the pages sum (a regional hub's chapters as one group, each
//! chapter reporting straight to the hub as another; the overview's "reported" count and the
//! drill-down's chapter counts say how many chapters each holds) and which atoms each page sums
//! (a page loaded before a chapter reported sums fewer). Unknowns: each atom's value of each
//! cell, at least 0. Relations: every view, and each atom's table margins.
//!
//! Protected: every cell of an atom that is a **single chapter** (viewers must never see one
//! chapter's numbers) and every cell a page withholds.
//!
//! There is no JSON API for viewers (the rollups endpoint is for admins), so [`parse_page`]
//! reads the HTML: the tables under each chart, the map's table, the overview's list and the
//! drill-down table.

use std::collections::{BTreeMap, BTreeSet};

use shopfloor_protocol::CellKey;
use shopfloor_protocol::registry::{self, Dim, UNKNOWN};

use super::model::{Lin, Model, Var};
use super::relations::{MARGINS, VIEWS};
use super::{AttackResult, analyse};

/// What a page shows of a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The exact sum.
    Exact(u64),
    /// "at least n": some chapter withheld its value, so the sum is at least n + 1.
    AtLeast(u64),
    /// Not shown.
    Withheld,
}

/// One view: which atoms a page (or a row of it) sums, and what it shows.
#[derive(Clone, Debug, Default)]
pub struct View {
    /// Where it was read, for people.
    pub page: String,
    /// The atoms summed.
    pub atoms: Vec<String>,
    /// Shown cells.
    pub cells: Vec<(CellKey, Shown)>,
    /// Tables the view lists completely: a cell of one not listed is zero.
    pub complete: Vec<(String, Dim)>,
}

/// A page as parsed: its cells and its drill-down rows.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// Cells of the page's own level.
    pub cells: Vec<(CellKey, Shown)>,
    /// Tables listed completely.
    pub complete: Vec<(String, Dim)>,
    /// Drill-down rows: name, chapters, members total shown.
    pub drill: Vec<(String, u64, Shown)>,
}

fn unescape(s: &str) -> String {
    s.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ch in s.chars() {
        match ch {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

/// Reads a shown value: a grouped number, "at least n", "Dotted: no data" (zero), or anything
/// else (withheld).
pub fn parse_shown(text: &str) -> Shown {
    let t = text.trim();
    let num = |s: &str| -> Option<u64> {
        let d: String = s.chars().filter(|c| *c != ',').collect();
        (!d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            .then(|| d.parse().ok())
            .flatten()
    };
    if let Some(n) = num(t) {
        return Shown::Exact(n);
    }
    if let Some(rest) = t.strip_prefix("at least ")
        && let Some(n) = num(rest)
    {
        return Shown::AtLeast(n);
    }
    if t.contains("no data") {
        return Shown::Exact(0);
    }
    Shown::Withheld
}

/// The code of a value from its English label (the label itself for open vocabularies).
fn code_of(dim: Dim, label: &str) -> String {
    if label == "Unknown" {
        return UNKNOWN.to_owned();
    }
    if let Some(t) = dim.terms().and_then(|ts| ts.iter().find(|t| t.en == label)) {
        return t.code.to_owned();
    }
    if dim == Dim::Language
        && let Some(t) = registry::LANGUAGES.iter().find(|t| t.en == label)
    {
        return t.code.to_owned();
    }
    label.to_owned()
}

/// `(header, value)` of each `<tr><th scope="row">…</th><td>…</td>` in `html`.
fn rows(html: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for tr in html.split("<tr>").skip(1) {
        let tr = tr.split("</tr>").next().unwrap_or_default();
        let Some(th) = tr
            .split_once("<th scope=\"row\">")
            .and_then(|(_, r)| r.split_once("</th>"))
        else {
            continue;
        };
        let tds: Vec<String> =
            th.1.split("<td>")
                .skip(1)
                .map(|td| strip_tags(td.split("</td>").next().unwrap_or_default()))
                .collect();
        out.push((strip_tags(th.0), tds));
    }
    out
}

/// Parses a viewer page in English: `/ui` (overview), `/ui/dashboards`, `/ui/map?metric=M`.
/// `period` is the period the page shows (the totals chart's row of that period is the members
/// total).
pub fn parse_page(html: &str, map_metric: Option<&str>, period: &str) -> Page {
    let mut page = Page::default();
    // Overview: members and workplaces.
    for (dt, metric) in [("Members", "members"), ("Workplaces", "workplaces")] {
        let marker = format!("<dt>{dt}");
        if let Some(rest) = html.split_once(&marker).map(|(_, r)| r)
            && let Some(dd) = rest
                .split_once("<dd>")
                .and_then(|(_, r)| r.split_once("</dd>"))
        {
            page.cells
                .push((CellKey::total(metric), parse_shown(&strip_tags(dd.0))));
        }
    }
    // Charts.
    let charts: &[(&str, &str, Option<Dim>)] = &[
        ("totals", "members", None),
        ("sector", "members", Some(Dim::Sector)),
        ("ladder", "workplaces", Some(Dim::Stage)),
        ("density", "members", Some(Dim::UnionStatus)),
        ("trainings", "trainings-completed", Some(Dim::Training)),
        ("languages", "reserve-languages", Some(Dim::Language)),
        ("skills", "reserve-skills", Some(Dim::Skill)),
    ];
    for (id, metric, dim) in charts {
        let marker = format!("aria-labelledby=\"{id}-cap\"");
        let Some(fig) = html
            .split_once(&marker)
            .and_then(|(_, r)| r.split_once("</figure>"))
            .map(|(f, _)| f)
        else {
            continue;
        };
        for (label, tds) in rows(fig) {
            let shown = tds.first().map_or(Shown::Withheld, |t| parse_shown(t));
            match dim {
                None if label == period => page.cells.push((CellKey::total(metric), shown)),
                None => {}
                Some(d) => page
                    .cells
                    .push((CellKey::new(metric, &[(*d, &code_of(*d, &label))]), shown)),
            }
        }
        if let Some(d) = dim {
            page.complete.push(((*metric).to_owned(), *d));
        }
    }
    // The map's table: "Name (XX)" → value.
    if let Some(metric) = map_metric
        && let Some(table) = html.split_once("<tbody>").map(|(_, r)| r)
    {
        for (head, tds) in rows(table) {
            let Some(code) = head.rsplit_once('(').and_then(|(_, r)| r.strip_suffix(')')) else {
                continue;
            };
            let shown = tds.first().map_or(Shown::Withheld, |t| parse_shown(t));
            page.cells
                .push((CellKey::new(metric, &[(Dim::State, code)]), shown));
        }
    }
    // Drill-down rows: name, kind, chapters, members.
    if let Some(drill) = html
        .split_once("<th scope=\"col\">Chapters</th>")
        .map(|(_, r)| r)
    {
        for (name, tds) in rows(drill) {
            let chapters = tds
                .get(1)
                .and_then(|c| c.replace(',', "").parse().ok())
                .unwrap_or(0);
            let shown = tds.get(2).map_or(Shown::Withheld, |t| parse_shown(t));
            page.drill.push((name, chapters, shown));
        }
    }
    page
}

/// The attack on a set of viewer views. `atoms` names each atom and how many chapters it holds;
/// `k` is the minimum cell size the protection is measured against.
pub fn attack_views(case: &str, views: &[View], atoms: &[(String, u64)], k: u64) -> AttackResult {
    let mut m = Model::default();
    let cap = 1_000_000;
    // Every key any view shows, and the values of each complete table.
    let keys: BTreeSet<CellKey> = views
        .iter()
        .flat_map(|v| v.cells.iter().map(|(k, _)| k.clone()))
        .collect();
    let mut vars: BTreeMap<(String, CellKey), Var> = BTreeMap::new();
    let mut cell = |m: &mut Model, atom: &str, key: &CellKey| -> Var {
        *vars
            .entry((atom.to_owned(), key.clone()))
            .or_insert_with(|| m.var(format!("{atom}: {key}"), 0, cap))
    };
    for (atom, _) in atoms {
        for key in &keys {
            let _ = cell(&mut m, atom, key);
        }
    }
    let sum = |m: &mut Model,
               cell: &mut dyn FnMut(&mut Model, &str, &CellKey) -> Var,
               v: &View,
               key: &CellKey| {
        Lin::sum(
            &v.atoms
                .iter()
                .map(|a| Lin::var(cell(m, a, key)))
                .collect::<Vec<_>>(),
        )
    };
    let mut withheld: BTreeMap<(Vec<String>, CellKey), String> = BTreeMap::new();
    for v in views {
        let listed: BTreeSet<&CellKey> = v.cells.iter().map(|(k, _)| k).collect();
        for (key, shown) in &v.cells {
            let s = sum(&mut m, &mut cell, v, key);
            match shown {
                Shown::Exact(n) => {
                    m.eq(VIEWS, &s, &Lin::constant(i64::try_from(*n).unwrap_or(cap)))
                }
                Shown::AtLeast(n) => m.ge(
                    VIEWS,
                    &s,
                    &Lin::constant(i64::try_from(*n).unwrap_or(cap) + 1),
                ),
                Shown::Withheld => {
                    let mut atoms = v.atoms.clone();
                    atoms.sort();
                    withheld
                        .entry((atoms, key.clone()))
                        .or_insert_with(|| v.page.clone());
                }
            }
        }
        // A complete table's unlisted cells are zero.
        for (metric, dim) in &v.complete {
            for key in keys
                .iter()
                .filter(|k| &k.metric == metric && k.dims.len() == 1 && k.dims.contains_key(dim))
            {
                if !listed.contains(key) {
                    let s = sum(&mut m, &mut cell, v, key);
                    m.eq(VIEWS, &s, &Lin::constant(0));
                }
            }
        }
    }
    // Each atom's margins: a complete 1-D table sums to the metric's total.
    let tables: BTreeSet<(String, Dim)> = views
        .iter()
        .flat_map(|v| v.complete.iter().cloned())
        .collect();
    for (atom, _) in atoms {
        for (metric, dim) in &tables {
            let total = Lin::var(cell(&mut m, atom, &CellKey::total(metric)));
            let parts: Vec<Lin> = keys
                .iter()
                .filter(|k| &k.metric == metric && k.dims.len() == 1 && k.dims.contains_key(dim))
                .map(|k| Lin::var(cell(&mut m, atom, k)))
                .collect();
            m.eq(MARGINS, &Lin::sum(&parts), &total);
        }
    }
    let mut targets: Vec<(String, Option<CellKey>, Var)> = Vec::new();
    for (atom, chapters) in atoms {
        if *chapters != 1 {
            continue;
        }
        for key in &keys {
            let v = cell(&mut m, atom, key);
            targets.push((
                format!("single chapter {atom}: {key}"),
                Some(key.clone()),
                v,
            ));
        }
    }
    for ((atoms_of, key), page) in withheld {
        let parts: Vec<Lin> = atoms_of
            .iter()
            .map(|a| Lin::var(cell(&mut m, a, &key)))
            .collect();
        let v = m.var(format!("withheld {key} on {page}"), 0, cap);
        m.eq(VIEWS, &Lin::var(v), &Lin::sum(&parts));
        targets.push((format!("withheld on {page}: {key}"), Some(key), v));
    }
    analyse(case.to_owned(), k, &m, targets, &[VIEWS, MARGINS], true)
}
