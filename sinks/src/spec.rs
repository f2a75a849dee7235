//! Sink specs: `null`, `stdout`, `files:DIR?...`, `csv:DIR?...`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::files::{Compression, FilesConfig, Format};
use crate::kafka::KafkaConfig;
use crate::postgres::PostgresConfig;
use crate::redact::{redact_spec, remember_properties};
use crate::SinkError;

/// A parsed sink spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkSpec {
    /// The spec as written.
    pub raw: String,
    /// What it names.
    pub kind: SinkKind,
    /// The event kinds it takes (`?kinds=a,b`, any sink); all when `None`.
    pub kinds: Option<Vec<storesim_sim::EventKind>>,
}

/// The kinds of sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkKind {
    /// Discard.
    Null,
    /// JSON lines on stdout.
    Stdout,
    /// Files under a directory.
    Files(FilesConfig),
    /// Kafka topics.
    Kafka(KafkaConfig),
    /// PostgreSQL tables.
    Postgres(PostgresConfig),
}

impl SinkSpec {
    /// Adds librdkafka properties to Kafka sinks (the `--kafka-opt` flag).
    pub fn add_kafka_properties(&mut self, properties: &[(String, String)]) {
        if let SinkKind::Kafka(c) = &mut self.kind {
            remember_properties(properties);
            c.properties.extend(properties.iter().cloned());
        }
    }

    /// Adds schema registry options (`--registry-opt`) to a Kafka sink,
    /// after its URL's; `Err` names an unknown or bad one.
    pub fn add_registry_options(&mut self, options: &[(String, String)]) -> Result<(), SinkError> {
        if let SinkKind::Kafka(c) = &mut self.kind {
            remember_properties(options);
            c.registry_options.extend(options.iter().cloned());
            if !options.is_empty() {
                c.check().map_err(|message| SinkError::Spec {
                    spec: self.to_string(),
                    message,
                })?;
            }
        }
        Ok(())
    }

    /// Marks file sinks as continuing a stopped run's output (`--resume`).
    pub fn set_resuming(&mut self) {
        if let SinkKind::Files(c) = &mut self.kind {
            c.resuming = true;
        }
    }

    /// Sets `overwrite` on file sinks (the `--overwrite` flag).
    pub fn set_overwrite(&mut self, overwrite: bool) {
        if let SinkKind::Files(c) = &mut self.kind {
            c.overwrite |= overwrite;
        }
    }
}

impl fmt::Display for SinkSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl FromStr for SinkSpec {
    type Err = SinkError;

    /// Parses a spec; an error's message is masked as the spec is (it may
    /// quote a value the spec held).
    fn from_str(spec: &str) -> Result<SinkSpec, SinkError> {
        parse(spec).map_err(|e| match e {
            SinkError::Spec {
                spec: shown,
                message,
            } => SinkError::Spec {
                spec: shown,
                message: crate::redact::redact_about_spec(&message, spec),
            },
            other => other,
        })
    }
}

/// The spec's parts; messages not yet masked.
fn parse(spec: &str) -> Result<SinkSpec, SinkError> {
    let err = |message: String| SinkError::Spec {
        spec: redact_spec(spec),
        message,
    };
    // `kinds=` routes event kinds to a sink, whatever the sink.
    let (raw, kinds) = take_kinds(spec).map_err(err)?;
    let raw = raw.as_str();
    let (scheme, rest) = match raw.split_once(':') {
        // `s3://BUCKET/PREFIX` is `files:s3://BUCKET/PREFIX`.
        Some(_) if matches!(crate::files::Scheme::of(raw), Some(Ok(_))) => ("files", Some(raw)),
        Some((s, r)) => (s, Some(r)),
        None => (raw, None),
    };
    let kind = match (scheme, rest) {
        ("null", None) => SinkKind::Null,
        ("stdout", None) => SinkKind::Stdout,
        ("files" | "csv", Some(rest)) => {
            let (dir, query) = match rest.split_once('?') {
                Some((d, q)) => (d, Some(q)),
                None => (rest, None),
            };
            if dir.is_empty() {
                return Err(err(format!("missing directory: write `{scheme}:DIR`")));
            }
            let mut config = FilesConfig::new(
                PathBuf::from(dir),
                if scheme == "csv" {
                    Format::Csv
                } else {
                    Format::Json
                },
            );
            let store = crate::files::Scheme::of(dir).transpose().map_err(err)?;
            if store.is_some() {
                config.remote = Some(crate::files::RemoteConfig {
                    url: dir.to_string(),
                    options: Vec::new(),
                });
            }
            for (key, value) in query_pairs(query).map_err(err)? {
                match key {
                    "compression" => {
                        config.compression = match value {
                            "none" => Compression::None,
                            "zstd" => Compression::Zstd,
                            "gzip" | "gz" => Compression::Gzip,
                            "snappy" => Compression::Snappy,
                            _ => return Err(err(format!("compression `{value}`: use none, zstd, gzip or snappy (Parquet)"))),
                        }
                    }
                    "level" => {
                        config.level = Some(value.parse().ok().filter(|l| (1..=22).contains(l)).ok_or_else(
                            || err(format!("level `{value}`: use a whole number 1-22 (gzip: 1-9)")),
                        )?)
                    }
                    "max_events_per_file" => {
                        config.max_events_per_file = value
                            .parse()
                            .ok()
                            .filter(|&n: &u64| n > 0)
                            .ok_or_else(|| err(format!("max_events_per_file `{value}`: use a positive whole number")))?
                    }
                    "format" if scheme == "files" => {
                        config.format = match value {
                            "json" => Format::Json,
                            "csv" => Format::Csv,
                            "avro" => Format::Avro,
                            "parquet" => Format::Parquet,
                            _ => return Err(err(format!("format `{value}`: use json, csv, avro or parquet"))),
                        }
                    }
                    "row_group_rows" => {
                        config.row_group_rows = value
                            .parse()
                            .ok()
                            .filter(|&n: &usize| n > 0)
                            .ok_or_else(|| err(format!("row_group_rows `{value}`: use a positive whole number")))?
                    }
                    "overwrite" => {
                        config.overwrite = value
                            .parse()
                            .map_err(|_| err(format!("overwrite `{value}`: use true or false")))?
                    }
                    _ => match (config.envelope.set(key, value), &mut config.remote) {
                        (Some(set), _) => set.map_err(err)?,
                        (None, Some(remote)) if store.is_some_and(|s| s.knows(key)) => {
                            remote.options.push((key.to_string(), value.to_string()))
                        }
                        (None, _) => {
                            return Err(err(format!(
                                "unknown option `{key}` (known: format, compression, level, max_events_per_file, row_group_rows, overwrite, {}{})",
                                crate::debezium::Envelope::OPTIONS,
                                if store.is_some() { format!(", {}", crate::files::STORE_OPTIONS) } else { String::new() }
                            )))
                        }
                    },
                }
            }
            config.envelope.check().map_err(err)?;
            let given = |k: &str| query.is_some_and(|q| q.split('&').any(|p| p.split('=').next() == Some(k)));
            if config.format == Format::Parquet && !given("compression") {
                config.compression = Compression::Zstd;
            }
            if config.compression == Compression::Snappy && config.format != Format::Parquet {
                return Err(err("compression `snappy`: only for format=parquet".to_string()));
            }
            if given("row_group_rows") && config.format != Format::Parquet {
                return Err(err("row_group_rows: only for format=parquet".to_string()));
            }
            if config.envelope.debezium && config.format == Format::Csv {
                return Err(err(
                    "envelope=debezium writes JSON lines, Avro or Parquet, not CSV".to_string(),
                ));
            }
            if config.envelope.schemas && config.format != Format::Json {
                return Err(err(
                    "schemas_enable=true is for JSON lines (an Avro file holds its schema)".to_string(),
                ));
            }
            if let (Compression::Gzip, Some(l)) = (config.compression, config.level) {
                if l > 9 {
                    return Err(err(format!("level `{l}`: gzip takes 1-9")));
                }
            }
            SinkKind::Files(config)
        }
        ("files" | "csv", None) => {
            return Err(err(format!("missing directory: write `{scheme}:DIR`")))
        }
        ("null" | "stdout", Some(_)) => {
            return Err(err(format!("`{scheme}` takes no options")))
        }
        ("kafka", Some(rest)) => {
            let rest = rest
                .strip_prefix("//")
                .ok_or_else(|| err("write `kafka://HOST:PORT[,HOST:PORT]`".to_string()))?;
            let (brokers, query) = match rest.split_once('?') {
                Some((b, q)) => (b, Some(q)),
                None => (rest, None),
            };
            if brokers.contains('@') {
                return Err(err(
                    "credentials do not go in a Kafka URL: give them with --kafka-opt sasl.username=USER --kafka-opt sasl.password=PASS (and sasl.mechanism, security.protocol)"
                        .to_string(),
                ));
            }
            let brokers = brokers.trim_end_matches('/');
            if brokers.is_empty()
                || !brokers.split(',').all(|b| {
                    b.rsplit_once(':')
                        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
                })
            {
                return Err(err("brokers must be HOST:PORT[,HOST:PORT]".to_string()));
            }
            let mut config = KafkaConfig::new(brokers);
            for (key, value) in query_pairs(query).map_err(err)? {
                config.set(key, value).map_err(err)?;
            }
            config.check().map_err(err)?;
            SinkKind::Kafka(config)
        }
        ("postgres" | "postgresql", Some(_)) => {
            SinkKind::Postgres(PostgresConfig::parse(raw).map_err(|m| SinkError::Spec {
                spec: redact_spec(raw),
                message: m,
            })?)
        }
        _ => {
            return Err(err(
                "unknown sink: use null, stdout, files:DIR, csv:DIR, s3://BUCKET/PREFIX (gs://, az://), kafka://HOST:PORT or postgres://USER:PASS@HOST:PORT/DB"
                    .to_string(),
            ))
        }
    };
    Ok(SinkSpec {
        // The name printed everywhere: no password.
        raw: redact_spec(spec),
        kind,
        kinds,
    })
}

/// Splits `kinds=a,b` off a spec's query: the spec without it, and the kinds.
fn take_kinds(spec: &str) -> Result<(String, Option<Vec<storesim_sim::EventKind>>), String> {
    let Some((base, query)) = spec.split_once('?') else {
        return Ok((spec.to_string(), None));
    };
    let mut kinds = None;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("kinds", _)) if kinds.is_some() => {
                return Err("option `kinds` is given twice: give it once".into());
            }
            Some(("kinds", list)) => {
                let parsed = list
                    .split(',')
                    .filter(|k| !k.is_empty())
                    .map(str::parse)
                    .collect::<Result<Vec<storesim_sim::EventKind>, String>>()?;
                if parsed.is_empty() {
                    return Err("kinds: name at least one event kind".into());
                }
                kinds = Some(parsed);
            }
            _ => rest.push(pair),
        }
    }
    let base = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((base, kinds))
}

/// The `key=value` options of a spec's query (`a=1&b=2`), in order.
/// An option given twice is an error: which one was meant cannot be told.
pub(crate) fn query_pairs(query: Option<&str>) -> Result<Vec<(&str, &str)>, String> {
    let pairs: Vec<(&str, &str)> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
        .map(|pair| {
            pair.split_once('=').ok_or_else(|| {
                // Not echoed: a pair without `=` may be a pasted secret.
                "an option is not key=value (write KEY=VALUE, joined by &)".to_string()
            })
        })
        .collect::<Result<_, _>>()?;
    for (i, (key, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(k, _)| k == key) {
            return Err(format!("option `{key}` is given twice: give it once"));
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_route_any_sink() {
        use storesim_sim::EventKind;
        let spec: SinkSpec = "files:out?compression=none&kinds=pos_sale,pos_store"
            .parse()
            .unwrap();
        assert_eq!(
            spec.kinds,
            Some(vec![EventKind::PosSale, EventKind::PosStore])
        );
        let SinkKind::Files(c) = spec.kind else {
            panic!()
        };
        assert_eq!(c.compression, Compression::None);
        let spec: SinkSpec = "stdout?kinds=request".parse().unwrap();
        assert_eq!(spec.kind, SinkKind::Stdout);
        assert_eq!(spec.kinds, Some(vec![EventKind::Request]));
        let spec: SinkSpec = "postgres://u:secret@h/db?kinds=pos_sale&schema=s"
            .parse()
            .unwrap();
        let SinkKind::Postgres(c) = &spec.kind else {
            panic!()
        };
        assert_eq!(c.schema, "s");
        assert!(!spec.to_string().contains("secret"));
        let e = "null?kinds=scan,refund".parse::<SinkSpec>().unwrap_err();
        assert!(e.to_string().contains("unknown event kind `refund`"), "{e}");
        assert_eq!("null".parse::<SinkSpec>().unwrap().kinds, None);
    }

    #[test]
    fn parses_specs() {
        assert_eq!("null".parse::<SinkSpec>().unwrap().kind, SinkKind::Null);
        assert_eq!("stdout".parse::<SinkSpec>().unwrap().kind, SinkKind::Stdout);
        let SinkKind::Files(c) = "files:out/x?compression=zstd&level=5&max_events_per_file=10"
            .parse::<SinkSpec>()
            .unwrap()
            .kind
        else {
            panic!()
        };
        assert_eq!(c.dir, PathBuf::from("out/x"));
        assert_eq!(c.compression, Compression::Zstd);
        assert_eq!(c.level, Some(5));
        assert_eq!(c.max_events_per_file, 10);
        assert_eq!(c.format, Format::Json);
        let SinkKind::Files(c) = "csv:d".parse::<SinkSpec>().unwrap().kind else {
            panic!()
        };
        assert_eq!(c.format, Format::Csv);
    }

    #[test]
    fn rejects_bad_specs_naming_them() {
        for (spec, want) in [
            ("files:", "missing directory"),
            ("files", "missing directory"),
            ("nope:x", "unknown sink"),
            ("files:d?compression=lz4", "compression `lz4`"),
            ("files:d?level=0", "level `0`"),
            ("files:d?max_events_per_file=0", "max_events_per_file `0`"),
            ("files:d?color=red", "unknown option `color`"),
            ("files:d?color=red", "sink `files:d?color=***`"),
            ("files:d?gzip", "not key=value"),
            ("files:d?compression=gzip&level=12", "gzip takes 1-9"),
            (
                "files:d?envelope=canal",
                "envelope `canal`: use debezium or none",
            ),
            ("files:d?schemas_enable=true", "needs envelope=debezium"),
            ("csv:d?envelope=debezium", "not CSV"),
            (
                "files:d?format=orc",
                "format `orc`: use json, csv, avro or parquet",
            ),
            (
                "files:d?format=parquet&row_group_rows=0",
                "row_group_rows `0`",
            ),
            (
                "files:d?row_group_rows=10",
                "row_group_rows: only for format=parquet",
            ),
            ("files:d?compression=snappy", "only for format=parquet"),
            ("csv:d?format=avro", "unknown option `format`"),
            (
                "kafka://h:1?key_format=avro",
                "key_format=avro needs schema_registry",
            ),
            (
                "files:d?compression=zstd&compression=gzip",
                "option `compression` is given twice",
            ),
            (
                "null?kinds=scan&kinds=transaction",
                "option `kinds` is given twice",
            ),
            (
                "kafka://h:1?partitions=3&partitions=6",
                "option `partitions` is given twice",
            ),
            (
                "postgres://u@h/db?schema=a&schema=b",
                "option `schema` is given twice",
            ),
            ("stdout:x", "takes no options"),
            ("kafka://", "HOST:PORT"),
            ("kafka:localhost:9092", "kafka://HOST:PORT"),
            ("kafka://localhost", "HOST:PORT"),
            ("kafka://h:1?compression=brotli", "compression `brotli`"),
            ("kafka://h:1?acks=0", "unknown option `acks`"),
            ("postgres://u@h/db?schema=X", "schema `X`"),
            ("postgres://u@h/db?retry_timeout=x", "retry_timeout `x`"),
        ] {
            let e = spec.parse::<SinkSpec>().unwrap_err().to_string();
            let shown = crate::redact::redact_spec(spec);
            assert!(e.starts_with(&format!("sink `{shown}`")), "{e}");
            assert!(e.contains(want), "{spec}: {e}");
        }
    }
}

#[cfg(test)]
mod fuzz {
    //! A fuzzer over sink specs: any text parses to a spec or a one-line
    //! error, never a panic, and a secret in it is never printed.

    use super::*;
    use proptest::prelude::*;

    /// Given as the value of a secret key: never printed, wherever it is.
    const SECRET: &str = "Zq7-s3cret-Zq7";
    /// Given as a URL's password: never printed more than the redaction
    /// of the spec shows (a directory named so is not a secret).
    const USERINFO: &str = "Uv9-pass-Uv9";

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("files:".to_string()),
            Just("csv:".to_string()),
            Just("kafka://".to_string()),
            Just("postgres://".to_string()),
            Just("postgresql://".to_string()),
            Just("null".to_string()),
            Just("stdout".to_string()),
            Just(format!("u:{USERINFO}@")),
            Just("h:9092".to_string()),
            Just(",".to_string()),
            Just("/db".to_string()),
            Just("?".to_string()),
            Just("&".to_string()),
            Just("=".to_string()),
            Just(format!("password={SECRET}")),
            Just(format!("sasl.password={SECRET}")),
            Just(format!("sslpassword={SECRET}")),
            Just(format!("token={SECRET}")),
            Just(format!("host=h password={SECRET} dbname=x")),
            Just("compression=zstd".to_string()),
            Just("level=99".to_string()),
            Just("kinds=scan".to_string()),
            Just("kinds=".to_string()),
            Just("schema=Bad".to_string()),
            Just("partitions=-1".to_string()),
            Just("topic.scan=a b".to_string()),
            Just("max_events_per_file=0".to_string()),
            "[ -~]{0,12}".prop_map(String::from),
            "\\PC{0,4}".prop_map(String::from),
        ]
    }

    /// The inputs the fuzzer found, each of which once printed a secret.
    #[test]
    fn found_inputs_stay_fixed() {
        for parts in [
            vec![
                "host=h password=Zq7-s3cret-Zq7 dbname=x",
                "password=Zq7-s3cret-Zq7",
            ],
            vec!["?", "kinds=scan", "password=Zq7-s3cret-Zq7"],
            vec!["kinds=", "'", "password=Zq7-s3cret-Zq7"],
            vec![
                "?",
                "kinds=scan",
                "max_events_per_file=0",
                "u:Uv9-pass-Uv9@",
            ],
            vec!["postgres://", "?", "kinds=scan", "u:Uv9-pass-Uv9@"],
            vec![
                "files:",
                "password=Zq7-s3cret-Zq7",
                "?",
                "u:Uv9-pass-Uv9@",
                "=",
            ],
            vec!["kafka://", "files:", "?", "kinds=scan", "u:Uv9-pass-Uv9@"],
        ] {
            let spec = parts.concat();
            let text = match spec.parse::<SinkSpec>() {
                Ok(p) => p.to_string(),
                Err(e) => e.to_string(),
            };
            assert!(
                !text.contains(SECRET) && !text.contains(USERINFO),
                "{spec}: {text}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn any_spec_parses_or_fails_on_one_line_without_its_secret(
            parts in proptest::collection::vec(fragment(), 0..8),
        ) {
            let spec = parts.concat();
            let shown = crate::redact::redact_spec(&spec);
            prop_assert!(!shown.contains(SECRET), "{spec}: redacted as {shown}");
            let text = match spec.parse::<SinkSpec>() {
                Ok(parsed) => parsed.to_string(),
                Err(e) => e.to_string(),
            };
            prop_assert!(!text.contains('\n'), "{text}");
            prop_assert!(!text.contains(SECRET), "{spec}: {text}");
            prop_assert!(
                !text.contains(USERINFO) || shown.contains(USERINFO),
                "{spec}: {text} shows what its redaction {shown} hides"
            );
        }
    }
}
