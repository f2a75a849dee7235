//! A batch's rows: scans, receipts and landing rows by binary COPY, item
//! changes applied to the item master.

use bytes::BytesMut;
use futures::pin_mut;
use storesim_sim::chain::{ChangeOp, ItemChangeEvent, ScanEvent, TransactionEvent};
use storesim_sim::event::TxnId;
use storesim_sim::{EventBatch, EventKind, SimTime, Stamped};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{accepts, to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::Transaction;

use super::schema::*;
use crate::encode::Encoder;
use storesim_sim::dims::Dimension;

pub(super) const SCAN_COLUMNS: &str =
    "transaction_id, line, ts, store_id, register, sku, category, quantity, unit_price, discount";
pub(super) const SCAN_TYPES: [Type; 10] = [
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
pub(super) struct IdText {
    buf: [u8; 40],
    len: usize,
}

impl IdText {
    fn txn(id: TxnId) -> IdText {
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

pub(super) const TXN_COLUMNS: &str = "transaction_id, ts, store_id, register, customer_id, start_ts, end_ts, line_count, item_count, subtotal, discount, tax, total, payment_method, queue_wait_ms";
pub(super) const TXN_TYPES: [Type; 15] = [
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

pub(super) async fn copy_scans(
    tx: &Transaction<'_>,
    table: &str,
    scans: &[&ScanEvent],
) -> Result<(), tokio_postgres::Error> {
    if scans.is_empty() {
        return Ok(());
    }
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

/// Whether events of `kind` land in a landing table: every kind but the
/// chain's typed scans and transactions (unless the scenario maps them)
/// and item changes (applied to the item master).
pub(crate) fn is_landing(kind: EventKind, encoder: &Encoder) -> bool {
    match kind {
        EventKind::ItemChange => false,
        EventKind::Scan | EventKind::Transaction => encoder.map(kind).is_some(),
        _ => true,
    }
}

/// A landing table: one per kind, named after it (or its mapped name). An
/// unmapped kind's columns are text, as the source system exported it
/// (cast downstream); a mapped kind's are typed from its mapping, so a
/// demo's SQL reads them as its own DDL declares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingTable {
    /// The kind landing there.
    pub kind: EventKind,
    /// The table.
    pub table: String,
    /// Its columns and their SQL types.
    pub columns: Vec<(String, String)>,
    /// Whether the encoder maps the kind (its CSV rows have no leading
    /// `kind` column to strip).
    pub mapped: bool,
    /// Its text columns that are never null: an empty field there is an
    /// empty string (CSV cannot tell the two apart otherwise).
    pub never_null: Vec<String>,
}

impl LandingTable {
    pub(crate) fn of(kind: EventKind, encoder: &Encoder) -> LandingTable {
        match encoder.map(kind) {
            Some(m) => LandingTable {
                kind,
                table: m.name.clone(),
                columns: m
                    .fields
                    .iter()
                    .map(|f| (f.name.to_ascii_lowercase(), sql_type(&f.ty).to_string()))
                    .collect(),
                mapped: true,
                never_null: m
                    .fields
                    .iter()
                    .filter(|f| !f.nullable && sql_type(&f.ty) == "text")
                    .map(|f| f.name.to_ascii_lowercase())
                    .collect(),
            },
            None => LandingTable {
                kind,
                table: kind.as_str().to_string(),
                columns: kind.fields()[1..]
                    .iter()
                    .map(|f| (f.to_string(), "text".to_string()))
                    .collect(),
                mapped: false,
                never_null: Vec::new(),
            },
        }
    }

    pub(super) fn column_list(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        names.join(", ")
    }
}

/// The SQL type of a mapped field: storesim's types as its typed tables
/// declare them; a store-local time as `timestamp` when PostgreSQL reads
/// its pattern (an ISO date and time), else as text.
pub(super) fn sql_type(ty: &storesim_sim::mapping::OutType) -> String {
    use storesim_sim::mapping::OutType;
    use storesim_sim::schema::Type as T;
    match ty {
        OutType::Like(T::Bool) => "boolean".into(),
        OutType::Like(T::Date) => "date".into(),
        OutType::Like(T::Int32) => "integer".into(),
        OutType::Like(T::Int64) => "bigint".into(),
        OutType::Like(T::Float64) => "double precision".into(),
        OutType::Like(T::String | T::Record(_)) => "text".into(),
        OutType::Like(T::Decimal { precision, scale }) => format!("numeric({precision},{scale})"),
        // Zoneless text (the demos' UTC) is `timestamp`, so the session's
        // time zone cannot shift it.
        OutType::Like(T::Timestamp(storesim_sim::schema::TimeText::NaiveMicros)) => {
            "timestamp".into()
        }
        OutType::Like(T::Timestamp(_)) => "timestamptz".into(),
        OutType::LocalTimestamp(p)
            if p.starts_with("%Y-%m-%d %H:%M:%S") || p.starts_with("%Y-%m-%dT%H:%M:%S") =>
        {
            "timestamp".into()
        }
        OutType::LocalTimestamp(_) => "text".into(),
    }
}

/// The landing tables' DDL.
pub(crate) fn landing_sql(tables: &[LandingTable], drop: bool) -> String {
    tables
        .iter()
        .map(|t| {
            let drop = if drop {
                format!("DROP TABLE IF EXISTS {};\n", t.table)
            } else {
                String::new()
            };
            let columns: Vec<String> = t
                .columns
                .iter()
                .map(|(n, ty)| format!("{n} {ty}"))
                .collect();
            format!(
                "{drop}CREATE TABLE IF NOT EXISTS {} ({});\n",
                t.table,
                columns.join(", ")
            )
        })
        .collect()
}

/// A landing table already in the schema with other columns is refused
/// before the run (the first COPY would fail halfway through it).
pub(super) async fn check_landing(
    client: &tokio_postgres::Client,
    tables: &[LandingTable],
) -> Result<(), String> {
    for t in tables {
        let rows = client
            .query(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1
                 ORDER BY ordinal_position",
                &[&t.table],
            )
            .await
            .map_err(|e| super::sink::describe(&e))?;
        let have: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        let want: Vec<&str> = t.columns.iter().map(|(n, _)| n.as_str()).collect();
        if !have.is_empty() && have != want {
            return Err(format!(
                "table {} has the columns ({}), not ({}) that this scenario writes; use another ?schema= or recreate it with: storesim db init --drop --scenario SCENARIO",
                t.table,
                have.join(", "),
                want.join(", ")
            ));
        }
    }
    Ok(())
}

/// One landing kind of a batch: its events' CSV rows and delivery times.
pub(crate) struct Landing {
    pub(super) table: LandingTable,
    pub(super) rows: crate::encode::Encoded,
    pub(super) events: Vec<SimTime>,
}

/// The CSV rows of a batch's landing kinds.
pub(super) fn encode_landing(
    batch: &EventBatch,
    encoder: &Encoder,
) -> Result<Vec<Landing>, csv::Error> {
    let mut by_kind: std::collections::BTreeMap<EventKind, Vec<&Stamped>> = Default::default();
    for s in &batch.events {
        if is_landing(s.event.kind(), encoder) {
            by_kind.entry(s.event.kind()).or_default().push(s);
        }
    }
    by_kind
        .into_iter()
        .map(|(kind, events)| {
            Ok(Landing {
                table: LandingTable::of(kind, encoder),
                rows: encoder.csv_rows(events.iter().map(|s| &s.event))?,
                events: events.iter().map(|s| s.at).collect(),
            })
        })
        .collect()
}

/// Copies CSV rows into `table`'s `columns` (a landing table, a stage);
/// an empty field in a `never_null` column is an empty string, elsewhere
/// a null.
pub(super) async fn copy_csv(
    tx: &Transaction<'_>,
    table: &str,
    columns: &str,
    never_null: &[String],
    body: &[u8],
) -> Result<(), tokio_postgres::Error> {
    use futures::SinkExt;
    if body.is_empty() {
        return Ok(());
    }
    let force = if never_null.is_empty() {
        String::new()
    } else {
        format!(", FORCE_NOT_NULL ({})", never_null.join(", "))
    };
    let sink = tx
        .copy_in(&format!(
            "COPY {table} ({columns}) FROM STDIN (FORMAT csv{force})"
        ))
        .await?;
    pin_mut!(sink);
    sink.send(bytes::Bytes::copy_from_slice(body)).await?;
    sink.as_mut().finish().await?;
    Ok(())
}

pub(super) async fn copy_transactions(
    tx: &Transaction<'_>,
    table: &str,
    txns: &[&TransactionEvent],
) -> Result<(), tokio_postgres::Error> {
    if txns.is_empty() {
        return Ok(());
    }
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
pub(super) async fn apply_item_changes(
    tx: &Transaction<'_>,
    changes: &[&ItemChangeEvent],
    encoder: &Encoder,
) -> Result<(), tokio_postgres::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    if encoder.maps_dimensions() {
        let map = encoder.dim_table(Dimension::Items);
        return apply_mapped_item_changes(tx, changes, &map, encoder).await;
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

/// Applies item-master changes to a mapped item master: a create or an
/// update upserts the row after it in the mapped columns, a delete removes
/// it by its key. Values go as text, cast to each column's type.
async fn apply_mapped_item_changes(
    tx: &Transaction<'_>,
    changes: &[&ItemChangeEvent],
    map: &storesim_sim::mapping::DimMap,
    encoder: &Encoder,
) -> Result<(), tokio_postgres::Error> {
    let columns: Vec<String> = map
        .fields
        .iter()
        .map(|f| f.name.to_ascii_lowercase())
        .collect();
    let types: Vec<String> = map.fields.iter().map(|f| sql_type(&f.ty)).collect();
    let key = map.key().name.to_ascii_lowercase();
    let key_type = sql_type(&map.key().ty);
    let values: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("${}::text::{t}", i + 1))
        .collect();
    let set: Vec<String> = columns
        .iter()
        .filter(|c| **c != key)
        .map(|c| format!("{c} = EXCLUDED.{c}"))
        .collect();
    let table = &map.name;
    let upsert = tx
        .prepare(&format!(
            "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({key}) DO {}",
            columns.join(", "),
            values.join(", "),
            if set.is_empty() {
                "NOTHING".to_string()
            } else {
                format!("UPDATE SET {}", set.join(", "))
            }
        ))
        .await?;
    let delete = tx
        .prepare(&format!(
            "DELETE FROM {table} WHERE {key} = $1::text::{key_type}"
        ))
        .await?;
    for c in changes {
        match (c.op, &c.after) {
            (ChangeOp::Create | ChangeOp::Update, Some(row)) => {
                let record = serde_json::to_value(row).unwrap_or_default();
                let row = encoder.dim_row(map, &record);
                let params: Vec<&(dyn ToSql + Sync)> =
                    row.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                tx.execute(&upsert, &params).await?;
            }
            (ChangeOp::Delete, _) => {
                tx.execute(&delete, &[&c.item_id.to_string()]).await?;
            }
            _ => {}
        }
    }
    Ok(())
}
