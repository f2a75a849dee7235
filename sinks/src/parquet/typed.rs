//! The columns of the hot kinds, the chain's scans and receipts (nine in
//! ten of a chain day's events), read straight off their typed events: one
//! loop per column, no records serialised field by field and no times
//! written as text to be parsed again. Every other kind, and any column
//! this table does not know, goes through [`super::Columns`]; a test holds
//! both ways to the same rows.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{
    ArrayRef, Decimal128Array, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use arrow_schema::{DataType, Schema, TimeUnit};
use storesim_sim::models::chain::{ScanEvent, TransactionEvent};
use storesim_sim::time::SimTime;
use storesim_sim::{Event, EventKind};

/// How one column's values are read off an event of type `E`.
enum Read<E> {
    /// An id or a count.
    Int(fn(&E) -> i128),
    /// An id that may be missing.
    OptInt(fn(&E) -> Option<i128>),
    /// An amount, in cents.
    Cents(fn(&E) -> i64),
    /// An instant.
    Time(fn(&E) -> SimTime),
    /// A name from a closed set.
    Text(fn(&E) -> &'static str),
    /// An id written as text into the buffer.
    Id(for<'b> fn(&E, &'b mut [u8; 40]) -> &'b str),
}

fn scan(column: &str) -> Option<Read<ScanEvent>> {
    Some(match column {
        "kind" => Read::Text(|_| EventKind::Scan.as_str()),
        "event_id" => Read::Id(|e, buf| e.event_id().encode(buf)),
        "ts" => Read::Time(|e| e.ts),
        "store_id" => Read::Int(|e| e.store_id().into()),
        "register" => Read::Int(|e| e.register.into()),
        "transaction_id" => Read::Id(|e, buf| e.transaction_id.encode(buf)),
        "line" => Read::Int(|e| e.line.into()),
        "sku" => Read::Int(|e| e.sku.into()),
        "category" => Read::Int(|e| e.category.into()),
        "quantity" => Read::Int(|e| e.quantity.into()),
        "unit_price" => Read::Cents(|e| e.unit_price.0),
        "discount" => Read::Cents(|e| e.discount.0),
        _ => return None,
    })
}

fn transaction(column: &str) -> Option<Read<TransactionEvent>> {
    Some(match column {
        "kind" => Read::Text(|_| EventKind::Transaction.as_str()),
        "transaction_id" => Read::Id(|e, buf| e.transaction_id.encode(buf)),
        "ts" => Read::Time(|e| e.ts),
        "store_id" => Read::Int(|e| e.store_id.into()),
        "register" => Read::Int(|e| e.register.into()),
        "customer_id" => Read::OptInt(|e| e.customer_id.map(i128::from)),
        "start_ts" => Read::Time(|e| e.start_ts),
        "end_ts" => Read::Time(|e| e.end_ts),
        "line_count" => Read::Int(|e| e.line_count.into()),
        "item_count" => Read::Int(|e| e.item_count.into()),
        "subtotal" => Read::Cents(|e| e.subtotal.0),
        "discount" => Read::Cents(|e| e.discount.0),
        "tax" => Read::Cents(|e| e.tax.0),
        "total" => Read::Cents(|e| e.total.0),
        "payment_method" => Read::Text(|e| e.payment_method.as_str()),
        "queue_wait_ms" => Read::Int(|e| e.queue_wait_ms.into()),
        _ => return None,
    })
}

/// The rows of `events` (all of one kind) in `schema`'s columns, where
/// the kind is a hot one and this table reads every column; `None` sends
/// them the general way (which also names any value that does not fit).
pub fn rows(schema: &Arc<Schema>, events: &[&Event]) -> Option<RecordBatch> {
    match events.first()? {
        Event::Scan(_) => {
            let scans = events
                .iter()
                .map(|e| match e {
                    Event::Scan(s) => Some(s),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            batch(schema, &scans, scan)
        }
        Event::Transaction(_) => {
            let receipts = events
                .iter()
                .map(|e| match e {
                    Event::Transaction(t) => Some(&**t),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            batch(schema, &receipts, transaction)
        }
        _ => None,
    }
}

fn batch<E>(
    schema: &Arc<Schema>,
    events: &[&E],
    read: fn(&str) -> Option<Read<E>>,
) -> Option<RecordBatch> {
    let columns = schema
        .fields()
        .iter()
        .map(|f| column(&read(f.name())?, f.data_type(), events))
        .collect::<Option<Vec<_>>>()?;
    // Checks each column's type and nulls against the schema.
    RecordBatch::try_new(schema.clone(), columns).ok()
}

/// One column of `events`, if `read` gives values of type `ty`.
fn column<E>(read: &Read<E>, ty: &DataType, events: &[&E]) -> Option<ArrayRef> {
    Some(match (read, ty) {
        (Read::Int(f), DataType::Int32) => Arc::new(Int32Array::from(
            events
                .iter()
                .map(|e| i32::try_from(f(e)).ok())
                .collect::<Option<Vec<_>>>()?,
        )),
        (Read::Int(f), DataType::Int64) => Arc::new(Int64Array::from(
            events
                .iter()
                .map(|e| i64::try_from(f(e)).ok())
                .collect::<Option<Vec<_>>>()?,
        )),
        (Read::OptInt(f), DataType::Int64) => Arc::new(Int64Array::from(
            events
                .iter()
                .map(|e| match f(e) {
                    None => Some(None),
                    Some(v) => i64::try_from(v).ok().map(Some),
                })
                .collect::<Option<Vec<_>>>()?,
        )),
        (Read::Cents(f), DataType::Decimal128(precision, scale)) => {
            let unit = 10i128.checked_pow(u32::try_from(i32::from(*scale) - 2).ok()?)?;
            Arc::new(
                Decimal128Array::from(
                    events
                        .iter()
                        .map(|e| i128::from(f(e)) * unit)
                        .collect::<Vec<_>>(),
                )
                .with_precision_and_scale(*precision, *scale)
                .ok()?,
            )
        }
        (Read::Time(f), DataType::Timestamp(TimeUnit::Millisecond, zone)) => Arc::new(
            TimestampMillisecondArray::from(
                events.iter().map(|e| f(e).as_millis()).collect::<Vec<_>>(),
            )
            .with_timezone_opt(zone.clone()),
        ),
        (Read::Text(f), DataType::Utf8) => {
            Arc::new(StringArray::from_iter_values(events.iter().map(|e| f(e))))
        }
        (Read::Id(f), DataType::Utf8) => {
            let mut b = StringBuilder::with_capacity(events.len(), events.len() * 24);
            let mut buf = [0u8; 40];
            for e in events {
                b.append_value(f(e, &mut buf));
            }
            Arc::new(b.finish())
        }
        _ => return None,
    })
}
