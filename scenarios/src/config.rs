//! Serde structs that mirror a scenario TOML file, field for field, but for
//! the models' own tables (`[smoothie]`, ...): each model reads its own
//! (`storesim_sim::setup`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// A scenario file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Scenario name.
    pub name: String,
    /// The model that simulates the stores (`chain` by default): one of
    /// `storesim_sim::models::MODELS`, whose own `[model]` table the
    /// scenario holds in [`crate::Scenario`], not here.
    #[serde(default = "default_model")]
    pub model: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Seed of the catalog (store classes, item names and costs).
    #[serde(default = "default_catalog_seed")]
    pub catalog_seed: u64,
    /// Reference data files.
    #[serde(default = "chain_data")]
    pub data: DataConfig,
    /// Store and item counts.
    #[serde(default)]
    pub counts: CountsConfig,
    /// Store size classes.
    pub store_classes: Vec<StoreClassConfig>,
    /// Traffic.
    pub traffic: TrafficConfig,
    /// The week, Monday to Sunday.
    pub week: WeekConfig,
    /// Hour-of-day curves by name: 24 relative weights.
    pub curves: BTreeMap<String, Vec<f64>>,
    /// Register staffing.
    #[serde(default = "chain_staffing")]
    pub staffing: StaffingConfig,
    /// Holidays and special days.
    #[serde(default)]
    pub holidays: Vec<HolidayConfig>,
    /// Basket composition.
    #[serde(default = "chain_basket")]
    pub basket: BasketConfig,
    /// Shopping time.
    #[serde(default = "chain_shopping")]
    pub shopping: ShoppingConfig,
    /// Checkout.
    #[serde(default = "chain_checkout")]
    pub checkout: CheckoutConfig,
    /// Payment mix.
    #[serde(default = "chain_payment")]
    pub payment: PaymentConfig,
    /// Loyalty program.
    #[serde(default = "chain_loyalty")]
    pub loyalty: LoyaltyConfig,
    /// Sales tax.
    #[serde(default = "chain_tax")]
    pub tax: TaxConfig,
    /// Words for item names, by category code.
    #[serde(default = "chain_names")]
    pub names: BTreeMap<String, NamesConfig>,
    /// Kafka topics and message key (the URL's options win over these).
    #[serde(default)]
    pub kafka: KafkaSection,
    /// Item-master churn (off when absent).
    pub churn: Option<ChurnConfig>,
    /// Late and duplicate delivery (off when absent).
    #[serde(default)]
    pub delivery: DeliveryConfig,
    /// Storms, outages and promotions.
    #[serde(default)]
    pub anomalies: Vec<AnomalyConfig>,
}

fn default_model() -> String {
    "chain".into()
}

/// The built-in chain: sections a scenario leaves out take its values.
fn chain() -> &'static ScenarioConfig {
    static CHAIN: OnceLock<ScenarioConfig> = OnceLock::new();
    CHAIN.get_or_init(|| {
        toml::from_str(include_str!("../chain.toml")).expect("the built-in chain parses")
    })
}

fn chain_staffing() -> StaffingConfig {
    chain().staffing.clone()
}
fn chain_basket() -> BasketConfig {
    chain().basket.clone()
}
fn chain_shopping() -> ShoppingConfig {
    chain().shopping.clone()
}
fn chain_checkout() -> CheckoutConfig {
    chain().checkout.clone()
}
fn chain_payment() -> PaymentConfig {
    chain().payment.clone()
}
fn chain_loyalty() -> LoyaltyConfig {
    chain().loyalty.clone()
}
fn chain_tax() -> TaxConfig {
    chain().tax.clone()
}
fn chain_names() -> BTreeMap<String, NamesConfig> {
    chain().names.clone()
}
fn chain_data() -> DataConfig {
    chain().data.clone()
}
fn chain_stores() -> String {
    chain().data.stores.clone()
}
fn chain_categories() -> String {
    chain().data.categories.clone()
}
fn chain_items() -> String {
    chain().data.items.clone()
}

/// A storm, an outage or a promotion: a window of local time in which
/// traffic is multiplied.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyConfig {
    /// Name, for summaries.
    pub name: String,
    /// `storm`, `outage` or `promotion`.
    pub kind: String,
    /// Start, local time of each store: `2026-11-24 14:00`.
    pub start: String,
    /// End (exclusive), local time.
    pub end: String,
    /// Traffic multiplier; defaults: storm 0.4, outage 0, promotion 1.5.
    pub multiplier: Option<f64>,
    /// Store ids it hits; all stores when absent.
    #[serde(default)]
    pub stores: Vec<u32>,
    /// Promotion discount on the promoted products, percent (smoothie).
    #[serde(default)]
    pub discount_pct: f64,
    /// Promoted product ids; all products when absent (smoothie).
    #[serde(default)]
    pub products: Vec<String>,
}

/// Late and duplicate delivery of store events.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Share of events delivered late (out of order, event time kept).
    #[serde(default)]
    pub late_share: f64,
    /// Delay of a late event, seconds `[min, max]`.
    #[serde(default = "default_late_delay_s")]
    pub late_delay_s: [f64; 2],
    /// Share of events delivered twice.
    #[serde(default)]
    pub duplicate_share: f64,
    /// Delay of the second copy after the first, seconds `[min, max]`.
    #[serde(default = "default_duplicate_delay_s")]
    pub duplicate_delay_s: [f64; 2],
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            late_share: 0.0,
            late_delay_s: default_late_delay_s(),
            duplicate_share: 0.0,
            duplicate_delay_s: default_duplicate_delay_s(),
        }
    }
}

fn default_late_delay_s() -> [f64; 2] {
    [5.0, 600.0]
}

fn default_duplicate_delay_s() -> [f64; 2] {
    [0.0, 30.0]
}

/// Item-master churn.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChurnConfig {
    /// Whether the item master changes.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// IANA time zone of the head office.
    pub time_zone: String,
    /// Start of business hours, HH:MM local.
    pub open: String,
    /// End of business hours, HH:MM local.
    pub close: String,
    /// Whether weekends are worked.
    #[serde(default)]
    pub weekends: bool,
    /// Minutes between rounds, `[min, max]`.
    pub gap_minutes: [f64; 2],
    /// Items repriced per round, `[min, max]`.
    pub reprice_items: [i64; 2],
    /// Largest price move, percent.
    pub max_price_change_pct: f64,
    /// New items per round, `[min, max]`.
    pub new_items: [i64; 2],
    /// Items created earlier in the run removed per round, `[min, max]`.
    pub removed_new_items: [i64; 2],
    /// The first id of created items.
    pub first_new_item_id: i64,
}

fn yes() -> bool {
    true
}

/// Kafka defaults of a scenario.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaSection {
    /// Topic by event kind, after the sink's prefix: `scan = "pos-scans"`.
    #[serde(default)]
    pub topics: BTreeMap<String, String>,
    /// Message key: `store_id` (default), `transaction_id` or `none`.
    pub key: Option<String>,
    /// Prefix of every topic name (the sink's default is `storesim.`).
    pub topic_prefix: Option<String>,
}

fn default_catalog_seed() -> u64 {
    1
}

/// Reference data files, relative to the scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Stores CSV.
    #[serde(default = "chain_stores")]
    pub stores: String,
    /// Item categories CSV.
    #[serde(default = "chain_categories")]
    pub categories: String,
    /// Item master CSV.
    #[serde(default = "chain_items")]
    pub items: String,
}

/// Store and item counts; absent means "as many as the reference data has".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountsConfig {
    /// Number of stores.
    pub stores: Option<i64>,
    /// Number of items.
    pub items: Option<i64>,
}

/// A store size class.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreClassConfig {
    /// Name.
    pub name: String,
    /// Share of stores.
    pub share: f64,
    /// Traffic relative to the base day.
    pub traffic: f64,
    /// Staffed registers.
    pub registers: i64,
    /// Self-checkout stations.
    #[serde(default)]
    pub self_checkouts: i64,
}

/// Traffic.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficConfig {
    /// Baskets on a base day in a store of traffic 1.0.
    pub baskets_per_day: f64,
}

/// One weekday.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayConfig {
    /// Opening time `HH:MM`, local.
    pub open: Option<String>,
    /// Closing time `HH:MM` (`24:00` for midnight), local.
    pub close: Option<String>,
    /// Closed all day.
    #[serde(default)]
    pub closed: bool,
    /// Traffic multiplier.
    #[serde(default = "one")]
    pub multiplier: f64,
    /// Curve name.
    pub curve: String,
}

fn one() -> f64 {
    1.0
}

/// The week.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekConfig {
    /// Monday.
    pub monday: DayConfig,
    /// Tuesday.
    pub tuesday: DayConfig,
    /// Wednesday.
    pub wednesday: DayConfig,
    /// Thursday.
    pub thursday: DayConfig,
    /// Friday.
    pub friday: DayConfig,
    /// Saturday.
    pub saturday: DayConfig,
    /// Sunday.
    pub sunday: DayConfig,
}

/// Register staffing, planned from forecast arrivals.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffingConfig {
    /// Target utilisation of open staffed lanes.
    pub target_utilization: f64,
    /// The planner's mean service time at a staffed lane, seconds.
    pub planning_service_s: f64,
    /// The planner's share of shoppers at staffed lanes.
    pub planning_staffed_share: f64,
}

/// A holiday.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayConfig {
    /// Name.
    pub name: String,
    /// `MM-DD`, `YYYY-MM-DD`, or `fourth thursday of november`.
    pub when: String,
    /// Days added to `when`.
    #[serde(default)]
    pub offset_days: i32,
    /// Closed all day.
    #[serde(default)]
    pub closed: bool,
    /// Opening time, if it differs.
    pub open: Option<String>,
    /// Closing time, if it differs.
    pub close: Option<String>,
    /// Traffic multiplier on top of the weekday's.
    #[serde(default = "one")]
    pub multiplier: f64,
    /// Curve to use instead of the weekday's.
    pub curve: Option<String>,
}

/// Basket composition.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasketConfig {
    /// Lognormal mu of the Poisson mean of extra lines.
    pub lines_lognormal_mu: f64,
    /// Lognormal sigma.
    pub lines_lognormal_sigma: f64,
    /// Most lines in a basket.
    pub max_lines: i64,
    /// Share of lines with more than one unit.
    pub multi_unit_share: f64,
    /// Largest quantity on a line.
    pub max_quantity: i64,
    /// Zipf exponent of item popularity.
    pub zipf_exponent: f64,
}

/// Shopping time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShoppingConfig {
    /// Fixed part, seconds.
    pub base_s: f64,
    /// Per line, seconds.
    pub per_line_s: f64,
    /// Lognormal noise sigma.
    pub noise_sigma: f64,
    /// Longest trip, seconds.
    pub max_s: f64,
}

/// Checkout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutConfig {
    /// Mean scan seconds per unit, staffed.
    pub scan_s_per_item: f64,
    /// Greeting, seconds.
    pub greet_s: f64,
    /// Mean scan seconds per unit, self-checkout.
    pub self_scan_s_per_item: f64,
    /// Largest basket allowed at self-checkout, units.
    pub self_max_items: i64,
    /// Share of eligible shoppers choosing self-checkout.
    pub self_choice_share: f64,
    /// Contactless payment seconds.
    pub contactless_s: f64,
    /// Chip payment seconds.
    pub chip_s: f64,
    /// Share of card payments made contactless.
    pub contactless_share: f64,
    /// Phone wallet payment seconds.
    pub mobile_s: f64,
    /// Cash payment under $10, seconds.
    pub cash_small_s: f64,
    /// Cash payment over $100, seconds.
    pub cash_large_s: f64,
    /// Lognormal noise sigma on payment time.
    pub payment_noise_sigma: f64,
    /// Share of scan lines voided (re-sent with quantity 0).
    #[serde(default)]
    pub void_share: f64,
    /// Delay of the void record after the scan, seconds `[min, max]`.
    #[serde(default = "default_void_delay_s")]
    pub void_delay_s: [i64; 2],
    /// The void record's time: `voided` (when the cashier voids the line)
    /// or `original` (the scan's own, re-sent `void_delay_s` later).
    #[serde(default = "default_void_time")]
    pub void_time: String,
}

fn default_void_time() -> String {
    "voided".into()
}

fn default_void_delay_s() -> [i64; 2] {
    [60, 180]
}

/// Payment mix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentConfig {
    /// Credit share.
    pub credit: f64,
    /// Debit share.
    pub debit: f64,
    /// Cash share.
    pub cash: f64,
    /// Mobile wallet share.
    pub mobile: f64,
}

/// Loyalty program.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoyaltyConfig {
    /// Share of baskets with a loyalty id.
    pub member_share: f64,
    /// Member discount, percent.
    pub discount_pct: f64,
    /// Share of items with a member price.
    pub member_price_item_share: f64,
    /// Members per store of traffic 1.0.
    pub members_per_store: i64,
}

/// Sales tax.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxConfig {
    /// Category codes exempt from tax.
    #[serde(default)]
    pub exempt_categories: Vec<u32>,
    /// Rate for states not listed, percent.
    #[serde(default)]
    pub default_pct: f64,
    /// Rates by two-letter state, percent.
    #[serde(default)]
    pub states: BTreeMap<String, f64>,
}

/// Words for item names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamesConfig {
    /// Brands.
    #[serde(default)]
    pub brands: Vec<String>,
    /// Descriptors.
    #[serde(default)]
    pub descriptors: Vec<String>,
    /// Products.
    #[serde(default)]
    pub products: Vec<String>,
    /// Cost as a share of price.
    #[serde(default)]
    pub cost_ratio: f64,
}
