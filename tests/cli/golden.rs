//! Golden output: five minutes of one store, compared as bytes with
//! `tests/golden/`. `STORESIM_BLESS=1 cargo test` rewrites the files after an
//! intended change of the model or the schema.

use std::path::Path;

use super::storesim;

#[test]
fn five_minutes_of_one_store_match_the_golden_file() {
    let out = storesim()
        .args([
            "run",
            "--seed",
            "42",
            "--stores",
            "1",
            "--start",
            "2026-11-27T15:00:00Z",
        ])
        .args(["--until", "2026-11-27T15:05:00Z", "--sink", "stdout", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let got = String::from_utf8(out.stdout).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/chain-1-store-5-min.jsonl");
    if std::env::var_os("STORESIM_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    similar_asserts::assert_eq!(want, got);
}
