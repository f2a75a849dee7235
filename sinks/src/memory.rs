//! The memory sink: keeps every event, for unit tests of what drives sinks.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use storesim_sim::{EventBatch, Stamped};

use crate::{DeliveryReport, Sink, SinkError};

/// Keeps events in a shared vector.
#[derive(Debug, Clone)]
pub struct MemorySink {
    name: String,
    events: Arc<Mutex<Vec<Stamped>>>,
    report: DeliveryReport,
    closed: Arc<Mutex<bool>>,
}

impl MemorySink {
    /// A memory sink and a handle to what it receives.
    pub fn new(name: &str) -> (MemorySink, MemoryHandle) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(Mutex::new(false));
        (
            MemorySink {
                name: name.to_string(),
                events: Arc::clone(&events),
                report: DeliveryReport::default(),
                closed: Arc::clone(&closed),
            },
            MemoryHandle { events, closed },
        )
    }
}

/// Reads what a [`MemorySink`] received.
#[derive(Debug, Clone)]
pub struct MemoryHandle {
    events: Arc<Mutex<Vec<Stamped>>>,
    closed: Arc<Mutex<bool>>,
}

impl MemoryHandle {
    /// Every event received so far, in order.
    pub fn events(&self) -> Vec<Stamped> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// Whether the sink was closed.
    pub fn closed(&self) -> bool {
        self.closed.lock().map(|c| *c).unwrap_or(false)
    }
}

#[async_trait]
impl Sink for MemorySink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        if let Ok(mut events) = self.events.lock() {
            events.extend(batch.events.iter().cloned());
        }
        self.report.add_batch(batch);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        if let Ok(mut closed) = self.closed.lock() {
            *closed = true;
        }
        Ok(self.report)
    }

    fn report(&self) -> DeliveryReport {
        self.report
    }
}
