//! `storesim run`: plan the run (scenario, span, shard, sinks, window), wire
//! the actors, and report.

use crate::*;

pub(crate) fn run(args: RunArgs) -> Result<ExitCode, Failure> {
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
        StartArg::Date(default_first_day())
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
    let scenario = input(Scenario::load(&scenario_named(
        &args.scenario,
        &args.schema,
    )?))?;
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
        input(spec.add_registry_options(&args.registry_opts))?;
        if let SinkKind::Kafka(c) = &mut spec.kind {
            c.apply_scenario(&kafka.topics, kafka.key);
            if let Some(prefix) = &kafka.topic_prefix {
                c.apply_scenario_prefix(prefix);
            }
        }
        specs.push(spec);
    }
    if !args.registry_opts.is_empty() && !specs.iter().any(|s| matches!(s.kind, SinkKind::Kafka(_)))
    {
        return Err(Failure::Input(anyhow::anyhow!(
            "--registry-opt: no Kafka sink to use it (it sets the schema registry of kafka:// sinks)"
        )));
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
    let emitted = world.kinds();
    let kinds = scenario.written(&emitted);
    let context = storesim_sinks::RunContext {
        scenario: &world.name,
        kinds: &kinds,
        dimensions: dimensions(&world),
        grace_us: world.params.max_delay_us(),
        stream: &stream,
        encoder: storesim_sinks::Encoder::new(
            scenario.mapping().cloned(),
            &world.items,
            &world.stores,
        ),
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
        schema: output_schema(&scenario),
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
        let sink = input(storesim_sinks::open(spec, &context))?;
        // `[output] kinds`: the other kinds are not written anywhere.
        sinks.push(if kinds == emitted {
            sink
        } else {
            Box::new(storesim_sinks::filter::KindFilter::new(sink, &kinds))
        });
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
            schema: output_schema(&scenario),
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
        max_windows_in_flight: args.max_windows_in_flight.map(|m| m as usize),
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
pub(crate) const HELD_RECORDS: u64 = 20_000_000;

/// The events one window may be expected to hold at a scenario's peak:
/// about 90 bytes each while simulated and merged, some 1.5 GB, on a
/// machine that runs 10,000 stores in 5-minute windows in less.
pub(crate) const WINDOW_EVENTS: u64 = 16_000_000;

/// The window to run in: `window_us`, or a shorter one of whole seconds
/// if `peak_per_hour` events an hour would fill more than
/// [`WINDOW_EVENTS`] in it. A scenario that fills that in under a second
/// is refused: it would not run in memory.
pub(crate) fn fit_window(window_us: i64, peak_per_hour: f64, stores: usize) -> anyhow::Result<i64> {
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
pub(crate) fn check_file_sinks_apart(specs: &[SinkSpec]) -> Result<(), Failure> {
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
pub(crate) fn resolved(dir: &std::path::Path) -> std::path::PathBuf {
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

/// The scenario a run or `db init` uses: `--scenario`, or the `apex`
/// scenario for the retired `--schema apex` (which reshaped the chain's
/// scans only; any other scenario with it is refused, not run unchanged).
pub(crate) fn scenario_named(scenario: &str, schema: &str) -> Result<String, Failure> {
    match (schema, scenario) {
        ("storesim", s) => Ok(s.to_string()),
        ("apex", "chain" | "apex") => Ok("apex".to_string()),
        ("apex", other) => Err(Failure::Input(anyhow::anyhow!(
            "--schema apex is the `apex` scenario (the chain in the Apex demo's shape); it does not reshape scenario `{other}`: map its kinds in an [output] table of its own"
        ))),
        (other, _) => Err(Failure::Input(anyhow::anyhow!(
            "--schema `{other}`: unknown (storesim; apex is the `apex` scenario)"
        ))),
    }
}

/// The output's schema as a journal and a manifest record it: `storesim`
/// for storesim's records, else the name of the scenario that maps them.
pub(crate) fn output_schema(scenario: &Scenario) -> String {
    match scenario.mapping() {
        Some(m) if !m.by_kind.is_empty() => scenario.config.name.clone(),
        _ => "storesim".to_string(),
    }
}

/// The first day of a run at `--speed max` without `--start`: the Monday
/// of Thanksgiving week 2026.
pub(crate) fn default_first_day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
}
