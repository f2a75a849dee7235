//! Object storage: `files:s3://BUCKET/PREFIX?endpoint=...` against a local
//! S3-compatible server (moto's server mode, started by scripts/s3.sh),
//! read back with boto3 and DuckDB, not storesim's code: JSON lines, CSV
//! and Parquet on the store equal the same run's local trees byte for
//! byte, and `verify` reads them there; a SIGINT mid-run leaves whole
//! parts holding the summary's count;
//! a run killed with SIGKILL shows no part unfinished, and resumed ends
//! with the uninterrupted run's bytes; a missing bucket or a store that
//! does not answer is one line before the run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::demos::{python, reader};
use super::{failure, service, storesim, succeeded, tree, unique};

/// The test server's endpoint, and the readers' python.
fn server() -> Option<(String, String)> {
    let endpoint = service("STORESIM_S3_ENDPOINT")?;
    Some((endpoint, python()?))
}

/// Credentials for a command (either kind of `Command`): the test server
/// takes any; a profile or endpoint of the machine's is left out.
macro_rules! with_credentials {
    ($cmd:expr) => {
        $cmd.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
    };
}

fn s3_py(py: &str, args: &[&str]) -> String {
    let out = Command::new(py)
        .arg(reader("s3.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "s3.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A new bucket, made by boto3.
fn bucket(py: &str, endpoint: &str, tag: &str) -> String {
    let name = unique(&format!("storesim-{tag}-"));
    s3_py(py, &["mkbucket", endpoint, &name]);
    name
}

/// Downloads everything under `prefix` into `dir`; (objects, multipart
/// uploads not completed).
fn fetch(py: &str, endpoint: &str, bucket: &str, prefix: &str, dir: &Path) -> (u64, u64) {
    let line = s3_py(
        py,
        &["fetch", endpoint, bucket, prefix, dir.to_str().unwrap()],
    );
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    (
        v["objects"].as_u64().unwrap(),
        v["uploads"].as_u64().unwrap(),
    )
}

/// Rows of every Parquet part under `dir`, read by DuckDB one file at a
/// time (an unfinished part would not read).
fn parquet_rows(py: &str, dir: &Path) -> u64 {
    let out = Command::new(py)
        .arg(reader("parquet_rows.py"))
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "parquet_rows.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.iter().filter(|&&b| b == b'\n').count() as u64
}

fn store_sink(bucket: &str, prefix: &str, endpoint: &str, options: &str) -> String {
    format!("files:s3://{bucket}/{prefix}?endpoint={endpoint}&{options}")
}

#[test]
fn json_csv_and_parquet_on_s3_equal_the_local_trees_byte_for_byte() {
    let Some((endpoint, py)) = server() else {
        return;
    };
    let b = bucket(&py, &endpoint, "trees");
    let tmp = tempfile::tempdir().unwrap();
    let local = tmp.path().join("local");
    let formats = [
        ("parquet", "format=parquet&row_group_rows=50000"),
        ("json", "compression=none"),
        ("csv", "format=csv&compression=gzip"),
    ];
    let mut cmd = storesim();
    with_credentials!(cmd)
        .args([
            "run",
            "--scenario",
            "chain",
            "--stores",
            "20",
            "--seed",
            "5",
            "-q",
            "--start",
            "2026-11-27T12:00:00Z",
            "--until",
            "2026-11-27T22:00:00Z",
            "--manifest",
        ])
        .arg(tmp.path().join("m.json"));
    for (name, options) in formats {
        cmd.arg("--sink")
            .arg(store_sink(&b, &format!("runs/{name}"), &endpoint, options));
        cmd.arg("--sink")
            .arg(format!("files:{}?{options}", local.join(name).display()));
    }
    let out = cmd.output().unwrap();
    succeeded(&out);
    for (name, _) in formats {
        let got = tmp.path().join(format!("fetched-{name}"));
        let (objects, uploads) = fetch(&py, &endpoint, &b, &format!("runs/{name}"), &got);
        assert_eq!(uploads, 0, "{name}: uploads left unfinished");
        let (want, got) = (tree(&local.join(name)), tree(&got));
        assert_eq!(objects as usize, want.len(), "{name}");
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{name}: the same parts"
        );
        for (path, bytes) in &want {
            assert!(bytes == &got[path], "{name}: {} differs", path.display());
        }
        assert!(got.contains_key(Path::new("_SUCCESS")), "{name}");
    }
    // The JSON scans were a multipart upload (pieces of 8 MiB).
    let biggest = tree(&local.join("json"))
        .values()
        .map(Vec::len)
        .max()
        .unwrap();
    assert!(
        biggest > 16 << 20,
        "the largest JSON part is {biggest} bytes"
    );
    // DuckDB reads every Parquet part fetched from the store.
    let rows = parquet_rows(&py, &tmp.path().join("fetched-parquet"));
    let lines: usize = ["scan", "transaction", "item_change"]
        .iter()
        .map(|k| super::kind_lines(&local.join("json"), k).len())
        .sum();
    assert_eq!(rows as usize, lines);
    // verify reads the trees on the store.
    for name in ["parquet", "csv"] {
        let mut cmd = storesim();
        let out = with_credentials!(cmd)
            .args(["verify", "--manifest"])
            .arg(tmp.path().join("m.json"))
            .arg("--files")
            .arg(format!("s3://{b}/runs/{name}?endpoint={endpoint}"))
            .output()
            .unwrap();
        succeeded(&out);
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(report.contains("against files:s3://"), "{report}");
        assert!(!report.contains("FAIL"), "{report}");
    }

    // A second run into the same prefix: refused, then replaced.
    let small = |options: &str| {
        let mut cmd = storesim();
        with_credentials!(cmd)
            .args(["run", "--stores", "2", "--seed", "5", "-q"])
            .args(["--start", "2026-11-27T14:00:00Z"])
            .args(["--until", "2026-11-27T15:00:00Z"])
            .arg("--sink")
            .arg(store_sink(&b, "runs/parquet", &endpoint, options))
            .output()
            .unwrap()
    };
    let err = failure(small("format=parquet"), 2);
    assert!(err.contains("holds output of an earlier run"), "{err}");
    succeeded(&small("format=parquet&overwrite=true"));
    let again = tmp.path().join("again");
    fetch(&py, &endpoint, &b, "runs/parquet", &again);
    let kinds: Vec<PathBuf> = tree(&again).into_keys().collect();
    assert!(
        kinds.iter().all(|p| p.starts_with("_SUCCESS")
            || p.starts_with("kind=scan/date=2026-11-27")
            || p.starts_with("kind=transaction/date=2026-11-27")
            || p.starts_with("kind=item_change")),
        "{kinds:?}"
    );
    assert!(parquet_rows(&py, &again) < rows / 10);
}

/// The summary's event count.
fn summary_count(stderr: &str) -> u64 {
    super::live::summary_count(stderr)
}

#[test]
fn a_sigint_mid_run_leaves_whole_parts_holding_the_summarys_count() {
    use std::io::BufRead;
    let Some((endpoint, py)) = server() else {
        return;
    };
    let b = bucket(&py, &endpoint, "sigint");
    let start = chrono::Utc::now() - chrono::Duration::days(3);
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("storesim"));
    with_credentials!(cmd)
        .env_remove("RUST_LOG")
        .env_remove("STORESIM_NOW")
        .args(["run", "--stores", "100", "--speed", "60", "--start"])
        .arg(start.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .arg("--sink")
        .arg(store_sink(
            &b,
            "live",
            &endpoint,
            "format=parquet&max_events_per_file=50000",
        ))
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    while !seen.contains("storesim: live at") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "{seen}");
        seen.push_str(&line);
    }
    std::thread::sleep(Duration::from_millis(2500));
    super::live::interrupt(&child);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    seen.push_str(&rest);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}: {seen}");
    assert!(seen.contains("stopped:  on request"), "{seen}");
    let pacing = seen.lines().find(|l| l.starts_with("pacing:")).unwrap();
    assert!(
        !pacing.contains("caught up"),
        "after the backfill: {pacing}"
    );
    let events = summary_count(&seen);
    assert!(events > 50_000, "{seen}");

    let tmp = tempfile::tempdir().unwrap();
    let (_, uploads) = fetch(&py, &endpoint, &b, "live", tmp.path());
    assert_eq!(uploads, 0, "uploads left unfinished");
    assert!(tmp.path().join("_SUCCESS").exists());
    assert_eq!(parquet_rows(&py, tmp.path()), events, "{seen}");
}

/// The journal's checkpoints, once it has them.
fn checkpoints(path: &Path) -> Vec<i64> {
    let Some(j) = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return Vec::new();
    };
    j["checkpoints"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["until_us"].as_i64()).collect())
        .unwrap_or_default()
}

#[test]
fn a_run_killed_mid_day_shows_no_unfinished_part_and_resumes_to_the_same_bytes() {
    let Some((endpoint, py)) = server() else {
        return;
    };
    let b = bucket(&py, &endpoint, "resume");
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("run.json");
    let base = [
        "run",
        "--stores",
        "60",
        "--seed",
        "9",
        "-q",
        "--start",
        "2026-11-27T00:00:00Z",
        "--until",
        "2026-11-28T00:00:00Z",
    ];
    let options = "format=parquet&max_events_per_file=40000";
    let run = |resume: bool| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("storesim"));
        with_credentials!(cmd)
            .env_remove("RUST_LOG")
            .env_remove("STORESIM_NOW")
            .args(base)
            .arg("--sink")
            .arg(store_sink(&b, "day", &endpoint, options))
            .arg("--sink")
            .arg(format!("files:{}", tmp.path().join("beside").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if resume {
            cmd.arg("--resume").arg(&journal);
        }
        cmd
    };
    let mut child = run(true).spawn().unwrap();
    // Killed when the local sink is past 14:00 of the day (the store's
    // parts of the day are then under way, some of them complete).
    let afternoon = chrono::DateTime::parse_from_rfc3339("2026-11-27T14:00:00Z")
        .unwrap()
        .timestamp_micros();
    let t0 = Instant::now();
    while !checkpoints(&journal).iter().any(|&c| c > afternoon) {
        assert!(t0.elapsed() < Duration::from_secs(120), "no progress");
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the run ended ({status}) before it was killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success());
    let killed = tmp.path().join("killed");
    let (objects, _) = fetch(&py, &endpoint, &b, "day", &killed);
    assert!(objects > 0, "no part completed before the kill");
    assert!(!killed.join("_SUCCESS").exists());
    // Every visible part is whole: DuckDB reads each one.
    assert!(parquet_rows(&py, &killed) >= 40_000);

    let out = run(true).output().unwrap();
    succeeded(&out);
    // The same stream, uninterrupted, to a local directory.
    let reference = tmp.path().join("reference");
    let out = storesim()
        .args(base)
        .arg("--sink")
        .arg(format!("files:{}?{options}", reference.display()))
        .output()
        .unwrap();
    succeeded(&out);
    let resumed = tmp.path().join("resumed");
    let (_, uploads) = fetch(&py, &endpoint, &b, "day", &resumed);
    let _ = uploads; // the killed run's aborted uploads may still be listed
    let (got, want) = (tree(&resumed), tree(&reference));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &want {
        assert!(bytes == &got[path], "{} differs", path.display());
    }
}

#[test]
fn a_missing_bucket_or_a_store_that_does_not_answer_is_one_line_before_the_run() {
    let Some((endpoint, _py)) = server() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let beside = tmp.path().join("beside");
    for (sink, want) in [
        (
            format!("files:s3://no-such-bucket-storesim/x?endpoint={endpoint}"),
            "bucket `no-such-bucket-storesim` does not exist",
        ),
        (
            "files:s3://b/x?endpoint=http://127.0.0.1:9".to_string(),
            "does not answer at http://127.0.0.1:9",
        ),
        (
            format!("files:s3://b/x?endpoint={endpoint}&colour=red"),
            "unknown option `colour`",
        ),
        (
            format!("files:s3://b/x?endpoint={endpoint}&format=orc"),
            "format `orc`",
        ),
        (
            format!("files:s3://b/x?endpoint={endpoint}&format=parquet&row_group_rows=0"),
            "row_group_rows `0`",
        ),
        ("files:ftp://b/x".to_string(), "`ftp://`"),
    ] {
        let mut cmd = storesim();
        with_credentials!(cmd)
            .args(["run", "--stores", "2", "-q"])
            .arg("--sink")
            .arg(&sink)
            .arg("--sink")
            .arg(format!("files:{}", beside.display()));
        let err = failure(cmd.output().unwrap(), 2);
        assert!(err.contains(want), "{sink}: {err}");
        assert!(!beside.exists(), "{sink}: the run started");
    }
}
