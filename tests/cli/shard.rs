//! `--shard K/N`: the union of N shards' outputs is the unsharded output.

use super::{failure, storesim, success_lines};

/// JSON lines of a run of 12 stores over Black Friday afternoon (with late
/// and duplicated deliveries, so the outboxes are exercised too).
fn lines(scenario: &str, shard: &str) -> Vec<String> {
    let out = storesim()
        .args([
            "run",
            "--scenario",
            scenario,
            "--seed",
            "11",
            "--stores",
            "12",
        ])
        .args([
            "--start",
            "2026-11-27T14:00:00Z",
            "--until",
            "2026-11-27T20:00:00Z",
        ])
        .args(["--sink", "stdout", "--shard", shard, "-q"])
        .output()
        .unwrap();
    success_lines(out, &format!("shard {shard}"))
}

fn field(line: &str, name: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v[name].clone()
}

#[test]
fn the_union_of_two_or_three_shards_is_the_unsharded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("noisy.toml");
    std::fs::write(
        &scenario,
        "extends = \"chain\"\n[delivery]\nlate_share = 0.02\nduplicate_share = 0.01\n",
    )
    .unwrap();
    let scenario = scenario.to_str().unwrap();
    let whole = lines(scenario, "1/1");
    assert!(whole.len() > 10_000, "{}", whole.len());
    assert!(whole.iter().any(|l| field(l, "kind") == "item_change"));
    let mut expected = whole.clone();
    expected.sort();
    for n in [2, 3] {
        let mut union = Vec::new();
        let mut owner = std::collections::BTreeMap::new();
        for k in 1..=n {
            let part = lines(scenario, &format!("{k}/{n}"));
            assert!(!part.is_empty(), "shard {k}/{n} is empty");
            for line in &part {
                if field(line, "kind") == "item_change" {
                    assert_eq!(k, 1, "shard {k}/{n} wrote an item change");
                    continue;
                }
                // Every store is simulated by exactly one shard.
                let store = field(line, "store_id").as_u64().unwrap();
                assert_eq!(*owner.entry(store).or_insert(k), k, "store {store}");
            }
            union.extend(part);
        }
        assert!(owner.len() == 12, "{n} shards: {} stores", owner.len());
        union.sort();
        // Byte for byte, line multiset equal (duplicates included).
        assert!(union == expected, "{n} shards: the union differs");
    }
}

#[test]
fn a_bad_or_empty_shard_is_a_one_line_error() {
    for bad in ["0/2", "3/2", "1-2", "x/3"] {
        let out = storesim()
            .args(["run", "--stores", "2", "--days", "1", "--sink", "null"])
            .args(["--shard", bad])
            .output()
            .unwrap();
        let err = failure(out, 2);
        assert!(err.contains("--shard") && err.contains(bad), "{err}");
    }
    // The one store hashes to shard 1 of 2, so shard 2 of 2 has none.
    let out = storesim()
        .args(["run", "--stores", "1", "--days", "1", "--sink", "null"])
        .args(["--shard", "2/2"])
        .output()
        .unwrap();
    let err = failure(out, 2);
    assert!(
        err.contains("--shard 2/2") && err.contains("none of the 1 stores"),
        "{err}"
    );
}
