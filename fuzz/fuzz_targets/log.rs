//! The transparency log as a node reads it from its hub: receipts and checkpoints (payloads), and
//! inclusion and consistency proofs with attacker-chosen sizes, indices and paths (the JSON shape
//! of `protocol/tests/vectors/log/`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use shopfloor_protocol::Digest;
use shopfloor_protocol::envelope::Document;
use shopfloor_protocol::log::{Checkpoint, Receipt, verify_consistency, verify_inclusion};

#[derive(Deserialize)]
struct Proof {
    entry: Option<Digest>,
    index: Option<u64>,
    size: Option<u64>,
    root: Option<Digest>,
    old_size: Option<u64>,
    new_size: Option<u64>,
    old_root: Option<Digest>,
    new_root: Option<Digest>,
    #[serde(default)]
    proof: Vec<Digest>,
}

fuzz_target!(|data: &[u8]| {
    if let Ok(receipt) = Receipt::from_payload(data) {
        let _ = receipt.verify();
    }
    if let Ok(checkpoint) = Checkpoint::from_payload(data) {
        let _ = checkpoint.verify_consistency(&checkpoint, &[]);
    }
    let Ok(p) = serde_json::from_slice::<Proof>(data) else {
        return;
    };
    if let (Some(entry), Some(index), Some(size), Some(root)) = (p.entry, p.index, p.size, p.root) {
        let _ = verify_inclusion(&entry, index, size, &p.proof, &root);
    }
    if let (Some(old_size), Some(new_size), Some(old_root), Some(new_root)) =
        (p.old_size, p.new_size, p.old_root, p.new_root)
    {
        let _ = verify_consistency(old_size, new_size, &old_root, &new_root, &p.proof);
    }
});
