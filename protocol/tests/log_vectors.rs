//! Known-answer vectors for the transparency log (`protocol/tests/vectors/log/*.json`).
//!
//! The files are committed; nothing is generated here. Each names its leaves (envelope digests,
//! whose RFC 6962 leaf data is the 32 digest bytes), a proof, and the outcome a verifier must
//! reach: `"expect": "ok"` or a reason code such as `"bad-proof"`. For `.good.json` files the
//! tree must also produce exactly the proof in the file.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use shopfloor_protocol::log::{MerkleTree, verify_consistency, verify_inclusion};
use shopfloor_protocol::{Digest, Result};

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
enum Vector {
    Inclusion {
        description: String,
        leaves: Vec<Digest>,
        entry: Digest,
        index: u64,
        size: u64,
        proof: Vec<Digest>,
        root: Digest,
        expect: String,
    },
    Consistency {
        description: String,
        leaves: Vec<Digest>,
        old_size: u64,
        new_size: u64,
        old_root: Digest,
        new_root: Digest,
        proof: Vec<Digest>,
        expect: String,
    },
}

fn vector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/log")
}

fn outcome(result: Result<()>) -> String {
    match result {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.reason().code().to_owned(),
    }
}

/// Checks one vector; returns its expected outcome.
fn check(name: &str, vector: Vector) -> String {
    let good = name.ends_with(".good.json");
    assert!(
        good || name.ends_with(".bad.json"),
        "{name}: vector files end in .good.json or .bad.json"
    );
    match vector {
        Vector::Inclusion {
            description,
            leaves,
            entry,
            index,
            size,
            proof,
            root,
            expect,
        } => {
            assert!(!description.is_empty(), "{name}: no description");
            let tree: MerkleTree = leaves.iter().copied().collect();
            assert_eq!(tree.root_at(size).ok(), Some(root), "{name}: root");
            if good {
                assert_eq!(tree.entry(index), Some(entry), "{name}: entry");
                let made = tree.inclusion_proof(index, size).ok();
                assert_eq!(
                    made.as_ref(),
                    Some(&proof),
                    "{name}: the tree makes another proof"
                );
            }
            let got = outcome(verify_inclusion(&entry, index, size, &proof, &root));
            assert_eq!(got, expect, "{name}: {description}");
            expect
        }
        Vector::Consistency {
            description,
            leaves,
            old_size,
            new_size,
            old_root,
            new_root,
            proof,
            expect,
        } => {
            assert!(!description.is_empty(), "{name}: no description");
            let tree: MerkleTree = leaves.iter().copied().collect();
            assert_eq!(
                tree.root_at(old_size).ok(),
                Some(old_root),
                "{name}: old root"
            );
            assert_eq!(
                tree.root_at(new_size).ok(),
                Some(new_root),
                "{name}: new root"
            );
            if good {
                let made = tree.consistency_proof(old_size, new_size).ok();
                assert_eq!(
                    made.as_ref(),
                    Some(&proof),
                    "{name}: the tree makes another proof"
                );
            }
            let got = outcome(verify_consistency(
                old_size, new_size, &old_root, &new_root, &proof,
            ));
            assert_eq!(got, expect, "{name}: {description}");
            expect
        }
    }
}

#[test]
fn log_vectors() {
    let mut names: Vec<String> = fs::read_dir(vector_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    for required in [
        "log-inclusion.good.json",
        "log-inclusion-wrong-index.bad.json",
        "log-consistency.good.json",
        "log-consistency-tampered.bad.json",
    ] {
        assert!(names.iter().any(|n| n == required), "missing {required}");
    }
    let (mut ok, mut bad) = (0, 0);
    for name in &names {
        let bytes = fs::read(vector_dir().join(name)).unwrap();
        let vector: Vector =
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        let expect = check(name, vector);
        match (name.ends_with(".good.json"), expect.as_str()) {
            (true, "ok") => ok += 1,
            (false, "bad-proof") => bad += 1,
            (good, other) => panic!("{name}: good={good} but expect {other:?}"),
        }
    }
    assert!(ok >= 2 && bad >= 2, "too few vectors: {ok} good, {bad} bad");
}
