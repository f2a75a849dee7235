//! `storesim schemas`: every kind's Avro schema read by fastavro, its
//! Protobuf file compiled by protoc and its JSON Schema checked against
//! draft-07 (none of them storesim's code), with the types the README
//! documents.

use serde_json::Value;

use super::demos::python;
use super::storesim;

fn schema(args: &[&str]) -> String {
    let out = storesim().arg("schemas").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_kinds_avro_schema_parses_in_fastavro() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let kinds: Vec<String> = storesim_sim::EventKind::ALL
        .iter()
        .map(|k| k.as_str().to_string())
        .collect();
    let mut files = Vec::new();
    for kind in &kinds {
        let path = tmp.path().join(format!("{kind}.avsc"));
        std::fs::write(&path, schema(&[kind])).unwrap();
        files.push(path);
    }
    // The mapped forms too: temus's listing, apex's scan.
    for (kind, scenario) in [("listing", "temus"), ("scan", "apex")] {
        let path = tmp.path().join(format!("{scenario}-{kind}.avsc"));
        std::fs::write(&path, schema(&[kind, "--scenario", scenario])).unwrap();
        files.push(path);
    }
    let out = std::process::Command::new(&py)
        .arg(super::demos::reader("avro_schema.py"))
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fastavro: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed.len(), kinds.len() + 2);
    let field = |name: &str, field: &str| -> Value {
        let record = parsed
            .iter()
            .find(|p| p["name"] == format!("storesim.{name}"))
            .unwrap_or_else(|| panic!("no {name}"));
        record["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f[0] == field)
            .unwrap_or_else(|| panic!("{name}.{field}"))[1]
            .clone()
    };
    assert_eq!(field("scan", "kind"), "string");
    assert_eq!(field("scan", "ts"), "long/timestamp-millis");
    assert_eq!(field("scan", "unit_price"), "bytes/decimal");
    assert_eq!(field("wu_customer", "customer_date_of_birth"), "int/date");
    assert_eq!(
        field("wu_customer", "customer_inserted_at"),
        "long/timestamp-micros"
    );
    assert_eq!(
        field("wu_customer", "customer_email"),
        serde_json::json!(["null", "string"])
    );
    // A mapping's record: its name and fields, wall-clock text as a string.
    assert_eq!(field("scans", "scan_datetime"), "string");
    assert_eq!(field("temus_product", "Sale_Price"), "bytes/decimal");
}

/// Every kind's schema in `format` (and two mapped forms), as the
/// independent checker reads them, by record name.
fn checked(py: &str, format: &str, ext: &str) -> std::collections::BTreeMap<String, Value> {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut write = |name: String, args: &[&str]| {
        let path = tmp.path().join(format!("{name}.{ext}"));
        std::fs::write(&path, schema(&[args, &["--format", format]].concat())).unwrap();
        files.push(path);
    };
    for kind in storesim_sim::EventKind::ALL {
        write(kind.as_str().to_string(), &[kind.as_str()]);
    }
    for (kind, scenario) in [("listing", "temus"), ("scan", "apex")] {
        write(
            format!("{scenario}_{kind}"),
            &[kind, "--scenario", scenario],
        );
    }
    let out = std::process::Command::new(py)
        .arg(super::demos::reader("proto_json_schema.py"))
        .arg(format)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: std::collections::BTreeMap<String, Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["name"].as_str().unwrap().to_string(), v)
        })
        .collect();
    assert_eq!(parsed.len(), storesim_sim::EventKind::ALL.len() + 2);
    parsed
}

#[test]
fn every_kinds_protobuf_compiles_in_protoc() {
    let Some(py) = python() else { return };
    let p = checked(&py, "protobuf", "proto");
    let scan = &p["storesim.scan"]["fields"];
    assert_eq!(scan["kind"], "string");
    assert_eq!(scan["ts"], "message google.protobuf.Timestamp");
    assert_eq!(scan["unit_price"], "string");
    assert_eq!(scan["quantity"], "int32");
    let change = &p["storesim.item_change"]["fields"];
    assert_eq!(change["before"], "message storesim.item_change_before");
    let customer = &p["storesim.wu_customer"]["fields"];
    assert_eq!(customer["customer_email"], "optional string");
    assert_eq!(customer["customer_date_of_birth"], "string");
    assert_eq!(
        p["storesim.temus_product"]["fields"]["Sale_Price"],
        "string"
    );
    assert_eq!(p["storesim.scans"]["fields"]["scan_datetime"], "string");
}

#[test]
fn every_kinds_json_schema_is_valid_draft_07() {
    let Some(py) = python() else { return };
    let j = checked(&py, "json_schema", "json");
    let scan = &j["scan"];
    assert_eq!(scan["fields"]["unit_price"], "number");
    assert_eq!(scan["fields"]["ts"], "string");
    assert_eq!(scan["fields"]["store_id"], "integer");
    assert!(scan["required"]
        .as_array()
        .unwrap()
        .contains(&Value::from("ts")));
    assert_eq!(j["item_change"]["fields"]["before"], "null|object");
    assert_eq!(j["wu_customer"]["fields"]["customer_email"], "null|string");
}

#[test]
fn an_unknown_kind_or_one_the_scenario_does_not_write_is_refused() {
    for (args, want) in [
        (vec!["nosuch"], "unknown event kind `nosuch` (known: scan, "),
        (
            vec!["scan", "--scenario", "smoothie"],
            "scenario `smoothie` does not write `scan`",
        ),
    ] {
        let out = storesim().arg("schemas").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: ") && err.contains(want), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// `schemas KIND --format parquet` prints the schema the files hold: each
/// column DuckDB finds in a written part, with its physical type.
#[test]
fn the_printed_parquet_schema_is_the_files_own() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = storesim()
        .args(["run", "--stores", "2", "--seed", "3", "-q"])
        .args([
            "--start",
            "2026-11-27T15:00:00Z",
            "--until",
            "2026-11-27T16:00:00Z",
        ])
        .arg("--sink")
        .arg(format!("files:{}?format=parquet", tmp.path().display()))
        .output()
        .unwrap();
    super::succeeded(&out);
    for kind in ["scan", "transaction"] {
        let printed = schema(&[kind, "--format", "parquet"]);
        let file = tmp
            .path()
            .join(format!("kind={kind}/date=2026-11-27/part-00000.parquet"));
        let rows = super::demos::duck(
            &py,
            &[format!(
                "SELECT name, type FROM parquet_schema('{}') WHERE type IS NOT NULL",
                file.display()
            )],
        );
        assert!(rows[0].len() > 5, "{rows:?}");
        for row in &rows[0] {
            let line = format!("{} {}", row[1].as_str().unwrap(), row[0].as_str().unwrap());
            assert!(printed.contains(&line), "{kind}: no `{line}` in {printed}");
        }
        assert_eq!(
            printed.matches(';').count(),
            rows[0].len(),
            "{kind}: {printed}"
        );
    }
}
