//! Keeping fbvault's own memory and key file to itself.
//!
//! [`no_core_dumps`] runs first thing in every fbvault process: the soft `RLIMIT_CORE` goes
//! to 0 and the process becomes non-dumpable (`PR_SET_DUMPABLE` 0), as ssh-agent does, so
//! a crash, a panic (the release build aborts), SIGQUIT or SIGABRT writes no core file
//! holding the team key, app secrets or tokens, and other processes of the same user
//! cannot ptrace it or read its `/proc/PID/mem`. The hard limit is kept, so
//! [`restore_core_limit`] can give a program that `run` execs its own limit back; an exec
//! makes the new program dumpable again by itself. Children spawned by fbvault (`run
//! --mask`, plugins, the editor) inherit the 0 limit: they hold the same secrets.
//!
//! [`unprotected_identity`] is the ssh-style check of the identity file's mode.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::OnceLock;

use rustix::process::{DumpableBehavior, Resource, Rlimit, getrlimit, setrlimit};

/// The core-file limit this process started with.
static STARTED_WITH: OnceLock<Rlimit> = OnceLock::new();

/// Turns core dumps off for this process. Failures are ignored: both calls only lower
/// what the process may do, and neither can fail for an unprivileged process on Linux.
pub fn no_core_dumps() {
    let start = STARTED_WITH.get_or_init(|| getrlimit(Resource::Core));
    let _ = setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: start.maximum,
        },
    );
    let _ = rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable);
}

/// Puts back the core-file limit the process started with, right before an exec.
pub fn restore_core_limit() {
    if let Some(start) = STARTED_WITH.get() {
        let _ = setrlimit(Resource::Core, *start);
    }
}

/// When the identity file at `path` can be read by its group or by others, a one-line
/// warning saying so and what to do (ssh refuses such a key; fbvault warns).
pub fn unprotected_identity(path: &Path) -> Option<String> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then(|| {
        format!(
            "the identity {} can be read by other users (mode {mode:04o}): whoever reads it can open the vault; run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}
