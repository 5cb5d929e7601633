//! The editor behind `fbvault edit`, and what is left when an edit is killed.
//!
//! - The plaintext goes in a private folder named `fbvault-edit-<pid>-XXXXXX` (the pid of
//!   the fbvault that made it) in `$XDG_RUNTIME_DIR`, else `/dev/shm`, else the temp dir.
//! - The editor dies with fbvault, even with `kill -9`: fbvault starts itself again as a
//!   tiny guard (`fbvault __editor-guard PID EDITOR FILE`, [`guard_main`]) that asks the
//!   kernel for SIGKILL when its parent dies (`PR_SET_PDEATHSIG`, a safe call on the guard
//!   itself, unlike a `pre_exec` hook), checks that the parent is still there, then execs
//!   `sh -c 'exec EDITOR "$1"'`. The death signal survives both execs, so it is the editor
//!   itself that is killed. (An `$EDITOR` that is a shell construct rather than a plain
//!   command line is run without the `exec`: then the shell is killed and the editor
//!   is orphaned, though its file is still removed.) The editor stays in fbvault's process
//!   group, so it keeps the terminal; a SIGTERM or SIGHUP to fbvault is passed on to it.
//! - [`clean_leftovers`]: every fbvault command but `run`, `env` and `completions` removes
//!   the folders of dead fbvault processes: those owned by this user whose pid is no
//!   longer an fbvault process. It is one directory read per candidate folder.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The first argument of the guard mode.
pub const GUARD_ARG: &str = "__editor-guard";

/// The name every plaintext folder starts with.
pub const FOLDER_PREFIX: &str = "fbvault-edit-";

/// The prefix of this process's folder: `fbvault-edit-<pid>-`.
pub fn folder_prefix() -> String {
    format!("{FOLDER_PREFIX}{}-", std::process::id())
}

/// The memory-backed folders a plaintext folder may be made in, best first.
fn memory_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = crate::config::env_non_empty("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    dirs.push(PathBuf::from("/dev/shm"));
    dirs
}

/// Every folder a plaintext folder may be in: the memory-backed ones, then the temp dir.
fn candidates() -> Vec<PathBuf> {
    let mut dirs = memory_dirs();
    let temp = std::env::temp_dir();
    if !dirs.contains(&temp) {
        dirs.push(temp);
    }
    dirs
}

/// A folder for plaintext that should not reach a disk: memory-backed when possible.
/// Returns the folder and whether it is memory-backed.
pub fn private_tmp_dir() -> (PathBuf, bool) {
    memory_dirs()
        .into_iter()
        .find(|d| d.is_dir() && tempfile::tempfile_in(d).is_ok())
        .map_or_else(|| (std::env::temp_dir(), false), |d| (d, true))
}

/// `$VISUAL`, else `$EDITOR`, else `vi` when there is a terminal to run it in; `None`
/// when there is none (a script, a CI job): starting `vi` there would hang or garble.
pub fn editor() -> Option<String> {
    ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| crate::config::env_trimmed(v))
        .or_else(|| {
            (std::io::stdin().is_terminal() && std::io::stdout().is_terminal())
                .then(|| "vi".to_string())
        })
}

/// Runs `editor` on `file` through the guard and waits for it. When `stop` is raised (a
/// SIGTERM or SIGHUP to fbvault), the editor is sent SIGTERM and waited for.
pub fn run_editor(editor: &str, file: &Path, stop: &AtomicBool) -> std::io::Result<ExitStatus> {
    let me = std::env::current_exe()?;
    let mut child = Command::new(me)
        .arg(GUARD_ARG)
        .arg(std::process::id().to_string())
        .arg(editor)
        .arg(file)
        .spawn()?;
    let mut stopped = false;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if !stopped && stop.load(Ordering::SeqCst) {
            stopped = true;
            let pid = rustix::process::Pid::from_child(&child);
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The shell line that runs the editor: with `exec` when `editor` is a plain command line,
/// so the shell becomes the editor and the death signal reaches the editor itself.
fn shell_line(editor: &str) -> String {
    let plain = editor
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " -_./+,:@%~".contains(c));
    if plain {
        format!("exec {editor} \"$1\"")
    } else {
        format!("{editor} \"$1\"")
    }
}

/// The guard mode, when the arguments ask for it (checked before anything else): returns
/// the exit code, or `None` for an ordinary command line.
pub fn guard_main() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() != Some(std::ffi::OsStr::new(GUARD_ARG)) {
        return None;
    }
    let rest: Vec<OsString> = args.collect();
    let [parent, editor, file] = rest.as_slice() else {
        return Some(ExitCode::from(2));
    };
    let parent: Option<i32> = parent.to_str().and_then(|p| p.parse().ok());
    let editor = editor.to_string_lossy();
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    // The parent may have died before the request above: then nobody waits for the edit.
    let ppid = rustix::process::getppid().map(|p| p.as_raw_nonzero().get());
    if ppid.is_none() || ppid != parent {
        return Some(ExitCode::from(1));
    }
    let err = Command::new("sh")
        .arg("-c")
        .arg(shell_line(&editor))
        .arg("sh")
        .arg(file)
        .exec();
    crate::cli::ui::err_line(&format!("fbvault: cannot start the editor: {err}"));
    Some(ExitCode::from(127))
}

/// Removes the plaintext folders that killed fbvault processes of this user left behind.
/// Errors are ignored: this is housekeeping, and the folders are private (0700).
pub fn clean_leftovers() {
    let uid = rustix::process::getuid().as_raw();
    let Some(me) = command_name("self") else {
        return; // No /proc: no way to tell a live edit from a dead one.
    };
    for dir in candidates() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .and_then(|n| n.strip_prefix(FOLDER_PREFIX))
                .map(owner_pid)
            else {
                continue;
            };
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() && meta.uid() == uid && is_leftover(pid, &me, &meta) {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

/// The pid in `<pid>-XXXXXX`; `None` for an older fbvault's `XXXXXX`.
fn owner_pid(rest: &str) -> Option<u32> {
    rest.split_once('-').and_then(|(pid, _)| pid.parse().ok())
}

/// Whether a folder is no live edit's: its fbvault is gone (no such process, or one with
/// another name: the pid was reused), or (a name without a pid, from an older fbvault)
/// it has not changed for a day.
fn is_leftover(pid: Option<u32>, me: &str, meta: &std::fs::Metadata) -> bool {
    match pid {
        Some(pid) if pid == std::process::id() => false,
        Some(pid) => command_name(&pid.to_string()).is_none_or(|n| n != me && n != "fbvault"),
        None => meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 24 * 3600),
    }
}

/// The command name of process `pid` (`self` for this one), from `/proc/PID/stat`, which
/// stays readable when the process is not dumpable.
fn command_name(pid: &str) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.split_once(" (")?;
    let (name, _) = rest.rsplit_once(") ")?;
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_editors_are_execed_and_shell_constructs_are_not() {
        assert_eq!(shell_line("vim -u NONE"), "exec vim -u NONE \"$1\"");
        assert_eq!(
            shell_line("/usr/bin/code --wait"),
            "exec /usr/bin/code --wait \"$1\""
        );
        assert_eq!(shell_line("FOO=1 vim"), "FOO=1 vim \"$1\"");
        assert_eq!(shell_line("vim; true"), "vim; true \"$1\"");
    }

    #[test]
    fn folder_names_carry_their_owner() {
        assert_eq!(owner_pid("1234-aBc123"), Some(1234));
        assert_eq!(owner_pid("QshoyW"), None);
    }
}
