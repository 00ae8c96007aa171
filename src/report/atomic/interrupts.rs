//! What an interrupt (SIGINT, SIGTERM, SIGHUP) does to output being written: unfinished
//! temporary directories are removed and the process ends at once, except while finished
//! output is being moved into place, when the interrupt waits for the move to complete.
//!
//! The binary's signal watcher calls [`on_interrupt`]; writers mark the moves that must not be
//! cut short with [`hold_interrupts`]. Without a watcher (library use) signals keep their
//! default action and a later [`super::StudyDir::begin`] cleans what was left.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Shared between the writers and the signal watcher.
struct State {
    /// How many [`hold_interrupts`] sections are running.
    holding: usize,
    /// Exit code of an interrupt that arrived while holding.
    pending: Option<i32>,
    /// Temporary directories to remove if the process is interrupted.
    temps: Vec<PathBuf>,
}

static STATE: Mutex<State> = Mutex::new(State {
    holding: 0,
    pending: None,
    temps: Vec::new(),
});

fn state() -> MutexGuard<'static, State> {
    // A panic elsewhere must not stop an interrupt from cleaning up.
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Handles an interrupt that should end the process with `code` (128 + the signal number).
///
/// Inside [`hold_interrupts`] the code is remembered and this returns; the held section exits
/// with it when it ends. Otherwise every registered temporary directory is removed and the
/// process exits with `code` without returning. The state lock is kept until the exit, so no
/// writer can add a file to a directory being removed.
pub fn on_interrupt(code: i32) {
    let mut s = state();
    if s.holding > 0 {
        s.pending.get_or_insert(code);
        return;
    }
    exit_cleaning(&mut s, code);
}

/// Runs `moves` (which puts finished output in place) with interrupts held until it returns;
/// an interrupt that arrived meanwhile then ends the process with its code.
pub fn hold_interrupts<T>(moves: impl FnOnce() -> T) -> T {
    state().holding += 1;
    let result = moves();
    let mut s = state();
    s.holding -= 1;
    if s.holding == 0 {
        if let Some(code) = s.pending.take() {
            exit_cleaning(&mut s, code);
        }
    }
    result
}

/// Runs `write` (which adds to a registered temporary directory) so that an interrupt cannot
/// remove the directory in the middle of it: a file created while the directory is being
/// removed would make the removal fail.
pub(super) fn exclusive<T>(write: impl FnOnce() -> T) -> T {
    let _guard = state();
    write()
}

/// Registers a temporary directory to remove on interrupt.
pub(super) fn register(path: &Path) {
    state().temps.push(path.to_path_buf());
}

/// Forgets a temporary directory (renamed into place or already removed).
pub(super) fn unregister(path: &Path) {
    state().temps.retain(|p| p != path);
}

fn exit_cleaning(s: &mut State, code: i32) -> ! {
    for dir in s.temps.drain(..) {
        // Best effort: whatever survives is removed by the next writer of the same directory.
        let _ = std::fs::remove_dir_all(dir);
    }
    #[cfg(unix)]
    {
        let note = b"interrupted; no output was left half-written\n";
        // SAFETY: writes a static buffer to stderr, then ends the process without running
        // destructors or locking stdio, which other threads may hold.
        unsafe {
            libc::write(2, note.as_ptr().cast(), note.len());
            libc::_exit(code)
        }
    }
    #[cfg(not(unix))]
    std::process::exit(code)
}
