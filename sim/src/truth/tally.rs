//! The tally: a run's delivered events (or the records read back from files)
//! summed into its ground truth.

use super::*;

/// The id of a scan line, or of a receipt (line 0).
pub(super) fn fact_key(store_id: u32, date: u32, seq: u32, line: u16) -> u128 {
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
    pub(super) fn new(tz: Tz) -> Zone {
        Zone {
            tz,
            from: SimTime(0),
            to: SimTime(0),
            hour: (0, 0),
        }
    }

    pub(super) fn local_hour(&mut self, ts: SimTime) -> LocalHour {
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

    pub(super) fn new(world: &World, horizon: Option<i64>) -> Tally {
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

    pub(super) fn change_at(&mut self, fact: &ChangeFact) {
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
    pub(super) fn forget_before(&mut self, now: SimTime) {
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

    pub(super) fn remember(&mut self, at: SimTime, key: u128) {
        if self.horizon.is_some() {
            self.seen.push_back((at, key));
        }
    }

    pub(super) fn local_hour(&mut self, store_id: u32, ts: SimTime) -> LocalHour {
        match self.zones.get_mut(&store_id) {
            Some(zone) => zone.local_hour(ts),
            // A store the world does not know: UTC.
            None => Zone::new(Tz::UTC).local_hour(ts),
        }
    }

    pub(super) fn scan_at(&mut self, at: SimTime, fact: &ScanFact) {
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

    pub(super) fn add_line(&mut self, fact: &ScanFact, hour: LocalHour, sign: i64) {
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

    pub(super) fn receipt_at(&mut self, at: SimTime, fact: &ReceiptFact) {
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
pub(super) fn horizon(p: &crate::params::ModelParams) -> i64 {
    p.checkout.void_delay_s.1.max(0) * 1_000_000
        + p.delivery.late_delay_us.1.max(0)
        + p.delivery.duplicate_delay_us.1.max(0)
        + 1_000_000
}

/// The manifest's `semantics`: how its numbers are counted.
pub(super) fn semantics() -> Vec<String> {
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
pub(super) fn top_items(item_days: &[ItemDay]) -> Vec<TopItem> {
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
pub(super) fn basket_sizes(counts: BTreeMap<u32, u64>) -> Vec<BasketSize> {
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
    pub(super) fn from_counts(counts: BTreeMap<u32, u64>, max_ms: u32) -> QueueWait {
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
