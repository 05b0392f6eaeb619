//! Exact rare counts at region and national (issue 14): chapters encrypt what they withhold,
//! national and the Southern region act as trustees at publication, and their publications show
//! the aggregates the release rule allows, each verifiable offline down to every decryption
//! proof. Real hubs on loopback, real node data directories, the real 2-of-3 ceremony.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use shopfloor_hub::decryption::{PublicationBundle, verify_publication_bundle};
use shopfloor_hub::publish::{self, Value};
use shopfloor_protocol::threshold::publication::{ShareCall, ShareRequest, Wanted};
use shopfloor_protocol::threshold::{DecodeTable, JointKey, Released, Trustee, combine};
use shopfloor_protocol::{Envelope, Reason};
use shopfloor_testbed::national::{self, National, Options};
use shopfloor_testbed::servers::blocking;

fn trustee(path: &std::path::Path) -> Trustee {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

async fn publish_at(hub: &shopfloor_hub::Hub) -> (publish::Stored, Vec<Released>) {
    let period = national::periods(1).unwrap()[0];
    national::publish_fresh(hub, period).await.unwrap()
}

/// The bundle as a lying hub would sign it: `edit` changes the released aggregates, and the
/// publication is signed again over their new digest.
fn forge(
    bundle: &PublicationBundle,
    root: &shopfloor_protocol::Card,
    keys: &shopfloor_protocol::SecretKeys,
    edit: impl FnOnce(&mut Vec<Released>),
) -> PublicationBundle {
    let mut released: Vec<Released> = serde_json::from_str(&bundle.released).unwrap();
    edit(&mut released);
    let json = serde_json::to_string(&released).unwrap();
    let mut p: publish::Publication = bundle.publication.open_document(&root.signing_key).unwrap();
    p.released = Some(shopfloor_protocol::Digest::of(json.as_bytes()));
    PublicationBundle {
        publication: Envelope::sign(&p, keys),
        released: json,
        ..bundle.clone()
    }
}

fn codes(bundle: &PublicationBundle, root: &shopfloor_protocol::Card) -> Vec<Reason> {
    match verify_publication_bundle(bundle, root) {
        Ok(s) => panic!("a tampered bundle verified: {s:?}"),
        Err(errors) => errors.iter().map(|e| e.reason()).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trustees_decrypt_released_aggregates_and_verify_checks_every_proof() {
    let opts = Options::new(12, 2, 1);
    let plan = national::plan(&opts).unwrap();
    let periods = national::periods(1).unwrap();
    let mut fed = National::build(plan, &opts, periods[0]).await.unwrap();
    let outcome = fed.run_period(periods[0]).await.unwrap();
    assert_eq!(outcome.delivered, 12);
    let setup = fed.joint_key.clone().expect("the demo runs the ceremony");
    let key: JointKey = setup.key.clone();
    let root = fed.root_card();

    // National publishes first, asking the Southern trustee for shares; then the Southern
    // region, which shows what national released at its view (trustees answer only national).
    let south = fed
        .regionals
        .iter()
        .find(|r| r.region.south)
        .unwrap()
        .server
        .hub
        .clone();
    let (national_pub, national_released) = publish_at(&fed.national.hub).await;
    let (south_pub, south_released) = publish_at(&south).await;
    for (who, p, released) in [
        ("south", &south_pub, &south_released),
        ("national", &national_pub, &national_released),
    ] {
        println!("{who}: {} released aggregates", released.len());
        for r in released {
            println!("   {} at {:?} = {}", r.key, r.view, r.value);
        }
        assert!(
            !released.is_empty(),
            "{who} released no aggregate: rare counts stay withheld"
        );
        // Every released aggregate is shown to viewers, exactly or as a lower bound.
        for r in released {
            let shown = p
                .publication
                .view(&r.view)
                .and_then(|v| v.cells.iter().find(|c| c.key == r.key))
                .map(|c| c.value)
                .unwrap();
            assert!(
                matches!(shown, Value::Exact(v) | Value::AtLeast(v) if v >= r.value),
                "{who}: {} shows {shown:?} for a released {}",
                r.key,
                r.value
            );
        }
    }
    assert!(
        national_pub
            .publication
            .views
            .iter()
            .flat_map(|v| &v.cells)
            .any(|c| matches!(c.value, Value::Exact(_))
                && national_released.iter().any(|r| r.key == c.key)),
        "national shows no released aggregate as an exact count"
    );

    // Offline: the publication with its rollup bundle verifies back to the root card.
    let h = fed.national.hub.clone();
    let period = periods[0];
    let (bundle, _) = blocking(move || Ok(shopfloor_hub::decryption::export(&h, period)?))
        .await
        .unwrap();
    let summary = verify_publication_bundle(&bundle, &root).unwrap();
    assert_eq!(summary.released, national_released.len());
    // Viewers' copy names the released aggregates by digest only: no tally, chapter or bound.
    let viewers = String::from_utf8(national_pub.envelope.to_json()).unwrap();
    assert!(
        !viewers.contains("\"chapters\":["),
        "chapters' bounds reach viewers"
    );
    assert_eq!(summary.chapters, 12);
    // (c) A wrong decryption share: another trustee's share under the first one's index.
    let signer = fed.national.hub.keys();
    let wrong = forge(&bundle, &root, signer, |r| {
        let other = r[0].shares[1].share;
        r[0].shares[0].share = other;
    });
    assert!(codes(&wrong, &root).contains(&Reason::BadDecryptionShare));
    // A released value that is not what the shares decrypt.
    let lied = forge(&bundle, &root, signer, |r| r[0].value += 1);
    assert!(codes(&lied, &root).contains(&Reason::BadDecryptionShare));
    // A tally that leaves out a chapter.
    let short = forge(&bundle, &root, signer, |r| {
        r[0].tally.chapters.pop();
    });
    assert!(codes(&short, &root).contains(&Reason::TallyMismatch));
    // A tampered ciphertext in a released aggregate (here doubled) no longer matches the tree's.
    let tampered = forge(&bundle, &root, signer, |r| {
        r[0].tally.ciphertext = r[0].tally.ciphertext + r[0].tally.ciphertext;
    });
    assert!(codes(&tampered, &root).contains(&Reason::TallyMismatch));
    // Released aggregates that are not those the publication names.
    let mut swapped = bundle.clone();
    swapped.released = wrong.released.clone();
    assert!(codes(&swapped, &root).contains(&Reason::TallyMismatch));
    // A clear figure the rule does not derive from the verified reports (one more in the first
    // exact count viewers see), signed again by the hub: `verify` derives every view again.
    let mut inflated: publish::Publication =
        bundle.publication.open_document(&root.signing_key).unwrap();
    let cell = inflated
        .views
        .iter_mut()
        .flat_map(|v| v.cells.iter_mut())
        .find(|c| matches!(c.value, Value::Exact(_)))
        .unwrap();
    if let Value::Exact(v) = &mut cell.value {
        *v += 1;
    }
    let inflated = PublicationBundle {
        publication: Envelope::sign(&inflated, signer),
        ..bundle.clone()
    };
    assert!(codes(&inflated, &root).contains(&Reason::SumMismatch));

    // (b) t trustees decrypt only released aggregates: asked directly for an aggregate the rule
    // withholds (one region's view of a cell over fewer than three chapters), the Southern
    // trustee refuses it, and answers the released ones.
    let national_trustee = trustee(&setup.trustee_files[0]);
    let south_trustee = trustee(&setup.trustee_files[1]);
    let h = fed.national.hub.clone();
    let tree_bundle = bundle.rollup.clone();
    let (_, tree) = shopfloor_protocol::rollup::verify_bundle_tree(&tree_bundle, &root).unwrap();
    let aggregates = shopfloor_protocol::threshold::publication::candidates(&tree, &key);
    // What the rule says of the rare counts the issue names, at national's own view, before
    // decryption: what trustees answer for.
    let before = {
        use shopfloor_protocol::threshold::family::{self, Form};
        let policy = shopfloor_protocol::threshold::publication::policy_of(&tree).unwrap();
        let lines = shopfloor_protocol::threshold::publication::lines(&aggregates);
        let cands: Vec<_> = aggregates.iter().map(|a| a.candidate.clone()).collect();
        let d = family::decide(&policy, &cands, &lines, Form::BeforeDecryption);
        for (i, c) in cands.iter().enumerate() {
            let k = c.key.to_string();
            let rare = ["union-status=staff", "union-status=officer", "pods"]
                .iter()
                .any(|r| k.contains(r))
                || (k.starts_with("workplaces[stage=") && c.key.dims.len() == 1);
            if rare && c.view.is_empty() {
                println!(
                    "   national {k}: {} chapters, bounds {:?}: {}",
                    c.chapters.len(),
                    c.chapters.iter().map(|b| b.bound).collect::<Vec<_>>(),
                    if d.releases(i) {
                        "released".to_owned()
                    } else {
                        format!("{:?}", d.withheld.get(&i))
                    }
                );
            }
        }
        d
    };
    let released: Vec<Wanted> = national_released
        .iter()
        .map(|r| Wanted {
            key: r.key.clone(),
            view: r.view.clone(),
        })
        .collect();
    // An aggregate the rule withholds before decryption (the combiner may withhold more once it
    // has the values: those trustees do answer for).
    let refused_one = aggregates
        .iter()
        .enumerate()
        .filter(|(i, _)| !before.releases(*i))
        .map(|(_, a)| Wanted {
            key: a.candidate.key.clone(),
            view: a.candidate.view.clone(),
        })
        .find(|w| !released.contains(w))
        .expect("some aggregate is withheld");
    let mut wanted = released.clone();
    wanted.push(refused_one.clone());
    let request = ShareRequest {
        schema: shopfloor_protocol::threshold::publication::SHARE_REQUEST_SCHEMA.into(),
        hub: root.id.clone(),
        period: periods[0],
        rollup: tree_bundle.document.digest(),
        joint_key: key.id(),
        wanted,
    };
    let call = ShareCall {
        request: Envelope::sign(&request, h.keys()),
        bundle: tree_bundle.clone(),
    };
    let south_url = fed
        .regionals
        .iter()
        .find(|r| r.region.south)
        .unwrap()
        .server
        .url();
    let ask = || async {
        reqwest::Client::new()
            .post(format!("{south_url}/api/v1/trustee/shares"))
            .json(&call)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json::<shopfloor_protocol::threshold::publication::ShareAnswer>()
            .await
            .unwrap()
    };
    let answer = ask().await;
    let last = answer.answers.last().unwrap();
    assert_eq!(last.wanted, refused_one);
    assert!(last.share.is_none() && last.refused.is_some(), "{last:?}");
    assert!(
        answer.answers[..released.len()]
            .iter()
            .all(|a| a.share.is_some())
    );
    // Asked again, the trustee takes the chapter reports it verified for the first call as
    // known (their digests, not its store: other regions' reports never reached it) and answers
    // the same: the same aggregates shared or refused, the same partial decryptions (their
    // proofs are randomized).
    let again = ask().await;
    let same = |a: &shopfloor_protocol::threshold::publication::ShareAnswer| {
        a.answers
            .iter()
            .map(|x| {
                let share = x
                    .share
                    .as_ref()
                    .map(|s| serde_json::to_value(s.share).unwrap());
                (x.wanted.clone(), share, x.refused.is_some())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(same(&again), same(&answer));
    // A request signed by someone other than the rollup's signer is refused.
    let mut forged = call.clone();
    forged.request = Envelope::sign(&request, south.keys());
    let status = reqwest::Client::new()
        .post(format!("{south_url}/api/v1/trustee/shares"))
        .json(&forged)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_client_error(), "{status}");

    // A regional hub's own request, over its own verified rollup and signed by it, is refused:
    // one decision for the federation, national's (docs/protocol.md §17.14).
    let s = south.clone();
    let (south_bundle, _) = blocking(move || Ok(shopfloor_hub::decryption::export(&s, period)?))
        .await
        .unwrap();
    let own = ShareRequest {
        hub: south.card().id.clone(),
        rollup: south_bundle.rollup.document.digest(),
        wanted: south_released
            .iter()
            .map(|r| Wanted {
                key: r.key.clone(),
                view: r.view.clone(),
            })
            .collect(),
        ..request.clone()
    };
    let regional_call = ShareCall {
        request: Envelope::sign(&own, south.keys()),
        bundle: south_bundle.rollup.clone(),
    };
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/trustee/shares", fed.national.url()))
        .json(&regional_call)
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_client_error(),
        "a region's own request was answered: {}",
        resp.status()
    );
    let body = resp.text().await.unwrap();
    assert!(body.contains("release-refused"), "{body}");

    // The trustee's configured policy: a hub `answer_hubs` leaves out is refused, and
    // `answer = false` refuses everyone.
    let south_server = &mut fed
        .regionals
        .iter_mut()
        .find(|r| r.region.south)
        .unwrap()
        .server;
    for (hubs, answer, code) in [
        (vec!["someone-else"], true, "release-refused"),
        (vec![], false, "not-a-trustee"),
    ] {
        let dir = south_server.dir();
        let mut cfg = shopfloor_hub::config::Config::load(&dir).unwrap();
        cfg.decryption.answer = answer;
        cfg.decryption.answer_hubs = hubs
            .iter()
            .map(|h| shopfloor_protocol::PartyId::new(h).unwrap())
            .collect();
        std::fs::write(
            dir.join(shopfloor_hub::config::CONFIG_FILE),
            cfg.to_toml().unwrap(),
        )
        .unwrap();
        south_server.reload().await.unwrap();
        let resp = reqwest::Client::new()
            .post(format!("{south_url}/api/v1/trustee/shares"))
            .json(&call)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{}", resp.status());
        let body = resp.text().await.unwrap();
        assert!(body.contains(code), "{body}");
    }

    // (a) No single trustee decrypts a chapter's cell: with one trustee's file (and every hub's
    // files, which hold only ciphertexts and public keys), a chapter's ciphertext does not
    // combine: one share is below the threshold, and the share alone is not the value.
    let (_, report) = tree
        .reports()
        .find(|(_, r)| !r.encrypted.is_empty())
        .expect("a chapter encrypted its withheld cells");
    let entry = report.encrypted.first().unwrap();
    let one_cell = shopfloor_protocol::threshold::Tally::of_cells(
        &key,
        &[shopfloor_protocol::threshold::Contribution::new(
            report.chapter.clone(),
            entry.cell.clone(),
        )],
    )
    .unwrap();
    let table = DecodeTable::new(1000).unwrap();
    for t in [&national_trustee, &south_trustee] {
        // The trustee's own rule refuses a single chapter's tally outright.
        let policy = shopfloor_protocol::threshold::ReleasePolicy::new(5).unwrap();
        assert_eq!(
            t.share(&one_cell, &policy).unwrap_err().reason(),
            Reason::ReleaseRefused
        );
        // And even a share taken around the rule does not decrypt alone.
        let share = t.share_unchecked(&one_cell.ciphertext).unwrap();
        assert_eq!(
            combine(&key, &one_cell, &[share], &table)
                .unwrap_err()
                .reason(),
            Reason::InsufficientShares
        );
    }
    fed.stop().await.unwrap();
}
