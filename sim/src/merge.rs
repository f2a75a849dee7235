//! Merging sorted runs of events into one stream.
//!
//! Each store hands back its window's events sorted by [`Stamped::key`],
//! `(at, store_id, seq)`, and the window goes out in that order. Two ways,
//! the same result:
//!
//! - [`radix`]: a window's keys, packed with each event's place into one
//!   `u64`, sorted by a stable radix sort (three or four passes over 8-byte
//!   words that fit in the cache), then the events gathered once in that
//!   order. It needs every run to come from one store of its own and the
//!   packed word to fit, which the scheduler's windows do.
//! - [`loser_tree`]: a k-way merge over a tournament tree, for any runs:
//!   each event moved once after about log2(k) key comparisons.

use std::vec::IntoIter;

use crate::{SimTime, Stamped};

/// [`Stamped::key`].
type Key = (SimTime, u32, u64);

/// The key of an exhausted run, above every real key.
const DONE: Key = (SimTime(i64::MAX), u32::MAX, u64::MAX);

/// A new output buffer has room for `1/HEADROOM` more events than the
/// window needs: windows grow by a few percent at a time through a busy
/// morning, so the buffer is reused for several before it is too small.
pub const HEADROOM: usize = 8;

/// Merges runs into one vector sorted by [`Stamped::key`].
///
/// Keys are unique (a store's `seq` is unique within the store, and the
/// store id tells stores apart), so the result does not depend on the order
/// of the runs, nor on which of the two ways merges them.
pub fn merge_runs(mut runs: Vec<Vec<Stamped>>) -> Vec<Stamped> {
    merge_reusing(&mut runs, Vec::new())
}

/// [`merge_runs`] into `out`'s buffer (what it holds is dropped first),
/// leaving each of `runs` an empty vector that keeps its buffer (where
/// the radix sort merged them), so a caller that merges window after
/// window need not allocate either again.
pub fn merge_reusing(runs: &mut [Vec<Stamped>], mut out: Vec<Stamped>) -> Vec<Stamped> {
    out.clear();
    sort_each(runs);
    let full: Vec<usize> = (0..runs.len()).filter(|&i| !runs[i].is_empty()).collect();
    match full[..] {
        [] => out,
        // The run itself, its buffer with it.
        [only] => std::mem::take(&mut runs[only]),
        _ if radix(runs, &mut out) => out,
        _ => merge_tree(full.iter().map(|&i| std::mem::take(&mut runs[i])).collect()),
    }
}

/// The merge over a tournament tree, whatever the runs ([`merge_runs`]
/// takes it when [`radix`] cannot).
pub fn loser_tree(runs: Vec<Vec<Stamped>>) -> Vec<Stamped> {
    let mut runs: Vec<Vec<Stamped>> = runs.into_iter().filter(|r| !r.is_empty()).collect();
    sort_each(&mut runs);
    if runs.len() < 2 {
        return runs.pop().unwrap_or_default();
    }
    merge_tree(runs)
}

/// Sorts each run that is not in key order (every store's is).
fn sort_each(runs: &mut [Vec<Stamped>]) {
    for run in runs.iter_mut() {
        if !Stamped::in_order(run) {
            run.sort_unstable_by_key(Stamped::key);
        }
    }
}

fn merge_tree(runs: Vec<Vec<Stamped>>) -> Vec<Stamped> {
    let total: usize = runs.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    let mut tree = LoserTree::new(runs);
    while let Some(event) = tree.pop() {
        out.push(event);
    }
    out
}

/// Bits of `n`: the width of the numbers `0..=n`.
fn bits(n: u64) -> u32 {
    u64::BITS - n.leading_zeros()
}

/// Merges sorted runs into the empty `out` by a radix sort of packed keys,
/// leaving each run empty with its buffer; false (the runs untouched) when
/// no run holds events, a run holds more than one store, two runs share a
/// store, or the packed word would not fit.
///
/// The word of an event is `at - min_at`, then the rank of its run's store
/// among the runs, then its place in the runs laid end to end. Ranks order
/// runs as their stores do, and each run is in `seq` order, so sorting the
/// words sorts by `(at, store, seq)`; the place makes every word unique and
/// says where the event is.
pub fn radix(runs: &mut [Vec<Stamped>], out: &mut Vec<Stamped>) -> bool {
    let one_store = |run: &Vec<Stamped>| {
        run.first()
            .is_none_or(|head| run.iter().all(|e| e.store == head.store))
    };
    if !out.is_empty() || !runs.iter().all(one_store) {
        return false;
    }
    // The runs that hold events, by store: a run's rank is its place here.
    let mut order: Vec<usize> = (0..runs.len()).filter(|&i| !runs[i].is_empty()).collect();
    order.sort_unstable_by_key(|&i| runs[i][0].store);
    if order.is_empty()
        || order
            .windows(2)
            .any(|w| runs[w[0]][0].store == runs[w[1]][0].store)
    {
        return false;
    }
    let total: usize = runs.iter().map(Vec::len).sum();
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &i in &order {
        // Each run is in time order.
        lo = lo.min(runs[i][0].at.0);
        hi = hi.max(runs[i][runs[i].len() - 1].at.0);
    }
    let Some(span) = hi.checked_sub(lo).and_then(|d| u64::try_from(d).ok()) else {
        return false;
    };
    let place_bits = bits(total as u64 - 1);
    let rank_bits = bits(order.len() as u64 - 1);
    let key_bits = bits(span) + rank_bits;
    if key_bits + place_bits > u64::BITS || u32::try_from(total).is_err() {
        return false;
    }
    let mut words = Vec::with_capacity(total);
    let mut starts = Vec::with_capacity(order.len());
    for (rank, &i) in order.iter().enumerate() {
        starts.push(words.len());
        let rank = (rank as u64) << place_bits;
        for e in &runs[i] {
            let at = (e.at.0 - lo) as u64;
            words.push((at << (rank_bits + place_bits)) | rank | words.len() as u64);
        }
    }
    sort_words(&mut words, place_bits, key_bits);
    let rank_mask = (1u64 << rank_bits) - 1;
    let place_mask = (1u64 << place_bits) - 1;
    // The events leave their runs here: each run's length is set to zero
    // first, so its events are read below exactly once and never dropped
    // in it (a panic would leak them, nothing worse).
    let heads: Vec<*const Stamped> = order
        .iter()
        .map(|&i| {
            let run = &mut runs[i];
            let head = run.as_ptr();
            // SAFETY: zero is within capacity, and no element is dropped
            // or read through the vector afterwards.
            unsafe { run.set_len(0) };
            head
        })
        .collect();
    let source = |word: u64| {
        let rank = ((word >> place_bits) & rank_mask) as usize;
        let place = (word & place_mask) as usize - starts[rank];
        // SAFETY: `rank` indexes a run, and `place` is within that run's
        // former length: the word was made from exactly that pair.
        unsafe { heads[rank].add(place) }
    };
    if out.capacity() < total {
        // Not `reserve`, which would double a reused buffer's capacity
        // (a window's buffer is tens of MB, and a run holds several) and
        // copy what it held: a fresh buffer with room for a slightly
        // busier next window instead.
        *out = Vec::with_capacity(total + total / HEADROOM);
    }
    for (i, &word) in words.iter().enumerate() {
        if let Some(&ahead) = words.get(i + 8) {
            prefetch(source(ahead));
        }
        // SAFETY: the words are a permutation of the places (a radix pass
        // moves each word once), so every event is read exactly once, from
        // a run whose length is zero and which is not read again.
        out.push(unsafe { std::ptr::read(source(word)) });
    }
    true
}

/// Sorts `words` by their bits `low..low + width`, stably (least
/// significant digit first, up to 12 bits a pass). The words come in
/// increasing order of their low bits, so the result is in increasing
/// order of the whole word.
fn sort_words(words: &mut Vec<u64>, low: u32, width: u32) {
    if width == 0 {
        return;
    }
    let passes = width.div_ceil(12);
    let digit = width.div_ceil(passes);
    let mask = (1u64 << digit) - 1;
    let mut counts = vec![0usize; (passes as usize) << digit];
    for &w in words.iter() {
        for p in 0..passes {
            let d = ((w >> (low + p * digit)) & mask) as usize;
            counts[((p as usize) << digit) + d] += 1;
        }
    }
    let mut spare = vec![0u64; words.len()];
    for p in 0..passes {
        let counts = &mut counts[(p as usize) << digit..((p as usize) + 1) << digit];
        if counts.contains(&words.len()) {
            // One digit for every word: the pass would change nothing.
            continue;
        }
        let mut at = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = at;
            at += n;
        }
        let shift = low + p * digit;
        for &w in words.iter() {
            let d = ((w >> shift) & mask) as usize;
            spare[counts[d]] = w;
            counts[d] += 1;
        }
        std::mem::swap(words, &mut spare);
    }
}

/// Asks the CPU for the event at `p` (it spans two cache lines).
#[inline]
fn prefetch(p: *const Stamped) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = p.cast::<i8>();
        // SAFETY: prefetching is a hint; it never faults, even on an
        // invalid address.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(p);
            _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(64));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
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
    if let Some(next) = run.as_slice().get(1) {
        prefetch(next);
    }
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

        /// Runs of one store each (the scheduler's windows) take the radix
        /// sort, in any order of the runs and with ties in time across
        /// stores; the result equals a sort, and equals the tree's.
        #[test]
        fn radix_equals_a_sort(
            times in proptest::collection::vec(
                proptest::collection::vec(0i64..50, 1..40), 2..20),
            base in -1_000_000i64..1_000_000,
            stores in proptest::collection::vec(1u32..10_000, 20),
        ) {
            let mut ids: Vec<u32> = stores.clone();
            ids.sort_unstable();
            ids.dedup();
            prop_assume!(ids.len() >= times.len());
            let mut seq = 0;
            let runs: Vec<Vec<Stamped>> = times
                .iter()
                .zip(&stores)
                .map(|(run, &store)| {
                    let mut ts = run.clone();
                    ts.sort_unstable();
                    ts.into_iter()
                        .map(|t| {
                            seq += 1;
                            Stamped { store, ..change(base + t, seq) }
                        })
                        .collect()
                })
                .collect();
            let distinct = {
                let mut s: Vec<u32> = runs.iter().map(|r| r[0].store).collect();
                s.sort_unstable();
                s.windows(2).all(|w| w[0] != w[1])
            };
            prop_assume!(distinct);
            let mut sorted = runs.concat();
            sorted.sort_by_key(|s| s.key());
            let keys = |v: &[Stamped]| v.iter().map(Stamped::key).collect::<Vec<_>>();
            let mut by_radix = runs.clone();
            let mut merged = Vec::new();
            prop_assert!(radix(&mut by_radix, &mut merged));
            prop_assert!(by_radix.iter().all(Vec::is_empty));
            prop_assert_eq!(keys(&merged), keys(&sorted));
            // Reusing buffers: an output that held events, runs that come
            // back empty with their buffers, empty runs among them.
            let mut again = runs.clone();
            again.push(Vec::new());
            let reused = merge_reusing(&mut again, sorted.clone());
            prop_assert_eq!(keys(&reused), keys(&sorted));
            prop_assert!(again.iter().all(Vec::is_empty));
            prop_assert_eq!(keys(&loser_tree(runs.clone())), keys(&sorted));
            prop_assert_eq!(merge_runs(runs), sorted);
        }
    }

    /// What the radix sort cannot pack goes to the tree, untouched: a run
    /// of two stores, two runs of one store, times too far apart.
    #[test]
    fn radix_declines_what_it_cannot_pack() {
        let one = |store: u32, at: i64, seq: u64| Stamped {
            store,
            ..change(at, seq)
        };
        let cases = [
            vec![vec![one(1, 5, 1), one(2, 6, 2)], vec![one(3, 1, 3)]],
            vec![vec![one(1, 5, 1)], vec![one(1, 1, 2)]],
            vec![vec![one(1, i64::MIN / 2, 1)], vec![one(2, i64::MAX / 2, 2)]],
        ];
        for runs in cases {
            let mut tried = runs.clone();
            assert!(!radix(&mut tried, &mut Vec::new()));
            assert_eq!(tried.concat().len(), runs.concat().len(), "untouched");
            let mut sorted = runs.concat();
            sorted.sort_by_key(Stamped::key);
            assert_eq!(merge_runs(runs), sorted);
        }
    }

    /// A reused output buffer too small for the window is replaced by one
    /// the window's size plus headroom, not doubled: a window's buffer is
    /// tens of MB, and a doubled one would keep that size for good. One big
    /// enough is kept, its allocation with it.
    #[test]
    fn a_small_spare_grows_to_the_window_not_double() {
        let runs = |n: u32| -> Vec<Vec<Stamped>> {
            (0..n)
                .map(|store| {
                    (0..100)
                        .map(|t| Stamped {
                            store,
                            ..change(t, u64::from(store) * 100 + t as u64)
                        })
                        .collect()
                })
                .collect()
        };
        let spare: Vec<Stamped> = Vec::with_capacity(1000);
        let merged = merge_reusing(&mut runs(15), spare);
        assert_eq!(merged.len(), 1500);
        let room = 1500 + 1500 / HEADROOM;
        assert!(
            (1500..=room).contains(&merged.capacity()),
            "capacity {} for 1500 events",
            merged.capacity()
        );
        let mut spare = merged;
        spare.clear();
        let at = spare.as_ptr();
        let again = merge_reusing(&mut runs(16), spare);
        assert_eq!(
            (again.len(), again.as_ptr()),
            (1600, at),
            "the spare was reused"
        );
    }
}
