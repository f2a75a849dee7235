//! `run --resume FILE`: a paced run killed with SIGKILL mid-window, twice,
//! and resumed by the same command ends with every sink holding exactly
//! what an uninterrupted run of the same stream writes: the same files
//! byte for byte, the same manifest, the same PostgreSQL rows and item
//! master, the same messages in each Kafka topic.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::kafka::{brokers, by_store, consume_idle};
use super::postgres::{psql, schema, with_schema};
use super::wall::{self, Wall};
use super::{kind_lines, service, storesim, tree, unique};

/// Where one run writes: a files directory, and a Kafka prefix and a
/// PostgreSQL schema where those services run.
struct Targets {
    files: PathBuf,
    kafka: Option<(String, String)>,
    postgres: Option<(String, String)>,
    manifest: PathBuf,
}

impl Targets {
    fn new(dir: &Path, tag: &str) -> Targets {
        Targets {
            files: dir.join(format!("files-{tag}")),
            kafka: brokers().map(|b| (b, format!("{}.", unique(&format!("resume-{tag}-"))))),
            postgres: service("STORESIM_POSTGRES_URL")
                .map(|u| (u, schema(&format!("resume_{tag}")))),
            manifest: dir.join(format!("manifest-{tag}.json")),
        }
    }

    fn args(&self) -> Vec<String> {
        let mut args = vec![
            "--sink".to_string(),
            format!("files:{}?compression=zstd", self.files.display()),
            "--manifest".to_string(),
            self.manifest.display().to_string(),
        ];
        if let Some((brokers, prefix)) = &self.kafka {
            args.push("--sink".into());
            args.push(format!("kafka://{brokers}?topic_prefix={prefix}"));
        }
        if let Some((url, schema)) = &self.postgres {
            args.push("--sink".into());
            args.push(with_schema(url, schema));
        }
        args
    }
}

/// A run's journal, once it has one.
fn journal(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Waits until every sink's checkpoint in the journal is past the run's
/// first `progress` of virtual time, then kills the run with SIGKILL a
/// moment later (inside a window, not at its end).
fn kill_when_under_way(mut child: Child, path: &Path, start_us: i64, progress_us: i64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            Instant::now() < deadline,
            "no progress in {}",
            path.display()
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the run ended ({status}) before it was killed");
        }
        let under_way = journal(path).is_some_and(|j| {
            j["checkpoints"].as_array().is_some_and(|c| {
                c.iter()
                    .all(|c| c["until_us"].as_i64().unwrap_or(i64::MIN) > start_us + progress_us)
            })
        });
        if under_way {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(370));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed: {status}");
}

/// Digests of the scans, the transactions and the item master (its
/// columns other than `updated_at`: the base rows carry the time they were
/// loaded), with the counts of rows and of ids.
fn pg_digest(url: &str, schema: &str) -> Vec<String> {
    psql(
        url,
        &format!(
            "SELECT count(*), count(DISTINCT (transaction_id, line)), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {schema}.scans t;
             SELECT count(*), count(DISTINCT transaction_id), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {schema}.transactions t;
             SELECT count(*), md5(string_agg((item_id, item_upc, category_code, item_name, brand, item_price, item_cost, repl_qty, popularity, member_price)::text, ',' ORDER BY item_id)) FROM {schema}.item_master;"
        ),
    )
}

/// Runs `base` (a paced run's arguments) with `targets` and a journal,
/// kills it twice under way and resumes it to the end; then runs the same
/// stream at once into `reference` and compares every sink.
fn killed_twice_then_resumed(
    base: &[String],
    start_us: impl Fn(&Path) -> i64,
    speed_max_span: impl Fn(&Path) -> Vec<String>,
) {
    let tmp = tempfile::tempdir().unwrap();
    let resumed = Targets::new(tmp.path(), "a");
    let reference = Targets::new(tmp.path(), "b");
    let journal_path = tmp.path().join("run.json");
    let command = || {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("storesim"));
        cmd.env_remove("RUST_LOG")
            .env_remove("STORESIM_NOW")
            .args(base)
            .args(resumed.args())
            .arg("--resume")
            .arg(&journal_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    };
    let minute = 60_000_000;
    let child = command().spawn().unwrap();
    // The journal is written before anything else.
    let t0 = Instant::now();
    while journal(&journal_path).is_none() {
        assert!(t0.elapsed() < Duration::from_secs(60), "no journal");
        std::thread::sleep(Duration::from_millis(20));
    }
    let start = start_us(&journal_path);
    kill_when_under_way(child, &journal_path, start, 5 * minute);
    kill_when_under_way(
        command().spawn().unwrap(),
        &journal_path,
        start,
        15 * minute,
    );
    let out = command().stderr(Stdio::piped()).output().unwrap();
    super::succeeded(&out);
    assert_eq!(journal(&journal_path).unwrap()["finished"], true);

    // The same stream, uninterrupted and unpaced.
    let out = storesim()
        .args(speed_max_span(&journal_path))
        .args(reference.args())
        .output()
        .unwrap();
    super::succeeded(&out);

    let (a, b) = (tree(&resumed.files), tree(&reference.files));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{} differs", path.display());
    }
    assert_eq!(
        std::fs::read(&resumed.manifest).unwrap(),
        std::fs::read(&reference.manifest).unwrap(),
        "the same manifest"
    );
    if let (Some((brokers, pa)), Some((_, pb))) = (&resumed.kafka, &reference.kafka) {
        for kind in ["scan", "transaction", "item_change"] {
            let expected = kind_lines(&reference.files, kind).len();
            let read = |prefix: &str| {
                consume_idle(
                    brokers,
                    &format!("{prefix}{kind}s"),
                    expected + 1,
                    "10s",
                    &[],
                )
            };
            let (got, want) = (read(pa), read(pb));
            assert_eq!(got.len(), expected, "{kind}s: one message per event");
            assert_eq!(
                by_store(&got),
                by_store(&want),
                "{kind}s: per store, in order"
            );
        }
    }
    if let (Some((url, sa)), Some((_, sb))) = (&resumed.postgres, &reference.postgres) {
        let digest = pg_digest(url, sa);
        assert_eq!(digest, pg_digest(url, sb), "the same rows and item master");
        // A receipt per transaction id (a scan's id repeats in its void).
        let f: Vec<&str> = digest[1].split('|').collect();
        assert_eq!(f[0], f[1], "a row per transaction: {}", digest[1]);
        let out = storesim()
            .args(["verify", "--manifest"])
            .arg(&resumed.manifest)
            .args(["--postgres", &with_schema(url, sa)])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        psql(
            url,
            &format!("DROP SCHEMA {sa} CASCADE; DROP SCHEMA {sb} CASCADE"),
        );
    }
}

#[test]
fn a_paced_run_killed_twice_and_resumed_equals_an_uninterrupted_run() {
    let wall = Wall::real();
    let start = wall::next_black_friday_at(wall.now(), 15, 0);
    let until = start + chrono::Duration::minutes(40);
    let span = vec![
        "--start".to_string(),
        wall::arg(start),
        "--until".to_string(),
        wall::arg(until),
    ];
    let mut base: Vec<String> = [
        "run", "--seed", "5", "--stores", "6", "--speed", "240", "-q",
    ]
    .map(String::from)
    .to_vec();
    base.extend(span.clone());
    let start_us = start.timestamp_micros();
    killed_twice_then_resumed(
        &base,
        |_| start_us,
        |_| {
            let mut args: Vec<String> = ["run", "--seed", "5", "--stores", "6", "-q"]
                .map(String::from)
                .to_vec();
            args.extend(span.clone());
            args
        },
    );
}

#[test]
fn a_live_demo_from_now_killed_twice_and_resumed_equals_an_uninterrupted_run() {
    // The default start, now: a resumed run starts where the stopped one
    // did, not at the new now. Stores open around the clock, so any hour
    // of the day has traffic.
    let tmp = tempfile::tempdir().unwrap();
    let scenario = super::live::always_open(tmp.path());
    let until = wall::arg(Wall::real().now() + chrono::Duration::minutes(50));
    let run = |extra: &[&str]| -> Vec<String> {
        [
            "run",
            "--scenario",
            &scenario,
            "--seed",
            "6",
            "--stores",
            "6",
            "-q",
        ]
        .iter()
        .chain(extra)
        .map(|a| a.to_string())
        .collect()
    };
    let base = run(&["--speed", "180", "--until", &until]);
    let start_of = |journal_path: &Path| journal(journal_path).unwrap()["now_us"].as_i64().unwrap();
    killed_twice_then_resumed(&base, start_of, |journal_path| {
        let start = chrono::DateTime::from_timestamp_micros(start_of(journal_path)).unwrap();
        let start = start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        run(&["--start", &start, "--until", &until])
    });
}

#[test]
fn a_journal_of_another_run_is_refused_naming_the_difference() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("j.json");
    let files = format!("files:{}", tmp.path().join("f").display());
    let run = |seed: &str, extra: &[&str]| {
        storesim()
            .args([
                "run", "--stores", "1", "--seed", seed, "-q", "--sink", &files,
            ])
            .arg("--resume")
            .arg(&path)
            .args(extra)
            .output()
            .unwrap()
    };
    // A run that finished is not run again.
    assert!(run("3", &[]).status.success());
    let out = run("3", &[]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to resume"));
    // Another seed, sink or schema is another run.
    let mut j = journal(&path).unwrap();
    j["finished"] = Value::Bool(false);
    std::fs::write(&path, j.to_string()).unwrap();
    let err = super::failure(run("4", &[]), 2);
    assert!(
        err.contains("--resume") && err.contains("seed=3") && err.contains("seed=4"),
        "{err}"
    );
    let err = super::failure(run("3", &["--sink", "null"]), 2);
    assert!(err.contains("its sinks are"), "{err}");
    let err = super::failure(run("3", &["--overwrite"]), 2);
    assert!(err.contains("--overwrite"), "{err}");
    std::fs::write(&path, "{\"format\": 1").unwrap();
    let err = super::failure(run("3", &[]), 2);
    assert!(err.contains("not a storesim journal"), "{err}");
}
