//! Ground truth: the answers a pipeline fed by a run should compute.
//!
//! A [`Tally`] watches the events a run delivers, in delivery order, and
//! keeps the scenario's reference aggregates; [`Tally::finish`] turns it
//! into a [`Manifest`], written as JSON by `storesim run --manifest`.
//! Money is integer cents throughout and written as exact decimal text.
//!
//! # What is counted, and how
//!
//! - `counts`: records delivered, by kind; a duplicate delivery and a
//!   voided scan's second record are records too.
//! - The chain's aggregates count each scan line in its final version
//!   (the record with the latest event time for its `event_id`: a void,
//!   quantity 0, cancels its line) and each receipt once, by event time:
//!   `day` is the store's local business date (as in `transaction_id`),
//!   `hour` the local hour of the event in the store's time zone.
//! - `store_days.scan_rows` and `scan_amount` count every scan record
//!   delivered, as landed: they catch a lost or duplicated row that the
//!   final-version aggregates, by design, forgive.
//!
//! The tally resolves versions whatever the order of the records, so the
//! same code checks files read back in any order ([`Tally::unbounded`]).
//! On a run's stream it forgets an id once no later version of it can
//! arrive ([`Tally::streaming`]).

use std::collections::{BTreeMap, VecDeque};

/// Hash maps with a fast hasher for the tally's per-event lookups: they
/// are never iterated in their own order (`finish` sorts), so it cannot
/// reach the output.
#[allow(clippy::disallowed_types)]
type IdMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// An [`IdMap`]'s entries, sorted by key.
fn sorted<K: Ord + Copy, V>(map: IdMap<K, V>) -> BTreeMap<K, V> {
    map.into_iter().collect()
}

use chrono::{Datelike, Timelike};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub mod groups;

pub use groups::{Group, GroupRow};
pub use merge::MergeError;
pub use tally::Tally;

mod merge;
mod tally;
#[cfg(test)]
mod tests;

use crate::event::{Event, EventKind, Stamped};
use crate::models::chain::{ScanEvent, TransactionEvent};
use crate::money::Money;
use crate::time::{SimTime, MICROS_PER_HOUR};
use crate::world::World;

/// The manifest format, written first in every manifest.
pub const FORMAT: &str = "storesim-manifest/1";

/// Items listed per day in [`ChainTruth::top_items`].
pub const TOP_ITEMS: usize = 10;

/// Queue-wait percentiles, as in [`QueueWait`].
const PERCENTILES: [(f64, &str); 4] = [(0.50, "p50"), (0.90, "p90"), (0.95, "p95"), (0.99, "p99")];

/// A run's ground truth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// What produced the events.
    pub run: RunInfo,
    /// How the numbers are counted.
    pub semantics: Vec<String>,
    /// Records delivered, by kind (every kind the scenario emits).
    pub counts: BTreeMap<String, u64>,
    /// The chain scenario's aggregates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainTruth>,
    /// The other scenarios' aggregates, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, Group>,
}

/// The parameters of the run a manifest describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInfo {
    /// The scenario: a built-in name or the file given.
    pub scenario: String,
    /// The scenario's model: `chain`, `smoothie`, `webshop`, `widgets`,
    /// `marketplace`.
    pub model: String,
    /// The scenario text's digest (SHA-256, hex).
    pub scenario_digest: String,
    /// The seed.
    pub seed: u64,
    /// The first instant simulated (UTC).
    pub start: String,
    /// The end of the run (UTC, exclusive).
    pub end: String,
    /// Stores in the world (all shards).
    pub stores: usize,
    /// Items in the item master at the start.
    pub items: usize,
    /// `K/N`, `1/1` for a whole run; `1+3/4` for a merge of some shards.
    pub shard: String,
    /// The output schema (`storesim` or `apex`).
    pub schema: String,
    /// storesim's version.
    pub version: String,
}

/// The chain's reference aggregates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainTruth {
    /// Per store and local business day.
    pub store_days: Vec<StoreDay>,
    /// Chain-wide, per local date and hour of the events.
    pub hours: Vec<HourRow>,
    /// Per local business day and item category.
    pub category_days: Vec<CategoryDay>,
    /// Per local business day, the [`TOP_ITEMS`] items by units sold
    /// (ties: the lower sku first).
    pub top_items: Vec<TopItem>,
    /// Receipts by units in the basket (`item_count`).
    pub basket_sizes: Vec<BasketSize>,
    /// Receipts' queue waits.
    pub queue_wait: QueueWait,
    /// Item-master changes per UTC date and operation (`c`, `u`, `d`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_changes: Vec<ItemChangeDay>,
    /// The item master after the run's changes.
    #[serde(default)]
    pub item_master: ItemMaster,
    /// Units per item and day: only in a shard's manifest, so that
    /// `storesim manifest merge` can rank the whole chain's items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_days: Vec<ItemDay>,
}

/// One store's local business day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreDay {
    /// The store.
    pub store_id: u32,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Receipts.
    pub transactions: u64,
    /// Scan lines in their final version with a quantity (voids excluded).
    pub lines: u64,
    /// Net sales: final lines' `quantity * unit_price - discount`.
    #[serde(with = "money_text")]
    pub net_sales: Money,
    /// Scan records delivered (duplicates and voids included).
    pub scan_rows: u64,
    /// Net amount over every scan record delivered.
    #[serde(with = "money_text")]
    pub scan_amount: Money,
}

/// One local hour, chain-wide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HourRow {
    /// The local date of the events, `YYYY-MM-DD`.
    pub day: String,
    /// The local hour, 0-23.
    pub hour: u8,
    /// Receipts printed in the hour.
    pub transactions: u64,
    /// Net sales of the final lines scanned in the hour.
    #[serde(with = "money_text")]
    pub net_sales: Money,
}

/// One category on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDay {
    /// `YYYY-MM-DD` (local business date).
    pub day: String,
    /// The category code.
    pub category: u32,
    /// Units sold.
    pub units: u64,
    /// Net sales.
    #[serde(with = "money_text")]
    pub net_sales: Money,
}

/// An item among a day's best sellers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopItem {
    /// `YYYY-MM-DD` (local business date).
    pub day: String,
    /// 1-based.
    pub rank: u32,
    /// The item.
    pub sku: u32,
    /// Units sold.
    pub units: u64,
}

/// The item-master changes of one UTC date and operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemChangeDay {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// `c`, `u` or `d`.
    pub op: String,
    /// Changes.
    pub changes: u64,
}

/// The item master after the run: its rows and the sum of their prices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemMaster {
    /// Items.
    pub items: u64,
    /// The sum of `item_price` over the items.
    #[serde(with = "money_text")]
    pub price_sum: Money,
}

/// An item-master change, as the tally needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeFact {
    /// The UTC date, `YYYYMMDD`.
    pub date: u32,
    /// `c`, `u` or `d`.
    pub op: char,
    /// The price before (updates and deletes).
    pub before: Option<Money>,
    /// The price after (creates and updates).
    pub after: Option<Money>,
}

impl From<&crate::models::chain::ItemChangeEvent> for ChangeFact {
    fn from(c: &crate::models::chain::ItemChangeEvent) -> ChangeFact {
        ChangeFact {
            date: c.ts.utc_yyyymmdd(),
            op: c.op.as_str().chars().next().unwrap_or('u'),
            before: c.before.as_ref().map(|r| r.item_price),
            after: c.after.as_ref().map(|r| r.item_price),
        }
    }
}

/// Units of one item on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDay {
    /// `YYYY-MM-DD` (local business date).
    pub day: String,
    /// The item.
    pub sku: u32,
    /// Units sold.
    pub units: u64,
}

/// Receipts with a given number of units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasketSize {
    /// Units in the basket.
    pub items: u32,
    /// Receipts.
    pub transactions: u64,
}

/// Queue waits of the receipts: whole seconds (`queue_wait_ms / 1000`,
/// rounded down), nearest-rank percentiles (SQL's `percentile_disc`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueWait {
    /// Receipts.
    pub transactions: u64,
    /// Percentiles in whole seconds: `p50`, `p90`, `p95`, `p99`.
    pub percentiles_s: BTreeMap<String, u32>,
    /// The longest wait, in milliseconds.
    pub max_ms: u32,
    /// Receipts by whole seconds waited.
    pub histogram_s: Vec<WaitBucket>,
}

/// Receipts that waited a given number of whole seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitBucket {
    /// Whole seconds.
    pub seconds: u32,
    /// Receipts.
    pub transactions: u64,
}

/// Money as exact decimal text, `"1234.56"`.
mod money_text {
    use super::Money;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(m)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = String::deserialize(d)?;
        Money::parse_decimal(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not an amount")))
    }
}

/// `20261123` as `2026-11-23`.
pub fn day_text(yyyymmdd: u32) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        yyyymmdd / 10_000,
        yyyymmdd / 100 % 100,
        yyyymmdd % 100
    )
}

/// A scan record, as the tally needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanFact {
    /// The store.
    pub store_id: u32,
    /// The local business date, `YYYYMMDD` (from the transaction id).
    pub date: u32,
    /// The transaction's sequence in the store's day.
    pub seq: u32,
    /// The line.
    pub line: u16,
    /// The event time.
    pub ts: SimTime,
    /// The item.
    pub sku: u32,
    /// Its category.
    pub category: u32,
    /// Units (0 for a void).
    pub quantity: u16,
    /// `quantity * unit_price - discount`.
    pub net: Money,
}

impl From<&ScanEvent> for ScanFact {
    fn from(s: &ScanEvent) -> ScanFact {
        ScanFact {
            store_id: s.transaction_id.store_id,
            date: s.transaction_id.date,
            seq: s.transaction_id.seq,
            line: s.line,
            ts: s.ts,
            sku: s.sku,
            category: s.category,
            quantity: s.quantity,
            net: s.net_amount(),
        }
    }
}

/// A receipt, as the tally needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptFact {
    /// The store.
    pub store_id: u32,
    /// The local business date, `YYYYMMDD`.
    pub date: u32,
    /// The transaction's sequence in the store's day.
    pub seq: u32,
    /// The event time (the receipt printed).
    pub ts: SimTime,
    /// Units in the basket.
    pub item_count: u32,
    /// Time queued, in milliseconds.
    pub queue_wait_ms: u32,
}

impl From<&TransactionEvent> for ReceiptFact {
    fn from(t: &TransactionEvent) -> ReceiptFact {
        ReceiptFact {
            store_id: t.transaction_id.store_id,
            date: t.transaction_id.date,
            seq: t.transaction_id.seq,
            ts: t.ts,
            item_count: t.item_count,
            queue_wait_ms: t.queue_wait_ms,
        }
    }
}
