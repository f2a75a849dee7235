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

/// The registry options (`--registry-opt`, or in a Kafka sink's URL), by
/// the names Confluent's clients give them.
pub const OPTIONS: [&str; 3] = [
    "basic.auth.user.info",
    "basic.auth.credentials.source",
    "ssl.ca.location",
];

/// A schema registry: its URL and how to reach it.
#[derive(Debug, Clone)]
pub struct Registry {
    /// `http(s)://HOST:PORT[/PATH]`, without user info.
    url: String,
    /// `USER:PASSWORD` for HTTP basic authentication.
    user_info: Option<String>,
    /// PEM certificates to trust instead of the usual roots.
    ca: Option<std::path::PathBuf>,
}

impl Registry {
    /// The registry at `url` with `options` ([`OPTIONS`]): basic auth from
    /// `basic.auth.user.info` or from the URL's user info
    /// (`basic.auth.credentials.source=URL`, the default when the URL has
    /// one), `ssl.ca.location` for an https registry with a certificate
    /// of its own. `Err` names what is wrong.
    pub fn new(url: &str, options: &[(String, String)]) -> Result<Registry, String> {
        let get = |key: &str| options.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v);
        if let Some((key, _)) = options.iter().find(|(k, _)| !OPTIONS.contains(&k.as_str())) {
            return Err(format!(
                "unknown registry option `{key}` (known: {})",
                OPTIONS.join(", ")
            ));
        }
        let (scheme, rest) = url
            .split_once("://")
            .filter(|(s, _)| matches!(*s, "http" | "https"))
            .ok_or_else(|| {
                "schema_registry: use http://HOST:PORT or https://HOST:PORT".to_string()
            })?;
        let (from_url, host) = match rest.split_once('@') {
            Some((info, host)) if !info.contains('/') => (Some(info.to_string()), host),
            _ => (None, rest),
        };
        let user_info = match get("basic.auth.credentials.source").map(String::as_str) {
            Some("URL") => Some(from_url.ok_or(
                "basic.auth.credentials.source=URL: the registry URL has no USER:PASSWORD@",
            )?),
            Some("USER_INFO") => Some(
                get("basic.auth.user.info")
                    .cloned()
                    .ok_or("basic.auth.credentials.source=USER_INFO needs basic.auth.user.info")?,
            ),
            Some(other) => {
                return Err(format!(
                    "basic.auth.credentials.source `{other}`: use USER_INFO or URL"
                ))
            }
            None => get("basic.auth.user.info").cloned().or(from_url),
        };
        if let Some(info) = &user_info {
            if !info.contains(':') {
                return Err("basic.auth.user.info: write USER:PASSWORD".into());
            }
        }
        let ca = get("ssl.ca.location").map(std::path::PathBuf::from);
        if ca.is_some() && scheme != "https" {
            return Err("ssl.ca.location is for an https:// registry".into());
        }
        Ok(Registry {
            url: format!("{scheme}://{}", host.trim_end_matches('/')),
            user_info,
            ca,
        })
    }

    /// Its URL, without user info.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client of the registry: its HTTP agent, with the certificates of
    /// `ssl.ca.location` read once.
    pub fn client(&self) -> Result<Client<'_>, String> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT));
        if let Some(path) = &self.ca {
            let pem = std::fs::read(path)
                .map_err(|e| format!("ssl.ca.location {}: {e}", path.display()))?;
            let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(format!(
                    "ssl.ca.location {}: no PEM certificate in it",
                    path.display()
                ));
            }
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
                    .build(),
            );
        }
        Ok(Client {
            registry: self,
            agent: config.build().into(),
        })
    }
}

/// A connection to a [`Registry`], for the registrations of one sink.
#[derive(Debug)]
pub struct Client<'a> {
    registry: &'a Registry,
    agent: ureq::Agent,
}

impl Client<'_> {
    /// Registers `schema` (its text, of `schema_type`: Avro when none)
    /// under `subject`; its id. A refusal (409 incompatible, 401/403, any
    /// error body) or an unreachable registry is an error naming the
    /// subject and the registry's own message.
    pub fn register(
        &self,
        subject: &str,
        schema: &str,
        schema_type: Option<&str>,
    ) -> Result<u32, String> {
        let url = &self.registry.url;
        let mut body = serde_json::json!({ "schema": schema });
        if let Some(t) = schema_type {
            body["schemaType"] = serde_json::json!(t);
        }
        let body = body.to_string();
        let endpoint = format!("{url}/subjects/{subject}/versions");
        let mut request = self
            .agent
            .post(&endpoint)
            .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        if let Some(info) = &self.registry.user_info {
            use base64::Engine as _;
            let token = base64::engine::general_purpose::STANDARD.encode(info);
            request = request.header("Authorization", &format!("Basic {token}"));
        }
        let mut response = request
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
    fn registry_options_are_checked() {
        let opts = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let r = Registry::new("https://u:p@r.example.com:8081/", &[]).unwrap();
        assert_eq!(r.url(), "https://r.example.com:8081");
        assert_eq!(r.user_info.as_deref(), Some("u:p"));
        let r = Registry::new(
            "https://r:8081",
            &opts(&[("basic.auth.user.info", "key:secret")]),
        )
        .unwrap();
        assert_eq!(r.user_info.as_deref(), Some("key:secret"));
        for (url, o, want) in [
            (
                "ftp://r",
                vec![],
                "use http://HOST:PORT or https://HOST:PORT",
            ),
            (
                "http://r",
                opts(&[("ssl.ca.location", "ca.pem")]),
                "is for an https://",
            ),
            (
                "http://r",
                opts(&[("basic.auth.user.info", "nocolon")]),
                "write USER:PASSWORD",
            ),
            (
                "http://r",
                opts(&[("bearer.auth.token", "t")]),
                "unknown registry option `bearer.auth.token`",
            ),
            (
                "http://r",
                opts(&[("basic.auth.credentials.source", "URL")]),
                "has no USER:PASSWORD@",
            ),
        ] {
            let e = Registry::new(url, &o).unwrap_err();
            assert!(e.contains(want), "{url} {o:?}: {e}");
        }
    }

    #[test]
    fn an_unreachable_registry_is_named() {
        let r = Registry::new("http://127.0.0.1:9", &[]).unwrap();
        let e = r
            .client()
            .unwrap()
            .register("t-value", "\"long\"", None)
            .unwrap_err();
        assert!(
            e.starts_with("schema registry http://127.0.0.1:9 does not answer"),
            "{e}"
        );
    }
}
