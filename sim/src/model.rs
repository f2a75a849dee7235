//! What the engine asks of a model: one store's process ([`StoreProcess`])
//! and the counters it keeps. The models themselves are in `models/`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::calendar::Anomaly;
use crate::catalog::Category;
use crate::event::{EventKind, Stamped};
use crate::setup::SetupError;
use crate::time::SimTime;
pub use crate::truth::groups::{GroupSpec, Key, Sum};
use crate::world::{RunSpan, World};

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

/// What a model's settings must agree with once the world is known: the
/// scenario's anomalies, its stores and categories.
pub struct Reach<'a> {
    /// The scenario's anomalies.
    pub anomalies: &'a [Anomaly],
    /// Whether a store (or vendor) id is among the stores.
    pub is_store: &'a dyn Fn(u32) -> bool,
    /// The categories.
    pub categories: &'a [Category],
}

/// State computed ahead of the stores and handed to each (the chain's
/// price book).
pub type Shared = Arc<dyn std::any::Any + Send + Sync>;

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
    /// What the scheduler computed ahead of the stores for the coming
    /// windows (the chain's price book); a model that needs none ignores it.
    fn share(&mut self, _shared: &Shared) {}
}

/// A model: what a scenario's `model = "name"` picks. It names its kinds,
/// makes each store's process, sizes its bursts for the engine's windows,
/// and brings its own truth aggregates. The engine asks it, and names no
/// model; the one list of models is `models/mod.rs`.
pub trait Model: Send + Sync + std::fmt::Debug + std::any::Any {
    /// The name in scenario files: `model = "chain"`.
    fn name(&self) -> &'static str;
    /// The kinds a run of `world` emits, in [`EventKind::ALL`] order:
    /// every kind of this model by default.
    fn kinds(&self, world: &World) -> Vec<EventKind> {
        let _ = world;
        EventKind::ALL
            .into_iter()
            .filter(|k| k.model() == self.name())
            .collect()
    }
    /// The simulation of store `index` of `world` over `span`, seeded by `seed`.
    fn store(
        &self,
        world: &Arc<World>,
        index: usize,
        seed: u64,
        span: RunSpan,
    ) -> Box<dyn StoreProcess>;
    /// An upper estimate of the events one arrival makes (a shopper's
    /// lines and receipt, a session's pages), with its tail counted.
    fn events_per_arrival(&self, world: &World) -> f64;
    /// Arrivals of an average store on an ordinary day, its own processes
    /// (sign-ups, batches) included.
    fn arrivals_per_day(&self, world: &World) -> f64 {
        world.params.traffic.baskets_per_day
    }
    /// Events `stores` make at one instant whatever their traffic (an
    /// initial load, a daily file).
    fn burst_events(&self, stores: &[usize]) -> f64 {
        let _ = stores;
        0.0
    }
    /// Records `stores` hold in memory whatever the window.
    fn held_records(&self, stores: &[usize]) -> f64 {
        let _ = stores;
        0.0
    }
    /// The model's truth aggregates, summed over its records.
    fn truth_groups(&self) -> &'static [GroupSpec] {
        &[]
    }
    /// A text lookup the aggregates' [`Key::Lookup`] columns read (the web
    /// shop's user agent to device).
    fn truth_lookup(&self) -> BTreeMap<String, String> {
        BTreeMap::new()
    }
    /// What the world holds, in a line: `5 bars, 27 products`.
    fn describe(&self, world: &World) -> String;
    /// The model's own static tables, for `storesim catalog` (beside the
    /// stores and the item master): each a file name and its records of
    /// one kind, as the model first publishes them over `span`, without
    /// injected defects (the smoothie menu, the widget products and
    /// suppliers, the marketplace's vendors).
    fn catalog(&self, world: &Arc<World>, span: RunSpan) -> Vec<(&'static str, Vec<crate::Event>)> {
        let _ = (world, span);
        Vec::new()
    }
    /// Whether its stores sell the world's item master, so the store,
    /// category and item tables are its dimensions (loaded by PostgreSQL).
    fn has_item_master(&self) -> bool {
        false
    }

    /// Whether a promotion may discount this model's products
    /// (`discount_pct`, `products` on an anomaly).
    fn prices_promotions(&self) -> bool {
        false
    }

    /// Refuses what could never apply: a setting of the model's table (or
    /// an anomaly's) that names a product, a category or a store the
    /// world does not have.
    fn check_reach(&self, _reach: &Reach<'_>) -> Result<(), SetupError> {
        Ok(())
    }
}

impl dyn Model {
    /// The model as its own type, if it is one.
    pub fn downcast<T: Model>(&self) -> Option<&T> {
        (self as &dyn std::any::Any).downcast_ref()
    }
}

/// The model of `world` as `T`, shared.
///
/// # Panics
///
/// If the world's model is not a `T` (a store process made for another
/// model's world).
pub fn params_of<T: Model>(world: &World) -> Arc<T> {
    let any: Arc<dyn std::any::Any + Send + Sync> = world.model.clone();
    any.downcast()
        .unwrap_or_else(|_| panic!("not a {} world", std::any::type_name::<T>()))
}

#[cfg(test)]
mod tests {
    //! A model the engine has never heard of: a tiny one, defined here,
    //! runs through the world, the window sizing and the truth tally with
    //! no line of the engine changed (ARCHITECTURE.md, "Add a model").

    use super::*;
    use crate::event::Event;
    use crate::ids::TxnId;
    use crate::models::marketplace::{ListingEvent, StockStatus};
    use crate::money::Money;

    /// One listing per store every `[tiny] every_minutes` of the span.
    #[derive(Debug)]
    struct Tiny {
        every_us: i64,
    }

    /// Its table, as a scenario writes it.
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct TinyConfig {
        every_minutes: i64,
    }

    /// How a scenario picks it (`model = "tiny"` and `[tiny]`): the line of
    /// `models/mod.rs` would list this.
    const ENTRY: crate::setup::Entry = crate::setup::Entry {
        name: "tiny",
        table: true,
        build: |s| {
            let c: TinyConfig = s.table()?;
            use crate::setup::Checks as _;
            let minutes = s.int_in("every_minutes", c.every_minutes, 1, 1440)?;
            Ok(Arc::new(Tiny {
                every_us: minutes * 60_000_000,
            }))
        },
    };

    #[derive(Debug)]
    struct TinyStore {
        store_id: u32,
        next: SimTime,
        end: SimTime,
        every_us: i64,
        seq: u64,
    }

    impl StoreProcess for TinyStore {
        fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
            while self.next < until.min(self.end) {
                self.seq += 1;
                let event = Event::Listing(Box::new(ListingEvent {
                    ts: self.next,
                    snapshot_id: TxnId {
                        store_id: self.store_id,
                        date: 20261124,
                        seq: self.seq as u32,
                    },
                    vendor_id: self.store_id,
                    vendor_name: "Tiny".into(),
                    product_id: 1,
                    product_name: "tiny".into(),
                    category: "Tiny".into(),
                    list_price: Money(100),
                    sale_price: Money(90),
                    stock_status: StockStatus::InStock,
                    stock_qty: 5,
                    dynamic_price: Money(90),
                    pricing_rule: None,
                }));
                out.push(Stamped::new(self.seq, event));
                self.next = self.next.plus_micros(self.every_us);
            }
        }
        fn is_done(&self) -> bool {
            self.next >= self.end
        }
        fn counters(&self) -> StoreCounters {
            StoreCounters::default()
        }
    }

    impl Model for Tiny {
        fn name(&self) -> &'static str {
            "tiny"
        }
        fn kinds(&self, _world: &World) -> Vec<EventKind> {
            vec![EventKind::Listing]
        }
        fn store(
            &self,
            world: &Arc<World>,
            index: usize,
            _seed: u64,
            span: RunSpan,
        ) -> Box<dyn StoreProcess> {
            let (start, end) = world.store_span(index, span);
            Box::new(TinyStore {
                store_id: world.stores[index].store_id,
                next: start,
                end,
                every_us: self.every_us,
                seq: 0,
            })
        }
        fn events_per_arrival(&self, _world: &World) -> f64 {
            1.0
        }
        fn describe(&self, world: &World) -> String {
            format!("{} tiny stores", world.stores.len())
        }
    }

    #[test]
    fn a_tiny_model_runs_through_the_engine() {
        let table = |text: &str| toml::from_str::<toml::Value>(text).unwrap();
        let no_files = |path: &str| Err(crate::setup::SetupError::data(path, "none"));
        let build = |text: &str| {
            (ENTRY.build)(&crate::setup::Setup::new(
                ENTRY.name,
                Some(&table(text)),
                &no_files,
            ))
        };
        assert_eq!(
            build("every_minutes = 0").unwrap_err().to_string(),
            "`tiny.every_minutes`: must be between 1 and 1440, got 0"
        );
        let mut world = (*crate::testing::world()).clone();
        world.model = build("every_minutes = 60").unwrap();
        let world = Arc::new(world);
        assert_eq!(world.kinds(), [EventKind::Listing]);
        assert_eq!(world.model.describe(&world), "3 tiny stores");
        assert!(world.peak_events_per_hour(&[0, 1]) > 0.0);
        let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let span = RunSpan::LocalDays { first, days: 1 };
        let mut store = world.store_model(1, 7, span);
        let mut events = Vec::new();
        store.advance(SimTime::MAX, &mut events);
        assert!(store.is_done());
        assert_eq!(events.len(), 24);
        assert!(Stamped::in_order(&events));
        let mut tally = crate::truth::Tally::streaming(&world);
        tally.observe(&events);
        let line = serde_json::to_string(&events[0].event).unwrap();
        assert_eq!(EventKind::Listing.schema().check_json(&line), Ok(()));
        assert!(world.model.downcast::<Tiny>().is_some());
    }
}
