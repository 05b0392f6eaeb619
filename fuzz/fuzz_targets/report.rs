//! A chapter report payload: parse and validate (schema, registry, duplicates, disclosure rule,
//! table sums), then, signed by the chapter, the hub's whole acceptance check.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shopfloor_fuzz::{Party, south, triangle};
use shopfloor_protocol::cert::RevocationSet;
use shopfloor_protocol::envelope::Document;
use shopfloor_protocol::rollup::{Contribution, sum, verify_child_report};
use shopfloor_protocol::{Envelope, Report};

static HUB: LazyLock<Party> = LazyLock::new(south);
static CHAPTER: LazyLock<Party> = LazyLock::new(triangle);

fuzz_target!(|data: &[u8]| {
    let Ok(report) = Report::from_payload(data) else {
        return;
    };
    let again = Report::from_payload(&report.to_payload());
    assert_eq!(
        again.as_ref().ok(),
        Some(&report),
        "report payload round trip"
    );
    let envelope = Envelope::sign(&report, &CHAPTER.keys);
    let _ = verify_child_report(
        &envelope,
        &CHAPTER.card,
        &HUB.card.id,
        &RevocationSet::new(),
    );
    let _ = sum(&[Contribution::Report(&report), Contribution::Report(&report)]);
});
