//! The e-commerce system's records: the initial load, customers and orders.

use super::*;

impl WidgetsModel {

    pub(super) fn initial_load(&mut self, at: SimTime, date: NaiveDate) {
        if self.unlimited() {
            return self.wu_initial_load(at, date);
        }
        let tz = self.tz();
        let store = self.world.stores[self.index].clone();
        // In-store: the store record.
        let opened_year = 1995 + (splitmix64(u64::from(self.store_id)) % 28) as i32;
        let opened =
            NaiveDate::from_ymd_opt(opened_year, 1 + (self.store_id % 12), 1).unwrap_or(date);
        let _ = tz;
        self.pos_store(at, Op::Load, &store, opened);
        // E-commerce: the market's customers.
        for _ in 0..self.params.initial_customers {
            self.new_customer(at, Op::Load, date);
        }
        // Inventory: the masters, from the first store.
        if self.index == 0 {
            for s in 1..=self.params.suppliers {
                self.supplier(at, Op::Load, s);
            }
            let n = self.product_count(date);
            for k in 1..=n {
                self.product(at, Op::Load, k);
            }
        }
    }

    pub(super) fn pos_store(&mut self, ts: SimTime, op: Op, store: &crate::catalog::Store, opened: NaiveDate) {
        let mut rec = PosStore {
            ts,
            op,
            store_code: self.store_code(),
            name: format!("Widgets {}", store.city),
            location: Some(format!("{}, {} {}", store.city, store.state, store.zipcode)),
            opened: Some(us_date(opened)),
        };
        let defect = self.defect(&[Defect::Null, Defect::MalformedDate, Defect::Duplicate]);
        let id = rec.store_code.clone();
        let field = match defect {
            Some(Defect::Null) => {
                rec.location = None;
                Some("location")
            }
            Some(Defect::MalformedDate) => {
                rec.opened = Some(self.bad_date());
                Some("opened")
            }
            _ => None,
        };
        self.record(Event::PosStore(Box::new(rec)), "pos", id, defect, field);
    }

    /// Emits a record of `system` with key `id`, twice if its defect is a
    /// duplicate, and the label of its defect.
    pub(super) fn record(
        &mut self,
        event: Event,
        system: &'static str,
        id: String,
        defect: Option<Defect>,
        field: Option<&'static str>,
    ) {
        let (ts, kind) = (event.ts(), event.kind().as_str());
        if defect == Some(Defect::Duplicate) {
            self.emit(event.clone());
        }
        self.emit(event);
        if let Some(defect) = defect {
            self.label(ts, system, kind, id, defect, field);
        }
    }

    pub(super) fn email(&self, c: &Customer) -> String {
        let p = &self.params;
        let domain = &p.email_domains[(c.id % p.email_domains.len() as u64) as usize];
        format!(
            "{}.{}{}@{domain}",
            p.first_names[c.first].to_lowercase(),
            p.last_names[c.last].to_lowercase(),
            c.n
        )
    }

    pub(super) fn new_customer(&mut self, ts: SimTime, op: Op, date: NaiveDate) {
        let p = Arc::clone(&self.params);
        let n = self.customers.len() as u64 + 1;
        let c = Customer {
            id: u64::from(self.store_id) * 1_000_000 + n,
            first: self.rng.random_range(0..p.first_names.len()),
            last: self.rng.random_range(0..p.last_names.len()),
            n: self.rng.random_range(1..1000),
        };
        let signup = if op == Op::Load {
            date - chrono::Duration::days(self.rng.random_range(1..2000))
        } else {
            date
        };
        self.customers.push(c.clone());
        if self.unlimited() {
            self.wu_new_customer(ts, date);
        } else {
            self.customer_record(ts, op, &c, signup);
        }
    }

    pub(super) fn customer_record(&mut self, ts: SimTime, op: Op, c: &Customer, signup: NaiveDate) {
        let p = Arc::clone(&self.params);
        let store = &self.world.stores[self.index];
        let street = format!(
            "{} {}",
            self.rng.random_range(1..9999),
            p.streets[self.rng.random_range(0..p.streets.len())]
        );
        let mut rec = EcomCustomer {
            ts,
            op,
            customer_id: c.id,
            first_name: p.first_names[c.first].clone(),
            last_name: p.last_names[c.last].clone(),
            email: Some(self.email(c)),
            phone: Some(format!(
                "({:03}) {:03}-{:04}",
                self.rng.random_range(201..990),
                self.rng.random_range(200..999),
                self.rng.random_range(0..10_000)
            )),
            street: Some(street),
            city: store.city.clone(),
            state: store.state.clone(),
            zip: Some(store.zipcode.clone()),
            loyalty_number: Some(format!("LN-{:010}", c.id)),
            signup_date: Some(signup.format("%Y-%m-%d").to_string()),
        };
        let defect = self.defect(&[
            Defect::Null,
            Defect::MalformedEmail,
            Defect::MalformedDate,
            Defect::Duplicate,
        ]);
        let field = match defect {
            Some(Defect::Null) => match self.rng.random_range(0..3) {
                0 => {
                    rec.email = None;
                    Some("email")
                }
                1 => {
                    rec.zip = None;
                    Some("zip")
                }
                _ => {
                    rec.street = None;
                    Some("street")
                }
            },
            Some(Defect::MalformedEmail) => {
                let good = rec.email.take().unwrap_or_default();
                rec.email = Some(self.bad_email(&good));
                Some("email")
            }
            Some(Defect::MalformedDate) => {
                rec.signup_date = Some(self.bad_date());
                Some("signup_date")
            }
            _ => None,
        };
        let id = c.id.to_string();
        self.record(
            Event::EcomCustomer(Box::new(rec)),
            "ecom",
            id,
            defect,
            field,
        );
    }

    /// Today's signups and updates, at random times in `[from, to)`.
    pub(super) fn customer_changes(&mut self, from: SimTime, to: SimTime, date: NaiveDate) {
        let share = (to.0 - from.0) as f64 / 86_400e6;
        let p = Arc::clone(&self.params);
        let draw = |mean: f64, rng: &mut ChaCha8Rng| {
            Poisson::new(mean * share)
                .map(|d| d.sample(rng) as u32)
                .unwrap_or(0)
        };
        let signups = draw(p.signups_per_day, &mut self.rng);
        let updates = draw(p.customer_updates_per_day, &mut self.rng);
        let mut times: Vec<(SimTime, bool)> = (0..signups + updates)
            .map(|i| {
                let t = SimTime(self.rng.random_range(from.0..to.0.max(from.0 + 1)));
                (t, i < signups)
            })
            .collect();
        times.sort_by_key(|(t, _)| *t);
        for (t, signup) in times {
            if signup || self.customers.is_empty() {
                self.new_customer(t, Op::Insert, date);
            } else if self.unlimited() {
                let i = self.rng.random_range(0..self.customers.len());
                self.wu_change_customer(t, i);
            } else {
                let c = self.customers[self.rng.random_range(0..self.customers.len())].clone();
                let signup_date = date - chrono::Duration::days(1);
                self.customer_record(t, Op::Update, &c, signup_date);
            }
        }
    }

    /// An online order with its lines.
    /// An online order's customer (an index) and lines (number, product,
    /// quantity, unit price), or none before any customer exists.
    pub(super) fn draw_basket(&mut self, now: SimTime) -> Option<(usize, Lines)> {
        self.counters.arrivals += 1;
        if self.orderable == 0 {
            return None;
        }
        let date = now.to_datetime().with_timezone(&self.tz()).date_naive();
        self.prices_on(date);
        let u: f64 = self.rng.random();
        let customer = ((u * u) * self.orderable as f64) as usize;
        let n = self.lines.sample(&mut self.rng) + 1;
        let products = self.prices.len() as u32;
        let mut lines = Vec::with_capacity(n);
        for line in 1..=n {
            let k = 1 + self.rng.random_range(0..products);
            let qty = self.quantity.sample(&mut self.rng) as i64 + 1;
            lines.push((line as u16, k, qty, self.prices[k as usize - 1]));
        }
        Some((customer, lines))
    }

    pub(super) fn order(&mut self, now: SimTime) {
        if self.unlimited() {
            return self.wu_order(now);
        }
        let Some((i, lines)) = self.draw_basket(now) else {
            return;
        };
        let date = now.to_datetime().with_timezone(&self.tz()).date_naive();
        let order_id = self
            .order_ids
            .next(self.store_id, yyyymmdd(date))
            .to_string();
        let customer = self.customers[i].id;
        let total = lines
            .iter()
            .fold(Money::ZERO, |total, (_, _, qty, price)| total + *price * *qty);
        let store = &self.world.stores[self.index];
        let mut rec = EcomOrder {
            ts: now,
            order_id: order_id.clone(),
            customer_id: Some(customer),
            order_ts: Some(now.to_string()),
            status: "placed",
            total: Some(total),
            ship_city: store.city.clone(),
            ship_state: store.state.clone(),
            ship_zip: Some(store.zipcode.clone()),
        };
        let defect = self.defect(&[
            Defect::Null,
            Defect::MalformedDate,
            Defect::Duplicate,
            Defect::OrphanKey,
        ]);
        let field = match defect {
            Some(Defect::Null) => {
                if self.rng.random::<bool>() {
                    rec.total = None;
                    Some("total")
                } else {
                    rec.ship_zip = None;
                    Some("ship_zip")
                }
            }
            Some(Defect::MalformedDate) => {
                rec.order_ts = Some(self.bad_date());
                Some("order_ts")
            }
            Some(Defect::OrphanKey) => {
                rec.customer_id = Some(
                    u64::from(self.store_id) * 1_000_000
                        + ORPHAN_CUSTOMER
                        + self.rng.random_range(0..99_999),
                );
                Some("customer_id")
            }
            _ => None,
        };
        self.record(
            Event::EcomOrder(Box::new(rec)),
            "ecom",
            order_id.clone(),
            defect,
            field,
        );
        for (line, k, qty, price) in lines {
            let mut rec = EcomOrderLine {
                ts: now,
                order_id: order_id.clone(),
                line,
                sku: format!("WID-{k:05}"),
                quantity: Some(qty),
                unit_price: Some(price),
            };
            let defect = self.defect(LINE_DEFECTS);
            let field = match defect {
                Some(Defect::Null) => {
                    rec.unit_price = None;
                    Some("unit_price")
                }
                Some(Defect::OutOfRange) => {
                    rec.quantity = Some(self.out_of_range(QUANTITY_RANGE));
                    Some("quantity")
                }
                Some(Defect::OrphanKey) => {
                    rec.sku = format!(
                        "WID-{:05}",
                        ORPHAN_PRODUCT + self.rng.random_range(0..9_999)
                    );
                    Some("sku")
                }
                _ => None,
            };
            let id = format!("{order_id}/{line}");
            self.record(
                Event::EcomOrderLine(Box::new(rec)),
                "ecom",
                id,
                defect,
                field,
            );
        }
    }
}
