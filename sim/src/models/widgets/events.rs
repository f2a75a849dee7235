//! The widget retailer's records: the three systems' kinds and the defect
//! labels.

use super::*;

/// A kind of injected defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Defect {
    /// A field that should have a value is null.
    Null,
    /// An email address that is not one.
    MalformedEmail,
    /// A date that does not parse in its system's format.
    MalformedDate,
    /// The record is sent a second time (the label marks the copy).
    Duplicate,
    /// A quantity outside its valid range.
    OutOfRange,
    /// A foreign key that matches no record.
    OrphanKey,
}

impl Defect {
    /// Every defect, in a fixed order.
    pub const ALL: [Defect; 6] = [
        Defect::Null,
        Defect::MalformedEmail,
        Defect::MalformedDate,
        Defect::Duplicate,
        Defect::OutOfRange,
        Defect::OrphanKey,
    ];

    /// The name used in labels and scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Defect::Null => "null",
            Defect::MalformedEmail => "malformed_email",
            Defect::MalformedDate => "malformed_date",
            Defect::Duplicate => "duplicate",
            Defect::OutOfRange => "out_of_range",
            Defect::OrphanKey => "orphan_key",
        }
    }
}


/// The operation of a master-data record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// The initial load.
    Load,
    /// A new record.
    Insert,
    /// A changed record.
    Update,
}

/// E-commerce: a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "ecom_customer")]
#[allow(missing_docs)]
pub struct EcomCustomer {
    pub ts: SimTime,
    pub op: Op,
    pub customer_id: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub city: String,
    pub state: String,
    pub zip: Option<String>,
    /// `LN-1101000042`.
    pub loyalty_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub signup_date: Option<String>,
}

/// E-commerce: an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "ecom_order")]
#[allow(missing_docs)]
pub struct EcomOrder {
    pub ts: SimTime,
    pub order_id: String,
    pub customer_id: Option<u64>,
    /// RFC 3339 UTC.
    pub order_ts: Option<String>,
    pub status: &'static str,
    pub total: Option<Money>,
    pub ship_city: String,
    pub ship_state: String,
    pub ship_zip: Option<String>,
}

/// E-commerce: an order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "ecom_order_line")]
#[allow(missing_docs)]
pub struct EcomOrderLine {
    pub ts: SimTime,
    pub order_id: String,
    pub line: u16,
    /// `WID-00042`.
    pub sku: String,
    pub quantity: Option<i64>,
    pub unit_price: Option<Money>,
}

/// In-store: the store record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "pos_store")]
#[allow(missing_docs)]
pub struct PosStore {
    pub ts: SimTime,
    pub op: Op,
    /// `S1101`.
    pub store_code: String,
    pub name: String,
    /// `Hayward, CA 94544`.
    pub location: Option<String>,
    /// `MM/DD/YYYY`.
    pub opened: Option<String>,
}

/// In-store: one sale (loaded in the next morning's batch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "pos_sale")]
#[allow(missing_docs)]
pub struct PosSale {
    /// When the batch was loaded.
    pub ts: SimTime,
    pub sale_id: String,
    pub store_code: String,
    /// `MM/DD/YYYY`, local.
    pub sale_date: Option<String>,
    /// `HH:MM`, local.
    pub sale_time: String,
    /// The product number (`42`).
    pub product_id: Option<u32>,
    pub quantity: Option<i64>,
    pub amount: Option<Money>,
    /// `LC 1101 000042`, or null for a shopper without a card.
    pub loyalty_card: Option<String>,
}

/// Inventory: a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "inv_product")]
#[allow(missing_docs)]
pub struct InvProduct {
    pub ts: SimTime,
    pub op: Op,
    /// `000042`.
    pub product_code: String,
    pub description: String,
    pub category: String,
    /// `SUP-017`.
    pub supplier_code: String,
    pub unit_cost: Option<Money>,
    pub list_price: Option<Money>,
}

/// Inventory: a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "inv_supplier")]
#[allow(missing_docs)]
pub struct InvSupplier {
    pub ts: SimTime,
    pub op: Op,
    pub supplier_code: String,
    pub name: String,
    /// `CA-Hayward`.
    pub location: Option<String>,
    pub contact_email: Option<String>,
}

/// Inventory: a stock movement at a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "inv_movement")]
#[allow(missing_docs)]
pub struct InvMovement {
    pub ts: SimTime,
    pub movement_id: String,
    /// `DD.MM.YYYY`.
    pub movement_date: Option<String>,
    pub product_code: String,
    /// The store, `S1101`.
    pub location_code: String,
    /// `sale`, `receipt` or `adjustment`.
    pub movement_type: &'static str,
    pub quantity: Option<i64>,
}

/// The ground truth: one injected defect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "dirty_label")]
#[allow(missing_docs)]
pub struct DirtyLabel {
    /// The labelled record's time.
    pub ts: SimTime,
    /// `ecom`, `pos` or `inventory`.
    pub system: &'static str,
    /// The record's kind.
    pub record_kind: &'static str,
    /// The record's id (its key).
    pub record_id: String,
    pub defect: Defect,
    /// The field that carries it (null for a duplicate).
    pub field: Option<&'static str>,
    /// The store whose model made it.
    pub store_id: u32,
}

/// The defects a record with a quantity and a product can carry: an
/// order line, a sale, an inventory event.
pub(super) const LINE_DEFECTS: &[Defect] = &[
    Defect::Null,
    Defect::Duplicate,
    Defect::OutOfRange,
    Defect::OrphanKey,
];

/// Valid quantities of a line or sale.
pub const QUANTITY_RANGE: (i64, i64) = (1, 100);
/// Valid quantities of a movement.
pub const MOVEMENT_RANGE: (i64, i64) = (1, 100_000);
/// Customer numbers from here up are never issued (orphan keys).
pub const ORPHAN_CUSTOMER: u64 = 900_000;
/// Product numbers from here up never exist (orphan keys).
pub const ORPHAN_PRODUCT: u32 = 90_000;
/// Supplier numbers from here up never exist (orphan keys).
pub const ORPHAN_SUPPLIER: u32 = 900;
