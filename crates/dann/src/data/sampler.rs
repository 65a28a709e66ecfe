//! Endless shuffled index streams: training counts iterations over these, not epochs of one
//! side, so a small target set and a large source set can be mixed in every batch.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Yields `0..n` in a random order, reshuffled after each pass, forever. Serialisable, so
/// that a checkpoint can continue the stream where it stopped.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EndlessSampler {
    order: Vec<usize>,
    pos: usize,
    rng: ChaCha8Rng,
}

impl EndlessSampler {
    /// A sampler over `n > 0` items, seeded.
    pub fn new(n: usize, seed: u64) -> Self {
        assert!(n > 0, "EndlessSampler needs at least one item");
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        Self { order, pos: 0, rng }
    }

    /// Fills `out` with the next `k` indices.
    pub fn next_batch(&mut self, k: usize, out: &mut Vec<usize>) {
        out.clear();
        out.extend(self.by_ref().take(k));
    }

    /// Number of items it cycles through.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Never: a sampler has at least one item.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// What is wrong with a sampler read back (e.g. from a checkpoint) for `n` items: its
    /// order must be a permutation of `0..n` and its position within it.
    pub fn fault(&self, n: usize) -> Option<String> {
        if self.order.len() != n {
            return Some(format!(
                "cycles through {} items, not {n}",
                self.order.len()
            ));
        }
        if self.pos > n {
            return Some(format!("stands at position {} of {n}", self.pos));
        }
        let mut seen = vec![false; n];
        for &i in &self.order {
            if i >= n || std::mem::replace(&mut seen[i], true) {
                return Some(format!("holds index {i}, not a permutation of 0..{n}"));
            }
        }
        None
    }
}

impl Iterator for EndlessSampler {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.pos == self.order.len() {
            self.order.shuffle(&mut self.rng);
            self.pos = 0;
        }
        self.pos += 1;
        Some(self.order[self.pos - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pass_is_a_permutation_and_passes_differ() {
        let mut s = EndlessSampler::new(10, 3);
        let mut first: Vec<usize> = s.by_ref().take(10).collect();
        let mut second: Vec<usize> = s.by_ref().take(10).collect();
        assert_ne!(first, second, "reshuffled between passes");
        first.sort();
        second.sort();
        assert_eq!(first, (0..10).collect::<Vec<_>>());
        assert_eq!(second, first);
    }

    #[test]
    fn a_damaged_sampler_is_found() {
        let s = EndlessSampler::new(5, 1);
        assert_eq!(s.fault(5), None);
        assert!(s.fault(4).unwrap().contains("5 items"));
        let mut bad = s.clone();
        bad.order[0] = 9;
        assert!(bad.fault(5).unwrap().contains("index 9"));
        let mut twice = s.clone();
        twice.order[1] = twice.order[0];
        assert!(twice.fault(5).is_some());
        let mut far = s;
        far.pos = 6;
        assert!(far.fault(5).unwrap().contains("position 6"));
    }

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<usize> = EndlessSampler::new(7, 1).take(30).collect();
        let b: Vec<usize> = EndlessSampler::new(7, 1).take(30).collect();
        let c: Vec<usize> = EndlessSampler::new(7, 2).take(30).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
