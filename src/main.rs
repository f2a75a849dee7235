//! storesim: generate realistic retail point-of-sale data.
//!
//! The binary parses, wires and reports; the simulation lives in the
//! `storesim-sim`, `storesim-actors`, `storesim-scenarios` and
//! `storesim-sinks` crates.

mod cli;
mod journal;
mod live;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use storesim_actors::{
    Clock, Pacing, Progress, RunConfig, RunError, RunSummary, StopSignal, SystemClock,
};
use storesim_scenarios::{Overrides, Scenario, BUILTINS};
use storesim_sim::EventKind;
use storesim_sinks::redact::redact;
use storesim_sinks::{SinkError, SinkKind, SinkSpec};

use cli::{
    CatalogArgs, Cli, Command, DbAction, DbInitArgs, KafkaAction, ManifestAction, RunArgs,
    ScenariosAction, SpeedArg, StartArg, VerifyArgs,
};
use journal::{Journal, JournalWriter};

/// mimalloc: events are allocated on the store threads and freed on the
/// merge's and the sinks' (boxed receipts, per-window vectors), where
/// glibc's malloc and free took 8% of a run; with mimalloc a run is about
/// 15% faster (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (the same in its v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Returns freed memory to the system at once instead of after 10 ms: a
/// window's vectors are large and short-lived, and holding them raised
/// the peak memory of 10,000 stores by 15% for a 2% gain.
fn tune_allocator() {
    // SAFETY: sets one integer option; mimalloc allows it at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

/// Standard error with every secret masked: the log's writer (the
/// formatter hands it one whole line at a time).
struct RedactedStderr;

impl std::io::Write for RedactedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = redact(&String::from_utf8_lossy(buf));
        std::io::stderr().write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Why the process stops early.
enum Failure {
    /// Bad input: a flag, a scenario, a sink spec. Exit code 2.
    Input(anyhow::Error),
    /// The run failed. Exit code 1.
    Runtime(anyhow::Error),
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            // One line: clap's first line names the flag and the problem;
            // a missing argument is named on the lines after it.
            let text = e.render().to_string();
            let mut first = text
                .lines()
                .next()
                .unwrap_or("error: invalid arguments")
                .to_string();
            if e.kind() == ErrorKind::MissingRequiredArgument {
                let missing: Vec<&str> = text
                    .lines()
                    .skip(1)
                    .map(str::trim)
                    .take_while(|l| !l.is_empty())
                    .collect();
                first = format!("{} {}", first.trim_end(), missing.join(", "));
            }
            // A value refused for a flag that takes secrets is not echoed.
            use clap::error::{ContextKind, ContextValue};
            let secret_flag = matches!(
                e.get(ContextKind::InvalidArg),
                Some(ContextValue::String(arg)) if arg.starts_with("--kafka-opt") || arg.starts_with("--sink")
            );
            if let (true, Some(ContextValue::String(value))) =
                (secret_flag, e.get(ContextKind::InvalidValue))
            {
                first = first.replace(&format!("'{value}'"), "'***'");
            }
            eprintln!("{}", redact(&first));
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(|| RedactedStderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // librdkafka reports every failed connection attempt at error
                // level, many times a second; the sink's own error says it once.
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new("warn,librdkafka=off,rdkafka=off")
                }),
        )
        .init();
    let result = match cli.command {
        Command::Run(args) => run(*args),
        Command::Scenarios { action } => scenarios(action),
        Command::Catalog(args) => catalog(args),
        Command::Kafka { action } => kafka(action),
        Command::Manifest {
            action: ManifestAction::Merge { files, out },
        } => manifest_merge(&files, out.as_deref()),
        Command::Manifest {
            action:
                ManifestAction::Csv {
                    file,
                    out,
                    overwrite,
                },
        } => manifest_csv(&file, &out, overwrite),
        Command::Verify(args) => verify(args),
        Command::Db {
            action: DbAction::Init(args),
        } => db_init(args),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Input(e)) => {
            eprintln!("error: {}", redact(&format!("{e:#}")));
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("error: {}", redact(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

/// `; busy 12.3 s (430000 events/s)`: the time the run spent inside a sink
/// and its rate over that time, which says which sink holds a run back.
fn busy(r: &storesim_sinks::DeliveryReport) -> String {
    if r.busy_us < 1000 {
        return String::new();
    }
    let secs = r.busy_us as f64 / 1e6;
    format!(
        "; busy {secs:.1} s ({:.0} events/s)",
        r.delivered_total() as f64 / secs
    )
}

fn input<T, E: Into<anyhow::Error>>(r: Result<T, E>) -> Result<T, Failure> {
    r.map_err(|e| Failure::Input(e.into()))
}

/// The environment variable that sets the wall clock a run reads.
const NOW_VAR: &str = "STORESIM_NOW";

/// The wall clock: the system's, or, with `STORESIM_NOW` set to an RFC 3339
/// instant, one that reads that instant at the start and ticks in real
/// time from there (to rehearse a live demo of a given moment, and for the
/// tests that run at fixed instants: Thanksgiving, the daylight-saving
/// hours, New Year's Eve).
fn wall_clock() -> Result<SystemClock, Failure> {
    match std::env::var(NOW_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(SystemClock::new()),
        Ok(text) if text.is_empty() => Ok(SystemClock::new()),
        Ok(text) => {
            let at = chrono::DateTime::parse_from_rfc3339(&text).map_err(|_| {
                Failure::Input(anyhow::anyhow!(
                    "{NOW_VAR}: `{text}` is not an RFC 3339 time (2026-11-27T12:00:00Z)"
                ))
            })?;
            Ok(SystemClock::starting_at(storesim_sim::SimTime(
                at.timestamp_micros(),
            )))
        }
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::Input(anyhow::anyhow!(
            "{NOW_VAR} is not valid UTF-8"
        ))),
    }
}

fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    let clock = Arc::new(wall_clock()?);
    let live = matches!(args.speed, SpeedArg::Factor(_));
    let stopped = match &args.resume {
        Some(path) => input(Journal::read(path))?,
        None => None,
    };
    if let (Some(path), Some(j)) = (&args.resume, &stopped) {
        if j.finished {
            eprintln!(
                "storesim: the run in {} finished, every event delivered; nothing to resume",
                path.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        if args.overwrite {
            return Err(Failure::Input(anyhow::anyhow!(
                "--overwrite would delete the output --resume {} continues: give one of them",
                path.display()
            )));
        }
    }
    let start = args.start.unwrap_or(if live {
        StartArg::Now
    } else {
        StartArg::Date(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default())
    });
    // `now` is the instant the stopped run started at.
    let start_was_now = matches!(start, StartArg::Now);
    let start = match (start, stopped.as_ref().and_then(|j| j.now_us)) {
        (StartArg::Now, Some(us)) => StartArg::Instant(storesim_sim::SimTime(us)),
        (other, _) => other,
    };
    let days = if live {
        args.days
    } else {
        Some(args.days.unwrap_or(1))
    };
    let span = start
        .span(days, args.until, clock.utc_now())
        .map_err(|e| Failure::Input(anyhow::anyhow!(e)))?;
    let scenario = input(Scenario::load(&args.scenario))?;
    let mut specs = Vec::new();
    let raw_specs = if args.sinks.is_empty() {
        vec!["files:out?compression=zstd".to_string()]
    } else {
        args.sinks.clone()
    };
    let kafka = scenario.kafka();
    for raw in &raw_specs {
        let mut spec: SinkSpec = input(raw.parse())?;
        spec.set_overwrite(args.overwrite);
        if stopped.is_some() {
            spec.set_resuming();
        }
        spec.add_kafka_properties(&args.kafka_opts);
        if let SinkKind::Kafka(c) = &mut spec.kind {
            c.apply_scenario(&kafka.topics, kafka.key);
            if let Some(prefix) = &kafka.topic_prefix {
                c.apply_scenario_prefix(prefix);
            }
        }
        specs.push(spec);
    }
    check_file_sinks_apart(&specs)?;
    let world = input(scenario.build_world(&Overrides {
        stores: args.stores.map(|n| n as usize),
        items: args.items.map(|n| n as usize),
    }))?;
    let (start, end) = world.run_span(span);
    let shard = args.shard;
    let stores = world.shard_stores(shard);
    let held = stores.len();
    if stores.is_empty() {
        return Err(Failure::Input(anyhow::anyhow!(
            "--shard {shard}: none of the {} stores falls in this shard; use fewer shards",
            world.stores.len()
        )));
    }
    let held_records = world.held_records(&stores);
    if held_records > HELD_RECORDS as f64 {
        return Err(Failure::Input(anyhow::anyhow!(
            "marketplace.products_per_vendor: {} vendors of up to {} listings hold {held_records:.0}, more than the {HELD_RECORDS} that fit in memory; use fewer vendors or listings",
            stores.len(),
            (held_records / stores.len() as f64) as u64
        )));
    }
    let burst = world.burst_events(&stores);
    if burst > WINDOW_EVENTS as f64 {
        return Err(Failure::Input(anyhow::anyhow!(
            "widgets.initial_customers: {} stores load about {burst:.0} records at once, more than the {WINDOW_EVENTS} a window holds in memory; use fewer stores or customers",
            stores.len()
        )));
    }
    let window_us = input(fit_window(
        args.window.0,
        world.peak_events_per_hour(&stores),
        stores.len(),
    ))?;
    if window_us != args.window.0 && !args.quiet {
        eprintln!(
            "storesim: a window of {} would hold more than {WINDOW_EVENTS} events at this scenario's peak; windows of {} instead (the output does not depend on them)",
            humantime::format_duration(Duration::from_micros(args.window.0 as u64)),
            humantime::format_duration(Duration::from_micros(window_us as u64))
        );
    }
    // What determines the events: the same stream gives the same events at
    // the same virtual times, whatever the threads or the window length.
    let mut stream = format!(
        "{}@{} v{} seed={} stores={} items={} span={}/{}",
        world.name,
        &scenario.digest()[..16],
        env!("CARGO_PKG_VERSION"),
        args.seed,
        world.stores.len(),
        world.items.len(),
        start,
        end
    );
    if !shard.is_all() {
        stream.push_str(&format!(" shard={shard}"));
    }
    let kinds = world.kinds();
    let context = storesim_sinks::RunContext {
        scenario: &world.name,
        kinds: &kinds,
        dimensions: dimensions(&world),
        grace_us: world.params.delivery.max_delay_us(),
        stream: &stream,
        encoder: storesim_sinks::Encoder::new(args.schema, &world.items),
    };
    // The run's journal: checked against the stopped run's before any
    // sink is opened.
    let mut names: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
    if let Some(path) = &args.manifest {
        names.push(format!("manifest:{}", path.display()));
    }
    let this_run = Journal {
        format: journal::FORMAT,
        stream: stream.clone(),
        schema: args.schema.to_string(),
        now_us: match span {
            storesim_sim::RunSpan::Utc { start, .. } if start_was_now => Some(start.0),
            _ => None,
        },
        sinks: names,
        speed: match args.speed {
            SpeedArg::Factor(f) => Some(f),
            SpeedArg::Max => None,
        },
        anchor: None,
        checkpoints: Vec::new(),
        finished: false,
    };
    if let (Some(path), Some(j)) = (&args.resume, &stopped) {
        if let Some(why) = j.differs_from(&this_run) {
            return Err(Failure::Input(anyhow::anyhow!(
                "--resume {}: not this run: {why}",
                path.display()
            )));
        }
    }
    let mut sinks = Vec::new();
    for spec in &specs {
        sinks.push(input(storesim_sinks::open(spec, &context))?);
    }
    if let Some(path) = &args.manifest {
        let run = storesim_sim::truth::RunInfo {
            scenario: args.scenario.clone(),
            model: world.model.name().to_string(),
            scenario_digest: scenario.digest().to_string(),
            seed: args.seed,
            start: start.to_string(),
            end: end.to_string(),
            stores: world.stores.len(),
            items: world.items.len(),
            shard: shard.to_string(),
            schema: args.schema.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        };
        sinks.push(Box::new(input(
            storesim_sinks::manifest::ManifestSink::open(
                path,
                storesim_sim::truth::Tally::streaming(&world),
                run,
            ),
        )?));
    }
    // The clock goes on where the stopped run's would be now; at another
    // speed, from there (the journal then records that mapping with the
    // new speed, so a second resume continues it too).
    let resume_anchor = match (args.speed, stopped.as_ref()) {
        (SpeedArg::Factor(speed), Some(j)) => match (j.pace_anchor(), j.speed) {
            (Some(anchor), Some(was)) if was == speed => Some(anchor),
            (Some(anchor), Some(was)) => Some(
                storesim_actors::Pacer::continuing(was, anchor, clock.utc_now(), clock.now())
                    .anchor(),
            ),
            _ => None,
        },
        _ => None,
    };
    let journal = match &args.resume {
        Some(path) => {
            let mut slots = Vec::new();
            let mut wrapped: Vec<Box<dyn storesim_sinks::Sink>> = Vec::new();
            for (i, sink) in sinks.into_iter().enumerate() {
                let checkpoint = stopped.as_ref().map(|j| j.checkpoints[i].checkpoint());
                let (sink, slot) = input(storesim_sinks::resume::Resumed::new(
                    sink,
                    start,
                    checkpoint.as_ref(),
                ))?;
                slots.push(slot);
                wrapped.push(Box::new(sink));
            }
            sinks = wrapped;
            let mut journal = this_run.clone();
            journal.anchor = resume_anchor.map(|a| (a.virtual_at.0, a.utc_at.0));
            if stopped.is_some() && !args.quiet {
                let from = slots
                    .iter()
                    .map(|s| s.lock().map(|c| c.until).unwrap_or(start))
                    .filter(|t| *t > start)
                    .min()
                    .unwrap_or(start);
                eprintln!(
                    "storesim: resuming the run in {}: the events before {from} (virtual) are made again and not written twice",
                    path.display()
                );
            }
            Some(input(JournalWriter::create(path, journal, slots))?)
        }
        None => None,
    };
    let serving = match args.serve {
        Some(cli::ServeArg(addr)) => {
            let live = live::Live::new(Arc::clone(&world), &args.scenario, args.seed);
            let (access, token_note) = serve_access(addr, &args.serve_host)?;
            let bound = live::serve(addr, Arc::clone(&live), access).map_err(|e| {
                Failure::Input(anyhow::anyhow!("--serve {addr}: cannot listen: {e}"))
            })?;
            eprintln!(
                "storesim: live view at http://{bound}/{token_note} (metrics at http://{bound}/metrics; at most {} connections)",
                live::MAX_CONNECTIONS
            );
            sinks = sinks
                .into_iter()
                .map(|s| Box::new(live::Watched::new(s, &live)) as Box<dyn storesim_sinks::Sink>)
                .collect();
            Some((live, bound))
        }
        None => None,
    };
    let threads = args
        .threads
        .map(|n| n as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    if live && !args.quiet {
        let speed = match args.speed {
            SpeedArg::Factor(f) => f,
            SpeedArg::Max => 0.0,
        };
        let until = if end.0 - start.0 > 3650 * storesim_sim::time::MICROS_PER_DAY {
            String::new()
        } else {
            format!(" to {end}")
        };
        eprintln!("storesim: live at {speed}x real time from {start}{until}; Ctrl-C stops, flushes and closes the sinks");
        let now = clock.utc_now();
        if end <= now {
            // A past span is a backfill: its pacing starts at the wall clock.
            eprintln!("storesim: the span ends before the wall clock ({now}), so it is replayed at once, not at {speed}x; a span after now is paced from its start");
        }
    }
    let bar = progress_bar(args.quiet || live);
    let progress_bar = bar.clone();
    let mut status = StatusLine::new(!args.quiet && live);
    let watcher = serving.as_ref().map(|(l, _)| Arc::clone(l));
    let journaled = journal.clone();
    let progress = move |p: &Progress<'_>| {
        if let Some(view) = &watcher {
            view.progress(p);
        }
        if let (Some(j), Some(anchor)) = (&journaled, p.anchor) {
            j.set_anchor(anchor);
        }
        if p.live {
            status.update(p);
            return;
        }
        let done =
            (p.clock.0 - p.span.0 .0).max(0) as f64 / (p.span.1 .0 - p.span.0 .0).max(1) as f64;
        progress_bar.set_position((done.min(1.0) * 1000.0) as u64);
        let total: u64 = p.events.iter().sum();
        let rate = total as f64 / p.elapsed.as_secs_f64().max(1e-3);
        let clock = p.clock.to_datetime().format("%Y-%m-%d %H:%MZ");
        progress_bar.set_message(format!(
            "virtual {clock}  {} events  {}/s",
            human(total as f64),
            human(rate)
        ));
    };
    tracing::info!(
        stores = world.stores.len(),
        seed = args.seed,
        threads,
        "Run started."
    );
    let config = RunConfig {
        world: Arc::clone(&world),
        seed: args.seed,
        span,
        stores,
        chain_events: shard.emits_chain_events(),
        threads,
        window_us,
        max_windows_in_flight: args.max_windows_in_flight as usize,
        pacing: match (args.speed, resume_anchor) {
            (SpeedArg::Max, _) => Pacing::Max,
            (SpeedArg::Factor(speed), Some(anchor)) => Pacing::Continue { speed, anchor },
            (SpeedArg::Factor(speed), None) => Pacing::Speed(speed),
        },
        clock,
        stop: StopSignal::new(),
        handle_signals: true,
        sinks,
        progress: Some(Box::new(progress)),
        watch: serving.is_some(),
    };
    let saving = journal.as_ref().map(|j| {
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        (j.keep_saving(Arc::clone(&done)), done)
    });
    let result = storesim_actors::run(config);
    bar.finish_and_clear();
    if let (Some(j), Some((thread, done))) = (&journal, saving) {
        done.store(true, std::sync::atomic::Ordering::Release);
        thread.thread().unpark();
        let _ = thread.join();
        let finished = result
            .as_ref()
            .is_ok_and(|s| !s.stopped_early && s.undelivered() == 0);
        if let Err(e) = j.save(finished) {
            eprintln!("storesim: cannot write the journal: {e}");
        }
    }
    let summary = match result {
        Ok(summary) => summary,
        Err(RunError::Sink {
            error: SinkError::BrokenPipe { .. },
            ..
        }) => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(Failure::Runtime(e.into())),
    };
    if !args.quiet {
        print_summary(&args, &world, held, &summary);
    }
    if let Some((view, bound)) = &serving {
        view.finish(&summary);
        // A run that ended on its own leaves its view up to be looked at;
        // one stopped by Ctrl-C has been asked to go.
        if !summary.stopped_early {
            let stop = StopWait::arm();
            eprintln!(
                "storesim: run finished; the live view stays up at http://{bound}/ until Ctrl-C"
            );
            if let Some(stop) = stop {
                stop.wait();
            }
        }
    }
    let undelivered = summary.undelivered();
    if undelivered > 0 {
        return Err(Failure::Runtime(anyhow::anyhow!(
            "{undelivered} events were not confirmed delivered (see the sink lines above)"
        )));
    }
    Ok(ExitCode::SUCCESS)
}

/// Records a run may hold in memory whatever its window (a marketplace's
/// listings): some 100 bytes each, about 2 GB.
const HELD_RECORDS: u64 = 20_000_000;

/// The events one window may be expected to hold at a scenario's peak:
/// about 90 bytes each while simulated and merged, some 1.5 GB, on a
/// machine that runs 10,000 stores in 5-minute windows in less.
const WINDOW_EVENTS: u64 = 16_000_000;

/// The window to run in: `window_us`, or a shorter one of whole seconds
/// if `peak_per_hour` events an hour would fill more than
/// [`WINDOW_EVENTS`] in it. A scenario that fills that in under a second
/// is refused: it would not run in memory.
fn fit_window(window_us: i64, peak_per_hour: f64, stores: usize) -> anyhow::Result<i64> {
    const HOUR_US: f64 = 3_600_000_000.0;
    let budget = WINDOW_EVENTS as f64;
    if !(peak_per_hour.is_finite()) {
        anyhow::bail!("the scenario's traffic cannot be estimated (not a finite rate)");
    }
    if peak_per_hour * window_us as f64 / HOUR_US <= budget {
        return Ok(window_us);
    }
    let fit = (budget / peak_per_hour * HOUR_US) as i64 / 1_000_000 * 1_000_000;
    if fit < 1_000_000 {
        anyhow::bail!(
            "traffic.baskets_per_day: at its peak the scenario makes about {peak_per_hour:.0} events an hour over {stores} stores, more than {WINDOW_EVENTS} a second: more than memory holds; use fewer stores or less traffic"
        );
    }
    Ok(fit)
}

/// Refuses two file sinks whose directories are the same or one inside
/// the other: their parts would collide or mix, and `_SUCCESS` would speak
/// for both.
fn check_file_sinks_apart(specs: &[SinkSpec]) -> Result<(), Failure> {
    let dirs: Vec<(String, std::path::PathBuf)> = specs
        .iter()
        .filter_map(|s| match &s.kind {
            SinkKind::Files(c) => Some((s.to_string(), resolved(&c.dir))),
            _ => None,
        })
        .collect();
    for (i, (a, da)) in dirs.iter().enumerate() {
        for (b, db) in &dirs[..i] {
            if da.starts_with(db) || db.starts_with(da) {
                return Err(Failure::Input(anyhow::anyhow!(
                    "sinks `{b}` and `{a}` write to the same directory ({}): give each its own",
                    db.display()
                )));
            }
        }
    }
    Ok(())
}

/// `dir` as an absolute path, `.` and `..` resolved, and symbolic links
/// too as far as it exists.
fn resolved(dir: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut out = std::path::PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    // The longest existing prefix, with its links resolved.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        existing.pop();
    }
    let mut real = std::fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        real.push(name);
    }
    real
}

/// The environment variable that gives the live view's token.
const SERVE_TOKEN_VAR: &str = "STORESIM_SERVE_TOKEN";

/// Who may see the live view at `addr`, and what the start line says of
/// its token: a view on loopback is open unless `STORESIM_SERVE_TOKEN`
/// sets a token; any other address always takes one, made here (and
/// printed once) when that variable is unset.
fn serve_access(
    addr: std::net::SocketAddr,
    hosts: &[String],
) -> Result<(live::Access, String), Failure> {
    let loopback = addr.ip().is_loopback();
    let given = std::env::var(SERVE_TOKEN_VAR)
        .ok()
        .filter(|t| !t.is_empty());
    if let Some(token) = &given {
        if token.len() < 16 || !token.chars().all(|c| c.is_ascii_graphic() && c != ';') {
            return Err(Failure::Input(anyhow::anyhow!(
                "{SERVE_TOKEN_VAR}: use at least 16 printable characters without spaces or ';'"
            )));
        }
        storesim_sinks::redact::remember(token);
    }
    let (token, note) = match (given, loopback) {
        (Some(t), _) => (Some(t), format!(" (token from {SERVE_TOKEN_VAR})")),
        (None, true) => (None, String::new()),
        (None, false) => {
            let t = format!("{:032x}", rand::random::<u128>());
            let note =
                format!("?token={t} (made for this run; set {SERVE_TOKEN_VAR} to choose it)");
            (Some(t), note)
        }
    };
    let mut hosts = hosts.to_vec();
    if let Ok(name) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        hosts.push(name.trim().to_string());
    }
    Ok((
        live::Access {
            token,
            loopback,
            hosts,
        },
        note,
    ))
}

/// A wait for SIGINT (Ctrl-C) or SIGTERM, as a run's stop does: armed
/// before the line that invites it is printed, so a signal sent just after
/// that line is never missed.
struct StopWait {
    runtime: tokio::runtime::Runtime,
    signal: tokio::task::JoinHandle<()>,
}

impl StopWait {
    /// Listens for the signals from now on.
    fn arm() -> Option<StopWait> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        let signal = runtime.spawn(storesim_actors::wait_for_signal());
        // Runs the task to its first wait: the listeners are registered.
        runtime.block_on(tokio::task::yield_now());
        Some(StopWait { runtime, signal })
    }

    /// Blocks until a signal arrives.
    fn wait(self) {
        let _ = self.runtime.block_on(self.signal);
    }
}

/// The status line of a live run: every few seconds on stderr.
struct StatusLine {
    enabled: bool,
    last: Option<(Duration, [u64; EventKind::ALL.len()])>,
}

impl StatusLine {
    const EVERY: Duration = Duration::from_secs(5);

    fn new(enabled: bool) -> StatusLine {
        StatusLine {
            enabled,
            last: None,
        }
    }

    fn update(&mut self, p: &Progress<'_>) {
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

fn progress_bar(quiet: bool) -> ProgressBar {
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

fn human(x: f64) -> String {
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
fn stores_line(shard: storesim_sim::Shard, held: usize, total: usize) -> String {
    if shard.is_all() {
        return format!("{total} stores");
    }
    format!("{held} of {total} stores (shard {shard})")
}

/// The summary of a run of `held` of the world's stores.
fn print_summary(args: &RunArgs, world: &storesim_sim::World, held: usize, s: &RunSummary) {
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

fn scenarios(action: ScenariosAction) -> Result<ExitCode, Failure> {
    let mut out = std::io::stdout().lock();
    match action {
        ScenariosAction::List => {
            let width = BUILTINS.iter().map(|b| b.name.len()).max().unwrap_or(0);
            for b in BUILTINS {
                let s = input(Scenario::load(b.name))?;
                let _ = writeln!(out, "{:<width$}  {}", b.name, s.config.description);
            }
        }
        ScenariosAction::Show { name } => {
            let s = input(Scenario::load(&name))?;
            let world = input(s.build_world(&Overrides::default()))?;
            let _ = writeln!(
                out,
                "# scenario  {}: {}",
                s.config.name, s.config.description
            );
            let _ = writeln!(
                out,
                "# source    {} (digest {})",
                s.origin,
                &s.digest()[..16]
            );
            let _ = writeln!(out, "# holds     {}", world_counts(&world));
            for kind in world.kinds() {
                let _ = writeln!(out, "# emits     {kind}: {}", kind.fields().join(", "));
            }
            if world.kinds().contains(&storesim_sim::EventKind::Scan) {
                let _ = writeln!(
                    out,
                    "# schemas   storesim (default); apex (--schema apex): scan as {}",
                    storesim_sinks::Schema::Apex
                        .fields(storesim_sim::EventKind::Scan)
                        .join(", ")
                );
            }
            let _ = writeln!(
                out,
                "# knobs     the file below; copy it, change it, run it with --scenario FILE\n"
            );
            let _ = out.write_all(s.text.as_bytes());
        }
        ScenariosAction::Validate { file } => {
            let s = input(Scenario::load(&file))?;
            let world = input(s.build_world(&Overrides::default()))?;
            let kinds: Vec<&str> = world.kinds().iter().map(|k| k.as_str()).collect();
            let _ = writeln!(
                out,
                "{}: ok: scenario `{}`, {}; emits {}",
                s.origin,
                s.config.name,
                world_counts(&world),
                kinds.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `1000 stores, 35 categories, 32000 items` (`5 bars, 27 products`).
fn world_counts(world: &storesim_sim::World) -> String {
    world.model.describe(world)
}

/// The world's dimension tables, for a model that sells from an item master.
fn dimensions(world: &storesim_sim::World) -> Option<storesim_sinks::Dimensions<'_>> {
    world
        .model
        .has_item_master()
        .then_some(storesim_sinks::Dimensions {
            stores: &world.stores,
            categories: &world.categories,
            items: &world.items,
        })
}

fn db_init(args: DbInitArgs) -> Result<ExitCode, Failure> {
    use storesim_sinks::postgres::{prepare, InitOptions};
    use storesim_sinks::redact::redact_spec;
    let spec: SinkSpec = input(args.url.parse())?;
    let SinkKind::Postgres(config) = &spec.kind else {
        return Err(Failure::Input(anyhow::anyhow!(
            "`{}` is not a postgres:// URL",
            redact_spec(&args.url)
        )));
    };
    let scenario = input(Scenario::load(&args.scenario))?;
    let world = input(scenario.build_world(&Overrides {
        stores: args.stores.map(|n| n as usize),
        items: args.items.map(|n| n as usize),
    }))?;
    let name = spec.to_string();
    let options = InitOptions {
        drop: args.drop,
        cdc: args.cdc,
        keys: args.keys,
        schema: args.schema,
    };
    match prepare(
        &name,
        config,
        &world.kinds(),
        dimensions(&world),
        options,
        None,
    ) {
        Ok(()) => {}
        // Unreachable or refused: bad input; a failure after that: runtime.
        Err(e @ SinkError::Spec { .. }) => return Err(Failure::Input(e.into())),
        Err(e) => return Err(Failure::Runtime(e.into())),
    }
    let loaded = if world.model.has_item_master() {
        format!(
            "{} stores, {} categories, {} items loaded",
            world.stores.len(),
            world.categories.len(),
            world.items.len()
        )
    } else {
        let kinds: Vec<&str> = world.kinds().iter().map(|k| k.as_str()).collect();
        format!("landing tables {}", kinds.join(", "))
    };
    println!(
        "{name}: schema `{}` ready{}{}{}; {loaded}",
        config.schema,
        if args.drop {
            " (dropped and recreated)"
        } else {
            ""
        },
        if args.keys { ", keys on the facts" } else { "" },
        if args.cdc {
            format!(", CDC publication {}_item_master", config.schema)
        } else {
            String::new()
        },
    );
    Ok(ExitCode::SUCCESS)
}

fn kafka(action: KafkaAction) -> Result<ExitCode, Failure> {
    match action {
        KafkaAction::Check { url, kafka_opts } => {
            let mut spec: SinkSpec = input(url.parse())?;
            spec.add_kafka_properties(&kafka_opts);
            let storesim_sinks::SinkKind::Kafka(config) = &spec.kind else {
                return Err(Failure::Input(anyhow::anyhow!(
                    "`{url}` is not a kafka:// URL"
                )));
            };
            let topics = input(storesim_sinks::kafka::check(&url, config))?;
            println!("{}: reachable, {} topics", config.brokers, topics.len());
            for t in topics {
                println!("  {t}");
            }
        }
        KafkaAction::Tail {
            topic,
            brokers,
            from_beginning,
            max,
            idle,
            keys,
            kafka_opts,
        } => {
            let mut out = std::io::stdout().lock();
            let result = storesim_readers::tail::tail(
                &brokers,
                &kafka_opts,
                &topic,
                from_beginning,
                max,
                idle.map(Into::into),
                |record| {
                    if keys {
                        let key = record.key.as_deref().unwrap_or("");
                        writeln!(out, "{key}\t{}", record.value).is_ok()
                    } else {
                        writeln!(out, "{}", record.value).is_ok()
                    }
                },
            );
            input(result)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The largest manifest read: a 1000-store week's is a few MB.
const MAX_MANIFEST_BYTES: u64 = 256 << 20;

/// Reads a manifest; errors name the file.
fn read_manifest(path: &std::path::Path) -> anyhow::Result<storesim_sim::truth::Manifest> {
    let text = storesim_scenarios::read_bounded(path, MAX_MANIFEST_BYTES)
        .with_context(|| format!("cannot read the manifest {}", path.display()))?;
    let manifest: storesim_sim::truth::Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a storesim manifest", path.display()))?;
    if manifest.format != storesim_sim::truth::FORMAT {
        anyhow::bail!(
            "{}: format `{}`; this storesim reads `{}`",
            path.display(),
            manifest.format,
            storesim_sim::truth::FORMAT
        );
    }
    Ok(manifest)
}

/// Refuses a manifest another storesim made: its events and aggregates
/// are that version's, which this one need not make or compute alike.
fn same_version(path: &std::path::Path, m: &storesim_sim::truth::Manifest) -> anyhow::Result<()> {
    let this = env!("CARGO_PKG_VERSION");
    if m.run.version != this {
        anyhow::bail!(
            "{}: made by storesim {}; this is storesim {this}: use the storesim that made it",
            path.display(),
            m.run.version
        );
    }
    Ok(())
}

fn manifest_merge(
    files: &[std::path::PathBuf],
    out: Option<&std::path::Path>,
) -> Result<ExitCode, Failure> {
    if files.len() < 2 {
        return Err(Failure::Input(anyhow::anyhow!(
            "manifest merge: one manifest is nothing to merge: give the manifests of the run's shards"
        )));
    }
    let mut parts = Vec::new();
    for f in files {
        let m = input(read_manifest(f))?;
        input(same_version(f, &m))?;
        parts.push((f.display().to_string(), m));
    }
    let merged = input(storesim_sim::truth::Manifest::merge(&parts))?;
    if merged.run.shard != "1/1" {
        eprintln!(
            "storesim: shard {} only: the merged manifest is not the whole run's (give every shard's to get it)",
            merged.run.shard
        );
    }
    match out {
        Some(path) => storesim_sinks::manifest::write_manifest(path, &merged)
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::Runtime)?,
        None => {
            let text =
                serde_json::to_string_pretty(&merged).map_err(|e| Failure::Runtime(e.into()))?;
            println!("{text}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn manifest_csv(
    file: &std::path::Path,
    out: &std::path::Path,
    overwrite: bool,
) -> Result<ExitCode, Failure> {
    let manifest = input(read_manifest(file))?;
    let written = input(
        storesim_sinks::manifest::write_csv(out, &manifest, overwrite)
            .with_context(|| format!("-o {}: cannot write the CSV files", out.display())),
    )?;
    eprintln!("wrote {} CSV files to {}", written.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    use storesim_readers::verify;
    let manifest = input(read_manifest(&args.manifest))?;
    input(same_version(&args.manifest, &manifest))?;
    let run = &manifest.run;
    let (target, observed) = if let Some(url) = &args.postgres {
        let spec: SinkSpec = input(url.parse())?;
        let SinkKind::Postgres(config) = &spec.kind else {
            return Err(Failure::Input(anyhow::anyhow!(
                "--postgres `{}` is not a postgres:// URL",
                storesim_sinks::redact::redact_spec(url)
            )));
        };
        let (origin, text) = match &args.query_file {
            Some(path) => (
                path.display().to_string(),
                input(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("--query-file {}: cannot read", path.display())),
                )?,
            ),
            None => {
                if run.schema != "storesim" {
                    return Err(Failure::Input(anyhow::anyhow!(
                        "the run wrote the `{}` schema; storesim's queries read its own: pass --query-file",
                        run.schema
                    )));
                }
                let Some((_, text)) = verify::postgres::QUERIES
                    .iter()
                    .find(|(model, _)| *model == run.model)
                else {
                    return Err(Failure::Input(anyhow::anyhow!(
                        "storesim has no queries for the model `{}`; pass --query-file",
                        run.model
                    )));
                };
                (
                    format!("the built-in {} queries", run.model),
                    text.to_string(),
                )
            }
        };
        let queries = input(verify::postgres::parse_queries(
            &text,
            &origin,
            &verify::checks(&manifest),
        ))?;
        (
            spec.to_string(),
            input(
                verify::postgres::observe(config, &queries, &manifest.groups)
                    .with_context(|| format!("--postgres `{spec}`")),
            )?,
        )
    } else {
        let dir = args.files.clone().unwrap_or_default();
        if run.schema != "storesim" {
            return Err(Failure::Input(anyhow::anyhow!(
                "the run wrote the `{}` schema; verify --files reads storesim's",
                run.schema
            )));
        }
        let scenario = input(
            Scenario::load(&run.scenario)
                .with_context(|| format!("the manifest's scenario `{}`", run.scenario)),
        )?;
        if scenario.digest() != run.scenario_digest {
            return Err(Failure::Input(anyhow::anyhow!(
                "the scenario `{}` has changed since the run (digest {}, the manifest says {})",
                run.scenario,
                &scenario.digest()[..16],
                &run.scenario_digest[..run.scenario_digest.len().min(16)]
            )));
        }
        let world = input(scenario.build_world(&Overrides {
            stores: Some(run.stores),
            items: Some(run.items),
        }))?;
        (
            format!("files:{}", dir.display()),
            input(verify::files::observe(&dir, &world, run))?,
        )
    };
    let checks = verify::compare(
        &verify::expected(&manifest),
        &observed,
        &verify::CHAIN_CHECKS,
    );
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "verify: {} (scenario {}, seed {}, {} stores, shard {}, {} .. {}) against {target}",
        args.manifest.display(),
        run.scenario,
        run.seed,
        run.stores,
        run.shard,
        run.start,
        run.end
    );
    let _ = verify::report(&checks, &mut out);
    let failed = checks.iter().filter(|c| !c.passed()).count();
    let skipped = checks.iter().filter(|c| c.skipped).count();
    let _ = writeln!(
        out,
        "verify: {} of {} checks passed{}{}",
        checks.len() - failed - skipped,
        checks.len(),
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        },
        if failed > 0 {
            format!(", {failed} FAILED")
        } else {
            String::new()
        }
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn catalog(args: CatalogArgs) -> Result<ExitCode, Failure> {
    let scenario = input(Scenario::load(&args.scenario))?;
    let world = input(scenario.build_world(&Overrides {
        stores: args.stores.map(|n| n as usize),
        items: args.items.map(|n| n as usize),
    }))?;
    let out_err =
        |e: std::io::Error| Failure::Input(anyhow::anyhow!("--out {}: {e}", args.out.display()));
    let mut out =
        storesim_sinks::output::OutputDir::create(&args.out, args.overwrite).map_err(out_err)?;
    write_csv(&mut out, "stores.csv", &world.stores).map_err(out_err)?;
    write_csv(&mut out, "item_categories.csv", &world.categories).map_err(out_err)?;
    write_csv(&mut out, "item_master.csv", &world.items).map_err(out_err)?;
    out.commit().map_err(out_err)?;
    eprintln!(
        "wrote {} stores, {} categories, {} items to {}",
        world.stores.len(),
        world.categories.len(),
        world.items.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_csv<T: serde::Serialize>(
    out: &mut storesim_sinks::output::OutputDir,
    name: &str,
    rows: &[T],
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out.file(name)?);
    for row in rows {
        w.serialize(row).map_err(std::io::Error::other)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(vec![
                "run",
                "scenarios",
                "list",
                "show",
                "validate",
                "catalog",
                "kafka",
                "check",
                "tail",
                "manifest",
                "merge",
                "csv",
                "verify",
                "db",
                "init",
                "--scenario",
                "--seed",
                "--speed",
                "--start",
                "--days",
                "--until",
                "--stores",
                "--items",
                "--sink",
                "--schema",
                "--overwrite",
                "--kafka-opt",
                "--shard",
                "--manifest",
                "--serve",
                "--serve-host",
                "--threads",
                "--window",
                "--max-windows-in-flight",
                "--quiet",
                "--resume",
                "--out",
                "--postgres",
                "--files",
                "--query-file",
                "-o",
                "max",
                "realtime",
                "now",
                "0",
                "-1",
                "1e308",
                "nan",
                "inf",
                "2/1",
                "0/0",
                "1/1",
                "2026-02-30",
                "2026-11-27",
                "2026-11-27T15:00:00Z",
                "5m",
                "0s",
                "99999y",
                "null",
                "files:",
                "kafka://",
                "=",
                "a=b",
                "chain",
                "apex",
                "storesim",
                "::",
                "",
            ])
            .prop_map(String::from),
            "[ -~]{0,10}".prop_map(String::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Any command line parses or is refused by the parser: never a
        /// panic (what an accepted one does is the CLI tests' to check).
        #[test]
        fn any_command_line_parses_or_is_refused(args in proptest::collection::vec(word(), 0..8)) {
            let _ = Cli::try_parse_from(std::iter::once("storesim".to_string()).chain(args));
        }
    }

    #[test]
    fn windows_shrink_to_the_memory_budget_or_the_run_is_refused() {
        let five_min = 300_000_000;
        // 1000 stores of the chain: about 15 million events an hour.
        assert_eq!(fit_window(five_min, 15e6, 1000).unwrap(), five_min);
        // Ten times that fills 5 minutes with 12.5 million: still in.
        assert_eq!(fit_window(five_min, 150e6, 10_000).unwrap(), five_min);
        // A hundred times: whole seconds that hold at most the budget.
        let fit = fit_window(five_min, 1.5e9, 100_000).unwrap();
        assert_eq!(fit, 38_000_000);
        assert!(1.5e9 * fit as f64 / 3.6e9 <= WINDOW_EVENTS as f64);
        // More than the budget a second: refused, naming the key.
        let e = fit_window(five_min, 1e12, 1_000_000)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("traffic.baskets_per_day") && e.contains("1000000 stores"),
            "{e}"
        );
        assert!(fit_window(five_min, f64::INFINITY, 1).is_err());
    }
}
