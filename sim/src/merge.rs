//! Merging sorted runs of events into one stream: a k-way merge over a
//! tournament (loser) tree.
//!
//! Each store hands back its window's events sorted by [`Stamped::key`],
//! `(at, store_id, seq)`, and the window goes out in that order.
//! Concatenating the runs and sorting them moves every 88-byte event about
//! log2(k) times; the tree moves it once and compares the keys kept in its
//! nodes, so a window of 1000 stores costs about ten comparisons per event.

use std::vec::IntoIter;

use crate::{SimTime, Stamped};

/// [`Stamped::key`].
type Key = (SimTime, u32, u64);

/// The key of an exhausted run, above every real key.
const DONE: Key = (SimTime(i64::MAX), u32::MAX, u64::MAX);

/// Merges runs into one vector sorted by [`Stamped::key`].
///
/// Runs sorted by the key (every store's is) cost one move and about
/// log2(runs) key comparisons per event; a run that is not sorted is
/// sorted first. Keys are unique (a store's `seq` is unique within the
/// store, and the store id tells stores apart), so the result does not
/// depend on the order of the runs.
pub fn merge_runs(runs: Vec<Vec<Stamped>>) -> Vec<Stamped> {
    let total: usize = runs.iter().map(Vec::len).sum();
    let mut runs: Vec<Vec<Stamped>> = runs.into_iter().filter(|r| !r.is_empty()).collect();
    for run in &mut runs {
        if !Stamped::in_order(run) {
            run.sort_unstable_by_key(Stamped::key);
        }
    }
    match runs.len() {
        0 => return Vec::new(),
        1 => return runs.pop().expect("one run"),
        _ => {}
    }
    let mut out = Vec::with_capacity(total);
    let mut tree = LoserTree::new(runs);
    while let Some(event) = tree.pop() {
        out.push(event);
    }
    out
}

/// A tournament tree over `k` runs (padded to a power of two with empty
/// ones). `losers[n]` is the run that lost the match at inner node `n`,
/// with the key of its head, so replaying a path reads one node per level
/// and nothing else; `winner` is the run whose head is the smallest. A
/// head stays in its run until it is taken.
struct LoserTree {
    runs: Vec<IntoIter<Stamped>>,
    losers: Vec<(Key, usize)>,
    winner: usize,
}

impl LoserTree {
    fn new(runs: Vec<Vec<Stamped>>) -> LoserTree {
        let k = runs.len().next_power_of_two();
        let mut iters: Vec<IntoIter<Stamped>> = runs.into_iter().map(Vec::into_iter).collect();
        iters.resize_with(k, || Vec::new().into_iter());
        let mut tree = LoserTree {
            runs: iters,
            losers: vec![(DONE, 0); k],
            winner: 0,
        };
        tree.winner = tree.build(1).1;
        tree
    }

    /// Plays the matches below inner node `node`; returns its winner.
    fn build(&mut self, node: usize) -> (Key, usize) {
        let k = self.runs.len();
        if node >= k {
            let run = node - k;
            return (head_key(&self.runs[run]), run);
        }
        let left = self.build(2 * node);
        let right = self.build(2 * node + 1);
        let (win, lose) = if right.0 < left.0 {
            (right, left)
        } else {
            (left, right)
        };
        self.losers[node] = lose;
        win
    }

    /// Takes the smallest head and replays its run's path to the root.
    #[inline]
    fn pop(&mut self) -> Option<Stamped> {
        let w = self.winner;
        let run = &mut self.runs[w];
        let event = run.next()?;
        let mut cur = (head_key(run), w);
        prefetch_after_head(run);
        let mut node = (w + self.runs.len()) / 2;
        while node > 0 {
            let other = &mut self.losers[node];
            if other.0 < cur.0 {
                std::mem::swap(other, &mut cur);
            }
            node /= 2;
        }
        self.winner = cur.1;
        Some(event)
    }
}

/// Asks the CPU for the event after `run`'s head: with a thousand runs
/// interleaved the hardware prefetcher cannot follow them, and loading each
/// new head's key would otherwise wait on memory.
#[inline]
fn prefetch_after_head(run: &IntoIter<Stamped>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(next) = run.as_slice().get(1) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = std::ptr::from_ref(next).cast::<i8>();
        // SAFETY: prefetching is a hint; it never faults, even on an
        // invalid address, and `p` points into a live slice anyway.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(p);
            _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(64));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = run;
}

#[inline]
fn head_key(run: &IntoIter<Stamped>) -> Key {
    run.as_slice().first().map_or(DONE, Stamped::key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::chain::{ChangeOp, ItemChangeEvent};
    use crate::Event;
    use proptest::prelude::*;

    fn change(at: i64, seq: u64) -> Stamped {
        let c = ItemChangeEvent {
            change_id: seq,
            ts: SimTime(at),
            op: ChangeOp::Update,
            item_id: 1,
            before: None,
            after: None,
            item_index: None,
        };
        Stamped::new(seq, Event::ItemChange(Box::new(c)))
    }

    proptest! {
        /// The merge equals a sort of the concatenation, for any number of
        /// runs of any lengths, ties in time included.
        #[test]
        fn equals_a_sort(times in proptest::collection::vec(
            proptest::collection::vec(0i64..50, 0..40), 0..20)) {
            let mut seq = 0;
            let runs: Vec<Vec<Stamped>> = times
                .iter()
                .map(|run| {
                    let mut ts = run.clone();
                    ts.sort_unstable();
                    ts.into_iter()
                        .map(|t| {
                            seq += 1;
                            change(t, seq)
                        })
                        .collect()
                })
                .collect();
            let mut sorted = runs.concat();
            sorted.sort_by_key(|s| s.key());
            let merged = merge_runs(runs);
            let keys = |v: &[Stamped]| v.iter().map(Stamped::key).collect::<Vec<_>>();
            prop_assert_eq!(keys(&merged), keys(&sorted));
        }
    }
}
