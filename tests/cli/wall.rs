//! The wall clock a test runs storesim at: the real one, or a fixed instant.
//!
//! A test that paces against the wall clock takes a [`Wall`], computes its
//! span from [`Wall::now`] and starts storesim with [`Wall::command`]. On the
//! real clock that is the day the suite runs; at a fixed instant the
//! storesim process reads that instant as its wall clock at its start
//! (`STORESIM_NOW`, the binary's injected wall clock), ticking in real time
//! from there. [`at_every_instant!`] runs a test on the real clock and at
//! each of [`INSTANTS`], so a holiday, a closed night or a daylight-saving
//! change cannot break the suite on the day it comes.
//!
//! Why an injected clock and not Debian's libfaketime preloaded into the
//! process: libfaketime moves every read of the clock, but librdkafka hangs
//! under it (its poll and condition-variable intercepts; with any offset,
//! `kafka check` included), so the Kafka tests could not run at an instant.
//! storesim reads the wall clock in one place (`SystemClock`, made in the
//! binary's `wall_clock`); only the UTC origin moves, pacing keeps the real
//! monotonic clock. The pacing logic itself is tested on a manual clock in
//! `actors`.

use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate, TimeZone, Utc, Weekday};

/// The fixed wall-clock instants, by test name, and why each.
pub(crate) const INSTANTS: [(&str, &str); 6] = [
    // Tuesday 11:00 in Chicago: every store open, the item master changing.
    ("weekday_business_hour", "2026-12-08T17:00:00Z"),
    // Sunday 03:30 in New York, 00:30 in Los Angeles: every store closed.
    ("weekend_night", "2026-12-06T08:30:00Z"),
    // Thanksgiving Day, 12:00 in New York: the chain is closed all day.
    ("thanksgiving", "2026-11-26T17:00:00Z"),
    // 01:30 EDT: New York falls back at 06:00Z, Los Angeles at 09:00Z.
    ("dst_end_november", "2026-11-01T05:30:00Z"),
    // 01:30 EST: New York springs forward at 07:00Z, Los Angeles at 10:00Z.
    ("dst_start_march", "2027-03-14T06:30:00Z"),
    // 18:30 in New York on New Year's Eve: the UTC year turns in 30 minutes.
    ("new_years_eve", "2026-12-31T23:30:00Z"),
];

/// The wall clock of a test's storesim processes.
#[derive(Debug, Clone)]
pub(crate) struct Wall {
    /// Microseconds added to the real wall clock (0 on the real clock).
    offset_us: i64,
    /// Whether the clock is moved (`STORESIM_NOW` is set).
    moved: bool,
}

impl Wall {
    /// The real wall clock.
    pub(crate) fn real() -> Wall {
        Wall {
            offset_us: 0,
            moved: false,
        }
    }

    /// A wall clock that reads `instant` now and ticks in real time.
    pub(crate) fn at(instant: &str) -> Wall {
        let instant: DateTime<Utc> = instant.parse().expect("an RFC 3339 instant");
        Wall {
            offset_us: (instant - Utc::now()).num_microseconds().unwrap(),
            moved: true,
        }
    }

    /// What the storesim processes read as the wall clock now.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        Utc::now() + ChronoDuration::microseconds(self.offset_us)
    }

    /// The storesim binary, started on this clock.
    pub(crate) fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("storesim"));
        cmd.env_remove("RUST_LOG").env_remove("STORESIM_NOW");
        if self.moved {
            cmd.env(
                "STORESIM_NOW",
                self.now()
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            );
        }
        cmd
    }
}

/// An instant as `--start` and `--until` take it.
pub(crate) fn arg(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Black Friday (the day after the fourth Thursday of November) of `year`.
pub(crate) fn black_friday(year: i32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, 11, 1).unwrap();
    let to_thursday = (7 + Weekday::Thu.num_days_from_monday() as i64
        - first.weekday().num_days_from_monday() as i64)
        % 7;
    first + ChronoDuration::days(to_thursday + 21 + 1)
}

/// The first Black Friday whose `hh:mm` UTC is at least an hour after
/// `now`: a busy span in the wall clock's future, so a paced run over it
/// is paced from its start (a past start would be replayed at once).
pub(crate) fn next_black_friday_at(now: DateTime<Utc>, hh: u32, mm: u32) -> DateTime<Utc> {
    (now.year()..)
        .map(|y| Utc.from_utc_datetime(&black_friday(y).and_hms_opt(hh, mm, 0).unwrap()))
        .find(|t| *t >= now + ChronoDuration::hours(1))
        .unwrap()
}

/// Runs a test on the real wall clock and at each fixed instant: a module
/// named after the test, with one `#[test]` per clock (`now`,
/// `thanksgiving`, ...), each calling the test's function with its [`Wall`].
macro_rules! at_every_instant {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            use $crate::wall::{Wall, INSTANTS};

            fn at(name: &str) {
                let (_, instant) = INSTANTS.iter().find(|(n, _)| *n == name).unwrap();
                super::$test(Wall::at(instant));
            }

            #[test]
            fn now() {
                super::$test(Wall::real());
            }
            #[test]
            fn weekday_business_hour() {
                at("weekday_business_hour");
            }
            #[test]
            fn weekend_night() {
                at("weekend_night");
            }
            #[test]
            fn thanksgiving() {
                at("thanksgiving");
            }
            #[test]
            fn dst_end_november() {
                at("dst_end_november");
            }
            #[test]
            fn dst_start_march() {
                at("dst_start_march");
            }
            #[test]
            fn new_years_eve() {
                at("new_years_eve");
            }
        }
    )+};
}
pub(crate) use at_every_instant;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn black_fridays_are_the_day_after_the_fourth_thursday() {
        for (year, day) in [(2024, 29), (2025, 28), (2026, 27), (2027, 26), (2030, 29)] {
            assert_eq!(
                black_friday(year),
                NaiveDate::from_ymd_opt(year, 11, day).unwrap()
            );
        }
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            next_black_friday_at(at("2026-11-27T14:30:00Z"), 15, 0),
            at("2027-11-26T15:00:00Z")
        );
        assert_eq!(
            next_black_friday_at(at("2026-11-26T17:00:00Z"), 15, 0),
            at("2026-11-27T15:00:00Z")
        );
    }
}
