//! The store actor: one store's model behind a mailbox.

use std::sync::Arc;

use actix::{Actor, Context, Handler, Message, MessageResult};
use storesim_sim::chain::PriceBook;
use storesim_sim::watch::StoreWindow;
use storesim_sim::StoreCounters;
use storesim_sim::{SimTime, Stamped, StoreProcess};

/// Simulate to `until` (exclusive) and return the events stamped before it.
#[derive(Debug, Clone)]
pub struct Advance {
    /// End of the window.
    pub until: SimTime,
    /// The price book for this window, when the item master changes.
    pub prices: Option<Arc<PriceBook>>,
    /// Whether to sum the window for a watcher ([`StoreOutput::window`]).
    pub watch: bool,
}

/// What a store hands back for a window.
#[derive(Debug)]
pub struct StoreOutput {
    /// Events before `until`, ordered by `(ts, seq)`.
    pub events: Vec<Stamped>,
    /// Whether the store has nothing left to do.
    pub done: bool,
    /// The store's counters so far.
    pub counters: StoreCounters,
    /// The window summed, when asked to watch.
    pub window: Option<StoreWindow>,
}

impl Message for Advance {
    type Result = StoreOutput;
}

/// One store.
///
/// Handles [`Advance`]. Lives until the system stops.
#[derive(Debug)]
pub struct StoreActor {
    /// The store's index in the world.
    index: u32,
    model: Box<dyn StoreProcess>,
    /// Capacity hint for the next window's events.
    last_len: usize,
}

impl StoreActor {
    /// Wraps the model of the store at `index` in the world.
    pub fn new(index: usize, model: Box<dyn StoreProcess>) -> StoreActor {
        StoreActor {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            model,
            last_len: 0,
        }
    }
}

impl Actor for StoreActor {
    type Context = Context<Self>;
}

impl Handler<Advance> for StoreActor {
    type Result = MessageResult<Advance>;

    fn handle(&mut self, msg: Advance, _: &mut Context<Self>) -> Self::Result {
        if let Some(prices) = msg.prices {
            let shared: storesim_sim::model::Shared = prices;
            self.model.share(&shared);
        }
        let mut events = Vec::with_capacity(self.last_len + self.last_len / 4);
        self.model.advance(msg.until, &mut events);
        self.last_len = events.len();
        let window = msg
            .watch
            .then(|| StoreWindow::of(self.index, &events, self.model.queued()));
        MessageResult(StoreOutput {
            events,
            done: self.model.is_done(),
            counters: self.model.counters(),
            window,
        })
    }
}
