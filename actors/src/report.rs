//! What a run is told and tells back: its pacing, its progress, its
//! summary and its error. Shared by the scheduler and `run`, so neither
//! imports the other's types.

use std::time::Duration;

use hdrhistogram::Histogram;
use storesim_sim::watch::StoreWindow;
use storesim_sim::{EventKind, SimTime};
use storesim_sinks::{DeliveryReport, SinkError};

/// How virtual time relates to the wall clock.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub enum Pacing {
    /// As fast as possible, bounded only by backpressure.
    #[default]
    Max,
    /// Each event is released when the wall clock reaches its virtual time
    /// at this many times real time (1.0 is real time). Events already in
    /// the past at the start (a backfill) go out at once.
    Speed(f64),
    /// As `Speed`, continuing the mapping of wall to virtual time an
    /// earlier (stopped) run of the same stream had: events its clock
    /// would have passed by now go out at once, the rest when due.
    Continue {
        /// Times real time.
        speed: f64,
        /// The earlier run's mapping.
        anchor: crate::clock::PaceAnchor,
    },
}

/// Progress, after every release to the sinks.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The virtual clock: everything before it has been handed to the sinks.
    pub clock: SimTime,
    /// The run's span.
    pub span: (SimTime, SimTime),
    /// Events released so far, by kind.
    pub events: [u64; EventKind::ALL.len()],
    /// Wall time since the run started.
    pub elapsed: Duration,
    /// Release lateness so far, in microseconds (paced runs only).
    pub lateness_us: &'a Histogram<u64>,
    /// Batches handed to the sinks so far (each to every sink).
    pub batches: u64,
    /// Batches handed to sinks and not yet confirmed, over all sinks.
    pub backlog: usize,
    /// Whether the run is paced to the wall clock.
    pub live: bool,
    /// The window being released, `[start, end)`.
    pub window: (SimTime, SimTime),
    /// The mapping of wall to virtual time, once a paced run has one (a
    /// resumed run continues it).
    pub anchor: Option<crate::clock::PaceAnchor>,
    /// Each store's sums of that window, when the run is watched
    /// ([`RunConfig::watch`]): given once per window, in a report of its
    /// own before the window's events go out; empty in every other report.
    pub stores: &'a [StoreWindow],
}

/// One sink's result.
#[derive(Debug, Clone)]
pub struct SinkSummary {
    /// The sink's name.
    pub name: String,
    /// What it delivered.
    pub report: DeliveryReport,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The span of virtual time the stores accepted arrivals in.
    pub span: (SimTime, SimTime),
    /// Where the clock stopped (after the last shopper left).
    pub clock: SimTime,
    /// Events generated, by kind.
    pub events: [u64; EventKind::ALL.len()],
    /// Windows of virtual time released.
    pub windows: u64,
    /// Batches handed to every sink (one per window at `--speed max`, one
    /// per release when paced).
    pub batches: u64,
    /// Shoppers who arrived.
    pub arrivals: u64,
    /// Shoppers served.
    pub served: u64,
    /// Queue waits, in milliseconds.
    pub queue_wait_ms: Histogram<u64>,
    /// Release lateness (release minus due, wall time), in microseconds;
    /// paced runs only, from the moment the run caught up with the wall clock.
    pub lateness_us: Histogram<u64>,
    /// Events released as fast as possible before the run caught up with
    /// the wall clock (a start in the past, or the stores' warm-up).
    pub backfill_events: u64,
    /// Wall time until the run caught up with the wall clock (its first wait).
    pub caught_up_after: Option<Duration>,
    /// Whether the run was stopped before the end of its span.
    pub stopped_early: bool,
    /// Per-sink results, in the order given.
    pub sinks: Vec<SinkSummary>,
    /// Wall time of the run.
    pub wall: Duration,
}

impl RunSummary {
    pub(crate) fn new(start: SimTime, end: SimTime) -> RunSummary {
        RunSummary {
            span: (start, end),
            clock: start,
            events: [0; EventKind::ALL.len()],
            windows: 0,
            batches: 0,
            arrivals: 0,
            served: 0,
            queue_wait_ms: wait_histogram(),
            lateness_us: lateness_histogram(),
            backfill_events: 0,
            caught_up_after: None,
            stopped_early: false,
            sinks: Vec::new(),
            wall: Duration::ZERO,
        }
    }

    pub(crate) fn record_lateness(&mut self, late: Duration) {
        let us = u64::try_from(late.as_micros()).unwrap_or(u64::MAX);
        self.lateness_us.saturating_record(us.max(1));
    }

    pub(crate) fn record_wait(&mut self, ms: u32) {
        // Zero waits are common; the histogram's lowest bound is 1 ms.
        self.queue_wait_ms.saturating_record(u64::from(ms).max(1));
    }

    /// All events generated.
    pub fn events_total(&self) -> u64 {
        self.events.iter().sum()
    }

    /// Events not delivered by some sink.
    pub fn undelivered(&self) -> u64 {
        self.sinks
            .iter()
            .map(|s| s.report.undelivered(self.events_total()))
            .sum()
    }
}

/// Errors that stop a run. All are fatal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A sink failed; the run stopped.
    #[error("{error}; {} of the {handed} events handed to it were not confirmed delivered", handed.saturating_sub(*delivered))]
    Sink {
        /// The sink.
        sink: String,
        /// Its error (which names the sink).
        error: SinkError,
        /// Events the run had handed to that sink.
        handed: u64,
        /// Events it had delivered.
        delivered: u64,
    },
    /// A sink's actor stopped (it panicked).
    #[error("sink {sink} stopped unexpectedly")]
    SinkStopped {
        /// The sink.
        sink: String,
    },
    /// A store actor stopped (it panicked).
    #[error("a store actor stopped unexpectedly")]
    StoreStopped,
    /// Nothing to run.
    #[error("the run has no stores")]
    NoStores,
}

/// The progress callback the scheduler calls after each release.
pub type ProgressFn = Box<dyn FnMut(&Progress<'_>)>;

/// A histogram of queue waits in milliseconds (up to one day, 3 significant figures).
pub(crate) fn wait_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 86_400_000, 3).expect("valid histogram bounds")
}

/// A histogram of release lateness in microseconds (up to one day).
pub(crate) fn lateness_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 86_400_000_000, 3).expect("valid histogram bounds")
}
