//! Rollup payload v1, read so hubs and verifiers can still check what was signed before v2.
//!
//! A v1 rollup embeds each child's certificate and document verbatim inside its payload, so a
//! national rollup carries its chapters' reports base64-encoded twice, and each level hashes them
//! again; at 250 chapters it outgrew the 16 MiB document limit. Nothing builds v1 any more: it is
//! converted on reading into the v2 shape, the embedded envelopes kept beside it, and verified by
//! the same code as v2.

use serde::{Deserialize, Serialize};

use super::{Child, ChildRef, Completeness, Rollup, SummedCell};
use crate::envelope::{Document, Envelope};
use crate::error::{Error, Result};
use crate::identity::PartyId;
use crate::report::{Period, check_schema};

/// Schema id of rollup payload v1.
pub const ROLLUP_SCHEMA_V1: &str = "shopfloor.rollup.v1";

/// Rollup payload v1: children embedded verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupV1 {
    /// Always [`ROLLUP_SCHEMA_V1`].
    pub schema: String,
    /// The hub that built and signed it.
    pub hub: PartyId,
    /// The parent hub it is addressed to; `None` for the national hub's own rollup.
    pub recipient: Option<PartyId>,
    /// The period.
    pub period: Period,
    /// 1, then higher for each rebuild.
    pub revision: u32,
    /// When it was built.
    pub generated_at: jiff::Timestamp,
    /// The hub's own signed revocation lists.
    #[serde(default)]
    pub revocations: Vec<Envelope>,
    /// The children, in id order, embedded.
    pub children: Vec<Child>,
    /// The summed cells, in key order.
    pub cells: Vec<SummedCell>,
    /// Who reported.
    pub completeness: Completeness,
}

impl Document for RollupV1 {
    const PAYLOAD_TYPE: &'static str = "application/vnd.shopfloor.rollup.v1+json";

    fn from_payload(bytes: &[u8]) -> Result<Self> {
        check_schema(bytes, "shopfloor.rollup.", ROLLUP_SCHEMA_V1)?;
        serde_json::from_slice(bytes).map_err(|e| Error::malformed(format!("rollup: {e}")))
    }

    fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl RollupV1 {
    /// The v2 shape of this rollup (children bound by the digests of what it embeds) and the
    /// embedded children, in the same order as the references.
    pub fn into_v2(self) -> Result<(Rollup, Vec<Child>)> {
        let refs: Vec<ChildRef> = self
            .children
            .iter()
            .map(|c| ChildRef {
                id: c.id.clone(),
                certificate: c.certificate.digest(),
                document: c.document.digest(),
            })
            .collect();
        let rollup = Rollup {
            schema: self.schema,
            hub: self.hub,
            recipient: self.recipient,
            period: self.period,
            revision: self.revision,
            generated_at: self.generated_at,
            revocations: self.revocations,
            child_count: u32::try_from(refs.len()).unwrap_or(u32::MAX),
            children: refs,
            cells: self.cells,
            completeness: self.completeness,
        };
        rollup.check_shape()?;
        Ok((rollup, self.children))
    }
}
