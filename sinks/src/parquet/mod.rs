//! Parquet columns from a record's shape: the Arrow schema of a kind
//! (money `Decimal128(p, s)`, storesim's times `Timestamp(ms, "UTC")`, a
//! demo's zoneless times `Timestamp(µs)`, dates `Date32`, ids and counts
//! as integers, an item change's `before` and `after` as structs), and
//! the columns of records appended straight from their `Serialize`, as
//! the Avro datums are ([`crate::avro::fast`]), with no JSON in between.
//! Strings are plain `Utf8`; the Parquet writer dictionary-encodes them
//! (a closed set's column is a small dictionary and its indexes).

use std::fmt::Display;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, Int32Builder, Int64Builder,
    StringBuilder, TimestampMicrosecondBuilder, TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field as ArrowField, Fields, Schema, TimeUnit};
use serde::ser::{self, Error as _, Impossible, Serialize};
use storesim_sim::schema::{Field, TimeText, Type};

use crate::avro::fast::{days_from_civil, digits, millis, Error};
use crate::shape::{ColType, Shape};

fn data_type(ty: &Type) -> DataType {
    match ty {
        Type::Bool => DataType::Boolean,
        Type::Int32 => DataType::Int32,
        Type::Int64 => DataType::Int64,
        Type::Float64 => DataType::Float64,
        Type::String => DataType::Utf8,
        Type::Decimal { precision, scale } => DataType::Decimal128(*precision, *scale as i8),
        Type::Timestamp(TimeText::Millis) => {
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
        }
        Type::Timestamp(TimeText::NaiveMicros) => DataType::Timestamp(TimeUnit::Microsecond, None),
        Type::Date => DataType::Date32,
        Type::Record(fields) => DataType::Struct(record_fields(fields)),
    }
}

fn record_fields(fields: &[Field]) -> Fields {
    fields
        .iter()
        .map(|f| ArrowField::new(f.name, data_type(&f.ty), f.nullable))
        .collect()
}

/// The Parquet message type of `shape`'s files, as `parquet-tools` and
/// the Parquet crate print it (`storesim schemas KIND --format parquet`).
pub fn message(shape: &Shape) -> Result<String, String> {
    let descriptor = parquet::arrow::ArrowSchemaConverter::new()
        .convert(&schema(shape))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    parquet::schema::printer::print_schema(&mut out, descriptor.root_schema());
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// The Arrow schema of `shape`: its columns in order, by their JSON names.
pub fn schema(shape: &Shape) -> Schema {
    Schema::new(
        shape
            .columns
            .iter()
            .map(|c| {
                let ty = match &c.ty {
                    ColType::Like(t) => data_type(t),
                    ColType::Text => DataType::Utf8,
                };
                ArrowField::new(&c.json, ty, c.nullable)
            })
            .collect::<Vec<_>>(),
    )
}

/// One column being built.
#[derive(Debug)]
enum Builder {
    Bool(BooleanBuilder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float64(Float64Builder),
    Str(StringBuilder),
    Decimal(Decimal128Builder, u8),
    Millis(TimestampMillisecondBuilder),
    Micros(TimestampMicrosecondBuilder),
    Date(Date32Builder),
    Struct(Record),
}

/// A record's columns being built, with its own validity.
#[derive(Debug)]
struct Record {
    fields: Fields,
    names: Vec<String>,
    children: Vec<Builder>,
    valid: Vec<bool>,
}

impl Record {
    fn new(fields: Fields) -> Record {
        Record {
            names: fields.iter().map(|f| f.name().clone()).collect(),
            children: fields.iter().map(|f| Builder::new(f.data_type())).collect(),
            valid: Vec::new(),
            fields,
        }
    }

    fn finish(&mut self) -> StructArray {
        let children: Vec<ArrayRef> = self.children.iter_mut().map(Builder::finish).collect();
        let valid = std::mem::take(&mut self.valid);
        let nulls = valid.iter().any(|v| !v).then(|| NullBuffer::from(valid));
        StructArray::new(self.fields.clone(), children, nulls)
    }
}

impl Builder {
    fn new(ty: &DataType) -> Builder {
        match ty {
            DataType::Boolean => Builder::Bool(BooleanBuilder::new()),
            DataType::Int32 => Builder::Int32(Int32Builder::new()),
            DataType::Int64 => Builder::Int64(Int64Builder::new()),
            DataType::Float64 => Builder::Float64(Float64Builder::new()),
            DataType::Decimal128(p, s) => Builder::Decimal(
                Decimal128Builder::new()
                    .with_precision_and_scale(*p, *s)
                    .unwrap_or_default(),
                *s as u8,
            ),
            DataType::Timestamp(TimeUnit::Millisecond, tz) => {
                Builder::Millis(TimestampMillisecondBuilder::new().with_timezone_opt(tz.clone()))
            }
            DataType::Timestamp(_, tz) => {
                Builder::Micros(TimestampMicrosecondBuilder::new().with_timezone_opt(tz.clone()))
            }
            DataType::Date32 => Builder::Date(Date32Builder::new()),
            DataType::Struct(fields) => Builder::Struct(Record::new(fields.clone())),
            _ => Builder::Str(StringBuilder::new()),
        }
    }

    fn append_null(&mut self) {
        match self {
            Builder::Bool(b) => b.append_null(),
            Builder::Int32(b) => b.append_null(),
            Builder::Int64(b) => b.append_null(),
            Builder::Float64(b) => b.append_null(),
            Builder::Str(b) => b.append_null(),
            Builder::Decimal(b, _) => b.append_null(),
            Builder::Millis(b) => b.append_null(),
            Builder::Micros(b) => b.append_null(),
            Builder::Date(b) => b.append_null(),
            Builder::Struct(r) => {
                r.children.iter_mut().for_each(Builder::append_null);
                r.valid.push(false);
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Int32(b) => Arc::new(b.finish()),
            Builder::Int64(b) => Arc::new(b.finish()),
            Builder::Float64(b) => Arc::new(b.finish()),
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::Decimal(b, _) => Arc::new(b.finish()),
            Builder::Millis(b) => Arc::new(b.finish()),
            Builder::Micros(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
            Builder::Struct(r) => Arc::new(r.finish()),
        }
    }
}

/// The columns of a kind's records, appended one record at a time.
#[derive(Debug)]
pub struct Columns {
    schema: Arc<Schema>,
    /// A [`Builder::Struct`] of the schema's columns.
    root: Builder,
    rows: usize,
}

impl Columns {
    /// Empty columns of `schema`.
    pub fn new(schema: Arc<Schema>) -> Columns {
        Columns {
            root: Builder::Struct(Record::new(schema.fields().clone())),
            schema,
            rows: 0,
        }
    }

    /// The rows appended since the last [`Columns::finish`].
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Appends `record`, a struct of the schema's columns (a column it
    /// leaves out must be nullable, and is null). On an error the columns
    /// may be ragged: drop them.
    pub fn push<T: Serialize + ?Sized>(&mut self, record: &T) -> Result<(), Error> {
        record.serialize(Cell {
            b: &mut self.root,
            name: "",
            top: true,
        })?;
        self.rows += 1;
        Ok(())
    }

    /// The rows appended so far as a batch; the columns start empty again.
    pub fn finish(&mut self) -> Result<RecordBatch, arrow_schema::ArrowError> {
        self.rows = 0;
        let Builder::Struct(root) = &mut self.root else {
            return Err(arrow_schema::ArrowError::SchemaError(
                "the root is not a record".into(),
            ));
        };
        let children: Vec<ArrayRef> = root.children.iter_mut().map(Builder::finish).collect();
        RecordBatch::try_new(self.schema.clone(), children)
    }
}

fn err<T>(what: impl Display) -> Result<T, Error> {
    Err(ser::Error::custom(what))
}

/// Appends one value to a column (or, at the root, a record's fields to
/// the columns).
struct Cell<'a> {
    b: &'a mut Builder,
    name: &'a str,
    /// The top-level record: its columns have no validity of their own.
    top: bool,
}

impl Cell<'_> {
    fn int(self, n: i128) -> Result<(), Error> {
        let name = self.name;
        let fit = |n: i128| i64::try_from(n).or_else(|_| err(format!("{name}: {n} is too large")));
        match self.b {
            Builder::Int32(b) => b.append_value(
                i32::try_from(n).or_else(|_| err(format!("{name}: {n} is not an int")))?,
            ),
            Builder::Int64(b) => b.append_value(fit(n)?),
            Builder::Float64(b) => b.append_value(n as f64),
            Builder::Decimal(b, scale) => b.append_value(n * 10i128.pow(u32::from(*scale))),
            _ => {
                return err(format!(
                    "{name}: the number {n} in a column of another type"
                ))
            }
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

impl<'a> ser::Serializer for Cell<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = MapCells<'a>;
    type SerializeStruct = StructCells<'a>;
    type SerializeStructVariant = Impossible<(), Error>;

    ints!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
          serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        match self.b {
            Builder::Bool(b) => b.append_value(v),
            _ => return err(format!("{}: {v} in a column of another type", self.name)),
        }
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        match self.b {
            Builder::Float64(b) => b.append_value(v),
            // An amount (Money serialises as one), scaled exactly: an f64
            // holds a decimal of up to 15 digits to the nearest unit.
            Builder::Decimal(b, scale) => {
                b.append_value((v * 10f64.powi(i32::from(*scale))).round() as i128)
            }
            _ => return err(format!("{}: {v} in a column of another type", self.name)),
        }
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        match self.b {
            Builder::Str(b) => b.append_value(v),
            Builder::Millis(b) => b.append_value(millis(v, TimeText::Millis)?),
            Builder::Micros(b) => b.append_value(millis(v, TimeText::NaiveMicros)?),
            Builder::Date(b) => {
                let s = v.as_bytes();
                match (s.len(), digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10)) {
                    (10, Some(y), Some(m), Some(d)) => {
                        b.append_value(days_from_civil(y, m, d) as i32)
                    }
                    _ => return err(format!("{}: `{v}` is not a date", self.name)),
                }
            }
            _ => return err(format!("{}: `{v}` in a column of another type", self.name)),
        }
        Ok(())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        err(format!("{}: bytes", self.name))
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.b.append_null();
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
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
        err(format!("{}: a list", self.name))
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        err(format!("{}: a tuple", self.name))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        err(format!("{}: a tuple", self.name))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        err(format!("{}: a tuple", self.name))
    }

    /// A JSON object (a mapping's record): its keys in any order.
    fn serialize_map(self, _: Option<usize>) -> Result<MapCells<'a>, Error> {
        let cells = self.serialize_struct("", 0)?;
        Ok(MapCells {
            set: vec![false; cells.record.names.len()],
            cells,
            key: None,
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<StructCells<'a>, Error> {
        let Builder::Struct(record) = self.b else {
            return err(format!(
                "{}: a record in a column of another type",
                self.name
            ));
        };
        Ok(StructCells {
            record,
            next: 0,
            nested: !self.top,
        })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        err(format!("{}: an enum", self.name))
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.serialize_str(&value.to_string())
    }
}

/// Appends a record's fields to its columns in order; a column the record
/// leaves out (it must be nullable) gets a null.
struct StructCells<'a> {
    record: &'a mut Record,
    next: usize,
    /// A nested record (with a validity of its own), not the top level.
    nested: bool,
}

impl StructCells<'_> {
    fn skip_to(&mut self, to: usize) -> Result<(), Error> {
        for i in self.next..to {
            if !self.record.fields[i].is_nullable() {
                return err(format!("{}: missing", self.record.names[i]));
            }
            self.record.children[i].append_null();
        }
        self.next = to;
        Ok(())
    }
}

impl ser::SerializeStruct for StructCells<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let Some(at) = self.record.names[self.next..]
            .iter()
            .position(|n| n == key)
            .map(|i| i + self.next)
        else {
            return err(format!("{key}: not in the schema, or out of its order"));
        };
        self.skip_to(at)?;
        self.next = at + 1;
        let Record {
            names, children, ..
        } = &mut *self.record;
        value.serialize(Cell {
            b: &mut children[at],
            name: &names[at],
            top: false,
        })
    }

    fn end(mut self) -> Result<(), Error> {
        self.skip_to(self.record.names.len())?;
        if self.nested {
            self.record.valid.push(true);
        }
        Ok(())
    }
}

/// Appends a JSON object's entries to their columns, in any order; a
/// column it leaves out (it must be nullable) gets a null.
struct MapCells<'a> {
    cells: StructCells<'a>,
    set: Vec<bool>,
    key: Option<usize>,
}

impl ser::SerializeMap for MapCells<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let key = key
            .serialize(serde_json::value::Serializer)
            .map_err(|e| Error::custom(e.to_string()))?;
        let key = key.as_str().unwrap_or_default();
        let at = self.cells.record.names.iter().position(|n| n == key);
        match at {
            Some(at) if !self.set[at] => {
                self.key = Some(at);
                Ok(())
            }
            Some(_) => err(format!("{key}: given twice")),
            None => err(format!("{key}: not in the schema")),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let Some(at) = self.key.take() else {
            return err("a value without its key");
        };
        self.set[at] = true;
        let Record {
            names, children, ..
        } = &mut *self.cells.record;
        value.serialize(Cell {
            b: &mut children[at],
            name: &names[at],
            top: false,
        })
    }

    fn end(self) -> Result<(), Error> {
        let MapCells { cells, set, .. } = self;
        for (i, done) in set.iter().enumerate() {
            if !done {
                if !cells.record.fields[i].is_nullable() {
                    return err(format!("{}: missing", cells.record.names[i]));
                }
                cells.record.children[i].append_null();
            }
        }
        if cells.nested {
            cells.record.valid.push(true);
        }
        Ok(())
    }
}

pub mod typed;

#[cfg(test)]
mod tests;
