//! The other scenarios' aggregates: keyed sums over one kind's records,
//! read from each record's JSON fields, so a run's events and the same
//! records read back from files are counted by the same code.
//!
//! They count every record delivered (by arrival: a duplicate delivery
//! counts twice), by the day of the record's own time field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::EventKind;
use crate::money::Money;
use crate::world::World;

/// How a key column is read from a record.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// The field's text.
    Field(&'static str),
    /// The date (`YYYY-MM-DD`) at the start of a time field.
    Day(&'static str),
    /// A field's text looked up in the model's table
    /// ([`Model::truth_lookup`](crate::model::Model::truth_lookup); `other`
    /// when absent).
    Lookup(&'static str),
}

/// How a value column sums a record.
#[derive(Debug, Clone, Copy)]
pub enum Sum {
    /// 1 per record.
    Records,
    /// An integer field.
    Int(&'static str),
    /// A money field.
    Money(&'static str),
}

/// One aggregate: `name`, over `kind`, keyed and summed.
#[derive(Debug, Clone, Copy)]
pub struct GroupSpec {
    /// The group's name in the manifest.
    pub name: &'static str,
    /// The kind whose records it sums.
    pub kind: EventKind,
    /// The key columns: name and how each is read.
    pub keys: &'static [(&'static str, Key)],
    /// The value columns: name and what each sums.
    pub sums: &'static [(&'static str, Sum)],
}

impl GroupSpec {
    /// The fields of its kind it reads.
    pub fn fields(&self) -> Vec<&'static str> {
        let keys = self.keys.iter().map(|(_, k)| match *k {
            Key::Field(f) | Key::Day(f) | Key::Lookup(f) => f,
        });
        let sums = self.sums.iter().filter_map(|(_, s)| match *s {
            Sum::Records => None,
            Sum::Int(f) | Sum::Money(f) => Some(f),
        });
        keys.chain(sums).collect()
    }
}

/// One aggregate of a manifest: its key and value columns and its rows
/// (values as text: integers, or money with two decimals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The key columns.
    pub keys: Vec<String>,
    /// The value columns.
    pub values: Vec<String>,
    /// The rows, by key.
    pub rows: Vec<GroupRow>,
}

/// A row of a [`Group`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRow {
    /// The key, one text per key column.
    pub key: Vec<String>,
    /// The sums, one per value column.
    pub sums: Vec<String>,
}

/// The running sums of a scenario's groups.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    specs: &'static [GroupSpec],
    /// The model's lookup table ([`Key::Lookup`]).
    lookup: BTreeMap<String, String>,
    sums: Vec<BTreeMap<Vec<String>, Vec<i64>>>,
}

/// A field's text: a string as is, other values as JSON.
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn int(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn cents(v: Option<&Value>) -> i64 {
    let text = match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => return 0,
    };
    Money::parse_decimal(&text).map_or(0, Money::cents)
}

impl Groups {
    pub(crate) fn new(world: &World) -> Groups {
        let specs = world.model.truth_groups();
        Groups {
            specs,
            lookup: world.model.truth_lookup(),
            sums: specs.iter().map(|_| BTreeMap::new()).collect(),
        }
    }

    /// Whether any group sums records of `kind`.
    pub(crate) fn wants(&self, kind: EventKind) -> bool {
        self.specs.iter().any(|s| s.kind == kind)
    }

    /// Adds a record of `kind`, given as its JSON object.
    pub(crate) fn add(&mut self, kind: EventKind, record: &Value) {
        for (spec, sums) in self.specs.iter().zip(&mut self.sums) {
            if spec.kind != kind {
                continue;
            }
            let key: Vec<String> = spec
                .keys
                .iter()
                .map(|(_, k)| match *k {
                    Key::Field(f) => text(record.get(f)),
                    Key::Day(f) => text(record.get(f)).chars().take(10).collect(),
                    Key::Lookup(f) => {
                        let ua = text(record.get(f));
                        self.lookup
                            .get(&ua)
                            .cloned()
                            .unwrap_or_else(|| "other".to_string())
                    }
                })
                .collect();
            let row = sums.entry(key).or_insert_with(|| vec![0; spec.sums.len()]);
            for (slot, (_, sum)) in row.iter_mut().zip(spec.sums) {
                *slot += match *sum {
                    Sum::Records => 1,
                    Sum::Int(f) => int(record.get(f)),
                    Sum::Money(f) => cents(record.get(f)),
                };
            }
        }
    }

    /// The groups, by name.
    pub(crate) fn finish(self) -> BTreeMap<String, Group> {
        self.specs
            .iter()
            .zip(self.sums)
            .map(|(spec, rows)| {
                let group = Group {
                    keys: spec.keys.iter().map(|(n, _)| n.to_string()).collect(),
                    values: spec.sums.iter().map(|(n, _)| n.to_string()).collect(),
                    rows: rows
                        .into_iter()
                        .map(|(key, sums)| GroupRow {
                            key,
                            sums: sums
                                .iter()
                                .zip(spec.sums)
                                .map(|(&v, (_, s))| match s {
                                    Sum::Money(_) => Money(v).to_string(),
                                    _ => v.to_string(),
                                })
                                .collect(),
                        })
                        .collect(),
                };
                (spec.name.to_string(), group)
            })
            .collect()
    }
}

/// A group's sums by key, as money (integers are whole amounts).
type SummedRows = BTreeMap<Vec<String>, Vec<Money>>;

/// Sums groups of several manifests (shards) row by row.
pub(crate) fn merge(parts: &[&BTreeMap<String, Group>]) -> BTreeMap<String, Group> {
    let mut out: BTreeMap<String, (Group, SummedRows)> = BTreeMap::new();
    for groups in parts {
        for (name, g) in *groups {
            let (_, rows) = out.entry(name.clone()).or_insert_with(|| {
                (
                    Group {
                        rows: Vec::new(),
                        ..g.clone()
                    },
                    BTreeMap::new(),
                )
            });
            for row in &g.rows {
                let sums = rows
                    .entry(row.key.clone())
                    .or_insert_with(|| vec![Money::ZERO; row.sums.len()]);
                for (slot, v) in sums.iter_mut().zip(&row.sums) {
                    *slot += Money::parse_decimal(v).unwrap_or_default();
                }
            }
        }
    }
    out.into_iter()
        .map(|(name, (mut group, rows))| {
            // Integers were written without decimals, money with two.
            let money: Vec<bool> = group
                .values
                .iter()
                .enumerate()
                .map(|(i, _)| {
                    parts.iter().any(|p| {
                        p.get(&name).is_some_and(|g| {
                            g.rows
                                .iter()
                                .any(|r| r.sums.get(i).is_some_and(|s| s.contains('.')))
                        })
                    })
                })
                .collect();
            group.rows = rows
                .into_iter()
                .map(|(key, sums)| GroupRow {
                    key,
                    sums: sums
                        .iter()
                        .zip(&money)
                        .map(|(m, &is_money)| {
                            if is_money {
                                m.to_string()
                            } else {
                                (m.0 / 100).to_string()
                            }
                        })
                        .collect(),
                })
                .collect();
            (name, group)
        })
        .collect()
}
