//! The point-of-sale chain: shoppers, register queues, scans and receipts,
//! and the item master's churn.

pub mod churn;
mod events;
pub mod store;

pub use churn::{ChurnParams, PriceBook};
pub use events::{
    ChangeOp, FlatItemChange, ItemChangeEvent, ItemRow, PaymentMethod, ScanEvent, TransactionEvent,
};
pub use store::{ChainStore, SELF_CHECKOUT_BASE, WARM_UP_MICROS};
