//! Checks a parsed scenario and builds the validated model from it.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use storesim_sim::calendar::{
    Anomaly, AnomalyKind, Calendar, Curve, DateRule, Holiday, Hours, HoursOverride, WeekdayRule,
};
use storesim_sim::catalog::{build_items, build_stores, ItemPicker, NameParts, StoreClass};
use storesim_sim::chain::ChurnParams;
use storesim_sim::marketplace::{MarketplaceParams, PricingRule, StockStatus};
use storesim_sim::params::{
    BasketParams, CheckoutParams, DeliveryParams, LoyaltyParams, ModelParams, PaymentParams,
    ShoppingParams, StaffingParams, TrafficParams,
};
use storesim_sim::smoothie::SmoothieParams;
use storesim_sim::webshop::{Device, UserAgent, WebshopParams};
use storesim_sim::widgets::WidgetsParams;
use storesim_sim::{EventKind, Money, World};

use crate::config::{
    AnomalyConfig, DayConfig, HolidayConfig, MarketplaceConfig, PricingFile, ScenarioConfig,
    SmoothieConfig, WebshopConfig, WidgetsConfig,
};
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

/// Physical limits on rates, so every accepted scenario runs in bounded
/// memory and time. Each is far past any store measured, and says why.
pub(crate) mod limits {
    /// A limit and why it is what it is.
    pub(crate) type Limit = (f64, &'static str);

    /// `traffic.baskets_per_day` (a store of traffic 1.0 on a base day):
    /// 55 x the average US supermarket's 1,800 a day (FMI: 12,700 a week
    /// in 2022).
    pub(crate) const BASKETS_PER_DAY: Limit =
        (100_000.0, "55 x the average US supermarket's 1,800 a day");
    /// A store class's `traffic`: a hundred times the base store.
    pub(crate) const CLASS_TRAFFIC: Limit = (100.0, "a hundred times the base store");
    /// A day's, a holiday's or an anomaly's `multiplier`: 35 x the highest
    /// peak day measured, Target's Black Friday 2019 at 2.8 x its baseline
    /// (Placer.ai).
    pub(crate) const MULTIPLIER: Limit = (
        100.0,
        "35 x the busiest day measured, Target's Black Friday at 2.8 x baseline",
    );
    /// A curve's hourly weight: weights are relative, and larger ones add
    /// up past what a float holds.
    pub(crate) const CURVE_WEIGHT: Limit =
        (1e9, "weights are relative; larger ones add up past a float");
    /// Arrivals one store can have in its busiest day, all multipliers
    /// together: 198 lanes (99 registers and 99 self-checkouts, the most a
    /// class may have) each serving a basket every 10 s for 24 hours.
    pub(crate) const STORE_DAY: f64 = 198.0 * 8_640.0;
    /// A per-day rate of a model's own processes (sign-ups, in-store sales,
    /// customer updates): per store, as `BASKETS_PER_DAY`.
    pub(crate) const PER_DAY: Limit = (100_000.0, "a store's day, as traffic.baskets_per_day");
    /// A service or shopping time, in seconds: an hour at a register.
    pub(crate) const SECONDS: Limit = (3_600.0, "an hour for one step of one shopper");
    /// A shopping time, in seconds: the whole day in the store.
    pub(crate) const SHOPPING_SECONDS: Limit = (86_400.0, "a whole day in the store");
    /// A response time, in milliseconds: a minute is a timeout, not a page.
    pub(crate) const LATENCY_MS: Limit = (60_000.0, "a minute is a timeout, not a page");
    /// A lognormal noise sigma: 3 makes the 99th percentile 1000 x the
    /// median already.
    pub(crate) const SIGMA: Limit = (3.0, "a spread of 1000 x between median and 99th percentile");
    /// `webshop.pages_mean`: a thousand pages is a crawler, not a shopper.
    pub(crate) const PAGES_MEAN: Limit = (1_000.0, "a thousand pages is a crawler, not a shopper");
}

struct Checker<'a> {
    origin: String,
    _config: &'a ScenarioConfig,
}

impl Checker<'_> {
    fn err(&self, key: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Field {
            origin: self.origin.clone(),
            key: key.into(),
            message: message.into(),
        }
    }

    fn positive(&self, key: &str, v: f64) -> Result<f64, ScenarioError> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(self.err(key, format!("must be a positive number, got {v}")))
        }
    }

    /// `v`, zero or more and at most `max` (a physical limit, see [`limits`]).
    fn at_most(&self, key: &str, v: f64, (max, why): limits::Limit) -> Result<f64, ScenarioError> {
        let v = self.non_negative(key, v)?;
        if v > max {
            return Err(self.err(key, format!("must be at most {max} ({why}), got {v}")));
        }
        Ok(v)
    }

    /// `v`, above zero and at most the limit.
    fn positive_at_most(
        &self,
        key: &str,
        v: f64,
        limit: limits::Limit,
    ) -> Result<f64, ScenarioError> {
        self.at_most(key, self.positive(key, v)?, limit)
    }

    fn non_negative(&self, key: &str, v: f64) -> Result<f64, ScenarioError> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.err(key, format!("must be zero or more, got {v}")))
        }
    }

    fn share(&self, key: &str, v: f64) -> Result<f64, ScenarioError> {
        if v.is_finite() && (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(self.err(key, format!("must be a share between 0 and 1, got {v}")))
        }
    }

    fn int_in(&self, key: &str, v: i64, lo: i64, hi: i64) -> Result<i64, ScenarioError> {
        if (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(self.err(key, format!("must be between {lo} and {hi}, got {v}")))
        }
    }

    fn time(&self, key: &str, text: &str) -> Result<u32, ScenarioError> {
        let bad = || {
            self.err(
                key,
                format!("must be a local time HH:MM (00:00-24:00), got `{text}`"),
            )
        };
        let (h, m) = text.split_once(':').ok_or_else(bad)?;
        let h: u32 = h.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        Ok(h * 60 + m)
    }

    fn hours(
        &self,
        key: &str,
        open: Option<&str>,
        close: Option<&str>,
    ) -> Result<Option<Hours>, ScenarioError> {
        match (open, close) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(self.err(format!("{key}.close"), "missing (open is set)")),
            (None, Some(_)) => Err(self.err(format!("{key}.open"), "missing (close is set)")),
            (Some(o), Some(c)) => {
                let open_min = self.time(&format!("{key}.open"), o)?;
                let close_min = self.time(&format!("{key}.close"), c)?;
                if close_min <= open_min {
                    return Err(self.err(
                        format!("{key}.close"),
                        format!("closing time {c} must be after opening time {o}"),
                    ));
                }
                Ok(Some(Hours {
                    open_min,
                    close_min,
                }))
            }
        }
    }

    fn curve_index(&self, key: &str, name: &str, curves: &[Curve]) -> Result<usize, ScenarioError> {
        curves.iter().position(|c| c.name == name).ok_or_else(|| {
            let known: Vec<_> = curves.iter().map(|c| c.name.as_str()).collect();
            self.err(
                key,
                format!("unknown curve `{name}` (defined: {})", known.join(", ")),
            )
        })
    }

    fn day(
        &self,
        key: &str,
        d: &DayConfig,
        curves: &[Curve],
    ) -> Result<WeekdayRule, ScenarioError> {
        let hours = if d.closed {
            None
        } else {
            let h = self.hours(key, d.open.as_deref(), d.close.as_deref())?;
            if h.is_none() {
                return Err(self.err(
                    format!("{key}.open"),
                    "missing: give open and close, or closed = true",
                ));
            }
            h
        };
        Ok(WeekdayRule {
            hours,
            multiplier: self.at_most(
                &format!("{key}.multiplier"),
                d.multiplier,
                limits::MULTIPLIER,
            )?,
            curve: self.curve_index(&format!("{key}.curve"), &d.curve, curves)?,
        })
    }

    fn holiday(
        &self,
        key: &str,
        h: &HolidayConfig,
        curves: &[Curve],
    ) -> Result<Holiday, ScenarioError> {
        let rule = parse_when(&h.when).ok_or_else(|| {
            self.err(
                format!("{key}.when"),
                format!(
                    "cannot read `{}`: use MM-DD, YYYY-MM-DD or `fourth thursday of november`",
                    h.when
                ),
            )
        })?;
        let hours = if h.closed {
            if h.open.is_some() || h.close.is_some() {
                return Err(self.err(
                    format!("{key}.closed"),
                    "closed = true cannot have open or close",
                ));
            }
            HoursOverride::Closed
        } else {
            match self.hours(key, h.open.as_deref(), h.close.as_deref())? {
                Some(hours) => HoursOverride::Open(hours),
                None => HoursOverride::Inherit,
            }
        };
        if !(-366..=366).contains(&h.offset_days) {
            return Err(self.err(
                format!("{key}.offset_days"),
                "must be within a year (-366..=366)",
            ));
        }
        Ok(Holiday {
            name: h.name.clone(),
            rule,
            offset_days: h.offset_days,
            hours,
            multiplier: self.at_most(
                &format!("{key}.multiplier"),
                h.multiplier,
                limits::MULTIPLIER,
            )?,
            curve: h
                .curve
                .as_deref()
                .map(|c| self.curve_index(&format!("{key}.curve"), c, curves))
                .transpose()?,
        })
    }

    fn hourly(&self, key: &str, values: &[f64]) -> Result<[f64; 24], ScenarioError> {
        if values.len() != 24 {
            return Err(self.err(
                key,
                format!("must have 24 values (hours 0-23), got {}", values.len()),
            ));
        }
        let mut out = [0.0; 24];
        for (i, (slot, &v)) in out.iter_mut().zip(values).enumerate() {
            *slot = self.at_most(&format!("{key}[{i}]"), v, limits::CURVE_WEIGHT)?;
        }
        Ok(out)
    }
}

/// Parses `MM-DD`, `YYYY-MM-DD`, or `<nth> <weekday> of <month>`.
pub(crate) fn parse_when(text: &str) -> Option<DateRule> {
    let t = text.trim().to_ascii_lowercase();
    if let Ok(date) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        return Some(DateRule::Exact(date));
    }
    if let Some((m, d)) = t.split_once('-') {
        let (month, day): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
        // Check against a leap year so 02-29 is accepted.
        NaiveDate::from_ymd_opt(2024, month, day)?;
        return Some(DateRule::Annual { month, day });
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let [nth, weekday, "of", month] = words.as_slice() else {
        return None;
    };
    let nth = match *nth {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        "fourth" | "4th" => 4,
        "fifth" | "5th" => 5,
        "last" => -1,
        _ => return None,
    };
    let weekday: Weekday = weekday.parse().ok()?;
    let month = chrono::Month::try_from((1..=12u8).find(|&m| {
        chrono::Month::try_from(m)
            .map(|mm| {
                let name = mm.name().to_ascii_lowercase();
                name == *month || name[..3] == **month
            })
            .unwrap_or(false)
    })?)
    .ok()?;
    Some(DateRule::NthWeekday {
        nth,
        weekday,
        month: month.number_from_month(),
    })
}

pub(crate) struct Model {
    pub(crate) calendar: Calendar,
    pub(crate) params: ModelParams,
    pub(crate) classes: Vec<StoreClass>,
}

pub(crate) fn model(s: &Scenario) -> Result<Model, ScenarioError> {
    let c = &s.config;
    let k = Checker {
        origin: s.origin.to_string(),
        _config: c,
    };
    if c.curves.is_empty() {
        return Err(k.err("curves", "define at least one curve"));
    }
    let mut curves = Vec::new();
    for (name, values) in &c.curves {
        let key = format!("curves.{name}");
        let raw = k.hourly(&key, values)?;
        let sum: f64 = raw.iter().sum();
        if sum <= 0.0 {
            return Err(k.err(key, "all 24 values are zero"));
        }
        curves.push(Curve {
            name: name.clone(),
            shares: raw.map(|v| v / sum),
        });
    }
    let w = &c.week;
    let days = [
        ("monday", &w.monday),
        ("tuesday", &w.tuesday),
        ("wednesday", &w.wednesday),
        ("thursday", &w.thursday),
        ("friday", &w.friday),
        ("saturday", &w.saturday),
        ("sunday", &w.sunday),
    ];
    let names = days.map(|(name, _)| name);
    let mut week = Vec::new();
    for (name, d) in days {
        week.push(k.day(&format!("week.{name}"), d, &curves)?);
    }
    let week: [WeekdayRule; 7] = week
        .try_into()
        .map_err(|_| k.err("week", "needs seven days"))?;
    let holidays = c
        .holidays
        .iter()
        .enumerate()
        .map(|(i, h)| k.holiday(&format!("holidays[{i}]"), h, &curves))
        .collect::<Result<Vec<_>, _>>()?;
    if c.store_classes.is_empty() {
        return Err(k.err("store_classes", "define at least one store class"));
    }
    let mut classes = Vec::new();
    for (i, sc) in c.store_classes.iter().enumerate() {
        let key = format!("store_classes[{i}]");
        classes.push(StoreClass {
            name: sc.name.clone(),
            share: k.non_negative(&format!("{key}.share"), sc.share)?,
            traffic: k.positive_at_most(
                &format!("{key}.traffic"),
                sc.traffic,
                limits::CLASS_TRAFFIC,
            )?,
            registers: k.int_in(&format!("{key}.registers"), sc.registers, 1, 99)? as u8,
            self_checkouts: k.int_in(&format!("{key}.self_checkouts"), sc.self_checkouts, 0, 99)?
                as u8,
        });
    }
    if classes.iter().map(|c| c.share).sum::<f64>() <= 0.0 {
        return Err(k.err("store_classes", "shares sum to zero"));
    }
    let b = &c.basket;
    let sh = &c.shopping;
    let co = &c.checkout;
    let pay = &c.payment;
    let l = &c.loyalty;
    let shares = [
        k.non_negative("payment.credit", pay.credit)?,
        k.non_negative("payment.debit", pay.debit)?,
        k.non_negative("payment.cash", pay.cash)?,
        k.non_negative("payment.mobile", pay.mobile)?,
    ];
    if shares.iter().sum::<f64>() <= 0.0 {
        return Err(k.err("payment", "shares sum to zero"));
    }
    let discount_pct = l.discount_pct;
    if !(discount_pct.is_finite() && (0.0..=100.0).contains(&discount_pct)) {
        return Err(k.err(
            "loyalty.discount_pct",
            format!("must be 0-100, got {discount_pct}"),
        ));
    }
    let churn = match &c.churn {
        None => ChurnParams::default(),
        Some(ch) => {
            let time_zone = ch.time_zone.parse().map_err(|_| {
                k.err(
                    "churn.time_zone",
                    format!(
                        "unknown time zone `{}` (use an IANA name such as America/Chicago)",
                        ch.time_zone
                    ),
                )
            })?;
            let open_minute = k.time("churn.open", &ch.open)?;
            let close_minute = k.time("churn.close", &ch.close)?;
            if close_minute <= open_minute {
                return Err(k.err(
                    "churn.close",
                    format!("must be after churn.open ({})", ch.open),
                ));
            }
            let [g0, g1] = ch.gap_minutes;
            k.positive("churn.gap_minutes", g0)?;
            k.positive("churn.gap_minutes", g1)?;
            if g1 < g0 {
                return Err(k.err("churn.gap_minutes", "must be [min, max] with min <= max"));
            }
            let (r0, r1) = range(&k, "churn.reprice_items", ch.reprice_items)?;
            let pct = ch.max_price_change_pct;
            if !(pct.is_finite() && (0.0..100.0).contains(&pct)) {
                return Err(k.err(
                    "churn.max_price_change_pct",
                    format!("must be 0 or more and below 100, got {pct}"),
                ));
            }
            ChurnParams {
                enabled: ch.enabled,
                time_zone,
                open_minute,
                close_minute,
                weekends: ch.weekends,
                gap_minutes: (g0, g1),
                reprice_items: (r0, r1),
                max_price_change_pct: pct,
                new_items: range(&k, "churn.new_items", ch.new_items)?,
                removed_new_items: range(&k, "churn.removed_new_items", ch.removed_new_items)?,
                first_new_item_id: k.int_in(
                    "churn.first_new_item_id",
                    ch.first_new_item_id,
                    1,
                    1_000_000_000,
                )? as u32,
            }
        }
    };
    let dl = &c.delivery;
    let delay = |key: &str, [lo, hi]: [f64; 2]| -> Result<(i64, i64), ScenarioError> {
        let lo = k.non_negative(key, lo)?;
        let hi = k.non_negative(key, hi)?;
        if hi < lo || hi > 86_400.0 {
            return Err(k.err(
                key,
                format!("must be [min, max] seconds with min <= max <= 86400, got [{lo}, {hi}]"),
            ));
        }
        Ok(((lo * 1e6).round() as i64, (hi * 1e6).round() as i64))
    };
    let delivery = DeliveryParams {
        late_share: k.share("delivery.late_share", dl.late_share)?,
        late_delay_us: delay("delivery.late_delay_s", dl.late_delay_s)?,
        duplicate_share: k.share("delivery.duplicate_share", dl.duplicate_share)?,
        duplicate_delay_us: delay("delivery.duplicate_delay_s", dl.duplicate_delay_s)?,
    };
    let params = ModelParams {
        churn,
        delivery,
        traffic: TrafficParams {
            baskets_per_day: k.positive_at_most(
                "traffic.baskets_per_day",
                c.traffic.baskets_per_day,
                limits::BASKETS_PER_DAY,
            )?,
        },
        basket: BasketParams {
            lines_lognormal_mu: {
                let v = b.lines_lognormal_mu;
                if !(v.is_finite() && (-5.0..=6.0).contains(&v)) {
                    return Err(k.err(
                        "basket.lines_lognormal_mu",
                        format!("must be between -5 and 6, got {v}"),
                    ));
                }
                v
            },
            lines_lognormal_sigma: {
                let v = k.non_negative("basket.lines_lognormal_sigma", b.lines_lognormal_sigma)?;
                if v > 4.0 {
                    return Err(k.err(
                        "basket.lines_lognormal_sigma",
                        format!("must be at most 4, got {v}"),
                    ));
                }
                v
            },
            max_lines: k.int_in("basket.max_lines", b.max_lines, 1, 1000)? as u16,
            multi_unit_share: k.share("basket.multi_unit_share", b.multi_unit_share)?,
            max_quantity: k.int_in("basket.max_quantity", b.max_quantity, 1, 1000)? as u16,
            zipf_exponent: k.non_negative("basket.zipf_exponent", b.zipf_exponent)?,
        },
        shopping: ShoppingParams {
            base_s: k.at_most("shopping.base_s", sh.base_s, limits::SHOPPING_SECONDS)?,
            per_line_s: k.at_most(
                "shopping.per_line_s",
                sh.per_line_s,
                limits::SHOPPING_SECONDS,
            )?,
            noise_sigma: k.at_most("shopping.noise_sigma", sh.noise_sigma, limits::SIGMA)?,
            max_s: k.positive_at_most("shopping.max_s", sh.max_s, limits::SHOPPING_SECONDS)?,
        },
        checkout: CheckoutParams {
            greet_s: k.at_most("checkout.greet_s", co.greet_s, limits::SECONDS)?,
            scan_s_per_item: k.positive_at_most(
                "checkout.scan_s_per_item",
                co.scan_s_per_item,
                limits::SECONDS,
            )?,
            self_scan_s_per_item: k.positive_at_most(
                "checkout.self_scan_s_per_item",
                co.self_scan_s_per_item,
                limits::SECONDS,
            )?,
            self_max_items: k.int_in("checkout.self_max_items", co.self_max_items, 0, 100_000)?
                as u32,
            self_choice_share: k.share("checkout.self_choice_share", co.self_choice_share)?,
            contactless_s: k.positive_at_most(
                "checkout.contactless_s",
                co.contactless_s,
                limits::SECONDS,
            )?,
            chip_s: k.positive_at_most("checkout.chip_s", co.chip_s, limits::SECONDS)?,
            contactless_share: k.share("checkout.contactless_share", co.contactless_share)?,
            mobile_s: k.positive_at_most("checkout.mobile_s", co.mobile_s, limits::SECONDS)?,
            cash_small_s: k.positive_at_most(
                "checkout.cash_small_s",
                co.cash_small_s,
                limits::SECONDS,
            )?,
            cash_large_s: k.positive_at_most(
                "checkout.cash_large_s",
                co.cash_large_s,
                limits::SECONDS,
            )?,
            payment_noise_sigma: k.at_most(
                "checkout.payment_noise_sigma",
                co.payment_noise_sigma,
                limits::SIGMA,
            )?,
            void_share: k.share("checkout.void_share", co.void_share)?,
            void_delay_s: {
                let (lo, hi) = range(&k, "checkout.void_delay_s", co.void_delay_s)?;
                (i64::from(lo), i64::from(hi))
            },
        },
        payment: PaymentParams { shares },
        loyalty: LoyaltyParams {
            member_share: k.share("loyalty.member_share", l.member_share)?,
            discount_bp: (discount_pct * 100.0).round() as i64,
            member_price_item_share: k
                .share("loyalty.member_price_item_share", l.member_price_item_share)?,
            members_per_store: k.int_in(
                "loyalty.members_per_store",
                l.members_per_store,
                1,
                100_000_000,
            )? as u32,
        },
        staffing: StaffingParams {
            target_utilization: {
                let v = k.positive("staffing.target_utilization", c.staffing.target_utilization)?;
                k.share("staffing.target_utilization", v)?
            },
            planning_service_s: k.positive_at_most(
                "staffing.planning_service_s",
                c.staffing.planning_service_s,
                limits::SECONDS,
            )?,
            planning_staffed_share: k.share(
                "staffing.planning_staffed_share",
                c.staffing.planning_staffed_share,
            )?,
        },
    };
    for (state, pct) in &c.tax.states {
        tax_bp(&k, &format!("tax.states.{state}"), *pct)?;
    }
    tax_bp(&k, "tax.default_pct", c.tax.default_pct)?;
    for key in c.names.keys() {
        if key.parse::<u32>().is_err() {
            return Err(k.err(format!("names.{key}"), "must be a numeric category code"));
        }
    }
    if let Some(n) = c.counts.stores {
        k.int_in("counts.stores", n, 1, MAX_COUNT as i64)?;
    }
    if let Some(n) = c.counts.items {
        k.int_in("counts.items", n, 1, MAX_COUNT as i64)?;
    }
    let anomalies = c
        .anomalies
        .iter()
        .enumerate()
        .map(|(i, a)| anomaly(&k, &format!("anomalies[{i}]"), a, &c.model))
        .collect::<Result<Vec<_>, _>>()?;
    // All multipliers at once, in the busiest class's store: a holiday's
    // multiplies its weekday's, promotions that overlap multiply.
    // The largest of named values, and its name (`floor` when none is above).
    let largest = |named: &mut dyn Iterator<Item = (String, f64)>, floor: f64| {
        named.fold((String::new(), floor), |a, b| if b.1 > a.1 { b } else { a })
    };
    let (day_key, day) = largest(
        &mut week
            .iter()
            .zip(names)
            .map(|(d, name)| (format!("week.{name}.multiplier"), d.multiplier)),
        0.0,
    );
    let (holiday_key, holiday) = largest(
        &mut holidays
            .iter()
            .enumerate()
            .map(|(i, h)| (format!("holidays[{i}].multiplier"), h.multiplier)),
        1.0,
    );
    let (class_key, traffic) = largest(
        &mut classes
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("store_classes[{i}].traffic"), c.traffic)),
        0.0,
    );
    let promoted: f64 = anomalies.iter().map(|a| a.multiplier.max(1.0)).product();
    let baskets = params.traffic.baskets_per_day;
    let busiest = baskets * traffic * day * holiday * promoted;
    if busiest > limits::STORE_DAY {
        let mut factors = vec![
            format!("traffic.baskets_per_day {baskets}"),
            format!("{class_key} {traffic}"),
            format!("{day_key} {day}"),
        ];
        if holiday > 1.0 {
            factors.push(format!("{holiday_key} {holiday}"));
        }
        if promoted > 1.0 {
            factors.push(format!("overlapping anomalies x{promoted}"));
        }
        return Err(k.err(
            "traffic.baskets_per_day",
            format!(
                "{} = {busiest:.0} baskets in one store's busiest day: more than the {} that 198 lanes serve at a basket every 10 s for 24 hours",
                factors.join(" x "),
                limits::STORE_DAY
            ),
        ));
    }
    if !MODELS.contains(&c.model.as_str()) {
        return Err(k.err(
            "model",
            format!("unknown model `{}` (known: {})", c.model, MODELS.join(", ")),
        ));
    }
    // `model` decides what runs; each model's table belongs to it alone.
    let tables = [
        ("smoothie", c.smoothie.is_some()),
        ("webshop", c.webshop.is_some()),
        ("marketplace", c.marketplace.is_some()),
        ("widgets", c.widgets.is_some()),
    ];
    for (table, present) in tables {
        if c.model == table && !present {
            return Err(k.err(
                table,
                format!("missing: model `{table}` needs a [{table}] section"),
            ));
        }
        if c.model != table && present {
            return Err(k.err(
                table,
                format!(
                    "only model `{table}` reads it (this is model `{}`): set model = \"{table}\" or remove the section",
                    c.model
                ),
            ));
        }
    }
    Ok(Model {
        calendar: Calendar {
            week,
            holidays,
            curves,
            anomalies,
        },
        params,
        classes,
    })
}

/// Refuses what could never apply: an anomaly on a store that is not in
/// the stores (neither the data file nor the run's), on a product not on
/// the menu, a pricing rule on a category or vendor no listing has.
fn check_reachable(
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

/// The models a scenario's `model` may name.
const MODELS: [&str; 5] = ["chain", "smoothie", "webshop", "marketplace", "widgets"];

/// A local date and time, `2026-11-24 14:00`.
fn local_datetime(k: &Checker<'_>, key: &str, text: &str) -> Result<NaiveDateTime, ScenarioError> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").map_err(|_| {
        k.err(
            key,
            format!("must be a local date and time `YYYY-MM-DD HH:MM`, got `{text}`"),
        )
    })
}

fn anomaly(
    k: &Checker<'_>,
    key: &str,
    a: &AnomalyConfig,
    model: &str,
) -> Result<Anomaly, ScenarioError> {
    let (kind, default_multiplier) = match a.kind.as_str() {
        "storm" => (AnomalyKind::Storm, 0.4),
        "outage" => (AnomalyKind::Outage, 0.0),
        "promotion" => (AnomalyKind::Promotion, 1.5),
        other => {
            return Err(k.err(
                format!("{key}.kind"),
                format!("unknown kind `{other}` (known: storm, outage, promotion)"),
            ))
        }
    };
    let start = local_datetime(k, &format!("{key}.start"), &a.start)?;
    let end = local_datetime(k, &format!("{key}.end"), &a.end)?;
    if end <= start {
        return Err(k.err(
            format!("{key}.end"),
            format!("must be after start ({})", a.start),
        ));
    }
    let multiplier = match a.multiplier {
        Some(m) => k.at_most(&format!("{key}.multiplier"), m, limits::MULTIPLIER)?,
        None => default_multiplier,
    };
    if kind == AnomalyKind::Outage && multiplier != 0.0 {
        return Err(k.err(
            format!("{key}.multiplier"),
            "an outage stops every sale: leave the multiplier out (or use kind storm)",
        ));
    }
    let pct = a.discount_pct;
    if !(pct.is_finite() && (0.0..100.0).contains(&pct)) {
        return Err(k.err(
            format!("{key}.discount_pct"),
            format!("must be 0 or more and below 100, got {pct}"),
        ));
    }
    if (pct > 0.0 || !a.products.is_empty()) && kind != AnomalyKind::Promotion {
        return Err(k.err(
            format!("{key}.discount_pct"),
            "only a promotion discounts products",
        ));
    }
    if (pct > 0.0 || !a.products.is_empty()) && model != "smoothie" {
        return Err(k.err(
            format!("{key}.discount_pct"),
            format!("model `{model}` does not price promotions; use multiplier only"),
        ));
    }
    Ok(Anomaly {
        name: a.name.clone(),
        kind,
        start,
        end,
        multiplier,
        stores: a.stores.clone(),
        discount_bp: (pct * 100.0).round() as i64,
        products: a.products.clone(),
    })
}

/// The smoothie model's parameters, with the menu read from `base`.
fn smoothie(
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
fn marketplace(
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
fn widgets(k: &Checker<'_>, c: &WidgetsConfig) -> Result<WidgetsParams, ScenarioError> {
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
fn webshop(k: &Checker<'_>, c: &WebshopConfig) -> Result<WebshopParams, ScenarioError> {
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

fn tax_bp(k: &Checker<'_>, key: &str, pct: f64) -> Result<u32, ScenarioError> {
    if !(pct.is_finite() && (0.0..=50.0).contains(&pct)) {
        return Err(k.err(key, format!("must be a percentage 0-50, got {pct}")));
    }
    Ok((pct * 100.0).round() as u32)
}

/// A `[min, max]` count pair.
fn range(k: &Checker<'_>, key: &str, [lo, hi]: [i64; 2]) -> Result<(u32, u32), ScenarioError> {
    let lo = k.int_in(key, lo, 0, 100_000)?;
    let hi = k.int_in(key, hi, lo, 100_000)?;
    Ok((lo as u32, hi as u32))
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
    let (stores_origin, stores_text) = data::read(base, &c.data.stores)?;
    let store_records = data::stores(&stores_origin, &stores_text)?;
    let (cat_origin, cat_text) = data::read(base, &c.data.categories)?;
    let categories = data::categories(&cat_origin, &cat_text, &c.tax.exempt_categories)?;
    let (items_origin, items_text) = data::read(base, &c.data.items)?;
    let item_records = data::items(&items_origin, &items_text)?;

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
    let model: Arc<dyn storesim_sim::Model> = match (
        c.model.as_str(),
        &c.smoothie,
        &c.webshop,
        &c.marketplace,
        &c.widgets,
    ) {
        ("smoothie", Some(sm), ..) => Arc::new(smoothie(&k, sm, base)?),
        ("webshop", _, Some(ws), ..) => Arc::new(webshop(&k, ws)?),
        ("marketplace", _, _, Some(mp), _) => Arc::new(marketplace(&k, mp, base)?),
        ("widgets", .., Some(wd)) => Arc::new(widgets(&k, wd)?),
        _ => Arc::new(storesim_sim::chain::Chain),
    };
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
