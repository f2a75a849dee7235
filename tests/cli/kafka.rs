//! The Kafka sink against the real broker `scripts/kafka.sh` starts
//! (`scripts/test.sh` exports `STORESIM_KAFKA_BROKERS`).

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::proxy::{free_port, Proxy};
use super::wall::{at_every_instant, Wall};
use super::{kind_lines, paced_run, service, storesim, success_lines, unique};

/// The broker, or `None` (with a note) when the suite runs without one.
pub(crate) fn brokers() -> Option<String> {
    service("STORESIM_KAFKA_BROKERS")
}

pub(crate) fn consume(brokers: &str, topic: &str, expected: usize) -> Vec<String> {
    consume_with(brokers, topic, expected, &[])
}

fn consume_with(brokers: &str, topic: &str, expected: usize, extra: &[&str]) -> Vec<String> {
    consume_idle(brokers, topic, expected, "15s", extra)
}

/// Reads up to `expected` messages of `topic` from the beginning, giving
/// up after `idle` without one.
pub(crate) fn consume_idle(
    brokers: &str,
    topic: &str,
    expected: usize,
    idle: &str,
    extra: &[&str],
) -> Vec<String> {
    let out = storesim()
        .args([
            "kafka",
            "tail",
            topic,
            "--brokers",
            brokers,
            "--from-beginning",
        ])
        .args(["--max", &expected.to_string(), "--idle", idle])
        .args(extra)
        .output()
        .unwrap();
    success_lines(out, &format!("kafka tail {topic}"))
}

/// Per-store sequences of JSON values (chain-wide events under 0).
pub(crate) fn by_store(lines: &[String]) -> BTreeMap<i64, Vec<String>> {
    let mut out: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for l in lines {
        let v: Value = serde_json::from_str(l).unwrap();
        out.entry(v["store_id"].as_i64().unwrap_or(0))
            .or_default()
            .push(l.clone());
    }
    out
}

/// Consumes each kind's topic and compares it with the files sink's events
/// under `dir`: the same count (one more message is asked for, so a
/// duplicate would show), the same JSON, the same order per store.
fn assert_topics_hold_the_files(brokers: &str, prefix: &str, dir: &Path) {
    for kind in ["scan", "transaction", "item_change"] {
        let from_files = kind_lines(dir, kind);
        if from_files.is_empty() {
            assert_eq!(kind, "item_change", "no {kind} events in the files");
            continue;
        }
        let topic = format!("{prefix}{kind}s");
        let consumed = consume(brokers, &topic, from_files.len() + 1);
        assert_eq!(consumed.len(), from_files.len(), "{topic}: count");
        assert_eq!(
            by_store(&consumed),
            by_store(&from_files),
            "{topic}: per-store order or JSON differ"
        );
    }
}

#[test]
fn kafka_holds_exactly_the_files_events_in_store_order() {
    let Some(brokers) = brokers() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let prefix = format!("{}.", unique("test"));
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
    assert_topics_hold_the_files(&brokers, &prefix, &tmp.path().join("f"));
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

/// A broker of the test's own, advertising the proxy's address so that
/// every connection of the producer goes through the proxy.
struct OwnBroker(std::process::Child);

impl Drop for OwnBroker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The broker binary for tests that start their own, or `None`.
fn tansu() -> Option<String> {
    service("STORESIM_TANSU")
}

/// Starts a broker of the test's own behind a proxy.
fn broker_behind_proxy(tansu: &str) -> (OwnBroker, Proxy) {
    let broker_port = free_port();
    let proxy = Proxy::start(broker_port);
    let broker = OwnBroker(
        std::process::Command::new(tansu)
            .arg("broker")
            .args(["--listener-url", &format!("tcp://127.0.0.1:{broker_port}")])
            .args([
                "--advertised-listener-url",
                &format!("tcp://127.0.0.1:{}", proxy.port),
            ])
            .args(["--storage-engine", "memory://tansu/"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", broker_port)).is_err() {
        assert!(Instant::now() < deadline, "the test's broker did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (broker, proxy)
}

at_every_instant!(
    a_five_second_cut_loses_and_duplicates_nothing,
    a_broker_gone_for_good_fails_the_run_naming_the_undelivered_count,
);

fn a_five_second_cut_loses_and_duplicates_nothing(wall: Wall) {
    let Some(tansu) = tansu() else { return };
    let (_broker, proxy) = broker_behind_proxy(&tansu);
    let brokers = format!("127.0.0.1:{}", proxy.port);
    let tmp = tempfile::tempdir().unwrap();
    let files = format!("files:{}", tmp.path().join("f").display());
    // Arrivals for 40 virtual minutes, the last shoppers served about an
    // hour later: about 30 s of wall time at 240 x, cut after 4 s.
    let started = Instant::now();
    let kafka = format!("kafka://{brokers}?partitions=3");
    let run = paced_run(&wall, &[&kafka, &files]).spawn().unwrap();
    std::thread::sleep(Duration::from_secs(4));
    proxy.cut();
    std::thread::sleep(Duration::from_secs(5));
    proxy.resume();
    let out = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The cut fell inside the run.
    assert!(started.elapsed() > Duration::from_secs(12), "{stderr}");
    assert_topics_hold_the_files(&brokers, "storesim.", &tmp.path().join("f"));
}

fn a_broker_gone_for_good_fails_the_run_naming_the_undelivered_count(wall: Wall) {
    let Some(tansu) = tansu() else { return };
    let (_broker, proxy) = broker_behind_proxy(&tansu);
    let kafka = format!("kafka://127.0.0.1:{}?message_timeout_ms=3000", proxy.port);
    let run = paced_run(&wall, &[&kafka]).spawn().unwrap();
    std::thread::sleep(Duration::from_secs(3));
    proxy.cut();
    let out = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    // "...; N of the M events handed to it were not confirmed delivered", N > 0.
    let (undelivered, handed) = super::unconfirmed_counts(&stderr);
    assert!(undelivered > 0 && undelivered <= handed, "{stderr}");
    assert!(stderr.contains("were not confirmed delivered"), "{stderr}");
    assert!(stderr.contains("Message timed out"), "{stderr}");
}

/// No broker needed: TLS and SASL/SCRAM settings are understood (the build
/// has TLS), and the password is never printed, even in librdkafka's own
/// messages quoting a rejected value.
#[test]
fn tls_and_scram_settings_are_accepted_and_secrets_never_printed() {
    let secret = "s3cr3t-hunter2";
    for extra in [
        vec![
            "security.protocol=SASL_SSL",
            "sasl.mechanisms=SCRAM-SHA-512",
        ],
        vec![
            "security.protocol=SASL_SSL",
            "sasl.mechanisms=SCRAM-SHA-256",
        ],
        // Rejected on purpose: librdkafka quotes the bad value.
        vec!["security.protocol=s3cr3t-hunter2"],
    ] {
        let mut cmd = storesim();
        cmd.args([
            "run",
            "--stores",
            "1",
            "-q",
            "--sink",
            "kafka://127.0.0.1:9",
        ]);
        for opt in extra.iter().chain(&[
            "sasl.username=alice",
            "sasl.password=s3cr3t-hunter2",
            "ssl.key.password=s3cr3t-hunter2",
        ]) {
            cmd.args(["--kafka-opt", opt]);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(!stderr.contains(secret), "secret printed: {stderr}");
        if extra.len() == 2 {
            assert!(stderr.contains("cannot reach a broker"), "{stderr}");
        } else {
            assert!(stderr.contains("invalid settings"), "{stderr}");
        }
    }
}

#[test]
fn a_scenario_names_the_topics_and_keys_by_transaction() {
    let Some(brokers) = brokers() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("pos.toml");
    std::fs::write(
        &scenario,
        "extends = \"chain\"\n[kafka]\nkey = \"transaction_id\"\n[kafka.topics]\nscan = \"pos-scans\"\ntransaction = \"receipts\"\n",
    )
    .unwrap();
    let prefix = format!("{}.", unique("map"));
    // The URL's option wins over the scenario's for receipts.
    let kafka = format!("kafka://{brokers}?topic_prefix={prefix}&topic.transaction=txns");
    let out = storesim()
        .args(["run", "--seed", "3", "--stores", "2", "-q"])
        .args(["--scenario", scenario.to_str().unwrap()])
        .args([
            "--start",
            "2026-11-24T15:00:00Z",
            "--until",
            "2026-11-24T15:20:00Z",
        ])
        .args(["--sink", &kafka, "--sink", "stdout"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let scans = stdout
        .lines()
        .filter(|l| l.contains(r#""kind":"scan""#))
        .count();
    let txns = stdout
        .lines()
        .filter(|l| l.contains(r#""kind":"transaction""#))
        .count();
    assert!(scans > 0 && txns > 0);
    let consumed = consume_with(&brokers, &format!("{prefix}pos-scans"), scans, &["--keys"]);
    assert_eq!(consumed.len(), scans);
    for line in &consumed {
        let (key, value) = line.split_once('\t').unwrap();
        let v: Value = serde_json::from_str(value).unwrap();
        assert_eq!(key, v["transaction_id"].as_str().unwrap());
    }
    let consumed = consume(&brokers, &format!("{prefix}txns"), txns);
    assert_eq!(consumed.len(), txns);
}

/// The `apex` scenario, paced (240x real time): the demo's topic holds the
/// files' scans (no key: spread over partitions, so compared as sets), in
/// the demo's shape.
#[test]
fn apex_scans_stream_to_kafka_paced() {
    let Some(brokers) = brokers() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let prefix = format!("{}.", unique("apex"));
    let kafka = format!("kafka://{brokers}?topic_prefix={prefix}");
    let files = format!("files:{}", tmp.path().join("f").display());
    let out = paced_run(&Wall::real(), &[&kafka, &files])
        .args(["--scenario", "apex"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut scans = kind_lines(&tmp.path().join("f"), "scan");
    let mut consumed = consume(&brokers, &format!("{prefix}retail_scans"), scans.len() + 1);
    scans.sort();
    consumed.sort();
    assert_eq!(consumed, scans);
    let first: Value = serde_json::from_str(&scans[0]).unwrap();
    assert!(
        first["scan_id"].is_string() && first["item_upc"].is_string(),
        "{first}"
    );
}

/// The broker frozen (SIGSTOP: connections open, nothing answered) for
/// longer than the sink's message timeout: the run fails naming the
/// events it could not confirm, and a `--resume` of it afterwards, with
/// the broker back, leaves each event in the topics once.
#[test]
fn a_broker_paused_past_the_timeout_fails_counted_and_a_resume_settles_it() {
    let Some(tansu) = tansu() else { return };
    let (broker, proxy) = broker_behind_proxy(&tansu);
    let wall = Wall::real();
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("run.json");
    let kafka = format!("kafka://127.0.0.1:{}?message_timeout_ms=3000", proxy.port);
    let files = format!("files:{}", tmp.path().join("f").display());
    let run = || {
        let mut cmd = paced_run(&wall, &[&kafka, &files]);
        cmd.arg("--resume").arg(&journal);
        cmd
    };
    let child = run().spawn().unwrap();
    std::thread::sleep(Duration::from_secs(4));
    let pid = broker.0.id().to_string();
    let signal = |sig: &str| {
        assert!(std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success())
    };
    signal("-STOP");
    std::thread::sleep(Duration::from_secs(8));
    signal("-CONT");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("were not confirmed delivered"), "{stderr}");
    assert!(
        stderr.contains("the broker may still have written it"),
        "{stderr}"
    );
    // The same command resumes it; every event ends up in the topics once.
    let out = run().output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let brokers = format!("127.0.0.1:{}", proxy.port);
    assert_topics_hold_the_files(&brokers, "storesim.", &tmp.path().join("f"));
}
