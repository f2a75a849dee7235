//! Encodings shared by sinks: JSON lines and CSV rows.
//!
//! JSON is the one value every sink writes for an event (files, stdout, and
//! later Kafka message values): snake_case fields, a leading `kind`, RFC 3339
//! UTC times with milliseconds, exact two-decimal money.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use serde::Serialize;
use storesim_sim::chain::ScanEvent;
use storesim_sim::event::ScanId;
use storesim_sim::schema::{Field, Type, MONEY, TIMESTAMP};
use storesim_sim::{Event, EventKind, Money, SimTime};

/// The shape of the events a run writes: storesim's own, or the one a
/// demo's pipeline already expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schema {
    /// storesim's event schemas (the README's "Event schemas").
    #[default]
    Storesim,
    /// The Apex point-of-sale demo's: scans as `scan_id, store_id,
    /// scan_datetime, item_upc, unit_qty, unit_price`; other kinds as
    /// storesim's.
    Apex,
}

impl Schema {
    /// Every schema, for messages.
    pub const ALL: [Schema; 2] = [Schema::Storesim, Schema::Apex];

    /// The fields of `kind` in this schema, in order (the CSV header).
    pub fn fields(self, kind: EventKind) -> Vec<&'static str> {
        match (self, kind) {
            (Schema::Apex, EventKind::Scan) => APEX_SCAN.iter().map(|f| f.name).collect(),
            _ => kind.fields(),
        }
    }

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Storesim => "storesim",
            Schema::Apex => "apex",
        }
    }
}

impl std::fmt::Display for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Schema {
    type Err = String;

    fn from_str(s: &str) -> Result<Schema, String> {
        Schema::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown schema `{s}` (known: storesim, apex)"))
    }
}

/// The Apex demo's scan row (no `kind` column), typed as storesim's schemas are.
pub const APEX_SCAN: [Field; 6] = [
    Field::new("scan_id", Type::String, "The scan's event id."),
    Field::new("store_id", Type::Int32, "The store."),
    Field::new(
        "scan_datetime",
        TIMESTAMP,
        "When the line was scanned (UTC).",
    ),
    Field::new("item_upc", Type::Int64, "The item's 11-digit UPC."),
    Field::new("unit_qty", Type::Int32, "Units; 0 in a void."),
    Field::new("unit_price", MONEY, "Shelf price."),
];

/// A scan in the Apex demo's shape.
#[derive(Debug, Serialize)]
pub struct ApexScan {
    /// The scan's event id.
    pub scan_id: ScanId,
    /// The store.
    pub store_id: u32,
    /// When the line was scanned.
    pub scan_datetime: SimTime,
    /// The item's 11-digit UPC.
    pub item_upc: u64,
    /// Units; 0 in a void.
    pub unit_qty: u16,
    /// Shelf price.
    pub unit_price: Money,
}

/// Encodes events in a [`Schema`]. Cheap to clone (the UPC table is shared).
#[derive(Debug, Clone, Default)]
pub struct Encoder {
    schema: Schema,
    /// Item id to UPC, for the Apex schema.
    upc: Arc<HashMap<u32, u64>>,
}

impl Encoder {
    /// An encoder for `schema`, with the scenario's item master at hand.
    pub fn new(schema: Schema, items: &[storesim_sim::catalog::Item]) -> Encoder {
        let upc = match schema {
            Schema::Storesim => HashMap::new(),
            Schema::Apex => items.iter().map(|i| (i.item_id, i.item_upc)).collect(),
        };
        Encoder {
            schema,
            upc: Arc::new(upc),
        }
    }

    /// The schema.
    pub fn schema(&self) -> Schema {
        self.schema
    }

    /// A scan in the Apex shape (UPC 0 for an item the catalog lacks).
    pub fn apex_scan(&self, e: &ScanEvent) -> ApexScan {
        ApexScan {
            scan_id: e.event_id(),
            store_id: e.store_id(),
            scan_datetime: e.ts,
            item_upc: self.upc.get(&e.sku).copied().unwrap_or_default(),
            unit_qty: e.quantity,
            unit_price: e.unit_price,
        }
    }

    /// Appends `event` to `buf` as one JSON line (with the trailing newline).
    pub fn json_line(&self, event: &Event, buf: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        match (self.schema, event) {
            (Schema::Apex, Event::Scan(e)) => serde_json::to_writer(&mut *buf, &self.apex_scan(e))?,
            _ => serde_json::to_writer(&mut *buf, event)?,
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
    /// flat fields.
    pub fn csv_header(&self, kind: EventKind) -> Vec<u8> {
        let mut line = self.schema.fields(kind).join(",");
        line.push('\n');
        line.into_bytes()
    }

    fn csv_serialize<W: Write>(
        &self,
        event: &Event,
        writer: &mut csv::Writer<W>,
    ) -> Result<(), csv::Error> {
        match (self.schema, event) {
            (Schema::Apex, Event::Scan(e)) => writer.serialize(self.apex_scan(e)),
            _ => writer.serialize(event.flat()),
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
    use storesim_sim::time::MICROS_PER_HOUR;
    use storesim_sim::{testing, ChainStore, RunSpan};

    use super::*;

    #[test]
    fn mixed_kinds_encode_with_offsets() {
        let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let mut m = ChainStore::new(
            testing::world(),
            0,
            1,
            RunSpan::LocalDays { first, days: 1 },
        );
        let mut events = Vec::new();
        m.advance(m.span().0.plus_micros(14 * MICROS_PER_HOUR), &mut events);
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
        for schema in Schema::ALL {
            let encoder = Encoder::new(schema, &testing::world().items);
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
                assert_eq!(
                    header.trim_end(),
                    schema.fields(kind).join(","),
                    "{schema} {kind}"
                );
            }
        }
        let first_line = std::str::from_utf8(json.range(0, 1)).unwrap();
        assert_eq!(
            first_line,
            format!("{}\n", serde_json::to_string(&events[0].event).unwrap())
        );
    }
}
