//! Encodings shared by sinks: JSON lines and CSV rows.
//!
//! JSON is the one value every sink writes for an event (files, stdout,
//! Kafka message values): snake_case fields, a leading `kind`, RFC 3339
//! UTC times with milliseconds, exact two-decimal money; or, for a kind
//! the scenario's `[output]` maps, the mapped record's fields in the
//! mapping's order and formats.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use chrono_tz::Tz;
use serde_json::Value;
use storesim_sim::dims::Dimension;
use storesim_sim::mapping::{DimMap, Format, KindMap, Lookup, Mapping, Source};
use storesim_sim::{Event, EventKind};

/// A scenario's output mapping with the dimension columns its lookups
/// and local times read.
#[derive(Debug)]
struct Mapped {
    plan: Mapping,
    /// Item id to (UPC, category code, name).
    items: HashMap<u32, (u64, u32, String)>,
    /// Store id to (zone, city, state, zone name).
    stores: HashMap<u32, (Tz, String, String, String)>,
}

/// Encodes events as storesim's records, or through the scenario's output
/// mapping ([`storesim_sim::mapping`]) where it maps their kind. Cheap to
/// clone (the mapping is shared).
#[derive(Debug, Clone, Default)]
pub struct Encoder {
    mapped: Option<Arc<Mapped>>,
    /// Item changes as Debezium change events (`envelope=debezium`).
    envelope: crate::debezium::Envelope,
}

impl Encoder {
    /// An encoder for the scenario's `mapping`, with its item master and
    /// stores at hand (for lookups and store-local times).
    pub fn new(
        mapping: Option<Mapping>,
        items: &[storesim_sim::catalog::Item],
        stores: &[storesim_sim::catalog::Store],
    ) -> Encoder {
        let Some(plan) = mapping else {
            return Encoder::default();
        };
        Encoder {
            envelope: crate::debezium::Envelope::default(),
            mapped: Some(Arc::new(Mapped {
                plan,
                items: items
                    .iter()
                    .map(|i| {
                        (
                            i.item_id,
                            (i.item_upc, i.category_code, i.item_name.clone()),
                        )
                    })
                    .collect(),
                stores: stores
                    .iter()
                    .map(|s| {
                        (
                            s.store_id,
                            (s.tz, s.city.clone(), s.state.clone(), s.time_zone.clone()),
                        )
                    })
                    .collect(),
            })),
        }
    }

    /// The same encoder writing item changes in `envelope`.
    pub fn with_envelope(mut self, envelope: crate::debezium::Envelope) -> Encoder {
        self.envelope = envelope;
        self
    }

    /// The envelope it writes item changes in.
    pub fn envelope(&self) -> crate::debezium::Envelope {
        self.envelope
    }

    /// `kind`'s record as the schema formats see it: the Debezium envelope,
    /// the scenario's mapping, or storesim's record.
    pub fn shape(&self, kind: EventKind) -> crate::shape::Shape {
        if self.envelope.wraps(kind) {
            return crate::debezium::value_shape();
        }
        crate::shape::Shape::of(kind, self.map(kind))
    }

    /// Whether `kind`'s record exists only as the mapping's JSON; else it
    /// is serialised straight from the event ([`Encoder::record`]).
    pub fn json_only(&self, kind: EventKind) -> bool {
        self.map(kind).is_some() && !self.envelope.wraps(kind)
    }

    /// `event`'s record to serialise straight (where it is not
    /// [`Encoder::json_only`]): the event, or its Debezium change event.
    pub fn record<'a>(&self, event: &'a Event) -> Record<'a> {
        match event {
            Event::ItemChange(c) if self.envelope.debezium => {
                Record::Change(crate::debezium::value(c))
            }
            _ => Record::Event(event),
        }
    }

    /// The mapping of `kind`, if the scenario maps it.
    pub fn map(&self, kind: EventKind) -> Option<&KindMap> {
        self.mapped.as_ref()?.plan.get(kind)
    }

    /// The record name of `kind`: its mapped name, or the kind's.
    pub fn name(&self, kind: EventKind) -> &str {
        self.map(kind).map_or(kind.as_str(), |m| m.name.as_str())
    }

    /// The fields of `kind` as written, in order (the CSV header).
    pub fn fields(&self, kind: EventKind) -> Vec<&str> {
        match self.map(kind) {
            Some(m) => m.header(),
            None => kind.fields(),
        }
    }

    /// The output values of a mapped event, in the mapping's order.
    fn values(&self, map: &KindMap, event: &Event) -> Result<Vec<Value>, serde_json::Error> {
        let record = serde_json::to_value(event)?;
        self.mapped
            .as_ref()
            .expect("a mapped kind has a mapping")
            .values(&map.fields, &record, event.store_id())
    }

    /// The mapping of dimension `dim`, if the scenario maps it.
    pub fn dim(&self, dim: Dimension) -> Option<&DimMap> {
        self.mapped.as_ref()?.plan.dims.get(&dim)
    }

    /// Whether the scenario maps any dimension table.
    pub fn maps_dimensions(&self) -> bool {
        self.mapped
            .as_ref()
            .is_some_and(|m| !m.plan.dims.is_empty())
    }

    /// The table `dim` is written as once the scenario maps any
    /// dimension: its mapping, or the dimension as it is.
    pub fn dim_table(&self, dim: Dimension) -> DimMap {
        self.dim(dim)
            .cloned()
            .unwrap_or_else(|| DimMap::identity(dim))
    }

    /// Dimension records as CSV rows of `map` (null as an empty field),
    /// after its header line when `header`.
    pub fn dim_csv(
        &self,
        map: &DimMap,
        records: &[Value],
        header: bool,
    ) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        if header {
            w.write_record(map.header())?;
        }
        for r in records {
            let row = self.dim_row(map, r);
            w.write_record(row.iter().map(|v| v.as_deref().unwrap_or("")))?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }

    /// A dimension record (see [`storesim_sim::dims`]) in `map`'s fields,
    /// each value as text (`None` for null): a CSV row or SQL parameters.
    pub fn dim_row(&self, map: &DimMap, record: &Value) -> Vec<Option<String>> {
        let Some(mapped) = self.mapped.as_ref() else {
            return Vec::new();
        };
        mapped
            .values(&map.fields, record, 0)
            .unwrap_or_default()
            .iter()
            .map(|v| match v {
                Value::Null => None,
                v => Some(text(v)),
            })
            .collect()
    }

    /// Appends `event` to `buf` as one JSON line (with the trailing newline).
    pub fn json_line(&self, event: &Event, buf: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        if let (Event::ItemChange(change), true) = (event, self.envelope.debezium) {
            crate::debezium::value_json(change, self.envelope.schemas, buf)?;
            buf.push(b'\n');
            return Ok(());
        }
        match self.map(event.kind()) {
            None => serde_json::to_writer(&mut *buf, event)?,
            Some(map) => {
                let values = self.values(map, event)?;
                buf.push(b'{');
                for (i, (f, v)) in map.fields.iter().zip(&values).enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    serde_json::to_writer(&mut *buf, &f.name)?;
                    buf.push(b':');
                    serde_json::to_writer(&mut *buf, v)?;
                }
                buf.push(b'}');
            }
        }
        buf.push(b'\n');
        Ok(())
    }

    /// Encodes events as JSON lines.
    pub fn json_lines<'a>(
        &self,
        events: impl Iterator<Item = &'a Event>,
    ) -> Result<Encoded, serde_json::Error> {
        let mut out = Encoded::default();
        for event in events {
            self.json_line(event, &mut out.bytes)?;
            out.ends.push(out.bytes.len());
        }
        Ok(out)
    }

    /// Encodes events as CSV rows without a header (each kind's files share
    /// one header, see [`Encoder::csv_header`]).
    pub fn csv_rows<'a>(
        &self,
        events: impl Iterator<Item = &'a Event>,
    ) -> Result<Encoded, csv::Error> {
        // Flexible: a mixed run of kinds has rows of different lengths.
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_writer(Vec::new());
        let mut ends = Vec::new();
        for event in events {
            self.csv_serialize(event, &mut writer)?;
            writer.flush()?;
            ends.push(writer.get_ref().len());
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(Encoded { bytes, ends })
    }

    /// The CSV header line (with its newline) of `kind`: its schema's
    /// flat fields, or its mapped fields.
    pub fn csv_header(&self, kind: EventKind) -> Vec<u8> {
        let mut line = self.fields(kind).join(",");
        line.push('\n');
        line.into_bytes()
    }

    fn csv_serialize<W: Write>(
        &self,
        event: &Event,
        writer: &mut csv::Writer<W>,
    ) -> Result<(), csv::Error> {
        match self.map(event.kind()) {
            None => writer.serialize(event.flat()),
            Some(map) => {
                let values = self
                    .values(map, event)
                    .map_err(|e| csv::Error::from(std::io::Error::other(e)))?;
                writer.write_record(values.iter().map(|v| match v {
                    Value::Null => String::new(),
                    v => text(v),
                }))
            }
        }
    }
}

impl Mapped {
    /// The values of `fields` from `record` (an event's or a dimension
    /// row's), for store `store` (its zone for local times).
    fn values(
        &self,
        fields: &[storesim_sim::mapping::OutField],
        record: &Value,
        store: u32,
    ) -> Result<Vec<Value>, serde_json::Error> {
        let store = self.stores.get(&store);
        fields
            .iter()
            .map(|f| {
                let mut v = match &f.source {
                    Source::Constant(v) => v.clone(),
                    Source::Field(path) => path
                        .iter()
                        .try_fold(record, |v, p| v.get(p))
                        .cloned()
                        .unwrap_or(Value::Null),
                };
                if let (Some(lookup), Some(id)) = (f.lookup, v.as_u64()) {
                    v = self.lookup(lookup, id);
                }
                if v.is_null() {
                    return Ok(v);
                }
                Ok(match &f.format {
                    Format::AsIs => v,
                    Format::Text => Value::String(text(&v)),
                    Format::Template(a, b) => Value::String(format!("{a}{}{b}", text(&v))),
                    Format::Ean8 => Value::String(storesim_sim::mapping::ean8(match &v {
                        Value::Number(n) => n.as_u64().unwrap_or_default(),
                        other => fnv1a(text(other).as_bytes()),
                    })),
                    Format::Labels(labels) => match labels.get(&text(&v)) {
                        Some(label) => Value::String(label.clone()),
                        None => v,
                    },
                    Format::LocalTime(p) | Format::UtcTime(p) => {
                        let utc = instant(&v).ok_or_else(|| {
                            serde::ser::Error::custom(format!("{}: not a timestamp: {v}", f.name))
                        })?;
                        let text = match (&f.format, store) {
                            (Format::LocalTime(_), Some((tz, ..))) => {
                                utc.with_timezone(tz).format(p).to_string()
                            }
                            _ => utc.format(p).to_string(),
                        };
                        Value::String(text)
                    }
                })
            })
            .collect()
    }

    fn lookup(&self, lookup: Lookup, id: u64) -> Value {
        let Ok(id) = u32::try_from(id) else {
            return Value::Null;
        };
        let item = || self.items.get(&id);
        let store = || self.stores.get(&id);
        match lookup {
            Lookup::ItemUpc => item().map(|i| Value::from(i.0)),
            Lookup::ItemCategory => item().map(|i| Value::from(i.1)),
            Lookup::ItemName => item().map(|i| Value::from(i.2.as_str())),
            Lookup::StoreCity => store().map(|s| Value::from(s.1.as_str())),
            Lookup::StoreState => store().map(|s| Value::from(s.2.as_str())),
            Lookup::StoreZone => store().map(|s| Value::from(s.3.as_str())),
        }
        .unwrap_or(Value::Null)
    }
}

/// FNV-1a, 64 bits: a stable hash of a text (the same in every build).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A value as text: a string unchanged, anything else as JSON writes it.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// A record's timestamp text as an instant (storesim's RFC 3339, or the
/// demos' zoneless UTC with microseconds).
fn instant(v: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    let s = v.as_str()?;
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

/// A record as storesim writes it, serialised straight from the event.
pub enum Record<'a> {
    /// The event's own record.
    Event(&'a Event),
    /// An item change as a Debezium change event (`envelope=debezium`).
    Change(crate::debezium::ChangeEvent<'a>),
}

impl serde::Serialize for Record<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Record::Event(e) => e.serialize(s),
            Record::Change(c) => c.serialize(s),
        }
    }
}

/// Events encoded back to back, with the end offset of each.
#[derive(Debug, Default)]
pub struct Encoded {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// `ends[i]` is the end of event `i` in `bytes`.
    pub ends: Vec<usize>,
}

impl Encoded {
    /// The bytes of events `from..to`.
    pub fn range(&self, from: usize, to: usize) -> &[u8] {
        let start = if from == 0 { 0 } else { self.ends[from - 1] };
        &self.bytes[start..self.ends[to - 1]]
    }
}

#[cfg(test)]
mod tests {
    use storesim_sim::testing;

    use super::*;

    #[test]
    fn mixed_kinds_encode_with_offsets() {
        let events = crate::chain_morning();
        assert!(events
            .iter()
            .any(|s| s.event.kind() == storesim_sim::EventKind::Transaction));
        let encoder = Encoder::default();
        let csv = encoder.csv_rows(events.iter().map(|s| &s.event)).unwrap();
        let json = encoder.json_lines(events.iter().map(|s| &s.event)).unwrap();
        for enc in [&csv, &json] {
            assert_eq!(enc.ends.len(), events.len());
            assert_eq!(enc.range(0, events.len()), &enc.bytes[..]);
            let one = enc.range(3, 4);
            assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), 1);
        }
        // The documented fields are the CSV headers, in every schema.
        let world = testing::world();
        let mapping: toml::Value = toml::from_str(
            r#"[output.scan]
            fields = [
              { name = "scan_id", from = "event_id" },
              { name = "at", from = "ts", format = "local_time" },
              { name = "item_upc", from = "sku", lookup = "item.item_upc", format = "text" },
              { name = "shop", from = "store_id", template = "S-{}" },
            ]"#,
        )
        .unwrap();
        let mapping = storesim_sim::mapping::Mapping::parse(
            &mapping["output"],
            &[EventKind::Scan, EventKind::Transaction],
            false,
        )
        .unwrap();
        let mapped = Encoder::new(Some(mapping), &world.items, &world.stores);
        for encoder in [Encoder::default(), mapped.clone()] {
            for kind in [EventKind::Scan, EventKind::Transaction] {
                let event = &events
                    .iter()
                    .find(|s| s.event.kind() == kind)
                    .unwrap()
                    .event;
                let header = String::from_utf8(encoder.csv_header(kind)).unwrap();
                // The rows are the header's width.
                let row = encoder.csv_rows(std::iter::once(event)).unwrap();
                assert_eq!(
                    row.bytes.iter().filter(|&&b| b == b',').count(),
                    header.matches(',').count()
                );
                assert_eq!(header.trim_end(), encoder.fields(kind).join(","), "{kind}");
            }
        }
        let first_line = std::str::from_utf8(json.range(0, 1)).unwrap();
        assert_eq!(
            first_line,
            format!("{}\n", serde_json::to_string(&events[0].event).unwrap())
        );
        // A mapped scan: the fields in order, the store's wall-clock time,
        // the UPC of its item as text, the template.
        let Event::Scan(scan) = &events
            .iter()
            .find(|s| s.event.kind() == EventKind::Scan)
            .unwrap()
            .event
        else {
            unreachable!()
        };
        let mut line = Vec::new();
        mapped
            .json_line(&Event::Scan(scan.clone()), &mut line)
            .unwrap();
        let store = world
            .stores
            .iter()
            .find(|s| s.store_id == scan.store_id())
            .unwrap();
        let item = world.items.iter().find(|i| i.item_id == scan.sku).unwrap();
        let local = scan
            .ts
            .to_datetime()
            .with_timezone(&store.tz)
            .format("%Y-%m-%d %H:%M:%S");
        assert_eq!(
            String::from_utf8(line).unwrap(),
            format!(
                "{{\"scan_id\":\"{}\",\"at\":\"{local}\",\"item_upc\":\"{}\",\"shop\":\"S-{}\"}}\n",
                scan.event_id(),
                item.item_upc,
                store.store_id
            )
        );
    }
}
