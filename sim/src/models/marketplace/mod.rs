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

mod events;
mod setup;

pub use events::*;
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
    /// The categories (by name) vendors list from; empty for all.
    pub listed_categories: Vec<String>,
    /// Share of listings that start on sale.
    pub on_sale_share: f64,
    /// Largest opening discount, basis points.
    pub max_sale_discount_bp: i64,
    /// Share of the listings on sale whose sale ends at a snapshot (a
    /// listing at list price starts one at the rate that keeps
    /// `on_sale_share` of them on sale).
    pub sale_end_share: f64,
    /// Share of the listings on sale whose price moves at a snapshot.
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
    /// The vendor feed.
    pub vendors: VendorParams,
}

impl MarketplaceParams {
    /// Whether vendors list `item` (its category is listed).
    fn lists(&self, world: &World, item: &crate::catalog::Item) -> bool {
        let c = &world.categories[usize::from(item.category_index)];
        self.listed_categories.is_empty() || self.listed_categories.contains(&c.category_name)
    }
}

/// The vendor feed's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorParams {
    /// A vendor's name is a prefix and a suffix (`Electro` `World`), the
    /// n-th vendor the n-th pair; a number follows when they run out.
    pub name_prefixes: Vec<String>,
    /// See `name_prefixes`.
    pub name_suffixes: Vec<String>,
    /// Share of vendors that ship free.
    pub free_shipping_share: f64,
    /// Shipping cost of the others, cents, `(min, max)`.
    pub shipping_cents: (i64, i64),
    /// A vendor's review score, tenths, `(min, max)`.
    pub review_tenths: (u16, u16),
    /// Reviews at the start, `(min, max)`.
    pub initial_feedbacks: (u32, u32),
    /// Share of units sold that get a review.
    pub feedback_share: f64,
}

impl VendorParams {
    /// The name of the vendor at `index` among the stores (unique).
    pub fn name(&self, index: usize, vendor_id: u32) -> String {
        let (p, s) = (self.name_prefixes.len(), self.name_suffixes.len());
        if p == 0 || s == 0 {
            return format!("Vendor {vendor_id}");
        }
        let pair = format!("{}{}", self.name_prefixes[index % p], self.name_suffixes[(index / p) % s]);
        match index / (p * s) {
            0 => pair,
            round => format!("{pair} {}", round + 1),
        }
    }
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
    vendor: VendorEvent,
    /// The business day of the last vendor record.
    vendor_day: Option<u32>,
    /// Units sold since the last vendor record.
    sold: u64,
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
        // The items of the listed categories (all items when unlimited).
        let pool: Vec<usize> = (0..world.items.len())
            .filter(|&i| params.lists(&world, &world.items[i]))
            .collect();
        let n = n.min(pool.len());
        let mut chosen = Vec::with_capacity(n);
        // Distinct items with distinct names (the master repeats some
        // names): a snapshot never lists a name twice. The attempts are
        // bounded, for a master with fewer names than `n`.
        let mut seen = std::collections::BTreeSet::new();
        let mut names = std::collections::BTreeSet::new();
        let mut k = 0u64;
        let attempts = 64 * pool.len() as u64;
        while chosen.len() < n && k < attempts {
            let h = splitmix64(u64::from(store_id) << 32 | k);
            k += 1;
            let item = pool[(h % pool.len() as u64) as usize];
            if seen.insert(item) && names.insert(world.items[item].item_name.as_str()) {
                chosen.push(item);
            }
        }
        let listings = chosen
            .into_iter()
            .map(|item| {
                let list = world.items[item].item_price;
                let sale = if rng.random::<f64>() < params.on_sale_share {
                    discounted(&mut rng, &params, list)
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
        let vendor = opening_vendor(&params.vendors, index, store_id, emit_from);
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
            vendor,
            vendor_day: None,
            sold: 0,
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
        if self.vendor_day != Some(date) {
            self.vendor_day = Some(date);
            self.vendor_record(now);
        }
        for i in 0..self.listings.len() {
            let item = &world.items[self.listings[i].item];
            let list = item.item_price;
            if !first {
                let l = &mut self.listings[i];
                l.sale = reprice(&mut self.rng, p, list, l.sale);
                let sold = self
                    .sales
                    .map_or(0.0, |d| d.sample(&mut self.rng))
                    .min(f64::from(u32::MAX)) as u32;
                self.sold += u64::from(sold.min(l.qty));
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
                vendor_name: Arc::clone(&self.vendor.vendor_name),
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

impl MarketplaceModel {
    /// Publishes the vendor's record: the reviews since the last one
    /// counted in, the score moved by at most a tenth.
    fn vendor_record(&mut self, now: SimTime) {
        let v = &self.params.vendors;
        if self.counters.arrivals > 1 {
            let reviews = rand_distr::Binomial::new(self.sold, v.feedback_share)
                .map_or(0, |d| d.sample(&mut self.rng));
            self.vendor.feedbacks = self
                .vendor
                .feedbacks
                .saturating_add(reviews.min(u64::from(u32::MAX)) as u32);
            if reviews > 0 {
                let step: i32 = self.rng.random_range(-1..=1);
                self.vendor.review_score =
                    (i32::from(self.vendor.review_score) + step).clamp(10, 50) as u16;
            }
        }
        self.sold = 0;
        self.vendor.ts = now;
        let record = self.vendor.clone();
        self.outbox
            .push(Event::Vendor(Box::new(record)), &mut self.counters);
    }
}

/// The vendor at `index` of the world, `vendor_id`, as it first
/// publishes its record, at `ts`: its name, shipping cost, score and
/// reviews are fixed by the vendor (the same in every run).
pub fn opening_vendor(v: &VendorParams, index: usize, vendor_id: u32, ts: SimTime) -> VendorEvent {
    let store_id = vendor_id;
        let h = splitmix64(0x5645_4e44_4f52 ^ u64::from(store_id));
        let unit = |salt: u64| (splitmix64(h ^ salt) >> 11) as f64 / (1u64 << 53) as f64;
        let between = |lo: f64, hi: f64, salt: u64| lo + (hi - lo) * unit(salt);
        let shipping = if unit(1) < v.free_shipping_share {
            Money::ZERO
        } else {
            // Whole dollars less a cent: 4.99.
            let (lo, hi) = v.shipping_cents;
            let dollars = between(lo as f64 / 100.0, hi as f64 / 100.0, 2).round() as i64;
            Money::from_cents((dollars * 100 - 1).max(0))
        };
        let (r0, r1) = v.review_tenths;
        let (f0, f1) = v.initial_feedbacks;
        VendorEvent {
            ts,
            vendor_id: store_id,
            vendor_name: Arc::from(v.name(index, store_id)),
            shipping_cost: shipping,
            review_score: between(f64::from(r0), f64::from(r1), 3).round() as u16,
            feedbacks: between(f64::from(f0), f64::from(f1), 4).round() as u32,
        }
}

/// A listing's next price: a sale ends (back to list price) or starts (a
/// discount of 5% up to the largest) so that `on_sale_share` of listings
/// stay on sale at every snapshot, and a price on sale moves by at most
/// `max_price_move` either way, above the floor and below list price.
/// Prices move around the list price; they do not drift over a run.
fn reprice(rng: &mut ChaCha8Rng, p: &MarketplaceParams, list: Money, sale: Money) -> Money {
    let end = p.sale_end_share;
    let on_sale = sale < list;
    if on_sale {
        if rng.random::<f64>() < end {
            return list;
        }
        if rng.random::<f64>() < p.price_move_share {
            let bp = rng.random_range(-p.max_price_move_bp..=p.max_price_move_bp);
            let moved = sale + sale.apply_basis_points(bp);
            let floor = list.apply_basis_points(p.floor_bp).max(Money::from_cents(1));
            let top = (list - Money::from_cents(1)).max(floor);
            return moved.clamp(floor, top);
        }
        sale
    } else {
        // Starts: end * s / (1 - s) of the listings at list price, the
        // flow that balances the sales that end.
        let s = p.on_sale_share;
        let start = if s < 1.0 { (end * s / (1.0 - s)).min(1.0) } else { 1.0 };
        if rng.random::<f64>() < start {
            discounted(rng, p, list)
        } else {
            sale
        }
    }
}

/// List price less a discount of 5% up to the largest, above the floor.
fn discounted(rng: &mut ChaCha8Rng, p: &MarketplaceParams, list: Money) -> Money {
    let bp = rng.random_range(500..=p.max_sale_discount_bp.max(500));
    let floor = list.apply_basis_points(p.floor_bp).max(Money::from_cents(1));
    (list - list.apply_basis_points(bp)).max(floor).min(list)
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

    /// `vendors`: every vendor's record at its opening.
    fn catalog(&self, world: &Arc<World>, span: RunSpan) -> Vec<(&'static str, Vec<Event>)> {
        let vendors = (0..world.stores.len())
            .map(|i| {
                let (_, emit_from, _) = world.model_span(i, span);
                let id = world.stores[i].store_id;
                Event::Vendor(Box::new(opening_vendor(&self.vendors, i, id, emit_from)))
            })
            .collect();
        vec![("vendors", vendors)]
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
        let listed = world.items.iter().filter(|i| self.lists(world, i)).count();
        format!(
            "{} vendors, {listed} items to list, {} pricing rules",
            world.stores.len(),
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
