//! Runs every case in `tests/vectors/manifest.json` and checks its expected outcome.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use shopfloor_protocol::rollup::verify_bytes;
use shopfloor_protocol::{Card, Envelope, PartyId, Report, SecretKeys, open};

#[derive(Deserialize)]
struct Manifest {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    check: String,
    file: String,
    expect: String,
    card: Option<String>,
    signer: Option<String>,
    recipient: Option<String>,
    identity: Option<String>,
    root: Option<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn read(name: &str) -> Vec<u8> {
    fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn card(name: &str) -> Card {
    Card::from_json(&read(name)).unwrap()
}

fn keys(name: &str) -> SecretKeys {
    SecretKeys::from_text(&String::from_utf8(read(name)).unwrap()).unwrap()
}

/// Runs one case and returns "ok" or the reason code of the (first) failure.
fn run(case: &Case) -> String {
    let code = |e: shopfloor_protocol::Error| e.reason().code().to_owned();
    let bytes = read(&case.file);
    match case.check.as_str() {
        "card" => Card::from_json(&bytes)
            .map(|_| "ok".into())
            .unwrap_or_else(code),
        "keys" => {
            let k = SecretKeys::from_text(&String::from_utf8(bytes).unwrap()).unwrap();
            let c = card(case.card.as_deref().unwrap());
            assert_eq!(k.public_key(), c.signing_key);
            assert_eq!(k.age_recipient(), c.age_recipient);
            "ok".into()
        }
        "report" | "sealed-report" => {
            let envelope = if case.check == "report" {
                Envelope::from_json(&bytes)
            } else {
                open(&bytes, &keys(case.identity.as_deref().unwrap()))
            };
            let signer = card(case.signer.as_deref().unwrap());
            let recipient = PartyId::new(case.recipient.as_deref().unwrap()).unwrap();
            envelope
                .and_then(|e| {
                    let report: Report = e.open_document(&signer.signing_key)?;
                    if report.recipient != recipient {
                        return Err(shopfloor_protocol::Error::new(
                            shopfloor_protocol::Reason::WrongRecipient,
                            "recipient",
                        ));
                    }
                    Ok("ok".to_owned())
                })
                .unwrap_or_else(code)
        }
        "verify" => {
            let root = card(case.root.as_deref().unwrap());
            let identity = case.identity.as_deref().map(keys);
            match verify_bytes(&bytes, &root, identity.as_ref()) {
                Ok(_) => "ok".into(),
                Err(errors) => {
                    // The expected reason must be among those reported; return it if so.
                    let codes: Vec<&str> = errors.iter().map(|e| e.reason().code()).collect();
                    if codes.contains(&case.expect.as_str()) {
                        case.expect.clone()
                    } else {
                        codes.join(",")
                    }
                }
            }
        }
        other => panic!("unknown check {other}"),
    }
}

#[test]
fn every_vector_has_its_expected_outcome() {
    let manifest: Manifest = serde_json::from_slice(&read("manifest.json")).unwrap();
    let mut failures = Vec::new();
    for case in &manifest.cases {
        let got = run(case);
        if got != case.expect {
            failures.push(format!(
                "{} ({}): expected {}, got {got}",
                case.file, case.check, case.expect
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_vector_file_is_in_the_manifest() {
    let manifest = String::from_utf8(read("manifest.json")).unwrap();
    for entry in fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let described = manifest.contains(&format!("\"{name}\""));
        let is_key_or_card = name.ends_with(".keys.txt") || name.ends_with(".card.json");
        assert!(
            described
                || is_key_or_card
                || name == "manifest.json"
                || name.starts_with("log")
                || name == "threshold",
            "{name} is not in manifest.json"
        );
    }
}
