//! Every receipt adds up to the cent against its scans and the catalog's
//! tax rates, and every scan carries the item's price at the moment of the
//! scan (the catalog's, or the last item_change before it), read back from
//! the files sink. Voided lines (re-sent with quantity 0) leave the receipt.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{cents, json_cents, storesim, text, tree};

#[test]
fn every_transaction_total_is_its_scans_minus_discounts_plus_tax() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let cat = tmp.path().join("catalog");
    storesim()
        .args([
            "run",
            "--seed",
            "5",
            "--stores",
            "6",
            "--start",
            "2026-11-24",
            "-q",
        ])
        .args([
            "--sink",
            &format!("files:{}?compression=gzip", out.display()),
        ])
        .assert()
        .success();
    storesim()
        .args(["catalog", "--stores", "6", "--out", cat.to_str().unwrap()])
        .assert()
        .success();
    let mut rates: BTreeMap<i64, i64> = BTreeMap::new();
    let mut stores = csv::Reader::from_path(cat.join("stores.csv")).unwrap();
    let h = stores.headers().unwrap().clone();
    let (id_col, rate_col) = (
        h.iter().position(|c| c == "store_id").unwrap(),
        h.iter().position(|c| c == "tax_rate_bp").unwrap(),
    );
    for r in stores.records() {
        let r = r.unwrap();
        rates.insert(r[id_col].parse().unwrap(), r[rate_col].parse().unwrap());
    }
    let mut taxable: BTreeMap<i64, bool> = BTreeMap::new();
    let mut cats = csv::Reader::from_path(cat.join("item_categories.csv")).unwrap();
    let h = cats.headers().unwrap().clone();
    let (code_col, tax_col) = (
        h.iter().position(|c| c == "category_code").unwrap(),
        h.iter().position(|c| c == "taxable").unwrap(),
    );
    for r in cats.records() {
        let r = r.unwrap();
        taxable.insert(r[code_col].parse().unwrap(), &r[tax_col] == "true");
    }

    let mut base: BTreeMap<i64, i64> = BTreeMap::new();
    let mut items = csv::Reader::from_path(cat.join("item_master.csv")).unwrap();
    let h = items.headers().unwrap().clone();
    let (id_col, price_col) = (
        h.iter().position(|c| c == "item_id").unwrap(),
        h.iter().position(|c| c == "item_price").unwrap(),
    );
    for r in items.records() {
        let r = r.unwrap();
        let price = cents(&r[price_col]);
        base.insert(r[id_col].parse().unwrap(), price);
    }
    // (sku, ts, unit price) of every scan; (ts, price) changes per item.
    let mut scans: Vec<(i64, String, i64)> = Vec::new();
    let mut changes: BTreeMap<i64, Vec<(String, i64)>> = BTreeMap::new();

    // The latest record of each scan line: a void re-sends it with
    // quantity 0 under the same event_id.
    let mut latest: BTreeMap<String, Value> = BTreeMap::new();
    let mut voids = 0;
    let mut receipts = Vec::new();
    for (path, bytes) in tree(&out) {
        if !path.to_string_lossy().ends_with(".gz") {
            continue;
        }
        for line in text(&path, &bytes).lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            match v["kind"].as_str().unwrap() {
                "scan" => {
                    // A void carries the price of the scan it voids.
                    if v["quantity"].as_i64().unwrap() > 0 {
                        scans.push((
                            v["sku"].as_i64().unwrap(),
                            v["ts"].as_str().unwrap().to_string(),
                            json_cents(&v["unit_price"]),
                        ));
                    }
                    let id = v["event_id"].as_str().unwrap().to_string();
                    if let Some(earlier) = latest.insert(id, v) {
                        assert!(earlier["quantity"].as_i64().unwrap() > 0, "voided twice");
                        voids += 1;
                    }
                }
                "transaction" => receipts.push(v),
                "item_change" => {
                    if let Some(after) = v["after"].as_object() {
                        changes
                            .entry(v["item_id"].as_i64().unwrap())
                            .or_default()
                            .push((
                                v["ts"].as_str().unwrap().to_string(),
                                json_cents(&after["item_price"]),
                            ));
                    }
                }
                other => panic!("unexpected kind {other}"),
            }
        }
    }
    // (subtotal, discount, taxable net, lines) per transaction from the
    // scans that stand.
    let mut from_scans: BTreeMap<String, (i64, i64, i64, i64)> = BTreeMap::new();
    for v in latest.values() {
        let e = from_scans
            .entry(v["transaction_id"].as_str().unwrap().to_string())
            .or_default();
        let gross = v["quantity"].as_i64().unwrap() * json_cents(&v["unit_price"]);
        let discount = json_cents(&v["discount"]);
        e.0 += gross;
        e.1 += discount;
        if taxable[&v["category"].as_i64().unwrap()] {
            e.2 += gross - discount;
        }
        e.3 += i64::from(v["quantity"].as_i64().unwrap() > 0);
    }
    assert!(receipts.len() > 10_000, "{} receipts", receipts.len());
    // A basket whose every line was voided is cancelled: no receipt.
    let cancelled: Vec<&String> = from_scans
        .iter()
        .filter(|(_, e)| e.3 == 0)
        .map(|(id, _)| id)
        .collect();
    assert!(!cancelled.is_empty(), "no fully voided basket");
    assert!(receipts
        .iter()
        .all(|r| !cancelled.contains(&&r["transaction_id"].as_str().unwrap().to_string())));
    assert_eq!(receipts.len() + cancelled.len(), from_scans.len());
    // About 1 line in 200 voided (4 standard deviations).
    let lines = latest.len() as f64;
    let sd = (lines * 0.005 * 0.995).sqrt();
    assert!(
        (f64::from(voids) - lines * 0.005).abs() < 4.0 * sd,
        "{voids} voids in {lines} lines"
    );
    for r in &receipts {
        let id = r["transaction_id"].as_str().unwrap();
        let (subtotal, discount, taxed, lines) = from_scans[id];
        let rate = rates[&r["store_id"].as_i64().unwrap()];
        // Tax: rate in basis points, rounded half away from zero to the cent.
        let tax = (taxed * rate + 5_000) / 10_000;
        assert_eq!(json_cents(&r["subtotal"]), subtotal, "{id}");
        assert_eq!(json_cents(&r["discount"]), discount, "{id}");
        assert_eq!(json_cents(&r["tax"]), tax, "{id}");
        assert_eq!(json_cents(&r["total"]), subtotal - discount + tax, "{id}");
        assert_eq!(r["line_count"].as_i64().unwrap(), lines, "{id}");
    }
    // Prices over time: the file's lines are in time order, so are changes.
    let mut repriced = 0;
    for (sku, ts, price) in &scans {
        let mut expected = base[sku];
        if let Some(list) = changes.get(sku) {
            // RFC 3339 UTC with milliseconds: text order is time order.
            let k = list.partition_point(|(at, _)| at <= ts);
            if k > 0 {
                expected = list[k - 1].1;
                repriced += usize::from(expected != base[sku]);
            }
        }
        assert_eq!(*price, expected, "sku {sku} scanned at {ts}");
    }
    assert!(!changes.is_empty(), "no item changes on a Tuesday");
    assert!(repriced > 100, "only {repriced} scans after a price change");
}
