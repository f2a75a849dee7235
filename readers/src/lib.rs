//! storesim's readers: what reads back what the sinks wrote.
//!
//! - [`verify`]: `storesim verify`, a run's reference aggregates recomputed
//!   from PostgreSQL tables or the files sink's directory and compared with
//!   its manifest.
//! - [`tail`]: `storesim kafka tail`, a topic read from the beginning or
//!   the end without a consumer group.
//!
//! They are apart from the sinks so a sink never depends on a reader, and a
//! reader may read a run's `World` (the sinks see only their `RunContext`).

pub mod tail;
pub mod verify;
