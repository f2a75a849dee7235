//! Integration tests of the scenarios: statistics of each model with fixed seeds.

mod chain;
mod fuzz;
mod marketplace;
mod smoothie;
mod webshop;
mod widgets;
