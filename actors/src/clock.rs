//! Wall clocks and pacing: how virtual time maps to the wall clock.
//!
//! The scheduler never reads the wall clock directly: it asks a [`Clock`],
//! so tests drive pacing with a [`ManualClock`] instead of sleeping.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use storesim_sim::SimTime;
use tokio::sync::Notify;

/// A source of wall time.
pub trait Clock: Send + Sync + 'static {
    /// Monotonic wall time since the clock's origin.
    fn now(&self) -> Duration;
    /// The wall clock as UTC virtual time (for `--start now` and hand-over).
    fn utc_now(&self) -> SimTime;
    /// Resolves once `now() >= at`.
    fn sleep_until(&self, at: Duration) -> Pin<Box<dyn Future<Output = ()>>>;
}

/// The system's clocks: `Instant` for pacing, `SystemTime` for UTC.
#[derive(Debug, Clone)]
pub struct SystemClock {
    origin: Instant,
    origin_utc: SimTime,
}

impl SystemClock {
    /// A clock whose origin is now.
    pub fn new() -> SystemClock {
        let utc = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as i64);
        SystemClock::starting_at(SimTime(utc))
    }

    /// A clock whose origin is now and whose UTC time then reads `utc`:
    /// it ticks with the system's monotonic clock from there. A run on it
    /// takes `utc` for the wall clock (`--start now`, the backfill's end),
    /// as on a machine whose clock was set to it; pacing is unchanged.
    pub fn starting_at(utc: SimTime) -> SystemClock {
        SystemClock {
            origin: Instant::now(),
            origin_utc: utc,
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn utc_now(&self) -> SimTime {
        self.origin_utc.plus_micros(self.now().as_micros() as i64)
    }

    fn sleep_until(&self, at: Duration) -> Pin<Box<dyn Future<Output = ()>>> {
        let deadline = tokio::time::Instant::from_std(self.origin + at);
        Box::pin(tokio::time::sleep_until(deadline))
    }
}

/// A clock that only moves when asked: sleeping jumps straight to the
/// deadline. Pacing logic runs against it in tests without real waiting.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<Duration>>,
    origin_utc: SimTime,
    sleeps: Arc<Mutex<Vec<Duration>>>,
}

impl ManualClock {
    /// A clock at 0 whose UTC origin is `origin_utc`.
    pub fn new(origin_utc: SimTime) -> ManualClock {
        ManualClock {
            now: Arc::new(Mutex::new(Duration::ZERO)),
            origin_utc,
            sleeps: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Moves the clock forward by `by` (a slow sink, a busy machine).
    pub fn advance(&self, by: Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += by;
        }
    }

    /// Every deadline slept until, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        self.now.lock().map(|n| *n).unwrap_or_default()
    }

    fn utc_now(&self) -> SimTime {
        self.origin_utc.plus_micros(self.now().as_micros() as i64)
    }

    fn sleep_until(&self, at: Duration) -> Pin<Box<dyn Future<Output = ()>>> {
        if let Ok(mut now) = self.now.lock() {
            if at > *now {
                *now = at;
            }
        }
        if let Ok(mut sleeps) = self.sleeps.lock() {
            sleeps.push(at);
        }
        Box::pin(std::future::ready(()))
    }
}

/// Maps virtual time to wall time at `speed` x real time.
///
/// The anchor is the later of the run's start and the wall clock's UTC
/// time at the start: events before it are due at once, events after it are
/// due `(ts - anchor) / speed` after the run started. (The scheduler counts
/// everything it releases before its first wait as the backfill.) The hand-over is one formula, so nothing is skipped or
/// repeated at it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacer {
    speed: f64,
    virtual_anchor: SimTime,
    wall_anchor: Duration,
    /// The UTC time at `wall_anchor`.
    utc_anchor: SimTime,
}

/// Where a paced run's clock stood: virtual `virtual_at` at UTC `utc_at`.
/// A run resumed from it keeps the same mapping of wall to virtual time,
/// so its clock goes on where the stopped run's would be now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaceAnchor {
    /// The virtual time.
    pub virtual_at: SimTime,
    /// The UTC wall time it was paired with.
    pub utc_at: SimTime,
}

impl Pacer {
    /// A pacer for a run starting at virtual `start`, at wall `wall_now`
    /// (UTC `utc_now`).
    pub fn new(speed: f64, start: SimTime, utc_now: SimTime, wall_now: Duration) -> Pacer {
        Pacer {
            speed,
            virtual_anchor: start.max(utc_now),
            wall_anchor: wall_now,
            utc_anchor: utc_now,
        }
    }

    /// A pacer that continues `anchor`'s mapping at `speed`: at UTC
    /// `utc_now` (wall `wall_now`) the virtual clock stands where that
    /// mapping puts it (never before the anchor, should the wall clock
    /// have gone back).
    pub fn continuing(
        speed: f64,
        anchor: PaceAnchor,
        utc_now: SimTime,
        wall_now: Duration,
    ) -> Pacer {
        let since = (utc_now.0 - anchor.utc_at.0).max(0) as f64 * speed;
        Pacer {
            speed,
            virtual_anchor: anchor
                .virtual_at
                .plus_micros(since.min(i64::MAX as f64 / 2.0) as i64),
            wall_anchor: wall_now,
            utc_anchor: utc_now,
        }
    }

    /// The pacer's mapping, as an anchor a resumed run continues.
    pub fn anchor(&self) -> PaceAnchor {
        PaceAnchor {
            virtual_at: self.virtual_anchor,
            utc_at: self.utc_anchor,
        }
    }

    /// The wall time at which an event stamped `ts` is due.
    pub fn due(&self, ts: SimTime) -> Duration {
        let ahead = ts.0 - self.virtual_anchor.0;
        if ahead <= 0 {
            return self.wall_anchor;
        }
        self.wall_anchor + Duration::from_micros((ahead as f64 / self.speed) as u64)
    }

    /// The virtual time the wall clock has reached at `wall`.
    pub fn virtual_at(&self, wall: Duration) -> SimTime {
        let since = wall.saturating_sub(self.wall_anchor).as_micros() as f64 * self.speed;
        self.virtual_anchor.plus_micros(since as i64)
    }
}

/// A request to stop the run early (Ctrl-C, SIGTERM, or a test).
#[derive(Debug, Clone, Default)]
pub struct StopSignal {
    inner: Arc<(AtomicBool, Notify)>,
}

impl StopSignal {
    /// A signal not yet raised.
    pub fn new() -> StopSignal {
        StopSignal::default()
    }

    /// Raises it; the scheduler stops at the next event it would release.
    pub fn stop(&self) {
        self.inner.0.store(true, Ordering::SeqCst);
        self.inner.1.notify_waiters();
    }

    /// Whether it was raised.
    pub fn is_stopped(&self) -> bool {
        self.inner.0.load(Ordering::SeqCst)
    }

    /// Resolves when it is raised.
    pub async fn stopped(&self) {
        loop {
            let notified = self.inner.1.notified();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000;

    #[test]
    fn pacer_maps_virtual_to_wall_time_at_speed() {
        let start = SimTime(1_000 * MIN);
        // The run starts in the future of the wall clock: no backfill.
        let p = Pacer::new(60.0, start, SimTime(0), Duration::from_secs(5));
        assert_eq!(p.due(start), Duration::from_secs(5));
        assert_eq!(p.due(start.plus_micros(60 * MIN)), Duration::from_secs(65));
        assert_eq!(
            p.virtual_at(Duration::from_secs(65)),
            start.plus_micros(60 * MIN)
        );
    }

    #[test]
    fn past_events_are_due_at_once_then_real_time() {
        let start = SimTime(1_000 * MIN);
        let now_utc = start.plus_micros(180 * MIN); // three hours of backfill
        let p = Pacer::new(1.0, start, now_utc, Duration::ZERO);
        assert_eq!(p.due(start), Duration::ZERO);
        assert_eq!(p.due(now_utc.plus_micros(-1)), Duration::ZERO);
        assert_eq!(p.due(now_utc), Duration::ZERO);
        assert_eq!(
            p.due(now_utc.plus_micros(2 * MIN)),
            Duration::from_secs(120)
        );
    }

    #[test]
    fn a_resumed_pacer_keeps_the_stopped_runs_mapping() {
        let start = SimTime(1_000 * MIN);
        let utc0 = SimTime(900 * MIN);
        // A run at 60x from `start` at UTC `utc0` (wall 5 s of its process).
        let first = Pacer::new(60.0, start, utc0, Duration::from_secs(5));
        let anchor = first.anchor();
        assert_eq!(
            anchor,
            PaceAnchor {
                virtual_at: start,
                utc_at: utc0
            }
        );
        // Killed; restarted 10 minutes of UTC later, at wall 2 s of the new
        // process: its clock stands 600 virtual minutes on, not at `start`.
        let utc1 = utc0.plus_micros(10 * MIN);
        let again = Pacer::continuing(60.0, anchor, utc1, Duration::from_secs(2));
        let now_virtual = start.plus_micros(600 * MIN);
        assert_eq!(again.virtual_at(Duration::from_secs(2)), now_virtual);
        assert_eq!(
            again.due(now_virtual.plus_micros(-MIN)),
            Duration::from_secs(2)
        );
        assert_eq!(
            again.due(now_virtual.plus_micros(60 * MIN)),
            Duration::from_secs(62)
        );
        // Both map every later instant alike.
        let later = utc1.plus_micros(MIN);
        let by_first = start.plus_micros((later.0 - utc0.0) * 60);
        assert_eq!(again.virtual_at(Duration::from_secs(62)), by_first);
        // A wall clock set back does not take the clock back.
        let back = Pacer::continuing(60.0, anchor, utc0.plus_micros(-MIN), Duration::ZERO);
        assert_eq!(back.virtual_at(Duration::ZERO), start);
    }

    #[test]
    fn manual_clock_jumps_to_deadlines() {
        let c = ManualClock::new(SimTime(0));
        futures_util::FutureExt::now_or_never(c.sleep_until(Duration::from_millis(7))).unwrap();
        assert_eq!(c.now(), Duration::from_millis(7));
        c.advance(Duration::from_millis(3));
        assert_eq!(c.utc_now(), SimTime(10_000));
        assert_eq!(c.sleeps(), vec![Duration::from_millis(7)]);
    }
}
