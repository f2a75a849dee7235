//! Each model's own table made into its parameters, and what could never apply
//! to them refused.

use super::*;

/// A model as a scenario names it (`model = "name"`): whether the file
/// has the model's own table, and the model built from it.
pub(super) struct Entry {
    /// The name in `model = "..."`, and of its table.
    pub(super) name: &'static str,
    /// Whether the scenario has the model's `[name]` table (the chain has
    /// none: its knobs are the common sections).
    pub(super) table: Option<fn(&ScenarioConfig) -> bool>,
    /// The model's parameters from its table (checked to be there).
    pub(super) build: Build,
}

/// Builds a model from a scenario (and the folder its data files are in).
pub(super) type Build = fn(
    &Checker<'_>,
    &ScenarioConfig,
    Option<&std::path::Path>,
) -> Result<Arc<dyn storesim_sim::Model>, ScenarioError>;

/// The models a scenario may name: one entry each.
pub(super) const MODELS: [Entry; 5] = [
    Entry {
        name: "chain",
        table: None,
        build: |_, _, _| Ok(Arc::new(storesim_sim::chain::Chain)),
    },
    Entry {
        name: "smoothie",
        table: Some(|c| c.smoothie.is_some()),
        build: |k, c, base| {
            Ok(Arc::new(smoothie(
                k,
                own(k, "smoothie", &c.smoothie)?,
                base,
            )?))
        },
    },
    Entry {
        name: "webshop",
        table: Some(|c| c.webshop.is_some()),
        build: |k, c, _| Ok(Arc::new(webshop(k, own(k, "webshop", &c.webshop)?)?)),
    },
    Entry {
        name: "marketplace",
        table: Some(|c| c.marketplace.is_some()),
        build: |k, c, base| {
            Ok(Arc::new(marketplace(
                k,
                own(k, "marketplace", &c.marketplace)?,
                base,
            )?))
        },
    },
    Entry {
        name: "widgets",
        table: Some(|c| c.widgets.is_some()),
        build: |k, c, _| Ok(Arc::new(widgets(k, own(k, "widgets", &c.widgets)?)?)),
    },
];

/// The entry `model` names, or an error listing the known ones.
pub(super) fn entry(k: &Checker<'_>, model: &str) -> Result<&'static Entry, ScenarioError> {
    MODELS.iter().find(|m| m.name == model).ok_or_else(|| {
        let known: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
        k.err(
            "model",
            format!("unknown model `{model}` (known: {})", known.join(", ")),
        )
    })
}

/// A model's own table, which `model` requires.
fn own<'a, T>(k: &Checker<'_>, name: &str, table: &'a Option<T>) -> Result<&'a T, ScenarioError> {
    table.as_ref().ok_or_else(|| missing_table(k, name))
}

/// Model `name` is asked for and its `[name]` table is not there.
pub(super) fn missing_table(k: &Checker<'_>, name: &str) -> ScenarioError {
    k.err(
        name,
        format!("missing: model `{name}` needs a [{name}] section"),
    )
}

/// Refuses what could never apply: an anomaly on a store that is not in
/// the stores (neither the data file nor the run's), on a product not on
/// the menu, a pricing rule on a category or vendor no listing has.
pub(super) fn check_reachable(
    k: &Checker<'_>,
    anomalies: &[storesim_sim::calendar::Anomaly],
    model: &dyn storesim_sim::Model,
    records: &[storesim_sim::catalog::StoreRecord],
    stores: &[storesim_sim::catalog::Store],
    categories: &[storesim_sim::catalog::Category],
) -> Result<(), ScenarioError> {
    for (i, a) in anomalies.iter().enumerate() {
        if let Some(id) = a.stores.iter().find(|id| {
            !records.iter().any(|r| r.id == **id) && !stores.iter().any(|s| s.store_id == **id)
        }) {
            return Err(k.err(
                format!("anomalies[{i}].stores"),
                format!("store {id} is not among the stores (data.stores): the anomaly would never apply to it"),
            ));
        }
        if let Some(p) = model.downcast::<storesim_sim::smoothie::SmoothieParams>() {
            if let Some(id) = a
                .products
                .iter()
                .find(|id| !p.products.iter().any(|m| &m.product_id == *id))
            {
                return Err(k.err(
                    format!("anomalies[{i}].products"),
                    format!(
                        "product `{id}` is not on the menu: the promotion would never apply to it"
                    ),
                ));
            }
        }
    }
    if let Some(p) = model.downcast::<storesim_sim::marketplace::MarketplaceParams>() {
        for (i, r) in p.pricing.iter().enumerate() {
            let known = |c: &String| {
                categories.iter().any(|k| &k.category_name == c) || p.invalid_categories.contains(c)
            };
            if let Some(c) = r.categories.iter().find(|c| !known(c)) {
                return Err(k.err(
                    format!("marketplace.pricing: rule[{i}].categories"),
                    format!("no listing has the category `{c}`: the rule would never match it"),
                ));
            }
            let vendor = |v: &u32| {
                records.iter().any(|r| r.id == *v) || stores.iter().any(|s| s.store_id == *v)
            };
            if let Some(v) = r.vendors.iter().find(|v| !vendor(v)) {
                return Err(k.err(
                    format!("marketplace.pricing: rule[{i}].vendors"),
                    format!("no vendor {v} among the vendors (data.stores): the rule would never match it"),
                ));
            }
        }
    }
    Ok(())
}

/// The smoothie model's parameters, with the menu read from `base`.
pub(super) fn smoothie(
    k: &Checker<'_>,
    c: &SmoothieConfig,
    base: Option<&std::path::Path>,
) -> Result<SmoothieParams, ScenarioError> {
    let (origin, text) = data::read(base, &c.products)?;
    let products = data::products(&origin, &text)?;
    let weights = |key: &str, w: &[f64]| -> Result<Vec<f64>, ScenarioError> {
        for v in w {
            k.non_negative(key, *v)?;
        }
        if w.is_empty() || w.len() > 20 || w.iter().sum::<f64>() <= 0.0 {
            return Err(k.err(key, "needs 1-20 weights, not all zero"));
        }
        Ok(w.to_vec())
    };
    let pct = c.member_discount_pct;
    if !(pct.is_finite() && (0.0..=100.0).contains(&pct)) {
        return Err(k.err(
            "smoothie.member_discount_pct",
            format!("must be 0-100, got {pct}"),
        ));
    }
    let supplement = Money::parse_decimal(&format!("{:.2}", c.supplement_price))
        .filter(|m| c.supplement_price.is_finite() && m.cents() >= 0)
        .ok_or_else(|| {
            k.err(
                "smoothie.supplement_price",
                format!("must be an amount of 0 or more, got {}", c.supplement_price),
            )
        })?;
    let key = "smoothie.restock_lead_minutes";
    let [lo, hi] = c.restock_lead_minutes;
    let (lo, hi) = (k.non_negative(key, lo)?, k.non_negative(key, hi)?);
    if hi < lo || hi > 10_080.0 {
        return Err(k.err(
            key,
            format!("must be [min, max] minutes with min <= max <= 10080, got [{lo}, {hi}]"),
        ));
    }
    let minute = 60_000_000.0;
    Ok(SmoothieParams {
        products,
        member_share: k.share("smoothie.member_share", c.member_share)?,
        member_discount_bp: (pct * 100.0).round() as i64,
        supplement_price: supplement,
        supplement_prefixes: c.supplement_prefixes.clone(),
        supplement_share_prefixed: k.share(
            "smoothie.supplement_share_prefixed",
            c.supplement_share_prefixed,
        )?,
        supplement_share_other: k
            .share("smoothie.supplement_share_other", c.supplement_share_other)?,
        products_per_transaction: weights(
            "smoothie.products_per_transaction",
            &c.products_per_transaction,
        )?,
        quantity: weights("smoothie.quantity", &c.quantity)?,
        restock_threshold: k.int_in(
            "smoothie.restock_threshold",
            c.restock_threshold,
            0,
            1_000_000,
        )? as u32,
        restock_quantity: k.int_in(
            "smoothie.restock_quantity",
            c.restock_quantity,
            1,
            1_000_000,
        )? as u32,
        restock_lead_us: ((lo * minute).round() as i64, (hi * minute).round() as i64),
    })
}

/// The marketplace's parameters, with the pricing rules read from `base`.
pub(super) fn marketplace(
    k: &Checker<'_>,
    c: &MarketplaceConfig,
    base: Option<&std::path::Path>,
) -> Result<MarketplaceParams, ScenarioError> {
    let pct_bp = |key: &str, v: f64, hi: f64| -> Result<i64, ScenarioError> {
        if v.is_finite() && (0.0..=hi).contains(&v) {
            Ok((v * 100.0).round() as i64)
        } else {
            Err(k.err(key, format!("must be a percentage 0-{hi}, got {v}")))
        }
    };
    let pair = |key: &str, [lo, hi]: [i64; 2], min: i64| -> Result<(u32, u32), ScenarioError> {
        let lo = k.int_in(key, lo, min, 1_000_000)?;
        let hi = k.int_in(key, hi, lo, 1_000_000)?;
        Ok((lo as u32, hi as u32))
    };
    let invalid_category_share = k.share(
        "marketplace.invalid_category_share",
        c.invalid_category_share,
    )?;
    if invalid_category_share > 0.0 && c.invalid_categories.is_empty() {
        return Err(k.err(
            "marketplace.invalid_categories",
            "list the invalid values to publish (the share is above 0)",
        ));
    }
    let mut pricing = Vec::new();
    if let Some(path) = &c.pricing {
        let (origin, text) = data::read(base, path)?;
        let file: PricingFile = toml::from_str(&text).map_err(|e| ScenarioError::Data {
            origin: origin.clone(),
            message: e.message().to_string(),
        })?;
        for (i, r) in file.rule.iter().enumerate() {
            let key = format!("rule[{i}]");
            let bad = |message: String| ScenarioError::Data {
                origin: origin.clone(),
                message: format!("`{key}`: {message}"),
            };
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
            pricing.push(PricingRule {
                name: r.name.clone(),
                categories: r.categories.clone(),
                stock_status,
                vendors: r.vendors.clone(),
                min_discount_bp: (r.min_discount_pct * 100.0).round() as i64,
                adjust_bp: (r.adjust_pct * 100.0).round() as i64,
            });
        }
    }
    Ok(MarketplaceParams {
        products_per_vendor: pair("marketplace.products_per_vendor", c.products_per_vendor, 1)?,
        on_sale_share: k.share("marketplace.on_sale_share", c.on_sale_share)?,
        max_sale_discount_bp: pct_bp(
            "marketplace.max_sale_discount_pct",
            c.max_sale_discount_pct,
            90.0,
        )?,
        price_move_share: k.share("marketplace.price_move_share", c.price_move_share)?,
        max_price_move_bp: pct_bp("marketplace.max_price_move_pct", c.max_price_move_pct, 90.0)?,
        floor_bp: pct_bp("marketplace.floor_pct", c.floor_pct, 100.0)?,
        sales_per_snapshot: k
            .non_negative("marketplace.sales_per_snapshot", c.sales_per_snapshot)?,
        low_stock: k.int_in("marketplace.low_stock", c.low_stock, 0, 1_000_000)? as u32,
        initial_stock: pair("marketplace.initial_stock", c.initial_stock, 0)?,
        restock_share: k.share("marketplace.restock_share", c.restock_share)?,
        restock_units: pair("marketplace.restock_units", c.restock_units, 1)?,
        invalid_category_share,
        invalid_categories: c.invalid_categories.clone(),
        pricing,
    })
}

/// The widget retailer's parameters.
pub(super) fn widgets(k: &Checker<'_>, c: &WidgetsConfig) -> Result<WidgetsParams, ScenarioError> {
    let d = &c.dirty;
    let dirty = [
        k.share("widgets.dirty.null", d.null)?,
        k.share("widgets.dirty.malformed_email", d.malformed_email)?,
        k.share("widgets.dirty.malformed_date", d.malformed_date)?,
        k.share("widgets.dirty.duplicate", d.duplicate)?,
        k.share("widgets.dirty.out_of_range", d.out_of_range)?,
        k.share("widgets.dirty.orphan_key", d.orphan_key)?,
    ];
    // A record draws one defect among those it can carry: the shares of
    // the five a sale can carry must leave room for clean records.
    if dirty.iter().sum::<f64>() > 1.0 {
        return Err(k.err("widgets.dirty", "the shares sum to more than 1"));
    }
    let weights = |key: &str, w: &[f64]| -> Result<Vec<f64>, ScenarioError> {
        for v in w {
            k.non_negative(key, *v)?;
        }
        if w.is_empty() || w.len() > 20 || w.iter().sum::<f64>() <= 0.0 {
            return Err(k.err(key, "needs 1-20 weights, not all zero"));
        }
        Ok(w.to_vec())
    };
    let words = |key: &str, w: &[String]| -> Result<Vec<String>, ScenarioError> {
        if w.is_empty() || w.iter().any(|s| s.trim().is_empty()) {
            return Err(k.err(key, "needs at least one non-empty word"));
        }
        Ok(w.to_vec())
    };
    Ok(WidgetsParams {
        dirty,
        initial_customers: k.int_in("widgets.initial_customers", c.initial_customers, 0, 800_000)?
            as u32,
        signups_per_day: k.at_most(
            "widgets.signups_per_day",
            c.signups_per_day,
            limits::PER_DAY,
        )?,
        customer_updates_per_day: k.at_most(
            "widgets.customer_updates_per_day",
            c.customer_updates_per_day,
            limits::PER_DAY,
        )?,
        store_sales_per_day: k.positive_at_most(
            "widgets.store_sales_per_day",
            c.store_sales_per_day,
            limits::PER_DAY,
        )?,
        lines_per_order: weights("widgets.lines_per_order", &c.lines_per_order)?,
        quantity: weights("widgets.quantity", &c.quantity)?,
        initial_products: k.int_in("widgets.initial_products", c.initial_products, 1, 50_000)?
            as u32,
        new_products_per_day: k.int_in(
            "widgets.new_products_per_day",
            c.new_products_per_day,
            0,
            100,
        )? as u32,
        reprice_share: k.share("widgets.reprice_share", c.reprice_share)?,
        suppliers: k.int_in("widgets.suppliers", c.suppliers, 1, 899)? as u32,
        receipt_share: k.share("widgets.receipt_share", c.receipt_share)?,
        first_names: words("widgets.first_names", &c.first_names)?,
        last_names: words("widgets.last_names", &c.last_names)?,
        streets: words("widgets.streets", &c.streets)?,
        email_domains: words("widgets.email_domains", &c.email_domains)?,
        product_adjectives: words("widgets.product_adjectives", &c.product_adjectives)?,
        product_nouns: words("widgets.product_nouns", &c.product_nouns)?,
    })
}

/// The web shop's parameters.
pub(super) fn webshop(k: &Checker<'_>, c: &WebshopConfig) -> Result<WebshopParams, ScenarioError> {
    let mut devices = Vec::new();
    for (name, d) in &c.devices {
        let key = format!("webshop.devices.{name}");
        devices.push(Device {
            name: name.clone(),
            share: k.non_negative(&format!("{key}.share"), d.share)?,
            conversion: k.share(&format!("{key}.conversion"), d.conversion)?,
            order_value: k.positive(&format!("{key}.order_value"), d.order_value)?,
            latency_ms: k.positive_at_most(
                &format!("{key}.latency_ms"),
                d.latency_ms,
                limits::LATENCY_MS,
            )?,
        });
    }
    if devices.iter().map(|d| d.share).sum::<f64>() <= 0.0 {
        return Err(k.err(
            "webshop.devices",
            "define devices with shares summing above 0",
        ));
    }
    let mut user_agents = Vec::new();
    for (i, u) in c.user_agents.iter().enumerate() {
        let key = format!("webshop.user_agents[{i}]");
        let device = devices
            .iter()
            .position(|d| d.name == u.device)
            .ok_or_else(|| {
                let known: Vec<&str> = devices.iter().map(|d| d.name.as_str()).collect();
                k.err(
                    format!("{key}.device"),
                    format!(
                        "unknown device `{}` (defined: {})",
                        u.device,
                        known.join(", ")
                    ),
                )
            })?;
        if u.ua.trim().is_empty() {
            return Err(k.err(format!("{key}.ua"), "empty user agent"));
        }
        user_agents.push(UserAgent {
            device,
            weight: k.positive(&format!("{key}.weight"), u.weight)?,
            ua: u.ua.clone(),
        });
    }
    for d in &devices {
        if !user_agents.iter().any(|u| devices[u.device].name == d.name) {
            return Err(k.err(
                "webshop.user_agents",
                format!("no user agent for device `{}`", d.name),
            ));
        }
    }
    let sigma = |key: &str, v: f64| -> Result<f64, ScenarioError> {
        if v.is_finite() && (0.0..=3.0).contains(&v) {
            Ok(v)
        } else {
            Err(k.err(key, format!("must be a sigma between 0 and 3, got {v}")))
        }
    };
    Ok(WebshopParams {
        devices,
        user_agents,
        customers_per_market: k.int_in(
            "webshop.customers_per_market",
            c.customers_per_market,
            1,
            999_999,
        )? as u32,
        pages_mean: {
            let v = k.positive_at_most("webshop.pages_mean", c.pages_mean, limits::PAGES_MEAN)?;
            if v < 1.0 {
                return Err(k.err("webshop.pages_mean", format!("must be 1 or more, got {v}")));
            }
            v
        },
        think_s: k.positive_at_most("webshop.think_s", c.think_s, limits::SECONDS)?,
        order_value_sigma: sigma("webshop.order_value_sigma", c.order_value_sigma)?,
        latency_sigma: sigma("webshop.latency_sigma", c.latency_sigma)?,
        not_found_share: k.share("webshop.not_found_share", c.not_found_share)?,
        server_error_share: k.share("webshop.server_error_share", c.server_error_share)?,
        products: k.int_in("webshop.products", c.products, 1, 10_000_000)? as u32,
    })
}
