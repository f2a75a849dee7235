//! Events: what the simulation emits, one `scan` per item line, one
//! `transaction` (receipt) per basket, and one `item_change` per change
//! to the item master.
//!
//! JSON field names are snake_case and stable; see the README for the schemas.

use std::fmt;

use serde::Serialize;

use crate::money::Money;
use crate::time::SimTime;

/// The kinds of event, named as in sink paths (`kind=scan`) and the `kind` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// One item line scanned at a register.
    Scan,
    /// One completed basket (the receipt).
    Transaction,
    /// One insert, update or delete in the item master.
    ItemChange,
    /// A smoothie bar's product and its stock (the `demo.products` topic).
    Product,
    /// One product line of a smoothie purchase (`demo.purchases`).
    Purchase,
    /// A restock delivery (`demo.inventories`).
    Inventory,
    /// A sale lost to a stock-out.
    LostSale,
    /// A web-shop purchase (the `purchases` topic).
    WebPurchase,
    /// One web request (the `requestlog` topic).
    Request,
    /// One listing of a marketplace vendor's snapshot.
    Listing,
    /// E-commerce: a customer (load, insert, update).
    EcomCustomer,
    /// E-commerce: an order.
    EcomOrder,
    /// E-commerce: an order line.
    EcomOrderLine,
    /// In-store: a store record.
    PosStore,
    /// In-store: a sale, in the morning batch.
    PosSale,
    /// Inventory: a product.
    InvProduct,
    /// Inventory: a supplier.
    InvSupplier,
    /// Inventory: a stock movement.
    InvMovement,
    /// The ground truth: one injected defect.
    DirtyLabel,
}

impl EventKind {
    /// Every kind, in a fixed order (the order of summaries and manifests).
    pub const ALL: [EventKind; 19] = [
        EventKind::Scan,
        EventKind::Transaction,
        EventKind::ItemChange,
        EventKind::Product,
        EventKind::Purchase,
        EventKind::Inventory,
        EventKind::LostSale,
        EventKind::WebPurchase,
        EventKind::Request,
        EventKind::Listing,
        EventKind::EcomCustomer,
        EventKind::EcomOrder,
        EventKind::EcomOrderLine,
        EventKind::PosStore,
        EventKind::PosSale,
        EventKind::InvProduct,
        EventKind::InvSupplier,
        EventKind::InvMovement,
        EventKind::DirtyLabel,
    ];

    /// The kind's name: `scan`, `transaction`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Scan => "scan",
            EventKind::Transaction => "transaction",
            EventKind::ItemChange => "item_change",
            EventKind::Product => "product",
            EventKind::Purchase => "purchase",
            EventKind::Inventory => "inventory",
            EventKind::LostSale => "lost_sale",
            EventKind::WebPurchase => "web_purchase",
            EventKind::Request => "request",
            EventKind::Listing => "listing",
            EventKind::EcomCustomer => "ecom_customer",
            EventKind::EcomOrder => "ecom_order",
            EventKind::EcomOrderLine => "ecom_order_line",
            EventKind::PosStore => "pos_store",
            EventKind::PosSale => "pos_sale",
            EventKind::InvProduct => "inv_product",
            EventKind::InvSupplier => "inv_supplier",
            EventKind::InvMovement => "inv_movement",
            EventKind::DirtyLabel => "dirty_label",
        }
    }

    /// A dense index, `0..ALL.len()`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The kind's fields, in order (its CSV header; JSON has the same
    /// fields, with an item change's row as `before` and `after` objects).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            EventKind::Scan => &[
                "kind",
                "event_id",
                "ts",
                "store_id",
                "register",
                "transaction_id",
                "line",
                "sku",
                "category",
                "quantity",
                "unit_price",
                "discount",
            ],
            EventKind::Transaction => &[
                "kind",
                "transaction_id",
                "ts",
                "store_id",
                "register",
                "customer_id",
                "start_ts",
                "end_ts",
                "line_count",
                "item_count",
                "subtotal",
                "discount",
                "tax",
                "total",
                "payment_method",
                "queue_wait_ms",
            ],
            EventKind::ItemChange => &[
                "kind",
                "change_id",
                "ts",
                "op",
                "item_id",
                "item_upc",
                "category_code",
                "item_name",
                "brand",
                "item_price",
                "item_cost",
                "repl_qty",
                "popularity",
                "member_price",
                "before_price",
            ],
            EventKind::Product => &[
                "kind",
                "event_time",
                "product_id",
                "category",
                "item",
                "size",
                "cogs",
                "price",
                "inventory_level",
                "contains_fruit",
                "contains_veggies",
                "contains_nuts",
                "contains_caffeine",
                "propensity_to_buy",
                "store_id",
            ],
            EventKind::Purchase => &[
                "kind",
                "transaction_time",
                "transaction_id",
                "product_id",
                "price",
                "quantity",
                "is_member",
                "member_discount",
                "add_supplements",
                "supplement_price",
                "total_purchase",
                "store_id",
            ],
            EventKind::Inventory => &[
                "kind",
                "event_time",
                "product_id",
                "existing_level",
                "stock_quantity",
                "new_level",
                "store_id",
            ],
            EventKind::LostSale => &[
                "kind",
                "event_time",
                "transaction_id",
                "product_id",
                "price",
                "quantity",
                "stock_level",
                "store_id",
            ],
            EventKind::WebPurchase => &[
                "kind",
                "ts",
                "purchaseid",
                "sessionid",
                "customerid",
                "amount",
                "items",
            ],
            EventKind::Request => &[
                "kind",
                "ts",
                "requestid",
                "sessionid",
                "customerid",
                "method",
                "url",
                "status",
                "latency",
                "bytes",
                "useragent",
            ],
            EventKind::Listing => &[
                "kind",
                "ts",
                "snapshot_id",
                "vendor_id",
                "product_id",
                "product_name",
                "category",
                "list_price",
                "sale_price",
                "stock_status",
                "stock_qty",
                "dynamic_price",
                "pricing_rule",
            ],
            EventKind::EcomCustomer => &[
                "kind",
                "ts",
                "op",
                "customer_id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "street",
                "city",
                "state",
                "zip",
                "loyalty_number",
                "signup_date",
            ],
            EventKind::EcomOrder => &[
                "kind",
                "ts",
                "order_id",
                "customer_id",
                "order_ts",
                "status",
                "total",
                "ship_city",
                "ship_state",
                "ship_zip",
            ],
            EventKind::EcomOrderLine => &[
                "kind",
                "ts",
                "order_id",
                "line",
                "sku",
                "quantity",
                "unit_price",
            ],
            EventKind::PosStore => &[
                "kind",
                "ts",
                "op",
                "store_code",
                "name",
                "location",
                "opened",
            ],
            EventKind::PosSale => &[
                "kind",
                "ts",
                "sale_id",
                "store_code",
                "sale_date",
                "sale_time",
                "product_id",
                "quantity",
                "amount",
                "loyalty_card",
            ],
            EventKind::InvProduct => &[
                "kind",
                "ts",
                "op",
                "product_code",
                "description",
                "category",
                "supplier_code",
                "unit_cost",
                "list_price",
            ],
            EventKind::InvSupplier => &[
                "kind",
                "ts",
                "op",
                "supplier_code",
                "name",
                "location",
                "contact_email",
            ],
            EventKind::InvMovement => &[
                "kind",
                "ts",
                "movement_id",
                "movement_date",
                "product_code",
                "location_code",
                "movement_type",
                "quantity",
            ],
            EventKind::DirtyLabel => &[
                "kind",
                "ts",
                "system",
                "record_kind",
                "record_id",
                "defect",
                "field",
                "store_id",
            ],
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<EventKind, String> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown event kind `{s}` (known: {})", known.join(", "))
            })
    }
}

/// The field that keys an event's message (Kafka's partitioning key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyField {
    /// The store id: each store's events stay in order within a partition.
    #[default]
    StoreId,
    /// The transaction id (events without one are keyed by store id): a
    /// basket's scans and receipt stay together, stores spread wider.
    TransactionId,
    /// No key: the producer spreads messages over partitions.
    None,
}

impl KeyField {
    /// The key of `event`, written into `out` (cleared first); false for
    /// no key.
    pub fn write(self, event: &Event, out: &mut String) -> bool {
        use std::fmt::Write;
        out.clear();
        match (self, event.transaction_id()) {
            (KeyField::None, _) => return false,
            (KeyField::TransactionId, Some(t)) => write!(out, "{t}"),
            _ => write!(out, "{}", event.store_id()),
        }
        .is_ok()
    }
}

impl std::str::FromStr for KeyField {
    type Err = String;

    fn from_str(s: &str) -> Result<KeyField, String> {
        match s {
            "store_id" => Ok(KeyField::StoreId),
            "transaction_id" => Ok(KeyField::TransactionId),
            "none" => Ok(KeyField::None),
            _ => Err(format!("key `{s}`: use store_id, transaction_id or none")),
        }
    }
}

/// A transaction id derived from (store, local business date, daily sequence).
///
/// Written as `1101-20261123-000042`. Derived ids are stable across reruns,
/// so downstream can de-duplicate after a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxnId {
    /// The store id.
    pub store_id: u32,
    /// The store's local business date, `YYYYMMDD`.
    pub date: u32,
    /// The 1-based sequence of the transaction in that store and day.
    pub seq: u32,
}

impl TxnId {
    /// Writes the id into `buf` and returns its length; the hot-path form
    /// of [`Display`](fmt::Display), without the formatting machinery.
    fn write(&self, buf: &mut [u8; 40]) -> usize {
        let mut n = put_u32(buf, 0, self.store_id);
        buf[n] = b'-';
        n = put_u32(buf, n + 1, self.date);
        buf[n] = b'-';
        put_padded(buf, n + 1, self.seq, 6)
    }

    /// The id as text in `buf` (`STORE-YYYYMMDD-SEQ`), without allocating.
    pub fn encode<'a>(&self, buf: &'a mut [u8; 40]) -> &'a str {
        let n = self.write(buf);
        // Digits and dashes only.
        std::str::from_utf8(&buf[..n]).unwrap_or_default()
    }
}

/// Issues a store's [`TxnId`]s: 1, 2, ... within each business date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TxnIds {
    date: u32,
    seq: u32,
}

impl TxnIds {
    /// The next id of `store_id` on business date `date` (`YYYYMMDD`).
    pub fn next(&mut self, store_id: u32, date: u32) -> TxnId {
        if date != self.date {
            *self = TxnIds { date, seq: 0 };
        }
        self.seq += 1;
        TxnId {
            store_id,
            date,
            seq: self.seq,
        }
    }
}

/// Writes `v` in decimal at `at`; returns the end.
fn put_u32(buf: &mut [u8; 40], at: usize, v: u32) -> usize {
    let mut digits = [0u8; 10];
    let mut len = 0;
    let mut v = v;
    loop {
        digits[len] = b'0' + (v % 10) as u8;
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for i in 0..len {
        buf[at + i] = digits[len - 1 - i];
    }
    at + len
}

/// Writes `v` zero-padded to at least `width` digits at `at`; returns the end.
fn put_padded(buf: &mut [u8; 40], at: usize, v: u32, width: usize) -> usize {
    let mut tmp = [0u8; 40];
    let len = put_u32(&mut tmp, 0, v);
    let pad = width.saturating_sub(len);
    buf[at..at + pad].fill(b'0');
    buf[at + pad..at + pad + len].copy_from_slice(&tmp[..len]);
    at + pad + len
}

impl fmt::Display for TxnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode(&mut [0u8; 40]))
    }
}

impl Serialize for TxnId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.encode(&mut [0u8; 40]))
    }
}

/// A scan id: the transaction id and the 1-based line number, `1101-20261123-000042-003`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScanId {
    /// The transaction the line belongs to.
    pub txn: TxnId,
    /// The 1-based line number.
    pub line: u16,
}

impl ScanId {
    fn write(&self, buf: &mut [u8; 40]) -> usize {
        let n = self.txn.write(buf);
        buf[n] = b'-';
        put_padded(buf, n + 1, u32::from(self.line), 3)
    }

    /// The id as text in `buf` (`STORE-YYYYMMDD-SEQ-LINE`), without allocating.
    pub fn encode<'a>(&self, buf: &'a mut [u8; 40]) -> &'a str {
        let n = self.write(buf);
        // Digits and dashes only.
        std::str::from_utf8(&buf[..n]).unwrap_or_default()
    }
}

impl fmt::Display for ScanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encode(&mut [0u8; 40]))
    }
}

impl Serialize for ScanId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.encode(&mut [0u8; 40]))
    }
}

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

/// Any event; each kind carries its own `kind` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Event {
    /// A scan.
    Scan(ScanEvent),
    /// A transaction (boxed: receipts are a tenth of events and twice the size).
    Transaction(Box<TransactionEvent>),
    /// A change to the item master (chain-wide: store id 0).
    ItemChange(Box<ItemChangeEvent>),
    /// A smoothie product snapshot.
    Product(Box<crate::smoothie::ProductEvent>),
    /// A smoothie purchase line.
    Purchase(Box<crate::smoothie::PurchaseEvent>),
    /// A smoothie restock.
    Inventory(Box<crate::smoothie::InventoryEvent>),
    /// A smoothie sale lost to a stock-out.
    LostSale(Box<crate::smoothie::LostSaleEvent>),
    /// A web-shop purchase.
    WebPurchase(Box<crate::webshop::WebPurchaseEvent>),
    /// A web request.
    Request(Box<crate::webshop::RequestEvent>),
    /// A marketplace listing.
    Listing(Box<crate::marketplace::ListingEvent>),
    /// E-commerce: a customer (load, insert, update).
    EcomCustomer(Box<crate::widgets::EcomCustomer>),
    /// E-commerce: an order.
    EcomOrder(Box<crate::widgets::EcomOrder>),
    /// E-commerce: an order line.
    EcomOrderLine(Box<crate::widgets::EcomOrderLine>),
    /// In-store: a store record.
    PosStore(Box<crate::widgets::PosStore>),
    /// In-store: a sale, in the morning batch.
    PosSale(Box<crate::widgets::PosSale>),
    /// Inventory: a product.
    InvProduct(Box<crate::widgets::InvProduct>),
    /// Inventory: a supplier.
    InvSupplier(Box<crate::widgets::InvSupplier>),
    /// Inventory: a stock movement.
    InvMovement(Box<crate::widgets::InvMovement>),
    /// The ground truth: one injected defect.
    DirtyLabel(Box<crate::widgets::DirtyLabel>),
}

impl Event {
    /// The event's kind.
    #[inline]
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Scan(_) => EventKind::Scan,
            Event::Transaction(_) => EventKind::Transaction,
            Event::ItemChange(_) => EventKind::ItemChange,
            Event::Product(_) => EventKind::Product,
            Event::Purchase(_) => EventKind::Purchase,
            Event::Inventory(_) => EventKind::Inventory,
            Event::LostSale(_) => EventKind::LostSale,
            Event::WebPurchase(_) => EventKind::WebPurchase,
            Event::Request(_) => EventKind::Request,
            Event::Listing(_) => EventKind::Listing,
            Event::EcomCustomer(_) => EventKind::EcomCustomer,
            Event::EcomOrder(_) => EventKind::EcomOrder,
            Event::EcomOrderLine(_) => EventKind::EcomOrderLine,
            Event::PosStore(_) => EventKind::PosStore,
            Event::PosSale(_) => EventKind::PosSale,
            Event::InvProduct(_) => EventKind::InvProduct,
            Event::InvSupplier(_) => EventKind::InvSupplier,
            Event::InvMovement(_) => EventKind::InvMovement,
            Event::DirtyLabel(_) => EventKind::DirtyLabel,
        }
    }

    /// The event's time (UTC).
    #[inline]
    pub fn ts(&self) -> SimTime {
        match self {
            Event::Scan(e) => e.ts,
            Event::Transaction(e) => e.ts,
            Event::ItemChange(e) => e.ts,
            Event::Product(e) => e.event_time.0,
            Event::Purchase(e) => e.transaction_time.0,
            Event::Inventory(e) => e.event_time.0,
            Event::LostSale(e) => e.event_time.0,
            Event::WebPurchase(e) => e.ts,
            Event::Request(e) => e.ts,
            Event::Listing(e) => e.ts,
            Event::EcomCustomer(e) => e.ts,
            Event::EcomOrder(e) => e.ts,
            Event::EcomOrderLine(e) => e.ts,
            Event::PosStore(e) => e.ts,
            Event::PosSale(e) => e.ts,
            Event::InvProduct(e) => e.ts,
            Event::InvSupplier(e) => e.ts,
            Event::InvMovement(e) => e.ts,
            Event::DirtyLabel(e) => e.ts,
        }
    }

    /// The store that emitted it; 0 for chain-wide events.
    #[inline]
    pub fn store_id(&self) -> u32 {
        match self {
            Event::Scan(e) => e.store_id(),
            Event::Transaction(e) => e.store_id,
            Event::ItemChange(_) => 0,
            Event::Product(e) => e.store_id,
            Event::Purchase(e) => e.store_id,
            Event::Inventory(e) => e.store_id,
            Event::LostSale(e) => e.store_id,
            // The customer's market.
            Event::WebPurchase(e) => e.sessionid.store_id,
            Event::Request(e) => e.sessionid.store_id,
            Event::Listing(e) => e.vendor_id,
            // The store whose market the customer belongs to.
            Event::EcomCustomer(e) => (e.customer_id / 1_000_000) as u32,
            Event::EcomOrder(e) => order_store(&e.order_id),
            Event::EcomOrderLine(e) => order_store(&e.order_id),
            Event::PosStore(e) => code_store(&e.store_code),
            Event::PosSale(e) => code_store(&e.store_code),
            Event::InvMovement(e) => code_store(&e.location_code),
            // The masters are published by one store for the company.
            Event::InvProduct(_) | Event::InvSupplier(_) => 0,
            Event::DirtyLabel(e) => e.store_id,
        }
    }

    /// The transaction it belongs to, if any.
    pub fn transaction_id(&self) -> Option<TxnId> {
        match self {
            Event::Scan(e) => Some(e.transaction_id),
            Event::Transaction(e) => Some(e.transaction_id),
            Event::Purchase(e) => Some(e.transaction_id),
            Event::LostSale(e) => Some(e.transaction_id),
            Event::WebPurchase(e) => Some(e.sessionid),
            Event::Request(e) => Some(e.sessionid),
            Event::Listing(e) => Some(e.snapshot_id),
            _ => None,
        }
    }
}

/// The store of an order id `STORE-YYYYMMDD-SEQ`.
fn order_store(id: &str) -> u32 {
    id.split('-')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The store of a store code `S1101`.
fn code_store(code: &str) -> u32 {
    code.trim_start_matches('S').parse().unwrap_or(0)
}

/// An event with its total-order key `(at, store, seq)`.
///
/// `seq` counts the events a store has generated, so the key is unique and
/// independent of threads and window lengths. The store id is copied out of
/// the event when it is stamped, so ordering never looks inside the event
/// (most kinds are boxed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// When the event is delivered: its event time, or later for a late
    /// event or a duplicate. Streams are ordered by it.
    pub at: SimTime,
    /// The store's generation sequence number.
    pub seq: u64,
    /// The event's [`Event::store_id`].
    pub store: u32,
    /// The event.
    pub event: Event,
}

impl Stamped {
    /// An event delivered at its event time.
    pub fn new(seq: u64, event: Event) -> Stamped {
        Stamped {
            at: event.ts(),
            seq,
            store: event.store_id(),
            event,
        }
    }

    /// The ordering key `(at, store_id, seq)`.
    #[inline]
    pub fn key(&self) -> (SimTime, u32, u64) {
        (self.at, self.store, self.seq)
    }

    /// Whether `events` are in strictly increasing [`Stamped::key`] order.
    pub fn in_order(events: &[Stamped]) -> bool {
        events.windows(2).all(|w| w[0].key() < w[1].key())
    }
}

/// A window's events, ordered by `(ts, store_id, seq)`.
#[derive(Debug, Clone, Default)]
pub struct EventBatch {
    /// Start of the window (inclusive).
    pub start: SimTime,
    /// End of the window (exclusive); every event is before it.
    pub end: SimTime,
    /// The events, in order.
    pub events: Vec<Stamped>,
}

impl EventBatch {
    /// Number of events of each kind, indexed by [`EventKind::index`].
    pub fn counts(&self) -> [u64; EventKind::ALL.len()] {
        let mut counts = [0u64; EventKind::ALL.len()];
        for e in &self.events {
            counts[e.event.kind().index()] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_small() {
        // Events are moved and buffered by the million: keep them compact
        // (the event, and its ordering key: delivery time, store, sequence).
        assert!(
            std::mem::size_of::<Stamped>() <= 88,
            "{}",
            std::mem::size_of::<Stamped>()
        );
    }

    #[test]
    fn ids_format_with_padding() {
        let txn = TxnId {
            store_id: 7,
            date: 20261123,
            seq: 1_234_567,
        };
        assert_eq!(txn.to_string(), "7-20261123-1234567");
        assert_eq!(
            ScanId { txn, line: 1000 }.to_string(),
            "7-20261123-1234567-1000"
        );
        let txn = TxnId {
            store_id: 4_000_000_000,
            date: 20261123,
            seq: 0,
        };
        assert_eq!(
            ScanId { txn, line: 5 }.to_string(),
            "4000000000-20261123-000000-005"
        );
    }

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
