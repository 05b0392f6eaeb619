//! Interop: envelopes written by others, as the DSSE spec says a verifier must read them (issue 17).
//!
//! - `interop/dsse-vectors.json` is the DSSE spec repository's test vectors, copied unchanged
//!   from github.com/secure-systems-lab/dsse, `testvectors/vectors.json` at commit
//!   82043adf78bb4e67c208f9ffa72b38804ea6a0c4 (their README: keys A and B are RFC 8032 §7.1
//!   TEST 1 and TEST 2; `pae` is the hex of what the signatures cover). Each vector is checked
//!   with the DSSE verifier (`protocol.md` there, "Multi-signature Verification"): parse, count
//!   the distinct trusted keys that signed ([`Envelope::signed_by`]), compare with the threshold,
//!   and check the payload type is supported. Issue 17 counted 3 of the 9 coming out as
//!   expected: the parser refused keyid "A" (not 32 hex digits), URL-safe base64 and no keyid.
//! - The example in the DSSE spec's `protocol.md` ("Test Vectors"): an ECDSA P-256 signature
//!   without a keyid over `DSSEv1 29 http://example.com/HelloWorld 11 hello world`. Shopfloor
//!   verifies Ed25519 only, so it must parse, cover exactly that PAE, and verify under no key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde::Deserialize;
use shopfloor_protocol::identity::PublicKey;
use shopfloor_protocol::{Digest, Envelope, SecretKeys};

#[derive(Deserialize)]
struct Vectors {
    keys: std::collections::BTreeMap<String, Key>,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Key {
    algorithm: String,
    public: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
    id: String,
    envelope: serde_json::Value,
    trusted_keys: Vec<String>,
    threshold: usize,
    supported_payload_types: Vec<String>,
    pae: String,
    expect: String,
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn load() -> Vectors {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/dsse-vectors.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// DSSE's (t, n) verification of one vector: accept or reject, with why.
fn verify(v: &Vector, keys: &std::collections::BTreeMap<String, Key>) -> Result<(), String> {
    let bytes = serde_json::to_vec(&v.envelope).unwrap();
    let envelope = Envelope::from_json(&bytes).map_err(|e| format!("parse: {e}"))?;
    // What the signatures of an accepted vector cover is the spec's PAE, byte for byte
    // (digest = SHA-256(PAE)); a rejected one's `pae` is what its signer signed instead.
    if v.expect == "accept" {
        assert_eq!(
            envelope.digest(),
            Digest::of(&unhex(&v.pae)),
            "{}: PAE differs",
            v.id
        );
    }
    let trusted: Vec<PublicKey> = v
        .trusted_keys
        .iter()
        .map(|name| {
            let key = &keys[name];
            assert_eq!(key.algorithm, "ed25519");
            PublicKey::from_bytes(&unhex(&key.public)).unwrap()
        })
        .collect();
    let signed = envelope.signed_by(&trusted).len();
    if signed < v.threshold {
        return Err(format!("{signed} of {} keys signed", v.threshold));
    }
    if !v
        .supported_payload_types
        .iter()
        .any(|t| t == envelope.payload_type())
    {
        return Err(format!("payload type {:?}", envelope.payload_type()));
    }
    Ok(())
}

#[test]
fn the_dsse_spec_vectors_come_out_as_the_spec_says() {
    let all = load();
    assert_eq!(all.vectors.len(), 9);
    let mut failures = Vec::new();
    for v in &all.vectors {
        let got = verify(v, &all.keys);
        let ok = match v.expect.as_str() {
            "accept" => got.is_ok(),
            "reject" => got.is_err(),
            other => panic!("{}: expect {other}", v.id),
        };
        if !ok {
            failures.push(format!("{}: expected {}, got {got:?}", v.id, v.expect));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn accepted_vectors_hand_out_the_payload_the_spec_signed() {
    let all = load();
    let a = PublicKey::from_bytes(&unhex(&all.keys["A"].public)).unwrap();
    let v = all
        .vectors
        .iter()
        .find(|v| v.id == "url-safe-base64")
        .unwrap();
    let envelope = Envelope::from_json(&serde_json::to_vec(&v.envelope).unwrap()).unwrap();
    // "-_-_Pj8=" in the URL-safe alphabet.
    assert_eq!(
        envelope.verify(&a).unwrap().payload(),
        [0xfb, 0xff, 0xbf, 0x3e, 0x3f]
    );
    // A foreign keyid is no key id of Shopfloor's; the signature is found all the same.
    assert_eq!(envelope.signer_ids().count(), 0);
}

#[test]
fn the_example_in_the_dsse_protocol_parses_and_covers_its_pae() {
    let example = br#"{"payload": "aGVsbG8gd29ybGQ=",
 "payloadType": "http://example.com/HelloWorld",
 "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}"#;
    let envelope = Envelope::from_json(example).unwrap();
    assert_eq!(
        envelope.digest(),
        Digest::of(b"DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    );
    // An ECDSA signature: no Ed25519 key verifies it.
    let any = SecretKeys::generate().unwrap();
    assert!(envelope.verify(&any.public_key()).is_err());
}

/// An envelope of Shopfloor's own, as a JSON value to change.
fn own() -> (SecretKeys, serde_json::Value) {
    let keys = SecretKeys::generate().unwrap();
    let env = Envelope::sign_bytes("application/vnd.shopfloor.test+json", b"{}".to_vec(), &keys);
    (keys, serde_json::from_slice(&env.to_json()).unwrap())
}

fn parse(v: &serde_json::Value) -> shopfloor_protocol::Result<Envelope> {
    Envelope::from_json(&serde_json::to_vec(v).unwrap())
}

#[test]
fn what_dsse_allows_is_read_and_still_verifies() {
    let (keys, mut v) = own();
    // Unknown wrapper and signature fields are ignored.
    v["extension"] = serde_json::json!({"kind": "x"});
    v["signatures"][0]["cert"] = serde_json::json!("ignored");
    parse(&v).unwrap().verify(&keys.public_key()).unwrap();
    // No keyid, an empty one, another scheme's: the signature is tried against the key.
    for keyid in [None, Some(""), Some("SHA256:abc"), Some("0123456789abcdef")] {
        let mut w = v.clone();
        match keyid {
            None => {
                w["signatures"][0].as_object_mut().unwrap().remove("keyid");
            }
            Some(k) => w["signatures"][0]["keyid"] = serde_json::json!(k),
        }
        let env = parse(&w).unwrap();
        assert_eq!(env.signer_ids().count(), 0, "{keyid:?}");
        env.verify(&keys.public_key()).unwrap();
    }
    // URL-safe base64 of the same bytes.
    let url = |s: &str| s.replace('+', "-").replace('/', "_");
    let mut w = v.clone();
    w["payload"] = serde_json::json!(url(v["payload"].as_str().unwrap()));
    w["signatures"][0]["sig"] = serde_json::json!(url(v["signatures"][0]["sig"].as_str().unwrap()));
    parse(&w).unwrap().verify(&keys.public_key()).unwrap();
}

#[test]
fn everything_else_stays_strict() {
    let (_, v) = own();
    let sig = v["signatures"][0]["sig"].as_str().unwrap().to_owned();
    let mut cases: Vec<(&str, serde_json::Value)> = Vec::new();
    let mut w = v.clone();
    w["signatures"] = serde_json::json!([]);
    cases.push(("no signature", w));
    let mut w = v.clone();
    w["signatures"] = serde_json::json!(vec![v["signatures"][0].clone(); 9]);
    cases.push(("9 signatures", w));
    let mut w = v.clone();
    w["signatures"][0]["sig"] = serde_json::json!(&sig[..sig.len() - 4]);
    cases.push(("a short signature", w));
    let mut w = v.clone();
    w["payload"] = serde_json::json!("e30");
    cases.push(("unpadded base64", w));
    let mut w = v.clone();
    w["payload"] = serde_json::json!("+_8=");
    cases.push(("both alphabets in one string", w));
    let mut w = v.clone();
    w.as_object_mut().unwrap().remove("payloadType");
    cases.push(("no payloadType", w));
    let mut w = v.clone();
    w["signatures"][0]["keyid"] = serde_json::json!(7);
    cases.push(("a keyid that is not a string", w));
    for (what, w) in cases {
        assert!(parse(&w).is_err(), "{what} was accepted");
    }
    // A field given twice.
    let twice = String::from_utf8(serde_json::to_vec(&v).unwrap())
        .unwrap()
        .replacen("{", "{\"payload\":\"e30=\",", 1);
    assert!(Envelope::from_json(twice.as_bytes()).is_err());
    // The size limit holds with unknown fields too.
    let mut w = v.clone();
    w["padding"] = serde_json::json!("x".repeat(shopfloor_protocol::envelope::MAX_DOCUMENT_BYTES));
    assert!(parse(&w).is_err());
}
