//! Identities read from outside: a card (enrollment, `--root` files), a key file, party ids, age
//! recipients and digests.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopfloor_protocol::{AgeRecipient, Card, Digest, PartyId, SecretKeys};

fuzz_target!(|data: &[u8]| {
    if let Ok(card) = Card::from_json(data) {
        let again = Card::from_json(card.to_json().as_bytes());
        assert_eq!(again.as_ref().ok(), Some(&card), "card JSON round trip");
        let _ = card.fingerprint();
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(keys) = SecretKeys::from_text(text) {
        let again = SecretKeys::from_text(&keys.to_text());
        assert_eq!(
            again.map(|k| k.public_key()).ok(),
            Some(keys.public_key()),
            "key file round trip"
        );
    }
    let _ = PartyId::new(text);
    let _ = PartyId::slugify(text);
    let _ = AgeRecipient::new(text);
    let _ = Digest::from_hex(text);
});
