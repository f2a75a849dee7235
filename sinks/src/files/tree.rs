//! What a files sink finds under its directory or prefix: the names at
//! the top, the days written, and removing them.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use super::part::{io_err, Dest};
use super::FilesSink;
use crate::SinkError;

impl FilesSink {
    /// The names directly under the directory or prefix.
    pub(super) fn top(&self) -> Result<Vec<String>, SinkError> {
        let io = |path: &Path, source| io_err(&self.name, path, source);
        let dir = &self.config.dir;
        match &self.dest {
            Dest::Store(remote) => remote.top().map_err(|e| io(dir, e)),
            Dest::Dir(_) => {
                let mut names = Vec::new();
                for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
                    let entry = entry.map_err(|e| io(dir, e))?;
                    names.push(entry.file_name().to_string_lossy().to_string());
                }
                names.sort();
                Ok(names)
            }
        }
    }

    /// Writes the whole file `relative` (`_SUCCESS`).
    pub(super) fn put(&self, relative: &str, bytes: Vec<u8>) -> Result<(), SinkError> {
        let path = self.dest.location(relative);
        let result = match &self.dest {
            Dest::Store(remote) => remote.put(relative, bytes),
            Dest::Dir(_) => std::fs::write(&path, bytes),
        };
        result.map_err(|e| io_err(&self.name, &path, e))
    }

    /// Removes `relative` (a file, or a directory and all under it).
    pub(super) fn remove(&self, relative: &str) -> Result<(), SinkError> {
        let path = self.dest.location(relative);
        let result = match &self.dest {
            Dest::Store(remote) => remote.remove_all(relative),
            Dest::Dir(_) if path.is_dir() => std::fs::remove_dir_all(&path),
            Dest::Dir(_) if path.exists() => std::fs::remove_file(&path),
            Dest::Dir(_) => Ok(()),
        };
        result.map_err(|e| io_err(&self.name, &path, e))
    }

    /// The UTC days under the directory, each with its directories (one
    /// per kind, relative) and whether any holds an unfinished part (an
    /// object store shows none: see [`FilesSink::checkpoint`]).
    pub(super) fn days_on_disk(
        &self,
    ) -> Result<BTreeMap<NaiveDate, (Vec<String>, bool)>, SinkError> {
        let io = |path: &Path, source| io_err(&self.name, path, source);
        let mut days: BTreeMap<NaiveDate, (Vec<String>, bool)> = BTreeMap::new();
        let mut add = |kind: &str, day: &str, unfinished: bool| {
            let date = day
                .strip_prefix("date=")
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            if let (true, Some(date)) = (kind.starts_with("kind="), date) {
                let entry = days.entry(date).or_default();
                let dir = format!("{kind}/{day}");
                if !entry.0.contains(&dir) {
                    entry.0.push(dir);
                }
                entry.1 |= unfinished;
            }
        };
        let dir = &self.config.dir;
        if let Dest::Store(remote) = &self.dest {
            for key in remote.list("").map_err(|e| io(dir, e))? {
                let mut parts = key.split('/');
                if let (Some(kind), Some(day), Some(_)) = (parts.next(), parts.next(), parts.next())
                {
                    add(kind, day, false);
                }
            }
            return Ok(days);
        }
        for kind in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let kind = kind.map_err(|e| io(dir, e))?.path();
            let Some(kind_name) = kind.file_name().map(|n| n.to_string_lossy().to_string()) else {
                continue;
            };
            if !kind_name.starts_with("kind=") || !kind.is_dir() {
                continue;
            }
            for day in std::fs::read_dir(&kind).map_err(|e| io(&kind, e))? {
                let day = day.map_err(|e| io(&kind, e))?.path();
                let Some(day_name) = day.file_name().map(|n| n.to_string_lossy().to_string())
                else {
                    continue;
                };
                if !day.is_dir() {
                    continue;
                }
                let mut unfinished = false;
                for part in std::fs::read_dir(&day).map_err(|e| io(&day, e))? {
                    let part = part.map_err(|e| io(&day, e))?;
                    unfinished |= part.file_name().to_string_lossy().ends_with(".inprogress");
                }
                add(&kind_name, &day_name, unfinished);
            }
        }
        Ok(days)
    }
}
