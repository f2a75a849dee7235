//! `envelope=debezium`: item changes as Debezium change events on Kafka
//! (JSON, and Avro with typed keys through the registry) and in files
//! (with Connect's `{schema, payload}`), read back by confluent-kafka and
//! fastavro: each change keyed `{item_id}`, its delete followed by a
//! tombstone, and the changes replayed over the starting item master
//! giving the manifest's item master after the run.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use super::demos::{python, reader};
use super::{json_cents, service, storesim, success_lines, tree, unique};

/// The JSON lines a reader printed.
fn lines(out: std::process::Output, what: &str) -> Vec<Value> {
    success_lines(out, what)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The starting item master: item id to price in cents.
fn starting_items(dir: &std::path::Path) -> BTreeMap<i64, i64> {
    storesim()
        .args(["catalog", "--stores", "2", "--out", dir.to_str().unwrap()])
        .assert()
        .success();
    let mut items = csv::Reader::from_path(dir.join("item_master.csv")).unwrap();
    let h = items.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (id, price) = (col("item_id"), col("item_price"));
    items
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[id].parse().unwrap(), super::cents(&r[price]))
        })
        .collect()
}

/// A change event's fields, the money in cents: what the JSON and Avro
/// topics must agree on.
fn essence(v: &Value) -> Value {
    let row = |r: &Value| {
        if r.is_null() {
            return Value::Null;
        }
        serde_json::json!({
            "item_id": r["item_id"], "item_name": r["item_name"],
            "item_price": json_cents(&r["item_price"]), "item_cost": json_cents(&r["item_cost"]),
            "member_price": r["member_price"],
        })
    };
    serde_json::json!({
        "before": row(&v["before"]), "after": row(&v["after"]), "op": v["op"],
        "ts_ms": v["ts_ms"], "source": v["source"],
    })
}

#[test]
fn debezium_change_events_replay_to_the_manifests_item_master() {
    let (Some(py), Some(brokers), Some(registry)) = (
        python(),
        service("STORESIM_KAFKA_BROKERS"),
        service("STORESIM_REGISTRY_URL"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (files, manifest) = (tmp.path().join("f"), tmp.path().join("m.json"));
    let (json_prefix, avro_prefix) = (unique("dbz_json"), unique("dbz_avro"));
    let out = storesim()
        .args(["run", "--scenario", "chain", "--stores", "2", "--seed", "5", "-q"])
        .args(["--start", "2026-11-27T14:00:00Z", "--until", "2026-11-27T16:00:00Z"])
        .arg("--sink")
        .arg(format!(
            "kafka://{brokers}?topic_prefix={json_prefix}.&envelope=debezium&kinds=item_change"
        ))
        .arg("--sink")
        .arg(format!(
            "kafka://{brokers}?topic_prefix={avro_prefix}.&envelope=debezium&format=avro&key_format=avro&schema_registry={registry}&kinds=item_change"
        ))
        .arg("--sink")
        .arg(format!(
            "files:{}?envelope=debezium&schemas_enable=true",
            files.display()
        ))
        .arg("--manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The files: Connect's wrapper around each change, in change order.
    let payloads: Vec<Value> = tree(&files)
        .into_iter()
        .filter(|(p, _)| p.to_string_lossy().contains("kind=item_change"))
        .flat_map(|(_, bytes)| {
            String::from_utf8(bytes)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .collect::<Vec<_>>()
        })
        .map(|v| {
            assert_eq!(
                v["schema"]["name"], "storesim.storesim.item_master.Envelope",
                "{v}"
            );
            v["payload"].clone()
        })
        .collect();
    let deletes = payloads.iter().filter(|p| p["op"] == "d").count();
    assert!(
        payloads.len() > 100 && deletes > 5,
        "{} {deletes}",
        payloads.len()
    );

    // The JSON topic: every change and a tombstone after each delete.
    let want = payloads.len() + deletes;
    let topic = format!("{json_prefix}.item_changes");
    let messages = lines(
        Command::new(&py)
            .arg(reader("kafka_read.py"))
            .args([&brokers, &(want + 1).to_string(), &topic])
            .output()
            .unwrap(),
        "kafka_read",
    );
    assert_eq!(messages.len(), want);
    let mut by_item: BTreeMap<i64, Vec<Option<Value>>> = BTreeMap::new();
    for m in &messages {
        let key: Value = serde_json::from_str(m["key"].as_str().unwrap()).unwrap();
        let item = key["item_id"].as_i64().unwrap_or_else(|| panic!("{m}"));
        assert_eq!(key.as_object().unwrap().len(), 1, "{m}");
        let value = m["value"].as_str().map(|v| {
            let v: Value = serde_json::from_str(v).unwrap();
            assert_eq!(
                m["fields"],
                serde_json::json!(["before", "after", "source", "op", "ts_ms"])
            );
            let source = &v["source"];
            assert_eq!(
                (
                    &source["connector"],
                    &source["db"],
                    &source["schema"],
                    &source["table"]
                ),
                (
                    &"storesim".into(),
                    &"storesim".into(),
                    &"storesim".into(),
                    &"item_master".into()
                ),
                "{v}"
            );
            assert_eq!(v["ts_ms"], m["timestamp"], "{v}");
            let row = if v["after"].is_null() {
                &v["before"]
            } else {
                &v["after"]
            };
            assert_eq!(row["item_id"].as_i64(), Some(item), "{v}");
            v
        });
        by_item.entry(item).or_default().push(value);
    }
    // Per item: the changes in change order, each delete then its tombstone.
    let mut changes_in_order: Vec<&Value> = Vec::new();
    for (item, events) in &by_item {
        for (i, e) in events.iter().enumerate() {
            match e {
                Some(v) => {
                    if v["op"] == "d" {
                        let next = events.get(i + 1);
                        assert_eq!(
                            next,
                            Some(&None),
                            "item {item}: a delete without its tombstone"
                        );
                    }
                    changes_in_order.push(v);
                }
                None => assert!(
                    i > 0 && events[i - 1].as_ref().is_some_and(|v| v["op"] == "d"),
                    "item {item}: a tombstone not after a delete"
                ),
            }
        }
    }
    changes_in_order.sort_by_key(|v| v["source"]["lsn"].as_i64().unwrap());
    assert_eq!(
        changes_in_order
            .iter()
            .map(|v| (*v).clone())
            .collect::<Vec<_>>(),
        payloads,
        "the topic's changes are the files' changes"
    );

    // Replayed over the starting item master: the manifest's after the run.
    let mut items = starting_items(&tmp.path().join("c"));
    for (item, events) in &by_item {
        for v in events.iter().flatten() {
            let price = |r: &Value| json_cents(&r["item_price"]);
            match v["op"].as_str().unwrap() {
                "c" => assert!(items.insert(*item, price(&v["after"])).is_none(), "{v}"),
                "u" => {
                    let now = items.get_mut(item).unwrap_or_else(|| panic!("{v}"));
                    assert_eq!(*now, price(&v["before"]), "{v}");
                    *now = price(&v["after"]);
                }
                _ => assert_eq!(items.remove(item), Some(price(&v["before"])), "{v}"),
            }
        }
    }
    let manifest: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let master = &manifest["chain"]["item_master"];
    assert_eq!(items.len() as u64, master["items"].as_u64().unwrap());
    assert_eq!(
        items.values().sum::<i64>(),
        json_cents(&master["price_sum"])
    );

    // The Avro topic: the same changes, typed keys, the same tombstones.
    let topic = format!("{avro_prefix}.item_changes");
    let decoded = lines(
        Command::new(&py)
            .arg(reader("registry_read.py"))
            .args(["--key-format", "avro", "avro", &brokers, &registry])
            .args([&(want + 1).to_string(), &topic])
            .output()
            .unwrap(),
        "registry_read",
    );
    assert_eq!(decoded.len(), want);
    let mut avro_by_item: BTreeMap<i64, Vec<Option<Value>>> = BTreeMap::new();
    for m in &decoded {
        assert!(m["key_schema_id"].is_u64(), "{m}");
        let item = m["key"]["item_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{m}"));
        let value = (!m["value"].is_null()).then(|| essence(&m["value"]));
        avro_by_item.entry(item).or_default().push(value);
    }
    let json_by_item: BTreeMap<i64, Vec<Option<Value>>> = by_item
        .iter()
        .map(|(k, events)| (*k, events.iter().map(|e| e.as_ref().map(essence)).collect()))
        .collect();
    assert_eq!(avro_by_item, json_by_item);

    // verify reads the change events in the files as it reads storesim's.
    let out = storesim()
        .args(["verify", "--manifest"])
        .arg(tmp.path().join("m.json"))
        .arg("--files")
        .arg(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
