//! One file per subcommand (and the run's view and report): parse in `cli`,
//! plan and wire here, report in `report`.

pub(crate) mod catalog;
pub(crate) mod db;
pub(crate) mod kafka;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod scenarios;
pub(crate) mod schemas;
pub(crate) mod serve;
pub(crate) mod verify;
