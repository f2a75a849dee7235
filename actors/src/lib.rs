//! storesim's actors: they move time and batches; the rules live in `sim`.
//!
//! - [`StoreActor`]: one per store, spread over `threads` arbiters; handles
//!   [`Advance`] by simulating its store to the window's end.
//! - [`CatalogActor`]: the chain's item-master churn; handles [`Prepare`]
//!   with the window's item changes and the price book the stores use.
//! - [`SinkActor`]: one per sink, each on its own arbiter; handles
//!   [`WriteBatch`], [`ReportSink`] and [`CloseSink`].
//! - [`SchedulerActor`]: owns the virtual clock; handles [`RunToEnd`] by
//!   advancing every store window by window, merging their events in
//!   `(ts, store, seq)` order and handing each window to every sink with a
//!   bounded number of windows in flight (backpressure).
//!
//! [`run`] wires them together in an actix system and returns the summary.
//!
//! # Guarantees
//!
//! - Output order and content do not depend on `threads` or the window length.
//! - A sink never has more than `max_windows_in_flight` unconfirmed windows.
//! - Every event generated is handed to every sink, and each sink's
//!   delivery report is in the summary; a sink error stops the run.

mod catalog;
mod clock;
mod report;
mod run;
mod scheduler;
mod sink;
mod store;

pub use catalog::{CatalogActor, CatalogWindow, Prepare};
pub use clock::{Clock, ManualClock, PaceAnchor, Pacer, StopSignal, SystemClock};
pub use run::{
    run, wait_for_signal, Pacing, Progress, ProgressFn, RunConfig, RunError, RunSummary,
    SinkSummary,
};
pub use scheduler::{RunToEnd, SchedulerActor};
pub use sink::{CloseSink, ReportSink, SinkActor, WriteBatch};
pub use store::{Advance, StoreActor, StoreOutput};
