//! Writing a set of output files into a directory safely: never through a
//! symbolic link, never over an earlier file unless asked, all or nothing.

use std::fs::File;
use std::path::{Path, PathBuf};

/// Files being written into one directory: each under a hidden temporary
/// name, renamed into place together by [`OutputDir::commit`].
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    overwrite: bool,
    pending: Vec<(PathBuf, PathBuf)>,
}

impl OutputDir {
    /// Creates `dir` if missing. With `overwrite` false, a file already
    /// there under a name being written is an error.
    pub fn create(dir: &Path, overwrite: bool) -> std::io::Result<OutputDir> {
        std::fs::create_dir_all(dir)?;
        Ok(OutputDir {
            dir: dir.to_path_buf(),
            overwrite,
            pending: Vec::new(),
        })
    }

    /// A new file `name` to write: `AlreadyExists` if one is there (and
    /// not to be overwritten) or is a symbolic link.
    pub fn file(&mut self, name: &str) -> std::io::Result<File> {
        let path = self.dir.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!("{} is a symbolic link: not written through", path.display()),
                ))
            }
            Ok(_) if !self.overwrite => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!("{} exists: pass --overwrite to replace it", path.display()),
                ))
            }
            _ => {}
        }
        let tmp = self.dir.join(format!(".{name}.inprogress"));
        let _ = std::fs::remove_file(&tmp);
        let file = File::options().write(true).create_new(true).open(&tmp)?;
        self.pending.push((tmp, path));
        Ok(file)
    }

    /// Renames every file written into place; returns their paths.
    pub fn commit(self) -> std::io::Result<Vec<PathBuf>> {
        let mut done = Vec::new();
        for (tmp, path) in &self.pending {
            std::fs::rename(tmp, path)?;
            done.push(path.clone());
        }
        Ok(done)
    }
}

impl Drop for OutputDir {
    /// What was not committed is removed.
    fn drop(&mut self) {
        for (tmp, _) in &self.pending {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
