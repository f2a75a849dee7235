//! Actor tests with in-memory sinks: threads and windows never change the
//! output, and every event reaches every sink.

use std::sync::Arc;
use storesim_sim::time::{MICROS_PER_HOUR, MICROS_PER_MIN};
use storesim_sim::{testing, Stamped};

use storesim_sinks::memory::MemorySink;

use super::*;

fn run_with(threads: usize, window_us: i64, seed: u64) -> (RunSummary, Vec<Stamped>, Vec<Stamped>) {
    let (a, ha) = MemorySink::new("a");
    let (b, hb) = MemorySink::new("b");
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let summary = run(RunConfig {
        world: testing::world(),
        seed,
        span: RunSpan::LocalDays { first, days: 1 },
        stores: vec![0, 1, 2],
        threads,
        window_us,
        max_windows_in_flight: 2,
        pacing: Pacing::Max,
        sinks: vec![Box::new(a), Box::new(b)],
        progress: None,
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

/// A sink that takes its time and checks, at every write, that the
/// scheduler has not dispatched more than `max` windows beyond those
/// written: a slow sink slows the clock instead of piling up windows.
struct SlowSink {
    dispatched: Arc<std::sync::atomic::AtomicU64>,
    written: u64,
    worst: Arc<std::sync::atomic::AtomicU64>,
    report: storesim_sinks::DeliveryReport,
}

#[async_trait::async_trait]
impl storesim_sinks::Sink for SlowSink {
    fn name(&self) -> &str {
        "slow"
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

#[test]
fn a_slow_sink_bounds_the_windows_in_flight() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let dispatched = Arc::new(AtomicU64::new(0));
    let worst = Arc::new(AtomicU64::new(0));
    let max = 2;
    let sink = SlowSink {
        dispatched: Arc::clone(&dispatched),
        written: 0,
        worst: Arc::clone(&worst),
        report: Default::default(),
    };
    let counter = Arc::clone(&dispatched);
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let summary = run(RunConfig {
        world: testing::world(),
        seed: 1,
        span: RunSpan::LocalDays { first, days: 1 },
        stores: vec![0, 1, 2],
        threads: 2,
        window_us: 10 * MICROS_PER_MIN,
        max_windows_in_flight: max as usize,
        pacing: Pacing::Max,
        sinks: vec![Box::new(sink)],
        progress: Some(Box::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })),
    })
    .unwrap();
    assert!(summary.windows > 100);
    assert_eq!(summary.undelivered(), 0);
    // At a write's start, the windows dispatched and not yet written are
    // this one plus at most `max - 1` queued behind it.
    let worst = worst.load(Ordering::SeqCst);
    assert!(worst <= max, "{worst} windows in flight, bound {max}");
    assert!(worst >= 1, "the slow sink should have had a window waiting");
}
