//! The smoothie scenario end to end: every kind with its documented
//! fields, the same bytes across threads and windows, the demo's topics on
//! a real broker in paced time, and a clear refusal of PostgreSQL.

use std::path::Path;

use serde_json::Value;

use super::kafka::{brokers, by_store, consume};
use super::{failure, kind_lines, paced_run, storesim, tree, unique};

const KINDS: [&str; 4] = ["product", "purchase", "inventory", "lost_sale"];

fn run(dir: &Path, sink: &str, extra: &[&str]) {
    let out = storesim()
        .args([
            "run",
            "--scenario",
            "smoothie",
            "--seed",
            "4",
            "--days",
            "7",
        ])
        .args(["--sink", &format!("{sink}:{}", dir.display()), "-q"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The fields `scenarios show smoothie` documents for `kind`.
fn documented(kind: &str) -> Vec<String> {
    let out = storesim()
        .args(["scenarios", "show", "smoothie"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("# emits     {kind}:")))
        .unwrap_or_else(|| panic!("no `{kind}` in:\n{text}"));
    line.split_once(':')
        .unwrap()
        .1
        .split(',')
        .map(|f| f.trim().to_string())
        .collect()
}

#[test]
fn every_kind_has_its_documented_fields_in_json_and_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let (json, csv) = (tmp.path().join("json"), tmp.path().join("csv"));
    run(&json, "files", &[]);
    run(&csv, "csv", &[]);
    for kind in KINDS {
        let fields = documented(kind);
        let lines = kind_lines(&json, kind);
        assert!(!lines.is_empty(), "no {kind} events");
        for line in &lines {
            let v: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
            let mut keys: Vec<&String> = v.keys().collect();
            let mut expected: Vec<&String> = fields.iter().collect();
            keys.sort();
            expected.sort();
            assert_eq!(keys, expected, "{line}");
            // In the documented order.
            let at: Vec<usize> = fields
                .iter()
                .map(|f| line.find(&format!("\"{f}\":")).unwrap())
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
        }
        let rows = kind_lines(&csv, kind);
        assert_eq!(rows[0], fields.join(","), "{kind}: CSV header");
        // One header per part file, the rest are events.
        let headers = rows.iter().filter(|r| **r == rows[0]).count();
        assert_eq!(rows.len() - headers, lines.len(), "{kind}: CSV rows");
    }
    // The demo's formats: `2026-11-23 12:01:27.149503` times, money as
    // numbers, the discount as a fraction.
    let purchase: Value = serde_json::from_str(&kind_lines(&json, "purchase")[0]).unwrap();
    let time = purchase["transaction_time"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S%.6f").is_ok(),
        "{time}"
    );
    assert!(purchase["price"].is_f64() && purchase["member_discount"].is_f64());
}

#[test]
fn same_seed_same_bytes_across_threads_and_windows() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&a, "files", &["--threads", "1", "--window", "1h"]);
    run(&b, "files", &["--threads", "3", "--window", "90s"]);
    assert!(tree(&a) == tree(&b), "smoothie files differ across windows");
}

/// Paced (240x real time) into the demo's topics (under a unique prefix
/// here; the scenario's own prefix is `demo.`): each topic holds exactly
/// the files' events, in order per bar.
#[test]
fn the_demo_topics_hold_the_files_events_paced() {
    let Some(brokers) = brokers() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let prefix = format!("{}.", unique("smoothie"));
    let kafka = format!("kafka://{brokers}?topic_prefix={prefix}");
    let dir = tmp.path().join("f");
    let files = format!("files:{}", dir.display());
    let out = paced_run(&[&kafka, &files])
        .args(["--scenario", "smoothie"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (kind, topic) in [
        ("product", "products"),
        ("purchase", "purchases"),
        ("inventory", "inventories"),
        ("lost_sale", "lost_sales"),
    ] {
        let from_files = kind_lines(&dir, kind);
        if matches!(kind, "inventory" | "lost_sale") && from_files.is_empty() {
            continue;
        }
        assert!(!from_files.is_empty(), "no {kind} in 40 paced minutes");
        let topic = format!("{prefix}{topic}");
        let consumed = consume(&brokers, &topic, from_files.len() + 1);
        assert_eq!(consumed.len(), from_files.len(), "{topic}: count");
        assert_eq!(by_store(&consumed), by_store(&from_files), "{topic}");
    }
}

#[test]
fn postgres_is_refused_in_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = storesim()
        .args(["run", "--scenario", "smoothie", "--sink"])
        .arg("postgres://storesim@127.0.0.1:1/storesim")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = failure(out, 2);
    assert!(err.contains("has no PostgreSQL tables"), "{err}");
}
