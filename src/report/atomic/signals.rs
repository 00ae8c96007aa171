//! The process's signal watcher: Ctrl-C (SIGINT), SIGTERM and SIGHUP end the process
//! promptly (exit 130, 143, 129), with only the final moving of finished outputs into place
//! deferred. The binary installs it at start-up; a library user may, or may keep the default
//! actions.
//!
//! The signals are blocked in every thread and received by one watcher thread with
//! `sigwait`, so the reaction is ordinary code rather than a signal handler: it removes the
//! temporary directory of a study being written and exits (see
//! [`super::on_interrupt`]). While outputs are being renamed into place
//! ([`super::hold_interrupts`], and the swap of a study directory) the exit waits until the
//! move is complete.

#[cfg(unix)]
mod imp {
    use std::mem::MaybeUninit;

    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    fn signal_set() -> libc::sigset_t {
        let mut set = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: sigemptyset initialises the set before sigaddset reads it.
        unsafe {
            libc::sigemptyset(set.as_mut_ptr());
            for s in SIGNALS {
                libc::sigaddset(set.as_mut_ptr(), s);
            }
            set.assume_init()
        }
    }

    pub fn install() {
        let set = signal_set();
        // Blocked here, before any other thread exists, so every thread inherits the mask and
        // only the watcher receives the signals.
        // SAFETY: a valid, initialised signal set.
        if unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) } != 0 {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || loop {
                let mut signal: libc::c_int = 0;
                // SAFETY: waits for one of the blocked signals of a valid set.
                if unsafe { libc::sigwait(&set, &mut signal) } == 0 {
                    crate::report::atomic::on_interrupt(128 + signal);
                }
            });
        if spawned.is_err() {
            // Without a watcher the signals must keep ending the process.
            // SAFETY: as above.
            unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
        }
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn install() {}
}

/// Installs the signal watcher; call once at start-up, before any other thread starts.
pub fn install_signal_watcher() {
    imp::install();
}
