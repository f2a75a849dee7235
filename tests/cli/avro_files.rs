//! `files:DIR?format=avro`: Avro Object Container Files with the schemas
//! the Kafka sink registers, read back by fastavro (not storesim's code)
//! to the same records as the JSON files of the same run, for storesim's
//! kinds and a scenario's mapped ones, with each compression codec; the
//! same bytes whatever the run's windows.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::demos::{python, reader};
use super::{storesim, tree};

/// A JSON number or a decimal's text, normalised (`0.1000` and `0.1` are
/// `0.1`, `5.00` and `5.0` are `5`), if it is one.
fn decimal(v: &Value) -> Option<String> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    text.parse::<f64>().ok()?;
    Some(match text.split_once('.') {
        Some(_) => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        None => text,
    })
}

/// Microseconds of an instant's text, if it is one: RFC 3339, or a
/// zoneless `2026-11-27 15:00:00.000001` (either separator) taken as UTC.
fn micros(v: &Value) -> Option<i64> {
    let s = v.as_str()?;
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc().timestamp_micros())
}

/// `decoded` (a reader's) is `record` (the JSON file's): each field equal,
/// an amount exactly, an instant to the µs, nested records likewise.
pub(super) fn same(at: &str, record: &Value, decoded: &Value) {
    let (Value::Object(r), Value::Object(d)) = (record, decoded) else {
        panic!("{at}: {record} / {decoded}");
    };
    assert_eq!(r.len(), d.len(), "{at}: {record} / {decoded}");
    for (k, a) in r {
        let b = &d[k];
        let at = format!("{at}.{k}");
        match (a, b) {
            (Value::Object(_), _) => same(&at, a, b),
            (Value::Number(_), Value::String(_)) => {
                assert_eq!(decimal(a), decimal(b), "{at}: {a} / {b}")
            }
            (Value::String(_), Value::String(_)) if micros(a).is_some() => {
                assert_eq!(micros(a), micros(b), "{at}: {a} / {b}")
            }
            _ => assert_eq!(a, b, "{at}"),
        }
    }
}

/// The JSON lines of `dir`, by kind, in path order.
pub(super) fn json_records(dir: &Path) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (path, bytes) in tree(dir) {
        let path = path.to_string_lossy().to_string();
        let Some(kind) = path.split('/').find_map(|p| p.strip_prefix("kind=")) else {
            continue;
        };
        let kind = kind.to_string();
        for line in std::str::from_utf8(&bytes).unwrap().lines() {
            out.entry(kind.clone())
                .or_default()
                .push(serde_json::from_str(line).unwrap());
        }
    }
    out
}

/// fastavro's records of `dir`, by kind, in path order, with each file's
/// codec.
fn avro_records(py: &str, dir: &Path) -> BTreeMap<String, Vec<(String, Value)>> {
    let out = Command::new(py)
        .arg(reader("avro_files.py"))
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "avro_files: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut records: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        records
            .entry(v["kind"].as_str().unwrap().to_string())
            .or_default()
            .push((v["codec"].as_str().unwrap().to_string(), v["value"].clone()));
    }
    records
}

#[test]
fn avro_files_hold_the_json_records_in_the_same_bytes_every_run() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for scenario in ["chain", "apex"] {
        let dir = |name: &str| tmp.path().join(format!("{scenario}-{name}"));
        let run = |window: &str, sinks: &[String]| {
            let mut cmd = storesim();
            cmd.args([
                "run",
                "--scenario",
                scenario,
                "--stores",
                "2",
                "--seed",
                "5",
                "-q",
            ])
            .args([
                "--start",
                "2026-11-27T14:00:00Z",
                "--until",
                "2026-11-27T16:00:00Z",
            ])
            .args(["--window", window]);
            for s in sinks {
                cmd.args(["--sink", s]);
            }
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "{scenario}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(
            "1m",
            &[
                format!("files:{}?compression=none", dir("json").display()),
                format!(
                    "files:{}?format=avro&compression=zstd",
                    dir("zstd").display()
                ),
                format!(
                    "files:{}?format=avro&compression=gzip&max_events_per_file=1000",
                    dir("deflate").display()
                ),
                format!("files:{}?format=avro", dir("null").display()),
            ],
        );
        let json = json_records(&dir("json"));
        assert!(
            json.values().map(Vec::len).sum::<usize>() > 1000,
            "{scenario}"
        );
        for (name, codec) in [
            ("zstd", "zstandard"),
            ("deflate", "deflate"),
            ("null", "null"),
        ] {
            let avro = avro_records(&py, &dir(name));
            assert_eq!(
                avro.keys().collect::<Vec<_>>(),
                json.keys().collect::<Vec<_>>(),
                "{scenario} {name}"
            );
            for (kind, records) in &json {
                let decoded = &avro[kind];
                assert_eq!(decoded.len(), records.len(), "{scenario} {name} {kind}");
                for (i, (r, (c, d))) in records.iter().zip(decoded).enumerate() {
                    assert_eq!(c, codec);
                    same(&format!("{scenario} {name} {kind}[{i}]"), r, d);
                }
            }
            assert!(dir(name).join("_SUCCESS").exists());
        }
        // Other windows, the same files to the byte.
        run(
            "7m",
            &[format!(
                "files:{}?format=avro&compression=zstd",
                dir("zstd-7m").display()
            )],
        );
        assert!(
            tree(&dir("zstd")) == tree(&dir("zstd-7m")),
            "{scenario}: bytes differ"
        );
    }
}
