//! Output mappings: a scenario's `[output]` table, which reshapes each
//! kind's records into the fields a downstream pipeline already reads,
//! without recompiling.
//!
//! A mapping is data over the kind schemas ([`crate::schema`]): per kind,
//! the record's name (its table, and its topic unless the scenario's
//! `[kafka.topics]` names one), and either the complete ordered list of
//! output fields, each with its source field, rename, format and type, or
//! the fields to drop from the kind's own record. A kind without a mapping
//! keeps storesim's record. Every source is checked against the kind's
//! schema when the scenario loads, so a run never meets a field that does
//! not exist.
//!
//! ```toml
//! [output]
//! kinds = ["scan", "item_change"]      # the kinds written (all when absent)
//!
//! [output.scan]
//! name = "scans"
//! fields = [
//!   { name = "scan_id", from = "event_id" },
//!   { name = "store_id" },
//!   { name = "scan_datetime", from = "ts", format = "local_time" },
//!   { name = "item_upc", from = "sku", lookup = "item.item_upc", format = "text" },
//! ]
//!
//! [output.product]
//! drop = ["kind", "store_id"]
//! ```
//!
//! Field options: `from` (a field of the kind's record, `a.b` inside a
//! nested one; `name` when absent), `value` (a constant instead), `lookup`
//! (the source is an id; write a dimension column instead: `item.item_upc`,
//! `item.category_code`, `item.item_name`, `store.city`, `store.state`,
//! `store.time_zone`), `format` (`text`: the value as a string;
//! `local_time` / `utc_time`: a timestamp in the store's zone or in UTC,
//! with `pattern`, a chrono format, `%Y-%m-%d %H:%M:%S` by default;
//! `ean8`: an EAN-8 code made from the value),
//! `template` (text with `{}` replaced by the value, such as `CU-{}`), and
//! `labels` (a closed set's values as other text, every value labelled:
//! `{ in_stock = "In Stock", ... }`).
//! The encoders live with the sinks; this module is the checked plan.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::dims::Dimension;
use crate::event::EventKind;
use crate::schema::{Field, Type};

/// The default pattern of `local_time` and `utc_time`.
pub const DEFAULT_PATTERN: &str = "%Y-%m-%d %H:%M:%S";

/// A whole `[output]` table, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// The kinds written, when the scenario limits them.
    pub kinds: Option<Vec<EventKind>>,
    /// Each mapped kind's plan, by [`EventKind::index`].
    pub by_kind: BTreeMap<EventKind, KindMap>,
    /// Each mapped dimension table's plan.
    pub dims: BTreeMap<Dimension, DimMap>,
}

/// One kind's output record.
#[derive(Debug, Clone, PartialEq)]
pub struct KindMap {
    /// The kind it maps.
    pub kind: EventKind,
    /// The record's name: its PostgreSQL table, and its Kafka topic unless
    /// the scenario's `[kafka.topics]` names one.
    pub name: String,
    /// The output fields, in order.
    pub fields: Vec<OutField>,
}

/// One output field.
#[derive(Debug, Clone, PartialEq)]
pub struct OutField {
    /// Its name in the output.
    pub name: String,
    /// Where its value comes from.
    pub source: Source,
    /// A dimension column looked up by the source's id.
    pub lookup: Option<Lookup>,
    /// How the value is written.
    pub format: Format,
    /// Its type in the output.
    pub ty: OutType,
    /// Whether it can be null.
    pub nullable: bool,
    /// What it holds (the source's doc, or the constant's).
    pub doc: String,
}

/// Where an output field's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A field of the record: its path (`["after", "item_price"]`).
    Field(Vec<String>),
    /// The same value in every record.
    Constant(serde_json::Value),
}

/// How a value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// As the record has it.
    AsIs,
    /// As a string: a number's digits, a string unchanged.
    Text,
    /// A timestamp in the store's own zone, with a chrono pattern.
    LocalTime(String),
    /// A timestamp in UTC, with a chrono pattern.
    UtcTime(String),
    /// Text with `{}` replaced by the value: (before, after).
    Template(String, String),
    /// An EAN-8 code (7 digits and the GS1 check digit) made from the
    /// value: a number's last 7 digits, or a hash of a text (an item code
    /// for a record that has none, the same for the same value).
    Ean8,
    /// A closed set's values written as other labels (`in_stock` as
    /// `In Stock`), every value labelled.
    Labels(BTreeMap<String, String>),
}

/// A dimension column, looked up by an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The item's UPC (by item id).
    ItemUpc,
    /// The item's category code (by item id).
    ItemCategory,
    /// The item's name (by item id).
    ItemName,
    /// The store's city (by store id).
    StoreCity,
    /// The store's state (by store id).
    StoreState,
    /// The store's IANA time zone (by store id).
    StoreZone,
}

impl Lookup {
    /// Every lookup, with its name in a scenario file.
    pub const ALL: [(Lookup, &'static str); 6] = [
        (Lookup::ItemUpc, "item.item_upc"),
        (Lookup::ItemCategory, "item.category_code"),
        (Lookup::ItemName, "item.item_name"),
        (Lookup::StoreCity, "store.city"),
        (Lookup::StoreState, "store.state"),
        (Lookup::StoreZone, "store.time_zone"),
    ];

    /// The column's type.
    pub fn ty(self) -> Type {
        match self {
            Lookup::ItemUpc => Type::Int64,
            Lookup::ItemCategory => Type::Int32,
            _ => Type::String,
        }
    }
}

/// An output field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutType {
    /// One of the schema's types.
    Like(Type),
    /// An instant written in a zone's wall-clock time with a pattern (no
    /// zone in the text; PostgreSQL's `timestamp`).
    LocalTimestamp(String),
}

impl OutType {
    /// The type as `scenarios show` prints it.
    pub fn describe(&self) -> String {
        match self {
            OutType::Like(t) => t.to_string(),
            OutType::LocalTimestamp(p) => format!("local timestamp `{p}`"),
        }
    }
}

/// `[output.KIND]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindConfig {
    name: Option<String>,
    fields: Option<Vec<FieldConfig>>,
    #[serde(default)]
    drop: Vec<String>,
}

/// One entry of `fields` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldConfig {
    name: String,
    from: Option<String>,
    value: Option<toml::Value>,
    lookup: Option<String>,
    format: Option<String>,
    pattern: Option<String>,
    template: Option<String>,
    labels: Option<BTreeMap<String, String>>,
}

/// A mapping error: the key (`output.scan.fields[2].from`) and what is
/// wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    /// The key, from `output`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl MappingError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> MappingError {
        MappingError {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl Mapping {
    /// Checks an `[output]` table against the kinds the model emits (and
    /// its dimension tables, for a model with an item master).
    pub fn parse(
        table: &toml::Value,
        emitted: &[EventKind],
        dimensions: bool,
    ) -> Result<Mapping, MappingError> {
        let toml::Value::Table(table) = table else {
            return Err(MappingError::new("output", "must be a table"));
        };
        let kind_of = |key: &str, name: &str| -> Result<EventKind, MappingError> {
            let names: Vec<&str> = emitted.iter().map(|k| k.as_str()).collect();
            emitted
                .iter()
                .copied()
                .find(|k| k.as_str() == name)
                .ok_or_else(|| {
                    MappingError::new(
                        key,
                        format!(
                            "the model emits no `{name}` (it emits {})",
                            names.join(", ")
                        ),
                    )
                })
        };
        let mut mapping = Mapping {
            kinds: None,
            by_kind: BTreeMap::new(),
            dims: BTreeMap::new(),
        };
        for (key, value) in table {
            if key == "kinds" {
                let names: Vec<String> = value
                    .clone()
                    .try_into()
                    .map_err(|_| MappingError::new("output.kinds", "must be a list of kinds"))?;
                if names.is_empty() {
                    return Err(MappingError::new(
                        "output.kinds",
                        "names no kind: a run would write nothing",
                    ));
                }
                let mut kinds = Vec::new();
                for (i, name) in names.iter().enumerate() {
                    let kind = kind_of(&format!("output.kinds[{i}]"), name)?;
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
                kinds.sort();
                mapping.kinds = Some(kinds);
                continue;
            }
            let at = format!("output.{key}");
            let dim = Dimension::ALL.into_iter().find(|d| d.name() == key);
            if dim.is_some() && !dimensions {
                return Err(MappingError::new(
                    &at,
                    format!("the model has no item master, so no `{key}` table to map"),
                ));
            }
            let kind = match dim {
                Some(_) => None,
                None => Some(kind_of(&at, key)?),
            };
            let config: KindConfig =
                serde_path_to_error::deserialize(value.clone()).map_err(|e| {
                    let path = e.path().to_string();
                    let key = if path == "." {
                        at.clone()
                    } else {
                        format!("{at}.{path}")
                    };
                    MappingError::new(key, e.inner().message().trim())
                })?;
            match (kind, dim) {
                (Some(kind), _) => {
                    mapping
                        .by_kind
                        .insert(kind, KindMap::build(kind, &at, config)?);
                }
                (None, Some(dim)) => {
                    mapping.dims.insert(dim, DimMap::build(dim, &at, config)?);
                }
                (None, None) => unreachable!("a kind or a dimension"),
            }
        }
        if let Some(kinds) = &mapping.kinds {
            if let Some(k) = mapping.by_kind.keys().find(|k| !kinds.contains(k)) {
                return Err(MappingError::new(
                    format!("output.{k}"),
                    format!("maps `{k}`, which output.kinds leaves out"),
                ));
            }
        }
        let mut names: BTreeMap<&str, EventKind> = BTreeMap::new();
        for m in mapping.by_kind.values() {
            if let Some(other) = names.insert(&m.name, m.kind) {
                return Err(MappingError::new(
                    format!("output.{}.name", m.kind),
                    format!("`{}` is also {other}'s name", m.name),
                ));
            }
        }
        Ok(mapping)
    }

    /// The kinds a run writes, of those the model emits.
    pub fn written(&self, emitted: &[EventKind]) -> Vec<EventKind> {
        match &self.kinds {
            Some(kinds) => emitted
                .iter()
                .copied()
                .filter(|k| kinds.contains(k))
                .collect(),
            None => emitted.to_vec(),
        }
    }

    /// The plan of `kind`, if it is mapped.
    pub fn get(&self, kind: EventKind) -> Option<&KindMap> {
        self.by_kind.get(&kind)
    }
}

impl KindMap {
    fn build(kind: EventKind, at: &str, config: KindConfig) -> Result<KindMap, MappingError> {
        let mut all = vec![KIND_FIELD];
        all.extend_from_slice(kind.schema().fields);
        let (name, fields) = build_fields(kind.as_str(), &all, at, config)?;
        Ok(KindMap { kind, name, fields })
    }

    /// The output field names, in order (the CSV header).
    pub fn header(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }

    /// Where `f`'s value comes from, in words: `<- event_id`,
    /// `<- sku via item.item_upc`, `= "pos"`, `<- customerid as CU-{}`.
    pub fn source_of(&self, f: &OutField) -> String {
        source_of(f)
    }

    /// The output field that gives back the kind's field `source`
    /// unchanged or as its text (a rename, `text`, a template, labels),
    /// or `None` when the mapping drops it or writes it one way only (a
    /// lookup, a store-local time, an EAN-8).
    fn recovering(&self, source: &str) -> Option<&OutField> {
        self.fields.iter().find(|f| {
            f.lookup.is_none()
                && matches!(&f.source, Source::Field(p) if p.len() == 1 && p[0] == source)
                && matches!(
                    f.format,
                    Format::AsIs | Format::Text | Format::Template(..) | Format::Labels(_)
                )
        })
    }

    /// Whether a mapped record gives back the kind's field `source`.
    pub fn recovers(&self, source: &str) -> bool {
        self.recovering(source).is_some()
    }

    /// The kind's fields `sources` of a mapped record (a JSON object, or a
    /// CSV row's texts), as far as it gives them back ([`KindMap::recovers`]):
    /// an object under the kind's own names, values as the kind has them
    /// or as their text.
    pub fn unmap(&self, record: &serde_json::Value, sources: &[&str]) -> serde_json::Value {
        use serde_json::Value;
        let mut out = serde_json::Map::new();
        for &source in sources {
            let Some(f) = self.recovering(source) else {
                continue;
            };
            let v = record.get(&f.name).cloned().unwrap_or(Value::Null);
            let v = match (&f.format, &v) {
                (Format::Template(a, b), Value::String(t)) => t
                    .strip_prefix(a.as_str())
                    .and_then(|t| t.strip_suffix(b.as_str()))
                    .map_or(Value::Null, |t| Value::String(t.to_string())),
                (Format::Labels(labels), Value::String(t)) => labels
                    .iter()
                    .find(|(_, label)| *label == t)
                    .map_or(Value::Null, |(value, _)| Value::String(value.clone())),
                _ => v,
            };
            out.insert(source.to_string(), v);
        }
        Value::Object(out)
    }
}

/// One dimension table's output record.
#[derive(Debug, Clone, PartialEq)]
pub struct DimMap {
    /// The dimension it maps.
    pub dim: Dimension,
    /// The table's name.
    pub name: String,
    /// The output fields, in order.
    pub fields: Vec<OutField>,
}

impl DimMap {
    fn build(dim: Dimension, at: &str, config: KindConfig) -> Result<DimMap, MappingError> {
        let (name, fields) = build_fields(dim.name(), dim.fields(), at, config)?;
        let keyed = fields.iter().any(|f| {
            f.lookup.is_none()
                && f.format == Format::AsIs
                && f.source == Source::Field(vec![dim.key().to_string()])
        });
        if !keyed {
            return Err(MappingError::new(
                at,
                format!("keep `{}` as it is: it keys the table's rows", dim.key()),
            ));
        }
        Ok(DimMap { dim, name, fields })
    }

    /// The dimension as it is: every field, unrenamed.
    pub fn identity(dim: Dimension) -> DimMap {
        DimMap {
            dim,
            name: dim.name().to_string(),
            fields: dim
                .fields()
                .iter()
                .map(|f| OutField::of(f, vec![f.name.to_string()]))
                .collect(),
        }
    }

    /// The output field names, in order (the CSV header).
    pub fn header(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }

    /// The output field that keys the rows.
    pub fn key(&self) -> &OutField {
        self.fields
            .iter()
            .find(|f| f.source == Source::Field(vec![self.dim.key().to_string()]))
            .expect("checked when built")
    }
}

/// Where `f`'s value comes from, in words.
fn source_of(f: &OutField) -> String {
    let mut from = match &f.source {
        Source::Field(path) => format!("<- {}", path.join(".")),
        Source::Constant(v) => format!("= {v}"),
    };
    if let Some(l) = f.lookup {
        let name = Lookup::ALL
            .iter()
            .find(|(x, _)| *x == l)
            .map_or("", |(_, n)| *n);
        from.push_str(&format!(" via {name}"));
    }
    match &f.format {
        Format::Template(a, b) => from.push_str(&format!(" as {a}{{}}{b}")),
        Format::LocalTime(_) => from.push_str(" in the store's time zone"),
        Format::UtcTime(_) => from.push_str(" in UTC"),
        Format::Text => from.push_str(" as text"),
        Format::Ean8 => from.push_str(" as an EAN-8"),
        Format::Labels(l) => {
            let pairs: Vec<String> = l.iter().map(|(k, v)| format!("{k} as {v}")).collect();
            from.push_str(&format!(" ({})", pairs.join(", ")));
        }
        Format::AsIs => {}
    }
    from
}

/// An EAN-8 code from a number (its last 7 digits) with the GS1 check
/// digit: weights 3 and 1 from the left, the digit that makes the sum a
/// multiple of 10.
pub fn ean8(n: u64) -> String {
    let body = format!("{:07}", n % 10_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

mod build;
use build::*;

#[cfg(test)]
mod tests;
