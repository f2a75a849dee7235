//! PostgreSQL sink settings, parsed from the URL.

use std::time::Duration;

use crate::redact::redact;

/// Settings of a PostgreSQL sink.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresConfig {
    /// The connection URL as tokio-postgres takes it (the sink's own
    /// options removed).
    pub url: String,
    /// Schema of the tables (created if missing).
    pub schema: String,
    /// How long a lost connection is retried before the run fails.
    pub retry_timeout: Duration,
}

impl std::fmt::Debug for PostgresConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConfig")
            .field("url", &redact(&self.url))
            .field("schema", &self.schema)
            .field("retry_timeout", &self.retry_timeout)
            .finish()
    }
}

impl PostgresConfig {
    /// Parses `postgres://user:pass@host:port/db?schema=NAME&retry_timeout=60s`;
    /// other query options (`sslmode`, `connect_timeout`, `application_name`)
    /// go to tokio-postgres. `Err` says what is wrong (without the password).
    pub fn parse(raw: &str) -> Result<PostgresConfig, String> {
        let (base, query) = match raw.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (raw, None),
        };
        let mut config = PostgresConfig {
            url: base.to_string(),
            schema: "storesim".into(),
            retry_timeout: Duration::from_secs(60),
        };
        let mut passed = Vec::new();
        for (key, value) in crate::spec::query_pairs(query)? {
            match key {
                "schema" => {
                    let valid = !value.is_empty()
                        && value.len() <= 63
                        && value.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                        && value
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    if !valid {
                        return Err(format!(
                            "schema `{value}`: use 1-63 characters of a-z, 0-9 and '_', not starting with a digit"
                        ));
                    }
                    config.schema = value.to_string();
                }
                "retry_timeout" => {
                    config.retry_timeout = humantime::parse_duration(value).map_err(|_| {
                        format!("retry_timeout `{value}`: use a duration such as 60s or 5m")
                    })?;
                }
                _ => passed.push(format!("{key}={value}")),
            }
        }
        if !passed.is_empty() {
            config.url = format!("{base}?{}", passed.join("&"));
        }
        // The password is masked by its place (`user:***@`, `password=***`),
        // not remembered: PostgreSQL never quotes it, and a password such as
        // the role's name would mask every mention of that name.
        config
            .url
            .parse::<tokio_postgres::Config>()
            .map_err(|e| format!("invalid URL: {}", redact(&e.to_string())))?;
        Ok(config)
    }

    /// The tokio-postgres settings.
    pub fn connect_config(&self) -> tokio_postgres::Config {
        let mut c: tokio_postgres::Config = self.url.parse().expect("checked when parsed");
        if c.get_connect_timeout().is_none() {
            c.connect_timeout(Duration::from_secs(5));
        }
        if c.get_application_name().is_none() {
            c.application_name("storesim");
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_options_are_taken_and_the_rest_passed_on() {
        let c = PostgresConfig::parse(
            "postgres://u:pw@localhost:5432/db?schema=demo&sslmode=disable&retry_timeout=5s",
        )
        .unwrap();
        assert_eq!(c.schema, "demo");
        assert_eq!(c.retry_timeout, Duration::from_secs(5));
        assert_eq!(c.url, "postgres://u:pw@localhost:5432/db?sslmode=disable");
        assert!(!format!("{c:?}").contains("pw"));
    }

    #[test]
    fn bad_options_are_named() {
        let e = PostgresConfig::parse("postgres://u@h/db?schema=Bad-Name").unwrap_err();
        assert!(e.contains("schema `Bad-Name`"), "{e}");
        let e = PostgresConfig::parse("postgres://u@h/db?retry_timeout=soon").unwrap_err();
        assert!(e.contains("retry_timeout `soon`"), "{e}");
        let e = PostgresConfig::parse("postgres://u:secret@h:notaport/db").unwrap_err();
        assert!(e.contains("invalid URL") && !e.contains("secret"), "{e}");
    }
}
