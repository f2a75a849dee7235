//! Random streams: one ChaCha stream per store and per global process, so
//! thread scheduling can never change the numbers.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The kind of process a stream feeds; part of the stream id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum StreamKind {
    /// A store's shoppers, baskets and registers.
    Store = 1,
    /// The chain's item-master churn.
    Catalog = 2,
    /// A store's late and duplicate deliveries.
    Delivery = 3,
}

/// The random stream of one process: the run seed, with the stream id made
/// of the process kind and its id (a store id).
pub fn stream(seed: u64, kind: StreamKind, id: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((kind as u64) << 32) | u64::from(id));
    rng
}
