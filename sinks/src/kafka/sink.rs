//! The Kafka producer sink.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::{ClientContext, DefaultClientContext};
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{
    BaseRecord, DeliveryResult, FutureProducer, Producer, ProducerContext, ThreadedProducer,
};
use storesim_sim::chain::ChangeOp;
use storesim_sim::{Event, EventBatch, EventKind, SimTime};
use tokio::sync::Notify;

use super::config::KafkaConfig;
use super::values::{avro_writers, register_schemas, write_key, write_value, Schemas};
use crate::encode::Encoder;
use crate::{Checkpoint, DeliveryReport, Sink, SinkError};

/// The `schema_version` header of `kind`'s messages: its schema's version.
pub fn schema_version(kind: EventKind) -> String {
    kind.schema().version.to_string()
}

/// How long to wait for the broker when opening or checking.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What the delivery reports said: counted by librdkafka's polling thread
/// as they arrive, read by the sink.
#[derive(Debug, Default)]
struct Ledger {
    delivered: [AtomicU64; EventKind::ALL.len()],
    failed: AtomicU64,
    /// Reports received, delivered or not.
    settled: AtomicU64,
    /// The count of reports the sink waits for.
    waiting_for: AtomicU64,
    /// Raised when `settled` reaches `waiting_for`.
    reached: Notify,
    first_error: Mutex<Option<String>>,
    /// By kind (topic) and partition: one past the highest offset
    /// delivered (0 while none is known).
    next_offsets: Mutex<Vec<Vec<i64>>>,
}

/// The opaque of a tombstone's delivery report: its kind's index with
/// this bit set (a tombstone is not an event, and is not counted as one).
const TOMBSTONE: usize = 1 << 16;

/// The producer's context: counts each delivery report (the opaque is the
/// event kind's index), with no allocation or channel per message.
struct Counting(Arc<Ledger>);

impl ClientContext for Counting {}

impl ProducerContext for Counting {
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, opaque: usize) {
        let ledger = &self.0;
        let kind = opaque & !TOMBSTONE;
        match result {
            Ok(message) => {
                if opaque & TOMBSTONE == 0 {
                    ledger.delivered[kind].fetch_add(1, Ordering::Relaxed);
                }
                use rdkafka::Message as _;
                let (partition, next) = (message.partition(), message.offset() + 1);
                if let (Ok(mut offsets), Ok(p)) =
                    (ledger.next_offsets.lock(), usize::try_from(partition))
                {
                    if offsets.len() <= kind {
                        offsets.resize(kind + 1, Vec::new());
                    }
                    let row = &mut offsets[kind];
                    if row.len() <= p {
                        row.resize(p + 1, 0);
                    }
                    row[p] = row[p].max(next);
                }
            }
            Err((e, _)) => {
                ledger.failed.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut first) = ledger.first_error.lock() {
                    first.get_or_insert_with(|| match e {
                        KafkaError::MessageProduction(RDKafkaErrorCode::MessageTimedOut) => {
                            format!("delivery not confirmed: {e} (the broker may still have written it)")
                        }
                        _ => format!("delivery failed: {e}"),
                    });
                }
            }
        }
        let settled = ledger.settled.fetch_add(1, Ordering::AcqRel) + 1;
        if settled >= ledger.waiting_for.load(Ordering::Acquire) {
            ledger.reached.notify_one();
        }
    }
}

/// Produces events to Kafka, one topic per kind, keyed by store id (or
/// the configured [`KeyField`](storesim_sim::KeyField)).
pub struct KafkaSink {
    name: String,
    producer: ThreadedProducer<Counting>,
    ledger: Arc<Ledger>,
    /// Messages handed to librdkafka so far.
    produced: u64,
    /// Events never handed to librdkafka (a produce error).
    refused: u64,
    topics: Vec<String>,
    /// Each kind's `schema_version` header, by kind.
    versions: Vec<String>,
    flush_timeout: Duration,
    /// Kept to mask its secrets in error messages.
    config: KafkaConfig,
    encoder: Encoder,
    /// The schema formats' registered value and key schemas, by kind.
    schemas: Schemas,
    /// The kinds it was opened for (its topics).
    kinds: Vec<EventKind>,
    /// The end of the last batch written and the offsets delivered when it
    /// returned: nothing of a later batch had been produced then.
    last_write: Option<(SimTime, Vec<Vec<i64>>)>,
    /// The latest checkpoint: everything before `until` is delivered, and
    /// every later message is past the offsets it records.
    safe: Option<Checkpoint>,
    /// A resumed run: the messages already in the topics past the stopped
    /// run's checkpoint, by content, with how often each is there.
    already: HashMap<u128, u32>,
    /// The latest timestamp (ms) among `already`.
    already_until_ms: i64,
    /// Events left out because they were in the topics already.
    resumed: u64,
}

/// How long a resuming sink reads its topics with nothing arriving before
/// it takes it that it has read them to the end (tansu's high watermarks
/// cannot be trusted on topics of several partitions).
const RESUME_IDLE: Duration = Duration::from_secs(3);

/// A message's identity for a resumed run: its topic, key and value.
fn identity(kind: usize, key: Option<&[u8]>, value: &[u8]) -> u128 {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update((kind as u64).to_le_bytes());
    match key {
        Some(k) => {
            h.update([1]);
            h.update((k.len() as u64).to_le_bytes());
            h.update(k);
        }
        None => h.update([0]),
    }
    h.update(value);
    let digest = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(first)
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
pub(super) fn spec_err(name: &str, config: &KafkaConfig, message: String) -> SinkError {
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
        .map_err(|e| spec_err(name, config, super::settings_error(&e)))?;
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
    /// Connects, creates the topics of `kinds` that are missing, registers
    /// their schemas (`format=avro`), and returns the sink writing
    /// `encoder`'s records. An unreachable broker or registry, a refused
    /// topic or schema is an error naming it.
    pub fn open(
        name: String,
        config: KafkaConfig,
        kinds: &[EventKind],
        encoder: Encoder,
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
                    .map_err(|e| spec_err(&name, &config, super::settings_error(&e)))?;
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
        let encoder = encoder.with_envelope(config.envelope);
        let schemas = register_schemas(&name, &config, kinds, &encoder)?;
        let ledger = Arc::new(Ledger::default());
        let producer: ThreadedProducer<Counting> = client_config(&config.producer_properties())
            .create_with_context(Counting(Arc::clone(&ledger)))
            .map_err(|e| spec_err(&name, &config, super::settings_error(&e)))?;
        Ok(KafkaSink {
            name,
            producer,
            ledger,
            produced: 0,
            refused: 0,
            topics,
            versions: EventKind::ALL.into_iter().map(schema_version).collect(),
            encoder,
            schemas,
            flush_timeout: Duration::from_millis(u64::from(config.message_timeout_ms) + 10_000),
            config,
            kinds: kinds.to_vec(),
            last_write: None,
            safe: None,
            already: HashMap::new(),
            already_until_ms: i64::MIN,
            resumed: 0,
        })
    }

    fn fail(&self, message: String) -> SinkError {
        SinkError::delivery(&self.name, self.config.redact(&message))
    }
}

#[async_trait]
impl Sink for KafkaSink {
    fn name(&self) -> &str {
        &self.name
    }

    /// Produces every event of the batch, then waits for the delivery
    /// reports of every earlier batch: a batch is confirmed when the next
    /// one has been produced and the broker has it, so librdkafka always
    /// has a window to send while the previous one is acknowledged, and at
    /// most two windows are unconfirmed inside the sink (close waits for
    /// the last). A failed delivery fails the write that waits for it.
    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        let earlier = self.produced;
        let mut value = Vec::with_capacity(512);
        let mut key = Vec::with_capacity(64);
        let mut text = String::with_capacity(32);
        let values = avro_writers(&self.name, &self.schemas.values)?;
        let keys = avro_writers(&self.name, &self.schemas.keys)?;
        for (i, stamped) in batch.events.iter().enumerate() {
            let event = &stamped.event;
            let kind = event.kind();
            write_value(
                &self.name,
                &self.encoder,
                self.schemas.values[kind.index()].as_ref(),
                values[kind.index()].as_ref(),
                event,
                &mut value,
            )?;
            let keyed = write_key(
                &self.name,
                &self.config,
                self.schemas.keys[kind.index()].as_ref(),
                keys[kind.index()].as_ref(),
                event,
                &mut text,
                &mut key,
            )?;
            let key = keyed.then_some(key.as_slice());
            let ts = event.ts().as_millis();
            // A Debezium delete is followed by its tombstone.
            let tombstone = matches!(event, Event::ItemChange(c)
                if self.config.envelope.debezium && c.op == ChangeOp::Delete);
            let payloads = [Some(value.as_slice()), None];
            for payload in &payloads[..1 + usize::from(tombstone)] {
                if !self.already.is_empty() && ts <= self.already_until_ms {
                    let id = identity(kind.index(), key, payload.unwrap_or_default());
                    if let Some(count) = self.already.get_mut(&id) {
                        // The stopped run delivered it after its checkpoint.
                        *count -= 1;
                        if *count == 0 {
                            self.already.remove(&id);
                        }
                        self.resumed += u64::from(payload.is_some());
                        continue;
                    }
                }
                let topic = &self.topics[kind.index()];
                let opaque = kind.index() | if payload.is_some() { 0 } else { TOMBSTONE };
                let version = &self.versions[kind.index()];
                let sent = send(
                    &self.producer,
                    topic,
                    opaque,
                    key,
                    *payload,
                    ts,
                    kind,
                    version,
                );
                if let Err(e) = sent.await {
                    self.refused += (batch.events.len() - i) as u64;
                    // Count what was produced before the error; the
                    // produce error is the one to report.
                    let _ = self.settle(self.produced).await;
                    return Err(self.fail(format!("cannot produce: {e}")));
                }
                self.produced += 1;
            }
        }
        self.settle(earlier).await?;
        let offsets = self
            .ledger
            .next_offsets
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default();
        if let Some((until, offsets)) = self.last_write.replace((batch.end, offsets)) {
            self.safe = Some(Checkpoint {
                until,
                state: self.offsets_state(&offsets),
            });
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.producer
            .flush(self.flush_timeout)
            .map_err(|e| self.fail(format!("flush: {e}")))?;
        self.settle(self.produced).await
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        self.flush().await?;
        Ok(self.report())
    }

    fn report(&self) -> DeliveryReport {
        let mut report = DeliveryReport::default();
        for (count, delivered) in report.delivered.iter_mut().zip(&self.ledger.delivered) {
            *count = delivered.load(Ordering::Acquire);
        }
        report.failed = self.ledger.failed.load(Ordering::Acquire) + self.refused;
        report.resumed = self.resumed;
        report
    }

    fn checkpoint(&self) -> Option<Checkpoint> {
        self.safe.clone()
    }

    /// Reads the sink's topics from the offsets of the stopped run's
    /// checkpoint to their end, and keeps the messages stamped from `from`
    /// on: the stopped run delivered them after its checkpoint, so they are
    /// left out when the resumed run makes them again. A run is the same
    /// events in the same order, so what is left out is exactly what is
    /// there, and each partition ends as an uninterrupted run's would.
    fn resume(&mut self, from: SimTime, state: &serde_json::Value) -> Result<SimTime, SinkError> {
        use rdkafka::consumer::Consumer;
        use rdkafka::{Message, Offset, TopicPartitionList};
        let offsets = self.state_offsets(state);
        if let Ok(mut next) = self.ledger.next_offsets.lock() {
            next.clone_from(&offsets);
        }
        let group = format!("storesim-resume-{}", std::process::id());
        // A recorded offset past a partition's end reads it from its start.
        let mut properties = self.config.properties.clone();
        properties.push(("auto.offset.reset".into(), "earliest".into()));
        let consumer = super::consumer(&self.config.brokers, &properties, &group)
            .map_err(|e| spec_err(&self.name, &self.config, e))?;
        let mut list = TopicPartitionList::new();
        for kind in &self.kinds {
            let topic = &self.topics[kind.index()];
            let metadata = consumer
                .fetch_metadata(Some(topic), CONNECT_TIMEOUT)
                .map_err(|e| self.fail(format!("cannot read {topic} to resume: {e}")))?;
            for p in metadata.topics().iter().flat_map(|t| t.partitions()) {
                let next = offsets
                    .get(kind.index())
                    .and_then(|row| row.get(p.id() as usize))
                    .copied()
                    .unwrap_or(0);
                let offset = if next > 0 {
                    Offset::Offset(next)
                } else {
                    Offset::Beginning
                };
                list.add_partition_offset(topic, p.id(), offset)
                    .map_err(|e| self.fail(format!("cannot read {topic} to resume: {e}")))?;
            }
        }
        consumer
            .assign(&list)
            .map_err(|e| self.fail(format!("cannot read the topics to resume: {e}")))?;
        let from_ms = from.as_millis();
        let mut last = std::time::Instant::now();
        while last.elapsed() < RESUME_IDLE {
            match consumer.poll(Duration::from_millis(200)) {
                None => {}
                Some(Err(e)) => {
                    return Err(self.fail(format!("cannot read the topics to resume: {e}")))
                }
                Some(Ok(m)) => {
                    last = std::time::Instant::now();
                    let ts = m.timestamp().to_millis().unwrap_or(i64::MAX);
                    let Some(kind) = self.topics.iter().position(|t| t == m.topic()) else {
                        continue;
                    };
                    if ts >= from_ms {
                        let id = identity(kind, m.key(), m.payload().unwrap_or_default());
                        *self.already.entry(id).or_insert(0) += 1;
                        self.already_until_ms = self.already_until_ms.max(ts);
                    }
                }
            }
        }
        Ok(from)
    }
}

/// Hands one message to librdkafka, waiting while its local queue is
/// full; `None` is a tombstone.
#[allow(clippy::too_many_arguments)]
async fn send(
    producer: &ThreadedProducer<Counting>,
    topic: &str,
    opaque: usize,
    key: Option<&[u8]>,
    payload: Option<&[u8]>,
    ts: i64,
    kind: EventKind,
    version: &str,
) -> Result<(), KafkaError> {
    let headers = OwnedHeaders::new_with_capacity(2)
        .insert(Header {
            key: "kind",
            value: Some(kind.as_str()),
        })
        .insert(Header {
            key: "schema_version",
            value: Some(version),
        });
    let mut record: BaseRecord<'_, [u8], [u8], usize> = BaseRecord::with_opaque_to(topic, opaque)
        .headers(headers)
        .timestamp(ts);
    record.payload = payload;
    record.key = key;
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                // The local queue is full: librdkafka's thread drains it.
                record = back;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            Err((e, _)) => return Err(e),
        }
    }
}

impl KafkaSink {
    /// A checkpoint's state: the offsets by topic name.
    fn offsets_state(&self, offsets: &[Vec<i64>]) -> serde_json::Value {
        let by_topic: serde_json::Map<String, serde_json::Value> = offsets
            .iter()
            .enumerate()
            .filter(|(_, row)| !row.is_empty())
            .map(|(kind, row)| (self.topics[kind].clone(), serde_json::json!(row)))
            .collect();
        serde_json::json!({ "next_offsets": by_topic })
    }

    /// The offsets of a checkpoint's state, by kind (topic) and partition.
    fn state_offsets(&self, state: &serde_json::Value) -> Vec<Vec<i64>> {
        self.topics
            .iter()
            .map(|topic| {
                state["next_offsets"][topic]
                    .as_array()
                    .map(|row| row.iter().map(|o| o.as_i64().unwrap_or(0).max(0)).collect())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Waits for the delivery reports of the first `count` messages
    /// produced; fails with the first delivery error since the last call.
    async fn settle(&self, count: u64) -> Result<(), SinkError> {
        let ledger = &self.ledger;
        ledger.waiting_for.store(count, Ordering::Release);
        // A report counted before the target was stored left no wake-up:
        // check before each wait (a stale wake-up only loops once more).
        while ledger.settled.load(Ordering::Acquire) < count {
            let reached = ledger.reached.notified();
            if ledger.settled.load(Ordering::Acquire) >= count {
                break;
            }
            reached.await;
        }
        let first = ledger.first_error.lock().ok().and_then(|mut e| e.take());
        first.map_or(Ok(()), |e| Err(self.fail(e)))
    }
}
