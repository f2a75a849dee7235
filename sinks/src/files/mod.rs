//! The files sink: JSON lines or CSV under a directory, partitioned
//! Hive-style by event kind and UTC date, so lake engines read it as is:
//!
//! ```text
//! DIR/kind=scan/date=2026-11-27/part-00000.jsonl.zst
//! DIR/kind=transaction/date=2026-11-27/part-00000.jsonl.zst
//! DIR/_SUCCESS
//! ```
//!
//! A part is written as `.part-NNNNN.EXT.inprogress` (hidden from Spark,
//! Trino and DuckDB globbing) and renamed when complete: when the day is
//! over, when it reaches `max_events_per_file`, or at close. `_SUCCESS` is
//! written last, only by a run that closed cleanly. On object storage
//! (`s3://`, `gs://`, `az://`) a part is uploaded under its own name and
//! appears only when its upload completes.

mod avro;
mod config;
mod parquet;
mod part;
mod profile;
mod remote;
mod tree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use async_trait::async_trait;
use rayon::prelude::*;
use storesim_sim::{Event, EventBatch, EventKind, SimTime};

use crate::encode::{Encoded, Encoder};
use crate::{DeliveryReport, Sink, SinkError};
pub use config::{Compression, FilesConfig, Format};
use part::{io_err, Body, Dest, Part};
pub use remote::Scheme;
pub(crate) use remote::OPTIONS as STORE_OPTIONS;
pub use remote::{download, RemoteConfig};

/// Writes events to partitioned files.
#[derive(Debug)]
pub struct FilesSink {
    name: String,
    config: FilesConfig,
    /// The directory or object store written to.
    dest: Dest,
    /// Open parts by (kind, UTC date `YYYYMMDD`).
    open: BTreeMap<(EventKind, u32), Part>,
    /// Next part number by (kind, date).
    next_index: BTreeMap<(EventKind, u32), u32>,
    report: DeliveryReport,
    encoder: Encoder,
    /// How long after a UTC day's end its events may still arrive (late
    /// or duplicate deliveries); 0 when events come in time order.
    grace_us: i64,
    /// A resumed run's first UTC day (`yyyymmdd`): the parts of earlier
    /// days are complete on disk, so their events are not written again.
    resume_date: u32,
    /// Events left out because a stopped run had written them.
    resumed: u64,
    /// Set by an error: the output is incomplete, and `_SUCCESS` is never
    /// written.
    broken: bool,
    /// Events handed to the sink.
    handed: u64,
    /// Directories it made, deepest first.
    created: Vec<PathBuf>,
    /// Each kind's container-file schema, for `format=avro`.
    avro: avro::AvroKinds,
    /// Each kind's Parquet schema and settings, for `format=parquet`.
    parquet: Vec<Option<Arc<parquet::ParquetKind>>>,
    /// Why a kind has no Avro or Parquet schema, if one has none.
    schema_error: Option<String>,
}

impl Drop for FilesSink {
    /// A sink dropped without being handed anything (the run stopped on an
    /// input error after it opened) leaves no empty directory behind.
    fn drop(&mut self) {
        if self.handed == 0 {
            for dir in &self.created {
                if std::fs::remove_dir(dir).is_err() {
                    break;
                }
            }
        }
    }
}

impl FilesSink {
    /// Keeps a UTC day's parts open until `grace_us` after the day's end,
    /// for events delivered late; the parts are then the same whatever the
    /// batches.
    pub fn with_grace(mut self, grace_us: i64) -> Self {
        self.grace_us = grace_us.max(0);
        self
    }

    /// Writes events in `encoder`'s schema (storesim's by default).
    pub fn with_encoder(mut self, encoder: Encoder) -> Self {
        self.encoder = encoder.with_envelope(self.config.envelope);
        if self.config.format == Format::Avro {
            let (compression, level) = (self.config.compression, self.config.level);
            let kinds: Result<avro::AvroKinds, String> = EventKind::ALL
                .iter()
                .map(|k| {
                    avro::AvroKind::new(&self.encoder, *k, compression, level)
                        .map(|a| Some(Arc::new(a)))
                })
                .collect();
            match kinds {
                Ok(kinds) => self.avro = kinds,
                Err(e) => self.schema_error = Some(e),
            }
        }
        if self.config.format == Format::Parquet {
            let c = &self.config;
            let kinds: Result<Vec<_>, String> = EventKind::ALL
                .iter()
                .map(|k| {
                    let t = parquet::ParquetKind::new(
                        &self.encoder,
                        *k,
                        c.compression,
                        c.level,
                        c.row_group_rows,
                    );
                    t.map(|t| Some(Arc::new(t)))
                })
                .collect();
            match kinds {
                Ok(kinds) => self.parquet = kinds,
                Err(e) => self.schema_error = Some(e),
            }
        }
        self
    }

    /// Prepares the directory: creates it, and refuses to mix with earlier
    /// output unless `overwrite` is set (then earlier partitions go).
    pub fn open(name: String, config: FilesConfig) -> Result<FilesSink, SinkError> {
        if let Some(remote) = &config.remote {
            let store = remote::Remote::open(remote).map_err(|message| SinkError::Spec {
                spec: name.clone(),
                message,
            })?;
            return FilesSink::open_in(name, config, Dest::Store(Arc::new(store)));
        }
        let io = |path: &Path, source| io_err(&name, path, source);
        // The directories this sink makes, deepest first: removed again if
        // the run never writes (a later input error).
        let mut created = Vec::new();
        let mut missing = config.dir.as_path();
        while !missing.as_os_str().is_empty() && !missing.exists() {
            created.push(missing.to_path_buf());
            missing = missing.parent().unwrap_or(Path::new(""));
        }
        std::fs::create_dir_all(&config.dir).map_err(|e| io(&config.dir, e))?;
        let dest = Dest::Dir(config.dir.clone());
        let mut sink = FilesSink::open_in(name, config, dest)?;
        sink.created = created;
        Ok(sink)
    }

    fn open_in(name: String, config: FilesConfig, dest: Dest) -> Result<FilesSink, SinkError> {
        let sink = FilesSink::new(name, config, dest);
        if sink.config.resuming {
            // The stopped run's output is kept; `resume` sorts it out.
            return Ok(sink);
        }
        let earlier: Vec<String> = sink
            .top()?
            .into_iter()
            .filter(|n| n.starts_with("kind=") || n == "_SUCCESS")
            .collect();
        if !earlier.is_empty() {
            if !sink.config.overwrite {
                return Err(SinkError::Spec {
                    spec: sink.name.clone(),
                    message: format!(
                        "{} holds output of an earlier run; pass --overwrite (or ?overwrite=true) to replace it",
                        sink.config.dir.display()
                    ),
                });
            }
            for name in earlier {
                sink.remove(&name)?;
            }
        }
        Ok(sink)
    }

    fn new(name: String, config: FilesConfig, dest: Dest) -> FilesSink {
        FilesSink {
            name,
            config,
            dest,
            open: BTreeMap::new(),
            next_index: BTreeMap::new(),
            report: DeliveryReport::default(),
            encoder: Encoder::default(),
            grace_us: 0,
            resume_date: 0,
            resumed: 0,
            broken: false,
            handed: 0,
            created: Vec::new(),
            avro: Vec::new(),
            parquet: Vec::new(),
            schema_error: None,
        }
    }

    /// Finishes a part; if that fails, its events are counted as failed
    /// (its file is gone) instead of delivered.
    fn finish_part(&mut self, kind: EventKind, part: Part) -> Result<(), SinkError> {
        let events = part.events();
        match part.finish(&self.name) {
            Ok(bytes) => {
                self.report.bytes += bytes;
                Ok(())
            }
            Err(e) => {
                self.lose(kind, events);
                Err(e)
            }
        }
    }

    /// Takes `events` of `kind` off the delivered count (their part is gone).
    fn lose(&mut self, kind: EventKind, events: u64) {
        let counted = &mut self.report.delivered[kind.index()];
        *counted = counted.saturating_sub(events);
        self.count_failed();
    }

    /// Everything handed over and not in a finished part (nor left out
    /// for a resumed run) failed.
    fn count_failed(&mut self) {
        self.report.failed = self
            .handed
            .saturating_sub(self.report.delivered_total())
            .saturating_sub(self.resumed);
    }

    /// After an error: every unfinished part is removed and its events are
    /// counted as failed, so the report says exactly what the directory
    /// holds (finished parts), and no `_SUCCESS` is written.
    fn abandon(&mut self) {
        self.broken = true;
        for ((kind, _), part) in std::mem::take(&mut self.open) {
            self.lose(kind, part.events());
            part.discard();
        }
    }

    fn finish_before(&mut self, date: u32) -> Result<(), SinkError> {
        let done: Vec<_> = self
            .open
            .keys()
            .filter(|(_, d)| *d < date)
            .copied()
            .collect();
        for key in done {
            if let Some(part) = self.open.remove(&key) {
                self.finish_part(key.0, part)?;
            }
        }
        Ok(())
    }

    /// Writes one partition's encoded events, rolling parts at
    /// `max_events_per_file`.
    fn write_partition(
        &mut self,
        key: (EventKind, u32),
        first: &Event,
        encoded: &Chunk,
    ) -> Result<(), SinkError> {
        let total = match encoded {
            Chunk::Bytes(e) => e.ends.len(),
            Chunk::Rows(r) => r.num_rows(),
        };
        let mut from = 0;
        while from < total {
            let full = self
                .open
                .get(&key)
                .is_some_and(|p| p.events() >= self.config.max_events_per_file);
            if full {
                if let Some(part) = self.open.remove(&key) {
                    self.finish_part(key.0, part)?;
                }
            }
            if !self.open.contains_key(&key) {
                let k = key.0.index();
                let header;
                let body = match self.config.format {
                    Format::Json => Body::Lines(&[]),
                    Format::Csv => {
                        header = self.encoder.csv_header(first.kind());
                        Body::Lines(&header)
                    }
                    Format::Avro => match self.avro.get(k).cloned().flatten() {
                        Some(a) => Body::Avro(a),
                        None => {
                            return Err(
                                self.encode_err(self.schema_error.clone().unwrap_or_default())
                            )
                        }
                    },
                    Format::Parquet => match self.parquet.get(k).cloned().flatten() {
                        Some(t) => Body::Parquet(t),
                        None => {
                            return Err(
                                self.encode_err(self.schema_error.clone().unwrap_or_default())
                            )
                        }
                    },
                };
                let index = self.next_index.entry(key).or_insert(0);
                let part = Part::create(
                    &self.name,
                    &self.config,
                    &self.dest,
                    key.0,
                    key.1,
                    *index,
                    body,
                )?;
                *index += 1;
                self.open.insert(key, part);
            }
            let part = self.open.get_mut(&key).expect("inserted above");
            let room = (self.config.max_events_per_file - part.events()) as usize;
            let to = total.min(from + room);
            match encoded {
                Chunk::Bytes(encoded) => part.write_datums(&self.name, encoded, from, to)?,
                Chunk::Rows(rows) => part.write_rows(&self.name, rows.slice(from, to - from))?,
            }
            self.report.delivered[key.0.index()] += (to - from) as u64;
            from = to;
        }
        Ok(())
    }

    fn encode_err(&self, e: impl std::fmt::Display) -> SinkError {
        SinkError::Encode {
            sink: self.name.clone(),
            message: e.to_string(),
        }
    }
}

/// The start of a UTC day.
fn day_start(date: NaiveDate) -> SimTime {
    SimTime::from_datetime(&date.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// A chunk of a partition, encoded: bytes (JSON, CSV, Avro datums) or
/// Parquet rows.
enum Chunk {
    Bytes(Encoded),
    Rows(arrow_array::RecordBatch),
}

/// Events per encoding job.
const CHUNK: usize = 4096;
/// Encoding jobs in flight at once (about 32 MB of JSON).
const WAVE: usize = 32;

#[async_trait]
impl Sink for FilesSink {
    fn name(&self) -> &str {
        &self.name
    }

    /// One to a local directory: the sink encodes and writes on this
    /// machine's cores, so a window queued for it would not be written
    /// sooner, only held in memory (at 1000 stores on Black Friday, about
    /// 80 MB for the default's two more; BENCHMARKS.md). An object store's
    /// uploads wait on the network, and overlap with the next windows.
    fn windows_in_flight(&self) -> usize {
        match self.dest {
            Dest::Dir(_) => 1,
            Dest::Store(_) => crate::WINDOWS_IN_FLIGHT,
        }
    }

    /// Splits the batch by partition, encodes chunks on all cores, then
    /// writes each partition's chunks in order.
    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        // Partitions in order of first appearance; events keep their order.
        let mut partitions: Vec<((EventKind, u32), Vec<&Event>)> = Vec::new();
        let mut index: BTreeMap<(EventKind, u32), usize> = BTreeMap::new();
        for stamped in &batch.events {
            let event = &stamped.event;
            let key = (event.kind(), event.ts().utc_yyyymmdd());
            if key.1 < self.resume_date {
                // A late event of a day the stopped run completed.
                self.resumed += 1;
                continue;
            }
            let slot = *index.entry(key).or_insert_with(|| {
                partitions.push((key, Vec::new()));
                partitions.len() - 1
            });
            partitions[slot].1.push(event);
        }
        partitions.sort_by_key(|((kind, date), _)| (*date, *kind));
        let jobs: Vec<(usize, &[&Event])> = partitions
            .iter()
            .enumerate()
            .flat_map(|(p, (_, events))| events.chunks(CHUNK).map(move |c| (p, c)))
            .collect();
        let format = self.config.format;
        let encoder = self.encoder.clone();
        let (avro, schema_error) = (self.avro.clone(), self.schema_error.clone());
        let tables = self.parquet.clone();
        let mut current_date = 0;
        self.handed += batch.events.len() as u64;
        if self.broken {
            self.count_failed();
            return Err(self.encode_err("an earlier write failed; the sink takes no more"));
        }
        if self.grace_us > 0 {
            // Days that ended more than the grace before this batch are
            // complete; later ones may still get late events.
            if let Err(e) =
                self.finish_before(batch.start.plus_micros(-self.grace_us).utc_yyyymmdd())
            {
                self.abandon();
                return Err(e);
            }
        }
        // Encode a wave of chunks in parallel, write it, then the next: the
        // encoded bytes in memory stay bounded whatever the window size.
        for wave in jobs.chunks(WAVE) {
            let encoded: Vec<Result<Chunk, String>> = wave
                .par_iter()
                .map(|(_, chunk)| match format {
                    Format::Json => encoder
                        .json_lines(chunk.iter().copied())
                        .map_err(|e| e.to_string())
                        .map(Chunk::Bytes),
                    Format::Csv => encoder
                        .csv_rows(chunk.iter().copied())
                        .map_err(|e| e.to_string())
                        .map(Chunk::Bytes),
                    Format::Avro => match avro.get(chunk[0].kind().index()).cloned().flatten() {
                        Some(kind) => kind.encode(&encoder, chunk).map(Chunk::Bytes),
                        None => Err(schema_error.clone().unwrap_or_default()),
                    },
                    Format::Parquet => match tables.get(chunk[0].kind().index()).cloned().flatten()
                    {
                        Some(kind) => kind.encode(&encoder, chunk).map(Chunk::Rows),
                        None => Err(schema_error.clone().unwrap_or_default()),
                    },
                })
                .collect();
            for ((p, chunk), result) in wave.iter().zip(encoded) {
                let (key, _) = partitions[*p];
                let mut result = result.map_err(|e| self.encode_err(e));
                if key.1 != current_date && self.grace_us == 0 && result.is_ok() {
                    // Partitions come in date order: earlier days are complete.
                    if let Err(e) = self.finish_before(key.1) {
                        result = Err(e);
                    }
                    current_date = key.1;
                }
                let result = result.and_then(|enc| self.write_partition(key, chunk[0], &enc));
                if let Err(e) = result {
                    self.abandon();
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        let name = self.name.clone();
        let result = self
            .open
            .values_mut()
            .try_for_each(|part| part.flush(&name));
        if result.is_err() {
            self.abandon();
        }
        result
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        if self.broken {
            return Ok(self.report());
        }
        let open = std::mem::take(&mut self.open);
        let mut first_error = None;
        for ((kind, _), part) in open {
            if let Err(e) = self.finish_part(kind, part) {
                self.broken = true;
                first_error.get_or_insert(e);
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        self.put("_SUCCESS", Vec::new())?;
        Ok(self.report())
    }

    fn report(&self) -> DeliveryReport {
        DeliveryReport {
            resumed: self.resumed,
            ..self.report
        }
    }

    /// On object storage, where an unfinished part leaves no trace to find
    /// on resuming: the start of the earliest UTC day with a part open, so
    /// a resumed run writes every such day again (on disk the hidden part
    /// shows which day to write again).
    fn checkpoint(&self) -> Option<crate::Checkpoint> {
        if !matches!(self.dest, Dest::Store(_)) {
            return None;
        }
        let (_, date) = self.open.keys().min_by_key(|(_, d)| *d)?;
        let day = NaiveDate::from_ymd_opt((*date / 10_000) as i32, *date / 100 % 100, *date % 100)?;
        Some(crate::Checkpoint {
            until: day_start(day),
            state: serde_json::Value::Null,
        })
    }

    /// Keeps the days the stopped run completed and deletes the rest: the
    /// first day with an unfinished part, or whose late events could still
    /// come after `from`, and every later day, with `_SUCCESS`. Returns
    /// that day's start: its events are written again, from part 0, so the
    /// parts are the uninterrupted run's byte for byte.
    fn resume(&mut self, from: SimTime, _state: &serde_json::Value) -> Result<SimTime, SinkError> {
        let days = self.days_on_disk()?;
        let unfinished = days.iter().find(|(_, (_, u))| *u).map(|(d, _)| *d);
        let open = from.plus_micros(-self.grace_us).utc_date();
        let first = unfinished.map_or(open, |u| u.min(open));
        for (_, (dirs, _)) in days.range(first..) {
            for dir in dirs {
                self.remove(dir)?;
            }
        }
        self.remove("_SUCCESS")?;
        self.resume_date = storesim_sim::time::yyyymmdd(first);
        Ok(day_start(first))
    }
}

#[cfg(test)]
mod tests;
