//! `?kinds=`: a sink that takes only some event kinds (the e-commerce
//! kinds to Kafka, the in-store kinds to PostgreSQL, ...).

use async_trait::async_trait;
use storesim_sim::{EventBatch, EventKind};

use crate::{DeliveryReport, Sink, SinkError};

/// Passes the events of `kinds` to the sink it wraps; the others are not
/// this sink's, so they are neither delivered nor failed here.
pub struct KindFilter {
    inner: Box<dyn Sink>,
    take: [bool; EventKind::ALL.len()],
    other_kinds: u64,
}

impl KindFilter {
    /// `inner`, given only the events of `kinds`.
    pub fn new(inner: Box<dyn Sink>, kinds: &[EventKind]) -> KindFilter {
        let mut take = [false; EventKind::ALL.len()];
        for k in kinds {
            take[k.index()] = true;
        }
        KindFilter {
            inner,
            take,
            other_kinds: 0,
        }
    }
}

#[async_trait]
impl Sink for KindFilter {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn windows_in_flight(&self) -> usize {
        self.inner.windows_in_flight()
    }

    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        let take = &self.take;
        if batch.events.iter().all(|s| take[s.event.kind().index()]) {
            return self.inner.write(batch).await;
        }
        let mine = EventBatch {
            start: batch.start,
            end: batch.end,
            events: batch
                .events
                .iter()
                .filter(|s| take[s.event.kind().index()])
                .cloned()
                .collect(),
        };
        self.other_kinds += (batch.events.len() - mine.events.len()) as u64;
        self.inner.write(&mine).await
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.inner.flush().await
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        let mut report = self.inner.close().await?;
        report.other_kinds = self.other_kinds;
        Ok(report)
    }

    fn report(&self) -> DeliveryReport {
        DeliveryReport {
            other_kinds: self.other_kinds,
            ..self.inner.report()
        }
    }

    fn checkpoint(&self) -> Option<crate::Checkpoint> {
        self.inner.checkpoint()
    }

    fn resume(
        &mut self,
        from: storesim_sim::SimTime,
        state: &serde_json::Value,
    ) -> Result<storesim_sim::SimTime, SinkError> {
        self.inner.resume(from, state)
    }
}
