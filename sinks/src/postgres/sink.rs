//! The PostgreSQL sink: dimensions upserted once per run, facts appended
//! with binary COPY, one transaction per batch, retried through a lost
//! connection.

use async_trait::async_trait;
use bytes::BytesMut;
use chrono::{DateTime, Utc};
use futures::pin_mut;
use rust_decimal::Decimal;
use storesim_sim::chain::{ChangeOp, ItemChangeEvent, ScanEvent, TransactionEvent};
use storesim_sim::event::{ScanId, TxnId};
use storesim_sim::{Event, EventBatch, EventKind, Money, SimTime, Stamped};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{accepts, to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{Client, NoTls, Transaction};

use super::config::PostgresConfig;
use crate::encode::{Encoder, Schema};
use crate::redact::{redact, redact_spec};
use crate::retry::Retry;
use crate::{DeliveryReport, Dimensions, Sink, SinkError};

const SCHEMA_SQL: &str = include_str!("../../sql/postgres/schema.sql");
const DROP_SQL: &str = include_str!("../../sql/postgres/drop.sql");
const CDC_SQL: &str = include_str!("../../sql/postgres/cdc.sql");
const KEYS_SQL: &str = include_str!("../../sql/postgres/keys.sql");
const SCANS_SQL: &str = include_str!("../../sql/postgres/scans.sql");
const SCANS_APEX_SQL: &str = include_str!("../../sql/postgres/scans_apex.sql");

/// What `storesim db init` does besides creating what is missing.
#[derive(Debug, Clone, Copy, Default)]
pub struct InitOptions {
    /// Drop storesim's tables first.
    pub drop: bool,
    /// Full replica identity on item_master and a publication for it.
    pub cdc: bool,
    /// Primary keys on the facts and a per-store index on transactions.
    pub keys: bool,
    /// The shape of the scans table.
    pub schema: Schema,
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
    sql.push_str(match options.schema {
        Schema::Storesim => SCANS_SQL,
        Schema::Apex => SCANS_APEX_SQL,
    });
    if options.keys {
        sql.push_str(KEYS_SQL);
    }
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
///
/// `stream` is the run's (for a sink; `None` for `db init`): when the batch
/// ledger holds batches of it, an earlier run of the same stream has
/// written the dimensions and changed the item master as far as it got,
/// so they are left as they are. Loading them again would reset the
/// churned prices, and the batches that changed them are not written twice.
pub fn prepare(
    name: &str,
    config: &PostgresConfig,
    kinds: &[EventKind],
    dimensions: Option<Dimensions<'_>>,
    options: InitOptions,
    stream: Option<&str>,
) -> Result<(), SinkError> {
    let spec = |message: String| SinkError::Spec {
        spec: name.to_string(),
        message: redact(&message),
    };
    let failed = |message: String| SinkError::delivery(name, redact(&message));
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
        let landing = landing_sql(kinds, options.drop);
        if !landing.is_empty() {
            client.batch_execute(&landing).await.map_err(|e| {
                failed(format!(
                    "cannot create the landing tables in `{}`: {}",
                    config.schema,
                    describe(&e)
                ))
            })?;
        }
        let Some(dimensions) = dimensions else {
            // Only a model with an item master has these tables.
            return Ok(());
        };
        if let Some(stream) = stream {
            let written = client
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM storesim_batches WHERE stream = $1)",
                    &[&stream],
                )
                .await
                .map_err(|e| failed(format!("cannot read the batch ledger: {}", describe(&e))))?;
            if written.get::<_, bool>(0) {
                return Ok(());
            }
        }
        load_dimensions(&client, dimensions)
            .await
            .map_err(|e| failed(format!("cannot load stores and items: {}", describe(&e))))
    })
}

fn decimal(m: Money) -> Decimal {
    Decimal::new(m.0, 2)
}

/// Upserts the scenario's stores, categories and item master; rows that
/// did not change are not touched (no UPDATE reaches a CDC stream).
pub async fn load_dimensions(
    client: &Client,
    world: Dimensions<'_>,
) -> Result<(), tokio_postgres::Error> {
    let s = world.stores;
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
    let c = world.categories;
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
    let i = world.items;
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

const SCAN_COLUMNS: &str =
    "transaction_id, line, ts, store_id, register, sku, category, quantity, unit_price, discount";
const SCAN_TYPES: [Type; 10] = [
    Type::TEXT,
    Type::INT2,
    Type::TIMESTAMPTZ,
    Type::INT4,
    Type::INT2,
    Type::INT4,
    Type::INT4,
    Type::INT4,
    Type::NUMERIC,
    Type::NUMERIC,
];

/// An id as a text column, encoded without allocating.
#[derive(Debug)]
struct IdText {
    buf: [u8; 40],
    len: usize,
}

impl IdText {
    fn txn(id: TxnId) -> IdText {
        let mut buf = [0u8; 40];
        let len = id.encode(&mut buf).len();
        IdText { buf, len }
    }

    fn scan(id: ScanId) -> IdText {
        let mut buf = [0u8; 40];
        let len = id.encode(&mut buf).len();
        IdText { buf, len }
    }
}

impl ToSql for IdText {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&self.buf[..self.len]);
        Ok(IsNull::No)
    }

    accepts!(TEXT, VARCHAR);
    to_sql_checked!();
}

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
        let row: [&(dyn ToSql + Sync); 10] = [
            &IdText::txn(s.transaction_id),
            &(s.line as i16),
            &s.ts.to_datetime(),
            &(s.store_id() as i32),
            &(s.register as i16),
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

const APEX_SCAN_COLUMNS: &str = "scan_id, store_id, scan_datetime, item_upc, unit_qty, unit_price";
const APEX_SCAN_TYPES: [Type; 6] = [
    Type::TEXT,
    Type::INT4,
    Type::TIMESTAMPTZ,
    Type::INT8,
    Type::INT4,
    Type::NUMERIC,
];

async fn copy_apex_scans(
    tx: &Transaction<'_>,
    table: &str,
    scans: &[&ScanEvent],
    encoder: &Encoder,
) -> Result<(), tokio_postgres::Error> {
    let sink = tx
        .copy_in(&format!(
            "COPY {table} ({APEX_SCAN_COLUMNS}) FROM STDIN (FORMAT binary)"
        ))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &APEX_SCAN_TYPES);
    pin_mut!(writer);
    for s in scans {
        let a = encoder.apex_scan(s);
        let row: [&(dyn ToSql + Sync); 6] = [
            &IdText::scan(a.scan_id),
            &(a.store_id as i32),
            &a.scan_datetime.to_datetime(),
            &(a.item_upc as i64),
            &i32::from(a.unit_qty),
            &decimal(a.unit_price),
        ];
        writer.as_mut().write(&row).await?;
    }
    writer.finish().await?;
    Ok(())
}

/// Copies scans in the encoder's schema.
async fn copy_any_scans(
    tx: &Transaction<'_>,
    table: &str,
    scans: &[&ScanEvent],
    encoder: &Encoder,
) -> Result<(), tokio_postgres::Error> {
    match encoder.schema() {
        Schema::Storesim => copy_scans(tx, table, scans).await,
        Schema::Apex => copy_apex_scans(tx, table, scans, encoder).await,
    }
}

/// Whether events of `kind` land in a text table named after the kind
/// (every kind but the chain's typed scans, transactions and item changes).
pub(crate) fn is_landing(kind: EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Scan | EventKind::Transaction | EventKind::ItemChange
    )
}

/// The landing tables of `kinds`: one per kind, a text column per field
/// (as the source system exported it; cast downstream).
pub(crate) fn landing_sql(kinds: &[EventKind], drop: bool) -> String {
    kinds
        .iter()
        .filter(|k| is_landing(**k))
        .map(|k| {
            let drop = if drop {
                format!("DROP TABLE IF EXISTS {k};\n")
            } else {
                String::new()
            };
            let columns: Vec<String> = k.fields()[1..]
                .iter()
                .map(|f| format!("{f} text"))
                .collect();
            format!(
                "{drop}CREATE TABLE IF NOT EXISTS {k} ({});\n",
                columns.join(", ")
            )
        })
        .collect()
}

/// One landing kind of a batch: its events' CSV rows and delivery times.
pub(crate) struct Landing {
    kind: EventKind,
    rows: crate::encode::Encoded,
    events: Vec<SimTime>,
}

/// The CSV rows of a batch's landing kinds.
fn encode_landing(batch: &EventBatch, encoder: &Encoder) -> Result<Vec<Landing>, csv::Error> {
    let mut by_kind: std::collections::BTreeMap<EventKind, Vec<&Stamped>> = Default::default();
    for s in &batch.events {
        if is_landing(s.event.kind()) {
            by_kind.entry(s.event.kind()).or_default().push(s);
        }
    }
    by_kind
        .into_iter()
        .map(|(kind, events)| {
            Ok(Landing {
                kind,
                rows: encoder.csv_rows(events.iter().map(|s| &s.event))?,
                events: events.iter().map(|s| s.at).collect(),
            })
        })
        .collect()
}

async fn copy_landing(
    tx: &Transaction<'_>,
    kind: EventKind,
    body: &[u8],
) -> Result<(), tokio_postgres::Error> {
    use futures::SinkExt;
    if body.is_empty() {
        return Ok(());
    }
    let columns = kind.fields()[1..].join(", ");
    let sink = tx
        .copy_in(&format!("COPY {kind} ({columns}) FROM STDIN (FORMAT csv)"))
        .await?;
    pin_mut!(sink);
    sink.send(bytes::Bytes::copy_from_slice(body)).await?;
    sink.as_mut().finish().await?;
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
            &IdText::txn(t.transaction_id),
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

/// A PostgreSQL error as the cause of a sink error: its one-line
/// description (masked), with the error itself at hand.
#[derive(Debug)]
pub struct DbCause {
    text: String,
    error: tokio_postgres::Error,
}

impl DbCause {
    /// The error from the server or the connection.
    pub fn error(&self) -> &tokio_postgres::Error {
        &self.error
    }
}

impl std::fmt::Display for DbCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The description is the whole chain already (the server's message, or
/// the connection's error), so the chain stops here.
impl std::error::Error for DbCause {}

/// `doing` failed with `e`: retriable when reconnecting could mend it.
fn db_error(sink: &str, doing: &str, e: tokio_postgres::Error) -> SinkError {
    SinkError::Delivery {
        sink: sink.to_string(),
        message: doing.to_string(),
        retriable: retriable(&e),
        source: Some(Box::new(DbCause {
            text: redact(&describe(&e)),
            error: e,
        })),
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
    /// What determines the events (see [`PostgresSink::open`]).
    stream: String,
    run_id: String,
    /// Spans of virtual time earlier runs of the same stream wrote, sorted
    /// and merged; read at the first batch.
    covered: Option<Vec<(SimTime, SimTime)>>,
    /// Events left out because an earlier run had written them.
    skipped: u64,
    report: DeliveryReport,
    encoder: Encoder,
}

impl std::fmt::Debug for PostgresSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSink")
            .field("name", &self.name)
            .field("schema", &self.config.schema)
            .field("stream", &self.stream)
            .finish()
    }
}

fn sim_time(t: DateTime<Utc>) -> SimTime {
    SimTime(t.timestamp_micros())
}

/// Sorts and merges spans; touching spans join.
fn merge_spans(mut spans: Vec<(SimTime, SimTime)>) -> Vec<(SimTime, SimTime)> {
    spans.sort_unstable();
    let mut merged: Vec<(SimTime, SimTime)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Whether `t` falls in one of the sorted, merged `spans`.
fn is_covered(spans: &[(SimTime, SimTime)], t: SimTime) -> bool {
    let i = spans.partition_point(|s| s.1 <= t);
    spans.get(i).is_some_and(|s| s.0 <= t)
}

impl PostgresSink {
    /// Connects (a clear error if the server is unreachable or refuses the
    /// credentials), creates what is missing of the schema, and upserts
    /// the world's dimensions. The connection used for writing is opened
    /// on the sink's own runtime at the first batch.
    ///
    /// `stream` names what determines the events (scenario, seed, stores,
    /// span): runs with the same stream make the same events at the same
    /// virtual times whatever their window length, so a batch leaves out
    /// what the batch ledger says an earlier run of that stream wrote.
    pub fn open(
        raw: &str,
        config: PostgresConfig,
        kinds: &[EventKind],
        dimensions: Option<Dimensions<'_>>,
        stream: &str,
        encoder: Encoder,
    ) -> Result<PostgresSink, SinkError> {
        let name = redact_spec(raw);
        let options = InitOptions {
            schema: encoder.schema(),
            ..InitOptions::default()
        };
        prepare(&name, &config, kinds, dimensions, options, Some(stream))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(PostgresSink {
            run_id: format!("{}-{nanos}", std::process::id()),
            stream: stream.to_string(),
            name,
            config,
            client: None,
            covered: None,
            skipped: 0,
            report: DeliveryReport::default(),
            encoder,
        })
    }

    /// One attempt at writing the batch in one transaction; `Ok` also when
    /// an earlier attempt had written it and only its answer was lost (the
    /// batch ledger says so).
    async fn attempt(
        &mut self,
        batch: &EventBatch,
        landing: &[Landing],
    ) -> Result<(), tokio_postgres::Error> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = Some(connect(&self.config).await?);
        }
        let client = self.client.as_mut().expect("connected above");
        let encoder = &self.encoder;
        if self.covered.is_none() {
            let rows = client
                .query(
                    "SELECT window_start, window_end FROM storesim_batches WHERE stream = $1",
                    &[&self.stream],
                )
                .await?;
            let spans = rows
                .iter()
                .map(|r| (sim_time(r.get(0)), sim_time(r.get(1))))
                .collect();
            self.covered = Some(merge_spans(spans));
        }
        let covered = self.covered.as_deref().unwrap_or_default();
        // Only a batch that overlaps an earlier run's spans is filtered.
        let first = covered.partition_point(|s| s.1 <= batch.start);
        let overlaps = covered.get(first).is_some_and(|s| s.0 < batch.end);
        let fresh = |s: &&Stamped| !overlaps || !is_covered(covered, s.at);
        let mut scans: Vec<&ScanEvent> = Vec::new();
        let mut txns: Vec<&TransactionEvent> = Vec::new();
        let mut changes: Vec<&ItemChangeEvent> = Vec::new();
        for s in batch.events.iter().filter(fresh) {
            match &s.event {
                Event::Scan(e) => scans.push(e),
                Event::Transaction(t) => txns.push(t),
                Event::ItemChange(c) => changes.push(c),
                // Other kinds land in text tables, below.
                _ => {}
            }
        }
        // The landing rows of the fresh events, kind by kind.
        let mut landed = 0usize;
        let bodies: Vec<(EventKind, Vec<u8>)> = landing
            .iter()
            .map(|l| {
                let mut body = Vec::with_capacity(l.rows.bytes.len());
                for (i, &at) in l.events.iter().enumerate() {
                    if !overlaps || !is_covered(covered, at) {
                        let row = l.rows.range(i, i + 1);
                        // Without the leading `kind,` column.
                        body.extend_from_slice(&row[l.kind.as_str().len() + 1..]);
                        landed += 1;
                    }
                }
                (l.kind, body)
            })
            .collect();
        let events = (scans.len() + txns.len() + changes.len() + landed) as i64;
        let (start, end) = (batch.start.to_datetime(), batch.end.to_datetime());
        let tx = client.transaction().await?;
        let done = tx
            .query_opt(
                "SELECT 1 FROM storesim_batches
                 WHERE stream = $1 AND window_start = $2 AND window_end = $3",
                &[&self.stream, &start, &end],
            )
            .await?;
        // A batch an earlier run wrote entirely leaves no ledger row.
        if done.is_none() && events > 0 {
            // The item master first, statement by statement in event order,
            // so a logical replication slot sees them as the events say.
            apply_item_changes(&tx, &changes).await?;
            let direct = async {
                tx.batch_execute("SAVEPOINT copy").await?;
                copy_any_scans(&tx, "scans", &scans, encoder).await?;
                copy_transactions(&tx, "transactions", &txns).await
            }
            .await;
            match direct {
                Ok(()) => {}
                Err(e) if is_unique_violation(&e) => {
                    // With `db init --keys`, rows another stream wrote under
                    // the same ids: keep them, add only what is missing.
                    tx.batch_execute(
                        "ROLLBACK TO SAVEPOINT copy;
                         CREATE TEMP TABLE IF NOT EXISTS scans_stage (LIKE scans) ON COMMIT DELETE ROWS;
                         CREATE TEMP TABLE IF NOT EXISTS transactions_stage (LIKE transactions) ON COMMIT DELETE ROWS;",
                    )
                    .await?;
                    copy_any_scans(&tx, "scans_stage", &scans, encoder).await?;
                    copy_transactions(&tx, "transactions_stage", &txns).await?;
                    tx.batch_execute(
                        "INSERT INTO scans SELECT * FROM scans_stage ON CONFLICT DO NOTHING;
                         INSERT INTO transactions SELECT * FROM transactions_stage ON CONFLICT DO NOTHING;",
                    )
                    .await?;
                }
                Err(e) => return Err(e),
            }
            for (kind, body) in &bodies {
                copy_landing(&tx, *kind, body).await?;
            }
            tx.execute(
                "INSERT INTO storesim_batches (stream, window_start, window_end, run_id, events)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&self.stream, &start, &end, &self.run_id, &events],
            )
            .await?;
        }
        tx.commit().await?;
        self.skipped += batch.events.len() as u64 - events as u64;
        Ok(())
    }
}

/// A tokio-postgres error with the server's message, on one line.
pub fn describe(e: &tokio_postgres::Error) -> String {
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
        let landing = encode_landing(batch, &self.encoder).map_err(|e| SinkError::Encode {
            sink: self.name.clone(),
            message: e.to_string(),
        })?;
        let mut attempts = Retry::within(self.config.retry_timeout).start("a batch");
        loop {
            match self.attempt(batch, &landing).await {
                Ok(()) => {
                    self.report.add_batch(batch);
                    return Ok(());
                }
                Err(e) => {
                    // A new connection for the next attempt.
                    self.client = None;
                    attempts
                        .after(db_error(&self.name, "cannot write a batch", e))
                        .await?;
                }
            }
        }
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    async fn close(&mut self) -> Result<DeliveryReport, SinkError> {
        self.client = None;
        if self.skipped > 0 {
            tracing::info!(
                sink = %self.name,
                events = self.skipped,
                "Left out events an earlier run of the same scenario, seed and start had written."
            );
        }
        Ok(self.report)
    }

    fn report(&self) -> DeliveryReport {
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(a: i64, b: i64) -> (SimTime, SimTime) {
        (SimTime(a), SimTime(b))
    }

    #[test]
    fn spans_merge_and_cover_half_open() {
        let spans = merge_spans(vec![span(30, 40), span(0, 10), span(10, 20), span(35, 50)]);
        assert_eq!(spans, [span(0, 20), span(30, 50)]);
        let covered: Vec<i64> = (0..60)
            .filter(|&t| is_covered(&spans, SimTime(t)))
            .collect();
        let expected: Vec<i64> = (0..20).chain(30..50).collect();
        assert_eq!(covered, expected);
        assert!(!is_covered(&[], SimTime(5)));
    }
}
