//! The publication rule: which cells of which views a hub's viewers may see, decided jointly over
//! every view of a period (docs/hub-ui.md, docs/protocol.md "Hub publications").
//!
//! # Views and blocks
//!
//! The views a viewer can reach at a hub are the hub itself and, recursively, each regional hub
//! under it (a drill-down); they form a laminar family over the chapters (each view covers its
//! whole subtree). For one cell key, subtracting published views from one another isolates
//! *blocks*: a published view's block is its own direct chapters plus the blocks of the child
//! views that do not publish that key. A view may publish a key only if the cell itself passes
//! the viewers' rule ([`viewer_may_see`]: at least 3 contributing chapters, none with 80% or
//! more) and its block does too (an empty block isolates nobody).
//!
//! # Bottom-up, so a region and national agree
//!
//! Views are decided from the bottom of the tree up. A regional hub's own decision is made over
//! its own subtree only, so national, deciding the same subtree from the same documents,
//! reaches exactly the region's decision; national then decides only its own top view, taking
//! the region's published cells as given. A region therefore never publishes a cell that
//! national withholds in a way that reopens a block: when a region's cell would let national's
//! viewers isolate a block, national withholds its own cell instead.
//!
//! # Complementary withholding, jointly
//!
//! Within a view, a withheld cell must not be the one unknown of a table line whose margin is
//! published (the chapters' own disclosure control works the same way). Across views the same
//! holds for the *differences* viewers can form: the view minus any one view below it, and the
//! view minus all its child views (its direct chapters). A line of such a difference with
//! exactly one unknown non-zero cell gets one more cell of the deciding view withheld (the
//! smallest known one, or the margin when none is left), and this is repeated until nothing
//! changes. [`audit`] checks the finished decision against every one of these rules again.

use std::collections::{BTreeMap, BTreeSet};

use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::rollup::SummedCell;
use shopfloor_protocol::{CellKey, CellValue};

/// A chapter's report at the bottom of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// The chapter's id.
    pub id: String,
    /// The digest of the report (to tell what changed between publications).
    pub digest: String,
    /// Its cells.
    pub cells: BTreeMap<CellKey, CellValue>,
}

/// A hub in the tree: a view viewers can reach.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    /// The hub's id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Chapters reporting to it directly.
    pub leaves: Vec<Leaf>,
    /// Hubs reporting to it.
    pub hubs: Vec<Tree>,
}

impl Tree {
    /// Every chapter in the subtree.
    pub fn all_leaves(&self) -> Vec<&Leaf> {
        let mut out: Vec<&Leaf> = self.leaves.iter().collect();
        for h in &self.hubs {
            out.extend(h.all_leaves());
        }
        out
    }
}

/// Design §6: the fewest chapters a figure shown to viewers may come from.
pub const MIN_CHAPTERS: u32 = 3;

/// Design §6: viewers see a cell only when at least [`MIN_CHAPTERS`] chapters contribute to it
/// and no single chapter makes up 80% or more of it.
pub fn viewer_may_see(cell: &SummedCell) -> bool {
    cell.contributors >= MIN_CHAPTERS && u128::from(cell.largest) * 5 < u128::from(cell.sum) * 4
}

/// Sums chapters' cells the way rollups do.
pub fn sum<'a>(leaves: impl IntoIterator<Item = &'a Leaf>) -> BTreeMap<CellKey, SummedCell> {
    let mut acc: BTreeMap<CellKey, SummedCell> = BTreeMap::new();
    for leaf in leaves {
        for (key, value) in &leaf.cells {
            let s = acc.entry(key.clone()).or_insert_with(|| SummedCell {
                key: key.clone(),
                sum: 0,
                suppressed: 0,
                contributors: 0,
                largest: 0,
                tally: None,
            });
            match value {
                CellValue::Count(v) => {
                    s.sum = s.sum.saturating_add(*v);
                    if *v > 0 {
                        s.contributors = s.contributors.saturating_add(1);
                    }
                    s.largest = s.largest.max(*v);
                }
                CellValue::Suppressed => s.suppressed = s.suppressed.saturating_add(1),
            }
        }
    }
    acc
}

/// One chapter set's cell for one key (zero when none of them lists it).
fn block_cell(leaves: &[&Leaf], key: &CellKey) -> SummedCell {
    let mut cell = SummedCell {
        key: key.clone(),
        sum: 0,
        suppressed: 0,
        contributors: 0,
        largest: 0,
        tally: None,
    };
    for leaf in leaves {
        match leaf.cells.get(key) {
            Some(CellValue::Count(v)) => {
                cell.sum = cell.sum.saturating_add(*v);
                if *v > 0 {
                    cell.contributors = cell.contributors.saturating_add(1);
                }
                cell.largest = cell.largest.max(*v);
            }
            Some(CellValue::Suppressed) => cell.suppressed = cell.suppressed.saturating_add(1),
            None => {}
        }
    }
    cell
}

/// Whether a group of chapters that viewers can isolate may be seen: nobody in it, or the
/// viewers' rule holds for the group's cell.
pub fn group_passes(leaves: &[&Leaf], key: &CellKey) -> bool {
    leaves.is_empty() || viewer_may_see(&block_cell(leaves, key))
}

/// The decision for one view and, recursively, the views below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decided {
    /// Hub ids from the deciding hub's child down to this view (empty: the hub itself).
    pub path: Vec<String>,
    /// The hub's id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// How many chapters its subtree holds.
    pub chapters: usize,
    /// The subtree's summed cells.
    pub cells: Vec<SummedCell>,
    /// The keys viewers may not see.
    pub withheld: BTreeSet<CellKey>,
    /// The keys of [`Totals`] at this view: viewers see their total, not their clear part.
    pub totals: BTreeSet<CellKey>,
    /// The views below.
    pub children: Vec<Decided>,
}

impl Decided {
    /// Whether viewers see `key` in this view (listed and not withheld).
    pub fn publishes(&self, key: &CellKey) -> bool {
        !self.withheld.contains(key) && self.cells.iter().any(|c| &c.key == key)
    }

    /// Every view, this one first, depth first.
    pub fn views(&self) -> Vec<&Decided> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.views());
        }
        out
    }
}

/// Cells whose total viewers will know exactly from decrypted aggregates, by view path and key
/// (crate::decryption): each one's clear part is zero (no chapter of the view published it) and
/// every chapter that withheld it is in a tally the release rule released.
pub type Exact = BTreeSet<(Vec<String>, CellKey)>;

/// Cells viewers will see only as a total, their clear part plus a released aggregate, when the
/// clear part itself is withheld (crate::publish::views_with decides which): like [`Exact`] they
/// are published and every line that holds them counts them as known, but a view above does not
/// count their clear part as published, so its block still holds their chapters (viewers do not
/// learn the clear part, only its sum with the released value).
pub type Totals = BTreeSet<(Vec<String>, CellKey)>;

/// Decides every view of `tree` (the deciding hub at the top).
pub fn decide(tree: &Tree) -> Decided {
    decide_with(tree, &Exact::new())
}

/// [`decide`] when the cells in `exact` are known to viewers: they are published (their value
/// comes from the released aggregate, which the release rule judged; their clear part, and so
/// every block's, is zero), and every line that holds them counts them as known, so complementary
/// withholding protects the other cells from them. Complementary withholding may still withhold
/// one of them; viewers then see only the released value as a lower bound.
pub fn decide_with(tree: &Tree, exact: &Exact) -> Decided {
    decide_shown(tree, exact, &Totals::new())
}

/// [`decide_with`] with `totals` too ([`Totals`]).
pub fn decide_shown(tree: &Tree, exact: &Exact, totals: &Totals) -> Decided {
    decide_at(tree, Vec::new(), exact, totals)
}

fn decide_at(tree: &Tree, path: Vec<String>, exact: &Exact, totals: &Totals) -> Decided {
    let children: Vec<Decided> = tree
        .hubs
        .iter()
        .map(|h| {
            let mut p = path.clone();
            p.push(h.id.clone());
            decide_at(h, p, exact, totals)
        })
        .collect();
    let all = tree.all_leaves();
    let cells: Vec<SummedCell> = sum(all.iter().copied()).into_values().collect();
    let mut withheld: BTreeSet<CellKey> = cells
        .iter()
        .filter(|c| !is_exact(exact, &path, c) && !totals.contains(&(path.clone(), c.key.clone())))
        .filter(|c| {
            !viewer_may_see(c) || !group_passes(&open_leaves(tree, &children, &c.key), &c.key)
        })
        .map(|c| c.key.clone())
        .collect();
    let own_totals: BTreeSet<CellKey> = cells
        .iter()
        .filter(|c| totals.contains(&(path.clone(), c.key.clone())))
        .map(|c| c.key.clone())
        .collect();
    complement(tree, &children, &cells, &own_totals, &mut withheld);
    Decided {
        path,
        id: tree.id.clone(),
        name: tree.name.clone(),
        chapters: all.len(),
        cells,
        withheld,
        totals: own_totals,
        children,
    }
}

/// The chapters of `tree`'s block for `key`: its direct chapters and, for each child view that
/// does not publish `key`'s clear part (withheld, or shown only as a total, [`Totals`]), that
/// child's block.
fn open_leaves<'a>(tree: &'a Tree, decided: &[Decided], key: &CellKey) -> Vec<&'a Leaf> {
    let mut out: Vec<&Leaf> = tree.leaves.iter().collect();
    for (h, d) in tree.hubs.iter().zip(decided) {
        if !d.publishes(key) || d.totals.contains(key) {
            out.extend(open_leaves(h, &d.children, key));
        }
    }
    out
}

/// A line of a table: the margin's key and the member cells' keys.
type Lines = BTreeMap<(CellKey, Vec<Dim>), Vec<CellKey>>;

fn lines(cells: &[SummedCell]) -> Lines {
    let mut out: Lines = BTreeMap::new();
    for c in cells {
        let table: Vec<Dim> = c.key.dims.keys().copied().collect();
        for free in &table {
            let mut margin = c.key.clone();
            margin.dims.remove(free);
            out.entry((margin, table.clone()))
                .or_default()
                .push(c.key.clone());
        }
    }
    out
}

/// A difference a viewer can form from a view: the view minus some views below it. `minus`
/// holds the subtracted views; its cells are what is left.
struct Difference<'a> {
    minus: Vec<&'a Decided>,
    cells: BTreeMap<CellKey, SummedCell>,
}

/// The differences viewers can form at `tree`: the view itself, minus each view below it, and
/// minus all its child views at once (its direct chapters).
fn differences<'a>(tree: &Tree, children: &'a [Decided]) -> Vec<Difference<'a>> {
    fn below<'t, 'd>(
        tree: &'t Tree,
        decided: &'d [Decided],
        out: &mut Vec<(&'t Tree, &'d Decided)>,
    ) {
        for (h, d) in tree.hubs.iter().zip(decided) {
            out.push((h, d));
            below(h, &d.children, out);
        }
    }
    let all = tree.all_leaves();
    let without = |skip: &[&Tree]| {
        let gone: BTreeSet<&str> = skip
            .iter()
            .flat_map(|t| t.all_leaves())
            .map(|l| l.id.as_str())
            .collect();
        sum(all
            .iter()
            .copied()
            .filter(|l| !gone.contains(l.id.as_str())))
    };
    let mut out = vec![Difference {
        minus: Vec::new(),
        cells: sum(all.iter().copied()),
    }];
    let mut pairs = Vec::new();
    below(tree, children, &mut pairs);
    for (t, d) in &pairs {
        out.push(Difference {
            minus: vec![*d],
            cells: without(&[*t]),
        });
    }
    if children.len() > 1 {
        let trees: Vec<&Tree> = tree.hubs.iter().collect();
        out.push(Difference {
            minus: children.iter().collect(),
            cells: without(&trees),
        });
    }
    out
}

fn nonzero(cells: &BTreeMap<CellKey, SummedCell>, key: &CellKey) -> bool {
    cells
        .get(key)
        .is_some_and(|c| c.sum > 0 || c.suppressed > 0)
}

/// Whether a difference's cell is known to viewers: the view and every subtracted one show it.
fn known(withheld: &BTreeSet<CellKey>, d: &Difference<'_>, key: &CellKey) -> bool {
    !withheld.contains(key) && d.minus.iter().all(|m| !m.withheld.contains(key))
}

/// Complementary withholding over the view's own lines and every difference's lines, until no
/// line has exactly one unknown non-zero cell under a known margin.
///
/// The cell withheld is the known one with the smallest clear sum, a total ([`Totals`]) only
/// when no other is left: its clear sum is small by construction, but viewers see its total.
fn complement(
    tree: &Tree,
    children: &[Decided],
    cells: &[SummedCell],
    totals: &BTreeSet<CellKey>,
    withheld: &mut BTreeSet<CellKey>,
) {
    let lines = lines(cells);
    let diffs = differences(tree, children);
    // Each pass withholds at least one more cell or stops, so this ends.
    for _ in 0..=cells.len() {
        let mut changed = false;
        for d in &diffs {
            for ((margin, _), members) in &lines {
                if !known(withheld, d, margin) {
                    continue;
                }
                let hidden = members
                    .iter()
                    .filter(|k| nonzero(&d.cells, k) && !known(withheld, d, k))
                    .count();
                if hidden != 1 {
                    continue;
                }
                let next = members
                    .iter()
                    .filter(|k| nonzero(&d.cells, k) && known(withheld, d, k))
                    .min_by(|a, b| {
                        let va = d.cells.get(*a).map_or(0, |c| c.sum);
                        let vb = d.cells.get(*b).map_or(0, |c| c.sum);
                        (totals.contains(*a), va)
                            .cmp(&(totals.contains(*b), vb))
                            .then_with(|| a.cmp(b))
                    });
                match next {
                    Some(k) => {
                        withheld.insert(k.clone());
                    }
                    None => {
                        withheld.insert(margin.clone());
                    }
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Whether a view's cell is one of `exact`: listed, with a zero clear part.
fn is_exact(exact: &Exact, path: &[String], cell: &SummedCell) -> bool {
    cell.sum == 0 && exact.contains(&(path.to_vec(), cell.key.clone()))
}

/// What is wrong with a decision; empty when every rule holds.
pub fn audit(tree: &Tree, decided: &Decided) -> Vec<String> {
    audit_with(tree, decided, &Exact::new())
}

/// [`audit`] of a decision made by [`decide_with`] with the same `exact` cells.
pub fn audit_with(tree: &Tree, decided: &Decided, exact: &Exact) -> Vec<String> {
    let mut problems = Vec::new();
    for (h, d) in tree.hubs.iter().zip(&decided.children) {
        problems.extend(audit_with(h, d, exact));
    }
    for cell in &decided.cells {
        if !decided.publishes(&cell.key)
            || is_exact(exact, &decided.path, cell)
            || decided.totals.contains(&cell.key)
        {
            continue;
        }
        if !viewer_may_see(cell) {
            problems.push(format!(
                "view {:?}: {:?} is published against the viewers' rule",
                decided.path, cell.key
            ));
        }
        if !group_passes(&open_leaves(tree, &decided.children, &cell.key), &cell.key) {
            problems.push(format!(
                "view {:?}: {:?} isolates a group that fails the viewers' rule",
                decided.path, cell.key
            ));
        }
    }
    let lines = lines(&decided.cells);
    for d in differences(tree, &decided.children) {
        for ((margin, _), members) in &lines {
            if !known(&decided.withheld, &d, margin) {
                continue;
            }
            let hidden: Vec<&CellKey> = members
                .iter()
                .filter(|k| nonzero(&d.cells, k) && !known(&decided.withheld, &d, k))
                .collect();
            if hidden.len() == 1 {
                problems.push(format!(
                    "view {:?} minus {:?}: {:?} follows from its line",
                    decided.path,
                    d.minus.iter().map(|m| &m.path).collect::<Vec<_>>(),
                    hidden
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(id: &str, cells: &[(&CellKey, u64)]) -> Leaf {
        Leaf {
            id: id.into(),
            digest: format!("d-{id}"),
            cells: cells
                .iter()
                .map(|(k, v)| ((*k).clone(), CellValue::Count(*v)))
                .collect(),
        }
    }

    fn total() -> CellKey {
        CellKey::total("members")
    }

    fn sector(s: &str) -> CellKey {
        CellKey::new("members", &[(Dim::Sector, s)])
    }

    fn hub(id: &str, leaves: Vec<Leaf>, hubs: Vec<Tree>) -> Tree {
        Tree {
            id: id.into(),
            name: id.into(),
            leaves,
            hubs,
        }
    }

    fn t(id: &str, v: u64) -> Leaf {
        leaf(id, &[(&total(), v)])
    }

    #[test]
    fn block_rule_withholds_national_when_one_chapter_reports_to_it_directly() {
        // The shape: a region of three chapters and one chapter straight to national.
        let tree = hub(
            "national",
            vec![t("maine", 50)],
            vec![hub(
                "south",
                vec![t("durham", 100), t("houston", 150), t("austin", 120)],
                vec![],
            )],
        );
        let d = decide(&tree);
        assert!(d.children[0].publishes(&total()), "the region passes alone");
        assert!(
            !d.publishes(&total()),
            "national − region would be Maine's cell"
        );
        assert!(audit(&tree, &d).is_empty(), "{:?}", audit(&tree, &d));
    }

    #[test]
    fn block_rule_merges_a_small_region_into_its_parents_block() {
        // The demo's shape: two chapters in the region, one direct. The region's cell fails
        // the rule, so national's block is all three chapters and national may publish.
        let tree = hub(
            "national",
            vec![t("maine", 50)],
            vec![hub(
                "south",
                vec![t("durham", 100), t("houston", 150)],
                vec![],
            )],
        );
        let d = decide(&tree);
        assert!(!d.children[0].publishes(&total()));
        assert!(d.publishes(&total()));
        assert!(audit(&tree, &d).is_empty());
    }

    #[test]
    fn block_rule_lets_national_publish_when_it_has_no_direct_chapters() {
        let tree = hub(
            "national",
            vec![],
            vec![hub(
                "south",
                vec![t("a", 10), t("b", 10), t("c", 10)],
                vec![],
            )],
        );
        let d = decide(&tree);
        assert!(d.publishes(&total()) && d.children[0].publishes(&total()));
    }

    #[test]
    fn block_rule_applies_the_dominance_test_to_the_isolated_group() {
        // National's direct group is three chapters, but one of them is 90% of the group.
        let tree = hub(
            "national",
            vec![t("big", 900), t("s1", 50), t("s2", 50)],
            vec![hub(
                "south",
                vec![t("a", 1000), t("b", 1000), t("c", 1000)],
                vec![],
            )],
        );
        let d = decide(&tree);
        assert!(d.children[0].publishes(&total()));
        assert!(!d.publishes(&total()), "the direct group is dominated");
        // Balanced: both published.
        let tree = hub(
            "national",
            vec![t("x", 300), t("s1", 300), t("s2", 300)],
            vec![hub(
                "south",
                vec![t("a", 1000), t("b", 1000), t("c", 1000)],
                vec![],
            )],
        );
        let d = decide(&tree);
        assert!(d.publishes(&total()) && d.children[0].publishes(&total()));
    }

    #[test]
    fn block_rule_sees_through_a_withheld_middle_view() {
        // national > south (1 direct chapter) > metro (3 chapters); national has 3 direct.
        // south's block is its one chapter: south withholds; national's block is then its
        // own 3 plus south's direct chapter, metro subtracted.
        let tree = hub(
            "national",
            vec![t("n1", 100), t("n2", 100), t("n3", 100)],
            vec![hub(
                "south",
                vec![t("s1", 100)],
                vec![hub(
                    "metro",
                    vec![t("m1", 100), t("m2", 100), t("m3", 100)],
                    vec![],
                )],
            )],
        );
        let d = decide(&tree);
        let south = &d.children[0];
        assert!(!south.publishes(&total()), "south − metro is one chapter");
        assert!(south.children[0].publishes(&total()));
        assert!(d.publishes(&total()));
        assert!(audit(&tree, &d).is_empty(), "{:?}", audit(&tree, &d));
    }

    #[test]
    fn differences_get_complementary_withholding_too() {
        // national: region of 3 chapters plus 3 direct chapters; the region withholds sector
        // 72 (one chapter) and, complementarily, sector 61. National publishes every sector
        // by itself, but national − region must not give the direct group's 72 exactly when
        // the region's 72 is hidden: that would need one unknown in a known line.
        let s62 = sector("62");
        let s61 = sector("61");
        let s72 = sector("72");
        let r = |id: &str, a: u64, b: u64, c: u64| {
            leaf(
                id,
                &[(&total(), a + b + c), (&s62, a), (&s61, b), (&s72, c)],
            )
        };
        let tree = hub(
            "national",
            vec![
                r("d1", 40, 20, 10),
                r("d2", 40, 20, 10),
                r("d3", 40, 20, 10),
            ],
            vec![hub(
                "south",
                vec![r("a", 40, 20, 30), r("b", 40, 20, 0), r("c", 40, 20, 0)],
                vec![],
            )],
        );
        let d = decide(&tree);
        let south = &d.children[0];
        assert!(!south.publishes(&s72), "one chapter");
        assert!(!south.publishes(&s61), "complementary");
        assert!(audit(&tree, &d).is_empty(), "{:?}", audit(&tree, &d));
        // Whatever national shows, no line of national − south has a single unknown.
        for key in [&total(), &s62, &s61, &s72] {
            if d.publishes(key) && south.publishes(key) {
                let block = block_cell(&tree.leaves.iter().collect::<Vec<_>>(), key);
                assert!(viewer_may_see(&block), "{key:?}");
            }
        }
    }

    #[test]
    fn region_and_nationals_drill_down_withhold_the_same_cells() {
        let s62 = sector("62");
        let s72 = sector("72");
        let r = |id: &str, a: u64, c: u64| leaf(id, &[(&total(), a + c), (&s62, a), (&s72, c)]);
        let south = hub(
            "south",
            vec![r("a", 40, 30), r("b", 50, 0), r("c", 45, 2)],
            vec![],
        );
        let national = hub("national", vec![r("maine", 30, 3)], vec![south.clone()]);
        let own = decide(&south);
        let d = decide(&national);
        let drill = &d.children[0];
        assert_eq!(drill.path, vec!["south".to_owned()]);
        assert_eq!(own.withheld, drill.withheld);
        assert_eq!(own.cells, drill.cells);
        assert!(own.withheld.contains(&s72), "two chapters, one dominant");
        assert!(
            own.withheld.contains(&s62),
            "complementary: total − 62 = 72"
        );
        // National honours the region's published total: it withholds its own instead.
        assert!(drill.publishes(&total()) && !d.publishes(&total()));
        assert!(
            audit(&national, &d).is_empty(),
            "{:?}",
            audit(&national, &d)
        );
    }

    #[test]
    fn audit_finds_a_published_cell_that_isolates_one_chapter() {
        let tree = hub(
            "national",
            vec![t("maine", 50)],
            vec![hub(
                "south",
                vec![t("durham", 100), t("houston", 150), t("austin", 120)],
                vec![],
            )],
        );
        let mut d = decide(&tree);
        d.withheld.clear();
        let problems = audit(&tree, &d);
        assert!(
            problems.iter().any(|p| p.contains("isolates a group")),
            "{problems:?}"
        );
    }
}
