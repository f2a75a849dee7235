//! Shards: splitting a run's stores across processes.
//!
//! `--shard K/N` simulates only the stores whose id hashes to `K`, so `N`
//! processes (on `N` machines) together write one chain. A store's events
//! depend only on the world, the seed, the store and the span, and every
//! shard runs the same clock over the whole chain's span, so the union of
//! the shards' outputs is the unsharded output. Chain-wide events (the
//! item master's changes) come from shard 1 only; every shard computes the
//! price book the stores need.

use std::fmt;
use std::str::FromStr;

/// One shard of `count`, numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// The whole run: shard 1 of 1.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Shard `index` (1-based) of `count`; `None` unless `1 <= index <= count`.
    pub fn new(index: u32, count: u32) -> Option<Shard> {
        (index >= 1 && index <= count).then_some(Shard { index, count })
    }

    /// The shard's number, from 1.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many shards there are.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether this is the whole run.
    pub fn is_all(self) -> bool {
        self.count == 1
    }

    /// Whether this shard simulates the store with id `store_id`.
    ///
    /// The assignment depends on the store id alone (a SplitMix64 hash,
    /// modulo the count), so it does not move when stores are added and
    /// spreads neighbouring ids, and with them regions and time zones.
    pub fn holds(self, store_id: u32) -> bool {
        splitmix64(u64::from(store_id)) % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// Whether this shard emits the chain-wide events (shard 1 does).
    pub fn emits_chain_events(self) -> bool {
        self.index == 1
    }
}

impl Default for Shard {
    fn default() -> Shard {
        Shard::ALL
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: expected K/N with 1 <= K <= N, such as 1/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(k, n).ok_or_else(bad)
    }
}

/// SplitMix64's finaliser: a fixed, well-mixed hash of a 64-bit integer.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard::new(2, 3).unwrap()));
        assert_eq!("1/1".parse::<Shard>(), Ok(Shard::ALL));
        for bad in ["0/2", "3/2", "1/0", "1", "a/b", "-1/2", "1/2/3", ""] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn every_store_in_exactly_one_shard_and_balanced() {
        for n in 1..=7u32 {
            let mut sizes = vec![0u32; n as usize];
            for id in 1..=10_000u32 {
                let owners: Vec<u32> = (1..=n)
                    .filter(|&k| Shard::new(k, n).unwrap().holds(id))
                    .collect();
                assert_eq!(owners.len(), 1, "store {id} of {n} shards: {owners:?}");
                sizes[owners[0] as usize - 1] += 1;
            }
            // Binomial spread: within 5 sd of 10,000 / n.
            let mean = 10_000.0 / f64::from(n);
            let sd = (mean * (1.0 - 1.0 / f64::from(n))).sqrt();
            for s in sizes {
                assert!(
                    (f64::from(s) - mean).abs() <= 5.0 * sd + 1e-9,
                    "{s} vs {mean}"
                );
            }
        }
    }

    #[test]
    fn assignment_is_fixed() {
        // The assignment is part of the output's contract: shards of one
        // version must agree with another's.
        let first: Vec<u32> = (1..=12)
            .filter(|&id| Shard::new(1, 2).unwrap().holds(id))
            .collect();
        assert_eq!(first, FIRST_OF_TWO);
    }

    const FIRST_OF_TWO: &[u32] = &[2, 4, 5, 6, 8, 9, 10];
}
