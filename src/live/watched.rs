//! A sink under watch: its deliveries, bytes and time counted for the view.

use super::*;

/// One sink's delivery, as its [`Watched`] wrapper saw it.
#[derive(Debug)]
pub(crate) struct SinkStats {
    pub(crate) name: String,
    pub(super) delivered: [AtomicU64; EventKind::ALL.len()],
    pub(super) failed: AtomicU64,
    /// Write (and flush) calls, and their time, for the latency.
    pub(super) writes: Mutex<Histogram<u64>>,
    pub(super) errors: AtomicU64,
}

impl SinkStats {
    fn new(name: &str) -> SinkStats {
        SinkStats {
            name: name.to_string(),
            delivered: std::array::from_fn(|_| AtomicU64::new(0)),
            failed: AtomicU64::new(0),
            writes: Mutex::new(Histogram::new(3).expect("3 significant figures")),
            errors: AtomicU64::new(0),
        }
    }

    fn record(&self, report: &DeliveryReport) {
        for (slot, n) in self.delivered.iter().zip(report.delivered) {
            slot.store(n, Ordering::Relaxed);
        }
        self.failed.store(report.failed, Ordering::Relaxed);
    }

    pub(crate) fn delivered(&self) -> [u64; EventKind::ALL.len()] {
        std::array::from_fn(|i| self.delivered[i].load(Ordering::Relaxed))
    }

    pub(crate) fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// (writes, p50, p99, max, sum) in microseconds.
    pub(crate) fn latency(&self) -> (u64, u64, u64, u64, f64) {
        let h = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        let sum = h.mean() * h.len() as f64;
        (
            h.len(),
            h.value_at_quantile(0.5),
            h.value_at_quantile(0.99),
            h.max(),
            sum,
        )
    }
}

/// A sink that reports its delivery and write times to the live view.
pub(crate) struct Watched {
    inner: Box<dyn Sink>,
    stats: Arc<SinkStats>,
}

impl Watched {
    pub(crate) fn new(inner: Box<dyn Sink>, live: &Live) -> Watched {
        let stats = Arc::new(SinkStats::new(inner.name()));
        live.sinks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::clone(&stats));
        Watched { inner, stats }
    }

    fn timed(&self, started: Instant, result: &Result<(), SinkError>) {
        let us = started.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
        let _ = self
            .stats
            .writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(us.max(1));
        if result.is_err() {
            self.stats.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.stats.record(&self.inner.report());
    }
}

#[async_trait]
impl Sink for Watched {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        let started = Instant::now();
        let result = self.inner.write(batch).await;
        self.timed(started, &result);
        result
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        let started = Instant::now();
        let result = self.inner.flush().await;
        self.timed(started, &result);
        result
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        let result = self.inner.close().await;
        match &result {
            Ok(report) => self.stats.record(report),
            Err(_) => {
                self.stats.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        result
    }

    fn report(&self) -> DeliveryReport {
        self.inner.report()
    }
}
