//! `files:DIR?format=parquet`: a seeded chain afternoon of 20 stores to
//! Parquet and to JSON lines at once, read by DuckDB (not storesim's code)
//! with Hive partitioning: the columns typed (DECIMAL, TIMESTAMP WITH TIME
//! ZONE, integers, structs), the same rows as the JSON tree, the
//! manifest's per-store scan totals recomputed in SQL to the cent, `verify`
//! passing over the Parquet tree, and the same bytes whatever the run's
//! windows.

use std::collections::BTreeMap;

use serde_json::Value;

use super::demos::{duck, python};
use super::{json_cents, storesim, tree};

#[test]
fn parquet_files_hold_typed_columns_the_json_rows_and_the_manifests_totals() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (p, j, m) = (
        tmp.path().join("p"),
        tmp.path().join("j"),
        tmp.path().join("m.json"),
    );
    let run = |window: &str, sinks: &[String], manifest: bool| {
        let mut cmd = storesim();
        cmd.args([
            "run",
            "--scenario",
            "chain",
            "--stores",
            "20",
            "--seed",
            "5",
            "-q",
        ])
        .args([
            "--start",
            "2026-11-27T14:00:00Z",
            "--until",
            "2026-11-27T18:00:00Z",
        ])
        .args(["--window", window]);
        for s in sinks {
            cmd.args(["--sink", s]);
        }
        if manifest {
            cmd.arg("--manifest").arg(&m);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        "1m",
        &[
            format!("files:{}?format=parquet&row_group_rows=50000", p.display()),
            format!("files:{}?compression=none", j.display()),
        ],
        true,
    );
    let parquet = |kind: &str| {
        format!(
            "read_parquet('{}/kind={kind}/*/*.parquet', hive_partitioning = true)",
            p.display()
        )
    };
    let json = |kind: &str| format!("read_json_auto('{}/kind={kind}/*/*.jsonl')", j.display());
    let r = duck(
        &py,
        &[
            format!("DESCRIBE SELECT * FROM {}", parquet("scan")),
            format!("DESCRIBE SELECT * FROM {}", parquet("item_change")),
            format!(
                "SELECT event_id, epoch_ms(ts), store_id, sku, quantity, CAST(unit_price * 100 AS BIGINT), CAST(discount * 100 AS BIGINT), CAST(date AS VARCHAR) FROM {} ORDER BY 1, 2, 5",
                parquet("scan")
            ),
            format!(
                "SELECT event_id, epoch_ms(CAST(ts AS TIMESTAMPTZ)), store_id, sku, quantity, CAST(round(unit_price * 100) AS BIGINT), CAST(round(discount * 100) AS BIGINT), substr(CAST(ts AS VARCHAR), 1, 10) FROM {} ORDER BY 1, 2, 5",
                json("scan")
            ),
            format!(
                "SELECT store_id, count(*), CAST(sum(unit_price * quantity - discount) AS VARCHAR) FROM {} GROUP BY store_id ORDER BY store_id",
                parquet("scan")
            ),
            format!(
                "SELECT count(*), count(before), count(after), CAST(sum(after.item_price) AS VARCHAR) FROM {}",
                parquet("item_change")
            ),
            format!(
                "SELECT count(*), count(before), count(after), CAST(sum(CAST(after.item_price AS DECIMAL(12, 2))) AS VARCHAR) FROM {}",
                json("item_change")
            ),
            format!("SELECT count(*) FROM {}", parquet("transaction")),
        ],
    );
    let types: BTreeMap<String, String> = r[0]
        .iter()
        .chain(&r[1])
        .map(|row| {
            (
                row[0].as_str().unwrap().to_string(),
                row[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (column, want) in [
        ("unit_price", "DECIMAL(12,2)"),
        ("ts", "TIMESTAMP WITH TIME ZONE"),
        ("store_id", "INTEGER"),
        ("quantity", "INTEGER"),
        ("change_id", "BIGINT"),
        ("date", "DATE"),
    ] {
        assert_eq!(types[column], want, "{column}");
    }
    assert!(
        types["after"].starts_with("STRUCT(item_id INTEGER"),
        "{}",
        types["after"]
    );
    assert!(
        types["after"].contains("item_price DECIMAL(12,2)"),
        "{}",
        types["after"]
    );
    // The same rows as the JSON tree, field by field.
    assert!(r[2].len() > 10_000, "{}", r[2].len());
    assert_eq!(r[2].len(), r[3].len());
    if let Some(i) = (0..r[2].len()).find(|&i| r[2][i] != r[3][i]) {
        panic!("row {i}: parquet {:?}, json {:?}", r[2][i], r[3][i]);
    }
    assert_eq!(r[5], r[6], "item changes");
    // The manifest's per-store totals, to the cent.
    let manifest: Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    assert_eq!(r[7][0][0], manifest["counts"]["transaction"]);
    let mut want: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for d in manifest["chain"]["store_days"].as_array().unwrap() {
        let e = want.entry(d["store_id"].as_i64().unwrap()).or_default();
        e.0 += d["scan_rows"].as_i64().unwrap();
        e.1 += json_cents(&d["scan_amount"]);
    }
    let got: BTreeMap<i64, (i64, i64)> = r[4]
        .iter()
        .map(|row| {
            (
                row[0].as_i64().unwrap(),
                (row[1].as_i64().unwrap(), json_cents(&row[2])),
            )
        })
        .collect();
    assert_eq!(got, want);
    // verify reads the Parquet tree as it reads JSON lines: every check
    // of the manifest passes.
    let out = storesim()
        .args(["verify", "--manifest"])
        .arg(&m)
        .arg("--files")
        .arg(&p)
        .output()
        .unwrap();
    super::succeeded(&out);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!report.contains("FAIL"), "{report}");
    // Other windows, the same files to the byte.
    let p2 = tmp.path().join("p2");
    run(
        "7m",
        &[format!(
            "files:{}?format=parquet&row_group_rows=50000",
            p2.display()
        )],
        false,
    );
    assert!(tree(&p) == tree(&p2), "the bytes differ across windows");
}

/// Every model's golden run (each scenario's kinds, mapped or not) to
/// Parquet and to JSON lines at once: DuckDB reads back each file's rows
/// equal to the JSON records, field by field, and `verify` reports the
/// same checks over either tree.
#[test]
fn every_scenarios_kinds_round_trip_through_parquet() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for profile in super::golden::PROFILES.iter().filter(|p| p.file.is_none()) {
        let (p, j, m) = (
            tmp.path().join(format!("{}-p", profile.name)),
            tmp.path().join(format!("{}-j", profile.name)),
            tmp.path().join(format!("{}.json", profile.name)),
        );
        let out = storesim()
            .args(["run", "--scenario", profile.scenario, "--seed", "7", "-q"])
            .args(profile.args)
            .arg("--manifest")
            .arg(&m)
            .arg("--sink")
            .arg(format!("files:{}?format=parquet", p.display()))
            .arg("--sink")
            .arg(format!("files:{}?compression=none", j.display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            profile.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let json = super::avro_files::json_records(&j);
        let rows = super::success_lines(
            std::process::Command::new(&py)
                .arg(super::demos::reader("parquet_rows.py"))
                .arg(&p)
                .output()
                .unwrap(),
            "parquet_rows",
        );
        let mut parquet: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for line in rows {
            let v: Value = serde_json::from_str(&line).unwrap();
            parquet
                .entry(v["kind"].as_str().unwrap().to_string())
                .or_default()
                .push(v["value"].clone());
        }
        assert_eq!(
            parquet.keys().collect::<Vec<_>>(),
            json.keys().collect::<Vec<_>>(),
            "{}",
            profile.name
        );
        for (kind, records) in &json {
            assert_eq!(
                parquet[kind].len(),
                records.len(),
                "{} {kind}",
                profile.name
            );
            for (i, (r, d)) in records.iter().zip(&parquet[kind]).enumerate() {
                super::avro_files::same(&format!("{} {kind}[{i}]", profile.name), r, d);
            }
        }
        // The checks after the report's first line (which names the tree).
        let report = |dir: &std::path::Path| {
            let lines = super::success_lines(
                storesim()
                    .args(["verify", "--manifest"])
                    .arg(&m)
                    .arg("--files")
                    .arg(dir)
                    .output()
                    .unwrap(),
                "verify",
            );
            lines[1..].to_vec()
        };
        let (over_parquet, over_json) = (report(&p), report(&j));
        assert!(over_json.len() > 1, "{}: {over_json:?}", profile.name);
        assert_eq!(over_parquet, over_json, "{}", profile.name);
    }
}
