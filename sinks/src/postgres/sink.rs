//! The PostgreSQL sink: dimensions upserted once per run, facts appended
//! with binary COPY, one transaction per batch, retried through a lost
//! connection.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use storesim_sim::chain::{ItemChangeEvent, ScanEvent, TransactionEvent};
use storesim_sim::{Event, EventBatch, EventKind, SimTime, Stamped};
use tokio_postgres::Client;

use super::config::PostgresConfig;
use super::copy::*;
use super::schema::*;
use crate::encode::Encoder;
use crate::redact::{redact, redact_spec};
use crate::retry::Retry;
use crate::{DeliveryReport, Dimensions, Sink, SinkError};

/// Whether an error may go away by reconnecting and retrying: a lost or
/// refused connection, a server shutting down or starting up, a
/// serialization failure or deadlock.
pub(super) fn retriable(e: &tokio_postgres::Error) -> bool {
    match e.code() {
        None => true,
        Some(code) => {
            let c = code.code();
            c.starts_with("08")
                || c.starts_with("57P")
                || c == "40001"
                || c == "40P01"
                || c == "53300"
        }
    }
}

/// A PostgreSQL error as the cause of a sink error: its one-line
/// description (masked), with the error itself at hand.
#[derive(Debug)]
pub struct DbCause {
    text: String,
    error: tokio_postgres::Error,
}

impl DbCause {
    /// The error from the server or the connection.
    pub fn error(&self) -> &tokio_postgres::Error {
        &self.error
    }
}

impl std::fmt::Display for DbCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The description is the whole chain already (the server's message, or
/// the connection's error), so the chain stops here.
impl std::error::Error for DbCause {}

/// `doing` failed with `e`: retriable when reconnecting could mend it.
pub(super) fn db_error(sink: &str, doing: &str, e: tokio_postgres::Error) -> SinkError {
    SinkError::Delivery {
        sink: sink.to_string(),
        message: doing.to_string(),
        retriable: retriable(&e),
        source: Some(Box::new(DbCause {
            text: redact(&describe(&e)),
            error: e,
        })),
    }
}

pub(super) fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code()
        .is_some_and(|c| *c == tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

/// Writes to PostgreSQL.
pub struct PostgresSink {
    name: String,
    config: PostgresConfig,
    client: Option<Client>,
    /// What determines the events (see [`PostgresSink::open`]).
    stream: String,
    run_id: String,
    /// Spans of virtual time earlier runs of the same stream wrote, sorted
    /// and merged; read at the first batch.
    covered: Option<Vec<(SimTime, SimTime)>>,
    /// Events left out because an earlier run had written them.
    skipped: u64,
    report: DeliveryReport,
    encoder: Encoder,
}

impl std::fmt::Debug for PostgresSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSink")
            .field("name", &self.name)
            .field("schema", &self.config.schema)
            .field("stream", &self.stream)
            .finish()
    }
}

pub(super) fn sim_time(t: DateTime<Utc>) -> SimTime {
    SimTime(t.timestamp_micros())
}

/// Sorts and merges spans; touching spans join.
pub(super) fn merge_spans(mut spans: Vec<(SimTime, SimTime)>) -> Vec<(SimTime, SimTime)> {
    spans.sort_unstable();
    let mut merged: Vec<(SimTime, SimTime)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Whether `t` falls in one of the sorted, merged `spans`.
pub(super) fn is_covered(spans: &[(SimTime, SimTime)], t: SimTime) -> bool {
    let i = spans.partition_point(|s| s.1 <= t);
    spans.get(i).is_some_and(|s| s.0 <= t)
}

impl PostgresSink {
    /// Connects (a clear error if the server is unreachable or refuses the
    /// credentials), creates what is missing of the schema, and upserts
    /// the world's dimensions. The connection used for writing is opened
    /// on the sink's own runtime at the first batch.
    ///
    /// `stream` names what determines the events (scenario, seed, stores,
    /// span): runs with the same stream make the same events at the same
    /// virtual times whatever their window length, so a batch leaves out
    /// what the batch ledger says an earlier run of that stream wrote.
    pub fn open(
        raw: &str,
        config: PostgresConfig,
        kinds: &[EventKind],
        dimensions: Option<Dimensions<'_>>,
        stream: &str,
        encoder: Encoder,
    ) -> Result<PostgresSink, SinkError> {
        let name = redact_spec(raw);
        prepare(
            &name,
            &config,
            kinds,
            dimensions,
            InitOptions::default(),
            Some(stream),
            &encoder,
        )?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(PostgresSink {
            run_id: format!("{}-{nanos}", std::process::id()),
            stream: stream.to_string(),
            name,
            config,
            client: None,
            covered: None,
            skipped: 0,
            report: DeliveryReport::default(),
            encoder,
        })
    }

    /// One attempt at writing the batch in one transaction; `Ok` also when
    /// an earlier attempt had written it and only its answer was lost (the
    /// batch ledger says so).
    async fn attempt(
        &mut self,
        batch: &EventBatch,
        landing: &[Landing],
    ) -> Result<(), tokio_postgres::Error> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = Some(connect(&self.config).await?);
        }
        let client = self.client.as_mut().expect("connected above");
        let encoder = &self.encoder;
        if self.covered.is_none() {
            let rows = client
                .query(
                    "SELECT window_start, window_end FROM storesim_batches WHERE stream = $1",
                    &[&self.stream],
                )
                .await?;
            let spans = rows
                .iter()
                .map(|r| (sim_time(r.get(0)), sim_time(r.get(1))))
                .collect();
            self.covered = Some(merge_spans(spans));
        }
        let covered = self.covered.as_deref().unwrap_or_default();
        // Only a batch that overlaps an earlier run's spans is filtered.
        let first = covered.partition_point(|s| s.1 <= batch.start);
        let overlaps = covered.get(first).is_some_and(|s| s.0 < batch.end);
        let fresh = |s: &&Stamped| !overlaps || !is_covered(covered, s.at);
        let mut scans: Vec<&ScanEvent> = Vec::new();
        let mut txns: Vec<&TransactionEvent> = Vec::new();
        let mut changes: Vec<&ItemChangeEvent> = Vec::new();
        for s in batch.events.iter().filter(fresh) {
            match &s.event {
                Event::ItemChange(c) => changes.push(c),
                // Landing kinds (and mapped scans and receipts), below.
                e if is_landing(e.kind(), encoder) => {}
                Event::Scan(e) => scans.push(e),
                Event::Transaction(t) => txns.push(t),
                _ => {}
            }
        }
        // The landing rows of the fresh events, kind by kind.
        let mut landed = 0usize;
        let bodies: Vec<(&LandingTable, Vec<u8>)> = landing
            .iter()
            .map(|l| {
                let mut body = Vec::with_capacity(l.rows.bytes.len());
                for (i, &at) in l.events.iter().enumerate() {
                    if !overlaps || !is_covered(covered, at) {
                        let row = l.rows.range(i, i + 1);
                        // Without the leading `kind,` column of storesim's rows.
                        let skip = if l.table.mapped {
                            0
                        } else {
                            l.table.kind.as_str().len() + 1
                        };
                        body.extend_from_slice(&row[skip..]);
                        landed += 1;
                    }
                }
                (&l.table, body)
            })
            .collect();
        let events = (scans.len() + txns.len() + changes.len() + landed) as i64;
        let (start, end) = (batch.start.to_datetime(), batch.end.to_datetime());
        let tx = client.transaction().await?;
        let done = tx
            .query_opt(
                "SELECT 1 FROM storesim_batches
                 WHERE stream = $1 AND window_start = $2 AND window_end = $3",
                &[&self.stream, &start, &end],
            )
            .await?;
        // A batch an earlier run wrote entirely leaves no ledger row.
        if done.is_none() && events > 0 {
            // The item master first, statement by statement in event order,
            // so a logical replication slot sees them as the events say.
            apply_item_changes(&tx, &changes, encoder).await?;
            let direct = async {
                tx.batch_execute("SAVEPOINT copy").await?;
                copy_scans(&tx, "scans", &scans).await?;
                copy_transactions(&tx, "transactions", &txns).await
            }
            .await;
            match direct {
                Ok(()) => {}
                Err(e) if is_unique_violation(&e) => {
                    // With `db init --keys`, rows another stream wrote under
                    // the same ids: keep them, add only what is missing.
                    tx.batch_execute("ROLLBACK TO SAVEPOINT copy").await?;
                    // Only the tables this batch writes (a scenario may
                    // have one of them, or map it elsewhere).
                    for (table, rows) in [("scans", scans.len()), ("transactions", txns.len())] {
                        if rows > 0 {
                            tx.batch_execute(&format!(
                                "CREATE TEMP TABLE IF NOT EXISTS {table}_stage (LIKE {table}) ON COMMIT DELETE ROWS"
                            ))
                            .await?;
                        }
                    }
                    copy_scans(&tx, "scans_stage", &scans).await?;
                    copy_transactions(&tx, "transactions_stage", &txns).await?;
                    for (table, rows) in [("scans", scans.len()), ("transactions", txns.len())] {
                        if rows > 0 {
                            tx.batch_execute(&format!(
                                "INSERT INTO {table} SELECT * FROM {table}_stage ON CONFLICT DO NOTHING"
                            ))
                            .await?;
                        }
                    }
                }
                Err(e) => return Err(e),
            }
            for (table, body) in &bodies {
                copy_csv(
                    &tx,
                    &table.table,
                    &table.column_list(),
                    &table.never_null,
                    body,
                )
                .await?;
            }
            tx.execute(
                "INSERT INTO storesim_batches (stream, window_start, window_end, run_id, events)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&self.stream, &start, &end, &self.run_id, &events],
            )
            .await?;
        }
        tx.commit().await?;
        self.skipped += batch.events.len() as u64 - events as u64;
        Ok(())
    }
}

/// A tokio-postgres error with the server's message, on one line.
pub fn describe(e: &tokio_postgres::Error) -> String {
    let text = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    };
    text.replace('\n', " ")
}

#[async_trait]
impl Sink for PostgresSink {
    fn name(&self) -> &str {
        &self.name
    }

    /// Writes the batch in one transaction; a lost connection is retried
    /// with backoff (the scheduler waits meanwhile) until `retry_timeout`.
    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        if batch.events.is_empty() {
            return Ok(());
        }
        let landing = encode_landing(batch, &self.encoder).map_err(|e| SinkError::Encode {
            sink: self.name.clone(),
            message: e.to_string(),
        })?;
        let mut attempts = Retry::within(self.config.retry_timeout).start("a batch");
        loop {
            match self.attempt(batch, &landing).await {
                Ok(()) => {
                    self.report.add_batch(batch);
                    return Ok(());
                }
                Err(e) => {
                    // A new connection for the next attempt.
                    self.client = None;
                    attempts
                        .after(db_error(&self.name, "cannot write a batch", e))
                        .await?;
                }
            }
        }
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        self.client = None;
        if self.skipped > 0 {
            tracing::info!(
                sink = %self.name,
                events = self.skipped,
                "Left out events an earlier run of the same scenario, seed and start had written."
            );
        }
        Ok(self.report)
    }

    fn report(&self) -> DeliveryReport {
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(a: i64, b: i64) -> (SimTime, SimTime) {
        (SimTime(a), SimTime(b))
    }

    #[test]
    fn spans_merge_and_cover_half_open() {
        let spans = merge_spans(vec![span(30, 40), span(0, 10), span(10, 20), span(35, 50)]);
        assert_eq!(spans, [span(0, 20), span(30, 50)]);
        let covered: Vec<i64> = (0..60)
            .filter(|&t| is_covered(&spans, SimTime(t)))
            .collect();
        let expected: Vec<i64> = (0..20).chain(30..50).collect();
        assert_eq!(covered, expected);
        assert!(!is_covered(&[], SimTime(5)));
    }
}
