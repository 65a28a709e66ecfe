//! Panics of third-party readers kept inside the library: the parquet crate asserts on some
//! damaged files instead of returning an error. `contain` (crate-private) turns such a panic into a message
//! for an [`Error`](crate::Error); while it runs, [`active`] is true on its thread, so that a
//! front's panic hook (the CLI's) can stay quiet about a panic that becomes an error anyway.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Whether a panic on this thread now would be caught (and turned into an error) by the
/// library.
pub fn active() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// Runs `f`; a panic in it becomes `Err` with the panic's message.
pub(crate) fn contain<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    result.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "an unknown failure".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_active_is_true_only_inside() {
        assert!(!active());
        let inside = contain(active);
        assert_eq!(inside, Ok(true));
        let caught = contain(|| -> u8 { panic!("damaged {}", 7) });
        assert_eq!(caught, Err("damaged 7".to_string()));
        assert!(!active());
    }
}
