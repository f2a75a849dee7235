//! Wiring a run: the actix system, arbiters, actors, and the summary.

use std::sync::Arc;

use actix::{Actor, Arbiter};
use storesim_sim::{RunSpan, World};
use storesim_sinks::Sink;

use crate::catalog::CatalogActor;
use crate::clock::{Clock, StopSignal};
pub use crate::report::{Pacing, Progress, ProgressFn, RunError, RunSummary, SinkSummary};
use crate::scheduler::{RunToEnd, SchedulerActor};
use crate::sink::SinkActor;
use crate::store::StoreActor;

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
    /// Unconfirmed windows allowed per sink; `None`: each sink's own
    /// ([`Sink::windows_in_flight`]).
    pub max_windows_in_flight: Option<usize>,
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
        let in_flight = sinks
            .iter()
            .map(|s| {
                max_windows_in_flight
                    .unwrap_or_else(|| s.windows_in_flight())
                    .max(1)
            })
            .collect();
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
            max_windows_in_flight: in_flight,
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
