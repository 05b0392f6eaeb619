//! The attacker's own reading of what holds by construction between a chapter's published
//! numbers, written down as linear relations.
//!
//! Nothing here is imported from the defender: each relation was read off the node's code (the
//! SQL in `node/src/report/aggregate.rs`, the schema in `node/src/store/migrations`, the checks
//! in `node/src/domain` and the importer's derivations in `node/src/domain/vocab.rs` and
//! `node/src/domain/members/save.rs`) and the registry's table layout (`protocol/src/registry.rs`).
//! Each function names its source. Relations are grouped into *families*, the names in
//! [`FAMILIES`], so a bound can be recomputed without one of them.
//!
//! Read but not turned into relations, because nothing forces them: trainings completed (any
//! member, present or not, any number of trainings), active mentorships (a total with no link to
//! a published table), pods by sector (a pod's sector is set by hand, with no link to its
//! members' workplaces), workplaces by representation (not tied to stage by any check; the
//! synthetic generator ties them, the node does not), lapsed members, and the chapter facts
//! (three booleans).

use shopfloor_protocol::CellKey;
use shopfloor_protocol::registry::{self, Dim, UNKNOWN};

use super::model::{Lin, Model};

/// Table margins: a metric's 1-D tables sum to its total, a 2-D table's rows and columns to its
/// 1-D margins (`protocol/src/registry.rs`, module docs and `Metric::tables`; `Tally::add` in
/// `aggregate.rs` adds every observation to the total and to one cell of every table).
pub const MARGINS: &str = "margins";
/// Members without a workplace are unknown in sector, state, county and stage at once.
pub const NO_WORKPLACE: &str = "no-workplace";
/// A county lies inside its state.
pub const COUNTY_IN_STATE: &str = "county-in-state";
/// Union code `none` exactly for union status none or organizing.
pub const UNION_IDENTITY: &str = "union-identity";
/// Majority-support workplaces are workplaces below stage 3 (registry: `majority-workplaces`), so
/// per sector they are at most the workplaces at stages 0-2.
pub const MAJORITY: &str = "majority";
/// A member's stage, sector or state is that of a workplace that exists.
pub const MEMBERS_NEED_WORKPLACES: &str = "members-need-workplaces";
/// Reserve organizers vs their languages and skills.
pub const RESERVE: &str = "reserve";
/// The report's public campaigns list vs the campaign cells.
pub const CAMPAIGN_LIST: &str = "campaign-list";
/// Coworkers are recruited at workplaces that exist.
pub const COWORKERS_NEED_WORKPLACES: &str = "coworkers-need-workplaces";
/// Consecutive reports: one new member between them.
pub const ONE_NEW_MEMBER: &str = "one-new-member";
/// Hub views: what a viewer's page shows of a sum of chapters.
pub const VIEWS: &str = "views";

/// Every family a chapter's relations use (margins first).
pub const FAMILIES: &[&str] = &[
    MARGINS,
    NO_WORKPLACE,
    COUNTY_IN_STATE,
    UNION_IDENTITY,
    MAJORITY,
    MEMBERS_NEED_WORKPLACES,
    RESERVE,
    CAMPAIGN_LIST,
    COWORKERS_NEED_WORKPLACES,
];

/// Where a cell's value comes from: a published constant, a variable, or zero.
pub trait Source {
    /// The value of a cell, as a linear expression (variables are created on first use).
    fn cell(&mut self, m: &mut Model, key: &CellKey) -> Lin;
    /// Values of an open-vocabulary dimension that occur in a metric's cells.
    fn open_values(&self, metric: &str, dim: Dim) -> Vec<String>;
    /// An upper bound of a metric's total (for big-M relations).
    fn cap(&self, metric: &str) -> i64;
}

/// Every value a dimension can take in a metric: the vocabulary and `unknown`, or for open
/// vocabularies the values that occur.
pub fn domain(src: &dyn Source, metric: &str, dim: Dim) -> Vec<String> {
    let mut out: Vec<String> = match dim.terms() {
        Some(terms) => terms.iter().map(|t| t.code.to_owned()).collect(),
        None => src
            .open_values(metric, dim)
            .into_iter()
            .filter(|v| v != UNKNOWN)
            .collect(),
    };
    out.push(UNKNOWN.to_owned());
    out
}

fn c1(src: &mut dyn Source, m: &mut Model, metric: &str, d: Dim, v: &str) -> Lin {
    src.cell(m, &CellKey::new(metric, &[(d, v)]))
}

fn c2(src: &mut dyn Source, m: &mut Model, metric: &str, a: (Dim, &str), b: (Dim, &str)) -> Lin {
    src.cell(m, &CellKey::new(metric, &[a, b]))
}

fn total(src: &mut dyn Source, m: &mut Model, metric: &str) -> Lin {
    src.cell(m, &CellKey::total(metric))
}

/// Every relation of every family, for one chapter's cells.
pub fn all(src: &mut dyn Source, m: &mut Model, public: &PublicCampaigns) {
    margins(src, m, registry::METRICS.iter().map(|x| x.id));
    no_workplace(src, m);
    county_in_state(src, m);
    union_identity(src, m);
    majority(src, m);
    members_need_workplaces(src, m);
    reserve(src, m);
    campaign_list(src, m, public);
    coworkers_need_workplaces(src, m);
}

/// [`MARGINS`] for some metrics.
pub fn margins<'a>(
    src: &mut dyn Source,
    m: &mut Model,
    metrics: impl IntoIterator<Item = &'a str>,
) {
    for id in metrics {
        let Some(metric) = registry::metric(id) else {
            continue;
        };
        let t = total(src, m, id);
        for table in metric.tables {
            match table {
                [d] => {
                    let cells: Vec<Lin> = domain(src, id, *d)
                        .iter()
                        .map(|v| c1(src, m, id, *d, v))
                        .collect();
                    m.eq(MARGINS, &Lin::sum(&cells), &t);
                }
                [a, b] => {
                    let (da, db) = (domain(src, id, *a), domain(src, id, *b));
                    for x in &da {
                        let row: Vec<Lin> = db
                            .iter()
                            .map(|y| c2(src, m, id, (*a, x), (*b, y)))
                            .collect();
                        let margin = c1(src, m, id, *a, x);
                        m.eq(MARGINS, &Lin::sum(&row), &margin);
                    }
                    for y in &db {
                        let col: Vec<Lin> = da
                            .iter()
                            .map(|x| c2(src, m, id, (*a, x), (*b, y)))
                            .collect();
                        let margin = c1(src, m, id, *b, y);
                        m.eq(MARGINS, &Lin::sum(&col), &margin);
                    }
                }
                _ => {}
            }
        }
    }
}

/// [`NO_WORKPLACE`]. `aggregate.rs::members` joins each member's primary workplace with a LEFT
/// JOIN and reads sector, state, county and stage from it; `workplaces.stage` is `NOT NULL
/// CHECK (stage BETWEEN 0 AND 5)` (migration 0001), so `members[stage=unknown]` counts exactly the
/// members without a primary workplace (`N0`), and each of them is also unknown in sector, state
/// and county.
pub fn no_workplace(src: &mut dyn Source, m: &mut Model) {
    let n0 = c1(src, m, "members", Dim::Stage, UNKNOWN);
    for d in [Dim::Sector, Dim::State, Dim::County] {
        let unk = c1(src, m, "members", d, UNKNOWN);
        m.ge(NO_WORKPLACE, &unk, &n0);
    }
    let both = c2(
        src,
        m,
        "members",
        (Dim::Sector, UNKNOWN),
        (Dim::Stage, UNKNOWN),
    );
    m.eq(NO_WORKPLACE, &both, &n0);
}

/// [`COUNTY_IN_STATE`]. `domain/workplaces/create.rs::validate` refuses a county FIPS whose first
/// two digits are not the workplace's state's FIPS code (when both are set); either may be NULL.
/// So members in county `c` are in state `S(c)` or in state `unknown` (with a workplace: not among
/// `N0`). With a latent `A_S` (members of state `S` whose county is known):
/// `A_S <= members[state=S]`, `A_S <= sum of members[county=c in S]`, and
/// `sum_S A_S + (members[state=unknown] - N0) >= sum of members[county=known]`.
pub fn county_in_state(src: &mut dyn Source, m: &mut Model) {
    let counties: Vec<String> = src
        .open_values("members", Dim::County)
        .into_iter()
        .filter(|c| c != UNKNOWN)
        .collect();
    if counties.is_empty() {
        return;
    }
    let cap = src.cap("members");
    let mut by_state: std::collections::BTreeMap<&str, Vec<Lin>> = Default::default();
    let mut known = Vec::new();
    for c in &counties {
        let Some(state) = c
            .get(..2)
            .and_then(|p| registry::STATE_FIPS.iter().find(|(_, f)| *f == p))
            .map(|(s, _)| *s)
        else {
            continue;
        };
        let cell = c1(src, m, "members", Dim::County, c);
        by_state.entry(state).or_default().push(cell.clone());
        known.push(cell);
    }
    let mut a_total = Vec::new();
    for (state, cells) in by_state {
        let a = Lin::var(m.var(
            format!("latent A[{state}] members with a known county"),
            0,
            cap,
        ));
        let s = c1(src, m, "members", Dim::State, state);
        m.le(COUNTY_IN_STATE, &a, &s);
        m.le(COUNTY_IN_STATE, &a, &Lin::sum(&cells));
        a_total.push(a);
    }
    let n0 = c1(src, m, "members", Dim::Stage, UNKNOWN);
    let state_unknown = c1(src, m, "members", Dim::State, UNKNOWN);
    let mut lhs = Lin::sum(&a_total);
    lhs.add(&state_unknown, 1);
    lhs.add(&n0, -1);
    m.ge(COUNTY_IN_STATE, &lhs, &Lin::sum(&known));
}

/// Union codes that only a keyword match gives (`vocab.rs::UNION_KEYWORDS`): every code but
/// `none` and `other`.
fn keyword_unions() -> impl Iterator<Item = &'static str> {
    registry::UNIONS
        .iter()
        .map(|t| t.code)
        .filter(|c| *c != "none" && *c != "other")
}

/// [`UNION_IDENTITY`]. `members/save.rs::derive` sets the union code from the union role with
/// `vocab::union_code`: role none or organizing → `none`; any other role → a keyword's code,
/// `other` for unmatched text, unknown for no text; unknown role → a keyword's code or unknown.
/// So `members[union=none] = members[us=none] + members[us=organizing]`, `other` only comes from
/// roles member/steward/officer/staff/retired, and members of unknown role sit in keyword unions
/// or unknown. (A hand-set union code, `update_node_fields` with `union_code`, can break this;
/// the import and the role edits the synthetic chapters make keep it. The test checks that the
/// true cells satisfy every relation.)
pub fn union_identity(src: &mut dyn Source, m: &mut Model) {
    let us =
        |src: &mut dyn Source, m: &mut Model, v: &str| c1(src, m, "members", Dim::UnionStatus, v);
    let un = |src: &mut dyn Source, m: &mut Model, v: &str| c1(src, m, "members", Dim::Union, v);
    let none = un(src, m, "none");
    let not_in_union = Lin::sum(&[us(src, m, "none"), us(src, m, "organizing")]);
    m.eq(UNION_IDENTITY, &none, &not_in_union);
    let memberish: Vec<Lin> = ["member", "steward", "officer", "staff", "retired"]
        .iter()
        .map(|r| us(src, m, r))
        .collect();
    let other = un(src, m, "other");
    m.le(UNION_IDENTITY, &other, &Lin::sum(&memberish));
    let mut room: Vec<Lin> = keyword_unions().map(|c| un(src, m, c)).collect();
    room.push(un(src, m, UNKNOWN));
    let unknown_role = us(src, m, UNKNOWN);
    m.le(UNION_IDENTITY, &unknown_role, &Lin::sum(&room));
}

/// [`MAJORITY`]. `aggregate.rs` counts `majority-workplaces` as workplaces with
/// `stage < 3 AND supporters * 2 > workforce_size`, by the same `sector` column as `workplaces`:
/// per sector (and in total) `majority <= workplaces at stages 0-2`.
pub fn majority(src: &mut dyn Source, m: &mut Model) {
    for s in domain(src, "workplaces", Dim::Sector) {
        let maj = c1(src, m, "majority-workplaces", Dim::Sector, &s);
        let low: Vec<Lin> = ["0", "1", "2"]
            .iter()
            .map(|x| c2(src, m, "workplaces", (Dim::Sector, &s), (Dim::Stage, x)))
            .collect();
        m.le(MAJORITY, &maj, &Lin::sum(&low));
    }
    let maj = total(src, m, "majority-workplaces");
    let low: Vec<Lin> = ["0", "1", "2"]
        .iter()
        .map(|x| c1(src, m, "workplaces", Dim::Stage, x))
        .collect();
    m.le(MAJORITY, &maj, &Lin::sum(&low));
}

/// [`MEMBERS_NEED_WORKPLACES`]. A member's sector, state and stage are read from a row of
/// `workplaces`, which the `workplaces` metric counts by the same columns: members in a cell
/// imply at least one workplace in the matching cell (`members <= T * workplaces`, T the members
/// total). Members unknown in sector or state include the `N0` without a workplace.
pub fn members_need_workplaces(src: &mut dyn Source, m: &mut Model) {
    let t = src.cap("members");
    let n0 = c1(src, m, "members", Dim::Stage, UNKNOWN);
    for x in ["0", "1", "2", "3", "4", "5"] {
        let mem = c1(src, m, "members", Dim::Stage, x);
        let wp = c1(src, m, "workplaces", Dim::Stage, x);
        m.le(MEMBERS_NEED_WORKPLACES, &mem, &wp.times(t));
        for s in domain(src, "members", Dim::Sector) {
            let mem = c2(src, m, "members", (Dim::Sector, &s), (Dim::Stage, x));
            let wp = c2(src, m, "workplaces", (Dim::Sector, &s), (Dim::Stage, x));
            m.le(MEMBERS_NEED_WORKPLACES, &mem, &wp.times(t));
        }
    }
    for d in [Dim::Sector, Dim::State] {
        for v in domain(src, "members", d) {
            let mut mem = c1(src, m, "members", d, &v);
            if v == UNKNOWN {
                mem.add(&n0, -1);
            }
            let wp = c1(src, m, "workplaces", d, &v);
            m.le(MEMBERS_NEED_WORKPLACES, &mem, &wp.times(t));
        }
    }
}

/// [`RESERVE`]. `domain/reserve.rs::opt_in` stores languages through `vocab::language_list`
/// (valid codes, each once) and skills checked by `vocab::is_skill` under a primary key; the
/// aggregates count one per language spoken (`unknown` once for an organizer with none) and one
/// per skill (`LEFT JOIN`: `unknown` once for an organizer with none). With R organizers:
/// `unknown <= R`, each value `+ unknown <= R`, and the table's total `>= R`.
pub fn reserve(src: &mut dyn Source, m: &mut Model) {
    let r = total(src, m, "reserve-organizers");
    for (metric, dim) in [
        ("reserve-languages", Dim::Language),
        ("reserve-skills", Dim::Skill),
    ] {
        let unk = c1(src, m, metric, dim, UNKNOWN);
        m.le(RESERVE, &unk, &r);
        for v in domain(src, metric, dim) {
            if v == UNKNOWN {
                continue;
            }
            let cell = c1(src, m, metric, dim, &v);
            m.le(RESERVE, &Lin::sum(&[cell, unk.clone()]), &r);
        }
        let t = total(src, m, metric);
        m.ge(RESERVE, &t, &r);
    }
}

/// The report's public campaigns, counted the way the attacker uses them.
#[derive(Clone, Debug, Default)]
pub struct PublicCampaigns {
    /// `(type, status)` of each public campaign.
    pub kinds: Vec<(String, String)>,
    /// How many are priority campaigns with a labor component.
    pub priority_labor: i64,
}

/// [`CAMPAIGN_LIST`]. `aggregate.rs::public_campaigns` lists campaigns with `public = 1 AND
/// approval <> 'rejected'`, a subset of what the `campaigns` metric counts (`approval <>
/// 'rejected'`), each with its type and status (checked codes, `domain/campaigns.rs`). So each
/// campaign cell is at least the number of listed campaigns it holds, and
/// `priority-labor-campaigns` is at least the listed priority campaigns with a labor component and
/// at most all campaigns.
pub fn campaign_list(src: &mut dyn Source, m: &mut Model, public: &PublicCampaigns) {
    let mut by_pair: std::collections::BTreeMap<(&str, &str), i64> = Default::default();
    let mut by_type: std::collections::BTreeMap<&str, i64> = Default::default();
    let mut by_status: std::collections::BTreeMap<&str, i64> = Default::default();
    for (t, s) in &public.kinds {
        *by_pair.entry((t, s)).or_default() += 1;
        *by_type.entry(t).or_default() += 1;
        *by_status.entry(s).or_default() += 1;
    }
    for ((t, s), n) in by_pair {
        let cell = c2(
            src,
            m,
            "campaigns",
            (Dim::CampaignType, t),
            (Dim::CampaignStatus, s),
        );
        m.ge(CAMPAIGN_LIST, &cell, &Lin::constant(n));
    }
    for (t, n) in by_type {
        let cell = c1(src, m, "campaigns", Dim::CampaignType, t);
        m.ge(CAMPAIGN_LIST, &cell, &Lin::constant(n));
    }
    for (s, n) in by_status {
        let cell = c1(src, m, "campaigns", Dim::CampaignStatus, s);
        m.ge(CAMPAIGN_LIST, &cell, &Lin::constant(n));
    }
    let p = total(src, m, "priority-labor-campaigns");
    m.ge(CAMPAIGN_LIST, &p, &Lin::constant(public.priority_labor));
    let all = total(src, m, "campaigns");
    m.le(CAMPAIGN_LIST, &p, &all);
}

/// [`COWORKERS_NEED_WORKPLACES`]. `aggregate.rs` sums recruitments joined to their workplace and
/// grouped by the workplace's sector: coworkers in a sector imply a workplace in it.
pub fn coworkers_need_workplaces(src: &mut dyn Source, m: &mut Model) {
    let cap = src.cap("coworkers-recruited");
    for s in domain(src, "coworkers-recruited", Dim::Sector) {
        let c = c1(src, m, "coworkers-recruited", Dim::Sector, &s);
        let w = c1(src, m, "workplaces", Dim::Sector, &s);
        m.le(COWORKERS_NEED_WORKPLACES, &c, &w.times(cap));
    }
}
