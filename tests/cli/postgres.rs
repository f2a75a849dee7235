//! The PostgreSQL sink against the real server `scripts/postgres.sh` starts
//! (`scripts/test.sh` exports `STORESIM_POSTGRES_URL`). Every test writes to
//! a schema of its own.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::proxy::Proxy;
use super::wall::{at_every_instant, Wall};
use super::{
    cents, failure, json_cents, kind_lines, paced_run, service, storesim, success_lines, text,
    tree, unique,
};

/// The server's URL, or `None` (with a note) when the suite runs without one.
fn url() -> Option<String> {
    service("STORESIM_POSTGRES_URL")
}

/// A schema name no other test uses.
pub(crate) fn schema(tag: &str) -> String {
    unique(&format!("t_{tag}_")).replace('-', "_")
}

/// Runs one query with psql and returns its rows, `|`-separated.
pub(crate) fn psql(url: &str, sql: &str) -> Vec<String> {
    let out = Command::new("psql")
        .args([
            url,
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .output()
        .expect("psql runs");
    success_lines(out, sql)
}

/// Per store: (scans, net scan cents, transactions, total cents), from files.
fn from_files(dir: &std::path::Path) -> BTreeMap<i64, (i64, i64, i64, i64)> {
    let mut out: BTreeMap<i64, (i64, i64, i64, i64)> = BTreeMap::new();
    for (path, bytes) in tree(dir) {
        if !path.to_string_lossy().contains(".jsonl") {
            continue;
        }
        for line in text(&path, &bytes).lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            if v["kind"] == "item_change" {
                continue; // checked against the item master elsewhere
            }
            let row = out.entry(v["store_id"].as_i64().unwrap()).or_default();
            if v["kind"] == "scan" {
                row.0 += 1;
                row.1 += v["quantity"].as_i64().unwrap() * json_cents(&v["unit_price"])
                    - json_cents(&v["discount"]);
            } else {
                row.2 += 1;
                row.3 += json_cents(&v["total"]);
            }
        }
    }
    out
}

/// The same figures from the database.
fn from_db(url: &str, schema: &str) -> BTreeMap<i64, (i64, i64, i64, i64)> {
    let mut out: BTreeMap<i64, (i64, i64, i64, i64)> = BTreeMap::new();
    for row in psql(
        url,
        &format!(
            "SELECT store_id, count(*), sum(quantity * unit_price - discount) FROM {schema}.scans GROUP BY 1"
        ),
    ) {
        let f: Vec<&str> = row.split('|').collect();
        let e = out.entry(f[0].parse().unwrap()).or_default();
        e.0 = f[1].parse().unwrap();
        e.1 = cents(f[2]);
    }
    for row in psql(
        url,
        &format!("SELECT store_id, count(*), sum(total) FROM {schema}.transactions GROUP BY 1"),
    ) {
        let f: Vec<&str> = row.split('|').collect();
        let e = out.entry(f[0].parse().unwrap()).or_default();
        e.2 = f[1].parse().unwrap();
        e.3 = cents(f[2]);
    }
    out
}

pub(crate) fn with_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}schema={schema}")
}

#[test]
fn postgres_holds_the_files_events_and_a_rerun_adds_no_duplicates() {
    let Some(url) = url() else { return };
    let schema = schema("eq");
    let tmp = tempfile::tempdir().unwrap();
    let files = format!("files:{}", tmp.path().join("f").display());
    let run = |extra: &[&str]| {
        let out = storesim()
            .args(["run", "--seed", "8", "--stores", "5", "-q"])
            .args([
                "--start",
                "2026-11-27T14:00:00Z",
                "--until",
                "2026-11-27T16:00:00Z",
            ])
            .args(["--sink", &with_schema(&url, &schema)])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let manifest = tmp.path().join("m.json");
    run(&["--sink", &files, "--manifest", manifest.to_str().unwrap()]);
    let expected = from_files(&tmp.path().join("f"));
    assert_eq!(expected.len(), 5);
    assert_eq!(from_db(&url, &schema), expected);
    let dims = psql(
        &url,
        &format!(
            "SELECT (SELECT count(*) FROM {schema}.stores), (SELECT count(*) FROM {schema}.item_categories), (SELECT count(*) FROM {schema}.item_master)"
        ),
    );
    // The item master: the catalog, plus the items created, minus those
    // removed (item_change events of the files sink).
    let mut net = 0i64;
    for line in kind_lines(&tmp.path().join("f"), "item_change") {
        let v: Value = serde_json::from_str(&line).unwrap();
        net += match v["op"].as_str().unwrap() {
            "c" => 1,
            "d" => -1,
            _ => 0,
        };
    }
    assert_eq!(dims, [format!("5|35|{}", 32_000 + net)]);
    let ledger = |schema: &str| {
        psql(
            &url,
            &format!("SELECT count(DISTINCT run_id), count(*) FROM {schema}.storesim_batches"),
        )
    };
    let before = ledger(&schema);
    let item_master = || {
        psql(
            &url,
            &format!(
                "SELECT item_id, item_price, updated_at FROM {schema}.item_master ORDER BY item_id"
            ),
        )
    };
    let master = item_master();
    let verify = || {
        storesim()
            .args(["verify", "--manifest", manifest.to_str().unwrap()])
            .args(["--postgres", &with_schema(&url, &schema)])
            .output()
            .unwrap()
    };
    assert!(verify().status.success());
    // The same seed again, in windows of another length (so no batch of
    // the ledger matches exactly): the spans the first run wrote are left
    // out, nothing doubles and the ledger gains no row; the item master
    // keeps the first run's changes (its dimensions are not loaded again).
    run(&["--window", "7m"]);
    assert_eq!(from_db(&url, &schema), expected);
    assert_eq!(ledger(&schema), before);
    assert!(before[0].starts_with("1|"), "{before:?}");
    let after = item_master();
    let changed: Vec<_> = master
        .iter()
        .zip(&after)
        .filter(|(a, b)| a != b)
        .take(3)
        .collect();
    assert!(
        changed.is_empty() && after.len() == master.len(),
        "the rerun changed the item master ({} rows, then {}): {changed:?}",
        master.len(),
        after.len()
    );
    let out = verify();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

at_every_instant!(
    a_five_second_cut_loses_and_duplicates_no_row,
    a_server_gone_for_good_fails_the_run_naming_the_unwritten_count,
    a_server_killed_and_restarted_mid_run_loses_and_duplicates_no_row,
);

fn a_five_second_cut_loses_and_duplicates_no_row(wall: Wall) {
    let Some(url) = url() else { return };
    let schema = schema("cut");
    // The same server, reached through a proxy that cuts every connection.
    let port: u16 = url
        .rsplit_once('@')
        .and_then(|(_, hp)| hp.split_once('/'))
        .and_then(|(hp, _)| hp.rsplit_once(':'))
        .map_or(5432, |(_, p)| p.parse().unwrap());
    let proxy = Proxy::start(port);
    let via_proxy = url.replacen(&format!(":{port}/"), &format!(":{}/", proxy.port), 1);
    let tmp = tempfile::tempdir().unwrap();
    let files = format!("files:{}", tmp.path().join("f").display());
    let started = Instant::now();
    let run = paced_run(&wall, &[&with_schema(&via_proxy, &schema), &files])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(4));
    proxy.cut();
    std::thread::sleep(Duration::from_secs(5));
    proxy.resume();
    let out = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(started.elapsed() > Duration::from_secs(12), "{stderr}");
    // The cut was noticed and retried through (a warning on stderr).
    assert!(stderr.contains("Retrying a batch"), "{stderr}");
    assert_eq!(from_db(&url, &schema), from_files(&tmp.path().join("f")));
}

#[test]
fn db_init_is_idempotent_and_sets_up_cdc() {
    let Some(url) = url() else { return };
    let schema = schema("init");
    let target = with_schema(&url, &schema);
    for extra in [&[][..], &["--cdc", "--keys"][..], &["--cdc", "--drop"][..]] {
        let out = storesim()
            .args(["db", "init", &target, "--stores", "3"])
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("3 stores, 35 categories, 32000 items"),
            "{stdout}"
        );
        assert!(
            !stdout.contains("storesim:storesim@"),
            "password printed: {stdout}"
        );
    }
    let identity = psql(
        &url,
        &format!("SELECT relreplident FROM pg_class WHERE oid = '{schema}.item_master'::regclass"),
    );
    assert_eq!(identity, ["f"]);
    let publication = psql(
        &url,
        &format!(
            "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = '{schema}_item_master'"
        ),
    );
    assert_eq!(publication, [format!("{schema}.item_master")]);
    psql(&url, &format!("DROP PUBLICATION {schema}_item_master"));
    // `--keys` on the last init: primary keys on both facts.
    let out = storesim()
        .args(["db", "init", &target, "--stores", "3", "--keys"])
        .output()
        .unwrap();
    success_lines(out, "db init --keys");
    let keys = psql(
        &url,
        &format!(
            "SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
             WHERE contype = 'p' AND conrelid IN ('{schema}.scans'::regclass, '{schema}.transactions'::regclass)
             ORDER BY 1"
        ),
    );
    assert_eq!(
        keys,
        [
            format!("{schema}.scans PRIMARY KEY (transaction_id, line, ts)"),
            format!("{schema}.transactions PRIMARY KEY (transaction_id)"),
        ]
    );
}

#[test]
fn tables_of_an_older_storesim_are_named_not_copied_into() {
    let Some(url) = url() else { return };
    let schema = schema("old");
    psql(
        &url,
        &format!(
            "CREATE SCHEMA {schema}; CREATE TABLE {schema}.storesim_batches (run_id text, batch bigint)"
        ),
    );
    let out = storesim()
        .args(["run", "--stores", "1", "-q"])
        .args(["--sink", &with_schema(&url, &schema)])
        .output()
        .unwrap();
    let stderr = failure(out, 2);
    assert!(
        stderr.contains("created by an older storesim") && stderr.contains("db init --drop"),
        "{stderr}"
    );
    let out = storesim()
        .args([
            "db",
            "init",
            &with_schema(&url, &schema),
            "--stores",
            "1",
            "--drop",
        ])
        .output()
        .unwrap();
    success_lines(out, "db init --drop");
}

/// No server needed for the first; the second needs one to refuse.
#[test]
fn unreachable_server_and_wrong_password_are_one_line_errors() {
    let out = storesim()
        .args(["run", "--stores", "1", "-q"])
        .args(["--sink", "postgres://u:s3cr3t-pw@127.0.0.1:9/db"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot connect"), "{stderr}");
    assert!(!stderr.contains("s3cr3t-pw"), "{stderr}");
    let Some(url) = url() else { return };
    let wrong = url.replacen("storesim:storesim@", "storesim:s3cr3t-pw@", 1);
    let out = storesim()
        .args(["run", "--stores", "1", "-q", "--sink", &wrong])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("password authentication failed"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3t-pw"), "{stderr}");
}

fn a_server_gone_for_good_fails_the_run_naming_the_unwritten_count(wall: Wall) {
    let Some(url) = url() else { return };
    let schema = schema("gone");
    let proxy = Proxy::start(5432);
    let via_proxy = url.replacen(":5432/", &format!(":{}/", proxy.port), 1);
    let target = format!("{}&retry_timeout=3s", with_schema(&via_proxy, &schema));
    // Only the final error on stderr, not the retries' warnings.
    let run = paced_run(&wall, &[&target])
        .env("RUST_LOG", "error")
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(4));
    proxy.cut();
    let out = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("gave up after 3 s of retries"), "{stderr}");
    assert!(
        stderr.contains("events handed to it were not confirmed delivered"),
        "{stderr}"
    );
    assert!(!stderr.contains("storesim:storesim@"), "{stderr}");
}

/// Drops a replication slot when the test ends, passed or failed.
struct Slot<'a>(&'a str, String);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([self.0, "-X", "-q", "-c"])
            .arg(format!("SELECT pg_drop_replication_slot('{}')", self.1))
            .output();
    }
}

#[test]
fn a_replication_slot_sees_the_item_changes_in_event_order() {
    let Some(url) = url() else { return };
    let schema = schema("cdc");
    let target = with_schema(&url, &schema);
    storesim()
        .args(["db", "init", &target, "--cdc", "--stores", "3"])
        .assert()
        .success();
    let slot = Slot(&url, format!("{schema}_slot"));
    psql(
        &url,
        &format!(
            "SELECT 1 FROM pg_create_logical_replication_slot('{}', 'test_decoding')",
            slot.1
        ),
    );
    let tmp = tempfile::tempdir().unwrap();
    let files = format!("files:{}", tmp.path().join("f").display());
    // Tuesday 09:00-11:00 in Chicago: the head office's business hours.
    storesim()
        .args(["run", "--seed", "2", "--stores", "3", "-q"])
        .args([
            "--start",
            "2026-11-24T15:00:00Z",
            "--until",
            "2026-11-24T17:00:00Z",
        ])
        .args(["--sink", &target, "--sink", &files])
        .assert()
        .success();
    let mut events: Vec<(u64, String, i64)> = Vec::new();
    for line in kind_lines(&tmp.path().join("f"), "item_change") {
        let v: Value = serde_json::from_str(&line).unwrap();
        let op = match v["op"].as_str().unwrap() {
            "c" => "INSERT",
            "u" => "UPDATE",
            _ => "DELETE",
        };
        events.push((
            v["change_id"].as_u64().unwrap(),
            op.to_string(),
            v["item_id"].as_i64().unwrap(),
        ));
    }
    events.sort();
    assert!(events.len() > 50, "{} item changes", events.len());
    for op in ["INSERT", "UPDATE", "DELETE"] {
        assert!(events.iter().any(|e| e.1 == op), "no {op}");
    }
    let prefix = format!("table {schema}.item_master: ");
    let decoded: Vec<(String, i64)> = psql(
        &url,
        &format!(
            "SELECT data FROM pg_logical_slot_get_changes('{}', NULL, NULL)",
            slot.1
        ),
    )
    .into_iter()
    .filter_map(|line| {
        let rest = line.strip_prefix(&prefix)?.to_string();
        let (op, tuple) = rest.split_once(": ")?;
        // The first column of the (old, for an update) tuple is item_id.
        let id = tuple.split("item_id[integer]:").nth(1)?;
        let id: i64 = id.split(' ').next()?.parse().ok()?;
        Some((op.to_string(), id))
    })
    .collect();
    let expected: Vec<(String, i64)> = events.into_iter().map(|(_, op, id)| (op, id)).collect();
    assert_eq!(decoded, expected);
    // And the table holds the result: prices as the last change says.
    let last = psql(
        &url,
        &format!("SELECT count(*) FROM {schema}.item_master WHERE item_id >= 50000"),
    );
    let created = expected.iter().filter(|e| e.0 == "INSERT").count();
    let deleted = expected.iter().filter(|e| e.0 == "DELETE").count();
    assert_eq!(last, [(created - deleted).to_string()]);
}

/// A PostgreSQL server of the test's own (initdb in a temporary folder, run
/// as the `postgres` user), so the test can crash it without disturbing the
/// other tests' server.
struct OwnServer {
    bin: String,
    dir: tempfile::TempDir,
    port: u16,
}

impl OwnServer {
    fn as_postgres(&self, command: &str) -> std::process::Output {
        Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c", command])
            .output()
            .expect("su runs")
    }

    fn start() -> Option<OwnServer> {
        let bin = service("STORESIM_PG_BIN")?;
        let dir = tempfile::Builder::new()
            .prefix("storesim-pg")
            .tempdir()
            .unwrap();
        let chown = Command::new("chown")
            .args(["postgres:postgres", dir.path().to_str().unwrap()])
            .status()
            .unwrap();
        assert!(
            chown.success(),
            "cannot hand the folder to the postgres user"
        );
        let server = OwnServer {
            bin,
            port: super::proxy::free_port(),
            dir,
        };
        let d = server.dir.path().display();
        let out = server.as_postgres(&format!(
            "{}/initdb -D {d}/data -A trust -U storesim --no-sync >/dev/null",
            server.bin
        ));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        server.pg_ctl("start");
        Some(server)
    }

    fn pg_ctl(&self, action: &str) {
        let d = self.dir.path().display();
        let out = self.as_postgres(&format!(
            "{}/pg_ctl -D {d}/data -l {d}/log -w -o '-p {} -k {d} -c listen_addresses=127.0.0.1' {action}",
            self.bin, self.port
        ));
        assert!(
            out.status.success(),
            "pg_ctl {action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self) -> String {
        format!("postgres://storesim@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let d = self.dir.path().display();
        let _ = self.as_postgres(&format!(
            "{}/pg_ctl -D {d}/data -m immediate stop",
            self.bin
        ));
    }
}

fn a_server_killed_and_restarted_mid_run_loses_and_duplicates_no_row(wall: Wall) {
    let Some(server) = OwnServer::start() else {
        return;
    };
    let url = server.url();
    let tmp = tempfile::tempdir().unwrap();
    let files = format!("files:{}", tmp.path().join("f").display());
    let run = paced_run(&wall, &[&format!("{url}?schema=crash"), &files])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(4));
    // An immediate stop is a crash: no checkpoint, recovery at the restart.
    server.pg_ctl("-m immediate stop");
    std::thread::sleep(Duration::from_secs(4));
    server.pg_ctl("start");
    let out = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Retrying a batch"), "{stderr}");
    assert_eq!(from_db(&url, "crash"), from_files(&tmp.path().join("f")));
}

/// With `db init --keys`, a void (same line, quantity 0, later) is a row of
/// its own: the keys take the time, and no record is dropped.
#[test]
fn keyed_tables_keep_every_void() {
    let Some(url) = url() else { return };
    let schema = schema("keys");
    let target = with_schema(&url, &schema);
    let out = storesim()
        .args(["db", "init", &target, "--stores", "4", "--keys"])
        .output()
        .unwrap();
    success_lines(out, "db init --keys");
    let tmp = tempfile::tempdir().unwrap();
    let out = storesim()
        .args(["run", "--seed", "3", "--stores", "4", "-q"])
        .args([
            "--start",
            "2026-11-27T15:00:00Z",
            "--until",
            "2026-11-27T17:00:00Z",
        ])
        .args(["--sink", &target])
        .args([
            "--sink",
            &format!("files:{}", tmp.path().join("f").display()),
        ])
        .output()
        .unwrap();
    success_lines(out, "run");
    assert_eq!(from_db(&url, &schema), from_files(&tmp.path().join("f")));
    let voids = psql(
        &url,
        &format!("SELECT count(*) FROM {schema}.scans WHERE quantity = 0"),
    );
    let expected = kind_lines(&tmp.path().join("f"), "scan")
        .iter()
        .filter(|l| l.contains("\"quantity\":0,"))
        .count();
    assert!(expected > 0);
    assert_eq!(voids, [expected.to_string()]);
}

/// Duplicate deliveries (`[delivery] duplicate_share`): a schema without
/// keys gets every copy, one with keys (`db init --keys`) keeps one.
#[test]
fn duplicates_reach_plain_tables_and_keyed_tables_keep_one() {
    let Some(url) = url() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("dups.toml");
    std::fs::write(
        &scenario,
        "extends = \"chain\"\n[delivery]\nduplicate_share = 0.05\nlate_share = 0.05\n",
    )
    .unwrap();
    let (plain, keyed) = (schema("dup_plain"), schema("dup_keyed"));
    let out = storesim()
        .args([
            "db",
            "init",
            &with_schema(&url, &keyed),
            "--stores",
            "3",
            "--keys",
        ])
        .output()
        .unwrap();
    success_lines(out, "db init --keys");
    let out = storesim()
        .args(["run", "--seed", "2", "--stores", "3", "-q"])
        .args(["--scenario", scenario.to_str().unwrap()])
        .args([
            "--start",
            "2026-11-27T15:00:00Z",
            "--until",
            "2026-11-27T16:00:00Z",
        ])
        .args(["--sink", &with_schema(&url, &plain)])
        .args(["--sink", &with_schema(&url, &keyed)])
        .args([
            "--sink",
            &format!("files:{}", tmp.path().join("f").display()),
        ])
        .output()
        .unwrap();
    success_lines(out, "run");
    let lines = kind_lines(&tmp.path().join("f"), "scan");
    let mut distinct = lines.clone();
    distinct.sort();
    distinct.dedup();
    assert!(lines.len() > distinct.len(), "no duplicate scan");
    let count = |schema: &str| psql(&url, &format!("SELECT count(*) FROM {schema}.scans"));
    assert_eq!(count(&plain), [lines.len().to_string()]);
    assert_eq!(count(&keyed), [distinct.len().to_string()]);
}

/// The widget retailer's in-store system in PostgreSQL, routed with
/// `?kinds=`: text landing tables with the documented columns, exactly the
/// files' records (dirty ones included), and a rerun adds none.
#[test]
fn widgets_in_store_batches_land_in_postgres() {
    let Some(url) = url() else { return };
    let schema = schema("widgets");
    let tmp = tempfile::tempdir().unwrap();
    let files = format!("files:{}", tmp.path().join("f").display());
    let pg = format!("{}&kinds=pos_store,pos_sale", with_schema(&url, &schema));
    let run = |extra: &[&str]| {
        let out = storesim()
            .args([
                "run",
                "--scenario",
                "widgets",
                "--seed",
                "3",
                "--stores",
                "4",
            ])
            .args(["--days", "2", "-q", "--sink", &pg])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["--sink", &files]);
    let columns = psql(
        &url,
        &format!(
            "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position)
             FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = 'pos_sale'"
        ),
    );
    assert_eq!(
        columns,
        ["ts:text,sale_id:text,store_code:text,sale_date:text,sale_time:text,product_id:text,quantity:text,amount:text,loyalty_card:text"]
    );
    let from_files = |kind: &str| {
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        for line in kind_lines(&tmp.path().join("f"), kind) {
            let v: Value = serde_json::from_str(&line).unwrap();
            *by.entry(v["store_code"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        by
    };
    let from_db = |table: &str| -> BTreeMap<String, usize> {
        psql(
            &url,
            &format!("SELECT store_code, count(*) FROM {schema}.{table} GROUP BY 1 ORDER BY 1"),
        )
        .iter()
        .map(|row| {
            let (code, n) = row.split_once('|').unwrap();
            (code.to_string(), n.parse().unwrap())
        })
        .collect()
    };
    let sales = from_files("pos_sale");
    assert_eq!(sales.len(), 4, "{sales:?}");
    assert_eq!(from_db("pos_sale"), sales);
    assert_eq!(from_db("pos_store"), from_files("pos_store"));
    // Dirty records land as they are: a malformed date is text, a null is null.
    let dirty = psql(
        &url,
        &format!(
            "SELECT count(*) FILTER (WHERE amount IS NULL), count(*) FILTER (WHERE sale_date !~ '^[0-9]{{2}}/[0-9]{{2}}/[0-9]{{4}}$') FROM {schema}.pos_sale"
        ),
    );
    let (nulls, bad_dates) = dirty[0].split_once('|').unwrap();
    assert!(
        nulls.parse::<u32>().unwrap() > 0 && bad_dates.parse::<u32>().unwrap() > 0,
        "{dirty:?}"
    );
    // Other kinds went elsewhere: their landing tables exist and stay empty.
    assert_eq!(
        psql(&url, &format!("SELECT count(*) FROM {schema}.ecom_order")),
        ["0"]
    );
    // The same run again in other windows: the ledger leaves it all out.
    run(&["--window", "7m"]);
    assert_eq!(from_db("pos_sale"), sales);
}
