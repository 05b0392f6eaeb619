use shopfloor_node::Error;
use shopfloor_node::domain::{members, workplaces};

use crate::util::node;

fn wp(employer: &str) -> workplaces::WorkplaceFields {
    workplaces::WorkplaceFields {
        employer: employer.into(),
        state: Some("NC".into()),
        county_fips: Some("37063".into()),
        sector: Some("62".into()),
        representation: "none".into(),
        ..Default::default()
    }
}

#[test]
fn stage_changes_are_recorded_with_who_when_from_to() {
    let (_tmp, _dir, store) = node();
    store
        .write(|tx| {
            let id = workplaces::create(tx, &wp("Duke Hospital"), "rosa")?;
            assert!(workplaces::set_stage(tx, id, 2, "rosa", "committee of 6")?);
            assert!(!workplaces::set_stage(tx, id, 2, "rosa", "again")?);
            assert!(workplaces::set_stage(tx, id, 1, "lee", "lost two leaders")?);
            assert!(workplaces::set_stage(tx, id, 6, "lee", "").is_err());
            let h = workplaces::stage_history(tx, id)?;
            let steps: Vec<(Option<i64>, i64, &str)> = h
                .iter()
                .map(|c| (c.from_stage, c.to_stage, c.actor.as_str()))
                .collect();
            assert_eq!(
                steps,
                vec![(None, 0, "rosa"), (Some(0), 2, "rosa"), (Some(2), 1, "lee")]
            );
            assert_eq!(workplaces::get(tx, id)?.stage, 1);
            Ok(())
        })
        .unwrap();
}

#[test]
fn workplace_validation_and_primary_links() {
    let (_tmp, _dir, store) = node();
    store
        .write(|tx| {
            let mut bad = wp("X");
            bad.county_fips = Some("06037".into());
            assert!(matches!(
                workplaces::create(tx, &bad, "t"),
                Err(Error::Invalid {
                    field: "county_fips",
                    ..
                })
            ));
            bad = wp("X");
            bad.sector = Some("99".into());
            assert!(workplaces::create(tx, &bad, "t").is_err());
            assert!(workplaces::create(tx, &wp(" "), "t").is_err());
            let a = workplaces::create(tx, &wp("A"), "t")?;
            let b = workplaces::create(tx, &wp("B"), "t")?;
            let m = members::create(
                tx,
                &members::ListFields {
                    first_name: "Rosa".into(),
                    email: Some("rosa@example.org".into()),
                    ..Default::default()
                },
            )?;
            let link = |w, primary| workplaces::Link {
                member_id: m,
                workplace_id: w,
                job_title: "CNA".into(),
                since: Some("2022-01-01".into()),
                is_primary: primary,
            };
            workplaces::link_member(tx, &link(a, false))?;
            workplaces::link_member(tx, &link(b, false))?;
            let ls = workplaces::links_of_member(tx, m)?;
            assert_eq!(
                (ls[0].workplace_id, ls[0].is_primary, ls[1].is_primary),
                (a, true, false)
            );
            workplaces::set_primary(tx, m, b)?;
            assert_eq!(workplaces::links_of_member(tx, m)?[0].workplace_id, b);
            workplaces::unlink_member(tx, m, b)?;
            let ls = workplaces::links_of_member(tx, m)?;
            assert_eq!(
                (ls.len(), ls[0].workplace_id, ls[0].is_primary),
                (1, a, true)
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn node_fields_are_validated() {
    let (_tmp, _dir, store) = node();
    store
        .write(|tx| {
            let m = members::create(
                tx,
                &members::ListFields {
                    last_name: "Ng".into(),
                    ..Default::default()
                },
            )?;
            let bad = |f: members::NodeFields| members::update_node_fields(tx, m, &f).is_err();
            assert!(bad(members::NodeFields {
                union_role: Some("boss".into()),
                ..Default::default()
            }));
            assert!(bad(members::NodeFields {
                union_code: Some("xyz".into()),
                ..Default::default()
            }));
            assert!(bad(members::NodeFields {
                readiness: Some(5),
                ..Default::default()
            }));
            assert!(bad(members::NodeFields {
                languages: Some("Klingon".into()),
                ..Default::default()
            }));
            members::update_node_fields(
                tx,
                m,
                &members::NodeFields {
                    union_role: Some("staff".into()),
                    union_code: Some("seiu".into()),
                    languages: Some("Spanish, vi".into()),
                    preferred_language: Some("Español".into()),
                    ..Default::default()
                },
            )?;
            let got = members::get(tx, m)?;
            assert_eq!(got.union_role.as_deref(), Some("staff"));
            assert!(got.union_role_manual && got.union_code_manual);
            assert_eq!(got.languages, vec!["es", "vi"]);
            assert_eq!(got.list.preferred_language.as_deref(), Some("es"));
            assert!(members::update_node_fields(tx, 999, &members::NodeFields::default()).is_err());
            Ok(())
        })
        .unwrap();
}
