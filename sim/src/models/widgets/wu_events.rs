//! The Widgets Unlimited tables (`[widgets] tables = "unlimited"`): the
//! entities of the demo's `WidgetsUnlimited/model/*.py`, column for column
//! in its order and its types, each row with the demo's trailing
//! `batch_id` (the run day, from 1, on which the system wrote the row).
//!
//! Dates are SQL `DATE`s (`2026-11-27`), times the demo's zoneless
//! `TIMESTAMP`s (UTC), money the demo's `FLOAT` columns as exact cents.
//! The e-commerce system writes `customer`, `customer_address`,
//! `loyalty_number`, `order1` and `order_line_item` as they happen; the
//! in-store system `store`, `store_location` and the day's `store_sales` in
//! its 02:00 batch; the inventory system `product`, `supplier` and the
//! day's `inventory` events in its 03:00 file.

use super::*;
use crate::time::DemoTime;

/// The demo's `customer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_customer")]
#[allow(missing_docs)]
pub struct WuCustomer {
    pub customer_id: u64,
    pub customer_name: String,
    pub customer_user_id: String,
    pub customer_password: String,
    pub customer_email: Option<String>,
    /// `OA` (online advertising), `AM` (affiliate marketing) or empty.
    pub customer_referral_type: &'static str,
    pub customer_sex: &'static str,
    pub customer_date_of_birth: String,
    pub customer_loyalty_number: u64,
    pub customer_credit_card_number: String,
    pub customer_is_preferred: bool,
    pub customer_is_active: bool,
    pub customer_inserted_at: DemoTime,
    pub customer_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The demo's `customer_address`: `Name\nStreet\nCity, ST zip`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_customer_address")]
#[allow(missing_docs)]
pub struct WuCustomerAddress {
    pub customer_id: u64,
    pub customer_address_id: u64,
    pub customer_address: String,
    /// `B` (billing) or `S` (shipping).
    pub customer_address_type: &'static str,
    pub customer_address_inserted_at: DemoTime,
    pub customer_address_updated_at: DemoTime,
    pub batch_id: u32,
}

/// A loyalty number as it is issued (the demo names the entity and leaves
/// its table empty: this is storesim's design).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_loyalty_number")]
#[allow(missing_docs)]
pub struct WuLoyaltyNumber {
    pub loyalty_number: u64,
    pub loyalty_number_customer_id: u64,
    pub loyalty_number_store_id: u32,
    pub loyalty_number_issued_date: String,
    pub loyalty_number_inserted_at: DemoTime,
    pub loyalty_number_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The demo's `order1` (its time columns keep the demo's
/// `order_line_item_` names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_order")]
#[allow(missing_docs)]
pub struct WuOrder {
    pub order_id: u64,
    pub customer_id: u64,
    pub order_shipping_address_id: u64,
    pub order_special_instructions: String,
    pub order_shipping_cost: Option<Money>,
    pub order_execution_time: DemoTime,
    pub order_cancelled: bool,
    pub order_line_item_inserted_at: DemoTime,
    pub order_line_item_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The demo's `order_line_item`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_order_line_item")]
#[allow(missing_docs)]
pub struct WuOrderLineItem {
    pub order_line_item_id: u64,
    pub order_id: u64,
    pub order_line_item_product_id: u32,
    pub order_line_item_quantity: i64,
    pub order_line_item_unit_price: Option<Money>,
    pub order_line_item_total_price: Option<Money>,
    pub order_line_comments: String,
    pub order_line_item_inserted_at: DemoTime,
    pub order_line_item_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The demo's `product`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_product")]
#[allow(missing_docs)]
pub struct WuProduct {
    pub product_id: u32,
    pub product_name: String,
    pub product_description: String,
    pub product_category: String,
    pub product_brand: String,
    pub product_preferred_supplier_id: u32,
    pub product_unit_cost: Option<Money>,
    /// Tenths of a centimetre.
    #[serde(serialize_with = "crate::schema::tenths")]
    pub product_dimension_length: u32,
    /// Tenths of a centimetre.
    #[serde(serialize_with = "crate::schema::tenths")]
    pub product_dimension_width: u32,
    /// Tenths of a centimetre.
    #[serde(serialize_with = "crate::schema::tenths")]
    pub product_dimension_height: u32,
    pub product_introduced_date: String,
    pub product_discontinued: bool,
    pub product_no_longer_offered: bool,
    pub product_inserted_at: DemoTime,
    pub product_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The demo's `supplier`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_supplier")]
#[allow(missing_docs)]
pub struct WuSupplier {
    pub supplier_id: u32,
    pub supplier_name: String,
    pub supplier_address: Option<String>,
    pub supplier_primary_contact_name: String,
    pub supplier_primary_contact_phone: String,
    pub supplier_secondary_contact_name: Option<String>,
    pub supplier_secondary_contact_phone: Option<String>,
    pub supplier_web_site: String,
    pub supplier_introduction_date: String,
    pub supplier_is_preferred: bool,
    pub supplier_is_active: bool,
    pub supplier_inserted_at: DemoTime,
    pub supplier_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The demo's `inventory`: a shipment to a customer, a supply from a
/// supplier or a customer's return, at a warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_inventory")]
#[allow(missing_docs)]
pub struct WuInventory {
    pub inventory_event_id: u64,
    /// `shipment`, `supply` or `return`.
    pub inventory_event_type: &'static str,
    pub inventory_product_id: u32,
    pub inventory_supplier_id: Option<u32>,
    pub inventory_warehouse_id: u32,
    pub inventory_quantity: Option<i64>,
    pub inventory_ship_address: Option<String>,
    pub inventory_ship_customer_id: Option<u64>,
    pub inventory_inserted_at: DemoTime,
    pub inventory_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The demo's `store`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_store")]
#[allow(missing_docs)]
pub struct WuStore {
    pub store_id: u32,
    pub store_name: String,
    pub store_manager_name: Option<String>,
    pub store_number_of_employees: u32,
    pub store_opened_date: String,
    pub store_closed_date: Option<String>,
    pub store_inserted_at: DemoTime,
    pub store_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The demo's `store_location` (its time columns keep the demo's
/// `store_` names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_store_location")]
#[allow(missing_docs)]
pub struct WuStoreLocation {
    pub store_location_id: u32,
    pub store_id: u32,
    pub store_location_street_address: String,
    pub store_location_city: String,
    pub store_location_state: String,
    pub store_location_zip_code: String,
    /// Tenths of a square foot.
    #[serde(serialize_with = "crate::schema::tenths")]
    pub store_location_sq_footage: u32,
    pub store_inserted_at: DemoTime,
    pub store_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The demo's `store_sales`: one product line sold in a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename = "wu_store_sales")]
#[allow(missing_docs)]
pub struct WuStoreSales {
    pub store_sales_id: u64,
    pub store_sales_store_id: u32,
    pub store_sales_product_id: u32,
    pub store_sales_quantity: i64,
    pub store_sales_unit_price: Money,
    pub store_sales_total_price: Option<Money>,
    /// `sale` or `return`.
    pub store_sales_transaction_type: &'static str,
    pub store_sales_transaction_date: String,
    pub store_sales_cc_number: Option<String>,
    pub store_sales_loyalty_number: Option<u64>,
    pub store_sales_inserted_at: DemoTime,
    pub store_sales_updated_at: DemoTime,
    pub batch_id: u32,
}

/// The loyalty number of customer `id`: `1` and the customer's digits.
pub fn loyalty_of(customer_id: u64) -> u64 {
    10_000_000_000 + customer_id
}
