//! Each demo scenario's contract, checked from the outside: the demo's
//! topics and tables, field names and order, types and formats as an
//! independent reader sees them (DuckDB over the files, confluent-kafka's
//! consumer over the topics, psql over PostgreSQL, all installed by the
//! project's scripts), message keys, and the rules that define the demo.
//! The demos' own files are not copied here: the checks are written from
//! their contracts (README "Reproduce the demo").

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::postgres::{psql, schema};
use super::{service, storesim, unique};

/// The venv's python (scripts/python.sh).
pub(super) fn python() -> Option<String> {
    service("STORESIM_PYTHON")
}

pub(super) fn reader(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/readers")
        .join(name)
        .display()
        .to_string()
}

/// Runs SQL statements in DuckDB; each statement's rows as JSON arrays.
pub(super) fn duck(py: &str, sql: &[String]) -> Vec<Vec<Vec<Value>>> {
    let out = Command::new(py)
        .arg(reader("duck.py"))
        .args(sql)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut results: Vec<Vec<Vec<Value>>> = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        if line.starts_with("-- ") {
            results.push(Vec::new());
        } else {
            let row: Vec<Value> = serde_json::from_str(line).unwrap();
            results.last_mut().unwrap().push(row);
        }
    }
    results
}

/// The first column of each row.
pub(super) fn column(rows: &[Vec<Value>]) -> Vec<String> {
    rows.iter()
        .map(|r| match &r[0] {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        })
        .collect()
}

/// A message as confluent-kafka's consumer read it.
#[derive(Debug)]
struct Message {
    topic: String,
    key: Option<String>,
    timestamp: i64,
    fields: Vec<String>,
    value: Value,
}

fn kafka_read(py: &str, brokers: &str, count: usize, topics: &[String]) -> Vec<Message> {
    let out = Command::new(py)
        .arg(reader("kafka_read.py"))
        .args([brokers, &count.to_string()])
        .args(topics)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kafka_read: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let m: Value = serde_json::from_str(l).unwrap();
            Message {
                topic: m["topic"].as_str().unwrap().to_string(),
                key: m["key"].as_str().map(str::to_string),
                timestamp: m["timestamp"].as_i64().unwrap(),
                fields: m["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
                value: serde_json::from_str(m["value"].as_str().unwrap()).unwrap(),
            }
        })
        .collect()
}

/// The services and readers a demo test needs, or `None` (skipped).
struct Services {
    py: String,
    brokers: String,
    pg: String,
}

fn services() -> Option<Services> {
    Some(Services {
        py: python()?,
        brokers: service("STORESIM_KAFKA_BROKERS")?,
        pg: service("STORESIM_POSTGRES_URL")?,
    })
}

pub(super) fn run_ok(args: &[&str]) {
    let out = storesim().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `json` files of a kind, for DuckDB.
pub(super) fn glob(dir: &Path, kind: &str) -> String {
    format!("{}/kind={kind}/*/*.jsonl", dir.display())
}

/// A table's columns and types in PostgreSQL, `name type` in order.
pub(super) fn pg_columns(url: &str, schema: &str, table: &str) -> Vec<String> {
    psql(
        url,
        &format!(
            "SELECT column_name || ' ' || data_type FROM information_schema.columns
             WHERE table_schema = '{schema}' AND table_name = '{table}' ORDER BY ordinal_position"
        ),
    )
}

pub(super) fn pg_tables(url: &str, schema: &str) -> Vec<String> {
    psql(
        url,
        &format!(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' ORDER BY 1"
        ),
    )
}

/// A DuckDB `DESCRIBE`'s rows as `name TYPE`.
pub(super) fn described(rows: &[Vec<Value>]) -> Vec<String> {
    rows.iter()
        .map(|r| format!("{} {}", r[0].as_str().unwrap(), r[1].as_str().unwrap()))
        .collect()
}

/// Runs `scenario` with `args` to files, Kafka (topics under a fresh
/// prefix) and a fresh PostgreSQL schema: (the temporary directory, the
/// files' directory, the topic prefix, the schema).
fn run_to_all(
    s: &Services,
    scenario: &str,
    args: &[&str],
) -> (tempfile::TempDir, std::path::PathBuf, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let files = tmp.path().join("f");
    let prefix = format!("{}.", unique(scenario));
    let pg_schema = schema(&format!("{}_demo", scenario.replace('-', "_")));
    let sinks = [
        format!("files:{}", files.display()),
        format!("kafka://{}?topic_prefix={prefix}", s.brokers),
        format!("{}?schema={pg_schema}", s.pg),
    ];
    let mut all = vec!["run", "--scenario", scenario, "-q"];
    all.extend_from_slice(args);
    for sink in &sinks {
        all.extend(["--sink", sink.as_str()]);
    }
    run_ok(&all);
    (tmp, files, prefix, pg_schema)
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn apex_writes_the_apex_demos_scans() {
    let Some(s) = services() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let files = tmp.path().join("f");
    let prefix = unique("apex");
    let pg_schema = schema("apex_demo");
    run_ok(&[
        "run",
        "--scenario",
        "apex",
        "--seed",
        "4",
        "--stores",
        "3",
        "--start",
        "2026-11-24",
        "-q",
        "--sink",
        &format!("files:{}", files.display()),
        "--sink",
        &format!("kafka://{}?topic_prefix={prefix}.", s.brokers),
        "--sink",
        &format!("{}?schema={pg_schema}", s.pg),
    ]);
    let scans = glob(&files, "scan");
    let r = duck(
        &s.py,
        &[
            // What DuckDB infers: a string UPC, a timestamp in the text.
            format!("DESCRIBE SELECT * FROM read_json_auto('{scans}', hive_partitioning = false)"),
            // The demo's dbt model parses scan_datetime with
            // 'yyyy-MM-dd HH:mm:ss'; none fails.
            format!(
                "SELECT count(*), count(try_strptime(scan_datetime, '%Y-%m-%d %H:%M:%S'))
                 FROM read_json('{scans}', hive_partitioning = false, columns = {{scan_id: 'VARCHAR', store_id: 'INTEGER',
                   scan_datetime: 'VARCHAR', item_upc: 'VARCHAR', unit_qty: 'INTEGER',
                   unit_price: 'DECIMAL(10,2)'}})"
            ),
            // Store-local hours: every store's first scan is in its 06:00
            // opening hour, none after its 23:00 close.
            format!(
                "SELECT store_id, min(hour(scan_datetime)), max(hour(scan_datetime))
                 FROM read_json_auto('{scans}', hive_partitioning = false) WHERE unit_qty > 0 GROUP BY 1 ORDER BY 1"
            ),
            // A void repeats its scan's id and time with quantity 0.
            format!(
                "WITH s AS (SELECT * FROM read_json_auto('{scans}', hive_partitioning = false))
                 SELECT count(*), count(*) FILTER (WHERE v.scan_datetime = o.scan_datetime
                                                   AND v.item_upc = o.item_upc)
                 FROM s v JOIN s o ON v.scan_id = o.scan_id AND o.unit_qty > 0
                 WHERE v.unit_qty = 0"
            ),
            format!("SELECT count(*) FROM read_json_auto('{scans}', hive_partitioning = false)"),
        ],
    );
    let describe: Vec<(String, String)> = r[0]
        .iter()
        .map(|row| {
            (
                row[0].as_str().unwrap().to_string(),
                row[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        describe,
        [
            ("scan_id", "VARCHAR"),
            ("store_id", "BIGINT"),
            ("scan_datetime", "TIMESTAMP"),
            ("item_upc", "VARCHAR"),
            ("unit_qty", "BIGINT"),
            ("unit_price", "DOUBLE"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(r[1][0][0], r[1][0][1], "scan_datetime that does not parse");
    assert!(r[1][0][0].as_i64().unwrap() > 10_000);
    assert_eq!(r[2].len(), 3);
    for row in &r[2] {
        assert_eq!(row[1].as_i64(), Some(6), "{row:?}");
        assert!(row[2].as_i64().unwrap() <= 23, "{row:?}");
    }
    let (voids, same) = (r[3][0][0].as_i64().unwrap(), r[3][0][1].as_i64().unwrap());
    assert!(voids > 20, "{voids} voids");
    assert_eq!(voids, same, "voids that do not repeat their scan's time");
    // Kafka: the demo's topic, no key, the demo's fields in order.
    let count = r[4][0][0].as_u64().unwrap() as usize;
    let messages = kafka_read(
        &s.py,
        &s.brokers,
        count + 1,
        &[format!("{prefix}.retail_scans")],
    );
    assert_eq!(messages.len(), count);
    let fields = names(&[
        "scan_id",
        "store_id",
        "scan_datetime",
        "item_upc",
        "unit_qty",
        "unit_price",
    ]);
    for m in &messages {
        assert_eq!(m.key, None, "{m:?}");
        assert_eq!(m.fields, fields, "{m:?}");
        assert!(m.value["item_upc"].is_string(), "{m:?}");
    }
    // PostgreSQL: the demo's scans table with its types, and only the
    // scenario's tables (no receipts).
    assert_eq!(
        pg_columns(&s.pg, &pg_schema, "scans"),
        [
            "scan_id text",
            "store_id integer",
            "scan_datetime timestamp without time zone",
            "item_upc text",
            "unit_qty integer",
            "unit_price numeric",
        ]
    );
    assert_eq!(
        pg_tables(&s.pg, &pg_schema),
        [
            "item_categories",
            "item_master",
            "scans",
            "stores",
            "storesim_batches"
        ]
    );
    let rows = psql(&s.pg, &format!("SELECT count(*) FROM {pg_schema}.scans"));
    assert_eq!(rows, [count.to_string()]);
    // The dimension tables in the demo's create_tables.sql columns.
    let columns = |t: &str| -> Vec<String> {
        pg_columns(&s.pg, &pg_schema, t)
            .iter()
            .map(|c| c.split(' ').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        columns("stores"),
        names(&[
            "store_id",
            "address",
            "city",
            "state",
            "zipcode",
            "longitude",
            "latitude",
            "timezone",
            "region",
        ])
    );
    assert_eq!(
        columns("item_categories"),
        names(&[
            "category_code",
            "category_name",
            "category_description",
            "ytd_sales",
            "avg_price",
            "_frequency",
        ])
    );
    assert_eq!(
        columns("item_master"),
        names(&[
            "category_code",
            "item_id",
            "item_price",
            "item_upc",
            "repl_qty",
            "_frequency"
        ])
    );
    // The demo's joins (its dbt sales_detail and its notebook's sales by
    // region and category): every scan finds its store and its item by
    // the string UPC, and the regions are the demo's labels.
    // Table names qualified with the test's schema.
    let q = |sql: &str| {
        let mut sql = sql.to_string();
        for t in ["scans", "stores", "item_master", "item_categories"] {
            sql = sql.replace(&format!("JOIN {t} "), &format!("JOIN {pg_schema}.{t} "));
            sql = sql.replace(&format!("FROM {t}\n"), &format!("FROM {pg_schema}.{t}\n"));
        }
        psql(&s.pg, &sql)
    };
    assert_eq!(
        q(
            "SELECT count(*) FROM scans
           INNER JOIN stores ON scans.store_id = stores.store_id
           INNER JOIN item_master ON scans.item_upc = item_master.item_upc
           INNER JOIN item_categories ON item_master.category_code = item_categories.category_code"
        ),
        [count.to_string()]
    );
    let regions = q("SELECT DISTINCT stores.timezone FROM scans
                     INNER JOIN stores ON scans.store_id = stores.store_id ORDER BY 1");
    assert!(!regions.is_empty());
    for r in &regions {
        assert!(
            [
                "PST (GMT-08)",
                "MST (GMT-07)",
                "CST (GMT-06)",
                "EST (GMT-05)",
                "AKST (GMT-09)",
                "HST (GMT-10)"
            ]
            .contains(&r.as_str()),
            "{r}"
        );
    }
    // `storesim catalog --scenario apex` writes the same columns.
    let catalog = tmp.path().join("catalog");
    run_ok(&[
        "catalog",
        "--scenario",
        "apex",
        "--stores",
        "3",
        "--out",
        catalog.to_str().unwrap(),
    ]);
    let header = std::fs::read_to_string(catalog.join("stores.csv")).unwrap();
    assert!(
        header.starts_with(
            "store_id,address,city,state,zipcode,longitude,latitude,timezone,region\n"
        ),
        "{header}"
    );
}

#[test]
fn sales_generator_writes_the_demos_topics() {
    let Some(s) = services() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let files = tmp.path().join("f");
    let prefix = format!("{}.demo.", unique("sg"));
    run_ok(&[
        "run",
        "--scenario",
        "sales-generator",
        "--seed",
        "3",
        "--days",
        "3",
        "-q",
        "--sink",
        &format!("files:{}", files.display()),
        "--sink",
        &format!("kafka://{}?topic_prefix={prefix}", s.brokers),
    ]);
    let topics: Vec<String> = ["products", "purchases", "inventories"]
        .iter()
        .map(|t| format!("{prefix}{t}"))
        .collect();
    let (products, purchases, inventories) = (
        glob(&files, "product"),
        glob(&files, "purchase"),
        glob(&files, "inventory"),
    );
    let r = duck(
        &s.py,
        &[
            format!("SELECT count(*) FROM read_json_auto('{purchases}', hive_partitioning = false)"),
            format!("SELECT count(*) FROM read_json_auto('{inventories}', hive_partitioning = false)"),
            // One product list: the products-purchases join counts each
            // sale once.
            format!(
                "SELECT count(*), count(DISTINCT product_id) FROM read_json_auto('{products}', hive_partitioning = false)"
            ),
            format!(
                "SELECT count(*) FROM read_json_auto('{purchases}', hive_partitioning = false) p
                 JOIN read_json_auto('{products}', hive_partitioning = false) USING (product_id)"
            ),
            // Restocks at once: each at a purchase of its product, from 10
            // or less to the level + 15.
            format!(
                "SELECT count(*) FILTER (WHERE existing_level <= 10 AND stock_quantity = 15
                                         AND new_level = existing_level + 15),
                        count(*) FILTER (WHERE event_time IN (SELECT transaction_time
                            FROM read_json_auto('{purchases}', hive_partitioning = false) p WHERE p.product_id = i.product_id))
                 FROM read_json_auto('{inventories}', hive_partitioning = false) i"
            ),
            // propensity_to_buy is the running total (_RangeWeight): rising
            // in menu order.
            format!("SELECT propensity_to_buy FROM read_json_auto('{products}', hive_partitioning = false)"),
        ],
    );
    let (purchases_n, inventories_n) = (r[0][0][0].as_u64().unwrap(), r[1][0][0].as_u64().unwrap());
    assert!(
        purchases_n > 200 && inventories_n > 5,
        "{purchases_n} {inventories_n}"
    );
    assert_eq!(r[2][0], [Value::from(27), Value::from(27)]);
    assert_eq!(r[3][0][0].as_u64(), Some(purchases_n));
    assert_eq!(
        r[4][0],
        [Value::from(inventories_n), Value::from(inventories_n)]
    );
    let weights: Vec<i64> = r[5].iter().map(|row| row[0].as_i64().unwrap()).collect();
    assert!(weights.windows(2).all(|w| w[0] < w[1]), "{weights:?}");
    let total = 27 + purchases_n as usize + inventories_n as usize;
    let messages = kafka_read(&s.py, &s.brokers, total + 1, &topics);
    assert_eq!(messages.len(), total);
    let fields = |t: &str| -> Vec<String> {
        names(match t {
            "products" => &[
                "event_time",
                "product_id",
                "category",
                "item",
                "size",
                "cogs",
                "price",
                "inventory_level",
                "contains_fruit",
                "contains_veggies",
                "contains_nuts",
                "contains_caffeine",
                "propensity_to_buy",
            ],
            "purchases" => &[
                "transaction_time",
                "transaction_id",
                "product_id",
                "price",
                "quantity",
                "is_member",
                "member_discount",
                "add_supplements",
                "supplement_price",
                "total_purchase",
            ],
            _ => &[
                "event_time",
                "product_id",
                "existing_level",
                "stock_quantity",
                "new_level",
            ],
        })
    };
    for m in &messages {
        // The KStreams consumer's Void key serde: no key at all.
        assert_eq!(m.key, None, "{m:?}");
        let t = m.topic.strip_prefix(&prefix).unwrap();
        assert_eq!(m.fields, fields(t), "{m:?}");
    }
}

#[test]
fn fomo_writes_the_demos_topics_and_tables() {
    let Some(s) = services() else { return };
    let (_tmp, files, prefix, pg_schema) = run_to_all(&s, "fomo", &["--seed", "8"]);
    let (purchases, requests) = (glob(&files, "web_purchase"), glob(&files, "request"));
    let r = duck(
        &s.py,
        &[
            format!("DESCRIBE SELECT * FROM read_json_auto('{purchases}', hive_partitioning = false)"),
            format!("DESCRIBE SELECT * FROM read_json_auto('{requests}', hive_partitioning = false)"),
            // CU-1000..CU-1999, the same customers in both topics.
            format!(
                "SELECT count(DISTINCT customerId), min(customerId), max(customerId),
                        count(*) FILTER (WHERE NOT regexp_full_match(customerId, 'CU-1[0-9]{{3}}'))
                 FROM read_json_auto('{requests}', hive_partitioning = false)"
            ),
            format!(
                "SELECT count(*) FROM read_json_auto('{purchases}', hive_partitioning = false)
                 WHERE customerId NOT IN (SELECT customerId FROM read_json_auto('{requests}', hive_partitioning = false))"
            ),
            // The demo's own query, as its walkthrough runs it.
            format!(
                "CREATE VIEW requestlog AS SELECT * FROM read_json_auto('{requests}', hive_partitioning = false);
                 SELECT useragent, count(useragent) FROM requestlog WHERE customerid='CU-1277' GROUP BY useragent"
            ),
            format!("SELECT itemCode FROM read_json_auto('{purchases}', hive_partitioning = false)"),
            format!("SELECT count(*) FROM read_json_auto('{requests}', hive_partitioning = false)"),
        ],
    );
    assert_eq!(
        described(&r[0]),
        ["customerId VARCHAR", "amount DOUBLE", "itemCode VARCHAR"]
    );
    assert_eq!(
        described(&r[1]),
        ["customerId VARCHAR", "userAgent VARCHAR"]
    );
    let c = &r[2][0];
    assert!(c[0].as_i64().unwrap() > 950, "{c:?}");
    assert_eq!(
        (c[1].as_str(), c[2].as_str(), c[3].as_i64()),
        (Some("CU-1000"), Some("CU-1999"), Some(0))
    );
    assert_eq!(
        r[3][0][0].as_i64(),
        Some(0),
        "purchases by customers with no request"
    );
    assert!(!r[4].is_empty(), "CU-1277 made no request");
    // EAN-8: 8 digits, the GS1 check digit (weights 3, 1 from the left).
    let codes = column(&r[5]);
    assert!(codes.len() > 100);
    for code in &codes {
        let d: Vec<u32> = code.chars().map(|c| c.to_digit(10).unwrap()).collect();
        assert_eq!(d.len(), 8, "{code}");
        let sum: u32 = d[..7]
            .iter()
            .enumerate()
            .map(|(i, x)| x * if i % 2 == 0 { 3 } else { 1 })
            .sum();
        assert_eq!((10 - sum % 10) % 10, d[7], "{code}");
    }
    let total = codes.len() + r[6][0][0].as_u64().unwrap() as usize;
    let topics = [format!("{prefix}purchases"), format!("{prefix}requestlog")];
    let messages = kafka_read(&s.py, &s.brokers, total + 1, &topics);
    assert_eq!(messages.len(), total);
    for m in &messages {
        assert_eq!(m.key, None, "{m:?}");
        let want = if m.topic.ends_with("purchases") {
            names(&["customerId", "amount", "itemCode"])
        } else {
            names(&["customerId", "userAgent"])
        };
        assert_eq!(m.fields, want, "{m:?}");
    }
    // PostgreSQL: the demo's table purchases(customerId, amount, itemCode)
    // (unquoted, so folded to lower case as its SQL reads it), and its
    // top-spenders query.
    assert_eq!(
        pg_columns(&s.pg, &pg_schema, "purchases"),
        ["customerid text", "amount numeric", "itemcode text"]
    );
    assert_eq!(
        pg_columns(&s.pg, &pg_schema, "requestlog"),
        ["customerid text", "useragent text"]
    );
    assert_eq!(
        pg_tables(&s.pg, &pg_schema),
        ["purchases", "requestlog", "storesim_batches"]
    );
    let top = psql(
        &s.pg,
        &format!(
            "SELECT customerid, sum(amount) AS total FROM {pg_schema}.purchases
             GROUP BY customerid ORDER BY total DESC LIMIT 3"
        ),
    );
    assert_eq!(top.len(), 3);
    assert!(top.iter().all(|row| row.starts_with("CU-1")), "{top:?}");
}

#[test]
fn temus_writes_the_case_studys_streams() {
    let Some(s) = services() else { return };
    let (_tmp, files, prefix, pg_schema) = run_to_all(&s, "temus", &["--seed", "4", "--days", "2"]);
    let (products, vendors) = (glob(&files, "listing"), glob(&files, "vendor"));
    let p = format!("read_json_auto('{products}', hive_partitioning = false)");
    let v = format!("read_json_auto('{vendors}', hive_partitioning = false)");
    let r = duck(
        &s.py,
        &[
            format!("DESCRIBE SELECT * FROM {p}"),
            format!("DESCRIBE SELECT * FROM {v}"),
            format!("SELECT DISTINCT Stock_Status FROM {p} ORDER BY 1"),
            // The vendor feed joins on the vendor's name.
            format!("SELECT count(*) FROM {p} WHERE Vendor NOT IN (SELECT Vendor FROM {v})"),
            format!("SELECT count(DISTINCT Vendor), count(*) FROM {v}"),
            // The silver layer's rules: the quarantined category, prices
            // above zero, the item category left when the digits go.
            format!(
                "SELECT count(*) FILTER (WHERE Category = 'Office Supplies'), count(*),
                        count(*) FILTER (WHERE Sale_Price <= 0),
                        count(*) FILTER (WHERE trim(regexp_replace(Item, '[0-9]', '', 'g')) = '')
                 FROM {p}"
            ),
        ],
    );
    assert_eq!(
        described(&r[0]),
        [
            "Item VARCHAR",
            "Category VARCHAR",
            "Vendor VARCHAR",
            "Sale_Price DOUBLE",
            "Stock_Status VARCHAR"
        ]
    );
    assert_eq!(
        described(&r[1]),
        [
            "Vendor VARCHAR",
            "Shipping_Cost DOUBLE",
            "Customer_Review_Score DOUBLE",
            "Number_of_Feedbacks BIGINT"
        ]
    );
    let statuses = column(&r[2]);
    assert!(
        statuses
            .iter()
            .all(|s| ["In Stock", "Low Stock", "Out of Stock"].contains(&s.as_str())),
        "{statuses:?}"
    );
    assert!(statuses.len() >= 2, "{statuses:?}");
    assert_eq!(
        r[3][0][0].as_i64(),
        Some(0),
        "listings whose vendor the feed lacks"
    );
    // 30 vendors, each once a day.
    assert_eq!(r[4][0][0].as_i64(), Some(30));
    let days = r[4][0][1].as_i64().unwrap();
    assert!((30..=60).contains(&days), "{days} vendor records");
    let q = &r[5][0];
    let (office, all) = (q[0].as_f64().unwrap(), q[1].as_f64().unwrap());
    // 2% carry the invalid category, within 4 sd.
    let sd = (0.02 * 0.98 / all).sqrt();
    assert!((office / all - 0.02).abs() < 4.0 * sd, "{office} of {all}");
    assert_eq!((q[2].as_i64(), q[3].as_i64()), (Some(0), Some(0)));
    // Kafka: the two streams, no key, the demo's fields; no item repeats
    // within one vendor's snapshot (the demo's de-duplication groups by
    // item, category, vendor and arrival time and quarantines repeats).
    let topics = [
        format!("{prefix}temus-product-data-staging"),
        format!("{prefix}temus-vendor-data-staging"),
    ];
    let total = all as usize + days as usize;
    let messages = kafka_read(&s.py, &s.brokers, total + 1, &topics);
    assert_eq!(messages.len(), total);
    let mut seen = std::collections::BTreeSet::new();
    for m in &messages {
        assert_eq!(m.key, None, "{m:?}");
        if m.topic.ends_with("product-data-staging") {
            assert_eq!(
                m.fields,
                names(&["Item", "Category", "Vendor", "Sale_Price", "Stock_Status"])
            );
            let group = (
                m.value["Item"].to_string(),
                m.value["Category"].to_string(),
                m.value["Vendor"].to_string(),
                m.timestamp,
            );
            assert!(seen.insert(group), "repeated in a snapshot: {m:?}");
        } else {
            assert_eq!(
                m.fields,
                names(&[
                    "Vendor",
                    "Shipping_Cost",
                    "Customer_Review_Score",
                    "Number_of_Feedbacks"
                ])
            );
        }
    }
    // PostgreSQL: the two tables, unquoted names.
    assert_eq!(
        pg_columns(&s.pg, &pg_schema, "temus_product"),
        [
            "item text",
            "category text",
            "vendor text",
            "sale_price numeric",
            "stock_status text"
        ]
    );
    assert_eq!(
        pg_tables(&s.pg, &pg_schema),
        ["storesim_batches", "temus_product", "temus_vendor"]
    );
}
