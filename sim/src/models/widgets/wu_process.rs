//! The Widgets Unlimited tables' rows: the same customers, orders, sales,
//! products and suppliers as the native records, written as the demo's
//! three systems hold them (see `wu_events`).
//!
//! Dirty rows stay typed (a `DATE` column holds a date, an `INTEGER` an
//! integer), so the defects are those a typed table can hold: nulls in
//! nullable columns, malformed e-mails, duplicates, out-of-range
//! quantities and orphan keys, each labelled. The customer and address
//! rows the demo's customer-dimension transform reads are never
//! duplicated, and a customer changes at most once a day (the demo's
//! transform keys a batch by customer).

use super::*;
use crate::time::DemoTime;

/// Share of customers who came through online advertising (OA) and
/// affiliate marketing (AM); the rest have no referral (assumption).
const REFERRALS: [(f64, &str); 2] = [(0.30, "OA"), (0.15, "AM")];
/// Share of preferred customers (assumption).
const PREFERRED: f64 = 0.12;
/// Share of customers whose shipping address is their billing address
/// (assumption).
const SAME_ADDRESS: f64 = 0.7;
/// Share of online orders cancelled (assumption).
const CANCELLED: f64 = 0.02;
/// Orders from this amount ship free; below it they pay a flat rate
/// (assumption).
const FREE_SHIPPING: Money = Money::from_cents(5_000);
const SHIPPING_RATES: [Money; 3] = [
    Money::from_cents(499),
    Money::from_cents(699),
    Money::from_cents(999),
];
/// Share of in-store sales paid by card (assumption).
const CARD: f64 = 0.65;
const INSTRUCTIONS: [&str; 5] = [
    "Leave at the front door",
    "Ring the bell",
    "Gift wrap, please",
    "Deliver after 5pm",
    "Call on arrival",
];
const COMMENTS: [&str; 3] = ["gift", "urgent", "replacement part"];

/// What the e-commerce system knows of a customer beyond the native record.
#[derive(Debug, Clone)]
pub(super) struct WuState {
    inserted: SimTime,
    active: bool,
    preferred: bool,
    email: u32,
    billing: u32,
    shipping: u32,
}

/// A shipped order line, for the night's inventory file.
#[derive(Debug, Clone)]
pub(super) struct Shipment {
    pub(super) product: u32,
    pub(super) quantity: i64,
    pub(super) customer: usize,
}

/// `u` in [0, 1) from a hash.
pub(super) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A 16-digit card number with a valid Luhn check digit (test range 4000).
fn card_number(h: u64) -> String {
    let body = format!("4000{:011}", h % 100_000_000_000);
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

impl WidgetsModel {
    pub(super) fn unlimited(&self) -> bool {
        self.params.tables == Tables::Unlimited
    }

    /// The run day, from 1, of time `t` at this store.
    pub(super) fn batch(&self, t: SimTime) -> u32 {
        let local = t.to_datetime().with_timezone(&self.tz()).date_naive();
        ((local - self.first_day).num_days().max(0) + 1) as u32
    }

    pub(super) fn street(&self, h: u64) -> String {
        let streets = &self.params.streets;
        format!("{} {}", 1 + h % 9_998, streets[(h >> 20) as usize % streets.len()])
    }

    pub(super) fn person(&self, h: u64) -> String {
        let p = &self.params;
        format!(
            "{} {}",
            p.first_names[h as usize % p.first_names.len()],
            p.last_names[(h >> 24) as usize % p.last_names.len()]
        )
    }

    pub(super) fn phone(h: u64) -> String {
        format!("({:03}) {:03}-{:04}", 201 + h % 789, 200 + (h >> 16) % 799, (h >> 32) % 10_000)
    }

    /// Customer `i`'s billing (`b`) or shipping address, one line.
    pub(super) fn address_line(&self, i: usize, billing: bool) -> String {
        let c = &self.customers[i];
        let s = &self.wu[i];
        let store = &self.world.stores[self.index];
        let same = unit(splitmix64(c.id ^ 0xAD)) < SAME_ADDRESS;
        let (tag, v) = if billing || same { (1, s.billing) } else { (2, s.shipping) };
        let street = self.street(splitmix64(c.id * 16 + tag + u64::from(v) * 0x1_0000));
        format!("{street}\n{}, {} {}", store.city, store.state, store.zipcode)
    }

    fn name_of(&self, i: usize) -> String {
        let p = &self.params;
        let c = &self.customers[i];
        format!("{} {}", p.first_names[c.first], p.last_names[c.last])
    }

    pub(super) fn wu_initial_load(&mut self, at: SimTime, date: NaiveDate) {
        self.wu_store(at, date, true);
        for _ in 0..self.params.initial_customers {
            self.new_customer(at, Op::Load, date);
        }
        if self.index == 0 {
            for s in 1..=self.params.suppliers {
                self.wu_supplier(at, s);
            }
            for k in 1..=self.product_count(date) {
                self.wu_product(at, Op::Load, k);
            }
        }
    }

    /// The store row (and at the load its location); a later call is a
    /// manager change.
    pub(super) fn wu_store(&mut self, at: SimTime, date: NaiveDate, load: bool) {
        let store = self.world.stores[self.index].clone();
        let h = splitmix64(u64::from(self.store_id) ^ 0x5707E);
        let year = 1995 + (splitmix64(u64::from(self.store_id)) % 28) as i32;
        let opened = NaiveDate::from_ymd_opt(year, 1 + (self.store_id % 12), 1).unwrap_or(date);
        let loaded = if load { at } else { self.wu_store_loaded };
        if load {
            self.wu_store_loaded = at;
        }
        let manager = if load { h } else { self.rng.random() };
        let batch_id = self.batch(at);
        let mut rec = WuStore {
            store_id: self.store_id,
            store_name: format!("Widgets Unlimited {}", store.city),
            store_manager_name: Some(self.person(manager)),
            store_number_of_employees: 8 + (h % 33) as u32,
            store_opened_date: opened.to_string(),
            store_closed_date: None,
            store_inserted_at: DemoTime(loaded),
            store_updated_at: DemoTime(at),
            batch_id,
        };
        let defect = self.defect(&[Defect::Null]);
        if defect.is_some() {
            rec.store_manager_name = None;
        }
        let id = self.store_id.to_string();
        self.record(Event::WuStore(Box::new(rec)), "pos", id, defect, defect.map(|_| "store_manager_name"));
        if load {
            let location = WuStoreLocation {
                store_location_id: self.store_id * 10 + 1,
                store_id: self.store_id,
                store_location_street_address: store.address.clone(),
                store_location_city: store.city.clone(),
                store_location_state: store.state.clone(),
                store_location_zip_code: store.zipcode.clone(),
                store_location_sq_footage: 10 * (8_000 + ((h >> 8) % 17_000) as u32),
                store_inserted_at: DemoTime(at),
                store_updated_at: DemoTime(at),
                batch_id,
            };
            self.emit(Event::WuStoreLocation(Box::new(location)));
        }
    }

    /// A new customer `i` (just pushed): the customer, the two addresses
    /// and the loyalty number.
    pub(super) fn wu_new_customer(&mut self, ts: SimTime, date: NaiveDate) {
        let i = self.customers.len() - 1;
        let h = splitmix64(self.customers[i].id ^ 0xC057);
        self.wu.push(WuState {
            inserted: ts,
            active: true,
            preferred: unit(h) < PREFERRED,
            email: 0,
            billing: 0,
            shipping: 0,
        });
        // A new customer does not change again the same day.
        self.wu_changed.insert(i);
        self.wu_customer(ts, i);
        self.wu_address(ts, i, true, true);
        self.wu_address(ts, i, false, true);
        let c = self.customers[i].id;
        let rec = WuLoyaltyNumber {
            loyalty_number: loyalty_of(c),
            loyalty_number_customer_id: c,
            loyalty_number_store_id: self.store_id,
            loyalty_number_issued_date: date.to_string(),
            loyalty_number_inserted_at: DemoTime(ts),
            loyalty_number_updated_at: DemoTime(ts),
            batch_id: self.batch(ts),
        };
        self.emit(Event::WuLoyaltyNumber(Box::new(rec)));
    }

    fn wu_customer(&mut self, ts: SimTime, i: usize) {
        let c = self.customers[i].clone();
        let s = self.wu[i].clone();
        let h = splitmix64(c.id ^ 0xC057);
        let p = &self.params;
        let u = unit(splitmix64(h ^ 1));
        let referral = if u < REFERRALS[0].0 {
            REFERRALS[0].1
        } else if u < REFERRALS[0].0 + REFERRALS[1].0 {
            REFERRALS[1].1
        } else {
            ""
        };
        let age_days = 18 * 365 + (splitmix64(h ^ 2) % (67 * 365)) as i64;
        let mut email = self.email(&c);
        if s.email > 0 {
            email = email.replacen('@', &format!(".{}@", s.email), 1);
        }
        let mut rec = WuCustomer {
            customer_id: c.id,
            customer_name: self.name_of(i),
            customer_user_id: format!(
                "{}{}{}",
                p.first_names[c.first][..1].to_lowercase(),
                p.last_names[c.last].to_lowercase(),
                c.n
            ),
            customer_password: format!("{:016x}{:016x}", splitmix64(h ^ 3), splitmix64(h ^ 4)),
            customer_email: Some(email),
            customer_referral_type: referral,
            customer_sex: if h & 1 == 0 { "F" } else { "M" },
            customer_date_of_birth: (self.first_day - chrono::Duration::days(age_days)).to_string(),
            customer_loyalty_number: loyalty_of(c.id),
            customer_credit_card_number: card_number(splitmix64(h ^ 5)),
            customer_is_preferred: s.preferred,
            customer_is_active: s.active,
            customer_inserted_at: DemoTime(s.inserted),
            customer_updated_at: DemoTime(ts),
            batch_id: self.batch(ts),
        };
        let defect = self.defect(&[Defect::Null, Defect::MalformedEmail]);
        match defect {
            Some(Defect::Null) => rec.customer_email = None,
            Some(Defect::MalformedEmail) => {
                let good = rec.customer_email.take().unwrap_or_default();
                rec.customer_email = Some(self.bad_email(&good));
            }
            _ => {}
        }
        let field = defect.map(|_| "customer_email");
        self.record(Event::WuCustomer(Box::new(rec)), "ecom", c.id.to_string(), defect, field);
    }

    fn wu_address(&mut self, ts: SimTime, i: usize, billing: bool, new: bool) {
        let id = self.customers[i].id;
        let inserted = if new { ts } else { self.wu[i].inserted };
        let rec = WuCustomerAddress {
            customer_id: id,
            customer_address_id: id * 10 + if billing { 1 } else { 2 },
            customer_address: format!("{}\n{}", self.name_of(i), self.address_line(i, billing)),
            customer_address_type: if billing { "B" } else { "S" },
            customer_address_inserted_at: DemoTime(inserted),
            customer_address_updated_at: DemoTime(ts),
            batch_id: self.batch(ts),
        };
        self.emit(Event::WuCustomerAddress(Box::new(rec)));
    }

    /// A change to customer `i` at `t` (at most one a day): a new e-mail,
    /// a move, or the account closed, reopened or made preferred.
    pub(super) fn wu_change_customer(&mut self, t: SimTime, i: usize) {
        if !self.wu_changed.insert(i) {
            return;
        }
        match self.rng.random_range(0..10) {
            0..=3 => {
                self.wu[i].email += 1;
                self.wu_customer(t, i);
            }
            4..=7 => {
                self.wu[i].billing += 1;
                self.wu[i].shipping += 1;
                self.wu_address(t, i, true, false);
                self.wu_address(t, i, false, false);
            }
            8 => {
                self.wu[i].active = !self.wu[i].active;
                self.wu_customer(t, i);
            }
            _ => {
                self.wu[i].preferred = true;
                self.wu_customer(t, i);
            }
        }
    }

    /// An online order with its lines.
    pub(super) fn wu_order(&mut self, now: SimTime) {
        let Some((i, lines)) = self.draw_basket(now) else {
            return;
        };
        self.order_seq += 1;
        let order_id = u64::from(self.store_id) * 100_000_000 + u64::from(self.order_seq);
        let customer = self.customers[i].id;
        let total: Money = lines.iter().map(|(_, _, q, p)| *p * *q).fold(Money::ZERO, |a, b| a + b);
        let cancelled = self.rng.random::<f64>() < CANCELLED;
        let shipping = if total >= FREE_SHIPPING {
            Money::ZERO
        } else {
            SHIPPING_RATES[self.rng.random_range(0..SHIPPING_RATES.len())]
        };
        let instructions = if self.rng.random::<f64>() < 0.2 {
            INSTRUCTIONS[self.rng.random_range(0..INSTRUCTIONS.len())]
        } else {
            ""
        };
        let batch_id = self.batch(now);
        let mut rec = WuOrder {
            order_id,
            customer_id: customer,
            order_shipping_address_id: customer * 10 + 2,
            order_special_instructions: instructions.to_string(),
            order_shipping_cost: Some(shipping),
            order_execution_time: DemoTime(now),
            order_cancelled: cancelled,
            order_line_item_inserted_at: DemoTime(now),
            order_line_item_updated_at: DemoTime(now),
            batch_id,
        };
        let defect = self.defect(&[Defect::Null, Defect::Duplicate, Defect::OrphanKey]);
        let field = match defect {
            Some(Defect::Null) => {
                rec.order_shipping_cost = None;
                Some("order_shipping_cost")
            }
            Some(Defect::OrphanKey) => {
                rec.customer_id = u64::from(self.store_id) * 1_000_000
                    + ORPHAN_CUSTOMER
                    + self.rng.random_range(0..99_999);
                Some("customer_id")
            }
            _ => None,
        };
        self.record(Event::WuOrder(Box::new(rec)), "ecom", order_id.to_string(), defect, field);
        for (line, k, qty, price) in lines {
            let comment = if self.rng.random::<f64>() < 0.05 {
                COMMENTS[self.rng.random_range(0..COMMENTS.len())]
            } else {
                ""
            };
            let mut rec = WuOrderLineItem {
                order_line_item_id: order_id * 100 + u64::from(line),
                order_id,
                order_line_item_product_id: k,
                order_line_item_quantity: qty,
                order_line_item_unit_price: Some(price),
                order_line_item_total_price: Some(price * qty),
                order_line_comments: comment.to_string(),
                order_line_item_inserted_at: DemoTime(now),
                order_line_item_updated_at: DemoTime(now),
                batch_id,
            };
            let defect = self.defect(LINE_DEFECTS);
            let field = match defect {
                Some(Defect::Null) => {
                    rec.order_line_item_unit_price = None;
                    Some("order_line_item_unit_price")
                }
                Some(Defect::OutOfRange) => {
                    rec.order_line_item_quantity = self.out_of_range(QUANTITY_RANGE);
                    rec.order_line_item_total_price = Some(price * rec.order_line_item_quantity);
                    Some("order_line_item_quantity")
                }
                Some(Defect::OrphanKey) => {
                    rec.order_line_item_product_id =
                        ORPHAN_PRODUCT + self.rng.random_range(0..9_999);
                    Some("order_line_item_product_id")
                }
                _ => None,
            };
            let id = rec.order_line_item_id.to_string();
            self.record(Event::WuOrderLineItem(Box::new(rec)), "ecom", id, defect, field);
            if !cancelled {
                self.wu_shipments.push(Shipment {
                    product: k,
                    quantity: qty,
                    customer: i,
                });
            }
        }
    }

    /// The in-store batch of the sales since the last one, loaded at `at`.
    pub(super) fn wu_pos_batch(&mut self, at: SimTime) {
        let tz = self.tz();
        let batch_id = self.batch(at);
        for (t, k, qty, price, card) in std::mem::take(&mut self.sales) {
            self.sale_seq += 1;
            let id = u64::from(self.store_id) * 100_000_000 + u64::from(self.sale_seq);
            let h = splitmix64(id ^ 0x5A1E);
            let mut rec = WuStoreSales {
                store_sales_id: id,
                store_sales_store_id: self.store_id,
                store_sales_product_id: k,
                store_sales_quantity: qty,
                store_sales_unit_price: price,
                store_sales_total_price: Some(price * qty),
                store_sales_transaction_type: if unit(h) < 0.02 { "return" } else { "sale" },
                store_sales_transaction_date: t.to_datetime().with_timezone(&tz).date_naive().to_string(),
                store_sales_cc_number: (unit(h >> 1) < CARD).then(|| card_number(splitmix64(h))),
                store_sales_loyalty_number: card.map(loyalty_of),
                store_sales_inserted_at: DemoTime(at),
                store_sales_updated_at: DemoTime(at),
                batch_id,
            };
            let defect = self.defect(LINE_DEFECTS);
            let field = match defect {
                Some(Defect::Null) => {
                    rec.store_sales_total_price = None;
                    Some("store_sales_total_price")
                }
                Some(Defect::OutOfRange) => {
                    rec.store_sales_quantity = self.out_of_range(QUANTITY_RANGE);
                    Some("store_sales_quantity")
                }
                Some(Defect::OrphanKey) => {
                    rec.store_sales_product_id = ORPHAN_PRODUCT + self.rng.random_range(0..9_999);
                    Some("store_sales_product_id")
                }
                _ => None,
            };
            self.record(Event::WuStoreSales(Box::new(rec)), "pos", id.to_string(), defect, field);
        }
    }
}
