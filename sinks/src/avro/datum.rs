//! A record's Avro datum: its JSON fields (as storesim writes them, or as
//! a mapping writes them) typed by the kind schema, in the schema of
//! [`super::schema`].

use apache_avro::types::Value as Avro;
use serde_json::Value;
use storesim_sim::mapping::{KindMap, OutType};
use storesim_sim::money::Money;
use storesim_sim::schema::{Field, TimeText, Type};

/// Why a value does not fit its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct DatumError {
    /// The field.
    pub field: String,
    /// What is wrong.
    pub why: String,
}

fn bad(field: &str, why: impl Into<String>) -> DatumError {
    DatumError {
        field: field.to_string(),
        why: why.into(),
    }
}

/// `cents` at `scale` digits as the big-endian two's complement bytes of
/// Avro's `decimal`.
fn decimal(cents: i64, scale: u8) -> Avro {
    let unscaled = i128::from(cents) * 10i128.pow(u32::from(scale.saturating_sub(2)))
        / 10i128.pow(u32::from(2u8.saturating_sub(scale)));
    let bytes = unscaled.to_be_bytes();
    // The shortest form that keeps the sign.
    let mut start = 0;
    while start < bytes.len() - 1
        && ((bytes[start] == 0 && bytes[start + 1] & 0x80 == 0)
            || (bytes[start] == 0xff && bytes[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    Avro::Decimal(apache_avro::Decimal::from(bytes[start..].to_vec()))
}

/// One value of type `ty`.
fn typed(name: &str, ty: &Type, v: &Value) -> Result<Avro, DatumError> {
    Ok(match (ty, v) {
        (Type::Bool, Value::Bool(b)) => Avro::Boolean(*b),
        (Type::Int32, Value::Number(n)) => Avro::Int(
            n.as_i64()
                .and_then(|x| i32::try_from(x).ok())
                .ok_or_else(|| bad(name, format!("{n} is not an int")))?,
        ),
        (Type::Int64, Value::Number(n)) => Avro::Long(
            n.as_i64()
                .ok_or_else(|| bad(name, format!("{n} is not a long")))?,
        ),
        (Type::Float64, Value::Number(n)) => Avro::Double(n.as_f64().unwrap_or_default()),
        (Type::String, Value::String(s)) => Avro::String(s.clone()),
        (Type::Decimal { scale, .. }, Value::Number(n)) => {
            let cents = Money::parse_decimal(&n.to_string())
                .ok_or_else(|| bad(name, format!("{n} is not an amount")))?;
            decimal(cents.cents(), *scale)
        }
        (Type::Timestamp(text), Value::String(s)) => {
            let (_, pattern) = text.format();
            let t = chrono::NaiveDateTime::parse_from_str(s, pattern)
                .map_err(|e| bad(name, format!("`{s}`: {e}")))?
                .and_utc();
            match text {
                TimeText::Millis => Avro::TimestampMillis(t.timestamp_millis()),
                TimeText::NaiveMicros => Avro::TimestampMicros(t.timestamp_micros()),
            }
        }
        (Type::Date, Value::String(s)) => {
            let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|e| bad(name, format!("`{s}`: {e}")))?;
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            Avro::Date((d - epoch).num_days() as i32)
        }
        (Type::Record(fields), Value::Object(o)) => Avro::Record(
            fields
                .iter()
                .map(|f| {
                    field(f, o.get(f.name).unwrap_or(&Value::Null)).map(|v| (f.name.to_string(), v))
                })
                .collect::<Result<_, _>>()?,
        ),
        (ty, v) => return Err(bad(name, format!("{v} is not {ty}"))),
    })
}

fn nullable(
    name: &str,
    is_nullable: bool,
    v: &Value,
    f: impl FnOnce() -> Result<Avro, DatumError>,
) -> Result<Avro, DatumError> {
    match (is_nullable, v) {
        (true, Value::Null) => Ok(Avro::Union(0, Box::new(Avro::Null))),
        (true, _) => Ok(Avro::Union(1, Box::new(f()?))),
        (false, Value::Null) => Err(bad(name, "null in a field that is never null")),
        (false, _) => f(),
    }
}

fn field(f: &Field, v: &Value) -> Result<Avro, DatumError> {
    nullable(f.name, f.nullable, v, || typed(f.name, &f.ty, v))
}

/// The datum of a record as storesim writes it (`record` is its JSON
/// object, `kind` first).
pub fn kind_datum(fields: &[Field], record: &Value) -> Result<Avro, DatumError> {
    let o = record
        .as_object()
        .ok_or_else(|| bad("record", "not an object"))?;
    let mut out = Vec::with_capacity(fields.len() + 1);
    out.push((
        "kind".to_string(),
        Avro::String(
            o.get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        ),
    ));
    for f in fields {
        out.push((
            f.name.to_string(),
            field(f, o.get(f.name).unwrap_or(&Value::Null))?,
        ));
    }
    Ok(Avro::Record(out))
}

/// The datum of a mapped record: `values` in the mapping's field order.
pub fn mapped_datum(map: &KindMap, values: &[Value]) -> Result<Avro, DatumError> {
    let mut out = Vec::with_capacity(values.len());
    for (f, v) in map.fields.iter().zip(values) {
        let name = super::schema::avro_name(&f.name);
        let a = nullable(&f.name, f.nullable, v, || match &f.ty {
            OutType::Like(t) => typed(&f.name, t, v),
            OutType::LocalTimestamp(_) => match v {
                Value::String(s) => Ok(Avro::String(s.clone())),
                v => Err(bad(&f.name, format!("{v} is not text"))),
            },
        })?;
        out.push((name, a));
    }
    Ok(Avro::Record(out))
}

#[cfg(test)]
mod tests {
    use storesim_sim::time::MICROS_PER_HOUR;
    use storesim_sim::{testing, ChainStore, RunSpan};

    use super::*;

    #[test]
    fn a_chain_days_records_round_trip_through_their_schemas() {
        let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let mut m = ChainStore::new(
            testing::world(),
            0,
            1,
            RunSpan::LocalDays { first, days: 1 },
        );
        let mut events = Vec::new();
        m.advance(m.span().0.plus_micros(14 * MICROS_PER_HOUR), &mut events);
        let mut seen = std::collections::BTreeSet::new();
        for s in &events {
            let kind = s.event.kind();
            let schema = apache_avro::Schema::parse(&super::super::kind_schema(kind)).unwrap();
            let json = serde_json::to_value(&s.event).unwrap();
            let datum = kind_datum(kind.schema().fields, &json).unwrap();
            let writer = apache_avro::writer::datum::GenericDatumWriter::builder(&schema)
                .build()
                .unwrap();
            let bytes = writer.write_value_to_vec(datum.clone()).unwrap();
            let reader = apache_avro::reader::datum::GenericDatumReader::builder(&schema)
                .build()
                .unwrap();
            let back = reader.read_value(&mut &bytes[..]).unwrap();
            assert_eq!(back, datum, "{kind}");
            seen.insert(kind);
        }
        assert!(seen.len() >= 2, "{seen:?}");
    }

    #[test]
    fn decimals_are_the_shortest_twos_complement() {
        let bytes = |cents: i64| match decimal(cents, 2) {
            Avro::Decimal(d) => <Vec<u8>>::try_from(d).unwrap(),
            _ => unreachable!(),
        };
        assert_eq!(bytes(0), [0]);
        assert_eq!(bytes(499), [0x01, 0xf3]);
        assert_eq!(bytes(127), [0x7f]);
        assert_eq!(bytes(128), [0x00, 0x80]);
        assert_eq!(bytes(-1), [0xff]);
        assert_eq!(bytes(-129), [0xff, 0x7f]);
    }
}
