//! `storesim verify`: recomputes a run's reference aggregates from what
//! landed downstream (PostgreSQL tables, or the files sink's directory)
//! and compares them with the run's manifest, aggregate by aggregate.
//!
//! Both sides become [`Table`]s: rows keyed by text that names them
//! (`store 1101, 2026-11-23`), with named integer or money values. A row
//! missing on one side counts as zeros, so an hour whose only sale was
//! voided matches whether or not the other side lists it.

pub mod files;
pub mod postgres;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use storesim_sim::truth::{ChainTruth, Group, Manifest, QueueWait};
use storesim_sim::Money;

/// Differences listed per check before `... and N more`.
const SHOWN: usize = 10;

/// The checks of the chain, in the order they are reported.
pub const CHAIN_CHECKS: [&str; 10] = [
    "counts",
    "store_days",
    "hours",
    "category_days",
    "top_items",
    "basket_sizes",
    "queue_wait",
    "queue_wait_percentiles",
    "item_changes",
    "item_master",
];

/// A value of an aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val {
    /// A count or an id.
    Int(i64),
    /// An amount.
    Money(Money),
}

impl Val {
    fn is_zero(self) -> bool {
        matches!(self, Val::Int(0) | Val::Money(Money(0)))
    }

    fn zero_like(self) -> Val {
        match self {
            Val::Int(_) => Val::Int(0),
            Val::Money(_) => Val::Money(Money::ZERO),
        }
    }

    /// `got - expected`, written with a sign.
    fn difference(self, got: Val) -> String {
        match (self, got) {
            (Val::Int(e), Val::Int(g)) => format!("{:+}", g - e),
            (Val::Money(e), Val::Money(g)) => {
                let d = g - e;
                if d.0 >= 0 {
                    format!("+{d}")
                } else {
                    d.to_string()
                }
            }
            _ => "?".to_string(),
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Int(n) => write!(f, "{n}"),
            Val::Money(m) => write!(f, "{m}"),
        }
    }
}

/// One aggregate's rows: key text to named values.
pub type Table = BTreeMap<String, Vec<(Name, Val)>>;

/// A value column's name.
pub type Name = std::borrow::Cow<'static, str>;

fn int(n: u64) -> Val {
    Val::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The tables of named checks.
pub type Tables = BTreeMap<String, Table>;

/// The aggregates of a manifest's counts, chain truth and groups, as tables.
pub fn tables(
    counts: &BTreeMap<String, u64>,
    chain: Option<&ChainTruth>,
    groups: &BTreeMap<String, Group>,
) -> Tables {
    let mut out = Tables::new();
    for (name, g) in groups {
        out.insert(name.clone(), group_table(g));
    }
    out.insert(
        "counts".to_string(),
        counts
            .iter()
            .map(|(k, &n)| (format!("kind {k}"), vec![("records".into(), int(n))]))
            .collect(),
    );
    let Some(c) = chain else {
        return out;
    };
    out.insert(
        "store_days".to_string(),
        c.store_days
            .iter()
            .map(|d| {
                (
                    format!("store {}, {}", d.store_id, d.day),
                    vec![
                        ("transactions".into(), int(d.transactions)),
                        ("lines".into(), int(d.lines)),
                        ("net_sales".into(), Val::Money(d.net_sales)),
                        ("scan_rows".into(), int(d.scan_rows)),
                        ("scan_amount".into(), Val::Money(d.scan_amount)),
                    ],
                )
            })
            .collect(),
    );
    out.insert(
        "hours".to_string(),
        c.hours
            .iter()
            .map(|h| {
                (
                    format!("{} {:02}h", h.day, h.hour),
                    vec![
                        ("transactions".into(), int(h.transactions)),
                        ("net_sales".into(), Val::Money(h.net_sales)),
                    ],
                )
            })
            .collect(),
    );
    out.insert(
        "category_days".to_string(),
        c.category_days
            .iter()
            .map(|d| {
                (
                    format!("{}, category {}", d.day, d.category),
                    vec![
                        ("units".into(), int(d.units)),
                        ("net_sales".into(), Val::Money(d.net_sales)),
                    ],
                )
            })
            .collect(),
    );
    out.insert(
        "top_items".to_string(),
        c.top_items
            .iter()
            .map(|t| {
                (
                    format!("{}, rank {:02}", t.day, t.rank),
                    vec![
                        ("sku".into(), Val::Int(i64::from(t.sku))),
                        ("units".into(), int(t.units)),
                    ],
                )
            })
            .collect(),
    );
    out.insert(
        "basket_sizes".to_string(),
        c.basket_sizes
            .iter()
            .map(|b| {
                (
                    format!("baskets of {:03} units", b.items),
                    vec![("transactions".into(), int(b.transactions))],
                )
            })
            .collect(),
    );
    out.insert("queue_wait".to_string(), wait_histogram(&c.queue_wait));
    out.insert(
        "queue_wait_percentiles".to_string(),
        wait_percentiles(&c.queue_wait),
    );
    out.insert(
        "item_changes".to_string(),
        c.item_changes
            .iter()
            .map(|d| {
                (
                    format!("{}, op {}", d.day, d.op),
                    vec![("changes".into(), int(d.changes))],
                )
            })
            .collect(),
    );
    out.insert(
        "item_master".to_string(),
        BTreeMap::from([(
            "the item master".to_string(),
            vec![
                ("items".into(), int(c.item_master.items)),
                ("price_sum".into(), Val::Money(c.item_master.price_sum)),
            ],
        )]),
    );
    out
}

fn group_table(g: &Group) -> Table {
    g.rows
        .iter()
        .map(|row| {
            let key: Vec<String> = g
                .keys
                .iter()
                .zip(&row.key)
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let values = g
                .values
                .iter()
                .zip(&row.sums)
                .map(|(n, v)| {
                    let val = if v.contains('.') {
                        Val::Money(Money::parse_decimal(v).unwrap_or_default())
                    } else {
                        Val::Int(v.parse().unwrap_or(0))
                    };
                    (Name::from(n.clone()), val)
                })
                .collect();
            (key.join(", "), values)
        })
        .collect()
}

fn wait_histogram(q: &QueueWait) -> Table {
    q.histogram_s
        .iter()
        .map(|b| {
            (
                format!("waited {:05} s", b.seconds),
                vec![("transactions".into(), int(b.transactions))],
            )
        })
        .collect()
}

fn wait_percentiles(q: &QueueWait) -> Table {
    let mut values: Vec<(Name, Val)> = ["p50", "p90", "p95", "p99"]
        .into_iter()
        .map(|p| {
            let v = q.percentiles_s.get(p).copied().unwrap_or(0);
            (p.into(), Val::Int(i64::from(v)))
        })
        .collect();
    values.push(("max_ms".into(), Val::Int(i64::from(q.max_ms))));
    BTreeMap::from([("queue waits".to_string(), values)])
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The aggregate.
    pub name: String,
    /// Rows the manifest holds.
    pub rows: usize,
    /// Differences, one line each, naming the row; empty when it passes.
    pub problems: Vec<String>,
    /// Whether the check was skipped (no query for it).
    pub skipped: bool,
}

impl Check {
    /// Whether the check found no difference.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Compares each expected table with the observed one of the same name;
/// an expected table with no observed one is skipped.
pub fn compare(expected: &Tables, observed: &Tables, order: &[&str]) -> Vec<Check> {
    let mut names: Vec<&str> = order
        .iter()
        .copied()
        .filter(|n| expected.contains_key(*n))
        .collect();
    names.extend(
        expected
            .keys()
            .map(String::as_str)
            .filter(|n| !order.contains(n)),
    );
    names
        .into_iter()
        .map(|name| {
            let mut want = &expected[name];
            let only_observed;
            if name == "counts" {
                // Kinds a query does not count are not checked.
                if let Some(got) = observed.get(name) {
                    only_observed = want
                        .iter()
                        .filter(|(k, _)| got.contains_key(*k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    want = &only_observed;
                }
            }
            match observed.get(name) {
                None => Check {
                    name: name.to_string(),
                    rows: want.len(),
                    problems: Vec::new(),
                    skipped: true,
                },
                Some(got) => Check {
                    name: name.to_string(),
                    rows: want.len(),
                    problems: diff(want, got),
                    skipped: false,
                },
            }
        })
        .collect()
}

fn diff(want: &Table, got: &Table) -> Vec<String> {
    let keys: BTreeSet<&String> = want.keys().chain(got.keys()).collect();
    let mut problems = Vec::new();
    for key in keys {
        let (w, g) = (want.get(key), got.get(key));
        let template = w.or(g).expect("a key of one side");
        let zeros: Vec<(Name, Val)> = template
            .iter()
            .map(|(n, v)| (n.clone(), v.zero_like()))
            .collect();
        let w = w.unwrap_or(&zeros);
        let g = g.unwrap_or(&zeros);
        let mut fields = Vec::new();
        for (name, expected) in w {
            let expected = *expected;
            let got = g
                .iter()
                .find(|(n, _)| n == name)
                .map_or(expected.zero_like(), |&(_, v)| v);
            if got != expected {
                fields.push(format!(
                    "{name} expected {expected}, got {got} ({})",
                    expected.difference(got)
                ));
            }
        }
        if !fields.is_empty() {
            let absent = if !want.contains_key(key) {
                " (not in the manifest)"
            } else if !got.contains_key(key) && w.iter().any(|(_, v)| !v.is_zero()) {
                " (missing downstream)"
            } else {
                ""
            };
            problems.push(format!("{key}{absent}: {}", fields.join("; ")));
        }
    }
    problems
}

/// Writes the pass/fail table: one line per check, then its first
/// differences, indented; a skipped check says `skipped (WHY)`.
pub fn report(
    checks: &[Check],
    why_skipped: &str,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let width = checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(out, "{:<width$}  {:>9}  result", "check", "rows")?;
    for c in checks {
        let result = if c.skipped {
            format!("skipped ({why_skipped})")
        } else if c.passed() {
            "pass".to_string()
        } else {
            format!("FAIL ({} differences)", c.problems.len())
        };
        writeln!(out, "{:<width$}  {:>9}  {result}", c.name, c.rows)?;
        for p in c.problems.iter().take(SHOWN) {
            writeln!(out, "    {p}")?;
        }
        if c.problems.len() > SHOWN {
            writeln!(out, "    ... and {} more", c.problems.len() - SHOWN)?;
        }
    }
    Ok(())
}

/// The names of a manifest's checks, in report order.
pub fn checks(manifest: &Manifest) -> Vec<String> {
    let mut names = vec!["counts".to_string()];
    if manifest.chain.is_some() {
        names.extend(CHAIN_CHECKS[1..].iter().map(|s| s.to_string()));
    }
    names.extend(manifest.groups.keys().cloned());
    names
}

/// The tables of a manifest.
pub fn expected(manifest: &Manifest) -> Tables {
    tables(&manifest.counts, manifest.chain.as_ref(), &manifest.groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[(&str, i64, i64)]) -> Table {
        rows.iter()
            .map(|&(k, n, m)| {
                (
                    k.to_string(),
                    vec![
                        ("transactions".into(), Val::Int(n)),
                        ("net_sales".into(), Val::Money(Money(m))),
                    ],
                )
            })
            .collect()
    }

    #[test]
    fn differences_name_the_row_and_the_amount() {
        let want = table(&[
            ("store 1101, 2026-11-23", 10, 12_345),
            ("store 1102, 2026-11-23", 4, 0),
        ]);
        let got = table(&[("store 1101, 2026-11-23", 10, 12_146)]);
        let p = diff(&want, &got);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(
            p[0],
            "store 1101, 2026-11-23: net_sales expected 123.45, got 121.46 (-1.99)"
        );
        assert!(p[1].starts_with(
            "store 1102, 2026-11-23 (missing downstream): transactions expected 4, got 0 (-4)"
        ));
    }

    #[test]
    fn zero_rows_match_absent_rows() {
        let want = table(&[("2026-11-23 07h", 0, 0), ("2026-11-23 08h", 3, 500)]);
        let got = table(&[("2026-11-23 08h", 3, 500), ("2026-11-23 09h", 0, 0)]);
        assert!(diff(&want, &got).is_empty());
    }

    #[test]
    fn a_missing_query_skips_its_check() {
        let want = Tables::from([
            ("counts".to_string(), table(&[])),
            ("hours".to_string(), table(&[])),
        ]);
        let got = Tables::from([("counts".to_string(), table(&[]))]);
        let checks = compare(&want, &got, &CHAIN_CHECKS);
        assert!(!checks[0].skipped);
        assert!(checks[1].skipped);
    }
}
