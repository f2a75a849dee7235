//! The Kafka producer sink.

use std::time::Duration;

use async_trait::async_trait;
use futures::future::join_all;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use storesim_sim::{EventBatch, EventKind};

use super::config::KafkaConfig;
use crate::encode::Encoder;
use crate::{DeliveryReport, Sink, SinkError};

/// Schema version written in every message's `schema_version` header.
pub const SCHEMA_VERSION: &str = "1";

/// How long to wait for the broker when opening or checking.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Produces events to Kafka, one topic per kind, keyed by store id (or
/// the configured [`KeyField`](storesim_sim::KeyField)).
pub struct KafkaSink {
    name: String,
    producer: FutureProducer,
    topics: Vec<String>,
    report: DeliveryReport,
    flush_timeout: Duration,
    /// Kept to mask its secrets in error messages.
    config: KafkaConfig,
    encoder: Encoder,
}

impl std::fmt::Debug for KafkaSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaSink")
            .field("name", &self.name)
            .field("topics", &self.topics)
            .finish()
    }
}

/// A spec error; `message` is redacted of `config`'s secrets.
fn spec_err(name: &str, config: &KafkaConfig, message: String) -> SinkError {
    SinkError::Spec {
        spec: name.to_string(),
        message: config.redact(&message),
    }
}

fn client_config(props: &[(String, String)]) -> ClientConfig {
    let mut c = ClientConfig::new();
    for (k, v) in props {
        c.set(k, v);
    }
    c
}

/// Connects and lists the broker's topics; the error says what is wrong.
pub fn check(name: &str, config: &KafkaConfig) -> Result<Vec<String>, SinkError> {
    let producer: FutureProducer = client_config(&config.producer_properties())
        .create()
        .map_err(|e| spec_err(name, config, format!("invalid settings: {e}")))?;
    let metadata = producer
        .client()
        .fetch_metadata(None, CONNECT_TIMEOUT)
        .map_err(|e| {
            spec_err(
                name,
                config,
                format!(
                    "cannot reach a broker at {} within {} s: {e}",
                    config.brokers,
                    CONNECT_TIMEOUT.as_secs()
                ),
            )
        })?;
    let mut topics: Vec<String> = metadata
        .topics()
        .iter()
        .map(|t| t.name().to_string())
        .collect();
    topics.sort();
    Ok(topics)
}

impl KafkaSink {
    /// Writes events in `encoder`'s schema (storesim's by default).
    pub fn with_encoder(mut self, encoder: Encoder) -> Self {
        self.encoder = encoder;
        self
    }

    /// Connects, creates the topics of `kinds` that are missing, and
    /// returns the sink. An unreachable broker or a refused topic is an
    /// error naming it.
    pub fn open(
        name: String,
        config: KafkaConfig,
        kinds: &[EventKind],
    ) -> Result<KafkaSink, SinkError> {
        let existing = check(&name, &config)?;
        // Named for every kind (indexed by kind), created for the world's.
        let topics: Vec<String> = EventKind::ALL.iter().map(|k| config.topic(*k)).collect();
        let missing: Vec<&String> = kinds
            .iter()
            .map(|k| &topics[k.index()])
            .filter(|t| !existing.contains(t))
            .collect();
        if !missing.is_empty() {
            let admin: AdminClient<DefaultClientContext> =
                client_config(&config.producer_properties())
                    .create()
                    .map_err(|e| spec_err(&name, &config, format!("invalid settings: {e}")))?;
            let new: Vec<NewTopic<'_>> = missing
                .iter()
                .map(|t| {
                    NewTopic::new(
                        t,
                        config.partitions,
                        TopicReplication::Fixed(config.replication),
                    )
                })
                .collect();
            let options = AdminOptions::new().operation_timeout(Some(CONNECT_TIMEOUT));
            let results = futures::executor::block_on(admin.create_topics(&new, &options))
                .map_err(|e| spec_err(&name, &config, format!("cannot create topics: {e}")))?;
            for r in results {
                match r {
                    Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                    Err((topic, code)) => {
                        return Err(spec_err(
                            &name,
                            &config,
                            format!(
                            "cannot create topic {topic} ({} partitions, replication {}): {code}",
                            config.partitions, config.replication
                        ),
                        ))
                    }
                }
            }
        }
        let producer: FutureProducer = client_config(&config.producer_properties())
            .create()
            .map_err(|e| spec_err(&name, &config, format!("invalid settings: {e}")))?;
        Ok(KafkaSink {
            name,
            producer,
            topics,
            report: DeliveryReport::default(),
            encoder: Encoder::default(),
            flush_timeout: Duration::from_millis(u64::from(config.message_timeout_ms) + 10_000),
            config,
        })
    }

    fn fail(&self, message: String) -> SinkError {
        SinkError::Delivery {
            sink: self.name.clone(),
            message: self.config.redact(&message),
        }
    }
}

#[async_trait]
impl Sink for KafkaSink {
    fn name(&self) -> &str {
        &self.name
    }

    /// Produces every event of the batch and waits for all their delivery
    /// reports: a batch is confirmed only when the broker has it, so the
    /// scheduler's windows in flight bound the unconfirmed messages.
    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        let mut pending = Vec::with_capacity(batch.events.len());
        let mut value = Vec::with_capacity(512);
        let mut key = String::with_capacity(32);
        for stamped in &batch.events {
            let event = &stamped.event;
            let kind = event.kind();
            value.clear();
            self.encoder
                .json_line(event, &mut value)
                .map_err(|e| SinkError::Encode {
                    sink: self.name.clone(),
                    message: e.to_string(),
                })?;
            value.pop(); // no newline inside a message
            let keyed = self.config.key.write(event, &mut key);
            let headers = OwnedHeaders::new()
                .insert(Header {
                    key: "kind",
                    value: Some(kind.as_str()),
                })
                .insert(Header {
                    key: "schema_version",
                    value: Some(SCHEMA_VERSION),
                });
            let mut record = FutureRecord::to(&self.topics[kind.index()])
                .payload(&value)
                .headers(headers)
                .timestamp(event.ts().as_millis());
            if keyed {
                record = record.key(&key);
            }
            loop {
                match self.producer.send_result(record) {
                    Ok(delivery) => {
                        pending.push((kind, delivery));
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                        // The local queue is full: let librdkafka drain it.
                        record = back;
                        self.producer.poll(Duration::from_millis(5));
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Err((e, _)) => {
                        self.report.failed += (batch.events.len() - pending.len()) as u64;
                        // Count what was produced before the error; the
                        // produce error is the one to report.
                        let _ = self.settle(pending).await;
                        return Err(self.fail(format!("cannot produce: {e}")));
                    }
                }
            }
        }
        let first_error = self.settle(pending).await;
        match first_error {
            None => Ok(()),
            Some(e) => Err(self.fail(e)),
        }
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.producer
            .flush(self.flush_timeout)
            .map_err(|e| self.fail(format!("flush: {e}")))
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        self.flush().await?;
        Ok(self.report)
    }

    fn report(&self) -> DeliveryReport {
        self.report
    }
}

impl KafkaSink {
    /// Awaits delivery reports, counts them, and returns the first error.
    async fn settle(
        &mut self,
        pending: Vec<(EventKind, rdkafka::producer::DeliveryFuture)>,
    ) -> Option<String> {
        let (kinds, futures): (Vec<_>, Vec<_>) = pending.into_iter().unzip();
        let mut first = None;
        for (kind, result) in kinds.into_iter().zip(join_all(futures).await) {
            match result {
                Ok(Ok(_)) => self.report.delivered[kind.index()] += 1,
                Ok(Err((e, _))) => {
                    self.report.failed += 1;
                    first.get_or_insert_with(|| format!("delivery failed: {e}"));
                }
                Err(_) => {
                    self.report.failed += 1;
                    first.get_or_insert_with(|| {
                        "delivery report lost (producer closed)".to_string()
                    });
                }
            }
        }
        first
    }
}
