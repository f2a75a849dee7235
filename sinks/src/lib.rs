//! storesim sinks: where events go.
//!
//! A [`Sink`] receives [`EventBatch`]es (one per window, already ordered by
//! `(ts, store, seq)`), writes them, and on [`Sink::close`] flushes and says
//! what it delivered. A sink knows events and batches, never stores or queues.
//!
//! Sinks are named by a spec string, parsed by [`SinkSpec`]:
//!
//! | spec | what |
//! |---|---|
//! | `null` | counts and discards (measures the engine without I/O) |
//! | `stdout` | JSON lines on standard output |
//! | `files:DIR[?compression=zstd\|gzip\|none&level=N&max_events_per_file=N&overwrite=true]` | JSON lines under `DIR/kind=scan/date=2026-11-27/` |
//! | `csv:DIR[?...]` | the same layout, as CSV with a header |
//! | `kafka://HOST:PORT[,HOST:PORT][?...]` | one topic per kind, key = store id, JSON values |
//!
//! # Guarantees
//!
//! - Events are written in the order given.
//! - Every event handed to [`Sink::write`] is counted as delivered or
//!   failed; [`Sink::close`] returns the final [`DeliveryReport`].
//! - The files sink writes each part under a hidden in-progress name and
//!   renames it when complete; `_SUCCESS` marks a complete run.

pub mod avro;
pub mod debezium;
pub mod encode;
pub mod files;
pub mod filter;
pub mod json_schema;
pub mod kafka;
pub mod manifest;
pub mod memory;
pub mod null;
pub mod output;
pub mod parquet;
pub mod postgres;
pub mod protobuf;
pub mod redact;
pub mod registry;
pub mod resume;
pub mod retry;
pub mod shape;
pub mod spec;
pub mod stdout;

/// What the unit tests encode: a store's first 14 hours of 2026-11-24 in
/// the test world.
#[cfg(test)]
pub(crate) fn chain_morning() -> Vec<storesim_sim::Stamped> {
    use storesim_sim::time::MICROS_PER_HOUR;
    use storesim_sim::{testing, ChainStore, RunSpan};
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
    let mut m = ChainStore::new(
        testing::world(),
        0,
        1,
        RunSpan::LocalDays { first, days: 1 },
    );
    let mut events = Vec::new();
    m.advance(m.span().0.plus_micros(14 * MICROS_PER_HOUR), &mut events);
    events
}

use async_trait::async_trait;
use storesim_sim::{EventBatch, EventKind, SimTime};

pub use encode::Encoder;
pub use spec::{SinkKind, SinkSpec};

/// Errors from sinks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// The sink spec cannot be used. Fatal.
    #[error("sink `{spec}`: {message}")]
    Spec {
        /// The spec as given.
        spec: String,
        /// What is wrong.
        message: String,
    },
    /// A file or directory operation failed. Fatal.
    #[error("sink {sink}: {path}: {source}")]
    Io {
        /// The sink's name.
        sink: String,
        /// The path involved.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The reader of standard output went away (a closed pipe). Not an
    /// error for the user: the run stops quietly.
    #[error("sink {sink}: broken pipe")]
    BrokenPipe {
        /// The sink's name.
        sink: String,
    },
    /// Events could not be delivered (a broker refused them, or their
    /// retries timed out). Fatal once returned from a sink; the report
    /// counts them as failed.
    #[error("sink {sink}: {message}")]
    Delivery {
        /// The sink's name.
        sink: String,
        /// What failed (secrets masked).
        message: String,
        /// Whether trying again could succeed (a lost connection, a server
        /// restarting): what [`retry::Attempts`] acts on.
        retriable: bool,
        /// The cause, when there is an error object behind the message (its
        /// text is masked too).
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// An event could not be encoded. Fatal.
    #[error("sink {sink}: cannot encode an event: {message}")]
    Encode {
        /// The sink's name.
        sink: String,
        /// The encoder's message.
        message: String,
    },
}

impl SinkError {
    /// A delivery failure of `sink` that no retry mends.
    pub fn delivery(sink: impl Into<String>, message: impl Into<String>) -> SinkError {
        SinkError::Delivery {
            sink: sink.into(),
            message: message.into(),
            retriable: false,
            source: None,
        }
    }

    /// Whether retrying the same operation could succeed.
    pub fn is_retriable(&self) -> bool {
        match self {
            SinkError::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::Interrupted
                    | std::io::ErrorKind::WouldBlock
                    | std::io::ErrorKind::TimedOut
            ),
            SinkError::Delivery { retriable, .. } => *retriable,
            _ => false,
        }
    }
}

/// What a sink delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Events delivered, by [`EventKind::index`].
    pub delivered: [u64; EventKind::ALL.len()],
    /// Events handed to the sink and not delivered.
    pub failed: u64,
    /// Events of kinds the sink does not take (`?kinds=`): not its to deliver.
    pub other_kinds: u64,
    /// Events a resumed run left out because the stopped run had
    /// delivered them.
    pub resumed: u64,
    /// Bytes written (after compression, where the sink compresses).
    pub bytes: u64,
    /// Microseconds the run spent inside the sink (writing and closing):
    /// its throughput is `delivered / busy`. Set by the sink actor.
    pub busy_us: u64,
}

impl DeliveryReport {
    /// All events delivered.
    pub fn delivered_total(&self) -> u64 {
        self.delivered.iter().sum()
    }

    /// Of `total` events a run made, how many this sink should have and
    /// did not deliver.
    pub fn undelivered(&self, total: u64) -> u64 {
        self.failed
            + total
                .saturating_sub(self.other_kinds)
                .saturating_sub(self.resumed)
                .saturating_sub(self.delivered_total())
    }

    /// Counts a batch as delivered.
    pub fn add_batch(&mut self, batch: &EventBatch) {
        for (slot, n) in self.delivered.iter_mut().zip(batch.counts()) {
            *slot += n;
        }
    }
}

/// Unconfirmed windows a sink may have, unless it or the run says
/// otherwise ([`Sink::windows_in_flight`]).
pub const WINDOWS_IN_FLIGHT: usize = 3;

/// A destination for events.
///
/// Methods are async so network sinks (Kafka, PostgreSQL) can await
/// delivery; file sinks do blocking I/O on the sink's own thread.
#[async_trait]
pub trait Sink: Send {
    /// The sink's name for messages (its spec, secrets removed).
    fn name(&self) -> &str;

    /// Writes a batch, in order.
    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError>;

    /// Pushes buffered events out.
    async fn flush(&mut self) -> Result<(), SinkError>;

    /// Flushes, finishes every file or connection, and returns the final report.
    async fn close(&mut self) -> Result<DeliveryReport, SinkError>;

    /// What has been delivered so far.
    fn report(&self) -> DeliveryReport;

    /// Windows it may have unconfirmed before the clock waits for it, when
    /// the run does not say ([`WINDOWS_IN_FLIGHT`] by default). A sink
    /// that waits on a server overlaps its round trips with the next
    /// windows; one that encodes on this machine's cores gains nothing
    /// from windows queued for it, which only hold memory.
    fn windows_in_flight(&self) -> usize {
        WINDOWS_IN_FLIGHT
    }

    /// After a write returned: how far the sink holds everything it was
    /// given, and what it needs to know to resume from there. `None`: all
    /// it was given up to the end of the last batch (the default).
    fn checkpoint(&self) -> Option<Checkpoint> {
        None
    }

    /// Prepares to continue a stopped run of the same stream, before the
    /// first write. `from` is the sink's last checkpoint (or the run's
    /// start) and `state` what the checkpoint recorded. Returns the virtual
    /// time from which it must be given the events again: `from` (the
    /// default), earlier if it dropped what it could not trust (a files
    /// sink's unfinished day), or the run's start if it needs all of them
    /// (a manifest).
    fn resume(&mut self, from: SimTime, state: &serde_json::Value) -> Result<SimTime, SinkError> {
        let _ = state;
        Ok(from)
    }
}

/// How far a sink holds everything it was given, for a resumed run.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Every event released before this virtual time is delivered.
    pub until: SimTime,
    /// What the sink needs to resume from `until` (JSON; `Null` if nothing).
    pub state: serde_json::Value,
}

/// What every sink of a run shares: what it needs of the scenario, never
/// the world itself.
#[derive(Debug, Clone)]
pub struct RunContext<'a> {
    /// The scenario's name, for messages.
    pub scenario: &'a str,
    /// The kinds the run emits, in [`EventKind::ALL`] order; each one's
    /// schema is [`EventKind::schema`].
    pub kinds: &'a [EventKind],
    /// The dimension tables, for a model that sells from an item master
    /// (PostgreSQL loads them).
    pub dimensions: Option<Dimensions<'a>>,
    /// How long after its time an event may still arrive (late deliveries):
    /// the files sink keeps a day open that long.
    pub grace_us: i64,
    /// What determines the run's events (scenario digest, seed, stores,
    /// span): the PostgreSQL sink's batch ledger uses it to leave out what
    /// an earlier run wrote.
    pub stream: &'a str,
    /// The schema events are written in.
    pub encoder: Encoder,
}

/// A scenario's dimension tables, as rows.
#[derive(Debug, Clone, Copy)]
pub struct Dimensions<'a> {
    /// The stores.
    pub stores: &'a [storesim_sim::catalog::Store],
    /// The item categories.
    pub categories: &'a [storesim_sim::catalog::Category],
    /// The item master.
    pub items: &'a [storesim_sim::catalog::Item],
}

/// Opens the sink a spec names.
pub fn open(spec: &SinkSpec, run: &RunContext<'_>) -> Result<Box<dyn Sink>, SinkError> {
    let sink = open_kind(spec, run)?;
    let Some(kinds) = &spec.kinds else {
        return Ok(sink);
    };
    let emitted = run.kinds;
    if let Some(k) = kinds.iter().find(|k| !emitted.contains(k)) {
        let names: Vec<&str> = emitted.iter().map(|k| k.as_str()).collect();
        return Err(SinkError::Spec {
            spec: spec.to_string(),
            message: format!(
                "kinds: scenario {} emits no `{k}` (it emits {})",
                run.scenario,
                names.join(", ")
            ),
        });
    }
    Ok(Box::new(filter::KindFilter::new(sink, kinds)))
}

fn open_kind(spec: &SinkSpec, run: &RunContext<'_>) -> Result<Box<dyn Sink>, SinkError> {
    let encoder = run.encoder.clone();
    Ok(match &spec.kind {
        SinkKind::Null => Box::new(null::NullSink::new(spec.to_string())),
        SinkKind::Stdout => {
            Box::new(stdout::StdoutSink::new(spec.to_string()).with_encoder(encoder))
        }
        SinkKind::Files(config) => Box::new(
            files::FilesSink::open(spec.to_string(), config.clone())?
                .with_encoder(encoder)
                .with_grace(run.grace_us),
        ),
        SinkKind::Kafka(config) => Box::new(kafka::KafkaSink::open(
            spec.to_string(),
            config.clone(),
            run.kinds,
            encoder,
        )?),
        SinkKind::Postgres(config) => Box::new(postgres::PostgresSink::open(
            &spec.to_string(),
            config.clone(),
            run.kinds,
            run.dimensions,
            run.stream,
            encoder,
        )?),
    })
}
