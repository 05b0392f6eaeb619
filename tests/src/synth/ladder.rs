//! What makes a generated chapter's year look real (issue 19, item 15): employer names that
//! belong in the chapter's state, ladder steps spread over the year with notes an organizer
//! would write, and the organizers (not "synth") who recorded them.

use jiff::civil::Date;

use super::{Rng, days_before};

/// Employer-name prefixes that name a place, with the states they belong in.
const PLACE_PREFIXES: &[(&str, &[&str])] = &[
    ("Piedmont", &["NC", "SC", "VA", "GA", "AL"]),
    ("Bull City", &["NC"]),
    ("Gulf Coast", &["TX", "LA", "MS", "AL", "FL"]),
    ("Bayou", &["LA", "MS", "TX"]),
    ("Magnolia", &["MS", "LA", "TX", "AL"]),
    ("Lone Star", &["TX"]),
    ("Bluebonnet", &["TX"]),
    ("Tidewater", &["VA", "NC", "MD"]),
    ("Cypress", SOUTH),
    ("Live Oak", SOUTH),
    ("Pine Tree", &["ME"]),
    ("Casco Bay", &["ME"]),
    ("Southern Star", SOUTH),
    ("Red Clay", &["GA", "NC", "SC", "AL"]),
    ("Crescent", &["LA"]),
    ("Longleaf", &["NC", "SC", "GA", "AL", "MS", "FL"]),
    ("Sandhills", &["NC", "SC"]),
    ("Blue Ridge", &["NC", "VA", "TN", "GA"]),
    ("Palmetto", &["SC", "FL"]),
    ("Sunbelt", SOUTH),
    ("Northwoods", &["ME", "NH", "VT", "MN", "WI", "MI"]),
];

/// The South as the generator's tables draw it.
const SOUTH: &[&str] = &[
    "NC", "SC", "VA", "GA", "FL", "AL", "MS", "LA", "TX", "TN", "KY", "AR", "OK", "WV",
];

/// Prefixes that fit anywhere.
const ANYWHERE: &[&str] = &[
    "Cardinal",
    "Riverbend",
    "Harbor",
    "Summit",
    "Main Street",
    "Evergreen",
    "Crossroads",
    "Union Square",
];

/// The employer-name prefixes that fit a workplace in `state`.
pub fn employer_prefixes(state: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = ANYWHERE.to_vec();
    out.extend(
        PLACE_PREFIXES
            .iter()
            .filter(|(_, states)| states.contains(&state))
            .map(|(p, _)| *p),
    );
    out
}

/// Whether an employer's name fits `state`: it starts with no place prefix, or with one of the
/// state's own ("Lone Star Market" is not in North Carolina).
pub fn employer_fits(employer: &str, state: &str) -> bool {
    PLACE_PREFIXES
        .iter()
        .filter(|(p, _)| employer.starts_with(&format!("{p} ")))
        .all(|(_, states)| states.contains(&state))
}

/// What organizers write when a workplace reaches a stage (index = stage; 0 is the mapping).
const NOTES: &[&[&str]] = &[
    &[
        "added after a tip from a member at the general meeting",
        "a member works here; starting to map it",
        "heard about the layoffs at the canvass",
    ],
    &[
        "first one-on-one, with a lead on the night shift",
        "mapped the break room and the shift change",
        "two coworkers reached out after the town hall",
        "got a copy of the schedule; mapping departments",
        "met a worker at the canvass and set up a one-on-one",
    ],
    &[
        "organizing committee met for the first time",
        "committee now covers both shifts",
        "committee agreed on the top issues: schedules, pay, safety",
        "first committee meeting at the library, six people",
        "committee trained on structure tests",
    ],
    &[
        "majority signed the petition on scheduling",
        "structure test: most of the floor wore the buttons",
        "assessment shows majority support in every department",
        "petition delivered with a majority of signatures",
    ],
    &[
        "went public with a march on the boss",
        "filed for an election with the NLRB",
        "delegation to management at shift change",
        "rally at the gate; the local paper covered it",
    ],
    &[
        "won the election",
        "first contract ratified",
        "recognized; bargaining committee elected",
        "contract ratified by a wide margin",
    ],
];

/// A note for reaching `stage`.
pub fn note(rng: &mut Rng, stage: i64) -> &'static str {
    let i = usize::try_from(stage.clamp(0, 5)).unwrap_or(0);
    rng.pick_copy(NOTES[i])
}

/// An RFC 3339 time on `day` during working hours in the eastern and central US
/// (13:00–23:59 UTC), minutes varied.
pub fn at(rng: &mut Rng, day: Date) -> String {
    format!("{day}T{:02}:{:02}:00Z", rng.range(13, 23), rng.range(0, 59))
}

/// One step up the ladder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LadderStep {
    /// The stage reached.
    pub stage: i64,
    /// When (RFC 3339).
    pub at: String,
    /// What the organizer wrote.
    pub note: String,
}

/// When the workplace was added (RFC 3339) and its steps up to `stage`, on distinct days of
/// the year before `as_of`, oldest first.
pub fn climb(rng: &mut Rng, as_of: Date, stage: i64) -> (String, Vec<LadderStep>) {
    // Distinct days before as_of, the oldest (the workplace's creation) first.
    let mut offsets: Vec<i64> = Vec::new();
    let want = usize::try_from(stage.max(0)).unwrap_or(0) + 1;
    while offsets.len() < want {
        let d = rng.range(1, 364);
        if !offsets.contains(&d) {
            offsets.push(d);
        }
    }
    offsets.sort_unstable_by(|a, b| b.cmp(a));
    let created = at(rng, days_before(as_of, offsets[0]));
    let steps = offsets[1..]
        .iter()
        .zip(1..)
        .map(|(&d, s)| LadderStep {
            stage: s,
            at: at(rng, days_before(as_of, d)),
            note: note(rng, s).to_owned(),
        })
        .collect();
    (created, steps)
}

/// The user names of the chapter's organizers who record ladder steps: the leads of its first
/// pods, written `first.last` (plain ASCII), or the chapter's own `admin` when it has none.
pub fn organizers(chapter: &super::Chapter) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in chapter.pods.iter().take(4) {
        for &m in p.leads.iter().take(1) {
            if let Some(member) = chapter.members.get(m) {
                let first = member
                    .first_name
                    .split_whitespace()
                    .next()
                    .map(super::ascii_fold)
                    .unwrap_or_default();
                let last = super::ascii_fold(&member.last_name);
                let name = format!("{first}.{last}");
                if first.is_empty() || last.is_empty() || out.contains(&name) {
                    continue;
                }
                out.push(name);
            }
        }
    }
    if out.is_empty() {
        out.push("admin".to_owned());
    }
    out
}
