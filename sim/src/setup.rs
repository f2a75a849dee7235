//! A model's own scenario table (`[smoothie]`, `[webshop]`, ...): read into
//! the model's parameters by the model itself, with every error naming its
//! key. A scenario's `model = "name"` picks the [`Entry`] of that name from
//! the one list, `models::MODELS`; the scenario crate hands the entry its
//! table and a way to read the data files the table names.
//!
//! The checks here (shares, ranges, weights) are the ones the scenario's
//! common sections use too, so a value is judged the same wherever it is.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::model::Model;

pub mod csv;
pub mod limits;

/// How a scenario picks a model: `model = "name"`, and the model's own
/// `[name]` table.
#[derive(Debug)]
pub struct Entry {
    /// The name in `model = "..."`, and of its table.
    pub name: &'static str,
    /// Whether the model reads a `[name]` table (the chain reads none: its
    /// knobs are the common sections).
    pub table: bool,
    /// The model, built from its table.
    pub build: fn(&Setup<'_>) -> Result<Arc<dyn Model>, SetupError>,
}

/// What is wrong with a model's table or a data file it names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// A key of the scenario (`smoothie.quantity`): what is wrong with it.
    #[error("`{key}`: {message}")]
    Field {
        /// The full key path.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A data file: where it came from and what is wrong with it.
    #[error("{origin}: {message}")]
    Data {
        /// The data file.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

impl SetupError {
    /// An error at a full key path.
    pub fn field(key: impl Into<String>, message: impl Into<String>) -> SetupError {
        SetupError::Field {
            key: key.into(),
            message: message.into(),
        }
    }

    /// An error in a data file.
    pub fn data(origin: impl Into<String>, message: impl Into<String>) -> SetupError {
        SetupError::Data {
            origin: origin.into(),
            message: message.into(),
        }
    }
}

/// Reads a data file a table names (relative to the scenario file, or a
/// built-in copy): its origin, for messages, and its text.
pub type ReadData<'a> = &'a dyn Fn(&str) -> Result<(String, String), SetupError>;

/// A model's table as the scenario has it, and the scenario's data files.
pub struct Setup<'a> {
    name: &'static str,
    table: Option<&'a toml::Value>,
    read: ReadData<'a>,
}

impl<'a> Setup<'a> {
    /// The setup of model `name`, with its table if the scenario has one.
    pub fn new(name: &'static str, table: Option<&'a toml::Value>, read: ReadData<'a>) -> Self {
        Setup { name, table, read }
    }

    /// The model's table as `T` (its fields checked by serde, an unknown
    /// one refused): an error names the key, `smoothie.quantity`.
    pub fn table<T: DeserializeOwned>(&self) -> Result<T, SetupError> {
        let table = self.table.ok_or_else(|| missing_table(self.name))?;
        serde_path_to_error::deserialize(table.clone()).map_err(|e| {
            let path = e.path().to_string();
            let key = if path == "." {
                self.name.to_string()
            } else {
                format!("{}.{path}", self.name)
            };
            SetupError::field(key, e.inner().message().trim())
        })
    }

    /// A data file the table names.
    pub fn read(&self, path: &str) -> Result<(String, String), SetupError> {
        (self.read)(path)
    }

    /// An error at `key` of the model's table.
    pub fn err(&self, key: &str, message: impl Into<String>) -> SetupError {
        SetupError::field(format!("{}.{key}", self.name), message)
    }
}

/// The value checks, each at the key its value is at. A model's [`Setup`]
/// and the scenario's checker of its common sections both judge values
/// through these; they differ only in how an error names its key ([`at`]).
///
/// [`at`]: Checks::at
pub trait Checks {
    /// The error a failed check gives.
    type Error;

    /// The error at `key`: what is wrong.
    fn at(&self, key: &str, message: String) -> Self::Error;

    /// `v` at `key`, through one of the [`check`] functions.
    fn check<T, V>(
        &self,
        key: &str,
        v: V,
        check: impl FnOnce(V) -> Result<T, String>,
    ) -> Result<T, Self::Error> {
        check(v).map_err(|m| self.at(key, m))
    }

    /// A share, 0 to 1.
    fn share(&self, key: &str, v: f64) -> Result<f64, Self::Error> {
        self.check(key, v, check::share)
    }

    /// Zero or more.
    fn non_negative(&self, key: &str, v: f64) -> Result<f64, Self::Error> {
        self.check(key, v, check::non_negative)
    }

    /// Above zero.
    fn positive(&self, key: &str, v: f64) -> Result<f64, Self::Error> {
        self.check(key, v, check::positive)
    }

    /// An integer in `lo..=hi`.
    fn int_in(&self, key: &str, v: i64, lo: i64, hi: i64) -> Result<i64, Self::Error> {
        self.check(key, v, |v| check::int_in(v, lo, hi))
    }

    /// Zero or more, at most the limit (a physical limit, see [`limits`]).
    fn at_most(&self, key: &str, v: f64, limit: limits::Limit) -> Result<f64, Self::Error> {
        self.check(key, v, |v| check::at_most(v, limit))
    }

    /// Above zero, at most the limit.
    fn positive_at_most(
        &self,
        key: &str,
        v: f64,
        limit: limits::Limit,
    ) -> Result<f64, Self::Error> {
        self.check(key, v, |v| check::positive_at_most(v, limit))
    }

    /// Relative weights of 1, 2, 3, ...: 1 to 20 of them, not all zero.
    fn weights(&self, key: &str, w: &[f64]) -> Result<Vec<f64>, Self::Error> {
        self.check(key, w, check::weights)
    }

    /// Words to draw from: at least one, none blank.
    fn words(&self, key: &str, w: &[String]) -> Result<Vec<String>, Self::Error> {
        self.check(key, w, check::words)
    }

    /// A percentage 0 to `hi`, in basis points.
    fn pct_bp(&self, key: &str, v: f64, hi: f64) -> Result<i64, Self::Error> {
        self.check(key, v, |v| check::pct_bp(v, hi))
    }
}

impl Checks for Setup<'_> {
    type Error = SetupError;

    /// An error at `key` of the model's table.
    fn at(&self, key: &str, message: String) -> SetupError {
        self.err(key, message)
    }
}

/// Model `name` is asked for and its `[name]` table is not there.
pub fn missing_table(name: &str) -> SetupError {
    SetupError::field(
        name,
        format!("missing: model `{name}` needs a [{name}] section"),
    )
}

/// The value checks, each saying what is wrong in one line.
pub mod check {
    use super::limits::Limit;

    /// Above zero.
    pub fn positive(v: f64) -> Result<f64, String> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(format!("must be a positive number, got {v}"))
        }
    }

    /// Zero or more.
    pub fn non_negative(v: f64) -> Result<f64, String> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(format!("must be zero or more, got {v}"))
        }
    }

    /// A share, 0 to 1.
    pub fn share(v: f64) -> Result<f64, String> {
        if v.is_finite() && (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(format!("must be a share between 0 and 1, got {v}"))
        }
    }

    /// An integer in `lo..=hi`.
    pub fn int_in(v: i64, lo: i64, hi: i64) -> Result<i64, String> {
        if (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(format!("must be between {lo} and {hi}, got {v}"))
        }
    }

    /// Zero or more and at most `max` (a physical limit, see
    /// [`super::limits`]).
    pub fn at_most(v: f64, (max, why): Limit) -> Result<f64, String> {
        let v = non_negative(v)?;
        if v > max {
            return Err(format!("must be at most {max} ({why}), got {v}"));
        }
        Ok(v)
    }

    /// Above zero and at most the limit.
    pub fn positive_at_most(v: f64, limit: Limit) -> Result<f64, String> {
        at_most(positive(v)?, limit)
    }

    /// Relative weights: 1 to 20 of them, none negative, not all zero.
    pub fn weights(w: &[f64]) -> Result<Vec<f64>, String> {
        for v in w {
            non_negative(*v)?;
        }
        if w.is_empty() || w.len() > 20 || w.iter().sum::<f64>() <= 0.0 {
            return Err("needs 1-20 weights, not all zero".into());
        }
        Ok(w.to_vec())
    }

    /// Words: at least one, none blank.
    pub fn words(w: &[String]) -> Result<Vec<String>, String> {
        if w.is_empty() || w.iter().any(|s| s.trim().is_empty()) {
            return Err("needs at least one non-empty word".into());
        }
        Ok(w.to_vec())
    }

    /// A percentage 0 to `hi`, in basis points.
    pub fn pct_bp(v: f64, hi: f64) -> Result<i64, String> {
        if v.is_finite() && (0.0..=hi).contains(&v) {
            Ok((v * 100.0).round() as i64)
        } else {
            Err(format!("must be a percentage 0-{hi}, got {v}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Knobs {
        #[allow(dead_code)]
        share: f64,
    }

    fn no_files(path: &str) -> Result<(String, String), SetupError> {
        Err(SetupError::data(path, "no files here"))
    }

    #[test]
    fn a_table_error_names_the_models_key() {
        let table: toml::Value = toml::from_str("shares = 0.5").unwrap();
        let e = Setup::new("tiny", Some(&table), &no_files)
            .table::<Knobs>()
            .unwrap_err();
        assert!(
            matches!(&e, SetupError::Field { key, message } if key == "tiny.shares" && message.contains("unknown field `shares`")),
            "{e}"
        );
        let table: toml::Value = toml::from_str("share = \"half\"").unwrap();
        let e = Setup::new("tiny", Some(&table), &no_files)
            .table::<Knobs>()
            .unwrap_err();
        assert!(
            matches!(&e, SetupError::Field { key, .. } if key == "tiny.share"),
            "{e}"
        );
        let e = Setup::new("tiny", None, &no_files)
            .table::<Knobs>()
            .unwrap_err();
        assert_eq!(e, missing_table("tiny"));
        let s = Setup::new("tiny", None, &no_files);
        assert_eq!(
            s.share("share", f64::NAN).unwrap_err().to_string(),
            "`tiny.share`: must be a share between 0 and 1, got NaN"
        );
        assert!(s.weights("w", &[0.0, 0.0]).is_err());
        assert_eq!(s.weights("w", &[0.0, 1.0]).unwrap(), [0.0, 1.0]);
    }
}
