//! The node's modules import one another without a cycle (issue 15: "no import cycles").
//!
//! Reads every module under `node/src` the way a reader does: the paths it names through
//! `crate::`, `super::` and `self::` (use trees expanded; comments and `#[cfg(test)]` modules
//! left out), each resolved to the deepest module it names. A module that uses its parent's items
//! through `super::` is part of that parent, as Rust scopes it; two modules that use each other
//! are a cycle, and so is any longer loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

/// Every `.rs` file under `root` as its module path (`web/ui/mod.rs` is `web::ui`).
fn modules(root: &Path) -> BTreeMap<Module, (bool, String)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let dir_module = matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            );
            if dir_module {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            out.insert(parts, (dir_module, text));
        }
    }
    out
}

/// The text without comments, string literals' contents or `#[cfg(test)] mod … { … }` blocks.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(b.len(), |n| i + n);
        } else if text[i..].starts_with("/*") {
            i = text[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if text[i..].starts_with("#[cfg(test)]") {
            let rest = text[i + 12..].trim_start();
            if rest.starts_with("mod ") {
                let open = i + text[i..].find('{').unwrap_or(b.len() - i);
                let mut depth = 0usize;
                let mut j = open;
                while j < b.len() {
                    match b[j] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                i = j + 1;
            } else {
                out.push('#');
                i += 1;
            }
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Expands a use tree or path that starts at `s` (just after `crate::`, `super::` or
/// `self::`) into its paths.
fn expand(s: &str) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    let mut rest = s;
    loop {
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !ident.is_empty() {
            rest = &rest[ident.len()..];
            prefix.push(ident);
            match rest.strip_prefix("::") {
                Some(r) => rest = r,
                None => return vec![prefix],
            }
        } else if let Some(inner) = rest.strip_prefix('{') {
            let mut depth = 1usize;
            let mut items = Vec::new();
            let mut start = 0;
            for (n, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            items.push(&inner[start..n]);
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        items.push(&inner[start..n]);
                        start = n + 1;
                    }
                    _ => {}
                }
            }
            let mut out = Vec::new();
            for item in items {
                for mut tail in expand(item.trim()) {
                    let mut p = prefix.clone();
                    p.append(&mut tail);
                    out.push(p);
                }
            }
            return out;
        } else {
            return vec![prefix];
        }
    }
}

/// Which modules each module names.
fn edges(mods: &BTreeMap<Module, (bool, String)>) -> BTreeMap<Module, BTreeSet<Module>> {
    let resolve = |path: &[String]| -> Option<Module> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|p| mods.contains_key(p))
    };
    let mut out = BTreeMap::new();
    for (m, (dir_module, text)) in mods {
        let code = code_of(text);
        let mut to = BTreeSet::new();
        for base in ["crate::", "super::", "self::"] {
            for (at, _) in code.match_indices(base) {
                let before = code[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' || before == ':' {
                    continue;
                }
                let start: Module = match base {
                    "crate::" => Vec::new(),
                    "super::" if *dir_module => m[..m.len().saturating_sub(1)].to_vec(),
                    "super::" => m[..m.len().saturating_sub(1)].to_vec(),
                    _ if *dir_module => m.clone(),
                    _ => m[..m.len().saturating_sub(1)].to_vec(),
                };
                for tail in expand(&code[at + base.len()..]) {
                    let mut full = start.clone();
                    full.extend(tail.into_iter().filter(|s| s != "self"));
                    if let Some(t) = resolve(&full)
                        && t != *m
                        && !t.is_empty()
                    {
                        to.insert(t);
                    }
                }
            }
        }
        out.insert(m.clone(), to);
    }
    out
}

/// A cycle of the graph, if there is one.
fn cycle(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        v: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        marks: &mut BTreeMap<Module, Mark>,
        path: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        marks.insert(v.clone(), Mark::Open);
        path.push(v.clone());
        for w in edges.get(v).into_iter().flatten() {
            match marks.get(w) {
                Some(Mark::Open) => {
                    let from = path.iter().position(|p| p == w).unwrap_or(0);
                    let mut c = path[from..].to_vec();
                    c.push(w.clone());
                    return Some(c);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(c) = visit(w, edges, marks, path) {
                        return Some(c);
                    }
                }
            }
        }
        path.pop();
        marks.insert(v.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for v in edges.keys() {
        if !marks.contains_key(v)
            && let Some(c) = visit(v, edges, &mut marks, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

fn show(c: &[Module]) -> String {
    c.iter()
        .map(|m| m.join("::"))
        .collect::<Vec<_>>()
        .join(" -> ")
}

#[test]
fn the_node_s_modules_import_one_another_without_a_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&root);
    assert!(mods.len() > 50, "only {} modules found", mods.len());
    let graph = edges(&mods);
    // The reader sees what it must: the store names the error module, the web server the data
    // directory.
    let named = |a: &str, b: &str| {
        let a: Module = a.split("::").map(str::to_owned).collect();
        let b: Module = b.split("::").map(str::to_owned).collect();
        graph.get(&a).is_some_and(|to| to.contains(&b))
    };
    assert!(named("store", "error"), "store -> error not seen");
    assert!(named("web", "datadir"), "web -> datadir not seen");
    if let Some(c) = cycle(&graph) {
        panic!("an import cycle: {}", show(&c));
    }
}

/// The reader finds a cycle when there is one: two modules that name each other, one through
/// a nested use tree, and a comment or test module naming anything does not count.
#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut mods = BTreeMap::new();
    mods.insert(vec![], (true, "mod a; mod b;".to_owned()));
    mods.insert(
        vec!["a".to_owned()],
        (false, "use crate::{b::{self, Thing}, c};\n".to_owned()),
    );
    mods.insert(
        vec!["b".to_owned()],
        (
            false,
            "use super::a::X; // crate::c\n#[cfg(test)]\nmod tests { use crate::c::Y; }\n"
                .to_owned(),
        ),
    );
    mods.insert(vec!["c".to_owned()], (false, "fn f() {}".to_owned()));
    let graph = edges(&mods);
    let b: Module = vec!["b".to_owned()];
    let c: Module = vec!["c".to_owned()];
    assert!(graph[&vec!["a".to_owned()]].contains(&b));
    assert!(graph[&vec!["a".to_owned()]].contains(&c));
    assert!(
        !graph[&b].contains(&c),
        "a comment or a test module counted"
    );
    let found = cycle(&graph).expect("a <-> b");
    assert_eq!(show(&found), "a -> b -> a");
    mods.insert(b.clone(), (false, "use crate::c::Y;".to_owned()));
    assert!(cycle(&edges(&mods)).is_none());
}
