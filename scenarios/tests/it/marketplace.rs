//! The marketplace's defining behaviour with fixed seeds: whole snapshots,
//! price and stock moves within their rules, the invalid-category rate,
//! and the customer's pricing rules applied to every listing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use storesim_scenarios::{Overrides, Scenario};
use storesim_sim::marketplace::{ListingEvent, MarketplaceModel, MarketplaceParams, StockStatus};
use storesim_sim::time::MICROS_PER_HOUR;
use storesim_sim::{Event, RunSpan, World};

const VENDORS: usize = 60;
const DAYS: u32 = 3;

fn world() -> Arc<World> {
    Scenario::load("marketplace")
        .unwrap()
        .build_world(&Overrides {
            stores: Some(VENDORS),
            items: None,
        })
        .unwrap()
}

fn params(world: &World) -> &MarketplaceParams {
    world.model.downcast().expect("a marketplace world")
}

/// Each vendor's listings, in publication order.
fn simulate(world: &Arc<World>, seed: u64) -> Vec<Vec<ListingEvent>> {
    (0..world.stores.len())
        .map(|i| {
            let span = RunSpan::LocalDays {
                // Monday to Wednesday.
                first: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
                days: DAYS,
            };
            let mut m = MarketplaceModel::new(Arc::clone(world), i, seed, span);
            let (mut t, end) = m.span();
            let mut events = Vec::new();
            while t < end || !m.is_done() {
                t = t.plus_micros(3 * MICROS_PER_HOUR);
                m.advance(t, &mut events);
            }
            events
                .into_iter()
                .map(|s| match s.event {
                    Event::Listing(l) => *l,
                    other => panic!("a vendor emitted {:?}", other.kind()),
                })
                .collect()
        })
        .collect()
}

#[test]
fn snapshots_move_prices_and_stock_within_their_rules() {
    let world = world();
    let p = params(&world);
    let vendors = simulate(&world, 5);
    let valid: BTreeSet<&str> = world
        .categories
        .iter()
        .map(|c| c.category_name.as_str())
        .collect();
    let (mut listings, mut invalid, mut moved, mut compared, mut snapshots) = (0, 0, 0, 0, 0);
    let mut restocked = 0;
    for events in &vendors {
        // Snapshots: every listing of the vendor once, at one instant.
        let mut by_snapshot: BTreeMap<_, Vec<&ListingEvent>> = BTreeMap::new();
        for l in events {
            by_snapshot.entry(l.snapshot_id).or_default().push(l);
        }
        let catalog: BTreeSet<u32> = by_snapshot
            .values()
            .next()
            .unwrap()
            .iter()
            .map(|l| l.product_id)
            .collect();
        let (lo, hi) = p.products_per_vendor;
        assert!((lo as usize..=hi as usize).contains(&catalog.len()));
        let mut ordered: Vec<&Vec<&ListingEvent>> = by_snapshot.values().collect();
        ordered.sort_by_key(|s| s[0].ts);
        snapshots += ordered.len();
        let mut last: BTreeMap<u32, &ListingEvent> = BTreeMap::new();
        for snap in ordered {
            let ids: Vec<u32> = snap.iter().map(|l| l.product_id).collect();
            assert_eq!(
                ids.len(),
                catalog.len(),
                "a snapshot lists every product once"
            );
            assert_eq!(ids.iter().copied().collect::<BTreeSet<_>>(), catalog);
            assert!(snap.iter().all(|l| l.ts == snap[0].ts));
            for l in snap {
                listings += 1;
                if !valid.contains(l.category.as_str()) {
                    invalid += 1;
                    assert!(p.invalid_categories.contains(&l.category), "{l:?}");
                }
                // Never above list price, never below the floor.
                assert!(l.sale_price <= l.list_price, "{l:?}");
                assert!(
                    l.sale_price.cents() * 10_000 >= l.list_price.cents() * p.floor_bp - 10_000
                );
                assert_eq!(l.stock_status, StockStatus::of(l.stock_qty, p.low_stock));
                if let Some(prev) = last.insert(l.product_id, l) {
                    compared += 1;
                    if prev.sale_price != l.sale_price {
                        moved += 1;
                        // One move of at most max_price_move_pct (plus a cent).
                        let limit = prev.sale_price.cents() * p.max_price_move_bp / 10_000 + 1;
                        assert!(
                            (l.sale_price.cents() - prev.sale_price.cents()).abs() <= limit,
                            "{prev:?} -> {l:?}"
                        );
                    }
                    // Stock only falls, unless a listing that fell to the
                    // threshold was restocked with restock_units.
                    let (a, b) = p.restock_units;
                    assert!(
                        l.stock_qty <= prev.stock_qty
                            || (a..=p.low_stock + b).contains(&l.stock_qty),
                        "{prev:?} -> {l:?}"
                    );
                    restocked += usize::from(l.stock_qty > prev.stock_qty);
                }
            }
        }
    }
    assert!(restocked > 100, "{restocked} restocks");
    // Invalid categories: the configured share, within 4 sd.
    let share = invalid as f64 / listings as f64;
    let q = p.invalid_category_share;
    let sd = (q * (1.0 - q) / listings as f64).sqrt();
    assert!(
        (share - q).abs() <= 4.0 * sd,
        "invalid categories {share:.5} of {listings}, expected {q} +- {:.5}",
        4.0 * sd
    );
    // Prices move at some snapshots, never more often than the share (a
    // move up at list price is clamped away).
    let moved_share = moved as f64 / compared as f64;
    assert!(
        moved_share > p.price_move_share / 4.0 && moved_share <= p.price_move_share,
        "{moved_share:.4} of listings moved"
    );
    // Snapshots a weekday: 24 per vendor (Poisson), within 4 sd.
    let expected = world.params.traffic.baskets_per_day * f64::from(DAYS) * VENDORS as f64;
    assert!(
        (snapshots as f64 - expected).abs() <= 4.0 * expected.sqrt(),
        "{snapshots} snapshots, expected {expected}"
    );
}

#[test]
fn pricing_rules_set_the_dynamic_price() {
    let world = world();
    let p = params(&world);
    assert_eq!(p.pricing.len(), 3);
    let vendors = simulate(&world, 8);
    let mut fired: BTreeMap<&str, usize> = BTreeMap::new();
    for l in vendors.iter().flatten() {
        // The first rule that matches, applied to the sale price.
        match p.pricing.iter().find(|r| r.matches(l)) {
            Some(rule) => {
                assert_eq!(l.pricing_rule.as_deref(), Some(rule.name.as_str()), "{l:?}");
                let expected = l.sale_price.cents()
                    + (l.sale_price.cents() * rule.adjust_bp).signum()
                        * ((l.sale_price.cents() * rule.adjust_bp).abs() + 5_000)
                        / 10_000;
                assert_eq!(l.dynamic_price.cents(), expected.max(1), "{l:?}");
                *fired.entry(rule.name.as_str()).or_default() += 1;
            }
            None => {
                assert_eq!(l.pricing_rule, None);
                assert_eq!(l.dynamic_price, l.sale_price);
            }
        }
    }
    for rule in &p.pricing {
        assert!(
            fired.get(rule.name.as_str()).copied().unwrap_or(0) > 10,
            "{} never fired: {fired:?}",
            rule.name
        );
    }
}
