//! `files:DIR?format=avro`: Avro Object Container Files, one per part, with
//! the schemas the Kafka sink registers (one per kind, from its
//! [`Shape`]).
//!
//! The same seed writes the same bytes: the header is written here with
//! its metadata in a fixed order (the crate's writer keeps it in a hash
//! map, whose order changes from run to run), the sync marker is made
//! from the schema (not drawn at random), and a part's blocks hold 4,096
//! events each (the last one the rest), whatever the run's windows. The
//! blocks are compressed by the crate's codecs: `compression=zstd` is
//! `zstandard`, `gzip` is `deflate`, `none` is `null`.

use std::sync::Arc;

use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Codec;
use storesim_sim::{Event, EventKind};

use super::Compression;
use crate::encode::{Encoded, Encoder};
use crate::shape::Shape;

/// Events per block.
pub(super) const BLOCK_EVENTS: u64 = 4096;

/// One kind's container-file schema.
#[derive(Debug)]
pub(super) struct AvroKind {
    shape: Shape,
    schema: apache_avro::Schema,
    codec: Codec,
    /// The file header: magic, metadata, sync marker.
    header: Vec<u8>,
    marker: [u8; 16],
    /// The record's written form, for datums made straight from the
    /// event (storesim's records and change events, not a mapping's).
    plan: Option<crate::avro::fast::Plan>,
}

use crate::avro::fast::{bytes, long};

impl AvroKind {
    /// `kind`'s schema as `encoder` writes it, compressed by `compression`.
    pub(super) fn new(
        encoder: &Encoder,
        kind: EventKind,
        compression: Compression,
        level: Option<i32>,
    ) -> Result<AvroKind, String> {
        let shape = encoder.shape(kind);
        let text = crate::avro::shape_schema(&shape).to_string();
        let schema = apache_avro::Schema::parse_str(&text)
            .map_err(|e| format!("the Avro schema of {kind}: {e}"))?;
        let (codec, name) = match compression {
            Compression::None => (Codec::Null, "null"),
            Compression::Zstd => (
                Codec::Zstandard(apache_avro::ZstandardSettings::new(
                    level.unwrap_or(3).clamp(1, 22) as u8,
                )),
                "zstandard",
            ),
            Compression::Gzip => (Codec::Deflate(Default::default()), "deflate"),
            Compression::Snappy => {
                return Err("compression `snappy`: Avro files take zstd, gzip or none".into())
            }
        };
        let marker = {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(text.as_bytes());
            let mut m = [0u8; 16];
            m.copy_from_slice(&digest[..16]);
            m
        };
        let mut header = b"Obj\x01".to_vec();
        long(2, &mut header);
        bytes(b"avro.schema", &mut header);
        bytes(text.as_bytes(), &mut header);
        bytes(b"avro.codec", &mut header);
        bytes(name.as_bytes(), &mut header);
        long(0, &mut header);
        header.extend_from_slice(&marker);
        Ok(AvroKind {
            plan: (!encoder.json_only(kind)).then(|| crate::avro::fast::Plan::of(&shape)),
            shape,
            schema,
            codec,
            header,
            marker,
        })
    }

    /// The file header a part starts with.
    pub(super) fn header(&self) -> &[u8] {
        &self.header
    }

    /// The Avro datums of `events` (all of this kind), back to back.
    pub(super) fn encode(&self, encoder: &Encoder, events: &[&Event]) -> Result<Encoded, String> {
        if let Some(plan) = &self.plan {
            let mut out = Encoded::default();
            for event in events {
                crate::avro::fast::write(plan, &encoder.record(event), &mut out.bytes)
                    .map_err(|e| format!("{}: {e}", event.kind()))?;
                out.ends.push(out.bytes.len());
            }
            return Ok(out);
        }
        let json = encoder
            .json_lines(events.iter().copied())
            .map_err(|e| e.to_string())?;
        let writer = GenericDatumWriter::builder(&self.schema)
            .build()
            .map_err(|e| e.to_string())?;
        let mut out = Encoded::default();
        for i in 0..json.ends.len() {
            let value: serde_json::Value =
                serde_json::from_slice(json.range(i, i + 1)).map_err(|e| e.to_string())?;
            let datum = crate::avro::datum(&self.shape, &value).map_err(|e| e.to_string())?;
            writer
                .write_value_ref(&mut out.bytes, &datum)
                .map_err(|e| e.to_string())?;
            out.ends.push(out.bytes.len());
        }
        Ok(out)
    }

    /// The block of `count` datums `data`: its count, its compressed
    /// size, the compressed datums and the sync marker.
    pub(super) fn block(&self, data: &[u8], count: u64) -> Result<Vec<u8>, String> {
        let mut compressed = data.to_vec();
        self.codec
            .compress(&mut compressed)
            .map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(compressed.len() + 36);
        long(count as i64, &mut out);
        bytes(&compressed, &mut out);
        out.extend_from_slice(&self.marker);
        Ok(out)
    }
}

/// Each kind's schema, by kind, for `format=avro`.
pub(super) type AvroKinds = Vec<Option<Arc<AvroKind>>>;

/// The datums of a part not yet in a block.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) kind: Arc<AvroKind>,
    pub(super) data: Vec<u8>,
    pub(super) count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_file_reads_back_with_the_crate() {
        let kind = AvroKind::new(
            &Encoder::default(),
            EventKind::Scan,
            Compression::Zstd,
            None,
        )
        .unwrap();
        let mut file = kind.header().to_vec();
        // Two blocks of datums written by the crate's own datum writer.
        let scan = serde_json::json!({
            "kind": "scan", "event_id": "T1-001", "ts": "2026-11-27T15:00:00.001Z",
            "store_id": 4, "register": 1, "transaction_id": "T1", "line": 1, "sku": 7,
            "category": 20620, "quantity": 2, "unit_price": 4.99, "discount": 0
        });
        let writer = GenericDatumWriter::builder(&kind.schema).build().unwrap();
        for count in [2u64, 1] {
            let mut data = Vec::new();
            for _ in 0..count {
                let d = crate::avro::datum(&kind.shape, &scan).unwrap();
                writer.write_value_ref(&mut data, &d).unwrap();
            }
            file.extend(kind.block(&data, count).unwrap());
        }
        let reader = apache_avro::Reader::new(&file[..]).unwrap();
        let rows: Vec<_> = reader.map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 3);
    }
}
