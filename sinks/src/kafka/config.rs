//! Kafka sink settings, parsed from the spec's query and `--kafka-opt`.

use storesim_sim::EventKind;

/// Settings of a Kafka sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaConfig {
    /// `host:port[,host:port]`.
    pub brokers: String,
    /// Prefix of topic names: `storesim.` gives `storesim.scans`.
    pub topic_prefix: String,
    /// Partitions of topics the sink creates.
    pub partitions: i32,
    /// Replication factor of topics the sink creates.
    pub replication: i32,
    /// `lz4`, `zstd`, `snappy`, `gzip` or `none`.
    pub compression: String,
    /// librdkafka `linger.ms`.
    pub linger_ms: u32,
    /// librdkafka `message.timeout.ms`: how long a message may be retried.
    pub message_timeout_ms: u32,
    /// Extra librdkafka properties (`--kafka-opt`).
    pub properties: Vec<(String, String)>,
}

impl KafkaConfig {
    /// Defaults for `brokers`: prefix `storesim.`, 3 partitions,
    /// replication 1, lz4, linger 5 ms, 5-minute message timeout.
    pub fn new(brokers: &str) -> KafkaConfig {
        KafkaConfig {
            brokers: brokers.to_string(),
            topic_prefix: "storesim.".into(),
            partitions: 3,
            replication: 1,
            compression: "lz4".into(),
            linger_ms: 5,
            message_timeout_ms: 300_000,
            properties: Vec::new(),
        }
    }

    /// The topic of an event kind: `storesim.scans`, `storesim.transactions`.
    pub fn topic(&self, kind: EventKind) -> String {
        format!("{}{}s", self.topic_prefix, kind.as_str())
    }

    /// Sets an option from the spec's query; `Err` says what is wrong.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let number = |what: &str| -> Result<u32, String> {
            value
                .parse()
                .map_err(|_| format!("{what} `{value}`: use a whole number"))
        };
        match key {
            "topic_prefix" => self.topic_prefix = value.to_string(),
            "partitions" => {
                self.partitions = i32::try_from(number("partitions")?.max(1))
                    .map_err(|_| format!("partitions `{value}`: too large"))?
            }
            "replication" => {
                self.replication = i32::try_from(number("replication")?.max(1))
                    .map_err(|_| format!("replication `{value}`: too large"))?
            }
            "compression" => match value {
                "lz4" | "zstd" | "snappy" | "gzip" | "none" => self.compression = value.into(),
                _ => return Err(format!("compression `{value}`: use lz4, zstd, snappy, gzip or none")),
            },
            "linger_ms" => self.linger_ms = number("linger_ms")?,
            "message_timeout_ms" => self.message_timeout_ms = number("message_timeout_ms")?.max(1),
            _ => {
                return Err(format!(
                    "unknown option `{key}` (known: topic_prefix, partitions, replication, compression, linger_ms, message_timeout_ms; any librdkafka property goes in --kafka-opt)"
                ))
            }
        }
        Ok(())
    }

    /// The producer's librdkafka properties: safe defaults, then `properties`.
    pub fn producer_properties(&self) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = [
            ("bootstrap.servers", self.brokers.clone()),
            ("enable.idempotence", "true".into()),
            ("acks", "all".into()),
            ("compression.type", self.compression.clone()),
            ("linger.ms", self.linger_ms.to_string()),
            ("batch.size", "1000000".into()),
            ("queue.buffering.max.messages", "500000".into()),
            ("queue.buffering.max.kbytes", "262144".into()),
            ("message.timeout.ms", self.message_timeout_ms.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        p.extend(self.properties.iter().cloned());
        p
    }
}
