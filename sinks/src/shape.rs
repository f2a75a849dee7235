//! The record a sink writes for a kind, as the schema formats (Avro,
//! Protobuf, JSON Schema) see it: its name, and its columns in the JSON's
//! order, each with its logical type. Made once from the kind's one schema
//! ([`storesim_sim::schema`]), or from a scenario's mapping of it, so each
//! format is written once for both.

use serde_json::Value;
use storesim_sim::event::EventKind;
use storesim_sim::mapping::{KindMap, OutType};
use storesim_sim::money::Money;
use storesim_sim::schema::{Field, Type};

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColType {
    /// One of the kind schema's types.
    Like(Type),
    /// Text (a mapping's wall-clock time, written with its pattern).
    Text,
}

/// One column of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Its key in the JSON record.
    pub json: String,
    /// Its name in a schema: letters, digits and `_` ([`ident`]).
    pub name: String,
    /// Its type.
    pub ty: ColType,
    /// Whether it can be null.
    pub nullable: bool,
    /// What it holds (with its closed set of values, if it has one).
    pub doc: String,
    /// The value a reader assumes when it is missing (`kind`'s name).
    pub default: Option<&'static str>,
}

/// A kind's record as a sink writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The record's name (the kind's, or the mapping's), an [`ident`].
    pub name: String,
    /// What a record is.
    pub doc: &'static str,
    /// Its columns, in the JSON's order.
    pub columns: Vec<Column>,
}

/// A field's doc, with its closed set of values if it has one.
pub fn field_doc(f: &Field) -> String {
    if f.values.is_empty() {
        f.doc.to_string()
    } else {
        format!("{} One of: {}.", f.doc, f.values.join(", "))
    }
}

impl Shape {
    /// `kind`'s record: as `map` writes it, or as storesim does (`kind`
    /// first, then the kind schema's fields).
    pub fn of(kind: EventKind, map: Option<&KindMap>) -> Shape {
        let schema = kind.schema();
        let Some(map) = map else {
            let kind_column = Column {
                json: "kind".into(),
                name: "kind".into(),
                ty: ColType::Like(Type::String),
                nullable: false,
                doc: "The record's kind.".into(),
                default: Some(kind.as_str()),
            };
            let fields = schema.fields.iter().map(|f| Column {
                json: f.name.into(),
                name: ident(f.name),
                ty: ColType::Like(f.ty),
                nullable: f.nullable,
                doc: field_doc(f),
                default: None,
            });
            return Shape {
                name: ident(schema.name),
                doc: schema.doc,
                columns: std::iter::once(kind_column).chain(fields).collect(),
            };
        };
        Shape {
            name: ident(&map.name),
            doc: schema.doc,
            columns: map
                .fields
                .iter()
                .map(|f| Column {
                    json: f.name.clone(),
                    name: ident(&f.name),
                    ty: match f.ty {
                        OutType::Like(t) => ColType::Like(t),
                        OutType::LocalTimestamp(_) => ColType::Text,
                    },
                    nullable: f.nullable,
                    doc: f.doc.clone(),
                    default: None,
                })
                .collect(),
        }
    }

    /// The values of `record` (a JSON object), in column order; a missing
    /// key is null.
    pub fn values<'a>(&'a self, record: &'a Value) -> impl Iterator<Item = &'a Value> + 'a {
        self.columns
            .iter()
            .map(move |c| record.get(&c.json).unwrap_or(&Value::Null))
    }
}

/// `name` as an identifier of Avro, Protobuf and SQL: letters, digits and
/// `_`, not starting with a digit (`temus-product` is `temus_product`).
pub fn ident(name: &str) -> String {
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

/// Why a value does not fit its column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct ValueError {
    /// The column.
    pub field: String,
    /// What is wrong.
    pub why: String,
}

/// A [`ValueError`] of `field`.
pub fn bad(field: &str, why: impl Into<String>) -> ValueError {
    ValueError {
        field: field.to_string(),
        why: why.into(),
    }
}

/// The unscaled integer of an amount (a JSON number) at `scale` digits.
pub fn unscaled(field: &str, v: &Value, scale: u8) -> Result<i128, ValueError> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        v => return Err(bad(field, format!("{v} is not an amount"))),
    };
    let cents = Money::parse_decimal(&text)
        .ok_or_else(|| bad(field, format!("{text} is not an amount")))?
        .cents();
    Ok(
        i128::from(cents) * 10i128.pow(u32::from(scale.saturating_sub(2)))
            / 10i128.pow(u32::from(2u8.saturating_sub(scale))),
    )
}

/// An instant's text in `text`'s form, as UTC.
pub fn instant(
    field: &str,
    text: storesim_sim::schema::TimeText,
    s: &str,
) -> Result<chrono::DateTime<chrono::Utc>, ValueError> {
    let (_, pattern) = text.format();
    chrono::NaiveDateTime::parse_from_str(s, pattern)
        .map(|t| t.and_utc())
        .map_err(|e| bad(field, format!("`{s}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kinds_shape_starts_with_kind_then_its_fields() {
        let s = Shape::of(EventKind::Scan, None);
        assert_eq!(s.name, "scan");
        assert_eq!(s.columns[0].json, "kind");
        assert_eq!(s.columns[0].default, Some("scan"));
        assert_eq!(s.columns.len(), EventKind::Scan.schema().fields.len() + 1);
        let record = serde_json::json!({"kind": "scan", "store_id": 4});
        let values: Vec<&Value> = s.values(&record).collect();
        assert_eq!(values[0], "scan");
        assert!(values.iter().skip(1).any(|v| *v == 4));
        assert!(values.iter().any(|v| v.is_null()));
    }

    #[test]
    fn names_become_identifiers() {
        assert_eq!(ident("temus-product-data"), "temus_product_data");
        assert_eq!(ident("1x"), "_1x");
        assert_eq!(ident("customerId"), "customerId");
    }

    #[test]
    fn amounts_scale_exactly() {
        let v = serde_json::json!(4.99);
        assert_eq!(unscaled("p", &v, 2), Ok(499));
        assert_eq!(unscaled("p", &v, 4), Ok(49_900));
        assert_eq!(unscaled("p", &serde_json::json!(5), 2), Ok(500));
        assert!(unscaled("p", &serde_json::json!("x"), 2).is_err());
    }
}
