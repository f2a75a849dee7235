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

/// Writes `event` as a CSV row (without the `kind` column: files of one
/// kind share one header).
pub fn csv_row<W: Write>(event: &Event, writer: &mut csv::Writer<W>) -> Result<(), csv::Error> {
    match event {
        Event::Scan(e) => writer.serialize(e),
        Event::Transaction(e) => writer.serialize(e),
    }
}
