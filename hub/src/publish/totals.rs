//! How a publication shows released aggregates beside the clear rule's cells (docs/threat-model.md
//! §10, "Totals over a withheld clear part").
//!
//! A released aggregate `D` of a cell at a view sums the chapters that encrypted the cell; the
//! chapters that published it make the view's clear part `C`, which the clear rule
//! ([`super::rule`]) shows or withholds. Viewers see one figure per cell, and it is one of:
//!
//! - the clear rule's figure, `C` (exact, or at least `C` when some chapters withheld the cell);
//! - a *total* `C + D`: exact when every chapter that withheld the cell encrypted it (the view is
//!   *complete*), at least `C + D` otherwise;
//! - nothing.
//!
//! `D` alone is never shown over a non-zero clear part: with `C + D` shown at another view, it
//! would give `C`, which the clear rule withheld. (Over a zero clear part `D` is the total.)
//!
//! **Totals over a withheld clear part** ([`rule::Totals`]). Where the clear rule withholds `C`
//! (two chapters published a union staff count: fewer than three) but the view is complete and
//! `D` was released, viewers may see the exact total `C + D` without learning `C`: the clear rule
//! is decided again with the cell counted as known in every line (so complementary withholding
//! protects the line's other cells from it) and as unpublished for the blocks of the views above
//! (so their blocks still hold its chapters, whose clear values stay unknown). Then, for every
//! key with such a total, the views that show a total of it (`F`) form a laminar family, and each
//! one's *F-block* (its chapters minus those of the nearest views below it in `F`) is what viewers
//! can isolate by subtracting totals. Three conditions keep `C` unknown and the F-blocks within the
//! viewers' rule:
//!
//! 1. every F-block of a total over a withheld clear part, and of the nearest view in `F` above
//!    one, holds at least one encrypting chapter (its tally minus the tallies below is not empty,
//!    so by the release rule at least three) or no chapter with the cell at all (its total is
//!    zero) — so no difference of totals is a clear part alone: a combination of totals is a
//!    combination of F-blocks' totals, cancelling the released parts leaves only F-blocks with
//!    no encrypting chapter, and those are zero or lie between totals over published clear
//!    parts, which the clear rule judged;
//! 2. in each of those F-blocks no chapter that published the cell holds 80% or more of the
//!    block's total (the encrypting chapters already hold less than 80% of their released block,
//!    which is no larger);
//! 3. in each of those F-blocks the encrypted part exceeds the least it could be (one per
//!    encrypting chapter) by at least `k − 1`: the clear part and the encrypted part are each
//!    bounded (a published value is at least `k`, an encrypted one at least 1), so a total only
//!    a little above the least would pin whatever part of the clear part viewers subtract their
//!    way to (a region's total of 11 over one publishing and three encrypting chapters leaves
//!    the publishing chapter 5..=8). With it, that part keeps at least `k` values.
//!
//! A total over a withheld clear part that fails is taken back (its clear part stays withheld and
//! the cell is shown withheld); a view above that fails shows its clear figure instead of the
//! total. Each round takes back only the deepest failures, so a view's figure depends only on the
//! views below it, as the clear rule's and the release rule's do: a region and national's
//! drill-down into it show the same.

use std::collections::{BTreeMap, BTreeSet};

use shopfloor_protocol::threshold::Released;
use shopfloor_protocol::{CellKey, CellValue};

use super::rule::{self, Decided, Tree};
use super::{PublishedCell, Value, View, at_path};
use crate::decryption::ClearPart;

type At = (Vec<String>, CellKey);

/// The views with every released aggregate shown as the clear rule and this module allow.
pub fn views_with(
    tree: &Tree,
    released: &[(Released, ClearPart)],
    k: u64,
) -> std::result::Result<(Decided, Vec<View>), Vec<String>> {
    let exact: rule::Exact = released
        .iter()
        .filter(|(r, part)| part.sum == 0 && complete(r, part))
        .map(|(r, _)| (r.view.clone(), r.key.clone()))
        .collect();
    let first = rule::decide_with(tree, &exact);
    let mut totals: rule::Totals = released
        .iter()
        .filter(|(r, part)| {
            part.sum > 0
                && complete(r, part)
                && find(&first, &r.view).is_some_and(|d| d.withheld.contains(&r.key))
        })
        .map(|(r, _)| (r.view.clone(), r.key.clone()))
        .collect();
    let mut demoted: BTreeSet<At> = BTreeSet::new();
    // Each round takes a total back or demotes a view, each at most once: this ends.
    let decided = loop {
        let decided = rule::decide_shown(tree, &exact, &totals);
        let failing = failing(tree, &decided, released, &totals, &demoted, k);
        if failing.is_empty() {
            break decided;
        }
        for f in failing {
            if !totals.remove(&f) {
                demoted.insert(f);
            }
        }
    };
    let problems = rule::audit_with(tree, &decided, &exact);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut views = super::views(&decided);
    for (r, part) in released {
        let Some(cell) = views
            .iter_mut()
            .find(|v| v.path == r.view)
            .and_then(|v| v.cells.iter_mut().find(|c| c.key == r.key))
        else {
            continue;
        };
        cell.value = shown(cell, r, *part, &totals, &demoted);
    }
    Ok((decided, views))
}

/// Whether every chapter of the view that withheld the cell is in the released tally.
fn complete(r: &Released, part: &ClearPart) -> bool {
    usize::try_from(part.suppressed).ok() == Some(r.tally.chapters.len())
}

/// What viewers see of a released aggregate at its cell.
fn shown(
    cell: &PublishedCell,
    r: &Released,
    part: ClearPart,
    totals: &rule::Totals,
    demoted: &BTreeSet<At>,
) -> Value {
    match display(cell.value, r, part, totals, demoted) {
        Display::Total { exact: true } => Value::Exact(part.sum.saturating_add(r.value)),
        Display::Total { exact: false } => Value::AtLeast(part.sum.saturating_add(r.value)),
        Display::Clear => cell.value,
        Display::Hidden => Value::Withheld,
    }
}

/// What a released aggregate's cell shows: a total, the clear figure, or nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Display {
    Total { exact: bool },
    Clear,
    Hidden,
}

fn display(
    clear: Value,
    r: &Released,
    part: ClearPart,
    totals: &rule::Totals,
    demoted: &BTreeSet<At>,
) -> Display {
    let at = (r.view.clone(), r.key.clone());
    let exact = complete(r, &part);
    match clear {
        // The complementary rule withheld the cell. Over a zero clear part the released value
        // is the total (all of it when complete), shown as a lower bound as before; over a
        // non-zero one it would give the clear part away next to a total elsewhere.
        Value::Withheld if part.sum == 0 => Display::Total { exact: false },
        Value::Withheld => Display::Hidden,
        _ if totals.contains(&at) => Display::Total { exact: true },
        _ if demoted.contains(&at) => Display::Clear,
        Value::AtLeast(s) if s == part.sum => Display::Total { exact },
        _ => Display::Clear,
    }
}

/// The view at `path` of a decision.
fn find<'a>(d: &'a Decided, path: &[String]) -> Option<&'a Decided> {
    d.views().into_iter().find(|v| v.path == path)
}

/// The totals and views that fail conditions 1 to 3 (module docs), the deepest first: only
/// those of the longest path among them.
fn failing(
    tree: &Tree,
    decided: &Decided,
    released: &[(Released, ClearPart)],
    totals: &rule::Totals,
    demoted: &BTreeSet<At>,
    k: u64,
) -> Vec<At> {
    let views = super::views(decided);
    // Per key, the views that show a total: (path, released, clear part, over a withheld clear
    // part).
    let mut family: BTreeMap<&CellKey, Vec<(&Released, ClearPart, bool)>> = BTreeMap::new();
    for (r, part) in released {
        let Some(cell) = views
            .iter()
            .find(|v| v.path == r.view)
            .and_then(|v| v.cells.iter().find(|c| c.key == r.key))
        else {
            continue;
        };
        if let Display::Total { .. } = display(cell.value, r, *part, totals, demoted) {
            let hidden_clear = totals.contains(&(r.view.clone(), r.key.clone()));
            family
                .entry(&r.key)
                .or_default()
                .push((r, *part, hidden_clear));
        }
    }
    let mut out: Vec<At> = Vec::new();
    for (key, f) in &family {
        if !f.iter().any(|(_, _, hidden)| *hidden) {
            continue;
        }
        for (x, x_part, x_hidden) in f {
            let below: Vec<&(&Released, ClearPart, bool)> = f
                .iter()
                .filter(|(y, _, _)| strictly_below(&y.view, &x.view))
                .filter(|(y, _, _)| {
                    !f.iter().any(|(z, _, _)| {
                        strictly_below(&z.view, &x.view) && strictly_below(&y.view, &z.view)
                    })
                })
                .collect();
            if !*x_hidden && !below.iter().any(|(_, _, hidden)| *hidden) {
                continue;
            }
            if !block_passes(tree, key, (x, *x_part), &below, k) {
                out.push((x.view.clone(), (*key).clone()));
            }
        }
    }
    let deepest = out.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
    out.retain(|(p, _)| p.len() == deepest);
    out
}

fn strictly_below(y: &[String], x: &[String]) -> bool {
    y.len() > x.len() && y.starts_with(x)
}

/// Conditions 1 to 3 for the F-block of `x` with the nearest totals below it.
fn block_passes(
    tree: &Tree,
    key: &CellKey,
    (x, x_part): (&Released, ClearPart),
    below: &[&(&Released, ClearPart, bool)],
    k: u64,
) -> bool {
    let Some(view) = at_path(tree, &x.view) else {
        return false;
    };
    let below_leaves: BTreeSet<&str> = below
        .iter()
        .filter_map(|(y, _, _)| at_path(tree, &y.view))
        .flat_map(|t| t.all_leaves())
        .map(|l| l.id.as_str())
        .collect();
    let clear: Vec<u128> = view
        .all_leaves()
        .into_iter()
        .filter(|l| !below_leaves.contains(l.id.as_str()))
        .filter_map(|l| match l.cells.get(key) {
            Some(CellValue::Count(v)) if *v > 0 => Some(u128::from(*v)),
            _ => None,
        })
        .collect();
    let below_chapters: BTreeSet<&str> = below
        .iter()
        .flat_map(|(y, _, _)| y.tally.chapters.iter().map(|c| c.chapter.as_str()))
        .collect();
    let encrypting = x
        .tally
        .chapters
        .iter()
        .filter(|c| !below_chapters.contains(c.chapter.as_str()))
        .count();
    // Condition 1: an F-block with no encrypting chapter is a clear part alone, unless no
    // chapter of it has the cell at all (then it is zero, and says nothing).
    if encrypting == 0 {
        return clear.is_empty();
    }
    let total = |r: &Released, part: ClearPart| u128::from(part.sum) + u128::from(r.value);
    let below_total: u128 = below.iter().map(|(y, p, _)| total(y, *p)).sum();
    let Some(block_total) = total(x, x_part).checked_sub(below_total) else {
        return false;
    };
    // Condition 2.
    if !clear.iter().all(|c| c * 5 < block_total * 4) {
        return false;
    }
    // Condition 3: the block's encrypted part exceeds the least it could be (one per encrypting
    // chapter) by at least k − 1, so whatever part of the block's clear part viewers subtract
    // their way to keeps k values.
    let clear_sum: u128 = clear.iter().sum();
    let encrypted = block_total.saturating_sub(clear_sum);
    let least = u128::try_from(encrypting).unwrap_or(u128::MAX);
    encrypted >= least.saturating_add(u128::from(k.saturating_sub(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rule::Leaf;
    use shopfloor_protocol::registry::Dim;

    fn staff() -> CellKey {
        CellKey::new("members", &[(Dim::UnionStatus, "staff")])
    }

    fn none() -> CellKey {
        CellKey::new("members", &[(Dim::UnionStatus, "none")])
    }

    /// A chapter with `members` in all: 30 without a union, the rest union staff (`Some`:
    /// published, `None`: withheld, encrypted).
    fn chapter(id: &str, members: u64, published: bool) -> Leaf {
        let mut cells = BTreeMap::new();
        cells.insert(CellKey::total("members"), CellValue::Count(members));
        cells.insert(none(), CellValue::Count(30));
        let staffers = if published {
            CellValue::Count(members - 30)
        } else {
            CellValue::Suppressed
        };
        cells.insert(staff(), staffers);
        Leaf {
            id: id.into(),
            digest: format!("d-{id}"),
            cells,
        }
    }

    fn hub(id: &str, leaves: Vec<Leaf>, hubs: Vec<Tree>) -> Tree {
        Tree {
            id: id.into(),
            name: id.into(),
            leaves,
            hubs,
        }
    }

    /// A released aggregate of union staff at `view` over `chapters` (bound 5 each) with
    /// `value`, and the view's clear part from the tree. The ciphertext is a valid point pair
    /// from a demo run; nothing here checks it (the release rule and shares are
    /// `shopfloor_protocol::threshold`'s).
    fn released(
        tree: &Tree,
        view: &[&str],
        chapters: &[&str],
        value: u64,
    ) -> (Released, ClearPart) {
        let view: Vec<String> = view.iter().map(|s| (*s).to_string()).collect();
        let r: Released = serde_json::from_value(serde_json::json!({
            "key": {"metric": "members", "dims": {"union-status": "staff"}},
            "view": view,
            "tally": {
                "key": "8658f099b44b5ea907ddbb32bdd8216ee0788c4fc923a5c28bf34c50f7fb0073",
                "ciphertext": {
                    "random_element": "OCoHnNQS8G-kzuRutQdjuCUuSZzGmbRcw7J_0DUx1n8",
                    "blinded_element": "soYPguysuVIb2cDLu8ZnXpk_0tFeiObcZMRwDG-KgRw"
                },
                "chapters": chapters.iter().map(|c| serde_json::json!({"chapter": c, "bound": 5}))
                    .collect::<Vec<_>>(),
            },
            "shares": [],
            "value": value,
        }))
        .unwrap();
        let at = at_path(tree, &r.view).unwrap();
        let cell = rule::sum(at.all_leaves()).remove(&staff()).unwrap();
        let part = ClearPart {
            sum: cell.sum,
            suppressed: cell.suppressed,
        };
        (r, part)
    }

    fn value(views: &[View], path: &[&str], key: &CellKey) -> Value {
        let path: Vec<String> = path.iter().map(|s| (*s).to_string()).collect();
        views
            .iter()
            .find(|v| v.path == path)
            .and_then(|v| v.cells.iter().find(|c| &c.key == key))
            .map(|c| c.value)
            .unwrap()
    }

    /// The South's shape in the demo: two chapters publish their union staff (6 and 8, too few
    /// for the viewers' rule), four encrypt theirs and the release rule released the 20.
    fn south(first: u64) -> Tree {
        hub(
            "south",
            vec![
                chapter("s1", 30 + first, true),
                chapter("s2", 38, true),
                chapter("s3", 33, false),
                chapter("s4", 34, false),
                chapter("s5", 36, false),
                chapter("s6", 37, false),
            ],
            vec![],
        )
    }

    const ENCRYPTING: [&str; 4] = ["s3", "s4", "s5", "s6"];

    #[test]
    fn a_complete_view_shows_the_total_over_a_withheld_clear_part() {
        let tree = hub("national", vec![], vec![south(6)]);
        let before = rule::decide(&tree);
        assert!(
            before.children[0].withheld.contains(&staff()),
            "the clear rule withholds two chapters' staff"
        );
        let r = vec![released(&tree, &["south"], &ENCRYPTING, 20)];
        let (decided, views) = views_with(&tree, &r, 5).unwrap();
        assert_eq!(value(&views, &["south"], &staff()), Value::Exact(34));
        assert!(decided.children[0].totals.contains(&staff()));
        assert_eq!(value(&views, &["south"], &none()), Value::Exact(180));
        // National's clear block still holds the South's two publishing chapters: the clear
        // part stays unknown.
        assert_eq!(value(&views, &[], &staff()), Value::Withheld);
    }

    #[test]
    fn a_total_no_encrypting_chapter_separates_from_one_below_is_not_shown() {
        // West publishes two chapters' staff (withheld there: too few) and encrypts nothing, so
        // every chapter national's tally sums is the South's.
        let west = hub(
            "west",
            vec![chapter("w1", 40, true), chapter("w2", 42, true)],
            vec![],
        );
        let tree = hub("national", vec![], vec![south(6), west]);
        let r = vec![
            released(&tree, &["south"], &ENCRYPTING, 20),
            released(&tree, &[], &ENCRYPTING, 20),
        ];
        let (_, views) = views_with(&tree, &r, 5).unwrap();
        assert_eq!(value(&views, &["south"], &staff()), Value::Exact(34));
        // National's total, 56, minus the South's, 34, would be West's two chapters' 22:
        // national shows its clear figure (four chapters) instead.
        assert_eq!(value(&views, &[], &staff()), Value::AtLeast(36));
        // Without the South's total, national's would be fine: its block holds encrypting
        // chapters.
        let only = vec![released(&tree, &[], &ENCRYPTING, 20)];
        let (_, views) = views_with(&tree, &only, 5).unwrap();
        assert_eq!(value(&views, &[], &staff()), Value::Exact(56));
        assert_eq!(value(&views, &["south"], &staff()), Value::Withheld);
    }

    #[test]
    fn a_total_over_the_same_chapters_as_one_below_is_shown() {
        // West's chapters have no union staff at all: national's F-block, national less the
        // South, holds no chapter with the cell, and its total equals the South's.
        let bare = |id: &str| {
            let mut l = chapter(id, 40, true);
            l.cells.remove(&staff());
            l.cells.insert(none(), CellValue::Count(40));
            l
        };
        let west = hub("west", vec![bare("w1"), bare("w2"), bare("w3")], vec![]);
        let tree = hub("national", vec![], vec![south(6), west]);
        let r = vec![
            released(&tree, &["south"], &ENCRYPTING, 20),
            released(&tree, &[], &ENCRYPTING, 20),
        ];
        let (_, views) = views_with(&tree, &r, 5).unwrap();
        assert_eq!(value(&views, &["south"], &staff()), Value::Exact(34));
        assert_eq!(value(&views, &[], &staff()), Value::Exact(34));
    }

    #[test]
    fn a_total_one_publishing_chapter_dominates_is_not_shown() {
        // 200 of 228: the first chapter would hold 88% of the total.
        let tree = hub("national", vec![], vec![south(200)]);
        let r = vec![released(&tree, &["south"], &ENCRYPTING, 20)];
        let (_, views) = views_with(&tree, &r, 5).unwrap();
        assert_eq!(value(&views, &["south"], &staff()), Value::Withheld);
        // 100 of 128 (78%) passes.
        let tree = hub("national", vec![], vec![south(100)]);
        let r = vec![released(&tree, &["south"], &ENCRYPTING, 20)];
        let (_, views) = views_with(&tree, &r, 5).unwrap();
        assert_eq!(value(&views, &["south"], &staff()), Value::Exact(128));
    }

    #[test]
    fn a_total_barely_above_its_least_is_not_shown() {
        // Four encrypting chapters hold at least 4; a released 7 exceeds that by 3, so the
        // total, 21, would leave the two publishing chapters' 14 within 14..=17: four values.
        let tree = hub("national", vec![], vec![south(6)]);
        let r = vec![released(&tree, &["south"], &ENCRYPTING, 7)];
        let (_, views) = views_with(&tree, &r, 5).unwrap();
        assert_eq!(value(&views, &["south"], &staff()), Value::Withheld);
        // 8 exceeds it by k − 1: 14..=18, five values.
        let r = vec![released(&tree, &["south"], &ENCRYPTING, 8)];
        let (_, views) = views_with(&tree, &r, 5).unwrap();
        assert_eq!(value(&views, &["south"], &staff()), Value::Exact(22));
    }

    #[test]
    fn a_released_value_alone_is_never_shown_over_a_clear_part() {
        // One encrypting chapter's cell is missing from the tally: the view is not complete,
        // and the released value alone (over a withheld clear part) is not shown.
        let tree = hub("national", vec![], vec![south(6)]);
        let r = vec![released(&tree, &["south"], &ENCRYPTING[..3], 15)];
        let (_, views) = views_with(&tree, &r, 5).unwrap();
        assert_eq!(value(&views, &["south"], &staff()), Value::Withheld);
    }
}
