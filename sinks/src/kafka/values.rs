//! The schema formats on the Kafka sink (`format=avro|protobuf|json_schema`):
//! each kind's schema registered at open, before anything is produced, and
//! each value rewritten from its JSON in the Confluent wire format.

use apache_avro::writer::datum::GenericDatumWriter as AvroWriter;
use storesim_sim::EventKind;

use super::config::{KafkaConfig, ValueFormat};
use super::sink::spec_err;
use crate::encode::Encoder;
use crate::shape::Shape;
use crate::SinkError;

/// One kind's registered value schema.
#[derive(Debug)]
pub(super) struct Registered {
    /// Its id in the registry.
    id: u32,
    /// The record it describes.
    shape: Shape,
    /// Avro, Protobuf or JSON Schema.
    format: ValueFormat,
    /// The parsed schema, for `format=avro`.
    avro: Option<apache_avro::Schema>,
}

/// Registers each kind's value schema under `<topic>-value`
/// (TopicNameStrategy), before anything is produced; nothing for JSON (the
/// spec's check made sure a schema format has a registry). By kind.
pub(super) fn register_schemas(
    name: &str,
    config: &KafkaConfig,
    kinds: &[EventKind],
    encoder: &Encoder,
) -> Result<Vec<Option<Registered>>, SinkError> {
    let mut out: Vec<Option<Registered>> = EventKind::ALL.iter().map(|_| None).collect();
    let (format, Some(url)) = (config.format, &config.schema_registry) else {
        return Ok(out);
    };
    for kind in kinds {
        let shape = Shape::of(*kind, encoder.map(*kind));
        let Some(text) = format.schema(&shape) else {
            return Ok(out);
        };
        let avro =
            match format {
                ValueFormat::Avro => Some(apache_avro::Schema::parse_str(&text).map_err(|e| {
                    spec_err(name, config, format!("the Avro schema of {kind}: {e}"))
                })?),
                _ => None,
            };
        let subject = format!("{}-value", config.topic(*kind));
        let id = crate::registry::register(url, &subject, &text, format.schema_type())
            .map_err(|e| spec_err(name, config, e))?;
        out[kind.index()] = Some(Registered {
            id,
            shape,
            format,
            avro,
        });
    }
    Ok(out)
}

/// The sink's encoding error.
fn encode_err(sink: &str, message: String) -> SinkError {
    SinkError::Encode {
        sink: sink.to_string(),
        message,
    }
}

/// Each kind's Avro datum writer, for one batch.
pub(super) type AvroWriters<'a> = Vec<Option<AvroWriter<'a>>>;

pub(super) fn avro_writers<'a>(
    sink: &str,
    registered: &'a [Option<Registered>],
) -> Result<AvroWriters<'a>, SinkError> {
    registered
        .iter()
        .map(|r| match r.as_ref().and_then(|r| r.avro.as_ref()) {
            None => Ok(None),
            Some(schema) => AvroWriter::builder(schema)
                .build()
                .map(Some)
                .map_err(|e| encode_err(sink, e.to_string())),
        })
        .collect()
}

/// Rewrites `value`, the record's JSON as the encoder writes it, in the
/// registered schema's format and the Confluent wire format: magic byte,
/// schema id, then the Avro datum, the message-index list and the
/// Protobuf message, or the JSON document.
pub(super) fn rewrite(
    sink: &str,
    kind: EventKind,
    registered: &Registered,
    avro: Option<&AvroWriter<'_>>,
    value: &mut Vec<u8>,
) -> Result<(), SinkError> {
    let fail = |e: String| encode_err(sink, format!("{kind}: {e}"));
    let mut out = Vec::with_capacity(value.len());
    crate::registry::frame(registered.id, &mut out);
    let json =
        || serde_json::from_slice::<serde_json::Value>(value).map_err(|e| fail(e.to_string()));
    match (registered.format, avro) {
        (ValueFormat::Avro, Some(writer)) => {
            let datum =
                crate::avro::datum(&registered.shape, &json()?).map_err(|e| fail(e.to_string()))?;
            writer
                .write_value_ref(&mut out, &datum)
                .map_err(|e| fail(e.to_string()))?;
        }
        (ValueFormat::Protobuf, _) => {
            out.push(crate::protobuf::FIRST_MESSAGE);
            crate::protobuf::encode(&registered.shape, &json()?, &mut out)
                .map_err(|e| fail(e.to_string()))?;
        }
        (ValueFormat::JsonSchema, _) => out.extend_from_slice(value),
        (format, _) => return Err(fail(format!("no writer for format {}", format.as_str()))),
    }
    *value = out;
    Ok(())
}
