//! The schema formats on the Kafka sink (`format=avro|protobuf|json_schema`,
//! `key_format=`): each kind's value and key schemas registered at open,
//! before anything is produced, and each value and key rewritten from its
//! JSON in the Confluent wire format.

use apache_avro::writer::datum::GenericDatumWriter as AvroWriter;
use storesim_sim::{Event, EventKind, KeyField};

use super::config::{KafkaConfig, ValueFormat};
use super::sink::spec_err;
use crate::encode::Encoder;
use crate::shape::Shape;
use crate::SinkError;

/// One kind's registered key or value schema.
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
    /// The record's written form, for Avro datums made straight from the
    /// event (storesim's records and change events, not a mapping's).
    plan: Option<crate::avro::fast::Plan>,
}

/// A sink's registered schemas, by kind.
#[derive(Debug, Default)]
pub(super) struct Schemas {
    /// Of the values (`format=`).
    pub values: Vec<Option<Registered>>,
    /// Of the keys (`key_format=`).
    pub keys: Vec<Option<Registered>>,
}

/// The key's record of `kind`, for a typed key: `{item_id}` for a
/// Debezium change event, else one field, `store_id` or
/// `transaction_id` (which holds the store's id for an event outside a
/// transaction), in a record named after the value's (`scan_key`).
pub(super) fn key_shape(config: &KafkaConfig, encoder: &Encoder, kind: EventKind) -> Option<Shape> {
    use crate::shape::{ColType, Column};
    use storesim_sim::schema::Type;
    if config.envelope.wraps(kind) {
        return Some(crate::debezium::key_shape());
    }
    let (name, ty, doc) = match config.key {
        KeyField::None => return None,
        KeyField::StoreId => ("store_id", Type::Int32, "The store."),
        KeyField::TransactionId => (
            "transaction_id",
            Type::String,
            "The transaction; the store's id for an event outside one.",
        ),
    };
    Some(Shape {
        name: format!("{}_key", encoder.shape(kind).name),
        doc: "A message's key.",
        columns: vec![Column {
            json: name.into(),
            name: name.into(),
            ty: ColType::Like(ty),
            nullable: false,
            doc: doc.into(),
            default: None,
        }],
    })
}

/// Registers `shape`'s schema in `format` for `topic`'s keys or values.
fn register(
    name: &str,
    config: &KafkaConfig,
    registry: &crate::registry::Client<'_>,
    topic: &str,
    format: ValueFormat,
    shape: Shape,
    key: bool,
) -> Result<Option<Registered>, SinkError> {
    let Some(text) = format.schema(&shape) else {
        return Ok(None);
    };
    let what = if key { "key" } else { "value" };
    let avro = match format {
        ValueFormat::Avro => Some(apache_avro::Schema::parse_str(&text).map_err(|e| {
            spec_err(
                name,
                config,
                format!("the Avro {what} schema of {topic}: {e}"),
            )
        })?),
        _ => None,
    };
    let subject = config.subject_strategy.subject(topic, format, &shape, key);
    let id = registry
        .register(&subject, &text, format.schema_type())
        .map_err(|e| spec_err(name, config, e))?;
    Ok(Some(Registered {
        id,
        plan: None,
        shape,
        format,
        avro,
    }))
}

/// Registers each kind's value schema (`format=`) and key schema
/// (`key_format=`) under the subject strategy's subjects (`<topic>-value`,
/// `<topic>-key`), before anything is produced; nothing for JSON and
/// string keys (the spec's check made sure a schema format has a
/// registry).
pub(super) fn register_schemas(
    name: &str,
    config: &KafkaConfig,
    kinds: &[EventKind],
    encoder: &Encoder,
) -> Result<Schemas, SinkError> {
    let none = || EventKind::ALL.iter().map(|_| None).collect();
    let mut out = Schemas {
        values: none(),
        keys: none(),
    };
    config.check_key().map_err(|e| spec_err(name, config, e))?;
    let Some(registry) = config.registry().map_err(|e| spec_err(name, config, e))? else {
        return Ok(out);
    };
    let registry = registry.client().map_err(|e| spec_err(name, config, e))?;
    for kind in kinds {
        let topic = config.topic(*kind);
        out.values[kind.index()] = register(
            name,
            config,
            &registry,
            &topic,
            config.format,
            encoder.shape(*kind),
            false,
        )?
        .map(|mut r| {
            // Avro datums straight from the event, unless its record exists
            // only as a mapping's JSON (keys are tiny: they go through JSON).
            if r.avro.is_some() && !encoder.json_only(*kind) {
                r.plan = Some(crate::avro::fast::Plan::of(&r.shape));
            }
            r
        });
        if let (Some(format), Some(shape)) = (config.key_format, key_shape(config, encoder, *kind))
        {
            out.keys[kind.index()] =
                register(name, config, &registry, &topic, format, shape, true)?;
        }
    }
    Ok(out)
}

/// Writes `event`'s key into `out` (cleared first), as text, as Debezium's
/// JSON key, or in its registered schema's format (`key`); false for no
/// key. `text` is scratch space.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_key(
    sink: &str,
    config: &KafkaConfig,
    key: Option<&Registered>,
    avro: Option<&AvroWriter<'_>>,
    event: &Event,
    text: &mut String,
    out: &mut Vec<u8>,
) -> Result<bool, SinkError> {
    out.clear();
    let kind = event.kind();
    let fail = |e: serde_json::Error| encode_err(sink, format!("{kind} key: {e}"));
    match event {
        Event::ItemChange(change) if config.envelope.debezium => {
            let wrapped = config.envelope.schemas && key.is_none();
            crate::debezium::key_json(change, wrapped, out).map_err(fail)?;
        }
        _ => {
            if !config.key.write(event, text) {
                return Ok(false);
            }
            let Some(registered) = key else {
                out.extend_from_slice(text.as_bytes());
                return Ok(true);
            };
            let field = &registered.shape.columns[0].json;
            let value = match config.key {
                KeyField::StoreId => serde_json::json!(event.store_id()),
                _ => serde_json::json!(text),
            };
            serde_json::to_writer(&mut *out, &serde_json::json!({ field: value })).map_err(fail)?;
        }
    }
    if let Some(registered) = key {
        rewrite(sink, kind, registered, avro, out)?;
    }
    Ok(true)
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

/// Writes `event`'s value into `out` (cleared first): the encoder's JSON,
/// or in its registered schema's format, an Avro datum made straight from
/// the event where it can be.
pub(super) fn write_value(
    sink: &str,
    encoder: &Encoder,
    registered: Option<&Registered>,
    avro: Option<&AvroWriter<'_>>,
    event: &Event,
    out: &mut Vec<u8>,
) -> Result<(), SinkError> {
    out.clear();
    let kind = event.kind();
    if let Some((r, plan)) = registered.and_then(|r| r.plan.as_ref().map(|p| (r, p))) {
        crate::registry::frame(r.id, out);
        return crate::avro::fast::write(plan, &encoder.record(event), out)
            .map_err(|e| encode_err(sink, format!("{kind}: {e}")));
    }
    encoder
        .json_line(event, out)
        .map_err(|e| encode_err(sink, e.to_string()))?;
    out.pop(); // no newline inside a message
    if let Some(registered) = registered {
        rewrite(sink, kind, registered, avro, out)?;
    }
    Ok(())
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
