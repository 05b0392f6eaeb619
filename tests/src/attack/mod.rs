//! The attacker: exact integer bounds on every withheld cell, from published bytes only.
//!
//! An employer (or anyone a viewer account leaks to) reads what Shopfloor publishes: a chapter's
//! report payload as a hub receives it, and what a hub's viewer pages show. It knows the
//! registry and the node's code, so it knows which relations hold between the numbers by
//! construction ([`relations`] writes down its own reading of them). It sets up an integer
//! linear program whose unknowns are the withheld cells (and a few latent counts the relations
//! go through), and solves for the smallest and largest value of each withheld cell
//! ([`model::Model::bounds`], exact integers, every witness checked in integer arithmetic).
//!
//! A cell is **narrower than k** when the attacker can name an interval of fewer than `k`
//! integers that must hold it (`hi - lo + 1 < k`) and the interval is not just `[0, 0]` (a cell
//! known to be zero tells nothing that published zeros do not). A withheld report cell is at
//! least 1 (zeros are published), so its `lo >= 1`; an empty interval (`lo > hi`) means the
//! attacker's relations contradict the published data and is counted as narrow too, so a wrong
//! relation cannot make the test pass.
//!
//! - [`attack_report`]: one report payload.
//! - [`hub::attack_views`]: what viewers see at hubs ([`hub::View`], parsed from the pages by
//!   [`hub::parse_page`]).
//! - [`consecutive::new_member`]: two reports of one chapter around one added member.
//! - [`released::attack_released`]: chapters' reports, their encrypted cells' range-proof
//!   bounds and the aggregates the release rule published (issue 14).

pub mod consecutive;
pub mod hub;
pub mod model;
pub mod relations;
pub mod released;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use shopfloor_protocol::{CellKey, CellValue, Report};

use model::{Lin, Model, Var};
use relations::{FAMILIES, MARGINS, PublicCampaigns, Source};

/// How many of the narrowest cells a result explains (which relations pinned them).
const EXPLAINED: usize = 6;
/// How many failing cells a table lists.
const LISTED: usize = 40;

/// The attacker's bound on one protected cell.
#[derive(Clone, Debug)]
pub struct CellBound {
    /// What the cell is, for people.
    pub cell: String,
    /// The cell's key, when it is a report cell.
    pub key: Option<CellKey>,
    /// Smallest value the published data allows.
    pub lo: i64,
    /// Largest value.
    pub hi: i64,
    /// Both ends proven by the solver (see [`model`]).
    pub proven: bool,
    /// For explained cells: the interval from table margins alone (what a per-metric audit sees).
    pub margins_only: Option<(i64, i64)>,
    /// For explained cells: the relation families without which the interval widens.
    pub pinned_by: Vec<&'static str>,
    /// Narrow from its own metric's margins even were every non-zero cell of the report
    /// withheld: an intrinsically small table (totals are always published), the residual risk
    /// docs/protocol.md §9.1 accepts; reported, not counted as a failure. (A cell that only
    /// cross-metric relations make narrow under maximal withholding is a failure: what is
    /// published has to change.)
    pub residual: bool,
}

impl CellBound {
    /// `hi - lo + 1` (0 or less when the relations contradict the data).
    pub fn width(&self) -> i64 {
        self.hi - self.lo + 1
    }

    /// Whether the attacker can name fewer than `k` integers that must hold the cell (residual
    /// or not).
    pub fn narrower_than(&self, k: u64) -> bool {
        let k = i64::try_from(k).unwrap_or(i64::MAX);
        self.width() < k && !(self.lo == 0 && self.hi == 0)
    }
}

/// What the attacker learned about one case.
#[derive(Clone, Debug, Default)]
pub struct AttackResult {
    /// The case, e.g. `report of 800 members`.
    pub case: String,
    /// Minimum cell size.
    pub k: u64,
    /// Every protected cell's bound.
    pub cells: Vec<CellBound>,
    /// Integer programs solved.
    pub solves: u32,
    /// Bounds whose rounded optimum had to be repaired (see [`model`]).
    pub repaired: u32,
    /// Relations that fail on the published constants alone (a wrong relation or bad data).
    pub contradictions: Vec<String>,
    /// Variables and constraints of the program.
    pub size: (usize, usize),
}

impl AttackResult {
    /// The cells narrower than k that more suppression could have protected: the failures.
    pub fn narrow(&self) -> Vec<&CellBound> {
        self.cells
            .iter()
            .filter(|c| c.narrower_than(self.k) && !c.residual)
            .collect()
    }

    /// The cells narrower than k whatever is withheld (intrinsically small tables).
    pub fn residual(&self) -> Vec<&CellBound> {
        self.cells
            .iter()
            .filter(|c| c.narrower_than(self.k) && c.residual)
            .collect()
    }

    /// Of the failures, those that table margins alone leave at least k wide: what a
    /// per-metric audit certifies and the joint relations break.
    pub fn certified_by_margins(&self) -> Vec<&CellBound> {
        let k = i64::try_from(self.k).unwrap_or(i64::MAX);
        self.narrow()
            .into_iter()
            .filter(|c| c.margins_only.is_some_and(|(a, b)| b - a + 1 >= k))
            .collect()
    }

    /// A table for people: counts, then every failing cell with its interval, its interval
    /// from margins alone, and (for the narrowest) the relations that pinned it.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let narrow = self.narrow();
        let exact = narrow.iter().filter(|c| c.width() == 1).count();
        let _ = writeln!(
            s,
            "== {}: {} withheld cells; {} narrower than k = {} ({} exact, {} of them at least k wide from margins alone); {} more in intrinsically small tables; {} solves, {} repaired, {} unproven; program {} vars x {} constraints",
            self.case,
            self.cells.len(),
            narrow.len(),
            self.k,
            exact,
            self.certified_by_margins().len(),
            self.residual().len(),
            self.solves,
            self.repaired,
            self.cells.iter().filter(|c| !c.proven).count(),
            self.size.0,
            self.size.1,
        );
        for c in &self.contradictions {
            let _ = writeln!(s, "   CONTRADICTION {c}");
        }
        let mut worst = narrow;
        worst.sort_by_key(|c| (c.width(), c.cell.clone()));
        for c in worst.iter().take(LISTED) {
            let margins = c
                .margins_only
                .map_or_else(String::new, |(a, b)| format!("; margins alone [{a}, {b}]"));
            let pinned = if c.pinned_by.is_empty() {
                String::new()
            } else {
                format!("; pinned by {}", c.pinned_by.join(", "))
            };
            let _ = writeln!(
                s,
                "   {:<62} [{}, {}]{}{}{}",
                c.cell,
                c.lo,
                c.hi,
                if c.proven { "" } else { " (unproven)" },
                margins,
                pinned
            );
        }
        if worst.len() > LISTED {
            let _ = writeln!(s, "   ... and {} more", worst.len() - LISTED);
        }
        let residual: Vec<String> = self
            .residual()
            .iter()
            .map(|c| format!("{} [{}, {}]", c.cell, c.lo, c.hi))
            .collect();
        if !residual.is_empty() {
            let _ = writeln!(
                s,
                "   residual (intrinsically small): {}",
                residual.join("; ")
            );
        }
        s
    }
}

/// Bounds every target and explains the narrowest: `base` families are always kept (margins,
/// or the views a hub attack is built from).
pub(crate) fn analyse(
    case: String,
    k: u64,
    m: &Model,
    targets: Vec<(String, Option<CellKey>, Var)>,
    base: &[&'static str],
    explain: bool,
) -> AttackResult {
    let vars: Vec<Var> = targets.iter().map(|t| t.2).collect();
    let bounds = m.bounds(&vars, &[]);
    let optional: Vec<&'static str> = FAMILIES
        .iter()
        .copied()
        .chain([relations::ONE_NEW_MEMBER, relations::VIEWS])
        .filter(|f| !base.contains(f))
        .collect();
    let alone = if explain {
        m.bounds(&vars, &optional)
    } else {
        Vec::new()
    };
    let mut result = AttackResult {
        case,
        k,
        solves: bounds.iter().map(|b| b.solves).sum(),
        repaired: bounds.iter().map(|b| b.repaired).sum(),
        contradictions: m.violated.clone(),
        size: (m.len(), m.constraints()),
        cells: Vec::with_capacity(targets.len()),
    };
    result.solves += alone.iter().map(|b| b.solves).sum::<u32>();
    for (i, ((name, key, _), b)) in targets.iter().zip(&bounds).enumerate() {
        result.cells.push(CellBound {
            cell: name.clone(),
            key: key.clone(),
            lo: b.lo,
            hi: b.hi,
            proven: b.proven,
            margins_only: alone.get(i).map(|a| (a.lo, a.hi)),
            pinned_by: Vec::new(),
            residual: false,
        });
    }
    if !explain {
        return result;
    }
    // Explain the narrowest: margins alone, and each other family left out in turn.
    let mut order: Vec<usize> = (0..result.cells.len())
        .filter(|i| result.cells.get(*i).is_some_and(|c| c.narrower_than(k)))
        .collect();
    order.sort_by_key(|i| result.cells.get(*i).map_or(0, CellBound::width));
    for i in order.into_iter().take(EXPLAINED) {
        let Some(&v) = vars.get(i) else { continue };
        let near = m.families_near(v);
        let only: Vec<&str> = optional
            .iter()
            .copied()
            .filter(|f| near.contains(f))
            .collect();
        let mut pinned = Vec::new();
        let base_bound = bounds.get(i).copied();
        for f in &only {
            let without = m.bounds(&[v], &[f]);
            if let (Some(w), Some(b)) = (without.first(), base_bound)
                && w.width() > b.width()
            {
                pinned.push(*f);
            }
            result.solves += without.iter().map(|b| b.solves).sum::<u32>();
        }
        if let Some(c) = result.cells.get_mut(i) {
            c.pinned_by = pinned;
        }
    }
    result
}

/// A report's cells as the attacker's unknowns: published counts are constants, withheld cells
/// variables of at least 1 (zeros are published), absent cells zero.
pub(crate) struct ReportSource<'r> {
    cells: HashMap<&'r CellKey, CellValue>,
    vars: BTreeMap<CellKey, Var>,
    prefix: String,
}

impl<'r> ReportSource<'r> {
    pub(crate) fn new(report: &'r Report, prefix: &str) -> Self {
        ReportSource {
            cells: report.cells.iter().map(|c| (&c.key, c.value)).collect(),
            vars: BTreeMap::new(),
            prefix: prefix.to_owned(),
        }
    }

    /// The variables of withheld cells created so far, by key.
    pub(crate) fn vars(&self) -> &BTreeMap<CellKey, Var> {
        &self.vars
    }

    /// Creates a variable for every withheld cell (so each is bounded even if no relation
    /// mentions it).
    pub(crate) fn touch_all(&mut self, m: &mut Model) {
        let keys: Vec<CellKey> = self
            .cells
            .iter()
            .filter(|(_, v)| **v == CellValue::Suppressed)
            .map(|(k, _)| (*k).clone())
            .collect();
        for k in keys {
            let _ = self.cell(m, &k);
        }
    }
}

impl Source for ReportSource<'_> {
    fn cell(&mut self, m: &mut Model, key: &CellKey) -> Lin {
        match self.cells.get(key) {
            Some(CellValue::Count(v)) => Lin::constant(i64::try_from(*v).unwrap_or(i64::MAX)),
            Some(CellValue::Suppressed) => {
                if let Some(v) = self.vars.get(key) {
                    return Lin::var(*v);
                }
                let cap = self.cap(&key.metric);
                let v = m.var(format!("{}{key}", self.prefix), 1, cap);
                self.vars.insert(key.clone(), v);
                Lin::var(v)
            }
            None => Lin::constant(0),
        }
    }

    fn open_values(&self, metric: &str, dim: shopfloor_protocol::registry::Dim) -> Vec<String> {
        let mut out: Vec<String> = self
            .cells
            .keys()
            .filter(|k| k.metric == metric)
            .filter_map(|k| k.dims.get(&dim).cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn cap(&self, metric: &str) -> i64 {
        match self.cells.get(&CellKey::total(metric)) {
            Some(CellValue::Count(v)) => i64::try_from(*v).unwrap_or(i64::MAX),
            // Totals are always published; were one withheld, no bound is known.
            _ => 1_000_000,
        }
    }
}

/// The public campaigns of a report, as [`relations::campaign_list`] uses them.
pub(crate) fn public_campaigns(report: &Report) -> PublicCampaigns {
    PublicCampaigns {
        kinds: report
            .campaigns
            .iter()
            .map(|c| (c.kind.clone(), c.status.clone()))
            .collect(),
        priority_labor: i64::try_from(
            report
                .campaigns
                .iter()
                .filter(|c| c.priority && c.labor_component)
                .count(),
        )
        .unwrap_or(0),
    }
}

/// The attack on one report payload: exact bounds of every withheld cell under every relation
/// of [`relations`]. `k` is the report's own policy.
pub fn attack_report(payload: &Report) -> AttackResult {
    attack_report_as(
        payload,
        &format!("report of {} members", members_total(payload)),
    )
}

/// [`attack_report`] with a name for the case.
///
/// A narrow cell is *residual* (reported, not a failure) when its own metric's margins keep it
/// narrow with every non-zero non-total cell of the report withheld: no suppression could
/// protect it, and docs/protocol.md §9.1 accepts it.
pub fn attack_report_as(payload: &Report, case: &str) -> AttackResult {
    let mut result = attack_cells(payload, case, true, true);
    let mut maximal = payload.clone();
    for c in &mut maximal.cells {
        if !c.key.dims.is_empty() && c.value != CellValue::Count(0) {
            c.value = CellValue::Suppressed;
        }
    }
    let most = attack_cells(&maximal, case, false, false);
    result.solves += most.solves;
    let k = payload.policy.k;
    let small: std::collections::BTreeSet<&CellKey> = most
        .cells
        .iter()
        .filter(|c| c.narrower_than(k))
        .filter_map(|c| c.key.as_ref())
        .collect();
    for c in &mut result.cells {
        c.residual = c.key.as_ref().is_some_and(|k| small.contains(k));
    }
    result
}

fn attack_cells(payload: &Report, case: &str, explain: bool, joint: bool) -> AttackResult {
    let mut m = Model::default();
    let mut src = ReportSource::new(payload, "");
    if joint {
        relations::all(&mut src, &mut m, &public_campaigns(payload));
    } else {
        relations::margins(
            &mut src,
            &mut m,
            shopfloor_protocol::registry::METRICS.iter().map(|x| x.id),
        );
    }
    src.touch_all(&mut m);
    let targets: Vec<(String, Option<CellKey>, Var)> = src
        .vars()
        .iter()
        .map(|(k, v)| (k.to_string(), Some(k.clone()), *v))
        .collect();
    analyse(
        case.to_owned(),
        payload.policy.k,
        &m,
        targets,
        &[MARGINS],
        explain,
    )
}

/// The members total a report publishes.
pub fn members_total(r: &Report) -> u64 {
    r.cell(&CellKey::total("members"))
        .and_then(CellValue::count)
        .unwrap_or(0)
}
