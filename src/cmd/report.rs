//! What a run prints: the status line, the progress bar and the closing
//! summary.

use crate::*;

/// `; busy 12.3 s (430000 events/s)`: the time the run spent inside a sink
/// and its rate over that time, which says which sink holds a run back.
pub(crate) fn busy(r: &storesim_sinks::DeliveryReport) -> String {
    if r.busy_us < 1000 {
        return String::new();
    }
    let secs = r.busy_us as f64 / 1e6;
    format!(
        "; busy {secs:.1} s ({:.0} events/s)",
        r.delivered_total() as f64 / secs
    )
}

/// The status line of a live run: every few seconds on stderr.
pub(crate) struct StatusLine {
    enabled: bool,
    last: Option<(Duration, [u64; EventKind::ALL.len()])>,
}

impl StatusLine {
    const EVERY: Duration = Duration::from_secs(5);

    pub(crate) fn new(enabled: bool) -> StatusLine {
        StatusLine {
            enabled,
            last: None,
        }
    }

    pub(crate) fn update(&mut self, p: &Progress<'_>) {
        if !self.enabled {
            return;
        }
        let (then, before) = self
            .last
            .unwrap_or((Duration::ZERO, [0; EventKind::ALL.len()]));
        if p.elapsed < then + Self::EVERY {
            return;
        }
        let secs = (p.elapsed - then).as_secs_f64().max(1e-3);
        let rates: Vec<String> = EventKind::ALL
            .iter()
            .map(|k| {
                format!(
                    "{} {:.0}/s",
                    k,
                    (p.events[k.index()] - before[k.index()]) as f64 / secs
                )
            })
            .collect();
        let late = p.lateness_us;
        let lateness = if late.is_empty() {
            "lateness -".to_string()
        } else {
            format!(
                "lateness p99 {:.1} ms max {:.1} ms",
                late.value_at_quantile(0.99) as f64 / 1000.0,
                late.max() as f64 / 1000.0
            )
        };
        eprintln!(
            "[live] virtual {}  {}  {}  sink backlog {}",
            p.clock.to_datetime().format("%Y-%m-%d %H:%M:%SZ"),
            rates.join("  "),
            lateness,
            p.backlog
        );
        self.last = Some((p.elapsed, p.events));
    }
}

pub(crate) fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30.cyan/blue}] {percent:>3}% {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

pub(crate) fn human(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.2}G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

/// `1000 stores`, or `503 of 1000 stores (shard 1/2)`.
pub(crate) fn stores_line(shard: storesim_sim::Shard, held: usize, total: usize) -> String {
    if shard.is_all() {
        return format!("{total} stores");
    }
    format!("{held} of {total} stores (shard {shard})")
}

/// The summary of a run of `held` of the world's stores.
pub(crate) fn print_summary(
    args: &RunArgs,
    world: &storesim_sim::World,
    held: usize,
    s: &RunSummary,
) {
    use std::fmt::Write as _;
    let mut err = String::new();
    let wall = s.wall.as_secs_f64();
    let total = s.events_total();
    let _ = writeln!(
        err,
        "storesim: scenario {}, seed {}, {}, {} .. {} (virtual), {} windows",
        world.name,
        args.seed,
        stores_line(args.shard, held, world.stores.len()),
        s.span.0,
        s.span.1,
        s.windows
    );
    let emitted = world.kinds();
    let kinds: Vec<String> = EventKind::ALL
        .iter()
        .filter(|k| emitted.contains(k) || s.events[k.index()] > 0)
        .map(|k| format!("{} {}", s.events[k.index()], k))
        .collect();
    let _ = writeln!(err, "events:   {} ({} total)", kinds.join(", "), total);
    let _ = writeln!(
        err,
        "wall:     {:.2} s, {:.0} events/s",
        wall,
        total as f64 / wall.max(1e-9)
    );
    let q = &s.queue_wait_ms;
    if emitted.contains(&EventKind::Transaction) {
        let _ = writeln!(
            err,
            "queue:    {} receipts; wait p50 {:.1} s, p95 {:.1} s, p99 {:.1} s, max {:.1} s",
            s.events[EventKind::Transaction.index()],
            q.value_at_quantile(0.50) as f64 / 1000.0,
            q.value_at_quantile(0.95) as f64 / 1000.0,
            q.value_at_quantile(0.99) as f64 / 1000.0,
            q.max() as f64 / 1000.0
        );
    }
    if !s.lateness_us.is_empty() || s.backfill_events > 0 {
        let l = &s.lateness_us;
        let _ =
            writeln!(
            err,
            "pacing:   {} events backfilled{}; lateness p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            s.backfill_events,
            s.caught_up_after
                .map(|d| format!(" (caught up with the wall clock after {:.2} s)", d.as_secs_f64()))
                .unwrap_or_default(),
            l.value_at_quantile(0.50) as f64 / 1000.0,
            l.value_at_quantile(0.99) as f64 / 1000.0,
            l.max() as f64 / 1000.0
        );
    }
    if s.stopped_early {
        let _ = writeln!(
            err,
            "stopped:  on request at virtual {}; every released event was flushed",
            s.clock
        );
    }
    for sink in &s.sinks {
        let r = &sink.report;
        if let Some(path) = sink.name.strip_prefix("manifest:") {
            let _ = writeln!(err, "manifest: {path} ({} events)", r.delivered_total());
            continue;
        }
        let _ = writeln!(
            err,
            "sink:     {}: delivered {}, failed {}{}{}{}{}",
            sink.name,
            r.delivered_total(),
            r.undelivered(total),
            if r.other_kinds > 0 {
                format!(" ({} of other kinds)", r.other_kinds)
            } else {
                String::new()
            },
            if r.resumed > 0 {
                format!(" ({} the stopped run had delivered)", r.resumed)
            } else {
                String::new()
            },
            if r.bytes > 0 {
                format!(", {} bytes", r.bytes)
            } else {
                String::new()
            },
            busy(r),
        );
    }
    eprint!("{}", storesim_sinks::redact::redact(&err));
}
