//! A kind's Avro schema, made from its one schema ([`storesim_sim::schema`])
//! or from a scenario's mapping of it.
//!
//! Choices (README "Schema registry"): a record named after the kind in
//! the namespace `storesim`, its fields in JSON's order, `kind` first as a
//! string defaulting to the kind's name; money as `bytes` with the
//! `decimal` logical type (its precision and scale); storesim's instants
//! as `long` `timestamp-millis`, the demos' zoneless microsecond times as
//! `long` `timestamp-micros` (UTC), dates as `int` `date`; a nested record
//! as a named record of its own; a nullable field as the union
//! `["null", T]` with default null. A closed set of values stays a
//! `string` (its values in the field's doc): a Avro enum refuses a value
//! added later, and a string reads the same in every engine. A field a
//! mapping writes as wall-clock text is a `string`.

use serde_json::{json, Map, Value};
use storesim_sim::event::EventKind;
use storesim_sim::mapping::KindMap;
use storesim_sim::schema::{TimeText, Type};

use crate::shape::{field_doc, ColType, Column, Shape};

/// The namespace of every storesim record.
pub const NAMESPACE: &str = "storesim";

/// The Avro type of a logical type; `name` names a nested record.
fn avro_type(ty: &Type, name: &str) -> Value {
    match ty {
        Type::Bool => json!("boolean"),
        Type::Int32 => json!("int"),
        Type::Int64 => json!("long"),
        Type::Float64 => json!("double"),
        Type::String => json!("string"),
        Type::Decimal { precision, scale } => json!({
            "type": "bytes",
            "logicalType": "decimal",
            "precision": precision,
            "scale": scale,
        }),
        Type::Timestamp(TimeText::Millis) => {
            json!({"type": "long", "logicalType": "timestamp-millis"})
        }
        Type::Timestamp(TimeText::NaiveMicros) => {
            json!({"type": "long", "logicalType": "timestamp-micros"})
        }
        Type::Date => json!({"type": "int", "logicalType": "date"}),
        Type::Record(fields) => record(
            name,
            None,
            fields.iter().map(|f| {
                field(
                    f.name,
                    &avro_type(&f.ty, &format!("{name}_{}", f.name)),
                    f.nullable,
                    &field_doc(f),
                    None,
                )
            }),
        ),
    }
}

fn field(name: &str, ty: &Value, nullable: bool, doc: &str, default: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    m.insert(
        "type".into(),
        if nullable {
            json!(["null", ty])
        } else {
            ty.clone()
        },
    );
    if let Some(d) = default {
        m.insert("default".into(), json!(d));
    }
    m.insert("doc".into(), json!(doc));
    if nullable {
        m.insert("default".into(), Value::Null);
    }
    Value::Object(m)
}

fn column(c: &Column, parent: &str) -> Value {
    let ty = match &c.ty {
        ColType::Like(t) => avro_type(t, &format!("{parent}_{}", c.name)),
        ColType::Text => json!("string"),
    };
    field(&c.name, &ty, c.nullable, &c.doc, c.default)
}

fn record(name: &str, doc: Option<&str>, fields: impl Iterator<Item = Value>) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!("record"));
    m.insert("name".into(), json!(name));
    m.insert("namespace".into(), json!(NAMESPACE));
    if let Some(doc) = doc {
        m.insert("doc".into(), json!(doc));
    }
    m.insert("fields".into(), Value::Array(fields.collect()));
    Value::Object(m)
}

/// The Avro schema of a record of `shape`.
pub fn shape_schema(shape: &Shape) -> Value {
    record(
        &shape.name,
        Some(shape.doc),
        shape.columns.iter().map(|c| column(c, &shape.name)),
    )
}

/// The Avro schema of `kind`'s records as storesim writes them.
pub fn kind_schema(kind: EventKind) -> Value {
    shape_schema(&Shape::of(kind, None))
}

/// The Avro schema of `kind`'s records as a mapping writes them: the
/// record named after the mapping's name (a valid Avro name).
pub fn mapped_schema(map: &KindMap) -> Value {
    shape_schema(&Shape::of(map.kind, Some(map)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kinds_schema_is_valid_avro() {
        for kind in EventKind::ALL {
            let text = kind_schema(kind).to_string();
            let parsed = apache_avro::Schema::parse_str(&text)
                .unwrap_or_else(|e| panic!("{kind}: {e}\n{text}"));
            let apache_avro::Schema::Record(r) = parsed else {
                panic!("{kind}: not a record");
            };
            assert_eq!(r.fields.len(), kind.schema().fields.len() + 1, "{kind}");
            assert_eq!(r.fields[0].name, "kind");
        }
    }

    #[test]
    fn logical_types_and_nulls() {
        let s = kind_schema(EventKind::Transaction).to_string();
        assert!(s.contains(r#""logicalType":"decimal""#), "{s}");
        assert!(s.contains(r#""logicalType":"timestamp-millis""#), "{s}");
        let c = kind_schema(EventKind::WuCustomer).to_string();
        assert!(c.contains(r#""logicalType":"date""#), "{c}");
        assert!(c.contains(r#""logicalType":"timestamp-micros""#), "{c}");
        assert!(c.contains(r#"["null","string"]"#), "{c}");
    }
}
