//! Physical limits on rates, so every accepted scenario runs in bounded
//! memory and time. Each is far past any store measured, and says why.

/// A limit and why it is what it is.
pub type Limit = (f64, &'static str);

/// `traffic.baskets_per_day` (a store of traffic 1.0 on a base day):
/// 55 x the average US supermarket's 1,800 a day (FMI: 12,700 a week
/// in 2022).
pub const BASKETS_PER_DAY: Limit = (100_000.0, "55 x the average US supermarket's 1,800 a day");
/// A store class's `traffic`: a hundred times the base store.
pub const CLASS_TRAFFIC: Limit = (100.0, "a hundred times the base store");
/// A day's, a holiday's or an anomaly's `multiplier`: 35 x the highest
/// peak day measured, Target's Black Friday 2019 at 2.8 x its baseline
/// (Placer.ai).
pub const MULTIPLIER: Limit = (
    100.0,
    "35 x the busiest day measured, Target's Black Friday at 2.8 x baseline",
);
/// A curve's hourly weight: weights are relative, and larger ones add
/// up past what a float holds.
pub const CURVE_WEIGHT: Limit = (1e9, "weights are relative; larger ones add up past a float");
/// Arrivals one store can have in its busiest day, all multipliers
/// together: 198 lanes (99 registers and 99 self-checkouts, the most a
/// class may have) each serving a basket every 10 s for 24 hours.
pub const STORE_DAY: f64 = 198.0 * 8_640.0;
/// A per-day rate of a model's own processes (sign-ups, in-store sales,
/// customer updates): per store, as `BASKETS_PER_DAY`.
pub const PER_DAY: Limit = (100_000.0, "a store's day, as traffic.baskets_per_day");
/// A service or shopping time, in seconds: an hour at a register.
pub const SECONDS: Limit = (3_600.0, "an hour for one step of one shopper");
/// A shopping time, in seconds: the whole day in the store.
pub const SHOPPING_SECONDS: Limit = (86_400.0, "a whole day in the store");
/// A response time, in milliseconds: a minute is a timeout, not a page.
pub const LATENCY_MS: Limit = (60_000.0, "a minute is a timeout, not a page");
/// A lognormal noise sigma: 3 makes the 99th percentile 1000 x the
/// median already.
pub const SIGMA: Limit = (3.0, "a spread of 1000 x between median and 99th percentile");
/// `webshop.pages_mean`: a thousand pages is a crawler, not a shopper.
pub const PAGES_MEAN: Limit = (1_000.0, "a thousand pages is a crawler, not a shopper");
