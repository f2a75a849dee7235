//! storesim's retail model: pure, synchronous and deterministic.
//!
//! This crate holds virtual time ([`SimTime`]), store calendars in IANA time
//! zones, random streams, catalogs (stores, categories, the item master),
//! the store state machine ([`StoreModel`]) and the events it emits. It does
//! no I/O and knows nothing of actors, threads or sinks.
//!
//! # Guarantees
//!
//! - A store's output is a function of (world, seed, store, span) only: each
//!   store draws from its own ChaCha stream, never a shared one.
//! - [`StoreModel::advance`] returns events in `(ts, seq)` order, and cutting
//!   a span into windows of any length yields the same events.
//! - Money is integer cents; event ids are derived, never random.
//!
//! ```
//! use storesim_sim::{Money, SimTime};
//! assert_eq!(Money::from_cents(499).to_string(), "4.99");
//! assert_eq!(SimTime(0).to_string(), "1970-01-01T00:00:00.000Z");
//! ```

pub mod arrivals;
pub mod calendar;
pub mod catalog;
pub mod churn;
pub mod event;
pub mod marketplace;
pub mod merge;
pub mod money;
mod outbox;
pub mod params;
pub mod rng;
pub mod shard;
pub mod smoothie;
pub mod store;
pub mod time;
pub mod truth;
pub mod watch;
pub mod webshop;
pub mod widgets;
pub mod world;

pub use event::{Event, EventBatch, EventKind, KeyField, Stamped};
pub use money::Money;
pub use shard::Shard;
pub use store::StoreModel;
pub use time::SimTime;
pub use world::{Model, ModelSpec, RunSpan, World};

#[cfg(any(test, feature = "testing"))]
pub mod testing;
