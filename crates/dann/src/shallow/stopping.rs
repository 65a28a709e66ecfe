//! Early stopping of the shallow fit: when to stop and which epoch's weights to keep.

use serde::{Deserialize, Serialize};

/// When [`ShallowConfig::fit`](super::ShallowConfig::fit) stops early and which epoch's weights it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Stopping {
    /// Keep the first epoch with the lowest validation error; stop `patience` epochs after it.
    #[default]
    Fixed,
    /// The authors' rule (`DANN.py`): an epoch whose validation error is at most the best
    /// so far becomes the best (ties keep the later weights), and training goes on while
    /// `e <= max(patience, 1.5 b)` (epochs counted from 0, as theirs: `e` the current one,
    /// `b` the best), so that late improvements buy proportionally more epochs.
    Growing,
}

impl Stopping {
    /// Whether validation error `err` replaces the best so far, `best`.
    pub(super) fn improves(self, err: f64, best: f64) -> bool {
        match self {
            Stopping::Fixed => err < best,
            Stopping::Growing => err <= best,
        }
    }

    /// Whether to stop after 1-based `epoch`, the best being 1-based `best_epoch`.
    pub(super) fn stops(self, patience: usize, epoch: usize, best_epoch: usize) -> bool {
        if patience == 0 {
            return false;
        }
        match self {
            Stopping::Fixed => epoch - best_epoch >= patience,
            Stopping::Growing => epoch - 1 > patience.max((best_epoch - 1) * 3 / 2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_rules() {
        // Ties: only the authors' rule moves the best epoch forward.
        assert!(Stopping::Growing.improves(0.1, 0.1));
        assert!(!Stopping::Fixed.improves(0.1, 0.1));
        assert!(Stopping::Fixed.improves(0.05, 0.1) && Stopping::Growing.improves(0.05, 0.1));
        // Fixed: `patience` epochs after the best.
        assert!(!Stopping::Fixed.stops(30, 30, 1) && Stopping::Fixed.stops(30, 31, 1));
        assert!(!Stopping::Fixed.stops(30, 70, 41) && Stopping::Fixed.stops(30, 71, 41));
        // Growing, counted from 0 as `DANN.py`: best at t = 0 -> runs t = 0..=31 (32 epochs);
        // best at t = 40 -> continue_until = 60, the last epoch run is t = 61.
        assert!(!Stopping::Growing.stops(30, 31, 1) && Stopping::Growing.stops(30, 32, 1));
        assert!(!Stopping::Growing.stops(30, 61, 41) && Stopping::Growing.stops(30, 62, 41));
        // int(1.5 * 41) = 61: best at t = 41 -> last epoch t = 62.
        assert!(!Stopping::Growing.stops(30, 62, 42) && Stopping::Growing.stops(30, 63, 42));
        // patience 0: never.
        assert!(!Stopping::Fixed.stops(0, 500, 1) && !Stopping::Growing.stops(0, 500, 1));
    }
}
