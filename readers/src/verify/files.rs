//! Reads a files sink's directory back (`kind=K/date=D/part-N.jsonl[.zst|.gz]`,
//! `.csv[...]` or `.parquet`, storesim's schema or a scenario's output
//! mapping) and tallies it as the run did.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use storesim_sim::mapping::Mapping;
use storesim_sim::truth::groups::GroupSpec;
use storesim_sim::truth::{ChangeFact, ReceiptFact, RunInfo, ScanFact, Tally};
use storesim_sim::{EventKind, Money, SimTime, World};

use super::Tables;

/// Why a directory cannot be read back.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ReadError {
    /// The file or directory.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn read_error(path: &Path, message: impl ToString) -> ReadError {
    ReadError {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// A scan record of storesim's schema (other fields are ignored).
#[derive(Debug, Deserialize)]
struct ScanRow {
    transaction_id: String,
    line: u16,
    ts: String,
    sku: u32,
    category: u32,
    quantity: u16,
    #[serde(deserialize_with = "money")]
    unit_price: Money,
    #[serde(deserialize_with = "money")]
    discount: Money,
}

/// A receipt record of storesim's schema.
#[derive(Debug, Deserialize)]
struct ReceiptRow {
    transaction_id: String,
    ts: String,
    item_count: u32,
    queue_wait_ms: u32,
}

/// Money from a JSON number (`1.99`) or text (`"1.99"`, CSV).
fn money<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Money;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an amount such as 1.99")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
            Ok(Money(i64::try_from(v).map_err(E::custom)? * 100))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
            Ok(Money(v * 100))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
            // The shortest round-trip text of a two-decimal amount is that amount.
            self.visit_str(&v.to_string())
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
            Money::parse_decimal(v).ok_or_else(|| E::custom(format!("`{v}` is not an amount")))
        }
    }
    d.deserialize_any(Visitor)
}

/// `1101-20261123-000042` as (store, date, seq).
fn txn_parts(id: &str) -> Option<(u32, u32, u32)> {
    let mut parts = id.split('-');
    let store = parts.next()?.parse().ok()?;
    let date = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((store, date, seq))
}

fn instant(text: &str) -> Option<SimTime> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|dt| SimTime::from_datetime(&dt))
}

impl ScanRow {
    fn fact(&self) -> Option<ScanFact> {
        let (store_id, date, seq) = txn_parts(&self.transaction_id)?;
        Some(ScanFact {
            store_id,
            date,
            seq,
            line: self.line,
            ts: instant(&self.ts)?,
            sku: self.sku,
            category: self.category,
            quantity: self.quantity,
            net: self.unit_price * i64::from(self.quantity) - self.discount,
        })
    }
}

impl ReceiptRow {
    fn fact(&self) -> Option<ReceiptFact> {
        let (store_id, date, seq) = txn_parts(&self.transaction_id)?;
        Some(ReceiptFact {
            store_id,
            date,
            seq,
            ts: instant(&self.ts)?,
            item_count: self.item_count,
            queue_wait_ms: self.queue_wait_ms,
        })
    }
}

/// An item change from its JSON (`before` and `after` rows, storesim's
/// record or a Debezium change event) or its flat CSV form (`item_price`
/// after, or before for a delete; `before_price`).
fn change_fact(v: &serde_json::Value, flat: bool) -> Option<ChangeFact> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let price = |v: &serde_json::Value| text(v).and_then(|t| Money::parse_decimal(&t));
    // A Debezium change event (`envelope=debezium`), wrapped or not.
    let v = v.get("payload").unwrap_or(v);
    let op = v["op"].as_str()?.chars().next()?;
    let ts = match v["ts"].as_str() {
        Some(ts) => instant(ts)?,
        None => SimTime(v["ts_ms"].as_i64()?.checked_mul(1000)?),
    };
    let (before, after) = if flat {
        let row = price(&v["item_price"]);
        let before = text(&v["before_price"]).filter(|t| !t.is_empty());
        match op {
            'd' => (row, None),
            _ => (before.and_then(|t| Money::parse_decimal(&t)), row),
        }
    } else {
        (
            price(&v["before"]["item_price"]),
            price(&v["after"]["item_price"]),
        )
    };
    Some(ChangeFact {
        date: ts.utc_yyyymmdd(),
        op,
        before,
        after,
    })
}

/// The parts of `dir` for `kind`, in path order; hidden (in-progress)
/// files are left out.
fn parts(dir: &Path, kind: EventKind) -> Result<Vec<PathBuf>, ReadError> {
    let root = dir.join(format!("kind={kind}"));
    let mut out = Vec::new();
    let Ok(dates) = std::fs::read_dir(&root) else {
        return Ok(out);
    };
    for date in dates {
        let date = date.map_err(|e| read_error(&root, e))?.path();
        if !date.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&date).map_err(|e| read_error(&date, e))? {
            let file = file.map_err(|e| read_error(&date, e))?.path();
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // Parts only: a stray file (a README, a checksum a tool left)
            // is not storesim's to read.
            if file.is_file() && is_part(name) {
                out.push(file);
            } else if name.starts_with("part-") && name.ends_with(".avro") {
                return Err(read_error(
                    &file,
                    "an Avro part: verify reads JSON lines, CSV and Parquet parts (write them with a files sink beside this one)",
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a file name is a part's: `part-NNNNN.jsonl` or `.csv`, plain,
/// `.zst` or `.gz`, or `part-NNNNN.parquet`.
fn is_part(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("part-") else {
        return false;
    };
    let (number, ext) = rest.split_once('.').unwrap_or((rest, ""));
    !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && matches!(
            ext,
            "jsonl" | "jsonl.zst" | "jsonl.gz" | "csv" | "csv.zst" | "csv.gz" | "parquet"
        )
}

fn is_parquet(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "parquet")
}

/// Calls `each` with every row of a Parquet part as a JSON object, as
/// the Arrow project's JSON writer renders it (decimals exact, times as
/// RFC 3339 text, structs as objects).
fn parquet_objects(
    path: &Path,
    mut each: impl FnMut(serde_json::Value) -> Result<(), ReadError>,
) -> Result<u64, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(8192).build())
        .map_err(|e| read_error(path, e))?;
    let mut n = 0;
    for batch in reader {
        let batch = batch.map_err(|e| read_error(path, e))?;
        let mut json = Vec::new();
        {
            let mut writer = arrow_json::WriterBuilder::new()
                .with_explicit_nulls(true)
                .build::<_, arrow_json::writer::LineDelimited>(&mut json);
            writer.write(&batch).map_err(|e| read_error(path, e))?;
            writer.finish().map_err(|e| read_error(path, e))?;
        }
        for line in json.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            n += 1;
            let v = serde_json::from_slice(line)
                .map_err(|e| read_error(path, format!("record {n}: {e}")))?;
            each(v)?;
        }
    }
    Ok(n)
}

/// Whether a part is CSV (`part-N.csv`, `.csv.zst`, `.csv.gz`), not JSON lines.
fn is_csv(path: &Path) -> bool {
    path.to_string_lossy().contains(".csv")
}

/// A part's decompressed bytes as a reader, its lines bounded.
fn open(path: &Path) -> Result<Box<dyn Read>, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let name = path.to_string_lossy();
    let inner: Box<dyn Read> = if name.ends_with(".zst") {
        Box::new(zstd::Decoder::new(file).map_err(|e| read_error(path, e))?)
    } else if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(LineLimit { inner, run: 0 }))
}

/// The longest line read from a part: storesim's records are under a few
/// KB, so a longer line (a file that decompresses to one endless line) is
/// not a part, and is refused instead of read into all memory.
const MAX_LINE_BYTES: usize = 16 << 20;

/// A reader that fails on a line longer than [`MAX_LINE_BYTES`].
struct LineLimit {
    inner: Box<dyn Read>,
    /// Bytes since the last newline.
    run: usize,
}

impl Read for LineLimit {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.run = match buf[..n].iter().rposition(|&b| b == b'\n') {
            Some(last) => n - last - 1,
            None => self.run + n,
        };
        if self.run > MAX_LINE_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "a line longer than {} MiB: not a storesim part",
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        Ok(n)
    }
}

/// Calls `each` with every record of a part, deserialised.
fn records<T: serde::de::DeserializeOwned>(
    path: &Path,
    mut each: impl FnMut(T) -> Option<()>,
) -> Result<u64, ReadError> {
    let bad =
        |line: u64, e: &dyn std::fmt::Display| read_error(path, format!("record {line}: {e}"));
    if is_parquet(path) {
        let mut n = 0;
        return parquet_objects(path, |v| {
            n += 1;
            let row = serde_json::from_value::<T>(v).map_err(|e| bad(n, &e))?;
            each(row).ok_or_else(|| bad(n, &"an id or a time cannot be read"))
        });
    }
    let reader = BufReader::with_capacity(1 << 20, open(path)?);
    let csv = is_csv(path);
    let mut n = 0;
    if csv {
        for row in csv::Reader::from_reader(reader).deserialize::<T>() {
            n += 1;
            let row = row.map_err(|e| bad(n, &e))?;
            each(row).ok_or_else(|| bad(n, &"an id or a time cannot be read"))?;
        }
    } else {
        for line in reader.lines() {
            let line = line.map_err(|e| read_error(path, e))?;
            if line.is_empty() {
                continue;
            }
            n += 1;
            let row = serde_json::from_str::<T>(&line).map_err(|e| bad(n, &e))?;
            each(row).ok_or_else(|| bad(n, &"an id or a time cannot be read"))?;
        }
    }
    Ok(n)
}

/// Calls `each` with every record of a part as a JSON object (a CSV
/// row's fields as texts).
fn objects(
    path: &Path,
    mut each: impl FnMut(serde_json::Value) -> Option<()>,
) -> Result<u64, ReadError> {
    if is_csv(path) {
        records::<BTreeMap<String, String>>(path, |row| {
            let object = row
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
            each(serde_json::Value::Object(object))
        })
    } else {
        records::<serde_json::Value>(path, each)
    }
}

/// Counts the records of a part that is neither scans nor receipts.
fn count(path: &Path) -> Result<u64, ReadError> {
    if is_parquet(path) {
        let file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
        let meta =
            parquet::arrow::arrow_reader::ArrowReaderMetadata::load(&file, Default::default())
                .map_err(|e| read_error(path, e))?;
        return Ok(meta.metadata().file_metadata().num_rows() as u64);
    }
    let mut reader = BufReader::with_capacity(1 << 20, open(path)?);
    let csv = is_csv(path);
    if csv {
        let mut n = 0;
        for row in csv::Reader::from_reader(reader).byte_records() {
            row.map_err(|e| read_error(path, e))?;
            n += 1;
        }
        return Ok(n);
    }
    let mut n = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .map_err(|e| read_error(path, e))?
            == 0
        {
            return Ok(n);
        }
        if line.iter().any(|b| !b.is_ascii_whitespace()) {
            n += 1;
        }
    }
}

/// The observed tables of the run `run` of `world`, read from `dir`.
///
/// With the scenario's output mapping, only the kinds it writes are read
/// and counted; a check needs the fields it reads: a mapped kind's groups
/// are summed from the fields the mapping gives back
/// ([`KindMap::recovers`](storesim_sim::mapping::KindMap::recovers)), and a
/// check whose fields the mapping drops or reshapes is left out of the
/// observed tables (so it is reported skipped, not failed).
pub fn observe(
    dir: &Path,
    world: &World,
    run: &RunInfo,
    mapping: Option<&Mapping>,
) -> Result<Tables, ReadError> {
    if !dir.is_dir() {
        return Err(read_error(dir, "not a directory"));
    }
    let written = |kind: EventKind| {
        mapping
            .and_then(|m| m.kinds.as_ref())
            .is_none_or(|kinds| kinds.contains(&kind))
    };
    let map = |kind: EventKind| mapping.and_then(|m| m.get(kind));
    let specs = world.model.truth_groups();
    // The groups each kind's records can be summed for.
    let readable = |spec: &GroupSpec| {
        written(spec.kind)
            && map(spec.kind).is_none_or(|km| spec.fields().iter().all(|f| km.recovers(f)))
    };
    let mut tally = Tally::files(world);
    for kind in world.kinds().into_iter().filter(|&k| written(k)) {
        tally.next_kind();
        for path in parts(dir, kind)? {
            match (kind, map(kind)) {
                (EventKind::Scan, None) => {
                    records::<ScanRow>(&path, |row| {
                        tally.scan(&row.fact()?);
                        Some(())
                    })?;
                }
                (EventKind::Transaction, None) => {
                    records::<ReceiptRow>(&path, |row| {
                        tally.receipt(&row.fact()?);
                        Some(())
                    })?;
                }
                (EventKind::ItemChange, None) => {
                    let flat = is_csv(&path);
                    objects(&path, |v| {
                        tally.change(&change_fact(&v, flat)?);
                        Some(())
                    })?;
                }
                (other, None) if tally.sums(other) => {
                    objects(&path, |v| {
                        tally.record(other, &v);
                        Some(())
                    })?;
                }
                (other, Some(km)) if tally.sums(other) => {
                    let mut fields: Vec<&str> = specs
                        .iter()
                        .filter(|s| s.kind == other)
                        .flat_map(|s| s.fields())
                        .collect();
                    fields.sort_unstable();
                    fields.dedup();
                    objects(&path, |v| {
                        tally.record(other, &km.unmap(&v, &fields));
                        Some(())
                    })?;
                }
                (other, _) => tally.count(other, count(&path)?),
            }
        }
    }
    let manifest = tally.finish(run.clone());
    let mut tables = super::expected(&manifest);
    // Leave out what the output cannot show: kinds not written, the
    // chain's checks over mapped scans, receipts or item changes, and
    // groups over fields a mapping drops.
    if let Some(counts) = tables.get_mut("counts") {
        counts.retain(|k, _| {
            world
                .kinds()
                .into_iter()
                .any(|kind| written(kind) && *k == format!("kind {kind}"))
        });
    }
    let shown = |kind: EventKind| written(kind) && map(kind).is_none();
    if !(shown(EventKind::Scan) && shown(EventKind::Transaction)) {
        for name in &super::CHAIN_CHECKS[1..8] {
            tables.remove(*name);
        }
    }
    if !shown(EventKind::ItemChange) {
        for name in &super::CHAIN_CHECKS[8..] {
            tables.remove(*name);
        }
    }
    for spec in specs.iter().filter(|s| !readable(s)) {
        tables.remove(spec.name);
    }
    Ok(tables)
}
