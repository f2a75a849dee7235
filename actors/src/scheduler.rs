//! The scheduler actor: owns the virtual clock and drives the run.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use actix::{Actor, Addr, Context, Handler, Message, ResponseActFuture, WrapFuture};
use futures_util::future::join_all;
use hdrhistogram::Histogram;
use storesim_sim::{Event, EventBatch, SimTime};
use tracing::debug;

use crate::run::{Pacing, Progress, RunError, RunSummary, SinkSummary};
use crate::sink::{CloseSink, SinkActor, WriteBatch};
use crate::store::{Advance, StoreActor, StoreOutput};

/// Run the whole span, then close every sink; answers with the summary.
#[derive(Debug, Clone, Copy)]
pub struct RunToEnd;

impl Message for RunToEnd {
    type Result = Result<RunSummary, RunError>;
}

/// The progress callback the scheduler calls once per window.
pub type ProgressFn = Box<dyn FnMut(&Progress)>;

/// Owns the virtual clock.
///
/// Handles [`RunToEnd`] once: advances every store window by window,
/// merges each window's events in `(ts, store, seq)` order, hands the batch
/// to every sink with at most `max_windows_in_flight` unconfirmed windows
/// per sink, and closes the sinks at the end.
pub struct SchedulerActor {
    pub(crate) stores: Vec<Addr<StoreActor>>,
    pub(crate) sinks: Vec<(String, Addr<SinkActor>)>,
    pub(crate) span: (SimTime, SimTime),
    pub(crate) window_us: i64,
    pub(crate) max_windows_in_flight: usize,
    pub(crate) pacing: Pacing,
    pub(crate) progress: Option<ProgressFn>,
}

impl std::fmt::Debug for SchedulerActor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchedulerActor")
            .field("stores", &self.stores.len())
            .field("sinks", &self.sinks.len())
            .field("span", &self.span)
            .finish()
    }
}

impl Actor for SchedulerActor {
    type Context = Context<Self>;
}

type InFlight = VecDeque<actix::dev::Request<SinkActor, WriteBatch>>;

impl Handler<RunToEnd> for SchedulerActor {
    type Result = ResponseActFuture<Self, Result<RunSummary, RunError>>;

    fn handle(&mut self, _: RunToEnd, _: &mut Context<Self>) -> Self::Result {
        let stores = self.stores.clone();
        let sinks = self.sinks.clone();
        let (start, end) = self.span;
        let window = self.window_us;
        let max_in_flight = self.max_windows_in_flight.max(1);
        let pacing = self.pacing;
        let mut progress = self.progress.take();
        Box::pin(
            async move {
                let started = Instant::now();
                let mut summary = RunSummary::new(start, end);
                let advance = |until: SimTime| {
                    join_all(stores.iter().map(|s| s.send(Advance { until })))
                };
                let mut t = start;
                let mut next = Some(advance(t.plus_micros(window)));
                let mut in_flight: Vec<InFlight> = sinks.iter().map(|_| VecDeque::new()).collect();
                loop {
                    let window_end = t.plus_micros(window);
                    let Some(pending) = next.take() else {
                        break;
                    };
                    let outputs = pending
                        .await
                        .into_iter()
                        .collect::<Result<Vec<StoreOutput>, _>>()
                        .map_err(|_| RunError::StoreStopped)?;
                    let finished = window_end >= end && outputs.iter().all(|o| o.done);
                    if !finished {
                        // Pipelining: stores simulate the next window while
                        // this one is merged and handed to the sinks.
                        next = Some(advance(window_end.plus_micros(window)));
                    }
                    let batch = Arc::new(merge(t, window_end, outputs, &mut summary));
                    pacing.wait_until(window_end);
                    for ((name, addr), queue) in sinks.iter().zip(in_flight.iter_mut()) {
                        while queue.len() >= max_in_flight {
                            if let Some(oldest) = queue.pop_front() {
                                confirm(name, oldest.await)?;
                            }
                        }
                        queue.push_back(addr.send(WriteBatch(Arc::clone(&batch))));
                    }
                    summary.windows += 1;
                    summary.clock = window_end;
                    debug!(sim_time = %window_end, events = batch.events.len(), "Window handed to sinks.");
                    if let Some(report) = progress.as_mut() {
                        report(&Progress {
                            clock: window_end,
                            span: (start, end),
                            events: summary.events,
                            elapsed: started.elapsed(),
                        });
                    }
                    t = window_end;
                    if finished {
                        break;
                    }
                }
                for ((name, addr), queue) in sinks.iter().zip(in_flight.iter_mut()) {
                    while let Some(request) = queue.pop_front() {
                        confirm(name, request.await)?;
                    }
                    let report = addr
                        .send(CloseSink)
                        .await
                        .map_err(|_| RunError::SinkStopped { sink: name.clone() })?
                        .map_err(|source| RunError::Sink {
                            sink: name.clone(),
                            source,
                        })?;
                    summary.sinks.push(SinkSummary {
                        name: name.clone(),
                        report,
                    });
                }
                summary.wall = started.elapsed();
                Ok(summary)
            }
            .into_actor(self),
        )
    }
}

fn confirm(
    name: &str,
    answer: Result<Result<(), storesim_sinks::SinkError>, actix::MailboxError>,
) -> Result<(), RunError> {
    answer
        .map_err(|_| RunError::SinkStopped {
            sink: name.to_string(),
        })?
        .map_err(|source| RunError::Sink {
            sink: name.to_string(),
            source,
        })
}

/// Merges the stores' sorted runs into one batch ordered by
/// `(ts, store_id, seq)` and updates the summary's statistics.
fn merge(
    start: SimTime,
    end: SimTime,
    outputs: Vec<StoreOutput>,
    summary: &mut RunSummary,
) -> EventBatch {
    let total: usize = outputs.iter().map(|o| o.events.len()).sum();
    let mut events = Vec::with_capacity(total);
    summary.arrivals = 0;
    summary.served = 0;
    for o in outputs {
        summary.arrivals += o.counters.arrivals;
        summary.served += o.counters.served;
        events.extend(o.events);
    }
    // The input is a concatenation of sorted runs; the stable sort detects
    // and merges runs, so this is a k-way merge.
    events.sort_by_key(|s| s.key());
    for s in &events {
        let kind = s.event.kind();
        summary.events[kind.index()] += 1;
        if let Event::Transaction(t) = &s.event {
            summary.record_wait(t.queue_wait_ms);
        }
    }
    debug_assert!(events.windows(2).all(|w| w[0].key() < w[1].key()));
    EventBatch { start, end, events }
}

/// A histogram of queue waits in milliseconds (up to one day, 3 significant figures).
pub(crate) fn wait_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 86_400_000, 3).expect("valid histogram bounds")
}
