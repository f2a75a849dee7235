//! Events: the one closed list of kinds, what every kind's struct tells the
//! engine and the sinks ([`Record`]), and the ordering of a stream.
//!
//! Each model declares its kinds' structs and schemas in its own folder
//! (`models/<name>/`); the list in `models/mod.rs` makes them the closed
//! enums [`EventKind`] and [`Event`], so the hot path matches on a tag and
//! serialises typed structs.

use serde::Serialize;

pub use crate::ids::{ScanId, TxnId, TxnIds};
pub use crate::models::{Event, EventKind, FlatEvent};
use crate::schema::Schema;
use crate::time::SimTime;

/// What a kind's struct tells the engine and the sinks. Its `Serialize`
/// writes `kind` first and then [`Record::SCHEMA`]'s fields in order (a test
/// checks every kind against its schema).
pub trait Record: Serialize {
    /// The kind's schema.
    const SCHEMA: Schema;
    /// The event's time (UTC).
    fn ts(&self) -> SimTime;
    /// The store that emitted it; 0 for chain-wide events.
    fn store_id(&self) -> u32;
    /// The transaction (or session, or snapshot) it belongs to, if any: a
    /// Kafka key by transaction keeps them together.
    fn transaction_id(&self) -> Option<TxnId> {
        None
    }
    /// The flat row (CSV, landing tables): the record itself unless it
    /// nests others.
    fn flat(&self) -> impl Serialize + '_ {
        self
    }
    /// What a live view counts as sales: a receipt's or an order's
    /// amount, in cents; 0 for kinds that are not a sale.
    fn sale_cents(&self) -> i64 {
        0
    }
    /// How long the shopper waited in a queue, for kinds that know.
    fn queue_wait_ms(&self) -> Option<u32> {
        None
    }
}

impl<T: Record> Record for Box<T> {
    const SCHEMA: Schema = T::SCHEMA;
    #[inline]
    fn ts(&self) -> SimTime {
        (**self).ts()
    }
    #[inline]
    fn store_id(&self) -> u32 {
        (**self).store_id()
    }
    fn transaction_id(&self) -> Option<TxnId> {
        (**self).transaction_id()
    }
    fn flat(&self) -> impl Serialize + '_ {
        (**self).flat()
    }
    fn sale_cents(&self) -> i64 {
        (**self).sale_cents()
    }
    fn queue_wait_ms(&self) -> Option<u32> {
        (**self).queue_wait_ms()
    }
}

/// Makes the models' modules and the closed enums of kinds and events
/// from the models' list: `model: Variant(Struct), ...;` per model (its
/// folder `models/<model>/`), in the order of summaries and manifests.
macro_rules! kinds {
    ($( $model:ident: $( $variant:ident($field:ty) ),+ ; )+) => {
        $(pub mod $model;)+

        /// Every model a scenario may name (`model = "..."`), by the one
        /// list: each model folder's `ENTRY`.
        pub const MODELS: [&$crate::setup::Entry; [$(stringify!($model)),+].len()] =
            [$(&$model::ENTRY),+];

        /// The kinds of event, named as in sink paths (`kind=scan`) and the
        /// `kind` field; each one's schema is [`EventKind::schema`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum EventKind {
            $($(
                #[doc = concat!("A `", stringify!($model), "` kind (see its schema).")]
                $variant,
            )+)+
        }

        impl EventKind {
            /// Every kind, in a fixed order (the order of summaries and manifests).
            pub const ALL: [EventKind; [$($(stringify!($variant)),+),+].len()] =
                [$($(EventKind::$variant),+),+];

            /// The kind's schema.
            pub fn schema(self) -> &'static $crate::schema::Schema {
                match self {
                    $($(EventKind::$variant => &<$field as $crate::event::Record>::SCHEMA,)+)+
                }
            }

            /// The model whose stores emit it.
            pub fn model(self) -> &'static str {
                match self {
                    $($(EventKind::$variant => stringify!($model),)+)+
                }
            }
        }

        /// Any event; each kind carries its own `kind` tag.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Event {
            $($(
                #[doc = concat!("A `", stringify!($variant), "` event.")]
                $variant($field),
            )+)+
        }

        impl Event {
            /// The event's kind.
            #[inline]
            pub fn kind(&self) -> EventKind {
                match self {
                    $($(Event::$variant(_) => EventKind::$variant,)+)+
                }
            }

            /// The event's time (UTC).
            #[inline]
            pub fn ts(&self) -> $crate::time::SimTime {
                use $crate::event::Record;
                match self {
                    $($(Event::$variant(e) => e.ts(),)+)+
                }
            }

            /// The store that emitted it; 0 for chain-wide events.
            #[inline]
            pub fn store_id(&self) -> u32 {
                use $crate::event::Record;
                match self {
                    $($(Event::$variant(e) => Record::store_id(e),)+)+
                }
            }

            /// The transaction it belongs to, if any.
            pub fn transaction_id(&self) -> Option<$crate::ids::TxnId> {
                use $crate::event::Record;
                match self {
                    $($(Event::$variant(e) => e.transaction_id(),)+)+
                }
            }

            /// What a live view counts as sales, in cents (see
            /// [`Record::sale_cents`]).
            pub fn sale_cents(&self) -> i64 {
                use $crate::event::Record;
                match self {
                    $($(Event::$variant(e) => e.sale_cents(),)+)+
                }
            }

            /// The shopper's queue wait, for kinds that know it.
            pub fn queue_wait_ms(&self) -> Option<u32> {
                use $crate::event::Record;
                match self {
                    $($(Event::$variant(e) => e.queue_wait_ms(),)+)+
                }
            }

            /// The event as its flat row (CSV, landing tables).
            pub fn flat(&self) -> FlatEvent<'_> {
                FlatEvent(self)
            }
        }

        impl serde::Serialize for Event {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $($(Event::$variant(e) => e.serialize(s),)+)+
                }
            }
        }

        /// [`Event::flat`].
        #[derive(Debug)]
        pub struct FlatEvent<'a>(&'a Event);

        impl serde::Serialize for FlatEvent<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use $crate::event::Record;
                match self.0 {
                    $($(Event::$variant(e) => e.flat().serialize(s),)+)+
                }
            }
        }
    };
}
pub(crate) use kinds;

impl EventKind {
    /// The kind's name: `scan`, `transaction`.
    pub fn as_str(self) -> &'static str {
        self.schema().name
    }

    /// A dense index, `0..ALL.len()`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The kind's flat fields, `kind` first: its CSV header and landing
    /// table (JSON has the same fields, with an item change's row as
    /// `before` and `after` objects).
    pub fn fields(self) -> Vec<&'static str> {
        self.schema().header()
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<EventKind, String> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown event kind `{s}` (known: {})", known.join(", "))
            })
    }
}

/// The field that keys an event's message (Kafka's partitioning key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyField {
    /// The store id: each store's events stay in order within a partition.
    #[default]
    StoreId,
    /// The transaction id (events without one are keyed by store id): a
    /// basket's scans and receipt stay together, stores spread wider.
    TransactionId,
    /// No key: the producer spreads messages over partitions.
    None,
}

impl KeyField {
    /// The key of `event`, written into `out` (cleared first); false for
    /// no key.
    pub fn write(self, event: &Event, out: &mut String) -> bool {
        use std::fmt::Write;
        out.clear();
        match (self, event.transaction_id()) {
            (KeyField::None, _) => return false,
            (KeyField::TransactionId, Some(t)) => write!(out, "{t}"),
            _ => write!(out, "{}", event.store_id()),
        }
        .is_ok()
    }
}

impl std::str::FromStr for KeyField {
    type Err = String;

    fn from_str(s: &str) -> Result<KeyField, String> {
        match s {
            "store_id" => Ok(KeyField::StoreId),
            "transaction_id" => Ok(KeyField::TransactionId),
            "none" => Ok(KeyField::None),
            _ => Err(format!("key `{s}`: use store_id, transaction_id or none")),
        }
    }
}

/// An event with its total-order key `(at, store, seq)`.
///
/// `seq` counts the events a store has generated, so the key is unique and
/// independent of threads and window lengths. The store id is copied out of
/// the event when it is stamped, so ordering never looks inside the event
/// (most kinds are boxed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// When the event is delivered: its event time, or later for a late
    /// event or a duplicate. Streams are ordered by it.
    pub at: SimTime,
    /// The store's generation sequence number.
    pub seq: u64,
    /// The event's [`Event::store_id`].
    pub store: u32,
    /// The event.
    pub event: Event,
}

impl Stamped {
    /// An event delivered at its event time.
    pub fn new(seq: u64, event: Event) -> Stamped {
        Stamped {
            at: event.ts(),
            seq,
            store: event.store_id(),
            event,
        }
    }

    /// The ordering key `(at, store_id, seq)`.
    #[inline]
    pub fn key(&self) -> (SimTime, u32, u64) {
        (self.at, self.store, self.seq)
    }

    /// Whether `events` are in strictly increasing [`Stamped::key`] order.
    pub fn in_order(events: &[Stamped]) -> bool {
        events.windows(2).all(|w| w[0].key() < w[1].key())
    }
}

/// A window's events, ordered by `(ts, store_id, seq)`.
#[derive(Debug, Clone, Default)]
pub struct EventBatch {
    /// Start of the window (inclusive).
    pub start: SimTime,
    /// End of the window (exclusive); every event is before it.
    pub end: SimTime,
    /// The events, in order.
    pub events: Vec<Stamped>,
}

impl EventBatch {
    /// Number of events of each kind, indexed by [`EventKind::index`].
    pub fn counts(&self) -> [u64; EventKind::ALL.len()] {
        let mut counts = [0u64; EventKind::ALL.len()];
        for e in &self.events {
            counts[e.event.kind().index()] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_small() {
        // Events are moved and buffered by the million: keep them compact
        // (the event, and its ordering key: delivery time, store, sequence).
        assert!(
            std::mem::size_of::<Stamped>() <= 88,
            "{}",
            std::mem::size_of::<Stamped>()
        );
    }

    #[test]
    fn every_kind_names_its_schema_and_the_names_are_unique() {
        let names: std::collections::BTreeSet<&str> =
            EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), EventKind::ALL.len());
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
            assert_eq!(kind.fields()[0], "kind");
            assert!(kind.schema().version >= 1);
        }
    }
}
