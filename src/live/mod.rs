//! The live view (`run --serve ADDR`): Prometheus metrics, a JSON status,
//! a stream of per-second aggregates (server-sent events) and a page that
//! draws them.
//!
//! The simulation never waits for it, and never reads an event twice for
//! it. The run is watched ([`storesim_actors::RunConfig::watch`]): each
//! store sums its own window as it makes it (events, sales by virtual
//! minute, queue waits, shoppers queued) and the progress callback hands
//! those few numbers per store to [`Live::progress`] once per window, with
//! the clock, counts, lateness and backlog. Every sink is wrapped in
//! [`Watched`], which counts what it delivered and times its writes. The
//! HTTP server reads snapshots of that state on its own thread.

mod server;

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Timelike;
use hdrhistogram::Histogram;
use serde::Serialize;
use storesim_sim::watch::{StoreWindow, MINUTE_US};
use storesim_sim::{EventBatch, EventKind, SimTime, World};
use storesim_sinks::{DeliveryReport, Sink, SinkError};

pub(crate) use server::{serve, Access, MAX_CONNECTIONS};

/// US Census regions, the page's sales series.
pub(crate) const REGIONS: [&str; 5] = ["Northeast", "Midwest", "South", "West", "Other"];

/// Virtual minutes of sales kept for the page.
const MINUTES_KEPT: usize = 180;

/// Virtual minutes of queue waits in the "recent" percentiles.
const RECENT_MINUTES: i64 = 15;

/// Half-life of a store's activity on the map, virtual microseconds.
const ACTIVITY_HALF_LIFE_US: f64 = 5.0 * 60e6;

/// A store counts as active above this activity (events, decayed).
const ACTIVE: f32 = 0.5;

/// The Census region of a two-letter state.
fn region(state: &str) -> usize {
    match state {
        "CT" | "ME" | "MA" | "NH" | "RI" | "VT" | "NJ" | "NY" | "PA" => 0,
        "IL" | "IN" | "MI" | "OH" | "WI" | "IA" | "KS" | "MN" | "MO" | "NE" | "ND" | "SD" => 1,
        "DE" | "FL" | "GA" | "MD" | "NC" | "SC" | "VA" | "DC" | "WV" | "AL" | "KY" | "MS"
        | "TN" | "AR" | "LA" | "OK" | "TX" => 2,
        "AZ" | "CO" | "ID" | "MT" | "NV" | "NM" | "UT" | "WY" | "AK" | "CA" | "HI" | "OR"
        | "WA" => 3,
        _ => 4,
    }
}

/// A store, as the page draws it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StoreInfo {
    id: u32,
    city: String,
    state: String,
    lat: f64,
    lon: f64,
    region: usize,
    #[serde(skip)]
    tz: chrono_tz::Tz,
}

/// One sink's delivery, as its [`Watched`] wrapper saw it.
#[derive(Debug)]
pub(crate) struct SinkStats {
    pub(crate) name: String,
    delivered: [AtomicU64; EventKind::ALL.len()],
    failed: AtomicU64,
    /// Write (and flush) calls, and their time, for the latency.
    writes: Mutex<Histogram<u64>>,
    errors: AtomicU64,
}

impl SinkStats {
    fn new(name: &str) -> SinkStats {
        SinkStats {
            name: name.to_string(),
            delivered: std::array::from_fn(|_| AtomicU64::new(0)),
            failed: AtomicU64::new(0),
            writes: Mutex::new(Histogram::new(3).expect("3 significant figures")),
            errors: AtomicU64::new(0),
        }
    }

    fn record(&self, report: &DeliveryReport) {
        for (slot, n) in self.delivered.iter().zip(report.delivered) {
            slot.store(n, Ordering::Relaxed);
        }
        self.failed.store(report.failed, Ordering::Relaxed);
    }

    pub(crate) fn delivered(&self) -> [u64; EventKind::ALL.len()] {
        std::array::from_fn(|i| self.delivered[i].load(Ordering::Relaxed))
    }

    pub(crate) fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// (writes, p50, p99, max, sum) in microseconds.
    pub(crate) fn latency(&self) -> (u64, u64, u64, u64, f64) {
        let h = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        let sum = h.mean() * h.len() as f64;
        (
            h.len(),
            h.value_at_quantile(0.5),
            h.value_at_quantile(0.99),
            h.max(),
            sum,
        )
    }
}

/// A sink that reports its delivery and write times to the live view.
pub(crate) struct Watched {
    inner: Box<dyn Sink>,
    stats: Arc<SinkStats>,
}

impl Watched {
    pub(crate) fn new(inner: Box<dyn Sink>, live: &Live) -> Watched {
        let stats = Arc::new(SinkStats::new(inner.name()));
        live.sinks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::clone(&stats));
        Watched { inner, stats }
    }

    fn timed(&self, started: Instant, result: &Result<(), SinkError>) {
        let us = started.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
        let _ = self
            .stats
            .writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(us.max(1));
        if result.is_err() {
            self.stats.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.stats.record(&self.inner.report());
    }
}

#[async_trait]
impl Sink for Watched {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        let started = Instant::now();
        let result = self.inner.write(batch).await;
        self.timed(started, &result);
        result
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        let started = Instant::now();
        let result = self.inner.flush().await;
        self.timed(started, &result);
        result
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        let result = self.inner.close().await;
        match &result {
            Ok(report) => self.stats.record(report),
            Err(_) => {
                self.stats.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        result
    }

    fn report(&self) -> DeliveryReport {
        self.inner.report()
    }
}

/// What the progress callback last said.
#[derive(Debug, Clone, Default)]
struct Clock {
    clock: SimTime,
    span: (SimTime, SimTime),
    events: [u64; EventKind::ALL.len()],
    elapsed: Duration,
    lateness_us: (u64, u64, u64),
    backlog: usize,
    batches: u64,
    live: bool,
}

/// The state the page and the metrics read.
#[derive(Debug)]
struct State {
    clock: Clock,
    /// Sales (cents) by virtual minute and region, the last [`MINUTES_KEPT`].
    sales: VecDeque<(i64, [i64; REGIONS.len()])>,
    /// Events per store (by [`Live::stores`] index), decaying with a
    /// half-life of [`ACTIVITY_HALF_LIFE_US`] of virtual time.
    activity: Vec<f32>,
    /// The end of the last window summed.
    activity_at: SimTime,
    /// Queue waits of the receipts (milliseconds), whole run.
    waits: Histogram<u64>,
    /// Queue waits of the receipts by virtual minute, the last
    /// [`RECENT_MINUTES`].
    recent_waits: VecDeque<(i64, Histogram<u64>)>,
    /// Shoppers waiting per store at the end of the last window shown.
    queued: Vec<u32>,
    /// The windows' sums by virtual minute, not yet shown.
    pending: BTreeMap<i64, Minute>,
    finished: bool,
}

/// One virtual minute of the stores' sums, waiting to be shown.
#[derive(Debug, Default)]
struct Minute {
    /// (store index, events).
    activity: Vec<(u32, u32)>,
    /// Sales in cents by region.
    sales: [i64; REGIONS.len()],
    /// Receipts' queue waits, milliseconds.
    waits: Vec<u32>,
    /// (store index, shoppers queued) at the end of a window.
    queued: Vec<(u32, u32)>,
}

impl State {
    /// Shows the pending minutes before `upto`, oldest first.
    fn show(&mut self, upto: i64) {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() >= upto {
                break;
            }
            let (minute, sums) = entry.remove_entry();
            self.show_minute(minute, sums);
        }
    }

    fn show_minute(&mut self, minute: i64, sums: Minute) {
        let at = SimTime((minute + 1) * MINUTE_US);
        let keep = if self.activity_at.0 == 0 {
            0.0
        } else {
            let dt = (at.0 - self.activity_at.0).max(0) as f64;
            0.5f64.powf(dt / ACTIVITY_HALF_LIFE_US) as f32
        };
        self.activity_at = at;
        for a in &mut self.activity {
            *a *= keep;
        }
        for (i, n) in sums.activity {
            self.activity[i as usize] += n as f32;
        }
        for (i, q) in sums.queued {
            self.queued[i as usize] = q;
        }
        if sums.sales.iter().any(|&c| c != 0) {
            match self.sales.back_mut() {
                Some((m, row)) if *m == minute => {
                    for (a, b) in row.iter_mut().zip(sums.sales) {
                        *a += b;
                    }
                }
                _ => self.sales.push_back((minute, sums.sales)),
            }
            while self.sales.len() > MINUTES_KEPT {
                self.sales.pop_front();
            }
        }
        if !sums.waits.is_empty() {
            let mut h = histogram();
            for ms in sums.waits {
                let ms = u64::from(ms).max(1);
                let _ = self.waits.record(ms);
                let _ = h.record(ms);
            }
            self.recent_waits.push_back((minute, h));
        }
        while self
            .recent_waits
            .front()
            .is_some_and(|(m, _)| *m <= minute - RECENT_MINUTES)
        {
            self.recent_waits.pop_front();
        }
    }
}

/// The live view's shared state.
#[derive(Debug)]
pub(crate) struct Live {
    pub(crate) scenario: String,
    pub(crate) seed: u64,
    world: Arc<World>,
    /// The world's stores, in its order (a [`StoreWindow`]'s index).
    stores: Vec<StoreInfo>,
    state: Mutex<State>,
    sinks: Mutex<Vec<Arc<SinkStats>>>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 24 * 3_600_000, 2).expect("valid bounds")
}

impl Live {
    pub(crate) fn new(world: Arc<World>, scenario: &str, seed: u64) -> Arc<Live> {
        let stores: Vec<StoreInfo> = world
            .stores
            .iter()
            .map(|s| StoreInfo {
                id: s.store_id,
                city: s.city.clone(),
                state: s.state.clone(),
                lat: s.latitude,
                lon: s.longitude,
                region: region(&s.state),
                tz: s.tz,
            })
            .collect();
        Arc::new(Live {
            scenario: scenario.to_string(),
            seed,
            state: Mutex::new(State {
                clock: Clock::default(),
                sales: VecDeque::new(),
                activity: vec![0.0; stores.len()],
                activity_at: SimTime(0),
                waits: histogram(),
                recent_waits: VecDeque::new(),
                queued: vec![0; stores.len()],
                pending: BTreeMap::new(),
                finished: false,
            }),
            world,
            stores,
            sinks: Mutex::new(Vec::new()),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The progress callback's report.
    pub(crate) fn progress(&self, p: &storesim_actors::Progress<'_>) {
        let late = p.lateness_us;
        let clock = Clock {
            clock: p.clock,
            span: p.span,
            events: p.events,
            elapsed: p.elapsed,
            lateness_us: if late.is_empty() {
                (0, 0, 0)
            } else {
                (
                    late.value_at_quantile(0.5),
                    late.value_at_quantile(0.99),
                    late.max(),
                )
            },
            backlog: p.backlog,
            batches: p.batches,
            live: p.live,
        };
        let mut s = self.state();
        s.clock = clock;
        if !p.stores.is_empty() {
            self.pend(&mut s, p.window.1, p.stores);
        }
        s.show(p.clock.0.div_euclid(MINUTE_US));
    }

    /// Sorts the stores' sums of a window ending at `end` into its virtual
    /// minutes, to be shown as the clock passes each: a few thousand small
    /// sums per window, never the events.
    fn pend(&self, s: &mut State, end: SimTime, windows: &[StoreWindow]) {
        let last = (end.0 - 1).div_euclid(MINUTE_US);
        for w in windows {
            let Some(store) = self.stores.get(w.index as usize) else {
                continue;
            };
            for m in &w.minutes {
                let minute = s.pending.entry(m.minute).or_default();
                minute.activity.push((w.index, m.events));
                minute.sales[store.region] += m.sales;
            }
            for &(at, ms) in &w.waits {
                s.pending.entry(at).or_default().waits.push(ms);
            }
            s.pending
                .entry(last)
                .or_default()
                .queued
                .push((w.index, w.queued));
        }
    }

    /// The run is over: the final counts.
    pub(crate) fn finish(&self, summary: &storesim_actors::RunSummary) {
        let mut s = self.state();
        s.clock.events = summary.events;
        s.clock.clock = summary.clock;
        // A run that ended on its own handed everything out; a stopped
        // one, what came before its clock.
        s.show(if summary.stopped_early {
            summary.clock.0.div_euclid(MINUTE_US)
        } else {
            i64::MAX
        });
        s.pending.clear();
        s.finished = true;
    }

    fn sinks(&self) -> Vec<Arc<SinkStats>> {
        self.sinks.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Stores open at `now` by the scenario's calendar, in their own time.
    fn open_stores(&self, now: SimTime) -> usize {
        let utc = now.to_datetime();
        self.stores
            .iter()
            .filter(|s| {
                let local = utc.with_timezone(&s.tz);
                let day = self.world.calendar.day(local.date_naive());
                day.hours
                    .is_some_and(|h| h.contains(local.hour() * 60 + local.minute()))
            })
            .count()
    }
}

/// The numbers the page and `/api/status` show, at one moment.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Snapshot {
    scenario: String,
    seed: u64,
    finished: bool,
    live: bool,
    /// Wall seconds since the run started.
    wall_s: f64,
    /// The virtual clock (RFC 3339) and as Unix seconds.
    clock: String,
    clock_s: f64,
    span: (String, String),
    /// Share of the span done.
    done: f64,
    /// Virtual seconds simulated per wall second, over the run.
    speed: f64,
    events: Vec<(String, u64)>,
    events_total: u64,
    batches: u64,
    backlog: usize,
    lateness_ms: (f64, f64, f64),
    open_stores: usize,
    active_stores: usize,
    stores: usize,
    /// Queue waits (seconds): p50, p95, p99, max; whole run and the last
    /// [`RECENT_MINUTES`] virtual minutes.
    queue_wait_s: (f64, f64, f64, f64),
    recent_queue_wait_s: (f64, f64, f64, f64),
    receipts: u64,
    /// Shoppers waiting in the stores' queues, all stores and the longest
    /// store's, at the end of the last window.
    queued: u64,
    queued_max: u32,
    regions: Vec<&'static str>,
    /// Sales per virtual minute by region: (Unix seconds, dollars by region).
    sales: Vec<(i64, Vec<f64>)>,
    /// Activity per store, 0-9, in the order of `/api/stores`.
    activity: String,
    sinks: Vec<SinkSnapshot>,
}

/// A metric's HELP and TYPE lines.
fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    use std::fmt::Write;
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// One sink in a [`Snapshot`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SinkSnapshot {
    name: String,
    delivered: u64,
    failed: u64,
    errors: u64,
    writes: u64,
    write_ms_p50: f64,
    write_ms_p99: f64,
    write_ms_max: f64,
}

fn waits_s(h: &Histogram<u64>) -> (f64, f64, f64, f64) {
    if h.is_empty() {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let s = |v: u64| v as f64 / 1000.0;
    (
        s(h.value_at_quantile(0.5)),
        s(h.value_at_quantile(0.95)),
        s(h.value_at_quantile(0.99)),
        s(h.max()),
    )
}

impl Live {
    pub(crate) fn snapshot(&self) -> Snapshot {
        let (clock, sales, activity, waits, recent, receipts, queued, finished) = {
            let s = self.state();
            (
                s.clock.clone(),
                s.sales.iter().copied().collect::<Vec<_>>(),
                s.activity.clone(),
                waits_s(&s.waits),
                {
                    let mut recent = histogram();
                    for (_, h) in &s.recent_waits {
                        let _ = recent.add(h);
                    }
                    waits_s(&recent)
                },
                s.waits.len(),
                (
                    s.queued.iter().map(|&q| u64::from(q)).sum::<u64>(),
                    s.queued.iter().copied().max().unwrap_or(0),
                ),
                s.finished,
            )
        };
        let kinds = self.world.kinds();
        let peak = activity.iter().copied().fold(1.0f32, f32::max);
        let span = clock.span;
        let done = if span.1 .0 > span.0 .0 {
            ((clock.clock.0 - span.0 .0) as f64 / (span.1 .0 - span.0 .0) as f64).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Snapshot {
            scenario: self.scenario.clone(),
            seed: self.seed,
            finished,
            live: clock.live,
            wall_s: clock.elapsed.as_secs_f64(),
            clock: clock.clock.to_string(),
            clock_s: clock.clock.0 as f64 / 1e6,
            span: (span.0.to_string(), span.1.to_string()),
            done,
            speed: if clock.elapsed.is_zero() || clock.clock <= span.0 {
                0.0
            } else {
                (clock.clock.0 - span.0 .0) as f64 / 1e6 / clock.elapsed.as_secs_f64()
            },
            events: kinds
                .iter()
                .map(|k| (k.as_str().to_string(), clock.events[k.index()]))
                .collect(),
            events_total: clock.events.iter().sum(),
            batches: clock.batches,
            backlog: clock.backlog,
            lateness_ms: (
                clock.lateness_us.0 as f64 / 1000.0,
                clock.lateness_us.1 as f64 / 1000.0,
                clock.lateness_us.2 as f64 / 1000.0,
            ),
            open_stores: if clock.clock.0 == 0 {
                0
            } else {
                self.open_stores(clock.clock)
            },
            active_stores: activity.iter().filter(|&&a| a > ACTIVE).count(),
            stores: self.stores.len(),
            queue_wait_s: waits,
            recent_queue_wait_s: recent,
            receipts,
            queued: queued.0,
            queued_max: queued.1,
            regions: REGIONS.to_vec(),
            sales: sales
                .into_iter()
                .map(|(m, row)| (m * 60, row.iter().map(|&c| c as f64 / 100.0).collect()))
                .collect(),
            activity: activity
                .iter()
                .map(|&a| {
                    let level = if a <= ACTIVE {
                        0
                    } else {
                        1 + (a / peak * 8.0) as u8
                    };
                    char::from(b'0' + level.min(9))
                })
                .collect(),
            sinks: self
                .sinks()
                .iter()
                .map(|s| {
                    let (writes, p50, p99, max, _) = s.latency();
                    SinkSnapshot {
                        name: s.name.clone(),
                        delivered: s.delivered().iter().sum(),
                        failed: s.failed(),
                        errors: s.errors.load(Ordering::Relaxed),
                        writes,
                        write_ms_p50: p50 as f64 / 1000.0,
                        write_ms_p99: p99 as f64 / 1000.0,
                        write_ms_max: max as f64 / 1000.0,
                    }
                })
                .collect(),
        }
    }

    /// The Prometheus text exposition.
    pub(crate) fn metrics(&self) -> String {
        use std::fmt::Write;
        let snap = self.snapshot();
        let mut out = String::new();
        header(
            &mut out,
            "storesim_events_total",
            "counter",
            "Events released to the sinks, by kind.",
        );
        for (kind, n) in &snap.events {
            let _ = writeln!(out, "storesim_events_total{{kind=\"{kind}\"}} {n}");
        }
        let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let kinds = self.world.kinds();
        let sinks = self.sinks();
        header(
            &mut out,
            "storesim_sink_delivered_total",
            "counter",
            "Events a sink delivered, by kind.",
        );
        for s in &sinks {
            let d = s.delivered();
            for k in &kinds {
                let _ = writeln!(
                    out,
                    "storesim_sink_delivered_total{{sink=\"{}\",kind=\"{k}\"}} {}",
                    esc(&s.name),
                    d[k.index()]
                );
            }
        }
        header(
            &mut out,
            "storesim_sink_failed_total",
            "counter",
            "Events handed to a sink and not delivered.",
        );
        for s in &sinks {
            let _ = writeln!(
                out,
                "storesim_sink_failed_total{{sink=\"{}\"}} {}",
                esc(&s.name),
                s.failed()
            );
        }
        header(
            &mut out,
            "storesim_sink_write_seconds",
            "summary",
            "Time a sink took to take a window.",
        );
        for s in &sinks {
            let (writes, p50, p99, _, sum) = s.latency();
            let name = esc(&s.name);
            for (q, v) in [("0.5", p50), ("0.99", p99)] {
                let _ = writeln!(
                    out,
                    "storesim_sink_write_seconds{{sink=\"{name}\",quantile=\"{q}\"}} {}",
                    v as f64 / 1e6
                );
            }
            let _ = writeln!(
                out,
                "storesim_sink_write_seconds_sum{{sink=\"{name}\"}} {}\nstoresim_sink_write_seconds_count{{sink=\"{name}\"}} {writes}",
                sum / 1e6
            );
        }
        let gauges: [(&str, &str, f64); 11] = [
            (
                "storesim_virtual_time_seconds",
                "The virtual clock, Unix seconds.",
                snap.clock_s,
            ),
            (
                "storesim_wall_seconds",
                "Wall time since the run started.",
                snap.wall_s,
            ),
            (
                "storesim_speed_ratio",
                "Virtual seconds simulated per wall second, over the run.",
                snap.speed,
            ),
            (
                "storesim_open_stores",
                "Stores open now, in their own time zones.",
                snap.open_stores as f64,
            ),
            (
                "storesim_active_stores",
                "Stores with recent events (decaying with a 5-minute half-life of virtual time).",
                snap.active_stores as f64,
            ),
            (
                "storesim_stores",
                "Stores in the world.",
                snap.stores as f64,
            ),
            (
                "storesim_queued_shoppers",
                "Shoppers waiting in the stores' register queues.",
                snap.queued as f64,
            ),
            (
                "storesim_store_queue_max",
                "Shoppers waiting in the longest store's queues.",
                f64::from(snap.queued_max),
            ),
            (
                "storesim_sink_backlog_windows",
                "Windows handed to sinks and not yet confirmed.",
                snap.backlog as f64,
            ),
            (
                "storesim_run_done_ratio",
                "Share of the run's span simulated.",
                snap.done,
            ),
            (
                "storesim_run_finished",
                "1 once the run is over.",
                f64::from(u8::from(snap.finished)),
            ),
        ];
        for (name, help, v) in gauges {
            header(&mut out, name, "gauge", help);
            let _ = writeln!(out, "{name} {v}");
        }
        header(
            &mut out,
            "storesim_queue_wait_seconds",
            "gauge",
            "Receipts' time in the queue, quantiles over the run.",
        );
        let w = snap.queue_wait_s;
        for (q, v) in [("0.5", w.0), ("0.95", w.1), ("0.99", w.2), ("1", w.3)] {
            let _ = writeln!(out, "storesim_queue_wait_seconds{{quantile=\"{q}\"}} {v}");
        }
        header(
            &mut out,
            "storesim_release_lateness_seconds",
            "gauge",
            "How late events were released against the wall clock (paced runs).",
        );
        let l = snap.lateness_ms;
        for (q, v) in [("0.5", l.0), ("0.99", l.1), ("1", l.2)] {
            let _ = writeln!(
                out,
                "storesim_release_lateness_seconds{{quantile=\"{q}\"}} {}",
                v / 1000.0
            );
        }
        out
    }

    pub(crate) fn stores_json(&self) -> String {
        serde_json::to_string(&self.stores).unwrap_or_else(|_| "[]".to_string())
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
