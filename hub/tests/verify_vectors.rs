//! `shopfloor-hub verify` on every verification case of the protocol's known-answer vectors
//! (protocol/tests/vectors/manifest.json): exit 0 and a one-line summary for the good ones;
//! exit 1 naming the expected reason code for the bad ones (a tampered envelope, a wrong root,
//! a revoked key, a report replayed to another recipient, a rollup with one changed sum, ...).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../protocol/tests/vectors")
}

#[test]
fn verify_command_gives_every_vector_its_expected_outcome() {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(vectors().join("manifest.json")).unwrap()).unwrap();
    let mut checked = 0;
    for case in manifest["cases"].as_array().unwrap() {
        if case["check"] != "verify" {
            continue;
        }
        let file = vectors().join(case["file"].as_str().unwrap());
        let root = vectors().join(case["root"].as_str().unwrap());
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_shopfloor-hub"));
        cmd.arg("verify").arg(&file).arg("--root").arg(&root);
        if let Some(identity) = case["identity"].as_str() {
            cmd.arg("--identity").arg(vectors().join(identity));
        }
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let expect = case["expect"].as_str().unwrap();
        if expect == "ok" {
            assert_eq!(out.status.code(), Some(0), "{file:?}: {text}");
            assert!(text.starts_with("OK: "), "{file:?}: {text}");
            assert_eq!(
                text.trim_end().lines().count(),
                1,
                "one-line summary: {text}"
            );
        } else {
            assert_eq!(out.status.code(), Some(1), "{file:?}: {text}");
            assert!(
                text.contains(&format!("{expect}:")),
                "{file:?} should be refused with {expect}: {text}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} verify cases");
}
