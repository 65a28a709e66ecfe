//! Writing the command line's output files.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use dann::files::WriteTarget;

/// Writes `text` to `path` through a temporary file beside it and a rename, so that an
/// interrupted run never leaves a half-written file in place of an old one (a symlink is
/// written through, a device directly: see `dann::files::write_atomically`).
pub(crate) fn write_file(path: &Path, text: &str) -> Result<()> {
    dann::files::write_atomically(path, |w| w.write_all(text.as_bytes()))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// `err` as the CLI prints it: `error: ...`, then each cause that says something new (an io
/// error under the error that names its file does not), a line each.
pub(crate) fn error_lines(err: &anyhow::Error) -> String {
    let mut out = format!("error: {err}\n");
    let mut said = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !said.contains(&text) {
            out.push_str(&format!("  caused by: {text}\n"));
        }
        said = text;
    }
    out
}

/// `-`: the output goes to stdout instead of a file.
pub(crate) fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes what `write` produces to `path` (see [`write_file`]), or to stdout when `path` is
/// `-`; a reader that closes stdout early (`| head`) ends the output, not in an error.
pub(crate) fn write_output(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if is_stdout(path) {
        let mut out = std::io::stdout().lock();
        return match write(&mut out).and_then(|()| out.flush()) {
            // The reader went away (`| head`): nothing more to write, not an error.
            Err(e) if broken_pipe(&e) => Ok(()),
            other => other.context("cannot write to stdout"),
        };
    }
    dann::files::write_atomically(path, |w| write(w))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Whether `e` says the pipe's reader is gone, directly or inside a CSV writer's error.
fn broken_pipe(e: &std::io::Error) -> bool {
    let inner = e
        .get_ref()
        .and_then(|i| i.downcast_ref::<csv::Error>())
        .and_then(|c| match c.kind() {
            csv::ErrorKind::Io(io) => Some(io.kind()),
            _ => None,
        });
    e.kind() == std::io::ErrorKind::BrokenPipe || inner == Some(std::io::ErrorKind::BrokenPipe)
}

/// Refuses to replace an existing file at `--<flag>` without `--force`. Only a regular file
/// (or a symlink to one) counts: a device such as `/dev/null`, a FIFO, an open descriptor
/// (`/dev/stdout`, even when the shell points it at a file), a dangling link or `-` (stdout,
/// for an output that takes it) replaces nothing. A folder is refused before any work.
pub(crate) fn refuse_to_replace(path: &Path, flag: &str, force: bool) -> Result<()> {
    if is_stdout(path) {
        return Ok(());
    }
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        anyhow::bail!(
            "--{flag} {} is a folder; give a file name (or `-` for stdout)",
            path.display()
        );
    }
    let target = dann::files::write_target(path).with_context(|| format!("--{flag}"))?;
    if !force && matches!(target, WriteTarget::Replace { exists: true, .. }) {
        anyhow::bail!(
            "--{flag} {} already exists; pass --force to replace it or choose another --{flag}",
            path.display()
        );
    }
    Ok(())
}

/// Prints what the reader of `path` decided that the user should know (e.g. a first line
/// read as data, skipped non-image files), and gives the data back.
pub(crate) fn noted(path: &Path, data: dann::Dataset) -> dann::Dataset {
    for note in data.notes() {
        eprintln!("note: {}: {note}", path.display());
    }
    data
}
