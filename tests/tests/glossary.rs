//! One glossary for both interfaces: `docs/glossary.md` lists, per term, the words the catalogues
//! must not use for it (a second word for "hub", "chapter" or "withheld", the informal "tú"). This
//! test reads that table and every message of the node's and the hub's catalogues, and fails on
//! each message that uses an avoided word, naming the file, the line and the word.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Lowercase words of `s` (letters and digits; accents kept).
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The avoided phrases of the glossary: (column 3 → English, column 4 → Spanish).
fn avoided() -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(repo().join("docs/glossary.md")).unwrap();
    let (mut en, mut es) = (Vec::new(), Vec::new());
    let mut rows = 0;
    for line in text.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        if cells.len() != 4 || cells[0].trim() == "English" || cells[0].contains("---") {
            continue;
        }
        rows += 1;
        for (col, out) in [(2, &mut en), (3, &mut es)] {
            for phrase in cells[col].split(',') {
                let w = words(phrase);
                if !w.is_empty() {
                    out.push(w);
                }
            }
        }
    }
    assert!(rows >= 20, "the glossary table has {rows} rows");
    assert!(!es.is_empty() && !en.is_empty());
    (en, es)
}

/// (line number, message text) of every message and continuation line of a Fluent file.
fn messages(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let value = match line.split_once(" = ") {
            Some((id, v)) if !line.starts_with(' ') && !id.contains(' ') => v,
            _ if line.starts_with(' ') => t,
            _ => continue,
        };
        // Placeables name variables and terms, not words on screen.
        let mut shown = String::new();
        let mut depth = 0usize;
        for c in value.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ if depth == 0 => shown.push(c),
                _ => {}
            }
        }
        out.push((i + 1, shown));
    }
    out
}

fn check(file: &str, avoid: &[Vec<String>], found: &mut Vec<String>) {
    let path = repo().join(file);
    let msgs = messages(&path);
    assert!(msgs.len() > 50, "{file}: only {} messages read", msgs.len());
    for (line, text) in msgs {
        let w = words(&text);
        for phrase in avoid {
            if w.windows(phrase.len()).any(|win| win == phrase.as_slice()) {
                found.push(format!("{file}:{line}: \"{}\"", phrase.join(" ")));
            }
        }
    }
}

#[test]
fn both_interfaces_speak_the_glossary() {
    let (en, es) = avoided();
    let mut found = Vec::new();
    check("node/i18n/es/node.ftl", &es, &mut found);
    check("hub/i18n/es/hub.ftl", &es, &mut found);
    check("node/i18n/en/node.ftl", &en, &mut found);
    check("hub/i18n/en/hub.ftl", &en, &mut found);
    assert!(
        found.is_empty(),
        "words docs/glossary.md says to avoid:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_catches_an_avoided_word() {
    let (_, es) = avoided();
    let w = words("Pídele una cuenta a quien administra este nodo central.");
    assert!(
        es.iter()
            .any(|p| w.windows(p.len()).any(|win| win == p.as_slice())),
        "the avoided words of the glossary match a sentence that uses them"
    );
}
