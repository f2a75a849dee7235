//! storesim: generate realistic retail point-of-sale data.
//!
//! The binary parses, wires and reports; the simulation lives in the
//! `storesim-sim`, `storesim-actors`, `storesim-scenarios` and
//! `storesim-sinks` crates.

mod cli;
mod cmd;
mod journal;
mod live;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use storesim_actors::{
    Clock, Pacing, Progress, RunConfig, RunError, RunSummary, StopSignal, SystemClock,
};
use storesim_scenarios::{Overrides, Scenario, BUILTINS};
use storesim_sim::EventKind;
use storesim_sinks::redact::redact;
use storesim_sinks::{SinkError, SinkKind, SinkSpec};

use cli::{
    CatalogArgs, Cli, Command, DbAction, DbInitArgs, KafkaAction, ManifestAction, RunArgs,
    ScenariosAction, SpeedArg, StartArg, VerifyArgs,
};
use journal::{Journal, JournalWriter};

/// mimalloc: events are allocated on the store threads and freed on the
/// merge's and the sinks' (boxed receipts, per-window vectors), where
/// glibc's malloc and free took 8% of a run; with mimalloc a run is about
/// 15% faster (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (the same in its v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Returns freed memory to the system at once instead of after 10 ms: a
/// window's vectors are large and short-lived, and holding them raised
/// the peak memory of 10,000 stores by 15% for a 2% gain.
fn tune_allocator() {
    // SAFETY: sets one integer option; mimalloc allows it at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

/// Standard error with every secret masked: the log's writer (the
/// formatter hands it one whole line at a time).
struct RedactedStderr;

impl std::io::Write for RedactedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = redact(&String::from_utf8_lossy(buf));
        std::io::stderr().write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Why the process stops early.
enum Failure {
    /// Bad input: a flag, a scenario, a sink spec. Exit code 2.
    Input(anyhow::Error),
    /// The run failed. Exit code 1.
    Runtime(anyhow::Error),
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            // One line: clap's first line names the flag and the problem;
            // a missing argument is named on the lines after it.
            let text = e.render().to_string();
            let mut first = text
                .lines()
                .next()
                .unwrap_or("error: invalid arguments")
                .to_string();
            if e.kind() == ErrorKind::MissingRequiredArgument {
                let missing: Vec<&str> = text
                    .lines()
                    .skip(1)
                    .map(str::trim)
                    .take_while(|l| !l.is_empty())
                    .collect();
                first = format!("{} {}", first.trim_end(), missing.join(", "));
            }
            // A value refused for a flag that takes secrets is not echoed.
            use clap::error::{ContextKind, ContextValue};
            let secret_flag = matches!(
                e.get(ContextKind::InvalidArg),
                Some(ContextValue::String(arg)) if arg.starts_with("--kafka-opt") || arg.starts_with("--registry-opt") || arg.starts_with("--sink")
            );
            if let (true, Some(ContextValue::String(value))) =
                (secret_flag, e.get(ContextKind::InvalidValue))
            {
                first = first.replace(&format!("'{value}'"), "'***'");
            }
            eprintln!("{}", redact(&first));
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(|| RedactedStderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // librdkafka reports every failed connection attempt at error
                // level, many times a second; the sink's own error says it once.
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new("warn,librdkafka=off,rdkafka=off")
                }),
        )
        .init();
    let result = match cli.command {
        Command::Run(args) => run(*args),
        Command::Scenarios { action } => scenarios(action),
        Command::Catalog(args) => catalog(args),
        Command::Kafka { action } => kafka(action),
        Command::Manifest {
            action: ManifestAction::Merge { files, out },
        } => manifest_merge(&files, out.as_deref()),
        Command::Manifest {
            action:
                ManifestAction::Csv {
                    file,
                    out,
                    overwrite,
                },
        } => manifest_csv(&file, &out, overwrite),
        Command::Verify(args) => verify(args),
        Command::Schemas(args) => cmd::schemas::schemas(args),
        Command::Db {
            action: DbAction::Init(args),
        } => db_init(args),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Input(e)) => {
            eprintln!("error: {}", redact(&format!("{e:#}")));
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("error: {}", redact(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

use cmd::catalog::*;
use cmd::db::*;
use cmd::kafka::*;
use cmd::report::*;
use cmd::run::*;
use cmd::scenarios::*;
use cmd::serve::*;
use cmd::verify::*;

fn input<T, E: Into<anyhow::Error>>(r: Result<T, E>) -> Result<T, Failure> {
    r.map_err(|e| Failure::Input(e.into()))
}

/// The environment variable that sets the wall clock a run reads.
const NOW_VAR: &str = "STORESIM_NOW";

/// The wall clock: the system's, or, with `STORESIM_NOW` set to an RFC 3339
/// instant, one that reads that instant at the start and ticks in real
/// time from there (to rehearse a live demo of a given moment, and for the
/// tests that run at fixed instants: Thanksgiving, the daylight-saving
/// hours, New Year's Eve).
fn wall_clock() -> Result<SystemClock, Failure> {
    match std::env::var(NOW_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(SystemClock::new()),
        Ok(text) if text.is_empty() => Ok(SystemClock::new()),
        Ok(text) => {
            let at = chrono::DateTime::parse_from_rfc3339(&text).map_err(|_| {
                Failure::Input(anyhow::anyhow!(
                    "{NOW_VAR}: `{text}` is not an RFC 3339 time (2026-11-27T12:00:00Z)"
                ))
            })?;
            Ok(SystemClock::starting_at(storesim_sim::SimTime(
                at.timestamp_micros(),
            )))
        }
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::Input(anyhow::anyhow!(
            "{NOW_VAR} is not valid UTF-8"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(vec![
                "run",
                "scenarios",
                "list",
                "show",
                "validate",
                "catalog",
                "kafka",
                "check",
                "tail",
                "manifest",
                "merge",
                "csv",
                "verify",
                "db",
                "init",
                "--scenario",
                "--seed",
                "--speed",
                "--start",
                "--days",
                "--until",
                "--stores",
                "--items",
                "--sink",
                "--schema",
                "--overwrite",
                "--kafka-opt",
                "--registry-opt",
                "--shard",
                "--manifest",
                "--serve",
                "--serve-host",
                "--threads",
                "--window",
                "--max-windows-in-flight",
                "--quiet",
                "--resume",
                "--out",
                "--postgres",
                "--files",
                "--query-file",
                "-o",
                "max",
                "realtime",
                "now",
                "0",
                "-1",
                "1e308",
                "nan",
                "inf",
                "2/1",
                "0/0",
                "1/1",
                "2026-02-30",
                "2026-11-27",
                "2026-11-27T15:00:00Z",
                "5m",
                "0s",
                "99999y",
                "null",
                "files:",
                "kafka://",
                "=",
                "a=b",
                "chain",
                "apex",
                "storesim",
                "::",
                "",
            ])
            .prop_map(String::from),
            "[ -~]{0,10}".prop_map(String::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Any command line parses or is refused by the parser: never a
        /// panic (what an accepted one does is the CLI tests' to check).
        #[test]
        fn any_command_line_parses_or_is_refused(args in proptest::collection::vec(word(), 0..8)) {
            let _ = Cli::try_parse_from(std::iter::once("storesim".to_string()).chain(args));
        }
    }

    #[test]
    fn windows_shrink_to_the_memory_budget_or_the_run_is_refused() {
        let five_min = 300_000_000;
        // 1000 stores of the chain: about 15 million events an hour.
        assert_eq!(fit_window(five_min, 15e6, 1000).unwrap(), five_min);
        // Ten times that fills 5 minutes with 12.5 million: still in.
        assert_eq!(fit_window(five_min, 150e6, 10_000).unwrap(), five_min);
        // A hundred times: whole seconds that hold at most the budget.
        let fit = fit_window(five_min, 1.5e9, 100_000).unwrap();
        assert_eq!(fit, 38_000_000);
        assert!(1.5e9 * fit as f64 / 3.6e9 <= WINDOW_EVENTS as f64);
        // More than the budget a second: refused, naming the key.
        let e = fit_window(five_min, 1e12, 1_000_000)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("traffic.baskets_per_day") && e.contains("1000000 stores"),
            "{e}"
        );
        assert!(fit_window(five_min, f64::INFINITY, 1).is_err());
    }
}
