//! JSON Schema (draft-07) for the Kafka sink: each kind's schema made from
//! its [`Shape`]; the documents are storesim's JSON records as they are.
//!
//! Choices (README "Schema registry"): an object with every column in
//! `properties`, the columns that are never null `required`, no others
//! allowed; integers as `integer` (with Kafka Connect's `connect.type`),
//! money as `number` (JSON writes it as a number with two decimals),
//! instants as `string` `date-time` (storesim's), a demo's zoneless time
//! as `string`, dates as `string` `date`; a nullable column as
//! `oneOf [null, T]`, as Kafka Connect reads an optional field. A closed
//! set stays a `string`, its values in the description.

use serde_json::{json, Map, Value};
use storesim_sim::schema::{TimeText, Type};

use crate::shape::{field_doc, ColType, Shape};

/// The draft the schemas declare.
pub const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

fn object<'a>(
    title: Option<&str>,
    doc: &str,
    columns: impl Iterator<Item = (&'a str, ColType, bool, String, Option<&'a str>)>,
) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, ty, nullable, doc, default) in columns {
        let mut t = typed(&ty);
        if let (Value::Object(m), Some(d)) = (&mut t, default) {
            m.insert("default".into(), json!(d));
        }
        let mut p = if nullable {
            json!({"oneOf": [{"type": "null"}, t]})
        } else {
            required.push(json!(name));
            t
        };
        if let Value::Object(m) = &mut p {
            m.insert("description".into(), json!(doc));
        }
        properties.insert(name.to_string(), p);
    }
    let mut m = Map::new();
    if let Some(title) = title {
        m.insert("$schema".into(), json!(DRAFT));
        m.insert("title".into(), json!(title));
    }
    m.insert("description".into(), json!(doc));
    m.insert("type".into(), json!("object"));
    m.insert("properties".into(), Value::Object(properties));
    m.insert("required".into(), Value::Array(required));
    m.insert("additionalProperties".into(), json!(false));
    Value::Object(m)
}

fn typed(ty: &ColType) -> Value {
    match ty {
        ColType::Like(Type::Bool) => json!({"type": "boolean"}),
        ColType::Like(Type::Int32) => json!({"type": "integer", "connect.type": "int32"}),
        ColType::Like(Type::Int64) => json!({"type": "integer", "connect.type": "int64"}),
        ColType::Like(Type::Float64) => json!({"type": "number"}),
        ColType::Like(Type::Decimal { .. }) => json!({"type": "number"}),
        ColType::Like(Type::Timestamp(TimeText::Millis)) => {
            json!({"type": "string", "format": "date-time"})
        }
        ColType::Like(Type::Date) => json!({"type": "string", "format": "date"}),
        ColType::Like(Type::Record(fields)) => object(
            None,
            "A nested record.",
            fields
                .iter()
                .map(|f| (f.name, ColType::Like(f.ty), f.nullable, field_doc(f), None)),
        ),
        ColType::Like(Type::String | Type::Timestamp(TimeText::NaiveMicros)) | ColType::Text => {
            json!({"type": "string"})
        }
    }
}

/// The JSON Schema of a record of `shape` (keys as the JSON's).
pub fn shape_schema(shape: &Shape) -> Value {
    object(
        Some(&shape.name),
        shape.doc,
        shape
            .columns
            .iter()
            .map(|c| (c.json.as_str(), c.ty, c.nullable, c.doc.clone(), c.default)),
    )
}

#[cfg(test)]
mod tests {
    use storesim_sim::EventKind;

    use super::*;

    #[test]
    fn a_schema_requires_what_is_never_null() {
        let s = shape_schema(&Shape::of(EventKind::ItemChange, None));
        assert_eq!(s["$schema"], DRAFT);
        assert_eq!(s["title"], "item_change");
        let required = s["required"].as_array().unwrap();
        assert!(required.contains(&json!("kind")));
        assert!(!required.contains(&json!("before")));
        assert_eq!(s["properties"]["before"]["oneOf"][0]["type"], "null");
        assert_eq!(s["properties"]["before"]["oneOf"][1]["type"], "object");
        assert_eq!(s["properties"]["ts"]["format"], "date-time");
        assert_eq!(s["properties"]["kind"]["default"], "item_change");
    }
}
