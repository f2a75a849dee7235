//! Actor tests with in-memory sinks: threads and windows never change the
//! output, and every event reaches every sink.

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
