//! Replays disclosure control on cells dumped by the disclosure benchmark
//! (`BENCH_DUMP=DIR cargo bench -p shopfloor-testbed --bench disclosure` writes `DIR/s5.txt`,
//! `s10.txt`, `s20.txt`), without a node: for comparing two builds of this crate on the same
//! cells in the same run (docs/performance.md). Runs `suppress_report` then `check_report` N
//! times and prints the withheld counts and the min and median times; `REPLAY_OUT=FILE` writes
//! the resulting cells, to compare what two builds withhold.
//!
//! `cargo run --release -p shopfloor-protocol --example disclosure_replay -- DIR/s20.txt 100`

// A measuring tool: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Instant;

use shopfloor_protocol::disclosure;
use shopfloor_protocol::registry::Dim;
use shopfloor_protocol::report::PublicCampaign;
use shopfloor_protocol::{Cell, CellKey, CellValue, DisclosurePolicy};

fn main() {
    let path = std::env::args().nth(1).expect("a dump file");
    let repeat: usize = std::env::args().nth(2).map_or(5, |s| s.parse().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let mut k = 0;
    let mut cells = Vec::new();
    let mut campaigns: Vec<PublicCampaign> = Vec::new();
    // Lines: `k<TAB>k`, `metric<TAB>dim=value,...<TAB>count|S`, `campaigns<TAB>json`.
    for line in text.lines() {
        let parts: Vec<&str> = line.splitn(3, '\t').collect();
        match parts.as_slice() {
            ["k", v] => k = v.parse().unwrap(),
            ["campaigns", json] => campaigns = serde_json::from_str(json).unwrap(),
            [metric, dims, value] => {
                let dims: BTreeMap<Dim, String> = dims
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        let (d, v) = s.split_once('=').unwrap();
                        (Dim::from_key(d).unwrap(), v.to_owned())
                    })
                    .collect();
                let value = match *value {
                    "S" => CellValue::Suppressed,
                    v => CellValue::Count(v.parse().unwrap()),
                };
                cells.push(Cell {
                    key: CellKey {
                        metric: (*metric).to_owned(),
                        dims,
                    },
                    value,
                });
            }
            _ => panic!("unreadable line {line:?}"),
        }
    }
    let policy = DisclosurePolicy { k };
    let mut out = cells.clone();
    let (mut ts, mut tc) = (Vec::new(), Vec::new());
    for _ in 0..repeat.max(1) {
        out = cells.clone();
        let t = Instant::now();
        disclosure::suppress_report(&mut out, &policy, &campaigns);
        ts.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        disclosure::check_report(&out, k, &campaigns).unwrap();
        tc.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ts.sort_by(f64::total_cmp);
    tc.sort_by(f64::total_cmp);
    let withheld = out
        .iter()
        .filter(|c| c.value == CellValue::Suppressed)
        .count();
    println!(
        "{} cells, {withheld} withheld; suppress min {:.2} median {:.2} ms; check min {:.2} \
         median {:.2} ms",
        cells.len(),
        ts[0],
        ts[ts.len() / 2],
        tc[0],
        tc[tc.len() / 2]
    );
    if let Ok(p) = std::env::var("REPLAY_OUT") {
        let text: String = out
            .iter()
            .map(|c| format!("{} {:?}\n", c.key, c.value))
            .collect();
        std::fs::write(p, text).unwrap();
    }
}
