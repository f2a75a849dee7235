//! Checks a parsed scenario and builds the validated model from it.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use storesim_sim::calendar::{
    Anomaly, AnomalyKind, Calendar, Curve, DateRule, Holiday, Hours, HoursOverride, WeekdayRule,
};
use storesim_sim::catalog::{build_items, build_stores, ItemPicker, NameParts, StoreClass};
use storesim_sim::chain::ChurnParams;
use storesim_sim::params::{
    BasketParams, CheckoutParams, DeliveryParams, LoyaltyParams, ModelParams, PaymentParams,
    ShoppingParams, StaffingParams, TrafficParams,
};
use storesim_sim::{EventKind, World};

use crate::config::{AnomalyConfig, DayConfig, HolidayConfig, ScenarioConfig};
use crate::{data, KafkaDefaults, Scenario, ScenarioError};

/// Counts given on the command line, over the scenario file's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Number of stores.
    pub stores: Option<usize>,
    /// Number of items.
    pub items: Option<usize>,
}

/// Largest number of stores or items a run may ask for.
pub const MAX_COUNT: usize = 1_000_000;

/// Physical limits on rates (in the engine, so models check against the
/// same ones).
pub(crate) use storesim_sim::setup::limits;
use storesim_sim::setup::Checks;

mod checker;
mod models;
mod sections;

use checker::Checker;
use models::*;
use sections::*;
pub(crate) use sections::{model, parse_when};

pub(crate) struct Model {
    pub(crate) calendar: Calendar,
    pub(crate) params: ModelParams,
    pub(crate) classes: Vec<StoreClass>,
}

pub(crate) fn check(s: &Scenario) -> Result<(), ScenarioError> {
    model(s)?;
    kafka(s)?;
    Ok(())
}

/// The scenario's Kafka topics and key, checked.
pub(crate) fn kafka(s: &Scenario) -> Result<KafkaDefaults, ScenarioError> {
    let c = &s.config;
    let k = Checker {
        origin: s.origin.to_string(),
        _config: c,
    };
    let mut topics = Vec::new();
    for (kind, topic) in &c.kafka.topics {
        let key = format!("kafka.topics.{kind}");
        let kind: EventKind = kind.parse().map_err(|e: String| k.err(&key, e))?;
        let valid = !topic.is_empty()
            && topic.len() <= 249
            && topic
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid {
            return Err(k.err(
                key,
                format!("`{topic}`: use 1-249 characters of a-z, A-Z, 0-9, '.', '_' and '-'"),
            ));
        }
        topics.push((kind, topic.clone()));
    }
    let key = match &c.kafka.key {
        Some(key) => Some(key.parse().map_err(|e: String| k.err("kafka.key", e))?),
        None => None,
    };
    if let Some(prefix) = &c.kafka.topic_prefix {
        let valid = prefix.len() <= 200
            && prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid {
            return Err(k.err(
                "kafka.topic_prefix",
                format!("`{prefix}`: use up to 200 characters of a-z, A-Z, 0-9, '.', '_' and '-'"),
            ));
        }
    }
    Ok(KafkaDefaults {
        topics,
        key,
        topic_prefix: c.kafka.topic_prefix.clone(),
    })
}

pub(crate) fn build(s: &Scenario, overrides: &Overrides) -> Result<World, ScenarioError> {
    let m = model(s)?;
    let c = &s.config;
    let origin = s.origin.to_string();
    let k = Checker {
        origin: origin.clone(),
        _config: c,
    };
    let base = s.base_dir();
    let (stores_origin, stores_text) = data::read(base, &c.data.stores).map_err(|e| k.setup(e))?;
    let store_records = data::stores(&stores_origin, &stores_text).map_err(|e| k.setup(e))?;
    let (cat_origin, cat_text) = data::read(base, &c.data.categories).map_err(|e| k.setup(e))?;
    let categories = data::categories(&cat_origin, &cat_text, &c.tax.exempt_categories)
        .map_err(|e| k.setup(e))?;
    let (items_origin, items_text) = data::read(base, &c.data.items).map_err(|e| k.setup(e))?;
    let item_records = data::items(&items_origin, &items_text).map_err(|e| k.setup(e))?;

    let store_count = overrides
        .stores
        .or(c.counts.stores.map(|n| n as usize))
        .unwrap_or(store_records.len());
    let item_count = overrides
        .items
        .or(c.counts.items.map(|n| n as usize))
        .unwrap_or(item_records.len());
    if store_count == 0 || store_count > MAX_COUNT {
        return Err(k.err(
            "counts.stores",
            format!("must be between 1 and {MAX_COUNT}, got {store_count}"),
        ));
    }
    if item_count == 0 || item_count > MAX_COUNT {
        return Err(k.err(
            "counts.items",
            format!("must be between 1 and {MAX_COUNT}, got {item_count}"),
        ));
    }
    let default_bp = tax_bp(&k, "tax.default_pct", c.tax.default_pct)?;
    let states = &c.tax.states;
    let tax = |state: &str| {
        states
            .get(state)
            .map_or(default_bp, |pct| (pct * 100.0).round() as u32)
    };
    let stores = build_stores(
        &store_records,
        store_count,
        &m.classes,
        &tax,
        c.catalog_seed,
    )
    .map_err(|e| ScenarioError::Data {
        origin: stores_origin.clone(),
        message: e.to_string(),
    })?;
    for (code, n) in &c.names {
        let r = n.cost_ratio;
        if !(r.is_finite() && (0.0..=2.0).contains(&r)) {
            return Err(k.err(
                format!("names.{code}.cost_ratio"),
                format!("must be a cost as a share of price, 0-2 (0 for the default), got {r}"),
            ));
        }
    }
    let names = |code: u32| {
        c.names.get(&code.to_string()).map(|n| NameParts {
            brands: n.brands.clone(),
            descriptors: n.descriptors.clone(),
            products: n.products.clone(),
            cost_ratio: n.cost_ratio,
        })
    };
    let items = build_items(
        &item_records,
        item_count,
        &categories,
        &names,
        m.params.loyalty.member_price_item_share,
        c.catalog_seed,
    )
    .map_err(|e| ScenarioError::Data {
        origin: items_origin.clone(),
        message: e.to_string(),
    })?;
    let picker =
        ItemPicker::new(&categories, &items, m.params.basket.zipf_exponent).map_err(|e| {
            ScenarioError::Data {
                origin: items_origin.clone(),
                message: e.to_string(),
            }
        })?;
    // `model` decides (its table was checked to be there and alone).
    let model = build_model(&k, s, base)?;
    check_reachable(
        &k,
        &m.calendar.anomalies,
        model.as_ref(),
        &store_records,
        &stores,
        &categories,
    )?;
    Ok(World {
        model,
        name: c.name.clone(),
        calendar: m.calendar,
        params: m.params,
        stores,
        categories,
        items,
        picker,
    })
}
