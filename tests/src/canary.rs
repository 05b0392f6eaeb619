//! Looking for planted canaries: in files (every file under a directory, SQLite WAL and SHM
//! included), in captured traffic, and in sealed documents opened with the receiving hub's
//! identity. Bytes are searched raw, and every base64 run in them is decoded and searched again,
//! recursively (DSSE payloads are base64, and a rollup's payload embeds its children's
//! envelopes, whose payloads are base64 again).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use shopfloor_protocol::SecretKeys;
use shopfloor_protocol::envelope::{MAX_BUNDLE_BYTES, open_bytes};

/// How deep base64 inside base64 is followed.
const MAX_DEPTH: usize = 4;
/// Shortest base64 run worth decoding.
const MIN_RUN: usize = 12;

/// Where a needle was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// File or stream.
    pub place: String,
    /// The needle (as text).
    pub needle: String,
    /// `raw`, or `base64` (found after decoding) and the depth.
    pub form: String,
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The canary's base64 forms at each of the three alignments (standard and URL-safe), with the
/// edge characters that depend on neighbouring bytes cut off: one of them occurs in any base64
/// text whose plaintext holds the canary.
pub fn base64_forms(needle: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for pad in 0..3usize {
        let mut buf = vec![0u8; pad];
        buf.extend_from_slice(needle);
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let enc = engine.encode(&buf);
            // Characters covering the padding bytes, and the last (partial) one, vary.
            let start = (pad * 4).div_ceil(3);
            let end = enc.len().saturating_sub(1);
            if end > start + 4 {
                out.push(enc.as_bytes()[start..end].to_vec());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

/// Every decodable base64 run in `bytes`.
fn decoded_runs(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_b64(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_b64(bytes[i]) {
            i += 1;
        }
        let run = &bytes[start..i];
        if run.len() >= MIN_RUN {
            for engine in [&STANDARD, &URL_SAFE, &STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                if let Ok(d) = engine.decode(run) {
                    out.push(d);
                    break;
                }
            }
        }
    }
    out
}

/// Searches `bytes` for each needle: raw, in base64 forms, and inside decoded base64 runs.
pub fn search(place: &str, bytes: &[u8], needles: &[&str]) -> Vec<Finding> {
    let mut found = Vec::new();
    search_at(place, bytes, needles, 0, &mut found);
    found.sort_by(|a, b| (&a.needle, &a.form).cmp(&(&b.needle, &b.form)));
    found.dedup();
    found
}

fn search_at(place: &str, bytes: &[u8], needles: &[&str], depth: usize, found: &mut Vec<Finding>) {
    for n in needles {
        if contains(bytes, n.as_bytes()) {
            found.push(Finding {
                place: place.to_owned(),
                needle: (*n).to_owned(),
                form: if depth == 0 {
                    "raw".into()
                } else {
                    format!("base64 (depth {depth})")
                },
            });
        }
        if depth == 0
            && base64_forms(n.as_bytes())
                .iter()
                .any(|f| contains(bytes, f))
        {
            found.push(Finding {
                place: place.to_owned(),
                needle: (*n).to_owned(),
                form: "base64 form".into(),
            });
        }
    }
    if depth < MAX_DEPTH {
        for d in decoded_runs(bytes) {
            search_at(place, &d, needles, depth + 1, found);
        }
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Searches every file under `dir`.
pub fn scan_dir(dir: &Path, needles: &[&str]) -> Vec<Finding> {
    files_under(dir)
        .iter()
        .filter_map(|p| std::fs::read(p).ok().map(|b| (p, b)))
        .flat_map(|(p, b)| search(&p.display().to_string(), &b, needles))
        .collect()
}

/// Opens every sealed body among `bodies` with `keys` (the receiving hub's identity) and
/// returns the envelopes' JSON. Bodies that are not sealed to `keys` are skipped; the count of
/// sealed bodies that did not open is returned too (it should be 0).
pub fn open_sealed(bodies: &[Vec<u8>], keys: &SecretKeys) -> (Vec<Vec<u8>>, usize) {
    let mut opened = Vec::new();
    let mut failed = 0;
    for b in bodies {
        let sealed = b.starts_with(b"age-encryption.org/")
            || b.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----");
        if !sealed {
            continue;
        }
        // A chapter's sealed report is an envelope; a regional hub's sealed forward is a bundle
        // (its rollup and every document it binds): search the whole plaintext either way.
        match open_bytes(b, keys, MAX_BUNDLE_BYTES) {
            Ok(plain) => opened.push(plain),
            Err(_) => failed += 1,
        }
    }
    (opened, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_raw_and_nested_base64() {
        let canary = "cnrytestab12";
        let inner = format!("{{\"name\":\"x {canary} y\"}}");
        let once = STANDARD.encode(inner.as_bytes());
        let twice = STANDARD.encode(format!("{{\"payload\":\"{once}\"}}"));
        assert!(!search("t", inner.as_bytes(), &[canary]).is_empty());
        assert!(!search("t", once.as_bytes(), &[canary]).is_empty());
        assert!(!search("t", twice.as_bytes(), &[canary]).is_empty());
        assert!(search("t", b"nothing to see here, just text", &[canary]).is_empty());
        for shift in 0..3 {
            let text = format!("{}{canary}zz", "a".repeat(shift));
            let enc = URL_SAFE_NO_PAD.encode(text.as_bytes());
            assert!(
                base64_forms(canary.as_bytes())
                    .iter()
                    .any(|f| contains(enc.as_bytes(), f)),
                "shift {shift}"
            );
        }
    }
}
