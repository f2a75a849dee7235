//! The widget retailer's scenario table, `[widgets]`, made into
//! [`WidgetsParams`].

use std::sync::Arc;

use serde::Deserialize;

use crate::setup::{Checks, limits, Entry, Setup, SetupError};

use super::{Tables, WidgetsParams};

/// How a scenario picks the widget retailer.
pub const ENTRY: Entry = Entry {
    name: "widgets",
    table: true,
    build: |s| Ok(Arc::new(params(s)?)),
};

/// Shares of eligible records that carry each defect.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirtyConfig {
    /// A required field is null.
    #[serde(default)]
    null: f64,
    /// A malformed email.
    #[serde(default)]
    malformed_email: f64,
    /// A date that does not parse.
    #[serde(default)]
    malformed_date: f64,
    /// The record twice.
    #[serde(default)]
    duplicate: f64,
    /// A quantity out of range.
    #[serde(default)]
    out_of_range: f64,
    /// A key matching no record.
    #[serde(default)]
    orphan_key: f64,
}

/// The widget retailer's knobs, as the scenario writes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct WidgetsConfig {
    /// `native` (storesim's records) or `unlimited` (the Widgets Unlimited
    /// demo's tables).
    #[serde(default)]
    tables: Option<String>,
    /// Injected defects.
    dirty: DirtyConfig,
    /// Customers per market at the initial load.
    initial_customers: i64,
    /// New customers a day per market.
    signups_per_day: f64,
    /// Customer updates a day per market.
    customer_updates_per_day: f64,
    /// In-store sales on a base day per store.
    store_sales_per_day: f64,
    /// Weights of 1, 2, ... lines per order.
    lines_per_order: Vec<f64>,
    /// Weights of quantity 1, 2, ...
    quantity: Vec<f64>,
    /// Products at the initial load.
    initial_products: i64,
    /// New products a day.
    new_products_per_day: i64,
    /// Share of products repriced a day.
    reprice_share: f64,
    /// Suppliers.
    suppliers: i64,
    /// Share of products sold in a store that get a receipt that day.
    receipt_share: f64,
    /// First names.
    first_names: Vec<String>,
    /// Last names.
    last_names: Vec<String>,
    /// Street names.
    streets: Vec<String>,
    /// Email domains.
    email_domains: Vec<String>,
    /// Product adjectives.
    product_adjectives: Vec<String>,
    /// Product nouns (also the categories).
    product_nouns: Vec<String>,
}

/// The widget retailer's parameters.
fn params(s: &Setup<'_>) -> Result<WidgetsParams, SetupError> {
    let c: WidgetsConfig = s.table()?;
    let d = &c.dirty;
    let dirty = [
        s.share("dirty.null", d.null)?,
        s.share("dirty.malformed_email", d.malformed_email)?,
        s.share("dirty.malformed_date", d.malformed_date)?,
        s.share("dirty.duplicate", d.duplicate)?,
        s.share("dirty.out_of_range", d.out_of_range)?,
        s.share("dirty.orphan_key", d.orphan_key)?,
    ];
    // A record draws one defect among those it can carry: the shares of
    // the five a sale can carry must leave room for clean records.
    if dirty.iter().sum::<f64>() > 1.0 {
        return Err(s.err("dirty", "the shares sum to more than 1"));
    }
    let tables = match c.tables.as_deref() {
        None | Some("native") => Tables::Native,
        Some("unlimited") => Tables::Unlimited,
        Some(other) => {
            return Err(s.err(
                "tables",
                format!("unknown tables `{other}` (known: native, unlimited)"),
            ))
        }
    };
    Ok(WidgetsParams {
        tables,
        dirty,
        initial_customers: s.int_in("initial_customers", c.initial_customers, 0, 800_000)? as u32,
        signups_per_day: s.at_most("signups_per_day", c.signups_per_day, limits::PER_DAY)?,
        customer_updates_per_day: s.at_most(
            "customer_updates_per_day",
            c.customer_updates_per_day,
            limits::PER_DAY,
        )?,
        store_sales_per_day: s.positive_at_most(
            "store_sales_per_day",
            c.store_sales_per_day,
            limits::PER_DAY,
        )?,
        lines_per_order: s.weights("lines_per_order", &c.lines_per_order)?,
        quantity: s.weights("quantity", &c.quantity)?,
        initial_products: s.int_in("initial_products", c.initial_products, 1, 50_000)? as u32,
        new_products_per_day: s.int_in("new_products_per_day", c.new_products_per_day, 0, 100)?
            as u32,
        reprice_share: s.share("reprice_share", c.reprice_share)?,
        suppliers: s.int_in("suppliers", c.suppliers, 1, 899)? as u32,
        receipt_share: s.share("receipt_share", c.receipt_share)?,
        first_names: s.words("first_names", &c.first_names)?,
        last_names: s.words("last_names", &c.last_names)?,
        streets: s.words("streets", &c.streets)?,
        email_domains: s.words("email_domains", &c.email_domains)?,
        product_adjectives: s.words("product_adjectives", &c.product_adjectives)?,
        product_nouns: s.words("product_nouns", &c.product_nouns)?,
    })
}
