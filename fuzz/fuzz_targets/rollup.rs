//! Rollups and bundles: `shopfloor-hub verify FILE` (a sealed file, a bundle or a bare envelope,
//! verified offline against the pinned root), and a rollup payload (v2, or legacy v1), which is
//! then signed by the root so its children, certificates, revocations and sums are all
//! re-verified.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shopfloor_fuzz::{Party, national, south};
use shopfloor_protocol::Envelope;
use shopfloor_protocol::cert::RevocationSet;
use shopfloor_protocol::envelope::Document;
use shopfloor_protocol::rollup::legacy::RollupV1;
use shopfloor_protocol::rollup::{Bundle, Documents, Rollup, verify_bytes, verify_rollup};

static ROOT: LazyLock<Party> = LazyLock::new(national);
static REGION: LazyLock<Party> = LazyLock::new(south);

fuzz_target!(|data: &[u8]| {
    let _ = verify_bytes(data, &ROOT.card, Some(&REGION.keys));
    if let Ok(bundle) = Bundle::from_json(data) {
        let again = Bundle::from_json(&bundle.to_json());
        assert_eq!(again.as_ref().ok(), Some(&bundle), "bundle JSON round trip");
    }
    let none = Documents::new();
    if let Ok(rollup) = Rollup::from_payload(data) {
        let envelope = Envelope::sign(&rollup, &ROOT.keys);
        let _ = verify_rollup(&envelope, &ROOT.card, &RevocationSet::new(), &none);
        let envelope = Envelope::sign(&rollup, &REGION.keys);
        let _ = verify_rollup(&envelope, &REGION.card, &RevocationSet::new(), &none);
    }
    if let Ok(rollup) = RollupV1::from_payload(data) {
        let envelope = Envelope::sign(&rollup, &ROOT.keys);
        let _ = verify_rollup(&envelope, &ROOT.card, &RevocationSet::new(), &none);
    }
});
