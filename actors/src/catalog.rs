//! The catalog actor: the chain's item-master churn, computed ahead of the
//! stores and handed to them with each window.

use std::collections::VecDeque;
use std::sync::Arc;

use actix::{Actor, Context, Handler, Message, MessageResult};
use storesim_sim::chain::churn::{ChurnModel, PriceBook, HORIZON_MICROS};
use storesim_sim::chain::ItemChangeEvent;
use storesim_sim::{Event, SimTime, Stamped, World};

/// Prepare the window `[from, until)`.
#[derive(Debug, Clone, Copy)]
pub struct Prepare {
    /// Start of the window.
    pub from: SimTime,
    /// End of the window (exclusive).
    pub until: SimTime,
}

/// What the stores and the sinks get for a window.
#[derive(Debug, Default)]
pub struct CatalogWindow {
    /// The price book from `from` on, or `None` when nothing changes (the
    /// stores use the catalog).
    pub prices: Option<Arc<PriceBook>>,
    /// The item changes stamped in the window, as events.
    pub changes: Vec<Stamped>,
}

impl Message for Prepare {
    type Result = CatalogWindow;
}

/// The chain-wide item-master churn of a run.
#[derive(Debug)]
pub struct CatalogActor {
    model: ChurnModel,
    enabled: bool,
    book: Arc<PriceBook>,
    /// Changes computed ahead and not yet emitted.
    ahead: VecDeque<ItemChangeEvent>,
    /// How far ahead the changes are computed.
    known_until: SimTime,
}

impl CatalogActor {
    /// The churn of a run from `start`, seeded from the run seed.
    pub fn new(world: &World, seed: u64, start: SimTime) -> CatalogActor {
        CatalogActor {
            model: ChurnModel::new(world, seed, start),
            enabled: world.params.churn.enabled,
            book: Arc::new(PriceBook::new(world)),
            ahead: VecDeque::new(),
            known_until: SimTime::MIN,
        }
    }
}

impl Actor for CatalogActor {
    type Context = Context<Self>;
}

impl Handler<Prepare> for CatalogActor {
    type Result = MessageResult<Prepare>;

    fn handle(&mut self, msg: Prepare, _: &mut Context<Self>) -> Self::Result {
        if !self.enabled {
            return MessageResult(CatalogWindow::default());
        }
        let horizon = msg.until.plus_micros(HORIZON_MICROS);
        let mut fresh = Vec::new();
        if horizon > self.known_until {
            self.model.advance(horizon, &mut fresh);
            self.known_until = horizon;
        }
        self.book = Arc::new(self.book.roll(msg.from, &fresh));
        self.ahead.extend(fresh);
        let mut changes = Vec::new();
        while self.ahead.front().is_some_and(|c| c.ts < msg.until) {
            let c = self.ahead.pop_front().expect("checked");
            changes.push(Stamped::new(c.change_id, Event::ItemChange(Box::new(c))));
        }
        MessageResult(CatalogWindow {
            prices: Some(Arc::clone(&self.book)),
            changes,
        })
    }
}
