//! `files:DIR?format=parquet`: one Parquet file per part, its columns
//! typed from the kind's shape ([`crate::parquet`]).
//!
//! The same seed writes the same bytes: the writer's properties are fixed
//! (`created_by` names storesim without a version of the crate), and a
//! part's rows reach the writer in batches of [`BATCH_ROWS`] (the last one
//! the rest) whatever the run's windows, so its row groups (of
//! `row_group_rows`) and pages fall at the same rows every run.

use std::io::BufWriter;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::DataType;
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnWriter, ArrowRowGroupWriterFactory};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression as Codec, Encoding, GzipLevel, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;
use storesim_sim::{Event, EventKind};

use super::part::Out;
use super::Compression;
use crate::encode::Encoder;
use crate::parquet::Columns;

/// Rows per batch handed to the writer.
pub(super) const BATCH_ROWS: usize = 8192;

/// One kind's Parquet schema and writer settings.
#[derive(Debug)]
pub(super) struct ParquetKind {
    schema: Arc<arrow_schema::Schema>,
    props: WriterProperties,
    /// Its records exist only as a mapping's JSON.
    mapped: bool,
}

impl ParquetKind {
    /// `kind`'s schema as `encoder` writes it.
    pub(super) fn new(
        encoder: &Encoder,
        kind: EventKind,
        compression: Compression,
        level: Option<i32>,
        row_group_rows: usize,
    ) -> Result<ParquetKind, String> {
        let codec = match compression {
            Compression::None => Codec::UNCOMPRESSED,
            Compression::Snappy => Codec::SNAPPY,
            Compression::Gzip => Codec::GZIP(
                GzipLevel::try_new(level.unwrap_or(6) as u32).map_err(|e| e.to_string())?,
            ),
            Compression::Zstd => {
                Codec::ZSTD(ZstdLevel::try_new(level.unwrap_or(3)).map_err(|e| e.to_string())?)
            }
        };
        let schema = crate::parquet::schema(&encoder.shape(kind));
        let mut props = WriterProperties::builder()
            .set_created_by("storesim".into())
            .set_compression(codec)
            .set_max_row_group_row_count(Some(row_group_rows))
            .set_statistics_enabled(EnabledStatistics::Page);
        // Instants rarely repeat but rise: a dictionary of them is as big
        // as the column and soon given up; deltas are a byte or two each.
        for field in schema.fields() {
            if matches!(field.data_type(), DataType::Timestamp(..)) {
                let path = ColumnPath::from(field.name().as_str());
                props = props
                    .set_column_dictionary_enabled(path.clone(), false)
                    .set_column_encoding(path, Encoding::DELTA_BINARY_PACKED);
            }
        }
        Ok(ParquetKind {
            schema: Arc::new(schema),
            props: props.build(),
            mapped: encoder.json_only(kind),
        })
    }

    /// The rows of `events` (all of this kind).
    pub(super) fn encode(
        &self,
        encoder: &Encoder,
        events: &[&Event],
    ) -> Result<RecordBatch, String> {
        if !self.mapped {
            if let Some(rows) = crate::parquet::typed::rows(&self.schema, events) {
                return Ok(rows);
            }
        }
        let mut columns = Columns::new(self.schema.clone());
        for event in events {
            let pushed = if self.mapped {
                let mut line = Vec::new();
                encoder
                    .json_line(event, &mut line)
                    .map_err(|e| e.to_string())?;
                let record: serde_json::Value =
                    serde_json::from_slice(&line).map_err(|e| e.to_string())?;
                columns.push(&record)
            } else {
                columns.push(&encoder.record(event))
            };
            pushed.map_err(|e| format!("{}: {e}", event.kind()))?;
        }
        columns.finish().map_err(|e| e.to_string())
    }
}

/// An open Parquet part: its file writer, the column writers of the row
/// group being filled, and the rows not yet handed to them.
///
/// The columns of a batch are encoded (dictionary, statistics, pages,
/// compression) in parallel, one column writer per leaf column, and a full
/// row group's chunks are appended in column order: the same chunks
/// `ArrowWriter` makes one column after the other, so the same bytes.
pub(super) struct Table {
    file: SerializedFileWriter<BufWriter<Out>>,
    factory: ArrowRowGroupWriterFactory,
    /// The row group being filled and its rows so far.
    group: Option<(Vec<ArrowColumnWriter>, usize)>,
    group_rows: usize,
    pending: Vec<RecordBatch>,
    rows: usize,
    schema: Arc<arrow_schema::Schema>,
}

impl Table {
    pub(super) fn new(kind: &ParquetKind, file: BufWriter<Out>) -> Result<Table, String> {
        // The Arrow writer sets up the file (the Arrow schema in its
        // metadata) and hands over its parts.
        let (file, factory) =
            ArrowWriter::try_new(file, kind.schema.clone(), Some(kind.props.clone()))
                .and_then(ArrowWriter::into_serialized_writer)
                .map_err(|e| e.to_string())?;
        Ok(Table {
            file,
            factory,
            group: None,
            group_rows: kind.props.max_row_group_row_count().unwrap_or(usize::MAX),
            pending: Vec::new(),
            rows: 0,
            schema: kind.schema.clone(),
        })
    }

    /// Takes `batch`'s rows, handing the writer each full batch of
    /// [`BATCH_ROWS`].
    pub(super) fn write(&mut self, batch: RecordBatch) -> Result<(), String> {
        self.rows += batch.num_rows();
        self.pending.push(batch);
        if self.rows >= BATCH_ROWS {
            self.drain(false)?;
        }
        Ok(())
    }

    /// Hands the writer the pending rows: the full batches, or all.
    fn drain(&mut self, all: bool) -> Result<(), String> {
        let rows = arrow_select::concat::concat_batches(&self.schema, &self.pending)
            .map_err(|e| e.to_string())?;
        self.pending.clear();
        let mut at = 0;
        while rows.num_rows() - at >= BATCH_ROWS || (all && at < rows.num_rows()) {
            let n = BATCH_ROWS.min(rows.num_rows() - at);
            self.encode(&rows.slice(at, n)).map_err(|e| e.to_string())?;
            at += n;
        }
        self.rows = rows.num_rows() - at;
        if self.rows > 0 {
            self.pending.push(rows.slice(at, self.rows));
        }
        Ok(())
    }

    /// Encodes `batch` into the row groups, closing each when full.
    fn encode(&mut self, batch: &RecordBatch) -> parquet::errors::Result<()> {
        let mut at = 0;
        while at < batch.num_rows() {
            let (writers, filled) = match &mut self.group {
                Some(group) => group,
                none => none.insert((
                    self.factory
                        .create_column_writers(self.file.flushed_row_groups().len())?,
                    0,
                )),
            };
            let n = (batch.num_rows() - at).min(self.group_rows - *filled);
            let part = batch.slice(at, n);
            let mut leaves = Vec::with_capacity(writers.len());
            for (field, column) in self.schema.fields().iter().zip(part.columns()) {
                leaves.extend(compute_leaves(field, column)?);
            }
            writers
                .par_iter_mut()
                .zip(leaves.par_iter())
                .try_for_each(|(writer, leaf)| writer.write(leaf))?;
            *filled += n;
            at += n;
            if *filled >= self.group_rows {
                self.close_group()?;
            }
        }
        Ok(())
    }

    /// Closes the row group being filled: its chunks, in column order.
    fn close_group(&mut self) -> parquet::errors::Result<()> {
        let Some((writers, _)) = self.group.take() else {
            return Ok(());
        };
        let chunks = writers
            .into_par_iter()
            .map(ArrowColumnWriter::close)
            .collect::<parquet::errors::Result<Vec<_>>>()?;
        let mut group = self.file.next_row_group()?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut group)?;
        }
        group.close().map(drop)
    }

    /// Writes the rest and the footer; the file.
    pub(super) fn finish(mut self) -> Result<BufWriter<Out>, String> {
        self.drain(true)?;
        self.close_group().map_err(|e| e.to_string())?;
        self.file.into_inner().map_err(|e| e.to_string())
    }
}
