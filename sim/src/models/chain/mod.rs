//! The point-of-sale chain: shoppers, register queues, scans and receipts,
//! and the item master's churn.

pub mod churn;
mod events;
pub mod store;

pub use churn::{ChurnParams, PriceBook};
pub use events::{
    ChangeOp, FlatItemChange, ItemChangeEvent, ItemRow, ITEM_ROW, PaymentMethod, ScanEvent, TransactionEvent,
};
pub use store::{ChainStore, SELF_CHECKOUT_BASE};

use std::sync::Arc;

use crate::event::EventKind;
use crate::model::{Model, StoreProcess};
use crate::world::{RunSpan, World};

/// How a scenario picks the chain: it reads no table of its own.
pub const ENTRY: crate::setup::Entry = crate::setup::Entry {
    name: "chain",
    table: false,
    build: |_| Ok(Arc::new(Chain)),
};

/// The chain's model: its parameters are the world's own (`[traffic]`,
/// `[basket]`, `[churn]`, ...).
#[derive(Debug, Default)]
pub struct Chain;

impl Model for Chain {
    fn name(&self) -> &'static str {
        "chain"
    }

    fn kinds(&self, world: &World) -> Vec<EventKind> {
        let mut kinds = vec![EventKind::Scan, EventKind::Transaction];
        if world.params.churn.enabled {
            kinds.push(EventKind::ItemChange);
        }
        kinds
    }

    fn store(
        &self,
        world: &Arc<World>,
        index: usize,
        seed: u64,
        span: RunSpan,
    ) -> Box<dyn StoreProcess> {
        Box::new(ChainStore::new(Arc::clone(world), index, seed, span))
    }

    /// A basket's mean lines (capped at the most a basket holds, and one
    /// more), its receipt and a void.
    fn events_per_arrival(&self, world: &World) -> f64 {
        let b = &world.params.basket;
        let lines = (b.lines_lognormal_mu + b.lines_lognormal_sigma.powi(2) / 2.0)
            .exp()
            .min(f64::from(b.max_lines))
            + 1.0;
        lines + 2.0
    }

    fn describe(&self, world: &World) -> String {
        format!(
            "{} stores, {} categories, {} items",
            world.stores.len(),
            world.categories.len(),
            world.items.len()
        )
    }

    fn has_item_master(&self) -> bool {
        true
    }
}
