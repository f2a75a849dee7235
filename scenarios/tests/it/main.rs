//! Integration tests of the scenarios: statistics of the chain with fixed seeds.

mod chain;
