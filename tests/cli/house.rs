//! The house's walls (ARCHITECTURE.md): what may not name what. Read from
//! the sources, so a change that breaks a wall fails here with its place.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `.rs` files under `dir`, recursively.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A file's code before its test module.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[test]
fn sinks_never_see_the_world() {
    for dir in ["sinks/src", "sinks/tests"] {
        for path in sources(&root().join(dir)) {
            let text = std::fs::read_to_string(&path).unwrap();
            let hit = text.lines().position(|l| {
                l.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .any(|w| w == "World")
            });
            assert!(
                hit.is_none(),
                "{}:{}: names World",
                path.display(),
                hit.unwrap_or(0) + 1
            );
        }
    }
    let manifest = std::fs::read_to_string(root().join("sinks/Cargo.toml")).unwrap();
    assert!(
        !manifest.contains("storesim-readers"),
        "sinks depends on readers"
    );
}

/// The scenario loader picks a model from the one list and hands it its
/// table: it names none of the models (the chain's knobs are the common
/// sections, so the chain's parameter types may appear).
#[test]
fn the_scenario_loader_names_no_model() {
    for path in sources(&root().join("scenarios/src")) {
        if path.ends_with("tests.rs") {
            continue;
        }
        let code = code(&path);
        for model in ["smoothie", "webshop", "marketplace", "widgets"] {
            let named = format!("storesim_sim::{model}");
            assert!(!code.contains(&named), "{}: names {named}", path.display());
            let table = format!("Option<{}", model[..1].to_uppercase() + &model[1..]);
            assert!(
                !code.contains(&table),
                "{}: holds {model}'s table",
                path.display()
            );
        }
    }
}

#[test]
fn the_engine_names_no_model() {
    for file in [
        "world.rs",
        "arrivals.rs",
        "outbox.rs",
        "merge.rs",
        "calendar.rs",
        "time.rs",
        "model.rs",
        "schema.rs",
        "ids.rs",
        "rng.rs",
        "shard.rs",
        "setup.rs",
        "setup/csv.rs",
        "setup/limits.rs",
        "watch.rs",
    ] {
        let path = root().join("sim/src").join(file);
        let code = code(&path);
        for model in ["chain", "smoothie", "webshop", "marketplace", "widgets"] {
            let named = format!("models::{model}");
            assert!(!code.contains(&named), "{}: names {named}", path.display());
        }
    }
}

#[test]
fn no_source_file_is_over_600_lines() {
    for dir in [
        "src",
        "sim/src",
        "actors/src",
        "scenarios/src",
        "sinks/src",
        "readers/src",
    ] {
        for path in sources(&root().join(dir)) {
            if path.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let lines = std::fs::read_to_string(&path).unwrap().lines().count();
            assert!(
                lines <= 600,
                "{}: {lines} lines; split it along its roles",
                path.display()
            );
        }
    }
}
