//! One part file: create under a hidden name (or as an object upload),
//! write, finish and make it visible.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use storesim_sim::EventKind;

use super::avro::{AvroKind, Pending, BLOCK_EVENTS};
use super::parquet::{ParquetKind, Table};
use super::remote::{Remote, Upload};
use super::{Compression, FilesConfig};
use crate::encode::Encoded;
use crate::SinkError;

/// zstd worker threads. Fixed, not the machine's core count: streaming
/// multithreaded zstd output does not depend on the worker count, but
/// single-threaded (0 workers) output differs, and files must be the same
/// on every machine.
const ZSTD_WORKERS: u32 = 2;

/// The compressed byte stream of a part.
enum Stream {
    Plain(BufWriter<Out>),
    Zstd(zstd::Encoder<'static, BufWriter<Out>>),
    Gzip(flate2::write::GzEncoder<BufWriter<Out>>),
    /// A Parquet part takes rows, not bytes.
    Parquet(Box<Table>),
}

impl Stream {
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(w) => w.write_all(buf),
            Stream::Zstd(w) => w.write_all(buf),
            Stream::Gzip(w) => w.write_all(buf),
            Stream::Parquet(_) if buf.is_empty() => Ok(()),
            Stream::Parquet(_) => Err(std::io::Error::other("a Parquet part takes rows")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(w) => w.flush(),
            Stream::Zstd(w) => w.flush(),
            Stream::Gzip(w) => w.flush(),
            // Its pending rows stay until a batch is full: the files are the
            // same whatever the windows.
            Stream::Parquet(_) => Ok(()),
        }
    }

    fn finish(self) -> std::io::Result<Out> {
        let mut buffered = match self {
            Stream::Plain(w) => w,
            Stream::Zstd(w) => w.finish()?,
            Stream::Gzip(w) => w.finish()?,
            Stream::Parquet(t) => t.finish().map_err(std::io::Error::other)?,
        };
        buffered.flush()?;
        buffered.into_inner().map_err(|e| e.into_error())
    }
}

/// Where the files go: a directory, or an object store's prefix.
#[derive(Debug, Clone)]
pub(super) enum Dest {
    /// A local directory.
    Dir(PathBuf),
    /// An object store.
    Store(Arc<Remote>),
}

impl Dest {
    /// `relative`'s path or URL, for messages.
    pub(super) fn location(&self, relative: &str) -> PathBuf {
        match self {
            Dest::Dir(dir) => dir.join(relative),
            Dest::Store(remote) => PathBuf::from(remote.location(relative)),
        }
    }

    /// Opens `dir/name` for writing, invisible until committed.
    fn create(&self, sink: &str, dir: &str, name: &str) -> Result<Out, SinkError> {
        match self {
            Dest::Dir(root) => {
                let dir = root.join(dir);
                std::fs::create_dir_all(&dir).map_err(|e| io_err(sink, &dir, e))?;
                let done = dir.join(name);
                let tmp = dir.join(format!(".{name}.inprogress"));
                let file = File::create(&tmp).map_err(|e| io_err(sink, &tmp, e))?;
                Ok(Out::File { file, tmp, done })
            }
            Dest::Store(remote) => Ok(Out::Upload(remote.create(&format!("{dir}/{name}")))),
        }
    }
}

/// A part's bytes on their way.
pub(super) enum Out {
    /// A hidden file, renamed to `done` when complete.
    File {
        file: File,
        tmp: PathBuf,
        done: PathBuf,
    },
    /// An object, visible when its upload completes.
    Upload(Upload),
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Out::File { file, .. } => file.write(buf),
            Out::Upload(u) => u.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::File { file, .. } => file.flush(),
            Out::Upload(u) => u.flush(),
        }
    }
}

impl Out {
    /// Makes the part visible under its name; returns its size.
    fn commit(self) -> std::io::Result<u64> {
        match self {
            Out::File { file, tmp, done } => {
                let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
                drop(file);
                std::fs::rename(&tmp, &done).inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })?;
                Ok(bytes)
            }
            Out::Upload(u) => u.commit(),
        }
    }

    /// The hidden file it writes, if it writes one.
    fn hidden(&self) -> Option<PathBuf> {
        match self {
            Out::File { tmp, .. } => Some(tmp.clone()),
            Out::Upload(_) => None,
        }
    }
}

/// What a part holds.
pub(super) enum Body<'a> {
    /// Lines (JSON, CSV) after a header (CSV's, or none).
    Lines(&'a [u8]),
    /// Avro datums in blocks, after the file header.
    Avro(Arc<AvroKind>),
    /// Parquet rows.
    Parquet(Arc<ParquetKind>),
}

/// An open part file.
pub(super) struct Part {
    stream: Stream,
    events: u64,
    /// Where it is being written, for messages.
    tmp: PathBuf,
    /// Its hidden file on disk, removed if it is not finished (an upload
    /// not completed is aborted when dropped).
    hidden: Option<PathBuf>,
    /// An Avro container file's datums not yet in a block.
    pending: Option<Pending>,
}

impl std::fmt::Debug for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Part")
            .field("path", &self.tmp)
            .field("events", &self.events)
            .finish()
    }
}

/// An I/O error of sink `sink` on `path`.
pub(super) fn io_err(sink: &str, path: &Path, source: std::io::Error) -> SinkError {
    SinkError::Io {
        sink: sink.to_string(),
        path: path.display().to_string(),
        source,
    }
}

impl Part {
    /// Creates `DIR/kind=K/date=D/.part-NNNNN.EXT.inprogress` for `body`:
    /// lines after their header, Avro datums (through
    /// [`Part::write_datums`]) or Parquet rows ([`Part::write_rows`]).
    pub(super) fn create(
        sink: &str,
        config: &FilesConfig,
        dest: &Dest,
        kind: EventKind,
        date: u32,
        index: u32,
        body: Body<'_>,
    ) -> Result<Part, SinkError> {
        let dir = format!(
            "kind={kind}/date={:04}-{:02}-{:02}",
            date / 10_000,
            date / 100 % 100,
            date % 100
        );
        let file_name = format!("part-{index:05}.{}", config.extension());
        let out = dest.create(sink, &dir, &file_name)?;
        let hidden = out.hidden();
        let tmp = hidden
            .clone()
            .unwrap_or_else(|| dest.location(&format!("{dir}/{file_name}")));
        let buffered = BufWriter::with_capacity(1 << 20, out);
        let (header, avro) = match &body {
            Body::Lines(header) => (*header, None),
            Body::Avro(kind) => (kind.header(), Some(kind.clone())),
            Body::Parquet(_) => (&[][..], None),
        };
        let stream = match (&body, config.compression) {
            (Body::Parquet(kind), _) => Stream::Parquet(Box::new(
                Table::new(kind, buffered)
                    .map_err(|e| io_err(sink, &tmp, std::io::Error::other(e)))?,
            )),
            // An Avro file compresses its blocks itself.
            (Body::Avro(_), _) => Stream::Plain(buffered),
            // Only Parquet's pages take snappy (the spec says so).
            (_, Compression::None | Compression::Snappy) => Stream::Plain(buffered),
            (_, Compression::Zstd) => {
                let mut encoder = zstd::Encoder::new(buffered, config.level.unwrap_or(3))
                    .map_err(|e| io_err(sink, &tmp, e))?;
                encoder
                    .multithread(ZSTD_WORKERS)
                    .map_err(|e| io_err(sink, &tmp, e))?;
                Stream::Zstd(encoder)
            }
            (_, Compression::Gzip) => Stream::Gzip(flate2::write::GzEncoder::new(
                buffered,
                flate2::Compression::new(config.level.unwrap_or(6) as u32),
            )),
        };
        let mut part = Part {
            stream,
            events: 0,
            tmp,
            hidden,
            pending: None,
        };
        part.stream
            .write_all(header)
            .map_err(|e| io_err(sink, &part.tmp, e))?;
        part.pending = avro.map(|kind| Pending {
            kind,
            data: Vec::new(),
            count: 0,
        });
        Ok(part)
    }

    pub(super) fn events(&self) -> u64 {
        self.events
    }

    /// Appends the encoded bytes of `events` events.
    pub(super) fn write(&mut self, sink: &str, bytes: &[u8], events: u64) -> Result<(), SinkError> {
        self.stream
            .write_all(bytes)
            .map_err(|e| io_err(sink, &self.tmp, e))?;
        self.events += events;
        Ok(())
    }

    /// Appends the Avro datums `from..to` of `encoded`, a block at each
    /// [`BLOCK_EVENTS`] events of the part.
    pub(super) fn write_datums(
        &mut self,
        sink: &str,
        encoded: &Encoded,
        from: usize,
        to: usize,
    ) -> Result<(), SinkError> {
        for i in from..to {
            let Some(p) = &mut self.pending else {
                return self.write(sink, encoded.range(from, to), (to - from) as u64);
            };
            p.data.extend_from_slice(encoded.range(i, i + 1));
            p.count += 1;
            self.events += 1;
            if p.count == BLOCK_EVENTS {
                self.write_block(sink)?;
            }
        }
        Ok(())
    }

    /// Appends Parquet rows.
    pub(super) fn write_rows(
        &mut self,
        sink: &str,
        rows: arrow_array::RecordBatch,
    ) -> Result<(), SinkError> {
        let Stream::Parquet(table) = &mut self.stream else {
            return Err(io_err(
                sink,
                &self.tmp,
                std::io::Error::other("not a Parquet part"),
            ));
        };
        let n = rows.num_rows() as u64;
        table
            .write(rows)
            .map_err(|e| io_err(sink, &self.tmp, std::io::Error::other(e)))?;
        self.events += n;
        Ok(())
    }

    /// Writes the pending datums as one block.
    fn write_block(&mut self, sink: &str) -> Result<(), SinkError> {
        let Some(p) = &mut self.pending else {
            return Ok(());
        };
        if p.count == 0 {
            return Ok(());
        }
        let block = p
            .kind
            .block(&p.data, p.count)
            .map_err(|message| SinkError::Encode {
                sink: sink.to_string(),
                message,
            })?;
        p.data.clear();
        p.count = 0;
        self.stream
            .write_all(&block)
            .map_err(|e| io_err(sink, &self.tmp, e))
    }

    pub(super) fn flush(&mut self, sink: &str) -> Result<(), SinkError> {
        self.stream.flush().map_err(|e| io_err(sink, &self.tmp, e))
    }

    /// Finishes the compressed stream and makes the part visible under
    /// its name (a rename, or an upload's completion). Returns its size in
    /// bytes. On an error nothing of it stays: its events are lost, and
    /// counted so by the sink.
    pub(super) fn finish(mut self, sink: &str) -> Result<u64, SinkError> {
        let (tmp, hidden) = (self.tmp.clone(), self.hidden.take());
        let result = self.write_block(sink).and_then(|()| {
            let out = self.stream.finish().map_err(|e| io_err(sink, &tmp, e))?;
            out.commit().map_err(|e| io_err(sink, &tmp, e))
        });
        if let (Err(_), Some(file)) = (&result, hidden) {
            let _ = std::fs::remove_file(file);
        }
        result
    }

    /// Drops the part unfinished: its file is removed, its upload aborted.
    pub(super) fn discard(self) {
        let hidden = self.hidden.clone();
        drop(self);
        if let Some(file) = hidden {
            let _ = std::fs::remove_file(file);
        }
    }
}
