//! The view shows each virtual minute of the stores' sums once the clock
//! has passed it, and never before.

use super::*;
use storesim_sim::watch::MinuteSums;

/// 2026-11-24T15:00:00Z, a whole minute.
const T0: i64 = 1_795_964_400_000_000;

fn minute(k: i64) -> i64 {
    T0 / MINUTE_US + k
}

fn sums(k: i64, events: u32, sales: i64) -> MinuteSums {
    MinuteSums {
        minute: minute(k),
        events,
        sales,
    }
}

/// Two stores' five-minute window: New York (Northeast) sells in minutes
/// 0 and 3, Los Angeles (West) in minute 3; a receipt in each.
fn window() -> Vec<StoreWindow> {
    vec![
        StoreWindow {
            index: 0,
            queued: 4,
            minutes: vec![sums(0, 10, 1_000), sums(3, 20, 2_500)],
            waits: vec![(minute(0), 30_000), (minute(3), 90_000)],
        },
        StoreWindow {
            index: 1,
            queued: 1,
            minutes: vec![sums(3, 5, 700)],
            waits: vec![(minute(3), 12_000)],
        },
    ]
}

fn live() -> Arc<Live> {
    Live::new(storesim_sim::testing::world(), "test", 1)
}

#[test]
fn minutes_show_as_the_clock_passes_them() {
    let live = live();
    let end = SimTime(T0 + 5 * MINUTE_US);
    let mut s = live.state();
    live.pend(&mut s, end, &window());
    // At the window's start nothing has gone out.
    s.show(minute(0));
    assert!(s.sales.is_empty());
    assert_eq!(s.waits.len(), 0);
    // Past minute 0: New York's first minute.
    s.show(minute(1));
    assert_eq!(s.sales, [(minute(0), [1_000, 0, 0, 0, 0])]);
    assert_eq!(s.waits.len(), 1);
    assert_eq!(s.activity[0], 10.0);
    assert_eq!(s.queued, [0, 0, 0], "queues are the window's end's");
    // Past minute 3: both stores, by region, the first minute decayed by
    // three minutes of a five-minute half-life.
    s.show(minute(4));
    assert_eq!(
        s.sales,
        [
            (minute(0), [1_000, 0, 0, 0, 0]),
            (minute(3), [2_500, 0, 0, 700, 0])
        ]
    );
    assert_eq!(s.waits.len(), 3);
    let decayed = 10.0 * 0.5f32.powf(3.0 / 5.0) + 20.0;
    assert!((s.activity[0] - decayed).abs() < 1e-3, "{}", s.activity[0]);
    assert_eq!(s.activity[1], 5.0);
    // At the window's end: its queues.
    s.show(minute(5));
    assert_eq!(s.queued, [4, 1, 0]);
    assert!(s.pending.is_empty());
}

#[test]
fn the_snapshot_and_metrics_read_the_shown_minutes() {
    let live = live();
    {
        let mut s = live.state();
        live.pend(&mut s, SimTime(T0 + 5 * MINUTE_US), &window());
        s.show(minute(5));
    }
    let snap = live.snapshot();
    assert_eq!(snap.receipts, 3);
    assert_eq!((snap.queued, snap.queued_max), (5, 4));
    // Two significant figures: within 1%.
    assert!(
        (snap.queue_wait_s.3 - 90.0).abs() < 0.9,
        "{:?}",
        snap.queue_wait_s
    );
    assert_eq!(
        snap.sales,
        [
            (minute(0) * 60, vec![10.0, 0.0, 0.0, 0.0, 0.0]),
            (minute(3) * 60, vec![25.0, 0.0, 0.0, 7.0, 0.0])
        ]
    );
    assert_eq!(snap.active_stores, 2);
    let metrics = live.metrics();
    assert!(
        metrics.contains("\nstoresim_queued_shoppers 5\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\nstoresim_store_queue_max 4\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("storesim_queue_wait_seconds{quantile=\"1\"} 90."),
        "{metrics}"
    );
}

#[test]
fn progress_sets_the_clock_and_shows_the_minutes_it_passed() {
    let live = live();
    let late = hdrhistogram::Histogram::<u64>::new(3).unwrap();
    fn report<'a>(
        clock: SimTime,
        late: &'a Histogram<u64>,
        stores: &'a [StoreWindow],
    ) -> storesim_actors::Progress<'a> {
        storesim_actors::Progress {
            clock,
            span: (SimTime(T0), SimTime(T0 + 60 * MINUTE_US)),
            events: [0; EventKind::ALL.len()],
            elapsed: Duration::from_secs(10),
            lateness_us: late,
            batches: 1,
            backlog: 0,
            live: true,
            window: (SimTime(T0), SimTime(T0 + 5 * MINUTE_US)),
            anchor: None,
            stores,
        }
    }
    let windows = window();
    live.progress(&report(SimTime(T0), &late, &windows));
    assert!(live.snapshot().sales.is_empty(), "nothing out yet");
    // Ten virtual minutes in ten wall seconds: 60x; minutes 0-3 shown.
    live.progress(&report(SimTime(T0 + 10 * MINUTE_US), &late, &[]));
    let snap = live.snapshot();
    assert_eq!(snap.speed, 60.0);
    assert_eq!(snap.sales.len(), 2);
    assert!(live.metrics().contains("\nstoresim_speed_ratio 60\n"));
}
