use super::*;

fn fact(seq: u32, line: u16, ts: i64, quantity: u16, net: i64) -> ScanFact {
    ScanFact {
        store_id: 7,
        date: 20261123,
        seq,
        line,
        ts: SimTime(ts),
        sku: 100 + u32::from(line),
        category: 5,
        quantity,
        net: Money(net),
    }
}

fn world() -> std::sync::Arc<World> {
    crate::testing::world()
}

fn run() -> RunInfo {
    RunInfo {
        scenario: "t".into(),
        model: "chain".into(),
        scenario_digest: "d".into(),
        seed: 1,
        start: "s".into(),
        end: "e".into(),
        stores: 1,
        items: 10,
        shard: "1/1".into(),
        schema: "storesim".into(),
        version: "0".into(),
    }
}

fn day(m: &Manifest) -> StoreDay {
    m.chain.as_ref().unwrap().store_days[0].clone()
}

#[test]
fn a_void_cancels_its_line_in_any_order_and_duplicates_count_once() {
    let sale = fact(1, 1, 1_000, 2, 398);
    let other = fact(1, 2, 2_000, 1, 150);
    let void = fact(1, 1, 90_000_000, 0, 0);
    let orders = [
        vec![sale, other, void],
        vec![void, sale, other, other],
        vec![other, void, sale, void],
    ];
    let mut days = Vec::new();
    for records in orders {
        let mut t = Tally::unbounded(&world());
        for r in &records {
            t.scan(r);
        }
        let d = day(&t.finish(run()));
        assert_eq!(d.net_sales, Money(150));
        assert_eq!(d.lines, 1);
        assert_eq!(d.scan_rows, records.len() as u64);
        days.push(d);
    }
    assert_eq!(days[0].scan_amount, Money(548));
    assert_eq!(days[1].scan_amount, Money(698));
}

#[test]
fn percentiles_are_nearest_rank() {
    let hist = [(0, 50), (3, 40), (10, 9), (60, 1)]
        .map(|(seconds, transactions)| WaitBucket {
            seconds,
            transactions,
        })
        .to_vec();
    let q = QueueWait::from_histogram(hist, 60_500);
    assert_eq!(q.percentiles_s["p50"], 0);
    assert_eq!(q.percentiles_s["p90"], 3);
    assert_eq!(q.percentiles_s["p95"], 10);
    assert_eq!(q.percentiles_s["p99"], 10);
    assert_eq!(q.transactions, 100);
}

#[test]
fn money_is_written_as_exact_text_and_read_back() {
    let mut t = Tally::unbounded(&world());
    t.scan(&fact(1, 1, 1_000, 3, 1_234_567_891));
    let m = t.finish(run());
    let json = serde_json::to_string(&m).unwrap();
    assert!(json.contains(r#""net_sales":"12345678.91""#), "{json}");
    let back: Manifest = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
}

#[test]
fn merging_checks_the_shards() {
    let mut a = Tally::unbounded(&world()).finish(RunInfo {
        shard: "1/2".into(),
        ..run()
    });
    let b = Tally::unbounded(&world()).finish(RunInfo {
        shard: "2/2".into(),
        ..run()
    });
    let merged = Manifest::merge(&[("a".into(), a.clone()), ("b".into(), b.clone())]).unwrap();
    assert_eq!(merged.run.shard, "1/1");
    let twice = Manifest::merge(&[("a".into(), a.clone()), ("a2".into(), a.clone())]);
    assert!(twice.unwrap_err().to_string().contains("twice"));
    let partial = Manifest::merge(&[("a".into(), a.clone())]).unwrap();
    assert_eq!(partial.run.shard, "1/2");
    a.run.seed = 2;
    let other = Manifest::merge(&[("a".into(), a), ("b".into(), b)]);
    assert!(other.unwrap_err().to_string().contains("a different run"));
}
