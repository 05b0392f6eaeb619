//! Benchmarks: importing a 20,000-row national list and building a 20,000-member chapter's
//! report, each beside a raw-SQLite baseline measured in the same run so figures read as ratios.
//!
//! `cargo bench -p shopfloor-node`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, params};
use shopfloor_node::datadir::{self, DataDir};
use shopfloor_node::domain::{members, reserve, trainings, workplaces};
use shopfloor_node::import::{ImportOptions, import_bytes};
use shopfloor_node::report;
use shopfloor_node::store::{Store, open_connection};
use shopfloor_protocol::Period;

const ROWS: usize = 20_000;
const HEADER: &str = "first_name,middle_name,last_name,email,do_not_call,p2ptext_optout,mobile_phone,home_phone,work_phone,best_phone,join_date,xdate,membership_status,memb_status_letter,membership_type,monthly_dues_status,yearly_dues_status,union_member,union_name,union_local,accomodations,race,student_yes_no,student_school_name,mailing_pref,actionkit_id,dsa_chapter,ydsa_chapter,congressional_district,address1,address2,city,state,zip,country,lat,lon";

fn rows() -> Vec<Vec<String>> {
    let statuses = [
        "Member in Good Standing",
        "Member in Good Standing",
        "Member",
        "Lapsed",
    ];
    let answers = [
        "Yes, current union member",
        "No, not a union member",
        "Currently organizing my workplace",
        "No, but former union member",
        "Yes, retired union member",
    ];
    let unions = [
        "SEIU Local 1199",
        "",
        "UFCW 3000",
        "Teamsters",
        "AFT",
        "Nurses United",
    ];
    (0..ROWS)
        .map(|i| {
            vec![
                format!("First{i}"),
                String::new(),
                format!("Lást{i}"),
                format!("member{i}@example.org"),
                String::new(),
                if i % 9 == 0 {
                    "TRUE".into()
                } else {
                    String::new()
                },
                format!("(919) 555-{:04}", i % 10_000),
                String::new(),
                String::new(),
                format!("(919) 555-{:04}", i % 10_000),
                format!("{}/{}/20{:02}", i % 12 + 1, i % 28 + 1, i % 24),
                format!("2027-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
                statuses[i % statuses.len()].into(),
                "M".into(),
                "monthly".into(),
                "active".into(),
                String::new(),
                answers[i % answers.len()].into(),
                unions[i % unions.len()].into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "Yes".into(),
                format!("{}", 1_000_000 + i),
                "Triangle".into(),
                String::new(),
                "NC_04".into(),
                format!("{i} Main St, Apt \"B\""),
                String::new(),
                "Durham".into(),
                "NC".into(),
                "27701".into(),
                "US".into(),
                "35.99".into(),
                "-78.90".into(),
            ]
        })
        .collect()
}

fn csv_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER.split(',')).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn fresh_node(root: &Path) -> Store {
    datadir::init(root, "Bench DSA", "NC", Some("bench password 123".into())).unwrap();
    DataDir::new(root).open_store().unwrap()
}

fn raw_insert(db: &Path, rows: &[Vec<String>]) {
    let mut conn = open_connection(db, false).unwrap();
    conn.execute_batch(
        "CREATE TABLE m (id INTEGER PRIMARY KEY, actionkit_id TEXT UNIQUE, first_name TEXT,
         last_name TEXT, email TEXT, mobile TEXT, join_date TEXT, xdate TEXT, status TEXT,
         union_member TEXT, union_name TEXT, city TEXT, state TEXT, zip TEXT)",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut st = tx
            .prepare(
                "INSERT INTO m (actionkit_id, first_name, last_name, email, mobile, join_date,
                 xdate, status, union_member, union_name, city, state, zip)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .unwrap();
        for r in rows {
            st.execute(params![
                r[25], r[0], r[2], r[3], r[6], r[10], r[11], r[12], r[17], r[18], r[31], r[32],
                r[33]
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

/// The fair baseline: the same rows inserted with one prepared statement in one transaction into
/// the node's own `members` table (same columns, same constraints, same indexes as the import
/// maintains), with nothing else: no parsing, checking, matching, deriving beyond a lowercase
/// email, or audit row. The narrow table above has two indexes, the node's table eight (three
/// of them on `lower()` expressions), which is work the import cannot skip.
fn raw_insert_same_schema(db: &Path, rows: &[Vec<String>]) {
    let mut conn = open_connection(db, false).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut st = tx
            .prepare(
                "INSERT INTO members (actionkit_id, first_name, middle_name, last_name, email,
                    email_norm, mobile_phone, home_phone, work_phone, best_phone, do_not_call,
                    p2ptext_optout, join_date, xdate, membership_status, standing,
                    membership_type, monthly_dues_status, yearly_dues_status, union_member,
                    union_name, union_local, city, state, zip, preferred_language, list_status,
                    union_role, union_code, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, NULL, 'present', NULL, NULL,
                    ?26, ?26)",
            )
            .unwrap();
        let now = "2026-12-04T00:00:00Z";
        for r in rows {
            let standing = if r[12] == "Lapsed" {
                "lapsed"
            } else {
                "good-standing"
            };
            st.execute(params![
                r[25],
                r[0],
                r[1],
                r[2],
                r[3],
                r[3].to_lowercase(),
                r[6],
                r[7],
                r[8],
                r[9],
                false,
                !r[5].is_empty(),
                r[10],
                r[11],
                r[12],
                standing,
                r[14],
                r[15],
                r[16],
                r[17],
                r[18],
                r[19],
                r[31],
                r[32],
                r[33],
                now,
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

fn populate_organizing(store: &Store) {
    store
        .write(|tx| {
            let sectors = ["62", "44-45", "61", "72", "48-49", "31-33", "92", "54"];
            let counties = ["37063", "37183", "37135", "37037"];
            let mut wps = Vec::new();
            for w in 0..400 {
                let id = workplaces::create(
                    tx,
                    &workplaces::WorkplaceFields {
                        employer: format!("Employer {w}"),
                        county_fips: Some(counties[w % counties.len()].into()),
                        state: Some("NC".into()),
                        sector: Some(sectors[w % sectors.len()].into()),
                        representation: ["none", "organizing", "represented"][w % 3].into(),
                        workforce_size: Some(100 + (w as i64 % 50) * 10),
                        supporters: (w as i64 % 40) * 5,
                        ..Default::default()
                    },
                    "bench",
                )?;
                workplaces::set_stage(tx, id, (w % 6) as i64, "bench", "")?;
                wps.push(id);
            }
            trainings::upsert(
                tx,
                &trainings::Training {
                    code: "one-on-ones".into(),
                    title_en: "One-on-ones".into(),
                    title_es: "Uno a uno".into(),
                    source: "chapter".into(),
                },
            )?;
            let ids: Vec<i64> = tx
                .prepare("SELECT id FROM members ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for (i, id) in ids.iter().enumerate() {
                if i % 10 < 7 {
                    workplaces::link_member(
                        tx,
                        &workplaces::Link {
                            member_id: *id,
                            workplace_id: wps[i % wps.len()],
                            job_title: String::new(),
                            since: None,
                            is_primary: true,
                        },
                    )?;
                }
                if i % 4 == 0 {
                    members::update_node_fields(
                        tx,
                        *id,
                        &members::NodeFields {
                            readiness: Some((i % 4 + 1) as i64),
                            ..Default::default()
                        },
                    )?;
                    trainings::complete(tx, *id, "one-on-ones", "2025-10-01")?;
                }
                if i % 50 == 0 {
                    reserve::opt_in(
                        tx,
                        &reserve::ReserveEntry {
                            member_id: *id,
                            languages: vec!["en".into(), "es".into()],
                            skills: vec!["mapping".into()],
                            availability: String::new(),
                            active: true,
                        },
                    )?;
                }
            }
            Ok(())
        })
        .unwrap();
}

fn benches(c: &mut Criterion) {
    let rows = rows();
    let bytes = csv_bytes(&rows);

    let mut g = c.benchmark_group("import-20k");
    g.sample_size(10);
    g.bench_function("baseline: raw rusqlite insert, one transaction", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |tmp| raw_insert(&tmp.path().join("raw.db"), black_box(&rows)),
            BatchSize::PerIteration,
        );
    });
    g.bench_function(
        "baseline: raw rusqlite insert into the node's members table (same schema and indexes)",
        |b| {
            b.iter_batched(
                || {
                    let tmp = tempfile::tempdir().unwrap();
                    let root = tmp.path().join("n");
                    drop(fresh_node(&root));
                    let db = DataDir::new(&root).db_path();
                    (tmp, db)
                },
                |(tmp, db)| {
                    raw_insert_same_schema(&db, black_box(&rows));
                    tmp
                },
                BatchSize::PerIteration,
            );
        },
    );
    g.bench_function("phase: parse and check the CSV only", |b| {
        b.iter(|| {
            let parsed = shopfloor_node::import::parse(
                black_box(&bytes),
                shopfloor_node::import::Format::National,
                &std::collections::HashMap::new(),
            )
            .unwrap();
            black_box(parsed.rows.len())
        });
    });
    g.bench_function("shopfloor import (national list, new members)", |b| {
        b.iter_batched(
            || {
                let tmp = tempfile::tempdir().unwrap();
                let store = fresh_node(&tmp.path().join("n"));
                (tmp, store)
            },
            |(tmp, store)| {
                let s = import_bytes(
                    &store,
                    black_box(&bytes),
                    &ImportOptions::default(),
                    "bench",
                )
                .unwrap();
                assert_eq!(s.created as usize, ROWS);
                (tmp, store)
            },
            BatchSize::PerIteration,
        );
    });
    g.bench_function("shopfloor re-import (all unchanged)", |b| {
        b.iter_batched(
            || {
                let tmp = tempfile::tempdir().unwrap();
                let store = fresh_node(&tmp.path().join("n"));
                import_bytes(&store, &bytes, &ImportOptions::default(), "bench").unwrap();
                (tmp, store)
            },
            |(tmp, store)| {
                let s = import_bytes(
                    &store,
                    black_box(&bytes),
                    &ImportOptions::default(),
                    "bench",
                )
                .unwrap();
                assert_eq!(s.unchanged as usize, ROWS);
                (tmp, store)
            },
            BatchSize::PerIteration,
        );
    });
    g.finish();

    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("n");
    let store = fresh_node(&root);
    import_bytes(&store, &bytes, &ImportOptions::default(), "bench").unwrap();
    populate_organizing(&store);
    let dir = DataDir::new(&root);
    let config = dir.config().unwrap();
    let card = dir.card().unwrap();
    let period: Period = "2026-01".parse().unwrap();
    let mut g = c.benchmark_group("report-20k");
    g.sample_size(20);
    g.bench_function("baseline: SELECT standing, count(*) GROUP BY", |b| {
        b.iter(|| {
            store
                .read(|conn: &Connection| {
                    let mut st = conn.prepare_cached(
                        "SELECT standing, count(*) FROM members GROUP BY standing",
                    )?;
                    let n: Vec<(Option<String>, i64)> = st
                        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<_, _>>()?;
                    Ok(black_box(n))
                })
                .unwrap()
        });
    });
    g.bench_function("phase: aggregation only (report::raw_cells)", |b| {
        b.iter(|| {
            store
                .read(|conn| Ok(black_box(report::raw_cells(conn, period)?.len())))
                .unwrap()
        });
    });
    // Where the aggregation's time goes: each metric alone (`BENCH_METRICS=1`; one group per
    // metric of the registry, about a minute in all).
    if std::env::var_os("BENCH_METRICS").is_some() {
        for m in shopfloor_protocol::registry::METRICS {
            g.bench_function(format!("metric: {}", m.id), |b| {
                b.iter(|| {
                    store
                        .read(|conn| Ok(black_box(report::raw_cells_of(conn, period, m.id)?.len())))
                        .unwrap()
                });
            });
        }
    }
    g.bench_function(
        "shopfloor report build (aggregates + suppression + validate)",
        |b| {
            b.iter(|| {
                store
                    .read(|conn| {
                        let ctx = report::context(conn, &config, &card, period)?;
                        let built = report::build(conn, &ctx)?;
                        Ok(black_box(report::payload(&built.report)))
                    })
                    .unwrap()
            });
        },
    );
    g.finish();
}

criterion_group!(node_benches, benches);
criterion_main!(node_benches);
