//! A files sink's settings.

use std::path::PathBuf;

/// How events are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON lines (`.jsonl`).
    Json,
    /// CSV with a header (`.csv`).
    Csv,
    /// Avro Object Container Files (`.avro`), compressed inside.
    Avro,
    /// Parquet files (`.parquet`), compressed inside.
    Parquet,
}

/// Compression of each part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// None.
    None,
    /// zstd (`.zst`).
    Zstd,
    /// gzip (`.gz`).
    Gzip,
    /// Snappy (Parquet's pages only).
    Snappy,
}

/// Settings of a files sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilesConfig {
    /// The output directory.
    pub dir: PathBuf,
    /// JSON lines or CSV.
    pub format: Format,
    /// Compression.
    pub compression: Compression,
    /// Compression level; the codec's default when absent (zstd 3, gzip 6).
    pub level: Option<i32>,
    /// Largest number of events in one part file.
    pub max_events_per_file: u64,
    /// Continue a stopped run's output instead of refusing it (`--resume`).
    pub resuming: bool,
    /// Replace earlier output in `dir` instead of refusing to start.
    pub overwrite: bool,
    /// Item changes as Debezium change events (`envelope=debezium`).
    pub envelope: crate::debezium::Envelope,
    /// Rows per Parquet row group: a part's open row group is held in
    /// memory, encoded, until it is full.
    pub row_group_rows: usize,
    /// An object store instead of a directory (`dir` is then its URL).
    pub remote: Option<super::RemoteConfig>,
}

impl FilesConfig {
    /// Defaults: no compression, 5,000,000 events a part, no overwrite.
    pub fn new(dir: PathBuf, format: Format) -> FilesConfig {
        FilesConfig {
            dir,
            format,
            compression: Compression::None,
            level: None,
            max_events_per_file: 5_000_000,
            resuming: false,
            overwrite: false,
            envelope: crate::debezium::Envelope::default(),
            // A row group of scans is about 16 MB encoded. Four times as
            // many rows held 20-40 MB more at 1000 stores' Black Friday
            // peak, at the same speed, in 4% larger files (BENCHMARKS.md).
            row_group_rows: 1 << 18,
            remote: None,
        }
    }

    pub(super) fn extension(&self) -> String {
        let base = match self.format {
            Format::Json => "jsonl",
            Format::Csv => "csv",
            // Their blocks and pages are compressed, not the file.
            Format::Avro => return "avro".into(),
            Format::Parquet => return "parquet".into(),
        };
        match self.compression {
            Compression::None => base.to_string(),
            Compression::Zstd => format!("{base}.zst"),
            Compression::Gzip => format!("{base}.gz"),
            Compression::Snappy => format!("{base}.snappy"),
        }
    }
}
