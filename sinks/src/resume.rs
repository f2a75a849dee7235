//! Resuming a stopped run (`run --resume`): a wrapper that leaves out what
//! the stopped run had delivered and keeps each sink's latest checkpoint
//! for the run's journal.
//!
//! A run is a function of its stream (scenario, seed, start, stores), so a
//! resumed run makes the stopped run's events again from the start; each
//! sink is given only the events from its checkpoint on (or from where the
//! sink says it must start again), and the sinks that can hold a few
//! events past their checkpoint (Kafka, PostgreSQL) leave those out
//! themselves.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use storesim_sim::{EventBatch, SimTime};

use crate::{Checkpoint, DeliveryReport, Sink, SinkError};

/// A sink of a journaled run: leaves out the events before `from` and
/// records the sink's checkpoint after every write.
pub struct Resumed {
    inner: Box<dyn Sink>,
    from: SimTime,
    left_out: u64,
    checkpoint: Arc<Mutex<Checkpoint>>,
}

impl std::fmt::Debug for Resumed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resumed")
            .field("sink", &self.inner.name())
            .field("from", &self.from)
            .finish()
    }
}

impl Resumed {
    /// Wraps `inner` for a run starting at `start`. With `stopped` (the
    /// sink's checkpoint in the stopped run's journal) the sink is resumed
    /// from it first. Returns the wrapper and its checkpoint, kept current.
    pub fn new(
        mut inner: Box<dyn Sink>,
        start: SimTime,
        stopped: Option<&Checkpoint>,
    ) -> Result<(Resumed, Arc<Mutex<Checkpoint>>), SinkError> {
        let (from, state) = match stopped {
            Some(cp) => {
                let from = inner.resume(cp.until, &cp.state)?;
                // A sink that starts again earlier has dropped what the
                // state described.
                let state = if from == cp.until {
                    cp.state.clone()
                } else {
                    serde_json::Value::Null
                };
                (from, state)
            }
            None => (start, serde_json::Value::Null),
        };
        let checkpoint = Arc::new(Mutex::new(Checkpoint { until: from, state }));
        Ok((
            Resumed {
                inner,
                from,
                left_out: 0,
                checkpoint: Arc::clone(&checkpoint),
            },
            checkpoint,
        ))
    }

    fn record(&self, batch_end: SimTime) {
        let mut current = self.checkpoint.lock().unwrap_or_else(|e| e.into_inner());
        match self.inner.checkpoint() {
            Some(cp) if cp.until > current.until => *current = cp,
            Some(_) => {}
            None if batch_end > current.until => {
                *current = Checkpoint {
                    until: batch_end,
                    state: serde_json::Value::Null,
                }
            }
            None => {}
        }
    }
}

#[async_trait]
impl Sink for Resumed {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn windows_in_flight(&self) -> usize {
        self.inner.windows_in_flight()
    }

    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        if batch.start >= self.from {
            self.inner.write(batch).await?;
        } else {
            let from = self.from;
            let events: Vec<_> = batch
                .events
                .iter()
                .filter(|s| s.at >= from)
                .cloned()
                .collect();
            self.left_out += (batch.events.len() - events.len()) as u64;
            if batch.end <= from {
                // Wholly before: the stopped run wrote it.
                return Ok(());
            }
            let rest = EventBatch {
                start: from,
                end: batch.end,
                events,
            };
            self.inner.write(&rest).await?;
        }
        self.record(batch.end);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.inner.flush().await
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        let mut report = self.inner.close().await?;
        report.resumed += self.left_out;
        Ok(report)
    }

    fn report(&self) -> DeliveryReport {
        let mut report = self.inner.report();
        report.resumed += self.left_out;
        report
    }

    fn checkpoint(&self) -> Option<Checkpoint> {
        Some(
            self.checkpoint
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemorySink;
    use storesim_sim::time::MICROS_PER_HOUR;
    use storesim_sim::{testing, ChainStore, RunSpan, Stamped};

    /// A store's first `hours` of events.
    fn events(hours: i64) -> (SimTime, Vec<Stamped>) {
        let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let mut m = ChainStore::new(
            testing::world(),
            0,
            1,
            RunSpan::LocalDays { first, days: 2 },
        );
        let mut out = Vec::new();
        let start = m.span().0;
        m.advance(start.plus_micros(hours * MICROS_PER_HOUR), &mut out);
        (start, out)
    }

    #[tokio::test]
    async fn a_resumed_sink_gets_only_what_follows_its_checkpoint() {
        let (start, events) = events(12);
        let n = events.len();
        assert!(n > 100, "{n}");
        let cut = events[n / 3].at;
        let (memory, got) = MemorySink::new("m");
        let stopped = Checkpoint {
            until: cut,
            state: serde_json::json!({"kept": true}),
        };
        let (mut sink, checkpoint) = Resumed::new(Box::new(memory), start, Some(&stopped)).unwrap();
        assert_eq!(*checkpoint.lock().unwrap(), stopped);
        // Windows of an hour: the first ones wholly before the cut.
        let mut from = start;
        while from < events[n - 1].at {
            let end = from.plus_micros(MICROS_PER_HOUR);
            let batch = EventBatch {
                start: from,
                end,
                events: events
                    .iter()
                    .filter(|s| s.at >= from && s.at < end)
                    .cloned()
                    .collect(),
            };
            sink.write(&batch).await.unwrap();
            let until = checkpoint.lock().unwrap().until;
            assert_eq!(until, end.max(cut), "the checkpoint follows the writes");
            from = end;
        }
        let report = sink.close().await.unwrap();
        let want: Vec<Stamped> = events.iter().filter(|s| s.at >= cut).cloned().collect();
        assert_eq!(got.events(), want);
        assert_eq!(report.resumed as usize, n - want.len());
        assert_eq!(report.undelivered(n as u64), 0);
    }
}
