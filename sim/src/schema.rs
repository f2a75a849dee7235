//! A kind's schema as data: each field's name, logical type, nullability,
//! closed set of values and a one-line doc, declared once beside the
//! kind's struct.
//!
//! Everything that lists a kind's fields derives it from here: JSON field
//! order (checked against the structs' `Serialize` by
//! [`Schema::check_json`]), CSV headers, PostgreSQL landing tables, the
//! Kafka `schema_version` header, `storesim scenarios show` and the
//! README's tables. Typed formats (Avro, Arrow/Parquet, Protobuf) map
//! [`Type`] one to one. The schema describes the typed structs; it does not
//! replace them (the hot path serialises structs, never maps).
//!
//! Every record starts with `kind`, the kind's name; [`Schema::fields`]
//! lists what follows it.

use std::fmt;

/// A field's logical type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// `true` or `false`.
    Bool,
    /// A 32-bit signed integer.
    Int32,
    /// A 64-bit signed integer.
    Int64,
    /// A 64-bit float (kept for the demos that write one).
    Float64,
    /// UTF-8 text.
    String,
    /// An exact decimal over an integer: `precision` digits in all,
    /// `scale` of them after the point (money is integer cents, scale 2).
    /// JSON writes it as a number with at most `scale` decimals.
    Decimal {
        /// Digits in all.
        precision: u8,
        /// Digits after the point.
        scale: u8,
    },
    /// An instant in UTC, written as text in a [`TimeText`].
    Timestamp(TimeText),
    /// A calendar date, written `2026-11-27` (SQL's `DATE`).
    Date,
    /// A nested record (an item change's row `before` and `after`).
    Record(&'static [Field]),
}

/// Money: integer cents, up to 10 digits before the point (PostgreSQL's
/// `numeric(12,2)`).
pub const MONEY: Type = Type::Decimal {
    precision: 12,
    scale: 2,
};

/// storesim's own instants: RFC 3339 UTC with milliseconds.
pub const TIMESTAMP: Type = Type::Timestamp(TimeText::Millis);

/// How an instant is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeText {
    /// `2026-11-27T15:00:00.123Z`: milliseconds, UTC.
    Millis,
    /// `2026-11-27 15:00:00.123456`: microseconds, UTC without a zone
    /// (the smoothie demo's form).
    NaiveMicros,
}

impl TimeText {
    /// The text's length and a `chrono` format that parses it.
    pub fn format(self) -> (usize, &'static str) {
        match self {
            TimeText::Millis => (24, "%Y-%m-%dT%H:%M:%S%.3fZ"),
            TimeText::NaiveMicros => (26, "%Y-%m-%d %H:%M:%S%.6f"),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Int32 => f.write_str("int32"),
            Type::Int64 => f.write_str("int64"),
            Type::Float64 => f.write_str("float64"),
            Type::String => f.write_str("string"),
            Type::Decimal { precision, scale } => write!(f, "decimal({precision},{scale})"),
            Type::Timestamp(TimeText::Millis) => f.write_str("timestamp(ms)"),
            Type::Timestamp(TimeText::NaiveMicros) => f.write_str("timestamp(us, no zone)"),
            Type::Date => f.write_str("date"),
            Type::Record(_) => f.write_str("record"),
        }
    }
}

/// Writes a [`Type::Float64`] field held as integer tenths (the structs
/// stay `Eq`): `47` is `4.7`.
pub fn tenths<T: Copy + Into<u32>, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(f64::from((*v).into()) / 10.0)
}

/// One field of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Its name, snake_case (or the demo's own spelling).
    pub name: &'static str,
    /// Its logical type.
    pub ty: Type,
    /// Whether it can be null.
    pub nullable: bool,
    /// The closed set of values it takes, where there is one (empty: open).
    pub values: &'static [&'static str],
    /// What it holds, in one line.
    pub doc: &'static str,
}

impl Field {
    /// A field that is never null and takes any value of its type.
    pub const fn new(name: &'static str, ty: Type, doc: &'static str) -> Field {
        Field {
            name,
            ty,
            nullable: false,
            values: &[],
            doc,
        }
    }

    /// The same field, nullable.
    pub const fn nullable(self) -> Field {
        Field {
            nullable: true,
            ..self
        }
    }

    /// The same field, taking only `values`.
    pub const fn one_of(self, values: &'static [&'static str]) -> Field {
        Field { values, ..self }
    }
}

/// One kind's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The kind's name, the value of its leading `kind` field.
    pub name: &'static str,
    /// Raised whenever a field is added, removed, renamed or retyped.
    pub version: u32,
    /// What one record is, in one line.
    pub doc: &'static str,
    /// The fields after `kind`, in order (JSON's order).
    pub fields: &'static [Field],
    /// The fields after `kind` of the flat row (CSV, landing tables), for
    /// a kind whose record nests others; `None`: the same as `fields`.
    pub flat: Option<&'static [Field]>,
}

impl Schema {
    /// The flat row's fields after `kind`.
    pub fn flat_fields(&self) -> &'static [Field] {
        self.flat.unwrap_or(self.fields)
    }

    /// The flat row's names, `kind` first: the CSV header.
    pub fn header(&self) -> Vec<&'static str> {
        std::iter::once("kind")
            .chain(self.flat_fields().iter().map(|f| f.name))
            .collect()
    }

    /// Checks one JSON record (a line as written) against the schema:
    /// `kind` first with the kind's name, then exactly the fields in
    /// order, each value of its type (null only where nullable, a listed
    /// value where the set is closed).
    pub fn check_json(&self, line: &str) -> Result<(), String> {
        let value: Json =
            serde_json::from_str(line).map_err(|e| format!("{}: not JSON: {e}", self.name))?;
        let Json::Object(entries) = value else {
            return Err(format!("{}: not an object", self.name));
        };
        match entries.first() {
            Some((k, Json::String(v))) if k == "kind" && v == self.name => {}
            other => return Err(format!("{}: first field is {other:?}, not kind", self.name)),
        }
        check_fields(self.name, self.fields, &entries[1..])
    }
}

impl Schema {
    /// The schema as a Markdown section: a heading, its doc and version,
    /// and a table of its fields (nested records as rows of their own).
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "### `{}` (version {})\n\n{}\n\n| field | type | null | values | meaning |\n|---|---|---|---|---|\n| `kind` | string | no | `{}` | the kind |\n",
            self.name, self.version, self.doc, self.name
        );
        rows(&mut out, "", self.fields);
        if let Some(flat) = self.flat {
            out.push_str("\nIts flat row (CSV, landing tables), after `kind`:\n\n| field | type | null | values | meaning |\n|---|---|---|---|---|\n");
            rows(&mut out, "", flat);
        }
        out
    }
}

fn rows(out: &mut String, prefix: &str, fields: &[Field]) {
    for f in fields {
        let values: Vec<String> = f.values.iter().map(|v| format!("`{v}`")).collect();
        out.push_str(&format!(
            "| `{prefix}{}` | {} | {} | {} | {} |\n",
            f.name,
            f.ty,
            if f.nullable { "yes" } else { "no" },
            values.join(", "),
            f.doc
        ));
        if let Type::Record(inner) = f.ty {
            rows(out, &format!("{prefix}{}.", f.name), inner);
        }
    }
}

/// A JSON value that keeps an object's keys in their written order.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array,
    Object(Vec<(String, Json)>),
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
                Ok(Json::Number(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Number(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Json, E> {
                serde_json::Number::from_f64(v)
                    .map(Json::Number)
                    .ok_or_else(|| E::custom("not a finite number"))
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json::String(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                while seq.next_element::<Json>()?.is_some() {}
                Ok(Json::Array)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Json>()? {
                    entries.push(entry);
                }
                Ok(Json::Object(entries))
            }
        }
        d.deserialize_any(Visitor)
    }
}

fn check_fields(at: &str, fields: &[Field], got: &[(String, Json)]) -> Result<(), String> {
    let names: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    let want: Vec<&str> = fields.iter().map(|f| f.name).collect();
    if names != want {
        return Err(format!("{at}: fields {names:?}, schema {want:?}"));
    }
    for (field, (_, value)) in fields.iter().zip(got) {
        check_value(&format!("{at}.{}", field.name), field, value)?;
    }
    Ok(())
}

fn check_value(at: &str, field: &Field, value: &Json) -> Result<(), String> {
    let bad = || Err(format!("{at}: {value:?} is not {}", field.ty));
    if *value == Json::Null {
        return if field.nullable {
            Ok(())
        } else {
            Err(format!("{at}: null in a field that is never null"))
        };
    }
    match (field.ty, value) {
        (Type::Bool, Json::Bool(_)) => {}
        (Type::Int32, Json::Number(n)) if n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) => {}
        (Type::Int64, Json::Number(n)) if n.as_i64().is_some() => {}
        (Type::Float64, Json::Number(_)) => {}
        (Type::Decimal { precision, scale }, Json::Number(n)) => {
            let text = n.to_string();
            let unsigned = text.trim_start_matches('-');
            let (whole, decimals) = unsigned.split_once('.').unwrap_or((unsigned, ""));
            let digits = whole.trim_start_matches('0').len() + decimals.len();
            if decimals.len() > usize::from(scale)
                || digits > usize::from(precision)
                || text.contains(['e', 'E'])
            {
                return bad();
            }
        }
        (Type::String, Json::String(s)) => {
            if !field.values.is_empty() && !field.values.contains(&s.as_str()) {
                return Err(format!("{at}: `{s}` is not one of {:?}", field.values));
            }
        }
        (Type::Timestamp(text), Json::String(s)) => {
            let (len, format) = text.format();
            if s.len() != len || chrono::NaiveDateTime::parse_from_str(s, format).is_err() {
                return bad();
            }
        }
        (Type::Date, Json::String(s)) => {
            if s.len() != 10 || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() {
                return bad();
            }
        }
        (Type::Record(fields), Json::Object(o)) => check_fields(at, fields, o)?,
        _ => return bad(),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: [Field; 1] = [Field::new("price", MONEY, "a price")];
    const SCHEMA: Schema = Schema {
        name: "thing",
        version: 1,
        doc: "a thing",
        fields: &[
            Field::new("ts", TIMESTAMP, "when"),
            Field::new("n", Type::Int32, "a count"),
            Field::new("op", Type::String, "what").one_of(&["c", "u"]),
            Field::new("row", Type::Record(&ROW), "the row").nullable(),
        ],
        flat: None,
    };

    #[test]
    fn a_conforming_record_passes_and_each_defect_is_named() {
        let ts = r#""ts":"2026-11-27T15:00:00.123Z""#;
        let good = format!(r#"{{"kind":"thing",{ts},"n":3,"op":"c","row":{{"price":1.99}}}}"#);
        assert_eq!(SCHEMA.check_json(&good), Ok(()));
        let null_row = format!(r#"{{"kind":"thing",{ts},"n":3,"op":"u","row":null}}"#);
        assert_eq!(SCHEMA.check_json(&null_row), Ok(()));
        for (bad, says) in [
            (
                format!(r#"{{"kind":"other",{ts},"n":3,"op":"c","row":null}}"#),
                "not kind",
            ),
            (
                format!(r#"{{"kind":"thing","n":3,{ts},"op":"c","row":null}}"#),
                "fields",
            ),
            (
                r#"{"kind":"thing","ts":"2026-11-27 15:00:00","n":3,"op":"c","row":null}"#
                    .to_string(),
                "thing.ts",
            ),
            (
                format!(r#"{{"kind":"thing",{ts},"n":3000000000,"op":"c","row":null}}"#),
                "thing.n",
            ),
            (
                format!(r#"{{"kind":"thing",{ts},"n":null,"op":"c","row":null}}"#),
                "never null",
            ),
            (
                format!(r#"{{"kind":"thing",{ts},"n":3,"op":"d","row":null}}"#),
                "not one of",
            ),
            (
                format!(r#"{{"kind":"thing",{ts},"n":3,"op":"c","row":{{"price":1.995}}}}"#),
                "thing.row.price",
            ),
            (
                format!(r#"{{"kind":"thing",{ts},"n":3,"op":"c","row":{{"cost":1}}}}"#),
                "thing.row: fields",
            ),
        ] {
            let err = SCHEMA.check_json(&bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
        assert_eq!(SCHEMA.header(), ["kind", "ts", "n", "op", "row"]);
    }
}
