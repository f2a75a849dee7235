//! Virtual time: [`SimTime`], microseconds since the Unix epoch in UTC.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// Microseconds in one millisecond.
pub const MICROS_PER_MILLI: i64 = 1_000;
/// Microseconds in one second.
pub const MICROS_PER_SEC: i64 = 1_000_000;
/// Microseconds in one minute.
pub const MICROS_PER_MIN: i64 = 60 * MICROS_PER_SEC;
/// Microseconds in one hour.
pub const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MIN;
/// Microseconds in one day.
pub const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

/// A point in virtual time: microseconds since 1970-01-01T00:00:00Z.
///
/// Every event carries a `SimTime`; local time is derived from a store's
/// IANA zone only where the model needs it (opening hours, curves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub i64);

impl SimTime {
    /// The earliest representable time, used as "never" in comparisons.
    pub const MIN: SimTime = SimTime(i64::MIN);
    /// The latest representable time, used as "never" in comparisons.
    pub const MAX: SimTime = SimTime(i64::MAX);

    /// Microseconds since the epoch.
    pub fn as_micros(self) -> i64 {
        self.0
    }

    /// Milliseconds since the epoch, rounded down.
    pub fn as_millis(self) -> i64 {
        self.0.div_euclid(MICROS_PER_MILLI)
    }

    /// This time plus `micros` microseconds, saturating at [`SimTime::MIN`]
    /// and [`SimTime::MAX`] (never wrapping round to another time).
    #[must_use]
    pub fn plus_micros(self, micros: i64) -> SimTime {
        SimTime(self.0.saturating_add(micros))
    }

    /// Converts a chrono UTC instant.
    pub fn from_datetime<T: TimeZone>(dt: &DateTime<T>) -> SimTime {
        SimTime(dt.timestamp_micros())
    }

    /// Converts to a chrono UTC instant.
    pub fn to_datetime(self) -> DateTime<chrono::Utc> {
        DateTime::from_timestamp_micros(self.0).unwrap_or_default()
    }

    /// The UTC calendar date of this instant.
    pub fn utc_date(self) -> NaiveDate {
        let (y, m, d) = civil_from_days(self.0.div_euclid(MICROS_PER_DAY));
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    /// The UTC date as `YYYYMMDD`.
    pub fn utc_yyyymmdd(self) -> u32 {
        let (y, m, d) = civil_from_days(self.0.div_euclid(MICROS_PER_DAY));
        (y as u32) * 10_000 + m * 100 + d
    }

    /// Writes RFC 3339 UTC with milliseconds (`2026-11-23T14:03:27.123Z`) into `buf`.
    ///
    /// This is on the hot path of every sink, so it does integer arithmetic
    /// instead of going through chrono's formatter; a test checks it against chrono.
    pub fn write_rfc3339(self, buf: &mut [u8; 24]) {
        let days = self.0.div_euclid(MICROS_PER_DAY);
        let in_day = self.0.rem_euclid(MICROS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        let ms = in_day / MICROS_PER_MILLI;
        let (h, mi, s, milli) = (
            ms / 3_600_000,
            (ms / 60_000) % 60,
            (ms / 1000) % 60,
            ms % 1000,
        );
        let y = y.clamp(0, 9999) as u32;
        put_digits(&mut buf[0..4], y);
        buf[4] = b'-';
        put_digits(&mut buf[5..7], m);
        buf[7] = b'-';
        put_digits(&mut buf[8..10], d);
        buf[10] = b'T';
        put_digits(&mut buf[11..13], h as u32);
        buf[13] = b':';
        put_digits(&mut buf[14..16], mi as u32);
        buf[16] = b':';
        put_digits(&mut buf[17..19], s as u32);
        buf[19] = b'.';
        put_digits(&mut buf[20..23], milli as u32);
        buf[23] = b'Z';
    }
}

fn put_digits(out: &mut [u8], mut v: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day).
///
/// Howard Hinnant's `civil_from_days`, exact for every `i64` day in chrono's range.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 24];
        self.write_rfc3339(&mut buf);
        // The buffer holds ASCII digits and separators only.
        f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

impl serde::Serialize for SimTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 24];
        self.write_rfc3339(&mut buf);
        // ASCII only, so this never fails.
        serializer.serialize_str(std::str::from_utf8(&buf).unwrap_or_default())
    }
}

/// The UTC instant of a local wall-clock time in `tz`.
///
/// `minute` counts minutes from local midnight of `date` and may be 1440
/// (the next midnight). A local time skipped by a DST jump maps to the
/// first instant after the gap; a repeated one maps to its first occurrence.
pub fn local_to_utc(tz: Tz, date: NaiveDate, minute: u32) -> SimTime {
    let (date, minute) = if minute >= 1440 {
        (date.succ_opt().unwrap_or(date), minute - 1440)
    } else {
        (date, minute)
    };
    let naive: NaiveDateTime = date
        .and_hms_opt(minute / 60, minute % 60, 0)
        .unwrap_or_default();
    let mut probe = naive;
    // A DST gap is at most a few hours long; walk forward in 15-minute steps.
    for _ in 0..16 {
        if let Some(dt) = tz.from_local_datetime(&probe).earliest() {
            return SimTime::from_datetime(&dt);
        }
        probe += chrono::Duration::minutes(15);
    }
    SimTime::from_datetime(&naive.and_utc())
}

/// A date as `YYYYMMDD`.
pub fn yyyymmdd(date: NaiveDate) -> u32 {
    use chrono::Datelike;
    (date.year() as u32) * 10_000 + date.month() * 100 + date.day()
}

/// A time as the demos' databases take it: `2022-08-31 08:00:34.721802`
/// (UTC, no zone; the smoothie demo's topics and the Widgets Unlimited
/// tables' `TIMESTAMP` columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DemoTime(pub SimTime);

impl serde::Serialize for DemoTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.0.to_datetime().format("%Y-%m-%d %H:%M:%S%.6f");
        serializer.collect_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn rfc3339_matches_chrono(micros in -2_000_000_000_000_000i64..4_000_000_000_000_000i64) {
            let t = SimTime(micros);
            let ours = t.to_string();
            let theirs = t.to_datetime().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            prop_assert_eq!(ours, theirs);
            prop_assert_eq!(t.utc_date(), t.to_datetime().date_naive());
        }
    }

    #[test]
    fn local_to_utc_follows_dst() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            local_to_utc(tz, d, 6 * 60).to_string(),
            "2026-11-23T11:00:00.000Z"
        );
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(
            local_to_utc(tz, summer, 6 * 60).to_string(),
            "2026-07-01T10:00:00.000Z"
        );
        // 2026-03-08 02:30 does not exist in New York: it maps past the gap.
        let spring = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(
            local_to_utc(tz, spring, 150).to_string(),
            "2026-03-08T07:00:00.000Z"
        );
        assert_eq!(
            local_to_utc(tz, d, 1440).to_string(),
            "2026-11-24T05:00:00.000Z"
        );
    }
}
