//! Atomic output: a reader never sees a half-written report file, nor a study directory that
//! mixes two studies.
//!
//! [`StudyDir`] replaces a whole study directory at once (see its module). For single files,
//! each write goes to a uniquely named temporary file in the target's directory (so the final
//! rename stays on one file system and is atomic), is flushed to disk, then renamed over the
//! target. On any error the temporary file is removed and the target is left untouched.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

mod interrupts;
mod lock;
mod signals;
mod study_dir;

pub use interrupts::{hold_interrupts, on_interrupt};
pub use signals::install_signal_watcher;
pub use study_dir::{StudyDir, StudyDirError, MARKER};

/// Distinguishes temporary files of concurrent writes from one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary path beside `path`, hidden, unique per process and call, ending in `suffix`.
///
/// The suffix matters for writers that pick the format from the extension (the PNG encoder).
fn temp_path_for(path: &Path, suffix: &str) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a file path: {}", path.display()),
        )
    })?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp_name = format!(
        ".{}.tmp-{}-{}{}",
        name.to_string_lossy(),
        std::process::id(),
        n,
        suffix
    );
    Ok(path.with_file_name(temp_name))
}

/// Removes the temporary file unless the write succeeded and renamed it away.
struct TempGuard {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            // The original error is what matters to the caller; a failed clean-up adds nothing.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Syncs the file at `temp` to disk and renames it over `path`.
fn commit(temp: &Path, path: &Path) -> io::Result<()> {
    File::open(temp)?.sync_all()?;
    fs::rename(temp, path)?;
    sync_parent(path);
    Ok(())
}

/// Makes the rename itself durable where the platform allows syncing a directory.
pub(crate) fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        // Best effort: the data is already safely in place under its final name.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Writes `bytes` to `path` atomically: either the old content or all of the new is visible.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, "", |temp| {
        let mut file = File::create(temp)?;
        file.write_all(bytes)?;
        file.flush()
    })
}

/// Produces `path` atomically by letting `write` create the file at a temporary path.
///
/// `write` receives a fresh path in the same directory ending in `suffix` (e.g. `".png"`);
/// whatever it leaves there on success replaces `path`. On error the temporary file is removed
/// and the error is returned unchanged. This suits writers that insist on opening a path
/// themselves, such as plotters' bitmap backend.
pub fn write_atomic_with<E, F>(path: &Path, suffix: &str, write: F) -> Result<(), E>
where
    E: From<io::Error>,
    F: FnOnce(&Path) -> Result<(), E>,
{
    let temp = temp_path_for(path, suffix)?;
    let mut guard = TempGuard {
        path: temp.clone(),
        armed: true,
    };
    write(&temp)?;
    commit(&temp, path)?;
    guard.armed = false;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_new_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        write_atomic(&path, b"a,b\n1,2\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a,b\n1,2\n");
        assert_eq!(entries(dir.path()), vec!["out.csv".to_string()]);
    }

    #[test]
    fn replaces_existing_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(
            &path,
            "a much longer old content that must not survive as a tail",
        )
        .unwrap();
        write_atomic(&path, b"short").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "short");
        assert_eq!(entries(dir.path()), vec!["out.txt".to_string()]);
    }

    #[test]
    fn failed_writer_removes_temp_and_keeps_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chart.png");
        fs::write(&path, "old").unwrap();
        let mut seen = None;
        let result: io::Result<()> = write_atomic_with(&path, ".png", |temp| {
            assert!(temp.to_string_lossy().ends_with(".png"));
            assert_eq!(temp.parent(), path.parent());
            seen = Some(temp.to_path_buf());
            fs::write(temp, "partial")?;
            Err(io::Error::other("render failed"))
        });
        assert!(result.is_err());
        assert!(!seen.unwrap().exists());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(entries(dir.path()), vec!["chart.png".to_string()]);
    }

    #[test]
    fn missing_directory_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/out.txt");
        assert!(write_atomic(&path, b"x").is_err());
        assert!(write_atomic(Path::new("/"), b"x").is_err());
    }

    #[test]
    fn temp_names_are_unique() {
        let p = Path::new("/tmp/x.png");
        assert_ne!(
            temp_path_for(p, ".png").unwrap(),
            temp_path_for(p, ".png").unwrap()
        );
    }
}
