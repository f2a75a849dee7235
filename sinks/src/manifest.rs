//! The manifest sink: watches what the run delivers and, at close, writes
//! its ground truth ([`storesim_sim::truth::Manifest`]) as JSON.
//!
//! It sees the same ordered batches as every other sink, so its counts are
//! what each of them was handed, and it is deterministic: the same run
//! gives the same bytes, whatever the threads, window or speed.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use storesim_sim::truth::{Manifest, RunInfo, Tally};
use storesim_sim::EventBatch;

use crate::{DeliveryReport, Sink, SinkError};

/// Writes a run's manifest to a file at close.
#[derive(Debug)]
pub struct ManifestSink {
    name: String,
    path: PathBuf,
    run: RunInfo,
    tally: Option<Tally>,
    report: DeliveryReport,
}

impl ManifestSink {
    /// A manifest of the run described by `run`, counted by `tally` (the
    /// scenario's, [`Tally::streaming`]), written to `path`. Fails at once
    /// if `path` cannot be written.
    pub fn open(path: &Path, tally: Tally, run: RunInfo) -> Result<ManifestSink, SinkError> {
        let name = format!("manifest:{}", path.display());
        if path.is_dir() {
            return Err(SinkError::Spec {
                spec: name,
                message: format!("{} is a directory: name a file", path.display()),
            });
        }
        // Fail now, not after the run, if the file cannot be made.
        let tmp = tmp_path(path);
        std::fs::write(&tmp, b"").map_err(|source| SinkError::Spec {
            spec: name.clone(),
            message: format!("cannot write {}: {source}", path.display()),
        })?;
        let _ = std::fs::remove_file(&tmp);
        Ok(ManifestSink {
            name,
            path: path.to_path_buf(),
            run,
            tally: Some(tally),
            report: DeliveryReport::default(),
        })
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".inprogress");
    path.with_file_name(name)
}

/// Writes `manifest` to `path` as pretty JSON with a final newline, by way
/// of a temporary file renamed into place.
pub fn write_manifest(path: &Path, manifest: &Manifest) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(manifest).map_err(std::io::Error::other)?;
    text.push('\n');
    let tmp = tmp_path(path);
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

#[async_trait]
impl Sink for ManifestSink {
    fn name(&self) -> &str {
        &self.name
    }

    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        if let Some(tally) = &mut self.tally {
            tally.observe(&batch.events);
        }
        self.report.add_batch(batch);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        if let Some(tally) = self.tally.take() {
            let manifest = tally.finish(self.run.clone());
            write_manifest(&self.path, &manifest).map_err(|source| SinkError::Io {
                sink: self.name.clone(),
                path: self.path.display().to_string(),
                source,
            })?;
        }
        Ok(self.report)
    }

    fn report(&self) -> DeliveryReport {
        self.report
    }

    /// The ground truth of the whole run: every event again, from the start.
    fn resume(
        &mut self,
        _from: storesim_sim::SimTime,
        _state: &serde_json::Value,
    ) -> Result<storesim_sim::SimTime, SinkError> {
        Ok(storesim_sim::SimTime::MIN)
    }
}

/// Writes a manifest's expected answers as CSV files in `dir`, one per
/// aggregate (`store_days.csv`, `counts.csv`, each group), for dbt seeds
/// and tests; returns the files written. Earlier files are replaced only
/// with `overwrite`, and never written through a symbolic link.
pub fn write_csv(
    dir: &Path,
    manifest: &Manifest,
    overwrite: bool,
) -> Result<Vec<PathBuf>, csv::Error> {
    let mut out = crate::output::OutputDir::create(dir, overwrite)?;
    let mut file = |name: &str| -> csv::Result<csv::Writer<std::fs::File>> {
        Ok(csv::Writer::from_writer(out.file(&format!("{name}.csv"))?))
    };
    let mut w = file("counts")?;
    w.write_record(["kind", "records"])?;
    for (kind, n) in &manifest.counts {
        w.write_record([kind.as_str(), &n.to_string()])?;
    }
    w.flush()?;
    fn rows<T: serde::Serialize>(
        w: csv::Result<csv::Writer<std::fs::File>>,
        rows: &[T],
    ) -> csv::Result<()> {
        let mut w = w?;
        for r in rows {
            w.serialize(r)?;
        }
        w.flush()?;
        Ok(())
    }
    if let Some(c) = &manifest.chain {
        rows(file("store_days"), &c.store_days)?;
        rows(file("hours"), &c.hours)?;
        rows(file("category_days"), &c.category_days)?;
        rows(file("top_items"), &c.top_items)?;
        rows(file("basket_sizes"), &c.basket_sizes)?;
        rows(file("queue_wait"), &c.queue_wait.histogram_s)?;
        let mut w = file("queue_wait_percentiles")?;
        let q = &c.queue_wait;
        let names = ["p50", "p90", "p95", "p99"];
        w.write_record(names.iter().copied().chain(["max_ms"]))?;
        w.write_record(
            names
                .iter()
                .map(|p| q.percentiles_s.get(*p).copied().unwrap_or(0).to_string())
                .chain([q.max_ms.to_string()]),
        )?;
        w.flush()?;
        rows(file("item_changes"), &c.item_changes)?;
        rows(file("item_master"), &[c.item_master])?;
    }
    for (name, g) in &manifest.groups {
        let mut w = file(name)?;
        w.write_record(g.keys.iter().chain(&g.values))?;
        for row in &g.rows {
            w.write_record(row.key.iter().chain(&row.sums))?;
        }
        w.flush()?;
    }
    Ok(out.commit()?)
}
