//! The store model: arrivals, shopping, register queues, service, scans and
//! receipts, as a discrete-event state machine on virtual time.
//!
//! A store is simulated alone: [`ChainStore::advance`] processes every
//! internal event before `until` and hands back the events stamped before
//! `until`, in `(ts, seq)` order. The output is a function of the world, the
//! seed and the store only; how the run is cut into windows does not change it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Poisson};

use super::events::{PaymentMethod, ScanEvent, TransactionEvent};
use crate::arrivals::Arrivals;
use crate::event::{Event, Stamped, TxnId, TxnIds};
use crate::model::StoreCounters;
use crate::models::chain::churn::PriceBook;
use crate::money::Money;
use crate::outbox::Outbox;
use crate::rng::{stream, StreamKind};
use crate::time::{SimTime, MICROS_PER_SEC};
use crate::world::{RunSpan, World};

/// First register number of the self-checkout stations.
pub const SELF_CHECKOUT_BASE: u16 = 101;

/// One shopper.
#[derive(Debug)]
struct Shopper {
    customer_id: Option<u64>,
    /// (item index, quantity)
    lines: Vec<(u32, u16)>,
    self_checkout: bool,
    joined: SimTime,
}

#[derive(Debug)]
enum Action {
    Arrival,
    DoneShopping(Shopper),
    /// A staffed lane (index) finished serving.
    LaneFree(usize),
    /// A self-checkout station (index) finished serving.
    StationFree(usize),
}

#[derive(Debug)]
struct Pending {
    at: SimTime,
    seq: u64,
    action: Action,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

#[derive(Debug, Default)]
struct Lane {
    queue: VecDeque<Shopper>,
    busy: bool,
}

impl Lane {
    fn load(&self) -> usize {
        self.queue.len() + usize::from(self.busy)
    }
}

/// One store's simulation state.
#[derive(Debug)]
pub struct ChainStore {
    world: Arc<World>,
    /// Prices and availability over time, rolled forward by the scheduler.
    prices: Arc<PriceBook>,
    index: usize,
    store_id: u32,
    rng: ChaCha8Rng,
    /// Events before this are simulated but not emitted (the warm-up).
    emit_from: SimTime,
    arrivals: Arrivals,
    calendar: BinaryHeap<Reverse<Pending>>,
    calendar_seq: u64,
    lanes: Vec<Lane>,
    stations: Vec<bool>,
    station_queue: VecDeque<Shopper>,
    outbox: Outbox,
    txn_ids: TxnIds,
    counters: StoreCounters,
    lines_mean: LogNormal<f64>,
    shop_noise: LogNormal<f64>,
    pay_noise: LogNormal<f64>,
    payment_cdf: [f64; 4],
    /// Arrival times, kept by tests to check opening hours.
    #[cfg(test)]
    arrival_log: Vec<SimTime>,
}

impl ChainStore {
    /// A store at the start of `span`, with its own random stream from `seed`.
    ///
    /// # Panics
    ///
    /// If `index` is not a store of `world`, or the world's parameters were
    /// not validated (a non-finite sigma).
    pub fn new(world: Arc<World>, index: usize, seed: u64, span: RunSpan) -> ChainStore {
        let store = &world.stores[index];
        let store_id = store.store_id;
        let (start, emit_from, end) = world.model_span(index, span);
        let p = &world.params;
        let lines_mean =
            LogNormal::new(p.basket.lines_lognormal_mu, p.basket.lines_lognormal_sigma)
                .expect("validated lognormal");
        let shop_noise = LogNormal::new(0.0, p.shopping.noise_sigma).expect("validated sigma");
        let pay_noise =
            LogNormal::new(0.0, p.checkout.payment_noise_sigma).expect("validated sigma");
        let mut payment_cdf = [0.0; 4];
        let total: f64 = p.payment.shares.iter().sum();
        let mut acc = 0.0;
        for (slot, share) in payment_cdf.iter_mut().zip(p.payment.shares) {
            acc += share / total;
            *slot = acc;
        }
        let registers = usize::from(store.registers);
        let stations = usize::from(store.self_checkouts);
        let mut model = ChainStore {
            prices: Arc::default(),
            index,
            store_id,
            rng: stream(seed, StreamKind::Store, store_id),
            emit_from,
            arrivals: Arrivals::new(Arc::clone(&world), index, start, end),
            calendar: BinaryHeap::new(),
            calendar_seq: 0,
            lanes: (0..registers).map(|_| Lane::default()).collect(),
            stations: vec![false; stations],
            station_queue: VecDeque::new(),
            outbox: Outbox::new(world.params.delivery, seed, store_id, emit_from),
            txn_ids: TxnIds::default(),
            counters: StoreCounters::default(),
            lines_mean,
            shop_noise,
            pay_noise,
            payment_cdf,
            #[cfg(test)]
            arrival_log: Vec::new(),
            world,
        };
        if let Some(t) = model.next_arrival() {
            model.schedule(t, Action::Arrival);
        }
        model
    }

    /// The store id.
    pub fn store_id(&self) -> u32 {
        self.store_id
    }

    /// The UTC interval in which this store accepts arrivals (including
    /// the warm-up before a run that starts at a UTC instant).
    pub fn span(&self) -> (SimTime, SimTime) {
        self.arrivals.span()
    }

    /// The first instant whose events are emitted.
    pub fn emit_from(&self) -> SimTime {
        self.emit_from
    }

    /// Counters so far.
    pub fn counters(&self) -> StoreCounters {
        self.counters
    }

    /// Shoppers waiting in the register and self-checkout queues (not yet
    /// served).
    pub fn queued(&self) -> usize {
        self.lanes.iter().map(|l| l.queue.len()).sum::<usize>() + self.station_queue.len()
    }

    /// Whether nothing is left to happen: no arrival to come, nobody in the
    /// store, no event waiting to be handed out.
    pub fn is_done(&self) -> bool {
        self.calendar.is_empty() && self.outbox.is_empty()
    }

    /// The price book for the coming windows (item-master churn).
    pub fn set_prices(&mut self, prices: Arc<PriceBook>) {
        self.prices = prices;
    }

    /// Simulates up to `until` (exclusive) and appends every event stamped
    /// before `until` to `out`, ordered by `(ts, seq)`.
    pub fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        while let Some(Reverse(top)) = self.calendar.peek() {
            if top.at >= until {
                break;
            }
            let Some(Reverse(p)) = self.calendar.pop() else {
                break;
            };
            self.handle(p.at, p.action);
        }
        self.outbox.drain(until, out);
    }

    fn schedule(&mut self, at: SimTime, action: Action) {
        self.calendar_seq += 1;
        self.calendar.push(Reverse(Pending {
            at,
            seq: self.calendar_seq,
            action,
        }));
    }

    fn handle(&mut self, now: SimTime, action: Action) {
        match action {
            Action::Arrival => {
                self.arrive(now);
                if let Some(t) = self.next_arrival() {
                    self.schedule(t, Action::Arrival);
                }
            }
            Action::DoneShopping(mut shopper) => {
                shopper.joined = now;
                self.join_queue(now, shopper);
            }
            Action::LaneFree(lane) => {
                self.lanes[lane].busy = false;
                if let Some(next) = self.lanes[lane].queue.pop_front() {
                    self.serve(now, lane as u16 + 1, next, Action::LaneFree(lane));
                    self.lanes[lane].busy = true;
                }
            }
            Action::StationFree(station) => {
                self.stations[station] = false;
                if let Some(next) = self.station_queue.pop_front() {
                    self.stations[station] = true;
                    self.serve(
                        now,
                        SELF_CHECKOUT_BASE + station as u16,
                        next,
                        Action::StationFree(station),
                    );
                }
            }
        }
    }

    /// A shopper walks in: decide who they are and what they will buy.
    fn arrive(&mut self, now: SimTime) {
        self.counters.arrivals += 1;
        #[cfg(test)]
        self.arrival_log.push(now);
        let world = Arc::clone(&self.world);
        let p = &world.params;
        let store = &world.stores[self.index];
        let customer_id = if self.rng.random::<f64>() < p.loyalty.member_share {
            let pool = (f64::from(p.loyalty.members_per_store) * store.traffic).max(1.0);
            // Regulars shop more often: u^2 skews toward low member numbers.
            let u: f64 = self.rng.random();
            let k = (u * u * pool) as u64;
            Some(u64::from(self.store_id) * 1_000_000 + 1 + k)
        } else {
            None
        };
        let mean = self.lines_mean.sample(&mut self.rng).min(500.0);
        let extra = Poisson::new(mean)
            .map(|d| d.sample(&mut self.rng))
            .unwrap_or(0.0);
        let n_lines = (1.0 + extra).min(f64::from(p.basket.max_lines)) as usize;
        let mut lines = Vec::with_capacity(n_lines);
        let mut units = 0u32;
        for _ in 0..n_lines {
            // An item removed from the item master is no longer on the
            // shelf: draw again (a bounded number of times).
            let mut item = world.picker.pick(&mut self.rng) as u32;
            for _ in 0..64 {
                if self.prices.for_sale(item, now) {
                    break;
                }
                item = world.picker.pick(&mut self.rng) as u32;
            }
            let qty = if self.rng.random::<f64>() < p.basket.multi_unit_share {
                let u: f64 = self.rng.random();
                let q = if u < 0.6 {
                    2
                } else if u < 0.85 {
                    3
                } else {
                    self.rng.random_range(4..=p.basket.max_quantity.max(4))
                };
                q.min(p.basket.max_quantity)
            } else {
                1
            };
            units += u32::from(qty);
            lines.push((item, qty));
        }
        let self_checkout = !self.stations.is_empty()
            && units <= p.checkout.self_max_items
            && self.rng.random::<f64>() < p.checkout.self_choice_share;
        let shop_s = ((p.shopping.base_s + p.shopping.per_line_s * n_lines as f64)
            * self.shop_noise.sample(&mut self.rng))
        .min(p.shopping.max_s);
        let done = now.plus_micros(secs(shop_s).max(MICROS_PER_SEC));
        self.schedule(
            done,
            Action::DoneShopping(Shopper {
                customer_id,
                lines,
                self_checkout,
                joined: done,
            }),
        );
    }

    /// The shopper picks a line: the self-checkout bank, or the shortest
    /// open staffed queue (lowest register number on ties).
    fn join_queue(&mut self, now: SimTime, shopper: Shopper) {
        if shopper.self_checkout {
            if let Some(station) = self.stations.iter().position(|busy| !busy) {
                self.stations[station] = true;
                self.serve(
                    now,
                    SELF_CHECKOUT_BASE + station as u16,
                    shopper,
                    Action::StationFree(station),
                );
            } else {
                self.station_queue.push_back(shopper);
            }
            return;
        }
        let open = usize::from(self.arrivals.staffed_at(now)).clamp(1, self.lanes.len().max(1));
        let lane = (0..open.min(self.lanes.len()))
            .min_by_key(|&i| (self.lanes[i].load(), i))
            .unwrap_or(0);
        if self.lanes[lane].busy {
            self.lanes[lane].queue.push_back(shopper);
        } else {
            self.lanes[lane].busy = true;
            self.serve(now, lane as u16 + 1, shopper, Action::LaneFree(lane));
        }
    }

    /// Serves a shopper at `register`: scans, payment, receipt.
    fn serve(&mut self, now: SimTime, register: u16, shopper: Shopper, free: Action) {
        self.counters.served += 1;
        let world = Arc::clone(&self.world);
        let p = &world.params;
        let store = &world.stores[self.index];
        let is_self = register >= SELF_CHECKOUT_BASE;
        let txn = self.next_txn_id(now);
        let scan_s = if is_self {
            p.checkout.self_scan_s_per_item
        } else {
            p.checkout.scan_s_per_item
        };
        let mut t = now.plus_micros(secs(if is_self { 2.0 } else { p.checkout.greet_s }));
        let mut subtotal = Money::ZERO;
        let mut discount = Money::ZERO;
        let mut taxable = Money::ZERO;
        let mut line_count = 0u16;
        let mut item_count = 0u32;
        let member = shopper.customer_id.is_some();
        for (n, &(item_index, qty)) in shopper.lines.iter().enumerate() {
            let item = &world.items[item_index as usize];
            // Scan time: uniform around the mean for the first unit; extra
            // units of the same line are keyed as a quantity.
            let s = scan_s * (0.5 + self.rng.random::<f64>()) + 0.3 * f64::from(qty - 1);
            t = t.plus_micros(secs(s).max(1));
            // The price at the moment of the scan.
            let unit_price = self.prices.price(item_index, t).unwrap_or(item.item_price);
            let gross = unit_price * i64::from(qty);
            let line_discount = if member && item.member_price {
                gross.apply_basis_points(p.loyalty.discount_bp)
            } else {
                Money::ZERO
            };
            let line = n as u16 + 1;
            let scan = ScanEvent {
                ts: t,
                register,
                transaction_id: txn,
                line,
                sku: item.item_id,
                category: item.category_code,
                quantity: qty,
                unit_price,
                discount: line_discount,
            };
            self.emit(Event::Scan(scan.clone()));
            // No draw when voids are off, so such scenarios keep their numbers.
            if p.checkout.void_share > 0.0 && self.rng.random::<f64>() < p.checkout.void_share {
                let (lo, hi) = p.checkout.void_delay_s;
                let delay = self.rng.random_range(lo..=hi);
                self.counters.voids += 1;
                let voided = t.plus_micros(delay * MICROS_PER_SEC);
                let resend = p.checkout.void_resends_original;
                let void = Event::Scan(ScanEvent {
                    ts: if resend { t } else { voided },
                    quantity: 0,
                    discount: Money::ZERO,
                    ..scan
                });
                self.outbox
                    .push_at(void, resend.then_some(voided), &mut self.counters);
                continue;
            }
            line_count += 1;
            item_count += u32::from(qty);
            subtotal += gross;
            discount += line_discount;
            if world.categories[usize::from(item.category_index)].taxable {
                taxable += gross - line_discount;
            }
        }
        let tax = taxable.apply_basis_points(i64::from(store.tax_rate_bp));
        let total = subtotal - discount + tax;
        let u: f64 = self.rng.random();
        let method_index = self.payment_cdf.iter().position(|&c| u < c).unwrap_or(3);
        let method = PaymentMethod::ALL[method_index];
        let c = &p.checkout;
        let pay_s = match method {
            PaymentMethod::Credit | PaymentMethod::Debit => {
                if self.rng.random::<f64>() < c.contactless_share {
                    c.contactless_s
                } else {
                    c.chip_s
                }
            }
            PaymentMethod::Mobile => c.mobile_s,
            PaymentMethod::Cash => {
                let dollars = total.cents() as f64 / 100.0;
                let f = ((dollars - 10.0) / 90.0).clamp(0.0, 1.0);
                c.cash_small_s + f * (c.cash_large_s - c.cash_small_s)
            }
        } * self.pay_noise.sample(&mut self.rng);
        let end = t.plus_micros(secs(pay_s).max(MICROS_PER_SEC));
        let wait_ms = ((now.0 - shopper.joined.0) / 1000).clamp(0, i64::from(u32::MAX)) as u32;
        // Every line voided: the cashier cancels the sale and no receipt
        // prints (a POS does not print a $0 sale). The draws above are
        // made all the same, so the store's stream does not shift.
        if line_count == 0 {
            self.schedule(end, free);
            return;
        }
        self.emit(Event::Transaction(Box::new(TransactionEvent {
            transaction_id: txn,
            ts: end,
            store_id: self.store_id,
            register,
            customer_id: shopper.customer_id,
            start_ts: now,
            end_ts: end,
            line_count,
            item_count,
            subtotal,
            discount,
            tax,
            total,
            payment_method: method,
            queue_wait_ms: wait_ms,
        })));
        self.schedule(end, free);
    }

    fn emit(&mut self, event: Event) {
        self.outbox.push(event, &mut self.counters);
    }

    /// The next transaction id: the local business date of `now` and the
    /// store's count of transactions started that date.
    fn next_txn_id(&mut self, now: SimTime) -> TxnId {
        let date = self.arrivals.business_date(now);
        self.txn_ids.next(self.store_id, date)
    }

    /// The next arrival, counted by local hour.
    fn next_arrival(&mut self) -> Option<SimTime> {
        let (t, hour) = self.arrivals.next(&mut self.rng)?;
        self.counters.arrivals_by_hour[usize::from(hour)] += 1;
        Some(t)
    }
}

/// Seconds as microseconds, at most a day: a drawn duration (a service
/// time times its noise) longer than that is a day, so no time overflows
/// whatever the parameters (validation keeps them far below).
fn secs(s: f64) -> i64 {
    (s.clamp(0.0, 86_400.0) * MICROS_PER_SEC as f64) as i64
}

impl crate::model::StoreProcess for ChainStore {
    fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        ChainStore::advance(self, until, out);
    }
    fn is_done(&self) -> bool {
        ChainStore::is_done(self)
    }
    fn counters(&self) -> StoreCounters {
        ChainStore::counters(self)
    }
    fn queued(&self) -> usize {
        ChainStore::queued(self)
    }
    fn share(&mut self, shared: &crate::model::Shared) {
        if let Ok(prices) = Arc::clone(shared).downcast::<PriceBook>() {
            ChainStore::set_prices(self, prices);
        }
    }
}

#[cfg(test)]
mod tests;
