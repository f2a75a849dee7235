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
use storesim_sim::mapping::{KindMap, OutType};
use storesim_sim::schema::{Field, TimeText, Type};

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
        Type::Record(fields) => record(name, None, fields.iter().map(|f| field(f, name))),
    }
}

fn with_null(ty: Value, nullable: bool) -> Value {
    if nullable {
        json!(["null", ty])
    } else {
        ty
    }
}

fn doc_of(f: &Field) -> String {
    if f.values.is_empty() {
        f.doc.to_string()
    } else {
        format!("{} One of: {}.", f.doc, f.values.join(", "))
    }
}

fn field(f: &Field, parent: &str) -> Value {
    let ty = avro_type(&f.ty, &format!("{parent}_{}", f.name));
    let mut m = Map::new();
    m.insert("name".into(), json!(f.name));
    m.insert("type".into(), with_null(ty, f.nullable));
    m.insert("doc".into(), json!(doc_of(f)));
    if f.nullable {
        m.insert("default".into(), Value::Null);
    }
    Value::Object(m)
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

/// The `kind` field every storesim record starts with.
fn kind_field(kind: EventKind) -> Value {
    json!({
        "name": "kind",
        "type": "string",
        "default": kind.as_str(),
        "doc": "The record's kind.",
    })
}

/// The Avro schema of `kind`'s records as storesim writes them.
pub fn kind_schema(kind: EventKind) -> Value {
    let s = kind.schema();
    let name = s.name;
    record(
        name,
        Some(s.doc),
        std::iter::once(kind_field(kind)).chain(s.fields.iter().map(|f| field(f, name))),
    )
}

/// The Avro schema of `kind`'s records as a mapping writes them: the
/// record named after the mapping's name (a valid Avro name).
pub fn mapped_schema(map: &KindMap) -> Value {
    let name = avro_name(&map.name);
    record(
        &name,
        Some(map.kind.schema().doc),
        map.fields.iter().map(|f| {
            let ty = match &f.ty {
                OutType::Like(t) => avro_type(t, &format!("{name}_{}", f.name)),
                OutType::LocalTimestamp(_) => json!("string"),
            };
            let mut m = Map::new();
            m.insert("name".into(), json!(avro_name(&f.name)));
            m.insert("type".into(), with_null(ty, f.nullable));
            m.insert("doc".into(), json!(f.doc));
            if f.nullable {
                m.insert("default".into(), Value::Null);
            }
            Value::Object(m)
        }),
    )
}

/// `name` as an Avro name: letters, digits and `_`, not starting with a
/// digit (`temus-product` is `temus_product`).
pub fn avro_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
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

    #[test]
    fn names_become_avro_names() {
        assert_eq!(avro_name("temus-product-data"), "temus_product_data");
        assert_eq!(avro_name("1x"), "_1x");
        assert_eq!(avro_name("customerId"), "customerId");
    }
}
