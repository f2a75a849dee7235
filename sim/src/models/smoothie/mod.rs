//! The smoothie bar: the streaming sales demo's products, purchases and
//! restocks, on storesim's calendar.
//!
//! Each bar is a store of the world: customers arrive by the shared
//! [`Arrivals`] process (hours, day and hour curves, holidays, storms,
//! outages, promotions). A customer buys one to three products, picked by
//! the products' propensity weights, each with a quantity and maybe an
//! add-on supplement; members (3 in 10 in the demo) get 10% off. A product
//! whose stock falls to the threshold is reordered; the delivery arrives
//! after a lead time, and a customer who finds too little stock is a lost
//! sale.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rand::distr::weighted::WeightedIndex;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution;
use serde::Serialize;

use crate::arrivals::Arrivals;
use crate::calendar::AnomalyKind;
use crate::event::EventKind;
use crate::event::{Event, Record, Stamped, TxnId, TxnIds};
use crate::model::StoreCounters;
use crate::model::{params_of, GroupSpec, Key, Model, StoreProcess, Sum};
use crate::money::Money;
use crate::outbox::Outbox;
use crate::rng::{stream, StreamKind};
use crate::schema::{Field, Schema, TimeText, Type, MONEY};
use crate::time::SimTime;
use crate::world::{RunSpan, World};
mod events;
mod setup;

pub use events::*;
pub use setup::ENTRY;

/// One product of the menu.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// `CS01`.
    pub product_id: String,
    /// `Classic Smoothies`.
    pub category: String,
    /// `Sunrise Sunset`.
    pub item: String,
    /// `24 oz.`.
    pub size: String,
    /// Cost of goods sold.
    pub cogs: Money,
    /// Menu price.
    pub price: Money,
    /// Opening stock.
    pub inventory: u32,
    /// Contains fruit.
    pub contains_fruit: bool,
    /// Contains vegetables.
    pub contains_veggies: bool,
    /// Contains nuts.
    pub contains_nuts: bool,
    /// Contains caffeine.
    pub contains_caffeine: bool,
    /// The product's weight in the pick (the menu's `_TotalWeight`).
    pub weight: u32,
    /// What its records publish as `propensity_to_buy`: the menu column
    /// `[smoothie] propensity_column` names (the weight by default; the
    /// sales generator publishes `_RangeWeight`, the running total).
    pub propensity: u32,
}

/// The smoothie model's parameters, validated by the scenario loader.
#[derive(Debug, Clone, PartialEq)]
pub struct SmoothieParams {
    /// The menu.
    pub products: Vec<Product>,
    /// Share of customers who are club members.
    pub member_share: f64,
    /// Member discount, basis points.
    pub member_discount_bp: i64,
    /// Price of an add-on supplement.
    pub supplement_price: Money,
    /// Product-id prefixes whose buyers add supplements more often.
    pub supplement_prefixes: Vec<String>,
    /// Supplement share for products with those prefixes.
    pub supplement_share_prefixed: f64,
    /// Supplement share for the other products.
    pub supplement_share_other: f64,
    /// Relative weights of 1, 2, 3, ... products in one transaction.
    pub products_per_transaction: Vec<f64>,
    /// Relative weights of quantity 1, 2, 3, ... of one product.
    pub quantity: Vec<f64>,
    /// Stock level at or below which a product is reordered.
    pub restock_threshold: u32,
    /// Units a restock delivers.
    pub restock_quantity: u32,
    /// Time from order to delivery, microseconds `(min, max)`.
    pub restock_lead_us: (i64, i64),
}

impl SmoothieParams {
    /// The share of buyers of `product_id` who add a supplement.
    pub fn supplement_share(&self, product_id: &str) -> f64 {
        if self
            .supplement_prefixes
            .iter()
            .any(|p| product_id.starts_with(p.as_str()))
        {
            self.supplement_share_prefixed
        } else {
            self.supplement_share_other
        }
    }
}

/// One smoothie bar's simulation state.
#[derive(Debug)]
pub struct SmoothieModel {
    world: Arc<World>,
    params: Arc<SmoothieParams>,
    index: usize,
    store_id: u32,
    rng: ChaCha8Rng,
    arrivals: Arrivals,
    next_arrival: Option<SimTime>,
    /// Deliveries on their way: (arrival, product index).
    restocks: BinaryHeap<Reverse<(SimTime, usize)>>,
    stock: Vec<u32>,
    on_order: Vec<bool>,
    pick: WeightedIndex<u32>,
    lines: WeightedIndex<f64>,
    quantity: WeightedIndex<f64>,
    outbox: Outbox,
    counters: StoreCounters,
    txn_ids: TxnIds,
}

impl SmoothieModel {
    /// Bar `index` of `world` over `span`.
    ///
    /// # Panics
    ///
    /// If the world is not a smoothie world or its weights were not
    /// validated (all zero).
    pub fn new(world: Arc<World>, index: usize, seed: u64, span: RunSpan) -> SmoothieModel {
        let params = params_of::<SmoothieParams>(&world);
        let store_id = world.stores[index].store_id;
        let (start, emit_from, end) = world.model_span(index, span);
        let pick = WeightedIndex::new(params.products.iter().map(|p| p.weight))
            .expect("validated weights");
        let lines =
            WeightedIndex::new(params.products_per_transaction.clone()).expect("validated weights");
        let quantity = WeightedIndex::new(params.quantity.clone()).expect("validated weights");
        let mut model = SmoothieModel {
            arrivals: Arrivals::new(Arc::clone(&world), index, start, end),
            rng: stream(seed, StreamKind::Store, store_id),
            outbox: Outbox::new(world.params.delivery, seed, store_id, emit_from),
            next_arrival: None,
            restocks: BinaryHeap::new(),
            stock: params.products.iter().map(|p| p.inventory).collect(),
            on_order: vec![false; params.products.len()],
            pick,
            lines,
            quantity,
            counters: StoreCounters::default(),
            txn_ids: TxnIds::default(),
            index,
            store_id,
            params,
            world,
        };
        // The menu and opening stock, as the demo publishes it first.
        let at = start.max(emit_from);
        for event in model.menu(at) {
            model.emit(Event::Product(Box::new(event)));
        }
        model.next_arrival = model.draw_arrival();
        model
    }

    /// The bar's menu and stock at `at`, as `product` records.
    fn menu(&self, at: SimTime) -> Vec<ProductEvent> {
        self.params
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| ProductEvent {
                event_time: DemoTime(at),
                product_id: p.product_id.clone(),
                category: p.category.clone(),
                item: p.item.clone(),
                size: p.size.clone(),
                cogs: p.cogs,
                price: p.price,
                inventory_level: self.stock[i],
                contains_fruit: p.contains_fruit,
                contains_veggies: p.contains_veggies,
                contains_nuts: p.contains_nuts,
                contains_caffeine: p.contains_caffeine,
                propensity_to_buy: p.propensity,
                store_id: self.store_id,
            })
            .collect()
    }

    /// The first bar's opening menu (every bar has the same one).
    pub fn opening_menu(world: Arc<World>, span: RunSpan) -> Vec<ProductEvent> {
        let (start, emit_from, _) = world.model_span(0, span);
        let bar = SmoothieModel::new(world, 0, 0, span);
        bar.menu(start.max(emit_from))
    }

    /// The UTC interval in which this bar accepts customers.
    pub fn span(&self) -> (SimTime, SimTime) {
        self.arrivals.span()
    }

    /// Counters so far.
    pub fn counters(&self) -> StoreCounters {
        self.counters
    }

    /// Whether nothing is left to happen.
    pub fn is_done(&self) -> bool {
        self.next_arrival.is_none() && self.restocks.is_empty() && self.outbox.is_empty()
    }

    /// Simulates up to `until` (exclusive) and appends every event
    /// delivered before it to `out`, ordered by `(at, seq)`.
    pub fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        loop {
            let restock = self.restocks.peek().map(|Reverse(r)| *r);
            // A delivery at the same instant as a customer is shelved first.
            match (restock, self.next_arrival) {
                (Some((t, i)), a) if t < until && a.is_none_or(|a| t <= a) => {
                    self.restocks.pop();
                    self.restock(t, i);
                }
                (_, Some(a)) if a < until => {
                    self.customer(a);
                    self.next_arrival = self.draw_arrival();
                }
                _ => break,
            }
        }
        self.outbox.drain(until, out);
    }

    fn draw_arrival(&mut self) -> Option<SimTime> {
        let (t, hour) = self.arrivals.next(&mut self.rng)?;
        self.counters.arrivals_by_hour[usize::from(hour)] += 1;
        Some(t)
    }

    fn emit(&mut self, event: Event) {
        self.outbox.push(event, &mut self.counters);
    }

    /// A customer orders: one to three products, each with a quantity and
    /// maybe a supplement.
    fn customer(&mut self, now: SimTime) {
        self.counters.arrivals += 1;
        let params = Arc::clone(&self.params);
        let p = &*params;
        let is_member = self.rng.random::<f64>() < p.member_share;
        let n = self.lines.sample(&mut self.rng) + 1;
        let txn = self.next_txn_id(now);
        // The order is rung up as one receipt: its lines share a time, so
        // the stream replays the stock in the order it changed.
        let t = now;
        let mut sold = false;
        for _ in 0..n {
            let i = self.pick.sample(&mut self.rng);
            let product = &p.products[i];
            let quantity = self.quantity.sample(&mut self.rng) as u16 + 1;
            let supplement = self.rng.random::<f64>() < p.supplement_share(&product.product_id);
            let price = self.price_at(product, t);
            if self.stock[i] < u32::from(quantity) {
                self.emit(Event::LostSale(Box::new(LostSaleEvent {
                    event_time: DemoTime(t),
                    transaction_id: txn,
                    product_id: product.product_id.clone(),
                    price,
                    quantity,
                    stock_level: self.stock[i],
                    store_id: self.store_id,
                })));
                self.reorder(t, i);
                continue;
            }
            self.stock[i] -= u32::from(quantity);
            let supplement_price = if supplement {
                p.supplement_price
            } else {
                Money::ZERO
            };
            let gross = (price + supplement_price) * i64::from(quantity);
            let member_discount = if is_member { p.member_discount_bp } else { 0 };
            let total = gross - gross.apply_basis_points(member_discount);
            self.emit(Event::Purchase(Box::new(PurchaseEvent {
                transaction_time: DemoTime(t),
                transaction_id: txn,
                product_id: product.product_id.clone(),
                price,
                quantity,
                is_member,
                member_discount,
                add_supplements: supplement,
                supplement_price,
                total_purchase: total,
                store_id: self.store_id,
            })));
            sold = true;
            if self.stock[i] <= p.restock_threshold {
                self.reorder(t, i);
            }
        }
        if sold {
            self.counters.served += 1;
        }
    }

    /// The price of `product` at `t`: the menu price, less the discount of
    /// a promotion running at this bar then.
    fn price_at(&self, product: &Product, t: SimTime) -> Money {
        let promotions = &self.world.calendar.anomalies;
        if promotions.iter().all(|a| a.discount_bp == 0) {
            return product.price;
        }
        let local = t
            .to_datetime()
            .with_timezone(&self.world.stores[self.index].tz)
            .naive_local();
        let discount = promotions
            .iter()
            .filter(|a| a.kind == AnomalyKind::Promotion && a.applies_to(self.store_id))
            .filter(|a| a.products.is_empty() || a.products.contains(&product.product_id))
            .filter(|a| a.contains(local))
            .map(|a| a.discount_bp)
            .max()
            .unwrap_or(0);
        product.price - product.price.apply_basis_points(discount)
    }

    /// Orders a delivery of product `i`, unless one is on its way; with no
    /// lead time (the sales generator's), restocks at once, as often as it
    /// takes to lift the level over the threshold.
    fn reorder(&mut self, now: SimTime, i: usize) {
        if self.on_order[i] {
            return;
        }
        let (lo, hi) = self.params.restock_lead_us;
        if hi == 0 {
            while self.stock[i] <= self.params.restock_threshold {
                self.restock(now, i);
            }
            return;
        }
        self.on_order[i] = true;
        let at = now.plus_micros(self.rng.random_range(lo..=hi).max(1));
        self.restocks.push(Reverse((at, i)));
    }

    /// A delivery of product `i` arrives.
    fn restock(&mut self, now: SimTime, i: usize) {
        self.on_order[i] = false;
        let existing = self.stock[i];
        let add = self.params.restock_quantity;
        self.stock[i] = existing + add;
        self.emit(Event::Inventory(Box::new(InventoryEvent {
            event_time: DemoTime(now),
            product_id: self.params.products[i].product_id.clone(),
            existing_level: existing,
            stock_quantity: add,
            new_level: existing + add,
            store_id: self.store_id,
        })));
        // Still low (a small delivery after a run on the product): order
        // again (an immediate restock loops in `reorder`).
        if self.params.restock_lead_us.1 > 0
            && self.stock[i] <= self.params.restock_threshold
            && self.next_arrival.is_some()
        {
            self.reorder(now, i);
        }
    }

    fn next_txn_id(&mut self, now: SimTime) -> TxnId {
        let date = self.arrivals.business_date(now);
        self.txn_ids.next(self.store_id, date)
    }
}

impl crate::model::StoreProcess for SmoothieModel {
    fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        SmoothieModel::advance(self, until, out);
    }
    fn is_done(&self) -> bool {
        SmoothieModel::is_done(self)
    }
    fn counters(&self) -> StoreCounters {
        SmoothieModel::counters(self)
    }
}

impl Model for SmoothieParams {
    fn name(&self) -> &'static str {
        "smoothie"
    }

    fn store(
        &self,
        world: &Arc<World>,
        index: usize,
        seed: u64,
        span: RunSpan,
    ) -> Box<dyn StoreProcess> {
        Box::new(SmoothieModel::new(Arc::clone(world), index, seed, span))
    }

    /// An order's lines, a restock and a lost sale.
    fn events_per_arrival(&self, _world: &World) -> f64 {
        4.0
    }

    fn truth_groups(&self) -> &'static [GroupSpec] {
        TRUTH
    }

    /// `products`: the menu as the first bar publishes it at opening.
    fn catalog(&self, world: &Arc<World>, span: RunSpan) -> Vec<(&'static str, Vec<Event>)> {
        let menu = SmoothieModel::opening_menu(Arc::clone(world), span);
        let events = menu.into_iter().map(|p| Event::Product(Box::new(p))).collect();
        vec![("products", events)]
    }

    fn prices_promotions(&self) -> bool {
        true
    }

    fn check_reach(&self, reach: &crate::model::Reach<'_>) -> Result<(), crate::setup::SetupError> {
        setup::check_reach(self, reach)
    }

    fn describe(&self, world: &World) -> String {
        format!(
            "{} bars, {} products",
            world.stores.len(),
            self.products.len()
        )
    }
}

/// The truth aggregates of the manifest.
const TRUTH: &[GroupSpec] = &[
    GroupSpec {
        name: "product_days",
        kind: EventKind::Purchase,
        keys: &[
            ("day", Key::Day("transaction_time")),
            ("product_id", Key::Field("product_id")),
        ],
        sums: &[
            ("purchases", Sum::Records),
            ("units", Sum::Int("quantity")),
            ("revenue", Sum::Money("total_purchase")),
        ],
    },
    GroupSpec {
        name: "member_days",
        kind: EventKind::Purchase,
        keys: &[
            ("day", Key::Day("transaction_time")),
            ("is_member", Key::Field("is_member")),
            ("add_supplements", Key::Field("add_supplements")),
        ],
        sums: &[
            ("purchases", Sum::Records),
            ("revenue", Sum::Money("total_purchase")),
        ],
    },
    GroupSpec {
        name: "restocks",
        kind: EventKind::Inventory,
        keys: &[
            ("day", Key::Day("event_time")),
            ("product_id", Key::Field("product_id")),
        ],
        sums: &[
            ("restocks", Sum::Records),
            ("units", Sum::Int("stock_quantity")),
        ],
    },
    GroupSpec {
        name: "lost_sales",
        kind: EventKind::LostSale,
        keys: &[
            ("day", Key::Day("event_time")),
            ("product_id", Key::Field("product_id")),
        ],
        sums: &[
            ("lost_sales", Sum::Records),
            ("units", Sum::Int("quantity")),
        ],
    },
];
