//! The node's CSV import (national's membership list and generic member CSVs): the parser, and
//! then, as a dry run, matching and applying the rows against a node that already holds members
//! (rolled back, so every run sees the same database).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shopfloor_node::Error;
use shopfloor_node::datadir::{DataDir, init};
use shopfloor_node::import::{Format, ImportOptions, import_bytes, parse, parse_maps};
use shopfloor_node::store::Store;

struct Node {
    _tmp: tempfile::TempDir,
    store: Store,
}

static NODE: LazyLock<Node> = LazyLock::new(|| {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("data");
    init(
        &root,
        "Fuzz DSA",
        "NC",
        Some("fuzz-password-not-secret".into()),
    )
    .expect("node init");
    let store = DataDir::new(&root).open_store().expect("store");
    let seed = include_bytes!("../../node/tests/fixtures/national_current.csv");
    import_bytes(&store, seed, &ImportOptions::default(), "fuzz").expect("seed import");
    Node { _tmp: tmp, store }
});

fn generic_maps() -> Vec<(String, String)> {
    vec![
        ("Member ID".into(), "actionkit_id".into()),
        ("e-mail address".into(), "email".into()),
        ("SHOE SIZE".into(), "ignore".into()),
    ]
}

fuzz_target!(|data: &[u8]| {
    let national = ImportOptions {
        format: Format::National,
        maps: Vec::new(),
        dry_run: true,
        // Dry runs change nothing; confirming lets lists that would mark many members missing
        // reach every later step.
        confirm_missing: true,
    };
    let generic = ImportOptions {
        format: Format::Generic,
        maps: generic_maps(),
        dry_run: true,
        confirm_missing: true,
    };
    for opts in [national, generic] {
        let Ok(maps) = parse_maps(&opts.maps) else {
            return;
        };
        if parse(data, opts.format, &maps).is_err() {
            continue;
        }
        // A file the parser accepted is either applied or refused with the rows' problems; a
        // database error here would be a 500 on the import page.
        match import_bytes(&NODE.store, data, &opts, "fuzz") {
            Ok(_) | Err(Error::Import(_) | Error::Invalid { .. } | Error::AlreadyExists(_)) => {}
            Err(e) => panic!("import of a parsed file failed: {e}"),
        }
    }
});
