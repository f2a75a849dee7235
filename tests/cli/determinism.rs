//! Same seed, same bytes; threads and windows never change the output.

use super::{storesim, tree};

fn run(dir: &std::path::Path, seed: &str, extra: &[&str]) {
    let sink = format!("files:{}?compression=zstd", dir.display());
    storesim()
        .args([
            "run",
            "--seed",
            seed,
            "--stores",
            "12",
            "--start",
            "2026-11-27",
            "--sink",
            &sink,
            "-q",
        ])
        .args(extra)
        .assert()
        .success();
}

#[test]
fn same_seed_same_bytes_across_threads_and_windows() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    let c = tmp.path().join("c");
    let d = tmp.path().join("d");
    run(&a, "7", &[]);
    run(&b, "7", &[]);
    run(&c, "7", &["--threads", "1", "--window", "1h"]);
    run(&d, "8", &["--threads", "3", "--window", "90s"]);
    let (ta, tb, tc, td) = (tree(&a), tree(&b), tree(&c), tree(&d));
    assert!(
        ta.keys()
            .any(|p| p.starts_with("kind=scan/date=2026-11-27")),
        "{:?}",
        ta.keys()
    );
    assert!(ta.contains_key(std::path::Path::new("_SUCCESS")));
    assert!(ta == tb, "same seed twice: files differ");
    assert!(ta == tc, "--threads 1 --window 1h: files differ");
    assert_eq!(ta.keys().collect::<Vec<_>>(), td.keys().collect::<Vec<_>>());
    assert!(
        ta.iter()
            .zip(&td)
            .any(|(x, y)| x.1 != y.1 && !x.1.is_empty()),
        "another seed, same files"
    );
}

#[test]
fn csv_and_stdout_are_deterministic_too() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["x", "y"] {
        let sink = format!("csv:{}", tmp.path().join(name).display());
        storesim()
            .args([
                "run",
                "--seed",
                "3",
                "--stores",
                "3",
                "--start",
                "2026-11-24T15:00:00Z",
            ])
            .args(["--until", "2026-11-24T16:00:00Z", "--sink", &sink, "-q"])
            .assert()
            .success();
    }
    assert!(tree(&tmp.path().join("x")) == tree(&tmp.path().join("y")));
    let out = |threads: &str| {
        storesim()
            .args([
                "run",
                "--seed",
                "3",
                "--stores",
                "3",
                "--start",
                "2026-11-24T15:00:00Z",
            ])
            .args([
                "--until",
                "2026-11-24T16:00:00Z",
                "--sink",
                "stdout",
                "-q",
                "--threads",
                threads,
            ])
            .output()
            .unwrap()
            .stdout
    };
    let one = out("1");
    assert!(one.len() > 10_000);
    assert!(one == out("4"));
}

/// Late and duplicate deliveries (`[delivery]`): the same bytes across
/// threads and windows; the lines are out of event-time order and some
/// repeat, and once de-duplicated they are the clean run's lines.
#[test]
fn late_and_duplicate_deliveries_are_deterministic_and_change_no_event() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("noisy.toml");
    std::fs::write(
        &scenario,
        "extends = \"chain\"\n[delivery]\nlate_share = 0.05\nlate_delay_s = [5, 600]\nduplicate_share = 0.02\n",
    )
    .unwrap();
    let scenario = scenario.to_str().unwrap();
    let (a, b, clean) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("clean"),
    );
    run(&a, "7", &["--scenario", scenario]);
    run(
        &b,
        "7",
        &["--scenario", scenario, "--threads", "1", "--window", "1h"],
    );
    run(&clean, "7", &[]);
    assert!(
        tree(&a) == tree(&b),
        "late deliveries: files differ across windows"
    );
    let lines = |dir: &std::path::Path| -> Vec<String> {
        tree(dir)
            .iter()
            .filter(|(p, _)| p.to_string_lossy().contains("kind=scan"))
            .flat_map(|(p, bytes)| {
                super::text(p, bytes)
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let noisy = lines(&a);
    let ts = |l: &str| {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        v["ts"].as_str().unwrap().to_string()
    };
    let out_of_order = noisy.windows(2).filter(|w| ts(&w[1]) < ts(&w[0])).count();
    assert!(
        out_of_order > 100,
        "{out_of_order} lines before an earlier one"
    );
    let mut deduped = noisy.clone();
    deduped.sort();
    let all = deduped.len();
    deduped.dedup();
    assert!(all > deduped.len(), "no duplicate line");
    let mut expected = lines(&clean);
    expected.sort();
    assert_eq!(deduped, expected);
}
