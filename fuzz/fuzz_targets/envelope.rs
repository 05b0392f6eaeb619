//! A DSSE envelope as JSON: parse, verify against the federation's keys, and check that what
//! parses serializes back to an envelope that parses to the same value.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shopfloor_fuzz::{Party, national, south, triangle};
use shopfloor_protocol::Envelope;
use shopfloor_protocol::Report;
use shopfloor_protocol::cert::{Certificate, RevocationList};
use shopfloor_protocol::guidance::Guidance;
use shopfloor_protocol::request::{RequestAuth, decode_header};
use shopfloor_protocol::rollup::Rollup;

static PARTIES: LazyLock<[Party; 3]> = LazyLock::new(|| [national(), south(), triangle()]);

fuzz_target!(|data: &[u8]| {
    // The same envelope as the `Shopfloor-Auth` header of a signed request (base64 of the JSON).
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(envelope) = decode_header(text)
    {
        let _ = envelope.open_document::<RequestAuth>(&PARTIES[2].card.signing_key);
    }
    let Ok(envelope) = Envelope::from_json(data) else {
        return;
    };
    let again = Envelope::from_json(&envelope.to_json());
    assert_eq!(
        again.as_ref().ok(),
        Some(&envelope),
        "envelope JSON round trip"
    );
    let _ = envelope.digest();
    for p in PARTIES.iter() {
        // The corpus holds real signed envelopes: mutations that keep a signature valid (e.g. in
        // whitespace or key order outside the payload) reach the payload parsers.
        if let Ok(v) = envelope.verify(&p.card.signing_key) {
            let _ = v.document::<Report>();
            let _ = v.document::<Rollup>();
            let _ = v.document::<Certificate>();
            let _ = v.document::<RevocationList>();
            let _ = v.document::<Guidance>();
        }
    }
});
