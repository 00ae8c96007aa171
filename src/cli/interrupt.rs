//! Ctrl-C (SIGINT) and SIGTERM wait for output files being put in place, so an interrupt never
//! leaves a temporary file or a half-replaced set of outputs behind.
//!
//! Outside the write phase an interrupt ends the process at once with exit code 130 (SIGINT)
//! or 143 (SIGTERM); during it, the signal is remembered and the process exits with that code
//! as soon as every file is written. Each file is already replaced atomically; deferring the
//! signal also keeps the temporary files of those atomic writes from being orphaned.

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

    static WRITING: AtomicBool = AtomicBool::new(false);
    static PENDING: AtomicI32 = AtomicI32::new(0);

    extern "C" fn on_signal(signal: libc::c_int) {
        // Only atomics and _exit: both are async-signal-safe.
        if WRITING.load(Ordering::SeqCst) {
            PENDING.store(signal, Ordering::SeqCst);
        } else {
            // SAFETY: _exit ends the process without running anything that could deadlock.
            unsafe { libc::_exit(128 + signal) }
        }
    }

    pub fn install() {
        let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: the handler only touches atomics and calls _exit.
        unsafe {
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
    }

    pub fn deferred<T>(write: impl FnOnce() -> T) -> T {
        WRITING.store(true, Ordering::SeqCst);
        let result = write();
        WRITING.store(false, Ordering::SeqCst);
        let signal = PENDING.load(Ordering::SeqCst);
        if signal != 0 {
            eprintln!("interrupted; the output files were completed first");
            std::process::exit(128 + signal);
        }
        result
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn install() {}

    pub fn deferred<T>(write: impl FnOnce() -> T) -> T {
        write()
    }
}

/// Installs the handlers; call once at start-up.
pub fn install() {
    imp::install();
}

/// Runs `write` (which puts output files in place) with interrupts held until it returns.
pub fn deferred<T>(write: impl FnOnce() -> T) -> T {
    imp::deferred(write)
}
