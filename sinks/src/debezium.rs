//! Debezium change events for the item master (`envelope=debezium` on the
//! Kafka and files sinks): each `item_change` written as Debezium's
//! PostgreSQL connector writes a change of `storesim.item_master`, so a
//! pipeline built for Debezium (Flink's `debezium-json` and
//! `debezium-avro-confluent` formats, a Kafka Connect sink) reads it as is.
//!
//! Choices (README "Debezium change events"): the value is
//! `{before, after, source, op, ts_ms}` with the item master's row as
//! `before` and `after`; `source` names the connector `storesim`, the
//! database, schema and table, the change's time, and the change's number
//! as `lsn` (increasing, as PostgreSQL's log position is); the key is
//! `{item_id}`. `schemas_enable=true` wraps key and value in Kafka
//! Connect's `{schema, payload}`, money as Connect's `Decimal` with a
//! numeric payload (`decimal.format=NUMERIC`).

use serde::Serialize;
use serde_json::{json, Value};
use storesim_sim::chain::{ItemChangeEvent, ItemRow};
use storesim_sim::schema::{Field, Type};
use storesim_sim::EventKind;

use crate::shape::{field_doc, ColType, Column, Shape};

/// The `envelope` and `schemas_enable` options of a sink.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Envelope {
    /// `envelope=debezium`: item changes as Debezium change events.
    pub debezium: bool,
    /// `schemas_enable=true`: JSON wrapped in Connect's `{schema, payload}`.
    pub schemas: bool,
}

impl Envelope {
    /// The option names, for a sink's list of known options.
    pub const OPTIONS: &'static str = "envelope, schemas_enable";

    /// Sets `key` if it is one of the envelope's options (`None` if not).
    pub fn set(&mut self, key: &str, value: &str) -> Option<Result<(), String>> {
        Some(match key {
            "envelope" => match value {
                "debezium" => {
                    self.debezium = true;
                    Ok(())
                }
                "none" => {
                    self.debezium = false;
                    Ok(())
                }
                _ => Err(format!("envelope `{value}`: use debezium or none")),
            },
            "schemas_enable" => value
                .parse()
                .map(|b| self.schemas = b)
                .map_err(|_| format!("schemas_enable `{value}`: use true or false")),
            _ => return None,
        })
    }

    /// What the options cannot do alone: the schema wrapper without the
    /// envelope.
    pub fn check(&self) -> Result<(), String> {
        if self.schemas && !self.debezium {
            return Err("schemas_enable=true needs envelope=debezium".into());
        }
        Ok(())
    }

    /// Whether `kind`'s records are Debezium change events.
    pub fn wraps(&self, kind: EventKind) -> bool {
        self.debezium && kind == EventKind::ItemChange
    }
}

/// The database, schema and table a change event names.
pub const DATABASE: &str = "storesim";
/// See [`DATABASE`].
pub const SCHEMA: &str = "storesim";
/// See [`DATABASE`].
pub const TABLE: &str = "item_master";

/// The `source` block, as Debezium's PostgreSQL connector writes it.
static SOURCE: [Field; 9] = [
    Field::new("version", Type::String, "The storesim version that wrote it."),
    Field::new("connector", Type::String, "Always `storesim`."),
    Field::new("name", Type::String, "The logical server name: `storesim`."),
    Field::new("ts_ms", Type::Int64, "When the change was made, in ms since 1970 (UTC)."),
    Field::new("snapshot", Type::String, "Always `false`: every event is a change."),
    Field::new("db", Type::String, "The database: `storesim`."),
    Field::new("schema", Type::String, "The schema: `storesim`."),
    Field::new("table", Type::String, "The table: `item_master`."),
    Field::new(
        "lsn",
        Type::Int64,
        "The change's number, 1, 2, ... in the run's order (standing in for PostgreSQL's log position).",
    ),
];

/// The item master's row, as `before` and `after` hold it.
fn row_fields() -> &'static [Field] {
    EventKind::ItemChange
        .schema()
        .fields
        .iter()
        .find_map(|f| match (f.name, f.ty) {
            ("after", Type::Record(row)) => Some(row),
            _ => None,
        })
        .expect("an item change has a row after")
}

fn column(name: &str, ty: Type, nullable: bool, doc: String) -> Column {
    Column {
        json: name.into(),
        name: name.into(),
        ty: ColType::Like(ty),
        nullable,
        doc,
        default: None,
    }
}

/// The change event's value as the schema formats see it.
pub fn value_shape() -> Shape {
    let row = Type::Record(row_fields());
    Shape {
        name: format!("{TABLE}_envelope"),
        doc: "A change of the item master, as Debezium writes one.",
        columns: vec![
            column(
                "before",
                row,
                true,
                "The row before; null for a create.".into(),
            ),
            column(
                "after",
                row,
                true,
                "The row after; null for a delete.".into(),
            ),
            column(
                "source",
                Type::Record(&SOURCE),
                false,
                "Where the change comes from.".into(),
            ),
            column(
                "op",
                Type::String,
                false,
                "Create, update or delete. One of: c, u, d.".into(),
            ),
            column(
                "ts_ms",
                Type::Int64,
                false,
                "When storesim wrote it, in ms since 1970 (UTC): the change's time.".into(),
            ),
        ],
    }
}

/// The change event's key as the schema formats see it.
pub fn key_shape() -> Shape {
    let id = row_fields()
        .iter()
        .find(|f| f.name == "item_id")
        .expect("a row has an item id");
    Shape {
        name: format!("{TABLE}_key"),
        doc: "The key of an item master change: the row's primary key.",
        columns: vec![column("item_id", id.ty, false, field_doc(id))],
    }
}

#[derive(Serialize)]
struct Source {
    version: &'static str,
    connector: &'static str,
    name: &'static str,
    ts_ms: i64,
    snapshot: &'static str,
    db: &'static str,
    schema: &'static str,
    table: &'static str,
    lsn: u64,
}

/// A Debezium change event: a record of [`value_shape`].
#[derive(Serialize)]
pub struct ChangeEvent<'a> {
    before: Option<&'a ItemRow>,
    after: Option<&'a ItemRow>,
    source: Source,
    op: &'static str,
    ts_ms: i64,
}

#[derive(Serialize)]
struct Key {
    item_id: u32,
}

#[derive(Serialize)]
struct Wrapped<T> {
    schema: Value,
    payload: T,
}

fn write<T: Serialize>(
    payload: T,
    wrap: Option<fn() -> Value>,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    match wrap {
        None => serde_json::to_writer(out, &payload),
        Some(schema) => serde_json::to_writer(
            out,
            &Wrapped {
                schema: schema(),
                payload,
            },
        ),
    }
}

/// `change` as a Debezium change event: a record of [`value_shape`].
pub fn value(change: &ItemChangeEvent) -> ChangeEvent<'_> {
    let ts_ms = change.ts.as_millis();
    ChangeEvent {
        before: change.before.as_ref(),
        after: change.after.as_ref(),
        source: Source {
            version: env!("CARGO_PKG_VERSION"),
            connector: "storesim",
            name: "storesim",
            ts_ms,
            snapshot: "false",
            db: DATABASE,
            schema: SCHEMA,
            table: TABLE,
            lsn: change.change_id,
        },
        op: change.op.as_str(),
        ts_ms,
    }
}

/// Appends `change`'s value as a Debezium change event's JSON (wrapped in
/// Connect's `{schema, payload}` if `schemas`).
pub fn value_json(
    change: &ItemChangeEvent,
    schemas: bool,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    write(value(change), schemas.then_some(value_schema), out)
}

/// Appends `change`'s key, `{"item_id": N}` (wrapped if `schemas`).
pub fn key_json(
    change: &ItemChangeEvent,
    schemas: bool,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    write(
        Key {
            item_id: change.item_id,
        },
        schemas.then_some(key_schema),
        out,
    )
}

/// The Connect schema of a value: the envelope's struct.
fn value_schema() -> Value {
    connect_struct(
        &value_shape(),
        &format!("{DATABASE}.{SCHEMA}.{TABLE}.Envelope"),
        false,
    )
}

/// The Connect schema of a key.
fn key_schema() -> Value {
    connect_struct(
        &key_shape(),
        &format!("{DATABASE}.{SCHEMA}.{TABLE}.Key"),
        false,
    )
}

fn connect_struct(shape: &Shape, name: &str, optional: bool) -> Value {
    let fields: Vec<Value> = shape
        .columns
        .iter()
        .map(|c| {
            let ColType::Like(ty) = c.ty else {
                return connect_field(&c.name, None, c.nullable);
            };
            let inner = match (c.name.as_str(), ty) {
                ("source", _) => "io.debezium.connector.postgresql.Source".to_string(),
                _ => format!("{DATABASE}.{SCHEMA}.{TABLE}.Value"),
            };
            connect_type(&c.name, ty, c.nullable, &inner)
        })
        .collect();
    json!({"type": "struct", "fields": fields, "optional": optional, "name": name})
}

fn connect_field(field: &str, ty: Option<&str>, optional: bool) -> Value {
    json!({"type": ty.unwrap_or("string"), "optional": optional, "field": field})
}

/// The Connect schema of a field of `ty`; `name` names a nested struct.
fn connect_type(field: &str, ty: Type, optional: bool, name: &str) -> Value {
    let plain = |t: &str| connect_field(field, Some(t), optional);
    match ty {
        Type::Bool => plain("boolean"),
        Type::Int32 => plain("int32"),
        Type::Int64 => plain("int64"),
        Type::Float64 => plain("double"),
        Type::String | Type::Date => plain("string"),
        Type::Timestamp(_) => {
            let mut v = plain("string");
            v["name"] = json!("io.debezium.time.ZonedTimestamp");
            v
        }
        Type::Decimal { precision, scale } => json!({
            "type": "bytes",
            "optional": optional,
            "name": "org.apache.kafka.connect.data.Decimal",
            "version": 1,
            "parameters": {"scale": scale.to_string(), "connect.decimal.precision": precision.to_string()},
            "field": field,
        }),
        Type::Record(fields) => {
            let shape = Shape {
                name: String::new(),
                doc: "",
                columns: fields
                    .iter()
                    .map(|f| column(f.name, f.ty, f.nullable, String::new()))
                    .collect(),
            };
            let mut v = connect_struct(&shape, name, optional);
            v["field"] = json!(field);
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storesim_sim::chain::ChangeOp;
    use storesim_sim::{Money, SimTime};

    fn row(price: i64) -> ItemRow {
        ItemRow {
            item_id: 7,
            item_upc: 12345678901,
            category_code: 20620,
            item_name: "Hose".into(),
            brand: "Yardmaster".into(),
            item_price: Money::from_cents(price),
            item_cost: Money::from_cents(800),
            repl_qty: 6,
            popularity: 2,
            member_price: false,
            category_index: 0,
        }
    }

    fn change(op: ChangeOp) -> ItemChangeEvent {
        ItemChangeEvent {
            change_id: 3,
            ts: SimTime(1_764_252_000_001_000),
            op,
            item_id: 7,
            before: (op != ChangeOp::Create).then(|| row(1575)),
            after: (op != ChangeOp::Delete).then(|| row(1617)),
            item_index: None,
        }
    }

    fn json(f: impl FnOnce(&mut Vec<u8>)) -> Value {
        let mut out = Vec::new();
        f(&mut out);
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn a_change_is_debeziums_envelope() {
        let v = json(|o| value_json(&change(ChangeOp::Update), false, o).unwrap());
        assert_eq!(v["op"], "u");
        assert_eq!(v["before"]["item_price"], 15.75);
        assert_eq!(v["after"]["item_price"], 16.17);
        assert_eq!(v["ts_ms"], 1_764_252_000_001i64);
        assert_eq!(v["source"]["table"], "item_master");
        assert_eq!(v["source"]["schema"], "storesim");
        assert_eq!(v["source"]["connector"], "storesim");
        assert_eq!(v["source"]["lsn"], 3);
        let mut text = Vec::new();
        value_json(&change(ChangeOp::Update), false, &mut text).unwrap();
        let at = |k: &str| {
            String::from_utf8_lossy(&text)
                .rfind(&format!("\"{k}\":"))
                .unwrap()
        };
        let order: Vec<usize> = ["before", "after", "source", "op", "ts_ms"]
            .map(at)
            .to_vec();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        let d = json(|o| value_json(&change(ChangeOp::Delete), false, o).unwrap());
        assert_eq!((d["after"].is_null(), d["op"].as_str()), (true, Some("d")));
        let k = json(|o| key_json(&change(ChangeOp::Delete), false, o).unwrap());
        assert_eq!(k, json!({"item_id": 7}));
    }

    #[test]
    fn the_wrapper_describes_its_payload() {
        let v = json(|o| value_json(&change(ChangeOp::Create), true, o).unwrap());
        assert_eq!(v["payload"]["op"], "c");
        assert!(v["payload"]["before"].is_null());
        let fields = v["schema"]["fields"].as_array().unwrap();
        let names: Vec<&str> = fields
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["before", "after", "source", "op", "ts_ms"]);
        let price = fields[1]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == "item_price")
            .unwrap();
        assert_eq!(price["name"], "org.apache.kafka.connect.data.Decimal");
        assert_eq!(price["parameters"]["scale"], "2");
        assert_eq!(fields[0]["optional"], true);
        assert_eq!(fields[2]["name"], "io.debezium.connector.postgresql.Source");
        let k = json(|o| key_json(&change(ChangeOp::Create), true, o).unwrap());
        assert_eq!(k["payload"], json!({"item_id": 7}));
        assert_eq!(k["schema"]["fields"][0]["type"], "int32");
    }

    #[test]
    fn a_change_event_in_avro_is_the_general_paths_bytes() {
        let shape = value_shape();
        let schema = apache_avro::Schema::parse(&crate::avro::shape_schema(&shape)).unwrap();
        let writer = apache_avro::writer::datum::GenericDatumWriter::builder(&schema)
            .build()
            .unwrap();
        for op in [ChangeOp::Create, ChangeOp::Update, ChangeOp::Delete] {
            let c = change(op);
            let mut fast = Vec::new();
            crate::avro::fast::write(&crate::avro::fast::Plan::of(&shape), &value(&c), &mut fast)
                .unwrap();
            let json = json(|o| value_json(&c, false, o).unwrap());
            let datum = crate::avro::datum(&shape, &json).unwrap();
            assert_eq!(fast, writer.write_value_to_vec(datum).unwrap(), "{op:?}");
        }
    }

    #[test]
    fn options_parse_and_check() {
        let mut e = Envelope::default();
        assert!(e.set("compression", "none").is_none());
        e.set("schemas_enable", "true").unwrap().unwrap();
        assert!(e.check().unwrap_err().contains("needs envelope=debezium"));
        e.set("envelope", "debezium").unwrap().unwrap();
        assert_eq!(e.check(), Ok(()));
        assert!(e.wraps(EventKind::ItemChange) && !e.wraps(EventKind::Scan));
        assert!(e
            .set("envelope", "canal")
            .unwrap()
            .unwrap_err()
            .contains("envelope `canal`"));
    }
}
