use shopfloor_node::Error;
use shopfloor_node::domain::members;
use shopfloor_node::import::{Format, ImportOptions, import_bytes, import_file};

use crate::util::{bin, cli_node, count, dump, fixture, node, run, stderr, stdout};

fn national() -> ImportOptions {
    ImportOptions::default()
}

fn by_ak(store: &shopfloor_node::store::Store, ak: &str) -> members::Member {
    store
        .read(|c| members::get_by_actionkit_id(c, ak))
        .unwrap()
        .unwrap_or_else(|| panic!("member {ak}"))
}

#[test]
fn current_header_style_with_bom_crlf_quotes_and_accents() {
    let (_tmp, _dir, store) = node();
    let s = import_file(
        &store,
        &fixture("national_current.csv"),
        &national(),
        "test",
    )
    .unwrap();
    // The row of bare commas is counted as blank; the empty line is skipped by the CSV reader.
    assert_eq!(
        (
            s.rows_read,
            s.blank_rows,
            s.created,
            s.updated,
            s.unchanged,
            s.lapsed_in_list
        ),
        (6, 1, 6, 0, 0, 1)
    );
    let jose = by_ak(&store, "100001");
    assert_eq!(
        (jose.list.first_name.as_str(), jose.list.last_name.as_str()),
        ("José", "Núñez")
    );
    assert_eq!(jose.list.join_date.as_deref(), Some("2019-03-04"));
    assert_eq!(jose.list.xdate.as_deref(), Some("2099-11-01"));
    assert_eq!(jose.standing.as_deref(), Some("good-standing"));
    assert_eq!(jose.union_role.as_deref(), Some("member"));
    assert_eq!(jose.union_code.as_deref(), Some("seiu"));
    let ana = by_ak(&store, "100002");
    assert_eq!(ana.list.city, "Raleigh, NC");
    assert_eq!(ana.list.middle_name, "María");
    assert!(ana.list.do_not_call);
    assert_eq!(ana.list.join_date.as_deref(), Some("2021-03-15"));
    assert_eq!(ana.union_role.as_deref(), Some("organizing"));
    assert_eq!(ana.union_code.as_deref(), Some("none"));
    let dana = by_ak(&store, "100003");
    assert_eq!(dana.list.last_name, "O'Brien \"Dee\"");
    assert_eq!(dana.list.join_date.as_deref(), Some("2020-01-10"));
    assert_eq!(dana.list.xdate.as_deref(), Some("2025-01-10"));
    assert!(dana.list.p2ptext_optout);
    assert_eq!(dana.standing.as_deref(), Some("lapsed"));
    let li = by_ak(&store, "100004");
    assert_eq!(li.list.join_date.as_deref(), Some("2018-07-04"));
    assert_eq!(
        (li.union_role.as_deref(), li.union_code.as_deref()),
        (Some("retired"), Some("uaw"))
    );
    let kwame = by_ak(&store, "100006");
    assert_eq!(kwame.list.union_local, "Local 391\r\nWarehouse unit");
    assert_eq!(kwame.union_code.as_deref(), Some("ibt"));
}

#[test]
fn legacy_header_style_with_renames() {
    let (_tmp, _dir, store) = node();
    let s = import_file(&store, &fixture("national_legacy.csv"), &national(), "test").unwrap();
    assert_eq!((s.rows_read, s.created), (3, 3));
    let zoe = by_ak(&store, "200001");
    assert_eq!(
        (zoe.list.first_name.as_str(), zoe.list.last_name.as_str()),
        ("Zoë", "Brontë")
    );
    assert_eq!(
        (
            zoe.list.city.as_str(),
            zoe.list.state.as_str(),
            zoe.list.zip.as_str()
        ),
        ("Durham", "NC", "27701")
    );
    assert_eq!(zoe.list.union_local, "Local 3602");
    assert_eq!(zoe.list.join_date.as_deref(), Some("2017-01-02"));
    assert_eq!(
        (zoe.union_role.as_deref(), zoe.union_code.as_deref()),
        (Some("member"), Some("cwa"))
    );
    let an = by_ak(&store, "200002");
    assert_eq!(an.list.first_name, "Nguyễn");
    assert_eq!(an.union_role.as_deref(), Some("none"));
    let renee = by_ak(&store, "200003");
    assert_eq!(renee.list.join_date.as_deref(), Some("2024-02-29"));
    assert_eq!(renee.union_code.as_deref(), Some("nnu"));
    assert_eq!(renee.standing.as_deref(), Some("lapsed"));
}

#[test]
fn reimport_updates_without_duplicates_and_marks_missing() {
    let (_tmp, _dir, store) = node();
    import_file(
        &store,
        &fixture("national_current.csv"),
        &national(),
        "test",
    )
    .unwrap();
    let again = import_file(
        &store,
        &fixture("national_current.csv"),
        &national(),
        "test",
    )
    .unwrap();
    assert_eq!(
        (
            again.created,
            again.updated,
            again.unchanged,
            again.marked_missing
        ),
        (0, 0, 6, 0)
    );
    assert_eq!(count(&store, "SELECT count(*) FROM members"), 6);

    // A hand edit of the union role survives re-imports.
    let kwame = by_ak(&store, "100006");
    store
        .write(|tx| {
            members::update_node_fields(
                tx,
                kwame.id,
                &members::NodeFields {
                    union_role: Some("steward".into()),
                    readiness: Some(3),
                    ..Default::default()
                },
            )
        })
        .unwrap();

    let v2 = import_file(
        &store,
        &fixture("national_current_v2.csv"),
        &national(),
        "test",
    )
    .unwrap();
    assert_eq!(
        (
            v2.rows_read,
            v2.created,
            v2.updated,
            v2.unchanged,
            v2.marked_missing,
            v2.newly_lapsed
        ),
        (6, 1, 2, 3, 1, 1)
    );
    assert_eq!(count(&store, "SELECT count(*) FROM members"), 7);
    let ana = by_ak(&store, "100002");
    assert_eq!(ana.list.mobile_phone, "919-555-0199");
    assert_eq!(ana.list.email.as_deref(), Some("ana.gomez@example.org"));
    let kwame = by_ak(&store, "100006");
    assert_eq!(kwame.list_status, "missing");
    assert_eq!(
        (kwame.union_role.as_deref(), kwame.readiness),
        (Some("steward"), Some(3))
    );
    assert_eq!(by_ak(&store, "100004").standing.as_deref(), Some("lapsed"));
    assert_eq!(by_ak(&store, "100007").list.first_name, "Tomás");

    // Kwame comes back on the next list: updated, counted as returned, not duplicated.
    let back = import_file(
        &store,
        &fixture("national_current.csv"),
        &national(),
        "test",
    )
    .unwrap();
    assert_eq!(back.returned, 1);
    assert_eq!(back.created, 0);
    assert_eq!(count(&store, "SELECT count(*) FROM members"), 7);
    assert_eq!(by_ak(&store, "100006").list_status, "present");
}

#[test]
fn matches_by_email_case_insensitively_when_no_actionkit_id() {
    let (_tmp, _dir, store) = node();
    let generic = ImportOptions {
        format: Format::Generic,
        ..Default::default()
    };
    let csv = "email,first_name,last_name\nAna.Gomez@EXAMPLE.org,Ana,Gómez\n";
    let s = import_bytes(&store, csv.as_bytes(), &generic, "test").unwrap();
    assert_eq!(s.created, 1);
    let s = import_file(
        &store,
        &fixture("national_current.csv"),
        &national(),
        "test",
    )
    .unwrap();
    assert_eq!((s.created, s.updated), (5, 1));
    assert_eq!(count(&store, "SELECT count(*) FROM members"), 6);
    assert_eq!(by_ak(&store, "100002").list.last_name, "Gómez-Ruiz");
}

#[test]
fn generic_format_with_maps_updates_only_its_columns() {
    let (_tmp, _dir, store) = node();
    import_file(
        &store,
        &fixture("national_current.csv"),
        &national(),
        "test",
    )
    .unwrap();
    let opts = ImportOptions {
        format: Format::Generic,
        maps: vec![
            ("Member ID".into(), "actionkit_id".into()),
            ("e-mail address".into(), "email".into()),
            ("SHOE SIZE".into(), "ignore".into()),
        ],
        dry_run: false,
    };
    let s = import_file(&store, &fixture("generic.csv"), &opts, "test").unwrap();
    assert_eq!((s.created, s.updated, s.marked_missing), (1, 1, 0));
    let jose = by_ak(&store, "100001");
    assert_eq!(jose.list.preferred_language.as_deref(), Some("es"));
    assert_eq!(
        jose.list.membership_status, "Member in Good Standing",
        "columns not in the file are kept"
    );
    // Without the maps the unknown headers are refused.
    let err = import_file(
        &store,
        &fixture("generic.csv"),
        &ImportOptions {
            format: Format::Generic,
            ..Default::default()
        },
        "t",
    )
    .unwrap_err();
    let Error::Import(e) = err else {
        panic!("{err}")
    };
    assert!(
        e.problems
            .iter()
            .any(|p| p.line == 1 && p.column.as_deref() == Some("Shoe Size"))
    );
}

#[test]
fn missing_required_columns_and_duplicate_ids_are_refused() {
    let (_tmp, _dir, store) = node();
    let err = import_bytes(&store, b"first_name,last_name\nA,B\n", &national(), "t").unwrap_err();
    let Error::Import(e) = err else { panic!() };
    assert!(
        e.problems
            .iter()
            .any(|p| p.message.contains("actionkit_id"))
    );
    let dup = "actionkit_id,first_name,last_name,email,membership_status\n1,A,B,a@x.org,Member\n1,C,D,c@x.org,Member\n";
    let Error::Import(e) = import_bytes(&store, dup.as_bytes(), &national(), "t").unwrap_err()
    else {
        panic!()
    };
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].line, 3);
    assert_eq!(count(&store, "SELECT count(*) FROM members"), 0);
}

#[test]
fn bad_list_is_refused_with_line_numbers_and_changes_nothing() {
    let (_tmp, data) = cli_node();
    let o = run(bin(&data)
        .arg("import")
        .arg(fixture("national_current.csv")));
    assert!(o.status.success(), "{}", stderr(&o));
    let db = data.join("shopfloor.db");
    let before = dump(&db);
    let o = run(bin(&data).arg("import").arg(fixture("bad_two_rows.csv")));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("line 3, column join_date"), "{err}");
    assert!(
        err.contains("line 5: expected 37 columns, found 20"),
        "{err}"
    );
    assert!(err.contains("2 problems"), "{err}");
    assert_eq!(dump(&db), before, "the database must be unchanged");

    let o = run(bin(&data)
        .arg("import")
        .arg(fixture("bad_two_rows.csv"))
        .arg("--json"));
    assert!(!o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ok"], false);
    let lines: Vec<u64> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 5]);
    assert_eq!(v["problems"][0]["column"], "join_date");
    assert_eq!(dump(&db), before);
}

#[test]
fn dry_run_writes_nothing_and_reports_the_same_summary() {
    let (_tmp, data) = cli_node();
    assert!(
        run(bin(&data)
            .arg("import")
            .arg(fixture("national_current.csv")))
        .status
        .success()
    );
    let db = data.join("shopfloor.db");
    let before = dump(&db);
    let o = run(bin(&data)
        .arg("import")
        .arg(fixture("national_current_v2.csv"))
        .args(["--dry-run", "--json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let dry: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(dry["summary"]["dry_run"], true);
    assert_eq!(dump(&db), before, "dry run wrote something");
    let o = run(bin(&data)
        .arg("import")
        .arg(fixture("national_current_v2.csv"))
        .arg("--json"));
    let real: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let strip = |mut v: serde_json::Value| {
        v["summary"]["dry_run"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(dry), strip(real.clone()));
    assert_eq!(real["summary"]["created"], 1);
    assert_ne!(dump(&db), before);
}
