//! Paced runs: speed never changes the bytes; Ctrl-C flushes and closes.

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{storesim, text, tree};

/// `--speed max` and `--speed 600` over the same virtual span give the
/// same files, byte for byte (zstd included).
#[test]
fn speed_does_not_change_the_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, speed) in [("max", "max"), ("x600", "600")] {
        let sink = format!("files:{}?compression=zstd", tmp.path().join(name).display());
        storesim()
            .args(["run", "--seed", "9", "--stores", "8", "--speed", speed])
            .args([
                "--start",
                "2026-11-27T15:00:00Z",
                "--until",
                "2026-11-27T15:05:00Z",
            ])
            .args(["--sink", &sink, "-q"])
            .assert()
            .success();
    }
    let (a, b) = (
        tree(&tmp.path().join("max")),
        tree(&tmp.path().join("x600")),
    );
    assert!(a
        .keys()
        .any(|p| p.to_string_lossy().ends_with(".jsonl.zst")));
    assert!(a == b, "--speed max and --speed 600 wrote different files");
}

fn summary_count(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("events:"))
        .expect("summary");
    line.split('(')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// SIGINT during a live run: exit 0, every line of every file parses, the
/// files hold exactly the summary's count, and the run is marked complete.
#[test]
fn sigint_flushes_every_event_and_exits_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("live");
    let bin = assert_cmd::cargo::cargo_bin("storesim");
    let mut child = StdCommand::new(bin)
        .args(["run", "--seed", "2", "--stores", "20", "--speed", "120"])
        .args(["--start", "2026-11-27T15:00:00Z"])
        .args([
            "--sink",
            &format!("files:{}?compression=gzip", out.display()),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for a status line: events are flowing.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = String::new();
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if line.starts_with("[live]") {
            break;
        }
    }
    assert!(seen.contains("[live]"), "no status line: {seen}");
    let pid = child.id().to_string();
    assert!(StdCommand::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{seen}{rest}");
    assert!(rest.contains("stopped:"), "{rest}");
    let expected = summary_count(&rest);
    let files = tree(&out);
    assert!(
        files.keys().any(|p| p.ends_with("_SUCCESS")),
        "{:?}",
        files.keys()
    );
    assert!(!files
        .keys()
        .any(|p| p.to_string_lossy().contains("inprogress")));
    let mut lines = 0u64;
    let mut ids = std::collections::BTreeSet::new();
    for (path, bytes) in &files {
        if !path.to_string_lossy().ends_with(".gz") {
            continue;
        }
        let body = text(path, bytes);
        assert!(body.ends_with('\n'), "{} ends mid-line", path.display());
        for l in body.lines() {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display()));
            // A void repeats its scan's event_id at a later time.
            let id = format!(
                "{} {}",
                v.get("event_id")
                    .or_else(|| v.get("transaction_id"))
                    .unwrap(),
                v["ts"]
            );
            assert!(ids.insert(id), "duplicate event {l}");
            lines += 1;
        }
    }
    assert!(expected > 0);
    assert_eq!(
        lines, expected,
        "files hold {lines} events, the summary says {expected}"
    );
}

/// A start three virtual hours in the past at real time: the past is
/// replayed at once, then the run continues live; across the hand-over
/// no event is repeated and time never goes backwards.
#[test]
fn backfill_then_live_without_gap_or_duplicate() {
    let start = chrono::Utc::now() - chrono::Duration::hours(3);
    let start = start.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // Stores open around the clock every day with a flat curve, so there
    // are live events whatever the hour the suite runs at (the chain's US
    // stores are all closed from 07:00 to 10:00 UTC).
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("always-open.toml");
    let flat = vec!["1"; 24].join(", ");
    let mut text = format!(
        "extends = \"chain\"\nholidays = []\n[curves]\nweekday = [{flat}]\nweekend = [{flat}]\n[week]\n"
    );
    for day in [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ] {
        text.push_str(&format!(
            "{day} = {{ open = \"00:00\", close = \"24:00\", multiplier = 1.0, curve = \"weekday\" }}\n"
        ));
    }
    std::fs::write(&scenario, text).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("storesim");
    let mut child = StdCommand::new(bin)
        .args([
            "run", "--seed", "4", "--stores", "30", "--speed", "1", "--start", &start,
        ])
        .args(["--scenario", scenario.to_str().unwrap()])
        .args(["--sink", "stdout"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let handover = chrono::Utc::now();
    let mut lines = Vec::new();
    let mut line = String::new();
    // Read until events stamped after the hand-over have arrived live.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut live = 0;
    while Instant::now() < deadline && live < 20 {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let v: Value = serde_json::from_str(&line).unwrap();
        let ts = chrono::DateTime::parse_from_rfc3339(v["ts"].as_str().unwrap()).unwrap();
        if ts > handover {
            live += 1;
        }
        lines.push(v);
    }
    let pid = child.id().to_string();
    StdCommand::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0), "{err}");
    assert!(live >= 20, "no live events after the backfill: {err}");
    assert!(
        lines.len() > 1000,
        "the backfill of three hours is missing: {} events",
        lines.len()
    );
    let mut ids = std::collections::BTreeSet::new();
    let mut last = String::new();
    for v in &lines {
        let ts = v["ts"].as_str().unwrap().to_string();
        assert!(ts >= last, "time went backwards: {last} then {ts}");
        last = ts;
        // A void repeats its scan's event_id at a later time.
        let id = format!(
            "{} {last}",
            v.get("event_id")
                .or_else(|| v.get("transaction_id"))
                .unwrap()
        );
        assert!(ids.insert(id.clone()), "duplicate {id}");
    }
    assert!(
        err.contains("events backfilled (caught up with the wall clock after"),
        "{err}"
    );
}
