//! Recomputes the aggregates with named SQL queries: the chain's ship in
//! `sql/verify/chain.sql`; `--query-file` replaces them for a warehouse's
//! own tables.

use std::collections::BTreeMap;

use storesim_sim::truth::{
    BasketSize, CategoryDay, ChainTruth, Group, GroupRow, HourRow, ItemChangeDay, ItemMaster,
    QueueWait, StoreDay, TopItem, WaitBucket,
};
use storesim_sim::Money;
use tokio_postgres::{NoTls, SimpleQueryMessage};

use super::Tables;
use storesim_sinks::postgres::{describe, PostgresConfig};
use storesim_sinks::redact::redact;

/// The queries against storesim's own tables, by scenario model.
pub const QUERIES: [(&str, &str); 5] = [
    ("chain", include_str!("../../sql/verify/chain.sql")),
    ("smoothie", include_str!("../../sql/verify/smoothie.sql")),
    ("webshop", include_str!("../../sql/verify/webshop.sql")),
    ("widgets", include_str!("../../sql/verify/widgets.sql")),
    (
        "marketplace",
        include_str!("../../sql/verify/marketplace.sql"),
    ),
];

/// Why verification against PostgreSQL could not run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query file is malformed or a query's columns are wrong.
    #[error("{0}")]
    Queries(String),
    /// The server cannot be reached, or a query failed.
    #[error("{0}")]
    Server(String),
}

/// The named queries of a file: `-- name: NAME` starts each one.
pub fn parse_queries(
    text: &str,
    origin: &str,
    checks: &[String],
) -> Result<Vec<(String, String)>, QueryError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(name) = line.trim().strip_prefix("-- name:") {
            let name = name.trim();
            if name.is_empty() || out.iter().any(|(q, _)| q == name) {
                return Err(QueryError::Queries(format!(
                    "{origin}:{}: `-- name:` needs a new query name",
                    n + 1
                )));
            }
            out.push((name.to_string(), String::new()));
        } else if let Some((_, sql)) = out.last_mut() {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    if out.is_empty() {
        return Err(QueryError::Queries(format!(
            "{origin}: no queries (each starts with a `-- name: NAME` line)"
        )));
    }
    for (name, _) in &out {
        if !checks.contains(name) {
            return Err(QueryError::Queries(format!(
                "{origin}: query `{name}` is not a check of this manifest (checks: {})",
                checks.join(", ")
            )));
        }
    }
    Ok(out)
}

/// A query's rows, each column by name as text (NULL as absent).
type Rows = Vec<BTreeMap<String, Option<String>>>;

/// Runs the queries on `config`'s database with its schema as the search
/// path; returns each query's rows.
fn run_queries(
    config: &PostgresConfig,
    queries: &[(String, String)],
) -> Result<Vec<(String, Rows)>, QueryError> {
    let server = |m: String| QueryError::Server(redact(&m));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| server(format!("cannot start a runtime: {e}")))?;
    runtime.block_on(async {
        let (client, connection) = config
            .connect_config()
            .connect(NoTls)
            .await
            .map_err(|e| server(format!("cannot connect: {}", describe(&e))))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client
            .batch_execute(&format!("SET search_path TO {}", config.schema))
            .await
            .map_err(|e| server(format!("schema `{}`: {}", config.schema, describe(&e))))?;
        let mut out = Vec::new();
        for (name, sql) in queries {
            let messages = client
                .simple_query(sql)
                .await
                .map_err(|e| server(format!("query `{name}`: {}", describe(&e))))?;
            let mut rows = Vec::new();
            for m in messages {
                if let SimpleQueryMessage::Row(row) = m {
                    let mut map = BTreeMap::new();
                    for (i, col) in row.columns().iter().enumerate() {
                        map.insert(col.name().to_string(), row.get(i).map(str::to_string));
                    }
                    rows.push(map);
                }
            }
            out.push((name.clone(), rows));
        }
        Ok(out)
    })
}

/// Reads the columns of one query's rows.
struct Reader<'a> {
    query: &'a str,
    row: &'a BTreeMap<String, Option<String>>,
}

impl Reader<'_> {
    fn text(&self, column: &str) -> Result<&str, QueryError> {
        match self.row.get(column) {
            Some(Some(v)) => Ok(v),
            Some(None) => Ok(""),
            None => Err(QueryError::Queries(format!(
                "query `{}`: no column `{column}` (it returns {})",
                self.query,
                self.row.keys().cloned().collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    fn bad(&self, column: &str, v: &str, what: &str) -> QueryError {
        QueryError::Queries(format!(
            "query `{}`: column `{column}` is `{v}`, not {what}",
            self.query
        ))
    }

    fn int<T: std::str::FromStr + Default>(&self, column: &str) -> Result<T, QueryError> {
        let v = self.text(column)?;
        if v.is_empty() {
            return Ok(T::default());
        }
        v.parse().map_err(|_| self.bad(column, v, "an integer"))
    }

    fn money(&self, column: &str) -> Result<Money, QueryError> {
        let v = self.text(column)?;
        if v.is_empty() {
            return Ok(Money::ZERO);
        }
        // numeric sums keep the scale of their inputs: `12.30`, `0`.
        Money::parse_decimal(v).ok_or_else(|| self.bad(column, v, "an amount with two decimals"))
    }

    fn day(&self, column: &str) -> Result<String, QueryError> {
        let v = self.text(column)?;
        chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(|d| d.format("%Y-%m-%d").to_string())
            .map_err(|_| self.bad(column, v, "a date YYYY-MM-DD"))
    }
}

/// The observed tables: each query's rows, read as the check it names.
pub fn observe(
    config: &PostgresConfig,
    queries: &[(String, String)],
    groups: &BTreeMap<String, Group>,
) -> Result<Tables, QueryError> {
    let results = run_queries(config, queries)?;
    let mut observed_groups = BTreeMap::new();
    let mut counts = BTreeMap::new();
    let mut chain = ChainTruth::default();
    let mut wait_hist = Vec::new();
    let mut percentiles = None;
    for (name, rows) in &results {
        let readers = rows.iter().map(|row| Reader { query: name, row });
        match name.as_str() {
            "counts" => {
                for r in readers {
                    counts.insert(r.text("kind")?.to_string(), r.int::<u64>("records")?);
                }
            }
            "store_days" => {
                for r in readers {
                    chain.store_days.push(StoreDay {
                        store_id: r.int("store_id")?,
                        day: r.day("day")?,
                        transactions: r.int("transactions")?,
                        lines: r.int("lines")?,
                        net_sales: r.money("net_sales")?,
                        scan_rows: r.int("scan_rows")?,
                        scan_amount: r.money("scan_amount")?,
                    });
                }
            }
            "hours" => {
                for r in readers {
                    chain.hours.push(HourRow {
                        day: r.day("day")?,
                        hour: r.int("hour")?,
                        transactions: r.int("transactions")?,
                        net_sales: r.money("net_sales")?,
                    });
                }
            }
            "category_days" => {
                for r in readers {
                    chain.category_days.push(CategoryDay {
                        day: r.day("day")?,
                        category: r.int("category")?,
                        units: r.int("units")?,
                        net_sales: r.money("net_sales")?,
                    });
                }
            }
            "top_items" => {
                for r in readers {
                    chain.top_items.push(TopItem {
                        day: r.day("day")?,
                        rank: r.int("rank")?,
                        sku: r.int("sku")?,
                        units: r.int("units")?,
                    });
                }
            }
            "basket_sizes" => {
                for r in readers {
                    chain.basket_sizes.push(BasketSize {
                        items: r.int("items")?,
                        transactions: r.int("transactions")?,
                    });
                }
            }
            "item_master" => {
                if let Some(r) = readers.into_iter().next() {
                    chain.item_master = ItemMaster {
                        items: r.int("items")?,
                        price_sum: r.money("price_sum")?,
                    };
                }
            }
            "item_changes" => {
                for r in readers {
                    chain.item_changes.push(ItemChangeDay {
                        day: r.day("day")?,
                        op: r.text("op")?.to_string(),
                        changes: r.int("changes")?,
                    });
                }
            }
            "queue_wait" => {
                for r in readers {
                    wait_hist.push(WaitBucket {
                        seconds: r.int("seconds")?,
                        transactions: r.int("transactions")?,
                    });
                }
            }
            "queue_wait_percentiles" => {
                if let Some(r) = readers.into_iter().next() {
                    let mut p = QueueWait {
                        max_ms: r.int("max_ms")?,
                        ..QueueWait::default()
                    };
                    for name in ["p50", "p90", "p95", "p99"] {
                        if !r.text(name)?.is_empty() {
                            p.percentiles_s.insert(name.to_string(), r.int(name)?);
                        }
                    }
                    percentiles = Some(p);
                }
            }
            other => {
                // A scenario's group: its key and value columns, by name.
                let Some(g) = groups.get(other) else { continue };
                let mut rows = Vec::new();
                for r in readers {
                    let text = |cols: &[String]| -> Result<Vec<String>, QueryError> {
                        cols.iter().map(|c| r.text(c).map(str::to_string)).collect()
                    };
                    rows.push(GroupRow {
                        key: text(&g.keys)?,
                        sums: text(&g.values)?,
                    });
                }
                observed_groups.insert(other.to_string(), Group { rows, ..g.clone() });
            }
        }
    }
    wait_hist.sort_by_key(|b| b.seconds);
    chain.queue_wait.histogram_s = wait_hist;
    let mut all = super::tables(&counts, Some(&chain), &observed_groups);
    if let Some(p) = percentiles {
        all.insert(
            "queue_wait_percentiles".to_string(),
            super::wait_percentiles(&p),
        );
    }
    // Only the checks that have a query were observed.
    all.retain(|name, _| queries.iter().any(|(n, _)| n == name));
    Ok(all)
}
