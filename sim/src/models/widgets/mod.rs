//! The widget retailer: three operational systems that disagree on formats
//! and hold dirty data, for cleaning and conforming demos.
//!
//! - **E-commerce** (continuous): customers with addresses and loyalty
//!   numbers, orders and order lines. ISO dates, addresses in parts, SKUs
//!   as `WID-00042`, loyalty numbers as `LN-1101000042`.
//! - **In-store** (a daily batch at 02:00 local): the store record and the
//!   day's store sales. US dates (`11/23/2026`), a location as one string
//!   (`Hayward, CA 94544`), products as plain numbers, loyalty cards as
//!   `LC 1101 000042`.
//! - **Inventory** (a daily file at 03:00 local): products, suppliers and
//!   inventory movements. European dates (`23.11.2026`), locations as
//!   `CA-Hayward`, product codes as `000042`.
//!
//! Each "store" of the world is a physical store and the online market
//! around it; the product and supplier masters are the chain's and are
//! published by the first store. Every record may carry one injected
//! defect (a null, a malformed email or date, a duplicate, an out-of-range
//! quantity, an orphan key) at the configured rates, and every defect is
//! labelled in a `dirty_label` event: the ground truth a cleaning pipeline
//! is scored against.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Timelike};
use rand::distr::weighted::WeightedIndex;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use serde::Serialize;

use crate::arrivals::Arrivals;
use crate::catalog::splitmix64;
use crate::event::{Event, EventKind, Record, Stamped, TxnIds};
use crate::model::StoreCounters;
use crate::model::{params_of, GroupSpec, Key, Model, StoreProcess, Sum};
use crate::money::Money;
use crate::outbox::Outbox;
use crate::rng::{stream, StreamKind};
use crate::schema::{Field, Schema, Type, MONEY, TIMESTAMP};
use crate::time::{local_to_utc, yyyymmdd, SimTime};
use crate::world::{RunSpan, World};

/// A kind of injected defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Defect {
    /// A field that should have a value is null.
    Null,
    /// An email address that is not one.
    MalformedEmail,
    /// A date that does not parse in its system's format.
    MalformedDate,
    /// The record is sent a second time (the label marks the copy).
    Duplicate,
    /// A quantity outside its valid range.
    OutOfRange,
    /// A foreign key that matches no record.
    OrphanKey,
}

impl Defect {
    /// Every defect, in a fixed order.
    pub const ALL: [Defect; 6] = [
        Defect::Null,
        Defect::MalformedEmail,
        Defect::MalformedDate,
        Defect::Duplicate,
        Defect::OutOfRange,
        Defect::OrphanKey,
    ];

    /// The name used in labels and scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Defect::Null => "null",
            Defect::MalformedEmail => "malformed_email",
            Defect::MalformedDate => "malformed_date",
            Defect::Duplicate => "duplicate",
            Defect::OutOfRange => "out_of_range",
            Defect::OrphanKey => "orphan_key",
        }
    }
}

/// The widget retailer's parameters, validated by the scenario loader.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetsParams {
    /// Share of eligible records carrying each defect, by [`Defect::ALL`] order.
    pub dirty: [f64; 6],
    /// Customers of each store's market at the initial load.
    pub initial_customers: u32,
    /// New customers a day per market (Poisson mean).
    pub signups_per_day: f64,
    /// Customer updates (address, email) a day per market.
    pub customer_updates_per_day: f64,
    /// In-store sales on a base day in a store of traffic 1.0.
    pub store_sales_per_day: f64,
    /// Relative weights of 1, 2, ... lines per online order.
    pub lines_per_order: Vec<f64>,
    /// Relative weights of quantity 1, 2, ... per line or sale.
    pub quantity: Vec<f64>,
    /// Products in the master at the initial load.
    pub initial_products: u32,
    /// New products a day.
    pub new_products_per_day: u32,
    /// Share of products repriced a day.
    pub reprice_share: f64,
    /// Suppliers.
    pub suppliers: u32,
    /// Share of (product, store) pairs with sales that get a receipt that day.
    pub receipt_share: f64,
    /// First names.
    pub first_names: Vec<String>,
    /// Last names.
    pub last_names: Vec<String>,
    /// Street names.
    pub streets: Vec<String>,
    /// Email domains.
    pub email_domains: Vec<String>,
    /// Product words: adjectives.
    pub product_adjectives: Vec<String>,
    /// Product words: nouns.
    pub product_nouns: Vec<String>,
}

/// The operation of a master-data record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// The initial load.
    Load,
    /// A new record.
    Insert,
    /// A changed record.
    Update,
}

/// E-commerce: a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "ecom_customer")]
#[allow(missing_docs)]
pub struct EcomCustomer {
    pub ts: SimTime,
    pub op: Op,
    pub customer_id: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub city: String,
    pub state: String,
    pub zip: Option<String>,
    /// `LN-1101000042`.
    pub loyalty_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub signup_date: Option<String>,
}

/// E-commerce: an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "ecom_order")]
#[allow(missing_docs)]
pub struct EcomOrder {
    pub ts: SimTime,
    pub order_id: String,
    pub customer_id: Option<u64>,
    /// RFC 3339 UTC.
    pub order_ts: Option<String>,
    pub status: &'static str,
    pub total: Option<Money>,
    pub ship_city: String,
    pub ship_state: String,
    pub ship_zip: Option<String>,
}

/// E-commerce: an order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "ecom_order_line")]
#[allow(missing_docs)]
pub struct EcomOrderLine {
    pub ts: SimTime,
    pub order_id: String,
    pub line: u16,
    /// `WID-00042`.
    pub sku: String,
    pub quantity: Option<i64>,
    pub unit_price: Option<Money>,
}

/// In-store: the store record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "pos_store")]
#[allow(missing_docs)]
pub struct PosStore {
    pub ts: SimTime,
    pub op: Op,
    /// `S1101`.
    pub store_code: String,
    pub name: String,
    /// `Hayward, CA 94544`.
    pub location: Option<String>,
    /// `MM/DD/YYYY`.
    pub opened: Option<String>,
}

/// In-store: one sale (loaded in the next morning's batch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "pos_sale")]
#[allow(missing_docs)]
pub struct PosSale {
    /// When the batch was loaded.
    pub ts: SimTime,
    pub sale_id: String,
    pub store_code: String,
    /// `MM/DD/YYYY`, local.
    pub sale_date: Option<String>,
    /// `HH:MM`, local.
    pub sale_time: String,
    /// The product number (`42`).
    pub product_id: Option<u32>,
    pub quantity: Option<i64>,
    pub amount: Option<Money>,
    /// `LC 1101 000042`, or null for a shopper without a card.
    pub loyalty_card: Option<String>,
}

/// Inventory: a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "inv_product")]
#[allow(missing_docs)]
pub struct InvProduct {
    pub ts: SimTime,
    pub op: Op,
    /// `000042`.
    pub product_code: String,
    pub description: String,
    pub category: String,
    /// `SUP-017`.
    pub supplier_code: String,
    pub unit_cost: Option<Money>,
    pub list_price: Option<Money>,
}

/// Inventory: a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "inv_supplier")]
#[allow(missing_docs)]
pub struct InvSupplier {
    pub ts: SimTime,
    pub op: Op,
    pub supplier_code: String,
    pub name: String,
    /// `CA-Hayward`.
    pub location: Option<String>,
    pub contact_email: Option<String>,
}

/// Inventory: a stock movement at a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "inv_movement")]
#[allow(missing_docs)]
pub struct InvMovement {
    pub ts: SimTime,
    pub movement_id: String,
    /// `DD.MM.YYYY`.
    pub movement_date: Option<String>,
    pub product_code: String,
    /// The store, `S1101`.
    pub location_code: String,
    /// `sale`, `receipt` or `adjustment`.
    pub movement_type: &'static str,
    pub quantity: Option<i64>,
}

/// The ground truth: one injected defect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "dirty_label")]
#[allow(missing_docs)]
pub struct DirtyLabel {
    /// The labelled record's time.
    pub ts: SimTime,
    /// `ecom`, `pos` or `inventory`.
    pub system: &'static str,
    /// The record's kind.
    pub record_kind: &'static str,
    /// The record's id (its key).
    pub record_id: String,
    pub defect: Defect,
    /// The field that carries it (null for a duplicate).
    pub field: Option<&'static str>,
    /// The store whose model made it.
    pub store_id: u32,
}

/// Valid quantities of a line or sale.
pub const QUANTITY_RANGE: (i64, i64) = (1, 100);
/// Valid quantities of a movement.
pub const MOVEMENT_RANGE: (i64, i64) = (1, 100_000);
/// Customer numbers from here up are never issued (orphan keys).
pub const ORPHAN_CUSTOMER: u64 = 900_000;
/// Product numbers from here up never exist (orphan keys).
pub const ORPHAN_PRODUCT: u32 = 90_000;
/// Supplier numbers from here up never exist (orphan keys).
pub const ORPHAN_SUPPLIER: u32 = 900;

#[derive(Debug, Clone)]
struct Customer {
    id: u64,
    first: usize,
    last: usize,
    n: u32,
}

/// One store, its online market and (for the first store) the masters.
#[derive(Debug)]
pub struct WidgetsModel {
    world: Arc<World>,
    params: Arc<WidgetsParams>,
    index: usize,
    store_id: u32,
    rng: ChaCha8Rng,
    online: Arrivals,
    in_store: Arrivals,
    emit_from: SimTime,
    start: SimTime,
    end: SimTime,
    first_day: NaiveDate,
    next_online: Option<SimTime>,
    next_sale: Option<SimTime>,
    /// The next daily tick (a local midnight) and its date.
    next_tick: Option<(SimTime, NaiveDate)>,
    /// Customers who exist at the start of today (orders pick from them).
    customers: Vec<Customer>,
    /// Customers ordering may pick from.
    orderable: usize,
    /// Today's in-store sales, for the morning batch: (time, product, qty, price, card).
    sales: Vec<(SimTime, u32, i64, Money, Option<u64>)>,
    /// Whether the initial load is out.
    loaded: bool,
    prices: Vec<Money>,
    priced_day: i64,
    outbox: Outbox,
    counters: StoreCounters,
    lines: WeightedIndex<f64>,
    quantity: WeightedIndex<f64>,
    order_ids: TxnIds,
    sale_ids: TxnIds,
    movement_seq: u32,
}

fn us_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.month(), d.day(), d.year())
}

fn eu_date(d: NaiveDate) -> String {
    format!("{:02}.{:02}.{}", d.day(), d.month(), d.year())
}

/// A product's static attributes, the same in every store.
fn product_hash(k: u32) -> u64 {
    splitmix64(0x5749_4447_4554 ^ u64::from(k))
}

impl WidgetsModel {
    /// Store `index` of `world` over `span`.
    ///
    /// # Panics
    ///
    /// If the world is not a widgets world or was not validated.
    pub fn new(world: Arc<World>, index: usize, seed: u64, span: RunSpan) -> WidgetsModel {
        let params = params_of::<WidgetsParams>(&world);
        let store = &world.stores[index];
        let store_id = store.store_id;
        let (start, emit_from, end) = world.model_span(index, span);
        let first_day = match span {
            RunSpan::LocalDays { first, .. } => first,
            RunSpan::Utc { start, .. } => start.utc_date(),
        };
        let online = Arrivals::new(Arc::clone(&world), index, start, end);
        let in_store = Arrivals::new(Arc::clone(&world), index, start, end)
            .with_per_day(params.store_sales_per_day);
        let tz = store.tz;
        let start_date = start.to_datetime().with_timezone(&tz).date_naive();
        let mut model = WidgetsModel {
            rng: stream(seed, StreamKind::Store, store_id),
            outbox: Outbox::new(world.params.delivery, seed, store_id, emit_from),
            lines: WeightedIndex::new(params.lines_per_order.clone()).expect("validated"),
            quantity: WeightedIndex::new(params.quantity.clone()).expect("validated"),
            online,
            in_store,
            emit_from,
            start,
            end,
            first_day,
            next_online: None,
            next_sale: None,
            next_tick: Some((start, start_date)),
            customers: Vec::new(),
            orderable: 0,
            sales: Vec::new(),
            loaded: false,
            prices: Vec::new(),
            priced_day: -1,
            counters: StoreCounters::default(),
            order_ids: TxnIds::default(),
            sale_ids: TxnIds::default(),
            movement_seq: 0,
            index,
            store_id,
            params,
            world,
        };
        model.next_online = model.draw_online();
        model.next_sale = model.draw_sale();
        model
    }

    /// The UTC interval the store trades in.
    pub fn span(&self) -> (SimTime, SimTime) {
        (self.start, self.end)
    }

    /// Counters so far (`arrivals` counts online orders, `served` sales).
    pub fn counters(&self) -> StoreCounters {
        self.counters
    }

    /// Whether nothing is left to happen.
    pub fn is_done(&self) -> bool {
        self.next_online.is_none()
            && self.next_sale.is_none()
            && self.next_tick.is_none()
            && self.outbox.is_empty()
    }

    /// Simulates up to `until` (exclusive) and appends every event
    /// delivered before it to `out`.
    pub fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        loop {
            let tick = self.next_tick.map(|(t, _)| t);
            let next = [tick, self.next_sale, self.next_online]
                .into_iter()
                .flatten()
                .min();
            let Some(t) = next.filter(|&t| t < until) else {
                break;
            };
            // Ties: the day turns first, then a sale, then an order.
            if tick == Some(t) {
                let (_, date) = self.next_tick.take().expect("a tick");
                self.tick(t, date);
            } else if self.next_sale == Some(t) {
                self.sale(t);
                self.next_sale = self.draw_sale();
            } else {
                self.order(t);
                self.next_online = self.draw_online();
            }
        }
        self.outbox.drain(until, out);
    }

    fn draw_online(&mut self) -> Option<SimTime> {
        let (t, hour) = self.online.next(&mut self.rng)?;
        self.counters.arrivals_by_hour[usize::from(hour)] += 1;
        Some(t)
    }

    fn draw_sale(&mut self) -> Option<SimTime> {
        self.in_store.next(&mut self.rng).map(|(t, _)| t)
    }

    fn emit(&mut self, event: Event) {
        self.outbox.push(event, &mut self.counters);
    }

    fn tz(&self) -> chrono_tz::Tz {
        self.world.stores[self.index].tz
    }

    fn store_code(&self) -> String {
        format!("S{}", self.store_id)
    }

    /// Draws the defect a record carries, among those it is eligible for.
    fn defect(&mut self, eligible: &[Defect]) -> Option<Defect> {
        let u: f64 = self.rng.random();
        let mut acc = 0.0;
        for d in eligible {
            acc += self.params.dirty[*d as usize];
            if u < acc {
                return Some(*d);
            }
        }
        None
    }

    fn label(
        &mut self,
        ts: SimTime,
        system: &'static str,
        record_kind: &'static str,
        record_id: String,
        defect: Defect,
        field: Option<&'static str>,
    ) {
        self.emit(Event::DirtyLabel(Box::new(DirtyLabel {
            ts,
            system,
            record_kind,
            record_id,
            defect,
            field,
            store_id: self.store_id,
        })));
    }

    fn bad_date(&mut self) -> String {
        const BAD: [&str; 6] = [
            "2026-02-30",
            "13/45/2026",
            "32.13.2026",
            "",
            "N/A",
            "0000-00-00",
        ];
        BAD[self.rng.random_range(0..BAD.len())].to_string()
    }

    fn bad_email(&mut self, good: &str) -> String {
        let (local, domain) = good.split_once('@').unwrap_or((good, "example.com"));
        match self.rng.random_range(0..5) {
            0 => format!("{local}@@{domain}"),
            1 => format!("{local}.{domain}"),
            2 => format!("{local}@"),
            3 => format!("{local} @{domain}"),
            _ => format!("{local}@{}", domain.split('.').next().unwrap_or(domain)),
        }
    }

    fn out_of_range(&mut self, range: (i64, i64)) -> i64 {
        match self.rng.random_range(0..3) {
            0 => -self.rng.random_range(1..=5),
            1 => range.0 - 1,
            _ => range.1 * 10 + self.rng.random_range(0..1000),
        }
    }

    /// Products in the master on `date` (the same in every store).
    fn product_count(&self, date: NaiveDate) -> u32 {
        let days = (date - self.first_day).num_days().max(0) as u32;
        self.params.initial_products + days * self.params.new_products_per_day
    }

    fn product_base(&self, k: u32) -> (Money, Money, u32, String, String) {
        let h = product_hash(k);
        let p = &self.params;
        let price = Money::from_cents(199 + (h % 20_000) as i64);
        let cost = price.apply_basis_points(4_000 + ((h >> 20) % 3_000) as i64);
        let supplier = 1 + ((h >> 32) as u32 % p.suppliers);
        let adjective = &p.product_adjectives[(h >> 40) as usize % p.product_adjectives.len()];
        let noun = &p.product_nouns[(h >> 48) as usize % p.product_nouns.len()];
        let category = noun.clone();
        (
            price,
            cost,
            supplier,
            format!("{adjective} {noun} {}", 10 + k % 90),
            category,
        )
    }

    /// Whether product `k` is repriced on day `d` (after the first).
    fn repriced(&self, k: u32, d: i64) -> Option<i64> {
        let h = splitmix64(product_hash(k) ^ (d as u64).wrapping_mul(0x9E37_79B9));
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        (u < self.params.reprice_share).then_some(if h & 1 == 0 { 500 } else { -500 })
    }

    /// Rolls the price table forward to `date`.
    fn prices_on(&mut self, date: NaiveDate) {
        let d = (date - self.first_day).num_days().max(0);
        while self.priced_day < d {
            self.priced_day += 1;
            let day = self.priced_day;
            let n = self.product_count(self.first_day + chrono::Duration::days(day));
            while (self.prices.len() as u32) < n {
                let k = self.prices.len() as u32 + 1;
                self.prices.push(self.product_base(k).0);
            }
            if day > 0 {
                for k in 1..=self.prices.len() as u32 {
                    if let Some(bp) = self.repriced(k, day) {
                        let p = self.prices[k as usize - 1];
                        self.prices[k as usize - 1] =
                            (p + p.apply_basis_points(bp)).max(Money::from_cents(99));
                    }
                }
            }
        }
    }

    /// A new day at `t` (a local midnight, the start or the end of the
    /// run): the batches of the days before, today's customer changes,
    /// and the next tick.
    fn tick(&mut self, t: SimTime, date: NaiveDate) {
        let tz = self.tz();
        if self.loaded {
            // Batches of what came before: at 02:00 and 03:00 after a day
            // turns; at once when a run ends mid-day (a paced run does not
            // wait for tomorrow's batch).
            let yesterday = date.pred_opt().unwrap_or(date);
            let turned = t == local_to_utc(tz, date, 0);
            let (pos_at, inv_at) = if turned {
                (local_to_utc(tz, date, 120), local_to_utc(tz, date, 180))
            } else {
                (t, t)
            };
            self.prices_on(yesterday);
            let movements = self.pos_batch(pos_at);
            self.inventory_file(inv_at, yesterday, movements);
            if self.rng.random::<f64>() < 0.01 {
                let store = self.world.stores[self.index].clone();
                self.pos_store(pos_at, Op::Update, &store, date);
            }
        } else {
            self.prices_on(date);
            self.initial_load(t.max(self.emit_from), date);
            self.loaded = true;
        }
        self.prices_on(date);
        let midnight = local_to_utc(tz, date.succ_opt().unwrap_or(date), 0);
        if t < self.end {
            // Customers made in a warm-up would never be seen: none then.
            let from = t.max(self.emit_from);
            if from < midnight.min(self.end) {
                self.customer_changes(from, midnight.min(self.end), date);
            }
        }
        self.orderable = self.customers.len();
        self.next_tick =
            (t < self.end).then(|| (midnight.min(self.end), date.succ_opt().unwrap_or(date)));
    }

    fn initial_load(&mut self, at: SimTime, date: NaiveDate) {
        let tz = self.tz();
        let store = self.world.stores[self.index].clone();
        // In-store: the store record.
        let opened_year = 1995 + (splitmix64(u64::from(self.store_id)) % 28) as i32;
        let opened =
            NaiveDate::from_ymd_opt(opened_year, 1 + (self.store_id % 12), 1).unwrap_or(date);
        let _ = tz;
        self.pos_store(at, Op::Load, &store, opened);
        // E-commerce: the market's customers.
        for _ in 0..self.params.initial_customers {
            self.new_customer(at, Op::Load, date);
        }
        // Inventory: the masters, from the first store.
        if self.index == 0 {
            for s in 1..=self.params.suppliers {
                self.supplier(at, Op::Load, s);
            }
            let n = self.product_count(date);
            for k in 1..=n {
                self.product(at, Op::Load, k);
            }
        }
    }

    fn pos_store(&mut self, ts: SimTime, op: Op, store: &crate::catalog::Store, opened: NaiveDate) {
        let mut rec = PosStore {
            ts,
            op,
            store_code: self.store_code(),
            name: format!("Widgets {}", store.city),
            location: Some(format!("{}, {} {}", store.city, store.state, store.zipcode)),
            opened: Some(us_date(opened)),
        };
        let defect = self.defect(&[Defect::Null, Defect::MalformedDate, Defect::Duplicate]);
        let id = rec.store_code.clone();
        let field = match defect {
            Some(Defect::Null) => {
                rec.location = None;
                Some("location")
            }
            Some(Defect::MalformedDate) => {
                rec.opened = Some(self.bad_date());
                Some("opened")
            }
            _ => None,
        };
        self.record(Event::PosStore(Box::new(rec)), "pos", id, defect, field);
    }

    /// Emits a record of `system` with key `id`, twice if its defect is a
    /// duplicate, and the label of its defect.
    fn record(
        &mut self,
        event: Event,
        system: &'static str,
        id: String,
        defect: Option<Defect>,
        field: Option<&'static str>,
    ) {
        let (ts, kind) = (event.ts(), event.kind().as_str());
        if defect == Some(Defect::Duplicate) {
            self.emit(event.clone());
        }
        self.emit(event);
        if let Some(defect) = defect {
            self.label(ts, system, kind, id, defect, field);
        }
    }

    fn email(&self, c: &Customer) -> String {
        let p = &self.params;
        let domain = &p.email_domains[(c.id % p.email_domains.len() as u64) as usize];
        format!(
            "{}.{}{}@{domain}",
            p.first_names[c.first].to_lowercase(),
            p.last_names[c.last].to_lowercase(),
            c.n
        )
    }

    fn new_customer(&mut self, ts: SimTime, op: Op, date: NaiveDate) {
        let p = Arc::clone(&self.params);
        let n = self.customers.len() as u64 + 1;
        let c = Customer {
            id: u64::from(self.store_id) * 1_000_000 + n,
            first: self.rng.random_range(0..p.first_names.len()),
            last: self.rng.random_range(0..p.last_names.len()),
            n: self.rng.random_range(1..1000),
        };
        let signup = if op == Op::Load {
            date - chrono::Duration::days(self.rng.random_range(1..2000))
        } else {
            date
        };
        self.customers.push(c.clone());
        self.customer_record(ts, op, &c, signup);
    }

    fn customer_record(&mut self, ts: SimTime, op: Op, c: &Customer, signup: NaiveDate) {
        let p = Arc::clone(&self.params);
        let store = &self.world.stores[self.index];
        let street = format!(
            "{} {}",
            self.rng.random_range(1..9999),
            p.streets[self.rng.random_range(0..p.streets.len())]
        );
        let mut rec = EcomCustomer {
            ts,
            op,
            customer_id: c.id,
            first_name: p.first_names[c.first].clone(),
            last_name: p.last_names[c.last].clone(),
            email: Some(self.email(c)),
            phone: Some(format!(
                "({:03}) {:03}-{:04}",
                self.rng.random_range(201..990),
                self.rng.random_range(200..999),
                self.rng.random_range(0..10_000)
            )),
            street: Some(street),
            city: store.city.clone(),
            state: store.state.clone(),
            zip: Some(store.zipcode.clone()),
            loyalty_number: Some(format!("LN-{:010}", c.id)),
            signup_date: Some(signup.format("%Y-%m-%d").to_string()),
        };
        let defect = self.defect(&[
            Defect::Null,
            Defect::MalformedEmail,
            Defect::MalformedDate,
            Defect::Duplicate,
        ]);
        let field = match defect {
            Some(Defect::Null) => match self.rng.random_range(0..3) {
                0 => {
                    rec.email = None;
                    Some("email")
                }
                1 => {
                    rec.zip = None;
                    Some("zip")
                }
                _ => {
                    rec.street = None;
                    Some("street")
                }
            },
            Some(Defect::MalformedEmail) => {
                let good = rec.email.take().unwrap_or_default();
                rec.email = Some(self.bad_email(&good));
                Some("email")
            }
            Some(Defect::MalformedDate) => {
                rec.signup_date = Some(self.bad_date());
                Some("signup_date")
            }
            _ => None,
        };
        let id = c.id.to_string();
        self.record(
            Event::EcomCustomer(Box::new(rec)),
            "ecom",
            id,
            defect,
            field,
        );
    }

    /// Today's signups and updates, at random times in `[from, to)`.
    fn customer_changes(&mut self, from: SimTime, to: SimTime, date: NaiveDate) {
        let share = (to.0 - from.0) as f64 / 86_400e6;
        let p = Arc::clone(&self.params);
        let draw = |mean: f64, rng: &mut ChaCha8Rng| {
            Poisson::new(mean * share)
                .map(|d| d.sample(rng) as u32)
                .unwrap_or(0)
        };
        let signups = draw(p.signups_per_day, &mut self.rng);
        let updates = draw(p.customer_updates_per_day, &mut self.rng);
        let mut times: Vec<(SimTime, bool)> = (0..signups + updates)
            .map(|i| {
                let t = SimTime(self.rng.random_range(from.0..to.0.max(from.0 + 1)));
                (t, i < signups)
            })
            .collect();
        times.sort_by_key(|(t, _)| *t);
        for (t, signup) in times {
            if signup || self.customers.is_empty() {
                self.new_customer(t, Op::Insert, date);
            } else {
                let c = self.customers[self.rng.random_range(0..self.customers.len())].clone();
                let signup_date = date - chrono::Duration::days(1);
                self.customer_record(t, Op::Update, &c, signup_date);
            }
        }
    }

    /// An online order with its lines.
    fn order(&mut self, now: SimTime) {
        self.counters.arrivals += 1;
        if self.orderable == 0 {
            return;
        }
        let tz = self.tz();
        let date = now.to_datetime().with_timezone(&tz).date_naive();
        self.prices_on(date);
        let order_id = self
            .order_ids
            .next(self.store_id, yyyymmdd(date))
            .to_string();
        let u: f64 = self.rng.random();
        let customer = self.customers[((u * u) * self.orderable as f64) as usize].id;
        let n = self.lines.sample(&mut self.rng) + 1;
        let products = self.prices.len() as u32;
        let mut total = Money::ZERO;
        let mut lines = Vec::with_capacity(n);
        for line in 1..=n {
            let k = 1 + self.rng.random_range(0..products);
            let qty = self.quantity.sample(&mut self.rng) as i64 + 1;
            let price = self.prices[k as usize - 1];
            total += price * qty;
            lines.push((line as u16, k, qty, price));
        }
        let store = &self.world.stores[self.index];
        let mut rec = EcomOrder {
            ts: now,
            order_id: order_id.clone(),
            customer_id: Some(customer),
            order_ts: Some(now.to_string()),
            status: "placed",
            total: Some(total),
            ship_city: store.city.clone(),
            ship_state: store.state.clone(),
            ship_zip: Some(store.zipcode.clone()),
        };
        let defect = self.defect(&[
            Defect::Null,
            Defect::MalformedDate,
            Defect::Duplicate,
            Defect::OrphanKey,
        ]);
        let field = match defect {
            Some(Defect::Null) => {
                if self.rng.random::<bool>() {
                    rec.total = None;
                    Some("total")
                } else {
                    rec.ship_zip = None;
                    Some("ship_zip")
                }
            }
            Some(Defect::MalformedDate) => {
                rec.order_ts = Some(self.bad_date());
                Some("order_ts")
            }
            Some(Defect::OrphanKey) => {
                rec.customer_id = Some(
                    u64::from(self.store_id) * 1_000_000
                        + ORPHAN_CUSTOMER
                        + self.rng.random_range(0..99_999),
                );
                Some("customer_id")
            }
            _ => None,
        };
        self.record(
            Event::EcomOrder(Box::new(rec)),
            "ecom",
            order_id.clone(),
            defect,
            field,
        );
        for (line, k, qty, price) in lines {
            let mut rec = EcomOrderLine {
                ts: now,
                order_id: order_id.clone(),
                line,
                sku: format!("WID-{k:05}"),
                quantity: Some(qty),
                unit_price: Some(price),
            };
            let defect = self.defect(&[
                Defect::Null,
                Defect::Duplicate,
                Defect::OutOfRange,
                Defect::OrphanKey,
            ]);
            let field = match defect {
                Some(Defect::Null) => {
                    rec.unit_price = None;
                    Some("unit_price")
                }
                Some(Defect::OutOfRange) => {
                    rec.quantity = Some(self.out_of_range(QUANTITY_RANGE));
                    Some("quantity")
                }
                Some(Defect::OrphanKey) => {
                    rec.sku = format!(
                        "WID-{:05}",
                        ORPHAN_PRODUCT + self.rng.random_range(0..9_999)
                    );
                    Some("sku")
                }
                _ => None,
            };
            let id = format!("{order_id}/{line}");
            self.record(
                Event::EcomOrderLine(Box::new(rec)),
                "ecom",
                id,
                defect,
                field,
            );
        }
    }

    /// An in-store sale, kept for the morning batch.
    fn sale(&mut self, now: SimTime) {
        self.counters.served += 1;
        let date = now.to_datetime().with_timezone(&self.tz()).date_naive();
        self.prices_on(date);
        let k = 1 + self.rng.random_range(0..self.prices.len() as u32);
        let qty = self.quantity.sample(&mut self.rng) as i64 + 1;
        let card = (self.rng.random::<f64>() < 0.4 && !self.customers.is_empty())
            .then(|| self.customers[self.rng.random_range(0..self.customers.len())].id);
        self.sales
            .push((now, k, qty, self.prices[k as usize - 1], card));
    }

    /// The POS batch of the sales since the last one, loaded at `at`;
    /// returns the units sold by (date, product) for the inventory file.
    fn pos_batch(&mut self, at: SimTime) -> std::collections::BTreeMap<(NaiveDate, u32), i64> {
        let tz = self.tz();
        let sales = std::mem::take(&mut self.sales);
        let mut by_product: std::collections::BTreeMap<(NaiveDate, u32), i64> = Default::default();
        for (t, k, qty, price, card) in sales {
            let local = t.to_datetime().with_timezone(&tz);
            let day = yyyymmdd(local.date_naive());
            let seq = self.sale_ids.next(self.store_id, day).seq;
            let sale_id = format!("POS-{}-{day}-{seq:05}", self.store_id);
            *by_product.entry((local.date_naive(), k)).or_default() += qty;
            let mut rec = PosSale {
                ts: at,
                sale_id: sale_id.clone(),
                store_code: self.store_code(),
                sale_date: Some(us_date(local.date_naive())),
                sale_time: format!("{:02}:{:02}", local.hour(), local.minute()),
                product_id: Some(k),
                quantity: Some(qty),
                amount: Some(price * qty),
                loyalty_card: card.map(|c| format!("LC {:04} {:06}", c / 1_000_000, c % 1_000_000)),
            };
            let defect = self.defect(&[
                Defect::Null,
                Defect::MalformedDate,
                Defect::Duplicate,
                Defect::OutOfRange,
                Defect::OrphanKey,
            ]);
            let field = match defect {
                Some(Defect::Null) => {
                    rec.amount = None;
                    Some("amount")
                }
                Some(Defect::MalformedDate) => {
                    rec.sale_date = Some(self.bad_date());
                    Some("sale_date")
                }
                Some(Defect::OutOfRange) => {
                    rec.quantity = Some(self.out_of_range(QUANTITY_RANGE));
                    Some("quantity")
                }
                Some(Defect::OrphanKey) => {
                    rec.product_id = Some(ORPHAN_PRODUCT + self.rng.random_range(0..9_999));
                    Some("product_id")
                }
                _ => None,
            };
            self.record(Event::PosSale(Box::new(rec)), "pos", sale_id, defect, field);
        }
        by_product
    }

    /// The inventory system's file for `date`, written at `at`: the
    /// store's movements and, from the first store, the day's product
    /// inserts and price updates.
    fn inventory_file(
        &mut self,
        at: SimTime,
        date: NaiveDate,
        sold: std::collections::BTreeMap<(NaiveDate, u32), i64>,
    ) {
        let p = Arc::clone(&self.params);
        for ((day, k), units) in sold {
            self.movement(at, day, k, "sale", units);
            if self.rng.random::<f64>() < p.receipt_share {
                let units = self.rng.random_range(12..=120);
                self.movement(at, day, k, "receipt", units);
            }
            if self.rng.random::<f64>() < 0.02 {
                let units = self.rng.random_range(1..=3);
                self.movement(at, day, k, "adjustment", units);
            }
        }
        if self.index != 0 {
            return;
        }
        let d = (date - self.first_day).num_days();
        if d < 1 {
            return;
        }
        let before = self.product_count(date - chrono::Duration::days(1));
        let now = self.product_count(date);
        for k in 1..=now {
            if k > before {
                self.product(at, Op::Insert, k);
            } else if self.repriced(k, d).is_some() {
                self.product(at, Op::Update, k);
            }
        }
    }

    fn movement(&mut self, at: SimTime, day: NaiveDate, k: u32, kind: &'static str, units: i64) {
        self.movement_seq += 1;
        let movement_id = format!("MV-{}-{:07}", self.store_id, self.movement_seq);
        let mut rec = InvMovement {
            ts: at,
            movement_id: movement_id.clone(),
            movement_date: Some(eu_date(day)),
            product_code: format!("{k:06}"),
            location_code: self.store_code(),
            movement_type: kind,
            quantity: Some(units),
        };
        let defect = self.defect(&[
            Defect::Null,
            Defect::MalformedDate,
            Defect::Duplicate,
            Defect::OutOfRange,
            Defect::OrphanKey,
        ]);
        let field = match defect {
            Some(Defect::Null) => {
                rec.quantity = None;
                Some("quantity")
            }
            Some(Defect::MalformedDate) => {
                rec.movement_date = Some(self.bad_date());
                Some("movement_date")
            }
            Some(Defect::OutOfRange) => {
                rec.quantity = Some(self.out_of_range(MOVEMENT_RANGE));
                Some("quantity")
            }
            Some(Defect::OrphanKey) => {
                rec.product_code =
                    format!("{:06}", ORPHAN_PRODUCT + self.rng.random_range(0..9_999));
                Some("product_code")
            }
            _ => None,
        };
        self.record(
            Event::InvMovement(Box::new(rec)),
            "inventory",
            movement_id,
            defect,
            field,
        );
    }

    fn product(&mut self, at: SimTime, op: Op, k: u32) {
        let (_, cost, supplier, description, category) = self.product_base(k);
        let price = self.prices[k as usize - 1];
        let mut rec = InvProduct {
            ts: at,
            op,
            product_code: format!("{k:06}"),
            description,
            category,
            supplier_code: format!("SUP-{supplier:03}"),
            unit_cost: Some(cost),
            list_price: Some(price),
        };
        let defect = self.defect(&[Defect::Null, Defect::Duplicate, Defect::OrphanKey]);
        let field = match defect {
            Some(Defect::Null) => {
                rec.unit_cost = None;
                Some("unit_cost")
            }
            Some(Defect::OrphanKey) => {
                rec.supplier_code =
                    format!("SUP-{:03}", ORPHAN_SUPPLIER + self.rng.random_range(0..99));
                Some("supplier_code")
            }
            _ => None,
        };
        let id = rec.product_code.clone();
        self.record(
            Event::InvProduct(Box::new(rec)),
            "inventory",
            id,
            defect,
            field,
        );
    }

    fn supplier(&mut self, at: SimTime, op: Op, s: u32) {
        let p = Arc::clone(&self.params);
        let stores = &self.world.stores;
        let home = &stores[(splitmix64(u64::from(s)) % stores.len() as u64) as usize];
        let name = format!(
            "{} {} Supply",
            p.last_names[s as usize % p.last_names.len()],
            p.product_nouns[s as usize % p.product_nouns.len()]
        );
        let mut rec = InvSupplier {
            ts: at,
            op,
            supplier_code: format!("SUP-{s:03}"),
            contact_email: Some(format!(
                "orders{s}@{}",
                p.email_domains[s as usize % p.email_domains.len()]
            )),
            name,
            location: Some(format!("{}-{}", home.state, home.city)),
        };
        let defect = self.defect(&[Defect::Null, Defect::MalformedEmail, Defect::Duplicate]);
        let field = match defect {
            Some(Defect::Null) => {
                rec.location = None;
                Some("location")
            }
            Some(Defect::MalformedEmail) => {
                let good = rec.contact_email.take().unwrap_or_default();
                rec.contact_email = Some(self.bad_email(&good));
                Some("contact_email")
            }
            _ => None,
        };
        let id = rec.supplier_code.clone();
        self.record(
            Event::InvSupplier(Box::new(rec)),
            "inventory",
            id,
            defect,
            field,
        );
    }
}

impl crate::model::StoreProcess for WidgetsModel {
    fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        WidgetsModel::advance(self, until, out);
    }
    fn is_done(&self) -> bool {
        WidgetsModel::is_done(self)
    }
    fn counters(&self) -> StoreCounters {
        WidgetsModel::counters(self)
    }
}

const OP: [&str; 3] = ["load", "insert", "update"];

/// The store of an order id `STORE-YYYYMMDD-SEQ`.
fn order_store(id: &str) -> u32 {
    id.split('-')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The store of a store code `S1101`.
fn code_store(code: &str) -> u32 {
    code.trim_start_matches('S').parse().unwrap_or(0)
}

impl Record for EcomCustomer {
    const SCHEMA: Schema = Schema {
        name: "ecom_customer",
        version: 1,
        doc: "E-commerce: a customer (the initial load, a sign-up, an update).",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the system wrote it (UTC)."),
            Field::new(
                "op",
                Type::String,
                "The initial load, a new record or a changed one.",
            )
            .one_of(&OP),
            Field::new(
                "customer_id",
                Type::Int64,
                "The customer: the store's market times a million plus a number.",
            ),
            Field::new("first_name", Type::String, "First name."),
            Field::new("last_name", Type::String, "Last name."),
            Field::new(
                "email",
                Type::String,
                "E-mail; null or malformed in a dirty record.",
            )
            .nullable(),
            Field::new("phone", Type::String, "Phone.").nullable(),
            Field::new("street", Type::String, "Street address.").nullable(),
            Field::new("city", Type::String, "City."),
            Field::new("state", Type::String, "State."),
            Field::new("zip", Type::String, "ZIP code.").nullable(),
            Field::new(
                "loyalty_number",
                Type::String,
                "The loyalty card, shared with the in-store system.",
            )
            .nullable(),
            Field::new(
                "signup_date",
                Type::String,
                "Sign-up date as exported (mixed formats by design).",
            )
            .nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The store whose market the customer belongs to.
    fn store_id(&self) -> u32 {
        (self.customer_id / 1_000_000) as u32
    }
}

impl Record for EcomOrder {
    const SCHEMA: Schema = Schema {
        name: "ecom_order",
        version: 1,
        doc: "E-commerce: an order.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the system wrote it (UTC)."),
            Field::new("order_id", Type::String, "STORE-YYYYMMDD-SEQ."),
            Field::new(
                "customer_id",
                Type::Int64,
                "The customer; null or unknown in a dirty record.",
            )
            .nullable(),
            Field::new(
                "order_ts",
                Type::String,
                "The order's time as exported (mixed formats by design).",
            )
            .nullable(),
            Field::new("status", Type::String, "The order's status.").one_of(&["placed"]),
            Field::new("total", MONEY, "The order's total.").nullable(),
            Field::new("ship_city", Type::String, "Ship-to city."),
            Field::new("ship_state", Type::String, "Ship-to state."),
            Field::new("ship_zip", Type::String, "Ship-to ZIP code.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        order_store(&self.order_id)
    }
}

impl Record for EcomOrderLine {
    const SCHEMA: Schema = Schema {
        name: "ecom_order_line",
        version: 1,
        doc: "E-commerce: an order line.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the system wrote it (UTC)."),
            Field::new("order_id", Type::String, "The order."),
            Field::new("line", Type::Int32, "The 1-based line."),
            Field::new(
                "sku",
                Type::String,
                "The product code, as the web shop spells it.",
            ),
            Field::new(
                "quantity",
                Type::Int64,
                "Units; null or out of range in a dirty record.",
            )
            .nullable(),
            Field::new("unit_price", MONEY, "Unit price.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        order_store(&self.order_id)
    }
}

impl Record for PosStore {
    const SCHEMA: Schema = Schema {
        name: "pos_store",
        version: 1,
        doc: "In-store: a store record.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the system wrote it (UTC)."),
            Field::new(
                "op",
                Type::String,
                "The initial load, a new record or a changed one.",
            )
            .one_of(&OP),
            Field::new("store_code", Type::String, "S and the store id."),
            Field::new("name", Type::String, "The store's name."),
            Field::new("location", Type::String, "City and state.").nullable(),
            Field::new("opened", Type::String, "Opening date as exported.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        code_store(&self.store_code)
    }
}

impl Record for PosSale {
    const SCHEMA: Schema = Schema {
        name: "pos_sale",
        version: 1,
        doc: "In-store: a sale, in the morning batch.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the batch was written (UTC)."),
            Field::new("sale_id", Type::String, "The sale."),
            Field::new("store_code", Type::String, "S and the store id."),
            Field::new(
                "sale_date",
                Type::String,
                "The sale's local date as exported (mixed formats by design).",
            )
            .nullable(),
            Field::new(
                "sale_time",
                Type::String,
                "The sale's local time, HH:MM:SS.",
            ),
            Field::new(
                "product_id",
                Type::Int32,
                "The product, as the in-store system numbers it.",
            )
            .nullable(),
            Field::new(
                "quantity",
                Type::Int64,
                "Units; null or out of range in a dirty record.",
            )
            .nullable(),
            Field::new("amount", MONEY, "What was paid.").nullable(),
            Field::new(
                "loyalty_card",
                Type::String,
                "The loyalty card, shared with the web shop.",
            )
            .nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        code_store(&self.store_code)
    }
}

impl Record for InvProduct {
    const SCHEMA: Schema = Schema {
        name: "inv_product",
        version: 1,
        doc: "Inventory: a product.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the file was written (UTC)."),
            Field::new(
                "op",
                Type::String,
                "The initial load, a new record or a changed one.",
            )
            .one_of(&OP),
            Field::new(
                "product_code",
                Type::String,
                "The product, as the inventory system codes it.",
            ),
            Field::new("description", Type::String, "The product's description."),
            Field::new("category", Type::String, "The category."),
            Field::new(
                "supplier_code",
                Type::String,
                "The supplier; unknown in a dirty record.",
            ),
            Field::new("unit_cost", MONEY, "Unit cost.").nullable(),
            Field::new("list_price", MONEY, "List price.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The masters are published by one store for the company.
    fn store_id(&self) -> u32 {
        0
    }
}

impl Record for InvSupplier {
    const SCHEMA: Schema = Schema {
        name: "inv_supplier",
        version: 1,
        doc: "Inventory: a supplier.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the file was written (UTC)."),
            Field::new(
                "op",
                Type::String,
                "The initial load, a new record or a changed one.",
            )
            .one_of(&OP),
            Field::new("supplier_code", Type::String, "The supplier."),
            Field::new("name", Type::String, "The supplier's name."),
            Field::new("location", Type::String, "City and state.").nullable(),
            Field::new("contact_email", Type::String, "Contact e-mail.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The masters are published by one store for the company.
    fn store_id(&self) -> u32 {
        0
    }
}

impl Record for InvMovement {
    const SCHEMA: Schema = Schema {
        name: "inv_movement",
        version: 1,
        doc: "Inventory: a stock movement.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the file was written (UTC)."),
            Field::new("movement_id", Type::String, "The movement."),
            Field::new(
                "movement_date",
                Type::String,
                "Its date as exported (mixed formats by design).",
            )
            .nullable(),
            Field::new("product_code", Type::String, "The product."),
            Field::new("location_code", Type::String, "S and the store id."),
            Field::new("movement_type", Type::String, "What moved the stock.").one_of(&[
                "receipt",
                "sale",
                "adjustment",
            ]),
            Field::new(
                "quantity",
                Type::Int64,
                "Units; null or out of range in a dirty record.",
            )
            .nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        code_store(&self.location_code)
    }
}

impl Record for DirtyLabel {
    const SCHEMA: Schema = Schema {
        name: "dirty_label",
        version: 1,
        doc: "The ground truth: one injected defect.",
        fields: &[
            Field::new("ts", TIMESTAMP, "The defective record's time (UTC)."),
            Field::new("system", Type::String, "The system that holds the record.").one_of(&[
                "ecom",
                "pos",
                "inventory",
            ]),
            Field::new("record_kind", Type::String, "The defective record's kind.").one_of(&[
                "ecom_customer",
                "ecom_order",
                "ecom_order_line",
                "pos_store",
                "pos_sale",
                "inv_product",
                "inv_supplier",
                "inv_movement",
            ]),
            Field::new("record_id", Type::String, "The defective record's id."),
            Field::new("defect", Type::String, "What is wrong with it.").one_of(&[
                "null",
                "malformed_email",
                "malformed_date",
                "duplicate",
                "out_of_range",
                "orphan_key",
            ]),
            Field::new(
                "field",
                Type::String,
                "The defective field, or null for a whole record.",
            )
            .nullable(),
            Field::new("store_id", Type::Int32, "The store whose records hold it."),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        self.store_id
    }
}

impl Model for WidgetsParams {
    fn name(&self) -> &'static str {
        "widgets"
    }

    fn store(
        &self,
        world: &Arc<World>,
        index: usize,
        seed: u64,
        span: RunSpan,
    ) -> Box<dyn StoreProcess> {
        Box::new(WidgetsModel::new(Arc::clone(world), index, seed, span))
    }

    /// An order's lines, the order, its label and a duplicate.
    fn events_per_arrival(&self, _world: &World) -> f64 {
        self.lines_per_order.len() as f64 + 3.0
    }

    /// Orders, in-store sales, sign-ups and customer updates.
    fn arrivals_per_day(&self, world: &World) -> f64 {
        world.params.traffic.baskets_per_day
            + (self.store_sales_per_day + self.signups_per_day + self.customer_updates_per_day)
    }

    /// The initial load (each store's customers) and the daily inventory
    /// file (every product, from the first store), each record with its
    /// duplicate and label counted (three events).
    fn burst_events(&self, stores: &[usize]) -> f64 {
        let per_store = 3.0 * (f64::from(self.initial_customers) + 1.0);
        let products = f64::from(self.initial_products)
            + 366.0 * f64::from(self.new_products_per_day)
            + f64::from(self.suppliers);
        stores.len() as f64 * per_store
            + if stores.contains(&0) {
                3.0 * products
            } else {
                0.0
            }
    }

    fn truth_groups(&self) -> &'static [GroupSpec] {
        TRUTH
    }

    fn describe(&self, world: &World) -> String {
        format!(
            "{} stores and markets, {} products at load, {} suppliers",
            world.stores.len(),
            self.initial_products,
            self.suppliers
        )
    }
}

/// The truth aggregates of the manifest.
const TRUTH: &[GroupSpec] = &[
    GroupSpec {
        name: "dirty_records",
        kind: EventKind::DirtyLabel,
        keys: &[
            ("system", Key::Field("system")),
            ("record_kind", Key::Field("record_kind")),
            ("defect", Key::Field("defect")),
        ],
        sums: &[("records", Sum::Records)],
    },
    GroupSpec {
        name: "ecom_orders",
        kind: EventKind::EcomOrder,
        keys: &[("day", Key::Day("ts")), ("status", Key::Field("status"))],
        sums: &[("orders", Sum::Records)],
    },
    GroupSpec {
        name: "pos_sales",
        kind: EventKind::PosSale,
        keys: &[("store_code", Key::Field("store_code"))],
        sums: &[("sales", Sum::Records)],
    },
];
