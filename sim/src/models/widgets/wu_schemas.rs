//! The schemas of the Widgets Unlimited tables: the demo's columns, in its
//! order, typed as its DDL types them (`INTEGER`, `VARCHAR`, `FLOAT`,
//! `DATE`, `BOOLEAN`, `TIMESTAMP`).

use super::*;
use crate::schema::TimeText;

/// The demo's `TIMESTAMP`: zoneless, UTC here.
const TS: Type = Type::Timestamp(TimeText::NaiveMicros);

/// The demo's trailing `batch_id`.
const BATCH: Field = Field::new(
    "batch_id",
    Type::Int32,
    "The run day, from 1, on which the system wrote the row (the demo's batch).",
);

const fn ts(name: &'static str, doc: &'static str) -> Field {
    Field::new(name, TS, doc)
}

const fn int(name: &'static str, doc: &'static str) -> Field {
    Field::new(name, Type::Int64, doc)
}

const fn text(name: &'static str, doc: &'static str) -> Field {
    Field::new(name, Type::String, doc)
}

/// The store of a customer id (the store's market times a million plus a
/// number).
fn customer_store(id: u64) -> u32 {
    (id / 1_000_000) as u32
}

/// The store of an order, sale or event id (the store times 10^8 plus a
/// sequence).
fn seq_store(id: u64) -> u32 {
    (id / 100_000_000) as u32
}

macro_rules! record {
    ($ty:ty, $ts:ident, |$s:ident| $store:expr, $schema:expr) => {
        impl Record for $ty {
            const SCHEMA: Schema = $schema;
            fn ts(&self) -> SimTime {
                self.$ts.0
            }
            fn store_id(&self) -> u32 {
                let $s = self;
                $store
            }
        }
    };
}

record!(WuCustomer, customer_updated_at, |c| customer_store(c.customer_id), Schema {
    name: "wu_customer",
    version: 1,
    doc: "Widgets Unlimited `customer`: the whole row at each insert and update.",
    fields: &[
        int("customer_id", "The customer: the store's market times a million plus a number."),
        text("customer_name", "First and last name."),
        text("customer_user_id", "The web shop's login."),
        text("customer_password", "A password hash (hex)."),
        text("customer_email", "E-mail; null or malformed in a labelled dirty row.").nullable(),
        text("customer_referral_type", "How the customer came: OA, AM or empty.").one_of(&["OA", "AM", ""]),
        text("customer_sex", "F or M.").one_of(&["F", "M"]),
        Field::new("customer_date_of_birth", Type::Date, "Date of birth."),
        int("customer_loyalty_number", "The loyalty number (see loyalty_number)."),
        text("customer_credit_card_number", "A card number on file (Luhn-valid, not real)."),
        Field::new("customer_is_preferred", Type::Bool, "A preferred customer."),
        Field::new("customer_is_active", Type::Bool, "The account is active."),
        ts("customer_inserted_at", "When the customer signed up."),
        ts("customer_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuCustomerAddress, customer_address_updated_at, |a| customer_store(a.customer_id), Schema {
    name: "wu_customer_address",
    version: 1,
    doc: "Widgets Unlimited `customer_address`: a billing or shipping address, at insert and update.",
    fields: &[
        int("customer_id", "The customer."),
        int("customer_address_id", "The address: the customer id times ten plus 1 (billing) or 2 (shipping)."),
        text("customer_address", "`Name\\nStreet\\nCity, ST zip`, as the demo's parse_address reads it."),
        text("customer_address_type", "B (billing) or S (shipping).").one_of(&["B", "S"]),
        ts("customer_address_inserted_at", "When the address was first written."),
        ts("customer_address_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuLoyaltyNumber, loyalty_number_updated_at, |l| customer_store(l.loyalty_number_customer_id), Schema {
    name: "wu_loyalty_number",
    version: 1,
    doc: "Widgets Unlimited `loyalty_number`: a loyalty number as it is issued (storesim's design; the demo's table is empty).",
    fields: &[
        int("loyalty_number", "The number: 1 and the customer's ten digits."),
        int("loyalty_number_customer_id", "The customer it belongs to."),
        Field::new("loyalty_number_store_id", Type::Int32, "The store that issued it."),
        Field::new("loyalty_number_issued_date", Type::Date, "When it was issued."),
        ts("loyalty_number_inserted_at", "When the row was first written."),
        ts("loyalty_number_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuOrder, order_line_item_updated_at, |o| seq_store(o.order_id), Schema {
    name: "wu_order",
    version: 1,
    doc: "Widgets Unlimited `order1`: an online order (its time columns keep the demo's names).",
    fields: &[
        int("order_id", "The order: the store times 10^8 plus a sequence."),
        int("customer_id", "The customer; one that does not exist in a labelled orphan row."),
        int("order_shipping_address_id", "The customer's shipping address."),
        text("order_special_instructions", "Delivery instructions, often empty."),
        Field::new("order_shipping_cost", MONEY, "Shipping charged; null in a labelled dirty row.").nullable(),
        ts("order_execution_time", "When the order was placed."),
        Field::new("order_cancelled", Type::Bool, "The customer cancelled it."),
        ts("order_line_item_inserted_at", "When the order was written."),
        ts("order_line_item_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuOrderLineItem, order_line_item_updated_at, |l| seq_store(l.order_id), Schema {
    name: "wu_order_line_item",
    version: 1,
    doc: "Widgets Unlimited `order_line_item`: one product line of an order.",
    fields: &[
        int("order_line_item_id", "The line: the order id times 100 plus the line number."),
        int("order_id", "The order."),
        Field::new("order_line_item_product_id", Type::Int32, "The product; one that does not exist in a labelled orphan row."),
        int("order_line_item_quantity", "Units; outside 1-100 in a labelled dirty row."),
        Field::new("order_line_item_unit_price", MONEY, "Price per unit; null in a labelled dirty row.").nullable(),
        Field::new("order_line_item_total_price", MONEY, "Quantity times unit price.").nullable(),
        text("order_line_comments", "The customer's note on the line, often empty."),
        ts("order_line_item_inserted_at", "When the line was written."),
        ts("order_line_item_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuProduct, product_updated_at, |_p| 0, Schema {
    name: "wu_product",
    version: 1,
    doc: "Widgets Unlimited `product`: the inventory system's product master (load, new products, cost changes).",
    fields: &[
        Field::new("product_id", Type::Int32, "The product."),
        text("product_name", "Its name."),
        text("product_description", "A line of description."),
        text("product_category", "Its category."),
        text("product_brand", "Its brand."),
        Field::new("product_preferred_supplier_id", Type::Int32, "The preferred supplier; one that does not exist in a labelled orphan row."),
        Field::new("product_unit_cost", MONEY, "What a unit costs; null in a labelled dirty row.").nullable(),
        Field::new("product_dimension_length", Type::Float64, "Length, cm."),
        Field::new("product_dimension_width", Type::Float64, "Width, cm."),
        Field::new("product_dimension_height", Type::Float64, "Height, cm."),
        Field::new("product_introduced_date", Type::Date, "When it was introduced."),
        Field::new("product_discontinued", Type::Bool, "Discontinued by its maker."),
        Field::new("product_no_longer_offered", Type::Bool, "No longer sold here."),
        ts("product_inserted_at", "When the product was first written."),
        ts("product_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuSupplier, supplier_updated_at, |_s| 0, Schema {
    name: "wu_supplier",
    version: 1,
    doc: "Widgets Unlimited `supplier`: the inventory system's suppliers.",
    fields: &[
        Field::new("supplier_id", Type::Int32, "The supplier."),
        text("supplier_name", "Its name."),
        text("supplier_address", "`Street, City, ST zip`; null in a labelled dirty row.").nullable(),
        text("supplier_primary_contact_name", "The primary contact."),
        text("supplier_primary_contact_phone", "Their phone."),
        text("supplier_secondary_contact_name", "A second contact, if any.").nullable(),
        text("supplier_secondary_contact_phone", "Their phone.").nullable(),
        text("supplier_web_site", "Its web site."),
        Field::new("supplier_introduction_date", Type::Date, "When it became a supplier."),
        Field::new("supplier_is_preferred", Type::Bool, "A preferred supplier."),
        Field::new("supplier_is_active", Type::Bool, "Still supplying."),
        ts("supplier_inserted_at", "When the supplier was first written."),
        ts("supplier_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuInventory, inventory_updated_at, |e| seq_store(e.inventory_event_id), Schema {
    name: "wu_inventory",
    version: 1,
    doc: "Widgets Unlimited `inventory`: a warehouse's shipments to customers, supplies and returns, in the nightly file.",
    fields: &[
        int("inventory_event_id", "The event: the warehouse (store) times 10^8 plus a sequence."),
        text("inventory_event_type", "shipment, supply or return.").one_of(&["shipment", "supply", "return"]),
        Field::new("inventory_product_id", Type::Int32, "The product; one that does not exist in a labelled orphan row."),
        Field::new("inventory_supplier_id", Type::Int32, "The supplier of a supply.").nullable(),
        Field::new("inventory_warehouse_id", Type::Int32, "The warehouse: the store whose market it serves."),
        int("inventory_quantity", "Units; null or outside 1-100000 in a labelled dirty row.").nullable(),
        text("inventory_ship_address", "Where a shipment went (`Street, City, ST zip`).").nullable(),
        int("inventory_ship_customer_id", "The customer of a shipment or return.").nullable(),
        ts("inventory_inserted_at", "When the file was written."),
        ts("inventory_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuStore, store_updated_at, |s| s.store_id, Schema {
    name: "wu_store",
    version: 1,
    doc: "Widgets Unlimited `store`: the in-store system's store (load, manager changes).",
    fields: &[
        Field::new("store_id", Type::Int32, "The store."),
        text("store_name", "Its name."),
        text("store_manager_name", "The manager; null in a labelled dirty row.").nullable(),
        Field::new("store_number_of_employees", Type::Int32, "Employees."),
        Field::new("store_opened_date", Type::Date, "When it opened."),
        Field::new("store_closed_date", Type::Date, "When it closed (null while open).").nullable(),
        ts("store_inserted_at", "When the store was first written."),
        ts("store_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuStoreLocation, store_updated_at, |l| l.store_id, Schema {
    name: "wu_store_location",
    version: 1,
    doc: "Widgets Unlimited `store_location`: where a store is (its time columns keep the demo's names).",
    fields: &[
        Field::new("store_location_id", Type::Int32, "The location: the store times ten plus one."),
        Field::new("store_id", Type::Int32, "The store."),
        text("store_location_street_address", "Street address."),
        text("store_location_city", "City."),
        text("store_location_state", "Two-letter state."),
        text("store_location_zip_code", "ZIP code."),
        Field::new("store_location_sq_footage", Type::Float64, "Selling area, square feet."),
        ts("store_inserted_at", "When the location was first written."),
        ts("store_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});

record!(WuStoreSales, store_sales_updated_at, |s| s.store_sales_store_id, Schema {
    name: "wu_store_sales",
    version: 1,
    doc: "Widgets Unlimited `store_sales`: one product line sold in a store, in the next morning's batch.",
    fields: &[
        int("store_sales_id", "The line: the store times 10^8 plus a sequence."),
        Field::new("store_sales_store_id", Type::Int32, "The store."),
        Field::new("store_sales_product_id", Type::Int32, "The product; one that does not exist in a labelled orphan row."),
        int("store_sales_quantity", "Units; outside 1-100 in a labelled dirty row."),
        Field::new("store_sales_unit_price", MONEY, "Price per unit."),
        Field::new("store_sales_total_price", MONEY, "Quantity times unit price; null in a labelled dirty row.").nullable(),
        text("store_sales_transaction_type", "sale or return.").one_of(&["sale", "return"]),
        Field::new("store_sales_transaction_date", Type::Date, "The store-local day of the sale."),
        text("store_sales_cc_number", "The card paid with (null for cash).").nullable(),
        int("store_sales_loyalty_number", "The loyalty card shown, if any.").nullable(),
        ts("store_sales_inserted_at", "When the batch was loaded."),
        ts("store_sales_updated_at", "When this row was written."),
        BATCH,
    ],
    flat: None,
});
