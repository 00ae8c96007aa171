//! An advisory lock on a lock file (`flock`), so two processes writing the same study
//! directory take turns. The kernel releases it when the process ends, even by `kill -9`.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// A held lock; released on drop.
#[derive(Debug)]
pub(super) struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock on `path` (created if missing), waiting for another holder if there is
    /// one; `on_wait` is called once before waiting.
    pub(super) fn acquire(path: &Path, on_wait: impl FnOnce()) -> io::Result<DirLock> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        if !try_lock(&file)? {
            on_wait();
            lock(&file)?;
        }
        Ok(DirLock { _file: file })
    }
}

#[cfg(unix)]
fn try_lock(file: &File) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a file descriptor this File owns.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(unix)]
fn lock(file: &File) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    loop {
        // SAFETY: as above; blocks until the other holder releases the lock.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(not(unix))]
fn try_lock(_file: &File) -> io::Result<bool> {
    Ok(true)
}

#[cfg(not(unix))]
fn lock(_file: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_told_to_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".x.lock");
        let first = DirLock::acquire(&path, || panic!("free lock")).unwrap();
        // flock locks belong to the open file description, so a second open conflicts even
        // within one process.
        let other = OpenOptions::new().read(true).open(&path).unwrap();
        assert!(!try_lock(&other).unwrap());
        drop(first);
        assert!(try_lock(&other).unwrap());
    }
}
