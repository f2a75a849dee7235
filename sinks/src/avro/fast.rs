//! Avro datums written straight from a record's `Serialize`, typed by its
//! [`Shape`]: the Kafka sink's and the Avro files' hot path for storesim's
//! own records (and Debezium change events). The general path
//! ([`super::datum`]) goes through the record's JSON and a tree of values;
//! this one writes the same bytes (the tests compare them) with no text
//! in between but the times', which a record serialises as text and which
//! are read back here.

use std::fmt::Display;

use serde::ser::{self, Impossible, Serialize};
use storesim_sim::schema::{Field, TimeText, Type};

use crate::shape::{ColType, Shape};

/// The written form of a shape: each column's JSON key, type and
/// nullability, nested records included. Made once per schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The record as a column of its own.
    root: Col,
}

/// A record's columns.
#[derive(Debug, Clone, PartialEq)]
struct Fields {
    cols: Vec<Col>,
}

#[derive(Debug, Clone, PartialEq)]
struct Col {
    name: String,
    ty: Ty,
    nullable: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Bool,
    Int,
    Double,
    Str,
    Decimal(u8),
    Timestamp(TimeText),
    Date,
    Record(Fields),
}

fn ty(t: &Type) -> Ty {
    match t {
        Type::Bool => Ty::Bool,
        Type::Int32 | Type::Int64 => Ty::Int,
        Type::Float64 => Ty::Double,
        Type::String => Ty::Str,
        Type::Decimal { scale, .. } => Ty::Decimal(*scale),
        Type::Timestamp(text) => Ty::Timestamp(*text),
        Type::Date => Ty::Date,
        Type::Record(fields) => Ty::Record(fields_plan(fields)),
    }
}

fn fields_plan(fields: &[Field]) -> Fields {
    Fields {
        cols: fields
            .iter()
            .map(|f| Col {
                name: f.name.to_string(),
                ty: ty(&f.ty),
                nullable: f.nullable,
            })
            .collect(),
    }
}

impl Plan {
    /// The plan of `shape`.
    pub fn of(shape: &Shape) -> Plan {
        let cols = shape
            .columns
            .iter()
            .map(|c| Col {
                name: c.json.clone(),
                ty: match &c.ty {
                    ColType::Like(t) => ty(t),
                    ColType::Text => Ty::Str,
                },
                nullable: c.nullable,
            })
            .collect();
        Plan {
            root: Col {
                name: shape.name.clone(),
                ty: Ty::Record(Fields { cols }),
                nullable: false,
            },
        }
    }
}

/// Why a record does not fit its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Error {
        Error(msg.to_string())
    }
}

fn err<T>(what: impl Display) -> Result<T, Error> {
    Err(Error(what.to_string()))
}

/// Appends the Avro datum of `record` (a struct of `plan`'s columns).
pub fn write<T: Serialize + ?Sized>(
    plan: &Plan,
    record: &T,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    record.serialize(Value {
        col: &plan.root,
        out,
        inside_union: false,
    })
}

/// Appends Avro's zig-zag varint of `n`.
pub fn long(n: i64, out: &mut Vec<u8>) {
    let mut z = ((n << 1) ^ (n >> 63)) as u64;
    while z >= 0x80 {
        out.push((z as u8 & 0x7f) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

/// Appends Avro's `bytes`: the length, then `b`.
pub fn bytes(b: &[u8], out: &mut Vec<u8>) {
    long(b.len() as i64, out);
    out.extend_from_slice(b);
}

/// The shortest big-endian two's complement of `n`, as Avro's `decimal`.
fn decimal(n: i128, out: &mut Vec<u8>) {
    let b = n.to_be_bytes();
    let mut start = 0;
    while start < b.len() - 1
        && ((b[start] == 0 && b[start + 1] & 0x80 == 0)
            || (b[start] == 0xff && b[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    bytes(&b[start..], out);
}

/// The digits of `s[from..to]` as a number, if they are all digits.
pub(crate) fn digits(s: &[u8], from: usize, to: usize) -> Option<i64> {
    s.get(from..to)?.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The ms since 1970 of storesim's `2026-11-27T15:00:00.001Z`, without
/// chrono on the hot path; any other form goes through chrono.
pub(crate) fn millis(s: &str, text: TimeText) -> Result<i64, Error> {
    let b = s.as_bytes();
    if let (TimeText::Millis, 24, Some(b'T'), Some(b'Z')) = (text, b.len(), b.get(10), b.get(23)) {
        if let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec), Some(ms)) = (
            digits(b, 0, 4),
            digits(b, 5, 7),
            digits(b, 8, 10),
            digits(b, 11, 13),
            digits(b, 14, 16),
            digits(b, 17, 19),
            digits(b, 20, 23),
        ) {
            let days = days_from_civil(y, mo, d);
            return Ok(((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms);
        }
    }
    let t = crate::shape::instant("", text, s).map_err(|e| Error(e.why))?;
    Ok(match text {
        TimeText::Millis => t.timestamp_millis(),
        TimeText::NaiveMicros => t.timestamp_micros(),
    })
}

/// Serialises one value of `col` into `out`.
struct Value<'a> {
    col: &'a Col,
    out: &'a mut Vec<u8>,
    /// The union's branch index is written already.
    inside_union: bool,
}

impl Value<'_> {
    /// Writes the union's "not null" branch of a nullable column.
    fn present(&mut self) {
        if self.col.nullable && !self.inside_union {
            self.out.push(2); // branch 1, zig-zag
        }
    }

    fn int(mut self, n: i128) -> Result<(), Error> {
        self.present();
        match self.col.ty {
            Ty::Int => long(
                i64::try_from(n)
                    .or_else(|_| err(format!("{}: {n} is not a long", self.col.name)))?,
                self.out,
            ),
            Ty::Double => self.out.extend_from_slice(&(n as f64).to_le_bytes()),
            Ty::Decimal(scale) => decimal(n * 10i128.pow(u32::from(scale)), self.out),
            _ => return err(format!("{}: {n} is not {:?}", self.col.name, self.col.ty)),
        }
        Ok(())
    }
}

macro_rules! ints {
    ($($f:ident: $t:ty),*) => {
        $(fn $f(self, v: $t) -> Result<(), Error> {
            self.int(i128::from(v))
        })*
    };
}

impl<'a> ser::Serializer for Value<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Struct<'a>;
    type SerializeStructVariant = Impossible<(), Error>;

    ints!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
          serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

    fn serialize_bool(mut self, v: bool) -> Result<(), Error> {
        if self.col.ty != Ty::Bool {
            return err(format!("{}: {v} is not {:?}", self.col.name, self.col.ty));
        }
        self.present();
        self.out.push(u8::from(v));
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(mut self, v: f64) -> Result<(), Error> {
        self.present();
        match self.col.ty {
            Ty::Double => self.out.extend_from_slice(&v.to_le_bytes()),
            // An amount (Money serialises as one), scaled exactly: an f64
            // holds a decimal of up to 15 digits to the nearest unit.
            Ty::Decimal(scale) => {
                decimal((v * 10f64.powi(i32::from(scale))).round() as i128, self.out)
            }
            _ => return err(format!("{}: {v} is not {:?}", self.col.name, self.col.ty)),
        }
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(mut self, v: &str) -> Result<(), Error> {
        self.present();
        match self.col.ty {
            Ty::Str => bytes(v.as_bytes(), self.out),
            Ty::Timestamp(text) => long(millis(v, text)?, self.out),
            Ty::Date => {
                let b = v.as_bytes();
                match (b.len(), digits(b, 0, 4), digits(b, 5, 7), digits(b, 8, 10)) {
                    (10, Some(y), Some(m), Some(d)) => long(days_from_civil(y, m, d), self.out),
                    _ => return err(format!("{}: `{v}` is not a date", self.col.name)),
                }
            }
            _ => return err(format!("{}: `{v}` is not {:?}", self.col.name, self.col.ty)),
        }
        Ok(())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        err(format!("{}: bytes", self.col.name))
    }

    fn serialize_none(self) -> Result<(), Error> {
        if !self.col.nullable {
            return err(format!(
                "{}: null in a field that is never null",
                self.col.name
            ));
        }
        self.out.push(0);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(mut self, value: &T) -> Result<(), Error> {
        self.present();
        value.serialize(Value {
            col: self.col,
            out: self.out,
            inside_union: true,
        })
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        err(format!("{}: a list", self.col.name))
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        err(format!("{}: a tuple", self.col.name))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        err(format!("{}: a tuple", self.col.name))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        err(format!("{}: a tuple", self.col.name))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        err(format!("{}: a map", self.col.name))
    }

    fn serialize_struct(mut self, _: &'static str, _: usize) -> Result<Struct<'a>, Error> {
        let Ty::Record(plan) = &self.col.ty else {
            return err(format!(
                "{}: a record in a {:?}",
                self.col.name, self.col.ty
            ));
        };
        self.present();
        Ok(Struct {
            plan,
            next: 0,
            out: self.out,
        })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        err(format!("{}: an enum", self.col.name))
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.serialize_str(&value.to_string())
    }
}

/// Serialises a record's fields in its plan's order; a column the record
/// leaves out (it must be nullable) is null.
struct Struct<'a> {
    plan: &'a Fields,
    next: usize,
    out: &'a mut Vec<u8>,
}

impl Struct<'_> {
    /// Nulls for the columns before `to`.
    fn skip_to(&mut self, to: usize) -> Result<(), Error> {
        for col in &self.plan.cols[self.next..to] {
            if !col.nullable {
                return err(format!("{}: missing", col.name));
            }
            self.out.push(0);
        }
        self.next = to;
        Ok(())
    }
}

impl ser::SerializeStruct for Struct<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let Some(at) = self.plan.cols[self.next..]
            .iter()
            .position(|c| c.name == key)
            .map(|i| i + self.next)
        else {
            return err(format!("{key}: not in the schema, or out of its order"));
        };
        self.skip_to(at)?;
        self.next = at + 1;
        value.serialize(Value {
            col: &self.plan.cols[at],
            out: self.out,
            inside_union: false,
        })
    }

    fn end(mut self) -> Result<(), Error> {
        self.skip_to(self.plan.cols.len())
    }
}

#[cfg(test)]
mod tests {
    use storesim_sim::EventKind;

    use super::*;

    /// The bytes of the general path, through JSON.
    fn slow(kind: EventKind, json: &serde_json::Value, shape: &Shape) -> Vec<u8> {
        let schema = apache_avro::Schema::parse(&super::super::shape_schema(shape)).unwrap();
        let datum = super::super::datum(shape, json).unwrap();
        apache_avro::writer::datum::GenericDatumWriter::builder(&schema)
            .build()
            .unwrap()
            .write_value_to_vec(datum)
            .unwrap_or_else(|e| panic!("{kind}: {e}"))
    }

    #[test]
    fn a_chain_days_records_are_the_general_paths_bytes() {
        let events = crate::chain_morning();
        let mut seen = std::collections::BTreeSet::new();
        for s in &events {
            let kind = s.event.kind();
            let shape = Shape::of(kind, None);
            let mut fast = Vec::new();
            write(&Plan::of(&shape), &s.event, &mut fast).unwrap();
            let json = serde_json::to_value(&s.event).unwrap();
            assert_eq!(fast, slow(kind, &json, &shape), "{kind}: {json}");
            seen.insert(kind);
        }
        assert!(seen.len() >= 2, "{seen:?}");
    }

    #[test]
    fn times_dates_and_amounts_read_as_the_general_path_reads_them() {
        assert_eq!(millis("1970-01-01T00:00:00.000Z", TimeText::Millis), Ok(0));
        assert_eq!(
            millis("2026-11-27T15:00:00.001Z", TimeText::Millis),
            Ok(1_795_791_600_001)
        );
        assert_eq!(millis("1969-12-31T23:59:59.999Z", TimeText::Millis), Ok(-1));
        assert_eq!(
            millis("2026-11-27 15:00:00.000001", TimeText::NaiveMicros),
            Ok(1_795_791_600_000_001)
        );
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        let mut v = Vec::new();
        decimal(-129, &mut v);
        assert_eq!(v, [4, 0xff, 0x7f]);
        let zigzag = |n| {
            let mut v = Vec::new();
            long(n, &mut v);
            v
        };
        assert_eq!(zigzag(0), [0]);
        assert_eq!(zigzag(-1), [1]);
        assert_eq!(zigzag(64), [0x80, 1]);
        assert_eq!(zigzag(-65), [0x81, 1]);
    }
}
