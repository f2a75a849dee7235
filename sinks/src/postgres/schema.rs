//! The schema behind the sink and `storesim db init`: tables, keys, CDC,
//! landing tables, and the dimensions upserted.

use rust_decimal::Decimal;
use storesim_sim::dims::Dimension;
use storesim_sim::{EventKind, Money};
use tokio_postgres::{Client, NoTls};

use super::config::PostgresConfig;
use super::copy::*;
use super::sink::*;
use crate::encode::Encoder;
use crate::redact::redact;
use crate::{Dimensions, SinkError};

pub(super) const SCHEMA_SQL: &str = include_str!("../../sql/postgres/schema.sql");
pub(super) const DIMENSIONS_SQL: &str = include_str!("../../sql/postgres/dimensions.sql");
pub(super) const TRANSACTIONS_SQL: &str = include_str!("../../sql/postgres/transactions.sql");
pub(super) const DROP_SQL: &str = include_str!("../../sql/postgres/drop.sql");
pub(super) const CDC_SQL: &str = include_str!("../../sql/postgres/cdc.sql");
pub(super) const KEYS_SQL: &str = include_str!("../../sql/postgres/keys.sql");
pub(super) const KEYS_SCANS_SQL: &str = include_str!("../../sql/postgres/keys_scans.sql");
pub(super) const SCANS_SQL: &str = include_str!("../../sql/postgres/scans.sql");

/// What `storesim db init` does besides creating what is missing.
#[derive(Debug, Clone, Copy, Default)]
pub struct InitOptions {
    /// Drop storesim's tables first.
    pub drop: bool,
    /// Full replica identity on item_master and a publication for it.
    pub cdc: bool,
    /// Primary keys on the facts and a per-store index on transactions.
    pub keys: bool,
}

/// The tables a run's kinds need: the dimensions for a model with an item
/// master, the chain's typed facts where they are written unmapped, and a
/// landing table per other kind. Nothing else is created.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// stores, item_categories, item_master in storesim's columns.
    pub dimensions: bool,
    /// The dimension tables in a scenario's mapped columns instead.
    pub mapped_dimensions: Vec<storesim_sim::mapping::DimMap>,
    /// storesim's typed scans table.
    pub scans: bool,
    /// storesim's typed transactions table.
    pub transactions: bool,
    /// The landing tables.
    pub landing: Vec<LandingTable>,
}

impl Tables {
    /// The tables of `kinds` (those the run writes) in `encoder`'s mapping.
    pub fn of(kinds: &[EventKind], dimensions: bool, encoder: &Encoder) -> Tables {
        let typed = |k: EventKind| kinds.contains(&k) && !is_landing(k, encoder);
        let mapped = dimensions && encoder.maps_dimensions();
        Tables {
            dimensions: dimensions && !mapped,
            mapped_dimensions: if mapped {
                Dimension::ALL
                    .iter()
                    .map(|d| encoder.dim_table(*d))
                    .collect()
            } else {
                Vec::new()
            },
            scans: typed(EventKind::Scan),
            transactions: typed(EventKind::Transaction),
            landing: kinds
                .iter()
                .filter(|k| is_landing(**k, encoder))
                .map(|k| LandingTable::of(*k, encoder))
                .collect(),
        }
    }
}

/// Connects, with the connection driven on the current tokio runtime.
pub async fn connect(config: &PostgresConfig) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect_config().connect(NoTls).await?;
    tokio::spawn(async move {
        // Ends when the client is dropped or the connection is lost; the
        // client's next call reports the loss.
        let _ = connection.await;
    });
    client
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {0}; SET search_path TO {0}",
            config.schema
        ))
        .await?;
    Ok(client)
}

/// Creates storesim's tables in `schema`, the connection's search path
/// (idempotent), in one transaction under an advisory lock, so concurrent
/// runs agree. The CDC publication is `SCHEMA_item_master`.
pub async fn init(
    client: &Client,
    schema: &str,
    options: InitOptions,
    tables: &Tables,
) -> Result<(), tokio_postgres::Error> {
    let mut sql = String::from("BEGIN; SELECT pg_advisory_xact_lock(hashtext('storesim init'));\n");
    if options.drop {
        sql.push_str(&DROP_SQL.replace("{{schema}}", schema));
    }
    sql.push_str(SCHEMA_SQL);
    if tables.dimensions {
        sql.push_str(DIMENSIONS_SQL);
    }
    for d in &tables.mapped_dimensions {
        sql.push_str(&mapped_dimension_sql(d));
    }
    if tables.transactions {
        sql.push_str(TRANSACTIONS_SQL);
    }
    if tables.scans {
        sql.push_str(SCANS_SQL);
    }
    if options.keys && tables.transactions {
        sql.push_str(KEYS_SQL);
    }
    if options.keys && tables.scans {
        sql.push_str(KEYS_SCANS_SQL);
    }
    let items = tables
        .mapped_dimensions
        .iter()
        .find(|d| d.dim == Dimension::Items)
        .map_or("item_master", |d| d.name.as_str());
    if options.cdc && (tables.dimensions || !tables.mapped_dimensions.is_empty()) {
        sql.push_str(
            &CDC_SQL
                .replace("{{schema}}", schema)
                .replace("TABLE item_master", &format!("TABLE {items}")),
        );
    }
    sql.push_str("\nCOMMIT;");
    client.batch_execute(&sql).await
}

/// Connects, creates what is missing of the schema (with `options`) and
/// upserts the world's dimensions, on a runtime of its own: what a run's
/// sink and `storesim db init` do first. A server that cannot be reached
/// or refuses the credentials is a [`SinkError::Spec`]; a failure after
/// connecting, a [`SinkError::Delivery`]. Messages name the sink `name` and
/// never the password.
///
/// `stream` is the run's (for a sink; `None` for `db init`): when the batch
/// ledger holds batches of it, an earlier run of the same stream has
/// written the dimensions and changed the item master as far as it got,
/// so they are left as they are. Loading them again would reset the
/// churned prices, and the batches that changed them are not written twice.
pub fn prepare(
    name: &str,
    config: &PostgresConfig,
    kinds: &[EventKind],
    dimensions: Option<Dimensions<'_>>,
    options: InitOptions,
    stream: Option<&str>,
    encoder: &Encoder,
) -> Result<(), SinkError> {
    let tables = Tables::of(kinds, dimensions.is_some(), encoder);
    let spec = |message: String| SinkError::Spec {
        spec: name.to_string(),
        message: redact(&message),
    };
    let failed = |message: String| SinkError::delivery(name, redact(&message));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(format!("cannot start a runtime: {e}")))?;
    runtime.block_on(async {
        let mut client = connect(config)
            .await
            .map_err(|e| spec(format!("cannot connect: {}", describe(&e))))?;
        if !options.drop {
            check_landing(&client, &tables.landing).await
        } else {
            Ok(())
        }
        .map_err(|e| spec(format!("schema `{}`: {e}", config.schema)))?;
        init(&client, &config.schema, options, &tables)
            .await
            .map_err(|e| {
                failed(format!(
                    "cannot create the schema `{}`: {}",
                    config.schema,
                    describe(&e)
                ))
            })?;
        let landing = landing_sql(&tables.landing, options.drop);
        if !landing.is_empty() {
            client.batch_execute(&landing).await.map_err(|e| {
                failed(format!(
                    "cannot create the landing tables in `{}`: {}",
                    config.schema,
                    describe(&e)
                ))
            })?;
        }
        let Some(dimensions) = dimensions else {
            // Only a model with an item master has these tables.
            return Ok(());
        };
        if let Some(stream) = stream {
            let written = client
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM storesim_batches WHERE stream = $1)",
                    &[&stream],
                )
                .await
                .map_err(|e| failed(format!("cannot read the batch ledger: {}", describe(&e))))?;
            if written.get::<_, bool>(0) {
                return Ok(());
            }
        }
        if !tables.mapped_dimensions.is_empty() {
            return load_mapped_dimensions(
                &mut client,
                &tables.mapped_dimensions,
                dimensions,
                encoder,
            )
            .await
            .map_err(|e| failed(format!("cannot load stores and items: {}", describe(&e))));
        }
        load_dimensions(&client, dimensions)
            .await
            .map_err(|e| failed(format!("cannot load stores and items: {}", describe(&e))))
    })
}

/// A mapped dimension table's DDL: its typed columns, keyed by its key.
fn mapped_dimension_sql(d: &storesim_sim::mapping::DimMap) -> String {
    let columns: Vec<String> = d
        .fields
        .iter()
        .map(|f| format!("{} {}", f.name.to_ascii_lowercase(), sql_type(&f.ty)))
        .collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}));\n",
        d.name,
        columns.join(", "),
        d.key().name.to_ascii_lowercase()
    )
}

/// Upserts the dimension rows into the mapped tables through a staging
/// copy; rows that did not change are not touched (no UPDATE reaches a
/// CDC stream).
async fn load_mapped_dimensions(
    client: &mut Client,
    tables: &[storesim_sim::mapping::DimMap],
    world: Dimensions<'_>,
    encoder: &Encoder,
) -> Result<(), tokio_postgres::Error> {
    for d in tables {
        let records =
            storesim_sim::dims::records(d.dim, world.stores, world.categories, world.items);
        // Into memory: a write cannot fail there.
        let body = encoder.dim_csv(d, &records, false).unwrap_or_default();
        let columns: Vec<String> = d
            .fields
            .iter()
            .map(|f| f.name.to_ascii_lowercase())
            .collect();
        let key = d.key().name.to_ascii_lowercase();
        let set: Vec<String> = columns
            .iter()
            .filter(|c| **c != key)
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .collect();
        let mine: Vec<String> = columns.iter().map(|c| format!("t.{c}")).collect();
        let theirs: Vec<String> = columns.iter().map(|c| format!("EXCLUDED.{c}")).collect();
        let table = &d.name;
        // One transaction per table: rolled back on any error when dropped.
        let tx = client.transaction().await?;
        tx.batch_execute(&format!(
            "CREATE TEMP TABLE {table}_stage (LIKE {table}) ON COMMIT DROP"
        ))
        .await?;
        copy_csv(
            &tx,
            &format!("{table}_stage"),
            &columns.join(", "),
            &[],
            &body,
        )
        .await?;
        tx.batch_execute(&format!(
            "INSERT INTO {table} AS t SELECT * FROM {table}_stage ON CONFLICT ({key}) DO {}",
            if set.is_empty() {
                "NOTHING".to_string()
            } else {
                format!(
                    "UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({})",
                    set.join(", "),
                    mine.join(", "),
                    theirs.join(", ")
                )
            }
        ))
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

pub(super) fn decimal(m: Money) -> Decimal {
    Decimal::new(m.0, 2)
}

/// Upserts the scenario's stores, categories and item master; rows that
/// did not change are not touched (no UPDATE reaches a CDC stream).
pub async fn load_dimensions(
    client: &Client,
    world: Dimensions<'_>,
) -> Result<(), tokio_postgres::Error> {
    let s = world.stores;
    let ids: Vec<i32> = s.iter().map(|s| s.store_id as i32).collect();
    let address: Vec<&str> = s.iter().map(|s| s.address.as_str()).collect();
    let city: Vec<&str> = s.iter().map(|s| s.city.as_str()).collect();
    let state: Vec<&str> = s.iter().map(|s| s.state.as_str()).collect();
    let zip: Vec<&str> = s.iter().map(|s| s.zipcode.as_str()).collect();
    let lat: Vec<f64> = s.iter().map(|s| s.latitude).collect();
    let lon: Vec<f64> = s.iter().map(|s| s.longitude).collect();
    let tz: Vec<&str> = s.iter().map(|s| s.time_zone.as_str()).collect();
    let class: Vec<&str> = s.iter().map(|s| s.size_class.as_str()).collect();
    let regs: Vec<i16> = s.iter().map(|s| i16::from(s.registers)).collect();
    let scos: Vec<i16> = s.iter().map(|s| i16::from(s.self_checkouts)).collect();
    let tax: Vec<Decimal> = s
        .iter()
        .map(|s| Decimal::new(i64::from(s.tax_rate_bp), 4))
        .collect();
    client
        .execute(
            "INSERT INTO stores AS t (store_id, address, city, state, zipcode, latitude, longitude,
                 time_zone, size_class, registers, self_checkouts, tax_rate)
             SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[],
                 $6::float8[], $7::float8[], $8::text[], $9::text[], $10::int2[], $11::int2[], $12::numeric[])
             ON CONFLICT (store_id) DO UPDATE SET address = EXCLUDED.address, city = EXCLUDED.city,
                 state = EXCLUDED.state, zipcode = EXCLUDED.zipcode, latitude = EXCLUDED.latitude,
                 longitude = EXCLUDED.longitude, time_zone = EXCLUDED.time_zone,
                 size_class = EXCLUDED.size_class, registers = EXCLUDED.registers,
                 self_checkouts = EXCLUDED.self_checkouts, tax_rate = EXCLUDED.tax_rate
             WHERE (t.address, t.city, t.state, t.zipcode, t.latitude, t.longitude, t.time_zone,
                    t.size_class, t.registers, t.self_checkouts, t.tax_rate)
                IS DISTINCT FROM
                   (EXCLUDED.address, EXCLUDED.city, EXCLUDED.state, EXCLUDED.zipcode,
                    EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.time_zone, EXCLUDED.size_class,
                    EXCLUDED.registers, EXCLUDED.self_checkouts, EXCLUDED.tax_rate)",
            &[
                &ids, &address, &city, &state, &zip, &lat, &lon, &tz, &class, &regs, &scos, &tax,
            ],
        )
        .await?;
    let c = world.categories;
    let code: Vec<i32> = c.iter().map(|c| c.category_code as i32).collect();
    let name: Vec<&str> = c.iter().map(|c| c.category_name.as_str()).collect();
    let desc: Vec<&str> = c.iter().map(|c| c.category_description.as_str()).collect();
    let taxable: Vec<bool> = c.iter().map(|c| c.taxable).collect();
    client
        .execute(
            "INSERT INTO item_categories AS t (category_code, category_name, category_description, taxable)
             SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bool[])
             ON CONFLICT (category_code) DO UPDATE SET category_name = EXCLUDED.category_name,
                 category_description = EXCLUDED.category_description, taxable = EXCLUDED.taxable
             WHERE (t.category_name, t.category_description, t.taxable)
                IS DISTINCT FROM (EXCLUDED.category_name, EXCLUDED.category_description, EXCLUDED.taxable)",
            &[&code, &name, &desc, &taxable],
        )
        .await?;
    let i = world.items;
    let id: Vec<i32> = i.iter().map(|i| i.item_id as i32).collect();
    let upc: Vec<i64> = i.iter().map(|i| i.item_upc as i64).collect();
    let cat: Vec<i32> = i.iter().map(|i| i.category_code as i32).collect();
    let name: Vec<&str> = i.iter().map(|i| i.item_name.as_str()).collect();
    let brand: Vec<&str> = i.iter().map(|i| i.brand.as_str()).collect();
    let price: Vec<Decimal> = i.iter().map(|i| decimal(i.item_price)).collect();
    let cost: Vec<Decimal> = i.iter().map(|i| decimal(i.item_cost)).collect();
    let repl: Vec<i32> = i.iter().map(|i| i.repl_qty as i32).collect();
    let pop: Vec<i16> = i.iter().map(|i| i16::from(i.popularity)).collect();
    let member: Vec<bool> = i.iter().map(|i| i.member_price).collect();
    client
        .execute(
            "INSERT INTO item_master AS t (item_id, item_upc, category_code, item_name, brand,
                 item_price, item_cost, repl_qty, popularity, member_price)
             SELECT * FROM unnest($1::int[], $2::int8[], $3::int[], $4::text[], $5::text[],
                 $6::numeric[], $7::numeric[], $8::int[], $9::int2[], $10::bool[])
             ON CONFLICT (item_id) DO UPDATE SET item_upc = EXCLUDED.item_upc,
                 category_code = EXCLUDED.category_code, item_name = EXCLUDED.item_name,
                 brand = EXCLUDED.brand, item_price = EXCLUDED.item_price,
                 item_cost = EXCLUDED.item_cost, repl_qty = EXCLUDED.repl_qty,
                 popularity = EXCLUDED.popularity, member_price = EXCLUDED.member_price,
                 updated_at = now()
             WHERE (t.item_upc, t.category_code, t.item_name, t.brand, t.item_price, t.item_cost,
                    t.repl_qty, t.popularity, t.member_price)
                IS DISTINCT FROM
                   (EXCLUDED.item_upc, EXCLUDED.category_code, EXCLUDED.item_name, EXCLUDED.brand,
                    EXCLUDED.item_price, EXCLUDED.item_cost, EXCLUDED.repl_qty,
                    EXCLUDED.popularity, EXCLUDED.member_price)",
            &[
                &id, &upc, &cat, &name, &brand, &price, &cost, &repl, &pop, &member,
            ],
        )
        .await?;
    Ok(())
}
