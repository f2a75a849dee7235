//! End-to-end tests of the `storesim` binary.

mod apex;
mod avro_files;

mod debezium;
mod demos;
mod determinism;
mod errors;
mod faults;
mod golden;
mod house;
mod kafka;
mod live;
mod models;
mod parquet;
mod postgres;
mod proxy;
mod receipts;
mod registry;
mod resume;
mod s3;
mod schemas;
mod secrets;
mod serve;
mod shard;
mod truth;
mod wall;
mod widgets_unlimited;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary under test.
pub fn storesim() -> Command {
    let mut cmd = Command::cargo_bin("storesim").expect("binary built");
    cmd.env_remove("RUST_LOG").env_remove("STORESIM_NOW");
    cmd
}

/// A setting `scripts/test.sh` exports for the tests that need a service
/// (a broker, a database), or `None` with a note when the suite runs
/// without it; with `STORESIM_REQUIRE_SERVICES` set, its absence fails.
pub fn service(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            assert!(
                std::env::var_os("STORESIM_REQUIRE_SERVICES").is_none(),
                "{var} is not set: run the suite with scripts/test.sh"
            );
            eprintln!("skipped: {var} is not set (scripts/test.sh starts the services)");
            None
        }
    }
}

/// The run the connection tests interrupt, writing to `sinks`: 6 stores,
/// arrivals for 40 virtual minutes of the next Black Friday (from 15:00
/// UTC, in the future of `wall`, so the run is paced from its start and
/// never replayed at once as a past span would be), the last shoppers
/// served about an hour later, at 240 x real time: about 30 s of wall time.
/// Standard error is piped.
pub(crate) fn paced_run(wall: &wall::Wall, sinks: &[&str]) -> std::process::Command {
    let start = wall::next_black_friday_at(wall.now(), 15, 0);
    let until = start + chrono::Duration::minutes(40);
    let mut cmd = wall.command();
    cmd.args(["run", "--seed", "5", "--stores", "6", "--speed", "240"])
        .args(["--start", &wall::arg(start)])
        .args(["--until", &wall::arg(until), "-q"])
        .stderr(std::process::Stdio::piped());
    for sink in sinks {
        cmd.args(["--sink", sink]);
    }
    cmd
}

/// Every file below `dir` (relative path, bytes), sorted.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// The lines of every part file of one event kind below `dir` (a files
/// sink's output), in path order.
pub fn kind_lines(dir: &Path, kind: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for (path, bytes) in tree(dir) {
        if path.starts_with(format!("kind={kind}")) {
            lines.extend(text(&path, &bytes).lines().map(str::to_string));
        }
    }
    lines
}

/// The standard output of a command that must succeed, line by line.
pub fn success_lines(out: std::process::Output, what: &str) -> Vec<String> {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The standard error of a command that must fail with `code` and say why
/// on one line.
pub fn failure(out: std::process::Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    stderr
}

/// Asserts that a command succeeded, showing its standard error if not.
pub fn succeeded(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The counts of a failed sink's last line, `...; N of the M events handed
/// to it were not confirmed delivered`: (N, M).
pub fn unconfirmed_counts(stderr: &str) -> (u64, u64) {
    stderr
        .rsplit_once("; ")
        .and_then(|(_, c)| c.split_once(" of the "))
        .and_then(|(n, rest)| Some((n.parse().ok()?, rest.split_once(' ')?.0.parse().ok()?)))
        .unwrap_or_else(|| panic!("no counts in: {stderr}"))
}

/// A name no other test of any run uses: `tag`, the process id, the time.
pub fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}{}-{nanos}", std::process::id())
}

/// Money in cents from its exact decimal text (`4.99`, `5.0`, `-0.5`).
pub fn cents(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    let frac = format!("{frac:0<2}");
    sign * (whole.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + frac[..2].parse::<i64>().unwrap())
}

/// Money in cents from a JSON number, or a decimal's text (as a reader
/// decodes an Avro or Protobuf decimal).
pub fn json_cents(v: &serde_json::Value) -> i64 {
    match v {
        serde_json::Value::String(s) => cents(s),
        v => cents(&v.to_string()),
    }
}

/// The decompressed text of a part file.
pub fn text(path: &Path, bytes: &[u8]) -> String {
    let mut s = String::new();
    let name = path.to_string_lossy();
    if name.ends_with(".zst") {
        zstd::Decoder::new(bytes)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
    } else if name.ends_with(".gz") {
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut s)
            .unwrap();
    } else {
        s = String::from_utf8(bytes.to_vec()).unwrap();
    }
    s
}
