//! The Kafka sink against the real broker `scripts/kafka.sh` starts
//! (`scripts/test.sh` exports `STORESIM_KAFKA_BROKERS`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{storesim, tree};

/// The broker, or `None` (with a note) when the suite runs without one.
fn brokers() -> Option<String> {
    match std::env::var("STORESIM_KAFKA_BROKERS") {
        Ok(b) if !b.is_empty() => Some(b),
        _ => {
            assert!(
                std::env::var_os("STORESIM_REQUIRE_SERVICES").is_none(),
                "STORESIM_KAFKA_BROKERS is not set: run the suite with scripts/test.sh"
            );
            eprintln!("skipped: no broker (run scripts/test.sh, which starts one)");
            None
        }
    }
}

fn consume(brokers: &str, topic: &str, expected: usize) -> Vec<String> {
    let out = storesim()
        .args([
            "kafka",
            "tail",
            topic,
            "--brokers",
            brokers,
            "--from-beginning",
        ])
        .args(["--max", &expected.to_string(), "--idle", "15s"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Per-store sequences of JSON values.
fn by_store(lines: &[String]) -> BTreeMap<i64, Vec<String>> {
    let mut out: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for l in lines {
        let v: Value = serde_json::from_str(l).unwrap();
        out.entry(v["store_id"].as_i64().unwrap())
            .or_default()
            .push(l.clone());
    }
    out
}

#[test]
fn kafka_holds_exactly_the_files_events_in_store_order() {
    let Some(brokers) = brokers() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let prefix = format!("test{}-{nanos}.", std::process::id());
    let kafka = format!("kafka://{brokers}?topic_prefix={prefix}&partitions=3");
    let files = format!("files:{}", tmp.path().join("f").display());
    let out = storesim()
        .args([
            "run",
            "--seed",
            "11",
            "--stores",
            "6",
            "--start",
            "2026-11-27T15:00:00Z",
        ])
        .args([
            "--until",
            "2026-11-27T15:30:00Z",
            "--sink",
            &kafka,
            "--sink",
            &files,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("failed 0"), "{stderr}");
    for kind in ["scan", "transaction"] {
        let mut from_files = Vec::new();
        for (path, bytes) in tree(&tmp.path().join("f")) {
            if path.starts_with(format!("kind={kind}"))
                && path.extension().is_some_and(|e| e == "jsonl")
            {
                from_files.extend(
                    String::from_utf8(bytes)
                        .unwrap()
                        .lines()
                        .map(str::to_string),
                );
            }
        }
        assert!(!from_files.is_empty());
        let topic = format!("{prefix}{kind}s");
        let consumed = consume(&brokers, &topic, from_files.len());
        assert_eq!(consumed.len(), from_files.len(), "{topic}: count");
        assert_eq!(
            by_store(&consumed),
            by_store(&from_files),
            "{topic}: per-store order or JSON differ"
        );
    }
}

#[test]
fn kafka_check_lists_topics() {
    let Some(brokers) = brokers() else { return };
    let out = storesim()
        .args(["kafka", "check", &format!("kafka://{brokers}")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("reachable"));
}

/// No broker needed: nothing listens on port 9.
#[test]
fn unreachable_broker_is_a_one_line_error_within_seconds() {
    let started = Instant::now();
    let out = storesim()
        .args([
            "run",
            "--stores",
            "1",
            "--sink",
            "kafka://127.0.0.1:9",
            "-q",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot reach a broker at 127.0.0.1:9"),
        "{stderr}"
    );
    // Generous for a loaded machine; the sink itself waits 5 s.
    assert!(started.elapsed() < Duration::from_secs(60));
}
