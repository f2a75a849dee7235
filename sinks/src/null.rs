//! The null sink: counts events and drops them (vector's `blackhole`).

use async_trait::async_trait;
use storesim_sim::EventBatch;

use crate::{DeliveryReport, Sink, SinkError};

/// Counts and discards.
#[derive(Debug)]
pub struct NullSink {
    name: String,
    report: DeliveryReport,
}

impl NullSink {
    /// A null sink.
    pub fn new(name: String) -> NullSink {
        NullSink {
            name,
            report: DeliveryReport::default(),
        }
    }
}

#[async_trait]
impl Sink for NullSink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        self.report.add_batch(batch);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        Ok(self.report)
    }

    fn report(&self) -> DeliveryReport {
        self.report
    }
}
