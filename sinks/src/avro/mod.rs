//! Avro for the Kafka and files sinks: each kind's schema made from its one
//! schema (`schema`).

pub mod datum;
pub mod registry;
pub mod schema;

pub use datum::{kind_datum, mapped_datum, DatumError};
pub use schema::{kind_schema, mapped_schema};
