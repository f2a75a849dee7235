//! The Widgets Unlimited demo's contract (README "Reproduce the demo"),
//! checked from the outside with psql over the PostgreSQL schema the
//! demo's e-commerce system keeps, and DuckDB over the files: its tables
//! and columns in order and type, a `batch_id` per run day that its
//! warehouse extracts one at a time, at most one row per customer (and
//! per customer and address type) in a batch, as its customer-dimension
//! transform indexes them, every address in the three-line form its
//! `parse_address` splits, its referral codes, the joins its star schema
//! makes, and the labelled dirty rows equal to what is in the tables.

use super::demos::{described, duck, glob, pg_columns, pg_tables, python, run_ok};
use super::postgres::{psql, schema};
use super::service;

/// Each table's columns as PostgreSQL types them: the demo's names in its
/// order, its `INTEGER` ids as bigint (customer ids pass 2^31), `FLOAT`
/// money as exact numeric, `TIMESTAMP` without a zone, and `batch_id`.
const TABLES: [(&str, &[&str]); 11] = [
    (
        "customer",
        &[
            "customer_id bigint",
            "customer_name text",
            "customer_user_id text",
            "customer_password text",
            "customer_email text",
            "customer_referral_type text",
            "customer_sex text",
            "customer_date_of_birth date",
            "customer_loyalty_number bigint",
            "customer_credit_card_number text",
            "customer_is_preferred boolean",
            "customer_is_active boolean",
            "customer_inserted_at timestamp without time zone",
            "customer_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "customer_address",
        &[
            "customer_id bigint",
            "customer_address_id bigint",
            "customer_address text",
            "customer_address_type text",
            "customer_address_inserted_at timestamp without time zone",
            "customer_address_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "loyalty_number",
        &[
            "loyalty_number bigint",
            "loyalty_number_customer_id bigint",
            "loyalty_number_store_id integer",
            "loyalty_number_issued_date date",
            "loyalty_number_inserted_at timestamp without time zone",
            "loyalty_number_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "order1",
        &[
            "order_id bigint",
            "customer_id bigint",
            "order_shipping_address_id bigint",
            "order_special_instructions text",
            "order_shipping_cost numeric",
            "order_execution_time timestamp without time zone",
            "order_cancelled boolean",
            "order_line_item_inserted_at timestamp without time zone",
            "order_line_item_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "order_line_item",
        &[
            "order_line_item_id bigint",
            "order_id bigint",
            "order_line_item_product_id integer",
            "order_line_item_quantity bigint",
            "order_line_item_unit_price numeric",
            "order_line_item_total_price numeric",
            "order_line_comments text",
            "order_line_item_inserted_at timestamp without time zone",
            "order_line_item_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "product",
        &[
            "product_id integer",
            "product_name text",
            "product_description text",
            "product_category text",
            "product_brand text",
            "product_preferred_supplier_id integer",
            "product_unit_cost numeric",
            "product_dimension_length double precision",
            "product_dimension_width double precision",
            "product_dimension_height double precision",
            "product_introduced_date date",
            "product_discontinued boolean",
            "product_no_longer_offered boolean",
            "product_inserted_at timestamp without time zone",
            "product_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "supplier",
        &[
            "supplier_id integer",
            "supplier_name text",
            "supplier_address text",
            "supplier_primary_contact_name text",
            "supplier_primary_contact_phone text",
            "supplier_secondary_contact_name text",
            "supplier_secondary_contact_phone text",
            "supplier_web_site text",
            "supplier_introduction_date date",
            "supplier_is_preferred boolean",
            "supplier_is_active boolean",
            "supplier_inserted_at timestamp without time zone",
            "supplier_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "inventory",
        &[
            "inventory_event_id bigint",
            "inventory_event_type text",
            "inventory_product_id integer",
            "inventory_supplier_id integer",
            "inventory_warehouse_id integer",
            "inventory_quantity bigint",
            "inventory_ship_address text",
            "inventory_ship_customer_id bigint",
            "inventory_inserted_at timestamp without time zone",
            "inventory_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "store",
        &[
            "store_id integer",
            "store_name text",
            "store_manager_name text",
            "store_number_of_employees integer",
            "store_opened_date date",
            "store_closed_date date",
            "store_inserted_at timestamp without time zone",
            "store_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "store_location",
        &[
            "store_location_id integer",
            "store_id integer",
            "store_location_street_address text",
            "store_location_city text",
            "store_location_state text",
            "store_location_zip_code text",
            "store_location_sq_footage double precision",
            "store_inserted_at timestamp without time zone",
            "store_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
    (
        "store_sales",
        &[
            "store_sales_id bigint",
            "store_sales_store_id integer",
            "store_sales_product_id integer",
            "store_sales_quantity bigint",
            "store_sales_unit_price numeric",
            "store_sales_total_price numeric",
            "store_sales_transaction_type text",
            "store_sales_transaction_date date",
            "store_sales_cc_number text",
            "store_sales_loyalty_number bigint",
            "store_sales_inserted_at timestamp without time zone",
            "store_sales_updated_at timestamp without time zone",
            "batch_id integer",
        ],
    ),
];

/// One number from a query.
fn number(url: &str, sql: &str) -> i64 {
    let rows = psql(url, sql);
    rows[0]
        .parse()
        .unwrap_or_else(|_| panic!("{sql}: {rows:?}"))
}

#[test]
fn widgets_unlimited_writes_the_demos_tables() {
    let (Some(py), Some(pg)) = (python(), service("STORESIM_POSTGRES_URL")) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let files = tmp.path().join("f");
    let s = schema("widgets_unlimited_demo");
    let (files_sink, pg_sink) = (
        format!("files:{}", files.display()),
        format!("{pg}?schema={s}"),
    );
    // Three days from Monday 2026-11-23: batches 1-3 and the last night's 4.
    run_ok(&[
        "run",
        "--scenario",
        "widgets-unlimited",
        "-q",
        "--seed",
        "6",
        "--days",
        "3",
        "--stores",
        "6",
        "--sink",
        &files_sink,
        "--sink",
        &pg_sink,
    ]);
    let mut want: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
    want.extend(["dirty_label", "storesim_batches"]);
    want.sort();
    assert_eq!(pg_tables(&pg, &s), want);
    for (table, columns) in TABLES {
        assert_eq!(pg_columns(&pg, &s, table), columns, "{table}");
    }
    let n = |sql: &str| number(&pg, &format!("SET search_path TO {s}; {sql}"));
    // The warehouse's extract, `SELECT <columns> FROM <table> WHERE
    // batch_id = N`, for every table and batch, in the demo's columns.
    for (table, columns) in TABLES {
        let names: Vec<&str> = columns
            .iter()
            .map(|c| c.split(' ').next().unwrap())
            .collect();
        for batch in 1..=4 {
            psql(
                &pg,
                &format!(
                    "SELECT {} FROM {s}.{table} WHERE batch_id = {batch}",
                    names.join(",")
                ),
            );
        }
    }
    assert_eq!(n("SELECT min(batch_id) FROM customer"), 1);
    assert_eq!(n("SELECT max(batch_id) FROM store_sales"), 4);
    // In-store sales and inventory arrive in the next morning's batch.
    assert_eq!(
        n("SELECT count(*) FROM store_sales
           WHERE batch_id <> store_sales_transaction_date - DATE '2026-11-23' + 2"),
        0
    );
    assert_eq!(n("SELECT min(batch_id) FROM inventory"), 2);
    // The customer-dimension transform indexes a batch by customer: one
    // customer row, and one address of each type, per customer and batch.
    assert_eq!(
        n(
            "SELECT count(*) FROM (SELECT batch_id, customer_id FROM customer
           GROUP BY 1, 2 HAVING count(*) > 1) d"
        ),
        0
    );
    assert_eq!(
        n(
            "SELECT count(*) FROM (SELECT batch_id, customer_id, customer_address_type
           FROM customer_address GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
        ),
        0
    );
    // Updates come in later batches: the whole row, the same customer.
    assert!(n("SELECT count(*) FROM customer WHERE batch_id > 1") > 30);
    assert!(
        n("SELECT count(*) FROM customer_address a WHERE batch_id > 1
           AND customer_address_inserted_at < customer_address_updated_at")
            > 10
    );
    // parse_address: three lines split on \n, the last `City, ST zip` on
    // its one comma, then state and zip on whitespace.
    assert_eq!(
        n(r"SELECT count(*) FROM customer_address
            WHERE array_length(string_to_array(customer_address, E'\n'), 1) <> 3
               OR array_length(string_to_array(split_part(customer_address, E'\n', 3), ','), 1) <> 2
               OR trim(split_part(split_part(customer_address, E'\n', 3), ',', 2)) !~ '^[A-Z]{2}\s+[0-9]{5}$'"),
        0
    );
    // Every customer has a billing and a shipping address in its batch.
    assert_eq!(
        n(
            "SELECT count(*) FROM customer c WHERE c.customer_inserted_at = c.customer_updated_at
           AND (SELECT count(*) FROM customer_address a WHERE a.customer_id = c.customer_id
                AND a.batch_id = c.batch_id AND a.customer_address_type IN ('B', 'S')) <> 2"
        ),
        0
    );
    // Referral codes the transform decodes, about 30% OA and 15% AM
    // (the scenario's shares; ±4 points on some 9,000 customers).
    let all = n("SELECT count(*) FROM customer") as f64;
    // The empty code is an empty string, as the transform's decoder
    // expects (a null would stop it), and so are empty instructions.
    assert_eq!(
        n(
            "SELECT count(*) FROM customer WHERE customer_referral_type IS NULL
           OR customer_referral_type NOT IN ('OA', 'AM', '')"
        ),
        0
    );
    assert!(n("SELECT count(*) FROM customer WHERE customer_referral_type = ''") > 1000);
    assert_eq!(
        n("SELECT count(*) FROM order1 WHERE order_special_instructions IS NULL"),
        0
    );
    let oa = n("SELECT count(*) FROM customer WHERE customer_referral_type = 'OA'") as f64 / all;
    let am = n("SELECT count(*) FROM customer WHERE customer_referral_type = 'AM'") as f64 / all;
    assert!(
        (oa - 0.30).abs() < 0.04 && (am - 0.15).abs() < 0.04,
        "OA {oa}, AM {am}"
    );
    // Ages 18 to 85 at the start, the same date in every row of a customer.
    assert_eq!(
        n(
            "SELECT count(*) FROM customer WHERE customer_date_of_birth > DATE '2008-12-31'
           OR customer_date_of_birth < DATE '1941-01-01'"
        ),
        0
    );
    assert_eq!(
        n(
            "SELECT count(*) FROM (SELECT customer_id FROM customer GROUP BY 1
           HAVING count(DISTINCT customer_date_of_birth) > 1) d"
        ),
        0
    );
    // Loyalty numbers: every customer's and every card shown in a store
    // is one issued, to that customer.
    assert_eq!(
        n("SELECT count(*) FROM customer c WHERE NOT EXISTS (SELECT 1 FROM loyalty_number l
           WHERE l.loyalty_number = c.customer_loyalty_number AND l.loyalty_number_customer_id = c.customer_id)"),
        0
    );
    assert!(n("SELECT count(store_sales_loyalty_number) FROM store_sales") > 100);
    assert_eq!(
        n("SELECT count(*) FROM store_sales s WHERE store_sales_loyalty_number IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM loyalty_number l WHERE l.loyalty_number = s.store_sales_loyalty_number)"),
        0
    );
    // Orders ship to the customer's shipping address; lines add up.
    assert_eq!(
        n("SELECT count(*) FROM order1 o JOIN customer c USING (customer_id)
           WHERE NOT EXISTS (SELECT 1 FROM customer_address a WHERE a.customer_address_id = o.order_shipping_address_id
                 AND a.customer_id = o.customer_id AND a.customer_address_type = 'S')"),
        0
    );
    assert_eq!(
        n("SELECT count(*) FROM order_line_item
           WHERE order_line_item_total_price <> order_line_item_quantity * order_line_item_unit_price"),
        0
    );
    assert_eq!(
        n("SELECT count(*) FROM order_line_item l WHERE NOT EXISTS (SELECT 1 FROM order1 o WHERE o.order_id = l.order_id)"),
        0
    );
    // The labelled dirty rows are the ones in the tables, to the row.
    let labels = |kind: &str, defect: &str| {
        n(&format!(
            "SELECT count(*) FROM dirty_label WHERE record_kind = '{kind}' AND defect = '{defect}'"
        ))
    };
    let bad_email =
        n(r"SELECT count(*) FROM customer WHERE customer_email !~ '^[^@ ]+@[^@ ]+\.[^@ ]+$'");
    assert!(bad_email > 0);
    assert_eq!(bad_email, labels("wu_customer", "malformed_email"));
    assert_eq!(
        n("SELECT count(*) FROM customer WHERE customer_email IS NULL"),
        labels("wu_customer", "null")
    );
    let orphans = n("SELECT count(*) FROM order1 o WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.customer_id = o.customer_id)");
    assert!(orphans > 0);
    assert_eq!(orphans, labels("wu_order", "orphan_key"));
    assert_eq!(
        n("SELECT count(*) - count(DISTINCT store_sales_id) FROM store_sales"),
        labels("wu_store_sales", "duplicate")
    );
    assert_eq!(
        n("SELECT count(*) FROM store_sales WHERE store_sales_quantity NOT BETWEEN 1 AND 100"),
        labels("wu_store_sales", "out_of_range")
    );
    assert_eq!(
        n("SELECT count(*) FROM inventory i WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.product_id = i.inventory_product_id)"),
        labels("wu_inventory", "orphan_key")
    );
    assert_eq!(
        n("SELECT count(DISTINCT inventory_event_type) FROM inventory
           WHERE inventory_event_type IN ('shipment', 'supply', 'return')"),
        3
    );
    // The files carry the same tables, typed as DuckDB reads them.
    let r = duck(
        &py,
        &[format!(
            "DESCRIBE SELECT * FROM read_json_auto('{}', hive_partitioning = false)",
            glob(&files, "wu_customer")
        )],
    );
    let columns: Vec<String> = TABLES[0]
        .1
        .iter()
        .map(|c| c.split(' ').next().unwrap().to_string())
        .collect();
    let described = described(&r[0]);
    let names: Vec<String> = described
        .iter()
        .map(|d| d.split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(names, columns);
    for (field, ty) in [
        ("customer_date_of_birth", "DATE"),
        ("customer_inserted_at", "TIMESTAMP"),
        ("customer_is_active", "BOOLEAN"),
        ("customer_id", "BIGINT"),
    ] {
        assert!(
            described.contains(&format!("{field} {ty}")),
            "{field}: {described:?}"
        );
    }
}
