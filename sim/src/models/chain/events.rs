//! The chain's events: one `scan` per item line, one `transaction`
//! (receipt) per basket, one `item_change` per change to the item master.

use serde::Serialize;

use crate::event::Record;
use crate::ids::{ScanId, TxnId};
use crate::money::Money;
use crate::schema::{Field, Schema, Type, MONEY, TIMESTAMP};
use crate::time::SimTime;

/// How a basket was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Credit card.
    Credit,
    /// Debit card.
    Debit,
    /// Cash.
    Cash,
    /// A phone wallet (Apple Pay, Google Pay).
    Mobile,
}

impl PaymentMethod {
    /// Every method, in a fixed order.
    pub const ALL: [PaymentMethod; 4] = [
        PaymentMethod::Credit,
        PaymentMethod::Debit,
        PaymentMethod::Cash,
        PaymentMethod::Mobile,
    ];

    /// The method's name as written in events.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Credit => "credit",
            PaymentMethod::Debit => "debit",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Mobile => "mobile",
        }
    }
}

/// One item line scanned at a register.
///
/// Serialised with a leading `"kind":"scan"`, its derived `event_id` and the
/// `store_id` (both kept inside `transaction_id`, so the event stays small):
/// `kind, event_id, ts, store_id, register, transaction_id, line, sku,
/// category, quantity, unit_price, discount`, in JSON and CSV alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanEvent {
    /// When the line was scanned (UTC).
    pub ts: SimTime,
    /// The transaction this line belongs to (and so the store).
    pub transaction_id: TxnId,
    /// The register: 1.. for staffed lanes, 101.. for self-checkout stations.
    pub register: u16,
    /// The 1-based line number within the transaction.
    pub line: u16,
    /// Units on this line.
    pub quantity: u16,
    /// The item id (SKU) from the item master.
    pub sku: u32,
    /// The item's category code.
    pub category: u32,
    /// Shelf price of one unit.
    pub unit_price: Money,
    /// Member discount on the whole line (0 for anonymous shoppers).
    pub discount: Money,
}

impl ScanEvent {
    /// `quantity * unit_price - discount`.
    pub fn net_amount(&self) -> Money {
        self.unit_price * i64::from(self.quantity) - self.discount
    }

    /// The derived scan id: transaction id and line number.
    pub fn event_id(&self) -> ScanId {
        ScanId {
            txn: self.transaction_id,
            line: self.line,
        }
    }

    /// The store id.
    pub fn store_id(&self) -> u32 {
        self.transaction_id.store_id
    }
}

impl Serialize for ScanEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("ScanEvent", 12)?;
        s.serialize_field("kind", "scan")?;
        s.serialize_field("event_id", &self.event_id())?;
        s.serialize_field("ts", &self.ts)?;
        s.serialize_field("store_id", &self.store_id())?;
        s.serialize_field("register", &self.register)?;
        s.serialize_field("transaction_id", &self.transaction_id)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("sku", &self.sku)?;
        s.serialize_field("category", &self.category)?;
        s.serialize_field("quantity", &self.quantity)?;
        s.serialize_field("unit_price", &self.unit_price)?;
        s.serialize_field("discount", &self.discount)?;
        s.end()
    }
}

/// One completed basket: the receipt.
///
/// Serialised with a leading `"kind":"transaction"`, in JSON and CSV alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "transaction")]
pub struct TransactionEvent {
    /// Derived id: store, local business date, daily sequence.
    pub transaction_id: TxnId,
    /// When the receipt printed (UTC); equals `end_ts`.
    pub ts: SimTime,
    /// The store id.
    pub store_id: u32,
    /// The register: 1.. for staffed lanes, 101.. for self-checkout stations.
    pub register: u16,
    /// The loyalty member's id, or null for an anonymous shopper.
    pub customer_id: Option<u64>,
    /// When service started at the register (UTC).
    pub start_ts: SimTime,
    /// When payment completed (UTC).
    pub end_ts: SimTime,
    /// Item lines on the receipt.
    pub line_count: u16,
    /// Units on the receipt (sum of line quantities).
    pub item_count: u32,
    /// Sum of `quantity * unit_price` over the lines.
    pub subtotal: Money,
    /// Sum of line discounts.
    pub discount: Money,
    /// Sales tax on the taxable lines after discounts.
    pub tax: Money,
    /// `subtotal - discount + tax`.
    pub total: Money,
    /// How the basket was paid.
    pub payment_method: PaymentMethod,
    /// Time from joining the queue to the start of service, in milliseconds.
    pub queue_wait_ms: u32,
}

/// One row of the item master, as in the `item_master` table.
pub type ItemRow = crate::catalog::Item;

/// The operation of an item change, as in Debezium: create, update, delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChangeOp {
    /// A new item.
    #[serde(rename = "c")]
    Create,
    /// A changed item (a new price).
    #[serde(rename = "u")]
    Update,
    /// A removed item.
    #[serde(rename = "d")]
    Delete,
}

impl ChangeOp {
    /// `c`, `u` or `d`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Create => "c",
            ChangeOp::Update => "u",
            ChangeOp::Delete => "d",
        }
    }
}

/// A change to the item master: `before` is null for a create, `after`
/// for a delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "item_change")]
pub struct ItemChangeEvent {
    /// 1, 2, ... in the order of the changes of a run.
    pub change_id: u64,
    /// When the change was made (UTC).
    pub ts: SimTime,
    /// Create, update or delete.
    pub op: ChangeOp,
    /// The item.
    pub item_id: u32,
    /// The row before.
    pub before: Option<ItemRow>,
    /// The row after.
    pub after: Option<ItemRow>,
    /// The item's index in the world's item master, if it has one (items
    /// created during the run have none).
    #[serde(skip)]
    pub item_index: Option<u32>,
}

impl ItemChangeEvent {
    /// A flat form for CSV: the row after the change (before, for a
    /// delete), with the price before it.
    pub fn flat(&self) -> FlatItemChange<'_> {
        let row = self
            .after
            .as_ref()
            .or(self.before.as_ref())
            .expect("a change has a row");
        FlatItemChange {
            kind: "item_change",
            change_id: self.change_id,
            ts: self.ts,
            op: self.op,
            item_id: self.item_id,
            item_upc: row.item_upc,
            category_code: row.category_code,
            item_name: &row.item_name,
            brand: &row.brand,
            item_price: row.item_price,
            item_cost: row.item_cost,
            repl_qty: row.repl_qty,
            popularity: row.popularity,
            member_price: row.member_price,
            before_price: self.before.as_ref().map(|b| b.item_price),
        }
    }
}

/// [`ItemChangeEvent::flat`].
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct FlatItemChange<'a> {
    pub kind: &'static str,
    pub change_id: u64,
    pub ts: SimTime,
    pub op: ChangeOp,
    pub item_id: u32,
    pub item_upc: u64,
    pub category_code: u32,
    pub item_name: &'a str,
    pub brand: &'a str,
    pub item_price: Money,
    pub item_cost: Money,
    pub repl_qty: u32,
    pub popularity: u8,
    pub member_price: bool,
    pub before_price: Option<Money>,
}

/// The item master's row, nested in an item change as `before` and `after`.
pub const ITEM_ROW: [Field; 10] = [
    Field::new("item_id", Type::Int32, "The item id (SKU)."),
    Field::new("item_upc", Type::Int64, "The 11-digit UPC."),
    Field::new("category_code", Type::Int32, "The category's code."),
    Field::new("item_name", Type::String, "The item's name."),
    Field::new("brand", Type::String, "The brand."),
    Field::new("item_price", MONEY, "Shelf price."),
    Field::new("item_cost", MONEY, "Unit cost."),
    Field::new("repl_qty", Type::Int32, "Replenishment quantity."),
    Field::new(
        "popularity",
        Type::Int32,
        "Popularity class, 1 (best seller) to 5.",
    ),
    Field::new(
        "member_price",
        Type::Bool,
        "Whether members get a discount on it.",
    ),
];

/// What leads an item change, nested or flat.
const CHANGE_HEAD: [Field; 4] = [
    Field::new(
        "change_id",
        Type::Int64,
        "1, 2, ... in the order of the run's changes.",
    ),
    Field::new("ts", TIMESTAMP, "When the change was made (UTC)."),
    Field::new("op", Type::String, "Create, update or delete.").one_of(&["c", "u", "d"]),
    Field::new("item_id", Type::Int32, "The item."),
];

/// An item change's flat row: its head, the row after the change (before,
/// for a delete) without its repeated `item_id`, and the price before.
const FLAT_CHANGE: [Field; 14] = {
    let mut out = [CHANGE_HEAD[0]; 14];
    let mut i = 0;
    while i < CHANGE_HEAD.len() {
        out[i] = CHANGE_HEAD[i];
        i += 1;
    }
    let mut j = 1;
    while j < ITEM_ROW.len() {
        out[CHANGE_HEAD.len() + j - 1] = ITEM_ROW[j];
        j += 1;
    }
    out[13] = Field::new(
        "before_price",
        MONEY,
        "The price before the change; null for a create.",
    )
    .nullable();
    out
};

impl Record for ScanEvent {
    const SCHEMA: Schema = Schema {
        name: "scan",
        version: 1,
        doc: "One item line scanned at a register; a void repeats its line with quantity 0.",
        fields: &[
            Field::new(
                "event_id",
                Type::String,
                "Derived id: the transaction id and the 3-digit line.",
            ),
            Field::new("ts", TIMESTAMP, "When the line was scanned (UTC)."),
            Field::new("store_id", Type::Int32, "The store."),
            Field::new(
                "register",
                Type::Int32,
                "1.. for staffed lanes, 101.. for self-checkout stations.",
            ),
            Field::new(
                "transaction_id",
                Type::String,
                "The basket: STORE-YYYYMMDD-SEQ, the store's local business date.",
            ),
            Field::new(
                "line",
                Type::Int32,
                "The 1-based line within the transaction.",
            ),
            Field::new("sku", Type::Int32, "The item id from the item master."),
            Field::new("category", Type::Int32, "The item's category code."),
            Field::new("quantity", Type::Int32, "Units on the line; 0 in a void."),
            Field::new("unit_price", MONEY, "Shelf price of one unit."),
            Field::new("discount", MONEY, "Member discount on the whole line."),
        ],
        flat: None,
    };
    #[inline]
    fn ts(&self) -> SimTime {
        self.ts
    }
    #[inline]
    fn store_id(&self) -> u32 {
        self.transaction_id.store_id
    }
    fn transaction_id(&self) -> Option<TxnId> {
        Some(self.transaction_id)
    }
}

impl Record for TransactionEvent {
    const SCHEMA: Schema = Schema {
        name: "transaction",
        version: 1,
        doc: "One completed basket: the receipt.",
        fields: &[
            Field::new(
                "transaction_id",
                Type::String,
                "STORE-YYYYMMDD-SEQ: store, local business date, daily sequence.",
            ),
            Field::new(
                "ts",
                TIMESTAMP,
                "When the receipt printed (UTC); equals end_ts.",
            ),
            Field::new("store_id", Type::Int32, "The store."),
            Field::new(
                "register",
                Type::Int32,
                "1.. for staffed lanes, 101.. for self-checkout stations.",
            ),
            Field::new(
                "customer_id",
                Type::Int64,
                "The loyalty member, or null for an anonymous shopper.",
            )
            .nullable(),
            Field::new(
                "start_ts",
                TIMESTAMP,
                "When service started at the register (UTC).",
            ),
            Field::new("end_ts", TIMESTAMP, "When payment completed (UTC)."),
            Field::new("line_count", Type::Int32, "Item lines on the receipt."),
            Field::new("item_count", Type::Int32, "Units on the receipt."),
            Field::new(
                "subtotal",
                MONEY,
                "Sum of quantity * unit_price over the lines.",
            ),
            Field::new("discount", MONEY, "Sum of line discounts."),
            Field::new(
                "tax",
                MONEY,
                "Sales tax on the taxable lines after discounts.",
            ),
            Field::new("total", MONEY, "subtotal - discount + tax."),
            Field::new("payment_method", Type::String, "How the basket was paid.")
                .one_of(&["credit", "debit", "cash", "mobile"]),
            Field::new(
                "queue_wait_ms",
                Type::Int32,
                "From joining the queue to the start of service, ms.",
            ),
        ],
        flat: None,
    };
    #[inline]
    fn ts(&self) -> SimTime {
        self.ts
    }
    #[inline]
    fn store_id(&self) -> u32 {
        self.store_id
    }
    fn sale_cents(&self) -> i64 {
        (self.subtotal - self.discount).cents()
    }
    fn queue_wait_ms(&self) -> Option<u32> {
        Some(self.queue_wait_ms)
    }
    fn transaction_id(&self) -> Option<TxnId> {
        Some(self.transaction_id)
    }
}

impl Record for ItemChangeEvent {
    const SCHEMA: Schema = Schema {
        name: "item_change",
        version: 1,
        doc: "One insert, update or delete in the item master, Debezium-style.",
        fields: &[
            CHANGE_HEAD[0],
            CHANGE_HEAD[1],
            CHANGE_HEAD[2],
            CHANGE_HEAD[3],
            Field::new(
                "before",
                Type::Record(&ITEM_ROW),
                "The row before; null for a create.",
            )
            .nullable(),
            Field::new(
                "after",
                Type::Record(&ITEM_ROW),
                "The row after; null for a delete.",
            )
            .nullable(),
        ],
        flat: Some(&FLAT_CHANGE),
    };
    #[inline]
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// Chain-wide: store 0.
    #[inline]
    fn store_id(&self) -> u32 {
        0
    }
    fn flat(&self) -> impl Serialize + '_ {
        ItemChangeEvent::flat(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    #[test]
    fn scan_json_is_stable() {
        let txn = TxnId {
            store_id: 1101,
            date: 20261123,
            seq: 42,
        };
        let e = Event::Scan(ScanEvent {
            ts: SimTime(1_795_000_000_123_456),
            register: 2,
            transaction_id: txn,
            line: 3,
            sku: 12345,
            category: 20100,
            quantity: 2,
            unit_price: Money(199),
            discount: Money(80),
        });
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"kind":"scan","event_id":"1101-20261123-000042-003","ts":"2026-11-18T11:06:40.123Z","store_id":1101,"register":2,"transaction_id":"1101-20261123-000042","line":3,"sku":12345,"category":20100,"quantity":2,"unit_price":1.99,"discount":0.8}"#
        );
    }
}
