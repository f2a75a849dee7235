//! Schema formats and a schema registry client: the one call a producer
//! makes, registering a subject's schema (Confluent's REST API,
//! `POST /subjects/S/versions`), which returns the id the wire format
//! carries.

use std::time::Duration;

use crate::shape::Shape;

/// How a Kafka sink writes a message's value (or key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON text (storesim's records, or a mapping's); no registry.
    Json,
    /// Avro datums in the Confluent wire format.
    Avro,
    /// Protobuf messages in the Confluent wire format.
    Protobuf,
    /// JSON documents in the Confluent wire format, with a JSON Schema.
    JsonSchema,
}

impl Format {
    /// The names `format=` takes.
    pub const NAMES: &'static str = "json, avro, protobuf, json_schema";

    /// Whether its schemas go to a registry.
    pub fn registered(self) -> bool {
        self != Format::Json
    }

    /// Its name in a URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Avro => "avro",
            Format::Protobuf => "protobuf",
            Format::JsonSchema => "json_schema",
        }
    }

    /// The registry's `schemaType` (none for Avro, its default).
    pub fn schema_type(self) -> Option<&'static str> {
        match self {
            Format::Protobuf => Some("PROTOBUF"),
            Format::JsonSchema => Some("JSON"),
            Format::Json | Format::Avro => None,
        }
    }

    /// The name Confluent's serializers give `shape`'s schema in this
    /// format (for the record subject strategies): the Avro record's and
    /// the Protobuf message's full name (`storesim.scan`), the JSON
    /// Schema's title.
    pub fn record_name(self, shape: &Shape) -> String {
        match self {
            Format::Avro | Format::Protobuf => format!("storesim.{}", shape.name),
            Format::Json | Format::JsonSchema => shape.name.clone(),
        }
    }

    /// The schema text of `shape` in this format (none for plain JSON).
    pub fn schema(self, shape: &Shape) -> Option<String> {
        match self {
            Format::Json => None,
            Format::Avro => Some(crate::avro::shape_schema(shape).to_string()),
            Format::Protobuf => Some(crate::protobuf::shape_schema(shape)),
            Format::JsonSchema => Some(crate::json_schema::shape_schema(shape).to_string()),
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "json" => Ok(Format::Json),
            "avro" => Ok(Format::Avro),
            "protobuf" => Ok(Format::Protobuf),
            "json_schema" => Ok(Format::JsonSchema),
            _ => Err(format!("unknown format `{s}` (known: {})", Format::NAMES)),
        }
    }
}

/// How a schema's subject is named (Confluent's subject name strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectStrategy {
    /// `<topic>-value`, `<topic>-key` (TopicNameStrategy, the default).
    Topic,
    /// The record's full name (RecordNameStrategy).
    Record,
    /// `<topic>-<record's full name>` (TopicRecordNameStrategy).
    TopicRecord,
}

impl SubjectStrategy {
    /// The subject of `shape`'s schema in `format` on `topic`, for a key
    /// or a value.
    pub fn subject(self, topic: &str, format: Format, shape: &Shape, key: bool) -> String {
        let record = format.record_name(shape);
        match self {
            SubjectStrategy::Topic => format!("{topic}-{}", if key { "key" } else { "value" }),
            SubjectStrategy::Record => record,
            SubjectStrategy::TopicRecord => format!("{topic}-{record}"),
        }
    }
}

impl std::str::FromStr for SubjectStrategy {
    type Err = String;

    fn from_str(s: &str) -> Result<SubjectStrategy, String> {
        match s {
            "topic" => Ok(SubjectStrategy::Topic),
            "record" => Ok(SubjectStrategy::Record),
            "topic_record" => Ok(SubjectStrategy::TopicRecord),
            _ => Err(format!(
                "subject_strategy `{s}`: use topic, record or topic_record"
            )),
        }
    }
}

/// How long a registry has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Registers `schema` (its text, of `schema_type`: Avro when none) under
/// `subject` at `url`; its id.
/// A refusal (409 incompatible, 401/403, any error body) or an
/// unreachable registry is an error naming the subject and the registry's
/// own message.
pub fn register(
    url: &str,
    subject: &str,
    schema: &str,
    schema_type: Option<&str>,
) -> Result<u32, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .build()
        .into();
    let mut body = serde_json::json!({ "schema": schema });
    if let Some(t) = schema_type {
        body["schemaType"] = serde_json::json!(t);
    }
    let body = body.to_string();
    let endpoint = format!("{}/subjects/{subject}/versions", url.trim_end_matches('/'));
    let mut response = agent
        .post(&endpoint)
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .send(&body)
        .map_err(|e| format!("schema registry {url} does not answer: {e}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("schema registry {url}: unreadable answer: {e}"))?;
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if (200..300).contains(&status) {
        return json["id"]
            .as_u64()
            .and_then(|id| u32::try_from(id).ok())
            .ok_or_else(|| {
                format!("schema registry {url}: no id for subject {subject} in `{text}`")
            });
    }
    let message = json["message"].as_str().unwrap_or(text.trim());
    Err(format!(
        "schema registry {url} refused subject {subject} (HTTP {status}): {message}"
    ))
}

/// The Confluent wire format's header: magic byte 0 and the schema id.
pub fn frame(id: u32, out: &mut Vec<u8>) {
    out.push(0);
    out.extend_from_slice(&id.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_is_magic_zero_and_a_big_endian_id() {
        let mut v = Vec::new();
        frame(258, &mut v);
        assert_eq!(v, [0, 0, 0, 1, 2]);
    }

    #[test]
    fn subjects_follow_the_strategy() {
        let shape = Shape::of(storesim_sim::EventKind::Scan, None);
        let s = |strategy: &str, format: Format, key: bool| {
            strategy.parse::<SubjectStrategy>().unwrap().subject(
                "storesim.scans",
                format,
                &shape,
                key,
            )
        };
        assert_eq!(s("topic", Format::Avro, false), "storesim.scans-value");
        assert_eq!(s("topic", Format::Avro, true), "storesim.scans-key");
        assert_eq!(s("record", Format::Avro, false), "storesim.scan");
        assert_eq!(s("record", Format::JsonSchema, false), "scan");
        assert_eq!(
            s("topic_record", Format::Protobuf, false),
            "storesim.scans-storesim.scan"
        );
        assert!("topicname"
            .parse::<SubjectStrategy>()
            .unwrap_err()
            .contains("use topic, record or topic_record"));
    }

    #[test]
    fn an_unreachable_registry_is_named() {
        let e = register("http://127.0.0.1:9", "t-value", "\"long\"", None).unwrap_err();
        assert!(
            e.starts_with("schema registry http://127.0.0.1:9 does not answer"),
            "{e}"
        );
    }
}
