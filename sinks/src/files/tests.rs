//! Files sink unit tests: layout, rolling, refusing to mix runs.

use storesim_sim::time::MICROS_PER_HOUR;
use storesim_sim::{testing, ChainStore, RunSpan, Stamped};

use super::*;

fn events(hours: i64) -> EventBatch {
    let world = testing::world();
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let mut m = ChainStore::new(world, 0, 1, RunSpan::LocalDays { first, days: 2 });
    let mut out: Vec<Stamped> = Vec::new();
    let start = m.span().0;
    m.advance(start.plus_micros(hours * MICROS_PER_HOUR), &mut out);
    EventBatch {
        start,
        end: start.plus_micros(hours * MICROS_PER_HOUR),
        events: out,
    }
}

fn list(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn partitions_by_kind_and_utc_date_and_rolls_parts() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = FilesConfig::new(dir.path().to_path_buf(), Format::Json);
    config.max_events_per_file = 5_000;
    let mut sink = FilesSink::open("files".into(), config).unwrap();
    let batch = events(30);
    sink.write(&batch).await.unwrap();
    // Parts in progress are hidden until close.
    assert!(list(dir.path())
        .iter()
        .any(|p| p.contains("/.part-") && p.ends_with(".inprogress")));
    let report = sink.close().await.unwrap();
    assert_eq!(report.delivered_total(), batch.events.len() as u64);
    let files = list(dir.path());
    assert!(files.contains(&"_SUCCESS".to_string()));
    assert!(files.iter().all(|f| !f.contains("inprogress")), "{files:?}");
    assert!(
        files.contains(&"kind=scan/date=2026-11-24/part-00000.jsonl".to_string()),
        "{files:?}"
    );
    assert!(
        files.contains(&"kind=scan/date=2026-11-24/part-00001.jsonl".to_string()),
        "{files:?}"
    );
    assert!(
        files.contains(&"kind=transaction/date=2026-11-24/part-00000.jsonl".to_string()),
        "{files:?}"
    );
    // New York's Tuesday evening is Wednesday in UTC.
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("kind=scan/date=2026-11-25/")),
        "{files:?}"
    );
}

#[tokio::test]
async fn refuses_earlier_output_unless_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let config = FilesConfig::new(dir.path().to_path_buf(), Format::Json);
    let mut sink = FilesSink::open("files".into(), config.clone()).unwrap();
    sink.write(&events(12)).await.unwrap();
    sink.close().await.unwrap();
    let e = FilesSink::open("files:x".into(), config.clone())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("holds output of an earlier run") && e.contains("--overwrite"),
        "{e}"
    );
    let mut again = config;
    again.overwrite = true;
    let mut sink = FilesSink::open("files".into(), again).unwrap();
    sink.write(&events(10)).await.unwrap();
    sink.close().await.unwrap();
    // Only the second run's dates are left.
    assert!(list(dir.path()).iter().all(|f| !f.contains("2026-11-25")));
}

#[test]
fn a_store_url_is_a_files_sink_with_the_stores_settings() {
    for spec in [
        "s3://lake/runs/bf?format=parquet&endpoint=http://127.0.0.1:9000&region=eu-west-1",
        "files:s3://lake/runs/bf?format=parquet&endpoint=http://127.0.0.1:9000&region=eu-west-1",
    ] {
        let crate::SinkKind::Files(c) = spec.parse::<crate::SinkSpec>().unwrap().kind else {
            panic!("{spec}")
        };
        assert_eq!(c.format, Format::Parquet);
        assert_eq!(c.compression, Compression::Zstd);
        let remote = c.remote.expect("a store");
        assert_eq!(remote.url, "s3://lake/runs/bf");
        assert_eq!(
            remote.options,
            vec![
                ("endpoint".to_string(), "http://127.0.0.1:9000".to_string()),
                ("region".to_string(), "eu-west-1".to_string())
            ]
        );
    }
    let crate::SinkKind::Files(c) = "csv:gs://b/p".parse::<crate::SinkSpec>().unwrap().kind else {
        panic!()
    };
    assert_eq!((c.format, c.remote.is_some()), (Format::Csv, true));
    for (spec, want) in [
        ("files:ftp://b/p", "`ftp://`: write a directory, s3://"),
        ("s3://b/p?colour=red", "unknown option `colour`"),
        ("az://c/p?format=orc", "format `orc`"),
    ] {
        let e = spec.parse::<crate::SinkSpec>().unwrap_err().to_string();
        assert!(e.contains(want), "{spec}: {e}");
    }
}
