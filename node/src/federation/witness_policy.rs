//! Which witnesses must cosign the hub's checkpoints, and how many: read from `node.toml` and
//! checked there ([`crate::datadir::NodeConfig::validate`]), applied by
//! [`super::witnessed`]. A leaf, so the configuration need not import the federation client.

use shopfloor_protocol::note::{NoteVerifier, TYPE_COSIGNATURE_V1};

/// Which witnesses must cosign, and how many.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// The witnesses' cosigner keys.
    pub witnesses: Vec<NoteVerifier>,
    /// How many must have cosigned.
    pub quorum: usize,
}

impl Policy {
    /// The policy `node.toml` states ([`crate::datadir::NodeConfig::witness_policy`]), checked:
    /// cosigner vkeys, and a quorum they can meet.
    pub fn new(vkeys: &[String], quorum: usize) -> crate::Result<Policy> {
        let mut witnesses = Vec::new();
        for vkey in vkeys {
            let v = NoteVerifier::from_vkey(vkey)
                .map_err(|e| crate::Error::Config(format!("witnesses: {vkey}: {e}")))?;
            if v.kind() != TYPE_COSIGNATURE_V1 {
                return Err(crate::Error::Config(format!(
                    "witnesses: {vkey} is not a cosigner key (type 0x04)"
                )));
            }
            witnesses.push(v);
        }
        if quorum > witnesses.len() {
            return Err(crate::Error::Config(format!(
                "witness_quorum {quorum} is more than the {} witnesses listed",
                witnesses.len()
            )));
        }
        Ok(Policy { witnesses, quorum })
    }

    /// Whether anything is to be checked.
    pub fn is_required(&self) -> bool {
        self.quorum > 0
    }
}
