//! The checker: every value of a scenario file read against its key, with the
//! error naming the file and the key.

use super::*;

use storesim_sim::setup::SetupError;

pub(super) struct Checker<'a> {
    pub(super) origin: String,
    pub(super) _config: &'a ScenarioConfig,
}

impl Checker<'_> {
    pub(super) fn err(&self, key: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Field {
            origin: self.origin.clone(),
            key: key.into(),
            message: message.into(),
        }
    }

    /// A model's or a data file's error, in this scenario.
    pub(super) fn setup(&self, e: SetupError) -> ScenarioError {
        match e {
            SetupError::Field { key, message } => self.err(key, message),
            SetupError::Data { origin, message } => ScenarioError::Data { origin, message },
        }
    }

    pub(super) fn time(&self, key: &str, text: &str) -> Result<u32, ScenarioError> {
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

    pub(super) fn hours(
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

    pub(super) fn curve_index(
        &self,
        key: &str,
        name: &str,
        curves: &[Curve],
    ) -> Result<usize, ScenarioError> {
        curves.iter().position(|c| c.name == name).ok_or_else(|| {
            let known: Vec<_> = curves.iter().map(|c| c.name.as_str()).collect();
            self.err(
                key,
                format!("unknown curve `{name}` (defined: {})", known.join(", ")),
            )
        })
    }

    pub(super) fn day(
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

    pub(super) fn holiday(
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

    pub(super) fn hourly(&self, key: &str, values: &[f64]) -> Result<[f64; 24], ScenarioError> {
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

impl Checks for Checker<'_> {
    type Error = ScenarioError;

    fn at(&self, key: &str, message: String) -> ScenarioError {
        self.err(key, message)
    }
}
