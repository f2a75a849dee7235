//! Item-master churn: the chain's merchandising team repricing, adding and
//! removing items during business hours, and the price book through which
//! stores see those changes at their exact virtual time.
//!
//! The process never depends on store state, so it is computed ahead of
//! the stores: the scheduler asks for the changes up to a horizon past the
//! window, rolls the [`PriceBook`] forward and hands it to the stores with
//! the window. A store looks up the price of an item at the moment of the
//! scan, so the output does not depend on the window length.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, Weekday};
use rand::seq::index::sample;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::events::{ChangeOp, ItemChangeEvent, ItemRow};
use crate::money::Money;
pub use crate::params::ChurnParams;
use crate::rng::{stream, StreamKind};
use crate::time::{local_to_utc, SimTime, MICROS_PER_SEC};
use crate::world::World;

/// How far past a window's end the price book must know the changes: a
/// basket's scans run at most this long after its service starts.
pub const HORIZON_MICROS: i64 = 2 * 3600 * MICROS_PER_SEC;

const VARIANTS: [&str; 6] = [
    "Value Pack",
    "Family Size",
    "Mini",
    "Plus",
    "Select",
    "Twin Pack",
];

/// The churn process of one run: its own random stream, the current item
/// master, and the time of the next round.
#[derive(Debug)]
pub struct ChurnModel {
    params: ChurnParams,
    rng: ChaCha8Rng,
    /// The current rows; `None` once deleted. Items created during the run
    /// are appended after the world's.
    rows: Vec<Option<ItemRow>>,
    world_items: usize,
    /// Live item indices by category index.
    by_category: Vec<Vec<u32>>,
    /// Indices of live items created in this run, oldest first.
    created: Vec<u32>,
    next_round: Option<SimTime>,
    next_change_id: u64,
    next_item_id: u32,
    next_upc: u64,
}

impl ChurnModel {
    /// The process for a run starting at `start`, seeded from the run seed.
    pub fn new(world: &World, seed: u64, start: SimTime) -> ChurnModel {
        let params = world.params.churn.clone();
        let rows: Vec<Option<ItemRow>> = world.items.iter().map(|i| Some(i.clone())).collect();
        let mut by_category = vec![Vec::new(); world.categories.len()];
        for (k, item) in world.items.iter().enumerate() {
            by_category[usize::from(item.category_index)].push(k as u32);
        }
        let mut model = ChurnModel {
            rng: stream(seed, StreamKind::Catalog, 0),
            world_items: rows.len(),
            next_item_id: (world.items.iter().map(|i| i.item_id).max().unwrap_or(0) + 1)
                .max(world.params.churn.first_new_item_id),
            created: Vec::new(),
            next_upc: world.items.iter().map(|i| i.item_upc).max().unwrap_or(0) + 1,
            rows,
            by_category,
            next_round: None,
            next_change_id: 1,
            params,
        };
        if model.params.enabled {
            let first = model.gap(start);
            model.next_round = Some(model.in_business_hours(first));
        }
        model
    }

    fn gap(&mut self, from: SimTime) -> SimTime {
        let (lo, hi) = self.params.gap_minutes;
        let minutes = if hi > lo {
            self.rng.random_range(lo..=hi)
        } else {
            lo
        };
        from.plus_micros((minutes * 60.0 * MICROS_PER_SEC as f64) as i64)
    }

    /// `t` if it falls in business hours, else the next opening.
    fn in_business_hours(&self, t: SimTime) -> SimTime {
        let tz = self.params.time_zone;
        let mut date = t.to_datetime().with_timezone(&tz).date_naive();
        for _ in 0..8 {
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            if !weekend || self.params.weekends {
                let open = local_to_utc(tz, date, self.params.open_minute);
                let close = local_to_utc(tz, date, self.params.close_minute);
                if t < open {
                    return open;
                }
                if t < close {
                    return t;
                }
            }
            date = date.succ_opt().expect("date in range");
        }
        t
    }

    /// Appends the changes made before `until`, in order.
    pub fn advance(&mut self, until: SimTime, out: &mut Vec<ItemChangeEvent>) {
        while let Some(round) = self.next_round {
            if round >= until {
                break;
            }
            self.round(round, out);
            let next = self.gap(round);
            self.next_round = Some(self.in_business_hours(next));
        }
    }

    /// One round: a category, some of its items repriced, a few added and
    /// a few removed, a millisecond apart.
    fn round(&mut self, at: SimTime, out: &mut Vec<ItemChangeEvent>) {
        let live: Vec<usize> = (0..self.by_category.len())
            .filter(|&c| !self.by_category[c].is_empty())
            .collect();
        if live.is_empty() {
            return;
        }
        let c = live[self.rng.random_range(0..live.len())];
        let mut t = at;
        let (lo, hi) = self.params.reprice_items;
        let n = self.rng.random_range(lo..=hi.max(lo)) as usize;
        let members = &self.by_category[c];
        let n = n.min(members.len());
        let mut picked: Vec<u32> = sample(&mut self.rng, members.len(), n)
            .into_iter()
            .map(|k| members[k])
            .collect();
        picked.sort_unstable();
        let pct = self.params.max_price_change_pct / 100.0;
        for index in picked {
            let Some(before) = self.rows[index as usize].clone() else {
                continue;
            };
            let factor = 1.0 + self.rng.random_range(-pct..=pct);
            let price = Money(((before.item_price.0 as f64) * factor).round().max(1.0) as i64);
            if price == before.item_price {
                continue;
            }
            let mut after = before.clone();
            after.item_price = price;
            self.rows[index as usize] = Some(after.clone());
            t = t.plus_micros(1000);
            self.push(out, t, ChangeOp::Update, index, Some(before), Some(after));
        }
        let (lo, hi) = self.params.new_items;
        let adds = self.rng.random_range(lo..=hi.max(lo));
        for _ in 0..adds {
            let members = &self.by_category[c];
            let template = members[self.rng.random_range(0..members.len())];
            let Some(base) = self.rows[template as usize].clone() else {
                continue;
            };
            let variant = VARIANTS[self.rng.random_range(0..VARIANTS.len())];
            let factor = self.rng.random_range(0.8..=1.25);
            let row = ItemRow {
                item_id: self.next_item_id,
                item_upc: self.next_upc,
                item_name: format!("{} {variant}", base.item_name),
                item_price: Money(((base.item_price.0 as f64) * factor).round().max(1.0) as i64),
                item_cost: Money(((base.item_cost.0 as f64) * factor).round().max(1.0) as i64),
                ..base
            };
            self.next_item_id += 1;
            self.next_upc += 1;
            // Created items are not sold in this run: they have no index
            // in the world's item master.
            let index = self.rows.len() as u32;
            self.rows.push(Some(row.clone()));
            self.created.push(index);
            t = t.plus_micros(1000);
            self.push(out, t, ChangeOp::Create, index, None, Some(row));
        }
        let (lo, hi) = self.params.removed_new_items;
        let removes = self.rng.random_range(lo..=hi.max(lo)) as usize;
        // Only items created in earlier rounds, as in the reference demo.
        let removable = self.created.len().saturating_sub(adds as usize);
        for _ in 0..removes.min(removable) {
            let k = self.rng.random_range(0..self.created.len() - adds as usize);
            let index = self.created.remove(k);
            let before = self.rows[index as usize].take();
            t = t.plus_micros(1000);
            self.push(out, t, ChangeOp::Delete, index, before, None);
        }
    }

    fn push(
        &mut self,
        out: &mut Vec<ItemChangeEvent>,
        ts: SimTime,
        op: ChangeOp,
        index: u32,
        before: Option<ItemRow>,
        after: Option<ItemRow>,
    ) {
        let item_id = after.as_ref().or(before.as_ref()).map_or(0, |r| r.item_id);
        out.push(ItemChangeEvent {
            change_id: self.next_change_id,
            ts,
            op,
            item_id,
            before,
            after,
            item_index: ((index as usize) < self.world_items).then_some(index),
        });
        self.next_change_id += 1;
    }
}

/// Prices and availability of the world's items over time, as the stores
/// see them: the state at `from` plus the changes after it, up to the
/// horizon the scheduler computed. An empty book (no churn) knows nothing,
/// and the stores use the catalog.
#[derive(Debug, Clone, Default)]
pub struct PriceBook {
    /// Price and whether the item is sold, by item index, at `from`.
    base: Arc<Vec<(Money, bool)>>,
    /// Changes at or after `from`, by item index, in time order.
    pending: BTreeMap<u32, Vec<(SimTime, Money, bool)>>,
    /// One bit per item index: whether it has pending changes (a scan of
    /// an item without any skips the map).
    mask: Vec<u64>,
}

impl PriceBook {
    /// Every item at its catalog price, for sale, with no changes.
    pub fn new(world: &World) -> PriceBook {
        PriceBook {
            base: Arc::new(world.items.iter().map(|i| (i.item_price, true)).collect()),
            pending: BTreeMap::new(),
            mask: Vec::new(),
        }
    }

    /// The book from `from` on: changes before `from` folded into the
    /// base, `changes` (after every change already known) added. The book
    /// must have been made by [`PriceBook::new`].
    pub fn roll(&self, from: SimTime, changes: &[ItemChangeEvent]) -> PriceBook {
        let mut base = Arc::clone(&self.base);
        let mut pending = BTreeMap::new();
        for (&index, list) in &self.pending {
            let mut keep = Vec::new();
            for &(ts, price, sold) in list {
                if ts < from {
                    Arc::make_mut(&mut base)[index as usize] = (price, sold);
                } else {
                    keep.push((ts, price, sold));
                }
            }
            if !keep.is_empty() {
                pending.insert(index, keep);
            }
        }
        for c in changes {
            let Some(index) = c.item_index else { continue };
            let price = match (&c.after, &c.before) {
                (Some(row), _) | (None, Some(row)) => row.item_price,
                (None, None) => continue,
            };
            let sold = c.after.is_some();
            if c.ts < from {
                Arc::make_mut(&mut base)[index as usize] = (price, sold);
            } else {
                pending
                    .entry(index)
                    .or_insert_with(Vec::new)
                    .push((c.ts, price, sold));
            }
        }
        let mut mask = vec![0u64; base.len().div_ceil(64)];
        for &index in pending.keys() {
            mask[index as usize / 64] |= 1 << (index % 64);
        }
        PriceBook {
            base,
            pending,
            mask,
        }
    }

    fn at(&self, index: u32, t: SimTime) -> Option<(Money, bool)> {
        let base = self.base.get(index as usize).copied();
        let flagged = self
            .mask
            .get(index as usize / 64)
            .is_some_and(|w| w & (1 << (index % 64)) != 0);
        if !flagged {
            return base;
        }
        match self.pending.get(&index) {
            None => base,
            Some(list) => {
                let k = list.partition_point(|&(ts, _, _)| ts <= t);
                if k == 0 {
                    base
                } else {
                    let (_, price, sold) = list[k - 1];
                    Some((price, sold))
                }
            }
        }
    }

    /// The shelf price of item `index` at `t` (its last price if removed;
    /// before the book's start, its price at the start), or `None` if the
    /// book does not know (no churn: the catalog price).
    pub fn price(&self, index: u32, t: SimTime) -> Option<Money> {
        self.at(index, t).map(|(price, _)| price)
    }

    /// Whether item `index` is for sale at `t`.
    pub fn for_sale(&self, index: u32, t: SimTime) -> bool {
        self.at(index, t).is_none_or(|(_, sold)| sold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn churning_world() -> World {
        let mut w = (*testing::world()).clone();
        w.params.churn.enabled = true;
        w
    }

    #[test]
    fn changes_come_in_business_hours_in_order_and_are_reproducible() {
        let w = churning_world();
        // Monday 2026-11-23 00:00 UTC, a week.
        let start = SimTime::from_datetime(
            &chrono::DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z").unwrap(),
        );
        let end = start.plus_micros(7 * 24 * 3600 * MICROS_PER_SEC);
        let mut a = Vec::new();
        ChurnModel::new(&w, 9, start).advance(end, &mut a);
        let mut b = Vec::new();
        let mut m = ChurnModel::new(&w, 9, start);
        // In pieces: the same changes.
        let mut t = start;
        while t < end {
            t = t.plus_micros(3600 * MICROS_PER_SEC);
            m.advance(t, &mut b);
        }
        assert_eq!(a, b);
        assert!(a.len() > 100, "{}", a.len());
        assert!(a
            .windows(2)
            .all(|p| p[0].ts < p[1].ts && p[0].change_id + 1 == p[1].change_id));
        for c in &a {
            let local =
                c.ts.to_datetime()
                    .with_timezone(&chrono_tz::America::Chicago);
            assert!(
                !matches!(local.weekday(), Weekday::Sat | Weekday::Sun),
                "{local}"
            );
            // A round starts before 17:00 and its changes follow within a second.
            assert!(
                (9..=17).contains(&chrono::Timelike::hour(&local)),
                "{local}"
            );
        }
        for op in [ChangeOp::Create, ChangeOp::Update, ChangeOp::Delete] {
            assert!(a.iter().any(|c| c.op == op), "no {op:?}");
        }
        let moves_ok = a.iter().filter(|c| c.op == ChangeOp::Update).all(|c| {
            let (b, a) = (c.before.as_ref().unwrap(), c.after.as_ref().unwrap());
            let r = a.item_price.0 as f64 / b.item_price.0 as f64;
            (0.89..=1.11).contains(&r) || b.item_price.0 < 20
        });
        assert!(moves_ok);
    }

    #[test]
    fn the_book_answers_by_time_whatever_the_roll_points() {
        let w = churning_world();
        let start = SimTime::from_datetime(
            &chrono::DateTime::parse_from_rfc3339("2026-11-24T00:00:00Z").unwrap(),
        );
        let end = start.plus_micros(24 * 3600 * MICROS_PER_SEC);
        let mut changes = Vec::new();
        ChurnModel::new(&w, 4, start).advance(end, &mut changes);
        let one = PriceBook::new(&w).roll(start, &changes);
        // Rolled every 7 minutes with only the changes known by then + horizon.
        let mut rolled = PriceBook::new(&w);
        let mut given = 0;
        let mut t = start;
        while t < end {
            let known = changes.partition_point(|c| c.ts < t.plus_micros(HORIZON_MICROS));
            rolled = rolled.roll(t, &changes[given..known]);
            given = known;
            for c in changes.iter().filter(|c| c.item_index.is_some()) {
                let i = c.item_index.unwrap();
                for probe in [c.ts.plus_micros(-1), c.ts, c.ts.plus_micros(1)] {
                    if probe >= t && probe < t.plus_micros(420 * MICROS_PER_SEC) {
                        assert_eq!(rolled.at(i, probe), one.at(i, probe));
                    }
                }
            }
            t = t.plus_micros(420 * MICROS_PER_SEC);
        }
        let update = changes.iter().find(|c| c.op == ChangeOp::Update).unwrap();
        let i = update.item_index.unwrap();
        assert_eq!(
            one.price(i, update.ts),
            Some(update.after.as_ref().unwrap().item_price)
        );
        assert_eq!(
            one.price(i, update.ts.plus_micros(-1)),
            Some(update.before.as_ref().unwrap().item_price)
        );
        // Deletes remove items created in the run, which stores never sell.
        let delete = changes.iter().find(|c| c.op == ChangeOp::Delete).unwrap();
        assert!(delete.item_index.is_none());
        assert!(delete.item_id >= 50_000);
    }
}
