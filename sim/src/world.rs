//! The world of a run: calendar, model parameters and catalogs, shared
//! read-only by every store.

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::catalog::{Category, Item, ItemPicker, Store};
use crate::params::ModelParams;
use crate::time::{local_to_utc, SimTime};

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

    /// The UTC interval covering every store's span.
    pub fn run_span(&self, stores: &[usize], span: RunSpan) -> (SimTime, SimTime) {
        stores
            .iter()
            .map(|&i| self.store_span(i, span))
            .fold((SimTime::MAX, SimTime::MIN), |(a, b), (s, e)| {
                (a.min(s), b.max(e))
            })
    }
}
