//! The Kafka sink: one topic per event kind, keyed by store, the same JSON
//! as the files sink, every message confirmed by a delivery report.
//!
//! ```text
//! kafka://127.0.0.1:9092[,host:port]?topic_prefix=storesim.&partitions=3&replication=1
//!        &compression=lz4|zstd|none&linger_ms=5&message_timeout_ms=300000
//! ```
//!
//! Any librdkafka property can be passed with `--kafka-opt key=value`
//! (SASL, TLS, batch sizes); those values are never printed, since a sink's
//! name is its spec and the spec holds no properties.

mod config;
mod sink;
mod values;

pub use config::{KafkaConfig, ValueFormat};
pub use sink::{check, schema_version, KafkaSink};

/// `invalid settings: ...` for a client that librdkafka refused to create.
/// A refused property is named by its key alone: rdkafka's own text ends
/// with the property's value, which may be a mistyped key's secret.
pub(crate) fn settings_error(e: &rdkafka::error::KafkaError) -> String {
    match e {
        rdkafka::error::KafkaError::ClientConfig(_, desc, _, _) => {
            format!("invalid settings: {desc}")
        }
        other => format!("invalid settings: {other}"),
    }
}

/// A consumer of `brokers` in group `group` that commits nothing, with the
/// user's `properties` (SASL, TLS); `Err` is [`settings_error`]'s text.
/// The sink's resume and the readers (`kafka tail`) read with it.
pub fn consumer(
    brokers: &str,
    properties: &[(String, String)],
    group: &str,
) -> Result<rdkafka::consumer::BaseConsumer, String> {
    let mut config = rdkafka::config::ClientConfig::new();
    config
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .set("enable.auto.commit", "false");
    for (k, v) in properties {
        config.set(k, v);
    }
    config.create().map_err(|e| settings_error(&e))
}
