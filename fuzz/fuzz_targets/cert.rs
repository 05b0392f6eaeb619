//! Certificates and revocation lists: as signed envelopes checked against the national root (the
//! chain a hub or verifier walks), and as payloads, which are then signed by the root so the
//! parsed certificate goes through the whole chain check.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shopfloor_fuzz::{Party, national, south, vector_time};
use shopfloor_protocol::Envelope;
use shopfloor_protocol::cert::{
    Certificate, RevocationList, RevocationSet, Rotation, verify_chain, verify_rotation,
};
use shopfloor_protocol::envelope::Document;

static ROOT: LazyLock<Party> = LazyLock::new(national);
static REGION: LazyLock<Party> = LazyLock::new(south);

fuzz_target!(|data: &[u8]| {
    let revocations = RevocationSet::new();
    if let Ok(envelope) = Envelope::from_json(data) {
        let _ = verify_chain(
            &ROOT.card,
            std::slice::from_ref(&envelope),
            vector_time(),
            &revocations,
        );
        let mut set = RevocationSet::new();
        if set.add(&envelope, &ROOT.card).is_ok() {
            let _ = set.revoked(&ROOT.card.id, &REGION.card.key_id(), vector_time());
        }
        let _ = verify_rotation(&REGION.card, &envelope);
    }
    if let Ok(cert) = Certificate::from_payload(data) {
        let envelope = Envelope::sign(&cert, &ROOT.keys);
        let _ = verify_chain(&ROOT.card, &[envelope], cert.not_before, &revocations);
    }
    if let Ok(list) = RevocationList::from_payload(data) {
        let envelope = Envelope::sign(&list, &ROOT.keys);
        let mut set = RevocationSet::new();
        let _ = set.add(&envelope, &ROOT.card);
    }
    if let Ok(rotation) = Rotation::from_payload(data) {
        let envelope = Envelope::sign(&rotation, &REGION.keys);
        let _ = verify_rotation(&REGION.card, &envelope);
    }
});
