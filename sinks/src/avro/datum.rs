//! A record's Avro datum: its JSON values (as storesim writes them, or as
//! a mapping writes them) typed by its [`Shape`], in the schema of
//! [`super::schema`].

use apache_avro::types::Value as Avro;
use serde_json::Value;
use storesim_sim::schema::{Field, TimeText, Type};

use crate::shape::{bad, instant, unscaled, ColType, Shape, ValueError};

/// An unscaled decimal as the big-endian two's complement bytes of Avro's
/// `decimal`.
fn decimal(unscaled: i128) -> Avro {
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
fn typed(name: &str, ty: &Type, v: &Value) -> Result<Avro, ValueError> {
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
        (Type::Decimal { scale, .. }, Value::Number(_)) => decimal(unscaled(name, v, *scale)?),
        (Type::Timestamp(text), Value::String(s)) => {
            let t = instant(name, *text, s)?;
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
    f: impl FnOnce() -> Result<Avro, ValueError>,
) -> Result<Avro, ValueError> {
    match (is_nullable, v) {
        (true, Value::Null) => Ok(Avro::Union(0, Box::new(Avro::Null))),
        (true, _) => Ok(Avro::Union(1, Box::new(f()?))),
        (false, Value::Null) => Err(bad(name, "null in a field that is never null")),
        (false, _) => f(),
    }
}

fn field(f: &Field, v: &Value) -> Result<Avro, ValueError> {
    nullable(f.name, f.nullable, v, || typed(f.name, &f.ty, v))
}

/// The datum of `record` (a JSON object) of `shape`.
pub fn datum(shape: &Shape, record: &Value) -> Result<Avro, ValueError> {
    shape
        .columns
        .iter()
        .zip(shape.values(record))
        .map(|(c, v)| {
            let a = nullable(&c.name, c.nullable, v, || match &c.ty {
                ColType::Like(t) => typed(&c.name, t, v),
                ColType::Text => match v {
                    Value::String(s) => Ok(Avro::String(s.clone())),
                    v => Err(bad(&c.name, format!("{v} is not text"))),
                },
            })?;
            Ok((c.name.clone(), a))
        })
        .collect::<Result<_, _>>()
        .map(Avro::Record)
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn a_chain_days_records_round_trip_through_their_schemas() {
        let events = crate::chain_morning();
        let mut seen = std::collections::BTreeSet::new();
        for s in &events {
            let kind = s.event.kind();
            let schema = apache_avro::Schema::parse(&super::super::kind_schema(kind)).unwrap();
            let json = serde_json::to_value(&s.event).unwrap();
            let datum = datum(&Shape::of(kind, None), &json).unwrap();
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
        let bytes = |cents: i128| match decimal(cents) {
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
