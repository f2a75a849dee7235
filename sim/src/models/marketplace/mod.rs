//! The marketplace: vendors publish their product listings and republish
//! snapshots at random intervals, with price moves and stock changes, an
//! occasional invalid category for quarantine tests, and customer-defined
//! dynamic prices (pricing rules applied to every listing).
//!
//! Each "store" of a marketplace world is a vendor. Its snapshots arrive by
//! the shared [`Arrivals`] process (the vendor's local hours and curves;
//! `traffic.baskets_per_day` is snapshots a day), and each snapshot
//! republishes every listing of the vendor at one instant.

use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use serde::Serialize;

use crate::arrivals::Arrivals;
use crate::catalog::splitmix64;
use crate::event::EventKind;
use crate::event::{Event, Record, Stamped, TxnId, TxnIds};
use crate::model::StoreCounters;
use crate::model::{params_of, GroupSpec, Key, Model, StoreProcess, Sum};
use crate::money::Money;
use crate::outbox::Outbox;
use crate::rng::{stream, StreamKind};
use crate::schema::{Field, Schema, Type, MONEY, TIMESTAMP};
use crate::time::SimTime;
use crate::world::{RunSpan, World};

mod setup;

pub use setup::ENTRY;

/// A listing's stock status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StockStatus {
    /// More than the low-stock threshold.
    InStock,
    /// 1 to the threshold.
    LowStock,
    /// None left.
    OutOfStock,
}

impl StockStatus {
    /// The status of `qty` units with threshold `low`.
    pub fn of(qty: u32, low: u32) -> StockStatus {
        match qty {
            0 => StockStatus::OutOfStock,
            q if q <= low => StockStatus::LowStock,
            _ => StockStatus::InStock,
        }
    }

    /// `in_stock`, `low_stock`, `out_of_stock`.
    pub fn as_str(self) -> &'static str {
        match self {
            StockStatus::InStock => "in_stock",
            StockStatus::LowStock => "low_stock",
            StockStatus::OutOfStock => "out_of_stock",
        }
    }
}

/// A customer's pricing rule: listings that match get `adjust_bp` on their
/// sale price. The first rule that matches applies.
#[derive(Debug, Clone, PartialEq)]
pub struct PricingRule {
    /// Name, written in `pricing_rule`.
    pub name: String,
    /// Category names it applies to; empty for all.
    pub categories: Vec<String>,
    /// Stock statuses it applies to; empty for all.
    pub stock_status: Vec<StockStatus>,
    /// Vendors it applies to; empty for all.
    pub vendors: Vec<u32>,
    /// Least discount off list price (basis points) for it to apply.
    pub min_discount_bp: i64,
    /// Change of the sale price, basis points (-1000 is 10% off).
    pub adjust_bp: i64,
}

impl PricingRule {
    /// Whether the rule applies to a listing.
    pub fn matches(&self, l: &ListingEvent) -> bool {
        let discount_bp = if l.list_price.cents() > 0 {
            (l.list_price.cents() - l.sale_price.cents()) * 10_000 / l.list_price.cents()
        } else {
            0
        };
        (self.categories.is_empty() || self.categories.contains(&l.category))
            && (self.stock_status.is_empty() || self.stock_status.contains(&l.stock_status))
            && (self.vendors.is_empty() || self.vendors.contains(&l.vendor_id))
            && discount_bp >= self.min_discount_bp
    }

    /// The rule applied to `price`, rounded to the cent, at least 1 cent.
    pub fn apply(&self, price: Money) -> Money {
        (price + price.apply_basis_points(self.adjust_bp)).max(Money::from_cents(1))
    }
}

/// The marketplace's parameters, validated by the scenario loader.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketplaceParams {
    /// Listings per vendor, `(min, max)`.
    pub products_per_vendor: (u32, u32),
    /// Share of listings that start on sale.
    pub on_sale_share: f64,
    /// Largest opening discount, basis points.
    pub max_sale_discount_bp: i64,
    /// Share of listings whose sale price moves at a snapshot.
    pub price_move_share: f64,
    /// Largest move, basis points either way.
    pub max_price_move_bp: i64,
    /// Lowest sale price as a share of list price, basis points.
    pub floor_bp: i64,
    /// Mean units sold between snapshots.
    pub sales_per_snapshot: f64,
    /// Low-stock threshold.
    pub low_stock: u32,
    /// Opening stock, `(min, max)`.
    pub initial_stock: (u32, u32),
    /// Share of low or out-of-stock listings restocked at a snapshot.
    pub restock_share: f64,
    /// Units a restock adds, `(min, max)`.
    pub restock_units: (u32, u32),
    /// Share of listings published with an invalid category.
    pub invalid_category_share: f64,
    /// The invalid values used.
    pub invalid_categories: Vec<String>,
    /// Customer-defined pricing rules, in order.
    pub pricing: Vec<PricingRule>,
}

/// One listing in a vendor's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "listing")]
#[allow(missing_docs)]
pub struct ListingEvent {
    pub ts: SimTime,
    /// `VENDOR-YYYYMMDD-N`: the vendor's n-th snapshot of the day.
    pub snapshot_id: TxnId,
    pub vendor_id: u32,
    pub product_id: u32,
    pub product_name: String,
    /// The category's name, or (rarely) an invalid value.
    pub category: String,
    pub list_price: Money,
    pub sale_price: Money,
    pub stock_status: StockStatus,
    pub stock_qty: u32,
    /// The sale price after the first matching pricing rule.
    pub dynamic_price: Money,
    /// That rule's name, or null.
    pub pricing_rule: Option<String>,
}

#[derive(Debug, Clone)]
struct Listing {
    item: usize,
    sale: Money,
    qty: u32,
}

/// One vendor's listings.
#[derive(Debug)]
pub struct MarketplaceModel {
    world: Arc<World>,
    params: Arc<MarketplaceParams>,
    store_id: u32,
    rng: ChaCha8Rng,
    arrivals: Arrivals,
    next_snapshot: Option<SimTime>,
    listings: Vec<Listing>,
    outbox: Outbox,
    counters: StoreCounters,
    sales: Option<Poisson<f64>>,
    ids: TxnIds,
}

impl MarketplaceModel {
    /// Vendor `index` of `world` over `span`.
    ///
    /// # Panics
    ///
    /// If the world is not a marketplace world or was not validated.
    pub fn new(world: Arc<World>, index: usize, seed: u64, span: RunSpan) -> MarketplaceModel {
        let params = params_of::<MarketplaceParams>(&world);
        let store_id = world.stores[index].store_id;
        let (start, emit_from, end) = world.model_span(index, span);
        let mut rng = stream(seed, StreamKind::Store, store_id);
        // The vendor's catalog: a stable choice of items from the master.
        let (lo, hi) = params.products_per_vendor;
        let n = rng.random_range(lo..=hi) as usize;
        let n = n.min(world.items.len());
        let mut chosen = Vec::with_capacity(n);
        let mut seen = std::collections::BTreeSet::new();
        let mut k = 0u64;
        while chosen.len() < n {
            let h = splitmix64(u64::from(store_id) << 32 | k);
            k += 1;
            let item = (h % world.items.len() as u64) as usize;
            if seen.insert(item) {
                chosen.push(item);
            }
        }
        let listings = chosen
            .into_iter()
            .map(|item| {
                let list = world.items[item].item_price;
                let sale = if rng.random::<f64>() < params.on_sale_share {
                    let bp = rng.random_range(500..=params.max_sale_discount_bp.max(500));
                    list - list.apply_basis_points(bp)
                } else {
                    list
                };
                let (s0, s1) = params.initial_stock;
                Listing {
                    item,
                    sale,
                    qty: rng.random_range(s0..=s1),
                }
            })
            .collect();
        let mut model = MarketplaceModel {
            arrivals: Arrivals::new(Arc::clone(&world), index, start, end),
            outbox: Outbox::new(world.params.delivery, seed, store_id, emit_from),
            sales: Poisson::new(params.sales_per_snapshot).ok(),
            next_snapshot: None,
            listings,
            counters: StoreCounters::default(),
            store_id,
            params,
            world,
            rng,
            ids: TxnIds::default(),
        };
        model.next_snapshot = model.draw_snapshot();
        model
    }

    /// The UTC interval in which the vendor publishes.
    pub fn span(&self) -> (SimTime, SimTime) {
        self.arrivals.span()
    }

    /// Counters so far (`arrivals` counts snapshots).
    pub fn counters(&self) -> StoreCounters {
        self.counters
    }

    /// Whether nothing is left to happen.
    pub fn is_done(&self) -> bool {
        self.next_snapshot.is_none() && self.outbox.is_empty()
    }

    /// Simulates up to `until` (exclusive) and appends every event
    /// delivered before it to `out`.
    pub fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        while let Some(t) = self.next_snapshot.filter(|&t| t < until) {
            self.snapshot(t);
            self.next_snapshot = self.draw_snapshot();
        }
        self.outbox.drain(until, out);
    }

    fn draw_snapshot(&mut self) -> Option<SimTime> {
        let (t, hour) = self.arrivals.next(&mut self.rng)?;
        self.counters.arrivals_by_hour[usize::from(hour)] += 1;
        Some(t)
    }

    /// Moves prices and stock since the last snapshot, then republishes
    /// every listing (the first snapshot publishes the opening state).
    fn snapshot(&mut self, now: SimTime) {
        let first = self.counters.arrivals == 0;
        self.counters.arrivals += 1;
        let date = self.arrivals.business_date(now);
        let snapshot_id = self.ids.next(self.store_id, date);
        let world = Arc::clone(&self.world);
        let params = Arc::clone(&self.params);
        let p = &*params;
        for i in 0..self.listings.len() {
            let item = &world.items[self.listings[i].item];
            let list = item.item_price;
            if !first {
                let l = &mut self.listings[i];
                if self.rng.random::<f64>() < p.price_move_share {
                    let bp = self
                        .rng
                        .random_range(-p.max_price_move_bp..=p.max_price_move_bp);
                    let moved = l.sale + l.sale.apply_basis_points(bp);
                    let floor = list.apply_basis_points(p.floor_bp);
                    l.sale = moved.clamp(floor.max(Money::from_cents(1)), list);
                }
                let sold = self
                    .sales
                    .map_or(0.0, |d| d.sample(&mut self.rng))
                    .min(f64::from(u32::MAX)) as u32;
                l.qty = l.qty.saturating_sub(sold);
                if l.qty <= p.low_stock && self.rng.random::<f64>() < p.restock_share {
                    let (a, b) = p.restock_units;
                    l.qty += self.rng.random_range(a..=b);
                }
            }
            let l = &self.listings[i];
            let category = if self.rng.random::<f64>() < p.invalid_category_share {
                let k = self.rng.random_range(0..p.invalid_categories.len());
                p.invalid_categories[k].clone()
            } else {
                world.categories[usize::from(item.category_index)]
                    .category_name
                    .clone()
            };
            let mut listing = ListingEvent {
                ts: now,
                snapshot_id,
                vendor_id: self.store_id,
                product_id: item.item_id,
                product_name: item.item_name.clone(),
                category,
                list_price: list,
                sale_price: l.sale,
                stock_status: StockStatus::of(l.qty, p.low_stock),
                stock_qty: l.qty,
                dynamic_price: l.sale,
                pricing_rule: None,
            };
            if let Some(rule) = p.pricing.iter().find(|r| r.matches(&listing)) {
                listing.dynamic_price = rule.apply(listing.sale_price);
                listing.pricing_rule = Some(rule.name.clone());
            }
            self.outbox
                .push(Event::Listing(Box::new(listing)), &mut self.counters);
        }
    }
}

impl crate::model::StoreProcess for MarketplaceModel {
    fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        MarketplaceModel::advance(self, until, out);
    }
    fn is_done(&self) -> bool {
        MarketplaceModel::is_done(self)
    }
    fn counters(&self) -> StoreCounters {
        MarketplaceModel::counters(self)
    }
}

impl Record for ListingEvent {
    const SCHEMA: Schema = Schema {
        name: "listing",
        version: 1,
        doc: "One listing of a marketplace vendor's snapshot.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the snapshot was published (UTC)."),
            Field::new(
                "snapshot_id",
                Type::String,
                "VENDOR-YYYYMMDD-N: the vendor's n-th snapshot of the day.",
            ),
            Field::new("vendor_id", Type::Int32, "The vendor."),
            Field::new("product_id", Type::Int32, "The product."),
            Field::new("product_name", Type::String, "The product's name."),
            Field::new(
                "category",
                Type::String,
                "The category's name, or (rarely) an invalid value.",
            ),
            Field::new("list_price", MONEY, "List price."),
            Field::new("sale_price", MONEY, "The vendor's price."),
            Field::new(
                "stock_status",
                Type::String,
                "Stock against the low-stock threshold.",
            )
            .one_of(&["in_stock", "low_stock", "out_of_stock"]),
            Field::new("stock_qty", Type::Int32, "Units in stock."),
            Field::new(
                "dynamic_price",
                MONEY,
                "The sale price after the first matching pricing rule.",
            ),
            Field::new("pricing_rule", Type::String, "That rule's name, or null.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The vendor.
    fn store_id(&self) -> u32 {
        self.vendor_id
    }
    fn transaction_id(&self) -> Option<TxnId> {
        Some(self.snapshot_id)
    }
}

impl Model for MarketplaceParams {
    fn name(&self) -> &'static str {
        "marketplace"
    }

    fn store(
        &self,
        world: &Arc<World>,
        index: usize,
        seed: u64,
        span: RunSpan,
    ) -> Box<dyn StoreProcess> {
        Box::new(MarketplaceModel::new(Arc::clone(world), index, seed, span))
    }

    /// A snapshot republishes every listing of the vendor.
    fn events_per_arrival(&self, _world: &World) -> f64 {
        f64::from(self.products_per_vendor.1) + 1.0
    }

    /// A vendor's listings.
    fn held_records(&self, stores: &[usize]) -> f64 {
        stores.len() as f64 * f64::from(self.products_per_vendor.1)
    }

    fn truth_groups(&self) -> &'static [GroupSpec] {
        TRUTH
    }

    fn check_reach(&self, reach: &crate::model::Reach<'_>) -> Result<(), crate::setup::SetupError> {
        setup::check_reach(self, reach)
    }

    fn describe(&self, world: &World) -> String {
        format!(
            "{} vendors, {} items to list, {} pricing rules",
            world.stores.len(),
            world.items.len(),
            self.pricing.len()
        )
    }
}

/// The truth aggregates of the manifest.
const TRUTH: &[GroupSpec] = &[GroupSpec {
    name: "vendor_listings",
    kind: EventKind::Listing,
    keys: &[
        ("vendor_id", Key::Field("vendor_id")),
        ("stock_status", Key::Field("stock_status")),
    ],
    sums: &[("listings", Sum::Records), ("stock", Sum::Int("stock_qty"))],
}];
