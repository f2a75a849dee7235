//! The conformance suite every sink passes (vector's compliance harness):
//! order kept, every event delivered or counted, close flushes.

use std::io::Read;
use std::path::Path;

use storesim_sim::time::MICROS_PER_HOUR;
use storesim_sim::{testing, ChainStore, EventBatch, EventKind, RunSpan, Stamped};
use storesim_sinks::{open, Encoder, RunContext, Sink, SinkKind, SinkSpec};

/// What the sinks are told of the test scenario (no late deliveries).
fn context() -> RunContext<'static> {
    RunContext {
        scenario: "test",
        kinds: &EventKind::ALL,
        dimensions: None,
        grace_us: 0,
        stream: "test",
        encoder: Encoder::default(),
    }
}

/// Three batches of a store's Tuesday, cut at arbitrary points.
fn batches() -> Vec<EventBatch> {
    let world = testing::world();
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let mut m = ChainStore::new(world, 1, 3, RunSpan::LocalDays { first, days: 1 });
    let mut t = m.span().0;
    let mut out = Vec::new();
    for hours in [14, 3, 10] {
        let mut events: Vec<Stamped> = Vec::new();
        let start = t;
        t = t.plus_micros(hours * MICROS_PER_HOUR);
        m.advance(t, &mut events);
        out.push(EventBatch {
            start,
            end: t,
            events,
        });
    }
    out
}

fn expected_json(batches: &[EventBatch], kind: &str) -> Vec<String> {
    batches
        .iter()
        .flat_map(|b| &b.events)
        .filter(|s| s.event.kind().as_str() == kind)
        .map(|s| serde_json::to_string(&s.event).unwrap())
        .collect()
}

fn read_all(path: &Path) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut text = String::new();
    let name = path.to_string_lossy();
    if name.ends_with(".zst") {
        zstd::Decoder::new(file)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
    } else if name.ends_with(".gz") {
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut text)
            .unwrap();
    } else {
        std::io::BufReader::new(file)
            .read_to_string(&mut text)
            .unwrap();
    }
    text
}

/// Every part of a kind, in date and part order.
fn parts(dir: &Path, kind: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let kind_dir = dir.join(format!("kind={kind}"));
    let mut dates: Vec<_> = std::fs::read_dir(kind_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dates.sort();
    for d in dates {
        let mut files: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}

async fn run(sink: &mut dyn Sink, batches: &[EventBatch]) -> u64 {
    for b in batches {
        sink.write(b).await.unwrap();
    }
    sink.flush().await.unwrap();
    let report = sink.close().await.unwrap();
    assert_eq!(report.failed, 0);
    let total: u64 = batches.iter().map(|b| b.events.len() as u64).sum();
    assert_eq!(report.delivered_total(), total, "{}", sink.name());
    total
}

#[tokio::test]
async fn null_and_memory_sinks_count_everything() {
    let b = batches();
    let mut null = open(&"null".parse().unwrap(), &context()).unwrap();
    run(null.as_mut(), &b).await;
    let (mut memory, handle) = storesim_sinks::memory::MemorySink::new("memory");
    run(&mut memory, &b).await;
    let got = handle.events();
    let want: Vec<Stamped> = b.iter().flat_map(|b| b.events.clone()).collect();
    assert_eq!(got, want);
    assert!(handle.closed());
}

#[tokio::test]
async fn files_sinks_keep_order_and_deliver_everything() {
    let b = batches();
    for options in [
        "",
        "?compression=zstd",
        "?compression=gzip&level=1",
        "?max_events_per_file=777",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let spec: SinkSpec = format!("files:{}{options}", dir.path().display())
            .parse()
            .unwrap();
        let mut sink = open(&spec, &context()).unwrap();
        run(sink.as_mut(), &b).await;
        for kind in ["scan", "transaction"] {
            let got: Vec<String> = parts(dir.path(), kind)
                .iter()
                .flat_map(|p| read_all(p).lines().map(str::to_string).collect::<Vec<_>>())
                .collect();
            assert_eq!(got, expected_json(&b, kind), "{options} {kind}");
        }
        assert!(dir.path().join("_SUCCESS").exists());
    }
}

#[tokio::test]
async fn csv_sink_writes_one_header_per_part_and_every_row() {
    let b = batches();
    let dir = tempfile::tempdir().unwrap();
    let spec: SinkSpec = format!("csv:{}?compression=zstd", dir.path().display())
        .parse()
        .unwrap();
    assert!(matches!(spec.kind, SinkKind::Files(_)));
    let mut sink = open(&spec, &context()).unwrap();
    let total = run(sink.as_mut(), &b).await;
    let mut rows = 0;
    for kind in ["scan", "transaction"] {
        for p in parts(dir.path(), kind) {
            let text = read_all(&p);
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let headers = reader.headers().unwrap().clone();
            assert_eq!(&headers[0], "kind");
            assert_eq!(
                &headers[1],
                if kind == "scan" {
                    "event_id"
                } else {
                    "transaction_id"
                }
            );
            for r in reader.records() {
                assert_eq!(r.unwrap().len(), headers.len());
                rows += 1;
            }
        }
    }
    assert_eq!(rows, total);
}
