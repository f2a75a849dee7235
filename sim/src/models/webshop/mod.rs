//! The web shop: customers in sessions, a request log with real user-agent
//! strings, and purchases whose odds and size depend on the device, so
//! "which devices do big spenders use" finds a real signal.
//!
//! Each "store" of a web-shop world is a customer market (a city and its
//! time zone): sessions arrive by the shared [`Arrivals`] process on the
//! market's local calendar. A customer always uses the same device and
//! browser (drawn once from the device mix by a hash of the customer id),
//! so joining purchases to the request log by `customerid` recovers it.

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::distr::weighted::WeightedIndex;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Geometric, LogNormal};
use serde::Serialize;

use crate::arrivals::Arrivals;
use crate::catalog::splitmix64;
use crate::event::EventKind;
use crate::event::{Event, Record, ScanId, Stamped, TxnId, TxnIds};
use crate::model::StoreCounters;
use crate::model::{params_of, GroupSpec, Key, Model, StoreProcess, Sum};
use crate::money::Money;
use crate::outbox::Outbox;
use crate::rng::{stream, StreamKind};
use crate::schema::{Field, Schema, Type, MONEY, TIMESTAMP};
use crate::time::{SimTime, MICROS_PER_SEC};
use crate::world::{RunSpan, World};

mod setup;

pub use setup::ENTRY;

/// One kind of device and how its users behave.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    /// `mobile`, `desktop`, `tablet`.
    pub name: String,
    /// Share of customers on it.
    pub share: f64,
    /// Share of its sessions that end in a purchase.
    pub conversion: f64,
    /// Mean order value.
    pub order_value: f64,
    /// Median request latency, milliseconds.
    pub latency_ms: f64,
}

/// A user-agent string and the device it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct UserAgent {
    /// Index into [`WebshopParams::devices`].
    pub device: usize,
    /// Relative weight among the device's agents.
    pub weight: f64,
    /// The header value.
    pub ua: String,
}

/// The web shop's parameters, validated by the scenario loader.
#[derive(Debug, Clone, PartialEq)]
pub struct WebshopParams {
    /// Devices (at least one, shares summing to more than 0).
    pub devices: Vec<Device>,
    /// User agents (at least one per device).
    pub user_agents: Vec<UserAgent>,
    /// Customers per market of traffic 1.0.
    pub customers_per_market: u32,
    /// `None`: customer ids are the market's id x 1,000,000 + 1, 2, ...
    /// `Some(base)`: one numbering across the markets, each holding
    /// exactly `customers_per_market`: market `i`'s customers are
    /// `base + i x customers_per_market` on (the FOMO demo's `CU-1000` to
    /// `CU-1999` are base 1000, 20 markets of 50).
    pub customer_id_base: Option<u64>,
    /// Mean pages viewed in a session that does not buy.
    pub pages_mean: f64,
    /// Median think time between requests, seconds.
    pub think_s: f64,
    /// Lognormal sigma of order values.
    pub order_value_sigma: f64,
    /// Lognormal sigma of latencies.
    pub latency_sigma: f64,
    /// Share of product-page requests answered 404.
    pub not_found_share: f64,
    /// Share of requests answered 500.
    pub server_error_share: f64,
    /// Number of products, for product-page URLs.
    pub products: u32,
}

/// A purchase, as on the `purchases` topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "web_purchase")]
#[allow(missing_docs)]
pub struct WebPurchaseEvent {
    pub ts: SimTime,
    /// The checkout request's id.
    pub purchaseid: ScanId,
    pub sessionid: TxnId,
    pub customerid: u64,
    pub amount: Money,
    pub items: u16,
}

/// One HTTP request, as on the `requestlog` topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "request")]
#[allow(missing_docs)]
pub struct RequestEvent {
    pub ts: SimTime,
    /// `SESSION-N`: the session id and the request's number in it.
    pub requestid: ScanId,
    pub sessionid: TxnId,
    pub customerid: u64,
    pub method: &'static str,
    pub url: String,
    pub status: u16,
    /// Milliseconds.
    pub latency: u32,
    pub bytes: u32,
    pub useragent: Arc<str>,
}

/// Rank `rank` of a market's `n` customers as a position in `0..n`: a
/// keyed permutation (a 4-round Feistel network on the bits of `n`, walking
/// the cycle until the value falls below `n`), so a market's regulars get
/// scattered numbers rather than its first ones. Bijective, stateless.
fn scatter(rank: u64, n: u64, key: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let bits = 64 - (n - 1).leading_zeros();
    let half = bits.div_ceil(2);
    let mask = (1u64 << half) - 1;
    let mut x = rank;
    loop {
        let (mut l, mut r) = (x >> half, x & mask);
        for round in 0..4u64 {
            let f = splitmix64(r ^ key ^ (round << 56)) & mask;
            (l, r) = (r, l ^ f);
        }
        x = (l << half) | r;
        if x < n {
            return x;
        }
    }
}

/// One market's sessions.
#[derive(Debug)]
pub struct WebshopModel {
    params: Arc<WebshopParams>,
    store_id: u32,
    customers: u64,
    /// The market's first customer id (with `customer_id_base`, its first
    /// position in the one numbering).
    first_customer: u64,
    rng: ChaCha8Rng,
    arrivals: Arrivals,
    next_arrival: Option<SimTime>,
    outbox: Outbox,
    counters: StoreCounters,
    /// Device index by user agent; user agents as shared strings.
    agents: Vec<Arc<str>>,
    device_pick: WeightedIndex<f64>,
    agent_picks: Vec<(Vec<usize>, WeightedIndex<f64>)>,
    think: LogNormal<f64>,
    latency: LogNormal<f64>,
    value: LogNormal<f64>,
    pages: Geometric,
    ids: TxnIds,
}

impl WebshopModel {
    /// Market `index` of `world` over `span`.
    ///
    /// # Panics
    ///
    /// If the world is not a web-shop world or was not validated.
    pub fn new(world: Arc<World>, index: usize, seed: u64, span: RunSpan) -> WebshopModel {
        let params = params_of::<WebshopParams>(&world);
        let store = &world.stores[index];
        let store_id = store.store_id;
        let (start, emit_from, end) = world.model_span(index, span);
        let device_pick =
            WeightedIndex::new(params.devices.iter().map(|d| d.share)).expect("validated shares");
        let agent_picks = (0..params.devices.len())
            .map(|d| {
                let ids: Vec<usize> = (0..params.user_agents.len())
                    .filter(|&i| params.user_agents[i].device == d)
                    .collect();
                let w = WeightedIndex::new(ids.iter().map(|&i| params.user_agents[i].weight))
                    .expect("validated agents");
                (ids, w)
            })
            .collect();
        let per_market = u64::from(params.customers_per_market);
        let (first_customer, customers) = match params.customer_id_base {
            Some(_) => (index as u64 * per_market, per_market),
            None => (
                u64::from(store_id) * 1_000_000 + 1,
                (f64::from(params.customers_per_market) * store.traffic).max(1.0) as u64,
            ),
        };
        let mut model = WebshopModel {
            agents: params
                .user_agents
                .iter()
                .map(|u| Arc::from(u.ua.as_str()))
                .collect(),
            device_pick,
            agent_picks,
            think: LogNormal::new(params.think_s.ln(), 0.8).expect("validated"),
            latency: LogNormal::new(0.0, params.latency_sigma).expect("validated"),
            value: LogNormal::new(0.0, params.order_value_sigma).expect("validated"),
            pages: Geometric::new(1.0 / params.pages_mean.max(1.0)).expect("validated"),
            arrivals: Arrivals::new(Arc::clone(&world), index, start, end),
            rng: stream(seed, StreamKind::Store, store_id),
            outbox: Outbox::new(world.params.delivery, seed, store_id, emit_from),
            next_arrival: None,
            counters: StoreCounters::default(),
            customers,
            first_customer,
            store_id,
            params,
            ids: TxnIds::default(),
        };
        model.next_arrival = model.draw_arrival();
        model
    }

    /// The UTC interval in which sessions start.
    pub fn span(&self) -> (SimTime, SimTime) {
        self.arrivals.span()
    }

    /// Counters so far (`served` counts purchases).
    pub fn counters(&self) -> StoreCounters {
        self.counters
    }

    /// Whether nothing is left to happen.
    pub fn is_done(&self) -> bool {
        self.next_arrival.is_none() && self.outbox.is_empty()
    }

    /// The device and user agent of a customer: fixed by the customer id.
    pub fn customer_agent(&self, customerid: u64) -> (usize, usize) {
        let h = splitmix64(customerid ^ 0x5EED_0FDE_71CE);
        let mut hrng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(h);
        let device = self.device_pick.sample(&mut hrng);
        let (ids, pick) = &self.agent_picks[device];
        (device, ids[pick.sample(&mut hrng)])
    }

    /// Simulates up to `until` (exclusive) and appends every event
    /// delivered before it to `out`.
    pub fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        while let Some(t) = self.next_arrival.filter(|&t| t < until) {
            self.session(t);
            self.next_arrival = self.draw_arrival();
        }
        self.outbox.drain(until, out);
    }

    fn draw_arrival(&mut self) -> Option<SimTime> {
        let (t, hour) = self.arrivals.next(&mut self.rng)?;
        self.counters.arrivals_by_hour[usize::from(hour)] += 1;
        Some(t)
    }

    /// A whole session, generated when it starts: its requests a think
    /// time apart, and a purchase at the checkout if it converts.
    fn session(&mut self, now: SimTime) {
        self.counters.arrivals += 1;
        let params = Arc::clone(&self.params);
        let p = &*params;
        // Regulars come back more often: u^2 skews toward low numbers.
        let u: f64 = self.rng.random();
        let rank = ((u * u * self.customers as f64) as u64).min(self.customers - 1);
        let customerid = match self.params.customer_id_base {
            // One numbering across the markets: the market's block, its
            // regulars scattered in it.
            Some(base) => {
                base + self.first_customer + scatter(rank, self.customers, u64::from(self.store_id))
            }
            None => self.first_customer + rank,
        };
        let (device, agent) = self.customer_agent(customerid);
        let dev = &p.devices[device];
        let date = self.arrivals.business_date(now);
        let session = self.ids.next(self.store_id, date);
        let buys = self.rng.random::<f64>() < dev.conversion;
        let browse = 1 + self.pages.sample(&mut self.rng).min(200) as usize;
        let mut pages: Vec<(&'static str, String)> = vec![("GET", "/".into())];
        for _ in 1..browse {
            let r: f64 = self.rng.random();
            let page = if r < 0.2 {
                format!("/search?q=widget+{}", self.rng.random_range(1..=500))
            } else if r < 0.3 {
                format!("/category/{}", self.rng.random_range(1..=40))
            } else {
                format!("/product/{}", self.rng.random_range(1..=p.products))
            };
            pages.push(("GET", page));
        }
        let mut items = 0u16;
        if buys {
            items = 1 + self.pages.sample(&mut self.rng).min(20) as u16 / 2;
            for _ in 0..items {
                pages.push(("POST", "/cart/add".into()));
            }
            pages.push(("GET", "/cart".into()));
            pages.push(("GET", "/checkout".into()));
            pages.push(("POST", "/checkout/complete".into()));
        }
        let mut t = now;
        let n = pages.len();
        for (i, (method, url)) in pages.into_iter().enumerate() {
            if i > 0 {
                let think = self.think.sample(&mut self.rng).min(1800.0);
                t = t.plus_micros((think * MICROS_PER_SEC as f64) as i64 + 1);
            }
            let latency =
                (dev.latency_ms * self.latency.sample(&mut self.rng)).clamp(1.0, 60_000.0) as u32;
            let r: f64 = self.rng.random();
            let status = if buys && i + 1 == n {
                // An order that converts completes.
                200
            } else if r < p.server_error_share {
                500
            } else if url.starts_with("/product/") && r < p.server_error_share + p.not_found_share {
                404
            } else {
                200
            };
            let bytes = match (method, status) {
                ("POST", _) => self.rng.random_range(200..2_000),
                (_, 200) => self.rng.random_range(8_000..120_000),
                _ => self.rng.random_range(300..3_000),
            };
            let requestid = ScanId {
                txn: session,
                line: (i + 1).min(usize::from(u16::MAX)) as u16,
            };
            let last = i + 1 == n;
            self.emit(Event::Request(Box::new(RequestEvent {
                ts: t,
                requestid,
                sessionid: session,
                customerid,
                method,
                url,
                status,
                latency,
                bytes,
                useragent: Arc::clone(&self.agents[agent]),
            })));
            if buys && last {
                // The order completes when the response is sent.
                let mean = dev.order_value;
                let sigma = p.order_value_sigma;
                let dollars =
                    mean * self.value.sample(&mut self.rng) * (-sigma * sigma / 2.0).exp();
                let amount = Money::from_cents(((dollars * 100.0).round() as i64).max(100));
                self.counters.served += 1;
                self.emit(Event::WebPurchase(Box::new(WebPurchaseEvent {
                    ts: t.plus_micros(i64::from(latency) * 1000),
                    purchaseid: requestid,
                    sessionid: session,
                    customerid,
                    amount,
                    items,
                })));
            }
        }
    }

    fn emit(&mut self, event: Event) {
        self.outbox.push(event, &mut self.counters);
    }
}

impl crate::model::StoreProcess for WebshopModel {
    fn advance(&mut self, until: SimTime, out: &mut Vec<Stamped>) {
        WebshopModel::advance(self, until, out);
    }
    fn is_done(&self) -> bool {
        WebshopModel::is_done(self)
    }
    fn counters(&self) -> StoreCounters {
        WebshopModel::counters(self)
    }
}

impl Record for WebPurchaseEvent {
    const SCHEMA: Schema = Schema {
        name: "web_purchase",
        version: 1,
        doc: "A web-shop purchase (the FOMO demo's purchases topic).",
        fields: &[
            Field::new("ts", TIMESTAMP, "When it was paid (UTC)."),
            Field::new(
                "purchaseid",
                Type::String,
                "The session id and the purchase's number in it.",
            ),
            Field::new(
                "sessionid",
                Type::String,
                "The session: MARKET-YYYYMMDD-SEQ.",
            ),
            Field::new("customerid", Type::Int64, "The customer."),
            Field::new("amount", MONEY, "What was paid."),
            Field::new("items", Type::Int32, "Units bought."),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The customer's market.
    fn store_id(&self) -> u32 {
        self.sessionid.store_id
    }
    fn sale_cents(&self) -> i64 {
        self.amount.cents()
    }
    fn transaction_id(&self) -> Option<TxnId> {
        Some(self.sessionid)
    }
}

impl Record for RequestEvent {
    const SCHEMA: Schema = Schema {
        name: "request",
        version: 1,
        doc: "One web request (the FOMO demo's requestlog topic).",
        fields: &[
            Field::new("ts", TIMESTAMP, "When it was answered (UTC)."),
            Field::new(
                "requestid",
                Type::String,
                "The session id and the request's number in it.",
            ),
            Field::new(
                "sessionid",
                Type::String,
                "The session: MARKET-YYYYMMDD-SEQ.",
            ),
            Field::new("customerid", Type::Int64, "The customer."),
            Field::new("method", Type::String, "The HTTP method.").one_of(&["GET", "POST"]),
            Field::new("url", Type::String, "The path requested."),
            Field::new("status", Type::Int32, "The HTTP status."),
            Field::new("latency", Type::Int32, "Response time, ms."),
            Field::new("bytes", Type::Int32, "Response size."),
            Field::new("useragent", Type::String, "The browser's user agent."),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The customer's market.
    fn store_id(&self) -> u32 {
        self.sessionid.store_id
    }
    fn transaction_id(&self) -> Option<TxnId> {
        Some(self.sessionid)
    }
}

impl Model for WebshopParams {
    fn name(&self) -> &'static str {
        "webshop"
    }

    fn store(
        &self,
        world: &Arc<World>,
        index: usize,
        seed: u64,
        span: RunSpan,
    ) -> Box<dyn StoreProcess> {
        Box::new(WebshopModel::new(Arc::clone(world), index, seed, span))
    }

    /// A session's pages (geometric: its tail counted twice over).
    fn events_per_arrival(&self, _world: &World) -> f64 {
        2.0 * self.pages_mean + 2.0
    }

    fn truth_groups(&self) -> &'static [GroupSpec] {
        TRUTH
    }

    /// User agent to device name.
    fn truth_lookup(&self) -> BTreeMap<String, String> {
        self.user_agents
            .iter()
            .map(|ua| {
                let device = self.devices.get(ua.device).map_or("", |d| d.name.as_str());
                (ua.ua.clone(), device.to_string())
            })
            .collect()
    }

    fn describe(&self, world: &World) -> String {
        format!(
            "{} markets, {} devices, {} user agents",
            world.stores.len(),
            self.devices.len(),
            self.user_agents.len()
        )
    }
}

/// The truth aggregates of the manifest.
const TRUTH: &[GroupSpec] = &[
    GroupSpec {
        name: "sales_days",
        kind: EventKind::WebPurchase,
        keys: &[("day", Key::Day("ts"))],
        sums: &[
            ("purchases", Sum::Records),
            ("items", Sum::Int("items")),
            ("amount", Sum::Money("amount")),
        ],
    },
    GroupSpec {
        name: "requests_by_device",
        kind: EventKind::Request,
        keys: &[
            ("day", Key::Day("ts")),
            ("device", Key::Lookup("useragent")),
        ],
        sums: &[("requests", Sum::Records), ("bytes", Sum::Int("bytes"))],
    },
    GroupSpec {
        name: "requests_by_status",
        kind: EventKind::Request,
        keys: &[("day", Key::Day("ts")), ("status", Key::Field("status"))],
        sums: &[("requests", Sum::Records)],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A market's ranks map onto its block one to one, for counts with
    /// and without powers of two, and the regulars (the first ranks) are
    /// not the block's first numbers.
    #[test]
    fn scatter_is_a_permutation() {
        for n in [1u64, 2, 3, 50, 1000, 1024, 99_999] {
            let mut seen = vec![false; n as usize];
            for rank in 0..n {
                let p = scatter(rank, n, 1101) as usize;
                assert!(!seen[p], "{n}: {p} twice");
                seen[p] = true;
            }
        }
        let firsts: Vec<u64> = (1101..1121).map(|m| scatter(0, 50, m)).collect();
        assert!(firsts.iter().filter(|p| **p < 5).count() <= 4, "{firsts:?}");
    }
}
