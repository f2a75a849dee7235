//! Store calendars: opening hours per weekday, holidays, day multipliers and
//! hour-of-day curves, all in a store's local time.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};

/// Opening hours of one day, in minutes from local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    /// Opening time, minutes after local midnight (0..1440).
    pub open_min: u32,
    /// Closing time, minutes after local midnight (`open_min < close_min <= 1440`).
    pub close_min: u32,
}

impl Hours {
    /// Whether local minute-of-day `minute` is within the hours.
    pub fn contains(&self, minute: u32) -> bool {
        minute >= self.open_min && minute < self.close_min
    }
}

/// An hour-of-day curve: the share of a day's arrivals in each local hour.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// The curve's name in the scenario.
    pub name: String,
    /// Shares per local hour 0..24; they sum to 1.
    pub shares: [f64; 24],
}

/// What a weekday looks like when no holiday applies.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekdayRule {
    /// Opening hours, or `None` when closed.
    pub hours: Option<Hours>,
    /// Traffic multiplier relative to the scenario's base day.
    pub multiplier: f64,
    /// Index of the hour-of-day curve in [`Calendar::curves`].
    pub curve: usize,
}

/// When a holiday falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRule {
    /// The same month and day every year (`12-25`).
    Annual {
        /// Month, 1..=12.
        month: u32,
        /// Day of month, 1..=31.
        day: u32,
    },
    /// One date (`2026-11-27`).
    Exact(NaiveDate),
    /// The n-th weekday of a month (`fourth thursday of november`); `nth` -1 is the last.
    NthWeekday {
        /// 1..=5, or -1 for the last.
        nth: i8,
        /// The weekday.
        weekday: Weekday,
        /// Month, 1..=12.
        month: u32,
    },
}

impl DateRule {
    /// The rule's date in `year`, if it has one.
    pub fn in_year(&self, year: i32) -> Option<NaiveDate> {
        match *self {
            DateRule::Annual { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            DateRule::Exact(date) => (date.year() == year).then_some(date),
            DateRule::NthWeekday {
                nth,
                weekday,
                month,
            } => {
                if nth > 0 {
                    NaiveDate::from_weekday_of_month_opt(year, month, weekday, nth as u8)
                } else {
                    (1..=5u8)
                        .rev()
                        .find_map(|n| NaiveDate::from_weekday_of_month_opt(year, month, weekday, n))
                }
            }
        }
    }
}

/// How a holiday changes a store's hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursOverride {
    /// Keep the weekday's hours.
    Inherit,
    /// Closed all day.
    Closed,
    /// Open these hours.
    Open(Hours),
}

/// A holiday or special trading day.
#[derive(Debug, Clone, PartialEq)]
pub struct Holiday {
    /// Name, such as `Black Friday`.
    pub name: String,
    /// When it falls (before `offset_days`).
    pub rule: DateRule,
    /// Days added to the rule's date (Black Friday is Thanksgiving + 1).
    pub offset_days: i32,
    /// Hours on that day.
    pub hours: HoursOverride,
    /// Traffic multiplier, applied on top of the weekday's.
    pub multiplier: f64,
    /// Curve to use instead of the weekday's, if any.
    pub curve: Option<usize>,
}

impl Holiday {
    /// Whether the holiday falls on `date`.
    pub fn falls_on(&self, date: NaiveDate) -> bool {
        let shifted = date - chrono::Duration::days(i64::from(self.offset_days));
        self.rule.in_year(shifted.year()) == Some(shifted)
    }
}

/// A chain's calendar: the week, the holidays, the curves and staffing.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Rules for Monday through Sunday.
    pub week: [WeekdayRule; 7],
    /// Holidays; the first that falls on a date applies.
    pub holidays: Vec<Holiday>,
    /// Hour-of-day curves.
    pub curves: Vec<Curve>,
    /// Storms, outages and promotions: windows of local time with their
    /// own traffic multiplier.
    pub anomalies: Vec<Anomaly>,
}

/// What kind of disturbance an [`Anomaly`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnomalyKind {
    /// Bad weather: fewer customers.
    Storm,
    /// The point of sale is down: no sales at all.
    Outage,
    /// A promotion: more customers and, where the model prices them,
    /// discounted products.
    Promotion,
}

impl AnomalyKind {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::Storm => "storm",
            AnomalyKind::Outage => "outage",
            AnomalyKind::Promotion => "promotion",
        }
    }
}

/// A window of local time in which a store's traffic is multiplied.
#[derive(Debug, Clone, PartialEq)]
pub struct Anomaly {
    /// Name, for summaries.
    pub name: String,
    /// Storm, outage or promotion.
    pub kind: AnomalyKind,
    /// Start, local time of each store (inclusive).
    pub start: NaiveDateTime,
    /// End, local time of each store (exclusive).
    pub end: NaiveDateTime,
    /// Traffic multiplier inside the window (0 for an outage).
    pub multiplier: f64,
    /// Stores it hits; empty for every store.
    pub stores: Vec<u32>,
    /// Discount on promoted products, in basis points.
    pub discount_bp: i64,
    /// Products on promotion (model-specific ids); empty for all.
    pub products: Vec<String>,
}

impl Anomaly {
    /// Whether the anomaly hits `store_id`.
    pub fn applies_to(&self, store_id: u32) -> bool {
        self.stores.is_empty() || self.stores.contains(&store_id)
    }

    /// The part of `date` inside the window, as local minutes `[from, to)`.
    pub fn minutes_on(&self, date: NaiveDate) -> Option<(u32, u32)> {
        let midnight = date.and_hms_opt(0, 0, 0)?;
        let minutes = |t: NaiveDateTime| (t - midnight).num_minutes().clamp(0, 1440) as u32;
        let (from, to) = (minutes(self.start), minutes(self.end));
        (from < to).then_some((from, to))
    }

    /// Whether local time `t` is inside the window.
    pub fn contains(&self, t: NaiveDateTime) -> bool {
        self.start <= t && t < self.end
    }
}

/// One local date of a store, with every rule applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    /// The local date.
    pub date: NaiveDate,
    /// Opening hours, or `None` when closed.
    pub hours: Option<Hours>,
    /// Weekday multiplier times holiday multiplier.
    pub multiplier: f64,
    /// Index of the curve in [`Calendar::curves`].
    pub curve: usize,
    /// Index of the holiday in [`Calendar::holidays`], if one applies.
    pub holiday: Option<usize>,
}

impl Calendar {
    /// Resolves a local date.
    pub fn day(&self, date: NaiveDate) -> Day {
        let rule = &self.week[date.weekday().num_days_from_monday() as usize];
        let mut day = Day {
            date,
            hours: rule.hours,
            multiplier: rule.multiplier,
            curve: rule.curve,
            holiday: None,
        };
        if let Some((i, h)) = self
            .holidays
            .iter()
            .enumerate()
            .find(|(_, h)| h.falls_on(date))
        {
            day.holiday = Some(i);
            day.multiplier *= h.multiplier;
            match h.hours {
                HoursOverride::Inherit => {}
                HoursOverride::Closed => day.hours = None,
                HoursOverride::Open(hours) => day.hours = Some(hours),
            }
            if let Some(curve) = h.curve {
                day.curve = curve;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holiday_rules() {
        let thanksgiving = DateRule::NthWeekday {
            nth: 4,
            weekday: Weekday::Thu,
            month: 11,
        };
        assert_eq!(
            thanksgiving.in_year(2026),
            NaiveDate::from_ymd_opt(2026, 11, 26)
        );
        let black_friday = Holiday {
            name: "Black Friday".into(),
            rule: thanksgiving,
            offset_days: 1,
            hours: HoursOverride::Inherit,
            multiplier: 1.5,
            curve: None,
        };
        assert!(black_friday.falls_on(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()));
        assert!(black_friday.falls_on(NaiveDate::from_ymd_opt(2027, 11, 26).unwrap()));
        assert!(!black_friday.falls_on(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()));
        let last_monday_may = DateRule::NthWeekday {
            nth: -1,
            weekday: Weekday::Mon,
            month: 5,
        };
        assert_eq!(
            last_monday_may.in_year(2026),
            NaiveDate::from_ymd_opt(2026, 5, 25)
        );
    }
}
