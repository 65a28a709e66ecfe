//! Long work off Python's main thread: the GIL released, Ctrl-C watched for by the main
//! thread and passed to the work as the library's [`Cancel`] flag.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use dann::{Cancel, MetricsRecord, TrainListener};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::py_err;

/// Prints the records when `verbose`; stops training once `cancel` is raised (Ctrl-C, seen by
/// [`cancellable`]'s watching thread): an atomic load per step, the GIL never taken.
pub(crate) struct PyListener<'a> {
    pub(crate) verbose: bool,
    pub(crate) cancel: &'a Cancel,
}

impl TrainListener for PyListener<'_> {
    fn on_record(&mut self, record: &MetricsRecord) {
        if self.verbose {
            eprintln!("{}", record.progress_line());
        }
    }

    fn interrupted(&mut self) -> bool {
        self.cancel.is_requested()
    }
}

/// Runs `work` on another thread, the GIL released, while this one (Python's main thread,
/// where signal handlers run) checks for Ctrl-C every 50 ms: a `KeyboardInterrupt` raises
/// `work`'s [`Cancel`] and is raised here once `work` has stopped. Returns as soon as `work`
/// does.
pub(crate) fn cancellable<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&Cancel) -> dann::Result<T> + Send,
) -> PyResult<T> {
    let cancel = Cancel::new();
    // `work`'s end: set, and the waiting thread woken, by the worker (also when it panics).
    let finished = (Mutex::new(false), Condvar::new());
    std::thread::scope(|scope| {
        let (cancel_ref, finished_ref) = (&cancel, &finished);
        let handle = scope.spawn(move || {
            struct Done<'a>(&'a (Mutex<bool>, Condvar));
            impl Drop for Done<'_> {
                fn drop(&mut self) {
                    *self.0.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
                    self.0.1.notify_all();
                }
            }
            let _done = Done(finished_ref);
            work(cancel_ref)
        });
        let wait = || {
            let (lock, woken) = &finished;
            let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            let (guard, _) = woken
                .wait_timeout_while(guard, Duration::from_millis(50), |done| !*done)
                .unwrap_or_else(|e| e.into_inner());
            *guard
        };
        let mut signal: Option<PyErr> = None;
        while !py.allow_threads(wait) {
            if signal.is_none()
                && let Err(e) = py.check_signals()
            {
                cancel.request();
                signal = Some(e);
            }
        }
        let result = handle
            .join()
            .map_err(|_| PyRuntimeError::new_err("dann's worker thread panicked"))?;
        match signal {
            Some(e) => Err(e),
            None => result.map_err(py_err),
        }
    })
}
