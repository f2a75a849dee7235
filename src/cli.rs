//! Command-line arguments (clap derive) and their parsed types.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate};
use clap::{Args, Parser, Subcommand};
use storesim_sim::{RunSpan, SimTime};

/// Generate realistic retail point-of-sale data: an actor-based
/// discrete-event simulation of stores on a virtual clock.
#[derive(Debug, Parser)]
#[command(name = "storesim", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Simulate and write events to sinks.
    Run(Box<RunArgs>),
    /// List or show scenarios.
    Scenarios {
        /// list or show.
        #[command(subcommand)]
        action: ScenariosAction,
    },
    /// Write a scenario's static tables (stores, categories, item master) as CSV.
    Catalog(CatalogArgs),
    /// Kafka helpers: check a cluster, tail a topic.
    Kafka {
        /// check or tail.
        #[command(subcommand)]
        action: KafkaAction,
    },
    /// Ground truth: merge shard manifests.
    Manifest {
        /// merge.
        #[command(subcommand)]
        action: ManifestAction,
    },
    /// Check what landed downstream (PostgreSQL tables, or the files
    /// sink's directory) against a run's manifest: a pass/fail table per
    /// aggregate; exit 1 on a difference, 2 if it cannot check.
    Verify(VerifyArgs),
    /// Print a kind's schema for a schema registry, ksqlDB or Flink DDL:
    /// as storesim writes it, or as a scenario's mapping writes it.
    Schemas(SchemasArgs),
    /// PostgreSQL helpers: create the schema.
    Db {
        /// init.
        #[command(subcommand)]
        action: DbAction,
    },
}

/// `manifest` actions.
#[derive(Debug, Subcommand)]
pub(crate) enum ManifestAction {
    /// Merge the manifests of shards of one run (`run --shard K/N
    /// --manifest`); with every shard, the result is the unsharded run's
    /// manifest, byte for byte.
    Merge {
        /// The shards' manifests.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the merged manifest here instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Write a manifest's expected answers as CSV files, one per aggregate
    /// (for dbt seeds and tests).
    Csv {
        /// The manifest.
        file: PathBuf,
        /// The directory to write into.
        #[arg(long, short)]
        out: PathBuf,
        /// Replace CSV files of the same names already there.
        #[arg(long)]
        overwrite: bool,
    },
}

/// `storesim verify`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["postgres", "files"])))]
pub(crate) struct VerifyArgs {
    /// The run's manifest (`storesim run --manifest FILE`).
    #[arg(long)]
    pub(crate) manifest: PathBuf,
    /// Recompute from PostgreSQL: postgres://USER:PASS@HOST:PORT/DB[?schema=NAME].
    #[arg(long, value_name = "URL")]
    pub(crate) postgres: Option<String>,
    /// Named SQL queries for your own tables instead of storesim's (see
    /// readers/sql/verify/chain.sql).
    #[arg(long, value_name = "FILE", requires = "postgres")]
    pub(crate) query_file: Option<PathBuf>,
    /// Recompute from a files or csv sink's directory, or its tree on
    /// object storage (s3://BUCKET/PREFIX?endpoint=..., gs://, az://).
    #[arg(long, value_name = "DIR|URL")]
    pub(crate) files: Option<PathBuf>,
}

/// `db` actions.
#[derive(Debug, Subcommand)]
pub(crate) enum DbAction {
    /// Create storesim's tables (idempotent) and load the scenario's
    /// stores, categories and item master.
    Init(DbInitArgs),
}

/// `storesim db init`.
#[derive(Debug, Args)]
pub(crate) struct DbInitArgs {
    /// postgres://USER:PASS@HOST:PORT/DB[?schema=NAME]
    pub(crate) url: String,
    /// Drop storesim's tables first, then create them again.
    #[arg(long)]
    pub(crate) drop: bool,
    /// For change data capture: REPLICA IDENTITY FULL on item_master and
    /// a publication `SCHEMA_item_master` (needs wal_level=logical).
    #[arg(long)]
    pub(crate) cdc: bool,
    /// Enforced keys on the facts: primary keys on scans (transaction_id,
    /// line) and transactions, and an index on transactions (store_id, ts).
    /// Costs about two thirds of the COPY rate; the batch ledger already
    /// keeps reruns free of duplicates.
    #[arg(long)]
    pub(crate) keys: bool,
    /// Retired: `--schema apex` is `--scenario apex`.
    #[arg(long, default_value = "storesim", hide = true)]
    pub(crate) schema: String,
    /// The scenario whose dimensions are loaded.
    #[arg(long, default_value = "chain")]
    pub(crate) scenario: String,
    /// Number of stores (default: the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000), allow_negative_numbers = true)]
    pub(crate) stores: Option<u64>,
    /// Number of items (default: the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000), allow_negative_numbers = true)]
    pub(crate) items: Option<u64>,
}

/// `kafka` actions.
#[derive(Debug, Subcommand)]
pub(crate) enum KafkaAction {
    /// Connect, list topics, and say what is wrong if it cannot.
    Check {
        /// kafka://HOST:PORT[,HOST:PORT]
        url: String,
        /// A librdkafka property, key=value (repeatable): SASL, TLS.
        #[arg(long = "kafka-opt", value_name = "KEY=VALUE", value_parser = parse_key_value)]
        kafka_opts: Vec<(String, String)>,
    },
    /// Print a topic's messages (JSON values), one per line.
    Tail {
        /// The topic, such as storesim.scans.
        topic: String,
        /// Brokers, HOST:PORT[,HOST:PORT].
        #[arg(long, default_value = "127.0.0.1:9092")]
        brokers: String,
        /// Start at the beginning instead of new messages only.
        #[arg(long)]
        from_beginning: bool,
        /// Stop after this many messages.
        #[arg(long)]
        max: Option<u64>,
        /// Stop after this long without a message, such as 10s.
        #[arg(long)]
        idle: Option<humantime::Duration>,
        /// Print each message's key before its value, tab-separated.
        #[arg(long)]
        keys: bool,
        /// A librdkafka property, key=value (repeatable): SASL, TLS.
        #[arg(long = "kafka-opt", value_name = "KEY=VALUE", value_parser = parse_key_value)]
        kafka_opts: Vec<(String, String)>,
    },
}

/// Parses `key=value`.
/// Parses `key=value`; the value of a key not known to be public is
/// remembered as a secret, so it is masked wherever it would be printed.
fn parse_key_value(s: &str) -> Result<(String, String), String> {
    let (key, value) = s
        .split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        // Not echoed: a mistyped option may be a secret.
        .ok_or_else(|| {
            "not KEY=VALUE (the text is not printed: it may hold a secret)".to_string()
        })?;
    storesim_sinks::redact::remember_properties(&[(key.clone(), value.clone())]);
    Ok((key, value))
}

/// `scenarios` actions.
#[derive(Debug, Subcommand)]
pub(crate) enum ScenariosAction {
    /// List the built-in scenarios.
    List,
    /// Print a scenario: what it holds, the event kinds it emits with their
    /// fields, its output schemas, then its file (the knobs, with sources).
    Show {
        /// A built-in name or a path to a .toml file.
        name: String,
    },
    /// Check a scenario file (syntax, keys, values, reference data) and say
    /// what it would run; errors name the file, the key and the reason.
    Validate {
        /// A path to a .toml file (or a built-in name).
        file: String,
    },
}

/// Options of `run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Scenario: a built-in name (see `storesim scenarios list`) or a path to a .toml file.
    #[arg(long, default_value = "chain")]
    pub(crate) scenario: String,
    /// Seed; the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Retired: `--schema apex` is `--scenario apex` (the Apex demo's
    /// output); a scenario's own `[output]` table reshapes its records.
    #[arg(long, default_value = "storesim", hide = true)]
    pub(crate) schema: String,
    /// First day, YYYY-MM-DD (each store runs whole local days in its own
    /// time zone), an RFC 3339 instant such as 2026-11-27T12:00:00Z (one
    /// UTC interval for all stores), or `now`. Default: 2026-11-23 at
    /// `--speed max`, now otherwise. A past start at a real-time speed is
    /// replayed at once and then continues live.
    #[arg(long)]
    pub(crate) start: Option<StartArg>,
    /// Number of days to simulate. Default: 1 at `--speed max`; without
    /// --days or --until a paced run goes on until stopped (Ctrl-C).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3660), conflicts_with = "until", allow_negative_numbers = true)]
    pub(crate) days: Option<u32>,
    /// `max` (as fast as possible), `realtime` (1), or a factor of real
    /// time such as 60 (one virtual hour per wall minute) or 0.5.
    #[arg(long, default_value = "max")]
    pub(crate) speed: SpeedArg,
    /// End of the run instead of --days: a date (exclusive, local days) or
    /// an RFC 3339 instant (exclusive, UTC); the same kind as --start.
    #[arg(long)]
    pub(crate) until: Option<StartArg>,
    /// Number of stores (default: the scenario's). Fewer than the reference
    /// data takes a stable subset; more adds stores.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000), allow_negative_numbers = true)]
    pub(crate) stores: Option<u64>,
    /// Number of items in the item master (default: the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000), allow_negative_numbers = true)]
    pub(crate) items: Option<u64>,
    /// Where events go; repeat for several sinks: null, stdout, files:DIR,
    /// csv:DIR (options: ?compression=zstd|gzip|none&level=N&max_events_per_file=N).
    /// Default: files:out?compression=zstd.
    #[arg(long = "sink", value_name = "SPEC")]
    pub(crate) sinks: Vec<String>,
    /// Replace earlier output in file sinks' directories.
    #[arg(long)]
    pub(crate) overwrite: bool,
    /// Keep the run's journal in FILE and continue the run it holds: the
    /// first run with FILE writes it; after a stop, a crash or a reboot the
    /// same command goes on from where each sink had got, with no gap, no
    /// duplicate and the clock where the stopped run's would be now
    /// (`--start now` means the stopped run's start). A finished run is
    /// not run again.
    #[arg(long, value_name = "FILE")]
    pub(crate) resume: Option<PathBuf>,
    /// A librdkafka property for Kafka sinks, key=value (repeatable):
    /// SASL, TLS, batch settings. Values are never printed.
    #[arg(long = "kafka-opt", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub(crate) kafka_opts: Vec<(String, String)>,
    /// A schema registry setting for Kafka sinks, key=value (repeatable),
    /// by the names Confluent's clients use: basic.auth.user.info=USER:PASS,
    /// basic.auth.credentials.source=USER_INFO|URL, ssl.ca.location=FILE.
    /// Values are never printed.
    #[arg(long = "registry-opt", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub(crate) registry_opts: Vec<(String, String)>,
    /// Simulate only shard K of N (1 <= K <= N), such as 2/4: the stores
    /// whose id hashes to K. N processes with the same arguments and
    /// K = 1..N together write exactly the unsharded run; shard 1 also
    /// writes the chain-wide item changes.
    #[arg(long, value_name = "K/N", default_value = "1/1")]
    pub(crate) shard: storesim_sim::Shard,
    /// Write the run's ground truth here (JSON): counts per kind and the
    /// scenario's reference aggregates, for `storesim verify`.
    #[arg(long, value_name = "FILE")]
    pub(crate) manifest: Option<PathBuf>,
    /// Serve the live view while the run goes on: a page at /, Prometheus
    /// metrics at /metrics, JSON at /api/status, per-second snapshots at
    /// /api/events. A port (8080) listens on loopback; HOST:PORT, such as
    /// 0.0.0.0:8080, wherever it says. After the run the view stays up
    /// until Ctrl-C.
    ///
    /// On loopback the view is open to this machine's users. On any other
    /// address it requires a token: STORESIM_SERVE_TOKEN, or one made at
    /// start and printed once (open /?token=TOKEN; scrapers send
    /// Authorization: Bearer TOKEN).
    #[arg(long, value_name = "[HOST:]PORT")]
    pub(crate) serve: Option<ServeArg>,
    /// A host name the live view answers to (repeatable), beyond loopback
    /// names, IP addresses and this machine's name: the Host header of any
    /// other request is refused, which stops DNS rebinding.
    #[arg(long, value_name = "NAME", requires = "serve")]
    pub(crate) serve_host: Vec<String>,
    /// Threads for store actors (default: the number of cores).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024), allow_negative_numbers = true)]
    pub(crate) threads: Option<u64>,
    /// Window of virtual time the stores simulate between merges, such as
    /// 15m or 1h. Never changes the output; longer is faster, shorter uses
    /// less memory.
    #[arg(long, default_value = "5m")]
    pub(crate) window: WindowArg,
    /// Windows a sink may have unconfirmed before the clock waits
    /// (default: 1 for files in a local directory, which are encoded on
    /// this machine's cores; 3 for the others, whose servers' round trips
    /// overlap with the next windows).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub(crate) max_windows_in_flight: Option<u64>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Options of `schemas`.
#[derive(Debug, Args)]
pub(crate) struct SchemasArgs {
    /// The kind (`scan`, `transaction`, ...; `storesim scenarios show X`
    /// lists a scenario's).
    pub(crate) kind: String,
    /// The schema language.
    #[arg(long, value_enum, default_value = "avro")]
    pub(crate) format: SchemaFormat,
    /// The kind as this scenario's mapping writes it (default: storesim's
    /// own record).
    #[arg(long)]
    pub(crate) scenario: Option<String>,
}

/// A schema language of `storesim schemas`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SchemaFormat {
    /// An Avro record schema (JSON).
    Avro,
    /// A Protobuf file (proto3).
    Protobuf,
    /// A JSON Schema (draft-07).
    #[value(name = "json_schema")]
    JsonSchema,
    /// The Parquet message type of the files sink's `format=parquet`.
    Parquet,
}

/// Options of `catalog`.
#[derive(Debug, Args)]
pub(crate) struct CatalogArgs {
    /// Scenario: a built-in name or a path to a .toml file.
    #[arg(long, default_value = "chain")]
    pub(crate) scenario: String,
    /// Output directory.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Number of stores (default: the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000), allow_negative_numbers = true)]
    pub(crate) stores: Option<u64>,
    /// Number of items (default: the scenario's).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000), allow_negative_numbers = true)]
    pub(crate) items: Option<u64>,
    /// Replace the catalog's files (stores.csv, the item tables, the
    /// model's own tables) if they are already there.
    #[arg(long)]
    pub(crate) overwrite: bool,
}

/// `--serve`: a port on loopback, or an explicit address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServeArg(pub(crate) std::net::SocketAddr);

impl FromStr for ServeArg {
    type Err = String;

    fn from_str(s: &str) -> Result<ServeArg, String> {
        if let Ok(port) = s.parse::<u16>() {
            return Ok(ServeArg(std::net::SocketAddr::from(([127, 0, 0, 1], port))));
        }
        s.parse()
            .map(ServeArg)
            .map_err(|_| format!("`{s}`: use a port (8080) or HOST:PORT (0.0.0.0:8080)"))
    }
}

/// `--speed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SpeedArg {
    /// As fast as possible.
    Max,
    /// This many times real time.
    Factor(f64),
}

impl FromStr for SpeedArg {
    type Err = String;

    fn from_str(s: &str) -> Result<SpeedArg, String> {
        match s {
            "max" => return Ok(SpeedArg::Max),
            "realtime" | "real-time" => return Ok(SpeedArg::Factor(1.0)),
            _ => {}
        }
        let number = s.strip_suffix('x').unwrap_or(s);
        match number.parse::<f64>() {
            // A thousandth of real time makes a virtual minute last 17
            // hours; slower releases nothing a demo would see.
            Ok(f) if f.is_finite() && (1e-3..=1e9).contains(&f) => Ok(SpeedArg::Factor(f)),
            _ => Err(format!(
                "`{s}`: use max, realtime, or a factor from 0.001 to 1000000000, such as 60"
            )),
        }
    }
}

/// Years an open-ended paced run may go on.
const OPEN_ENDED_DAYS: u32 = 36_500;

/// `--start`: a local date, a UTC instant, or now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartArg {
    /// Whole local days from this date.
    Date(NaiveDate),
    /// A UTC instant.
    Instant(SimTime),
    /// The wall clock at the start of the run.
    Now,
}

impl StartArg {
    /// The run span for `days` days, or up to `until`; `now` is the wall
    /// clock's UTC time, and no length at all means open-ended.
    pub(crate) fn span(
        self,
        days: Option<u32>,
        until: Option<StartArg>,
        now: SimTime,
    ) -> Result<RunSpan, String> {
        let this = match self {
            StartArg::Now => StartArg::Instant(SimTime(now.0 - now.0.rem_euclid(1000))),
            other => other,
        };
        let until = match until {
            Some(StartArg::Now) => Some(StartArg::Instant(now)),
            other => other,
        };
        let days = days.unwrap_or(if until.is_none() { OPEN_ENDED_DAYS } else { 1 });
        match (this, until) {
            (StartArg::Date(first), None) => Ok(RunSpan::LocalDays { first, days }),
            (StartArg::Instant(start), None) => Ok(RunSpan::Utc {
                start,
                end: start.plus_micros(i64::from(days) * storesim_sim::time::MICROS_PER_DAY),
            }),
            (StartArg::Date(first), Some(StartArg::Date(last))) => {
                let days = (last - first).num_days();
                if days < 1 {
                    return Err(format!("invalid value for '--until': {last} is not after --start {first}"));
                }
                Ok(RunSpan::LocalDays { first, days: u32::try_from(days).map_err(|_| "invalid value for '--until': too far".to_string())? })
            }
            (StartArg::Instant(start), Some(StartArg::Instant(end))) => {
                if end <= start {
                    return Err(format!("invalid value for '--until': {end} is not after --start {start}"));
                }
                Ok(RunSpan::Utc { start, end })
            }
            _ => Err("invalid value for '--until': give a date with a date --start, or an RFC 3339 time with an RFC 3339 --start".to_string()),
        }
    }
}

impl FromStr for StartArg {
    type Err = String;

    fn from_str(s: &str) -> Result<StartArg, String> {
        let bad = || {
            format!("`{s}` is not a date (YYYY-MM-DD) or an RFC 3339 time (2026-11-27T12:00:00Z)")
        };
        let in_range = |y: i32| (1970..=9000).contains(&y);
        if s == "now" {
            return Ok(StartArg::Now);
        }
        if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            use chrono::Datelike;
            return if in_range(date.year()) {
                Ok(StartArg::Date(date))
            } else {
                Err(format!("year {} is out of range (1970-9000)", date.year()))
            };
        }
        let dt = DateTime::parse_from_rfc3339(s).map_err(|_| bad())?;
        use chrono::Datelike;
        if !in_range(dt.year()) {
            return Err(format!("year {} is out of range (1970-9000)", dt.year()));
        }
        Ok(StartArg::Instant(SimTime::from_datetime(&dt)))
    }
}

/// `--window`: a positive duration of virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WindowArg(pub(crate) i64);

impl FromStr for WindowArg {
    type Err = String;

    fn from_str(s: &str) -> Result<WindowArg, String> {
        let d =
            humantime::parse_duration(s).map_err(|e| format!("`{s}`: {e} (use 15m, 1h, 30s)"))?;
        let us = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        if !(1_000_000..=storesim_sim::time::MICROS_PER_DAY).contains(&us) {
            return Err(format!("`{s}`: use between 1s and 24h"));
        }
        Ok(WindowArg(us))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_parses_dates_and_instants() {
        assert!(matches!(
            "2026-11-23".parse::<StartArg>(),
            Ok(StartArg::Date(_))
        ));
        assert!(matches!(
            "2026-11-23T06:00:00Z".parse::<StartArg>(),
            Ok(StartArg::Instant(_))
        ));
        assert!("2026-02-30".parse::<StartArg>().is_err());
        assert!("tomorrow".parse::<StartArg>().is_err());
        assert!("0001-01-01"
            .parse::<StartArg>()
            .unwrap_err()
            .contains("out of range"));
    }

    #[test]
    fn speed_parses() {
        assert_eq!("max".parse::<SpeedArg>(), Ok(SpeedArg::Max));
        assert_eq!("realtime".parse::<SpeedArg>(), Ok(SpeedArg::Factor(1.0)));
        assert_eq!("60x".parse::<SpeedArg>(), Ok(SpeedArg::Factor(60.0)));
        assert_eq!("0.5".parse::<SpeedArg>(), Ok(SpeedArg::Factor(0.5)));
        assert!("0".parse::<SpeedArg>().is_err());
        assert!("-2".parse::<SpeedArg>().is_err());
        assert!("fast".parse::<SpeedArg>().is_err());
    }

    #[test]
    fn now_and_open_ended_spans() {
        let now = SimTime(1_795_964_400_123_456);
        let RunSpan::Utc { start, end } = StartArg::Now.span(None, None, now).unwrap() else {
            panic!()
        };
        assert_eq!(start, SimTime(1_795_964_400_123_000));
        assert!(
            end.0 - start.0
                > 100 * 365 * storesim_sim::time::MICROS_PER_DAY
                    - storesim_sim::time::MICROS_PER_DAY * 30
        );
        let d = StartArg::Date(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(
            d.span(Some(7), None, now).unwrap(),
            RunSpan::LocalDays {
                first: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                days: 7
            }
        );
    }

    #[test]
    fn window_parses_durations() {
        assert_eq!("15m".parse::<WindowArg>().unwrap().0, 900_000_000);
        assert!("0s".parse::<WindowArg>().is_err());
        assert!("3d".parse::<WindowArg>().is_err());
        assert!("soon".parse::<WindowArg>().is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
