//! The marketplace's scenario table, `[marketplace]`, and the pricing rule
//! file it names, made into [`MarketplaceParams`].

use std::sync::Arc;

use serde::Deserialize;

use crate::model::Reach;
use crate::setup::{Checks, Entry, Setup, SetupError};

use super::{MarketplaceParams, PricingRule, StockStatus, VendorParams};

/// How a scenario picks the marketplace.
pub const ENTRY: Entry = Entry {
    name: "marketplace",
    table: true,
    build: |s| Ok(Arc::new(params(s)?)),
};

/// The marketplace's knobs, as the scenario writes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarketplaceConfig {
    /// Listings per vendor, `[min, max]`.
    products_per_vendor: [i64; 2],
    /// The categories vendors list from (names); all when absent.
    #[serde(default)]
    listed_categories: Vec<String>,
    /// Share of listings that start on sale.
    on_sale_share: f64,
    /// Largest opening discount, percent.
    max_sale_discount_pct: f64,
    /// Share of the listings on sale whose sale ends at a snapshot.
    #[serde(default = "default_sale_end_share")]
    sale_end_share: f64,
    /// Share of listings whose price moves at a snapshot.
    price_move_share: f64,
    /// Largest move either way, percent.
    max_price_move_pct: f64,
    /// Lowest sale price, percent of list.
    floor_pct: f64,
    /// Mean units sold between snapshots.
    sales_per_snapshot: f64,
    /// Low-stock threshold.
    low_stock: i64,
    /// Opening stock, `[min, max]`.
    initial_stock: [i64; 2],
    /// Share of low listings restocked at a snapshot.
    restock_share: f64,
    /// Units a restock adds, `[min, max]`.
    restock_units: [i64; 2],
    /// Share of listings with an invalid category.
    invalid_category_share: f64,
    /// The invalid values.
    #[serde(default)]
    invalid_categories: Vec<String>,
    /// A pricing rule file (TOML, `[[rule]]` entries), relative to the scenario.
    pricing: Option<String>,
    /// The vendor feed.
    #[serde(default)]
    vendors: VendorConfig,
}

/// A sale lasts 20 snapshots on average: under a day at 24 a day
/// (assumption).
fn default_sale_end_share() -> f64 {
    0.05
}

/// `[marketplace.vendors]`: the vendor feed. Every value is an assumption.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct VendorConfig {
    name_prefixes: Vec<String>,
    name_suffixes: Vec<String>,
    free_shipping_share: f64,
    shipping_cost: [f64; 2],
    review_score: [f64; 2],
    initial_feedbacks: [i64; 2],
    feedback_share: f64,
}

impl Default for VendorConfig {
    fn default() -> VendorConfig {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        VendorConfig {
            name_prefixes: words(&[
                "Electro", "Tech", "Volt", "Gadget", "Digi", "Mega", "Smart", "Pixel", "Nova",
                "Circuit",
            ]),
            name_suffixes: words(&[
                "World", "Hub", "Mart", "Depot", "Zone", "Store", "Planet", "Outlet", "Bazaar",
                "House",
            ]),
            free_shipping_share: 0.3,
            shipping_cost: [3.0, 15.0],
            review_score: [3.0, 4.9],
            initial_feedbacks: [20, 5000],
            feedback_share: 0.1,
        }
    }
}

/// A pricing rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PricingFile {
    /// The rules, first match wins.
    #[serde(default)]
    rule: Vec<PricingRuleConfig>,
}

/// One pricing rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PricingRuleConfig {
    /// Name.
    name: String,
    /// Category names; all when absent.
    #[serde(default)]
    categories: Vec<String>,
    /// `in_stock`, `low_stock`, `out_of_stock`; all when absent.
    #[serde(default)]
    stock_status: Vec<String>,
    /// Vendor ids; all when absent.
    #[serde(default)]
    vendors: Vec<u32>,
    /// Least discount off list price, percent, for the rule to apply.
    #[serde(default)]
    min_discount_pct: f64,
    /// Change of the sale price, percent (-10 is 10% off).
    adjust_pct: f64,
}

/// The marketplace's parameters, with the pricing rules read from their file.
fn params(s: &Setup<'_>) -> Result<MarketplaceParams, SetupError> {
    let c: MarketplaceConfig = s.table()?;
    let pair = |key: &str, [lo, hi]: [i64; 2], min: i64| -> Result<(u32, u32), SetupError> {
        let lo = s.int_in(key, lo, min, 1_000_000)?;
        let hi = s.int_in(key, hi, lo, 1_000_000)?;
        Ok((lo as u32, hi as u32))
    };
    let invalid_category_share = s.share("invalid_category_share", c.invalid_category_share)?;
    if invalid_category_share > 0.0 && c.invalid_categories.is_empty() {
        return Err(s.err(
            "invalid_categories",
            "list the invalid values to publish (the share is above 0)",
        ));
    }
    let v = &c.vendors;
    let range = |key: &str, [lo, hi]: [f64; 2], max: f64| -> Result<(f64, f64), SetupError> {
        let key = format!("vendors.{key}");
        if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi && hi <= max) {
            return Err(s.err(&key, format!("want [min, max] within 0-{max}, got [{lo}, {hi}]")));
        }
        Ok((lo, hi))
    };
    let (ship_lo, ship_hi) = range("shipping_cost", v.shipping_cost, 1000.0)?;
    let (score_lo, score_hi) = range("review_score", v.review_score, 5.0)?;
    if score_lo < 1.0 {
        return Err(s.err("vendors.review_score", "scores run from 1.0 to 5.0"));
    }
    let vendors = VendorParams {
        name_prefixes: v.name_prefixes.clone(),
        name_suffixes: v.name_suffixes.clone(),
        free_shipping_share: s.share("vendors.free_shipping_share", v.free_shipping_share)?,
        shipping_cents: ((ship_lo * 100.0).round() as i64, (ship_hi * 100.0).round() as i64),
        review_tenths: ((score_lo * 10.0).round() as u16, (score_hi * 10.0).round() as u16),
        initial_feedbacks: pair("vendors.initial_feedbacks", v.initial_feedbacks, 0)?,
        feedback_share: s.share("vendors.feedback_share", v.feedback_share)?,
    };
    let on_sale_share = s.share("on_sale_share", c.on_sale_share)?;
    if on_sale_share >= 1.0 {
        return Err(s.err(
            "on_sale_share",
            "must be below 1 (some listings sit at list price between sales)",
        ));
    }
    let pricing = match &c.pricing {
        Some(path) => pricing(s, path)?,
        None => Vec::new(),
    };
    Ok(MarketplaceParams {
        products_per_vendor: pair("products_per_vendor", c.products_per_vendor, 1)?,
        listed_categories: c.listed_categories.clone(),
        on_sale_share,
        sale_end_share: s.share("sale_end_share", c.sale_end_share)?,
        max_sale_discount_bp: s.pct_bp("max_sale_discount_pct", c.max_sale_discount_pct, 90.0)?,
        price_move_share: s.share("price_move_share", c.price_move_share)?,
        max_price_move_bp: s.pct_bp("max_price_move_pct", c.max_price_move_pct, 90.0)?,
        floor_bp: s.pct_bp("floor_pct", c.floor_pct, 100.0)?,
        sales_per_snapshot: s.non_negative("sales_per_snapshot", c.sales_per_snapshot)?,
        low_stock: s.int_in("low_stock", c.low_stock, 0, 1_000_000)? as u32,
        initial_stock: pair("initial_stock", c.initial_stock, 0)?,
        restock_share: s.share("restock_share", c.restock_share)?,
        restock_units: pair("restock_units", c.restock_units, 1)?,
        invalid_category_share,
        invalid_categories: c.invalid_categories.clone(),
        pricing,
        vendors,
    })
}

/// The rules of a pricing file, in order.
fn pricing(s: &Setup<'_>, path: &str) -> Result<Vec<PricingRule>, SetupError> {
    let (origin, text) = s.read(path)?;
    let file: PricingFile =
        toml::from_str(&text).map_err(|e| SetupError::data(&origin, e.message()))?;
    let mut rules = Vec::new();
    for (i, r) in file.rule.iter().enumerate() {
        let bad = |message: String| SetupError::data(&origin, format!("`rule[{i}]`: {message}"));
        let stock_status = r
            .stock_status
            .iter()
            .map(|s| match s.as_str() {
                "in_stock" => Ok(StockStatus::InStock),
                "low_stock" => Ok(StockStatus::LowStock),
                "out_of_stock" => Ok(StockStatus::OutOfStock),
                other => Err(bad(format!(
                    "stock_status `{other}`: use in_stock, low_stock or out_of_stock"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(r.adjust_pct.is_finite() && (-99.0..=1000.0).contains(&r.adjust_pct)) {
            return Err(bad(format!(
                "adjust_pct must be between -99 and 1000, got {}",
                r.adjust_pct
            )));
        }
        if !(r.min_discount_pct.is_finite() && (0.0..=100.0).contains(&r.min_discount_pct)) {
            return Err(bad(format!(
                "min_discount_pct must be 0-100, got {}",
                r.min_discount_pct
            )));
        }
        rules.push(PricingRule {
            name: r.name.clone(),
            categories: r.categories.clone(),
            stock_status,
            vendors: r.vendors.clone(),
            min_discount_bp: (r.min_discount_pct * 100.0).round() as i64,
            adjust_bp: (r.adjust_pct * 100.0).round() as i64,
        });
    }
    Ok(rules)
}

/// A pricing rule may only name categories a listing has and vendors
/// among the stores.
pub(super) fn check_reach(p: &MarketplaceParams, reach: &Reach<'_>) -> Result<(), SetupError> {
    if let Some(c) = p
        .listed_categories
        .iter()
        .find(|c| !reach.categories.iter().any(|k| &k.category_name == *c))
    {
        let known: Vec<&str> = reach.categories.iter().map(|k| k.category_name.as_str()).collect();
        return Err(SetupError::field(
            "marketplace.listed_categories",
            format!("no category `{c}` in data.categories (it has {})", known.join(", ")),
        ));
    }
    for (i, r) in p.pricing.iter().enumerate() {
        let known = |c: &String| {
            reach.categories.iter().any(|k| &k.category_name == c)
                || p.invalid_categories.contains(c)
        };
        if let Some(c) = r.categories.iter().find(|c| !known(c)) {
            return Err(SetupError::field(
                format!("marketplace.pricing: rule[{i}].categories"),
                format!("no listing has the category `{c}`: the rule would never match it"),
            ));
        }
        if let Some(v) = r.vendors.iter().find(|v| !(reach.is_store)(**v)) {
            return Err(SetupError::field(
                format!("marketplace.pricing: rule[{i}].vendors"),
                format!(
                    "no vendor {v} among the vendors (data.stores): the rule would never match it"
                ),
            ));
        }
    }
    Ok(())
}
