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


mod batches;
mod events;
mod params;
mod process;
mod records;
mod schemas;
mod setup;
mod wu_events;
mod wu_inventory;
mod wu_process;
mod wu_schemas;

pub use events::*;
pub use wu_events::*;
pub use setup::ENTRY;
pub use params::{Tables, WidgetsParams};

/// An online order's lines: (line number, product, quantity, unit price).
type Lines = Vec<(u16, u32, i64, Money)>;

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
    /// The Widgets Unlimited tables' state (unused by the native records).
    wu: Vec<wu_process::WuState>,
    wu_shipments: Vec<wu_process::Shipment>,
    wu_changed: std::collections::BTreeSet<usize>,
    wu_store_loaded: SimTime,
    wu_masters_loaded: SimTime,
    order_seq: u32,
    sale_seq: u32,
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

