//! The sink actor: one sink on its own arbiter.

use std::future::Future;
use std::sync::Arc;

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

/// One sink.
///
/// Handles [`WriteBatch`] and [`CloseSink`], one at a time and in order
/// (each handler is atomic, so a slow write holds back the next message).
pub struct SinkActor {
    sink: Option<Box<dyn Sink>>,
    name: String,
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
        AtomicResponse::new(Box::pin(op(sink).into_actor(self).map(
            |(result, sink), act, _| {
                act.sink = Some(sink);
                result
            },
        )))
    }
}

impl Handler<WriteBatch> for SinkActor {
    type Result = AtomicResponse<Self, Result<(), SinkError>>;

    fn handle(&mut self, msg: WriteBatch, _: &mut Context<Self>) -> Self::Result {
        self.with_sink(|mut sink| async move {
            let result = sink.write(&msg.0).await;
            (result, sink)
        })
    }
}

impl Handler<CloseSink> for SinkActor {
    type Result = AtomicResponse<Self, Result<DeliveryReport, SinkError>>;

    fn handle(&mut self, _: CloseSink, _: &mut Context<Self>) -> Self::Result {
        self.with_sink(|mut sink| async move {
            let result = sink.close().await;
            (result, sink)
        })
    }
}
