use shopfloor_node::domain::{
    campaigns, members, pods, recruitments, reserve, trainings, workplaces,
};
use shopfloor_node::import::{ImportOptions, import_bytes};
use shopfloor_node::report;
use shopfloor_node::store::Store;
use shopfloor_protocol::envelope::Document as _;
use shopfloor_protocol::registry::{Dim, METRICS};
use shopfloor_protocol::{CellKey, CellValue, Period, Report};

use crate::util::{bin, cli_node, node, run, stderr};

const HEADER: &str = "actionkit_id,first_name,middle_name,last_name,email,mobile_phone,home_phone,work_phone,best_phone,do_not_call,p2ptext_optout,join_date,xdate,membership_status,membership_type,monthly_dues_status,yearly_dues_status,union_member,union_name,union_local,city,state,zip,preferred_language";

/// `n` members with a unique canary in every text field. Every 10th has a canary status (so
/// standing unknown), every 7th is lapsed; union answers vary.
pub fn canary_csv(n: usize) -> String {
    let mut s = String::from(HEADER);
    s.push('\n');
    for i in 1..=n {
        let c = |f: &str| format!("CANARY-{f}-{i}");
        let status = if i % 10 == 0 {
            c("membership_status")
        } else if i % 7 == 0 {
            "Lapsed".into()
        } else if i % 3 == 0 {
            "Member".into()
        } else {
            "Member in Good Standing".into()
        };
        let answer = match i % 4 {
            0 => "Yes, current union member".to_owned(),
            1 => "No, not a union member".to_owned(),
            2 => "Currently organizing my workplace".to_owned(),
            _ => c("union_member"),
        };
        let lang = if i % 2 == 0 { "es" } else { "en" };
        let row = [
            format!("{}", 900_000 + i),
            c("first_name"),
            c("middle_name"),
            c("last_name"),
            format!("canary-email-{i}@CANARY.example"),
            c("mobile_phone"),
            c("home_phone"),
            c("work_phone"),
            c("best_phone"),
            String::new(),
            "TRUE".into(),
            "2021-01-01".into(),
            "2030-01-01".into(),
            status,
            c("membership_type"),
            c("monthly_dues_status"),
            c("yearly_dues_status"),
            answer,
            format!("SEIU {}", c("union_name")),
            c("union_local"),
            c("city"),
            c("state"),
            c("zip"),
            lang.into(),
        ];
        let quoted: Vec<String> = row.iter().map(|v| format!("\"{v}\"")).collect();
        s.push_str(&quoted.join(","));
        s.push('\n');
    }
    s
}

/// Fills a node with canary members, workplaces, links, stages, pods, trainings, reserve,
/// campaigns and recruitment counts.
pub fn populate(store: &Store, n: usize) {
    // The canary list replaces whatever list the node had: confirmed, so that members of an
    // earlier list are marked missing however many they are.
    import_bytes(
        store,
        canary_csv(n).as_bytes(),
        &ImportOptions {
            confirm_missing: true,
            ..ImportOptions::default()
        },
        "test",
    )
    .unwrap();
    store
        .write(|tx| {
            let sectors = ["62", "44-45", "62", "61", "72", "62"];
            let mut wps = Vec::new();
            for (w, sector) in sectors.iter().enumerate() {
                let c = |f: &str| format!("CANARY-wp-{f}-{w}");
                let id = workplaces::create(
                    tx,
                    &workplaces::WorkplaceFields {
                        employer: c("employer"),
                        site: c("site"),
                        city: c("city"),
                        county_fips: Some("37063".into()),
                        state: Some("NC".into()),
                        sector: Some((*sector).into()),
                        naics_code: "622110".into(),
                        representation: if w % 2 == 0 {
                            "represented".into()
                        } else {
                            "organizing".into()
                        },
                        rep_union: c("rep_union"),
                        rep_local: c("rep_local"),
                        workforce_size: Some(200),
                        committee_size: 8,
                        supporters: if w == 0 { 150 } else { 20 },
                        notes: c("notes"),
                    },
                    "CANARY-actor",
                )?;
                workplaces::set_stage(
                    tx,
                    id,
                    i64::try_from(w % 6).unwrap(),
                    "CANARY-actor",
                    &c("stage_note"),
                )?;
                recruitments::record(tx, id, "2026-01-15", 7)?;
                recruitments::record(tx, id, "2025-12-15", 3)?;
                wps.push(id);
            }
            let ids: Vec<i64> = tx
                .prepare("SELECT id FROM members ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            trainings::upsert(
                tx,
                &trainings::Training {
                    code: "one-on-ones".into(),
                    title_en: "CANARY-training-title".into(),
                    title_es: "CANARY-training-titulo".into(),
                    source: "chapter".into(),
                },
            )?;
            let pod = pods::create(tx, "CANARY-pod-name", Some("62"))?;
            for (i, id) in ids.iter().enumerate() {
                if i % 5 != 4 {
                    let wp = wps[i % wps.len()];
                    workplaces::link_member(
                        tx,
                        &workplaces::Link {
                            member_id: *id,
                            workplace_id: wp,
                            job_title: format!("CANARY-job_title-{i}"),
                            since: Some("2020-05-01".into()),
                            is_primary: true,
                        },
                    )?;
                }
                members::update_node_fields(
                    tx,
                    *id,
                    &members::NodeFields {
                        readiness: Some(i64::try_from(i % 4 + 1).unwrap()),
                        languages: Some("en,es".into()),
                        ..Default::default()
                    },
                )?;
                if i % 2 == 0 {
                    trainings::complete(tx, *id, "one-on-ones", "2025-11-20")?;
                    pods::add_member(tx, pod, *id, i == 0)?;
                }
                if i % 3 == 0 {
                    reserve::opt_in(
                        tx,
                        &reserve::ReserveEntry {
                            member_id: *id,
                            languages: vec!["es".into(), "en".into()],
                            skills: vec!["one-on-ones".into(), "mapping".into()],
                            availability: format!("CANARY-availability-{i}"),
                            active: true,
                        },
                    )?;
                }
            }
            for i in 0..6 {
                shopfloor_node::domain::mentorships::start(tx, ids[i], ids[i + 10], "2025-06-01")?;
            }
            let secret = campaigns::create(
                tx,
                &campaigns::CampaignFields {
                    title: "CANARY-campaign-title".into(),
                    kind: "new-organizing".into(),
                    status: "active".into(),
                    approval: "approved".into(),
                    public: false,
                    priority: true,
                    labor_component: true,
                },
            )?;
            campaigns::set_metric(
                tx,
                secret,
                &campaigns::SuccessMetric {
                    name: "CANARY-metric".into(),
                    target: 10,
                    actual: 3,
                },
            )?;
            campaigns::add_workplace(tx, secret, wps[0])?;
            let public = campaigns::create(
                tx,
                &campaigns::CampaignFields {
                    title: "Medicare for All".into(),
                    kind: "legislative".into(),
                    status: "active".into(),
                    approval: "approved".into(),
                    public: true,
                    priority: true,
                    labor_component: false,
                },
            )?;
            campaigns::set_metric(
                tx,
                public,
                &campaigns::SuccessMetric {
                    name: "Doors knocked".into(),
                    target: 1000,
                    actual: 250,
                },
            )?;
            Ok(())
        })
        .unwrap();
}

fn build(dir: &shopfloor_node::datadir::DataDir, store: &Store, period: &str) -> report::Built {
    let config = dir.config().unwrap();
    let card = dir.card().unwrap();
    let period: Period = period.parse().unwrap();
    store
        .read(|c| {
            let ctx = report::context(c, &config, &card, period)?;
            report::build(c, &ctx)
        })
        .unwrap()
}

fn assert_safe(payload: &[u8], k: u64) -> Report {
    let text = String::from_utf8(payload.to_vec()).unwrap();
    assert!(
        !text.to_lowercase().contains("canary"),
        "a canary leaked into the report"
    );
    let report = Report::from_payload(payload).unwrap();
    assert_eq!(report.policy.k, k);
    for c in &report.cells {
        if let CellValue::Count(v) = c.value {
            assert!(
                c.key.dims.is_empty() || v == 0 || v >= k,
                "cell {} = {v} below k",
                c.key
            );
        }
    }
    report
}

#[test]
fn report_holds_no_member_or_workplace_string_and_no_small_cell() {
    let (_tmp, dir, store) = node();
    populate(&store, 120);
    let built = build(&dir, &store, "2026-01");
    let payload = report::payload(&built.report);
    let report = assert_safe(&payload, 5);
    // Every metric of the registry is present (at least its total).
    for m in METRICS {
        assert!(
            report.cell(&CellKey::total(m.id)).is_some(),
            "{} missing",
            m.id
        );
    }
    // members = present, not lapsed: 120 minus every 7th that is not also a 10th.
    let lapsed = (1..=120).filter(|i| i % 7 == 0 && i % 10 != 0).count() as u64;
    assert_eq!(
        report.cell(&CellKey::total("members")),
        Some(CellValue::Count(120 - lapsed))
    );
    assert_eq!(
        report.cell(&CellKey::total("lapsed-members")),
        Some(CellValue::Count(lapsed))
    );
    assert_eq!(
        report.cell(&CellKey::total("workplaces")),
        Some(CellValue::Count(6))
    );
    assert_eq!(
        report.cell(&CellKey::total("coworkers-recruited")),
        Some(CellValue::Count(42))
    );
    assert_eq!(
        report.cell(&CellKey::total("trainings-completed")),
        Some(CellValue::Count(60))
    );
    assert_eq!(
        report.cell(&CellKey::total("mentorships-active")),
        Some(CellValue::Count(6))
    );
    assert_eq!(
        report.cell(&CellKey::total("reserve-organizers")),
        Some(CellValue::Count(40))
    );
    assert_eq!(
        report.cell(&CellKey::total("reserve-languages")),
        Some(CellValue::Count(80))
    );
    assert_eq!(
        report.cell(&CellKey::total("priority-labor-campaigns")),
        Some(CellValue::Count(1))
    );
    assert_eq!(
        report.cell(&CellKey::total("campaigns")),
        Some(CellValue::Count(2))
    );
    assert_eq!(
        report.cell(&CellKey::new("members", &[(Dim::Language, "es")])),
        Some(CellValue::Count(
            (1..=120)
                .filter(|i| i % 2 == 0 && !(i % 7 == 0 && i % 10 != 0))
                .count() as u64
        ))
    );
    // The unknown sector holds the unlinked members (every 5th).
    assert!(
        report
            .cell(&CellKey::new("members", &[(Dim::Sector, "unknown")]))
            .is_some()
    );
    assert_eq!(report.campaigns.len(), 1);
    assert_eq!(report.campaigns[0].title, "Medicare for All");
    // The December flow is not in January.
    let dec = build(&dir, &store, "2025-12");
    assert_eq!(
        dec.report.cell(&CellKey::total("coworkers-recruited")),
        Some(CellValue::Count(18))
    );
}

#[test]
fn small_chapter_is_suppressed_and_stricter_k_applies() {
    let (_tmp, dir, store) = node();
    populate(&store, 23);
    let built = build(&dir, &store, "2026-01");
    let report = assert_safe(&report::payload(&built.report), 5);
    assert!(
        report
            .cells
            .iter()
            .any(|c| c.value == CellValue::Suppressed)
    );
    assert!(built.suppression.primary > 0);
    // The hub asks for k = 11.
    store
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE enrollment SET hub_id = 'southern-region', policy_k = 11",
                [],
            )?)
        })
        .unwrap();
    let built = build(&dir, &store, "2026-01");
    let report = assert_safe(&report::payload(&built.report), 11);
    assert_eq!(report.recipient.as_str(), "southern-region");
}

#[test]
fn cli_report_preview_prints_the_exact_payload() {
    let (_tmp, data) = cli_node();
    {
        let dir = shopfloor_node::datadir::DataDir::new(&data);
        let store = dir.open_store().unwrap();
        populate(&store, 60);
    }
    let o = run(bin(&data).args(["report", "preview", "--period", "2026-01", "--json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let report = assert_safe(&o.stdout, 5);
    assert_eq!(
        report.to_payload(),
        o.stdout,
        "stdout is exactly the payload bytes"
    );
    assert_eq!(report.period.to_string(), "2026-01");
    assert_eq!(report.chapter.as_str(), "triangle-dsa");
    let o = run(bin(&data).args(["report", "preview", "--period", "2026-01"]));
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("Members (in good standing or current)"));
    assert!(!text.to_lowercase().contains("canary"));
    let o = run(bin(&data).args(["report", "preview", "--period", "2026-13"]));
    assert!(!o.status.success());
}
