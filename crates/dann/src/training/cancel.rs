//! A request to stop long work early (the Python front's Ctrl-C), shared between threads.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::listener::TrainListener;
use crate::error::{Error, Result};

/// A flag a front raises ([`request`](Self::request)) and long computations check: a
/// selection between its candidates' epochs and steps ([`crate::run::select_run`]), a training
/// run after every step (as a [`TrainListener`]). Clones share the flag. The default is never
/// raised (the command line stops by ending the process).
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not raised yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag: the work checking it stops at its next check.
    pub fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`request`](Self::request) was called.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// [`Error::Cancelled`] once requested; `what` names the work stopped ("the selection").
    pub fn check(&self, what: &str) -> Result<()> {
        if self.is_requested() {
            return Err(Error::Cancelled {
                what: what.to_string(),
            });
        }
        Ok(())
    }
}

/// Stops training after the step during which the flag was raised.
impl TrainListener for &Cancel {
    fn interrupted(&mut self) -> bool {
        self.is_requested()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag_and_check_says_what_stopped() {
        let cancel = Cancel::new();
        let seen_elsewhere = cancel.clone();
        assert!(cancel.check("the selection").is_ok());
        assert!(!(&seen_elsewhere).interrupted());
        std::thread::spawn(move || seen_elsewhere.request())
            .join()
            .unwrap();
        assert!(cancel.is_requested() && (&cancel).interrupted());
        let err = cancel.check("the selection").unwrap_err().to_string();
        assert!(
            err.contains("the selection") && err.contains("stopped"),
            "{err}"
        );
    }
}
