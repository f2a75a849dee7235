//! Store model tests: queue invariants, window independence, exact receipts.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Timelike};

use super::*;
use crate::event::Event;
use crate::models::chain::{ScanEvent, TransactionEvent};
use crate::testing;
use crate::time::MICROS_PER_MIN;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn run(store: usize, seed: u64, span: RunSpan, window_us: i64) -> (Vec<Stamped>, ChainStore) {
    let world = testing::world();
    let mut model = ChainStore::new(world, store, seed, span);
    let (start, end) = model.span();
    let mut out = Vec::new();
    let mut t = start;
    while t < end || !model.is_done() {
        t = t.plus_micros(window_us);
        model.advance(t, &mut out);
        assert!(t.0 < end.0 + 2 * 86_400_000_000, "store never drains");
    }
    (out, model)
}

/// Baskets whose every line was voided: cancelled, no receipt.
fn cancelled(events: &[Stamped]) -> usize {
    let mut lines: BTreeMap<TxnId, (u32, u32)> = BTreeMap::new();
    for s in events {
        if let Event::Scan(s) = &s.event {
            let e = lines.entry(s.transaction_id).or_default();
            if s.quantity > 0 {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
    lines.values().filter(|(sold, voided)| sold == voided).count()
}

fn split(events: &[Stamped]) -> (Vec<&ScanEvent>, Vec<&TransactionEvent>) {
    let mut scans = Vec::new();
    let mut txns = Vec::new();
    for s in events {
        match &s.event {
            Event::Scan(e) => scans.push(e),
            Event::Transaction(e) => txns.push(&**e),
            _ => {}
        }
    }
    (scans, txns)
}

const TUESDAY: RunSpan = RunSpan::LocalDays {
    first: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
    days: 1,
};

#[test]
fn output_does_not_depend_on_window_length() {
    let (a, _) = run(0, 7, TUESDAY, MICROS_PER_MIN);
    let (b, _) = run(0, 7, TUESDAY, 15 * MICROS_PER_MIN);
    let (c, _) = run(0, 7, TUESDAY, 7 * 3_600_000_000 + 12_345);
    assert!(!a.is_empty());
    assert_eq!(a, b);
    assert_eq!(a, c);
}

#[test]
fn output_is_ordered_and_seed_dependent() {
    let (a, _) = run(1, 7, TUESDAY, 5 * MICROS_PER_MIN);
    assert!(a.windows(2).all(|w| w[0].key() < w[1].key()));
    let (b, _) = run(1, 8, TUESDAY, 5 * MICROS_PER_MIN);
    assert_ne!(a, b);
}

/// Every shopper who arrives is served exactly once, and transaction ids
/// are unique and dense per day.
#[test]
fn every_arrival_is_served_once() {
    for store in 0..3 {
        let (events, model) = run(store, 11, TUESDAY, 10 * MICROS_PER_MIN);
        let (_, txns) = split(&events);
        let c = model.counters();
        assert!(c.arrivals > 1000, "arrivals {}", c.arrivals);
        assert_eq!(c.arrivals, c.served);
        assert_eq!((txns.len() + cancelled(&events)) as u64, c.arrivals);
        let ids: std::collections::BTreeSet<_> = txns.iter().map(|t| t.transaction_id).collect();
        assert_eq!(ids.len(), txns.len());
        assert!(model.is_done());
    }
}

/// Waits are non-negative, each register serves one shopper at a time in
/// the order they joined (FIFO), and the self-checkout bank is one FIFO line.
#[test]
fn registers_are_fifo_and_never_overlap() {
    let (events, _) = run(
        0,
        3,
        RunSpan::LocalDays {
            first: day(2026, 11, 27),
            days: 1,
        },
        10 * MICROS_PER_MIN,
    );
    let (_, txns) = split(&events);
    let mut by_register: BTreeMap<u16, Vec<&TransactionEvent>> = BTreeMap::new();
    for t in &txns {
        assert!(t.end_ts > t.start_ts);
        by_register.entry(t.register).or_default().push(t);
    }
    let joined = |t: &TransactionEvent| t.start_ts.0 - i64::from(t.queue_wait_ms) * 1000;
    let mut waited = 0;
    for (register, mut list) in by_register {
        list.sort_by_key(|t| t.start_ts);
        for w in list.windows(2) {
            assert!(w[1].start_ts >= w[0].end_ts, "register {register} overlaps");
            if register < SELF_CHECKOUT_BASE {
                // Millisecond truncation of the wait allows 1 ms of slack.
                assert!(
                    joined(w[1]) + 1000 >= joined(w[0]),
                    "register {register} not FIFO"
                );
            }
        }
        waited += list.iter().filter(|t| t.queue_wait_ms > 0).count();
    }
    assert!(waited > 0, "Black Friday should make somebody wait");
    let mut bank: Vec<_> = txns
        .iter()
        .filter(|t| t.register >= SELF_CHECKOUT_BASE)
        .collect();
    bank.sort_by_key(|t| (t.start_ts, t.register));
    for w in bank.windows(2) {
        assert!(
            joined(w[1]) + 1000 >= joined(w[0]),
            "self-checkout line not FIFO"
        );
    }
}

/// Every receipt equals its scans minus discounts plus tax, to the cent,
/// once each line's latest record is kept (a void re-sends the line with
/// quantity 0), and scans fall inside the service interval.
#[test]
fn receipts_add_up() {
    let world = testing::world();
    let (events, _) = run(0, 5, TUESDAY, 30 * MICROS_PER_MIN);
    let (scans, txns) = split(&events);
    let mut latest: BTreeMap<(TxnId, u16), &ScanEvent> = BTreeMap::new();
    for s in &scans {
        latest.insert((s.transaction_id, s.line), s);
    }
    let mut lines: BTreeMap<TxnId, Vec<&ScanEvent>> = BTreeMap::new();
    for s in latest.values().filter(|s| s.quantity > 0) {
        lines.entry(s.transaction_id).or_default().push(s);
    }
    let taxable: std::collections::BTreeSet<u32> = world
        .categories
        .iter()
        .filter(|c| c.taxable)
        .map(|c| c.category_code)
        .collect();
    let rate = i64::from(world.stores[0].tax_rate_bp);
    for t in &txns {
        let l = lines.get(&t.transaction_id).cloned().unwrap_or_default();
        assert_eq!(l.len(), usize::from(t.line_count));
        let subtotal: Money = l.iter().map(|s| s.unit_price * i64::from(s.quantity)).sum();
        let discount: Money = l.iter().map(|s| s.discount).sum();
        let net: Money = l.iter().map(|s| s.net_amount()).sum();
        let taxed: Money = l
            .iter()
            .filter(|s| taxable.contains(&s.category))
            .map(|s| s.net_amount())
            .sum();
        assert_eq!(t.subtotal, subtotal);
        assert_eq!(t.discount, discount);
        assert_eq!(t.tax, taxed.apply_basis_points(rate));
        assert_eq!(t.total, net + t.tax);
        assert_eq!(
            t.item_count,
            l.iter().map(|s| u32::from(s.quantity)).sum::<u32>()
        );
        if t.customer_id.is_none() {
            assert_eq!(t.discount, Money::ZERO);
        }
        for s in l {
            assert!(s.ts > t.start_ts && s.ts < t.end_ts);
        }
    }
}

/// About 1 scan line in 200 is voided: re-sent 1-3 minutes after the scan
/// with quantity 0 and no discount, under the same transaction and line.
#[test]
fn voids_follow_their_scan_by_one_to_three_minutes() {
    let (events, model) = run(0, 11, TUESDAY, 60 * MICROS_PER_MIN);
    let (scans, _) = split(&events);
    let mut first: BTreeMap<(TxnId, u16), &ScanEvent> = BTreeMap::new();
    let mut voids = 0u64;
    for s in &scans {
        match first.get(&(s.transaction_id, s.line)) {
            None => {
                assert!(s.quantity > 0, "a void before its scan");
                first.insert((s.transaction_id, s.line), s);
            }
            Some(orig) => {
                voids += 1;
                assert_eq!(s.quantity, 0);
                assert_eq!(s.discount, Money::ZERO);
                assert_eq!((s.sku, s.unit_price), (orig.sku, orig.unit_price));
                let delay = s.ts.0 - orig.ts.0;
                assert!(
                    (60 * MICROS_PER_SEC..=180 * MICROS_PER_SEC).contains(&delay),
                    "{delay}"
                );
            }
        }
    }
    assert_eq!(voids, model.counters().voids);
    // 0.5% of the lines; 4 standard deviations of a binomial count.
    let lines = first.len() as f64;
    let expected = lines * 0.005;
    let sd = (lines * 0.005 * 0.995).sqrt();
    assert!(
        (voids as f64 - expected).abs() < 4.0 * sd,
        "{voids} voids in {lines} lines"
    );
    assert!(voids > 20, "{voids}");
}

/// A basket whose every line was voided prints no receipt (no $0 sale),
/// and every receipt has a line that was not voided.
#[test]
fn a_fully_voided_basket_prints_no_receipt() {
    let mut cancelled = 0;
    for seed in 1..=6 {
        let (events, _) = run(0, seed, TUESDAY, 60 * MICROS_PER_MIN);
        let (scans, txns) = split(&events);
        let mut lines: BTreeMap<TxnId, (u32, u32)> = BTreeMap::new();
        for s in &scans {
            let e = lines.entry(s.transaction_id).or_default();
            if s.quantity > 0 {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        let receipts: std::collections::BTreeSet<TxnId> =
            txns.iter().map(|t| t.transaction_id).collect();
        for t in &txns {
            assert!(t.line_count > 0, "{:?}", t.transaction_id);
        }
        for (id, (sold, voided)) in &lines {
            let all_voided = sold == voided;
            assert_eq!(receipts.contains(id), !all_voided, "{id:?} {sold} {voided}");
            cancelled += usize::from(all_voided);
        }
    }
    assert!(cancelled > 0, "no basket had every line voided");
}

/// Shoppers arrive only while their store is open in its local time
/// (06:00-23:00), in every time zone, and not at all on Thanksgiving;
/// those inside at closing are still served.
#[test]
fn arrivals_only_while_open() {
    for store in 0..3 {
        let world = testing::world();
        let tz = world.stores[store].tz;
        let span = RunSpan::LocalDays {
            first: day(2026, 11, 24),
            days: 3,
        };
        let (events, model) = run(store, 9, span, 15 * MICROS_PER_MIN);
        let mut per_date: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        for t in &model.arrival_log {
            let local = t.to_datetime().with_timezone(&tz);
            let minute = local.hour() * 60 + local.minute();
            assert!((6 * 60..23 * 60).contains(&minute), "arrival at {local}");
            *per_date.entry(local.date_naive()).or_default() += 1;
        }
        assert!(
            !per_date.contains_key(&day(2026, 11, 26)),
            "open on Thanksgiving"
        );
        assert!(per_date[&day(2026, 11, 25)] > 1000);
        let (_, txns) = split(&events);
        let after_close = txns
            .iter()
            .filter(|t| t.start_ts.to_datetime().with_timezone(&tz).hour() >= 23)
            .count();
        assert!(
            after_close > 0,
            "nobody served after closing at store {store}"
        );
        assert_eq!(txns.len() + cancelled(&events), model.arrival_log.len());
    }
}

/// A run from a UTC instant starts with the store already trading: the
/// warm-up hours are simulated, and only events from the start come out.
#[test]
fn utc_runs_start_warm() {
    let start = SimTime(1_795_964_400_000_000); // 2026-11-24T15:00:00Z, 10:00 in New York
    let span = RunSpan::Utc {
        start,
        end: start.plus_micros(10 * MICROS_PER_MIN),
    };
    let (events, model) = run(0, 4, span, MICROS_PER_MIN);
    assert_eq!(model.emit_from(), start);
    assert!(model.span().0 < start);
    assert!(events.iter().all(|e| e.event.ts() >= start));
    let first = events.first().expect("events").event.ts();
    assert!(
        first.0 - start.0 < MICROS_PER_MIN,
        "first event {first} is not near the start"
    );
}

/// Late and duplicate deliveries move events in the stream and repeat
/// some, but change no event: after de-duplication the events are those of
/// the clean run. The stream stays ordered by delivery time.
#[test]
fn late_and_duplicate_deliveries_change_no_event() {
    use crate::params::DeliveryParams;
    let clean_world = testing::world();
    let mut noisy = (*clean_world).clone();
    noisy.params.delivery = DeliveryParams {
        late_share: 0.05,
        late_delay_us: (5 * MICROS_PER_SEC, 600 * MICROS_PER_SEC),
        duplicate_share: 0.02,
        duplicate_delay_us: (0, 30 * MICROS_PER_SEC),
    };
    let simulate = |world: Arc<World>| {
        let mut model = ChainStore::new(world, 0, 9, TUESDAY);
        let (start, end) = model.span();
        let mut out = Vec::new();
        let mut t = start;
        while t < end || !model.is_done() {
            t = t.plus_micros(7 * MICROS_PER_MIN);
            model.advance(t, &mut out);
        }
        (out, model.counters())
    };
    let (clean, _) = simulate(clean_world);
    let (noisy, counters) = simulate(Arc::new(noisy));
    assert!(noisy.windows(2).all(|w| w[0].key() < w[1].key()));
    // Every event once, as in the clean run.
    let text = |events: &[Stamped]| {
        let mut v: Vec<String> = events.iter().map(|s| format!("{:?}", s.event)).collect();
        v.sort();
        v
    };
    let mut deduped = text(&noisy);
    deduped.dedup();
    assert_eq!(deduped, text(&clean));
    assert_eq!(noisy.len() as u64, clean.len() as u64 + counters.duplicates);
    // Rates within 4 standard deviations; delays within their ranges.
    let n = clean.len() as f64;
    for (count, share) in [(counters.late, 0.05), (counters.duplicates, 0.02)] {
        let sd = (n * share * (1.0 - share)).sqrt();
        assert!(
            (count as f64 - n * share).abs() < 4.0 * sd,
            "{count} of {n}"
        );
    }
    let mut first_seen = std::collections::BTreeSet::new();
    let mut out_of_order = 0;
    let mut latest = SimTime(i64::MIN);
    for s in &noisy {
        let delay = s.at.0 - s.event.ts().0;
        assert!((0..=630 * MICROS_PER_SEC).contains(&delay), "{delay}");
        if first_seen.insert(format!("{:?}", s.event)) && delay > 0 {
            assert!(delay >= 5 * MICROS_PER_SEC, "{delay}");
        }
        out_of_order += usize::from(s.event.ts() < latest);
        latest = latest.max(s.event.ts());
    }
    assert!(out_of_order > 100, "{out_of_order}");
}
