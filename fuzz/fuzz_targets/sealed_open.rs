//! A sealed file (`hub ingest FILE`, `POST /api/v1/reports`): age unseal with the receiving hub's
//! identity, then the envelope inside, then the chapter's signature and the report.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shopfloor_fuzz::{Party, south, triangle};
use shopfloor_protocol::{Report, open};

static HUB: LazyLock<Party> = LazyLock::new(south);
static CHAPTER: LazyLock<Party> = LazyLock::new(triangle);

fuzz_target!(|data: &[u8]| {
    let Ok(envelope) = open(data, &HUB.keys) else {
        return;
    };
    let _ = envelope.open_document::<Report>(&CHAPTER.card.signing_key);
});
