//! A run written as one unit: [`RunDir::begin`] locks the `--out` folder, checks that the run
//! will not destroy anything it should not, and opens a staging folder beside it
//! ([`PendingRun`]); every file of the finished run is written there, and
//! [`PendingRun::commit`] puts the whole folder in place with one atomic swap.
//!
//! What a process killed at any moment leaves (`--out OUT`):
//! - before the swap: OUT as it was (an old run whole, or nothing but the interrupted run's
//!   own lock file, checkpoints and streaming metrics, which `dann train --resume OUT`
//!   continues) and a hidden `.OUT.new-PID` folder beside it, removed by the next run into OUT;
//! - after the swap: the new run whole in OUT, and the old one in `.OUT.new-PID`, likewise
//!   removed later.
//!
//! On Linux the swap is `renameat2(RENAME_EXCHANGE)`. Where the file system or the system
//! lacks it, the old folder is first renamed to `.OUT.old-PID` and the new one renamed to OUT:
//! a kill between the two renames leaves no OUT but both runs whole beside it, and the next
//! run into OUT (or [`RunDir::begin`]) says so.

use std::fs;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::dir::RunDir;
use crate::error::{Error, Result};
use crate::files::failpoint;

/// The lock file inside a run directory while a run writes it.
pub const LOCK_FILE: &str = ".dann.lock";

/// Names a finished or interrupted run may hold (anything else in `--out` belongs to someone
/// else, and a run replacing the folder would remove it).
const RUN_FILES: &[&str] = &[
    "model.json",
    "model.mpk",
    "config.toml",
    "metrics.jsonl",
    "shift.json",
    "tsne.csv",
    "tsne.png",
    "report.html",
    "plots",
    "checkpoint",
    "candidates.md",
    "candidates.csv",
    "select.json",
    super::dir::BASELINE_DIR,
    LOCK_FILE,
    ".metrics.jsonl.partial",
];

/// A run being written: the lock on its `--out` folder (held until dropped) and the staging
/// folder its files go into. Dropped without [`commit`](Self::commit), the staging folder is
/// removed and `--out` keeps what it held.
#[derive(Debug)]
#[must_use = "a pending run is put in place by commit(); dropped, it is discarded"]
pub struct PendingRun {
    out: PathBuf,
    staging: PathBuf,
    _lock: fs::File,
    /// What `begin` created, removed again when the run is dropped: a failed run leaves
    /// `--out` as it found it.
    created: Created,
    committed: bool,
}

#[derive(Debug, Clone, Copy)]
struct Created {
    out: bool,
    lock: bool,
}

impl RunDir {
    /// Starts writing a run into this folder: creates it (an existing file is refused),
    /// takes its lock (a folder another process is writing is refused, naming it), refuses a
    /// folder holding files a run does not write (a run replaces the folder as a whole) or
    /// holding one of `inputs` (what the run reads: `(what, path)`), and opens the staging
    /// folder beside it. The checks of what the folder holds (a model, an interrupted run)
    /// stay with the caller.
    pub fn begin(&self, inputs: &[(&str, &Path)]) -> Result<PendingRun> {
        let out = self.path();
        if out.exists() && !out.is_dir() {
            return Err(Error::Data(format!(
                "--out {} is a file; a run is written into a folder: choose a folder's path",
                out.display()
            )));
        }
        let created = Created {
            out: !out.exists(),
            lock: !out.join(LOCK_FILE).exists(),
        };
        if created.out {
            refuse_interrupted_swap(out)?;
        }
        fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        // Another run's lock file is never removed; the folder goes only when empty.
        let undo = |e: Error| {
            if created.out {
                let _ = fs::remove_dir(out);
            }
            e
        };
        let lock = take_lock(out).map_err(undo)?;
        let mut pending = PendingRun {
            out: out.to_path_buf(),
            staging: PathBuf::new(),
            _lock: lock,
            created,
            committed: false,
        };
        // From here on, a refusal drops `pending`, which undoes what was created.
        let real = fs::canonicalize(out).map_err(|e| Error::io(out, e))?;
        refuse_inputs_inside(out, &real, inputs)?;
        refuse_foreign_files(out)?;
        let (parent, name) = match (real.parent(), real.file_name()) {
            (Some(p), Some(n)) => (p.to_path_buf(), n.to_string_lossy().into_owned()),
            _ => {
                return Err(Error::Data(format!(
                    "--out {} is the root folder; choose a folder of its own",
                    out.display()
                )));
            }
        };
        remove_stale_siblings(&parent, &name);
        let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
        fs::create_dir(&staging).map_err(|e| {
            Error::Data(format!(
                "cannot create {} beside --out {} (a run is written there and swapped in \
                 when it ends; the folder holding --out must be writable): {e}",
                staging.display(),
                out.display()
            ))
        })?;
        pending.staging = staging;
        Ok(pending)
    }
}

impl PendingRun {
    /// The staging folder: where the run's files are written.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The `--out` folder the run goes to.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Writes `text` into the file `name` of the staging folder.
    pub fn write(&self, name: &str, text: &str) -> Result<()> {
        crate::files::write_text(&self.staging.join(name), text)
    }

    /// Puts the staged run in place of `--out` in one swap and removes what `--out` held
    /// (once; a second call does nothing).
    pub fn commit(&mut self) -> Result<()> {
        if self.committed {
            return Ok(());
        }
        failpoint("swap");
        swap(&self.staging, &self.out)?;
        self.committed = true;
        failpoint("swapped");
        // The old contents (the replaced run, or the interrupted run's lock and checkpoints).
        let _ = fs::remove_dir_all(&self.staging);
        Ok(())
    }
}

impl Drop for PendingRun {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        if !self.staging.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.staging);
        }
        if self.created.lock {
            let _ = fs::remove_file(self.out.join(LOCK_FILE));
        }
        if self.created.out {
            // Only when empty: an interrupted run's metrics and checkpoints stay.
            let _ = fs::remove_dir(&self.out);
        }
    }
}

/// Takes the lock of the run directory `out`, writing who holds it into the lock file; a
/// lock another process holds is an error naming it.
fn take_lock(out: &Path) -> Result<fs::File> {
    let path = out.join(LOCK_FILE);
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let holder = if holder.is_empty() {
                "another process".to_string()
            } else {
                holder.to_string()
            };
            return Err(Error::Data(format!(
                "{} is being written by {holder}; wait for it to end, or choose another --out",
                out.display()
            )));
        }
        Err(fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
    }
    let args: Vec<String> = std::env::args().collect();
    let who = format!(
        "dann (pid {}, started {} UTC: `{}`)",
        std::process::id(),
        super::dir::utc_stamp(),
        args.join(" ")
    );
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(who.as_bytes()));
    written.map_err(|e| Error::io(&path, e))?;
    Ok(file)
}

/// Refuses an input of the run inside `out` (whose real path is `real`): the run would
/// replace it.
fn refuse_inputs_inside(out: &Path, real: &Path, inputs: &[(&str, &Path)]) -> Result<()> {
    for (what, input) in inputs {
        let Ok(input_real) = fs::canonicalize(input) else {
            continue;
        };
        if input_real.starts_with(real) {
            return Err(Error::Data(format!(
                "--out {} holds {} ({what}), which the run reads; a run replaces its whole \
                 --out folder when it ends: choose another --out, or move the file out of it",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// Refuses a folder that holds files a run does not write (they would be lost when the run
/// replaces the folder).
fn refuse_foreign_files(out: &Path) -> Result<()> {
    let entries = fs::read_dir(out).map_err(|e| Error::io(out, e))?;
    let mut foreign: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !RUN_FILES.contains(&n.as_str()) && !is_temporary(n))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let n = foreign.len();
    let shown = foreign[..n.min(3)].join(", ");
    let more = if n > 3 {
        format!(" and {} more", n - 3)
    } else {
        String::new()
    };
    Err(Error::Data(format!(
        "--out {} holds files that are not a dann run's ({shown}{more}); a run replaces its \
         whole --out folder when it ends: choose a new or empty folder, or move them out",
        out.display()
    )))
}

/// A temporary file of an atomic write (`.name.tmp-PID`).
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Refuses a missing `out` beside the folders of a swap that was interrupted between its two
/// renames (where the swap is not atomic): the user decides which run to keep.
fn refuse_interrupted_swap(out: &Path) -> Result<()> {
    let Ok(abs) = std::path::absolute(out) else {
        return Ok(());
    };
    let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
        return Ok(());
    };
    let prefix = format!(".{}.old-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            return Err(Error::Data(format!(
                "--out {} is missing and {} holds the run it held: a run replacing it was \
                 stopped half-way through putting itself in place (its new run, if whole, is \
                 in a .{}.new-* folder beside it); rename the run you want to keep to {}",
                out.display(),
                entry.path().display(),
                name.to_string_lossy(),
                out.display()
            )));
        }
    }
    Ok(())
}

/// Removes the staging folders that killed runs into `parent/name` left (the caller holds
/// the folder's lock, so no other run is writing them).
fn remove_stale_siblings(parent: &Path, name: &str) {
    let prefix = format!(".{name}.new-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Swaps the folders `staging` and `out` (the new run in `out`, the old contents in
/// `staging`).
fn swap(staging: &Path, out: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, staging, CWD, out, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {}
            Err(e) => return Err(Error::io(out, e.into())),
        }
    }
    // Two renames: the old folder aside, the new one in; then the old one back to `staging`'s
    // name, where the caller removes it.
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = out.with_file_name(format!(".{name}.old-{}", std::process::id()));
    fs::rename(out, &aside).map_err(|e| Error::io(out, e))?;
    failpoint("swap-aside");
    fs::rename(staging, out).map_err(|e| Error::io(out, e))?;
    fs::rename(&aside, staging).map_err(|e| Error::io(&aside, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_put_in_place_whole_and_a_dropped_one_leaves_the_old() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let run = RunDir::new(&out);
        let mut pending = run.begin(&[]).unwrap();
        pending.write("model.json", "old").unwrap();
        pending.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("model.json")).unwrap(), "old");
        // Nothing left beside it.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);

        let pending = run.begin(&[]).unwrap();
        pending.write("model.json", "new").unwrap();
        let staging = pending.path().to_path_buf();
        drop(pending);
        assert!(!staging.exists());
        // A dropped run leaves no lock file behind, and a folder it created goes too.
        assert!(!out.join(LOCK_FILE).exists());
        let fresh = RunDir::new(dir.path().join("fresh"));
        drop(fresh.begin(&[]).unwrap());
        assert!(!fresh.path().exists());
        assert_eq!(fs::read_to_string(out.join("model.json")).unwrap(), "old");

        let mut pending = run.begin(&[]).unwrap();
        pending.write("config.toml", "new").unwrap();
        pending.commit().unwrap();
        // The new run alone: the old model went with the old folder.
        assert!(!out.join("model.json").exists());
        assert_eq!(fs::read_to_string(out.join("config.toml")).unwrap(), "new");
    }

    #[test]
    fn a_swap_stopped_between_its_renames_is_left_for_the_user_to_settle() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let old = dir.path().join(".run.old-77");
        fs::create_dir(&old).unwrap();
        fs::write(old.join("model.json"), "old").unwrap();
        let err = RunDir::new(&out).begin(&[]).unwrap_err().to_string();
        assert!(
            err.contains("is missing") && err.contains(".run.old-77"),
            "{err}"
        );
        assert!(!out.exists());
    }

    #[test]
    fn a_folder_being_written_is_refused_naming_its_writer() {
        let dir = tempfile::tempdir().unwrap();
        let run = RunDir::new(dir.path().join("run"));
        let first = run.begin(&[]).unwrap();
        let err = run.begin(&[]).unwrap_err().to_string();
        // The refused run removes nothing of the first one's.
        assert!(run.path().join(LOCK_FILE).exists());
        assert!(err.contains("is being written by dann (pid"), "{err}");
        drop(first);
        let _again = run.begin(&[]).unwrap();
    }

    #[test]
    fn inputs_and_foreign_files_inside_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("config.toml"), "# mine").unwrap();
        let config = out.join("config.toml");
        let err = RunDir::new(&out)
            .begin(&[("--config", &config)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("which the run reads"), "{err}");
        fs::write(out.join("s.csv"), "a,label\n1,0\n").unwrap();
        let err = RunDir::new(&out).begin(&[]).unwrap_err().to_string();
        assert!(err.contains("not a dann run's (s.csv)"), "{err}");
        assert_eq!(fs::read_to_string(&config).unwrap(), "# mine");
        let file = dir.path().join("file");
        fs::write(&file, "").unwrap();
        let err = RunDir::new(&file).begin(&[]).unwrap_err().to_string();
        assert!(err.contains("--out") && err.contains("is a file"), "{err}");
    }
}
