//! Interoperability of signed notes, checkpoints, cosignatures and the witness protocol with the
//! C2SP specifications, against data taken from the specifications themselves.
//!
//! Sources (github.com/C2SP/C2SP, read 2026-12-04):
//! - signed-note.md, "Verifier keys / Example": the vkey
//!   `example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k` and the note it
//!   verifies ("This is an example message.").
//! - tlog-checkpoint.md: the example checkpoint of `example.com/behind-the-sofa`.
//! - tlog-witness.md, `add-checkpoint`: the example request body and the status codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use shopfloor_protocol::log::{MerkleTree, empty_root};
use shopfloor_protocol::note::{
    AddCheckpoint, CheckpointText, Note, NoteSigner, NoteVerifier, TYPE_COSIGNATURE_V1,
    TYPE_ED25519, WitnessAnswer, key_id, witness,
};
use shopfloor_protocol::{Digest, Reason, SecretKeys};

const SPEC_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const SPEC_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

const SPEC_CHECKPOINT: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

const SPEC_ADD_CHECKPOINT: &str = "old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\u{2014} example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";

#[test]
fn the_specs_example_note_verifies_under_its_vkey() {
    let v = NoteVerifier::from_vkey(SPEC_VKEY).unwrap();
    assert_eq!(v.name(), "example.com/foo");
    assert_eq!(v.id(), 0x530d903a);
    assert_eq!(v.kind(), TYPE_ED25519);
    assert_eq!(v.vkey(), SPEC_VKEY, "the vkey round-trips byte for byte");

    let note = Note::parse(SPEC_NOTE.as_bytes()).unwrap();
    assert_eq!(note.text(), "This is an example message.\n");
    assert_eq!(
        note.to_text(),
        SPEC_NOTE,
        "the note round-trips byte for byte"
    );
    let ok = note.verify(std::slice::from_ref(&v)).unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].name, "example.com/foo");

    // One changed byte of the text: the known key's signature fails, so the note is refused.
    let tampered = SPEC_NOTE.replace("example message", "example massage");
    let err = Note::parse(tampered.as_bytes())
        .unwrap()
        .verify(std::slice::from_ref(&v))
        .unwrap_err();
    assert_eq!(err.reason(), Reason::BadSignature);

    // A vkey whose id does not follow the key ID rule is refused.
    let wrong_id = SPEC_VKEY.replace("530d903a", "530d903b");
    assert_eq!(
        NoteVerifier::from_vkey(&wrong_id).unwrap_err().reason(),
        Reason::BadKey
    );
}

#[test]
fn unknown_keys_are_ignored_and_one_known_key_must_sign() {
    let v = NoteVerifier::from_vkey(SPEC_VKEY).unwrap();
    let keys = SecretKeys::generate().unwrap();
    let other = NoteSigner::log(&keys, "example.com/foo").unwrap();
    let mut note = Note::parse(SPEC_NOTE.as_bytes()).unwrap();
    // Same name, another key (so another id): ignored, the spec's signature still verifies.
    note.add(other.sign(note.text()).unwrap()).unwrap();
    assert_eq!(note.signatures().len(), 2);
    assert_eq!(note.verify(std::slice::from_ref(&v)).unwrap().len(), 1);
    // Only unknown keys: refused.
    let only_other =
        Note::parse(format!("{}\n{}\n", note.text(), note.signatures()[1].line()).as_bytes())
            .unwrap();
    assert_eq!(
        only_other.verify(&[v]).unwrap_err().reason(),
        Reason::BadSignature
    );
}

#[test]
fn the_specs_example_checkpoint_and_witness_request_parse() {
    let note = Note::parse(SPEC_CHECKPOINT.as_bytes()).unwrap();
    let cp = CheckpointText::parse(note.text()).unwrap();
    assert_eq!(cp.origin, "example.com/behind-the-sofa");
    assert_eq!(cp.size, 20852163);
    assert_eq!(cp.to_text(), note.text());

    let req = AddCheckpoint::parse(SPEC_ADD_CHECKPOINT.as_bytes()).unwrap();
    assert_eq!(req.old, 20852014);
    assert_eq!(req.proof.len(), 4);
    assert_eq!(req.checkpoint.signatures().len(), 2);
    assert_eq!(req.to_text(), SPEC_ADD_CHECKPOINT);
    // The witness does not follow that origin: 404, as the spec says.
    let answer = witness(SPEC_ADD_CHECKPOINT.as_bytes(), |_| None, |_| None);
    assert_eq!(answer.status(), 404);
}

#[test]
fn key_ids_follow_the_rule_for_both_types() {
    let keys = SecretKeys::generate().unwrap();
    let log = NoteSigner::log(&keys, "hub.example/national").unwrap();
    let cosigner = NoteSigner::cosigner(&keys, "hub.example/national/witness").unwrap();
    // The two derived keys differ from each other and from the card key.
    let card = keys.public_key().to_bytes();
    let vlog = log.verifier().vkey();
    let vco = cosigner.verifier().vkey();
    assert_ne!(vlog, vco);
    for vk in [&vlog, &vco] {
        let v = NoteVerifier::from_vkey(vk).unwrap();
        let raw = base64_key(vk);
        assert_ne!(raw[1..], card[..], "a note key is never the card key");
        assert_eq!(v.id(), key_id(v.name(), raw[0], &raw[1..]));
    }
    assert_eq!(
        NoteVerifier::from_vkey(&vco).unwrap().kind(),
        TYPE_COSIGNATURE_V1
    );
}

fn base64_key(vkey: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = vkey.splitn(3, '+').nth(2).unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn digest(i: u8) -> Digest {
    Digest::of(&[i])
}

struct Log {
    tree: MerkleTree,
    signer: NoteSigner,
}

impl Log {
    fn new(keys: &SecretKeys) -> Self {
        Log {
            tree: MerkleTree::new(),
            signer: NoteSigner::log(keys, "hub.example/south").unwrap(),
        }
    }
    fn checkpoint(&self) -> Note {
        let text = CheckpointText {
            origin: "hub.example/south".into(),
            size: self.tree.len(),
            root: self.tree.root(),
        }
        .to_text();
        let mut note = Note::new(&text).unwrap();
        note.add(self.signer.sign(&text).unwrap()).unwrap();
        note
    }
    fn request(&self, old: u64) -> Vec<u8> {
        AddCheckpoint {
            old,
            proof: if old == 0 {
                vec![]
            } else {
                self.tree.consistency_proof(old, self.tree.len()).unwrap()
            },
            checkpoint: self.checkpoint(),
        }
        .to_text()
        .into_bytes()
    }
}

#[test]
fn a_witness_cosigns_consistent_growth_and_refuses_a_fork() {
    let log_keys = SecretKeys::generate().unwrap();
    let mut log = Log::new(&log_keys);
    let trusted = vec![log.signer.verifier().clone()];
    let keys = |o: &str| (o == "hub.example/south").then(|| trusted.clone());
    let witness_keys = SecretKeys::generate().unwrap();
    let w = NoteSigner::cosigner(&witness_keys, "hub.example/national/witness").unwrap();

    for i in 0..5 {
        log.tree.push(digest(i));
    }
    // First contact: old 0, no proof.
    let WitnessAnswer::Cosign(cp) = witness(&log.request(0), keys, |_| None) else {
        panic!("first checkpoint refused")
    };
    let mut cosigned = log.checkpoint();
    cosigned
        .add(w.cosign(&cp.to_text(), 1_764_800_000).unwrap())
        .unwrap();
    let seen = cosigned
        .verify(&[trusted[0].clone(), w.verifier().clone()])
        .unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].time, Some(1_764_800_000));
    let last = (cp.size, cp.root);

    // Growth with a valid proof from the cosigned size.
    for i in 5..13 {
        log.tree.push(digest(i));
    }
    assert!(matches!(
        witness(&log.request(5), keys, |_| Some(last)),
        WitnessAnswer::Cosign(c) if c.size == 13
    ));
    // The log claims another old size than the witness holds: 409 with the witness's size.
    assert_eq!(
        witness(&log.request(4), keys, |_| Some(last)),
        WitnessAnswer::Conflict(5)
    );
    // Old size above the new size: 400.
    let mut body = String::from_utf8(log.request(5)).unwrap();
    body = body.replacen("old 5", "old 14", 1);
    assert_eq!(
        witness(body.as_bytes(), keys, |_| Some((14, last.1))).status(),
        400
    );
    // Unsigned by a trusted key: 403.
    let stranger = Log::new(&SecretKeys::generate().unwrap());
    assert_eq!(witness(&stranger.request(0), keys, |_| None).status(), 403);

    // A fork: another log with the same key and origin, different entries, same size 13.
    let mut fork = Log::new(&log_keys);
    for i in 0..13 {
        fork.tree.push(digest(100 + i));
    }
    let answer = witness(&fork.request(5), keys, |_| Some(last));
    assert!(matches!(answer, WitnessAnswer::Fork(_)), "{answer:?}");
    assert_eq!(answer.status(), 422);
    // Same size, other root: 422 as well.
    let at13 = (13, log.tree.root());
    assert!(matches!(
        witness(&fork.request(13), keys, |_| Some(at13)),
        WitnessAnswer::Fork(_)
    ));
    // A non-empty proof from size 0 is refused.
    let mut req = AddCheckpoint::parse(&log.request(5)).unwrap();
    req.old = 0;
    assert_eq!(
        witness(req.to_text().as_bytes(), keys, |_| None).status(),
        422
    );
    // An empty tree must have the empty root.
    assert_eq!(empty_root(), MerkleTree::new().root());
}

#[test]
fn cosignatures_commit_to_the_time() {
    let keys = SecretKeys::generate().unwrap();
    let w = NoteSigner::cosigner(&keys, "w.example/1").unwrap();
    let text = "o.example/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    let sig = w.cosign(text, 1000).unwrap();
    assert_eq!(sig.cosignature_time(), Some(1000));
    let mut forged = sig.clone();
    forged.bytes[7] ^= 1; // time 1000 -> 1001
    let mut note = Note::new(text).unwrap();
    note.add(forged).unwrap();
    assert_eq!(
        note.verify(&[w.verifier().clone()]).unwrap_err().reason(),
        Reason::BadSignature
    );
    // A log key cannot make cosignatures, nor a cosigner key plain signatures.
    assert!(w.sign(text).is_err());
    assert!(
        NoteSigner::log(&keys, "o.example/log")
            .unwrap()
            .cosign(text, 1)
            .is_err()
    );
}
