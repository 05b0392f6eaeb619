//! Interop: the transparency log's tree hashes against independent reference data (issue 17).
//!
//! The 8 standard leaves and the root of every tree over a prefix of them (sizes 0 to 8) come from
//! transparency-dev/merkle, `testonly/constants.go` (`LeafInputs`, `RootHashes`, `NodeHashes`;
//! github.com/transparency-dev/merkle, commit 582a6ad190b6848f1d26f8bf08ddef29955d9db1), which
//! carries them over from Certificate Transparency's C++ `merkle_tree_test.cc`. They are the
//! RFC 6962 §2.1 hashes: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right),
//! empty tree = SHA-256(""). Shopfloor's own entries are 32-byte envelope digests; these leaves
//! are arbitrary data, so they go in by leaf hash ([`MerkleTree::push_leaf_hash`]).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use shopfloor_protocol::Digest;
use shopfloor_protocol::log::{
    MerkleTree, empty_root, leaf_hash, node_hash, verify_consistency, verify_inclusion_hash,
};

/// `LeafInputs()`, hex.
const LEAF_INPUTS: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// `RootHashes()`: the root of the tree over the first `n` leaves, n = 0..=8.
const ROOT_HASHES: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// `NodeHashes()[0]`: the leaf hashes.
const LEAF_HASHES: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
];

/// `NodeHashes()[1]`: the hashes of the pairs (0,1), (2,3), (4,5), (6,7).
const PAIR_HASHES: [&str; 4] = [
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
];

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn digest(s: &str) -> Digest {
    Digest::from_hex(s).unwrap()
}

fn reference_tree() -> MerkleTree {
    let mut tree = MerkleTree::new();
    for input in LEAF_INPUTS {
        tree.push_leaf_hash(leaf_hash(&hex(input)));
    }
    tree
}

#[test]
fn leaf_and_node_hashes_match_rfc_6962() {
    for (input, want) in LEAF_INPUTS.iter().zip(LEAF_HASHES) {
        assert_eq!(leaf_hash(&hex(input)), digest(want), "leaf {input:?}");
    }
    for (i, want) in PAIR_HASHES.iter().enumerate() {
        let pair = node_hash(&digest(LEAF_HASHES[2 * i]), &digest(LEAF_HASHES[2 * i + 1]));
        assert_eq!(pair, digest(want), "pair {i}");
    }
    assert_eq!(empty_root(), digest(ROOT_HASHES[0]));
}

#[test]
fn the_root_of_every_prefix_of_the_8_standard_leaves_matches() {
    let full = reference_tree();
    let mut growing = MerkleTree::new();
    assert_eq!(growing.root(), digest(ROOT_HASHES[0]), "empty tree");
    for (n, input) in LEAF_INPUTS.iter().enumerate() {
        growing.push_leaf_hash(leaf_hash(&hex(input)));
        let size = n as u64 + 1;
        assert_eq!(growing.root(), digest(ROOT_HASHES[n + 1]), "size {size}");
        assert_eq!(
            full.root_at(size).unwrap(),
            digest(ROOT_HASHES[n + 1]),
            "root_at({size}) of the full tree"
        );
    }
}

#[test]
fn proofs_over_the_standard_leaves_verify_against_the_reference_roots() {
    let tree = reference_tree();
    for size in 1..=8u64 {
        let root = digest(ROOT_HASHES[size as usize]);
        for index in 0..size {
            let proof = tree.inclusion_proof(index, size).unwrap();
            let leaf = digest(LEAF_HASHES[index as usize]);
            verify_inclusion_hash(&leaf, index, size, &proof, &root)
                .unwrap_or_else(|e| panic!("inclusion of {index} in {size}: {e}"));
        }
    }
    for old in 0..=8u64 {
        for new in old..=8u64 {
            let proof = tree.consistency_proof(old, new).unwrap();
            verify_consistency(
                old,
                new,
                &digest(ROOT_HASHES[old as usize]),
                &digest(ROOT_HASHES[new as usize]),
                &proof,
            )
            .unwrap_or_else(|e| panic!("consistency {old} -> {new}: {e}"));
        }
    }
}

/// docs/protocol.md: the old root of an empty log MUST be SHA-256(""), also when the new log is
/// empty too (issue 17: (0, 0, X, X, []) used to pass for any X).
#[test]
fn an_empty_old_log_has_only_the_empty_root() {
    let empty = digest(ROOT_HASHES[0]);
    let other = digest(ROOT_HASHES[8]);
    verify_consistency(0, 0, &empty, &empty, &[]).unwrap();
    verify_consistency(0, 8, &empty, &other, &[]).unwrap();
    for (old_root, new_root) in [(other, other), (empty, other), (other, empty)] {
        let err = verify_consistency(0, 0, &old_root, &new_root, &[]).unwrap_err();
        assert_eq!(err.reason().code(), "bad-proof", "{err}");
    }
    assert!(verify_consistency(0, 8, &other, &other, &[]).is_err());
    assert!(verify_consistency(0, 0, &empty, &empty, &[empty]).is_err());
}
