//! The sink actor: one sink on its own arbiter.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{Actor, ActorFutureExt, AtomicResponse, Context, Handler, Message, WrapFuture};
use storesim_sim::EventBatch;
use storesim_sinks::{DeliveryReport, Sink, SinkError};

/// Write one window's events.
#[derive(Debug, Clone)]
pub struct WriteBatch(pub Arc<EventBatch>);

impl Message for WriteBatch {
    type Result = Result<(), SinkError>;
}

/// Flush and close the sink; answers with its final report.
#[derive(Debug, Clone, Copy)]
pub struct CloseSink;

impl Message for CloseSink {
    type Result = Result<DeliveryReport, SinkError>;
}

/// The sink's report so far.
#[derive(Debug, Clone, Copy)]
pub struct ReportSink;

impl Message for ReportSink {
    type Result = DeliveryReport;
}

/// One sink.
///
/// Handles [`WriteBatch`], [`ReportSink`] and [`CloseSink`], one at a time
/// and in order (each handler is atomic, so a slow write holds back the
/// next message). After a failed write it refuses further writes at once,
/// so a run stopping on that failure does not wait for each of them.
pub struct SinkActor {
    sink: Option<Box<dyn Sink>>,
    name: String,
    failed: bool,
    /// Time spent inside the sink's `write` and `close`.
    busy: Duration,
}

impl std::fmt::Debug for SinkActor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkActor")
            .field("name", &self.name)
            .finish()
    }
}

impl SinkActor {
    /// Wraps a sink.
    pub fn new(sink: Box<dyn Sink>) -> SinkActor {
        SinkActor {
            name: sink.name().to_string(),
            sink: Some(sink),
            failed: false,
            busy: Duration::ZERO,
        }
    }

    fn closed(&self) -> SinkError {
        SinkError::Spec {
            spec: self.name.clone(),
            message: "used after close".into(),
        }
    }
}

impl Actor for SinkActor {
    type Context = Context<Self>;
}

impl SinkActor {
    /// Lends the sink to `op` for the length of one atomic handler and puts
    /// it back afterwards, so no other message runs while it is away.
    fn with_sink<R, F, Fut>(&mut self, op: F) -> AtomicResponse<Self, Result<R, SinkError>>
    where
        R: 'static,
        F: FnOnce(Box<dyn Sink>) -> Fut,
        Fut: Future<Output = (Result<R, SinkError>, Box<dyn Sink>)> + 'static,
    {
        let Some(sink) = self.sink.take() else {
            let err = self.closed();
            return AtomicResponse::new(Box::pin(actix::fut::ready(Err(err))));
        };
        // The handler is atomic and starts the future at once: the time to
        // its end is the sink's.
        let started = Instant::now();
        AtomicResponse::new(Box::pin(op(sink).into_actor(self).map(
            move |(result, sink), act, _| {
                act.busy += started.elapsed();
                act.failed |= result.is_err();
                act.sink = Some(sink);
                result
            },
        )))
    }
}

impl Handler<WriteBatch> for SinkActor {
    type Result = AtomicResponse<Self, Result<(), SinkError>>;

    fn handle(&mut self, msg: WriteBatch, _: &mut Context<Self>) -> Self::Result {
        if self.failed {
            let err = SinkError::delivery(&self.name, "not attempted after an earlier failure");
            return AtomicResponse::new(Box::pin(actix::fut::ready(Err(err))));
        }
        self.with_sink(|mut sink| async move {
            let result = sink.write(&msg.0).await;
            (result, sink)
        })
    }
}

impl Handler<ReportSink> for SinkActor {
    type Result = actix::MessageResult<ReportSink>;

    fn handle(&mut self, _: ReportSink, _: &mut Context<Self>) -> Self::Result {
        // Handlers that lend the sink out are atomic, so it is here.
        let mut report = self.sink.as_ref().map(|s| s.report()).unwrap_or_default();
        report.busy_us = self.busy.as_micros() as u64;
        actix::MessageResult(report)
    }
}

impl Handler<CloseSink> for SinkActor {
    type Result = AtomicResponse<Self, Result<DeliveryReport, SinkError>>;

    fn handle(&mut self, _: CloseSink, _: &mut Context<Self>) -> Self::Result {
        let busy = self.busy;
        self.with_sink(move |mut sink| async move {
            let started = Instant::now();
            let result = sink.close().await.map(|mut report| {
                report.busy_us = (busy + started.elapsed()).as_micros() as u64;
                report
            });
            (result, sink)
        })
    }
}
