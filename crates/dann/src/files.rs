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
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let tmp = temp_beside(path);
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
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
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
}
