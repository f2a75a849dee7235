//! storesim's retail model: pure, synchronous and deterministic.
//!
//! This crate holds virtual time ([`SimTime`]), store calendars in IANA time
//! zones, random streams, catalogs (stores, categories, the item master),
//! the models (`models/`, the chain's store is [`ChainStore`]) and the events it emits. It does
//! no I/O and knows nothing of actors, threads or sinks.
//!
//! # Guarantees
//!
//! - A store's output is a function of (world, seed, store, span) only: each
//!   store draws from its own ChaCha stream, never a shared one.
//! - [`StoreProcess::advance`] returns events in `(ts, seq)` order, and cutting
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
pub mod dims;
pub mod event;
pub mod ids;
pub mod mapping;
pub mod merge;
pub mod model;
pub mod models;
pub mod money;
mod outbox;
pub mod params;
pub mod rng;
pub mod schema;
pub mod setup;
pub mod shard;
pub mod time;
pub mod truth;
pub mod watch;
pub mod world;

pub use event::{Event, EventBatch, EventKind, KeyField, Record, Stamped};
pub use model::Model;
pub use model::{StoreCounters, StoreProcess};
pub use models::chain::ChainStore;
pub use models::{chain, marketplace, smoothie, webshop, widgets};
pub use money::Money;
pub use schema::Schema;
pub use shard::Shard;
pub use time::SimTime;
pub use world::{RunSpan, World};

#[cfg(any(test, feature = "testing"))]
pub mod testing;
