//! One part file: create under a hidden name, write, finish and rename.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use storesim_sim::{Event, EventKind};

use super::{Compression, FilesConfig, Format};
use crate::{encode, SinkError};

/// The compressed byte stream of a part.
enum Stream {
    Plain(BufWriter<File>),
    Zstd(zstd::Encoder<'static, BufWriter<File>>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(w) => w.write(buf),
            Stream::Zstd(w) => w.write(buf),
            Stream::Gzip(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(w) => w.write_all(buf),
            Stream::Zstd(w) => w.write_all(buf),
            Stream::Gzip(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(w) => w.flush(),
            Stream::Zstd(w) => w.flush(),
            Stream::Gzip(w) => w.flush(),
        }
    }
}

impl Stream {
    fn finish(self) -> std::io::Result<File> {
        let mut buffered = match self {
            Stream::Plain(w) => w,
            Stream::Zstd(w) => w.finish()?,
            Stream::Gzip(w) => w.finish()?,
        };
        buffered.flush()?;
        buffered.into_inner().map_err(|e| e.into_error())
    }
}

enum Encoder {
    Json(Stream),
    Csv(csv::Writer<Stream>),
}

/// An open part file.
pub(super) struct Part {
    encoder: Encoder,
    events: u64,
    tmp: PathBuf,
    done: PathBuf,
}

impl std::fmt::Debug for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Part")
            .field("path", &self.tmp)
            .field("events", &self.events)
            .finish()
    }
}

fn io_err(sink: &str, path: &Path, source: std::io::Error) -> SinkError {
    SinkError::Io {
        sink: sink.to_string(),
        path: path.display().to_string(),
        source,
    }
}

impl Part {
    pub(super) fn create(
        sink: &str,
        config: &FilesConfig,
        kind: EventKind,
        date: u32,
        index: u32,
    ) -> Result<Part, SinkError> {
        let dir = config.dir.join(format!("kind={kind}")).join(format!(
            "date={:04}-{:02}-{:02}",
            date / 10_000,
            date / 100 % 100,
            date % 100
        ));
        std::fs::create_dir_all(&dir).map_err(|e| io_err(sink, &dir, e))?;
        let file_name = format!("part-{index:05}.{}", config.extension());
        let done = dir.join(&file_name);
        let tmp = dir.join(format!(".{file_name}.inprogress"));
        let file = File::create(&tmp).map_err(|e| io_err(sink, &tmp, e))?;
        let buffered = BufWriter::with_capacity(1 << 20, file);
        let stream = match config.compression {
            Compression::None => Stream::Plain(buffered),
            Compression::Zstd => Stream::Zstd(
                zstd::Encoder::new(buffered, config.level.unwrap_or(3))
                    .map_err(|e| io_err(sink, &tmp, e))?,
            ),
            Compression::Gzip => Stream::Gzip(flate2::write::GzEncoder::new(
                buffered,
                flate2::Compression::new(config.level.unwrap_or(6) as u32),
            )),
        };
        let encoder = match config.format {
            Format::Json => Encoder::Json(stream),
            Format::Csv => Encoder::Csv(csv::WriterBuilder::new().from_writer(stream)),
        };
        Ok(Part {
            encoder,
            events: 0,
            tmp,
            done,
        })
    }

    pub(super) fn events(&self) -> u64 {
        self.events
    }

    pub(super) fn write(&mut self, sink: &str, event: &Event, scratch: &mut Vec<u8>) -> Result<(), SinkError> {
        match &mut self.encoder {
            Encoder::Json(stream) => {
                scratch.clear();
                encode::json_line(event, scratch).map_err(|e| SinkError::Encode {
                    sink: sink.to_string(),
                    message: e.to_string(),
                })?;
                stream.write_all(scratch).map_err(|e| io_err(sink, &self.tmp, e))?;
            }
            Encoder::Csv(writer) => {
                encode::csv_row(event, writer).map_err(|e| match e.into_kind() {
                    csv::ErrorKind::Io(io) => io_err(sink, &self.tmp, io),
                    other => SinkError::Encode {
                        sink: sink.to_string(),
                        message: format!("{other:?}"),
                    },
                })?;
            }
        }
        self.events += 1;
        Ok(())
    }

    pub(super) fn flush(&mut self, sink: &str) -> Result<(), SinkError> {
        let result = match &mut self.encoder {
            Encoder::Json(s) => s.flush(),
            Encoder::Csv(w) => w.flush(),
        };
        result.map_err(|e| io_err(sink, &self.tmp, e))
    }

    /// Finishes the compressed stream, syncs nothing (the OS does), and
    /// renames the part to its final name. Returns its size in bytes.
    pub(super) fn finish(self, sink: &str) -> Result<u64, SinkError> {
        let stream = match self.encoder {
            Encoder::Json(s) => s,
            Encoder::Csv(w) => w
                .into_inner()
                .map_err(|e| io_err(sink, &self.tmp, std::io::Error::other(e.to_string())))?,
        };
        let file = stream.finish().map_err(|e| io_err(sink, &self.tmp, e))?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        drop(file);
        std::fs::rename(&self.tmp, &self.done).map_err(|e| io_err(sink, &self.done, e))?;
        Ok(bytes)
    }
}
