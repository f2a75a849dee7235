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
mod snapshot;
mod watched;

pub(crate) use watched::*;

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

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
