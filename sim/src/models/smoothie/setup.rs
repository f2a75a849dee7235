//! The smoothie bar's scenario table, `[smoothie]`, and the menu file it
//! names, made into [`SmoothieParams`].

use std::sync::Arc;

use serde::Deserialize;

use crate::model::Reach;
use crate::money::Money;
use crate::setup::csv::Table;
use crate::setup::{Checks, Entry, Setup, SetupError};

use super::{Product, SmoothieParams};

/// How a scenario picks the smoothie bar.
pub const ENTRY: Entry = Entry {
    name: "smoothie",
    table: true,
    build: |s| Ok(Arc::new(params(s)?)),
};

/// The smoothie bar's knobs, as the scenario writes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SmoothieConfig {
    /// The menu CSV, relative to the scenario file.
    products: String,
    /// Share of customers who are club members.
    member_share: f64,
    /// Member discount, percent.
    member_discount_pct: f64,
    /// Price of an add-on supplement.
    supplement_price: f64,
    /// Product-id prefixes whose buyers add supplements more often.
    #[serde(default)]
    supplement_prefixes: Vec<String>,
    /// Supplement share for those products.
    supplement_share_prefixed: f64,
    /// Supplement share for the others.
    supplement_share_other: f64,
    /// Relative weights of 1, 2, 3, ... products per transaction.
    products_per_transaction: Vec<f64>,
    /// Relative weights of quantity 1, 2, 3, ... per product.
    quantity: Vec<f64>,
    /// Stock level at or below which a product is reordered.
    restock_threshold: i64,
    /// Units a restock delivers.
    restock_quantity: i64,
    /// Minutes from order to delivery, `[min, max]`.
    restock_lead_minutes: [f64; 2],
    #[serde(default = "total_weight")]
    propensity_column: String,
}

fn total_weight() -> String {
    "_TotalWeight".into()
}

/// The smoothie model's parameters, with the menu read from its file.
fn params(s: &Setup<'_>) -> Result<SmoothieParams, SetupError> {
    let c: SmoothieConfig = s.table()?;
    let (origin, text) = s.read(&c.products)?;
    let products = products(&origin, &text, &c.propensity_column)
        .map_err(|e| match e {
            SetupError::Data { message, .. }
                if message
                    == format!("missing column `{}`", c.propensity_column.to_ascii_lowercase()) =>
            {
                s.err(
                "propensity_column",
                    format!("`{}` is not a column of {}", c.propensity_column, c.products),
                )
            }
            e => e,
        })?;
    let pct = c.member_discount_pct;
    if !(pct.is_finite() && (0.0..=100.0).contains(&pct)) {
        return Err(s.err("member_discount_pct", format!("must be 0-100, got {pct}")));
    }
    let supplement = Money::parse_decimal(&format!("{:.2}", c.supplement_price))
        .filter(|m| c.supplement_price.is_finite() && m.cents() >= 0)
        .ok_or_else(|| {
            s.err(
                "supplement_price",
                format!("must be an amount of 0 or more, got {}", c.supplement_price),
            )
        })?;
    let key = "restock_lead_minutes";
    let [lo, hi] = c.restock_lead_minutes;
    let (lo, hi) = (s.non_negative(key, lo)?, s.non_negative(key, hi)?);
    if hi < lo || hi > 10_080.0 {
        return Err(s.err(
            key,
            format!("must be [min, max] minutes with min <= max <= 10080, got [{lo}, {hi}]"),
        ));
    }
    let minute = 60_000_000.0;
    Ok(SmoothieParams {
        products,
        member_share: s.share("member_share", c.member_share)?,
        member_discount_bp: (pct * 100.0).round() as i64,
        supplement_price: supplement,
        supplement_prefixes: c.supplement_prefixes.clone(),
        supplement_share_prefixed: s
            .share("supplement_share_prefixed", c.supplement_share_prefixed)?,
        supplement_share_other: s.share("supplement_share_other", c.supplement_share_other)?,
        products_per_transaction: s
            .weights("products_per_transaction", &c.products_per_transaction)?,
        quantity: s.weights("quantity", &c.quantity)?,
        restock_threshold: s.int_in("restock_threshold", c.restock_threshold, 0, 1_000_000)?
            as u32,
        restock_quantity: s.int_in("restock_quantity", c.restock_quantity, 1, 1_000_000)? as u32,
        restock_lead_us: ((lo * minute).round() as i64, (hi * minute).round() as i64),
    })
}

/// Parses the menu (the streaming sales generator's `products.csv`
/// columns); `_totalweight` is the propensity to buy.
fn products(origin: &str, text: &str, propensity: &str) -> Result<Vec<Product>, SetupError> {
    let t = Table::parse(origin, text)?;
    let propensity = t.column(&propensity.to_ascii_lowercase())?;
    let c = [
        t.column("id")?,
        t.column("category")?,
        t.column("item")?,
        t.column("size")?,
        t.column("cogs")?,
        t.column("price")?,
        t.column("inventory")?,
        t.column("containsfruit")?,
        t.column("containsveggies")?,
        t.column("containsnuts")?,
        t.column("containscaffeine")?,
        t.column("_totalweight")?,
    ];
    let products = t
        .rows
        .iter()
        .map(|row| {
            let price = t.money(row, c[5])?;
            if price.cents() <= 0 {
                return Err(t.bad(row, c[5], "must be positive"));
            }
            Ok(Product {
                product_id: t.get(row, c[0])?,
                category: t.get(row, c[1])?,
                item: t.get(row, c[2])?,
                size: t.get(row, c[3])?,
                cogs: t.money(row, c[4])?,
                price,
                inventory: t.get(row, c[6])?,
                contains_fruit: t.flag(row, c[7])?,
                contains_veggies: t.flag(row, c[8])?,
                contains_nuts: t.flag(row, c[9])?,
                contains_caffeine: t.flag(row, c[10])?,
                weight: t.get(row, c[11])?,
                propensity: t.get(row, propensity)?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if products.is_empty() || products.iter().all(|p| p.weight == 0) {
        return Err(t.err("needs at least one product with a positive `_TotalWeight`"));
    }
    Ok(products)
}

/// A promotion may only name products on the menu.
pub(super) fn check_reach(p: &SmoothieParams, reach: &Reach<'_>) -> Result<(), SetupError> {
    for (i, a) in reach.anomalies.iter().enumerate() {
        if let Some(id) = a
            .products
            .iter()
            .find(|id| !p.products.iter().any(|m| &m.product_id == *id))
        {
            return Err(SetupError::field(
                format!("anomalies[{i}].products"),
                format!("product `{id}` is not on the menu: the promotion would never apply to it"),
            ));
        }
    }
    Ok(())
}
