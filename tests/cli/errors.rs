//! Bad input: one line on stderr naming what is wrong, exit code 2, no
//! panic, and no output left behind.

use super::storesim;

fn fails(args: &[&str], want: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let sink = format!("files:{}", out_dir.display());
    let mut cmd = storesim();
    cmd.current_dir(tmp.path()).arg("run").args(args);
    if !args.contains(&"--sink") {
        cmd.args(["--sink", &sink]);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    assert!(
        stderr.contains(want),
        "{args:?}: `{stderr}` does not say `{want}`"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out_dir.exists(), "{args:?}: output left behind");
}

#[test]
fn bad_flags_and_values() {
    fails(&["--scenario", "nosuch"], "unknown scenario `nosuch`");
    fails(&["--start", "2026-02-30"], "--start");
    fails(&["--start", "yesterday"], "is not a date");
    fails(&["--days", "0"], "--days");
    fails(&["--days", "-3"], "--days");
    fails(&["--stores", "0"], "--stores");
    fails(&["--threads", "0"], "--threads");
    fails(&["--window", "0s"], "--window");
    fails(&["--frobnicate"], "--frobnicate");
    fails(
        &["--start", "2026-11-27", "--until", "2026-11-26"],
        "is not after",
    );
    fails(&["--sink", "files:"], "sink `files:`: missing directory");
    fails(&["--sink", "nope://x"], "sink `nope://x`: unknown sink");
    fails(&["--sink", "files:d?compression=lz4"], "compression `lz4`");
}

#[test]
fn bad_scenario_files_name_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let bad_value = tmp.path().join("bad.toml");
    std::fs::write(
        &bad_value,
        "extends = \"chain\"\n[traffic]\nbaskets_per_day = -5\n",
    )
    .unwrap();
    fails(
        &["--scenario", bad_value.to_str().unwrap()],
        "`traffic.baskets_per_day`: must be a positive number",
    );
    let bad_toml = tmp.path().join("broken.toml");
    std::fs::write(&bad_toml, "name = \"x\"\n[week\n").unwrap();
    fails(
        &["--scenario", bad_toml.to_str().unwrap()],
        "broken.toml:2:",
    );
    fails(
        &["--scenario", "/nonexistent/dir/s.toml"],
        "cannot read scenario /nonexistent/dir/s.toml",
    );
}

#[test]
fn earlier_output_is_refused_without_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let sink = format!("files:{}", tmp.path().join("o").display());
    let args = [
        "run",
        "--stores",
        "1",
        "--start",
        "2026-11-24T15:00:00Z",
        "--until",
        "2026-11-24T15:10:00Z",
        "--sink",
        &sink,
        "-q",
    ];
    storesim().args(args).assert().success();
    let out = storesim().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--overwrite"));
    storesim().args(args).arg("--overwrite").assert().success();
}

#[test]
fn unwritable_directory_is_a_one_line_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let sink = format!("files:{}/sub", file.display());
    let out = storesim()
        .args(["run", "--stores", "1", "--sink", &sink, "-q"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("a-file/sub"), "{stderr}");
}

#[test]
fn scenarios_and_catalog_commands() {
    let out = storesim().args(["scenarios", "list"]).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout).to_string();
    let names: Vec<&str> = list.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "chain",
            "smoothie",
            "webshop",
            "marketplace",
            "widgets",
            "apex",
            "sales-generator",
            "fomo",
            "temus",
            "widgets-unlimited"
        ],
        "{list}"
    );
    // Descriptions line up in one column.
    let columns: std::collections::BTreeSet<usize> = list
        .lines()
        .map(|l| l.len() - l.split_at(l.find(' ').unwrap()).1.trim_start().len())
        .collect();
    assert_eq!(columns.len(), 1, "{list}");
    let out = storesim()
        .args(["scenarios", "show", "chain"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(shown.contains("baskets_per_day"));
    assert!(
        shown.contains("# emits     scan: kind, event_id, ts,")
            && shown.contains("# emits     item_change:"),
        "{shown}"
    );
    // A demo scenario shows its mapped records, field by field.
    let out = storesim()
        .args(["scenarios", "show", "apex"])
        .output()
        .unwrap();
    let apex = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        apex.contains("# emits     scan as `scans` (table scans, topic retail_scans):")
            && apex.contains("item_upc                 string")
            && apex.contains("<- sku via item.item_upc as text")
            && apex.contains("# not written transaction (output.kinds)"),
        "{apex}"
    );
    let out = storesim()
        .args(["scenarios", "validate", "apex"])
        .output()
        .unwrap();
    let stdout = super::success_lines(out, "scenarios validate apex").join("\n");
    assert!(
        stdout.ends_with("; emits scan as scans, item_change"),
        "{stdout}"
    );
    let out = storesim()
        .args(["scenarios", "show", "nosuch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let tmp = tempfile::tempdir().unwrap();
    // What `show` prints is a scenario file a user can copy, change and run.
    let copy = tmp.path().join("copy.toml");
    std::fs::write(&copy, shown.replace("stores = 1000", "stores = 12")).unwrap();
    let out = storesim()
        .args(["scenarios", "validate", copy.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = super::success_lines(out, "scenarios validate").join("\n");
    assert!(
        stdout.contains(": ok: scenario `chain`, 12 stores, 35 categories, 32000 items; emits scan, transaction, item_change"),
        "{stdout}"
    );
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "extends = \"chain\"\n[loyalty]\nmember_share = 1.5\n").unwrap();
    let out = storesim()
        .args(["scenarios", "validate", bad.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("bad.toml") && stderr.contains("loyalty.member_share"),
        "{stderr}"
    );
    storesim()
        .args([
            "catalog",
            "--out",
            tmp.path().to_str().unwrap(),
            "--stores",
            "1200",
        ])
        .assert()
        .success();
    let stores = std::fs::read_to_string(tmp.path().join("stores.csv")).unwrap();
    assert_eq!(stores.lines().count(), 1201);
    let items = std::fs::read_to_string(tmp.path().join("item_master.csv")).unwrap();
    assert_eq!(items.lines().count(), 32_001);
    assert!(items
        .lines()
        .next()
        .unwrap()
        .starts_with("item_id,item_upc,category_code,item_name"));
}

/// Runs `args` (any subcommand) in `dir` and checks: exit 2, one line that
/// says `want`.
fn refused_in(dir: &std::path::Path, args: &[&str], want: &str) -> String {
    let out = storesim().current_dir(dir).args(args).output().unwrap();
    let err = super::failure(out, 2);
    assert!(
        err.contains(want),
        "{args:?}: `{err}` does not say `{want}`"
    );
    err
}

#[test]
fn nonsense_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Two file sinks on one directory, spelled two ways, or one inside the other.
    for second in ["csv:./o/../o", "files:o/sub?compression=zstd", "files:o/"] {
        refused_in(
            dir,
            &[
                "run", "--stores", "1", "--sink", "files:o", "--sink", second,
            ],
            "write to the same directory",
        );
    }
    // An option given twice: which one was meant cannot be told.
    refused_in(
        dir,
        &[
            "run",
            "--stores",
            "1",
            "--sink",
            "files:o?compression=zstd&compression=gzip",
        ],
        "option `compression` is given twice",
    );
    // A speed that releases nothing a demo would see.
    refused_in(
        dir,
        &["run", "--speed", "1e-308", "--sink", "null"],
        "0.001",
    );
    // A missing argument is named.
    refused_in(dir, &["verify"], "--manifest <MANIFEST>");
    refused_in(dir, &["manifest", "merge"], "<FILES>");
    assert!(!dir.join("o").exists(), "output left behind");
}

#[test]
fn output_files_are_never_replaced_unasked_nor_written_through_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cat = |extra: &[&str]| {
        let mut args = vec!["catalog", "--stores", "2", "--items", "5", "--out", "cat"];
        args.extend_from_slice(extra);
        storesim().current_dir(dir).args(&args).output().unwrap()
    };
    assert!(cat(&[]).status.success());
    std::fs::write(dir.join("cat/stores.csv"), "mine").unwrap();
    let err = super::failure(cat(&[]), 2);
    assert!(err.contains("stores.csv exists: pass --overwrite"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("cat/stores.csv")).unwrap(),
        "mine"
    );
    assert!(cat(&["--overwrite"]).status.success());
    // A manifest's CSV files: a link in the way is not followed.
    storesim()
        .current_dir(dir)
        .args([
            "run",
            "--stores",
            "1",
            "--sink",
            "null",
            "-q",
            "--manifest",
            "m.json",
        ])
        .assert()
        .success();
    std::fs::create_dir(dir.join("csv")).unwrap();
    std::fs::write(dir.join("victim"), "keep").unwrap();
    std::os::unix::fs::symlink(dir.join("victim"), dir.join("csv/counts.csv")).unwrap();
    for extra in [&[][..], &["--overwrite"][..]] {
        let mut args = vec!["manifest", "csv", "m.json", "-o", "csv"];
        args.extend_from_slice(extra);
        refused_in(dir, &args, "is a symbolic link");
        assert_eq!(std::fs::read_to_string(dir.join("victim")).unwrap(), "keep");
    }
    // An output path that cannot be made is bad input: exit 2.
    std::fs::write(dir.join("file"), "").unwrap();
    refused_in(dir, &["catalog", "--out", "file/sub"], "--out file/sub");
    refused_in(
        dir,
        &["manifest", "csv", "m.json", "-o", "file/sub"],
        "-o file/sub",
    );
}

/// `model` picks the model, and its table belongs to it: a model without
/// its table, or a table of another model, is refused, never run as
/// something other than what was asked.
#[test]
fn a_model_without_its_table_or_with_another_models_table_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("no-table.toml"),
        "extends = \"chain\"\nmodel = \"webshop\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("other.toml"),
        "extends = \"widgets\"\nmodel = \"chain\"\n",
    )
    .unwrap();
    for verb in [
        &["run", "--sink", "null", "--scenario"][..],
        &["scenarios", "validate"],
    ] {
        let args = |file: &'static str| [verb, &[file]].concat();
        refused_in(
            dir,
            &args("no-table.toml"),
            "model `webshop` needs a [webshop] section",
        );
        refused_in(
            dir,
            &args("other.toml"),
            "only model `widgets` reads it (this is model `chain`)",
        );
    }
    assert!(
        std::fs::read_dir(dir).unwrap().count() == 2,
        "nothing written"
    );
}

/// `storesim catalog --scenario X` writes X's own tables, in its columns.
#[test]
fn catalog_writes_each_scenarios_own_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let catalog = |scenario: &str| -> std::collections::BTreeMap<String, Vec<String>> {
        let dir = tmp.path().join(scenario);
        let out = storesim()
            .args([
                "catalog",
                "--scenario",
                scenario,
                "--out",
                dir.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        super::tree(&dir)
            .into_iter()
            .map(|(path, bytes)| {
                let text = String::from_utf8(bytes).unwrap();
                (
                    path.display().to_string(),
                    text.lines().map(str::to_string).collect(),
                )
            })
            .collect()
    };
    let names = |t: &std::collections::BTreeMap<String, Vec<String>>| -> Vec<String> {
        t.keys().cloned().collect()
    };
    // The smoothie menu: 27 products, as the first bar publishes them;
    // sales-generator's in its mapped columns (no kind, no store_id).
    let smoothie = catalog("smoothie");
    assert_eq!(names(&smoothie), ["products.csv", "stores.csv"]);
    assert_eq!(smoothie["products.csv"].len(), 28);
    assert!(smoothie["products.csv"][0].starts_with("kind,event_time,product_id,"));
    let sales = catalog("sales-generator");
    assert!(sales["products.csv"][0].starts_with("event_time,product_id,category,item,"));
    assert!(!sales["products.csv"][0].contains("store_id"));
    assert_eq!(sales["stores.csv"].len(), 2, "one bar");
    // The widget masters at the load, clean: every product once, a cost and
    // a supplier that exists.
    let widgets = catalog("widgets");
    assert_eq!(
        names(&widgets),
        ["products.csv", "stores.csv", "suppliers.csv"]
    );
    let products = &widgets["products.csv"];
    assert_eq!(products.len(), 501);
    let codes: std::collections::BTreeSet<&str> = products[1..]
        .iter()
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(codes.len(), 500);
    for line in &products[1..] {
        let f: Vec<&str> = line.split(',').collect();
        let supplier: u32 = f[6].trim_start_matches("SUP-").parse().unwrap();
        assert!((1..=25).contains(&supplier) && !f[7].is_empty(), "{line}");
    }
    assert_eq!(widgets["suppliers.csv"].len(), 26);
    // widgets-unlimited's masters in the demo's product and supplier columns.
    let unlimited = catalog("widgets-unlimited");
    assert_eq!(
        names(&unlimited),
        ["product.csv", "stores.csv", "supplier.csv"]
    );
    assert_eq!(unlimited["product.csv"].len(), 501);
    assert!(unlimited["product.csv"][0].starts_with("product_id,product_name,product_description,"));
    assert!(unlimited["supplier.csv"][0].starts_with("supplier_id,supplier_name,supplier_address,"));
    // The vendors: one record each, unique names; temus's in its columns.
    let marketplace = catalog("marketplace");
    assert_eq!(names(&marketplace), ["stores.csv", "vendors.csv"]);
    assert_eq!(marketplace["vendors.csv"].len(), 101);
    let temus = catalog("temus");
    let vendors = &temus["vendors.csv"];
    assert_eq!(
        vendors[0],
        "Vendor,Shipping_Cost,Customer_Review_Score,Number_of_Feedbacks"
    );
    let unique: std::collections::BTreeSet<&str> = vendors[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(unique.len(), 30);
    // The chain keeps its three tables.
    assert_eq!(
        names(&catalog("chain")),
        ["item_categories.csv", "item_master.csv", "stores.csv"]
    );
}
