//! `format=avro` on the Kafka sink: the schemas registered at open, and
//! each value rewritten as its datum in the Confluent wire format.

use apache_avro::writer::datum::GenericDatumWriter as AvroWriter;
use storesim_sim::EventKind;

use super::config::{KafkaConfig, ValueFormat};
use super::sink::spec_err;
use crate::encode::Encoder;
use crate::SinkError;

/// `format=avro`: registers each kind's value schema under
/// `<topic>-value` (TopicNameStrategy), before anything is produced;
/// nothing for JSON (the spec's check made sure Avro has a registry).
pub(super) fn register_schemas(
    name: &str,
    config: &KafkaConfig,
    kinds: &[EventKind],
    encoder: &Encoder,
) -> Result<Vec<Option<(u32, apache_avro::Schema)>>, SinkError> {
    let mut out = vec![None; EventKind::ALL.len()];
    let (ValueFormat::Avro, Some(url)) = (config.format, &config.schema_registry) else {
        return Ok(out);
    };
    for kind in kinds {
        let json = match encoder.map(*kind) {
            Some(m) => crate::avro::mapped_schema(m),
            None => crate::avro::kind_schema(*kind),
        };
        let schema = apache_avro::Schema::parse(&json)
            .map_err(|e| spec_err(name, config, format!("the Avro schema of {kind}: {e}")))?;
        let subject = format!("{}-value", config.topic(*kind));
        let id = crate::avro::registry::register(url, &subject, &json.to_string())
            .map_err(|e| spec_err(name, config, e))?;
        out[kind.index()] = Some((id, schema));
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

/// Each kind's schema id and a datum writer, for one batch.
pub(super) type AvroWriters<'a> = Vec<Option<(u32, AvroWriter<'a>)>>;

pub(super) fn avro_writers<'a>(
    sink: &str,
    avro: &'a [Option<(u32, apache_avro::Schema)>],
) -> Result<AvroWriters<'a>, SinkError> {
    avro.iter()
        .map(|a| match a {
            None => Ok(None),
            Some((id, schema)) => AvroWriter::builder(schema)
                .build()
                .map(|w| Some((*id, w)))
                .map_err(|e| encode_err(sink, e.to_string())),
        })
        .collect()
}

/// Rewrites `value`, the record's JSON as `encoder` writes it, as its
/// Avro datum in the Confluent wire format.
pub(super) fn to_avro(
    sink: &str,
    encoder: &Encoder,
    kind: EventKind,
    (id, writer): (u32, &AvroWriter<'_>),
    value: &mut Vec<u8>,
) -> Result<(), SinkError> {
    let json: serde_json::Value =
        serde_json::from_slice(value).map_err(|e| encode_err(sink, e.to_string()))?;
    let datum = match encoder.map(kind) {
        Some(m) => {
            let values: Vec<serde_json::Value> = m
                .fields
                .iter()
                .map(|f| json.get(&f.name).cloned().unwrap_or_default())
                .collect();
            crate::avro::mapped_datum(m, &values)
        }
        None => crate::avro::kind_datum(kind.schema().fields, &json),
    }
    .map_err(|e| encode_err(sink, format!("{kind}: {e}")))?;
    value.clear();
    crate::avro::registry::frame(id, value);
    writer
        .write_value_ref(value, &datum)
        .map_err(|e| encode_err(sink, format!("{kind}: {e}")))?;
    Ok(())
}
