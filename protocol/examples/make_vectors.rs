//! Writes the known-answer vectors in `protocol/tests/vectors/` (docs/protocol.md §Vectors).
//!
//! `cargo run -p shopfloor-protocol --features testkit --example make_vectors`
//!
//! Keys are reused when their files exist, and every timestamp is fixed, so re-running changes
//! only the sealed files (age uses a fresh ephemeral key each time).

use std::fs;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::json;
use shopfloor_protocol::cert::{Revocation, RevocationList};
use shopfloor_protocol::report::{Cell, CellKey, Report};
use shopfloor_protocol::rollup::{self, Bundle, Documents, Rollup};
use shopfloor_protocol::testkit::{Party, sample_report};
use shopfloor_protocol::{Envelope, Kind, Period, SealFormat, SecretKeys, seal};

type R<T> = Result<T, Box<dyn std::error::Error>>;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn party(name: &str, kind: Kind, display: &str, state: Option<&str>) -> R<Party> {
    let path = dir().join(format!("{name}.keys.txt"));
    let keys = match fs::read_to_string(&path) {
        Ok(text) => SecretKeys::from_text(&text)?,
        Err(_) => {
            let keys = SecretKeys::generate()?;
            fs::write(&path, keys.to_text())?;
            keys
        }
    };
    let p = Party::from_keys(keys, name, kind, display, state)?;
    fs::write(dir().join(format!("{name}.card.json")), p.card.to_json())?;
    Ok(p)
}

fn write(name: &str, bytes: &[u8]) -> R<()> {
    fs::write(dir().join(name), bytes)?;
    Ok(())
}

/// Flips one base64 character in the middle of an envelope's payload.
fn flip_payload(env: &Envelope) -> R<Vec<u8>> {
    let mut v = env.to_value();
    let payload = v["payload"].as_str().ok_or("no payload")?.to_owned();
    let mut chars: Vec<char> = payload.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    v["payload"] = json!(chars.into_iter().collect::<String>());
    Ok(serde_json::to_vec(&v)?)
}

fn main() -> R<()> {
    fs::create_dir_all(dir())?;
    let t0: Timestamp = "2026-11-02T12:00:00Z".parse()?;
    let period: Period = "2026-10".parse()?;
    let national = party(
        "national",
        Kind::National,
        "National Labor Commission",
        None,
    )?;
    let impostor = party(
        "impostor",
        Kind::National,
        "National Labor Commission",
        None,
    )?;
    let south = party("south", Kind::Regional, "Southern Region", None)?;
    let triangle = party("triangle", Kind::Chapter, "Triangle", Some("NC"))?;
    let memphis = party("memphis", Kind::Chapter, "Memphis", Some("TN"))?;
    let maine = party("maine", Kind::Chapter, "Maine", Some("ME"))?;
    let _ = impostor;

    // Certificates.
    let cert_south = national.certify(&south.card, 1, t0)?;
    let cert_maine = national.certify(&maine.card, 2, t0)?;
    let cert_triangle = south.certify(&triangle.card, 1, t0)?;
    let cert_memphis = south.certify(&memphis.card, 2, t0)?;
    write("cert-south.good.json", &cert_south.to_json())?;
    write("cert-triangle.good.json", &cert_triangle.to_json())?;

    // Reports.
    let r_triangle = sample_report(&triangle.card.id, &south.card.id, period, t0, 1);
    let r_memphis = sample_report(&memphis.card.id, &south.card.id, period, t0, 3);
    let r_maine = sample_report(&maine.card.id, &national.card.id, period, t0, 2);
    let e_triangle = Envelope::sign(&r_triangle, &triangle.keys);
    let e_memphis = Envelope::sign(&r_memphis, &memphis.keys);
    let e_maine = Envelope::sign(&r_maine, &maine.keys);
    write("report-triangle.good.json", &e_triangle.to_json())?;
    write(
        "report-triangle-payload-flipped.bad.json",
        &flip_payload(&e_triangle)?,
    )?;
    let sign_payload = |value: serde_json::Value| -> R<Vec<u8>> {
        Ok(Envelope::sign_bytes(
            "application/vnd.shopfloor.report.v1+json",
            serde_json::to_vec(&value)?,
            &triangle.keys,
        )
        .to_json())
    };
    let base = serde_json::to_value(&r_triangle)?;
    let mut v2 = base.clone();
    v2["schema"] = json!("shopfloor.report.v2");
    write("report-schema-v2.bad.json", &sign_payload(v2)?)?;
    let mut unknown = base.clone();
    unknown["cells"][0]["metric"] = json!("favourite-colour");
    write("report-unknown-metric.bad.json", &sign_payload(unknown)?)?;
    let mut negative = base.clone();
    negative["cells"][1]["value"] = json!(-5);
    write("report-negative-count.bad.json", &sign_payload(negative)?)?;
    let mut duplicate = base.clone();
    let first = duplicate["cells"][1].clone();
    duplicate["cells"]
        .as_array_mut()
        .ok_or("cells")?
        .push(first);
    write("report-duplicate-cell.bad.json", &sign_payload(duplicate)?)?;
    let mut small = r_triangle.clone();
    small.cells = vec![
        Cell::count(CellKey::total("members"), 9),
        Cell::count(
            CellKey::new(
                "members",
                &[(shopfloor_protocol::registry::Dim::Sector, "62")],
            ),
            3,
        ),
        Cell::count(
            CellKey::new(
                "members",
                &[(shopfloor_protocol::registry::Dim::Sector, "unknown")],
            ),
            6,
        ),
    ];
    write(
        "report-small-cell.bad.json",
        &sign_payload(serde_json::to_value(&small)?)?,
    )?;

    // When the stock counts were taken: at the close (fine), two months after the period
    // without saying so (refused), and the same labelled a correction (fine).
    let mut closed = r_triangle.clone();
    closed.as_of = Some("2026-11-01T00:00:00Z".parse()?);
    write(
        "report-triangle-as-of.good.json",
        &Envelope::sign(&closed, &triangle.keys).to_json(),
    )?;
    let mut stale = r_triangle.clone();
    stale.generated_at = "2027-01-10T12:00:00Z".parse()?;
    stale.as_of = Some("2027-01-10T12:00:00Z".parse()?);
    write(
        "report-stale-as-of.bad.json",
        &sign_payload(serde_json::to_value(&stale)?)?,
    )?;
    stale.correction = true;
    write(
        "report-correction.good.json",
        &Envelope::sign(&stale, &triangle.keys).to_json(),
    )?;

    // Sealed.
    let sealed = seal(
        &e_triangle,
        &[south.keys.age_recipient()],
        SealFormat::Binary,
    )?;
    write("report-triangle.sealed.good.age", &sealed)?;
    write(
        "report-triangle.sealed.good.txt",
        &seal(
            &e_triangle,
            &[south.keys.age_recipient()],
            SealFormat::Armored,
        )?,
    )?;
    let mut flipped = sealed.clone();
    let at = flipped.len() - 20;
    flipped[at] ^= 0x01;
    write("report-triangle-sealed-flipped.bad.age", &flipped)?;

    // Rollup v2. The v1 vectors (`rollup-south.bundle.good.json`, `rollup-two-level.good.json`,
    // `rollup-*.bad.json` without `v2`) were written by the v1 builder and are kept as they are:
    // verifiers still read v1, and nothing builds it any more.
    //
    // The south's rollup, as a bundle with its chain and the documents it binds.
    let south_children = vec![
        triangle.child(cert_triangle.clone(), e_triangle.clone()),
        memphis.child(cert_memphis.clone(), e_memphis.clone()),
    ];
    let expected = vec![triangle.card.id.clone(), memphis.card.id.clone()];
    let mut south_docs = Documents::new();
    let (south_rollup, south_tree) = rollup::build(
        &south.card,
        &south.keys,
        Some(national.card.id.clone()),
        period,
        1,
        t0,
        expected.clone(),
        south_children.clone(),
        &mut south_docs,
        Vec::new(),
    )
    .map_err(|e| format!("{e:?}"))?;
    let bundle = Bundle::for_tree(
        south_rollup.clone(),
        vec![cert_south.clone()],
        Vec::new(),
        &south_tree,
        &south_docs,
    )?;
    write("rollup-v2-south.bundle.good.json", &bundle.to_json())?;

    // National's two-level rollup: the south's rollup and Maine's report. Signed by the root,
    // so the bundle has no chain; its documents are the whole tree, flat.
    let national_children = vec![
        south.child(cert_south.clone(), south_rollup.clone()),
        maine.child(cert_maine.clone(), e_maine.clone()),
    ];
    let mut docs = south_docs.clone();
    let (two_level, tree) = rollup::build(
        &national.card,
        &national.keys,
        None,
        period,
        1,
        t0,
        vec![south.card.id.clone(), maine.card.id.clone()],
        national_children,
        &mut docs,
        Vec::new(),
    )
    .map_err(|e| format!("{e:?}"))?;
    let national_bundle =
        Bundle::for_tree(two_level.clone(), Vec::new(), Vec::new(), &tree, &docs)?;
    write("rollup-v2-two-level.good.json", &national_bundle.to_json())?;
    let with = |document: Envelope, documents: Vec<Envelope>| Bundle {
        document,
        documents,
        ..national_bundle.clone()
    };
    let tampered = Envelope::from_json(&flip_payload(&two_level)?)?;
    write(
        "rollup-v2-tampered-byte.bad.json",
        &with(tampered, national_bundle.documents.clone()).to_json(),
    )?;

    let mut changed: Rollup = two_level.verify(&national.card.signing_key)?.document()?;
    if let Some(cell) = changed
        .cells
        .iter_mut()
        .find(|c| c.key == CellKey::total("members"))
    {
        cell.sum += 1;
    }
    write(
        "rollup-v2-changed-sum.bad.json",
        &with(
            Envelope::sign(&changed, &national.keys),
            national_bundle.documents.clone(),
        )
        .to_json(),
    )?;

    // A document the rollup binds is missing; one nothing binds rides along; the stated number
    // of children is not the number bound.
    let mut short = national_bundle.documents.clone();
    short.retain(|d| d.digest() != e_maine.digest());
    write(
        "rollup-v2-missing-document.bad.json",
        &with(two_level.clone(), short).to_json(),
    )?;
    let mut long = national_bundle.documents.clone();
    long.push(Envelope::sign(
        &sample_report(&maine.card.id, &national.card.id, period, t0, 9),
        &maine.keys,
    ));
    write(
        "rollup-v2-extra-document.bad.json",
        &with(two_level.clone(), long).to_json(),
    )?;
    let mut miscounted: Rollup = two_level.verify(&national.card.signing_key)?.document()?;
    miscounted.child_count += 1;
    write(
        "rollup-v2-child-count.bad.json",
        &with(
            Envelope::sign(&miscounted, &national.keys),
            national_bundle.documents.clone(),
        )
        .to_json(),
    )?;

    // The south revokes Memphis before Memphis signed its report, yet includes it.
    let mut list = RevocationList::new(
        south.card.id.clone(),
        t0 - jiff::SignedDuration::from_hours(2),
    );
    list.entries.push(Revocation {
        serial: 2,
        subject: memphis.card.id.clone(),
        key: memphis.card.key_id(),
        revoked_at: t0 - jiff::SignedDuration::from_hours(3),
        reason: "key reported stolen".into(),
    });
    let revocations = vec![Envelope::sign(&list, &south.keys)];
    let mut revoked: Rollup = south_rollup.verify(&south.card.signing_key)?.document()?;
    revoked.revocations = revocations;
    let revoked = Envelope::sign(&revoked, &south.keys);
    write(
        "rollup-v2-revoked-chapter.bad.json",
        &Bundle {
            document: revoked,
            ..bundle.clone()
        }
        .to_json(),
    )?;

    // National binds Triangle's report to the south as if Triangle had reported to national.
    let cert_triangle_national = national.certify(&triangle.card, 3, t0)?;
    let mut replay: Rollup = two_level.verify(&national.card.signing_key)?.document()?;
    replay.children.push(shopfloor_protocol::rollup::ChildRef {
        id: triangle.card.id.clone(),
        certificate: cert_triangle_national.digest(),
        document: e_triangle.digest(),
    });
    replay.children.sort_by(|a, b| a.id.cmp(&b.id));
    replay.child_count += 1;
    replay.completeness.expected.push(triangle.card.id.clone());
    replay.completeness.expected.sort();
    replay.completeness.reported.push(triangle.card.id.clone());
    replay.completeness.reported.sort();
    // Triangle's report travels once at the top level: the south's copy is what is replayed, so
    // the south's rollup is left out (national claims only Triangle and Maine here).
    replay.children.retain(|c| c.id != south.card.id);
    replay.child_count -= 1;
    replay.completeness.expected.retain(|c| c != &south.card.id);
    replay.completeness.reported.retain(|c| c != &south.card.id);
    write(
        "rollup-v2-replayed-report.bad.json",
        &with(
            Envelope::sign(&replay, &national.keys),
            vec![
                cert_triangle_national,
                e_triangle.clone(),
                cert_maine.clone(),
                e_maine.clone(),
            ],
        )
        .to_json(),
    )?;

    // A regional hub that tries to certify another regional hub.
    let west = Party::from_keys(
        SecretKeys::generate()?,
        "west",
        Kind::Regional,
        "West",
        None,
    )?;
    let forged_cert = shopfloor_protocol::cert::Certificate {
        schema: shopfloor_protocol::cert::CERT_SCHEMA.into(),
        serial: 9,
        issuer: south.card.id.clone(),
        issuer_key: south.card.key_id(),
        subject: west.card.clone(),
        not_before: t0 - jiff::SignedDuration::from_hours(24),
        not_after: t0 + jiff::SignedDuration::from_hours(24 * 30),
    };
    let forged = Envelope::sign(&forged_cert, &south.keys);
    write(
        "cert-regional-by-regional.bad.json",
        &Bundle::new(forged, vec![cert_south.clone()], Vec::new()).to_json(),
    )?;

    let _ = Report::validate; // keep the import meaningful for readers
    eprintln!("vectors written to {}", dir().display());
    Ok(())
}
