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
use storesim_scenarios::Scenario;
use storesim_sim::EventKind;

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
pub(super) struct Profile {
    pub(super) name: &'static str,
    pub(super) scenario: &'static str,
    pub(super) file: Option<&'static str>,
    pub(super) args: &'static [&'static str],
}

pub(super) const PROFILES: [Profile; 11] = [
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
        name: "apex",
        scenario: "apex",
        file: None,
        args: &["--stores", "2", "--start", "2026-11-24"],
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
    Profile {
        name: "sales-generator",
        scenario: "sales-generator",
        file: None,
        args: &["--days", "2"],
    },
    Profile {
        name: "fomo",
        scenario: "fomo",
        file: None,
        args: &["--stores", "3"],
    },
    Profile {
        name: "temus",
        scenario: "temus",
        file: None,
        args: &["--stores", "3"],
    },
    Profile {
        name: "widgets-unlimited",
        scenario: "widgets-unlimited",
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

/// Every JSON record a run wrote matches its kind's schema (field order,
/// types, nulls, closed sets), and every CSV header is the schema's; a
/// kind the scenario maps has exactly its mapped fields, in order.
fn conforms(profile: &str, scenario: &str, out: &Path) {
    let scenario = Scenario::load(scenario).unwrap();
    let mut checked = std::collections::BTreeMap::<String, usize>::new();
    for (path, bytes) in tree(out) {
        let Some(kind) = path
            .iter()
            .find_map(|c| c.to_str()?.strip_prefix("kind="))
            .map(|k| k.parse::<EventKind>().unwrap())
        else {
            continue;
        };
        let text = String::from_utf8(bytes).unwrap();
        let mapped = scenario.mapping().and_then(|m| m.get(kind));
        if path.starts_with("csv") {
            let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
            let want = match mapped {
                Some(m) => m.header(),
                None => kind.fields(),
            };
            assert_eq!(header, want, "{profile}: {}", path.display());
            continue;
        }
        for line in text.lines() {
            if let Some(m) = mapped {
                // Exactly the mapped fields (a map's keys are sorted, so
                // the order is read from the text).
                let v: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(line).unwrap();
                assert_eq!(v.len(), m.fields.len(), "{profile}: {line}");
                let at: Vec<usize> = m
                    .header()
                    .iter()
                    .map(|f| line.find(&format!("\"{f}\":")).unwrap())
                    .collect();
                assert!(at.windows(2).all(|w| w[0] < w[1]), "{profile}: {line}");
                continue;
            }
            if let Err(e) = kind.schema().check_json(line) {
                panic!("{profile}: {}: {e}\n{line}", path.display());
            }
        }
        *checked.entry(kind.to_string()).or_default() += text.lines().count();
    }
    assert!(!checked.is_empty(), "{profile}: no record checked");
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
        let loaded = match p.file {
            Some(_) => root.join(&scenario).display().to_string(),
            None => scenario.clone(),
        };
        conforms(p.name, &loaded, &out);
        check(&format!("{}.digest", p.name), &digest(&out, 3));
    }
}

/// `docs/schemas.md` is made from the schemas (bless to rewrite it), and
/// the README's tables name each kind's fields in the schema's order.
#[test]
fn the_schema_reference_is_made_from_the_schemas() {
    let mut doc = String::from(
        "# Event schemas\n\nMade from the schemas in the code (`sim/src/models/<model>/`); a test\nchecks it, and `STORESIM_BLESS=1 cargo test --test cli schema_reference` rewrites it.\nEvery record starts with `kind`. Types: `decimal(p,s)` is exact (money is cents,\nwritten as a JSON number with at most two places), `timestamp(ms)` is RFC 3339 UTC with\nmilliseconds.\n",
    );
    let mut model = "";
    for kind in EventKind::ALL {
        if kind.model() != model {
            model = kind.model();
            doc.push_str(&format!("\n## Model `{model}`\n"));
        }
        doc.push('\n');
        doc.push_str(&kind.schema().markdown());
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas.md");
    if std::env::var_os("STORESIM_BLESS").is_some() {
        std::fs::write(&path, &doc).unwrap();
    }
    similar_asserts::assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), doc);

    // The README's tables: `**kind**` then rows whose first cell names
    // fields, in the schema's order.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut tables = 0;
    for (i, block) in readme.split("\n**").enumerate().skip(1) {
        let Some(name) = block.split("**").next() else {
            continue;
        };
        let Ok(kind) = name.parse::<EventKind>() else {
            continue;
        };
        let named: Vec<&str> = block
            .lines()
            .take_while(|l| !l.starts_with("```"))
            .filter(|l| l.starts_with("| `"))
            .flat_map(|l| l.split('|').nth(1).unwrap().split(','))
            .map(|f| f.trim().trim_matches('`'))
            .collect();
        let fields: Vec<&str> = std::iter::once("kind")
            .chain(kind.schema().fields.iter().map(|f| f.name))
            .collect();
        assert_eq!(named, fields, "README table {i} (`{kind}`)");
        tables += 1;
    }
    assert!(tables >= 3, "README tables found: {tables}");
}
