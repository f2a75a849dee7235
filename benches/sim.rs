//! Criterion micro-benchmarks of the hot paths: arrival sampling, a
//! store's day (arrivals, queues, baskets) on a quiet day and on Black
//! Friday's long queues, item picking, JSON and CSV encoding and Parquet
//! columns, the window merge (the loser tree against the sort it
//! replaced), and a store summing its windows for the live view.
//!
//! Run with `cargo bench --bench sim`; results go in BENCHMARKS.md.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::SeedableRng;
use storesim_scenarios::{Overrides, Scenario};
use storesim_sim::arrivals::Arrivals;
use storesim_sim::merge::{loser_tree, merge_runs};
use storesim_sim::time::MICROS_PER_HOUR;
use storesim_sim::watch::StoreWindow;
use storesim_sim::{ChainStore, RunSpan, Stamped, World};

fn world(stores: usize) -> Arc<World> {
    Scenario::load("chain")
        .expect("chain loads")
        .build_world(&Overrides {
            stores: Some(stores),
            items: None,
        })
        .expect("chain builds")
}

fn day(world: &Arc<World>, store: usize, seed: u64) -> Vec<Stamped> {
    day_of(world, store, seed, 24)
}

/// One store's events on 2026-11-`date`.
fn day_of(world: &Arc<World>, store: usize, seed: u64, date: u32) -> Vec<Stamped> {
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, date).expect("valid date");
    let mut m = ChainStore::new(
        Arc::clone(world),
        store,
        seed,
        RunSpan::LocalDays { first, days: 1 },
    );
    let mut out = Vec::new();
    let (mut t, end) = m.span();
    while t < end || !m.is_done() {
        t = t.plus_micros(MICROS_PER_HOUR);
        m.advance(t, &mut out);
    }
    out
}

fn store_day(c: &mut Criterion) {
    let world = world(4);
    let events = day(&world, 0, 1).len() as u64;
    let mut g = c.benchmark_group("store");
    g.throughput(Throughput::Elements(events));
    g.sample_size(20);
    g.bench_function("one store, one Tuesday (events)", |b| {
        b.iter(|| black_box(day(&world, 0, 1)))
    });
    g.finish();
    // Black Friday: 1.5x the traffic and long register queues.
    let events = day_of(&world, 0, 1, 27).len() as u64;
    let mut g = c.benchmark_group("store");
    g.throughput(Throughput::Elements(events));
    g.sample_size(20);
    g.bench_function("one store, Black Friday, long queues (events)", |b| {
        b.iter(|| black_box(day_of(&world, 0, 1, 27)))
    });
    g.finish();
}

fn arrivals(c: &mut Criterion) {
    let world = world(1);
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid date");
    let (start, end) = world.store_span(0, RunSpan::LocalDays { first, days: 1 });
    let draw = || {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut a = Arrivals::new(Arc::clone(&world), 0, start, end);
        let mut n = 0u64;
        while let Some((t, _)) = a.next(&mut rng) {
            n += 1;
            black_box(t);
        }
        n
    };
    let mut g = c.benchmark_group("arrivals");
    g.throughput(Throughput::Elements(draw()));
    g.bench_function("one store-day of arrivals (NHPP by inversion)", |b| {
        b.iter(|| black_box(draw()))
    });
    g.finish();
}

fn pick_items(c: &mut Criterion) {
    let world = world(1);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut g = c.benchmark_group("basket");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("pick 1000 items (category alias + Zipf alias)", |b| {
        b.iter(|| {
            let mut acc = 0usize;
            for _ in 0..1000 {
                acc = acc.wrapping_add(world.picker.pick(&mut rng));
            }
            black_box(acc)
        })
    });
    g.finish();
}

fn encode_json(c: &mut Criterion) {
    let world = world(1);
    let events = day(&world, 0, 1);
    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.sample_size(20);
    g.bench_function("json lines (one store-day)", |b| {
        b.iter(|| {
            black_box(
                storesim_sinks::Encoder::default()
                    .json_lines(events.iter().map(|s| &s.event))
                    .expect("encodes"),
            )
        })
    });
    g.bench_function("csv rows (one store-day)", |b| {
        b.iter(|| {
            black_box(
                storesim_sinks::Encoder::default()
                    .csv_rows(events.iter().map(|s| &s.event))
                    .expect("encodes"),
            )
        })
    });
    // A store-day's scans as Parquet columns: straight off the typed
    // events, and record by record through serde (every other kind's way).
    let scans: Vec<&storesim_sim::Event> = events
        .iter()
        .map(|s| &s.event)
        .filter(|e| e.kind() == storesim_sim::EventKind::Scan)
        .collect();
    let shape = storesim_sinks::shape::Shape::of(storesim_sim::EventKind::Scan, None);
    let schema = Arc::new(storesim_sinks::parquet::schema(&shape));
    g.throughput(Throughput::Elements(scans.len() as u64));
    g.bench_function("parquet columns, typed (one store-day's scans)", |b| {
        b.iter(|| black_box(storesim_sinks::parquet::typed::rows(&schema, &scans)))
    });
    g.bench_function("parquet columns, by record (one store-day's scans)", |b| {
        b.iter(|| {
            let mut columns = storesim_sinks::parquet::Columns::new(schema.clone());
            for e in &scans {
                columns.push(*e).expect("a scan fits its columns");
            }
            black_box(columns.finish().expect("columns finish"))
        })
    });
    g.finish();
}

fn window_merge(c: &mut Criterion) {
    // Sorted store runs for one 5-minute window of Black Friday's peak,
    // merged as the scheduler does (radix), by the tree it did before, and
    // sorted as it did before that.
    for stores in [100, 1000] {
        let world = world(stores);
        let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date");
        let runs: Vec<Vec<Stamped>> = (0..stores)
            .map(|i| {
                let mut m = ChainStore::new(
                    Arc::clone(&world),
                    i,
                    1,
                    RunSpan::LocalDays { first, days: 1 },
                );
                let mut out = Vec::new();
                let start = m.span().0;
                let from = start.plus_micros(14 * MICROS_PER_HOUR);
                m.advance(from, &mut out);
                out.clear();
                m.advance(from.plus_micros(MICROS_PER_HOUR / 12), &mut out);
                out
            })
            .collect();
        let total: usize = runs.iter().map(Vec::len).sum();
        let mut g = c.benchmark_group("merge");
        g.throughput(Throughput::Elements(total as u64));
        g.bench_function(format!("{stores} store runs, 5 minutes: radix"), |b| {
            b.iter_batched(
                || runs.clone(),
                |runs| black_box(merge_runs(runs)),
                BatchSize::LargeInput,
            )
        });
        g.bench_function(format!("{stores} store runs, 5 minutes: loser tree"), |b| {
            b.iter_batched(
                || runs.clone(),
                |runs| black_box(loser_tree(runs)),
                BatchSize::LargeInput,
            )
        });
        g.bench_function(format!("{stores} store runs, 5 minutes: sort"), |b| {
            b.iter_batched(
                || runs.concat(),
                |mut events| {
                    events.sort_by_key(|s| s.key());
                    black_box(events)
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }
}

fn watch(c: &mut Criterion) {
    // What `--serve` adds to a store's work: summing its events by minute
    // (StoreWindow::of), here over a Black Friday, 5-minute window by window.
    let world = world(4);
    let events = day_of(&world, 0, 1, 27);
    let windows: Vec<&[Stamped]> = events
        .chunk_by(|a, b| a.at.0 / 300_000_000 == b.at.0 / 300_000_000)
        .collect();
    let mut g = c.benchmark_group("watch");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("a store's Black Friday summed by minute (events)", |b| {
        b.iter(|| {
            for w in &windows {
                black_box(StoreWindow::of(0, w, 3));
            }
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    arrivals,
    store_day,
    pick_items,
    encode_json,
    window_merge,
    watch
);
criterion_main!(benches);
