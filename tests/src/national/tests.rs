//! The national plan's shape.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn national_plan_is_heavy_tailed_about_100k_members_and_deterministic() {
    let opts = Options::new(250, 10, 12);
    let plan = plan(&opts).unwrap();
    assert_eq!(plan, super::plan(&opts).unwrap());
    assert_eq!(plan.chapters.len(), 250);
    assert_eq!(plan.regions.len(), 10);
    let mut sizes: Vec<usize> = plan.chapters.iter().map(|c| c.members).collect();
    sizes.sort_unstable();
    let total: usize = sizes.iter().sum();
    assert!((85_000..=115_000).contains(&total), "{total} members");
    assert_eq!(sizes[0], 20);
    assert_eq!(sizes[249], 10_000);
    // Heavy-tailed: the median chapter is well below the mean, a tenth of chapters hold about
    // half the members.
    assert!(sizes[125] * 3 < (total / 250) * 2, "median {}", sizes[125]);
    let top: usize = sizes[225..].iter().sum();
    assert!(
        top * 3 > total,
        "the largest 25 chapters hold {top} of {total}"
    );
    let mut ids: Vec<&str> = plan.chapters.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 250, "two chapters share an id");
    for (i, r) in plan.regions.iter().enumerate() {
        let in_r: Vec<_> = plan
            .chapters
            .iter()
            .filter(|c| c.region == Some(i))
            .collect();
        assert!(!in_r.is_empty(), "{} has no chapter", r.name);
        for c in in_r {
            assert!(r.states.iter().any(|(s, _, _)| *s == c.state));
            assert!(
                c.county.starts_with(
                    shopfloor_protocol::registry::STATE_FIPS
                        .iter()
                        .find(|(s, _)| *s == c.state)
                        .unwrap()
                        .1
                )
            );
        }
    }
    // Texas and California hold more chapters than Wyoming and Vermont.
    let count = |s: &str| plan.chapters.iter().filter(|c| c.state == s).count();
    assert!(count("CA") + count("TX") > count("WY") + count("VT"));
}
