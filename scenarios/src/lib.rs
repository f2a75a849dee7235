//! storesim scenarios: the built-in scenario files, and the loader that
//! turns a scenario file into a validated [`World`].
//!
//! Loading goes in two steps (ripgrep's low/high args): the TOML is parsed
//! into [`config::ScenarioConfig`], which mirrors the file's common
//! sections, and then checked and built into `storesim_sim::World`, with
//! errors naming the file and key. A model's own table (`[smoothie]`, ...)
//! is taken out first and handed to the model `model` names, from the one
//! list `storesim_sim::models::MODELS`: the model reads and checks it.
//!
//! A scenario file may start with `extends = "chain"` (a built-in name or a
//! path) and then override only the keys it changes: tables merge key by
//! key, arrays and values replace.
//!
//! ```
//! let scenario = storesim_scenarios::Scenario::load("chain").unwrap();
//! assert_eq!(scenario.config.name, "chain");
//! ```

pub mod config;
mod data;
mod validate;

use sha2::Digest as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use storesim_sim::{EventKind, KeyField, World};

pub use config::ScenarioConfig;
pub use validate::{Overrides, MAX_COUNT};

/// Errors from loading a scenario. All are fatal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// Neither a built-in name nor a readable file.
    #[error("unknown scenario `{name}` (built-in: {known}; or give a path to a .toml file)")]
    Unknown {
        /// What was asked for.
        name: String,
        /// The built-in names.
        known: String,
    },
    /// The file could not be read.
    #[error("cannot read scenario {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{origin}:{line}:{column}: invalid TOML: {message}")]
    Syntax {
        /// Where the scenario came from.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A key has the wrong type, is missing or is unknown.
    #[error("{origin}: `{key}`: {message}")]
    Field {
        /// Where the scenario came from.
        origin: String,
        /// The key path, such as `traffic.baskets_per_day`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A reference data file is missing or malformed.
    #[error("{origin}: {message}")]
    Data {
        /// The data file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// `extends` forms a cycle or goes too deep.
    #[error("{origin}: `extends` goes deeper than {max} levels (a cycle?)")]
    ExtendsDepth {
        /// Where the scenario came from.
        origin: String,
        /// The limit.
        max: usize,
    },
}

/// A built-in scenario: its name and file text.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Name, as given to `--scenario`.
    pub name: &'static str,
    /// The TOML text.
    pub text: &'static str,
}

/// The scenarios compiled into the binary.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "chain",
        text: include_str!("../chain.toml"),
    },
    Builtin {
        name: "smoothie",
        text: include_str!("../smoothie.toml"),
    },
    Builtin {
        name: "webshop",
        text: include_str!("../webshop.toml"),
    },
    Builtin {
        name: "marketplace",
        text: include_str!("../marketplace.toml"),
    },
    Builtin {
        name: "widgets",
        text: include_str!("../widgets.toml"),
    },
    Builtin {
        name: "apex",
        text: include_str!("../apex.toml"),
    },
    Builtin {
        name: "sales-generator",
        text: include_str!("../sales-generator.toml"),
    },
    Builtin {
        name: "fomo",
        text: include_str!("../fomo.toml"),
    },
    Builtin {
        name: "temus",
        text: include_str!("../temus.toml"),
    },
    Builtin {
        name: "widgets-unlimited",
        text: include_str!("../widgets-unlimited.toml"),
    },
];

/// Where a scenario came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A built-in scenario.
    Builtin(&'static str),
    /// A file.
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Builtin(name) => write!(f, "scenario {name}"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A scenario's Kafka defaults, applied under the sink URL's options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KafkaDefaults {
    /// Topic (after the prefix) by event kind.
    pub topics: Vec<(EventKind, String)>,
    /// Message key, if the scenario sets one.
    pub key: Option<KeyField>,
    /// Topic prefix, if the scenario sets one.
    pub topic_prefix: Option<String>,
}

/// A loaded, validated scenario file (the catalogs are built later, by
/// [`Scenario::build_world`]).
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The parsed file.
    pub config: ScenarioConfig,
    /// Where it came from.
    pub origin: Origin,
    /// The file text as written (before `extends` merging).
    pub text: String,
    /// SHA-256 of the merged scenario (after `extends`), in hex.
    digest: String,
    /// The models' own tables (`[smoothie]`, ...) as written, by name: the
    /// model `model` names reads its own, and any other is refused.
    tables: BTreeMap<String, toml::Value>,
    /// The `[output]` mapping, checked against the model's kinds.
    mapping: Option<storesim_sim::mapping::Mapping>,
}

const MAX_EXTENDS: usize = 8;

impl Scenario {
    /// Loads a built-in scenario by name, or a scenario file by path.
    pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
        let (origin, text) = resolve(name_or_path, None)?;
        let mut table = merged_table(&origin, &text, 0)?;
        // Tables are sorted maps, so the same scenario gives the same text.
        let merged = toml::to_string(&table).unwrap_or_default();
        let digest = sha2::Sha256::digest(merged.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let tables = storesim_sim::models::MODELS
            .iter()
            .filter(|m| m.table)
            .filter_map(|m| Some((m.name.to_string(), table.remove(m.name)?)))
            .collect();
        let output = table.remove("output");
        let config: ScenarioConfig = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| ScenarioError::Field {
                origin: origin.to_string(),
                key: e.path().to_string(),
                message: e.inner().message().trim().to_string(),
            })?;
        let mut scenario = Scenario {
            config,
            origin,
            text,
            digest,
            tables,
            mapping: None,
        };
        validate::check(&scenario)?;
        if let Some(output) = output {
            let model = &scenario.config.model;
            let emitted: Vec<EventKind> = EventKind::ALL
                .into_iter()
                .filter(|k| k.model() == model)
                .collect();
            // The model with an item master is the one whose changes it
            // emits; only it has dimension tables to map.
            let dims = emitted.contains(&EventKind::ItemChange);
            let mapping =
                storesim_sim::mapping::Mapping::parse(&output, &emitted, dims).map_err(|e| {
                    ScenarioError::Field {
                        origin: scenario.origin.to_string(),
                        key: e.key,
                        message: e.message,
                    }
                })?;
            scenario.mapping = Some(mapping);
        }
        Ok(scenario)
    }

    /// Reads the reference data and builds the world, with `overrides`
    /// (from the command line) applied on top of the file's counts.
    pub fn build_world(&self, overrides: &Overrides) -> Result<Arc<World>, ScenarioError> {
        validate::build(self, overrides).map(Arc::new)
    }

    /// A digest of the scenario after `extends` merging (SHA-256, hex): two
    /// files that differ only in comments or key order share it.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The scenario's Kafka topic names and message key: `[kafka.topics]`,
    /// and a mapped kind's record name where that names no topic.
    pub fn kafka(&self) -> KafkaDefaults {
        let mut kafka = validate::kafka(self).expect("checked when loaded");
        for m in self.mapping.iter().flat_map(|m| m.by_kind.values()) {
            if !kafka.topics.iter().any(|(k, _)| *k == m.kind) {
                kafka.topics.push((m.kind, m.name.clone()));
            }
        }
        kafka
    }

    /// The `[output]` mapping, if the scenario has one.
    pub fn mapping(&self) -> Option<&storesim_sim::mapping::Mapping> {
        self.mapping.as_ref()
    }

    /// The kinds a run writes, of those `world` emits: all of them, or
    /// those `[output] kinds` keeps.
    pub fn written(&self, emitted: &[EventKind]) -> Vec<EventKind> {
        match &self.mapping {
            Some(m) => m.written(emitted),
            None => emitted.to_vec(),
        }
    }

    /// The folder data paths are relative to, for a scenario read from a file.
    fn base_dir(&self) -> Option<&Path> {
        match &self.origin {
            Origin::File(path) => path.parent(),
            Origin::Builtin(_) => None,
        }
    }
}

fn resolve(
    name_or_path: &str,
    relative_to: Option<&Path>,
) -> Result<(Origin, String), ScenarioError> {
    if let Some(b) = BUILTINS.iter().find(|b| b.name == name_or_path) {
        return Ok((Origin::Builtin(b.name), b.text.to_string()));
    }
    let path = match relative_to {
        Some(dir) => dir.join(name_or_path),
        None => PathBuf::from(name_or_path),
    };
    let looks_like_path = name_or_path.contains('/')
        || name_or_path.contains('\\')
        || name_or_path.ends_with(".toml")
        || path.exists();
    if !looks_like_path {
        return Err(ScenarioError::Unknown {
            name: name_or_path.to_string(),
            known: BUILTINS
                .iter()
                .map(|b| b.name)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let text = read_bounded(&path, MAX_SCENARIO_BYTES).map_err(|source| ScenarioError::Read {
        path: path.clone(),
        source,
    })?;
    Ok((Origin::File(path), text))
}

/// The largest scenario file read: the built-in ones are under 30 KB.
const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// The largest data file read (a product or store table).
pub(crate) const MAX_DATA_BYTES: u64 = 64 << 20;

/// Reads a text file of at most `limit` bytes: a larger one (or an endless
/// one, such as `/dev/zero`) is an `InvalidData` error, not a read into
/// all memory. Every input file storesim reads goes through it.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} MiB", limit >> 20),
        ));
    }
    Ok(text)
}

fn merged_table(origin: &Origin, text: &str, depth: usize) -> Result<toml::Table, ScenarioError> {
    let mut table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ScenarioError::Syntax {
            origin: origin.to_string(),
            line,
            column,
            message: e.message().trim().replace('\n', " "),
        }
    })?;
    let Some(parent) = table.remove("extends") else {
        return Ok(table);
    };
    let Some(parent) = parent.as_str() else {
        return Err(ScenarioError::Field {
            origin: origin.to_string(),
            key: "extends".into(),
            message: "must be a scenario name or path (a string)".into(),
        });
    };
    if depth >= MAX_EXTENDS {
        return Err(ScenarioError::ExtendsDepth {
            origin: origin.to_string(),
            max: MAX_EXTENDS,
        });
    }
    let dir = match origin {
        Origin::File(path) => path.parent().map(Path::to_path_buf),
        Origin::Builtin(_) => None,
    };
    let (parent_origin, parent_text) = resolve(parent, dir.as_deref())?;
    let mut base = merged_table(&parent_origin, &parent_text, depth + 1)?;
    // Data paths of a built-in parent stay built-in; a file parent's stay
    // relative to that file.
    if let (Origin::File(parent_path), Some(toml::Value::Table(data))) =
        (&parent_origin, base.get_mut("data"))
    {
        if let Some(parent_dir) = parent_path.parent() {
            for (_, value) in data.iter_mut() {
                if let toml::Value::String(s) = value {
                    if Path::new(s.as_str()).is_relative() {
                        *s = parent_dir.join(s.as_str()).display().to_string();
                    }
                }
            }
        }
    }
    merge(&mut base, table);
    Ok(base)
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests;
