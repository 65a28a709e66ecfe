//! Writing the command line's output files.

use std::path::Path;

use anyhow::{Context, Result};

/// Writes `text` to `path` through a temporary file beside it and a rename, so that an
/// interrupted run never leaves a half-written file in place of an old one.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    dann::files::write_atomically(path, |w| w.write_all(text.as_bytes()))
        .with_context(|| format!("cannot write {}", path.display()))
}
