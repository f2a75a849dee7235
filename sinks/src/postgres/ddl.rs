//! The typed tables' DDL (`sql/postgres/*.sql`) and the binary COPY's
//! columns and types, checked against the kinds' schemas: a field added to
//! a schema, renamed, retyped or made nullable fails here until the SQL
//! and the COPY follow (or the field is listed as left out).

use storesim_sim::schema::{Field, Type as Logical};
use storesim_sim::EventKind;
use tokio_postgres::types::Type;

use super::copy::*;
use super::schema::*;

/// A column of a `CREATE TABLE`: its name, its type as written, and
/// whether it is `NOT NULL`.
fn columns(sql: &str, table: &str) -> Vec<(String, String, bool)> {
    let start = format!("CREATE TABLE IF NOT EXISTS {table} (");
    let from = sql
        .find(&start)
        .unwrap_or_else(|| panic!("no table {table}"))
        + start.len();
    let body = &sql[from..from + sql[from..].find("\n);").expect("the table's end")];
    body.lines()
        .map(|l| l.trim().trim_end_matches(','))
        .filter(|l| !l.is_empty() && !l.starts_with("--") && !l.starts_with("PRIMARY KEY"))
        .map(|l| {
            let (name, rest) = l.split_once(char::is_whitespace).expect("name and type");
            let not_null = rest.contains("NOT NULL");
            let ty = rest.replace("NOT NULL", "").trim().to_string();
            (name.to_string(), ty, not_null)
        })
        .collect()
}

/// The SQL type a logical type is stored as, given the COPY's binary type.
fn sql_type(field: &Field, copy: &Type) -> String {
    let allowed: &[Type] = match field.ty {
        Logical::Bool => &[Type::BOOL],
        Logical::Int32 => &[Type::INT4, Type::INT2],
        Logical::Int64 => &[Type::INT8],
        Logical::Float64 => &[Type::FLOAT8],
        Logical::String => &[Type::TEXT],
        Logical::Decimal { .. } => &[Type::NUMERIC],
        Logical::Timestamp(_) => &[Type::TIMESTAMPTZ],
        Logical::Date => &[Type::DATE],
        Logical::Record(_) => &[],
    };
    assert!(
        allowed.contains(copy),
        "{}: {:?} is copied as {copy}",
        field.name,
        field.ty
    );
    match (field.ty, copy) {
        (Logical::Decimal { precision, scale }, _) => format!("numeric({precision},{scale})"),
        (_, c) if *c == Type::INT2 => "smallint".into(),
        (_, c) if *c == Type::INT4 => "integer".into(),
        (_, c) if *c == Type::INT8 => "bigint".into(),
        (_, c) if *c == Type::TIMESTAMPTZ => "timestamptz".into(),
        (_, c) if *c == Type::BOOL => "boolean".into(),
        (_, c) if *c == Type::FLOAT8 => "double precision".into(),
        (_, c) if *c == Type::DATE => "date".into(),
        _ => "text".into(),
    }
}

/// Checks table `table` of `sql` and its COPY against `fields`: every
/// column is a field of the same name, type and nullability, in the COPY's
/// order, and the fields left out are exactly `omitted`.
fn check(
    sql: &str,
    table: &str,
    fields: &[Field],
    omitted: &[&str],
    copy_columns: &str,
    copy_types: &[Type],
) {
    let ddl = columns(sql, table);
    let ddl_names: Vec<&str> = ddl.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        copy_columns.split(", ").collect::<Vec<_>>(),
        ddl_names,
        "{table}: the COPY's columns"
    );
    assert_eq!(copy_types.len(), ddl.len(), "{table}: the COPY's types");
    let left_out: Vec<&str> = fields
        .iter()
        .map(|f| f.name)
        .filter(|n| !ddl_names.contains(n))
        .collect();
    assert_eq!(left_out, omitted, "{table}: the fields it leaves out");
    for ((name, ty, not_null), copy) in ddl.iter().zip(copy_types) {
        let field = fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{table}.{name}: no such field in the kind's schema"));
        assert_eq!(*ty, sql_type(field, copy), "{table}.{name}: its type");
        assert_eq!(*not_null, !field.nullable, "{table}.{name}: NOT NULL");
    }
}

#[test]
fn the_typed_tables_are_the_kinds_schemas() {
    check(
        SCANS_SQL,
        "scans",
        EventKind::Scan.schema().flat_fields(),
        // A line is keyed by (transaction_id, line) in the table.
        &["event_id"],
        SCAN_COLUMNS,
        &SCAN_TYPES,
    );
    check(
        TRANSACTIONS_SQL,
        "transactions",
        EventKind::Transaction.schema().flat_fields(),
        &[],
        TXN_COLUMNS,
        &TXN_TYPES,
    );
}

#[test]
fn a_retyped_field_is_caught() {
    let scans = |fields: &[Field]| {
        let fields = fields.to_vec();
        std::panic::catch_unwind(move || {
            check(
                SCANS_SQL,
                "scans",
                &fields,
                &["event_id"],
                SCAN_COLUMNS,
                &SCAN_TYPES,
            )
        })
    };
    let schema = EventKind::Scan.schema().flat_fields();
    assert!(scans(schema).is_ok());
    let at = |name: &str| schema.iter().position(|f| f.name == name).unwrap();
    let mut nullable = schema.to_vec();
    nullable[at("line")].nullable = true;
    assert!(
        scans(&nullable).is_err(),
        "a nullable `line` passes NOT NULL"
    );
    let mut wider = schema.to_vec();
    wider[at("quantity")].ty = Logical::Int64;
    assert!(scans(&wider).is_err(), "an int64 `quantity` passes integer");
    let mut renamed = schema.to_vec();
    renamed[at("sku")].name = "item_id";
    assert!(scans(&renamed).is_err(), "a renamed `sku` passes");
}
