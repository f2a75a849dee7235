//! The world of a run: calendar, model parameters and catalogs, shared
//! read-only by every store.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::catalog::{Category, Item, ItemPicker, Store};
use crate::event::EventKind;
use crate::model::StoreProcess;
use crate::models::chain::ChainStore;
use crate::models::marketplace::{MarketplaceModel, MarketplaceParams};
use crate::models::smoothie::{SmoothieModel, SmoothieParams};
use crate::models::webshop::{WebshopModel, WebshopParams};
use crate::models::widgets::{WidgetsModel, WidgetsParams};
use crate::params::ModelParams;
use crate::time::{local_to_utc, SimTime};

/// Which model simulates the stores of a world.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ModelSpec {
    /// The point-of-sale chain: shoppers, register queues, scans, receipts
    /// (and item-master churn).
    #[default]
    Chain,
    /// Smoothie bars: products, purchases, restocks.
    Smoothie(Arc<SmoothieParams>),
    /// A web shop: sessions, a request log and purchases, by market.
    Webshop(Arc<WebshopParams>),
    /// A marketplace: vendors republishing listings.
    Marketplace(Arc<MarketplaceParams>),
    /// A widget retailer whose three systems disagree and hold dirty data.
    Widgets(Arc<WidgetsParams>),
}

impl ModelSpec {
    /// The model's name in scenario files.
    pub fn as_str(&self) -> &'static str {
        match self {
            ModelSpec::Chain => "chain",
            ModelSpec::Smoothie(_) => "smoothie",
            ModelSpec::Webshop(_) => "webshop",
            ModelSpec::Marketplace(_) => "marketplace",
            ModelSpec::Widgets(_) => "widgets",
        }
    }
}

/// Everything a run simulates, validated and immutable.
#[derive(Debug, Clone)]
pub struct World {
    /// Scenario name.
    pub name: String,
    /// Calendar: hours, holidays, curves, staffing.
    pub calendar: Calendar,
    /// Model parameters.
    pub params: ModelParams,
    /// Stores, in catalog order.
    pub stores: Vec<Store>,
    /// Item categories.
    pub categories: Vec<Category>,
    /// The item master.
    pub items: Vec<Item>,
    /// Item sampler over `items`.
    pub picker: ItemPicker,
    /// The model that simulates the stores.
    pub model: ModelSpec,
}

/// What span of virtual time a run covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunSpan {
    /// Whole local days: each store runs from its local midnight of `first`
    /// for `days` days, in its own time zone.
    LocalDays {
        /// The first local date.
        first: NaiveDate,
        /// Number of days, at least 1.
        days: u32,
    },
    /// One UTC interval `[start, end)` for every store.
    Utc {
        /// Start (inclusive).
        start: SimTime,
        /// End (exclusive).
        end: SimTime,
    },
}

impl World {
    /// The simulation of store `index` over `span`, seeded by `seed`.
    pub fn store_model(
        self: &Arc<Self>,
        index: usize,
        seed: u64,
        span: RunSpan,
    ) -> Box<dyn StoreProcess> {
        match self.model {
            ModelSpec::Chain => Box::new(ChainStore::new(Arc::clone(self), index, seed, span)),
            ModelSpec::Smoothie(_) => {
                Box::new(SmoothieModel::new(Arc::clone(self), index, seed, span))
            }
            ModelSpec::Webshop(_) => {
                Box::new(WebshopModel::new(Arc::clone(self), index, seed, span))
            }
            ModelSpec::Marketplace(_) => {
                Box::new(MarketplaceModel::new(Arc::clone(self), index, seed, span))
            }
            ModelSpec::Widgets(_) => {
                Box::new(WidgetsModel::new(Arc::clone(self), index, seed, span))
            }
        }
    }

    /// An upper estimate of the events `stores` make in their busiest
    /// hour: arrivals at the calendar's highest day and holiday multipliers,
    /// its highest hourly share and every promotion at once, each making
    /// its basket's mean lines (capped at `max_lines`) and two more events
    /// (the receipt, a void or a model's own). What a run's windows are
    /// sized by, so a window never holds more than memory takes.
    pub fn peak_events_per_hour(&self, stores: &[usize]) -> f64 {
        let cal = &self.calendar;
        let day = cal.week.iter().map(|d| d.multiplier).fold(0.0, f64::max);
        let holiday = cal
            .holidays
            .iter()
            .map(|h| h.multiplier)
            .fold(1.0, f64::max);
        let share = cal
            .curves
            .iter()
            .flat_map(|c| c.shares.iter().copied())
            .fold(0.0, f64::max);
        let promoted: f64 = cal
            .anomalies
            .iter()
            .map(|a| a.multiplier.max(1.0))
            .product();
        let b = &self.params.basket;
        let lines = (b.lines_lognormal_mu + b.lines_lognormal_sigma.powi(2) / 2.0)
            .exp()
            .min(f64::from(b.max_lines))
            + 1.0;
        let mut per_day = self.params.traffic.baskets_per_day;
        // Events an arrival makes, by model.
        let per_arrival = match &self.model {
            ModelSpec::Chain => lines + 2.0,
            ModelSpec::Smoothie(_) => 4.0,
            // A session's pages (geometric: its tail counted twice over).
            ModelSpec::Webshop(w) => 2.0 * w.pages_mean + 2.0,
            // A snapshot republishes every listing of the vendor.
            ModelSpec::Marketplace(m) => f64::from(m.products_per_vendor.1) + 1.0,
            ModelSpec::Widgets(w) => {
                per_day += w.store_sales_per_day + w.signups_per_day + w.customer_updates_per_day;
                w.lines_per_order.len() as f64 + 3.0
            }
        };
        let traffic: f64 = stores.iter().map(|&i| self.stores[i].traffic).sum();
        per_day * traffic * day * holiday * promoted * share * per_arrival
    }

    /// Events `stores` make at one instant whatever their traffic: the
    /// widget retailer's initial load (each store's customers) and its
    /// daily inventory file (every product, from the first store), each
    /// record with its duplicate and label counted (three events).
    pub fn burst_events(&self, stores: &[usize]) -> f64 {
        match &self.model {
            ModelSpec::Widgets(w) => {
                let per_store = 3.0 * (f64::from(w.initial_customers) + 1.0);
                let products = f64::from(w.initial_products)
                    + 366.0 * f64::from(w.new_products_per_day)
                    + f64::from(w.suppliers);
                stores.len() as f64 * per_store
                    + if stores.contains(&0) {
                        3.0 * products
                    } else {
                        0.0
                    }
            }
            _ => 0.0,
        }
    }

    /// Records `stores` hold in memory whatever the window: a marketplace
    /// vendor's listings (other models hold a few per store).
    pub fn held_records(&self, stores: &[usize]) -> f64 {
        match &self.model {
            ModelSpec::Marketplace(m) => stores.len() as f64 * f64::from(m.products_per_vendor.1),
            _ => 0.0,
        }
    }

    /// The kinds of event a run of this world emits, in [`EventKind::ALL`] order.
    pub fn kinds(&self) -> Vec<EventKind> {
        match self.model {
            ModelSpec::Chain => {
                let mut kinds = vec![EventKind::Scan, EventKind::Transaction];
                if self.params.churn.enabled {
                    kinds.push(EventKind::ItemChange);
                }
                kinds
            }
            ModelSpec::Smoothie(_) => vec![
                EventKind::Product,
                EventKind::Purchase,
                EventKind::Inventory,
                EventKind::LostSale,
            ],
            ModelSpec::Webshop(_) => vec![EventKind::WebPurchase, EventKind::Request],
            ModelSpec::Marketplace(_) => vec![EventKind::Listing],
            ModelSpec::Widgets(_) => vec![
                EventKind::EcomCustomer,
                EventKind::EcomOrder,
                EventKind::EcomOrderLine,
                EventKind::PosStore,
                EventKind::PosSale,
                EventKind::InvProduct,
                EventKind::InvSupplier,
                EventKind::InvMovement,
                EventKind::DirtyLabel,
            ],
        }
    }

    /// The UTC interval in which store `index` accepts arrivals.
    pub fn store_span(&self, index: usize, span: RunSpan) -> (SimTime, SimTime) {
        match span {
            RunSpan::LocalDays { first, days } => {
                let tz = self.stores[index].tz;
                let last = first + chrono::Duration::days(i64::from(days));
                (local_to_utc(tz, first, 0), local_to_utc(tz, last, 0))
            }
            RunSpan::Utc { start, end } => (start, end),
        }
    }

    /// What store `index`'s model simulates over `span`: `(start, emit_from,
    /// end)`. A run from a UTC instant starts with stores already trading:
    /// the hours before it (a warm-up) are simulated and not emitted. Whole
    /// local days start at midnight and emit everything.
    pub fn model_span(&self, index: usize, span: RunSpan) -> (SimTime, SimTime, SimTime) {
        let (from, end) = self.store_span(index, span);
        match span {
            RunSpan::Utc { .. } => (
                from.plus_micros(-crate::models::chain::store::WARM_UP_MICROS),
                from,
                end,
            ),
            RunSpan::LocalDays { .. } => (from, SimTime::MIN, end),
        }
    }

    /// Indices of the stores `shard` simulates.
    pub fn shard_stores(&self, shard: crate::Shard) -> Vec<usize> {
        (0..self.stores.len())
            .filter(|&i| shard.holds(self.stores[i].store_id))
            .collect()
    }

    /// The UTC interval covering every store's span: the run's clock, the
    /// same for every shard.
    pub fn run_span(&self, span: RunSpan) -> (SimTime, SimTime) {
        (0..self.stores.len())
            .map(|i| self.store_span(i, span))
            .fold((SimTime::MAX, SimTime::MIN), |(a, b), (s, e)| {
                (a.min(s), b.max(e))
            })
    }
}
