//! The web shop's scenario table, `[webshop]`, made into [`WebshopParams`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::setup::{Checks, limits, Entry, Setup, SetupError};

use super::{Device, UserAgent, WebshopParams};

/// How a scenario picks the web shop.
pub const ENTRY: Entry = Entry {
    name: "webshop",
    table: true,
    build: |s| Ok(Arc::new(params(s)?)),
};

/// One device of the web shop.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceConfig {
    /// Share of customers on it.
    share: f64,
    /// Share of its sessions that buy.
    conversion: f64,
    /// Mean order value, dollars.
    order_value: f64,
    /// Median latency, milliseconds.
    latency_ms: f64,
}

/// A user-agent string.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserAgentConfig {
    /// The device name (a key of `webshop.devices`).
    device: String,
    /// Relative weight among the device's agents.
    weight: f64,
    /// The header value.
    ua: String,
}

/// The web shop's knobs, as the scenario writes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebshopConfig {
    /// Devices by name.
    devices: BTreeMap<String, DeviceConfig>,
    /// User agents.
    user_agents: Vec<UserAgentConfig>,
    /// Customers per market of traffic 1.0.
    customers_per_market: i64,
    /// Number customers from here across the markets instead of by market.
    customer_id_base: Option<i64>,
    /// Mean pages a session views.
    pages_mean: f64,
    /// Median think time between requests, seconds.
    think_s: f64,
    /// Lognormal sigma of order values.
    order_value_sigma: f64,
    /// Lognormal sigma of latencies.
    latency_sigma: f64,
    /// Share of product pages answered 404.
    not_found_share: f64,
    /// Share of requests answered 500.
    server_error_share: f64,
    /// Number of products.
    products: i64,
}

/// The web shop's parameters.
fn params(s: &Setup<'_>) -> Result<WebshopParams, SetupError> {
    let c: WebshopConfig = s.table()?;
    let mut devices = Vec::new();
    for (name, d) in &c.devices {
        let key = format!("devices.{name}");
        devices.push(Device {
            name: name.clone(),
            share: s.non_negative(&format!("{key}.share"), d.share)?,
            conversion: s.share(&format!("{key}.conversion"), d.conversion)?,
            order_value: s.positive(&format!("{key}.order_value"), d.order_value)?,
            latency_ms: s.positive_at_most(
                &format!("{key}.latency_ms"),
                d.latency_ms,
                limits::LATENCY_MS,
            )?,
        });
    }
    if devices.iter().map(|d| d.share).sum::<f64>() <= 0.0 {
        return Err(s.err("devices", "define devices with shares summing above 0"));
    }
    let mut user_agents = Vec::new();
    for (i, u) in c.user_agents.iter().enumerate() {
        let key = format!("user_agents[{i}]");
        let device = devices
            .iter()
            .position(|d| d.name == u.device)
            .ok_or_else(|| {
                let known: Vec<&str> = devices.iter().map(|d| d.name.as_str()).collect();
                s.err(
                    &format!("{key}.device"),
                    format!(
                        "unknown device `{}` (defined: {})",
                        u.device,
                        known.join(", ")
                    ),
                )
            })?;
        if u.ua.trim().is_empty() {
            return Err(s.err(&format!("{key}.ua"), "empty user agent"));
        }
        user_agents.push(UserAgent {
            device,
            weight: s.positive(&format!("{key}.weight"), u.weight)?,
            ua: u.ua.clone(),
        });
    }
    for d in &devices {
        if !user_agents.iter().any(|u| devices[u.device].name == d.name) {
            return Err(s.err(
                "user_agents",
                format!("no user agent for device `{}`", d.name),
            ));
        }
    }
    let sigma = |key: &str, v: f64| -> Result<f64, SetupError> {
        if v.is_finite() && (0.0..=3.0).contains(&v) {
            Ok(v)
        } else {
            Err(s.err(key, format!("must be a sigma between 0 and 3, got {v}")))
        }
    };
    let pages_mean = s.positive_at_most("pages_mean", c.pages_mean, limits::PAGES_MEAN)?;
    if pages_mean < 1.0 {
        return Err(s.err(
            "pages_mean",
            format!("must be 1 or more, got {pages_mean}"),
        ));
    }
    Ok(WebshopParams {
        devices,
        user_agents,
        customers_per_market: s.int_in("customers_per_market", c.customers_per_market, 1, 999_999)?
            as u32,
        customer_id_base: match c.customer_id_base {
            Some(base) => Some(s.int_in("customer_id_base", base, 0, 1 << 52)? as u64),
            None => None,
        },
        pages_mean,
        think_s: s.positive_at_most("think_s", c.think_s, limits::SECONDS)?,
        order_value_sigma: sigma("order_value_sigma", c.order_value_sigma)?,
        latency_sigma: sigma("latency_sigma", c.latency_sigma)?,
        not_found_share: s.share("not_found_share", c.not_found_share)?,
        server_error_share: s.share("server_error_share", c.server_error_share)?,
        products: s.int_in("products", c.products, 1, 10_000_000)? as u32,
    })
}
