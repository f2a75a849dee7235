//! Protobuf for the Kafka sink: each kind's `.proto` (proto3) made from its
//! [`Shape`], and its records' messages, encoded with `prost`'s wire
//! functions.
//!
//! Choices (README "Schema registry"): one file per kind, package
//! `storesim`, the record's message first (message index 0, the wire
//! format's single `0` byte), its nested records as messages after it;
//! fields numbered 1, 2, ... in the JSON's order; money as `string`, the
//! exact decimal text (`4.99`: Protobuf has no decimal, and Confluent's
//! own needs a schema reference); instants as `google.protobuf.Timestamp`;
//! dates as `string` (`2026-11-27`); a nullable scalar as `optional`
//! (present when not null), a nullable record as a message field (absent
//! when null).

use prost::encoding::{self, WireType};
use serde_json::Value;
use storesim_sim::schema::{Field, TimeText, Type};

use crate::shape::{bad, field_doc, instant, unscaled, ColType, Shape, ValueError};

/// The Protobuf type of a column or nested field, with the nested message
/// `name` it needs.
fn proto_type(ty: &ColType, name: &str) -> String {
    match ty {
        ColType::Like(Type::Bool) => "bool".into(),
        ColType::Like(Type::Int32) => "int32".into(),
        ColType::Like(Type::Int64) => "int64".into(),
        ColType::Like(Type::Float64) => "double".into(),
        ColType::Like(Type::Timestamp(_)) => "google.protobuf.Timestamp".into(),
        ColType::Like(Type::Record(_)) => name.into(),
        ColType::Like(Type::String | Type::Decimal { .. } | Type::Date) | ColType::Text => {
            "string".into()
        }
    }
}

fn is_message(ty: &ColType) -> bool {
    matches!(
        ty,
        ColType::Like(Type::Timestamp(_)) | ColType::Like(Type::Record(_))
    )
}

fn uses_timestamp(fields: &[Field]) -> bool {
    fields.iter().any(|f| match f.ty {
        Type::Timestamp(_) => true,
        Type::Record(inner) => uses_timestamp(inner),
        _ => false,
    })
}

/// One message: `fields` are (name, type, nullable, doc); nested records
/// are appended to `after` as messages of their own.
fn message<'a>(
    out: &mut String,
    after: &mut Vec<(String, &'static [Field])>,
    name: &str,
    doc: &str,
    fields: impl Iterator<Item = (&'a str, ColType, bool, String)>,
) {
    use std::fmt::Write;
    let _ = writeln!(out, "\n// {doc}\nmessage {name} {{");
    for (i, (field, ty, nullable, doc)) in fields.enumerate() {
        let nested = format!("{name}_{field}");
        if let ColType::Like(Type::Record(inner)) = ty {
            after.push((nested.clone(), inner));
        }
        let doc = match ty {
            ColType::Like(Type::Decimal { scale, .. }) => {
                format!("{doc} Exact decimal text, {scale} places.")
            }
            ColType::Like(Type::Date) => format!("{doc} As YYYY-MM-DD."),
            _ => doc,
        };
        let optional = if nullable && !is_message(&ty) {
            "optional "
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  // {doc}\n  {optional}{} {field} = {};",
            proto_type(&ty, &nested),
            i + 1
        );
    }
    out.push_str("}\n");
}

/// The `.proto` text of a record of `shape`.
pub fn shape_schema(shape: &Shape) -> String {
    let timestamps = shape.columns.iter().any(|c| match c.ty {
        ColType::Like(Type::Timestamp(_)) => true,
        ColType::Like(Type::Record(inner)) => uses_timestamp(inner),
        _ => false,
    });
    let mut out = String::from("syntax = \"proto3\";\n\npackage storesim;\n");
    if timestamps {
        out.push_str("\nimport \"google/protobuf/timestamp.proto\";\n");
    }
    let mut nested = Vec::new();
    message(
        &mut out,
        &mut nested,
        &shape.name,
        shape.doc,
        shape
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.ty, c.nullable, c.doc.clone())),
    );
    while let Some((name, fields)) = nested.pop() {
        message(
            &mut out,
            &mut nested,
            &name,
            "A nested record.",
            fields
                .iter()
                .map(|f| (f.name, ColType::Like(f.ty), f.nullable, field_doc(f))),
        );
    }
    out
}

/// The message-index list of the record's message (index 0): Confluent
/// writes `[0]` as the single byte 0.
pub const FIRST_MESSAGE: u8 = 0;

/// Appends one field's value (`tag`), unless it is null or, for a field
/// that is never null, the type's default (proto3 leaves those out).
fn put(
    name: &str,
    tag: u32,
    ty: &ColType,
    nullable: bool,
    v: &Value,
    out: &mut Vec<u8>,
) -> Result<(), ValueError> {
    if v.is_null() {
        return if nullable {
            Ok(())
        } else {
            Err(bad(name, "null in a field that is never null"))
        };
    }
    let keep = nullable;
    match (ty, v) {
        (ColType::Like(Type::Bool), Value::Bool(b)) => {
            if *b || keep {
                encoding::bool::encode(tag, b, out)
            }
        }
        (ColType::Like(Type::Int32), Value::Number(n)) => {
            let x = n
                .as_i64()
                .and_then(|x| i32::try_from(x).ok())
                .ok_or_else(|| bad(name, format!("{n} is not an int")))?;
            if x != 0 || keep {
                encoding::int32::encode(tag, &x, out)
            }
        }
        (ColType::Like(Type::Int64), Value::Number(n)) => {
            let x = n
                .as_i64()
                .ok_or_else(|| bad(name, format!("{n} is not a long")))?;
            if x != 0 || keep {
                encoding::int64::encode(tag, &x, out)
            }
        }
        (ColType::Like(Type::Float64), Value::Number(n)) => {
            let x = n.as_f64().unwrap_or_default();
            if x != 0.0 || keep {
                encoding::double::encode(tag, &x, out)
            }
        }
        (ColType::Like(Type::Decimal { scale, .. }), Value::Number(_)) => {
            let text = decimal_text(unscaled(name, v, *scale)?, *scale);
            encoding::string::encode(tag, &text, out)
        }
        (ColType::Like(Type::Timestamp(text)), Value::String(s)) => {
            let t = instant(name, *text, s)?;
            let nanos = match text {
                TimeText::Millis => t.timestamp_subsec_millis() * 1_000_000,
                TimeText::NaiveMicros => t.timestamp_subsec_micros() * 1_000,
            };
            let ts = prost_types::Timestamp {
                seconds: t.timestamp(),
                nanos: nanos as i32,
            };
            encoding::message::encode(tag, &ts, out)
        }
        (ColType::Like(Type::Record(fields)), Value::Object(o)) => {
            let mut inner = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                put(
                    f.name,
                    i as u32 + 1,
                    &ColType::Like(f.ty),
                    f.nullable,
                    o.get(f.name).unwrap_or(&Value::Null),
                    &mut inner,
                )?;
            }
            encoding::encode_key(tag, WireType::LengthDelimited, out);
            encoding::encode_varint(inner.len() as u64, out);
            out.extend_from_slice(&inner);
        }
        (ColType::Like(Type::String | Type::Date) | ColType::Text, Value::String(s)) => {
            if !s.is_empty() || keep {
                encoding::string::encode(tag, s, out)
            }
        }
        (ColType::Like(ty), v) => return Err(bad(name, format!("{v} is not {ty}"))),
        (ColType::Text, v) => return Err(bad(name, format!("{v} is not text"))),
    }
    Ok(())
}

/// An unscaled decimal's text: `499` at scale 2 is `4.99`.
fn decimal_text(unscaled: i128, scale: u8) -> String {
    let sign = if unscaled < 0 { "-" } else { "" };
    let abs = unscaled.unsigned_abs();
    if scale == 0 {
        return format!("{sign}{abs}");
    }
    let div = 10u128.pow(u32::from(scale));
    format!(
        "{sign}{}.{:0width$}",
        abs / div,
        abs % div,
        width = usize::from(scale)
    )
}

/// Appends the message of `record` (a JSON object) of `shape`.
pub fn encode(shape: &Shape, record: &Value, out: &mut Vec<u8>) -> Result<(), ValueError> {
    for (i, (c, v)) in shape.columns.iter().zip(shape.values(record)).enumerate() {
        put(&c.name, i as u32 + 1, &c.ty, c.nullable, v, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use storesim_sim::EventKind;

    use super::*;

    #[test]
    fn a_schema_numbers_fields_in_order_and_imports_timestamps() {
        let s = shape_schema(&Shape::of(EventKind::ItemChange, None));
        assert!(s.starts_with("syntax = \"proto3\";"), "{s}");
        assert!(
            s.contains("import \"google/protobuf/timestamp.proto\";"),
            "{s}"
        );
        let first = s.find("message item_change {").unwrap();
        let nested = s.find("message item_change_before {").unwrap();
        assert!(first < nested, "{s}");
        assert!(s.contains("  string kind = 1;"), "{s}");
        assert!(s.contains("item_change_before before = "), "{s}");
        assert!(s.contains("google.protobuf.Timestamp ts = "), "{s}");
    }

    #[test]
    fn values_encode_as_protobuf_does() {
        let shape = Shape {
            name: "t".into(),
            doc: "",
            columns: vec![
                col("a", Type::Int64, false),
                col("b", Type::String, true),
                col(
                    "p",
                    Type::Decimal {
                        precision: 9,
                        scale: 2,
                    },
                    false,
                ),
                col("z", Type::Int32, false),
            ],
        };
        let mut out = Vec::new();
        let record = serde_json::json!({"a": 150, "b": "", "p": 4.9, "z": 0});
        encode(&shape, &record, &mut out).unwrap();
        // a = 150: tag 1 varint; b = "" kept (optional); p = "4.90"; z = 0 left out.
        assert_eq!(
            out,
            [0x08, 0x96, 0x01, 0x12, 0x00, 0x1a, 0x04, b'4', b'.', b'9', b'0']
        );
        let e = encode(&shape, &serde_json::json!({"a": null}), &mut out).unwrap_err();
        assert_eq!(e.field, "a");
    }

    fn col(name: &str, ty: Type, nullable: bool) -> crate::shape::Column {
        crate::shape::Column {
            json: name.into(),
            name: name.into(),
            ty: ColType::Like(ty),
            nullable,
            doc: String::new(),
            default: None,
        }
    }

    #[test]
    fn decimal_text_is_exact() {
        assert_eq!(decimal_text(499, 2), "4.99");
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(7, 0), "7");
        assert_eq!(decimal_text(12_345, 3), "12.345");
    }
}
