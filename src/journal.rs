//! The run journal (`run --resume FILE`): what the run is and how far each
//! sink holds its events, kept on disk as the run goes, so a run stopped
//! or killed is continued by the same command.
//!
//! The file is JSON, replaced atomically (a temporary file, synced, then
//! renamed) about once a second and at the end. A checkpoint on disk may
//! lag the sinks by that second: the sinks leave out what they already
//! hold past it (see `storesim_sinks::resume`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use storesim_actors::PaceAnchor;
use storesim_sim::SimTime;
use storesim_sinks::Checkpoint;

/// The journal format this storesim writes and reads.
pub(crate) const FORMAT: u32 = 1;

/// The largest journal read: a few hundred bytes per sink.
const MAX_BYTES: u64 = 1 << 20;

/// How often the journal is written while a run goes on.
const EVERY: Duration = Duration::from_secs(1);

/// A run's journal, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Journal {
    /// [`FORMAT`].
    pub(crate) format: u32,
    /// What determines the events (scenario, digest, version, seed,
    /// stores, items, span, shard).
    pub(crate) stream: String,
    /// The schema written.
    pub(crate) schema: String,
    /// The instant `--start now` stood for, when the run started so: a
    /// resumed run starts there again.
    pub(crate) now_us: Option<i64>,
    /// The sinks, by name (secrets masked), in order.
    pub(crate) sinks: Vec<String>,
    /// Times real time, when paced.
    pub(crate) speed: Option<f64>,
    /// The paced clock's mapping: virtual and UTC microseconds.
    pub(crate) anchor: Option<(i64, i64)>,
    /// Each sink's checkpoint, in the order of `sinks`.
    pub(crate) checkpoints: Vec<Saved>,
    /// Whether the run ended on its own, every event delivered.
    pub(crate) finished: bool,
}

/// A sink's checkpoint, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Saved {
    /// Every event before this virtual time (µs) is delivered.
    pub(crate) until_us: i64,
    /// What the sink needs to resume.
    pub(crate) state: serde_json::Value,
}

impl Saved {
    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            until: SimTime(self.until_us),
            state: self.state.clone(),
        }
    }
}

impl Journal {
    /// Reads the journal at `path`: `Ok(None)` if there is none yet.
    pub(crate) fn read(path: &Path) -> anyhow::Result<Option<Journal>> {
        let text = match storesim_scenarios::read_bounded(path, MAX_BYTES) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => anyhow::bail!("--resume {}: cannot read: {e}", path.display()),
        };
        let journal: Journal = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!("--resume {}: not a storesim journal: {e}", path.display())
        })?;
        if journal.format != FORMAT {
            anyhow::bail!(
                "--resume {}: journal format {} (this storesim reads {FORMAT})",
                path.display(),
                journal.format
            );
        }
        if journal.checkpoints.len() != journal.sinks.len() {
            anyhow::bail!(
                "--resume {}: {} checkpoints for {} sinks",
                path.display(),
                journal.checkpoints.len(),
                journal.sinks.len()
            );
        }
        Ok(Some(journal))
    }

    /// The pacing anchor.
    pub(crate) fn pace_anchor(&self) -> Option<PaceAnchor> {
        self.anchor.map(|(v, u)| PaceAnchor {
            virtual_at: SimTime(v),
            utc_at: SimTime(u),
        })
    }

    /// Why this journal's run is not the one `other` describes, if it is not.
    pub(crate) fn differs_from(&self, other: &Journal) -> Option<String> {
        if self.stream != other.stream {
            return Some(format!(
                "it holds the run `{}`; this command makes `{}`",
                self.stream, other.stream
            ));
        }
        if self.schema != other.schema {
            return Some(format!(
                "it wrote the `{}` schema; this command writes `{}`",
                self.schema, other.schema
            ));
        }
        if self.sinks != other.sinks {
            return Some(format!(
                "its sinks are {}; this command has {}",
                self.sinks.join(", "),
                other.sinks.join(", ")
            ));
        }
        None
    }
}

/// Keeps a run's journal current on disk.
pub(crate) struct JournalWriter {
    path: PathBuf,
    journal: Mutex<Journal>,
    /// Each sink's checkpoint, as its wrapper keeps it.
    slots: Vec<Arc<Mutex<Checkpoint>>>,
}

impl JournalWriter {
    /// A writer of `journal` to `path`, reading the sinks' checkpoints
    /// from `slots`; writes it once at once (an input error if it cannot).
    pub(crate) fn create(
        path: &Path,
        journal: Journal,
        slots: Vec<Arc<Mutex<Checkpoint>>>,
    ) -> anyhow::Result<Arc<JournalWriter>> {
        let writer = Arc::new(JournalWriter {
            path: path.to_path_buf(),
            journal: Mutex::new(journal),
            slots,
        });
        writer
            .save(false)
            .map_err(|e| anyhow::anyhow!("--resume {}: cannot write: {e}", path.display()))?;
        Ok(writer)
    }

    /// Records the paced clock's mapping (from the run's progress), unless
    /// the journal has it (a resumed run's, or already reported).
    pub(crate) fn set_anchor(&self, anchor: PaceAnchor) {
        if let Ok(mut journal) = self.journal.lock() {
            journal
                .anchor
                .get_or_insert((anchor.virtual_at.0, anchor.utc_at.0));
        }
    }

    /// Writes the journal now: the sinks' checkpoints, and `finished`.
    pub(crate) fn save(&self, finished: bool) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        journal.checkpoints = self
            .slots
            .iter()
            .map(|slot| {
                let cp = slot.lock().unwrap_or_else(|e| e.into_inner());
                Saved {
                    until_us: cp.until.0,
                    state: cp.state.clone(),
                }
            })
            .collect();
        journal.finished = finished;
        let mut text = serde_json::to_string_pretty(&*journal).map_err(std::io::Error::other)?;
        text.push('\n');
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &self.path)
    }

    /// Writes the journal about once a second until `done` is raised.
    pub(crate) fn keep_saving(
        self: &Arc<Self>,
        done: Arc<std::sync::atomic::AtomicBool>,
    ) -> std::thread::JoinHandle<()> {
        let writer = Arc::clone(self);
        std::thread::spawn(move || {
            use std::sync::atomic::Ordering;
            while !done.load(Ordering::Acquire) {
                std::thread::park_timeout(EVERY);
                if done.load(Ordering::Acquire) {
                    break;
                }
                if let Err(e) = writer.save(false) {
                    tracing::warn!("--resume {}: cannot write: {e}", writer.path.display());
                }
            }
        })
    }
}
