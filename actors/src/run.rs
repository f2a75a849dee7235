//! Wiring a run: the actix system, arbiters, actors, and the summary.

use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Arbiter};
use hdrhistogram::Histogram;
use storesim_sim::{EventKind, RunSpan, SimTime, StoreModel, World};
use storesim_sinks::{DeliveryReport, Sink, SinkError};

pub use crate::scheduler::ProgressFn;
use crate::scheduler::{wait_histogram, RunToEnd, SchedulerActor};
use crate::sink::SinkActor;
use crate::store::StoreActor;

/// How the clock relates to the wall clock.
///
/// This is the seam for real-time and N x real-time runs: the scheduler
/// calls [`Pacing::wait_until`] before handing each window to the sinks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pacing {
    /// As fast as possible, bounded only by backpressure.
    #[default]
    Max,
}

impl Pacing {
    /// Waits until the wall clock allows releasing events up to `until`.
    pub(crate) fn wait_until(&self, _until: SimTime) {
        match self {
            Pacing::Max => {}
        }
    }
}

/// Everything a run needs.
pub struct RunConfig {
    /// The world.
    pub world: Arc<World>,
    /// The run seed.
    pub seed: u64,
    /// The span of virtual time.
    pub span: RunSpan,
    /// Indices of the stores to simulate (all, or a shard).
    pub stores: Vec<usize>,
    /// Arbiters (threads) for store actors, at least 1.
    pub threads: usize,
    /// Window length, in microseconds of virtual time.
    pub window_us: i64,
    /// Unconfirmed windows allowed per sink.
    pub max_windows_in_flight: usize,
    /// Pacing.
    pub pacing: Pacing,
    /// The sinks.
    pub sinks: Vec<Box<dyn Sink>>,
    /// Called once per window on the scheduler's thread.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for RunConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunConfig")
            .field("seed", &self.seed)
            .field("span", &self.span)
            .field("stores", &self.stores.len())
            .field("threads", &self.threads)
            .field("window_us", &self.window_us)
            .finish()
    }
}

/// Progress, once per window.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// The virtual clock: everything before it has been handed to the sinks.
    pub clock: SimTime,
    /// The run's span.
    pub span: (SimTime, SimTime),
    /// Events so far, by kind.
    pub events: [u64; EventKind::ALL.len()],
    /// Wall time since the run started.
    pub elapsed: Duration,
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
    /// Windows handed to the sinks.
    pub windows: u64,
    /// Shoppers who arrived.
    pub arrivals: u64,
    /// Shoppers served.
    pub served: u64,
    /// Queue waits, in milliseconds.
    pub queue_wait_ms: Histogram<u64>,
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
            arrivals: 0,
            served: 0,
            queue_wait_ms: wait_histogram(),
            sinks: Vec::new(),
            wall: Duration::ZERO,
        }
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
            .map(|s| {
                s.report.failed
                    + self
                        .events_total()
                        .saturating_sub(s.report.delivered_total())
            })
            .sum()
    }
}

/// Errors that stop a run. All are fatal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A sink failed.
    #[error("sink {sink}: {source}")]
    Sink {
        /// The sink.
        sink: String,
        /// Its error.
        source: SinkError,
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

/// Runs to the end of the span and returns the summary.
///
/// Starts an actix system on this thread, `threads` arbiters for the
/// stores (store `k` of the list on arbiter `k % threads`), one arbiter per
/// sink, and the scheduler on this thread; stops them all before returning.
pub fn run(config: RunConfig) -> Result<RunSummary, RunError> {
    if config.stores.is_empty() {
        return Err(RunError::NoStores);
    }
    let RunConfig {
        world,
        seed,
        span,
        stores,
        threads,
        window_us,
        max_windows_in_flight,
        pacing,
        sinks,
        progress,
    } = config;
    let threads = threads.max(1);
    let run_span = world.run_span(&stores, span);
    let system = actix::System::new();
    let (result, arbiters) = system.block_on(async move {
        let store_arbiters: Vec<Arbiter> = (0..threads).map(|_| Arbiter::new()).collect();
        let store_addrs = stores
            .iter()
            .enumerate()
            .map(|(k, &index)| {
                let model = StoreModel::new(Arc::clone(&world), index, seed, span);
                StoreActor::start_in_arbiter(&store_arbiters[k % threads].handle(), move |_| {
                    StoreActor::new(model)
                })
            })
            .collect();
        let mut sink_arbiters = Vec::new();
        let mut sink_addrs = Vec::new();
        for sink in sinks {
            let arbiter = Arbiter::new();
            let name = sink.name().to_string();
            let addr =
                SinkActor::start_in_arbiter(&arbiter.handle(), move |_| SinkActor::new(sink));
            sink_arbiters.push(arbiter);
            sink_addrs.push((name, addr));
        }
        let scheduler = SchedulerActor {
            stores: store_addrs,
            sinks: sink_addrs,
            span: run_span,
            window_us: window_us.max(1),
            max_windows_in_flight,
            pacing,
            progress,
        }
        .start();
        let result = match scheduler.send(RunToEnd).await {
            Ok(result) => result,
            Err(_) => Err(RunError::StoreStopped),
        };
        let mut arbiters = store_arbiters;
        arbiters.extend(sink_arbiters);
        (result, arbiters)
    });
    for arbiter in &arbiters {
        arbiter.stop();
    }
    for arbiter in arbiters {
        let _ = arbiter.join();
    }
    result
}

#[cfg(test)]
#[path = "run/tests.rs"]
mod tests;
