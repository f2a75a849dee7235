//! The models' own tables: `[smoothie]`, `[webshop]`, `[marketplace]`,
//! `[widgets]`.

use super::*;

/// The smoothie bar's knobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmoothieConfig {
    /// The menu CSV, relative to the scenario file.
    pub products: String,
    /// Share of customers who are club members.
    pub member_share: f64,
    /// Member discount, percent.
    pub member_discount_pct: f64,
    /// Price of an add-on supplement.
    pub supplement_price: f64,
    /// Product-id prefixes whose buyers add supplements more often.
    #[serde(default)]
    pub supplement_prefixes: Vec<String>,
    /// Supplement share for those products.
    pub supplement_share_prefixed: f64,
    /// Supplement share for the others.
    pub supplement_share_other: f64,
    /// Relative weights of 1, 2, 3, ... products per transaction.
    pub products_per_transaction: Vec<f64>,
    /// Relative weights of quantity 1, 2, 3, ... per product.
    pub quantity: Vec<f64>,
    /// Stock level at or below which a product is reordered.
    pub restock_threshold: i64,
    /// Units a restock delivers.
    pub restock_quantity: i64,
    /// Minutes from order to delivery, `[min, max]`.
    pub restock_lead_minutes: [f64; 2],
}

/// One device of the web shop.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfig {
    /// Share of customers on it.
    pub share: f64,
    /// Share of its sessions that buy.
    pub conversion: f64,
    /// Mean order value, dollars.
    pub order_value: f64,
    /// Median latency, milliseconds.
    pub latency_ms: f64,
}

/// A user-agent string.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserAgentConfig {
    /// The device name (a key of `webshop.devices`).
    pub device: String,
    /// Relative weight among the device's agents.
    pub weight: f64,
    /// The header value.
    pub ua: String,
}

/// The web shop's knobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebshopConfig {
    /// Devices by name.
    pub devices: BTreeMap<String, DeviceConfig>,
    /// User agents.
    pub user_agents: Vec<UserAgentConfig>,
    /// Customers per market of traffic 1.0.
    pub customers_per_market: i64,
    /// Mean pages a session views.
    pub pages_mean: f64,
    /// Median think time between requests, seconds.
    pub think_s: f64,
    /// Lognormal sigma of order values.
    pub order_value_sigma: f64,
    /// Lognormal sigma of latencies.
    pub latency_sigma: f64,
    /// Share of product pages answered 404.
    pub not_found_share: f64,
    /// Share of requests answered 500.
    pub server_error_share: f64,
    /// Number of products.
    pub products: i64,
}

/// The marketplace's knobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketplaceConfig {
    /// Listings per vendor, `[min, max]`.
    pub products_per_vendor: [i64; 2],
    /// Share of listings that start on sale.
    pub on_sale_share: f64,
    /// Largest opening discount, percent.
    pub max_sale_discount_pct: f64,
    /// Share of listings whose price moves at a snapshot.
    pub price_move_share: f64,
    /// Largest move either way, percent.
    pub max_price_move_pct: f64,
    /// Lowest sale price, percent of list.
    pub floor_pct: f64,
    /// Mean units sold between snapshots.
    pub sales_per_snapshot: f64,
    /// Low-stock threshold.
    pub low_stock: i64,
    /// Opening stock, `[min, max]`.
    pub initial_stock: [i64; 2],
    /// Share of low listings restocked at a snapshot.
    pub restock_share: f64,
    /// Units a restock adds, `[min, max]`.
    pub restock_units: [i64; 2],
    /// Share of listings with an invalid category.
    pub invalid_category_share: f64,
    /// The invalid values.
    #[serde(default)]
    pub invalid_categories: Vec<String>,
    /// A pricing rule file (TOML, `[[rule]]` entries), relative to the scenario.
    pub pricing: Option<String>,
}

/// A pricing rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingFile {
    /// The rules, first match wins.
    #[serde(default)]
    pub rule: Vec<PricingRuleConfig>,
}

/// One pricing rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingRuleConfig {
    /// Name.
    pub name: String,
    /// Category names; all when absent.
    #[serde(default)]
    pub categories: Vec<String>,
    /// `in_stock`, `low_stock`, `out_of_stock`; all when absent.
    #[serde(default)]
    pub stock_status: Vec<String>,
    /// Vendor ids; all when absent.
    #[serde(default)]
    pub vendors: Vec<u32>,
    /// Least discount off list price, percent, for the rule to apply.
    #[serde(default)]
    pub min_discount_pct: f64,
    /// Change of the sale price, percent (-10 is 10% off).
    pub adjust_pct: f64,
}

/// Shares of eligible records that carry each defect.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirtyConfig {
    /// A required field is null.
    #[serde(default)]
    pub null: f64,
    /// A malformed email.
    #[serde(default)]
    pub malformed_email: f64,
    /// A date that does not parse.
    #[serde(default)]
    pub malformed_date: f64,
    /// The record twice.
    #[serde(default)]
    pub duplicate: f64,
    /// A quantity out of range.
    #[serde(default)]
    pub out_of_range: f64,
    /// A key matching no record.
    #[serde(default)]
    pub orphan_key: f64,
}

/// The widget retailer's knobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetsConfig {
    /// Injected defects.
    pub dirty: DirtyConfig,
    /// Customers per market at the initial load.
    pub initial_customers: i64,
    /// New customers a day per market.
    pub signups_per_day: f64,
    /// Customer updates a day per market.
    pub customer_updates_per_day: f64,
    /// In-store sales on a base day per store.
    pub store_sales_per_day: f64,
    /// Weights of 1, 2, ... lines per order.
    pub lines_per_order: Vec<f64>,
    /// Weights of quantity 1, 2, ...
    pub quantity: Vec<f64>,
    /// Products at the initial load.
    pub initial_products: i64,
    /// New products a day.
    pub new_products_per_day: i64,
    /// Share of products repriced a day.
    pub reprice_share: f64,
    /// Suppliers.
    pub suppliers: i64,
    /// Share of products sold in a store that get a receipt that day.
    pub receipt_share: f64,
    /// First names.
    pub first_names: Vec<String>,
    /// Last names.
    pub last_names: Vec<String>,
    /// Street names.
    pub streets: Vec<String>,
    /// Email domains.
    pub email_domains: Vec<String>,
    /// Product adjectives.
    pub product_adjectives: Vec<String>,
    /// Product nouns (also the categories).
    pub product_nouns: Vec<String>,
}
