//! What a store did in one window, for watching a run (`run --serve`).
//!
//! A store's actor sums its own window right after making it, while the
//! events are still in its cache, and hands the sums up with them: a
//! watcher reads a few numbers per store and window, never the events.

use crate::event::Stamped;

/// A store's window, summed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreWindow {
    /// The store's index in the world.
    pub index: u32,
    /// Shoppers waiting in its queues at the end of the window.
    pub queued: u32,
    /// The window's events by the virtual minute they are handed out in,
    /// ascending: a watcher of a paced run shows each minute as the clock
    /// passes it.
    pub minutes: Vec<MinuteSums>,
    /// Queue waits of the receipts, in milliseconds, with the minute each
    /// is handed out in, ascending.
    pub waits: Vec<(i64, u32)>,
}

/// One virtual minute of a store's events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MinuteSums {
    /// Minutes since the Unix epoch.
    pub minute: i64,
    /// Events handed out.
    pub events: u32,
    /// Sales, in cents: chain receipts net of discounts (before tax),
    /// smoothie and web-shop purchases' totals.
    pub sales: i64,
}

/// Microseconds in a minute.
pub const MINUTE_US: i64 = 60_000_000;

impl StoreWindow {
    /// Sums `events`, the window of the store at `index` in delivery
    /// order, which has `queued` shoppers waiting at its end.
    pub fn of(index: u32, events: &[Stamped], queued: usize) -> StoreWindow {
        let mut w = StoreWindow {
            index,
            queued: u32::try_from(queued).unwrap_or(u32::MAX),
            ..StoreWindow::default()
        };
        let mut now = MinuteSums::default();
        // The current minute's span, `[from, to)`, so an event in it (the
        // common case) costs two comparisons, not a division.
        let (mut from, mut to) = (i64::MAX, i64::MIN);
        for stamped in events {
            let at = stamped.at.0;
            if at < from || at >= to {
                if now.events > 0 {
                    w.minutes.push(now);
                }
                let minute = at.div_euclid(MINUTE_US);
                from = minute * MINUTE_US;
                to = from + MINUTE_US;
                now = MinuteSums {
                    minute,
                    ..MinuteSums::default()
                };
            }
            now.events += 1;
            now.sales += stamped.event.sale_cents();
            if let Some(wait) = stamped.event.queue_wait_ms() {
                w.waits.push((now.minute, wait));
            }
        }
        if now.events > 0 {
            w.minutes.push(now);
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::testing::world;
    use crate::RunSpan;
    use chrono::NaiveDate;

    #[test]
    fn sums_a_chain_window_by_minute_from_its_receipts() {
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
        assert_eq!((w.index, w.queued), (3, 2));
        let minute = |s: &Stamped| s.at.0.div_euclid(MINUTE_US);
        assert!(w.minutes.windows(2).all(|p| p[0].minute < p[1].minute));
        for m in &w.minutes {
            let mine: Vec<&Stamped> = events.iter().filter(|s| minute(s) == m.minute).collect();
            assert_eq!(m.events as usize, mine.len(), "minute {}", m.minute);
            let sales: i64 = mine
                .iter()
                .map(|s| match &s.event {
                    Event::Transaction(t) => (t.subtotal - t.discount).cents(),
                    _ => 0,
                })
                .sum();
            assert_eq!(m.sales, sales, "minute {}", m.minute);
        }
        let counted: u64 = w.minutes.iter().map(|m| u64::from(m.events)).sum();
        assert_eq!(counted, events.len() as u64);
        let waits: Vec<(i64, u32)> = events
            .iter()
            .filter_map(|s| match &s.event {
                Event::Transaction(t) => Some((minute(s), t.queue_wait_ms)),
                _ => None,
            })
            .collect();
        assert!(waits.len() > 10, "a day has receipts");
        assert_eq!(w.waits, waits);
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
