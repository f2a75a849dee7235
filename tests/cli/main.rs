//! End-to-end tests of the `storesim` binary.

mod determinism;
mod errors;
mod golden;
mod kafka;
mod live;
mod postgres;
mod proxy;
mod receipts;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary under test.
pub fn storesim() -> Command {
    let mut cmd = Command::cargo_bin("storesim").expect("binary built");
    cmd.env_remove("RUST_LOG");
    cmd
}

/// Every file below `dir` (relative path, bytes), sorted.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// The decompressed text of a part file.
pub fn text(path: &Path, bytes: &[u8]) -> String {
    let mut s = String::new();
    let name = path.to_string_lossy();
    if name.ends_with(".zst") {
        zstd::Decoder::new(bytes)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
    } else if name.ends_with(".gz") {
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut s)
            .unwrap();
    } else {
        s = String::from_utf8(bytes.to_vec()).unwrap();
    }
    s
}
