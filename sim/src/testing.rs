//! Test fixtures: a small synthetic world with the chain scenario's shape.
//!
//! Enabled for this crate's tests and, through the `testing` feature, for
//! other crates' tests and benches.

use std::sync::Arc;

use chrono::Weekday;

use crate::calendar::{Calendar, Curve, DateRule, Holiday, Hours, HoursOverride, WeekdayRule};
use crate::catalog::{
    build_items, build_stores, Category, ItemPicker, ItemRecord, NameParts, StoreClass, StoreRecord,
};
use crate::money::Money;
use crate::params::{
    BasketParams, CheckoutParams, LoyaltyParams, ModelParams, PaymentParams, ShoppingParams,
    StaffingParams, TrafficParams,
};
use crate::world::World;

/// A weekday-style curve: low at opening, peaks at 11-13 and 15-18.
pub fn weekday_curve() -> [f64; 24] {
    let raw = [
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 3.0, 4.5, 5.5, 6.5, 8.0, 8.5, 7.0, 7.0, 8.0, 8.5, 8.5,
        7.5, 6.0, 4.5, 3.0, 2.0, 0.0,
    ];
    normalise(raw)
}

/// Scales weights to sum to 1.
pub fn normalise(raw: [f64; 24]) -> [f64; 24] {
    let sum: f64 = raw.iter().sum();
    raw.map(|w| w / sum)
}

/// The chain scenario's model parameters (see `scenarios/chain.toml` for sources).
pub fn params() -> ModelParams {
    ModelParams {
        churn: crate::params::ChurnParams::default(),
        delivery: crate::params::DeliveryParams::default(),
        traffic: TrafficParams {
            baskets_per_day: 2600.0,
        },
        basket: BasketParams {
            lines_lognormal_mu: 1.2,
            lines_lognormal_sigma: 1.2,
            max_lines: 120,
            multi_unit_share: 0.12,
            max_quantity: 12,
            zipf_exponent: 1.0,
        },
        shopping: ShoppingParams {
            base_s: 240.0,
            per_line_s: 45.0,
            noise_sigma: 0.4,
            max_s: 5400.0,
        },
        checkout: CheckoutParams {
            greet_s: 4.0,
            scan_s_per_item: 2.7,
            self_scan_s_per_item: 5.0,
            self_max_items: 15,
            self_choice_share: 0.4,
            contactless_s: 13.2,
            chip_s: 23.8,
            contactless_share: 0.6,
            mobile_s: 11.8,
            cash_small_s: 15.2,
            cash_large_s: 32.9,
            payment_noise_sigma: 0.25,
            void_share: 0.005,
            void_delay_s: (60, 180),
            void_resends_original: false,
        },
        payment: PaymentParams {
            shares: [0.41, 0.36, 0.17, 0.06],
        },
        loyalty: LoyaltyParams {
            member_share: 0.5,
            discount_bp: 2000,
            member_price_item_share: 0.22,
            members_per_store: 20_000,
        },
        staffing: StaffingParams {
            target_utilization: 0.85,
            planning_service_s: 55.0,
            planning_staffed_share: 0.7,
        },
    }
}

/// A world of three stores (New York, Los Angeles, Honolulu), three
/// categories and 60 items; open 06:00-23:00, Thanksgiving closed, Black
/// Friday x1.5.
pub fn world() -> Arc<World> {
    let records = vec![
        store_record(1101, "New York", "NY", "America/New_York"),
        store_record(1109, "Los Angeles", "CA", "America/Los_Angeles"),
        store_record(1117, "Honolulu", "HI", "Pacific/Honolulu"),
    ];
    let classes = vec![StoreClass {
        name: "medium".into(),
        share: 1.0,
        traffic: 1.0,
        registers: 8,
        self_checkouts: 4,
    }];
    let stores = build_stores(&records, 3, &classes, &|_| 800, 7).expect("stores");
    let categories = vec![
        category(20100, "Groceries", 200, 0.70, false),
        category(20160, "Health", 1200, 0.20, true),
        category(20380, "Kitchenware", 700, 0.10, true),
    ];
    let item_records: Vec<ItemRecord> = (0..60u32)
        .map(|i| ItemRecord {
            category: categories[(i % 3) as usize].category_code,
            id: 12_345 + i,
            price: Money(99 + i64::from(i) * 37),
            upc: 10_000_000_000 + u64::from(i),
            repl_qty: 12,
            popularity: (i % 4 + 1) as u8,
        })
        .collect();
    let names = |_| {
        Some(NameParts {
            brands: vec!["Acme".into()],
            descriptors: vec!["Fresh".into()],
            products: vec!["Thing".into()],
            cost_ratio: 0.6,
        })
    };
    let p = params();
    let items = build_items(
        &item_records,
        60,
        &categories,
        &names,
        p.loyalty.member_price_item_share,
        7,
    )
    .expect("items");
    let picker = ItemPicker::new(&categories, &items, p.basket.zipf_exponent).expect("picker");
    let open = WeekdayRule {
        hours: Some(Hours {
            open_min: 6 * 60,
            close_min: 23 * 60,
        }),
        multiplier: 1.0,
        curve: 0,
    };
    let thanksgiving = DateRule::NthWeekday {
        nth: 4,
        weekday: Weekday::Thu,
        month: 11,
    };
    let calendar = Calendar {
        week: std::array::from_fn(|_| open.clone()),
        holidays: vec![
            Holiday {
                name: "Thanksgiving".into(),
                rule: thanksgiving,
                offset_days: 0,
                hours: HoursOverride::Closed,
                multiplier: 1.0,
                curve: None,
            },
            Holiday {
                name: "Black Friday".into(),
                rule: thanksgiving,
                offset_days: 1,
                hours: HoursOverride::Inherit,
                multiplier: 1.5,
                curve: None,
            },
        ],
        curves: vec![Curve {
            name: "weekday".into(),
            shares: weekday_curve(),
        }],
        anomalies: Vec::new(),
    };
    Arc::new(World {
        name: "test".into(),
        calendar,
        params: p,
        stores,
        categories,
        items,
        picker,
        model: std::sync::Arc::new(crate::models::chain::Chain),
    })
}

fn store_record(id: u32, city: &str, state: &str, zone: &str) -> StoreRecord {
    StoreRecord {
        id,
        address: "1 Main Street".into(),
        city: city.into(),
        state: state.into(),
        zipcode: "00000".into(),
        longitude: 0.0,
        latitude: 0.0,
        zone: zone.into(),
    }
}

fn category(code: u32, name: &str, avg_cents: i64, frequency: f64, taxable: bool) -> Category {
    Category {
        category_code: code,
        category_name: name.into(),
        category_description: name.into(),
        ytd_sales: 1,
        avg_price: Money(avg_cents),
        frequency,
        taxable,
    }
}
