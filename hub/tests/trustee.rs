//! The trustees' key ceremony through the real `shopfloor-hub trustee` commands: three trustees
//! in three data directories exchanging files in a fourth, as on three machines.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod util;

use std::fs;

use serde_json::Value;
use shopfloor_hub::trustee;
use shopfloor_protocol::PartyId;
use shopfloor_protocol::threshold::{
    Contribution, DecodeTable, EncryptedCell, ReleasePolicy, Tally, combine,
};
use util::ceremony::*;
use util::*;

#[test]
fn two_of_three_trustees_end_with_the_same_joint_key_and_decrypt_together() {
    let tmp = tempfile::tempdir().unwrap();
    let x = tmp.path().join("exchange");
    fs::create_dir_all(&x).unwrap();
    let ps = parties(tmp.path());

    // Round 1: every trustee starts; the ceremony fingerprint is the same for all.
    let inits: Vec<Value> = ps.iter().map(|p| init(p, &x)).collect();
    for (i, s) in inits.iter().enumerate() {
        assert_eq!(s["index"].as_u64(), Some(i as u64));
        assert_eq!(s["ceremony"], inits[0]["ceremony"]);
        #[cfg(unix)]
        assert_eq!(mode(&trustee::state_path(&ps[i].dir, NAME)), 0o600);
        #[cfg(unix)]
        assert_eq!(mode(&ps[i].dir.join("trustee")), 0o700);
    }
    // Running init twice is refused: the state is never overwritten.
    let again = hub_cmd(
        &ps[0].dir,
        &[
            "trustee",
            "init",
            "--ceremony",
            NAME,
            "--trustees",
            &IDS.join(","),
            "--as",
            "national",
            "--threshold",
            "2",
            "--out",
            x.to_str().unwrap(),
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("ceremony-exists"));

    // Round 2: each sees the fingerprints the others read aloud (its own file is skipped).
    let r1 = files(&x, ".round1.");
    assert_eq!(r1.len(), 3);
    let r2s: Vec<Value> = ps.iter().map(|p| round(p, "round2", &r1, &x)).collect();
    for (i, s) in r2s.iter().enumerate() {
        assert_eq!(s["received"].as_array().unwrap().len(), 2);
        for (j, other) in inits.iter().enumerate().filter(|(j, _)| *j != i) {
            assert_eq!(
                received_fingerprint(s, j as u64),
                other["fingerprint"].as_str().unwrap()
            );
        }
    }
    // A step taken twice is refused.
    assert!(refused(&ps[0], "round2", &r1, &x).contains("ceremony-step-done"));

    // Round 3: sealed shares, two per trustee.
    let r2 = files(&x, ".round2.");
    for p in &ps {
        let s = round(p, "round3", &r2, &x);
        assert_eq!(s["wrote"].as_array().unwrap().len(), 2);
    }
    let shares = files(&x, ".share.");
    assert_eq!(shares.len(), 6);
    for s in &shares {
        let text = fs::read_to_string(s).unwrap();
        assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    }

    // Finish: everyone passes every share file; those sealed to others are skipped.
    let mut fps = Vec::new();
    for p in &ps {
        let mut args = vec!["trustee", "finish", "--ceremony", NAME, "--json"];
        args.extend(shares.iter().map(String::as_str));
        let done: Value = hub_json(&p.dir, &args);
        assert_eq!(done["received"].as_array().unwrap().len(), 2);
        assert_eq!(done["skipped"].as_array().unwrap().len(), 4);
        fps.push(done["fingerprint"].as_str().unwrap().to_owned());
        let file = trustee::trustee_path(&p.dir, NAME);
        #[cfg(unix)]
        assert_eq!(mode(&file), 0o600);
        assert!(!trustee::state_path(&p.dir, NAME).exists());
        let show = hub_json(&p.dir, &["trustee", "show", "--ceremony", NAME, "--json"]);
        assert_eq!(show["done"], true);
        assert_eq!(show["fingerprint"].as_str().unwrap(), fps.last().unwrap());
    }
    assert_eq!(fps[0], fps[1]);
    assert_eq!(fps[1], fps[2]);

    // The three trustee files hold shares of one key: any two decrypt a tally, one cannot.
    let ts: Vec<_> = ps
        .iter()
        .map(|p| trustee::load_trustee(&p.dir, NAME).unwrap())
        .collect();
    let key = trustee::load_key(&trustee::key_path(&ps[1].dir, NAME)).unwrap();
    assert_eq!(&key, ts[0].joint_key());
    let cells: Vec<Contribution> = [4u64, 1, 3, 0, 2]
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            Contribution::new(
                PartyId::new(&format!("chapter-{i}")).unwrap(),
                EncryptedCell::encrypt(&key, v, 5).unwrap(),
            )
        })
        .collect();
    let tally = Tally::of_cells(&key, &cells).unwrap();
    let policy = ReleasePolicy::new(5).unwrap();
    let table = DecodeTable::new(100).unwrap();
    let shares = [
        ts[1].share(&tally, &policy).unwrap(),
        ts[2].share(&tally, &policy).unwrap(),
    ];
    assert_eq!(combine(&key, &tally, &shares, &table).unwrap(), 10);
    let alone = combine(&key, &tally, &shares[..1], &table).unwrap_err();
    assert_eq!(alone.reason().code(), "insufficient-shares");
}

#[test]
fn tampered_messages_and_states_are_refused_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let x = tmp.path().join("exchange");
    fs::create_dir_all(&x).unwrap();
    let bad = tmp.path().join("bad");
    fs::create_dir_all(&bad).unwrap();
    let ps = parties(tmp.path());
    let inits: Vec<Value> = ps.iter().map(|p| init(p, &x)).collect();
    let r1 = files(&x, ".round1.");
    let south_r1 = x.join(format!("{NAME}.round1.south.json"));
    let officer_r1 = x.join(format!("{NAME}.round1.officer-a.json"));

    // Input from outside is refused, never a panic: options that make no ceremony...
    let no_such = hub_cmd(
        &tmp.path().join("nobody"),
        &[
            "trustee",
            "init",
            "--ceremony",
            NAME,
            "--trustees",
            &IDS.join(","),
            "--as",
            "mallory",
            "--threshold",
            "2",
        ],
    );
    assert!(String::from_utf8_lossy(&no_such.stderr).contains("not a trustee"));
    let t1 = hub_cmd(
        &tmp.path().join("nobody"),
        &[
            "trustee",
            "init",
            "--ceremony",
            NAME,
            "--trustees",
            &IDS.join(","),
            "--as",
            "south",
            "--threshold",
            "1",
        ],
    );
    assert!(String::from_utf8_lossy(&t1.stderr).contains("threshold"));

    // ...a round 1 message with a trustee index outside the ceremony...
    let mut v: Value = serde_json::from_slice(&fs::read(&south_r1).unwrap()).unwrap();
    v["commitment"]["trustee"] = 7.into();
    let out_of_range = bad.join("index.json");
    fs::write(&out_of_range, v.to_string()).unwrap();
    let err = refused(
        &ps[0],
        "round2",
        &[
            out_of_range.display().to_string(),
            officer_r1.display().to_string(),
        ],
        &x,
    );
    assert!(
        err.contains("bad-ceremony") && err.contains("index 7"),
        "{err}"
    );
    // ...and one that names another ceremony.
    v["commitment"]["trustee"] = 1.into();
    v["commitment"]["ceremony"] = "00".repeat(32).into();
    let other = bad.join("other.json");
    fs::write(&other, v.to_string()).unwrap();
    let err = refused(&ps[0], "round2", &[other.display().to_string()], &x);
    assert!(
        err.contains("bad-ceremony") && err.contains("another ceremony"),
        "{err}"
    );

    // A round 1 message altered on the way (another commitment) shows another fingerprint than
    // the one its trustee read aloud; if nobody notices, its real polynomial is refused later.
    let doubter = Party {
        dir: tmp.path().join("national-copy"),
        id: "national",
    };
    copy_dir(&ps[0].dir, &doubter.dir);
    let mut v: Value = serde_json::from_slice(&fs::read(&south_r1).unwrap()).unwrap();
    v["commitment"]["commitment"] = "ab".repeat(32).into();
    let swapped = bad.join("swapped.json");
    fs::write(&swapped, v.to_string()).unwrap();
    let x2 = tmp.path().join("exchange-copy");
    fs::create_dir_all(&x2).unwrap();
    let seen = round(
        &doubter,
        "round2",
        &[
            swapped.display().to_string(),
            officer_r1.display().to_string(),
        ],
        &x2,
    );
    assert_ne!(
        received_fingerprint(&seen, 1),
        inits[1]["fingerprint"].as_str().unwrap()
    );

    // The honest round 2.
    let r2s: Vec<Value> = ps.iter().map(|p| round(p, "round2", &r1, &x)).collect();
    assert!(r2s.iter().all(|s| s["fingerprint"].is_string()));
    let r2 = files(&x, ".round2.");
    let others: Vec<String> = r2
        .iter()
        .filter(|f| !f.contains(".round2.national."))
        .cloned()
        .collect();
    let err = refused(&doubter, "round3", &others, &x2);
    assert!(
        err.contains("bad-ceremony") && err.contains("polynomial from trustee 1"),
        "{err}"
    );

    // A round 2 message with a coefficient of another trustee's polynomial is refused.
    let south_r2 = x.join(format!("{NAME}.round2.south.json"));
    let officer_r2 = x.join(format!("{NAME}.round2.officer-a.json"));
    let mut v: Value = serde_json::from_slice(&fs::read(&south_r2).unwrap()).unwrap();
    let o: Value = serde_json::from_slice(&fs::read(&officer_r2).unwrap()).unwrap();
    v["info"]["polynomial"][1] = o["info"]["polynomial"][1].clone();
    let mixed = bad.join("mixed.json");
    fs::write(&mixed, v.to_string()).unwrap();
    let err = refused(
        &ps[0],
        "round3",
        &[
            mixed.display().to_string(),
            officer_r2.display().to_string(),
        ],
        &x,
    );
    assert!(
        err.contains("bad-ceremony") && err.contains("polynomial from trustee 1"),
        "{err}"
    );

    // A saved state whose seed was changed does not rebuild: refused before any step.
    let edited = Party {
        dir: tmp.path().join("national-edited"),
        id: "national",
    };
    copy_dir(&ps[0].dir, &edited.dir);
    let state_file = trustee::state_path(&edited.dir, NAME);
    let mut st: Value = serde_json::from_slice(&fs::read(&state_file).unwrap()).unwrap();
    let seed = st["seed"].as_str().unwrap().to_owned();
    let flipped = if seed.starts_with('0') { "1" } else { "0" };
    st["seed"] = format!("{flipped}{}", &seed[1..]).into();
    fs::write(&state_file, st.to_string()).unwrap();
    let err = refused(&edited, "round3", &others, &x2);
    assert!(
        err.contains("bad-ceremony") && err.contains("saved state"),
        "{err}"
    );
    // A saved state holding a forged message is refused as the message itself would be.
    copy_dir(&ps[0].dir, &edited.dir);
    let mut st: Value = serde_json::from_slice(&fs::read(&state_file).unwrap()).unwrap();
    st["commitments"][0]["commitment"]["trustee"] = 9.into();
    fs::write(&state_file, st.to_string()).unwrap();
    let err = refused(&edited, "round3", &others, &x2);
    assert!(
        err.contains("bad-ceremony") && err.contains("index 9"),
        "{err}"
    );

    // The honest round 3 still works after the refusals: nothing was saved from them.
    for p in &ps {
        round(p, "round3", &r2, &x);
    }
    // A damaged sealed share is not taken: the share from its sender is then missing.
    let to_national: Vec<String> = files(&x, "-to-national.");
    assert_eq!(to_national.len(), 2);
    let damaged = bad.join("damaged.age");
    let text = fs::read_to_string(&to_national[0]).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[2] = lines[2].chars().rev().collect();
    fs::write(&damaged, lines.join("\n")).unwrap();
    let err = refused(
        &ps[0],
        "finish",
        &[damaged.display().to_string(), to_national[1].clone()],
        &x,
    );
    assert!(
        err.contains("bad-ceremony") && err.contains("missing"),
        "{err}"
    );
    // With both genuine shares the ceremony ends.
    let mut args = vec!["trustee", "finish", "--ceremony", NAME];
    args.extend(to_national.iter().map(String::as_str));
    let out = hub_ok(&ps[0].dir, &args);
    assert!(out.contains("Joint key fingerprint:"), "{out}");
}

#[test]
fn national_publishes_the_finished_key_in_signed_guidance_and_rotates_only_by_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let nat = tmp.path().join("national");
    hub_ok(&nat, &["init", "--level", "national", "--name", "National"]);
    let reg = tmp.path().join("south");
    hub_ok(&reg, &["init", "--level", "regional", "--name", "South"]);
    // Two finished ceremonies' key files, as `trustee finish` writes them.
    let key = |name: &str| {
        let ids = IDS.map(|s| PartyId::new(s).unwrap());
        let c = shopfloor_protocol::threshold::Ceremony::new(name, ids.to_vec(), 2).unwrap();
        let k = shopfloor_protocol::threshold::run_ceremony(&c).unwrap()[0]
            .joint_key()
            .clone();
        let path = tmp.path().join(format!("{name}.key.json"));
        fs::write(&path, serde_json::to_vec(&k).unwrap()).unwrap();
        (k, path.display().to_string())
    };
    let (a, a_file) = key("federation-2027");
    let (b, b_file) = key("federation-2028");

    let out = hub_cmd(&reg, &["trustee", "publish-key", "--key", &a_file]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-national"));

    let done = hub_json(
        &nat,
        &["trustee", "publish-key", "--key", &a_file, "--json"],
    );
    assert_eq!(
        done["fingerprint"].as_str().unwrap(),
        a.fingerprint().as_str()
    );
    let hub = shopfloor_hub::Hub::open(&nat).unwrap();
    let g: shopfloor_hub::guidance::Guidance = shopfloor_hub::guidance::current(&hub)
        .unwrap()
        .unwrap()
        .open_document(&hub.card().signing_key)
        .unwrap();
    let k = g.trustee_key.unwrap();
    assert_eq!(k.key_id, a.id());
    assert_eq!(k.joint_key.ceremony().trustees().len(), 3);
    drop(hub);

    // Another key without naming the published one is refused; naming it, it is a rotation.
    let out = hub_cmd(&nat, &["trustee", "publish-key", "--key", &b_file]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("rotation-unnamed"));
    let done = hub_json(
        &nat,
        &[
            "trustee",
            "publish-key",
            "--key",
            &b_file,
            "--replaces",
            &a.id().to_hex(),
            "--json",
        ],
    );
    assert_eq!(done["replaces"].as_str().unwrap(), a.id().to_hex());
    assert_eq!(done["key_id"].as_str().unwrap(), b.id().to_hex());
    // Guidance published later from a draft keeps the key.
    let draft = tmp.path().join("draft.json");
    fs::write(&draft, "{}").unwrap();
    hub_ok(&nat, &["publish-guidance", draft.to_str().unwrap()]);
    let hub = shopfloor_hub::Hub::open(&nat).unwrap();
    let key = shopfloor_hub::guidance::published_key(&hub)
        .unwrap()
        .unwrap();
    assert_eq!(key.key_id, b.id());
    assert_eq!(key.replaces, Some(a.id()));
}
