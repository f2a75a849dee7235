//! Paced and live runs, on the real wall clock and at fixed instants
//! (`wall`): speed never changes the bytes; Ctrl-C flushes and closes; a
//! backfill hands over to real time; the chain keeps its local hours.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::wall::{arg, at_every_instant, black_friday, next_black_friday_at, Wall};
use super::{storesim, text, tree};

at_every_instant!(
    speed_does_not_change_the_bytes,
    sigint_flushes_every_event_and_exits_zero,
    backfill_then_live_without_gap_or_duplicate,
    the_chain_keeps_its_local_hours_live,
);

/// `--speed max` and `--speed 600` over the same virtual span (five
/// minutes of the next Black Friday, in the wall clock's future so that
/// 600 x is paced) give the same files, byte for byte (zstd included).
fn speed_does_not_change_the_bytes(wall: Wall) {
    let tmp = tempfile::tempdir().unwrap();
    let start = next_black_friday_at(wall.now(), 15, 0);
    let until = arg(start + chrono::Duration::minutes(5));
    let start = arg(start);
    let mut stderr = String::new();
    for (name, speed) in [("max", "max"), ("x600", "600")] {
        let sink = format!("files:{}?compression=zstd", tmp.path().join(name).display());
        let out = wall
            .command()
            .args(["run", "--seed", "9", "--stores", "8", "--speed", speed])
            .args(["--start", &start, "--until", &until])
            .args(["--sink", &sink])
            .output()
            .unwrap();
        stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{stderr}");
    }
    // The paced run was paced, not replayed at once as a past span is
    // (at most the first few events, due at its very start, go at once).
    assert!(
        backfilled(&stderr) * 10 < summary_count(&stderr),
        "{stderr}"
    );
    let (a, b) = (
        tree(&tmp.path().join("max")),
        tree(&tmp.path().join("x600")),
    );
    assert!(a
        .keys()
        .any(|p| p.to_string_lossy().ends_with(".jsonl.zst")));
    assert!(a == b, "--speed max and --speed 600 wrote different files");
}

/// The summary's count of events released at once, before the first wait.
fn backfilled(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("pacing:"))
        .unwrap_or_else(|| panic!("no pacing line: {stderr}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The summary's count of events, all kinds.
pub(crate) fn summary_count(stderr: &str) -> u64 {
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

/// A scenario of the chain whose stores are open around the clock every
/// day of the year, with a flat curve: live runs have store events
/// whatever the hour, weekday or holiday the suite runs at (the chain's
/// own calendar is `the_chain_keeps_its_local_hours_live`'s). The item
/// master still changes in the head office's hours.
pub(crate) fn always_open(dir: &Path) -> String {
    let path = dir.join("always-open.toml");
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
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A record's identity, whatever its kind: its kind, its id and its time
/// (a void repeats its scan's `event_id` at a later time). A record of a
/// kind this does not know fails the test, naming it.
pub(crate) fn identity(v: &Value) -> String {
    let kind = v["kind"].as_str().unwrap_or_else(|| panic!("no kind: {v}"));
    let id = match kind {
        "scan" => &v["event_id"],
        "transaction" => &v["transaction_id"],
        "item_change" => &v["change_id"],
        other => panic!("a record of a kind the live tests do not know, `{other}`: {v}"),
    };
    assert!(!id.is_null(), "{kind} without its id: {v}");
    format!("{kind} {id} {}", v["ts"])
}

/// Reads standard error until a `[live]` status line (events flowing) or
/// its end, and returns what it read.
fn until_live(stderr: &mut impl BufRead) -> String {
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
    seen
}

/// Checks that a live run started where it was told: its first line,
/// `storesim: live at ... from START`, names `start` to the minute (on a
/// fixed instant, that the process read the instant as its wall clock).
fn assert_live_from(stderr: &str, start: DateTime<Utc>) {
    let from = stderr
        .lines()
        .find_map(|l| l.strip_prefix("storesim: live at "))
        .and_then(|l| l.split(" from ").nth(1))
        .and_then(|l| l.split([';', ' ']).next())
        .unwrap_or_else(|| panic!("no `live at` line: {stderr}"));
    let from: DateTime<Utc> = from.parse().unwrap();
    assert!(
        (from - start).num_seconds().abs() < 60,
        "the run started at {from}, not at {start}: {stderr}"
    );
}

/// Sends SIGINT (Ctrl-C) to a child.
pub(crate) fn interrupt(child: &std::process::Child) {
    let pid = child.id().to_string();
    assert!(StdCommand::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
}

/// SIGINT during a live run from `--start now`: exit 0, every line of
/// every file parses, the files hold exactly the summary's count, each
/// record once, and the run is marked complete.
fn sigint_flushes_every_event_and_exits_zero(wall: Wall) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("live");
    let mut child = wall
        .command()
        .args(["run", "--seed", "2", "--stores", "20", "--speed", "120"])
        .args(["--start", "now", "--scenario", &always_open(tmp.path())])
        .args([
            "--sink",
            &format!("files:{}?compression=gzip", out.display()),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let seen = until_live(&mut stderr);
    assert!(seen.contains("[live]"), "no status line: {seen}");
    assert_live_from(&seen, wall.now());
    interrupt(&child);
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
            assert!(ids.insert(identity(&v)), "duplicate event {l}");
            lines += 1;
        }
    }
    assert!(expected > 0, "{rest}");
    assert_eq!(
        lines, expected,
        "files hold {lines} events, the summary says {expected}"
    );
}

/// A start three virtual hours in the past at real time: the past is
/// replayed at once, then the run continues live; across the hand-over
/// no event is repeated and time never goes backwards.
fn backfill_then_live_without_gap_or_duplicate(wall: Wall) {
    let start = arg(wall.now() - chrono::Duration::hours(3));
    let tmp = tempfile::tempdir().unwrap();
    let mut child = wall
        .command()
        .args([
            "run", "--seed", "4", "--stores", "30", "--speed", "1", "--start", &start,
        ])
        .args(["--scenario", &always_open(tmp.path())])
        .args(["--sink", "stdout"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let handover = wall.now();
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
        let ts: DateTime<Utc> = v["ts"].as_str().unwrap().parse().unwrap();
        if ts > handover {
            live += 1;
        }
        lines.push(v);
    }
    interrupt(&child);
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
        let id = identity(v);
        assert!(ids.insert(id.clone()), "duplicate {id}");
    }
    assert!(
        err.contains("events backfilled (caught up with the wall clock after"),
        "{err}"
    );
    assert_live_from(&err, handover - chrono::Duration::hours(3));
}

/// The chain's trading hours of one local date, `[open, close)` local, or
/// `None` when closed (`scenarios/chain.toml`: 06:00-23:00 every day,
/// Thanksgiving and Christmas Day closed, Christmas Eve 06:00-18:00).
fn chain_hours(date: NaiveDate) -> Option<(u32, u32)> {
    let thanksgiving = black_friday(date.year()) - chrono::Duration::days(1);
    match (date.month(), date.day()) {
        _ if date == thanksgiving => None,
        (12, 25) => None,
        (12, 24) => Some((6, 18)),
        _ => Some((6, 23)),
    }
}

/// A live run of the chain from `--start now`, the next 14 virtual hours
/// at 3600 x: every store trades in its own local hours, in its zone's
/// offset of the moment (daylight saving included), closed on
/// Thanksgiving; every record is of a known kind, once, in time order.
fn the_chain_keeps_its_local_hours_live(wall: Wall) {
    const STORES: &str = "24";
    let tmp = tempfile::tempdir().unwrap();
    let catalog = tmp.path().join("catalog");
    storesim()
        .args(["catalog", "--scenario", "chain", "--stores", STORES])
        .arg("--out")
        .arg(&catalog)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(catalog.join("stores.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id_col, zone_col) = (col("store_id"), col("time_zone"));
    let zones: BTreeMap<i64, Tz> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[id_col].parse().unwrap(), r[zone_col].parse().unwrap())
        })
        .collect();
    assert!(zones.values().any(|z| *z == chrono_tz::America::New_York));
    assert!(zones
        .values()
        .any(|z| *z == chrono_tz::America::Los_Angeles));

    let now = wall.now();
    let until = now + chrono::Duration::hours(14);
    let out = wall
        .command()
        .args(["run", "--seed", "6", "--stores", STORES, "--speed", "3600"])
        .args(["--start", "now", "--until", &arg(until), "--sink", "stdout"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, summary_count(&stderr), "{stderr}");
    assert_live_from(&stderr, now);
    // From now on, paced: the past is not replayed (no backfill of note).
    assert!(backfilled(&stderr) * 10 <= lines.len() as u64, "{stderr}");

    // Shoppers inside at closing are still served: scans and receipts may
    // come up to this long after the close (the longest shopping trip is
    // 90 minutes, then the queue).
    let slack = chrono::Duration::hours(3);
    // The UTC instant of `h`:00 local on `date` in `zone` (its offset then).
    let local_at = |zone: Tz, date: NaiveDate, h: u32| {
        zone.from_local_datetime(&date.and_hms_opt(h, 0, 0).unwrap())
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    };
    let trading = |zone: Tz, ts: DateTime<Utc>| {
        let local = ts.with_timezone(&zone).date_naive();
        (-1..=0).any(|back| {
            let date = local + chrono::Duration::days(back);
            chain_hours(date).is_some_and(|(open, close)| {
                ts >= local_at(zone, date, open) && ts < local_at(zone, date, close) + slack
            })
        })
    };
    let mut ids = std::collections::BTreeSet::new();
    let mut last = String::new();
    // Each store's event times, in order.
    let mut times: BTreeMap<i64, Vec<DateTime<Utc>>> = BTreeMap::new();
    for v in &lines {
        let id = identity(v);
        assert!(ids.insert(id.clone()), "duplicate {id}");
        let ts_text = v["ts"].as_str().unwrap().to_string();
        assert!(
            ts_text >= last,
            "time went backwards: {last} then {ts_text}"
        );
        last = ts_text;
        let ts: DateTime<Utc> = v["ts"].as_str().unwrap().parse().unwrap();
        assert!(
            ts >= now - chrono::Duration::seconds(5) && ts < until + slack,
            "{v}"
        );
        if v["kind"] == "item_change" {
            continue;
        }
        let store = v["store_id"].as_i64().unwrap();
        let zone = zones[&store];
        assert!(
            trading(zone, ts),
            "store {store} ({zone}) trades outside its hours at {} local: {v}",
            ts.with_timezone(&zone)
        );
        times.entry(store).or_default().push(ts);
    }
    // Each store opens on time: on a day it opens inside the run, its first
    // event after the opening comes soon after it, in that day's offset (an
    // hour off, early or late, would show). The opening hour has about 1.4%
    // of a day's 2,000-4,000 baskets, 30 or more; the first checkout follows
    // the first arrival by a shopping trip (4 minutes and up), so 45 minutes
    // is generous, and an hour late is out of it.
    let mut open_in_run = false;
    for (&store, &zone) in &zones {
        let mut date = now.with_timezone(&zone).date_naive();
        while date <= until.with_timezone(&zone).date_naive() {
            if let Some((open, close)) = chain_hours(date) {
                let (open, close) = (local_at(zone, date, open), local_at(zone, date, close));
                open_in_run |= open < until && close > now;
                if open >= now && open + chrono::Duration::hours(1) <= until {
                    let after = times
                        .get(&store)
                        .and_then(|t| t.iter().find(|t| **t >= open))
                        .copied();
                    assert!(
                        after.is_some_and(|t| t < open + chrono::Duration::minutes(45)),
                        "store {store} ({zone}) opens at {open} on {date}; first event then {after:?}"
                    );
                }
            }
            date = date.succ_opt().unwrap();
        }
    }
    // A run with a store open has store events (24 stores trade more than
    // one basket in any open hour); a closed Thanksgiving has none (above).
    let store_events: usize = times.values().map(Vec::len).sum();
    assert!(!open_in_run || store_events > 0, "{stderr}");
}

/// A span wholly before the wall clock at a paced speed is all backfill:
/// the run says it is replayed at once rather than silently ignoring the
/// speed. (The wall clock is set, so the span is past on any machine.)
#[test]
fn a_past_span_at_a_paced_speed_says_it_is_replayed_at_once() {
    let out = storesim()
        .env("STORESIM_NOW", "2026-12-06T08:30:00Z")
        .args(["run", "--stores", "2", "--speed", "60", "--sink", "null"])
        .args(["--start", "2026-11-23T15:00:00Z"])
        .args(["--until", "2026-11-23T15:10:00Z"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("the span ends before the wall clock")
            && stderr.contains("so it is replayed at once, not at 60x"),
        "{stderr}"
    );
    let total = summary_count(&stderr);
    assert!(total > 0 && backfilled(&stderr) == total, "{stderr}");
}

/// A wall clock set to something that is not an instant is an input error
/// naming the variable, not a run on the system's clock.
#[test]
fn a_bad_storesim_now_is_a_one_line_input_error() {
    let out = storesim()
        .env("STORESIM_NOW", "yesterday")
        .args(["run", "--stores", "1", "--speed", "60", "--sink", "null"])
        .output()
        .unwrap();
    let stderr = super::failure(out, 2);
    assert!(
        stderr.contains("STORESIM_NOW: `yesterday` is not an RFC 3339 time"),
        "{stderr}"
    );
}
