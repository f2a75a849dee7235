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
//! `ean8`: an EAN-8 code made from the value), and
//! `template` (text with `{}` replaced by the value, such as `CU-{}`).
//! The encoders live with the sinks; this module is the checked plan.

use std::collections::BTreeMap;

use serde::Deserialize;

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
    /// Checks an `[output]` table against the kinds the model emits.
    pub fn parse(table: &toml::Value, emitted: &[EventKind]) -> Result<Mapping, MappingError> {
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
            let kind = kind_of(&at, key)?;
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
            mapping
                .by_kind
                .insert(kind, KindMap::build(kind, &at, config)?);
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

/// A name a table, a column and a JSON field can all carry unquoted.
fn check_name(key: &str, name: &str) -> Result<(), MappingError> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(MappingError::new(
            key,
            format!(
                "`{name}`: use letters, digits and `_`, starting with a letter or `_`, at most 63"
            ),
        ))
    }
}

/// The field at `path` in `fields` (a record's schema, `kind` first), and
/// whether it can be null (it, or a record on the way, is nullable).
fn resolve<'a>(fields: &'a [Field], path: &[&str]) -> Option<(&'a Field, bool)> {
    let (first, rest) = path.split_first()?;
    let f = fields.iter().find(|f| f.name == *first)?;
    match (rest.is_empty(), f.ty) {
        (true, _) => Some((f, f.nullable)),
        (false, Type::Record(inner)) => {
            resolve(inner, rest).map(|(g, null)| (g, null || f.nullable))
        }
        _ => None,
    }
}

/// The `kind` field every record starts with.
const KIND_FIELD: Field = Field::new("kind", Type::String, "The kind.");

impl KindMap {
    fn build(kind: EventKind, at: &str, config: KindConfig) -> Result<KindMap, MappingError> {
        let schema = kind.schema();
        let mut all = vec![KIND_FIELD];
        all.extend_from_slice(schema.fields);
        let name = config.name.unwrap_or_else(|| kind.as_str().to_string());
        check_name(&format!("{at}.name"), &name)?;
        let fields = match config.fields {
            Some(list) => {
                if !config.drop.is_empty() {
                    return Err(MappingError::new(
                        format!("{at}.drop"),
                        "give either `fields` (what is written) or `drop` (what is left out), not both",
                    ));
                }
                if list.is_empty() {
                    return Err(MappingError::new(format!("{at}.fields"), "lists no field"));
                }
                let mut out: Vec<OutField> = Vec::new();
                for (i, f) in list.into_iter().enumerate() {
                    let key = format!("{at}.fields[{i}]");
                    let field = OutField::build(&key, &all, f)?;
                    if out.iter().any(|o| o.name == field.name) {
                        return Err(MappingError::new(
                            format!("{key}.name"),
                            format!("`{}` is written twice", field.name),
                        ));
                    }
                    out.push(field);
                }
                out
            }
            None => {
                for (i, d) in config.drop.iter().enumerate() {
                    if !all.iter().any(|f| f.name == d) {
                        return Err(MappingError::new(
                            format!("{at}.drop[{i}]"),
                            format!("`{kind}` has no field `{d}` (it has {})", names(&all)),
                        ));
                    }
                }
                all.iter()
                    .filter(|f| !config.drop.iter().any(|d| d == f.name))
                    .map(|f| OutField::of(f, vec![f.name.to_string()]))
                    .collect()
            }
        };
        if fields.is_empty() {
            return Err(MappingError::new(format!("{at}.drop"), "drops every field"));
        }
        Ok(KindMap { kind, name, fields })
    }

    /// The output field names, in order (the CSV header).
    pub fn header(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }

    /// Where `f`'s value comes from, in words: `<- event_id`,
    /// `<- sku via item.item_upc`, `= "pos"`, `<- customerid as CU-{}`.
    pub fn source_of(&self, f: &OutField) -> String {
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
            Format::AsIs => {}
        }
        from
    }
}

fn names(fields: &[Field]) -> String {
    fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
}

impl OutField {
    /// A field of the record as it is.
    fn of(f: &Field, path: Vec<String>) -> OutField {
        OutField {
            name: f.name.to_string(),
            source: Source::Field(path),
            lookup: None,
            format: Format::AsIs,
            ty: OutType::Like(f.ty),
            nullable: f.nullable,
            doc: f.doc.to_string(),
        }
    }

    fn build(key: &str, all: &[Field], c: FieldConfig) -> Result<OutField, MappingError> {
        check_name(&format!("{key}.name"), &c.name)?;
        let (source, mut ty, nullable, doc) = match (&c.value, &c.from) {
            (Some(_), Some(_)) => {
                return Err(MappingError::new(
                    format!("{key}.value"),
                    "give either `from` or `value`, not both",
                ))
            }
            (Some(v), None) => {
                let (json, ty) = constant(&format!("{key}.value"), v)?;
                (Source::Constant(json), ty, false, "A constant.".to_string())
            }
            (None, from) => {
                let from = from.as_deref().unwrap_or(&c.name);
                let path: Vec<&str> = from.split('.').collect();
                let (field, nullable) = resolve(all, &path).ok_or_else(|| {
                    MappingError::new(
                        format!("{key}.from"),
                        format!("no field `{from}` in this kind (it has {})", names(all)),
                    )
                })?;
                if let Type::Record(_) = field.ty {
                    return Err(MappingError::new(
                        format!("{key}.from"),
                        format!(
                            "`{from}` is a nested record: name one of its fields (`{from}.FIELD`)"
                        ),
                    ));
                }
                (
                    Source::Field(path.iter().map(|s| s.to_string()).collect()),
                    field.ty,
                    nullable,
                    field.doc.to_string(),
                )
            }
        };
        let lookup = match &c.lookup {
            None => None,
            Some(name) => {
                let l = Lookup::ALL
                    .iter()
                    .find(|(_, n)| n == name)
                    .map(|(l, _)| *l)
                    .ok_or_else(|| {
                        let known: Vec<&str> = Lookup::ALL.iter().map(|(_, n)| *n).collect();
                        MappingError::new(
                            format!("{key}.lookup"),
                            format!("unknown lookup `{name}` (known: {})", known.join(", ")),
                        )
                    })?;
                if !matches!(ty, Type::Int32 | Type::Int64) {
                    return Err(MappingError::new(
                        format!("{key}.lookup"),
                        format!("looks up by an id, and the source is {ty}"),
                    ));
                }
                ty = l.ty();
                Some(l)
            }
        };
        let pattern = || -> Result<String, MappingError> {
            let p = c
                .pattern
                .clone()
                .unwrap_or_else(|| DEFAULT_PATTERN.to_string());
            check_pattern(&format!("{key}.pattern"), &p)?;
            Ok(p)
        };
        if c.pattern.is_some() && !matches!(c.format.as_deref(), Some("local_time" | "utc_time")) {
            return Err(MappingError::new(
                format!("{key}.pattern"),
                "a pattern needs format = \"local_time\" or \"utc_time\"",
            ));
        }
        let (format, out) = match (c.format.as_deref(), &c.template) {
            (Some(_), Some(_)) => {
                return Err(MappingError::new(
                    format!("{key}.template"),
                    "a template writes text: give it without `format`",
                ))
            }
            (None, Some(t)) => {
                let Some((a, b)) = t.split_once("{}") else {
                    return Err(MappingError::new(
                        format!("{key}.template"),
                        format!("`{t}` has no `{{}}` for the value"),
                    ));
                };
                (
                    Format::Template(a.to_string(), b.to_string()),
                    OutType::Like(Type::String),
                )
            }
            (None, None) => (Format::AsIs, OutType::Like(ty)),
            (Some("text"), None) => (Format::Text, OutType::Like(Type::String)),
            (Some("ean8"), None) => (Format::Ean8, OutType::Like(Type::String)),
            (Some(f @ ("local_time" | "utc_time")), None) => {
                if !matches!(ty, Type::Timestamp(_)) {
                    return Err(MappingError::new(
                        format!("{key}.format"),
                        format!("`{f}` formats a timestamp, and the source is {ty}"),
                    ));
                }
                let p = pattern()?;
                if f == "local_time" {
                    (Format::LocalTime(p.clone()), OutType::LocalTimestamp(p))
                } else {
                    (Format::UtcTime(p.clone()), OutType::LocalTimestamp(p))
                }
            }
            (Some(other), None) => {
                return Err(MappingError::new(
                    format!("{key}.format"),
                    format!("unknown format `{other}` (known: text, ean8, local_time, utc_time)"),
                ))
            }
        };
        if matches!(ty, Type::Timestamp(_))
            && !matches!(format, Format::AsIs)
            && !matches!(format, Format::LocalTime(_) | Format::UtcTime(_))
        {
            return Err(MappingError::new(
                format!("{key}.format"),
                "a timestamp is written with format = \"local_time\" or \"utc_time\"",
            ));
        }
        Ok(OutField {
            name: c.name,
            source,
            lookup,
            format,
            ty: out,
            nullable,
            doc,
        })
    }
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

/// A constant's JSON value and type.
fn constant(key: &str, v: &toml::Value) -> Result<(serde_json::Value, Type), MappingError> {
    Ok(match v {
        toml::Value::String(s) => (serde_json::Value::from(s.as_str()), Type::String),
        toml::Value::Integer(i) => (serde_json::Value::from(*i), Type::Int64),
        toml::Value::Float(f) => (serde_json::Value::from(*f), Type::Float64),
        toml::Value::Boolean(b) => (serde_json::Value::from(*b), Type::Bool),
        _ => {
            return Err(MappingError::new(
                key,
                "a constant is a string, a number or a boolean",
            ))
        }
    })
}

/// A chrono pattern that formats: unknown specifiers are refused here, not
/// at the first event.
fn check_pattern(key: &str, pattern: &str) -> Result<(), MappingError> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(pattern).any(|i| matches!(i, Item::Error)) {
        return Err(MappingError::new(
            key,
            format!("`{pattern}` is not a chrono pattern (such as %Y-%m-%d %H:%M:%S)"),
        ));
    }
    if pattern.is_empty() {
        return Err(MappingError::new(key, "is empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Mapping, MappingError> {
        let value: toml::Value = toml::from_str(text).unwrap();
        Mapping::parse(
            &value["output"],
            &[
                EventKind::Scan,
                EventKind::Transaction,
                EventKind::ItemChange,
            ],
        )
    }

    #[test]
    fn fields_are_checked_against_the_kind_schema() {
        let m = parse(
            r#"
            [output]
            kinds = ["scan"]
            [output.scan]
            name = "scans"
            fields = [
              { name = "scan_id", from = "event_id" },
              { name = "store_id" },
              { name = "scan_datetime", from = "ts", format = "local_time" },
              { name = "item_upc", from = "sku", lookup = "item.item_upc", format = "text" },
              { name = "source", value = "pos" },
            ]
            "#,
        )
        .unwrap();
        let scan = m.get(EventKind::Scan).unwrap();
        assert_eq!(
            scan.header(),
            ["scan_id", "store_id", "scan_datetime", "item_upc", "source"]
        );
        assert_eq!(scan.fields[3].ty, OutType::Like(Type::String));
        assert_eq!(
            scan.fields[2].ty,
            OutType::LocalTimestamp(DEFAULT_PATTERN.into())
        );
        assert_eq!(
            m.written(&[EventKind::Scan, EventKind::Transaction]),
            [EventKind::Scan]
        );
    }

    #[test]
    fn ean8_check_digits_are_gs1s() {
        // GS1's published examples: 9638507 -> 96385074, 5512345 -> 55123457.
        assert_eq!(ean8(9_638_507), "96385074");
        assert_eq!(ean8(5_512_345), "55123457");
        assert_eq!(ean8(12), "00000123");
        assert_eq!(ean8(10_000_012), "00000123");
    }

    #[test]
    fn drop_keeps_the_rest_in_order() {
        let m = parse("[output.transaction]\ndrop = [\"kind\", \"register\"]").unwrap();
        let t = m.get(EventKind::Transaction).unwrap();
        assert_eq!(&t.header()[..3], ["transaction_id", "ts", "store_id"]);
        assert!(!t.header().contains(&"register"));
        assert_eq!(t.name, "transaction");
    }

    #[test]
    fn nested_fields_are_reached_by_path() {
        let m = parse(
            "[output.item_change]\nfields = [{ name = \"price\", from = \"after.item_price\" }]",
        )
        .unwrap();
        assert!(m.get(EventKind::ItemChange).unwrap().fields[0].nullable);
    }

    #[test]
    fn bad_mappings_name_the_key() {
        for (text, key, needle) in [
            ("[output.scan]\nfields = [{ name = \"x\", from = \"nope\" }]", "output.scan.fields[0].from", "no field `nope`"),
            ("[output.webshop]\ndrop = []", "output.webshop", "emits no `webshop`"),
            ("[output.scan]\ndrop = [\"sku\"]\nfields = [{ name = \"x\", from = \"sku\" }]", "output.scan.drop", "not both"),
            ("[output.scan]\nfields = [{ name = \"x\", from = \"sku\", format = \"local_time\" }]", "output.scan.fields[0].format", "formats a timestamp"),
            ("[output.scan]\nfields = [{ name = \"x\", from = \"ts\", format = \"local_time\", pattern = \"%Q\" }]", "output.scan.fields[0].pattern", "not a chrono pattern"),
            ("[output.scan]\nfields = [{ name = \"x\", from = \"ts\", format = \"text\" }]", "output.scan.fields[0].format", "local_time"),
            ("[output.scan]\nfields = [{ name = \"x\", from = \"unit_price\", lookup = \"item.item_upc\" }]", "output.scan.fields[0].lookup", "by an id"),
            ("[output.scan]\nfields = [{ name = \"x\", from = \"sku\", lookup = \"item.colour\" }]", "output.scan.fields[0].lookup", "unknown lookup"),
            ("[output.scan]\nfields = [{ name = \"x\", from = \"sku\", template = \"CU-\" }]", "output.scan.fields[0].template", "no `{}`"),
            ("[output.scan]\nfields = [{ name = \"x y\", from = \"sku\" }]", "output.scan.fields[0].name", "letters"),
            ("[output.scan]\nfields = [{ name = \"x\" , from = \"sku\"}, { name = \"x\", from = \"line\" }]", "output.scan.fields[1].name", "twice"),
            ("[output.scan]\nfields = [{ name = \"x\", frm = \"sku\" }]", "output.scan.fields[0].frm", "unknown field `frm`"),
            ("[output.scan]\nfields = [{ name = \"x\", from = \"after\" }]", "output.scan.fields[0].from", "no field"),
            ("[output.item_change]\nfields = [{ name = \"x\", from = \"after\" }]", "output.item_change.fields[0].from", "nested record"),
            ("[output]\nkinds = []", "output.kinds", "nothing"),
            ("[output]\nkinds = [\"scan\"]\n[output.transaction]\ndrop = [\"kind\"]", "output.transaction", "leaves out"),
            ("[output.scan]\nname = \"t\"\n[output.transaction]\nname = \"t\"", "output.transaction.name", "also scan's"),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.key, key, "{text}: {err:?}");
            assert!(err.message.contains(needle), "{text}: {err:?}");
        }
    }
}
