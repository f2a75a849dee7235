//! The web shop's defining statistics with fixed seeds: the device mix,
//! conversion and order value by device (REALISM §9), the big-spender
//! signal a join of purchases and the request log must find, latency by
//! device, and the request log's consistency with the purchases.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use storesim_scenarios::{Overrides, Scenario};
use storesim_sim::time::MICROS_PER_HOUR;
use storesim_sim::webshop::{RequestEvent, WebPurchaseEvent, WebshopModel, WebshopParams};
use storesim_sim::{Event, RunSpan, World};

fn world() -> Arc<World> {
    Scenario::load("webshop")
        .unwrap()
        .build_world(&Overrides {
            stores: Some(20),
            items: None,
        })
        .unwrap()
}

fn params(world: &World) -> &WebshopParams {
    world.model.downcast().expect("a webshop world")
}

struct Log {
    requests: Vec<RequestEvent>,
    purchases: Vec<WebPurchaseEvent>,
}

fn simulate(world: &Arc<World>, seed: u64, days: u32) -> Log {
    let mut log = Log {
        requests: Vec::new(),
        purchases: Vec::new(),
    };
    for i in 0..world.stores.len() {
        let span = RunSpan::LocalDays {
            first: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            days,
        };
        let mut m = WebshopModel::new(Arc::clone(world), i, seed, span);
        let (mut t, end) = m.span();
        let mut events = Vec::new();
        while t < end || !m.is_done() {
            t = t.plus_micros(6 * MICROS_PER_HOUR);
            m.advance(t, &mut events);
        }
        for s in events {
            match s.event {
                Event::Request(r) => log.requests.push(*r),
                Event::WebPurchase(p) => log.purchases.push(*p),
                other => panic!("a web shop emitted {:?}", other.kind()),
            }
        }
    }
    log
}

fn assert_share(what: &str, hits: usize, n: usize, p: f64) {
    assert!(n > 300, "{what}: only {n} draws");
    let share = hits as f64 / n as f64;
    let sd = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (share - p).abs() <= 4.0 * sd,
        "{what}: {share:.4} of {n}, expected {p} +- {:.4}",
        4.0 * sd
    );
}

#[test]
fn devices_drive_conversion_order_value_and_latency() {
    let world = world();
    let p = params(&world);
    let log = simulate(&world, 9, 3);
    let device_of_ua: BTreeMap<&str, usize> = p
        .user_agents
        .iter()
        .map(|u| (u.ua.as_str(), u.device))
        .collect();
    // One device and browser per customer, every session.
    let mut customer_ua: BTreeMap<u64, &str> = BTreeMap::new();
    let mut session_device: BTreeMap<_, usize> = BTreeMap::new();
    for r in &log.requests {
        let ua = customer_ua.entry(r.customerid).or_insert(&*r.useragent);
        assert_eq!(
            *ua, &*r.useragent,
            "customer {} changed browser",
            r.customerid
        );
        session_device.insert(r.sessionid, device_of_ua[&*r.useragent]);
    }
    // Device mix over distinct customers (each drawn once).
    for (d, dev) in p.devices.iter().enumerate() {
        let on = customer_ua
            .values()
            .filter(|ua| device_of_ua[**ua] == d)
            .count();
        assert_share(
            &format!("{} customers", dev.name),
            on,
            customer_ua.len(),
            dev.share,
        );
    }
    // Conversion by device: sessions with a purchase.
    let bought: BTreeSet<_> = log.purchases.iter().map(|x| x.sessionid).collect();
    for (d, dev) in p.devices.iter().enumerate() {
        let sessions: Vec<_> = session_device.iter().filter(|(_, &v)| v == d).collect();
        let converted = sessions.iter().filter(|(s, _)| bought.contains(*s)).count();
        assert_share(
            &format!("{} conversion", dev.name),
            converted,
            sessions.len(),
            dev.conversion,
        );
        // Order value: lognormal with the device's mean; sd of the mean of
        // n is mean * sqrt(exp(sigma^2) - 1) / sqrt(n).
        let amounts: Vec<f64> = log
            .purchases
            .iter()
            .filter(|x| session_device[&x.sessionid] == d)
            .map(|x| x.amount.cents() as f64 / 100.0)
            .collect();
        let n = amounts.len() as f64;
        let mean = amounts.iter().sum::<f64>() / n;
        let sd = dev.order_value * ((p.order_value_sigma.powi(2)).exp() - 1.0).sqrt() / n.sqrt();
        assert!(
            (mean - dev.order_value).abs() <= 4.0 * sd,
            "{}: mean order {mean:.2} over {n}, expected {} +- {:.2}",
            dev.name,
            dev.order_value,
            4.0 * sd
        );
        // Median latency near the device's (5% on thousands of requests).
        let mut lat: Vec<u32> = log
            .requests
            .iter()
            .filter(|r| device_of_ua[&*r.useragent] == d)
            .map(|r| r.latency)
            .collect();
        lat.sort_unstable();
        let median = f64::from(lat[lat.len() / 2]);
        assert!(
            (median / dev.latency_ms - 1.0).abs() < 0.05,
            "{}: median latency {median} ms, expected {}",
            dev.name,
            dev.latency_ms
        );
    }
    // The signal: the top tenth of spenders are mostly on desktops, far
    // above the desktop share of customers (0.30).
    let mut spend: BTreeMap<u64, i64> = BTreeMap::new();
    for x in &log.purchases {
        *spend.entry(x.customerid).or_default() += x.amount.cents();
    }
    let mut ranked: Vec<(i64, u64)> = spend.iter().map(|(c, s)| (*s, *c)).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    let top = &ranked[..ranked.len() / 10];
    let desktop = p.devices.iter().position(|d| d.name == "desktop").unwrap();
    let on_desktop = top
        .iter()
        .filter(|(_, c)| device_of_ua[customer_ua[c]] == desktop)
        .count() as f64
        / top.len() as f64;
    assert!(top.len() > 100, "{} top spenders", top.len());
    assert!(
        on_desktop > 0.45,
        "desktop share of top spenders {on_desktop:.3}"
    );
}

#[test]
fn the_request_log_matches_the_purchases() {
    let world = world();
    let p = params(&world);
    let log = simulate(&world, 4, 1);
    let by_id: BTreeMap<_, &RequestEvent> = log.requests.iter().map(|r| (r.requestid, r)).collect();
    assert_eq!(by_id.len(), log.requests.len(), "request ids repeat");
    let mut adds: BTreeMap<_, usize> = BTreeMap::new();
    for r in log.requests.iter().filter(|r| r.url == "/cart/add") {
        *adds.entry(r.sessionid).or_default() += 1;
    }
    assert!(
        log.purchases.len() > 1000,
        "{} purchases",
        log.purchases.len()
    );
    for x in &log.purchases {
        // Every purchase is the answer to its session's checkout.
        let r = by_id[&x.purchaseid];
        assert_eq!(
            (r.method, r.url.as_str(), r.status),
            ("POST", "/checkout/complete", 200)
        );
        assert_eq!((r.sessionid, r.customerid), (x.sessionid, x.customerid));
        assert!(x.ts >= r.ts && x.amount.cents() >= 100);
        assert_eq!(adds[&x.sessionid], usize::from(x.items));
    }
    // Status codes: 500 on 0.3% of requests (checkouts always complete),
    // 404 only on product pages, about 1% of them.
    let others: Vec<&RequestEvent> = log
        .requests
        .iter()
        .filter(|r| r.url != "/checkout/complete")
        .collect();
    let errors = others.iter().filter(|r| r.status == 500).count();
    assert_share("500s", errors, others.len(), p.server_error_share);
    assert!(log
        .requests
        .iter()
        .filter(|r| r.status == 404)
        .all(|r| r.url.starts_with("/product/")));
    let products: Vec<_> = others
        .iter()
        .filter(|r| r.url.starts_with("/product/"))
        .collect();
    let missing = products.iter().filter(|r| r.status == 404).count();
    assert_share(
        "404s on product pages",
        missing,
        products.len(),
        p.not_found_share * (1.0 - p.server_error_share),
    );
}
