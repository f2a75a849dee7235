//! The `apex` scenario: the Apex point-of-sale demo's scans, an exact
//! projection of the chain's own (same seed, same lines, in the same
//! delivery order), in files, CSV and PostgreSQL; and the retired
//! `--schema apex`, which is that scenario.

use std::collections::BTreeMap;

use serde_json::Value;

use super::postgres::{psql, schema};
use super::{failure, json_cents, kind_lines, service, storesim};

const WINDOW: [&str; 4] = [
    "--start",
    "2026-11-24T15:00:00Z",
    "--until",
    "2026-11-24T17:00:00Z",
];

fn run(scenario: &str, sinks: &[String]) {
    let mut cmd = storesim();
    cmd.args([
        "run",
        "--seed",
        "4",
        "--stores",
        "3",
        "-q",
        "--scenario",
        scenario,
    ])
    .args(WINDOW);
    for s in sinks {
        cmd.args(["--sink", s]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// store_id -> IANA zone from `storesim catalog`.
fn zones(dir: &std::path::Path) -> BTreeMap<i64, chrono_tz::Tz> {
    let mut stores = csv::Reader::from_path(dir.join("stores.csv")).unwrap();
    let h = stores.headers().unwrap().clone();
    let (id, zone) = (
        h.iter().position(|c| c == "store_id").unwrap(),
        h.iter().position(|c| c == "time_zone").unwrap(),
    );
    stores
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[id].parse().unwrap(), r[zone].parse().unwrap())
        })
        .collect()
}

/// item_id -> UPC from `storesim catalog`.
fn upcs(dir: &std::path::Path) -> BTreeMap<i64, i64> {
    storesim()
        .args(["catalog", "--stores", "3", "--out", dir.to_str().unwrap()])
        .assert()
        .success();
    let mut items = csv::Reader::from_path(dir.join("item_master.csv")).unwrap();
    let h = items.headers().unwrap().clone();
    let (id, upc) = (
        h.iter().position(|c| c == "item_id").unwrap(),
        h.iter().position(|c| c == "item_upc").unwrap(),
    );
    items
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[id].parse().unwrap(), r[upc].parse().unwrap())
        })
        .collect()
}

#[test]
fn apex_scans_are_storesims_scans_in_the_demos_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let native = tmp.path().join("native");
    let apex = tmp.path().join("apex");
    let apex_csv = tmp.path().join("apex_csv");
    run("chain", &[format!("files:{}", native.display())]);
    run(
        "apex",
        &[
            format!("files:{}", apex.display()),
            format!("csv:{}?compression=none", apex_csv.display()),
        ],
    );
    let upc = upcs(&tmp.path().join("catalog"));
    let zone = zones(&tmp.path().join("catalog"));
    let local = |store: &Value, ts: &Value| {
        let t: chrono::DateTime<chrono::Utc> = ts.as_str().unwrap().parse().unwrap();
        t.with_timezone(&zone[&store.as_i64().unwrap()])
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    // A scan's time by its id, for its void.
    let mut scanned: BTreeMap<String, Value> = BTreeMap::new();
    let native: Vec<Value> = kind_lines(&native, "scan")
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let apex_lines = kind_lines(&apex, "scan");
    assert_eq!(apex_lines.len(), native.len());
    assert!(native.len() > 1000, "{}", native.len());
    let mut voids = 0;
    for (line, n) in apex_lines.iter().zip(&native) {
        let a: Value = serde_json::from_str(line).unwrap();
        // Exactly the demo's fields, in its order.
        assert_eq!(a.as_object().unwrap().len(), 6, "{line}");
        let at: Vec<usize> = [
            "scan_id",
            "store_id",
            "scan_datetime",
            "item_upc",
            "unit_qty",
            "unit_price",
        ]
        .iter()
        .map(|k| line.find(&format!("\"{k}\":")).unwrap())
        .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
        assert_eq!(a["scan_id"], n["event_id"]);
        assert_eq!(a["store_id"], n["store_id"]);
        // Store-local wall-clock time; a void repeats its scan's (the
        // chain's void carries the time it was voided, 1-3 minutes later).
        let id = n["event_id"].as_str().unwrap().to_string();
        let when = if n["quantity"] == 0 {
            scanned[&id].clone()
        } else {
            scanned.insert(id, n["ts"].clone());
            n["ts"].clone()
        };
        assert_eq!(a["scan_datetime"], local(&n["store_id"], &when), "{line}");
        // The UPC as a string.
        assert_eq!(
            a["item_upc"].as_str().map(|u| u.parse::<i64>().unwrap()),
            upc.get(&n["sku"].as_i64().unwrap()).copied()
        );
        assert_eq!(a["unit_qty"], n["quantity"]);
        assert_eq!(json_cents(&a["unit_price"]), json_cents(&n["unit_price"]));
        voids += usize::from(a["unit_qty"] == 0);
    }
    assert!(voids > 0, "no voided scan in {} scans", native.len());
    // The demo has no receipts.
    assert!(kind_lines(&apex, "transaction").is_empty());
    assert!(!kind_lines(&tmp.path().join("native"), "transaction").is_empty());
    // CSV: the demo's header, then the same rows.
    let csv_lines = kind_lines(&apex_csv, "scan");
    assert_eq!(
        csv_lines[0],
        "scan_id,store_id,scan_datetime,item_upc,unit_qty,unit_price"
    );
    let rows: Vec<&String> = csv_lines
        .iter()
        .filter(|l| !l.starts_with("scan_id,"))
        .collect();
    assert_eq!(rows.len(), apex_lines.len());
    let first: Value = serde_json::from_str(&apex_lines[0]).unwrap();
    assert!(
        rows[0].starts_with(&format!(
            "{},{},{},{},",
            first["scan_id"].as_str().unwrap(),
            first["store_id"],
            first["scan_datetime"].as_str().unwrap(),
            first["item_upc"].as_str().unwrap()
        )),
        "{}",
        rows[0]
    );
}

#[test]
fn apex_scans_land_in_postgresql_in_the_demos_table() {
    let Some(url) = service("STORESIM_POSTGRES_URL") else {
        return;
    };
    let schema = schema("apex");
    let target = format!("{url}?schema={schema}");
    let tmp = tempfile::tempdir().unwrap();
    let files = tmp.path().join("f");
    run(
        "apex",
        &[target.clone(), format!("files:{}", files.display())],
    );
    let columns = psql(
        &url,
        &format!(
            "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
             WHERE table_schema = '{schema}' AND table_name = 'scans'"
        ),
    );
    assert_eq!(
        columns,
        ["scan_id,store_id,scan_datetime,item_upc,unit_qty,unit_price"]
    );
    // The retired `--schema apex` is the apex scenario: the same bytes.
    let alias = tmp.path().join("alias");
    let out = storesim()
        .args([
            "run", "--seed", "4", "--stores", "3", "-q", "--schema", "apex",
        ])
        .args(WINDOW)
        .args(["--sink", &format!("files:{}", alias.display())])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(super::tree(&alias), super::tree(&files));
    // Per store: scan records, voids, and the sum of unit_qty * unit_price.
    let mut expected: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for line in kind_lines(&files, "scan") {
        let v: Value = serde_json::from_str(&line).unwrap();
        let e = expected.entry(v["store_id"].as_i64().unwrap()).or_default();
        let qty = v["unit_qty"].as_i64().unwrap();
        e.0 += 1;
        e.1 += i64::from(qty == 0);
        e.2 += qty * json_cents(&v["unit_price"]);
    }
    let got: BTreeMap<i64, (i64, i64, i64)> = psql(
        &url,
        &format!(
            "SELECT store_id, count(*), count(*) FILTER (WHERE unit_qty = 0),
                    (sum(unit_qty * unit_price) * 100)::bigint
             FROM {schema}.scans GROUP BY 1 ORDER BY 1"
        ),
    )
    .iter()
    .map(|row| {
        let f: Vec<i64> = row.split('|').map(|x| x.parse().unwrap()).collect();
        (f[0], (f[1], f[2], f[3]))
    })
    .collect();
    assert_eq!(got, expected);
    // storesim's layout on the same tables: a one-line error naming both.
    let out = storesim()
        .args(["run", "--stores", "1", "-q", "--sink", &target])
        .output()
        .unwrap();
    let stderr = failure(out, 2);
    assert!(
        stderr.contains("has the Apex layout") && stderr.contains("db init --drop"),
        "{stderr}"
    );
    // And the other way round: the chain's scans, then the apex scenario.
    let chain = format!("{url}?schema={}", super::postgres::schema("chain_first"));
    run("chain", std::slice::from_ref(&chain));
    let out = storesim()
        .args([
            "run",
            "--scenario",
            "apex",
            "--stores",
            "1",
            "-q",
            "--sink",
            &chain,
        ])
        .output()
        .unwrap();
    let stderr = failure(out, 2);
    assert!(
        stderr.contains("table scans has the columns (transaction_id, line,")
            && stderr
                .contains("not (scan_id, store_id, scan_datetime, item_upc, unit_qty, unit_price)"),
        "{stderr}"
    );
}

#[test]
fn schema_apex_is_refused_with_another_scenario() {
    for scenario in ["smoothie", "webshop"] {
        let out = storesim()
            .args([
                "run",
                "--scenario",
                scenario,
                "--schema",
                "apex",
                "--sink",
                "null",
            ])
            .output()
            .unwrap();
        let stderr = failure(out, 2);
        assert!(
            stderr.contains("--schema apex is the `apex` scenario")
                && stderr.contains(&format!("scenario `{scenario}`")),
            "{stderr}"
        );
    }
    let out = storesim()
        .args(["run", "--schema", "avro", "--sink", "null"])
        .output()
        .unwrap();
    assert!(failure(out, 2).contains("--schema `avro`: unknown"));
}
