//! The sections every scenario has: the calendar (hours, days, holidays,
//! curves, anomalies) and the model parameters.

use super::*;

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
            void_resends_original: match co.void_time.as_str() {
                "voided" => false,
                "original" => true,
                other => {
                    return Err(k.err(
                        "checkout.void_time",
                        format!("`{other}`: use voided (the time of the void) or original (the scan's time, re-sent later)"),
                    ))
                }
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
        .map(|(i, a)| anomaly(&k, &format!("anomalies[{i}]"), a))
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
    check_tables(&k, s)?;
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

/// A local date and time, `2026-11-24 14:00`.
pub(super) fn local_datetime(
    k: &Checker<'_>,
    key: &str,
    text: &str,
) -> Result<NaiveDateTime, ScenarioError> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").map_err(|_| {
        k.err(
            key,
            format!("must be a local date and time `YYYY-MM-DD HH:MM`, got `{text}`"),
        )
    })
}

pub(super) fn anomaly(
    k: &Checker<'_>,
    key: &str,
    a: &AnomalyConfig,
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

pub(super) fn tax_bp(k: &Checker<'_>, key: &str, pct: f64) -> Result<u32, ScenarioError> {
    if !(pct.is_finite() && (0.0..=50.0).contains(&pct)) {
        return Err(k.err(key, format!("must be a percentage 0-50, got {pct}")));
    }
    Ok((pct * 100.0).round() as u32)
}

/// A `[min, max]` count pair.
pub(super) fn range(
    k: &Checker<'_>,
    key: &str,
    [lo, hi]: [i64; 2],
) -> Result<(u32, u32), ScenarioError> {
    let lo = k.int_in(key, lo, 0, 100_000)?;
    let hi = k.int_in(key, hi, lo, 100_000)?;
    Ok((lo as u32, hi as u32))
}
