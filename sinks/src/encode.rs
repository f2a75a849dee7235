//! Encodings shared by sinks: JSON lines and CSV rows.
//!
//! JSON is the one value every sink writes for an event (files, stdout, and
//! later Kafka message values): snake_case fields, a leading `kind`, RFC 3339
//! UTC times with milliseconds, exact two-decimal money.

use std::io::Write;

use storesim_sim::Event;

/// Appends `event` to `buf` as one JSON line (with the trailing newline).
pub fn json_line(event: &Event, buf: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    serde_json::to_writer(&mut *buf, event)?;
    buf.push(b'\n');
    Ok(())
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

/// Encodes events as JSON lines.
pub fn json_lines<'a>(
    events: impl Iterator<Item = &'a Event>,
) -> Result<Encoded, serde_json::Error> {
    let mut out = Encoded::default();
    for event in events {
        json_line(event, &mut out.bytes)?;
        out.ends.push(out.bytes.len());
    }
    Ok(out)
}

/// Encodes events as CSV rows without a header (each kind's files share one
/// header, see [`csv_header`]).
pub fn csv_rows<'a>(events: impl Iterator<Item = &'a Event>) -> Result<Encoded, csv::Error> {
    // Flexible: a mixed run of kinds has rows of different lengths.
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_writer(Vec::new());
    let mut ends = Vec::new();
    for event in events {
        csv_serialize(event, &mut writer)?;
        writer.flush()?;
        ends.push(writer.get_ref().len());
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(Encoded { bytes, ends })
}

/// The CSV header line (with its newline) of `event`'s kind.
pub fn csv_header(event: &Event) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(true)
        .from_writer(Vec::new());
    csv_serialize(event, &mut writer)?;
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    Ok(bytes[..end].to_vec())
}

fn csv_serialize<W: Write>(event: &Event, writer: &mut csv::Writer<W>) -> Result<(), csv::Error> {
    match event {
        Event::Scan(e) => writer.serialize(e),
        Event::Transaction(e) => writer.serialize(e),
        Event::ItemChange(e) => writer.serialize(e.flat()),
    }
}

#[cfg(test)]
mod tests {
    use storesim_sim::time::MICROS_PER_HOUR;
    use storesim_sim::{testing, RunSpan, StoreModel};

    use super::*;

    #[test]
    fn mixed_kinds_encode_with_offsets() {
        let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let mut m = StoreModel::new(
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
        let csv = csv_rows(events.iter().map(|s| &s.event)).unwrap();
        let json = json_lines(events.iter().map(|s| &s.event)).unwrap();
        for enc in [&csv, &json] {
            assert_eq!(enc.ends.len(), events.len());
            assert_eq!(enc.range(0, events.len()), &enc.bytes[..]);
            let one = enc.range(3, 4);
            assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), 1);
        }
        let first_line = std::str::from_utf8(json.range(0, 1)).unwrap();
        assert_eq!(
            first_line,
            format!("{}\n", serde_json::to_string(&events[0].event).unwrap())
        );
    }
}
