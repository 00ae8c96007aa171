//! A study directory replaced as a whole: every file goes into a fresh sibling temporary
//! directory, which is then swapped in by renaming, so a reader (or a crash) sees the old
//! study or the new one, never a mix.
//!
//! ```no_run
//! # fn main() -> Result<(), sandtable::report::atomic::StudyDirError> {
//! use sandtable::report::atomic::StudyDir;
//! let out = StudyDir::begin("outputs/bass/baseline".as_ref())?;
//! out.write("summary.json", b"{}\n")?;
//! out.commit()?;
//! # Ok(()) }
//! ```
//!
//! * **Lock**: [`StudyDir::begin`] takes an advisory lock (`.<name>.lock` beside the
//!   directory) held until the study is committed or dropped; a second writer waits for it.
//! * **Stale temporaries** of writers that died (`.<name>.new-*`, `.<name>.old-*`) are removed
//!   when the lock is taken; a study left beside a missing directory is put back.
//! * **Marker**: a directory sandtable made holds [`MARKER`]. An existing directory without it
//!   that is not empty is refused, so `--out .` never deletes the user's files.
//! * **Swap**: on Linux one `renameat2(RENAME_EXCHANGE)` exchanges the new and old directories;
//!   elsewhere two renames, with the old study kept until the new one is in place. The swap
//!   runs with interrupts held; the old study is removed after it.

use super::interrupts;
use super::lock::DirLock;
use crate::diagnostic::Diagnostic;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The file that marks a directory as a sandtable study, safe to replace.
pub const MARKER: &str = ".sandtable-study";

const MARKER_TEXT: &[u8] = b"This directory was written by sandtable; the next study written \
here replaces it as a whole.\n";

/// Why a study directory could not be prepared or put in place.
#[derive(Debug, thiserror::Error)]
pub enum StudyDirError {
    /// The directory exists, holds files and was not made by sandtable.
    #[error("`{}` already holds files that sandtable did not write", path.display())]
    NotOurs {
        /// The directory.
        path: PathBuf,
    },
    /// The path exists and is not a directory.
    #[error("`{}` exists and is not a directory", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// The directory (or one of its parents) could not be created.
    #[error("cannot create output directory `{}`: {source}", path.display())]
    Create {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A file system operation failed.
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

impl From<StudyDirError> for Diagnostic {
    fn from(e: StudyDirError) -> Diagnostic {
        let hint = match &e {
            StudyDirError::NotOurs { .. } => {
                "choose a new or empty directory with --out; sandtable only replaces directories it made"
            }
            StudyDirError::NotADirectory { .. } | StudyDirError::Create { .. } => {
                "choose another place with --out"
            }
            StudyDirError::Io { .. } => {
                "check that the output directory is writable and the disk not full"
            }
        };
        Diagnostic::plain(e.to_string()).with_hint(hint)
    }
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> StudyDirError + '_ {
    move |source| StudyDirError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A study being written; see the module documentation.
#[derive(Debug)]
pub struct StudyDir {
    target: PathBuf,
    temp: PathBuf,
    committed: bool,
    _lock: DirLock,
}

/// The directory, its parent and its file name, with `.` and `..` resolved.
fn split(target: &Path) -> Result<(PathBuf, PathBuf, String), StudyDirError> {
    let absolute = if target.exists() {
        fs::canonicalize(target).map_err(io_at(target))?
    } else {
        std::path::absolute(target).map_err(io_at(target))?
    };
    let not_dir = || StudyDirError::NotADirectory {
        path: target.to_path_buf(),
    };
    let name = absolute.file_name().ok_or_else(not_dir)?;
    let name = name.to_string_lossy().into_owned();
    if name == ".." || name == "." {
        return Err(not_dir());
    }
    let parent = absolute.parent().ok_or_else(not_dir)?.to_path_buf();
    Ok((absolute, parent, name))
}

impl StudyDir {
    /// Prepares to replace `target`: takes the lock, removes stale temporaries, checks that
    /// `target` is missing, empty or a sandtable study, and creates the temporary directory.
    pub fn begin(target: &Path) -> Result<StudyDir, StudyDirError> {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|source| StudyDirError::Create {
                path: target.to_path_buf(),
                source,
            })?;
        }
        let (absolute, parent, name) = split(target)?;
        // Checked before the lock file is made, so a refused directory gets no new neighbour;
        // checked again under the lock, which is what counts.
        check_replaceable(&absolute, target)?;
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = DirLock::acquire(&lock_path, || {
            eprintln!(
                "waiting for another sandtable process writing `{}`",
                target.display()
            )
        })
        .map_err(io_at(&lock_path))?;
        clean_stale(&parent, &name, &absolute)?;
        check_replaceable(&absolute, target)?;
        let temp = parent.join(format!(".{name}.new-{}", std::process::id()));
        interrupts::register(&temp);
        let made = interrupts::exclusive(|| {
            fs::create_dir(&temp).and_then(|()| fs::write(temp.join(MARKER), MARKER_TEXT))
        })
        .map_err(io_at(&temp));
        let dir = StudyDir {
            target: absolute,
            temp,
            committed: false,
            _lock: lock,
        };
        made.map(|()| dir)
    }

    /// The temporary directory the files go into until [`StudyDir::commit`].
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The directory the study will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes one file (a relative path, subdirectories created) and syncs it to disk; returns
    /// the path it will have once committed.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, StudyDirError> {
        let rel = plain_relative(name)?;
        let path = self.temp.join(rel);
        interrupts::exclusive(|| {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(io_at(dir))?;
            }
            let mut file = File::create(&path).map_err(io_at(&path))?;
            file.write_all(bytes)
                .and_then(|()| file.sync_all())
                .map_err(io_at(&path))
        })?;
        Ok(self.target.join(rel))
    }

    /// Writes one file as `fill` produces it, through a buffer, without holding the whole file
    /// in memory; then syncs it to disk. Returns the path it will have once committed. A
    /// failure of `fill` is returned as is (the study is not committed, so nothing shows).
    pub fn write_with<E: From<StudyDirError>>(
        &self,
        name: &str,
        fill: impl FnOnce(&mut (dyn Write + Send)) -> Result<(), E>,
    ) -> Result<PathBuf, E> {
        let path = self.temp.join(plain_relative(name)?);
        // Only making the file races with a removal of the directory on interrupt; writing
        // into a file already open does not.
        let file = interrupts::exclusive(|| {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(io_at(dir))?;
            }
            File::create(&path).map_err(io_at(&path))
        })?;
        let mut out = io::BufWriter::with_capacity(1 << 20, file);
        fill(&mut out)?;
        let file = out.into_inner().map_err(|e| io_at(&path)(e.into_error()))?;
        file.sync_all().map_err(io_at(&path))?;
        Ok(self.target.join(name))
    }

    /// Puts the study in place of the old one (interrupts held during the swap), then removes
    /// the old one. Returns the directory's path.
    pub fn commit(mut self) -> Result<PathBuf, StudyDirError> {
        sync_dir(&self.temp);
        let old = self.temp.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let swapped = interrupts::hold_interrupts(|| {
            let had_old = swap(&self.temp, &self.target, &old)?;
            interrupts::unregister(&self.temp);
            if let Some(moved) = &had_old {
                interrupts::register(moved);
            }
            self.committed = true;
            Ok::<_, StudyDirError>(had_old)
        })?;
        super::sync_parent(&self.target);
        if let Some(moved) = swapped {
            // The new study is in place; the old one is garbage from here on.
            let _ = fs::remove_dir_all(&moved);
            interrupts::unregister(&moved);
        }
        Ok(self.target.clone())
    }
}

impl Drop for StudyDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
            interrupts::unregister(&self.temp);
        }
    }
}

/// `name` as a path, if it is a plain relative one (no root, `.` or `..`).
fn plain_relative(name: &str) -> Result<&Path, StudyDirError> {
    let rel = Path::new(name);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(StudyDirError::Io {
            path: rel.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "not a plain relative path"),
        });
    }
    Ok(rel)
}

/// Moves `new` to `target`; the previous `target`, if any, ends up at the returned path.
fn swap(new: &Path, target: &Path, old: &Path) -> Result<Option<PathBuf>, StudyDirError> {
    if !target.exists() {
        fs::rename(new, target).map_err(io_at(target))?;
        return Ok(None);
    }
    if exchange(new, target).is_ok() {
        // `new` now names the old study.
        return Ok(Some(new.to_path_buf()));
    }
    fs::rename(target, old).map_err(io_at(target))?;
    if let Err(source) = fs::rename(new, target) {
        // Put the old study back rather than leave nothing.
        let _ = fs::rename(old, target);
        return Err(StudyDirError::Io {
            path: target.to_path_buf(),
            source,
        });
    }
    Ok(Some(old.to_path_buf()))
}

/// Exchanges two directories in one atomic step where the kernel supports it.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths; the raw syscall avoids depending on the libc
    // version providing a wrapper.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no exchange"))
}

/// Removes temporaries of writers that died (the lock is held, so none is alive), and puts
/// back an old study that a writer killed between its two renames left beside a missing
/// directory.
fn clean_stale(parent: &Path, name: &str, target: &Path) -> Result<(), StudyDirError> {
    let new_prefix = format!(".{name}.new-");
    let old_prefix = format!(".{name}.old-");
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if file_name.starts_with(&old_prefix) && !target.exists() {
            fs::rename(&path, target).map_err(io_at(target))?;
        } else if file_name.starts_with(&new_prefix) || file_name.starts_with(&old_prefix) {
            fs::remove_dir_all(&path).map_err(io_at(&path))?;
        }
    }
    Ok(())
}

/// `Ok` if `target` is missing, an empty directory or a sandtable study.
fn check_replaceable(target: &Path, shown: &Path) -> Result<(), StudyDirError> {
    let meta = match fs::metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_at(shown)(e)),
    };
    if !meta.is_dir() {
        return Err(StudyDirError::NotADirectory {
            path: shown.to_path_buf(),
        });
    }
    if target.join(MARKER).is_file() {
        return Ok(());
    }
    let mut entries = fs::read_dir(target).map_err(io_at(shown))?;
    if entries.next().is_none() {
        Ok(())
    } else {
        Err(StudyDirError::NotOurs {
            path: shown.to_path_buf(),
        })
    }
}

fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
#[path = "study_dir_tests.rs"]
mod tests;
