//! What the engine asks of a model: one store's process ([`StoreProcess`])
//! and the counters it keeps. The models themselves are in `models/`.

use std::sync::Arc;

use crate::event::Stamped;
use crate::models::chain::PriceBook;
use crate::time::SimTime;

/// Counters a store keeps about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreCounters {
    /// Shoppers who arrived.
    pub arrivals: u64,
    /// Shoppers whose service started.
    pub served: u64,
    /// Arrivals by local hour of day.
    pub arrivals_by_hour: [u64; 24],
    /// Scan lines voided.
    pub voids: u64,
    /// Events delivered late.
    pub late: u64,
    /// Events delivered twice (counted once).
    pub duplicates: u64,
}

/// One store's simulation, whatever the model: what the store actor drives.
pub trait StoreProcess: Send + std::fmt::Debug {
    /// Simulates up to `until` (exclusive) and appends every event
    /// delivered before it to `out`, ordered by `(at, seq)`.
    fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>);
    /// Whether nothing is left to happen.
    fn is_done(&self) -> bool;
    /// The store's counters so far.
    fn counters(&self) -> StoreCounters;
    /// Shoppers waiting in the store's queues now (models without queues
    /// have none).
    fn queued(&self) -> usize {
        0
    }
    /// The price book for the coming windows (models without an item
    /// master ignore it).
    fn set_prices(&mut self, _prices: Arc<PriceBook>) {}
}
