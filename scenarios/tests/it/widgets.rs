//! The widget retailer's ground truth: every defect found in the data is
//! labelled, every label names a real defect, and each defect's rate is the
//! configured share; the three systems keep their own formats.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use storesim_scenarios::{Overrides, Scenario};
use storesim_sim::time::MICROS_PER_HOUR;
use storesim_sim::widgets::{
    Defect, Op, WidgetsModel, WidgetsParams, MOVEMENT_RANGE, QUANTITY_RANGE,
};
use storesim_sim::{Event, RunSpan, World};

fn world() -> Arc<World> {
    Scenario::load("widgets")
        .unwrap()
        .build_world(&Overrides {
            stores: Some(20),
            items: None,
        })
        .unwrap()
}

fn params(world: &World) -> &WidgetsParams {
    world.model.downcast().expect("a widgets world")
}

fn simulate(world: &Arc<World>, seed: u64) -> Vec<Event> {
    let mut all = Vec::new();
    for i in 0..world.stores.len() {
        let span = RunSpan::LocalDays {
            first: NaiveDate::from_ymd_opt(2026, 11, 9).unwrap(),
            days: 4,
        };
        let mut m = WidgetsModel::new(Arc::clone(world), i, seed, span);
        let (mut t, end) = m.span();
        let mut events = Vec::new();
        while t < end || !m.is_done() {
            t = t.plus_micros(4 * MICROS_PER_HOUR);
            m.advance(t, &mut events);
        }
        all.extend(events.into_iter().map(|s| s.event));
    }
    all
}

fn email_ok(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.ends_with('.')
        && !e.contains(' ')
}

fn date_ok(text: &str, format: &str) -> bool {
    NaiveDate::parse_from_str(text, format).is_ok()
}

fn in_range(q: i64, (lo, hi): (i64, i64)) -> bool {
    (lo..=hi).contains(&q)
}

/// What the data shows: (kind, record id, defect) with multiplicity, and
/// the records that could carry each defect.
#[derive(Default)]
struct Found {
    defects: BTreeMap<(&'static str, String, Defect), usize>,
    eligible: BTreeMap<Defect, usize>,
}

impl Found {
    fn add(&mut self, kind: &'static str, id: &str, defect: Defect, present: bool) {
        *self.eligible.entry(defect).or_default() += 1;
        if present {
            *self
                .defects
                .entry((kind, id.to_string(), defect))
                .or_default() += 1;
        }
    }
}

#[test]
fn the_ground_truth_labels_every_defect_and_only_defects() {
    let world = world();
    let p = params(&world);
    let events = simulate(&world, 21);
    // The masters, to resolve keys.
    let mut customers = BTreeSet::new();
    let mut products = BTreeSet::new();
    let mut suppliers = BTreeSet::new();
    let mut ops: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for e in &events {
        match e {
            Event::EcomCustomer(c) => {
                customers.insert(c.customer_id);
                ops.entry("ecom_customer")
                    .or_default()
                    .insert(format!("{:?}", c.op));
            }
            Event::InvProduct(x) => {
                products.insert(x.product_code.parse::<u32>().unwrap());
                ops.entry("inv_product")
                    .or_default()
                    .insert(format!("{:?}", x.op));
            }
            Event::InvSupplier(x) => {
                suppliers.insert(x.supplier_code.clone());
            }
            _ => {}
        }
    }
    // Initial load, then daily inserts and updates.
    for kind in ["ecom_customer", "inv_product"] {
        let want: BTreeSet<String> = [Op::Load, Op::Insert, Op::Update]
            .iter()
            .map(|o| format!("{o:?}"))
            .collect();
        assert_eq!(ops[kind], want, "{kind}");
    }
    let mut found = Found::default();
    // Duplicates: the same record, byte for byte, a second time.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut labels: BTreeMap<(&'static str, String, Defect), usize> = BTreeMap::new();
    use Defect::*;
    for e in &events {
        let json = serde_json::to_string(e).unwrap();
        let kind = e.kind().as_str();
        if let Event::DirtyLabel(l) = e {
            *labels
                .entry((l.record_kind, l.record_id.clone(), l.defect))
                .or_default() += 1;
            continue;
        }
        let copy = !seen.insert(json);
        let (id, checks): (String, Vec<(Defect, bool)>) = match e {
            Event::EcomCustomer(c) => (
                c.customer_id.to_string(),
                vec![
                    (
                        Null,
                        c.email.is_none() || c.zip.is_none() || c.street.is_none(),
                    ),
                    (
                        MalformedEmail,
                        c.email.as_deref().is_some_and(|m| !email_ok(m)),
                    ),
                    (
                        MalformedDate,
                        !c.signup_date
                            .as_deref()
                            .is_some_and(|d| date_ok(d, "%Y-%m-%d")),
                    ),
                ],
            ),
            Event::EcomOrder(o) => (
                o.order_id.clone(),
                vec![
                    (Null, o.total.is_none() || o.ship_zip.is_none()),
                    (
                        MalformedDate,
                        o.order_ts
                            .as_deref()
                            .is_none_or(|d| chrono::DateTime::parse_from_rfc3339(d).is_err()),
                    ),
                    (OrphanKey, !customers.contains(&o.customer_id.unwrap())),
                ],
            ),
            Event::EcomOrderLine(l) => (
                format!("{}/{}", l.order_id, l.line),
                vec![
                    (Null, l.unit_price.is_none()),
                    (OutOfRange, !in_range(l.quantity.unwrap(), QUANTITY_RANGE)),
                    (
                        OrphanKey,
                        !products.contains(&l.sku.trim_start_matches("WID-").parse().unwrap()),
                    ),
                ],
            ),
            Event::PosStore(s) => (
                s.store_code.clone(),
                vec![
                    (Null, s.location.is_none()),
                    (
                        MalformedDate,
                        s.opened.as_deref().is_none_or(|d| !date_ok(d, "%m/%d/%Y")),
                    ),
                ],
            ),
            Event::PosSale(s) => (
                s.sale_id.clone(),
                vec![
                    (Null, s.amount.is_none()),
                    (
                        MalformedDate,
                        !s.sale_date
                            .as_deref()
                            .is_some_and(|d| date_ok(d, "%m/%d/%Y")),
                    ),
                    (OutOfRange, !in_range(s.quantity.unwrap(), QUANTITY_RANGE)),
                    (OrphanKey, !products.contains(&s.product_id.unwrap())),
                ],
            ),
            Event::InvProduct(x) => (
                x.product_code.clone(),
                vec![
                    (Null, x.unit_cost.is_none()),
                    (OrphanKey, !suppliers.contains(&x.supplier_code)),
                ],
            ),
            Event::InvSupplier(x) => (
                x.supplier_code.clone(),
                vec![
                    (Null, x.location.is_none()),
                    (
                        MalformedEmail,
                        x.contact_email.as_deref().is_some_and(|m| !email_ok(m)),
                    ),
                ],
            ),
            Event::InvMovement(m) => (
                m.movement_id.clone(),
                vec![
                    (Null, m.quantity.is_none()),
                    (
                        MalformedDate,
                        !m.movement_date
                            .as_deref()
                            .is_some_and(|d| date_ok(d, "%d.%m.%Y")),
                    ),
                    (
                        OutOfRange,
                        m.quantity.is_some_and(|q| !in_range(q, MOVEMENT_RANGE)),
                    ),
                    (
                        OrphanKey,
                        !products.contains(&m.product_code.parse().unwrap()),
                    ),
                ],
            ),
            other => panic!("widgets emitted {:?}", other.kind()),
        };
        if copy {
            // The copy is the defect; the original was counted clean.
            *found.defects.entry((kind, id, Duplicate)).or_default() += 1;
            continue;
        }
        found.add(kind, &id, Duplicate, false);
        for (defect, present) in checks {
            found.add(kind, &id, defect, present);
        }
    }
    // The labels are exactly the defects in the data.
    let missing: Vec<_> = found
        .defects
        .keys()
        .filter(|k| !labels.contains_key(k))
        .take(5)
        .collect();
    let extra: Vec<_> = labels
        .keys()
        .filter(|k| !found.defects.contains_key(k))
        .take(5)
        .collect();
    assert!(missing.is_empty(), "defects without a label: {missing:?}");
    assert!(extra.is_empty(), "labels without a defect: {extra:?}");
    assert_eq!(found.defects, labels);
    // Each defect at its configured share of the records that can carry it.
    for d in Defect::ALL {
        let n = found.eligible[&d];
        let hits: usize = labels
            .iter()
            .filter(|(k, _)| k.2 == d)
            .map(|(_, c)| c)
            .sum();
        let q = p.dirty[d as usize];
        let sd = (q * (1.0 - q) / n as f64).sqrt();
        let share = hits as f64 / n as f64;
        assert!(
            (share - q).abs() <= 4.0 * sd,
            "{}: {share:.5} of {n}, expected {q} +- {:.5}",
            d.as_str(),
            4.0 * sd
        );
        assert!(hits > 20, "{}: only {hits}", d.as_str());
    }
}

#[test]
fn the_systems_keep_their_own_formats_and_schedules() {
    let world = world();
    let events = simulate(&world, 2);
    for e in &events {
        match e {
            Event::EcomOrder(o) => {
                // Continuous: stamped when placed, in RFC 3339 UTC.
                if let Some(ts) = &o.order_ts {
                    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(ts) {
                        assert_eq!(t.timestamp_micros() / 1000, o.ts.as_millis());
                    }
                }
            }
            Event::PosSale(s) => {
                // The morning batch at 02:00 local, after the sale's day.
                let store = world
                    .stores
                    .iter()
                    .find(|x| format!("S{}", x.store_id) == s.store_code)
                    .unwrap();
                let batch = s.ts.to_datetime().with_timezone(&store.tz).naive_local();
                assert_eq!(
                    batch.time(),
                    chrono::NaiveTime::from_hms_opt(2, 0, 0).unwrap()
                );
                if let Some(Ok(day)) = s
                    .sale_date
                    .as_deref()
                    .map(|d| NaiveDate::parse_from_str(d, "%m/%d/%Y"))
                {
                    assert_eq!(batch.date(), day.succ_opt().unwrap(), "{s:?}");
                    let at = NaiveDateTime::parse_from_str(
                        &format!("{day} {}", s.sale_time),
                        "%Y-%m-%d %H:%M",
                    );
                    assert!(at.is_ok(), "{s:?}");
                }
                assert!(s
                    .loyalty_card
                    .as_deref()
                    .is_none_or(|c| c.starts_with("LC ") && c.len() == 14));
            }
            Event::InvMovement(m) => {
                assert_eq!(m.product_code.len(), 6);
                assert!(m.location_code.starts_with('S'));
            }
            Event::InvSupplier(x) => {
                // Locations as `ST-City`.
                if let Some(l) = &x.location {
                    assert_eq!(l.as_bytes()[2], b'-', "{l}");
                }
            }
            Event::EcomCustomer(c) => {
                assert!(c
                    .loyalty_number
                    .as_deref()
                    .is_none_or(|l| l.starts_with("LN-")));
            }
            _ => {}
        }
    }
}
