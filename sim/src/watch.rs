//! What a store did in one window, for watching a run (`run --serve`).
//!
//! A store's actor sums its own window right after making it, while the
//! events are still in its cache, and hands the sums up with them: a
//! watcher reads a few numbers per store and window, never the events.

use crate::event::{Event, Stamped};

/// A store's window, summed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreWindow {
    /// The store's index in the world.
    pub index: u32,
    /// Events the store handed out in the window.
    pub events: u32,
    /// Shoppers waiting in its queues at the end of the window.
    pub queued: u32,
    /// Sales in cents by virtual minute (minutes since the Unix epoch), in
    /// the order first seen. Chain sales are the receipts' net of
    /// discounts, before tax; smoothie and web-shop sales are purchases'
    /// totals.
    pub sales: Vec<(i64, i64)>,
    /// Queue waits of the receipts, in milliseconds, with the virtual
    /// minute each receipt printed in.
    pub waits: Vec<(i64, u32)>,
}

/// Microseconds in a minute.
const MINUTE_US: i64 = 60_000_000;

impl StoreWindow {
    /// Sums `events`, the window of the store at `index`, which has
    /// `queued` shoppers waiting at its end.
    pub fn of(index: u32, events: &[Stamped], queued: usize) -> StoreWindow {
        let mut w = StoreWindow {
            index,
            events: u32::try_from(events.len()).unwrap_or(u32::MAX),
            queued: u32::try_from(queued).unwrap_or(u32::MAX),
            ..StoreWindow::default()
        };
        for stamped in events {
            let (cents, ts) = match &stamped.event {
                Event::Transaction(t) => {
                    let minute = t.ts.0.div_euclid(MINUTE_US);
                    w.waits.push((minute, t.queue_wait_ms));
                    ((t.subtotal - t.discount).cents(), t.ts)
                }
                Event::Purchase(p) => (p.total_purchase.cents(), p.transaction_time.0),
                Event::WebPurchase(p) => (p.amount.cents(), p.ts),
                _ => continue,
            };
            let minute = ts.0.div_euclid(MINUTE_US);
            match w.sales.iter_mut().rev().find(|(m, _)| *m == minute) {
                Some((_, sum)) => *sum += cents,
                None => w.sales.push((minute, cents)),
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::world;
    use crate::RunSpan;
    use chrono::NaiveDate;

    #[test]
    fn sums_a_chain_window_from_its_receipts() {
        let world = world();
        let span = RunSpan::LocalDays {
            first: NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date"),
            days: 1,
        };
        let mut model = world.store_model(0, 7, span);
        let (_, end) = world.run_span(span);
        let mut events = Vec::new();
        model.advance(end.plus_micros(3_600_000_000), &mut events);
        let w = StoreWindow::of(3, &events, 2);
        assert_eq!((w.index, w.events, w.queued), (3, events.len() as u32, 2));
        let receipts: Vec<_> = events
            .iter()
            .filter_map(|s| match &s.event {
                Event::Transaction(t) => Some(t),
                _ => None,
            })
            .collect();
        assert!(receipts.len() > 10, "a day has receipts");
        assert_eq!(w.waits.len(), receipts.len());
        let sales: i64 = w.sales.iter().map(|&(_, c)| c).sum();
        let expected: i64 = receipts
            .iter()
            .map(|t| (t.subtotal - t.discount).cents())
            .sum();
        assert_eq!(sales, expected);
        // One entry per minute, each receipt in its own minute.
        let mut minutes: Vec<i64> = w.sales.iter().map(|&(m, _)| m).collect();
        minutes.sort_unstable();
        minutes.dedup();
        assert_eq!(minutes.len(), w.sales.len());
        let first = receipts[0];
        let minute = first.ts.0.div_euclid(MINUTE_US);
        let in_minute: i64 = receipts
            .iter()
            .filter(|t| t.ts.0.div_euclid(MINUTE_US) == minute)
            .map(|t| (t.subtotal - t.discount).cents())
            .sum();
        assert!(w.sales.contains(&(minute, in_minute)));
    }

    #[test]
    fn an_empty_window_is_zero() {
        assert_eq!(
            StoreWindow::of(1, &[], 0),
            StoreWindow {
                index: 1,
                ..StoreWindow::default()
            }
        );
    }
}
