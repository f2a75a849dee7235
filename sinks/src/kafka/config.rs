//! Kafka sink settings, parsed from the spec's query and `--kafka-opt`.

use storesim_sim::{EventKind, KeyField};

/// Settings of a Kafka sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaConfig {
    /// `host:port[,host:port]`.
    pub brokers: String,
    /// Prefix of topic names: `storesim.` gives `storesim.scans`.
    pub topic_prefix: String,
    /// Topic of each kind after the prefix, by [`EventKind::index`]:
    /// `scans`, `transactions` unless a scenario or the URL says otherwise.
    pub topics: Vec<String>,
    /// The message key.
    pub key: KeyField,
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
    /// How values are written.
    pub format: ValueFormat,
    /// The schema registry of the schema formats (`http(s)://HOST:PORT`).
    pub schema_registry: Option<String>,
    /// Its options ([`crate::registry::OPTIONS`]): from the URL, then
    /// `--registry-opt`.
    pub registry_options: Vec<(String, String)>,
    /// How keys are written: text when `None` (`key_format=string`), or
    /// a one-field record in a schema format.
    pub key_format: Option<ValueFormat>,
    /// How schemas are named in the registry.
    pub subject_strategy: SubjectStrategy,
    /// Item changes as Debezium change events.
    pub envelope: crate::debezium::Envelope,
    /// Options the URL set, which a scenario's defaults do not override.
    from_url: Vec<String>,
}

/// How a Kafka sink writes values.
pub use crate::registry::Format as ValueFormat;
use crate::registry::SubjectStrategy;

impl KafkaConfig {
    /// Defaults for `brokers`: prefix `storesim.`, 3 partitions,
    /// replication 1, lz4, linger 5 ms, 5-minute message timeout.
    pub fn new(brokers: &str) -> KafkaConfig {
        KafkaConfig {
            brokers: brokers.to_string(),
            topic_prefix: "storesim.".into(),
            topics: EventKind::ALL
                .iter()
                .map(|k| format!("{}s", k.as_str()))
                .collect(),
            key: KeyField::StoreId,
            partitions: 3,
            replication: 1,
            compression: "lz4".into(),
            linger_ms: 5,
            message_timeout_ms: 300_000,
            properties: Vec::new(),
            format: ValueFormat::Json,
            schema_registry: None,
            registry_options: Vec::new(),
            key_format: None,
            subject_strategy: SubjectStrategy::Topic,
            envelope: crate::debezium::Envelope::default(),
            from_url: Vec::new(),
        }
    }

    /// A scenario's topic prefix, where the URL did not set one.
    pub fn apply_scenario_prefix(&mut self, prefix: &str) {
        if !self.from_url.iter().any(|k| k == "topic_prefix") {
            self.topic_prefix = prefix.to_string();
        }
    }

    /// A scenario's topic names and key, where the URL did not set them.
    pub fn apply_scenario(&mut self, topics: &[(EventKind, String)], key: Option<KeyField>) {
        for (kind, topic) in topics {
            if !self.from_url.contains(&format!("topic.{kind}")) {
                self.topics[kind.index()].clone_from(topic);
            }
        }
        if let (Some(key), false) = (key, self.from_url.iter().any(|k| k == "key")) {
            self.key = key;
        }
    }

    /// The topic of an event kind: `storesim.scans`, `storesim.transactions`.
    pub fn topic(&self, kind: EventKind) -> String {
        format!("{}{}", self.topic_prefix, self.topics[kind.index()])
    }

    /// Sets an option from the spec's query; `Err` says what is wrong.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let number = |what: &str| -> Result<u32, String> {
            value
                .parse()
                .map_err(|_| format!("{what} `{value}`: use a whole number"))
        };
        self.from_url.push(key.to_string());
        if let Some(kind) = key.strip_prefix("topic.") {
            let kind: EventKind = kind.parse()?;
            check_topic(value)?;
            self.topics[kind.index()] = value.to_string();
            return Ok(());
        }
        match key {
            "topic_prefix" => {
                if !value.is_empty() {
                    check_topic(value)?;
                }
                self.topic_prefix = value.to_string()
            }
            "key" => self.key = value.parse()?,
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
                _ => {
                    return Err(format!(
                        "compression `{value}`: use lz4, zstd, snappy, gzip or none"
                    ))
                }
            },
            "linger_ms" => self.linger_ms = number("linger_ms")?,
            "format" => self.format = value.parse()?,
            "key_format" => {
                self.key_format = match value {
                    "string" => None,
                    "json" => {
                        return Err(
                            "key_format `json`: use string, avro, protobuf or json_schema".into(),
                        )
                    }
                    _ => Some(value.parse().map_err(|_| {
                        format!("key_format `{value}`: use string, avro, protobuf or json_schema")
                    })?),
                }
            }
            "subject_strategy" => self.subject_strategy = value.parse()?,
            "schema_registry" => {
                crate::registry::Registry::new(value, &[])?;
                self.schema_registry = Some(value.trim_end_matches('/').to_string())
            }
            _ if crate::registry::OPTIONS.contains(&key) => self
                .registry_options
                .push((key.to_string(), value.to_string())),
            "message_timeout_ms" => self.message_timeout_ms = number("message_timeout_ms")?.max(1),
            _ => {
                if let Some(set) = self.envelope.set(key, value) {
                    return set;
                }
                return Err(format!(
                    "unknown option `{key}` (known: topic_prefix, topic.KIND, key, partitions, replication, compression, linger_ms, message_timeout_ms, format, key_format, schema_registry, subject_strategy, {}, {}; any librdkafka property goes in --kafka-opt)",
                    crate::debezium::Envelope::OPTIONS,
                    crate::registry::OPTIONS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// What the options cannot do together: a schema format without a
    /// registry, a typed key without a key, the Connect wrapper in a
    /// schema format.
    pub fn check(&self) -> Result<(), String> {
        for (option, format) in [
            ("format", Some(self.format)),
            ("key_format", self.key_format),
        ] {
            if let (Some(f), None) = (format.filter(|f| f.registered()), &self.schema_registry) {
                return Err(format!(
                    "{option}={} needs schema_registry=http://HOST:PORT",
                    f.as_str()
                ));
            }
        }
        self.check_key()?;
        self.envelope.check()?;
        self.registry()?;
        if self.envelope.schemas && self.format.registered() {
            return Err(format!(
                "schemas_enable=true is for format=json (format={} keeps its schema in the registry)",
                self.format.as_str()
            ));
        }
        Ok(())
    }

    /// The schema registry with its options, if the sink has one.
    pub fn registry(&self) -> Result<Option<crate::registry::Registry>, String> {
        match &self.schema_registry {
            Some(url) => crate::registry::Registry::new(url, &self.registry_options).map(Some),
            None if !self.registry_options.is_empty() => Err(format!(
                "{} needs schema_registry=http(s)://HOST:PORT",
                self.registry_options[0].0
            )),
            None => Ok(None),
        }
    }

    /// A typed key needs a key: checked again once the scenario has set
    /// its own.
    pub fn check_key(&self) -> Result<(), String> {
        match (self.key_format, self.key) {
            (Some(f), KeyField::None) => Err(format!(
                "key_format={} needs a key (the key is none): use key=store_id or key=transaction_id",
                f.as_str()
            )),
            _ => Ok(()),
        }
    }

    /// `message` with every secret masked ([`crate::redact`]): the values of
    /// this sink's properties not known to be public included, as
    /// librdkafka's own messages may quote a value it rejected.
    pub fn redact(&self, message: &str) -> String {
        crate::redact::remember_properties(&self.properties);
        let mut out = crate::redact::redact(message);
        for (key, value) in &self.properties {
            if crate::redact::is_secret_key(key) && !value.is_empty() {
                out = out.replace(value.as_str(), crate::redact::MASK);
            }
        }
        out
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

/// Checks a topic name (or prefix) against Kafka's rules: 1-249 of
/// `a-z A-Z 0-9 . _ -`.
pub(crate) fn check_topic(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 249
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(format!(
            "topic `{name}`: use 1-249 characters of a-z, A-Z, 0-9, '.', '_' and '-'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_options_win_over_the_scenario() {
        let mut c = KafkaConfig::new("b:9092");
        c.set("topic.scan", "pos-scans").unwrap();
        c.apply_scenario(
            &[
                (EventKind::Scan, "scenario-scans".into()),
                (EventKind::Transaction, "receipts".into()),
            ],
            Some(KeyField::TransactionId),
        );
        assert_eq!(c.topic(EventKind::Scan), "storesim.pos-scans");
        assert_eq!(c.topic(EventKind::Transaction), "storesim.receipts");
        assert_eq!(c.key, KeyField::TransactionId);
        c.set("key", "none").unwrap();
        c.apply_scenario(&[], Some(KeyField::StoreId));
        assert_eq!(c.key, KeyField::None);
        assert!(c
            .set("topic.refund", "x")
            .unwrap_err()
            .contains("unknown event kind"));
        assert!(c
            .set("topic.scan", "a b")
            .unwrap_err()
            .contains("topic `a b`"));
        assert!(c.set("key", "sku").unwrap_err().contains("store_id"));
    }

    #[test]
    fn typed_keys_need_a_registry_and_a_key() {
        let mut c = KafkaConfig::new("b:9092");
        c.set("key_format", "avro").unwrap();
        assert_eq!(
            c.check().unwrap_err(),
            "key_format=avro needs schema_registry=http://HOST:PORT"
        );
        c.set("schema_registry", "http://r:8081").unwrap();
        assert_eq!(c.check(), Ok(()));
        c.set("key", "none").unwrap();
        assert!(c
            .check()
            .unwrap_err()
            .contains("key_format=avro needs a key"));
        c.set("key_format", "string").unwrap();
        assert_eq!(c.check(), Ok(()));
        assert!(c
            .set("key_format", "json")
            .unwrap_err()
            .contains("use string, avro"));
        assert!(c
            .set("key_format", "xml")
            .unwrap_err()
            .contains("key_format `xml`"));
        assert!(c
            .set("subject_strategy", "TopicNameStrategy")
            .unwrap_err()
            .contains("use topic, record or topic_record"));
        c.set("envelope", "debezium").unwrap();
        c.set("schemas_enable", "true").unwrap();
        assert_eq!(c.check(), Ok(()));
        c.set("format", "avro").unwrap();
        assert!(c
            .check()
            .unwrap_err()
            .contains("schemas_enable=true is for format=json"));
    }

    #[test]
    fn a_scenario_prefix_yields_to_the_url() {
        let mut c = KafkaConfig::new("b:9092");
        c.apply_scenario(&[(EventKind::Purchase, "purchases".into())], None);
        c.apply_scenario_prefix("demo.");
        assert_eq!(c.topic(EventKind::Purchase), "demo.purchases");
        c.set("topic_prefix", "mine.").unwrap();
        c.apply_scenario_prefix("demo.");
        assert_eq!(c.topic(EventKind::Purchase), "mine.purchases");
    }

    #[test]
    fn secrets_are_masked_and_the_rest_kept() {
        let mut c = KafkaConfig::new("b:9092");
        c.properties = vec![
            ("sasl.username".into(), "alice".into()),
            ("sasl.password".into(), "hunter2".into()),
            ("ssl.key.password".into(), "k3y".into()),
        ];
        assert_eq!(
            c.redact("user alice, password hunter2, key k3y"),
            "user alice, password ***, key ***"
        );
        c.properties = vec![("sasl.pasword".into(), "typo-s3cret".into())];
        assert_eq!(c.redact("bad value typo-s3cret"), "bad value ***");
    }
}
