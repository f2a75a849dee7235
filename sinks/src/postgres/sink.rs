//! The PostgreSQL sink: dimensions upserted once per run, facts appended
//! with binary COPY, one transaction per batch, retried through a lost
//! connection.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::pin_mut;
use rust_decimal::Decimal;
use storesim_sim::event::{ChangeOp, ItemChangeEvent, ScanEvent, TransactionEvent};
use storesim_sim::{Event, EventBatch, Money, World};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls, Transaction};

use super::config::{redact_url, PostgresConfig};
use crate::{DeliveryReport, Sink, SinkError};

const SCHEMA_SQL: &str = include_str!("../../sql/postgres/schema.sql");
const DROP_SQL: &str = include_str!("../../sql/postgres/drop.sql");
const CDC_SQL: &str = include_str!("../../sql/postgres/cdc.sql");

/// What `storesim db init` does besides creating what is missing.
#[derive(Debug, Clone, Copy, Default)]
pub struct InitOptions {
    /// Drop storesim's tables first.
    pub drop: bool,
    /// Full replica identity on item_master and a publication for it.
    pub cdc: bool,
}

/// Connects, with the connection driven on the current tokio runtime.
pub async fn connect(config: &PostgresConfig) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect_config().connect(NoTls).await?;
    tokio::spawn(async move {
        // Ends when the client is dropped or the connection is lost; the
        // client's next call reports the loss.
        let _ = connection.await;
    });
    client
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {0}; SET search_path TO {0}",
            config.schema
        ))
        .await?;
    Ok(client)
}

/// Creates storesim's tables in `schema`, the connection's search path
/// (idempotent), in one transaction under an advisory lock, so concurrent
/// runs agree. The CDC publication is `SCHEMA_item_master`.
pub async fn init(
    client: &Client,
    schema: &str,
    options: InitOptions,
) -> Result<(), tokio_postgres::Error> {
    let mut sql = String::from("BEGIN; SELECT pg_advisory_xact_lock(hashtext('storesim init'));\n");
    if options.drop {
        sql.push_str(&DROP_SQL.replace("{{schema}}", schema));
    }
    sql.push_str(SCHEMA_SQL);
    if options.cdc {
        sql.push_str(&CDC_SQL.replace("{{schema}}", schema));
    }
    sql.push_str("\nCOMMIT;");
    client.batch_execute(&sql).await
}

/// Connects, creates what is missing of the schema (with `options`) and
/// upserts the world's dimensions, on a runtime of its own: what a run's
/// sink and `storesim db init` do first. A server that cannot be reached
/// or refuses the credentials is a [`SinkError::Spec`]; a failure after
/// connecting, a [`SinkError::Delivery`]. Messages name the sink `name` and
/// never the password.
pub fn prepare(
    name: &str,
    config: &PostgresConfig,
    world: &World,
    options: InitOptions,
) -> Result<(), SinkError> {
    let spec = |message: String| SinkError::Spec {
        spec: name.to_string(),
        message: redact_url(&message),
    };
    let failed = |message: String| SinkError::Delivery {
        sink: name.to_string(),
        message: redact_url(&message),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(format!("cannot start a runtime: {e}")))?;
    runtime.block_on(async {
        let client = connect(config)
            .await
            .map_err(|e| spec(format!("cannot connect: {}", describe(&e))))?;
        init(&client, &config.schema, options).await.map_err(|e| {
            failed(format!(
                "cannot create the schema `{}`: {}",
                config.schema,
                describe(&e)
            ))
        })?;
        load_dimensions(&client, world)
            .await
            .map_err(|e| failed(format!("cannot load stores and items: {}", describe(&e))))
    })
}

fn decimal(m: Money) -> Decimal {
    Decimal::new(m.0, 2)
}

/// Upserts the scenario's stores, categories and item master; rows that
/// did not change are not touched (no UPDATE reaches a CDC stream).
pub async fn load_dimensions(client: &Client, world: &World) -> Result<(), tokio_postgres::Error> {
    let s = &world.stores;
    let ids: Vec<i32> = s.iter().map(|s| s.store_id as i32).collect();
    let address: Vec<&str> = s.iter().map(|s| s.address.as_str()).collect();
    let city: Vec<&str> = s.iter().map(|s| s.city.as_str()).collect();
    let state: Vec<&str> = s.iter().map(|s| s.state.as_str()).collect();
    let zip: Vec<&str> = s.iter().map(|s| s.zipcode.as_str()).collect();
    let lat: Vec<f64> = s.iter().map(|s| s.latitude).collect();
    let lon: Vec<f64> = s.iter().map(|s| s.longitude).collect();
    let tz: Vec<&str> = s.iter().map(|s| s.time_zone.as_str()).collect();
    let class: Vec<&str> = s.iter().map(|s| s.size_class.as_str()).collect();
    let regs: Vec<i16> = s.iter().map(|s| i16::from(s.registers)).collect();
    let scos: Vec<i16> = s.iter().map(|s| i16::from(s.self_checkouts)).collect();
    let tax: Vec<Decimal> = s
        .iter()
        .map(|s| Decimal::new(i64::from(s.tax_rate_bp), 4))
        .collect();
    client
        .execute(
            "INSERT INTO stores AS t (store_id, address, city, state, zipcode, latitude, longitude,
                 time_zone, size_class, registers, self_checkouts, tax_rate)
             SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[],
                 $6::float8[], $7::float8[], $8::text[], $9::text[], $10::int2[], $11::int2[], $12::numeric[])
             ON CONFLICT (store_id) DO UPDATE SET address = EXCLUDED.address, city = EXCLUDED.city,
                 state = EXCLUDED.state, zipcode = EXCLUDED.zipcode, latitude = EXCLUDED.latitude,
                 longitude = EXCLUDED.longitude, time_zone = EXCLUDED.time_zone,
                 size_class = EXCLUDED.size_class, registers = EXCLUDED.registers,
                 self_checkouts = EXCLUDED.self_checkouts, tax_rate = EXCLUDED.tax_rate
             WHERE (t.address, t.city, t.state, t.zipcode, t.latitude, t.longitude, t.time_zone,
                    t.size_class, t.registers, t.self_checkouts, t.tax_rate)
                IS DISTINCT FROM
                   (EXCLUDED.address, EXCLUDED.city, EXCLUDED.state, EXCLUDED.zipcode,
                    EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.time_zone, EXCLUDED.size_class,
                    EXCLUDED.registers, EXCLUDED.self_checkouts, EXCLUDED.tax_rate)",
            &[
                &ids, &address, &city, &state, &zip, &lat, &lon, &tz, &class, &regs, &scos, &tax,
            ],
        )
        .await?;
    let c = &world.categories;
    let code: Vec<i32> = c.iter().map(|c| c.category_code as i32).collect();
    let name: Vec<&str> = c.iter().map(|c| c.category_name.as_str()).collect();
    let desc: Vec<&str> = c.iter().map(|c| c.category_description.as_str()).collect();
    let taxable: Vec<bool> = c.iter().map(|c| c.taxable).collect();
    client
        .execute(
            "INSERT INTO item_categories AS t (category_code, category_name, category_description, taxable)
             SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bool[])
             ON CONFLICT (category_code) DO UPDATE SET category_name = EXCLUDED.category_name,
                 category_description = EXCLUDED.category_description, taxable = EXCLUDED.taxable
             WHERE (t.category_name, t.category_description, t.taxable)
                IS DISTINCT FROM (EXCLUDED.category_name, EXCLUDED.category_description, EXCLUDED.taxable)",
            &[&code, &name, &desc, &taxable],
        )
        .await?;
    let i = &world.items;
    let id: Vec<i32> = i.iter().map(|i| i.item_id as i32).collect();
    let upc: Vec<i64> = i.iter().map(|i| i.item_upc as i64).collect();
    let cat: Vec<i32> = i.iter().map(|i| i.category_code as i32).collect();
    let name: Vec<&str> = i.iter().map(|i| i.item_name.as_str()).collect();
    let brand: Vec<&str> = i.iter().map(|i| i.brand.as_str()).collect();
    let price: Vec<Decimal> = i.iter().map(|i| decimal(i.item_price)).collect();
    let cost: Vec<Decimal> = i.iter().map(|i| decimal(i.item_cost)).collect();
    let repl: Vec<i32> = i.iter().map(|i| i.repl_qty as i32).collect();
    let pop: Vec<i16> = i.iter().map(|i| i16::from(i.popularity)).collect();
    let member: Vec<bool> = i.iter().map(|i| i.member_price).collect();
    client
        .execute(
            "INSERT INTO item_master AS t (item_id, item_upc, category_code, item_name, brand,
                 item_price, item_cost, repl_qty, popularity, member_price)
             SELECT * FROM unnest($1::int[], $2::int8[], $3::int[], $4::text[], $5::text[],
                 $6::numeric[], $7::numeric[], $8::int[], $9::int2[], $10::bool[])
             ON CONFLICT (item_id) DO UPDATE SET item_upc = EXCLUDED.item_upc,
                 category_code = EXCLUDED.category_code, item_name = EXCLUDED.item_name,
                 brand = EXCLUDED.brand, item_price = EXCLUDED.item_price,
                 item_cost = EXCLUDED.item_cost, repl_qty = EXCLUDED.repl_qty,
                 popularity = EXCLUDED.popularity, member_price = EXCLUDED.member_price,
                 updated_at = now()
             WHERE (t.item_upc, t.category_code, t.item_name, t.brand, t.item_price, t.item_cost,
                    t.repl_qty, t.popularity, t.member_price)
                IS DISTINCT FROM
                   (EXCLUDED.item_upc, EXCLUDED.category_code, EXCLUDED.item_name, EXCLUDED.brand,
                    EXCLUDED.item_price, EXCLUDED.item_cost, EXCLUDED.repl_qty,
                    EXCLUDED.popularity, EXCLUDED.member_price)",
            &[
                &id, &upc, &cat, &name, &brand, &price, &cost, &repl, &pop, &member,
            ],
        )
        .await?;
    Ok(())
}

const SCAN_COLUMNS: &str = "event_id, ts, store_id, register, transaction_id, line, sku, category, quantity, unit_price, discount";
const SCAN_TYPES: [Type; 11] = [
    Type::TEXT,
    Type::TIMESTAMPTZ,
    Type::INT4,
    Type::INT2,
    Type::TEXT,
    Type::INT4,
    Type::INT4,
    Type::INT4,
    Type::INT4,
    Type::NUMERIC,
    Type::NUMERIC,
];
const TXN_COLUMNS: &str = "transaction_id, ts, store_id, register, customer_id, start_ts, end_ts, line_count, item_count, subtotal, discount, tax, total, payment_method, queue_wait_ms";
const TXN_TYPES: [Type; 15] = [
    Type::TEXT,
    Type::TIMESTAMPTZ,
    Type::INT4,
    Type::INT2,
    Type::INT8,
    Type::TIMESTAMPTZ,
    Type::TIMESTAMPTZ,
    Type::INT4,
    Type::INT4,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::TEXT,
    Type::INT4,
];

async fn copy_scans(
    tx: &Transaction<'_>,
    table: &str,
    scans: &[&ScanEvent],
) -> Result<(), tokio_postgres::Error> {
    let sink = tx
        .copy_in(&format!(
            "COPY {table} ({SCAN_COLUMNS}) FROM STDIN (FORMAT binary)"
        ))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &SCAN_TYPES);
    pin_mut!(writer);
    for s in scans {
        let row: [&(dyn ToSql + Sync); 11] = [
            &s.event_id().to_string(),
            &s.ts.to_datetime(),
            &(s.store_id() as i32),
            &(s.register as i16),
            &s.transaction_id.to_string(),
            &i32::from(s.line),
            &(s.sku as i32),
            &(s.category as i32),
            &i32::from(s.quantity),
            &decimal(s.unit_price),
            &decimal(s.discount),
        ];
        writer.as_mut().write(&row).await?;
    }
    writer.finish().await?;
    Ok(())
}

async fn copy_transactions(
    tx: &Transaction<'_>,
    table: &str,
    txns: &[&TransactionEvent],
) -> Result<(), tokio_postgres::Error> {
    let sink = tx
        .copy_in(&format!(
            "COPY {table} ({TXN_COLUMNS}) FROM STDIN (FORMAT binary)"
        ))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &TXN_TYPES);
    pin_mut!(writer);
    for t in txns {
        let row: [&(dyn ToSql + Sync); 15] = [
            &t.transaction_id.to_string(),
            &t.ts.to_datetime(),
            &(t.store_id as i32),
            &(t.register as i16),
            &t.customer_id.map(|c| c as i64),
            &t.start_ts.to_datetime(),
            &t.end_ts.to_datetime(),
            &i32::from(t.line_count),
            &(t.item_count as i32),
            &decimal(t.subtotal),
            &decimal(t.discount),
            &decimal(t.tax),
            &decimal(t.total),
            &t.payment_method.as_str(),
            &(t.queue_wait_ms as i32),
        ];
        writer.as_mut().write(&row).await?;
    }
    writer.finish().await?;
    Ok(())
}

/// Applies item-master changes as real INSERT, UPDATE and DELETE
/// statements; `updated_at` is the change's virtual time.
async fn apply_item_changes(
    tx: &Transaction<'_>,
    changes: &[&ItemChangeEvent],
) -> Result<(), tokio_postgres::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    let insert = tx
        .prepare(
            "INSERT INTO item_master (item_id, item_upc, category_code, item_name, brand, item_price,
                 item_cost, repl_qty, popularity, member_price, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (item_id) DO UPDATE SET item_upc = EXCLUDED.item_upc,
                 category_code = EXCLUDED.category_code, item_name = EXCLUDED.item_name,
                 brand = EXCLUDED.brand, item_price = EXCLUDED.item_price,
                 item_cost = EXCLUDED.item_cost, repl_qty = EXCLUDED.repl_qty,
                 popularity = EXCLUDED.popularity, member_price = EXCLUDED.member_price,
                 updated_at = EXCLUDED.updated_at",
        )
        .await?;
    let update = tx
        .prepare("UPDATE item_master SET item_price = $2, updated_at = $3 WHERE item_id = $1")
        .await?;
    let delete = tx
        .prepare("DELETE FROM item_master WHERE item_id = $1")
        .await?;
    for c in changes {
        let id = c.item_id as i32;
        let at = c.ts.to_datetime();
        match (c.op, &c.after) {
            (ChangeOp::Create, Some(r)) => {
                tx.execute(
                    &insert,
                    &[
                        &id,
                        &(r.item_upc as i64),
                        &(r.category_code as i32),
                        &r.item_name,
                        &r.brand,
                        &decimal(r.item_price),
                        &decimal(r.item_cost),
                        &(r.repl_qty as i32),
                        &i16::from(r.popularity),
                        &r.member_price,
                        &at,
                    ],
                )
                .await?;
            }
            (ChangeOp::Update, Some(r)) => {
                tx.execute(&update, &[&id, &decimal(r.item_price), &at])
                    .await?;
            }
            (ChangeOp::Delete, _) => {
                tx.execute(&delete, &[&id]).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether an error may go away by reconnecting and retrying: a lost or
/// refused connection, a server shutting down or starting up, a
/// serialization failure or deadlock.
fn retriable(e: &tokio_postgres::Error) -> bool {
    match e.code() {
        None => true,
        Some(code) => {
            let c = code.code();
            c.starts_with("08")
                || c.starts_with("57P")
                || c == "40001"
                || c == "40P01"
                || c == "53300"
        }
    }
}

fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code()
        .is_some_and(|c| *c == tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

/// Writes to PostgreSQL.
pub struct PostgresSink {
    name: String,
    config: PostgresConfig,
    client: Option<Client>,
    run_id: String,
    batches: i64,
    report: DeliveryReport,
}

impl std::fmt::Debug for PostgresSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSink")
            .field("name", &self.name)
            .field("schema", &self.config.schema)
            .finish()
    }
}

impl PostgresSink {
    /// Connects (a clear error if the server is unreachable or refuses the
    /// credentials), creates what is missing of the schema, and upserts
    /// the world's dimensions. The connection used for writing is opened
    /// on the sink's own runtime at the first batch.
    pub fn open(
        raw: &str,
        config: PostgresConfig,
        world: &World,
    ) -> Result<PostgresSink, SinkError> {
        let name = redact_url(raw);
        prepare(&name, &config, world, InitOptions::default())?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(PostgresSink {
            run_id: format!("{}-{nanos}", std::process::id()),
            name,
            config,
            client: None,
            batches: 0,
            report: DeliveryReport::default(),
        })
    }

    /// One attempt at writing the batch in one transaction; `Ok` also when
    /// an earlier attempt had written it and only its answer was lost (the
    /// batch ledger says so).
    async fn attempt(
        &mut self,
        batch: &EventBatch,
        batch_no: i64,
    ) -> Result<(), tokio_postgres::Error> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = Some(connect(&self.config).await?);
        }
        let client = self.client.as_mut().expect("connected above");
        let scans: Vec<&ScanEvent> = batch
            .events
            .iter()
            .filter_map(|s| match &s.event {
                Event::Scan(e) => Some(e),
                _ => None,
            })
            .collect();
        let txns: Vec<&TransactionEvent> = batch
            .events
            .iter()
            .filter_map(|s| match &s.event {
                Event::Transaction(t) => Some(&**t),
                _ => None,
            })
            .collect();
        let changes: Vec<&ItemChangeEvent> = batch
            .events
            .iter()
            .filter_map(|s| match &s.event {
                Event::ItemChange(c) => Some(&**c),
                _ => None,
            })
            .collect();
        let tx = client.transaction().await?;
        let done = tx
            .query_opt(
                "SELECT 1 FROM storesim_batches WHERE run_id = $1 AND batch = $2",
                &[&self.run_id, &batch_no],
            )
            .await?;
        if done.is_none() {
            // The item master first, statement by statement in event order,
            // so a logical replication slot sees them as the events say.
            apply_item_changes(&tx, &changes).await?;
            let direct = async {
                tx.batch_execute("SAVEPOINT copy").await?;
                copy_scans(&tx, "scans", &scans).await?;
                copy_transactions(&tx, "transactions", &txns).await
            }
            .await;
            match direct {
                Ok(()) => {}
                Err(e) if is_unique_violation(&e) => {
                    // Rows of an earlier run of the same seed: keep them,
                    // add only what is missing.
                    tx.batch_execute(
                        "ROLLBACK TO SAVEPOINT copy;
                         CREATE TEMP TABLE IF NOT EXISTS scans_stage (LIKE scans) ON COMMIT DELETE ROWS;
                         CREATE TEMP TABLE IF NOT EXISTS transactions_stage (LIKE transactions) ON COMMIT DELETE ROWS;",
                    )
                    .await?;
                    copy_scans(&tx, "scans_stage", &scans).await?;
                    copy_transactions(&tx, "transactions_stage", &txns).await?;
                    tx.batch_execute(
                        "INSERT INTO scans SELECT * FROM scans_stage ON CONFLICT DO NOTHING;
                         INSERT INTO transactions SELECT * FROM transactions_stage ON CONFLICT DO NOTHING;",
                    )
                    .await?;
                }
                Err(e) => return Err(e),
            }
            let first = batch.events.first().map(|s| s.event.ts().to_datetime());
            let last = batch.events.last().map(|s| s.event.ts().to_datetime());
            tx.execute(
                "INSERT INTO storesim_batches (run_id, batch, first_ts, last_ts, events)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &self.run_id,
                    &batch_no,
                    &first,
                    &last,
                    &(batch.events.len() as i64),
                ],
            )
            .await?;
        }
        tx.commit().await
    }
}

/// A tokio-postgres error with the server's message, on one line.
fn describe(e: &tokio_postgres::Error) -> String {
    let text = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    };
    text.replace('\n', " ")
}

#[async_trait]
impl Sink for PostgresSink {
    fn name(&self) -> &str {
        &self.name
    }

    /// Writes the batch in one transaction; a lost connection is retried
    /// with backoff (the scheduler waits meanwhile) until `retry_timeout`.
    async fn write(&mut self, batch: &EventBatch) -> Result<(), SinkError> {
        if batch.events.is_empty() {
            return Ok(());
        }
        self.batches += 1;
        let batch_no = self.batches;
        let deadline = Instant::now() + self.config.retry_timeout;
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.attempt(batch, batch_no).await {
                Ok(()) => {
                    self.report.add_batch(batch);
                    return Ok(());
                }
                Err(e) if retriable(&e) && Instant::now() < deadline => {
                    tracing::warn!(sink = %self.name, error = %describe(&e), "Retrying a batch.");
                    self.client = None;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
                Err(e) => {
                    let why = if retriable(&e) {
                        format!(
                            "gave up after {} s of retries: {}",
                            self.config.retry_timeout.as_secs(),
                            describe(&e)
                        )
                    } else {
                        describe(&e)
                    };
                    return Err(SinkError::Delivery {
                        sink: self.name.clone(),
                        message: why,
                    });
                }
            }
        }
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        self.client = None;
        Ok(self.report)
    }

    fn report(&self) -> DeliveryReport {
        self.report
    }
}
