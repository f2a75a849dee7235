//! The chain scenario's statistics against its sourced defaults.
//!
//! Every test runs a fixed seed over a sample of stores, so the numbers are
//! the same on every run; tolerances are derived beside each assertion.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use storesim_scenarios::{Overrides, Scenario};
use storesim_sim::chain::SELF_CHECKOUT_BASE;
use storesim_sim::chain::{PaymentMethod, TransactionEvent};
use storesim_sim::event::Event;
use storesim_sim::time::MICROS_PER_HOUR;
use storesim_sim::StoreCounters;
use storesim_sim::{ChainStore, RunSpan, Stamped, World};

const STORES: usize = 40;

fn world() -> Arc<World> {
    Scenario::load("chain")
        .unwrap()
        .build_world(&Overrides {
            stores: Some(STORES),
            items: None,
        })
        .unwrap()
}

struct Day {
    events: Vec<Stamped>,
    counters: Vec<StoreCounters>,
}

fn simulate(world: &Arc<World>, date: NaiveDate, seed: u64) -> Day {
    let mut events = Vec::new();
    let mut counters = Vec::new();
    for i in 0..world.stores.len() {
        let mut m = ChainStore::new(
            Arc::clone(world),
            i,
            seed,
            RunSpan::LocalDays {
                first: date,
                days: 1,
            },
        );
        let (_, end) = m.span();
        let mut t = m.span().0;
        while t < end || !m.is_done() {
            t = t.plus_micros(MICROS_PER_HOUR);
            m.advance(t, &mut events);
        }
        counters.push(m.counters());
    }
    Day { events, counters }
}

fn txns(day: &Day) -> Vec<&TransactionEvent> {
    day.events
        .iter()
        .filter_map(|s| match &s.event {
            Event::Transaction(t) => Some(&**t),
            _ => None,
        })
        .collect()
}

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[test]
fn ordinary_weekday_matches_sourced_defaults() {
    let world = world();
    let day = simulate(&world, date(24), 7);
    let t = txns(&day);
    let n = t.len() as f64;
    let per_store = n / STORES as f64;
    // The band for an ordinary weekday: 2,000-4,000 baskets a store.
    assert!(
        (2000.0..=4000.0).contains(&per_store),
        "baskets per store {per_store}"
    );
    let mut by_store: BTreeMap<u32, usize> = BTreeMap::new();
    for x in &t {
        *by_store.entry(x.store_id).or_default() += 1;
    }
    let (lo, hi) = (
        by_store.values().min().unwrap(),
        by_store.values().max().unwrap(),
    );
    assert!(*lo >= 1500 && *hi <= 4500, "store range {lo}..{hi}");

    // Units per basket: VideoMining 10.7. With n ~ 110k baskets and a
    // standard deviation ~15 units, the standard error is ~0.05; the band
    // of +-1 unit is the calibration tolerance, not noise.
    let units: Vec<u32> = t.iter().map(|x| x.item_count).collect();
    let mean_units = units.iter().map(|&u| f64::from(u)).sum::<f64>() / n;
    assert!(
        (9.7..=11.7).contains(&mean_units),
        "mean units {mean_units}"
    );
    let mut lines: Vec<u16> = t.iter().map(|x| x.line_count).collect();
    lines.sort_unstable();
    let median = lines[lines.len() / 2];
    assert!((4..=6).contains(&median), "median lines {median}");
    let single = lines.iter().filter(|&&l| l == 1).count() as f64 / n;
    assert!(
        (0.10..=0.20).contains(&single),
        "single-line share {single}"
    );

    // Self-checkout: FMI 29%; binomial s.e. at n ~ 110k is 0.0014.
    let self_share = t
        .iter()
        .filter(|x| x.register >= SELF_CHECKOUT_BASE)
        .count() as f64
        / n;
    assert!(
        (0.25..=0.33).contains(&self_share),
        "self-checkout share {self_share}"
    );

    // Payment mix: s.e. <= 0.0015, so +-0.01 is over 6 s.e.
    for (method, want) in PaymentMethod::ALL.iter().zip([0.41, 0.36, 0.17, 0.06]) {
        let got = t.iter().filter(|x| x.payment_method == *method).count() as f64 / n;
        assert!((got - want).abs() < 0.01, "{method:?}: {got} vs {want}");
    }
    // Members: 50%, s.e. 0.0015.
    let members = t.iter().filter(|x| x.customer_id.is_some()).count() as f64 / n;
    assert!((members - 0.5).abs() < 0.01, "member share {members}");

    // Ticket: supermarkets $30-45 (FMI; VideoMining-derived), supercenters
    // $53 in 2002 dollars (ACNielsen). The Apex category mix (appliances,
    // furniture, electronics beside groceries) is a supercenter's: $30-70.
    let ticket = t.iter().map(|x| x.total.cents()).sum::<i64>() as f64 / n / 100.0;
    assert!((30.0..=70.0).contains(&ticket), "mean ticket {ticket}");

    // Waits: M/A/R/C: satisfaction drops after 4 minutes; mean under 4.
    let mean_wait = t.iter().map(|x| f64::from(x.queue_wait_ms)).sum::<f64>() / n / 60_000.0;
    assert!(mean_wait < 4.0, "mean wait {mean_wait} min");
    eprintln!(
        "per store {per_store:.0}, units {mean_units:.2}, median lines {median}, single {single:.3}, \
         self {self_share:.3}, members {members:.3}, ticket {ticket:.2}, wait {mean_wait:.2} min"
    );
}

/// Arrivals per local hour follow the weekday curve: a chi-square test
/// over the 17 open hours (16 degrees of freedom; the 0.999 quantile is
/// 39.3, and a fixed seed makes the statistic the same on every run).
#[test]
fn hourly_shape_follows_the_curve() {
    let world = world();
    let day = simulate(&world, date(24), 11);
    let mut observed = [0u64; 24];
    for c in &day.counters {
        for (slot, n) in observed.iter_mut().zip(c.arrivals_by_hour) {
            *slot += n;
        }
    }
    let total: u64 = observed.iter().sum();
    let curve = &world
        .calendar
        .curves
        .iter()
        .find(|c| c.name == "weekday")
        .unwrap()
        .shares;
    let mut chi2 = 0.0;
    for h in 0..24 {
        let expected = curve[h] * total as f64;
        if expected == 0.0 {
            assert_eq!(observed[h], 0, "arrivals at closed hour {h}");
            continue;
        }
        chi2 += (observed[h] as f64 - expected).powi(2) / expected;
    }
    assert!(chi2 < 39.3, "chi-square {chi2}");
}

#[test]
fn black_friday_is_busier_than_the_tuesday_before() {
    let world = world();
    let tuesday = txns(&simulate(&world, date(24), 5)).len() as f64;
    let friday = txns(&simulate(&world, date(27), 5)).len() as f64;
    let thursday = txns(&simulate(&world, date(26), 5)).len();
    // Friday x1.08, Black Friday x1.5, Tuesday x0.93: expected ratio 1.74.
    assert!(
        friday / tuesday > 1.5,
        "Black Friday / Tuesday = {}",
        friday / tuesday
    );
    assert_eq!(thursday, 0, "Thanksgiving is closed");
}

/// Item popularity: the top 20% of SKUs carry about 80% of units
/// (Balvor/NACS 2010). ~1.2 M units over 32,000 items leaves sampling noise
/// of a few tenths of a percent at the top; the band is +-0.06.
#[test]
fn top_fifth_of_items_carry_most_units() {
    let world = world();
    let day = simulate(&world, date(24), 3);
    let mut units: BTreeMap<u32, u64> = BTreeMap::new();
    for s in &day.events {
        if let Event::Scan(x) = &s.event {
            *units.entry(x.sku).or_default() += u64::from(x.quantity);
        }
    }
    let mut counts: Vec<u64> = world
        .items
        .iter()
        .map(|i| units.get(&i.item_id).copied().unwrap_or(0))
        .collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = counts.iter().sum();
    let top: u64 = counts[..counts.len() / 5].iter().sum();
    let share = top as f64 / total as f64;
    assert!((0.74..=0.86).contains(&share), "top 20% share {share}");
}
