//! The world of a run: calendar, model parameters and catalogs, shared
//! read-only by every store.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::catalog::{Category, Item, ItemPicker, Store};
use crate::event::EventKind;
use crate::model::{Model, StoreProcess};
use crate::params::ModelParams;
use crate::time::{local_to_utc, SimTime, MICROS_PER_HOUR};

/// How long a store is simulated before a run that starts at a UTC instant,
/// so it is already busy at the start: longer than the longest shopping trip
/// plus a queue. Events of the warm-up are not emitted.
pub const WARM_UP_MICROS: i64 = 3 * MICROS_PER_HOUR;

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
    /// The model that simulates the stores (its parameters).
    pub model: Arc<dyn Model>,
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
        self.model.store(self, index, seed, span)
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
        let per_day = self.model.arrivals_per_day(self);
        let per_arrival = self.model.events_per_arrival(self);
        let traffic: f64 = stores.iter().map(|&i| self.stores[i].traffic).sum();
        per_day * traffic * day * holiday * promoted * share * per_arrival
    }

    /// Events `stores` make at one instant whatever their traffic (the
    /// model's initial load or daily files).
    pub fn burst_events(&self, stores: &[usize]) -> f64 {
        self.model.burst_events(stores)
    }

    /// Records `stores` hold in memory whatever the window.
    pub fn held_records(&self, stores: &[usize]) -> f64 {
        self.model.held_records(stores)
    }

    /// The kinds of event a run of this world emits, in [`EventKind::ALL`] order.
    pub fn kinds(&self) -> Vec<EventKind> {
        self.model.kinds(self)
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
            RunSpan::Utc { .. } => (from.plus_micros(-WARM_UP_MICROS), from, end),
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
