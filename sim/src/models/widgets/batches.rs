//! The in-store batch and the inventory file: store sales, movements, products
//! and suppliers.

use super::*;

impl WidgetsModel {

    /// An in-store sale, kept for the morning batch.
    pub(super) fn sale(&mut self, now: SimTime) {
        self.counters.served += 1;
        let date = now.to_datetime().with_timezone(&self.tz()).date_naive();
        self.prices_on(date);
        let k = 1 + self.rng.random_range(0..self.prices.len() as u32);
        let qty = self.quantity.sample(&mut self.rng) as i64 + 1;
        let card = (self.rng.random::<f64>() < 0.4 && !self.customers.is_empty())
            .then(|| self.customers[self.rng.random_range(0..self.customers.len())].id);
        self.sales
            .push((now, k, qty, self.prices[k as usize - 1], card));
    }

    /// The POS batch of the sales since the last one, loaded at `at`;
    /// returns the units sold by (date, product) for the inventory file.
    pub(super) fn pos_batch(&mut self, at: SimTime) -> std::collections::BTreeMap<(NaiveDate, u32), i64> {
        let tz = self.tz();
        let sales = std::mem::take(&mut self.sales);
        let mut by_product: std::collections::BTreeMap<(NaiveDate, u32), i64> = Default::default();
        for (t, k, qty, price, card) in sales {
            let local = t.to_datetime().with_timezone(&tz);
            let day = yyyymmdd(local.date_naive());
            let seq = self.sale_ids.next(self.store_id, day).seq;
            let sale_id = format!("POS-{}-{day}-{seq:05}", self.store_id);
            *by_product.entry((local.date_naive(), k)).or_default() += qty;
            let mut rec = PosSale {
                ts: at,
                sale_id: sale_id.clone(),
                store_code: self.store_code(),
                sale_date: Some(us_date(local.date_naive())),
                sale_time: format!("{:02}:{:02}", local.hour(), local.minute()),
                product_id: Some(k),
                quantity: Some(qty),
                amount: Some(price * qty),
                loyalty_card: card.map(|c| format!("LC {:04} {:06}", c / 1_000_000, c % 1_000_000)),
            };
            let defect = self.defect(&[
                Defect::Null,
                Defect::MalformedDate,
                Defect::Duplicate,
                Defect::OutOfRange,
                Defect::OrphanKey,
            ]);
            let field = match defect {
                Some(Defect::Null) => {
                    rec.amount = None;
                    Some("amount")
                }
                Some(Defect::MalformedDate) => {
                    rec.sale_date = Some(self.bad_date());
                    Some("sale_date")
                }
                Some(Defect::OutOfRange) => {
                    rec.quantity = Some(self.out_of_range(QUANTITY_RANGE));
                    Some("quantity")
                }
                Some(Defect::OrphanKey) => {
                    rec.product_id = Some(ORPHAN_PRODUCT + self.rng.random_range(0..9_999));
                    Some("product_id")
                }
                _ => None,
            };
            self.record(Event::PosSale(Box::new(rec)), "pos", sale_id, defect, field);
        }
        by_product
    }

    /// The inventory system's file for `date`, written at `at`: the
    /// store's movements and, from the first store, the day's product
    /// inserts and price updates.
    pub(super) fn inventory_file(
        &mut self,
        at: SimTime,
        date: NaiveDate,
        sold: std::collections::BTreeMap<(NaiveDate, u32), i64>,
    ) {
        let p = Arc::clone(&self.params);
        for ((day, k), units) in sold {
            self.movement(at, day, k, "sale", units);
            if self.rng.random::<f64>() < p.receipt_share {
                let units = self.rng.random_range(12..=120);
                self.movement(at, day, k, "receipt", units);
            }
            if self.rng.random::<f64>() < 0.02 {
                let units = self.rng.random_range(1..=3);
                self.movement(at, day, k, "adjustment", units);
            }
        }
        for (k, op) in self.master_changes(date) {
            self.product(at, op, k);
        }
    }

    /// The product master's changes in the file for `date`, in product
    /// order: the day's new products and repriced ones; published by the
    /// first store only, none on the first day (the load has them).
    pub(super) fn master_changes(&self, date: NaiveDate) -> Vec<(u32, Op)> {
        let d = (date - self.first_day).num_days();
        if self.index != 0 || d < 1 {
            return Vec::new();
        }
        let before = self.product_count(date - chrono::Duration::days(1));
        (1..=self.product_count(date))
            .filter_map(|k| {
                if k > before {
                    Some((k, Op::Insert))
                } else {
                    self.repriced(k, d).map(|_| (k, Op::Update))
                }
            })
            .collect()
    }

    pub(super) fn movement(&mut self, at: SimTime, day: NaiveDate, k: u32, kind: &'static str, units: i64) {
        self.movement_seq += 1;
        let movement_id = format!("MV-{}-{:07}", self.store_id, self.movement_seq);
        let mut rec = InvMovement {
            ts: at,
            movement_id: movement_id.clone(),
            movement_date: Some(eu_date(day)),
            product_code: format!("{k:06}"),
            location_code: self.store_code(),
            movement_type: kind,
            quantity: Some(units),
        };
        let defect = self.defect(&[
            Defect::Null,
            Defect::MalformedDate,
            Defect::Duplicate,
            Defect::OutOfRange,
            Defect::OrphanKey,
        ]);
        let field = match defect {
            Some(Defect::Null) => {
                rec.quantity = None;
                Some("quantity")
            }
            Some(Defect::MalformedDate) => {
                rec.movement_date = Some(self.bad_date());
                Some("movement_date")
            }
            Some(Defect::OutOfRange) => {
                rec.quantity = Some(self.out_of_range(MOVEMENT_RANGE));
                Some("quantity")
            }
            Some(Defect::OrphanKey) => {
                rec.product_code =
                    format!("{:06}", ORPHAN_PRODUCT + self.rng.random_range(0..9_999));
                Some("product_code")
            }
            _ => None,
        };
        self.record(
            Event::InvMovement(Box::new(rec)),
            "inventory",
            movement_id,
            defect,
            field,
        );
    }

    /// Product `k` as the inventory system publishes it, at `price`.
    pub(super) fn product_record(&self, at: SimTime, op: Op, k: u32, price: Money) -> InvProduct {
        let (_, cost, supplier, description, category) = self.product_base(k);
        InvProduct {
            ts: at,
            op,
            product_code: format!("{k:06}"),
            description,
            category,
            supplier_code: format!("SUP-{supplier:03}"),
            unit_cost: Some(cost),
            list_price: Some(price),
        }
    }

    pub(super) fn product(&mut self, at: SimTime, op: Op, k: u32) {
        let price = self.prices[k as usize - 1];
        let mut rec = self.product_record(at, op, k, price);
        let defect = self.defect(&[Defect::Null, Defect::Duplicate, Defect::OrphanKey]);
        let field = match defect {
            Some(Defect::Null) => {
                rec.unit_cost = None;
                Some("unit_cost")
            }
            Some(Defect::OrphanKey) => {
                rec.supplier_code =
                    format!("SUP-{:03}", ORPHAN_SUPPLIER + self.rng.random_range(0..99));
                Some("supplier_code")
            }
            _ => None,
        };
        let id = rec.product_code.clone();
        self.record(
            Event::InvProduct(Box::new(rec)),
            "inventory",
            id,
            defect,
            field,
        );
    }

    /// Supplier `s` as the inventory system publishes it.
    pub(super) fn supplier_record(&self, at: SimTime, op: Op, s: u32) -> InvSupplier {
        let p = &self.params;
        let stores = &self.world.stores;
        let home = &stores[(splitmix64(u64::from(s)) % stores.len() as u64) as usize];
        let name = format!(
            "{} {} Supply",
            p.last_names[s as usize % p.last_names.len()],
            p.product_nouns[s as usize % p.product_nouns.len()]
        );
        InvSupplier {
            ts: at,
            op,
            supplier_code: format!("SUP-{s:03}"),
            contact_email: Some(format!(
                "orders{s}@{}",
                p.email_domains[s as usize % p.email_domains.len()]
            )),
            name,
            location: Some(format!("{}-{}", home.state, home.city)),
        }
    }

    pub(super) fn supplier(&mut self, at: SimTime, op: Op, s: u32) {
        let mut rec = self.supplier_record(at, op, s);
        let defect = self.defect(&[Defect::Null, Defect::MalformedEmail, Defect::Duplicate]);
        let field = match defect {
            Some(Defect::Null) => {
                rec.location = None;
                Some("location")
            }
            Some(Defect::MalformedEmail) => {
                let good = rec.contact_email.take().unwrap_or_default();
                rec.contact_email = Some(self.bad_email(&good));
                Some("contact_email")
            }
            _ => None,
        };
        let id = rec.supplier_code.clone();
        self.record(
            Event::InvSupplier(Box::new(rec)),
            "inventory",
            id,
            defect,
            field,
        );
    }
}

impl WidgetsModel {
    /// The first store as it makes the initial load of `span`: priced
    /// for its first day, the load's time and that day; none for an empty
    /// span.
    fn at_load(world: Arc<World>, span: RunSpan) -> Option<(WidgetsModel, SimTime, NaiveDate)> {
        let mut first = WidgetsModel::new(world, 0, 0, span);
        let (t, date) = first.next_tick?;
        let at = t.max(first.emit_from);
        first.prices_on(date);
        first.wu_masters_loaded = at;
        Some((first, at, date))
    }

    /// The product and supplier masters as the inventory system loads them
    /// at the start of `span`, without defects.
    pub fn opening_masters(world: Arc<World>, span: RunSpan) -> (Vec<InvProduct>, Vec<InvSupplier>) {
        let Some((first, at, date)) = WidgetsModel::at_load(world, span) else {
            return (Vec::new(), Vec::new());
        };
        let products = (1..=first.product_count(date))
            .map(|k| first.product_record(at, Op::Load, k, first.prices[k as usize - 1]))
            .collect();
        let suppliers = (1..=first.params.suppliers)
            .map(|s| first.supplier_record(at, Op::Load, s))
            .collect();
        (products, suppliers)
    }

    /// The Widgets Unlimited product and supplier masters at the start of
    /// `span`, without defects.
    pub fn wu_opening_masters(world: Arc<World>, span: RunSpan) -> (Vec<WuProduct>, Vec<WuSupplier>) {
        let Some((first, at, date)) = WidgetsModel::at_load(world, span) else {
            return (Vec::new(), Vec::new());
        };
        let products = (1..=first.product_count(date))
            .map(|k| first.wu_product_record(at, Op::Load, k))
            .collect();
        let suppliers = (1..=first.params.suppliers)
            .map(|s| first.wu_supplier_record(at, s))
            .collect();
        (products, suppliers)
    }
}
