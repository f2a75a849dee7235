//! Actor tests with in-memory sinks: threads and windows never change the
//! output, and every event reaches every sink.

use std::sync::Arc;
use storesim_sim::time::{MICROS_PER_HOUR, MICROS_PER_MIN};
use storesim_sim::{testing, SimTime, Stamped};

use storesim_sinks::memory::MemorySink;

use super::*;

/// A run of the test world's three stores over local day 2026-11-`date`,
/// at full speed, into `sinks`: what the tests change, they override.
fn day_config(date: u32, seed: u64, sinks: Vec<Box<dyn storesim_sinks::Sink>>) -> RunConfig {
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, date).unwrap();
    RunConfig {
        world: testing::world(),
        seed,
        span: RunSpan::LocalDays { first, days: 1 },
        stores: vec![0, 1, 2],
        chain_events: true,
        threads: 2,
        window_us: 15 * MICROS_PER_MIN,
        max_windows_in_flight: Some(2),
        pacing: Pacing::Max,
        clock: Arc::new(crate::SystemClock::new()),
        stop: crate::StopSignal::new(),
        handle_signals: false,
        sinks,
        progress: None,
        watch: false,
    }
}

fn run_with(threads: usize, window_us: i64, seed: u64) -> (RunSummary, Vec<Stamped>, Vec<Stamped>) {
    let (a, ha) = MemorySink::new("a");
    let (b, hb) = MemorySink::new("b");
    let summary = run(RunConfig {
        threads,
        window_us,
        ..day_config(27, seed, vec![Box::new(a), Box::new(b)])
    })
    .unwrap();
    assert!(ha.closed() && hb.closed());
    (summary, ha.events(), hb.events())
}

#[test]
fn threads_and_windows_do_not_change_the_output() {
    let (s1, a1, b1) = run_with(1, 15 * MICROS_PER_MIN, 7);
    let (s2, a2, _) = run_with(3, 15 * MICROS_PER_MIN, 7);
    let (_, a3, _) = run_with(2, MICROS_PER_HOUR + 17, 7);
    assert!(a1.len() > 10_000);
    assert_eq!(a1, b1, "every sink gets the same events");
    assert_eq!(a1, a2, "1 thread vs 3");
    assert_eq!(a1, a3, "15-minute vs odd windows");
    assert!(
        a1.windows(2).all(|w| w[0].key() < w[1].key()),
        "ordered by (ts, store, seq)"
    );
    assert_eq!(s1.events_total(), a1.len() as u64);
    assert_eq!(s1.events, s2.events);
    assert_eq!(s1.undelivered(), 0);
    assert_eq!(s1.arrivals, s1.served);
    assert_eq!(s1.sinks.len(), 2);
    let (_, other, _) = run_with(2, 15 * MICROS_PER_MIN, 8);
    assert_ne!(a1, other, "another seed, other events");
}

/// A watched run hands the progress callback every store's window once,
/// before the window's events go out, and the windows add up to what the
/// sinks got: events per store and minute, sales (receipts net of
/// discounts) and queue waits.
#[test]
fn watched_windows_add_up_to_the_events() {
    use std::sync::Mutex;
    use storesim_sim::watch::{StoreWindow, MINUTE_US};
    use storesim_sim::Event;

    type Seen = Arc<Mutex<Vec<(u64, SimTime, Vec<StoreWindow>)>>>;
    let watched = |watch: bool| {
        let (sink, handle) = MemorySink::new("memory");
        let seen: Seen = Arc::default();
        let into = Arc::clone(&seen);
        let summary = run(RunConfig {
            stores: vec![0, 2],
            window_us: 20 * MICROS_PER_MIN + 7,
            progress: Some(Box::new(move |p: &Progress<'_>| {
                if !p.stores.is_empty() {
                    let released = p.events.iter().sum::<u64>();
                    assert_eq!(p.clock, p.window.0, "reported before release");
                    into.lock()
                        .unwrap()
                        .push((released, p.window.0, p.stores.to_vec()));
                }
            })),
            watch,
            ..day_config(27, 5, vec![Box::new(sink)])
        })
        .unwrap();
        let seen = std::mem::take(&mut *seen.lock().unwrap());
        (summary, handle.events(), seen)
    };
    let (plain, plain_events, none) = watched(false);
    assert!(none.is_empty(), "an unwatched run sums nothing");
    let (summary, events, windows) = watched(true);
    assert_eq!(events, plain_events, "watching changes nothing");
    assert_eq!(windows.len() as u64, summary.windows);
    assert_eq!(summary.events, plain.events);
    // Each report came before its window's events were released: what
    // had gone out were the earlier windows' events.
    for (released, start, _) in &windows {
        let before = events.iter().filter(|s| s.at < *start).count() as u64;
        assert_eq!(*released, before, "window from {start}");
    }
    let world = testing::world();
    for index in [0u32, 2] {
        let id = world.stores[index as usize].store_id;
        let mine: Vec<&Stamped> = events.iter().filter(|s| s.store == id).collect();
        let all: Vec<StoreWindow> = windows
            .iter()
            .map(|(_, _, w)| {
                let got: Vec<&StoreWindow> = w.iter().filter(|w| w.index == index).collect();
                assert_eq!(got.len(), 1, "each store once per window");
                got[0].clone()
            })
            .collect();
        let mut by_minute = std::collections::BTreeMap::<i64, (u64, i64)>::new();
        for s in &mine {
            let m = by_minute.entry(s.at.0.div_euclid(MINUTE_US)).or_default();
            m.0 += 1;
            if let Event::Transaction(t) = &s.event {
                m.1 += (t.subtotal - t.discount).cents();
            }
        }
        let mut summed = std::collections::BTreeMap::<i64, (u64, i64)>::new();
        for m in all.iter().flat_map(|w| &w.minutes) {
            let e = summed.entry(m.minute).or_default();
            e.0 += u64::from(m.events);
            e.1 += m.sales;
        }
        assert_eq!(summed, by_minute, "store {id}: events and sales by minute");
        let mut waits: Vec<u32> = all
            .iter()
            .flat_map(|w| &w.waits)
            .map(|&(_, ms)| ms)
            .collect();
        let mut want: Vec<u32> = mine
            .iter()
            .filter_map(|s| match &s.event {
                Event::Transaction(t) => Some(t.queue_wait_ms),
                _ => None,
            })
            .collect();
        waits.sort_unstable();
        want.sort_unstable();
        assert!(want.len() > 100);
        assert_eq!(waits, want, "store {id}: waits");
        assert!(
            all.iter().any(|w| w.queued > 0),
            "store {id}: someone queued at some window's end on Black Friday"
        );
    }
}

/// A sink that takes its time and checks, at every write, that the
/// scheduler has not dispatched more than `max` windows beyond those
/// written: a slow sink slows the clock instead of piling up windows.
struct SlowSink {
    dispatched: Arc<std::sync::atomic::AtomicU64>,
    written: u64,
    worst: Arc<std::sync::atomic::AtomicU64>,
    report: storesim_sinks::DeliveryReport,
    /// The windows in flight it asks for.
    own: usize,
}

#[async_trait::async_trait]
impl storesim_sinks::Sink for SlowSink {
    fn name(&self) -> &str {
        "slow"
    }

    fn windows_in_flight(&self) -> usize {
        self.own
    }

    async fn write(
        &mut self,
        batch: &storesim_sim::EventBatch,
    ) -> Result<(), storesim_sinks::SinkError> {
        use std::sync::atomic::Ordering;
        // The progress callback counts a window after dispatching it, so
        // `dispatched` never runs ahead of the truth: no false alarms.
        let ahead = self
            .dispatched
            .load(Ordering::SeqCst)
            .saturating_sub(self.written);
        self.worst.fetch_max(ahead, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(5));
        self.written += 1;
        self.report.add_batch(batch);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), storesim_sinks::SinkError> {
        Ok(())
    }

    async fn close(&mut self) -> Result<storesim_sinks::DeliveryReport, storesim_sinks::SinkError> {
        Ok(self.report)
    }

    fn report(&self) -> storesim_sinks::DeliveryReport {
        self.report
    }
}

/// Runs a day of 24 stores into a [`SlowSink`] asking for `own` windows
/// in flight, the run giving `flag`, and returns the most it ever had.
fn worst_in_flight(own: usize, flag: Option<usize>) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    let dispatched = Arc::new(AtomicU64::new(0));
    let worst = Arc::new(AtomicU64::new(0));
    let sink = SlowSink {
        dispatched: Arc::clone(&dispatched),
        written: 0,
        worst: Arc::clone(&worst),
        report: Default::default(),
        own,
    };
    let counter = Arc::clone(&dispatched);
    let summary = run(RunConfig {
        window_us: 10 * MICROS_PER_MIN,
        max_windows_in_flight: flag,
        progress: Some(Box::new(move |p: &Progress<'_>| {
            counter.store(p.batches, Ordering::SeqCst);
        })),
        ..day_config(24, 1, vec![Box::new(sink)])
    })
    .unwrap();
    assert!(summary.batches > 100);
    assert_eq!(summary.undelivered(), 0);
    let worst = worst.load(Ordering::SeqCst);
    assert!(worst >= 1, "the slow sink should have had a window waiting");
    worst
}

/// At a write's start, the windows dispatched and not yet written are
/// this one plus at most `max - 1` queued behind it: the run's bound when
/// it gives one, else the sink's own.
#[test]
fn a_slow_sink_bounds_the_windows_in_flight() {
    let worst = worst_in_flight(5, Some(2));
    assert!(
        worst <= 2,
        "{worst} windows in flight, bound 2 from the run"
    );
    let worst = worst_in_flight(1, None);
    assert!(
        worst <= 1,
        "{worst} windows in flight, bound 1 from the sink"
    );
}

mod pacing {
    use std::time::Duration;

    use storesim_sim::time::MICROS_PER_MIN;
    use storesim_sim::SimTime;

    use super::*;
    use crate::{ManualClock, StopSignal};

    /// 2026-11-24T15:00:00Z: mid-afternoon in every test store.
    const T0: SimTime = SimTime(1_795_964_400_000_000);

    fn paced(
        pacing: Pacing,
        clock: ManualClock,
        span_min: i64,
        stop: StopSignal,
        stop_after: Option<u64>,
    ) -> (RunSummary, Vec<Stamped>, bool) {
        let (sink, handle) = MemorySink::new("memory");
        let trigger = stop.clone();
        let summary = run(RunConfig {
            span: RunSpan::Utc {
                start: T0,
                end: T0.plus_micros(span_min * MICROS_PER_MIN),
            },
            window_us: 5 * MICROS_PER_MIN,
            max_windows_in_flight: Some(3),
            pacing,
            clock: Arc::new(clock),
            stop,
            progress: Some(Box::new(move |p: &Progress<'_>| {
                if stop_after.is_some_and(|n| p.events.iter().sum::<u64>() >= n) {
                    trigger.stop();
                }
            })),
            ..day_config(24, 3, vec![Box::new(sink)])
        })
        .unwrap();
        (summary, handle.events(), handle.closed())
    }

    /// Every event goes out exactly when the (manual) wall clock reaches
    /// its virtual time at 60x, and nothing else changes.
    #[test]
    fn events_are_released_on_time_at_speed() {
        let clock = ManualClock::new(T0.plus_micros(-MICROS_PER_MIN)); // wall is before the start
        let (max, max_events, _) = paced(
            Pacing::Max,
            ManualClock::new(T0),
            60,
            StopSignal::new(),
            None,
        );
        let (live, events, closed) = paced(
            Pacing::Speed(60.0),
            clock.clone(),
            60,
            StopSignal::new(),
            None,
        );
        assert!(closed);
        assert!(events.len() > 1000);
        assert_eq!(events, max_events, "pacing changes when, never what");
        assert_eq!(live.events, max.events);
        assert_eq!(live.backfill_events, 0);
        // Lateness is recorded with a 1 us floor: a manual clock is never late.
        assert_eq!(live.lateness_us.max(), 1);
        assert_eq!(live.lateness_us.len(), events.len() as u64);
        // The clock slept to each release, in order, and the last release
        // came (last ts - start) / 60 after the start.
        let sleeps = clock.sleeps();
        assert!(sleeps.len() > 100);
        assert!(sleeps.windows(2).all(|w| w[0] <= w[1]));
        let last = events.last().unwrap().event.ts();
        let want = Duration::from_micros(((last.0 - T0.0) as f64 / 60.0) as u64);
        assert_eq!(*sleeps.last().unwrap(), want);
        assert_eq!(max.lateness_us.len(), 0, "--speed max measures no lateness");
    }

    /// A live run across each US daylight-saving change, the wall clock at
    /// its start: every event goes out exactly (ts - start) / speed after
    /// the start, a linear function of UTC time, so the release schedule
    /// loses or repeats no hour at the change; and each store opens at
    /// 06:00 local in the offset after the change.
    #[test]
    fn pacing_across_daylight_saving_changes_loses_and_repeats_no_hour() {
        use chrono::TimeZone;
        let utc = |y, m, d, h| {
            SimTime(
                chrono::Utc
                    .with_ymd_and_hms(y, m, d, h, 0, 0)
                    .unwrap()
                    .timestamp_micros(),
            )
        };
        // (start, the opening in UTC of New York's store 1101 and Los
        // Angeles' 1109 that day). Honolulu (1117) keeps no daylight time.
        let cases = [
            // Fall back: 01:00 EDT; New York goes to EST at 06:00Z.
            (
                utc(2026, 11, 1, 5),
                utc(2026, 11, 1, 11),
                utc(2026, 11, 1, 14),
            ),
            // Spring forward: 01:00 EST; New York goes to EDT at 07:00Z.
            (
                utc(2027, 3, 14, 6),
                utc(2027, 3, 14, 10),
                utc(2027, 3, 14, 13),
            ),
        ];
        for (start, new_york_opens, los_angeles_opens) in cases {
            let speed = 3600.0;
            let config = |pacing, clock: ManualClock, sink| RunConfig {
                span: RunSpan::Utc {
                    start,
                    end: start.plus_micros(12 * 60 * MICROS_PER_MIN),
                },
                window_us: 5 * MICROS_PER_MIN,
                pacing,
                clock: Arc::new(clock),
                ..day_config(24, 3, vec![Box::new(sink)])
            };
            let (sink, max) = MemorySink::new("max");
            run(config(Pacing::Max, ManualClock::new(start), sink)).unwrap();
            let clock = ManualClock::new(start);
            let (sink, live) = MemorySink::new("live");
            let summary = run(config(Pacing::Speed(speed), clock.clone(), sink)).unwrap();
            let events = live.events();
            assert_eq!(events, max.events(), "pacing changes when, never what");
            assert!(events.len() > 1000, "{}", events.len());
            // The clock slept to each distinct due time in turn, and to
            // nothing else: due = (at - start) / speed, on UTC.
            let mut due: Vec<Duration> = events
                .iter()
                .map(|e| Duration::from_micros(((e.at.0 - start.0) as f64 / speed) as u64))
                .filter(|d| !d.is_zero())
                .collect();
            due.dedup();
            assert_eq!(clock.sleeps(), due);
            assert_eq!(summary.lateness_us.max(), 1);
            // The stores open at 06:00 local, after the change: nothing in
            // the four hours before (the night), the first shopper soon after.
            for (store, opens) in [(1101, new_york_opens), (1109, los_angeles_opens)] {
                let night = opens.plus_micros(-4 * 60 * MICROS_PER_MIN);
                let at = events
                    .iter()
                    .find(|e| e.store == store && e.event.ts() >= night)
                    .map(|e| e.event.ts())
                    .unwrap();
                assert!(
                    at >= opens && at < opens.plus_micros(45 * MICROS_PER_MIN),
                    "store {store} opens at {opens}, first event after {night}: {at}"
                );
            }
            // Honolulu (19:00 or 20:00 local) trades from the start.
            let honolulu = events.iter().find(|e| e.store == 1117).unwrap();
            assert!(honolulu.event.ts() < start.plus_micros(30 * MICROS_PER_MIN));
        }
    }

    /// A start 30 virtual minutes in the past at real time: the past goes out
    /// at once, then real time takes over; no event is repeated or skipped.
    #[test]
    fn backfill_hands_over_to_real_time() {
        let clock = ManualClock::new(T0.plus_micros(30 * MICROS_PER_MIN));
        let (max, max_events, _) = paced(
            Pacing::Max,
            ManualClock::new(T0),
            40,
            StopSignal::new(),
            None,
        );
        let (live, events, _) = paced(
            Pacing::Speed(1.0),
            clock.clone(),
            40,
            StopSignal::new(),
            None,
        );
        assert_eq!(events, max_events);
        let handover = T0.plus_micros(30 * MICROS_PER_MIN);
        let past = events.iter().filter(|e| e.event.ts() < handover).count() as u64;
        assert!(past > 100);
        assert_eq!(live.backfill_events, past);
        assert_eq!(live.lateness_us.len(), events.len() as u64 - past);
        assert_eq!(live.lateness_us.max(), 1);
        // The first sleep is for the first event after the hand-over.
        let first_live = events.iter().find(|e| e.event.ts() >= handover).unwrap();
        let first_sleep = clock.sleeps()[0];
        assert_eq!(
            first_sleep,
            Duration::from_micros((first_live.event.ts().0 - handover.0) as u64)
        );
        // It caught up (its first wait) at wall time 0 of the manual clock.
        assert_eq!(live.caught_up_after, Some(Duration::ZERO));
        assert_eq!(live.events, max.events);
    }

    /// A stop request: the clock stops, what was released is delivered and
    /// counted, the sink is closed, and the output is a prefix of the run.
    #[test]
    fn stop_flushes_and_closes() {
        let (_, full, _) = paced(
            Pacing::Max,
            ManualClock::new(T0),
            60,
            StopSignal::new(),
            None,
        );
        for pacing in [Pacing::Speed(10.0), Pacing::Max] {
            let (s, events, closed) = paced(
                pacing,
                ManualClock::new(T0),
                60,
                StopSignal::new(),
                Some(500),
            );
            assert!(closed, "{pacing:?}");
            assert!(s.stopped_early, "{pacing:?}");
            assert!(
                events.len() >= 500 && events.len() < full.len(),
                "{pacing:?}: {}",
                events.len()
            );
            assert_eq!(s.events_total(), events.len() as u64);
            assert_eq!(s.undelivered(), 0);
            assert_eq!(events[..], full[..events.len()]);
        }
    }
}
