//! The schemas of the widget retailer's kinds.

use super::*;

/// The operation of a master-data record.
const OP_FIELD: Field = Field::new(
    "op",
    Type::String,
    "The initial load, a new record or a changed one.",
)
.one_of(&["load", "insert", "update"]);

/// When one of the e-commerce or in-store systems wrote the record.
const WRITTEN: Field = Field::new("ts", TIMESTAMP, "When the system wrote it (UTC).");

/// When the inventory system wrote its file.
const FILED: Field = Field::new("ts", TIMESTAMP, "When the file was written (UTC).");

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

impl Record for EcomCustomer {
    const SCHEMA: Schema = Schema {
        name: "ecom_customer",
        version: 1,
        doc: "E-commerce: a customer (the initial load, a sign-up, an update).",
        fields: &[
            WRITTEN,
            OP_FIELD,
            Field::new(
                "customer_id",
                Type::Int64,
                "The customer: the store's market times a million plus a number.",
            ),
            Field::new("first_name", Type::String, "First name."),
            Field::new("last_name", Type::String, "Last name."),
            Field::new(
                "email",
                Type::String,
                "E-mail; null or malformed in a dirty record.",
            )
            .nullable(),
            Field::new("phone", Type::String, "Phone.").nullable(),
            Field::new("street", Type::String, "Street address.").nullable(),
            Field::new("city", Type::String, "City."),
            Field::new("state", Type::String, "State."),
            Field::new("zip", Type::String, "ZIP code.").nullable(),
            Field::new(
                "loyalty_number",
                Type::String,
                "The loyalty card, shared with the in-store system.",
            )
            .nullable(),
            Field::new(
                "signup_date",
                Type::String,
                "Sign-up date as exported (mixed formats by design).",
            )
            .nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The store whose market the customer belongs to.
    fn store_id(&self) -> u32 {
        (self.customer_id / 1_000_000) as u32
    }
}

impl Record for EcomOrder {
    const SCHEMA: Schema = Schema {
        name: "ecom_order",
        version: 1,
        doc: "E-commerce: an order.",
        fields: &[
            WRITTEN,
            Field::new("order_id", Type::String, "STORE-YYYYMMDD-SEQ."),
            Field::new(
                "customer_id",
                Type::Int64,
                "The customer; null or unknown in a dirty record.",
            )
            .nullable(),
            Field::new(
                "order_ts",
                Type::String,
                "The order's time as exported (mixed formats by design).",
            )
            .nullable(),
            Field::new("status", Type::String, "The order's status.").one_of(&["placed"]),
            Field::new("total", MONEY, "The order's total.").nullable(),
            Field::new("ship_city", Type::String, "Ship-to city."),
            Field::new("ship_state", Type::String, "Ship-to state."),
            Field::new("ship_zip", Type::String, "Ship-to ZIP code.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        order_store(&self.order_id)
    }
}

impl Record for EcomOrderLine {
    const SCHEMA: Schema = Schema {
        name: "ecom_order_line",
        version: 1,
        doc: "E-commerce: an order line.",
        fields: &[
            WRITTEN,
            Field::new("order_id", Type::String, "The order."),
            Field::new("line", Type::Int32, "The 1-based line."),
            Field::new(
                "sku",
                Type::String,
                "The product code, as the web shop spells it.",
            ),
            Field::new(
                "quantity",
                Type::Int64,
                "Units; null or out of range in a dirty record.",
            )
            .nullable(),
            Field::new("unit_price", MONEY, "Unit price.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        order_store(&self.order_id)
    }
}

impl Record for PosStore {
    const SCHEMA: Schema = Schema {
        name: "pos_store",
        version: 1,
        doc: "In-store: a store record.",
        fields: &[
            WRITTEN,
            OP_FIELD,
            Field::new("store_code", Type::String, "S and the store id."),
            Field::new("name", Type::String, "The store's name."),
            Field::new("location", Type::String, "City and state.").nullable(),
            Field::new("opened", Type::String, "Opening date as exported.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        code_store(&self.store_code)
    }
}

impl Record for PosSale {
    const SCHEMA: Schema = Schema {
        name: "pos_sale",
        version: 1,
        doc: "In-store: a sale, in the morning batch.",
        fields: &[
            Field::new("ts", TIMESTAMP, "When the batch was written (UTC)."),
            Field::new("sale_id", Type::String, "The sale."),
            Field::new("store_code", Type::String, "S and the store id."),
            Field::new(
                "sale_date",
                Type::String,
                "The sale's local date as exported (mixed formats by design).",
            )
            .nullable(),
            Field::new(
                "sale_time",
                Type::String,
                "The sale's local time, HH:MM:SS.",
            ),
            Field::new(
                "product_id",
                Type::Int32,
                "The product, as the in-store system numbers it.",
            )
            .nullable(),
            Field::new(
                "quantity",
                Type::Int64,
                "Units; null or out of range in a dirty record.",
            )
            .nullable(),
            Field::new("amount", MONEY, "What was paid.").nullable(),
            Field::new(
                "loyalty_card",
                Type::String,
                "The loyalty card, shared with the web shop.",
            )
            .nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        code_store(&self.store_code)
    }
}

impl Record for InvProduct {
    const SCHEMA: Schema = Schema {
        name: "inv_product",
        version: 1,
        doc: "Inventory: a product.",
        fields: &[
            FILED,
            OP_FIELD,
            Field::new(
                "product_code",
                Type::String,
                "The product, as the inventory system codes it.",
            ),
            Field::new("description", Type::String, "The product's description."),
            Field::new("category", Type::String, "The category."),
            Field::new(
                "supplier_code",
                Type::String,
                "The supplier; unknown in a dirty record.",
            ),
            Field::new("unit_cost", MONEY, "Unit cost.").nullable(),
            Field::new("list_price", MONEY, "List price.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The masters are published by one store for the company.
    fn store_id(&self) -> u32 {
        0
    }
}

impl Record for InvSupplier {
    const SCHEMA: Schema = Schema {
        name: "inv_supplier",
        version: 1,
        doc: "Inventory: a supplier.",
        fields: &[
            FILED,
            OP_FIELD,
            Field::new("supplier_code", Type::String, "The supplier."),
            Field::new("name", Type::String, "The supplier's name."),
            Field::new("location", Type::String, "City and state.").nullable(),
            Field::new("contact_email", Type::String, "Contact e-mail.").nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    /// The masters are published by one store for the company.
    fn store_id(&self) -> u32 {
        0
    }
}

impl Record for InvMovement {
    const SCHEMA: Schema = Schema {
        name: "inv_movement",
        version: 1,
        doc: "Inventory: a stock movement.",
        fields: &[
            FILED,
            Field::new("movement_id", Type::String, "The movement."),
            Field::new(
                "movement_date",
                Type::String,
                "Its date as exported (mixed formats by design).",
            )
            .nullable(),
            Field::new("product_code", Type::String, "The product."),
            Field::new("location_code", Type::String, "S and the store id."),
            Field::new("movement_type", Type::String, "What moved the stock.").one_of(&[
                "receipt",
                "sale",
                "adjustment",
            ]),
            Field::new(
                "quantity",
                Type::Int64,
                "Units; null or out of range in a dirty record.",
            )
            .nullable(),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        code_store(&self.location_code)
    }
}

impl Record for DirtyLabel {
    const SCHEMA: Schema = Schema {
        name: "dirty_label",
        version: 1,
        doc: "The ground truth: one injected defect.",
        fields: &[
            Field::new("ts", TIMESTAMP, "The defective record's time (UTC)."),
            Field::new("system", Type::String, "The system that holds the record.").one_of(&[
                "ecom",
                "pos",
                "inventory",
            ]),
            Field::new("record_kind", Type::String, "The defective record's kind.").one_of(&[
                "ecom_customer",
                "ecom_order",
                "ecom_order_line",
                "pos_store",
                "pos_sale",
                "inv_product",
                "inv_supplier",
                "inv_movement",
                "wu_customer",
                "wu_order",
                "wu_order_line_item",
                "wu_product",
                "wu_supplier",
                "wu_inventory",
                "wu_store",
                "wu_store_sales",
            ]),
            Field::new("record_id", Type::String, "The defective record's id."),
            Field::new("defect", Type::String, "What is wrong with it.").one_of(&[
                "null",
                "malformed_email",
                "malformed_date",
                "duplicate",
                "out_of_range",
                "orphan_key",
            ]),
            Field::new(
                "field",
                Type::String,
                "The defective field, or null for a whole record.",
            )
            .nullable(),
            Field::new("store_id", Type::Int32, "The store whose records hold it."),
        ],
        flat: None,
    };
    fn ts(&self) -> SimTime {
        self.ts
    }
    fn store_id(&self) -> u32 {
        self.store_id
    }
}
