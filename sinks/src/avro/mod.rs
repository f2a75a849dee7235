//! Avro for the Kafka and files sinks: each kind's schema made from its
//! [`Shape`](crate::shape::Shape) (`schema`), and its records' datums.

pub mod datum;
pub mod fast;
pub mod schema;

pub use datum::datum;
pub use schema::{kind_schema, mapped_schema, shape_schema};
