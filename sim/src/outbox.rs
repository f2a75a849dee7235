//! A model's outbox: events stamped with their generation sequence and
//! delivery time (late and duplicate deliveries drawn from a stream of
//! their own), handed out in `(at, seq)` order.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::event::{Event, Stamped};
use crate::model::StoreCounters;
use crate::params::DeliveryParams;
use crate::rng::{stream, StreamKind};
use crate::time::SimTime;

/// Events made and not yet handed out.
#[derive(Debug)]
pub(crate) struct Outbox {
    events: Vec<Stamped>,
    seq: u64,
    delivery: DeliveryParams,
    rng: ChaCha8Rng,
    /// Events stamped before it are the warm-up's: made (their draws are
    /// part of the store's stream) and never kept.
    emit_from: SimTime,
}

impl Outbox {
    /// The outbox of store `store_id`, which hands out the events stamped
    /// at or after `emit_from`.
    pub(crate) fn new(
        delivery: DeliveryParams,
        seed: u64,
        store_id: u32,
        emit_from: SimTime,
    ) -> Outbox {
        Outbox {
            events: Vec::new(),
            seq: 0,
            delivery,
            rng: stream(seed, StreamKind::Delivery, store_id),
            emit_from,
        }
    }

    /// Whether nothing waits to be handed out.
    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Adds an event, delivered at its event time, or late, or twice.
    pub(crate) fn push(&mut self, event: Event, counters: &mut StoreCounters) {
        self.push_at(event, None, counters);
    }

    /// Adds an event delivered at `at` (after its event time: a record
    /// re-sent with its original time), or at its event time for `None`;
    /// then late or twice as [`Outbox::push`].
    pub(crate) fn push_at(
        &mut self,
        event: Event,
        at: Option<SimTime>,
        counters: &mut StoreCounters,
    ) {
        self.seq += 1;
        let mut stamped = Stamped::new(self.seq, event);
        if let Some(at) = at {
            stamped.at = stamped.at.max(at);
        }
        let keep = stamped.at >= self.emit_from;
        let d = self.delivery;
        if !d.is_noisy() {
            if keep {
                self.events.push(stamped);
            }
            return;
        }
        let rng = &mut self.rng;
        if rng.random::<f64>() < d.late_share {
            let (lo, hi) = d.late_delay_us;
            stamped.at = stamped.at.plus_micros(rng.random_range(lo..=hi));
            counters.late += 1;
        }
        if rng.random::<f64>() < d.duplicate_share {
            let (lo, hi) = d.duplicate_delay_us;
            self.seq += 1;
            let copy = Stamped {
                at: stamped.at.plus_micros(rng.random_range(lo..=hi)),
                seq: self.seq,
                store: stamped.store,
                event: stamped.event.clone(),
            };
            counters.duplicates += 1;
            if keep {
                self.events.push(copy);
            }
        }
        if keep {
            self.events.push(stamped);
        }
    }

    /// Appends the events delivered before `until` to `out`, in
    /// [`Stamped::key`] order (a model may emit for other store ids too,
    /// such as the company's).
    pub(crate) fn drain(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        if self.events.is_empty() {
            return;
        }
        if !Stamped::in_order(&self.events) {
            self.events.sort_unstable_by_key(Stamped::key);
        }
        let ready = self.events.partition_point(|s| s.at < until);
        out.extend(self.events.drain(..ready));
    }
}
