//! The PostgreSQL sink (`postgres://user:pass@host:port/db?schema=NAME`)
//! and the schema management behind `storesim db init`.

pub mod config;
pub(crate) mod copy;
#[cfg(test)]
mod ddl;
mod schema;
pub(crate) mod sink;

pub use config::PostgresConfig;
pub use copy::LandingTable;
pub use schema::{connect, init, load_dimensions, prepare, InitOptions, Tables};
pub use sink::{describe, DbCause, PostgresSink};
