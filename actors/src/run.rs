//! Wiring a run: the actix system, arbiters, actors, and the summary.

use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Arbiter};
use hdrhistogram::Histogram;
use storesim_sim::watch::StoreWindow;
use storesim_sim::{EventKind, RunSpan, SimTime, World};
use storesim_sinks::{DeliveryReport, Sink, SinkError};

use crate::catalog::CatalogActor;
use crate::clock::{Clock, StopSignal};
pub use crate::scheduler::ProgressFn;
use crate::scheduler::{lateness_histogram, wait_histogram, RunToEnd, SchedulerActor};
use crate::sink::SinkActor;
use crate::store::StoreActor;

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

/// Everything a run needs.
pub struct RunConfig {
    /// The world.
    pub world: Arc<World>,
    /// The run seed.
    pub seed: u64,
    /// The span of virtual time.
    pub span: RunSpan,
    /// Indices of the stores to simulate (all, or a shard's). The clock
    /// runs over the whole world's span either way, so a shard's windows
    /// and prices are the unsharded run's.
    pub stores: Vec<usize>,
    /// Whether to emit the chain-wide events (the item master's changes):
    /// exactly one shard of a sharded run does.
    pub chain_events: bool,
    /// Arbiters (threads) for store actors, at least 1.
    pub threads: usize,
    /// Window length, in microseconds of virtual time.
    pub window_us: i64,
    /// Unconfirmed windows allowed per sink.
    pub max_windows_in_flight: usize,
    /// Pacing.
    pub pacing: Pacing,
    /// The wall clock pacing reads.
    pub clock: Arc<dyn Clock>,
    /// Raised to stop the run early; the sinks are flushed and closed.
    pub stop: StopSignal,
    /// Raise `stop` on SIGINT (Ctrl-C) or SIGTERM.
    pub handle_signals: bool,
    /// The sinks.
    pub sinks: Vec<Box<dyn Sink>>,
    /// Called after every release on the scheduler's thread.
    pub progress: Option<ProgressFn>,
    /// Whether each store sums its windows for the progress callback
    /// ([`Progress::stores`]); off, the stores skip that work.
    pub watch: bool,
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
        chain_events,
        threads,
        window_us,
        max_windows_in_flight,
        pacing,
        clock,
        stop,
        handle_signals,
        sinks,
        progress,
        watch,
    } = config;
    let threads = threads.max(1);
    let run_span = world.run_span(span);
    let system = actix::System::new();
    let (result, arbiters) = system.block_on(async move {
        let store_arbiters: Vec<Arbiter> = (0..threads).map(|_| Arbiter::new()).collect();
        let store_addrs = stores
            .iter()
            .enumerate()
            .map(|(k, &index)| {
                let model = world.store_model(index, seed, span);
                StoreActor::start_in_arbiter(&store_arbiters[k % threads].handle(), move |_| {
                    StoreActor::new(index, model)
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
        let catalog = CatalogActor::new(&world, seed, run_span.0).start();
        let scheduler = SchedulerActor {
            stores: store_addrs,
            catalog,
            chain_events,
            sinks: sink_addrs,
            span: run_span,
            window_us: window_us.max(1),
            max_windows_in_flight,
            pacing,
            clock,
            stop: stop.clone(),
            progress,
            watch,
        }
        .start();
        if handle_signals {
            let stop = stop.clone();
            actix_rt::spawn(async move {
                wait_for_signal().await;
                tracing::info!("Stop requested; flushing and closing the sinks.");
                stop.stop();
            });
        }
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

/// Resolves on SIGINT (Ctrl-C) or SIGTERM: what stops a run, and what
/// the binary waits for after one.
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
#[path = "run/tests.rs"]
mod tests;
