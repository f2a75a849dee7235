//! The stdout sink: every event as a JSON line on standard output.

use std::io::Write;

use async_trait::async_trait;
use storesim_sim::EventBatch;

use crate::encode::Encoder;
use crate::{DeliveryReport, Sink, SinkError};

/// Writes JSON lines to stdout.
#[derive(Debug)]
pub struct StdoutSink {
    name: String,
    report: DeliveryReport,
    buf: Vec<u8>,
    encoder: Encoder,
}

impl StdoutSink {
    /// Writes events in `encoder`'s schema (storesim's by default).
    pub fn with_encoder(mut self, encoder: Encoder) -> Self {
        self.encoder = encoder;
        self
    }

    /// A stdout sink.
    pub fn new(name: String) -> StdoutSink {
        StdoutSink {
            name,
            report: DeliveryReport::default(),
            encoder: Encoder::default(),
            buf: Vec::with_capacity(1 << 20),
        }
    }

    fn io(&self, source: std::io::Error) -> SinkError {
        if source.kind() == std::io::ErrorKind::BrokenPipe {
            SinkError::BrokenPipe {
                sink: self.name.clone(),
            }
        } else {
            SinkError::Io {
                sink: self.name.clone(),
                path: "<stdout>".into(),
                source,
            }
        }
    }
}

#[async_trait]
impl Sink for StdoutSink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        let mut out = std::io::stdout().lock();
        let mut pending = [0u64; storesim_sim::EventKind::ALL.len()];
        for (i, stamped) in batch.events.iter().enumerate() {
            self.encoder
                .json_line(&stamped.event, &mut self.buf)
                .map_err(|e| SinkError::Encode {
                    sink: self.name.clone(),
                    message: e.to_string(),
                })?;
            pending[stamped.event.kind().index()] += 1;
            if self.buf.len() >= 1 << 20 || i + 1 == batch.events.len() {
                let result = out.write_all(&self.buf);
                self.buf.clear();
                if let Err(e) = result {
                    let unwritten =
                        pending.iter().sum::<u64>() + (batch.events.len() - i - 1) as u64;
                    self.report.failed += unwritten;
                    return Err(self.io(e));
                }
                for (slot, n) in self.report.delivered.iter_mut().zip(&mut pending) {
                    *slot += std::mem::take(n);
                }
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        std::io::stdout().lock().flush().map_err(|e| self.io(e))
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        self.flush().await?;
        Ok(self.report)
    }

    fn report(&self) -> DeliveryReport {
        self.report
    }
}
