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

/// The id of a scan line, or of a receipt (line 0).
fn fact_key(store_id: u32, date: u32, seq: u32, line: u16) -> u128 {
    (u128::from(store_id) << 96)
        | (u128::from(date) << 64)
        | (u128::from(seq) << 16)
        | u128::from(line)
}

/// The version of an id that counts.
#[derive(Debug, Clone, Copy)]
enum Final {
    Scan(ScanFact, LocalHour),
    Receipt,
}

/// A local date (`YYYYMMDD`) and hour.
type LocalHour = (u32, u8);

/// A store's time zone, with the local hour last looked up.
#[derive(Debug, Clone, Copy)]
struct Zone {
    tz: Tz,
    /// `[from, to)` in UTC is local hour `hour`.
    from: SimTime,
    to: SimTime,
    hour: LocalHour,
}

impl Zone {
    fn new(tz: Tz) -> Zone {
        Zone {
            tz,
            from: SimTime(0),
            to: SimTime(0),
            hour: (0, 0),
        }
    }

    fn local_hour(&mut self, ts: SimTime) -> LocalHour {
        if ts < self.from || ts >= self.to {
            let local = ts.to_datetime().with_timezone(&self.tz);
            let into = i64::from(local.minute()) * 60_000_000
                + i64::from(local.second()) * 1_000_000
                + i64::from(local.nanosecond() / 1000);
            self.from = SimTime(ts.0 - into);
            self.to = self.from.plus_micros(MICROS_PER_HOUR);
            let date = local.date_naive();
            self.hour = (
                date.year() as u32 * 10_000 + date.month() * 100 + date.day(),
                local.hour() as u8,
            );
        }
        self.hour
    }
}

/// A store's recent scan lines: delivery time, the line, its local hour.
type RecentLines = VecDeque<(SimTime, ScanFact, LocalHour)>;

/// Sums of one store's business day.
#[derive(Debug, Clone, Copy, Default)]
struct DaySums {
    transactions: u64,
    lines: i64,
    net_sales: Money,
    scan_rows: u64,
    scan_amount: Money,
}

/// Watches a run's delivered events and keeps its ground truth.
#[derive(Debug)]
pub struct Tally {
    kinds: Vec<EventKind>,
    counts: [u64; EventKind::ALL.len()],
    chain: bool,
    groups: groups::Groups,
    zones: IdMap<u32, Zone>,
    finals: IdMap<u128, Final>,
    /// How long after an id's first record another may arrive (µs);
    /// `None`: never forget.
    horizon: Option<i64>,
    /// Ids by the delivery time of their first record, to forget.
    seen: VecDeque<(SimTime, u128)>,
    /// A stream without late or duplicate deliveries: each store's scans
    /// of the last `horizon`, where a void finds its line, instead of
    /// `finals` (a void always comes after its line, and nothing twice).
    recent: Option<IdMap<u32, RecentLines>>,
    store_days: IdMap<(u32, u32), DaySums>,
    hours: IdMap<LocalHour, (u64, Money)>,
    category_days: IdMap<(u32, u32), (i64, Money)>,
    item_days: IdMap<(u32, u32), i64>,
    baskets: BTreeMap<u32, u64>,
    waits: BTreeMap<u32, u64>,
    max_wait_ms: u32,
    changes: BTreeMap<(u32, char), u64>,
    item_master: ItemMaster,
}

impl Tally {
    /// A tally of a run's stream, in delivery order: it forgets an id once
    /// the scenario's void and delivery delays say no record of it can
    /// still come.
    pub fn streaming(world: &World) -> Tally {
        let p = &world.params;
        let mut tally = Tally::new(world, Some(horizon(p)));
        if !p.delivery.is_noisy() {
            tally.recent = Some(IdMap::default());
        }
        tally
    }

    /// A tally of records in any order: it keeps every id.
    pub fn unbounded(world: &World) -> Tally {
        Tally::new(world, None)
    }

    /// A tally of a files sink's records read back, each kind's parts in
    /// path order (the sink writes them in delivery order, partitioned by
    /// date): it forgets an id once a record's event time is past the
    /// scenario's void and delivery delays after the id's first record.
    /// Records are matched by id only within those delays, so a
    /// directory's memory is bounded by the records of the delays, not by
    /// the run.
    pub fn files(world: &World) -> Tally {
        let p = &world.params;
        Tally::new(world, Some(horizon(p)))
    }

    fn new(world: &World, horizon: Option<i64>) -> Tally {
        Tally {
            kinds: world.kinds(),
            counts: [0; EventKind::ALL.len()],
            chain: world.model.has_item_master(),
            groups: groups::Groups::new(world),
            zones: world
                .stores
                .iter()
                .map(|s| (s.store_id, Zone::new(s.tz)))
                .collect(),
            finals: IdMap::default(),
            horizon,
            seen: VecDeque::new(),
            recent: None,
            store_days: IdMap::default(),
            hours: IdMap::default(),
            category_days: IdMap::default(),
            item_days: IdMap::default(),
            baskets: BTreeMap::new(),
            waits: BTreeMap::new(),
            max_wait_ms: 0,
            changes: BTreeMap::new(),
            item_master: ItemMaster {
                items: world.items.len() as u64,
                price_sum: world.items.iter().map(|i| i.item_price).sum(),
            },
        }
    }

    /// Counts a window's events, delivered in this order.
    pub fn observe(&mut self, events: &[Stamped]) {
        for stamped in events {
            let kind = stamped.event.kind();
            self.counts[kind.index()] += 1;
            if !self.chain {
                if self.groups.wants(kind) {
                    if let Ok(record) = serde_json::to_value(&stamped.event) {
                        self.groups.add(kind, &record);
                    }
                }
                continue;
            }
            self.forget_before(stamped.at);
            match &stamped.event {
                Event::Scan(s) => self.scan_at(stamped.at, &ScanFact::from(s)),
                Event::Transaction(t) => self.receipt_at(stamped.at, &ReceiptFact::from(&**t)),
                Event::ItemChange(c) => self.change_at(&ChangeFact::from(&**c)),
                _ => {}
            }
        }
    }

    /// Counts an item-master change record.
    pub fn change(&mut self, fact: &ChangeFact) {
        self.counts[EventKind::ItemChange.index()] += 1;
        self.change_at(fact);
    }

    fn change_at(&mut self, fact: &ChangeFact) {
        *self.changes.entry((fact.date, fact.op)).or_default() += 1;
        let m = &mut self.item_master;
        match fact.op {
            'c' => m.items += 1,
            'd' => m.items = m.items.saturating_sub(1),
            _ => {}
        }
        if let Some(before) = fact.before {
            m.price_sum = m.price_sum - before;
        }
        if let Some(after) = fact.after {
            m.price_sum += after;
        }
    }

    /// Counts a record of `kind` that is neither a scan nor a receipt,
    /// given as its JSON object (read back from a file).
    pub fn record(&mut self, kind: EventKind, record: &serde_json::Value) {
        self.counts[kind.index()] += 1;
        if self.groups.wants(kind) {
            self.groups.add(kind, record);
        }
    }

    /// Whether the records of `kind` are summed beyond their count (so
    /// [`Tally::record`] needs them parsed).
    pub fn sums(&self, kind: EventKind) -> bool {
        self.groups.wants(kind)
    }

    /// Counts `n` records of `kind` that nothing sums.
    pub fn count(&mut self, kind: EventKind, n: u64) {
        self.counts[kind.index()] += n;
    }

    /// Counts a scan record (in any order, for an unbounded tally).
    pub fn scan(&mut self, fact: &ScanFact) {
        self.counts[EventKind::Scan.index()] += 1;
        self.forget_before(fact.ts);
        self.scan_at(fact.ts, fact);
    }

    /// Counts a receipt record (in any order, for an unbounded tally).
    pub fn receipt(&mut self, fact: &ReceiptFact) {
        self.counts[EventKind::Transaction.index()] += 1;
        self.forget_before(fact.ts);
        self.receipt_at(fact.ts, fact);
    }

    /// Forgets the ids no record delivered at or after `now` can belong to.
    fn forget_before(&mut self, now: SimTime) {
        let Some(h) = self.horizon else { return };
        while let Some(&(first, key)) = self.seen.front() {
            if first.0.saturating_add(h) >= now.0 {
                break;
            }
            self.finals.remove(&key);
            self.seen.pop_front();
        }
    }

    /// Starts reading another kind's records (files): its ids are its own,
    /// and its times start again from the beginning.
    pub fn next_kind(&mut self) {
        self.finals.clear();
        self.seen.clear();
    }

    fn remember(&mut self, at: SimTime, key: u128) {
        if self.horizon.is_some() {
            self.seen.push_back((at, key));
        }
    }

    fn local_hour(&mut self, store_id: u32, ts: SimTime) -> LocalHour {
        match self.zones.get_mut(&store_id) {
            Some(zone) => zone.local_hour(ts),
            // A store the world does not know: UTC.
            None => Zone::new(Tz::UTC).local_hour(ts),
        }
    }

    fn scan_at(&mut self, at: SimTime, fact: &ScanFact) {
        let day = self
            .store_days
            .entry((fact.store_id, fact.date))
            .or_default();
        day.scan_rows += 1;
        day.scan_amount += fact.net;
        let hour = self.local_hour(fact.store_id, fact.ts);
        if let (Some(recent), Some(h)) = (&mut self.recent, self.horizon) {
            let lines = recent.entry(fact.store_id).or_default();
            while lines.front().is_some_and(|(first, ..)| first.0 + h < at.0) {
                lines.pop_front();
            }
            if fact.quantity > 0 {
                lines.push_back((at, *fact, hour));
            } else if let Some(i) = lines
                .iter()
                .rposition(|(_, f, _)| (f.seq, f.line, f.date) == (fact.seq, fact.line, fact.date))
            {
                // A void: its line leaves the sums.
                if let Some((_, old, old_hour)) = lines.remove(i) {
                    self.add_line(&old, old_hour, -1);
                }
            }
            self.add_line(fact, hour, 1);
            return;
        }
        let key = fact_key(fact.store_id, fact.date, fact.seq, fact.line);
        match self.finals.entry(key) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Final::Scan(*fact, hour));
                self.remember(at, key);
            }
            std::collections::hash_map::Entry::Occupied(mut o) => match *o.get() {
                // The same version again (a duplicate), or an older one.
                Final::Scan(old, _) if old.ts >= fact.ts => return,
                Final::Scan(old, old_hour) => {
                    o.insert(Final::Scan(*fact, hour));
                    self.add_line(&old, old_hour, -1);
                }
                Final::Receipt => return,
            },
        }
        self.add_line(fact, hour, 1);
    }

    fn add_line(&mut self, fact: &ScanFact, hour: LocalHour, sign: i64) {
        let net = fact.net * sign;
        let units = i64::from(fact.quantity) * sign;
        let day = self
            .store_days
            .entry((fact.store_id, fact.date))
            .or_default();
        if fact.quantity > 0 {
            day.lines += sign;
        }
        day.net_sales += net;
        self.hours.entry(hour).or_default().1 += net;
        let cat = self
            .category_days
            .entry((fact.date, fact.category))
            .or_default();
        cat.0 += units;
        cat.1 += net;
        *self.item_days.entry((fact.date, fact.sku)).or_default() += units;
    }

    fn receipt_at(&mut self, at: SimTime, fact: &ReceiptFact) {
        if self.recent.is_none() {
            // Delivered twice, perhaps: count it once.
            let key = fact_key(fact.store_id, fact.date, fact.seq, 0);
            if self.finals.insert(key, Final::Receipt).is_some() {
                return;
            }
            self.remember(at, key);
        }
        self.store_days
            .entry((fact.store_id, fact.date))
            .or_default()
            .transactions += 1;
        let hour = self.local_hour(fact.store_id, fact.ts);
        self.hours.entry(hour).or_default().0 += 1;
        *self.baskets.entry(fact.item_count).or_default() += 1;
        *self.waits.entry(fact.queue_wait_ms / 1000).or_default() += 1;
        self.max_wait_ms = self.max_wait_ms.max(fact.queue_wait_ms);
    }

    /// The manifest: `run` describes the run; a shard's manifest
    /// (`run.shard` other than `1/1`) keeps the units of every item.
    pub fn finish(self, run: RunInfo) -> Manifest {
        let counts = self
            .kinds
            .iter()
            .map(|k| (k.as_str().to_string(), self.counts[k.index()]))
            .collect();
        let chain = self.chain.then(|| {
            let keep_items = run.shard != "1/1";
            let store_days = sorted(self.store_days);
            let hours = sorted(self.hours);
            let cats = sorted(self.category_days);
            let items: Vec<ItemDay> = sorted(self.item_days)
                .into_iter()
                .filter(|&(_, units)| units != 0)
                .map(|((date, sku), units)| ItemDay {
                    day: day_text(date),
                    sku,
                    units: units.max(0) as u64,
                })
                .collect();
            let mut truth = ChainTruth {
                store_days: store_days
                    .into_iter()
                    .map(|((store_id, date), d)| StoreDay {
                        store_id,
                        day: day_text(date),
                        transactions: d.transactions,
                        lines: d.lines.max(0) as u64,
                        net_sales: d.net_sales,
                        scan_rows: d.scan_rows,
                        scan_amount: d.scan_amount,
                    })
                    .collect(),
                hours: hours
                    .into_iter()
                    .filter(|(_, (transactions, net))| *transactions != 0 || net.0 != 0)
                    .map(|((date, hour), (transactions, net_sales))| HourRow {
                        day: day_text(date),
                        hour,
                        transactions,
                        net_sales,
                    })
                    .collect(),
                category_days: cats
                    .into_iter()
                    .filter(|(_, (units, net))| *units != 0 || net.0 != 0)
                    .map(|((date, category), (units, net_sales))| CategoryDay {
                        day: day_text(date),
                        category,
                        units: units.max(0) as u64,
                        net_sales,
                    })
                    .collect(),
                top_items: Vec::new(),
                item_changes: self
                    .changes
                    .into_iter()
                    .map(|((date, op), changes)| ItemChangeDay {
                        day: day_text(date),
                        op: op.to_string(),
                        changes,
                    })
                    .collect(),
                item_master: self.item_master,
                basket_sizes: basket_sizes(self.baskets),
                queue_wait: QueueWait::from_counts(self.waits, self.max_wait_ms),
                item_days: items,
            };
            truth.top_items = top_items(&truth.item_days);
            if !keep_items {
                truth.item_days = Vec::new();
            }
            truth
        });
        Manifest {
            format: FORMAT.to_string(),
            run,
            semantics: semantics(),
            counts,
            chain,
            groups: self.groups.finish(),
        }
    }
}

/// How long after an id's first record (by delivery or event time)
/// another record of it can come: the longest void delay plus the longest
/// late and duplicate delays, and a second.
fn horizon(p: &crate::params::ModelParams) -> i64 {
    p.checkout.void_delay_s.1.max(0) * 1_000_000
        + p.delivery.late_delay_us.1.max(0)
        + p.delivery.duplicate_delay_us.1.max(0)
        + 1_000_000
}

/// The manifest's `semantics`: how its numbers are counted.
fn semantics() -> Vec<String> {
    [
        "counts: records delivered by kind, duplicate deliveries and voids included",
        "aggregates: by event time; each scan line in its final version (the latest ts for its event_id; a void, quantity 0, cancels the line), each receipt once",
        "day: the store's local business date (transaction_id); hour: the local hour of the event in the store's time zone",
        "store_days.scan_rows and scan_amount: every scan record delivered, as landed",
        "money: exact decimal text; queue waits: whole seconds, nearest-rank percentiles",
        "groups (scenarios other than the chain): every record delivered, duplicates included, by the date of its own time field",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// Each day's [`TOP_ITEMS`] items by units (ties: the lower sku first).
fn top_items(item_days: &[ItemDay]) -> Vec<TopItem> {
    let mut by_day: BTreeMap<&str, Vec<&ItemDay>> = BTreeMap::new();
    for item in item_days.iter().filter(|i| i.units > 0) {
        by_day.entry(&item.day).or_default().push(item);
    }
    let mut out = Vec::new();
    for (day, mut items) in by_day {
        items.sort_unstable_by(|a, b| b.units.cmp(&a.units).then(a.sku.cmp(&b.sku)));
        out.extend(
            items
                .iter()
                .take(TOP_ITEMS)
                .zip(1..)
                .map(|(i, rank)| TopItem {
                    day: day.to_string(),
                    rank,
                    sku: i.sku,
                    units: i.units,
                }),
        );
    }
    out
}

/// Receipts by units in the basket, as rows.
fn basket_sizes(counts: BTreeMap<u32, u64>) -> Vec<BasketSize> {
    counts
        .into_iter()
        .map(|(items, transactions)| BasketSize {
            items,
            transactions,
        })
        .collect()
}

impl QueueWait {
    /// The waits of receipts counted by whole seconds waited.
    fn from_counts(counts: BTreeMap<u32, u64>, max_ms: u32) -> QueueWait {
        let histogram = counts
            .into_iter()
            .map(|(seconds, transactions)| WaitBucket {
                seconds,
                transactions,
            })
            .collect();
        QueueWait::from_histogram(histogram, max_ms)
    }

    /// The waits of a histogram (ordered by seconds) and the longest wait.
    pub fn from_histogram(histogram_s: Vec<WaitBucket>, max_ms: u32) -> QueueWait {
        let transactions: u64 = histogram_s.iter().map(|b| b.transactions).sum();
        let mut percentiles_s = BTreeMap::new();
        if transactions > 0 {
            for (q, name) in PERCENTILES {
                // Nearest rank: the first value whose cumulative share is >= q.
                let rank = ((q * transactions as f64).ceil() as u64).max(1);
                let mut seen = 0;
                for b in &histogram_s {
                    seen += b.transactions;
                    if seen >= rank {
                        percentiles_s.insert(name.to_string(), b.seconds);
                        break;
                    }
                }
            }
        }
        QueueWait {
            transactions,
            percentiles_s,
            max_ms,
            histogram_s,
        }
    }
}

/// Why manifests cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(String);

/// The shards `K` (sorted) and `N` of a manifest's `shard` (`2/4`, `1+3/4`).
fn parse_shards(text: &str) -> Option<(Vec<u32>, u32)> {
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

fn merge_chain(parts: &[&ChainTruth], complete: bool) -> ChainTruth {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(seq: u32, line: u16, ts: i64, quantity: u16, net: i64) -> ScanFact {
        ScanFact {
            store_id: 7,
            date: 20261123,
            seq,
            line,
            ts: SimTime(ts),
            sku: 100 + u32::from(line),
            category: 5,
            quantity,
            net: Money(net),
        }
    }

    fn world() -> std::sync::Arc<World> {
        crate::testing::world()
    }

    fn run() -> RunInfo {
        RunInfo {
            scenario: "t".into(),
            model: "chain".into(),
            scenario_digest: "d".into(),
            seed: 1,
            start: "s".into(),
            end: "e".into(),
            stores: 1,
            items: 10,
            shard: "1/1".into(),
            schema: "storesim".into(),
            version: "0".into(),
        }
    }

    fn day(m: &Manifest) -> StoreDay {
        m.chain.as_ref().unwrap().store_days[0].clone()
    }

    #[test]
    fn a_void_cancels_its_line_in_any_order_and_duplicates_count_once() {
        let sale = fact(1, 1, 1_000, 2, 398);
        let other = fact(1, 2, 2_000, 1, 150);
        let void = fact(1, 1, 90_000_000, 0, 0);
        let orders = [
            vec![sale, other, void],
            vec![void, sale, other, other],
            vec![other, void, sale, void],
        ];
        let mut days = Vec::new();
        for records in orders {
            let mut t = Tally::unbounded(&world());
            for r in &records {
                t.scan(r);
            }
            let d = day(&t.finish(run()));
            assert_eq!(d.net_sales, Money(150));
            assert_eq!(d.lines, 1);
            assert_eq!(d.scan_rows, records.len() as u64);
            days.push(d);
        }
        assert_eq!(days[0].scan_amount, Money(548));
        assert_eq!(days[1].scan_amount, Money(698));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let hist = [(0, 50), (3, 40), (10, 9), (60, 1)]
            .map(|(seconds, transactions)| WaitBucket {
                seconds,
                transactions,
            })
            .to_vec();
        let q = QueueWait::from_histogram(hist, 60_500);
        assert_eq!(q.percentiles_s["p50"], 0);
        assert_eq!(q.percentiles_s["p90"], 3);
        assert_eq!(q.percentiles_s["p95"], 10);
        assert_eq!(q.percentiles_s["p99"], 10);
        assert_eq!(q.transactions, 100);
    }

    #[test]
    fn money_is_written_as_exact_text_and_read_back() {
        let mut t = Tally::unbounded(&world());
        t.scan(&fact(1, 1, 1_000, 3, 1_234_567_891));
        let m = t.finish(run());
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains(r#""net_sales":"12345678.91""#), "{json}");
        let back: Manifest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn merging_checks_the_shards() {
        let mut a = Tally::unbounded(&world()).finish(RunInfo {
            shard: "1/2".into(),
            ..run()
        });
        let b = Tally::unbounded(&world()).finish(RunInfo {
            shard: "2/2".into(),
            ..run()
        });
        let merged = Manifest::merge(&[("a".into(), a.clone()), ("b".into(), b.clone())]).unwrap();
        assert_eq!(merged.run.shard, "1/1");
        let twice = Manifest::merge(&[("a".into(), a.clone()), ("a2".into(), a.clone())]);
        assert!(twice.unwrap_err().to_string().contains("twice"));
        let partial = Manifest::merge(&[("a".into(), a.clone())]).unwrap();
        assert_eq!(partial.run.shard, "1/2");
        a.run.seed = 2;
        let other = Manifest::merge(&[("a".into(), a), ("b".into(), b)]);
        assert!(other.unwrap_err().to_string().contains("a different run"));
    }
}
