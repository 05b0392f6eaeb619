//! The trustees' key ceremony through the real `shopfloor-hub trustee` commands, as several
//! tests drive it (tests/trustee.rs, tests/backup.rs): parties in their own data directories
//! exchanging files in a shared folder, as on separate machines.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{hub_cmd, hub_json};

pub const NAME: &str = "federation-2027";
pub const IDS: [&str; 3] = ["national", "south", "officer-a"];

pub struct Party {
    pub dir: PathBuf,
    pub id: &'static str,
}

pub fn parties(root: &Path) -> Vec<Party> {
    IDS.iter()
        .map(|id| Party {
            dir: root.join(id),
            id,
        })
        .collect()
}

pub fn files(dir: &Path, part: &str) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(part))
        .map(|p| p.display().to_string())
        .collect();
    v.sort();
    v
}

pub fn step(p: &Party, args: &[&str]) -> Value {
    let mut all = vec!["trustee"];
    all.extend_from_slice(args);
    all.push("--json");
    hub_json(&p.dir, &all)
}

pub fn init(p: &Party, x: &Path) -> Value {
    step(
        p,
        &[
            "init",
            "--ceremony",
            NAME,
            "--trustees",
            &IDS.join(","),
            "--as",
            p.id,
            "--threshold",
            "2",
            "--out",
            x.to_str().unwrap(),
        ],
    )
}

pub fn round(p: &Party, which: &str, inputs: &[String], x: &Path) -> Value {
    let mut args = vec![which, "--ceremony", NAME, "--out", x.to_str().unwrap()];
    args.extend(inputs.iter().map(String::as_str));
    step(p, &args)
}

/// Runs a step expected to fail; returns stderr.
pub fn refused(p: &Party, which: &str, inputs: &[String], x: &Path) -> String {
    let mut args = vec!["trustee", which, "--ceremony", NAME];
    if which != "finish" {
        args.extend(["--out", x.to_str().unwrap()]);
    }
    args.extend(inputs.iter().map(String::as_str));
    let out = hub_cmd(&p.dir, &args);
    assert!(
        !out.status.success(),
        "{which} should have been refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn received_fingerprint(step: &Value, index: u64) -> String {
    step["received"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0].as_u64() == Some(index))
        .unwrap_or_else(|| panic!("nothing from trustee {index}: {step}"))[2]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A whole ceremony, every step in turn: each party's data directory ends with its trustee
/// file. `x` is the shared folder.
pub fn whole_ceremony(ps: &[Party], x: &Path) {
    for p in ps {
        init(p, x);
    }
    let r1 = files(x, ".round1.");
    for p in ps {
        round(p, "round2", &r1, x);
    }
    let r2 = files(x, ".round2.");
    for p in ps {
        round(p, "round3", &r2, x);
    }
    let shares = files(x, ".share.");
    for p in ps {
        let mut args = vec!["trustee", "finish", "--ceremony", NAME, "--json"];
        args.extend(shares.iter().map(String::as_str));
        hub_json(&p.dir, &args);
    }
}
