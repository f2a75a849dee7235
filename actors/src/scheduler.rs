//! The scheduler actor: owns the virtual clock and drives the run.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Addr, Context, Handler, Message, ResponseActFuture, WrapFuture};
use futures_util::future::join_all;
use storesim_sim::merge::merge_reusing;
use storesim_sim::watch::StoreWindow;
use storesim_sim::{Event, EventBatch, SimTime, Stamped};
use storesim_sinks::SinkError;
use tracing::debug;

use crate::catalog::{CatalogActor, CatalogWindow, Prepare};
use crate::clock::{Clock, PaceAnchor, Pacer, StopSignal};
use crate::report::{Pacing, Progress, ProgressFn, RunError, RunSummary, SinkSummary};
use crate::sink::{CloseSink, ReportSink, SinkActor, WriteBatch};
use crate::store::{Advance, StoreActor, StoreOutput};

/// Run the whole span (or until stopped), then close every sink; answers
/// with the summary.
#[derive(Debug, Clone, Copy)]
pub struct RunToEnd;

impl Message for RunToEnd {
    type Result = Result<RunSummary, RunError>;
}

/// Owns the virtual clock.
///
/// Handles [`RunToEnd`] once: advances every store window by window (up to
/// [`WINDOWS_AHEAD`] windows simulate while one is merged and released),
/// merges each window's stores' runs in `(ts, store, seq)` order on a
/// blocking thread, releases them to every sink (all at once at `--speed
/// max`; each when the wall clock reaches it otherwise) with at most its
/// `max_windows_in_flight` unconfirmed batches per sink, and closes the
/// sinks at the end or on a stop request.
pub struct SchedulerActor {
    pub(crate) stores: Vec<Addr<StoreActor>>,
    pub(crate) catalog: Addr<CatalogActor>,
    /// Whether the catalog's changes go out (one shard of a sharded run).
    pub(crate) chain_events: bool,
    pub(crate) sinks: Vec<(String, Addr<SinkActor>)>,
    pub(crate) span: (SimTime, SimTime),
    pub(crate) window_us: i64,
    /// Unconfirmed windows allowed, per sink (each at least 1).
    pub(crate) max_windows_in_flight: Vec<usize>,
    pub(crate) pacing: Pacing,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) stop: StopSignal,
    pub(crate) progress: Option<ProgressFn>,
    /// Whether the stores sum their windows for the progress callback.
    pub(crate) watch: bool,
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

/// Windows being simulated or merged ahead of the one being released: the
/// stores work on the next windows while the scheduler merges and releases.
const WINDOWS_AHEAD: usize = 3;

/// Events the windows ahead may hold together, judged by the last window's
/// size: a second and third window ahead are asked for only below it, so
/// 10,000 stores (windows of millions of events) keep two windows ahead at
/// their peak and memory stays bounded (about 90 bytes per event).
const EVENTS_AHEAD: usize = 4_000_000;

type InFlight = VecDeque<std::pin::Pin<Box<actix::dev::Request<SinkActor, WriteBatch>>>>;

/// A merged window and what the stores said about themselves.
struct Merged {
    batch: EventBatch,
    done: bool,
    arrivals: u64,
    served: u64,
    /// The stores' windows, summed, when watched.
    windows: Vec<StoreWindow>,
}

/// Windows the sinks are done with, emptied, for later merges: a window's
/// vector is large, and a fresh one costs the kernel zeroed pages and the
/// allocator its slow paths (issue #24's profile). The stores' own vectors
/// are not handed back: each would keep the size of its store's busiest
/// window, about 100 MB more at 1000 stores for no measurable gain.
#[derive(Default)]
struct Spares {
    windows: Vec<Vec<Stamped>>,
    /// Batches handed to the sinks, oldest first, until only this holds them.
    sent: VecDeque<Arc<EventBatch>>,
}

/// Emptied windows kept for reuse: a window is handed back as the next is
/// asked for, so one is enough, and each spare holds a window's pages.
const SPARE_WINDOWS: usize = 1;
/// Batches followed until the sinks are done with them; past this, the
/// oldest is let go even if a sink still holds it.
const SENT_FOLLOWED: usize = 8;

impl Spares {
    /// Takes back the oldest batches no sink holds any more.
    fn reclaim(&mut self) {
        while self
            .sent
            .front()
            .is_some_and(|oldest| Arc::strong_count(oldest) == 1 || self.sent.len() > SENT_FOLLOWED)
        {
            let Some(batch) = self.sent.pop_front() else {
                break;
            };
            if let Ok(batch) = Arc::try_unwrap(batch) {
                if self.windows.len() < SPARE_WINDOWS {
                    let mut events = batch.events;
                    events.clear();
                    self.windows.push(events);
                }
            }
        }
    }
}

/// The sinks side of the run: addresses, batches in flight, the summary.
struct Fanout {
    sinks: Vec<(String, Addr<SinkActor>)>,
    in_flight: Vec<InFlight>,
    /// Per sink.
    max_in_flight: Vec<usize>,
    summary: RunSummary,
    progress: Option<ProgressFn>,
    clock: Arc<dyn Clock>,
    /// Times real time, or `None` at `--speed max`.
    speed: Option<f64>,
    /// The mapping an earlier run of the stream had, to continue.
    resume_anchor: Option<PaceAnchor>,
    /// Set when the first window is ready to go out, so the time the stores
    /// take to warm up is not counted as lateness.
    pacer: Option<Pacer>,
    /// Whether a paced run has caught up with the wall clock: the first
    /// time it waits for an event. Until then it is backfilling.
    caught_up: bool,
    started: Duration,
    /// The window being released.
    window: (SimTime, SimTime),
    spares: Spares,
}

impl Fanout {
    /// Hands `events` to every sink, waiting for the oldest batch of a sink
    /// that has its `max_in_flight` unconfirmed.
    async fn dispatch(
        &mut self,
        start: SimTime,
        end: SimTime,
        events: Vec<Stamped>,
    ) -> Result<(), RunError> {
        if events.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        for s in &events {
            self.summary.events[s.event.kind().index()] += 1;
            if let Event::Transaction(t) = &s.event {
                self.summary.record_wait(t.queue_wait_ms);
            }
            if let Some(p) = &self.pacer {
                if self.caught_up {
                    let late = now.saturating_sub(p.due(s.at));
                    self.summary.record_lateness(late);
                } else {
                    self.summary.backfill_events += 1;
                }
            }
        }
        let batch = Arc::new(EventBatch { start, end, events });
        self.summary.batches += 1;
        let sinks = self.sinks.iter().zip(&self.max_in_flight);
        for (((name, addr), &max), queue) in sinks.zip(self.in_flight.iter_mut()) {
            // Collect confirmations that have already arrived, so the backlog
            // is the real one and a sink error surfaces at once.
            while let Some(front) = queue.front_mut() {
                match futures_util::poll!(front.as_mut()) {
                    std::task::Poll::Ready(answer) => {
                        queue.pop_front();
                        confirm(name, answer)?;
                    }
                    std::task::Poll::Pending => break,
                }
            }
            while queue.len() >= max {
                if let Some(oldest) = queue.pop_front() {
                    confirm(name, oldest.await)?;
                }
            }
            queue.push_back(Box::pin(addr.send(WriteBatch(Arc::clone(&batch)))));
        }
        self.spares.sent.push_back(batch);
        self.spares.reclaim();
        self.report(end, &[]);
        Ok(())
    }

    /// Windows worth simulating ahead, the last window having held
    /// `last_len` events: all of [`WINDOWS_AHEAD`] while the sinks keep up
    /// and the windows are small, fewer as the sinks' backlog fills (windows
    /// made ahead of a slow sink only wait in memory for it) or as the
    /// windows ahead would hold more than [`EVENTS_AHEAD`] events.
    fn windows_ahead(&self, last_len: usize) -> usize {
        let room = self
            .in_flight
            .iter()
            .zip(&self.max_in_flight)
            .map(|(queue, max)| 1 + max.saturating_sub(queue.len()))
            .min()
            .unwrap_or(WINDOWS_AHEAD);
        WINDOWS_AHEAD
            .min(room)
            .min(EVENTS_AHEAD.div_ceil(last_len.max(1)))
    }

    /// Waits for every batch in flight, then closes the sinks in order and
    /// keeps their reports.
    async fn close_all(&mut self) -> Result<(), RunError> {
        for ((name, addr), queue) in self.sinks.iter().zip(self.in_flight.iter_mut()) {
            while let Some(request) = queue.pop_front() {
                confirm(name, request.await)?;
            }
            let report = addr
                .send(CloseSink)
                .await
                .map_err(|_| RunError::SinkStopped { sink: name.clone() })?
                .map_err(|error| sink_error(name, error))?;
            self.summary.sinks.push(SinkSummary {
                name: name.clone(),
                report,
            });
        }
        Ok(())
    }

    /// The error that stops a run when sink `name` fails: waits for that
    /// sink's batches in flight (it refuses them at once now) and counts
    /// what it delivered of what it was handed.
    async fn sink_failed(&mut self, name: String, error: SinkError) -> RunError {
        let mut handed = self.summary.events_total();
        let mut delivered = 0;
        if let Some(i) = self.sinks.iter().position(|(n, _)| *n == name) {
            while let Some(request) = self.in_flight[i].pop_front() {
                let _ = request.await;
            }
            if let Ok(report) = self.sinks[i].1.send(ReportSink).await {
                delivered = report.delivered_total();
                handed = handed.saturating_sub(report.other_kinds);
            }
        }
        RunError::Sink {
            sink: name,
            error,
            handed,
            delivered,
        }
    }

    fn report(&mut self, clock: SimTime, stores: &[StoreWindow]) {
        if let Some(report) = self.progress.as_mut() {
            report(&Progress {
                clock,
                span: self.summary.span,
                events: self.summary.events,
                elapsed: self.clock.now().saturating_sub(self.started),
                lateness_us: &self.summary.lateness_us,
                batches: self.summary.batches,
                backlog: self.in_flight.iter().map(VecDeque::len).sum(),
                live: self.speed.is_some(),
                window: self.window,
                anchor: self.pacer.map(|p| p.anchor()),
                stores,
            });
        }
    }

    /// Releases a window: at once without a pacer, else each event when
    /// the wall clock reaches it. Returns false if stopped.
    async fn release(&mut self, batch: EventBatch, stop: &StopSignal) -> Result<bool, RunError> {
        let EventBatch { start, end, events } = batch;
        if let (Some(speed), None) = (self.speed, self.pacer) {
            let run_start = self.summary.span.0;
            self.pacer = Some(match self.resume_anchor {
                Some(anchor) => {
                    Pacer::continuing(speed, anchor, self.clock.utc_now(), self.clock.now())
                }
                None => Pacer::new(speed, run_start, self.clock.utc_now(), self.clock.now()),
            });
        }
        let Some(pacer) = self.pacer else {
            if stop.is_stopped() {
                return Ok(false);
            }
            self.dispatch(start, end, events).await?;
            return Ok(true);
        };
        let mut events = events.into_iter().peekable();
        let mut from = start;
        while let Some(next) = events.peek() {
            if stop.is_stopped() {
                return Ok(false);
            }
            let due = pacer.due(next.at);
            let now = self.clock.now();
            if due > now {
                if !self.caught_up {
                    // The first wait: everything before went out as a
                    // backfill, everything from here is live.
                    self.caught_up = true;
                    self.summary.caught_up_after = Some(now.saturating_sub(self.started));
                }
                let sleep = self.clock.sleep_until(due);
                tokio::select! {
                    () = sleep => {}
                    () = stop.stopped() => return Ok(false),
                }
                continue;
            }
            // Everything due by now goes out together.
            let mut ready = Vec::new();
            while let Some(e) = events.next_if(|e| pacer.due(e.at) <= now) {
                ready.push(e);
            }
            let to = ready.last().map_or(from, |e| e.at.plus_micros(1));
            self.dispatch(from, to, ready).await?;
            from = to;
        }
        Ok(!stop.is_stopped())
    }
}

impl Handler<RunToEnd> for SchedulerActor {
    type Result = ResponseActFuture<Self, Result<RunSummary, RunError>>;

    fn handle(&mut self, _: RunToEnd, _: &mut Context<Self>) -> Self::Result {
        let stores = self.stores.clone();
        let catalog = self.catalog.clone();
        let chain_events = self.chain_events;
        let watch = self.watch;
        let (start, end) = self.span;
        let window = self.window_us;
        let clock = Arc::clone(&self.clock);
        let stop = self.stop.clone();
        let started = clock.now();
        let (speed, resume_anchor) = match self.pacing {
            Pacing::Max => (None, None),
            Pacing::Speed(speed) => (Some(speed), None),
            Pacing::Continue { speed, anchor } => (Some(speed), Some(anchor)),
        };
        let mut fan = Fanout {
            in_flight: self.sinks.iter().map(|_| VecDeque::new()).collect(),
            sinks: self.sinks.clone(),
            max_in_flight: self.max_windows_in_flight.clone(),
            summary: RunSummary::new(start, end),
            progress: self.progress.take(),
            clock: Arc::clone(&clock),
            speed,
            resume_anchor,
            pacer: None,
            caught_up: false,
            started,
            window: (start, start),
            spares: Spares::default(),
        };
        Box::pin(
            async move {
                // The item master first: the stores price each scan with the
                // book computed ahead for the window. Asked for inline, so the
                // stores get their Advance as soon as the window is decided.
                let prepare = |from: SimTime| {
                    catalog.send(Prepare {
                        from,
                        until: from.plus_micros(window),
                    })
                };
                // Sends Advance to every store now, and merges their answers
                // on a blocking thread, so the scheduler's thread stays free
                // to release the previous window on time.
                let window_of = |from: SimTime, mut chain: CatalogWindow, spares: &mut Spares| {
                    let until = from.plus_micros(window);
                    if !chain_events {
                        chain.changes.clear();
                    } else if until > end {
                        // The item master changes until the end of the run,
                        // not while the stores serve their last shoppers:
                        // how long that takes depends on the stores a shard
                        // holds, and every shard must agree.
                        chain.changes.retain(|c| c.at < end);
                    }
                    let answers = join_all(stores.iter().map(|s| {
                        s.send(Advance {
                            until,
                            prices: chain.prices.clone(),
                            watch,
                        })
                    }));
                    let out = spares.windows.pop().unwrap_or_default();
                    actix_rt::spawn(async move {
                        let outputs = answers
                            .await
                            .into_iter()
                            .collect::<Result<Vec<StoreOutput>, _>>()
                            .map_err(|_| RunError::StoreStopped)?;
                        actix_rt::task::spawn_blocking(move || {
                            merge(from, until, outputs, chain.changes, out)
                        })
                        .await
                        .map_err(|_| RunError::StoreStopped)
                    })
                };
                let outcome = async {
                    // Windows asked for and not yet released, oldest first:
                    // the stores simulate the next ones while the oldest is
                    // merged and released. Windows asked for past the end of
                    // the run are dropped unreleased.
                    let mut ahead = VecDeque::with_capacity(WINDOWS_AHEAD);
                    let mut next_from = start;
                    let mut completed = true;
                    let mut last_len = 0;
                    loop {
                        while ahead.len() < fan.windows_ahead(last_len) && !stop.is_stopped() {
                            let chain = prepare(next_from)
                                .await
                                .map_err(|_| RunError::StoreStopped)?;
                            ahead.push_back((
                                next_from,
                                window_of(next_from, chain, &mut fan.spares),
                            ));
                            next_from = next_from.plus_micros(window);
                        }
                        let Some((t, pending)) = ahead.pop_front() else {
                            // Nothing asked for: a stop came before the end
                            // (there is always a window ahead otherwise).
                            completed = false;
                            break;
                        };
                        let window_end = t.plus_micros(window);
                        let merged = pending.await.map_err(|_| RunError::StoreStopped)??;
                        fan.summary.arrivals = merged.arrivals;
                        fan.summary.served = merged.served;
                        let finished = window_end >= end && merged.done;
                        let events = merged.batch.events.len();
                        last_len = events;
                        fan.window = (t, window_end);
                        if !merged.windows.is_empty() {
                            // A watcher gets the window's sums before its
                            // events go out, and shows each minute of them
                            // as the clock passes it.
                            fan.report(t, &merged.windows);
                        }
                        if !fan.release(merged.batch, &stop).await? {
                            completed = false;
                            break;
                        }
                        fan.summary.windows += 1;
                        fan.summary.clock = window_end;
                        fan.report(window_end, &[]);
                        debug!(sim_time = %window_end, events, "Window released.");
                        if finished {
                            break;
                        }
                    }
                    fan.summary.stopped_early = !completed;
                    if let (Some(p), false) = (&fan.pacer, completed) {
                        // Paced: the clock stopped where the wall clock had taken it.
                        fan.summary.clock = p.virtual_at(fan.clock.now()).max(start);
                    }
                    fan.close_all().await
                }
                .await;
                match outcome {
                    Ok(()) => {}
                    Err(RunError::Sink { sink, error, .. }) => {
                        return Err(fan.sink_failed(sink, error).await);
                    }
                    Err(e) => return Err(e),
                }
                fan.summary.wall = fan.clock.now().saturating_sub(started);
                Ok(fan.summary)
            }
            .into_actor(self),
        )
    }
}

fn confirm(
    name: &str,
    answer: Result<Result<(), SinkError>, actix::MailboxError>,
) -> Result<(), RunError> {
    answer
        .map_err(|_| RunError::SinkStopped {
            sink: name.to_string(),
        })?
        .map_err(|error| sink_error(name, error))
}

/// A sink's error, counts filled in by [`Fanout::sink_failed`].
fn sink_error(name: &str, error: SinkError) -> RunError {
    RunError::Sink {
        sink: name.to_string(),
        error,
        handed: 0,
        delivered: 0,
    }
}

/// Merges the stores' sorted runs (and the catalog's) into one batch
/// ordered by `(ts, store_id, seq)`, in `out`'s buffer (an emptied window
/// the sinks are done with, or a new vector).
fn merge(
    start: SimTime,
    end: SimTime,
    outputs: Vec<StoreOutput>,
    chain: Vec<Stamped>,
    out: Vec<Stamped>,
) -> Merged {
    let mut merged = Merged {
        batch: EventBatch::default(),
        done: true,
        arrivals: 0,
        served: 0,
        windows: Vec::new(),
    };
    let mut runs = Vec::with_capacity(outputs.len() + 1);
    for o in outputs {
        merged.arrivals += o.counters.arrivals;
        merged.served += o.counters.served;
        merged.done &= o.done;
        merged.windows.extend(o.window);
        runs.push(o.events);
    }
    runs.push(chain);
    let total: usize = runs.iter().map(Vec::len).sum();
    // A spare from a much busier window would keep that window's size
    // for good (the windows shrink by a few percent at a time at night).
    let out = if out.capacity() > total + total / 2 {
        Vec::new()
    } else {
        out
    };
    let events = merge_reusing(&mut runs, out);
    debug_assert!(Stamped::in_order(&events));
    merged.batch = EventBatch { start, end, events };
    merged
}
