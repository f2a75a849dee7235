//! The marketplace's records: a listing of a vendor's snapshot and the
//! vendor feed.

use super::*;

/// One listing in a vendor's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "listing")]
#[allow(missing_docs)]
pub struct ListingEvent {
    pub ts: SimTime,
    /// `VENDOR-YYYYMMDD-N`: the vendor's n-th snapshot of the day.
    pub snapshot_id: TxnId,
    pub vendor_id: u32,
    /// The vendor's name, as its feed publishes it.
    pub vendor_name: Arc<str>,
    pub product_id: u32,
    pub product_name: String,
    /// The category's name, or (rarely) an invalid value.
    pub category: String,
    pub list_price: Money,
    pub sale_price: Money,
    pub stock_status: StockStatus,
    pub stock_qty: u32,
    /// The sale price after the first matching pricing rule.
    pub dynamic_price: Money,
    /// That rule's name, or null.
    pub pricing_rule: Option<String>,
}

impl Record for ListingEvent {
    const SCHEMA: Schema = Schema {
        name: "listing",
        version: 1,
        doc: "One listing of a marketplace vendor's snapshot.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the snapshot was published (UTC)."),
            Field::new(
                "snapshot_id",
                Type::String,
                "VENDOR-YYYYMMDD-N: the vendor's n-th snapshot of the day.",
            ),
            Field::new("vendor_id", Type::Int32, "The vendor."),
            Field::new(
                "vendor_name",
                Type::String,
                "The vendor's name (unique; the vendor feed's key).",
            ),
            Field::new("product_id", Type::Int32, "The product."),
            Field::new("product_name", Type::String, "The product's name (unique within a vendor's snapshot)."),
            Field::new(
                "category",
                Type::String,
                "The category's name, or (rarely) an invalid value.",
            ),
            Field::new("list_price", MONEY, "List price."),
            Field::new("sale_price", MONEY, "The vendor's price."),
            Field::new(
                "stock_status",
                Type::String,
                "Stock against the low-stock threshold.",
            )
            .one_of(&["in_stock", "low_stock", "out_of_stock"]),
            Field::new("stock_qty", Type::Int32, "Units in stock."),
            Field::new(
                "dynamic_price",
                MONEY,
                "The sale price after the first matching pricing rule.",
            ),
            Field::new("pricing_rule", Type::String, "That rule's name, or null.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The vendor.
    fn store_id(&self) -> u32 {
        self.vendor_id
    }
    fn transaction_id(&self) -> Option<TxnId> {
        Some(self.snapshot_id)
    }
}


/// The vendor feed: a vendor's record, republished with its first
/// snapshot of each day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "vendor")]
#[allow(missing_docs)]
pub struct VendorEvent {
    pub ts: SimTime,
    pub vendor_id: u32,
    pub vendor_name: Arc<str>,
    /// Shipping cost of an order (0.00: free shipping).
    pub shipping_cost: Money,
    /// The customers' mean review score, 1.0 to 5.0, in tenths.
    #[serde(serialize_with = "crate::schema::tenths")]
    pub review_score: u16,
    /// Reviews received so far.
    pub feedbacks: u32,
}


impl Record for VendorEvent {
    const SCHEMA: Schema = Schema {
        name: "vendor",
        version: 1,
        doc: "A marketplace vendor's record, republished with its first snapshot of each day.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When it was published (UTC)."),
            Field::new("vendor_id", Type::Int32, "The vendor."),
            Field::new("vendor_name", Type::String, "The vendor's name, as listings carry it."),
            Field::new("shipping_cost", MONEY, "Shipping cost of an order; 0.00 is free shipping."),
            Field::new(
                "review_score",
                Type::Float64,
                "The customers' mean review score, 1.0 to 5.0 (one decimal).",
            ),
            Field::new("feedbacks", Type::Int32, "Reviews received so far."),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The vendor.
    fn store_id(&self) -> u32 {
        self.vendor_id
    }
}
