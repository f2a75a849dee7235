//! Criterion micro-benchmarks of the hot paths: a store's day (arrivals,
//! queues, baskets), item picking, JSON encoding, and the window merge.
//!
//! Run with `cargo bench --bench sim`; results go in BENCHMARKS.md.

// criterion's macros generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::SeedableRng;
use storesim_scenarios::{Overrides, Scenario};
use storesim_sim::time::MICROS_PER_HOUR;
use storesim_sim::{RunSpan, Stamped, StoreModel, World};

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
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid date");
    let mut m = StoreModel::new(
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
    g.finish();
}

fn window_merge(c: &mut Criterion) {
    // 100 stores' sorted runs for one hour, merged as the scheduler does.
    let world = world(100);
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid date");
    let runs: Vec<Vec<Stamped>> = (0..100)
        .map(|i| {
            let mut m = StoreModel::new(
                Arc::clone(&world),
                i,
                1,
                RunSpan::LocalDays { first, days: 1 },
            );
            let mut out = Vec::new();
            let start = m.span().0;
            m.advance(start.plus_micros(17 * MICROS_PER_HOUR), &mut out);
            out.clear();
            m.advance(start.plus_micros(18 * MICROS_PER_HOUR), &mut out);
            out
        })
        .collect();
    let total: usize = runs.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("merge");
    g.throughput(Throughput::Elements(total as u64));
    g.bench_function("100 sorted store runs, one hour", |b| {
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

criterion_group!(benches, store_day, pick_items, encode_json, window_merge);
criterion_main!(benches);
