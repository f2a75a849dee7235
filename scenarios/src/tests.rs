//! Loader tests: built-ins load, bad files fail naming the key.

use std::io::Write;

use super::*;

fn write(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn load_err(text: &str) -> String {
    let f = write(text);
    Scenario::load(f.path().to_str().unwrap())
        .and_then(|s| s.build_world(&Overrides::default()).map(|_| ()))
        .unwrap_err()
        .to_string()
}

#[test]
fn every_builtin_loads_and_builds() {
    for b in BUILTINS {
        let s = Scenario::load(b.name).unwrap();
        let w = s
            .build_world(&Overrides {
                stores: Some(5),
                items: None,
            })
            .unwrap();
        assert_eq!(w.stores.len(), 5);
    }
}

#[test]
fn every_scenario_file_in_the_repo_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml")
            && path.file_name().unwrap() != "Cargo.toml"
        {
            Scenario::load(path.to_str().unwrap())
                .and_then(|s| {
                    s.build_world(&Overrides {
                        stores: Some(3),
                        items: Some(500),
                    })
                })
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 1);
}

#[test]
fn unknown_scenario_names_the_builtins() {
    let e = Scenario::load("nosuch").unwrap_err().to_string();
    assert!(
        e.contains("unknown scenario `nosuch`") && e.contains("chain"),
        "{e}"
    );
}

#[test]
fn extends_overrides_only_what_it_names() {
    let f = write("extends = \"chain\"\n[traffic]\nbaskets_per_day = 100\n[counts]\nstores = 7\n");
    let s = Scenario::load(f.path().to_str().unwrap()).unwrap();
    assert_eq!(s.config.traffic.baskets_per_day, 100.0);
    assert_eq!(s.config.name, "chain");
    let w = s.build_world(&Overrides::default()).unwrap();
    assert_eq!(w.stores.len(), 7);
    assert_eq!(w.items.len(), 32_000);
}

#[test]
fn syntax_errors_give_line_and_column() {
    let e = load_err("extends = \"chain\"\n[traffic\n");
    assert!(e.contains(":2:") && e.contains("invalid TOML"), "{e}");
}

#[test]
fn bad_values_name_the_key() {
    let cases = [
        (
            "[traffic]\nbaskets_per_day = -3\n",
            "`traffic.baskets_per_day`: must be a positive number",
        ),
        (
            "[traffic]\nbaskets_per_dai = 3\n",
            "unknown field `baskets_per_dai`",
        ),
        (
            "[traffic]\nbaskets_per_day = \"many\"\n",
            "`traffic.baskets_per_day`",
        ),
        (
            "[week.monday]\nopen = \"25:00\"\n",
            "`week.monday.open`: must be a local time",
        ),
        (
            "[week.monday]\nopen = \"23:00\"\nclose = \"06:00\"\n",
            "`week.monday.close`: closing time 06:00 must be after",
        ),
        (
            "[week.monday]\ncurve = \"nope\"\n",
            "`week.monday.curve`: unknown curve `nope`",
        ),
        (
            "[kafka]\nkey = \"sku\"\n",
            "`kafka.key`: key `sku`: use store_id, transaction_id or none",
        ),
        (
            "[kafka.topics]\nrefund = \"r\"\n",
            "`kafka.topics.refund`: unknown event kind `refund`",
        ),
        (
            "[kafka.topics]\nscan = \"pos scans\"\n",
            "`kafka.topics.scan`: `pos scans`: use 1-249 characters",
        ),
        (
            "[curves]\nweekday = [1, 2]\n",
            "`curves.weekday`: must have 24 values",
        ),
        (
            "[counts]\nstores = 0\n",
            "`counts.stores`: must be between 1",
        ),
        (
            "[loyalty]\nmember_share = 1.5\n",
            "`loyalty.member_share`: must be a share",
        ),
        (
            "[[holidays]]\nname = \"x\"\nwhen = \"someday\"\n",
            "`holidays[0].when`: cannot read `someday`",
        ),
        (
            "[data]\nstores = \"nope.csv\"\n",
            "nope.csv: no such data file",
        ),
    ];
    for (body, want) in cases {
        let e = load_err(&format!("extends = \"chain\"\n{body}"));
        assert!(e.contains(want), "{body:?}: got `{e}`, want `{want}`");
        assert!(!e.contains('\n'), "multi-line error: {e}");
    }
}

#[test]
fn rates_past_a_physical_limit_name_the_key_and_the_limit() {
    let flat = vec!["1e308"; 24].join(", ");
    let cases = [
        (
            "[traffic]\nbaskets_per_day = 1e12\n".to_string(),
            "`traffic.baskets_per_day`: must be at most 100000 (55 x the average US supermarket",
        ),
        (
            "[week.friday]\nmultiplier = 4294967297\n".into(),
            "`week.friday.multiplier`: must be at most 100 (35 x the busiest day measured",
        ),
        (
            "[[holidays]]\nname = \"x\"\nwhen = \"12-26\"\nmultiplier = 1e308\n".into(),
            "`holidays[0].multiplier`: must be at most 100",
        ),
        (
            format!("[curves]\nweekday = [{flat}]\n"),
            "`curves.weekday[0]`: must be at most 1000000000 (weights are relative",
        ),
        (
            "[[anomalies]]\nname = \"p\"\nkind = \"promotion\"\nstart = \"2026-11-27 10:00\"\nend = \"2026-11-27 11:00\"\nmultiplier = 500\n".into(),
            "`anomalies[0].multiplier`: must be at most 100",
        ),
        // Each within its limit, together past what a store can serve.
        (
            "[traffic]\nbaskets_per_day = 100000\n[week.saturday]\nmultiplier = 90\n".into(),
            "`traffic.baskets_per_day`: traffic.baskets_per_day 100000 x ",
        ),
    ];
    for (body, want) in cases {
        let e = load_err(&format!("extends = \"chain\"\n{body}"));
        assert!(e.contains(want), "{body:?}: got `{e}`, want `{want}`");
        assert!(!e.contains('\n'), "multi-line error: {e}");
    }
    let e = load_err("extends = \"chain\"\n[traffic]\nbaskets_per_day = 100000\n[week.saturday]\nmultiplier = 90\n");
    assert!(
        e.contains("week.saturday.multiplier 90") && e.contains("1710720"),
        "{e}"
    );
}

#[test]
fn an_endless_or_huge_file_is_refused_not_read_into_memory() {
    // The error and its causes, as the binary prints them.
    let chain = |e: ScenarioError| {
        let mut text = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            text.push_str(&format!(": {c}"));
            cause = c.source();
        }
        text
    };
    let e = chain(Scenario::load("/dev/zero").unwrap_err());
    assert!(e.contains("/dev/zero: larger than 1 MiB"), "{e}");
    let f = write("extends = \"/dev/zero\"\n");
    let e = chain(Scenario::load(f.path().to_str().unwrap()).unwrap_err());
    assert!(e.contains("/dev/zero: larger than 1 MiB"), "{e}");
    let f = write("extends = \"chain\"\n[data]\nstores = \"/dev/zero\"\n");
    let e = Scenario::load(f.path().to_str().unwrap())
        .and_then(|s| s.build_world(&Overrides::default()).map(|_| ()))
        .unwrap_err();
    let e = chain(e);
    assert!(e.contains("larger than 64 MiB"), "{e}");
}

#[test]
fn malformed_data_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stores.csv"),
        "store_id,address,city,state,zipcode,longitude,latitude,region\n1,a,b,CA,1,x,2,America/Los_Angeles\n",
    )
    .unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(
        &path,
        "extends = \"chain\"\n[data]\nstores = \"stores.csv\"\n",
    )
    .unwrap();
    let e = Scenario::load(path.to_str().unwrap())
        .unwrap()
        .build_world(&Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("stores.csv: line 2: column `longitude`: invalid value `x`"),
        "{e}"
    );
    std::fs::write(
        dir.path().join("stores.csv"),
        "store_id,address,city,state,zipcode,longitude,latitude,region\n1,a,b,CA,1,1,2,Mars/Olympus\n",
    )
    .unwrap();
    let e = Scenario::load(path.to_str().unwrap())
        .unwrap()
        .build_world(&Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("store 1: unknown time zone `Mars/Olympus`"),
        "{e}"
    );
}

#[test]
fn when_rules_parse() {
    use chrono::Weekday;
    use storesim_sim::calendar::DateRule;
    assert_eq!(
        validate::parse_when("fourth thursday of november"),
        Some(DateRule::NthWeekday {
            nth: 4,
            weekday: Weekday::Thu,
            month: 11
        })
    );
    assert_eq!(
        validate::parse_when("last mon of may"),
        Some(DateRule::NthWeekday {
            nth: -1,
            weekday: Weekday::Mon,
            month: 5
        })
    );
    assert_eq!(
        validate::parse_when("12-25"),
        Some(DateRule::Annual { month: 12, day: 25 })
    );
    assert!(matches!(
        validate::parse_when("2026-11-27"),
        Some(DateRule::Exact(_))
    ));
    assert_eq!(validate::parse_when("13-01"), None);
    assert_eq!(validate::parse_when("sometime"), None);
}

#[test]
fn store_counts_take_a_stable_subset_or_grow() {
    let s = Scenario::load("chain").unwrap();
    let small = s
        .build_world(&Overrides {
            stores: Some(10),
            items: None,
        })
        .unwrap();
    let full = s.build_world(&Overrides::default()).unwrap();
    assert_eq!(full.stores.len(), 1000);
    assert_eq!(small.stores[..], full.stores[..10]);
    let big = s
        .build_world(&Overrides {
            stores: Some(1500),
            items: Some(33_000),
        })
        .unwrap();
    assert_eq!(big.stores.len(), 1500);
    assert_eq!(big.stores[..1000], full.stores[..]);
    let ids: std::collections::BTreeSet<_> = big.stores.iter().map(|s| s.store_id).collect();
    assert_eq!(ids.len(), 1500);
    let cities: std::collections::BTreeSet<_> = full.stores.iter().map(|s| &s.city).collect();
    assert!(big.stores[1000..].iter().all(|s| cities.contains(&s.city)));
    assert_eq!(big.items.len(), 33_000);
    let upcs: std::collections::BTreeSet<_> = big.items.iter().map(|i| i.item_upc).collect();
    assert_eq!(upcs.len(), 33_000);
}

#[test]
fn kafka_defaults_come_from_the_file() {
    let f = write("extends = \"chain\"\n[kafka]\nkey = \"transaction_id\"\n[kafka.topics]\nscan = \"pos.scans\"\n");
    let s = Scenario::load(f.path().to_str().unwrap()).unwrap();
    let k = s.kafka();
    assert_eq!(k.key, Some(storesim_sim::KeyField::TransactionId));
    assert!(k
        .topics
        .contains(&(storesim_sim::EventKind::Scan, "pos.scans".to_string())));
}

#[test]
fn the_digest_follows_the_merged_scenario_not_its_spelling() {
    let chain = Scenario::load("chain").unwrap();
    assert_eq!(chain.digest().len(), 64);
    assert_eq!(chain.digest(), Scenario::load("chain").unwrap().digest());
    // Only `extends`: the same scenario; a comment changes nothing either.
    let same = write("extends = \"chain\"\n# a note\n");
    let same = Scenario::load(same.path().to_str().unwrap()).unwrap();
    assert_eq!(same.digest(), chain.digest());
    // One knob changed: another digest.
    let other = write("extends = \"chain\"\n[traffic]\nbaskets_per_day = 100\n");
    let other = Scenario::load(other.path().to_str().unwrap()).unwrap();
    assert_ne!(other.digest(), chain.digest());
}

#[test]
fn the_smoothie_writes_the_demo_topics() {
    use storesim_sim::EventKind;
    let k = Scenario::load("smoothie").unwrap().kafka();
    assert_eq!(k.topic_prefix.as_deref(), Some("demo."));
    for (kind, topic) in [
        (EventKind::Product, "products"),
        (EventKind::Purchase, "purchases"),
        (EventKind::Inventory, "inventories"),
    ] {
        assert!(k.topics.contains(&(kind, topic.to_string())), "{kind}");
    }
}

#[test]
fn models_and_anomalies_fail_naming_the_key() {
    let cases = [
        ("model = \"bakery\"\n", "`model`: unknown model `bakery`"),
        ("model = \"smoothie\"\n", "`smoothie`: missing"),
        (
            "[[anomalies]]\nname = \"x\"\nkind = \"flood\"\nstart = \"2026-11-24 11:00\"\nend = \"2026-11-24 12:00\"\n",
            "`anomalies[0].kind`: unknown kind `flood`",
        ),
        (
            "[[anomalies]]\nname = \"x\"\nkind = \"storm\"\nstart = \"2026-11-24 11:00\"\nend = \"2026-11-24 10:00\"\n",
            "`anomalies[0].end`: must be after start",
        ),
        (
            "[[anomalies]]\nname = \"x\"\nkind = \"storm\"\nstart = \"24/11/2026\"\nend = \"2026-11-24 10:00\"\n",
            "`anomalies[0].start`: must be a local date and time",
        ),
        (
            "[[anomalies]]\nname = \"x\"\nkind = \"outage\"\nstart = \"2026-11-24 11:00\"\nend = \"2026-11-24 12:00\"\nmultiplier = 0.5\n",
            "`anomalies[0].multiplier`: an outage stops every sale",
        ),
        (
            "[[anomalies]]\nname = \"x\"\nkind = \"promotion\"\nstart = \"2026-11-24 11:00\"\nend = \"2026-11-24 12:00\"\ndiscount_pct = 10\n",
            "model `chain` does not price promotions",
        ),
    ];
    for (text, expected) in cases {
        let e = load_err(&format!("extends = \"chain\"\n{text}"));
        assert!(e.contains(expected), "{text}: {e}");
    }
    // `model` decides what runs; another model's table is refused.
    for (text, expected) in [
        (
            "extends = \"webshop\"\nmodel = \"chain\"\n",
            "`webshop`: only model `webshop` reads it (this is model `chain`)",
        ),
        (
            "extends = \"chain\"\nmodel = \"widgets\"\n",
            "`widgets`: missing: model `widgets` needs a [widgets] section",
        ),
        (
            "extends = \"widgets\"\nmodel = \"marketplace\"\n",
            "`marketplace`: missing",
        ),
    ] {
        let e = load_err(text);
        assert!(e.contains(expected), "{text}: {e}");
    }
    // What could never apply.
    for (text, expected) in [
        (
            "extends = \"chain\"\n[[anomalies]]\nname = \"x\"\nkind = \"storm\"\nstart = \"2026-11-24 11:00\"\nend = \"2026-11-24 12:00\"\nstores = [1101, 987654]\n",
            "`anomalies[0].stores`: store 987654 is not among the stores",
        ),
        (
            "extends = \"smoothie\"\n[[anomalies]]\nname = \"x\"\nkind = \"promotion\"\nstart = \"2026-11-24 11:00\"\nend = \"2026-11-24 12:00\"\ndiscount_pct = 10\nproducts = [\"NOPE\"]\n",
            "`anomalies[0].products`: product `NOPE` is not on the menu",
        ),
        (
            "extends = \"chain\"\n[names.20100]\ncost_ratio = nan\n",
            "`names.20100.cost_ratio`: must be a cost as a share of price",
        ),
        (
            "extends = \"chain\"\n[names.20100]\ncost_ratio = inf\n",
            "`names.20100.cost_ratio`",
        ),
    ] {
        let e = load_err(text);
        assert!(e.contains(expected), "{text}: {e}");
    }
    let dir = tempfile::tempdir().unwrap();
    for (rule, expected) in [
        (
            "categories = [\"Nope\"]",
            "rule[0].categories`: no listing has the category `Nope`",
        ),
        ("vendors = [987654]", "rule[0].vendors`: no vendor 987654"),
    ] {
        let pricing = dir.path().join("pricing.toml");
        std::fs::write(
            &pricing,
            format!("[[rule]]\nname = \"r\"\n{rule}\nadjust_pct = 5\n"),
        )
        .unwrap();
        let text = format!(
            "extends = \"marketplace\"\n[marketplace]\npricing = \"{}\"\n",
            pricing.display()
        );
        let e = load_err(&text);
        assert!(e.contains(expected), "{rule}: {e}");
    }
    let e = load_err("extends = \"smoothie\"\n[smoothie]\nquantity = [0, 0]\n");
    assert!(e.contains("`smoothie.quantity`: needs 1-20 weights"), "{e}");
    let e = load_err("extends = \"smoothie\"\n[smoothie]\nmember_share = 3\n");
    assert!(
        e.contains("`smoothie.member_share`: must be a share"),
        "{e}"
    );
}

#[test]
fn an_outage_leaves_a_chain_store_silent() {
    // Anomalies apply to every model: a chain store with an outage all
    // afternoon has no arrivals then, and the rest of its day is unchanged.
    let f = write(
        "extends = \"chain\"\n[[anomalies]]\nname = \"down\"\nkind = \"outage\"\nstart = \"2026-11-24 12:00\"\nend = \"2026-11-24 18:00\"\n",
    );
    let w = Scenario::load(f.path().to_str().unwrap())
        .unwrap()
        .build_world(&Overrides {
            stores: Some(1),
            items: Some(500),
        })
        .unwrap();
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let mut m = storesim_sim::ChainStore::new(
        Arc::clone(&w),
        0,
        1,
        storesim_sim::RunSpan::LocalDays { first, days: 1 },
    );
    let mut events = Vec::new();
    let end = m.span().1.plus_micros(storesim_sim::time::MICROS_PER_HOUR);
    m.advance(end, &mut events);
    let by_hour = m.counters().arrivals_by_hour;
    assert!(by_hour[6..12].iter().all(|&n| n > 0), "{by_hour:?}");
    assert!(by_hour[12..18].iter().all(|&n| n == 0), "{by_hour:?}");
    assert!(by_hour[18..23].iter().all(|&n| n > 0), "{by_hour:?}");
}

#[test]
fn a_bad_pricing_rule_names_its_file_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.toml"),
        "[[rule]]\nname = \"ok\"\nadjust_pct = -5\n\n[[rule]]\nname = \"bad\"\nstock_status = [\"sold_out\"]\nadjust_pct = -5\n",
    )
    .unwrap();
    let scenario = dir.path().join("m.toml");
    std::fs::write(
        &scenario,
        "extends = \"marketplace\"\n[marketplace]\npricing = \"rules.toml\"\n",
    )
    .unwrap();
    let e = Scenario::load(scenario.to_str().unwrap())
        .and_then(|s| s.build_world(&Overrides::default()).map(|_| ()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("rules.toml"), "{e}");
    assert!(e.contains("`rule[1]`: stock_status `sold_out`"), "{e}");
}

#[test]
fn widgets_tables_are_named_or_refused() {
    let e = load_err("extends = \"widgets\"\n[widgets]\ntables = \"unlimted\"\n");
    assert!(
        e.contains("`widgets.tables`: unknown tables `unlimted` (known: native, unlimited)"),
        "{e}"
    );
    let kinds = |name: &str| -> Vec<String> {
        let s = Scenario::load(name).unwrap();
        let w = s.build_world(&Overrides::default()).unwrap();
        w.kinds().iter().map(|k| k.as_str().to_string()).collect()
    };
    // The native kinds, or the demo's tables; the labels in both.
    let native = kinds("widgets");
    assert!(native.iter().all(|k| !k.starts_with("wu_")), "{native:?}");
    assert!(native.contains(&"dirty_label".to_string()));
    let unlimited = kinds("widgets-unlimited");
    assert_eq!(unlimited.len(), 12, "{unlimited:?}");
    assert!(unlimited
        .iter()
        .all(|k| k.starts_with("wu_") || k == "dirty_label"));
}
