//! Faults of the machine a run writes on: a disk that fills up, input
//! errors found after a sink has opened.

use std::path::Path;
use std::process::Command;

use super::{storesim, tree};

/// A tmpfs of `size` mounted at a new directory, unmounted when dropped;
/// `None` (with a note) where mounting is not allowed.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: cannot mount a tmpfs here (needs root)");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_fails_the_run_counting_exactly_what_the_finished_parts_lack() {
    let Some(disk) = SmallDisk::mount("3m") else {
        return;
    };
    let out_dir = disk.path().join("out");
    let sink = format!(
        "files:{}?compression=none&max_events_per_file=5000",
        out_dir.display()
    );
    let out = storesim()
        .args(["run", "--stores", "4", "-q", "--sink", &sink])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    // "...; N of the M events handed to it were not confirmed delivered"
    let (lost, handed) = stderr
        .rsplit_once("; ")
        .and_then(|(_, c)| c.split_once(" of the "))
        .and_then(|(n, rest)| {
            Some((
                n.parse::<u64>().ok()?,
                rest.split_once(' ')?.0.parse::<u64>().ok()?,
            ))
        })
        .unwrap_or_else(|| panic!("no counts in {stderr}"));
    let files = tree(&out_dir);
    let mut lines = 0u64;
    for (path, bytes) in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(
            !name.starts_with('.'),
            "an unfinished part is left: {}",
            path.display()
        );
        assert_ne!(name, "_SUCCESS", "a failed run wrote _SUCCESS");
        lines += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    }
    assert!(lost > 0 && lines > 0, "{stderr}");
    assert_eq!(
        handed - lost,
        lines,
        "the count of what landed is exact: {stderr}"
    );
}

#[test]
fn an_input_error_found_after_a_files_sink_opened_leaves_no_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let missing_dir = tmp.path().join("no/such/dir/m.json");
    for later in [
        vec!["--sink", "kafka://127.0.0.1:1"],
        vec!["--sink", "postgres://u@127.0.0.1:1/db?connect_timeout=1"],
        vec!["--manifest", missing_dir.to_str().unwrap()],
        vec!["--manifest", tmp.path().to_str().unwrap()],
        vec!["--serve", &port],
    ] {
        let out = storesim()
            .current_dir(tmp.path())
            .args(["run", "--stores", "1", "--sink", "files:a/b/out"])
            .args(&later)
            .output()
            .unwrap();
        super::failure(out, 2);
        assert!(
            !tmp.path().join("a").exists(),
            "{later:?} left a/b/out behind"
        );
    }
}

#[test]
fn verify_files_reads_the_parts_and_leaves_stray_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lake");
    let m = tmp.path().join("m.json");
    storesim()
        .args([
            "run",
            "--stores",
            "1",
            "-q",
            "--manifest",
            m.to_str().unwrap(),
        ])
        .arg("--sink")
        .arg(format!("files:{}", dir.display()))
        .assert()
        .success();
    let day = dir.join("kind=scan/date=2026-11-23");
    std::fs::write(day.join("README.txt"), "notes from a colleague").unwrap();
    std::fs::write(day.join("part-00000.jsonl.crc"), [0u8, 159, 146, 150]).unwrap();
    let out = storesim()
        .args(["verify", "--manifest", m.to_str().unwrap()])
        .args(["--files", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
