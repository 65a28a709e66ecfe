//! Writing files so that an interrupted run never leaves a half-written file in place of an
//! old one: write a temporary file beside the target, then rename it over the target.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A hidden temporary name in `path`'s folder (`.name.tmp-PID`), to write to and rename.
pub fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes the bytes `write` produces to `path` through [`temp_beside`] and a rename; on
/// failure the temporary file is removed and `path` is left as it was.
///
/// Where the bytes go is [`write_target`]'s answer: a symlink is written through (the file
/// it points to is replaced, the link stays a link); a device such as `/dev/null`, a FIFO, or
/// an open descriptor such as `/dev/stdout` is written in place, since renaming over it
/// would replace the device with a file (or, through `/proc/self/fd`, miss the descriptor).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let target = match write_target(path)? {
        WriteTarget::InPlace { append } => return write_in_place(path, append, write),
        WriteTarget::Replace { file, .. } => file,
    };
    let tmp = temp_beside(&target);
    let result = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(&target, e)
    })?;
    failpoint("file");
    Ok(())
}

/// A test hook standing for a kill at a named point: when the environment variable
/// `DANN_FAILPOINT` is `name` (its first hit) or `name:k` (its k-th hit), the process aborts
/// there, running no destructor, as `kill -9` would. The points: `file` (after each file
/// written through [`write_atomically`]), `swap` and `swapped` (around the swap that puts a
/// finished run in place), `swap-aside` (between the two renames where the swap is not
/// atomic).
pub fn failpoint(name: &str) {
    use std::sync::{Mutex, OnceLock};
    static WANTED: OnceLock<Option<(String, usize)>> = OnceLock::new();
    static HITS: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());
    let wanted = WANTED.get_or_init(|| {
        let v = std::env::var("DANN_FAILPOINT").ok()?;
        match v.split_once(':') {
            Some((n, k)) => Some((n.to_string(), k.parse().ok()?)),
            None => Some((v, 1)),
        }
    });
    let Some((point, k)) = wanted else { return };
    if point != name {
        return;
    }
    let mut hits = HITS.lock().unwrap_or_else(|e| e.into_inner());
    let count = match hits.iter_mut().find(|(n, _)| n == name) {
        Some((_, c)) => {
            *c += 1;
            *c
        }
        None => {
            hits.push((name.to_string(), 1));
            1
        }
    };
    if count == *k {
        eprintln!("DANN_FAILPOINT: aborting at {name}:{count}");
        std::process::abort();
    }
}

/// Writes to a device, a FIFO or an open descriptor in place: there is no old content to
/// keep whole.
fn write_in_place(
    path: &Path,
    append: bool,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let result = (|| -> std::io::Result<()> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .append(append)
            .open(path)?;
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)?;
        w.flush()
    })();
    result.map_err(|e| Error::io(path, e))
}

/// How [`write_atomically`] writes to a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteTarget {
    /// Replace `file` through a temporary file beside it and a rename: the path itself, or
    /// the file its symlinks lead to (which need not exist yet).
    Replace {
        /// The file replaced.
        file: PathBuf,
        /// Whether there is a file there now (one a command may refuse to replace).
        exists: bool,
    },
    /// Open the path and write: a character or block device, a FIFO, a socket, or a
    /// descriptor the process already has open (`/dev/stdout`, `/dev/fd/N`,
    /// `/proc/self/fd/N`), which the shell may have pointed at a file (`> out.csv`,
    /// appended to so that `>>` keeps what was there).
    InPlace {
        /// Append (a regular file behind a descriptor) rather than write from the start.
        append: bool,
    },
}

/// Where writing to `path` goes (see [`WriteTarget`]): symlinks are followed (a relative
/// link from its own folder) until a path that is not a link; a link into `/proc` (an open
/// descriptor) stops there. A folder, or a loop of links, is an error.
pub fn write_target(path: &Path) -> Result<WriteTarget> {
    // Linux's own limit on links followed in one lookup (MAXSYMLINKS).
    const MAX_LINKS: usize = 40;
    let descriptor = |p: &Path| p.starts_with("/proc") || p.starts_with("/dev/fd");
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        if descriptor(&current) {
            // `/proc/self/fd/1` links to `pipe:[123]` or to the file the shell opened: only
            // opening the link itself reaches the descriptor.
            let append = std::fs::metadata(path).is_ok_and(|m| m.is_file());
            return Ok(WriteTarget::InPlace { append });
        }
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            Err(_) => {
                return Ok(WriteTarget::Replace {
                    file: current,
                    exists: false,
                });
            }
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&current).map_err(|e| Error::io(&current, e))?;
            current = match current.parent() {
                Some(folder) => folder.join(link),
                None => link,
            };
        } else if kind.is_dir() {
            return Err(Error::io(
                path,
                std::io::Error::other("is a folder; give a file name"),
            ));
        } else if kind.is_file() {
            return Ok(WriteTarget::Replace {
                file: current,
                exists: true,
            });
        } else {
            return Ok(WriteTarget::InPlace { append: false });
        }
    }
    Err(Error::io(
        path,
        std::io::Error::other(format!(
            "more than {MAX_LINKS} symlinks in a row (a loop?); point it at a file"
        )),
    ))
}

/// `path` made relative to `base` when it is relative.
pub(crate) fn rebase(path: &mut Option<PathBuf>, base: &Path) {
    if let Some(p) = path
        && p.is_relative()
    {
        *p = base.join(&*p);
    }
}

/// Writes `text` to `path` atomically (see [`write_atomically`]).
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_atomically(path, |w| w.write_all(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("table.md");
        write_atomically(&path, |w| w.write_all(b"old")).unwrap();
        let err = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("killed"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("killed"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        let file = dir.path().join("real/out.csv");
        std::fs::write(&file, "old").unwrap();
        // A relative link, read from the link's folder, through a second link.
        let first = dir.path().join("first");
        let second = dir.path().join("second");
        std::os::unix::fs::symlink("real/out.csv", &first).unwrap();
        std::os::unix::fs::symlink("first", &second).unwrap();
        write_atomically(&second, |w| w.write_all(b"new")).unwrap();
        for link in [&first, &second] {
            let meta = std::fs::symlink_metadata(link).unwrap();
            assert!(
                meta.file_type().is_symlink(),
                "{} was replaced",
                link.display()
            );
        }
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        // No temporary file is left in either folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
        assert_eq!(
            std::fs::read_dir(dir.path().join("real")).unwrap().count(),
            1
        );

        // A dangling link gets its file made.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("real/new.csv", &dangling).unwrap();
        write_atomically(&dangling, |w| w.write_all(b"made")).unwrap();
        assert!(
            std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let made = dir.path().join("real/new.csv");
        assert_eq!(std::fs::read_to_string(made).unwrap(), "made");
    }

    #[cfg(unix)]
    #[test]
    fn a_loop_of_links_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        let err = write_atomically(&a, |w| w.write_all(b"x")).unwrap_err();
        assert!(err.to_string().contains("symlinks in a row"), "{err}");
    }

    /// A null device of our own (`mknod`, as root), else `/dev/null`: as root, a regression
    /// that renames over the device must not replace the system's `/dev/null`; as another
    /// user it cannot.
    #[cfg(unix)]
    fn null_device(dir: &Path) -> PathBuf {
        let path = dir.join("null");
        let made = std::process::Command::new("mknod")
            .arg(&path)
            .args(["c", "1", "3"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if made {
            path
        } else {
            PathBuf::from("/dev/null")
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_directly() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let null = null_device(dir.path());
        write_atomically(&null, |w| w.write_all(b"gone")).unwrap();
        let meta = std::fs::metadata(&null).unwrap();
        assert!(
            meta.file_type().is_char_device(),
            "{} was replaced",
            null.display()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_directly() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here; the device test covers writing in place
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_atomically(&fifo, |w| w.write_all(b"through the pipe")).unwrap();
        let meta = std::fs::metadata(&fifo).unwrap();
        assert!(meta.file_type().is_fifo(), "the FIFO was replaced");
        assert_eq!(reader.join().unwrap(), "through the pipe");
    }

    /// `/dev/stdout` with stdout a file (`> out.csv`): written through the descriptor, after
    /// what is there (`>>`), not replaced by a rename nor refused as an existing file.
    #[cfg(target_os = "linux")]
    #[test]
    fn an_open_descriptor_is_written_in_place() {
        use std::os::fd::AsRawFd;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut held = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        held.write_all(b"kept\n").unwrap();
        let fd = PathBuf::from(format!("/dev/fd/{}", held.as_raw_fd()));
        assert_eq!(
            write_target(&fd).unwrap(),
            WriteTarget::InPlace { append: true }
        );
        write_atomically(&fd, |w| w.write_all(b"new\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept\nnew\n");
        // Nothing was made beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_folder_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomically(dir.path(), |w| w.write_all(b"x")).unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
    }
}
