//! The smoothie scenario's defining statistics: the demo's member share,
//! discount, supplements, items per order and restock rule, and what
//! storesim adds (hours, anomalies, stock-outs), with fixed seeds.
//!
//! Tolerances are 4 standard deviations of a binomial share, so a correct
//! model fails about once in 15,000 seeds; the seeds are fixed, so the
//! numbers are the same on every run.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use storesim_scenarios::{Overrides, Scenario};
use storesim_sim::smoothie::{PurchaseEvent, SmoothieModel, SmoothieParams};
use storesim_sim::time::MICROS_PER_HOUR;
use storesim_sim::{Event, Money, RunSpan, SimTime, Stamped, World};

const BARS: usize = 20;
const FIRST: NaiveDate = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
const DAYS: u32 = 14;

fn world() -> Arc<World> {
    Scenario::load("smoothie")
        .unwrap()
        .build_world(&Overrides {
            stores: Some(BARS),
            items: None,
        })
        .unwrap()
}

fn params(world: &World) -> &SmoothieParams {
    world.model.downcast().expect("a smoothie world")
}

/// Every bar's events over the span, bar by bar, each in delivery order.
fn simulate(world: &Arc<World>, seed: u64) -> Vec<Vec<Stamped>> {
    (0..world.stores.len())
        .map(|i| {
            let span = RunSpan::LocalDays {
                first: FIRST,
                days: DAYS,
            };
            let mut m = SmoothieModel::new(Arc::clone(world), i, seed, span);
            let (mut t, end) = m.span();
            let mut events = Vec::new();
            while t < end || !m.is_done() {
                t = t.plus_micros(MICROS_PER_HOUR);
                m.advance(t, &mut events);
            }
            events
        })
        .collect()
}

fn purchases(bars: &[Vec<Stamped>]) -> Vec<&PurchaseEvent> {
    bars.iter()
        .flatten()
        .filter_map(|s| match &s.event {
            Event::Purchase(p) => Some(&**p),
            _ => None,
        })
        .collect()
}

/// `|share - p| <= 4 sd` for `hits` of `n` draws.
fn assert_share(what: &str, hits: usize, n: usize, p: f64) {
    assert!(n > 500, "{what}: only {n} draws");
    let share = hits as f64 / n as f64;
    let sd = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (share - p).abs() <= 4.0 * sd,
        "{what}: {share:.4} of {n}, expected {p} +- {:.4}",
        4.0 * sd
    );
}

fn local(world: &World, store_id: u32, t: SimTime) -> NaiveDateTime {
    let store = world
        .stores
        .iter()
        .find(|s| s.store_id == store_id)
        .unwrap();
    t.to_datetime().with_timezone(&store.tz).naive_local()
}

#[test]
fn purchases_follow_the_demo_rules() {
    let world = world();
    let p = params(&world);
    let bars = simulate(&world, 7);
    let lines = purchases(&bars);
    // Members: 3 in 10 customers, 10% off; one customer per transaction.
    let mut member_by_txn = BTreeMap::new();
    for l in &lines {
        let was = member_by_txn.insert(l.transaction_id, l.is_member);
        assert!(was.is_none_or(|m| m == l.is_member), "{l:?}");
        assert_eq!(l.member_discount, if l.is_member { 1000 } else { 0 });
        // Supplements cost $1.99 when added, nothing otherwise.
        let supplement = if l.add_supplements { 199 } else { 0 };
        assert_eq!(l.supplement_price, Money::from_cents(supplement), "{l:?}");
        // The demo's total: quantity x (price + supplement), less the
        // member discount, to the cent.
        let gross = (l.price.cents() + supplement) * i64::from(l.quantity);
        let expected = gross - (gross * l.member_discount + 5_000) / 10_000;
        assert_eq!(l.total_purchase.cents(), expected, "{l:?}");
        assert!((1..=3).contains(&l.quantity));
    }
    let members = member_by_txn.values().filter(|&&m| m).count();
    assert_share("member share", members, member_by_txn.len(), 0.3);
    // Supplements: 5 in 10 for SF and SC smoothies, 2 in 10 for the rest.
    let (group, other): (Vec<_>, Vec<_>) = lines
        .iter()
        .partition(|l| l.product_id.starts_with("SF") || l.product_id.starts_with("SC"));
    let added = |v: &[&&PurchaseEvent]| v.iter().filter(|l| l.add_supplements).count();
    assert_share("SF/SC supplements", added(&group), group.len(), 0.5);
    assert_share("other supplements", added(&other), other.len(), 0.2);
    // Quantity 1 in 24 of 30 lines, 3 in 1 of 30.
    let q1 = lines.iter().filter(|l| l.quantity == 1).count();
    let q3 = lines.iter().filter(|l| l.quantity == 3).count();
    assert_share("quantity 1", q1, lines.len(), 24.0 / 30.0);
    assert_share("quantity 3", q3, lines.len(), 1.0 / 30.0);
    // Products per transaction (sold and lost lines): 13 in 20 single.
    let mut per_txn: BTreeMap<_, usize> = BTreeMap::new();
    for s in bars.iter().flatten() {
        if let (Event::Purchase(_) | Event::LostSale(_), Some(txn)) =
            (&s.event, s.event.transaction_id())
        {
            *per_txn.entry(txn).or_default() += 1;
        }
    }
    let single = per_txn.values().filter(|&&n| n == 1).count();
    assert_share("single-product orders", single, per_txn.len(), 13.0 / 20.0);
    assert!(per_txn.values().all(|&n| (1..=3).contains(&n)));
    // Propensity: the heaviest product's share of lines is its weight's
    // share of the total (lost lines are drawn the same way).
    let total: u32 = p.products.iter().map(|x| x.weight).sum();
    let top = p.products.iter().max_by_key(|x| x.weight).unwrap();
    let picked = bars
        .iter()
        .flatten()
        .filter(|s| match &s.event {
            Event::Purchase(l) => l.product_id == top.product_id,
            Event::LostSale(l) => l.product_id == top.product_id,
            _ => false,
        })
        .count();
    let drawn: usize = per_txn.values().sum();
    assert_share(
        &format!("{} picks", top.product_id),
        picked,
        drawn,
        f64::from(top.weight) / f64::from(total),
    );
}

#[test]
fn stock_follows_the_restock_rule_and_runs_out() {
    let world = world();
    let p = params(&world);
    let bars = simulate(&world, 11);
    let index: BTreeMap<&str, usize> = p
        .products
        .iter()
        .enumerate()
        .map(|(i, x)| (x.product_id.as_str(), i))
        .collect();
    let (mut restocks, mut lost) = (0, 0);
    for events in &bars {
        // Replay the bar in event-time order: the menu's opening stock,
        // minus every sale, plus every delivery.
        let mut ordered: Vec<&Stamped> = events.iter().collect();
        ordered.sort_by_key(|s| (s.event.ts(), s.seq));
        let mut level: Vec<u32> = p.products.iter().map(|x| x.inventory).collect();
        // When each product last fell to the threshold without a delivery since.
        let mut low_since: Vec<Option<SimTime>> = vec![None; level.len()];
        let (lead_lo, lead_hi) = p.restock_lead_us;
        let mut products_seen = 0;
        for s in ordered {
            match &s.event {
                Event::Product(e) => {
                    products_seen += 1;
                    assert_eq!(e.inventory_level, level[index[e.product_id.as_str()]]);
                }
                Event::Purchase(e) => {
                    let i = index[e.product_id.as_str()];
                    assert!(
                        level[i] >= u32::from(e.quantity),
                        "sold more than on hand: {e:?}"
                    );
                    level[i] -= u32::from(e.quantity);
                    if level[i] <= p.restock_threshold && low_since[i].is_none() {
                        low_since[i] = Some(e.transaction_time.0);
                    }
                }
                Event::LostSale(e) => {
                    let i = index[e.product_id.as_str()];
                    assert_eq!(e.stock_level, level[i], "{e:?}");
                    assert!(e.stock_level < u32::from(e.quantity), "{e:?}");
                    assert!(
                        low_since[i].is_some(),
                        "a stock-out without an order: {e:?}"
                    );
                    lost += 1;
                }
                Event::Inventory(e) => {
                    let i = index[e.product_id.as_str()];
                    assert_eq!(e.existing_level, level[i], "{e:?}");
                    assert_eq!(e.stock_quantity, p.restock_quantity);
                    assert_eq!(e.new_level, e.existing_level + e.stock_quantity);
                    // Ordered when the level fell to the threshold; delivered
                    // within the lead time.
                    let ordered_at = low_since[i].take().expect("a delivery nobody ordered");
                    let lead = e.event_time.0.as_micros() - ordered_at.as_micros();
                    assert!((lead_lo..=lead_hi).contains(&lead), "lead {lead} us: {e:?}");
                    level[i] = e.new_level;
                    if level[i] <= p.restock_threshold {
                        low_since[i] = Some(e.event_time.0);
                    }
                    restocks += 1;
                }
                other => panic!("a smoothie bar emitted {:?}", other.kind()),
            }
        }
        assert_eq!(products_seen, p.products.len());
    }
    assert!(restocks > 100, "{restocks} restocks");
    // Deliveries take hours, so runs on popular products sell out.
    assert!(lost > 10, "{lost} lost sales");
}

#[test]
fn hours_and_anomalies_shape_the_day() {
    let world = world();
    let bars = simulate(&world, 3);
    let lines = purchases(&bars);
    let minute = |t: NaiveDateTime| t.hour() * 60 + t.minute();
    for l in &lines {
        let t = local(&world, l.store_id, l.transaction_time.0);
        let day = world.calendar.day(t.date());
        let hours = day
            .hours
            .unwrap_or_else(|| panic!("a sale on a closed day: {l:?}"));
        let m = minute(t);
        assert!(
            hours.open_min <= m && m < hours.close_min,
            "a sale at {t} outside {hours:?}: {l:?}"
        );
    }
    // Outage: no sale at bar 1101 from 15:00 to 15:45 on 2026-11-23.
    let outage = &world.calendar.anomalies[1];
    assert!(world.stores.iter().any(|s| s.store_id == 1101));
    assert!(!lines
        .iter()
        .any(|l| l.store_id == 1101 && outage.contains(local(&world, 1101, l.transaction_time.0))));
    // Promotion: Superfoods smoothies 20% off in the window, full price outside.
    let promo = &world.calendar.anomalies[2];
    let mut promoted = 0;
    for l in &lines {
        let t = local(&world, l.store_id, l.transaction_time.0);
        let expected = match (l.product_id.starts_with("SF"), promo.contains(t)) {
            (true, true) => {
                promoted += 1;
                479
            }
            (true, false) | (false, _) if l.product_id.starts_with("CS") => 499,
            (false, _) if l.product_id.starts_with("IS") => 549,
            _ => 599,
        };
        assert_eq!(l.price.cents(), expected, "{l:?}");
    }
    assert!(promoted > 50, "{promoted} promoted lines");
    // Storm: 0.4x the customers of the same hours without it.
    let mut calm = (*world).clone();
    calm.calendar.anomalies.clear();
    let calm = simulate(&Arc::new(calm), 3);
    let storm = &world.calendar.anomalies[0];
    let orders_in = |lines: &[&PurchaseEvent]| {
        let mut txns: Vec<_> = lines
            .iter()
            .filter(|l| storm.contains(local(&world, l.store_id, l.transaction_time.0)))
            .map(|l| l.transaction_id)
            .collect();
        txns.dedup();
        txns.len() as f64
    };
    let (stormy, normal) = (orders_in(&lines), orders_in(&purchases(&calm)));
    // Poisson counts: sd of the ratio r is r * sqrt(1/a + 1/b).
    let ratio = stormy / normal;
    let sd = ratio * (1.0 / stormy + 1.0 / normal).sqrt();
    assert!(normal > 1000.0, "{normal} orders in the storm's hours");
    assert!(
        (ratio - storm.multiplier).abs() <= 4.0 * sd,
        "storm ratio {ratio:.3} (+- {:.3}), expected {}",
        4.0 * sd,
        storm.multiplier
    );
}
