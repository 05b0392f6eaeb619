//! Writes the threshold known-answer vectors in `protocol/tests/vectors/threshold/`
//! (docs/protocol.md, "Encrypted small cells"). Each run makes a new key ceremony, so the files
//! change completely; they are committed and `tests/threshold_vectors.rs` only reads them.
//!
//! `cargo run -p shopfloor-protocol --example make_threshold_vectors`

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use shopfloor_protocol::PartyId;
use shopfloor_protocol::threshold::{
    Ceremony, Contribution, EncryptedCell, ReleasePolicy, Tally, run_ceremony,
};

type R<T> = Result<T, Box<dyn std::error::Error>>;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/threshold")
}

fn write(name: &str, description: &str, expect: &str, mut v: Value) -> R<()> {
    v["description"] = description.into();
    v["expect"] = expect.into();
    let text = serde_json::to_string_pretty(&v)? + "\n";
    fs::write(dir().join(name), text)?;
    Ok(())
}

fn main() -> R<()> {
    fs::create_dir_all(dir())?;
    let ids = ["national", "south", "officer-a"]
        .iter()
        .map(|s| PartyId::new(s))
        .collect::<Result<Vec<_>, _>>()?;
    let trustees = run_ceremony(&Ceremony::new("vectors-2026", ids, 2)?)?;
    let key = trustees[0].joint_key().clone();
    let policy = ReleasePolicy::new(5)?;
    let values = [4u64, 3, 0, 2, 4];
    let cells = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            Ok(Contribution::new(
                PartyId::new(&format!("chapter-{i}"))?,
                EncryptedCell::encrypt(&key, v, 5)?,
            ))
        })
        .collect::<R<Vec<_>>>()?;
    let tally = Tally::of_cells(&key, &cells)?;
    let s0 = trustees[0].share(&tally, &policy)?;
    let s1 = trustees[1].share(&tally, &policy)?;
    let s2 = trustees[2].share(&tally, &policy)?;
    let base = |cells: &[Contribution], tally: &Tally, shares: Value| {
        json!({
            "joint_key": key,
            "k": 5,
            "cells": cells,
            "tally": tally,
            "shares": shares,
            "value": 13,
        })
    };
    write(
        "threshold-tally.good.json",
        "five chapters' cells below k = 5, their tally, shares from trustees 0 and 2: 13",
        "ok",
        base(&cells, &tally, json!([s0, s2])),
    )?;
    let mut relabelled = s0.clone();
    relabelled.trustee = 1;
    write(
        "threshold-share-relabelled.bad.json",
        "trustee 0's share presented as trustee 1's",
        "bad-decryption-share",
        base(&cells, &tally, json!([relabelled, s2])),
    )?;
    let mut mixed = s0.clone();
    mixed.share = s1.share;
    write(
        "threshold-share-wrong.bad.json",
        "trustee 1's partial decryption under trustee 0's proof",
        "bad-decryption-share",
        base(&cells, &tally, json!([mixed, s2])),
    )?;
    write(
        "threshold-one-share.bad.json",
        "one share of a 2-of-3 key",
        "insufficient-shares",
        base(&cells, &tally, json!([s1])),
    )?;
    let short = Tally::of_cells(&key, &cells[..4])?;
    write(
        "threshold-tally-missing-child.bad.json",
        "the tally leaves out chapter-4",
        "tally-mismatch",
        base(&cells, &short, json!([s0, s2])),
    )?;
    let mut tampered = cells.clone();
    tampered[1].cell.ciphertext = tampered[1].cell.ciphertext + cells[0].cell.ciphertext;
    write(
        "threshold-cell-tampered.bad.json",
        "chapter-1's ciphertext has chapter-0's added (it would hold 7)",
        "bad-range-proof",
        base(&tampered, &tally, json!([s0, s2])),
    )?;
    let mut rebound = cells.clone();
    rebound[2].cell.bound = 6;
    write(
        "threshold-cell-other-bound.bad.json",
        "chapter-2's proof for bound 5 presented for bound 6",
        "bad-range-proof",
        base(&rebound, &tally, json!([s0, s2])),
    )?;
    let two = Tally::of_cells(&key, &cells[..2])?;
    let mut v = base(&cells[..2], &two, json!([]));
    v["value"] = Value::Null;
    write(
        "threshold-two-chapters.bad.json",
        "a tally of two chapters: the release rule refuses to decrypt it",
        "release-refused",
        v,
    )?;
    println!("wrote {}", dir().display());
    Ok(())
}
