//! The smoothie bar's records, as the demo's topics carry them, and their
//! schemas.

use super::*;

pub use crate::time::DemoTime;

/// A product and its stock at a bar, as on `demo.products`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "product")]
#[allow(missing_docs)]
pub struct ProductEvent {
    pub event_time: DemoTime,
    pub product_id: String,
    pub category: String,
    pub item: String,
    pub size: String,
    pub cogs: Money,
    pub price: Money,
    pub inventory_level: u32,
    pub contains_fruit: bool,
    pub contains_veggies: bool,
    pub contains_nuts: bool,
    pub contains_caffeine: bool,
    pub propensity_to_buy: u32,
    pub store_id: u32,
}

/// One product line of a purchase, as on `demo.purchases`:
/// `total_purchase = quantity * (price + supplement_price)` less the
/// member discount, rounded to the cent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "purchase")]
#[allow(missing_docs)]
pub struct PurchaseEvent {
    pub transaction_time: DemoTime,
    pub transaction_id: TxnId,
    pub product_id: String,
    /// The price paid per unit (the menu price, or less during a promotion).
    pub price: Money,
    pub quantity: u16,
    pub is_member: bool,
    /// The member discount as a fraction: 0.1 for 10%.
    #[serde(serialize_with = "bp_fraction")]
    pub member_discount: i64,
    pub add_supplements: bool,
    pub supplement_price: Money,
    pub total_purchase: Money,
    pub store_id: u32,
}

fn bp_fraction<S: serde::Serializer>(bp: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(*bp as f64 / 10_000.0)
}

/// A restock delivery, as on `demo.inventories`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "inventory")]
#[allow(missing_docs)]
pub struct InventoryEvent {
    pub event_time: DemoTime,
    pub product_id: String,
    pub existing_level: u32,
    pub stock_quantity: u32,
    pub new_level: u32,
    pub store_id: u32,
}

/// A customer wanted more than the bar had left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "lost_sale")]
#[allow(missing_docs)]
pub struct LostSaleEvent {
    pub event_time: DemoTime,
    pub transaction_id: TxnId,
    pub product_id: String,
    pub price: Money,
    pub quantity: u16,
    /// Units on hand when the customer asked.
    pub stock_level: u32,
    pub store_id: u32,
}


/// The bar a record is from.
const BAR: Field = Field::new("store_id", Type::Int32, "The bar.");

/// The smoothie demo's times.
const DEMO_TIME: Type = Type::Timestamp(TimeText::NaiveMicros);

impl Record for ProductEvent {
    const SCHEMA: Schema = Schema {
        name: "product",
        version: 1,
        doc: "A smoothie bar's product and its stock (the demo's products topic).",
        fields: &[
            Field::new(
                "event_time",
                DEMO_TIME,
                "When the snapshot was taken (UTC, no zone).",
            ),
            Field::new(
                "product_id",
                Type::String,
                "The menu's product id, such as SF07.",
            ),
            Field::new("category", Type::String, "The menu's category."),
            Field::new("item", Type::String, "The product's name."),
            Field::new("size", Type::String, "The cup size."),
            Field::new("cogs", MONEY, "Cost of goods sold."),
            Field::new("price", MONEY, "List price."),
            Field::new("inventory_level", Type::Int32, "Units in stock."),
            Field::new("contains_fruit", Type::Bool, "Whether it contains fruit."),
            Field::new(
                "contains_veggies",
                Type::Bool,
                "Whether it contains vegetables.",
            ),
            Field::new("contains_nuts", Type::Bool, "Whether it contains nuts."),
            Field::new(
                "contains_caffeine",
                Type::Bool,
                "Whether it contains caffeine.",
            ),
            Field::new(
                "propensity_to_buy",
                Type::Int32,
                "The product's relative weight of being chosen.",
            ),
            BAR,
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.event_time.0
    }
    fn store_id(&self) -> u32 {
        self.store_id
    }
}

impl Record for PurchaseEvent {
    const SCHEMA: Schema = Schema {
        name: "purchase",
        version: 1,
        doc: "One product line of a smoothie purchase (the demo's purchases topic).",
        fields: &[
            Field::new(
                "transaction_time",
                DEMO_TIME,
                "When it was bought (UTC, no zone).",
            ),
            Field::new(
                "transaction_id",
                Type::String,
                "The purchase: STORE-YYYYMMDD-SEQ.",
            ),
            Field::new("product_id", Type::String, "The product."),
            Field::new("price", MONEY, "Unit price."),
            Field::new("quantity", Type::Int32, "Units."),
            Field::new("is_member", Type::Bool, "Whether the buyer is a member."),
            Field::new(
                "member_discount",
                Type::Decimal {
                    precision: 5,
                    scale: 4,
                },
                "The member discount as a fraction (0.1 is 10%).",
            ),
            Field::new(
                "add_supplements",
                Type::Bool,
                "Whether supplements were added.",
            ),
            Field::new("supplement_price", MONEY, "Price of the supplements."),
            Field::new("total_purchase", MONEY, "What the line cost."),
            BAR,
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.transaction_time.0
    }
    fn store_id(&self) -> u32 {
        self.store_id
    }
    fn sale_cents(&self) -> i64 {
        self.total_purchase.cents()
    }
    fn transaction_id(&self) -> Option<TxnId> {
        Some(self.transaction_id)
    }
}

impl Record for InventoryEvent {
    const SCHEMA: Schema = Schema {
        name: "inventory",
        version: 1,
        doc: "A restock delivery (the demo's inventories topic).",
        fields: &[
            Field::new("event_time", DEMO_TIME, "When it arrived (UTC, no zone)."),
            Field::new("product_id", Type::String, "The product."),
            Field::new("existing_level", Type::Int32, "Units before."),
            Field::new("stock_quantity", Type::Int32, "Units delivered."),
            Field::new("new_level", Type::Int32, "Units after."),
            BAR,
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.event_time.0
    }
    fn store_id(&self) -> u32 {
        self.store_id
    }
}

impl Record for LostSaleEvent {
    const SCHEMA: Schema = Schema {
        name: "lost_sale",
        version: 1,
        doc: "A sale lost to a stock-out.",
        fields: &[
            Field::new("event_time", DEMO_TIME, "When (UTC, no zone)."),
            Field::new(
                "transaction_id",
                Type::String,
                "The purchase it would have been.",
            ),
            Field::new("product_id", Type::String, "The product."),
            Field::new("price", MONEY, "Unit price."),
            Field::new("quantity", Type::Int32, "Units wanted."),
            Field::new("stock_level", Type::Int32, "Units in stock."),
            BAR,
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.event_time.0
    }
    fn store_id(&self) -> u32 {
        self.store_id
    }
    fn transaction_id(&self) -> Option<TxnId> {
        Some(self.transaction_id)
    }
}
