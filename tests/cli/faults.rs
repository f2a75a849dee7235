//! Faults of the machine a run writes on: a disk that fills up, input
//! errors found after a sink has opened.

use std::path::Path;
use std::process::Command;

use super::{storesim, tree};

/// A tmpfs of `size` mounted at a new directory, unmounted when dropped;
/// `None` (with a note) where mounting is not allowed.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: cannot mount a tmpfs here (needs root)");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_fails_the_run_counting_exactly_what_the_finished_parts_lack() {
    let Some(disk) = SmallDisk::mount("3m") else {
        return;
    };
    let out_dir = disk.path().join("out");
    let sink = format!(
        "files:{}?compression=none&max_events_per_file=5000",
        out_dir.display()
    );
    let out = storesim()
        .args(["run", "--stores", "4", "-q", "--sink", &sink])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    // "...; N of the M events handed to it were not confirmed delivered"
    let (lost, handed) = super::unconfirmed_counts(&stderr);
    let files = tree(&out_dir);
    let mut lines = 0u64;
    for (path, bytes) in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(
            !name.starts_with('.'),
            "an unfinished part is left: {}",
            path.display()
        );
        assert_ne!(name, "_SUCCESS", "a failed run wrote _SUCCESS");
        lines += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    }
    assert!(lost > 0 && lines > 0, "{stderr}");
    assert_eq!(
        handed - lost,
        lines,
        "the count of what landed is exact: {stderr}"
    );
}

#[test]
fn an_input_error_found_after_a_files_sink_opened_leaves_no_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let missing_dir = tmp.path().join("no/such/dir/m.json");
    for later in [
        vec!["--sink", "kafka://127.0.0.1:1"],
        vec!["--sink", "postgres://u@127.0.0.1:1/db?connect_timeout=1"],
        vec!["--manifest", missing_dir.to_str().unwrap()],
        vec!["--manifest", tmp.path().to_str().unwrap()],
        vec!["--serve", &port],
    ] {
        let out = storesim()
            .current_dir(tmp.path())
            .args(["run", "--stores", "1", "--sink", "files:a/b/out"])
            .args(&later)
            .output()
            .unwrap();
        super::failure(out, 2);
        assert!(
            !tmp.path().join("a").exists(),
            "{later:?} left a/b/out behind"
        );
    }
}

#[test]
fn verify_files_reads_the_parts_and_leaves_stray_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lake");
    let m = tmp.path().join("m.json");
    storesim()
        .args([
            "run",
            "--stores",
            "1",
            "-q",
            "--manifest",
            m.to_str().unwrap(),
        ])
        .arg("--sink")
        .arg(format!("files:{}", dir.display()))
        .assert()
        .success();
    let day = dir.join("kind=scan/date=2026-11-23");
    std::fs::write(day.join("README.txt"), "notes from a colleague").unwrap();
    std::fs::write(day.join("part-00000.jsonl.crc"), [0u8, 159, 146, 150]).unwrap();
    let out = storesim()
        .args(["verify", "--manifest", m.to_str().unwrap()])
        .args(["--files", dir.to_str().unwrap()])
        .output()
        .unwrap();
    super::succeeded(&out);
}

/// Where a SIGINT falls in a run.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// The stores are closed and the first window is not out yet.
    BeforeTheFirstWindow,
    /// A past start is being replayed at once.
    DuringTheBackfill,
    /// Paced, caught up with the wall clock.
    Live,
}

/// The run's sinks: files always, Kafka and PostgreSQL where they run.
struct Sinks {
    files: std::path::PathBuf,
    kafka: Option<(String, String)>,
    postgres: Option<(String, String)>,
}

impl Sinks {
    fn new(dir: &Path, tag: &str) -> Sinks {
        Sinks {
            files: dir.join("files"),
            kafka: super::kafka::brokers()
                .map(|b| (b, format!("{}.", super::unique(&format!("sigint-{tag}-"))))),
            postgres: super::service("STORESIM_POSTGRES_URL")
                .map(|u| (u, super::postgres::schema(&format!("sigint_{tag}")))),
        }
    }

    fn args(&self) -> Vec<String> {
        let mut args = vec![
            "--sink".to_string(),
            format!("files:{}", self.files.display()),
        ];
        if let Some((b, prefix)) = &self.kafka {
            args.extend([
                "--sink".into(),
                format!("kafka://{b}?topic_prefix={prefix}"),
            ]);
        }
        if let Some((u, schema)) = &self.postgres {
            args.extend(["--sink".into(), super::postgres::with_schema(u, schema)]);
        }
        args
    }
}

/// A sink line's name and delivered count.
fn delivered(stderr: &str, prefix: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("sink:") && l.contains(prefix))
        .unwrap_or_else(|| panic!("no sink line for {prefix}: {stderr}"));
    assert!(line.contains(", failed 0"), "{line}");
    line.split(": delivered ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"))
}

fn sigint_at(moment: Moment) {
    use std::io::BufRead;
    let tmp = tempfile::tempdir().unwrap();
    let tag = format!("{moment:?}").to_lowercase();
    let sinks = Sinks::new(tmp.path(), &tag);
    let scenario = super::live::always_open(tmp.path());
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("storesim"));
    cmd.env_remove("RUST_LOG")
        .env_remove("STORESIM_NOW")
        .arg("run");
    match moment {
        // Sunday 03:30 in New York: every store of the chain is closed, and
        // the item master does not change at weekends.
        Moment::BeforeTheFirstWindow => {
            cmd.env("STORESIM_NOW", "2026-12-06T08:30:00Z")
                .args(["--stores", "3", "--speed", "1"]);
        }
        Moment::DuringTheBackfill => {
            let start = chrono::Utc::now() - chrono::Duration::days(3);
            cmd.args(["--stores", "200", "--speed", "60", "--start"])
                .arg(start.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
        Moment::Live => {
            cmd.args(["--scenario", &scenario, "--stores", "5", "--speed", "300"]);
        }
    }
    let mut child = cmd
        .args(sinks.args())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let wait_for = |seen: &mut String, stderr: &mut std::io::BufReader<_>, text: &str| {
        let mut line = String::new();
        while !seen.contains(text) {
            line.clear();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "no `{text}` in {seen}"
            );
            seen.push_str(&line);
        }
    };
    wait_for(&mut seen, &mut stderr, "storesim: live at");
    match moment {
        Moment::BeforeTheFirstWindow => std::thread::sleep(std::time::Duration::from_secs(2)),
        Moment::DuringTheBackfill => std::thread::sleep(std::time::Duration::from_millis(1500)),
        Moment::Live => wait_for(&mut seen, &mut stderr, "[live]"),
    }
    super::live::interrupt(&child);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    seen.push_str(&rest);
    let status = child.wait().unwrap();
    assert!(status.success(), "{moment:?}: {status}: {seen}");
    assert!(seen.contains("stopped:  on request"), "{seen}");
    let events = super::live::summary_count(&seen);
    match moment {
        Moment::BeforeTheFirstWindow => assert_eq!(events, 0, "{seen}"),
        Moment::DuringTheBackfill => {
            let pacing = seen.lines().find(|l| l.starts_with("pacing:")).unwrap();
            assert!(
                !pacing.contains("caught up"),
                "the SIGINT came after the backfill: {pacing}"
            );
            assert!(events > 0, "{seen}");
        }
        Moment::Live => assert!(seen.contains("caught up"), "{seen}"),
    }

    // Files: every line once, exactly the delivered count, marked complete.
    let files = tree(&sinks.files);
    assert!(
        files.keys().any(|p| p.ends_with("_SUCCESS")),
        "{moment:?}: no _SUCCESS"
    );
    let mut ids = std::collections::BTreeSet::new();
    let mut lines = 0u64;
    let mut item_changes = 0u64;
    for (path, bytes) in &files {
        if !path.to_string_lossy().contains(".jsonl") {
            continue;
        }
        for line in super::text(path, bytes).lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            item_changes += u64::from(v["kind"] == "item_change");
            assert!(ids.insert(super::live::identity(&v)), "twice: {line}");
            lines += 1;
        }
    }
    assert_eq!(lines, events, "{moment:?}: files");
    assert_eq!(delivered(&seen, "files:"), events);
    if let Some((brokers, prefix)) = &sinks.kafka {
        assert_eq!(delivered(&seen, "kafka:"), events);
        let mut got = std::collections::BTreeSet::new();
        let mut n = 0;
        for kind in ["scan", "transaction", "item_change"] {
            let topic = format!("{prefix}{kind}s");
            let lines = super::kafka::consume_idle(brokers, &topic, usize::MAX / 2, "5s", &[]);
            for line in &lines {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                got.insert(super::live::identity(&v));
                n += 1;
            }
        }
        assert_eq!(n, events, "{moment:?}: kafka holds each event once");
        assert_eq!(got, ids, "{moment:?}: kafka holds the files' events");
    }
    if let Some((url, schema)) = &sinks.postgres {
        assert_eq!(delivered(&seen, "postgres"), events);
        let rows = super::postgres::psql(
            url,
            &format!(
                "SELECT (SELECT count(*) FROM {schema}.scans) + (SELECT count(*) FROM {schema}.transactions), (SELECT count(DISTINCT transaction_id) = count(*) FROM {schema}.transactions)"
            ),
        );
        assert_eq!(
            rows,
            [format!("{}|t", events - item_changes)],
            "{moment:?}: postgres"
        );
        super::postgres::psql(url, &format!("DROP SCHEMA {schema} CASCADE"));
    }
}

#[test]
fn sigint_before_the_first_window_flushes_nothing_and_exits_zero() {
    sigint_at(Moment::BeforeTheFirstWindow);
}

#[test]
fn sigint_during_a_backfill_keeps_exactly_what_was_released() {
    sigint_at(Moment::DuringTheBackfill);
}

#[test]
fn sigint_live_keeps_exactly_what_was_released() {
    sigint_at(Moment::Live);
}
