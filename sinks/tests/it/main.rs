//! Integration tests of the sinks.

mod conformance;
