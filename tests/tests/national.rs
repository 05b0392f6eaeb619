//! The demo at national scale, small: chapters in real states, the South as its own region,
//! several months of reports through real hubs on loopback, every national rollup verified.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use shopfloor_hub::enroll as hub_enroll;
use shopfloor_protocol::Kind;
use shopfloor_testbed::national::{self, National, Options, regions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn national_demo_verifies_every_period_with_the_south_as_its_own_region() {
    let opts = Options::new(12, 3, 2);
    let plan = national::plan(&opts).unwrap();
    assert_eq!(plan.chapters.len(), 12);
    assert_eq!(plan.regions.len(), 3);
    let south = &plan.regions[0];
    assert!(south.south);
    assert!(!south.states.is_empty());
    assert!(south.states.iter().all(|(s, _, _)| regions::is_southern(s)));
    assert!(
        plan.regions[1..]
            .iter()
            .all(|r| r.states.iter().all(|(s, _, _)| !regions::is_southern(s)))
    );
    let periods = national::periods(opts.periods).unwrap();
    let mut fed = National::build(plan.clone(), &opts, periods[0])
        .await
        .unwrap();

    // What the hubs hold, not only what was planned: national's children are the regional hubs
    // and the chapters that report straight to it; each regional hub's are its chapters.
    let national_children = hub_enroll::children(fed.national.hub.store()).unwrap();
    let regional_children = national_children
        .iter()
        .filter(|c| c.kind == Kind::Regional)
        .count();
    assert_eq!(regional_children, 3);
    let mut chapters = national_children
        .iter()
        .filter(|c| c.kind == Kind::Chapter)
        .count();
    for r in &fed.regionals {
        let children = hub_enroll::children(r.server.hub.store()).unwrap();
        assert!(!children.is_empty(), "{} has no chapter", r.region.name);
        for c in &children {
            assert_eq!(c.kind, Kind::Chapter);
            let state = c.state.as_deref().unwrap();
            assert_eq!(
                regions::is_southern(state),
                r.region.south,
                "{} ({state}) is under {}",
                c.name,
                r.region.name
            );
            assert!(r.region.states.iter().any(|(s, _, _)| *s == state));
        }
        chapters += children.len();
    }
    assert_eq!(chapters, 12);

    let mut totals = Vec::new();
    for p in periods {
        let out = fed.run_period(p).await.unwrap();
        assert_eq!(out.summary.period, Some(p));
        assert_eq!(out.summary.chapters, 12, "{}", out.summary);
        assert_eq!(out.summary.hubs, 4, "{}", out.summary);
        assert_eq!(out.summary.missing, 0, "{}", out.summary);
        assert_eq!(out.delivered, 12);
        assert_eq!(out.forwarded, 3);
        assert!(out.members > 0);
        totals.push(out.members);
    }
    // The months differ: joins, lapses and renewals move the national total.
    assert_ne!(
        totals[0], totals[1],
        "the member series is flat: {totals:?}"
    );
    // And every chapter's second month changed something.
    for c in &fed.chapters {
        let m = c.months.last().unwrap();
        assert!(m.joins > 0, "{} had no joins", c.plan.name);
    }
    fed.stop().await.unwrap();
}
