//! Exact money: [`Money`] is an integer number of cents.

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// An amount of money in integer cents (US dollars in the chain scenario).
///
/// Arithmetic is exact. JSON writes it as a number with at most two decimals
/// (`4.99`): the value is `cents / 100` computed with one correctly rounded
/// IEEE division and printed as the shortest round-trip decimal, which is the
/// exact two-decimal amount on every platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

impl Money {
    /// Zero cents.
    pub const ZERO: Money = Money(0);

    /// An amount from integer cents.
    pub const fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    /// The amount in cents.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// `self * basis_points / 10_000`, rounded half away from zero to the cent.
    ///
    /// Used for discounts and tax: 825 basis points is 8.25 %.
    pub fn apply_basis_points(self, basis_points: i64) -> Money {
        let num = self.0 as i128 * basis_points as i128;
        let half = 5_000i128;
        let q = if num >= 0 {
            (num + half) / 10_000
        } else {
            (num - half) / 10_000
        };
        Money(q as i64)
    }

    /// Parses a decimal amount such as `4.99`, `12`, or `0.5`.
    pub fn parse_decimal(text: &str) -> Option<Money> {
        let text = text.trim();
        let (neg, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
            return None;
        }
        if !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let frac_cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        let cents = whole.checked_mul(100)?.checked_add(frac_cents)?;
        Some(Money(if neg { -cents } else { cents }))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Mul<i64> for Money {
    type Output = Money;
    fn mul(self, rhs: i64) -> Money {
        Money(self.0 * rhs)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

impl fmt::Display for Money {
    /// Formats as a plain decimal with two places: `4.99`, `-0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0 as f64 / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn basis_points_round_half_away_from_zero() {
        assert_eq!(Money(1000).apply_basis_points(825), Money(83)); // 82.5 -> 83
        assert_eq!(Money(199).apply_basis_points(2000), Money(40)); // 39.8 -> 40
        assert_eq!(Money(-1000).apply_basis_points(825), Money(-83));
        assert_eq!(Money(0).apply_basis_points(825), Money(0));
    }

    #[test]
    fn parses_decimals() {
        assert_eq!(Money::parse_decimal("4.99"), Some(Money(499)));
        assert_eq!(Money::parse_decimal("12"), Some(Money(1200)));
        assert_eq!(Money::parse_decimal("0.5"), Some(Money(50)));
        assert_eq!(Money::parse_decimal("-1.05"), Some(Money(-105)));
        assert_eq!(Money::parse_decimal("1.005"), None);
        assert_eq!(Money::parse_decimal("abc"), None);
        assert_eq!(Money::parse_decimal(""), None);
    }

    proptest! {
        /// The JSON form is always the exact two-decimal amount.
        #[test]
        fn json_is_exact(cents in -10_000_000_000i64..10_000_000_000i64) {
            let json = serde_json::to_string(&Money(cents)).unwrap();
            let back = Money::parse_decimal(&json).expect("decimal");
            prop_assert_eq!(back, Money(cents));
            prop_assert_eq!(Money::parse_decimal(&Money(cents).to_string()), Some(Money(cents)));
        }
    }
}
