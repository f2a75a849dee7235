//! Merging the manifests of a run's shards into the whole run's.

use super::tally::{basket_sizes, semantics, top_items};
use super::*;

/// Why manifests cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(String);

/// The shards `K` (sorted) and `N` of a manifest's `shard` (`2/4`, `1+3/4`).
pub(super) fn parse_shards(text: &str) -> Option<(Vec<u32>, u32)> {
    let (ks, n) = text.split_once('/')?;
    let n: u32 = n.parse().ok()?;
    let mut ks: Vec<u32> = ks
        .split('+')
        .map(|k| k.parse().ok().filter(|k| (1..=n).contains(k)))
        .collect::<Option<_>>()?;
    ks.sort_unstable();
    Some((ks, n))
}

impl Manifest {
    /// Merges the manifests of shards of one run (named by `names` in
    /// errors): sums every count and aggregate, ranks the items again, and
    /// when every shard is there, gives the manifest of the whole run.
    pub fn merge(parts: &[(String, Manifest)]) -> Result<Manifest, MergeError> {
        let err = |m: String| Err(MergeError(m));
        let Some((first_name, first)) = parts.first() else {
            return err("no manifests to merge".into());
        };
        let mut shards = Vec::new();
        let mut total = None;
        for (name, m) in parts {
            if m.format != FORMAT {
                return err(format!(
                    "{name}: format `{}`, expected `{FORMAT}`",
                    m.format
                ));
            }
            let mut this = m.run.clone();
            this.shard.clone_from(&first.run.shard);
            if this != first.run {
                return err(format!(
                    "{name}: a different run than {first_name} (scenario, seed, span, stores, items, schema and version must match)"
                ));
            }
            let Some((ks, n)) = parse_shards(&m.run.shard) else {
                return err(format!("{name}: `{}` is not a shard", m.run.shard));
            };
            if *total.get_or_insert(n) != n {
                return err(format!(
                    "{name}: shard {} is not one of {}",
                    m.run.shard, first.run.shard
                ));
            }
            for k in ks {
                if shards.contains(&k) {
                    return err(format!("{name}: shard {k} is in the merge twice"));
                }
                shards.push(k);
            }
        }
        let n = total.unwrap_or(1);
        shards.sort_unstable();
        let complete = shards.len() == n as usize;
        let shard = if complete {
            "1/1".to_string()
        } else {
            let ks: Vec<String> = shards.iter().map(u32::to_string).collect();
            format!("{}/{n}", ks.join("+"))
        };
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for (_, m) in parts {
            for (k, v) in &m.counts {
                *counts.entry(k.clone()).or_default() += v;
            }
        }
        let chains: Vec<&ChainTruth> = parts.iter().filter_map(|(_, m)| m.chain.as_ref()).collect();
        // Only shard 1 changes the item master; the others keep it as loaded.
        let with_changes = parts
            .iter()
            .position(|(_, m)| parse_shards(&m.run.shard).is_some_and(|(ks, _)| ks.contains(&1)))
            .unwrap_or(0);
        let chain = (!chains.is_empty()).then(|| {
            let mut merged = merge_chain(&chains, complete);
            if let Some(c) = parts[with_changes].1.chain.as_ref() {
                merged.item_master = c.item_master;
            }
            merged
        });
        let groups: Vec<_> = parts.iter().map(|(_, m)| &m.groups).collect();
        Ok(Manifest {
            format: FORMAT.to_string(),
            run: RunInfo {
                shard,
                ..first.run.clone()
            },
            semantics: semantics(),
            counts,
            chain,
            groups: groups::merge(&groups),
        })
    }
}

pub(super) fn merge_chain(parts: &[&ChainTruth], complete: bool) -> ChainTruth {
    let mut store_days: BTreeMap<(u32, String), StoreDay> = BTreeMap::new();
    let mut hours: BTreeMap<(String, u8), HourRow> = BTreeMap::new();
    let mut cats: BTreeMap<(String, u32), CategoryDay> = BTreeMap::new();
    let mut items: BTreeMap<(String, u32), u64> = BTreeMap::new();
    let mut baskets: BTreeMap<u32, u64> = BTreeMap::new();
    let mut waits: BTreeMap<u32, u64> = BTreeMap::new();
    let mut max_ms = 0;
    let mut changes: BTreeMap<(String, String), u64> = BTreeMap::new();
    for p in parts {
        for c in &p.item_changes {
            *changes.entry((c.day.clone(), c.op.clone())).or_default() += c.changes;
        }
        for d in &p.store_days {
            store_days
                .entry((d.store_id, d.day.clone()))
                .and_modify(|s| {
                    s.transactions += d.transactions;
                    s.lines += d.lines;
                    s.net_sales += d.net_sales;
                    s.scan_rows += d.scan_rows;
                    s.scan_amount += d.scan_amount;
                })
                .or_insert_with(|| d.clone());
        }
        for h in &p.hours {
            hours
                .entry((h.day.clone(), h.hour))
                .and_modify(|s| {
                    s.transactions += h.transactions;
                    s.net_sales += h.net_sales;
                })
                .or_insert_with(|| h.clone());
        }
        for c in &p.category_days {
            cats.entry((c.day.clone(), c.category))
                .and_modify(|s| {
                    s.units += c.units;
                    s.net_sales += c.net_sales;
                })
                .or_insert_with(|| c.clone());
        }
        for i in &p.item_days {
            *items.entry((i.day.clone(), i.sku)).or_default() += i.units;
        }
        for b in &p.basket_sizes {
            *baskets.entry(b.items).or_default() += b.transactions;
        }
        for w in &p.queue_wait.histogram_s {
            *waits.entry(w.seconds).or_default() += w.transactions;
        }
        max_ms = max_ms.max(p.queue_wait.max_ms);
    }
    let item_days: Vec<ItemDay> = items
        .into_iter()
        .map(|((day, sku), units)| ItemDay { day, sku, units })
        .collect();
    ChainTruth {
        store_days: store_days.into_values().collect(),
        hours: hours.into_values().collect(),
        category_days: cats.into_values().collect(),
        top_items: top_items(&item_days),
        item_changes: changes
            .into_iter()
            .map(|((day, op), changes)| ItemChangeDay { day, op, changes })
            .collect(),
        item_master: ItemMaster::default(),
        basket_sizes: basket_sizes(baskets),
        queue_wait: QueueWait::from_counts(waits, max_ms),
        item_days: if complete { Vec::new() } else { item_days },
    }
}
