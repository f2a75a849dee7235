//! The PostgreSQL sink (`postgres://user:pass@host:port/db?schema=NAME`)
//! and the schema management behind `storesim db init`.

pub mod config;
pub(crate) mod sink;

pub use config::PostgresConfig;
pub use sink::{
    connect, describe, init, load_dimensions, prepare, DbCause, InitOptions, PostgresSink,
};
