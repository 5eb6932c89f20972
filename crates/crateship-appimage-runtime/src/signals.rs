//! Keeps the runtime alive on SIGINT/SIGTERM/SIGHUP so it can unmount and clean
//! up after AppRun: the handler only records the signal; the waiting loop
//! forwards it to AppRun (or, for `--appimage-mount`, stops waiting).
//!
//! Handlers (unlike ignored dispositions) are reset to the default by `execve`,
//! so AppRun itself sees normal signal behaviour.
// std has no safe API to install a signal handler or send a signal; this module
// is the only unsafe code in the runtime: one `sigaction` per signal, with a
// handler that stores into an atomic (async-signal-safe), and `kill` to forward.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicI32, Ordering};

static PENDING: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc::c_int) {
    PENDING.store(signal, Ordering::SeqCst);
}

/// Installs the recording handler for SIGINT, SIGTERM and SIGHUP.
pub fn survive_termination() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: `action` is fully initialised (zeroed, then handler and an empty
        // mask set) before the call; the handler is async-signal-safe (one atomic
        // store); a null old-action pointer is allowed.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = record as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The signal received since the last call, if any.
pub fn take_pending() -> Option<i32> {
    match PENDING.swap(0, Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Sends `signal` to process `pid` (AppRun).
pub fn forward(pid: u32, signal: i32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}
