//! Reading a topic back: `storesim kafka tail`, and the tests' consumer.

use std::time::{Duration, Instant};

use rdkafka::consumer::Consumer;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use storesim_sinks::kafka::{consumer, KafkaConfig};
use storesim_sinks::SinkError;

/// One consumed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Partition.
    pub partition: i32,
    /// Offset in the partition.
    pub offset: i64,
    /// Key, as text.
    pub key: Option<String>,
    /// Value, as text.
    pub value: String,
    /// Message timestamp, milliseconds since the epoch.
    pub timestamp_ms: Option<i64>,
}

/// Reads `topic` from the beginning (or the end), every partition, without
/// a consumer group, calling `each` per message until `max` messages, or
/// until nothing arrives for `idle` (tansu's high watermarks cannot be
/// trusted, so the reader does not stop at them). `properties` are extra
/// librdkafka settings (SASL, TLS); their secrets are masked in errors.
pub fn tail(
    brokers: &str,
    properties: &[(String, String)],
    topic: &str,
    from_beginning: bool,
    max: Option<u64>,
    idle: Option<Duration>,
    mut each: impl FnMut(&Record) -> bool,
) -> Result<u64, SinkError> {
    let name = format!("kafka://{brokers}");
    let mut masked = KafkaConfig::new(brokers);
    masked.properties = properties.to_vec();
    let err = |message: String| SinkError::Spec {
        spec: name.clone(),
        message: masked.redact(&message),
    };
    let consumer = consumer(brokers, properties, "storesim-tail").map_err(err)?;
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(5))
        .map_err(|e| err(format!("cannot reach a broker at {brokers}: {e}")))?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic)
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    if partitions.is_empty() {
        return Err(err(format!("no topic `{topic}`")));
    }
    let mut list = TopicPartitionList::new();
    for p in &partitions {
        list.add_partition_offset(
            topic,
            *p,
            if from_beginning {
                Offset::Beginning
            } else {
                Offset::End
            },
        )
        .map_err(|e| err(e.to_string()))?;
    }
    consumer
        .assign(&list)
        .map_err(|e| err(format!("cannot assign {topic}: {e}")))?;
    let mut count = 0u64;
    let mut last = Instant::now();
    loop {
        if max.is_some_and(|m| count >= m) {
            break;
        }
        if idle.is_some_and(|i| last.elapsed() >= i) {
            break;
        }
        match consumer.poll(Duration::from_millis(200)) {
            None => {}
            Some(Err(e)) => return Err(err(format!("consuming {topic}: {e}"))),
            Some(Ok(m)) => {
                last = Instant::now();
                count += 1;
                let record = Record {
                    partition: m.partition(),
                    offset: m.offset(),
                    key: m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                    value: m
                        .payload()
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                        .unwrap_or_default(),
                    timestamp_ms: m.timestamp().to_millis(),
                };
                if !each(&record) {
                    break;
                }
            }
        }
    }
    Ok(count)
}
