//! Disclosure control over a whole report: relations between metrics, stated in the registry,
//! must not let a reader pin a withheld cell that each metric's own margins protect.

use shopfloor_protocol::disclosure::{
    Problem, audit, audit_report, check_report, intervals_report, suppress, suppress_report,
};
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::report::PublicCampaign;
use shopfloor_protocol::{Cell, CellKey, DisclosurePolicy};

fn c(metric: &str, dims: &[(Dim, &str)], v: u64) -> Cell {
    Cell::count(CellKey::new(metric, dims), v)
}

fn policy() -> DisclosurePolicy {
    DisclosurePolicy { k: 5 }
}

/// Union status none 38, organizing 3, member 50, steward 4, officer 5; the union table says
/// `none` 41. Margins alone protect organizing and steward (each 1..6), but `union = none` is
/// exactly `union-status in {none, organizing}`, so organizing = 41 − 38 = 3.
fn union_cells() -> Vec<Cell> {
    vec![
        c("members", &[], 100),
        c("members", &[(Dim::UnionStatus, "none")], 38),
        c("members", &[(Dim::UnionStatus, "organizing")], 3),
        c("members", &[(Dim::UnionStatus, "member")], 50),
        c("members", &[(Dim::UnionStatus, "steward")], 4),
        c("members", &[(Dim::UnionStatus, "officer")], 5),
        c("members", &[(Dim::Union, "none")], 41),
        c("members", &[(Dim::Union, "seiu")], 59),
    ]
}

#[test]
fn union_identity_cannot_pin_a_withheld_union_status() {
    let organizing = CellKey::new("members", &[(Dim::UnionStatus, "organizing")]);
    // Per-table suppression is blind to the identity: its own audit passes, the report audit
    // finds the pinned cell.
    let mut margins_only = union_cells();
    suppress(&mut margins_only, &policy());
    assert!(audit(&margins_only, 5).is_empty());
    let findings = audit_report(&margins_only, 5, &[]);
    assert!(
        findings
            .iter()
            .any(|f| f.key == organizing && f.problem == Problem::Exact && f.lo == 3),
        "{findings:?}"
    );
    assert!(check_report(&margins_only, 5, &[]).is_err());

    // Suppression over the whole report withholds enough to keep it open.
    let mut cells = union_cells();
    suppress_report(&mut cells, &policy(), &[]);
    assert_eq!(audit_report(&cells, 5, &[]), Vec::new());
    let iv = intervals_report(&cells, &[]);
    let (lo, hi) = iv.get(&organizing).copied().unwrap_or((0, 0));
    assert!(lo < hi && hi >= 5, "organizing is {lo}..{hi}");
}

#[test]
fn public_campaigns_are_lower_bounds_the_audit_knows() {
    // Two organizing campaigns, one won, one active; the public list shows the won one. The
    // withheld `won` cell is then at least 1 — which it always is — but a public list of 3 won
    // campaigns on a withheld cell of 3 pins it.
    let campaign = |id: &str| PublicCampaign {
        id: id.into(),
        title: format!("Campaign {id}"),
        kind: "new-organizing".into(),
        status: "won".into(),
        sector: None,
        priority: false,
        labor_component: true,
        metrics: Vec::new(),
    };
    let public = vec![campaign("c1"), campaign("c2"), campaign("c3")];
    let make = || {
        vec![
            c("campaigns", &[], 12),
            c("campaigns", &[(Dim::CampaignType, "new-organizing")], 12),
            c(
                "campaigns",
                &[
                    (Dim::CampaignType, "new-organizing"),
                    (Dim::CampaignStatus, "won"),
                ],
                3,
            ),
            c(
                "campaigns",
                &[
                    (Dim::CampaignType, "new-organizing"),
                    (Dim::CampaignStatus, "active"),
                ],
                4,
            ),
            c(
                "campaigns",
                &[
                    (Dim::CampaignType, "new-organizing"),
                    (Dim::CampaignStatus, "planning"),
                ],
                5,
            ),
            c("campaigns", &[(Dim::CampaignStatus, "won")], 3),
            c("campaigns", &[(Dim::CampaignStatus, "active")], 4),
            c("campaigns", &[(Dim::CampaignStatus, "planning")], 5),
            c("priority-labor-campaigns", &[], 0),
        ]
    };
    let mut blind = make();
    suppress(&mut blind, &policy());
    let findings = audit_report(&blind, 5, &public);
    assert!(!findings.is_empty(), "the public list pins the won cell");

    let mut cells = make();
    suppress_report(&mut cells, &policy(), &public);
    assert_eq!(audit_report(&cells, 5, &public), Vec::new());
}
