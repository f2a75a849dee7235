//! The PostgreSQL sink (`postgres://user:pass@host:port/db?schema=NAME`)
//! and the schema management behind `storesim db init`.

pub mod config;
mod copy;
#[cfg(test)]
mod ddl;
mod schema;
pub(crate) mod sink;

pub use config::PostgresConfig;
pub use schema::{connect, init, load_dimensions, prepare, InitOptions};
pub use sink::{describe, DbCause, PostgresSink};
