//! The arrival process every model shares: a store's local calendar (hours,
//! day multipliers, hour-of-day curves, holidays, anomalies) turned into a
//! piecewise-constant arrival rate on UTC time, and sampled as a
//! non-homogeneous Poisson process.
//!
//! A model owns one [`Arrivals`] and draws from its own random stream; days
//! are planned lazily, so memory does not grow with the span.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::NaiveDate;
use rand::Rng;
use rand_distr::{Distribution, Exp1};

use crate::time::{local_to_utc, yyyymmdd, SimTime, MICROS_PER_HOUR};
use crate::world::World;

/// A stretch of time with a constant arrival rate.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: SimTime,
    end: SimTime,
    /// Expected arrivals per microsecond.
    rate: f64,
    /// Staffed registers open for joining.
    staffed: u8,
    /// The local hour, 0..24.
    hour: u8,
}

/// One store's arrivals over a span.
#[derive(Debug)]
pub struct Arrivals {
    world: Arc<World>,
    index: usize,
    /// Arrivals are accepted in `[span.0, span.1)`.
    span: (SimTime, SimTime),
    next_date: NaiveDate,
    end_date: NaiveDate,
    segments: VecDeque<Segment>,
    /// Local midnights (UTC) and their dates, for business dates.
    days: VecDeque<(SimTime, u32)>,
    cursor: SimTime,
    staffed_last: u8,
    /// Multiplier on the scenario's daily traffic (1 for the main process).
    scale: f64,
}

impl Arrivals {
    /// Arrivals of store `index` in `[start, end)`.
    pub fn new(world: Arc<World>, index: usize, start: SimTime, end: SimTime) -> Arrivals {
        let tz = world.stores[index].tz;
        let first_date = start.to_datetime().with_timezone(&tz).date_naive();
        let end_date = SimTime(end.0 - 1)
            .to_datetime()
            .with_timezone(&tz)
            .date_naive()
            .succ_opt()
            .unwrap_or(first_date);
        Arrivals {
            world,
            index,
            span: (start, end),
            next_date: first_date,
            end_date,
            segments: VecDeque::new(),
            days: VecDeque::new(),
            cursor: start,
            staffed_last: 1,
            scale: 1.0,
        }
    }

    /// The same calendar with `per_day` arrivals on a base day in a store
    /// of traffic 1.0, instead of the scenario's `traffic.baskets_per_day`:
    /// a second process of a model (in-store sales beside online orders).
    pub fn with_per_day(mut self, per_day: f64) -> Arrivals {
        self.scale = per_day / self.world.params.traffic.baskets_per_day;
        self
    }

    /// The span arrivals are accepted in.
    pub fn span(&self) -> (SimTime, SimTime) {
        self.span
    }

    /// The next arrival after the last one and its local hour, or `None`
    /// when the span is over: one unit exponential spent across the
    /// piecewise-constant rate (sampling by inversion).
    pub fn next<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<(SimTime, u8)> {
        let mut mass: f64 = Exp1.sample(rng);
        loop {
            let cursor = self.cursor;
            let Some(seg) = self.segments.iter().find(|s| s.end > cursor).copied() else {
                if !self.plan_day() {
                    return None;
                }
                continue;
            };
            let from = cursor.max(seg.start);
            let avail = seg.rate * (seg.end.0 - from.0) as f64;
            if mass < avail {
                let t = SimTime((from.0 + (mass / seg.rate) as i64).min(seg.end.0 - 1));
                self.cursor = t;
                return Some((t, seg.hour));
            }
            mass -= avail;
            self.cursor = seg.end;
        }
    }

    /// Staffed registers open for joining at `now` (the last open hour's
    /// count after closing, so late shoppers still find a lane).
    pub fn staffed_at(&mut self, now: SimTime) -> u8 {
        while self.segments.front().is_some_and(|s| s.end <= now) && self.segments.len() > 1 {
            self.segments.pop_front();
        }
        if let Some(s) = self.segments.iter().find(|s| s.start <= now && now < s.end) {
            self.staffed_last = s.staffed;
        }
        self.staffed_last
    }

    /// The local business date of `now`, `YYYYMMDD` (0 before the span).
    pub fn business_date(&mut self, now: SimTime) -> u32 {
        while self.days.len() < 2 || self.days[1].0 <= now {
            if self.days.len() >= 2 {
                self.days.pop_front();
            } else if !self.plan_day() {
                break;
            }
        }
        self.days
            .iter()
            .take_while(|(midnight, _)| *midnight <= now)
            .last()
            .or(self.days.front())
            .map_or(0, |&(_, d)| d)
    }

    /// Plans the next local date: its open segments and its midnight.
    /// Returns false when the span has no more dates.
    fn plan_day(&mut self) -> bool {
        if self.next_date > self.end_date {
            return false;
        }
        let date = self.next_date;
        self.next_date = date.succ_opt().unwrap_or(date);
        let world = Arc::clone(&self.world);
        let store = &world.stores[self.index];
        let tz = store.tz;
        self.days
            .push_back((local_to_utc(tz, date, 0), yyyymmdd(date)));
        if date >= self.end_date {
            // Only the closing midnight, for ids of late receipts.
            return true;
        }
        let day = world.calendar.day(date);
        let Some(hours) = day.hours else {
            return true;
        };
        let curve = &world.calendar.curves[day.curve].shares;
        let per_day =
            world.params.traffic.baskets_per_day * self.scale * store.traffic * day.multiplier;
        let plan = &world.params.staffing;
        let erlangs_per_arrival_hour =
            plan.planning_staffed_share * plan.planning_service_s / 3600.0;
        // Anomalies of this store and date, as local minutes [from, to).
        let anomalies: Vec<(u32, u32, f64)> = world
            .calendar
            .anomalies
            .iter()
            .filter(|a| a.applies_to(store.store_id))
            .filter_map(|a| a.minutes_on(date).map(|(lo, hi)| (lo, hi, a.multiplier)))
            .collect();
        for h in 0..24u32 {
            let lo = (h * 60).max(hours.open_min);
            let hi = ((h + 1) * 60).min(hours.close_min);
            if lo >= hi {
                continue;
            }
            // Forecast-driven staffing: enough lanes for the hour's expected
            // arrivals at the target utilisation (storms are not forecast).
            let load = per_day * curve[h as usize] * erlangs_per_arrival_hour;
            let staffed = (load / plan.target_utilization)
                .ceil()
                .clamp(1.0, f64::from(store.registers.max(1))) as u8;
            let rate = per_day * curve[h as usize] / MICROS_PER_HOUR as f64;
            // Cut the hour where an anomaly starts or ends.
            let mut cuts = vec![lo, hi];
            for &(a, b, _) in &anomalies {
                cuts.extend([a, b].into_iter().filter(|&m| lo < m && m < hi));
            }
            cuts.sort_unstable();
            cuts.dedup();
            for pair in cuts.windows(2) {
                let (m0, m1) = (pair[0], pair[1]);
                let start = local_to_utc(tz, date, m0).max(self.span.0);
                let end = local_to_utc(tz, date, m1).min(self.span.1);
                if start >= end {
                    continue;
                }
                let factor: f64 = anomalies
                    .iter()
                    .filter(|&&(a, b, _)| a <= m0 && m0 < b)
                    .map(|&(_, _, f)| f)
                    .product();
                self.segments.push_back(Segment {
                    start,
                    end,
                    rate: rate * factor,
                    staffed,
                    hour: h as u8,
                });
            }
        }
        true
    }
}
