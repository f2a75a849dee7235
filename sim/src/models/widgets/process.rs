//! One store's process: the clock of its three systems, the daily tick, prices,
//! and the defects it injects.

use super::*;

impl WidgetsModel {
    /// Store `index` of `world` over `span`.
    ///
    /// # Panics
    ///
    /// If the world is not a widgets world or was not validated.
    pub fn new(world: Arc<World>, index: usize, seed: u64, span: RunSpan) -> WidgetsModel {
        let params = params_of::<WidgetsParams>(&world);
        let store = &world.stores[index];
        let store_id = store.store_id;
        let (start, emit_from, end) = world.model_span(index, span);
        let first_day = match span {
            RunSpan::LocalDays { first, .. } => first,
            RunSpan::Utc { start, .. } => start.utc_date(),
        };
        let online = Arrivals::new(Arc::clone(&world), index, start, end);
        let in_store = Arrivals::new(Arc::clone(&world), index, start, end)
            .with_per_day(params.store_sales_per_day);
        let tz = store.tz;
        let start_date = start.to_datetime().with_timezone(&tz).date_naive();
        let mut model = WidgetsModel {
            rng: stream(seed, StreamKind::Store, store_id),
            outbox: Outbox::new(world.params.delivery, seed, store_id, emit_from),
            lines: WeightedIndex::new(params.lines_per_order.clone()).expect("validated"),
            quantity: WeightedIndex::new(params.quantity.clone()).expect("validated"),
            online,
            in_store,
            emit_from,
            start,
            end,
            first_day,
            next_online: None,
            next_sale: None,
            next_tick: Some((start, start_date)),
            customers: Vec::new(),
            orderable: 0,
            sales: Vec::new(),
            loaded: false,
            prices: Vec::new(),
            priced_day: -1,
            counters: StoreCounters::default(),
            order_ids: TxnIds::default(),
            sale_ids: TxnIds::default(),
            movement_seq: 0,
            wu: Vec::new(),
            wu_shipments: Vec::new(),
            wu_changed: Default::default(),
            wu_store_loaded: start,
            wu_masters_loaded: start,
            order_seq: 0,
            sale_seq: 0,
            index,
            store_id,
            params,
            world,
        };
        model.next_online = model.draw_online();
        model.next_sale = model.draw_sale();
        model
    }

    /// The UTC interval the store trades in.
    pub fn span(&self) -> (SimTime, SimTime) {
        (self.start, self.end)
    }

    /// Counters so far (`arrivals` counts online orders, `served` sales).
    pub fn counters(&self) -> StoreCounters {
        self.counters
    }

    /// Whether nothing is left to happen.
    pub fn is_done(&self) -> bool {
        self.next_online.is_none()
            && self.next_sale.is_none()
            && self.next_tick.is_none()
            && self.outbox.is_empty()
    }

    /// Simulates up to `until` (exclusive) and appends every event
    /// delivered before it to `out`.
    pub fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        loop {
            let tick = self.next_tick.map(|(t, _)| t);
            let next = [tick, self.next_sale, self.next_online]
                .into_iter()
                .flatten()
                .min();
            let Some(t) = next.filter(|&t| t < until) else {
                break;
            };
            // Ties: the day turns first, then a sale, then an order.
            if tick == Some(t) {
                let (_, date) = self.next_tick.take().expect("a tick");
                self.tick(t, date);
            } else if self.next_sale == Some(t) {
                self.sale(t);
                self.next_sale = self.draw_sale();
            } else {
                self.order(t);
                self.next_online = self.draw_online();
            }
        }
        self.outbox.drain(until, out);
    }

    pub(super) fn draw_online(&mut self) -> Option<SimTime> {
        let (t, hour) = self.online.next(&mut self.rng)?;
        self.counters.arrivals_by_hour[usize::from(hour)] += 1;
        Some(t)
    }

    pub(super) fn draw_sale(&mut self) -> Option<SimTime> {
        self.in_store.next(&mut self.rng).map(|(t, _)| t)
    }

    pub(super) fn emit(&mut self, event: Event) {
        self.outbox.push(event, &mut self.counters);
    }

    pub(super) fn tz(&self) -> chrono_tz::Tz {
        self.world.stores[self.index].tz
    }

    pub(super) fn store_code(&self) -> String {
        format!("S{}", self.store_id)
    }

    /// Draws the defect a record carries, among those it is eligible for.
    pub(super) fn defect(&mut self, eligible: &[Defect]) -> Option<Defect> {
        let u: f64 = self.rng.random();
        let mut acc = 0.0;
        for d in eligible {
            acc += self.params.dirty[*d as usize];
            if u < acc {
                return Some(*d);
            }
        }
        None
    }

    pub(super) fn label(
        &mut self,
        ts: SimTime,
        system: &'static str,
        record_kind: &'static str,
        record_id: String,
        defect: Defect,
        field: Option<&'static str>,
    ) {
        self.emit(Event::DirtyLabel(Box::new(DirtyLabel {
            ts,
            system,
            record_kind,
            record_id,
            defect,
            field,
            store_id: self.store_id,
        })));
    }

    pub(super) fn bad_date(&mut self) -> String {
        const BAD: [&str; 6] = [
            "2026-02-30",
            "13/45/2026",
            "32.13.2026",
            "",
            "N/A",
            "0000-00-00",
        ];
        BAD[self.rng.random_range(0..BAD.len())].to_string()
    }

    pub(super) fn bad_email(&mut self, good: &str) -> String {
        let (local, domain) = good.split_once('@').unwrap_or((good, "example.com"));
        match self.rng.random_range(0..5) {
            0 => format!("{local}@@{domain}"),
            1 => format!("{local}.{domain}"),
            2 => format!("{local}@"),
            3 => format!("{local} @{domain}"),
            _ => format!("{local}@{}", domain.split('.').next().unwrap_or(domain)),
        }
    }

    pub(super) fn out_of_range(&mut self, range: (i64, i64)) -> i64 {
        match self.rng.random_range(0..3) {
            0 => -self.rng.random_range(1..=5),
            1 => range.0 - 1,
            _ => range.1 * 10 + self.rng.random_range(0..1000),
        }
    }

    /// Products in the master on `date` (the same in every store).
    pub(super) fn product_count(&self, date: NaiveDate) -> u32 {
        let days = (date - self.first_day).num_days().max(0) as u32;
        self.params.initial_products + days * self.params.new_products_per_day
    }

    pub(super) fn product_base(&self, k: u32) -> (Money, Money, u32, String, String) {
        let h = product_hash(k);
        let p = &self.params;
        let price = Money::from_cents(199 + (h % 20_000) as i64);
        let cost = price.apply_basis_points(4_000 + ((h >> 20) % 3_000) as i64);
        let supplier = 1 + ((h >> 32) as u32 % p.suppliers);
        let adjective = &p.product_adjectives[(h >> 40) as usize % p.product_adjectives.len()];
        let noun = &p.product_nouns[(h >> 48) as usize % p.product_nouns.len()];
        let category = noun.clone();
        (
            price,
            cost,
            supplier,
            format!("{adjective} {noun} {}", 10 + k % 90),
            category,
        )
    }

    /// Whether product `k` is repriced on day `d` (after the first).
    pub(super) fn repriced(&self, k: u32, d: i64) -> Option<i64> {
        let h = splitmix64(product_hash(k) ^ (d as u64).wrapping_mul(0x9E37_79B9));
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        (u < self.params.reprice_share).then_some(if h & 1 == 0 { 500 } else { -500 })
    }

    /// Rolls the price table forward to `date`.
    pub(super) fn prices_on(&mut self, date: NaiveDate) {
        let d = (date - self.first_day).num_days().max(0);
        while self.priced_day < d {
            self.priced_day += 1;
            let day = self.priced_day;
            let n = self.product_count(self.first_day + chrono::Duration::days(day));
            while (self.prices.len() as u32) < n {
                let k = self.prices.len() as u32 + 1;
                self.prices.push(self.product_base(k).0);
            }
            if day > 0 {
                for k in 1..=self.prices.len() as u32 {
                    if let Some(bp) = self.repriced(k, day) {
                        let p = self.prices[k as usize - 1];
                        self.prices[k as usize - 1] =
                            (p + p.apply_basis_points(bp)).max(Money::from_cents(99));
                    }
                }
            }
        }
    }

    /// A new day at `t` (a local midnight, the start or the end of the
    /// run): the batches of the days before, today's customer changes,
    /// and the next tick.
    pub(super) fn tick(&mut self, t: SimTime, date: NaiveDate) {
        let tz = self.tz();
        // Widgets Unlimited: each customer changes at most once a day.
        self.wu_changed.clear();
        if self.loaded {
            // Batches of what came before: at 02:00 and 03:00 after a day
            // turns; at once when a run ends mid-day (a paced run does not
            // wait for tomorrow's batch).
            let yesterday = date.pred_opt().unwrap_or(date);
            let turned = t == local_to_utc(tz, date, 0);
            let (pos_at, inv_at) = if turned {
                (local_to_utc(tz, date, 120), local_to_utc(tz, date, 180))
            } else {
                (t, t)
            };
            self.prices_on(yesterday);
            if self.unlimited() {
                self.wu_pos_batch(pos_at);
                self.wu_inventory_file(inv_at, yesterday);
            } else {
                let movements = self.pos_batch(pos_at);
                self.inventory_file(inv_at, yesterday, movements);
            }
            if self.rng.random::<f64>() < 0.01 {
                if self.unlimited() {
                    self.wu_store(pos_at, date, false);
                } else {
                    let store = self.world.stores[self.index].clone();
                    self.pos_store(pos_at, Op::Update, &store, date);
                }
            }
        } else {
            self.prices_on(date);
            self.initial_load(t.max(self.emit_from), date);
            self.loaded = true;
        }
        self.prices_on(date);
        let midnight = local_to_utc(tz, date.succ_opt().unwrap_or(date), 0);
        if t < self.end {
            // Customers made in a warm-up would never be seen: none then.
            let from = t.max(self.emit_from);
            if from < midnight.min(self.end) {
                self.customer_changes(from, midnight.min(self.end), date);
            }
        }
        self.orderable = self.customers.len();
        self.next_tick =
            (t < self.end).then(|| (midnight.min(self.end), date.succ_opt().unwrap_or(date)));
    }
}

impl crate::model::StoreProcess for WidgetsModel {
    fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        WidgetsModel::advance(self, until, out);
    }
    fn is_done(&self) -> bool {
        WidgetsModel::is_done(self)
    }
    fn counters(&self) -> StoreCounters {
        WidgetsModel::counters(self)
    }
}
