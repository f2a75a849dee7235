//! The scenarios of models other than the chain, end to end: every kind
//! with its documented fields, the same bytes across threads and windows,
//! and the demo's topics on a real broker in paced time.

use std::path::Path;

use serde_json::Value;

use std::collections::BTreeMap;

use super::kafka::{brokers, consume_idle};
use super::{kind_lines, paced_run, storesim, tree, unique};

/// Each scenario, its days for a short run, and its kinds with their
/// topics (after the prefix); kinds marked rare may be absent from a
/// 40-minute paced run.
struct Case {
    scenario: &'static str,
    days: &'static str,
    stores: &'static str,
    kinds: &'static [(&'static str, &'static str, bool)],
}

const CASES: [Case; 4] = [
    Case {
        scenario: "smoothie",
        days: "7",
        stores: "5",
        kinds: &[
            ("product", "products", false),
            ("purchase", "purchases", false),
            ("inventory", "inventories", true),
            ("lost_sale", "lost_sales", true),
        ],
    },
    Case {
        scenario: "webshop",
        days: "1",
        stores: "6",
        kinds: &[
            ("web_purchase", "purchases", false),
            ("request", "requestlog", false),
        ],
    },
    Case {
        scenario: "marketplace",
        days: "1",
        stores: "10",
        kinds: &[("listing", "listings", false)],
    },
    Case {
        scenario: "widgets",
        days: "2",
        stores: "4",
        // In-store batches and inventory files come at 02:00 and 03:00
        // local, outside a 40-minute paced run.
        kinds: &[
            ("ecom_customer", "ecom_customers", false),
            ("ecom_order", "ecom_orders", false),
            ("ecom_order_line", "ecom_order_lines", false),
            ("pos_store", "pos_stores", false),
            ("pos_sale", "pos_sales", true),
            ("inv_product", "inv_products", false),
            ("inv_supplier", "inv_suppliers", false),
            ("inv_movement", "inv_movements", true),
            ("dirty_label", "dirty_labels", false),
        ],
    },
];

fn run(case: &Case, dir: &Path, sink: &str, extra: &[&str]) {
    let out = storesim()
        .args(["run", "--scenario", case.scenario, "--seed", "4"])
        .args(["--days", case.days, "--stores", case.stores])
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

/// The fields `scenarios show SCENARIO` documents for `kind`.
fn documented(scenario: &str, kind: &str) -> Vec<String> {
    let out = storesim()
        .args(["scenarios", "show", scenario])
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
    for case in &CASES {
        kinds_have_their_fields(case);
    }
}

fn kinds_have_their_fields(case: &Case) {
    let tmp = tempfile::tempdir().unwrap();
    let (json, csv) = (tmp.path().join("json"), tmp.path().join("csv"));
    run(case, &json, "files", &[]);
    run(case, &csv, "csv", &[]);
    for &(kind, _, _) in case.kinds {
        let fields = documented(case.scenario, kind);
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
    if case.scenario == "smoothie" {
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
}

#[test]
fn same_seed_same_bytes_across_threads_and_windows() {
    for case in &CASES {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        run(case, &a, "files", &["--threads", "1", "--window", "1h"]);
        run(case, &b, "files", &["--threads", "3", "--window", "90s"]);
        assert!(tree(&a) == tree(&b), "{}: files differ", case.scenario);
    }
}

/// Paced (240x real time) into the demo's topics (under a unique prefix
/// here; the scenarios' own are `demo.` and none): each topic holds exactly
/// the files' events, in order per store.
#[test]
fn the_demo_topics_hold_the_files_events_paced() {
    let Some(brokers) = brokers() else { return };
    for case in &CASES {
        topics_hold_the_files(&brokers, case);
    }
}

fn topics_hold_the_files(brokers: &str, case: &Case) {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = format!("{}.", unique(case.scenario));
    let kafka = format!("kafka://{brokers}?topic_prefix={prefix}");
    let dir = tmp.path().join("f");
    let files = format!("files:{}", dir.display());
    let out = paced_run(&super::wall::Wall::real(), &[&kafka, &files])
        .args(["--scenario", case.scenario])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for &(kind, topic, rare) in case.kinds {
        let from_files = kind_lines(&dir, kind);
        if rare && from_files.is_empty() {
            continue;
        }
        assert!(!from_files.is_empty(), "no {kind} in 40 paced minutes");
        let topic = format!("{prefix}{topic}");
        // One more than the files hold, so a duplicate would show; the
        // run has finished, so a few idle seconds mean the topic is read.
        let consumed = consume_idle(brokers, &topic, from_files.len() + 1, "4s", &[]);
        assert_eq!(consumed.len(), from_files.len(), "{topic}: count");
        assert!(
            by_source(&consumed) == by_source(&from_files),
            "{topic}: per-source order or JSON differ"
        );
    }
}

/// Lines grouped by the store, bar, market or vendor that made them (each
/// keeps its order in one partition; sources interleave freely).
fn by_source(lines: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in lines {
        let v: Value = serde_json::from_str(l).unwrap();
        let source = ["store_id", "vendor_id"]
            .iter()
            .find_map(|k| v[k].as_u64().map(|id| id.to_string()))
            .or_else(|| {
                let id = ["sessionid", "order_id"]
                    .iter()
                    .find_map(|k| v[k].as_str())?;
                Some(id.split('-').next()?.to_string())
            })
            .or_else(|| {
                ["store_code", "location_code"]
                    .iter()
                    .find_map(|k| v[k].as_str())
                    .map(|c| c.trim_start_matches('S').to_string())
            })
            .or_else(|| {
                v["customer_id"]
                    .as_u64()
                    .map(|c| (c / 1_000_000).to_string())
            })
            .unwrap_or_default();
        out.entry(source).or_default().push(l.clone());
    }
    out
}
