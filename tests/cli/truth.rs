//! Ground truth: `run --manifest`, `manifest merge` and `verify`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::postgres::{psql, schema, with_schema};
use super::{cents, failure, json_cents, service, storesim, success_lines};

/// A chain with late and duplicated deliveries (voided scans are on by
/// default), so the manifest's versions and de-duplication are exercised.
fn noisy(dir: &Path) -> String {
    let path = dir.join("noisy.toml");
    std::fs::write(
        &path,
        "extends = \"chain\"\n[delivery]\nlate_share = 0.02\nduplicate_share = 0.01\n",
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

/// A past afternoon (Friday 2026-11-20, 14:00-19:00 UTC): at `--speed
/// max` its runs are the same on any day.
const PAST_AFTERNOON: (&str, &str) = ("2026-11-20T14:00:00Z", "2026-11-20T19:00:00Z");

/// Runs 12 stores of `scenario` over a past afternoon with `extra`
/// arguments and returns the manifest's bytes.
fn manifest(scenario: &str, path: &Path, extra: &[&str]) -> Vec<u8> {
    manifest_over(PAST_AFTERNOON, scenario, path, extra)
}

/// Runs 12 stores of `scenario` over `(start, until)` with `extra`
/// arguments and returns the manifest's bytes.
fn manifest_over(span: (&str, &str), scenario: &str, path: &Path, extra: &[&str]) -> Vec<u8> {
    let out = storesim()
        .args([
            "run",
            "--scenario",
            scenario,
            "--seed",
            "3",
            "--stores",
            "12",
        ])
        .args(["--start", span.0, "--until", span.1, "-q"])
        .args(["--manifest", path.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{extra:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(path).unwrap()
}

#[test]
fn a_manifest_is_the_same_bytes_across_threads_windows_and_speeds() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = noisy(tmp.path());
    // The afternoon of the next Black Friday, in the wall clock's future,
    // so that the run at 1,000,000 x is paced (a past span is replayed at
    // once, whatever the speed).
    let start = super::wall::next_black_friday_at(chrono::Utc::now(), 14, 0);
    let span = (
        super::wall::arg(start),
        super::wall::arg(start + chrono::Duration::hours(5)),
    );
    let m = |name: &str, extra: &[&str]| {
        manifest_over((&span.0, &span.1), &scenario, &tmp.path().join(name), extra)
    };
    let first = m("a.json", &["--sink", "null", "--threads", "1"]);
    let v: Value = serde_json::from_slice(&first).unwrap();
    assert!(v["counts"]["scan"].as_u64().unwrap() > 10_000, "{v}");
    assert_eq!(v["run"]["shard"], "1/1");
    assert_eq!(v["chain"]["store_days"].as_array().unwrap().len(), 12);
    assert_eq!(v["chain"]["top_items"].as_array().unwrap().len(), 10);
    assert!(v["chain"].get("item_days").is_none());
    // Exact money: decimal text.
    let net = v["chain"]["store_days"][0]["net_sales"].as_str().unwrap();
    assert!(net.contains('.'), "{net}");
    // The expected answers as CSV, for dbt: the same rows and amounts.
    let csv_dir = tmp.path().join("csv");
    storesim()
        .args(["manifest", "csv"])
        .arg(tmp.path().join("a.json"))
        .arg("-o")
        .arg(&csv_dir)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(csv_dir.join("store_days.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let days = v["chain"]["store_days"].as_array().unwrap();
    assert_eq!(rows.len(), days.len());
    for (row, day) in rows.iter().zip(days) {
        assert_eq!(&row[0], day["store_id"].to_string());
        assert_eq!(&row[4], day["net_sales"].as_str().unwrap());
    }
    for name in [
        "counts",
        "hours",
        "top_items",
        "queue_wait_percentiles",
        "item_master",
    ] {
        assert!(csv_dir.join(format!("{name}.csv")).is_file(), "{name}.csv");
    }
    for (name, extra) in [
        (
            "b.json",
            vec!["--sink", "null", "--threads", "2", "--window", "17m"],
        ),
        ("c.json", vec!["--sink", "null", "--speed", "1000000"]),
    ] {
        let other = m(name, &extra);
        assert!(other == first, "{extra:?} changed the manifest");
    }
}

#[test]
fn shard_manifests_merge_into_the_unsharded_one() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = noisy(tmp.path());
    let path = |name: &str| tmp.path().join(name);
    let whole = manifest(&scenario, &path("whole.json"), &["--sink", "null"]);
    let mut parts: Vec<PathBuf> = Vec::new();
    for k in 1..=3 {
        let p = path(&format!("shard{k}.json"));
        let bytes = manifest(
            &scenario,
            &p,
            &["--sink", "null", "--shard", &format!("{k}/3")],
        );
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["run"]["shard"], format!("{k}/3"));
        assert!(!v["chain"]["item_days"].as_array().unwrap().is_empty());
        parts.push(p);
    }
    let merged = path("merged.json");
    storesim()
        .args(["manifest", "merge", "-o", merged.to_str().unwrap()])
        .args(&parts)
        .assert()
        .success();
    assert!(
        std::fs::read(&merged).unwrap() == whole,
        "the merge differs from the unsharded manifest"
    );
    // Standard output holds the same manifest.
    let out = storesim()
        .args(["manifest", "merge"])
        .args(&parts)
        .output()
        .unwrap();
    assert!(out.stdout == whole);
    // Two of three shards: still a shard manifest.
    let out = storesim()
        .args(["manifest", "merge"])
        .args(&parts[..2])
        .output()
        .unwrap();
    let partial: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(partial["run"]["shard"], "1+2/3");
    assert!(partial["chain"]["item_days"].is_array());
    // It says so: the merge is not the whole run's.
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(note.contains("shard 1+2/3 only"), "{note}");
    // One manifest is nothing to merge.
    let out = storesim()
        .args(["manifest", "merge"])
        .arg(&parts[0])
        .output()
        .unwrap();
    assert!(failure(out, 2).contains("one manifest is nothing to merge"));
    // A manifest of another storesim is neither merged nor verified.
    let mut foreign: Value = serde_json::from_slice(&whole).unwrap();
    foreign["run"]["version"] = Value::String("9.9.9".into());
    let foreign_path = path("foreign.json");
    std::fs::write(&foreign_path, foreign.to_string()).unwrap();
    let out = storesim()
        .args(["verify", "--manifest"])
        .arg(&foreign_path)
        .args(["--files", tmp.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(failure(out, 2).contains("made by storesim 9.9.9"));
    let out = storesim()
        .args(["manifest", "merge"])
        .args([&foreign_path, &parts[1]])
        .output()
        .unwrap();
    assert!(failure(out, 2).contains("made by storesim 9.9.9"));
    // A shard twice, or another run, is refused on one line.
    let out = storesim()
        .args(["manifest", "merge"])
        .args([&parts[0], &parts[0]])
        .output()
        .unwrap();
    assert!(failure(out, 2).contains("shard 1 is in the merge twice"));
    // Another run: the chain without delivery noise.
    let other = path("other.json");
    manifest("chain", &other, &["--sink", "null", "--shard", "2/3"]);
    let out = storesim()
        .args(["manifest", "merge"])
        .args([&parts[0], &other])
        .output()
        .unwrap();
    assert!(failure(out, 2).contains("a different run"));
}

/// `storesim verify` with `target` arguments: (exit code, standard output).
fn verify(manifest: &Path, target: &[&str]) -> (i32, String) {
    let out = storesim()
        .args(["verify", "--manifest", manifest.to_str().unwrap()])
        .args(target)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.code() != Some(2),
        "verify could not check: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap(), stdout)
}

/// A scan line's store, local business day and net amount (`12.34`).
fn store_day_amount(line: &str) -> (String, String) {
    let v: Value = serde_json::from_str(line).unwrap();
    let txn = v["transaction_id"].as_str().unwrap();
    let date = txn.split('-').nth(1).unwrap();
    let day = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..]);
    let net =
        v["quantity"].as_i64().unwrap() * json_cents(&v["unit_price"]) - json_cents(&v["discount"]);
    (
        format!("store {}, {day}", v["store_id"]),
        format!("{}.{:02}", net / 100, net % 100),
    )
}

/// Asserts that verify failed on store_days, naming the store, the day
/// and the amount `sign` `amount`.
fn assert_named(code: i32, out: &str, store_day: &str, amount: &str, sign: char) {
    assert_eq!(code, 1, "{out}");
    let row = out
        .lines()
        .find(|l| l.trim_start().starts_with(store_day))
        .unwrap_or_else(|| panic!("no line names {store_day}:\n{out}"));
    assert!(
        row.contains("scan_amount expected") && row.contains(&format!("({sign}{amount})")),
        "{row}"
    );
    assert!(out.contains("FAILED"), "{out}");
}

#[test]
fn verify_reads_files_back_and_names_a_lost_or_a_duplicated_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = noisy(tmp.path());
    let dir = tmp.path().join("lake");
    let m = tmp.path().join("m.json");
    let sink = format!("files:{}?compression=none", dir.display());
    manifest(&scenario, &m, &["--sink", &sink]);
    let target = ["--files", dir.to_str().unwrap()];
    let (code, out) = verify(&m, &target);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("10 of 10 checks passed"), "{out}");
    // The largest scan part; its 1000th line has a quantity.
    let part = std::fs::read_dir(dir.join("kind=scan/date=2026-11-20"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .unwrap();
    let original = std::fs::read_to_string(&part).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let victim = (1000..lines.len())
        .find(|&i| !lines[i].contains("\"quantity\":0,"))
        .unwrap();
    let (store_day, amount) = store_day_amount(lines[victim]);
    // One row lost.
    let mut lost = lines.clone();
    lost.remove(victim);
    std::fs::write(&part, lost.join("\n") + "\n").unwrap();
    let (code, out) = verify(&m, &target);
    assert_named(code, &out, &store_day, &amount, '-');
    // One row delivered twice.
    let mut twice = lines.clone();
    twice.insert(victim, lines[victim]);
    std::fs::write(&part, twice.join("\n") + "\n").unwrap();
    let (code, out) = verify(&m, &target);
    assert_named(code, &out, &store_day, &amount, '+');
    // Put back: passes again.
    std::fs::write(&part, original).unwrap();
    assert_eq!(verify(&m, &target).0, 0);
}

#[test]
fn verify_recomputes_from_postgres_and_names_a_lost_or_a_duplicated_scan() {
    let Some(url) = service("STORESIM_POSTGRES_URL") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let schema = schema("verify");
    let target_url = with_schema(&url, &schema);
    let m = tmp.path().join("m.json");
    // A whole local day of the chain (voids, no delivery noise).
    let out = storesim()
        .args([
            "run",
            "--seed",
            "9",
            "--stores",
            "4",
            "--start",
            "2026-11-16",
            "-q",
        ])
        .args(["--sink", &target_url, "--manifest", m.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = ["--postgres", target_url.as_str()];
    let (code, out) = verify(&m, &target);
    assert_eq!(code, 0, "{out}");
    // The item changes are applied to item_master, not kept: no query.
    assert!(out.contains("9 of 10 checks passed, 1 skipped"), "{out}");
    // One scan row with a quantity: its store, day and amount.
    let row = psql(
        &url,
        &format!(
            "SELECT ctid, store_id, split_part(transaction_id, '-', 2), quantity * unit_price - discount
             FROM {schema}.scans WHERE quantity > 0 ORDER BY transaction_id, line LIMIT 1 OFFSET 500"
        ),
    );
    let cols: Vec<&str> = row[0].split('|').collect();
    let (ctid, store, date, amount) = (cols[0], cols[1], cols[2], cols[3]);
    let store_day = format!(
        "store {store}, {}-{}-{}",
        &date[..4],
        &date[4..6],
        &date[6..]
    );
    let amount = format!("{}.{:02}", cents(amount) / 100, cents(amount) % 100);
    psql(
        &url,
        &format!(
            "CREATE TABLE {schema}.kept AS SELECT * FROM {schema}.scans WHERE ctid = '{ctid}';
             DELETE FROM {schema}.scans WHERE ctid = '{ctid}'"
        ),
    );
    let (code, out) = verify(&m, &target);
    assert_named(code, &out, &store_day, &amount, '-');
    psql(
        &url,
        &format!("INSERT INTO {schema}.scans SELECT * FROM {schema}.kept; INSERT INTO {schema}.scans SELECT * FROM {schema}.kept"),
    );
    let (code, out) = verify(&m, &target);
    assert_named(code, &out, &store_day, &amount, '+');
    psql(
        &url,
        &format!("DELETE FROM {schema}.scans WHERE ctid = (SELECT max(s.ctid) FROM {schema}.scans s JOIN {schema}.kept k USING (transaction_id, line))"),
    );
    assert_eq!(verify(&m, &target).0, 0);
    // A query file of one's own: only its checks run.
    let queries = tmp.path().join("mine.sql");
    std::fs::write(
        &queries,
        "-- name: counts\nSELECT 'scan' AS kind, count(*) AS records FROM scans\n",
    )
    .unwrap();
    let (code, out) = verify(
        &m,
        &[
            "--postgres",
            &target_url,
            "--query-file",
            queries.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 of 10 checks passed, 9 skipped"), "{out}");
    std::fs::write(&queries, "-- name: sales\nSELECT 1\n").unwrap();
    let out = storesim()
        .args([
            "verify",
            "--manifest",
            m.to_str().unwrap(),
            "--postgres",
            &target_url,
        ])
        .args(["--query-file", queries.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(failure(out, 2).contains("query `sales` is not a check"));
}

/// The one-line error of a `storesim verify` that cannot check.
fn verify_error(manifest: &Path, files: &Path) -> String {
    let out = storesim()
        .args(["verify", "--manifest"])
        .arg(manifest)
        .arg("--files")
        .arg(files)
        .output()
        .unwrap();
    failure(out, 2)
}

#[test]
fn verify_says_on_one_line_what_it_cannot_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let err = verify_error(&dir.join("nope.json"), dir);
    assert!(err.contains("cannot read the manifest"), "{err}");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"format\": 3}").unwrap();
    assert!(verify_error(&bad, dir).contains("is not a storesim manifest"));
    let m = tmp.path().join("m.json");
    manifest("chain", &m, &["--sink", "null"]);
    assert!(verify_error(&m, &dir.join("nowhere")).contains("not a directory"));
    let out = storesim()
        .args(["verify", "--manifest", m.to_str().unwrap()])
        .output()
        .unwrap();
    failure(out, 2);
    let out = storesim()
        .args(["run", "--stores", "2", "--sink", "null", "--manifest"])
        .arg(tmp.path().join("no/such/dir/m.json"))
        .output()
        .unwrap();
    assert!(failure(out, 2).contains("cannot write"));
    let lines = success_lines(
        storesim().args(["verify", "--help"]).output().unwrap(),
        "help",
    );
    assert!(lines.iter().any(|l| l.contains("--query-file")));
}

#[test]
fn other_scenarios_verify_their_aggregates_and_merge_by_shard() {
    let tmp = tempfile::tempdir().unwrap();
    for scenario in ["smoothie", "webshop", "widgets", "marketplace"] {
        let run = |name: &str, extra: &[&str]| {
            let path = tmp.path().join(name);
            let out = storesim()
                .args([
                    "run",
                    "--scenario",
                    scenario,
                    "--seed",
                    "5",
                    "--stores",
                    "8",
                ])
                .args(["--manifest", path.to_str().unwrap(), "-q"])
                .args(extra)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{scenario} {extra:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            path
        };
        let dir = tmp.path().join(scenario);
        let csv = tmp.path().join(format!("{scenario}-csv"));
        let whole = run(
            &format!("{scenario}.json"),
            &[
                "--sink",
                &format!("files:{}", dir.display()),
                "--sink",
                &format!("csv:{}?compression=gzip", csv.display()),
            ],
        );
        let m: Value = serde_json::from_slice(&std::fs::read(&whole).unwrap()).unwrap();
        let groups = m["groups"].as_object().unwrap();
        assert!(!groups.is_empty(), "{scenario}: no aggregates");
        for target in [&dir, &csv] {
            let (code, out) = verify(&whole, &["--files", target.to_str().unwrap()]);
            assert_eq!(code, 0, "{scenario}: {out}");
            assert!(
                out.contains(&format!(
                    "{} of {} checks passed",
                    groups.len() + 1,
                    groups.len() + 1
                )),
                "{out}"
            );
        }
        // Two shards merge into the whole run.
        let shards: Vec<PathBuf> = (1..=2)
            .map(|k| {
                run(
                    &format!("{scenario}-{k}.json"),
                    &["--sink", "null", "--shard", &format!("{k}/2")],
                )
            })
            .collect();
        let out = storesim()
            .args(["manifest", "merge"])
            .args(&shards)
            .output()
            .unwrap();
        let merged = success_lines(out, scenario).join("\n") + "\n";
        assert!(
            merged.as_bytes() == std::fs::read(&whole).unwrap(),
            "{scenario}: the merge differs"
        );
    }
    // A lost record shows in its aggregate: one smoothie purchase.
    let dir = tmp.path().join("smoothie");
    let part = std::fs::read_dir(dir.join("kind=purchase"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|e| e.unwrap().path())
        .find(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .unwrap();
    let text = std::fs::read_to_string(&part).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let lost = lines.remove(10);
    let product = serde_json::from_str::<Value>(lost).unwrap()["product_id"].clone();
    std::fs::write(&part, lines.join("\n") + "\n").unwrap();
    let (code, out) = verify(
        &tmp.path().join("smoothie.json"),
        &["--files", dir.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("product_id={}", product.as_str().unwrap())),
        "{out}"
    );
}

#[test]
fn verify_checks_the_other_scenarios_landing_tables_in_postgres() {
    let Some(url) = service("STORESIM_POSTGRES_URL") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for scenario in ["smoothie", "widgets", "marketplace", "webshop"] {
        let target = with_schema(&url, &schema(scenario));
        let m = tmp.path().join(format!("{scenario}.json"));
        let out = storesim()
            .args([
                "run",
                "--scenario",
                scenario,
                "--seed",
                "5",
                "--stores",
                "6",
                "-q",
            ])
            .args(["--sink", &target, "--manifest", m.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{scenario}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (code, out) = verify(&m, &["--postgres", &target]);
        assert_eq!(code, 0, "{scenario}: {out}");
        assert!(!out.contains("FAIL"), "{out}");
    }
}

#[test]
fn verify_refuses_a_part_that_decompresses_to_one_endless_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lake");
    let m = tmp.path().join("m.json");
    let sink = format!("files:{}?compression=zstd", dir.display());
    storesim()
        .args(["run", "--stores", "1", "-q", "--sink", &sink, "--manifest"])
        .arg(&m)
        .assert()
        .success();
    // 64 MiB of one byte compress to a few KB.
    let bomb = zstd::encode_all(&vec![b'x'; 64 << 20][..], 19).unwrap();
    assert!(bomb.len() < 64 << 10, "{}", bomb.len());
    let part = dir.join("kind=scan/date=2026-11-23/part-99999.jsonl.zst");
    std::fs::write(&part, bomb).unwrap();
    let out = storesim()
        .args(["verify", "--manifest", m.to_str().unwrap()])
        .args(["--files", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let err = super::failure(out, 2);
    assert!(
        err.contains("part-99999.jsonl.zst") && err.contains("a line longer than 16 MiB"),
        "{err}"
    );
}

#[test]
fn verify_reads_every_demo_scenarios_mapped_files() {
    let tmp = tempfile::tempdir().unwrap();
    for (scenario, summed) in [
        ("apex", "item_changes"),
        ("sales-generator", "product_days"),
        ("fomo", "counts"),
        ("temus", "counts"),
        ("widgets-unlimited", "store_sales"),
    ] {
        let dir = tmp.path().join(scenario);
        let csv = tmp.path().join(format!("{scenario}-csv"));
        let manifest = tmp.path().join(format!("{scenario}.json"));
        let out = storesim()
            .args([
                "run",
                "--scenario",
                scenario,
                "--seed",
                "3",
                "--stores",
                "3",
                "-q",
            ])
            .args(["--days", "1", "--manifest", manifest.to_str().unwrap()])
            .args(["--sink", &format!("files:{}", dir.display())])
            .args(["--sink", &format!("csv:{}", csv.display())])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for target in [&dir, &csv] {
            let (code, report) = verify(&manifest, &["--files", target.to_str().unwrap()]);
            assert_eq!(code, 0, "{scenario}: {report}");
            let line = |name: &str| {
                report
                    .lines()
                    .find(|l| l.split_whitespace().next() == Some(name))
                    .unwrap_or_else(|| panic!("{scenario}: no {name} in {report}"))
                    .to_string()
            };
            assert!(line("counts").ends_with("pass"), "{report}");
            assert!(line(summed).ends_with("pass"), "{report}");
            assert!(
                report
                    .lines()
                    .filter(|l| l.contains("skipped ("))
                    .all(|l| l.ends_with("skipped (not in the mapped output)")),
                "{report}"
            );
        }
        // One record lost downstream: the counts check fails.
        let part = dir.join(
            super::tree(&dir)
                .into_keys()
                .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .unwrap(),
        );
        let text = std::fs::read_to_string(&part).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.pop();
        std::fs::write(&part, lines.join("\n") + "\n").unwrap();
        let (code, report) = verify(&manifest, &["--files", dir.to_str().unwrap()]);
        assert_eq!(code, 1, "{scenario}: {report}");
        assert!(
            report.contains("counts") && report.contains("FAIL"),
            "{report}"
        );
    }
}
