//! Golden output: what each model and profile writes, compared as bytes
//! with `tests/golden/`. `STORESIM_BLESS=1 cargo test` rewrites the files
//! after an intended change of a model or a schema.
//!
//! The short chain run is kept whole (a reviewer reads its diff); the
//! longer runs, one per model and profile, are kept as each output file's
//! SHA-256 and size with its first lines, so a golden file stays small and
//! still tells any changed byte.

use std::fmt::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{storesim, tree};

/// Compares `got` with the golden file `name`, or writes it when blessing.
fn check(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("STORESIM_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    similar_asserts::assert_eq!(want, got, "{name}");
}

#[test]
fn five_minutes_of_one_store_match_the_golden_file() {
    let out = storesim()
        .args([
            "run",
            "--seed",
            "42",
            "--stores",
            "1",
            "--start",
            "2026-11-27T15:00:00Z",
        ])
        .args(["--until", "2026-11-27T15:05:00Z", "--sink", "stdout", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    check(
        "chain-1-store-5-min.jsonl",
        &String::from_utf8(out.stdout).unwrap(),
    );
}

/// One profile: a scenario (built-in name or file text), its run options.
struct Profile {
    name: &'static str,
    scenario: &'static str,
    file: Option<&'static str>,
    args: &'static [&'static str],
}

const PROFILES: [Profile; 7] = [
    Profile {
        name: "chain",
        scenario: "chain",
        file: None,
        args: &["--stores", "2", "--start", "2026-11-25"],
    },
    Profile {
        name: "chain-delivery",
        scenario: "chain",
        file: Some(
            "extends = \"chain\"\n[delivery]\nlate_share = 0.05\nlate_delay_s = [5, 600]\nduplicate_share = 0.02\n",
        ),
        args: &["--stores", "2", "--start", "2026-11-27"],
    },
    Profile {
        name: "chain-apex",
        scenario: "chain",
        file: None,
        args: &[
            "--stores",
            "2",
            "--start",
            "2026-11-24",
            "--schema",
            "apex",
        ],
    },
    Profile {
        name: "smoothie",
        scenario: "smoothie",
        file: None,
        args: &["--stores", "3", "--days", "2"],
    },
    Profile {
        name: "webshop",
        scenario: "webshop",
        file: None,
        args: &["--stores", "3"],
    },
    Profile {
        name: "marketplace",
        scenario: "marketplace",
        file: None,
        args: &["--stores", "4"],
    },
    Profile {
        name: "widgets",
        scenario: "widgets",
        file: None,
        args: &["--stores", "2", "--days", "2"],
    },
];

/// Each file of `dir` as `sha256 size path` and its first `head` lines.
fn digest(dir: &Path, head: usize) -> String {
    let mut out = String::new();
    for (path, bytes) in tree(dir) {
        let sum = Sha256::digest(&bytes);
        let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
        writeln!(out, "{hex} {:>9} {}", bytes.len(), path.display()).unwrap();
        for line in String::from_utf8_lossy(&bytes).lines().take(head) {
            writeln!(out, "    {line}").unwrap();
        }
    }
    out
}

#[test]
fn every_model_and_profile_matches_its_golden_digest() {
    let tmp = tempfile::tempdir().unwrap();
    for p in &PROFILES {
        let root = tmp.path().join(p.name);
        std::fs::create_dir_all(&root).unwrap();
        let scenario = match p.file {
            Some(text) => {
                // Relative: the manifest records the path as given.
                std::fs::write(root.join("scenario.toml"), text).unwrap();
                "scenario.toml".to_string()
            }
            None => p.scenario.to_string(),
        };
        let out = root.join("out");
        let run = storesim()
            .current_dir(&root)
            .args(["run", "--seed", "11", "--scenario", &scenario, "-q"])
            .args(p.args)
            .args(["--sink", "files:out/json", "--sink", "csv:out/csv"])
            .args(["--manifest", "out/manifest.json"])
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}: {}",
            p.name,
            String::from_utf8_lossy(&run.stderr)
        );
        check(&format!("{}.digest", p.name), &digest(&out, 3));
    }
}
