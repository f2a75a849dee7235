//! The Widgets Unlimited inventory system's rows: the nightly file of
//! shipments, returns and supplies, and the product and supplier masters.

use std::collections::BTreeSet;

use super::wu_process::unit;
use super::*;
use crate::time::DemoTime;

/// Share of shipped lines returned, in the next file (assumption).
const RETURNED: f64 = 0.03;

impl WidgetsModel {
    /// The inventory file for `date`, written at `at`: the day's shipments,
    /// returns and supplies and, from the first store, the product inserts
    /// and cost changes.
    pub(super) fn wu_inventory_file(&mut self, at: SimTime, date: NaiveDate) {
        let receipt_share = self.params.receipt_share;
        let mut supplied = BTreeSet::new();
        for s in std::mem::take(&mut self.wu_shipments) {
            let address = self.address_line(s.customer, false).replace('\n', ", ");
            let customer = self.customers[s.customer].id;
            self.wu_event(at, "shipment", s.product, s.quantity, Some((address.clone(), customer)));
            if self.rng.random::<f64>() < RETURNED {
                let units = self.rng.random_range(1..=s.quantity.max(1));
                self.wu_event(at, "return", s.product, units, Some((address, customer)));
            }
            if supplied.insert(s.product) && self.rng.random::<f64>() < receipt_share {
                let units = self.rng.random_range(12..=120);
                self.wu_event(at, "supply", s.product, units, None);
            }
        }
        for (k, op) in self.master_changes(date) {
            self.wu_product(at, op, k);
        }
    }

    fn wu_event(&mut self, at: SimTime, kind: &'static str, k: u32, units: i64, ship: Option<(String, u64)>) {
        self.movement_seq += 1;
        let id = u64::from(self.store_id) * 100_000_000 + u64::from(self.movement_seq);
        let supplier = (kind == "supply").then(|| self.product_base(k).2);
        let (address, customer) = ship.unzip();
        let mut rec = WuInventory {
            inventory_event_id: id,
            inventory_event_type: kind,
            inventory_product_id: k,
            inventory_supplier_id: supplier,
            inventory_warehouse_id: self.store_id,
            inventory_quantity: Some(units),
            inventory_ship_address: address,
            inventory_ship_customer_id: customer,
            inventory_inserted_at: DemoTime(at),
            inventory_updated_at: DemoTime(at),
            batch_id: self.batch(at),
        };
        let defect = self.defect(LINE_DEFECTS);
        let field = match defect {
            Some(Defect::Null) => {
                rec.inventory_quantity = None;
                Some("inventory_quantity")
            }
            Some(Defect::OutOfRange) => {
                rec.inventory_quantity = Some(self.out_of_range(MOVEMENT_RANGE));
                Some("inventory_quantity")
            }
            Some(Defect::OrphanKey) => {
                rec.inventory_product_id = ORPHAN_PRODUCT + self.rng.random_range(0..9_999);
                Some("inventory_product_id")
            }
            _ => None,
        };
        self.record(Event::WuInventory(Box::new(rec)), "inventory", id.to_string(), defect, field);
    }

    /// Product `k` as the inventory system publishes it: its unit cost
    /// follows its price.
    pub(super) fn wu_product_record(&self, at: SimTime, op: Op, k: u32) -> WuProduct {
        let (base, _, supplier, name, category) = self.product_base(k);
        let h = product_hash(k);
        let p = &self.params;
        let price = self.prices.get(k as usize - 1).copied().unwrap_or(base);
        // At the load, or in the file of the day it was added (written
        // at 03:00 the next morning).
        let (introduced, inserted) = if k <= p.initial_products {
            (
                self.first_day - chrono::Duration::days(1 + (h % 2_000) as i64),
                self.wu_masters_loaded,
            )
        } else {
            let day = (k - p.initial_products).div_ceil(p.new_products_per_day.max(1));
            let date = self.first_day + chrono::Duration::days(i64::from(day));
            let filed = local_to_utc(self.tz(), date.succ_opt().unwrap_or(date), 180);
            (date, filed)
        };
        let cm = |shift: u32| 10 + ((h >> shift) % 900) as u32;
        WuProduct {
            product_id: k,
            product_name: name.clone(),
            product_description: format!("{name}: a {} for home and workshop", category.to_lowercase()),
            product_category: category,
            product_brand: format!("{} Works", p.last_names[supplier as usize % p.last_names.len()]),
            product_preferred_supplier_id: supplier,
            product_unit_cost: Some(price.apply_basis_points(4_000 + ((h >> 20) % 3_000) as i64)),
            product_dimension_length: cm(8),
            product_dimension_width: cm(18),
            product_dimension_height: cm(28),
            product_introduced_date: introduced.to_string(),
            product_discontinued: false,
            product_no_longer_offered: false,
            product_inserted_at: DemoTime(if op == Op::Update { inserted } else { at }),
            product_updated_at: DemoTime(at),
            batch_id: self.batch(at),
        }
    }

    pub(super) fn wu_product(&mut self, at: SimTime, op: Op, k: u32) {
        let mut rec = self.wu_product_record(at, op, k);
        let defect = self.defect(&[Defect::Null, Defect::Duplicate, Defect::OrphanKey]);
        let field = match defect {
            Some(Defect::Null) => {
                rec.product_unit_cost = None;
                Some("product_unit_cost")
            }
            Some(Defect::OrphanKey) => {
                rec.product_preferred_supplier_id = ORPHAN_SUPPLIER + self.rng.random_range(0..99);
                Some("product_preferred_supplier_id")
            }
            _ => None,
        };
        self.record(Event::WuProduct(Box::new(rec)), "inventory", k.to_string(), defect, field);
    }

    /// Supplier `s` as the inventory system publishes it.
    pub(super) fn wu_supplier_record(&self, at: SimTime, s: u32) -> WuSupplier {
        let native = self.supplier_record(at, Op::Load, s);
        let stores = &self.world.stores;
        let home = &stores[(splitmix64(u64::from(s)) % stores.len() as u64) as usize];
        let h = splitmix64(u64::from(s) ^ 0x5099);
        let slug: String = native.name.to_lowercase().split_whitespace().collect::<Vec<_>>().join("-");
        let second = unit(h) < 0.6;
        WuSupplier {
            supplier_id: s,
            supplier_name: native.name.clone(),
            supplier_address: Some(format!(
                "{}, {}, {} {}",
                self.street(h),
                home.city,
                home.state,
                home.zipcode
            )),
            supplier_primary_contact_name: self.person(splitmix64(h ^ 1)),
            supplier_primary_contact_phone: Self::phone(splitmix64(h ^ 2)),
            supplier_secondary_contact_name: second.then(|| self.person(splitmix64(h ^ 3))),
            supplier_secondary_contact_phone: second.then(|| Self::phone(splitmix64(h ^ 4))),
            supplier_web_site: format!("https://www.{slug}.example"),
            supplier_introduction_date: (self.first_day - chrono::Duration::days(30 + (h % 3_000) as i64)).to_string(),
            supplier_is_preferred: unit(splitmix64(h ^ 5)) < 0.3,
            supplier_is_active: true,
            supplier_inserted_at: DemoTime(at),
            supplier_updated_at: DemoTime(at),
            batch_id: self.batch(at),
        }
    }

    pub(super) fn wu_supplier(&mut self, at: SimTime, s: u32) {
        self.wu_masters_loaded = at;
        let mut rec = self.wu_supplier_record(at, s);
        let defect = self.defect(&[Defect::Null, Defect::Duplicate]);
        if defect == Some(Defect::Null) {
            rec.supplier_address = None;
        }
        let field = (defect == Some(Defect::Null)).then_some("supplier_address");
        self.record(Event::WuSupplier(Box::new(rec)), "inventory", s.to_string(), defect, field);
    }
}
