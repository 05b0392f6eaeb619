//! Guidance a hub publishes down the chain: the payload (parse and validate), then, signed by the
//! regional hub, the chapter's verification including guidance it relays from national.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shopfloor_fuzz::{Party, national, south};
use shopfloor_protocol::Envelope;
use shopfloor_protocol::envelope::Document;
use shopfloor_protocol::guidance::{Guidance, verify};

static ROOT: LazyLock<Party> = LazyLock::new(national);
static REGION: LazyLock<Party> = LazyLock::new(south);

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::from_json(data) {
        let _ = verify(&envelope, &REGION.card, Some(&ROOT.card));
        let _ = verify(&envelope, &ROOT.card, None);
    }
    let Ok(guidance) = Guidance::from_payload(data) else {
        return;
    };
    let again = Guidance::from_payload(&guidance.to_payload());
    assert_eq!(
        again.as_ref().ok(),
        Some(&guidance),
        "guidance payload round trip"
    );
    let envelope = Envelope::sign(&guidance, &REGION.keys);
    let _ = verify(&envelope, &REGION.card, Some(&ROOT.card));
    let envelope = Envelope::sign(&guidance, &ROOT.keys);
    let _ = verify(&envelope, &ROOT.card, None);
});
