//! What the view shows: the snapshot of a run (JSON for the page, text for
//! /metrics).

use super::*;

/// The numbers the page and `/api/status` show, at one moment.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Snapshot {
    pub(crate) scenario: String,
    pub(crate) seed: u64,
    pub(crate) finished: bool,
    pub(crate) live: bool,
    /// Wall seconds since the run started.
    pub(crate) wall_s: f64,
    /// The virtual clock (RFC 3339) and as Unix seconds.
    pub(crate) clock: String,
    pub(crate) clock_s: f64,
    pub(crate) span: (String, String),
    /// Share of the span done.
    pub(crate) done: f64,
    /// Virtual seconds simulated per wall second, over the run.
    pub(crate) speed: f64,
    pub(crate) events: Vec<(String, u64)>,
    pub(crate) events_total: u64,
    pub(crate) batches: u64,
    pub(crate) backlog: usize,
    pub(crate) lateness_ms: (f64, f64, f64),
    pub(crate) open_stores: usize,
    pub(crate) active_stores: usize,
    pub(crate) stores: usize,
    /// Queue waits (seconds): p50, p95, p99, max; whole run and the last
    /// [`RECENT_MINUTES`] virtual minutes.
    pub(crate) queue_wait_s: (f64, f64, f64, f64),
    pub(crate) recent_queue_wait_s: (f64, f64, f64, f64),
    pub(crate) receipts: u64,
    /// Shoppers waiting in the stores' queues, all stores and the longest
    /// store's, at the end of the last window.
    pub(crate) queued: u64,
    pub(crate) queued_max: u32,
    pub(crate) regions: Vec<&'static str>,
    /// Sales per virtual minute by region: (Unix seconds, dollars by region).
    pub(crate) sales: Vec<(i64, Vec<f64>)>,
    /// Activity per store, 0-9, in the order of `/api/stores`.
    pub(crate) activity: String,
    pub(crate) sinks: Vec<SinkSnapshot>,
}

/// A metric's HELP and TYPE lines.
pub(super) fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    use std::fmt::Write;
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// One sink in a [`Snapshot`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SinkSnapshot {
    pub(crate) name: String,
    pub(crate) delivered: u64,
    pub(crate) failed: u64,
    pub(crate) errors: u64,
    pub(crate) writes: u64,
    write_ms_p50: f64,
    write_ms_p99: f64,
    pub(crate) write_ms_max: f64,
}

pub(super) fn waits_s(h: &Histogram<u64>) -> (f64, f64, f64, f64) {
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
