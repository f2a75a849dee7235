//! Model parameters: the validated numbers a scenario gives the store model.
//!
//! Units are in the names; every value here has been checked by the scenario
//! loader (positive, finite, shares in 0..=1).

/// Basket composition.
#[derive(Debug, Clone, PartialEq)]
pub struct BasketParams {
    /// Lines per basket are `1 + Poisson(L)` with `L ~ LogNormal(mu, sigma)`: mu.
    pub lines_lognormal_mu: f64,
    /// The lognormal sigma of the Poisson mean.
    pub lines_lognormal_sigma: f64,
    /// Upper bound on lines in one basket.
    pub max_lines: u16,
    /// Probability that a line has more than one unit.
    pub multi_unit_share: f64,
    /// Largest quantity on one line.
    pub max_quantity: u16,
    /// Zipf exponent of item popularity within a category.
    pub zipf_exponent: f64,
}

/// Time spent walking the aisles before joining a queue.
#[derive(Debug, Clone, PartialEq)]
pub struct ShoppingParams {
    /// Fixed part, in seconds.
    pub base_s: f64,
    /// Added per line, in seconds.
    pub per_line_s: f64,
    /// Lognormal sigma of the multiplicative noise (median 1).
    pub noise_sigma: f64,
    /// Longest shopping trip, in seconds.
    pub max_s: f64,
}

/// Checkout lanes and service times.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutParams {
    /// Greeting and first scan at a staffed register, in seconds.
    pub greet_s: f64,
    /// Mean scan time per unit at a staffed register, in seconds.
    pub scan_s_per_item: f64,
    /// Mean scan time per unit at self-checkout, in seconds.
    pub self_scan_s_per_item: f64,
    /// Largest basket (in units) that may go to self-checkout.
    pub self_max_items: u32,
    /// Probability that an eligible shopper chooses self-checkout.
    pub self_choice_share: f64,
    /// Contactless card payment, in seconds.
    pub contactless_s: f64,
    /// Inserted-chip card payment, in seconds.
    pub chip_s: f64,
    /// Share of card payments made contactless.
    pub contactless_share: f64,
    /// Phone-wallet payment, in seconds.
    pub mobile_s: f64,
    /// Cash payment under $10, in seconds.
    pub cash_small_s: f64,
    /// Cash payment over $100, in seconds (interpolated between).
    pub cash_large_s: f64,
    /// Lognormal sigma of the multiplicative noise on payment times.
    pub payment_noise_sigma: f64,
    /// Share of scan lines the cashier voids: the line leaves the receipt,
    /// and the register re-sends its scan with quantity 0 (same event id)
    /// `void_delay_s` later.
    pub void_share: f64,
    /// Delay of the void record after the scan, seconds `(min, max)`.
    pub void_delay_s: (i64, i64),
    /// Whether the void record repeats its scan's time (and arrives
    /// `void_delay_s` later, as the Apex demo's registers re-send it),
    /// rather than carrying the time of the void.
    pub void_resends_original: bool,
}

/// Payment method shares.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentParams {
    /// Shares of credit, debit, cash, mobile (summing to 1).
    pub shares: [f64; 4],
}

/// Loyalty program.
#[derive(Debug, Clone, PartialEq)]
pub struct LoyaltyParams {
    /// Share of baskets with a loyalty id.
    pub member_share: f64,
    /// Member discount on items with a member price, in basis points.
    pub discount_bp: i64,
    /// Share of items in the item master that carry a member price.
    pub member_price_item_share: f64,
    /// Members per store at traffic 1.0.
    pub members_per_store: u32,
}

/// How stores plan staffed registers: from the day's forecast arrivals per
/// hour, enough lanes to keep the planned utilisation under a target.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffingParams {
    /// Target utilisation of open staffed lanes, in (0, 1].
    pub target_utilization: f64,
    /// The planner's mean service time at a staffed lane, in seconds.
    pub planning_service_s: f64,
    /// The planner's share of shoppers using staffed lanes.
    pub planning_staffed_share: f64,
}

/// Store traffic.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficParams {
    /// Baskets on a base day (multiplier 1) in a store of traffic 1.0.
    pub baskets_per_day: f64,
}

/// Every parameter of the store model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelParams {
    /// Traffic.
    pub traffic: TrafficParams,
    /// Baskets.
    pub basket: BasketParams,
    /// Shopping time.
    pub shopping: ShoppingParams,
    /// Checkout.
    pub checkout: CheckoutParams,
    /// Payment.
    pub payment: PaymentParams,
    /// Loyalty.
    pub loyalty: LoyaltyParams,
    /// Staffing.
    pub staffing: StaffingParams,
    /// Item-master churn.
    pub churn: ChurnParams,
    /// Late and duplicate delivery of store events.
    pub delivery: DeliveryParams,
}

/// How store events reach the sinks: most at their event time, some late
/// (out of order, with the true event time kept) and some twice, for
/// watermark and de-duplication demos. Drawn from a stream of its own, so
/// turning it on leaves the events themselves unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DeliveryParams {
    /// Share of events delivered late.
    pub late_share: f64,
    /// Delay of a late event after its event time, microseconds `(min, max)`.
    pub late_delay_us: (i64, i64),
    /// Share of events delivered a second time.
    pub duplicate_share: f64,
    /// Delay of the second copy after the first, microseconds `(min, max)`.
    pub duplicate_delay_us: (i64, i64),
}

impl DeliveryParams {
    /// Whether any event is delivered other than once at its event time.
    pub fn is_noisy(&self) -> bool {
        self.late_share > 0.0 || self.duplicate_share > 0.0
    }

    /// The longest an event can arrive after its event time (a late event's
    /// duplicate): how long a consumer must wait before a period is
    /// complete. 0 when every event arrives at its event time.
    pub fn max_delay_us(&self) -> i64 {
        if self.is_noisy() {
            self.late_delay_us.1 + self.duplicate_delay_us.1
        } else {
            0
        }
    }
}

impl ModelParams {
    /// The longest a store event can arrive after its event time: the
    /// delivery delays, and a re-sent void's delay.
    pub fn max_delay_us(&self) -> i64 {
        let resend = if self.checkout.void_resends_original {
            self.checkout.void_delay_s.1.max(0) * 1_000_000
        } else {
            0
        };
        self.delivery.max_delay_us() + resend
    }
}

/// Settings of the churn process (scenario `[churn]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChurnParams {
    /// Whether the item master changes at all.
    pub enabled: bool,
    /// Time zone of the head office whose business hours it follows.
    pub time_zone: chrono_tz::Tz,
    /// Start of business hours, local minutes from midnight.
    pub open_minute: u32,
    /// End of business hours, local minutes from midnight (at most 1440).
    pub close_minute: u32,
    /// Whether Saturdays and Sundays are worked.
    pub weekends: bool,
    /// Minutes between rounds: uniform in `[min, max]`.
    pub gap_minutes: (f64, f64),
    /// Items repriced per round: uniform in `[min, max]`.
    pub reprice_items: (u32, u32),
    /// Largest price move, percent (uniform in `[-pct, +pct]`).
    pub max_price_change_pct: f64,
    /// New items per round: uniform in `[min, max]`.
    pub new_items: (u32, u32),
    /// Items removed per round, from those created earlier in the run
    /// (never the stores' assortment): uniform in `[min, max]`.
    pub removed_new_items: (u32, u32),
    /// The first id of created items.
    pub first_new_item_id: u32,
}

impl Default for ChurnParams {
    /// Off.
    fn default() -> ChurnParams {
        ChurnParams {
            enabled: false,
            time_zone: chrono_tz::America::Chicago,
            open_minute: 9 * 60,
            close_minute: 17 * 60,
            weekends: false,
            gap_minutes: (5.0, 20.0),
            reprice_items: (20, 60),
            max_price_change_pct: 10.0,
            new_items: (5, 15),
            removed_new_items: (5, 15),
            first_new_item_id: 50_000,
        }
    }
}
