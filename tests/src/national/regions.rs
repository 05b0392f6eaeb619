//! States, their populations, and how the national-scale demo groups them into regions.
//!
//! The South is the Census Bureau's South region (sixteen states and DC, including Delaware,
//! Maryland, DC and Oklahoma) and is always one region of its own. The other states start as the
//! Census Northeast, Midwest and West; asking for more regions splits the most populous group,
//! first into its Census divisions, then in two at its population midpoint along a walk across
//! the map, so every region stays geographically together.

/// A state (or DC): USPS code, name, 2020 Census population in thousands.
pub type State = (&'static str, &'static str, u32);

/// The Census South, in a walk across the map.
pub static SOUTH: &[State] = &[
    ("DE", "Delaware", 990),
    ("MD", "Maryland", 6177),
    ("DC", "District of Columbia", 690),
    ("VA", "Virginia", 8631),
    ("WV", "West Virginia", 1794),
    ("KY", "Kentucky", 4506),
    ("TN", "Tennessee", 6911),
    ("NC", "North Carolina", 10439),
    ("SC", "South Carolina", 5118),
    ("GA", "Georgia", 10712),
    ("FL", "Florida", 21538),
    ("AL", "Alabama", 5024),
    ("MS", "Mississippi", 2961),
    ("LA", "Louisiana", 4658),
    ("AR", "Arkansas", 3012),
    ("OK", "Oklahoma", 3959),
    ("TX", "Texas", 29146),
];

/// A Census division (named our way): its name and states, in a walk across the map.
type Division = (&'static str, &'static [State]);

/// The Census divisions outside the South, grouped by Census region.
static DIVISIONS: &[(&str, &[Division])] = &[
    (
        "Northeast",
        &[
            (
                "New England",
                &[
                    ("ME", "Maine", 1362),
                    ("NH", "New Hampshire", 1378),
                    ("VT", "Vermont", 643),
                    ("MA", "Massachusetts", 7030),
                    ("RI", "Rhode Island", 1097),
                    ("CT", "Connecticut", 3606),
                ],
            ),
            (
                "Mid-Atlantic",
                &[
                    ("NY", "New York", 20201),
                    ("NJ", "New Jersey", 9289),
                    ("PA", "Pennsylvania", 13003),
                ],
            ),
        ],
    ),
    (
        "Midwest",
        &[
            (
                "Great Lakes",
                &[
                    ("OH", "Ohio", 11799),
                    ("MI", "Michigan", 10077),
                    ("IN", "Indiana", 6786),
                    ("IL", "Illinois", 12813),
                    ("WI", "Wisconsin", 5894),
                ],
            ),
            (
                "Great Plains",
                &[
                    ("MN", "Minnesota", 5706),
                    ("IA", "Iowa", 3190),
                    ("MO", "Missouri", 6155),
                    ("KS", "Kansas", 2938),
                    ("NE", "Nebraska", 1962),
                    ("SD", "South Dakota", 887),
                    ("ND", "North Dakota", 779),
                ],
            ),
        ],
    ),
    (
        "West",
        &[
            (
                "Mountain",
                &[
                    ("MT", "Montana", 1084),
                    ("ID", "Idaho", 1839),
                    ("WY", "Wyoming", 577),
                    ("CO", "Colorado", 5774),
                    ("NM", "New Mexico", 2118),
                    ("AZ", "Arizona", 7152),
                    ("UT", "Utah", 3272),
                    ("NV", "Nevada", 3105),
                ],
            ),
            (
                "Pacific",
                &[
                    ("WA", "Washington", 7705),
                    ("OR", "Oregon", 4237),
                    ("CA", "California", 39538),
                    ("AK", "Alaska", 733),
                    ("HI", "Hawaii", 1455),
                ],
            ),
        ],
    ),
];

/// Most regions: the South and one per other state.
pub fn max_regions() -> usize {
    1 + others().len()
}

/// Every state outside the South, in map order.
pub fn others() -> Vec<State> {
    DIVISIONS
        .iter()
        .flat_map(|(_, ds)| ds.iter().flat_map(|(_, ss)| ss.iter().copied()))
        .collect()
}

/// Every state and DC.
pub fn all() -> Vec<State> {
    let mut v = SOUTH.to_vec();
    v.extend(others());
    v
}

/// Whether a USPS code is in the Census South.
pub fn is_southern(usps: &str) -> bool {
    SOUTH.iter().any(|(s, _, _)| *s == usps)
}

/// A region: its name and states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// "Southern Region", "Northeast Region", ...
    pub name: String,
    /// Its states, in map order.
    pub states: Vec<State>,
    /// The South.
    pub south: bool,
}

fn population(states: &[State]) -> u64 {
    states.iter().map(|(_, _, p)| u64::from(*p)).sum()
}

fn region(name: &str, states: Vec<State>) -> Region {
    Region {
        name: format!("{name} Region"),
        states,
        south: false,
    }
}

/// `count` regions (at least 1, at most [`max_regions`]): the South first, then the others.
/// With one region, only the South has a regional hub (other chapters report to national).
pub fn partition(count: usize) -> Vec<Region> {
    let mut out = vec![Region {
        name: "Southern Region".to_owned(),
        states: SOUTH.to_vec(),
        south: true,
    }];
    let k = count.clamp(1, max_regions()) - 1;
    if k == 0 {
        return out;
    }
    let census = |i: usize| -> Vec<State> {
        DIVISIONS
            .get(i)
            .map(|(_, ds)| ds.iter().flat_map(|(_, ss)| ss.iter().copied()).collect())
            .unwrap_or_default()
    };
    let mut groups: Vec<Region> = if k == 1 {
        vec![region("Northern and Western", others())]
    } else if k == 2 {
        let mut north = census(0);
        north.extend(census(1));
        vec![region("Northern", north), region("Western", census(2))]
    } else {
        DIVISIONS
            .iter()
            .enumerate()
            .map(|(i, (name, _))| region(name, census(i)))
            .collect()
    };
    while groups.len() < k {
        // The most populous group that can still be split.
        let Some((at, _)) = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.states.len() > 1)
            .max_by_key(|(i, g)| (population(&g.states), std::cmp::Reverse(*i)))
        else {
            break;
        };
        let g = groups.remove(at);
        let parts = split(&g);
        for (j, p) in parts.into_iter().enumerate() {
            groups.insert(at + j, p);
        }
    }
    out.extend(groups);
    out
}

/// Splits a Census region into its divisions, anything else in two at its population midpoint.
fn split(g: &Region) -> Vec<Region> {
    for (name, divisions) in DIVISIONS {
        if g.name == format!("{name} Region") {
            return divisions
                .iter()
                .map(|(d, ss)| region(d, ss.to_vec()))
                .collect();
        }
    }
    let total = population(&g.states);
    let mut best = (u64::MAX, 1);
    let mut left = 0u64;
    for i in 1..g.states.len() {
        left += u64::from(g.states[i - 1].2);
        let diff = left.abs_diff(total - left);
        if diff < best.0 {
            best = (diff, i);
        }
    }
    let (a, b) = g.states.split_at(best.1);
    [a, b]
        .into_iter()
        .map(|part| {
            let name = if let [(_, name, _)] = part {
                format!("{name} Region")
            } else {
                let base = g.name.trim_end_matches(" Region");
                let base = base.split(" (").next().unwrap_or(base);
                let codes: Vec<&str> = part.iter().map(|(s, _, _)| *s).collect();
                format!("{base} Region ({})", codes.join(" "))
            };
            Region {
                name,
                states: part.to_vec(),
                south: false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_partition_every_state_once_with_the_south_alone() {
        for count in 1..=max_regions() {
            let rs = partition(count);
            assert_eq!(rs.len(), count);
            assert!(rs[0].south);
            assert!(rs[0].states.iter().all(|(s, _, _)| is_southern(s)));
            assert!(rs[1..].iter().all(|r| !r.south && !r.states.is_empty()));
            let mut seen: Vec<&str> = rs
                .iter()
                .flat_map(|r| r.states.iter().map(|s| s.0))
                .collect();
            let n = seen.len();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), n, "a state in two regions at {count}");
            if count > 1 {
                assert_eq!(n, all().len());
            }
            let mut names: Vec<&str> = rs.iter().map(|r| r.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "two regions share a name at {count}");
        }
    }

    #[test]
    fn every_state_has_counties_in_the_tables() {
        for (s, _, _) in all() {
            assert!(
                crate::synth::tables::COUNTIES.iter().any(|c| c.state == s),
                "no county for {s}"
            );
        }
    }
}
