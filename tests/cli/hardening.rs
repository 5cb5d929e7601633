//! Failing closed against text, files and processes from outside (SPEC §13): control
//! characters escaped, core dumps off, a killed `edit` cleaned up, unwritable output an
//! error, and the identity's permissions checked.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fbvault_graph_sandbox::DEMO_PAGES;

use crate::common::{Env, executable};

/// A page name that clears the screen, sets the title, and forges a hint line.
const EVIL: &str = "Evil\x1b[2J\x1b]0;pwned\x07\r\nfbvault: hint: ok\u{202e}\u{9b}31m";

fn no_raw_controls(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
        "{what} holds a raw control character: {text:?}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("fbvault: hint: ok")),
        "{what} has a forged line: {text:?}"
    );
}

#[test]
fn a_planted_page_name_is_shown_escaped_everywhere() {
    let env = Env::with_graph_and_vault();
    env.graph()
        .world()
        .pages
        .get_mut(DEMO_PAGES[0])
        .unwrap()
        .name = EVIL.to_string();
    env.add("acme");
    for args in [
        &["pages", "acme"][..],
        &["status"],
        &["show", "acme"],
        &["list"],
        &["pages", "acme", "--json"],
        &["status", "--json"],
    ] {
        let o = env.ok(args);
        no_raw_controls(&format!("{args:?} stdout"), &o.stdout);
        no_raw_controls(&format!("{args:?} stderr"), &o.stderr);
    }
    let shown = env.ok(&["pages", "acme"]).stdout;
    assert!(
        shown.contains(
            "Evil\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\r\\nfbvault: hint: ok\\u{202e}\\u{9b}31m"
        ),
        "escaped, not dropped: {shown}"
    );
    let json = env.ok(&["pages", "acme", "--json"]).json();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    // The Facebook provider stores page names escaped already; either way the name is
    // kept, not dropped.
    assert!(
        names.iter().any(|n| n.starts_with("Evil")),
        "JSON keeps the name: {names:?}"
    );
}

#[test]
fn a_plugin_message_with_escapes_is_shown_escaped() {
    let env = Env::with_vault();
    let dir = env.home().join(".config/fbvault/plugins");
    std::fs::create_dir_all(&dir).unwrap();
    let plugin = dir.join("fbvault-provider-evil");
    executable(
        &plugin,
        "#!/bin/sh\ncat > /dev/null\nprintf '%s' '{\"protocol\":1,\"ok\":false,\"error\":{\"kind\":\"bad_request\",\"message\":\"no\\u001b[2K\\r\\nfbvault: hint: ok\\u202e\"}}'\n",
    );
    let o = env.run_stdin(
        &["add", "x", "--provider", "evil", "--token-stdin"],
        "grant-1234\n",
    );
    o.fails(1)
        .stderr_has("no\\u{1b}[2K\\r\\nfbvault: hint: ok\\u{202e}");
    no_raw_controls("stderr", &o.stderr);
}

/// A field of `/proc/PID/FILE` (`Max core file size`, `Uid`, …), waiting for the process
/// to have become fbvault's running command.
fn proc_field(pid: u32, file: &str, field: &str) -> String {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/{file}: {e}"));
    text.lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/{file}"))
        .to_string()
}

/// Gives the test's whole world to `uid` (the vault, HOME, the scratch files).
fn chown_tree(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid)).unwrap();
    if path.is_dir() && !path.is_symlink() {
        for e in std::fs::read_dir(path).unwrap().flatten() {
            chown_tree(&e.path(), uid);
        }
    }
}

#[test]
fn core_dumps_are_off_while_run_mask_holds_the_secrets() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let env = Env::with_profile();
    let ready = env.dir.path().join("ready");
    let mut cmd = env.std_cmd();
    cmd.args(["run", "--mask", "--", "sh", "-c"])
        .arg(format!("touch {}; sleep 5", ready.display()))
        .stdout(std::process::Stdio::null());
    // Not dumpable shows as /proc/PID/* belonging to root instead of the process's user,
    // so the process must not be root's: as root, run it as another user.
    let uid = match rustix::process::getuid().as_raw() {
        0 => {
            chown_tree(env.dir.path(), 4242);
            cmd.uid(4242).gid(4242);
            4242
        }
        uid => uid,
    };
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    while !ready.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the command never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id();
    let limit = proc_field(pid, "limits", "Max core file size");
    let soft = limit.split_whitespace().nth(4).unwrap();
    assert_eq!(soft, "0", "{limit}");
    let real_uid = proc_field(pid, "status", "Uid:");
    assert_eq!(
        real_uid.split_whitespace().nth(1),
        Some(uid.to_string().as_str()),
        "{real_uid}"
    );
    let owner = std::fs::metadata(format!("/proc/{pid}/mem")).unwrap().uid();
    assert_eq!(
        owner, 0,
        "/proc/{pid}/mem belongs to root: fbvault is not dumpable"
    );
    crate::common::send_signal(pid, "TERM");
    let _ = child.wait();
}

#[test]
fn a_group_or_world_readable_identity_is_warned_about() {
    let env = Env::with_vault();
    let quiet = env.ok(&["list"]);
    quiet.stderr_lacks("warning");
    for mode in [0o644, 0o640, 0o604] {
        std::fs::set_permissions(env.identity(), std::fs::Permissions::from_mode(mode)).unwrap();
        let o = env.ok(&["list"]);
        let warnings: Vec<&str> = o.stderr.lines().filter(|l| l.contains("warning")).collect();
        assert_eq!(warnings.len(), 1, "{mode:o}: {}", o.stderr);
        assert!(
            warnings[0].contains("can be read by other users")
                && warnings[0].contains(&format!("{mode:04o}"))
                && warnings[0].contains("chmod 600"),
            "{}",
            warnings[0]
        );
    }
}

#[test]
fn unwritable_output_is_an_error_with_mask_help_and_version_too() {
    let env = Env::with_profile();
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [
        &["run", "--mask", "--", "echo", "hello"][..],
        &["--help"],
        &["--version"],
    ] {
        let mut cmd = env.std_cmd();
        cmd.args(args).stdout(full());
        let o = cmd.output().unwrap();
        let o = crate::common::Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        };
        o.fails(1).stderr_has("cannot write");
    }
}

/// A vault with an offline profile `acme`, and a private `XDG_RUNTIME_DIR` for `edit`.
fn offline_with_runtime() -> (Env, PathBuf) {
    let mut env = Env::with_vault();
    env.add_credentials("acme");
    let runtime = env.dir.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    env.set("XDG_RUNTIME_DIR", runtime.to_str().unwrap());
    (env, runtime)
}

/// Starts `edit acme` with an editor that logs its pid and file, then sleeps; returns the
/// fbvault process with the plaintext file, and the editor's pid.
fn start_sleeping_edit(env: &Env) -> ((std::process::Child, PathBuf), String) {
    let (editor, log) = env.logging_editor(|log| {
        format!("echo \"$$ $1\" > {log}.tmp; mv {log}.tmp {log}\nexec sleep 30\n")
    });
    let child = env
        .std_cmd()
        .env("EDITOR", &editor)
        .args(["edit", "acme"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !log.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the editor never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let logged = std::fs::read_to_string(&log).unwrap();
    let (pid, file) = logged.trim().split_once(' ').unwrap();
    ((child, PathBuf::from(file)), pid.to_string())
}

#[test]
fn a_killed_edit_takes_its_editor_along_and_the_next_command_removes_the_plaintext() {
    let (env, runtime) = offline_with_runtime();
    let ((mut child, file), editor_pid) = start_sleeping_edit(&env);
    let folder = file.parent().unwrap().to_path_buf();
    assert!(folder.starts_with(&runtime) && file.exists());
    crate::common::send_signal(child.id(), "KILL");
    let _ = child.wait();
    assert!(
        gone(&PathBuf::from(format!("/proc/{editor_pid}"))),
        "the editor died with fbvault"
    );
    assert!(folder.exists(), "SIGKILL leaves the folder behind");
    env.ok(&["list"]);
    assert!(!folder.exists(), "the next command removed the plaintext");
}

/// Whether a path disappears within a few seconds (a killed process is reaped quickly).
fn gone(path: &Path) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        // A zombie still has /proc/PID; its state is Z.
        let zombie = std::fs::read_to_string(path.join("stat"))
            .is_ok_and(|s| s.rsplit_once(") ").is_some_and(|(_, r)| r.starts_with('Z')));
        if !path.exists() || zombie {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn only_the_folders_of_dead_edits_are_cleaned_up() {
    let (env, runtime) = offline_with_runtime();
    let (live, _editor) = start_sleeping_edit(&env);
    // A folder named for this test process: alive, but not fbvault (a pid reused since).
    let reused = runtime.join(format!("fbvault-edit-{}-abcdef", std::process::id()));
    std::fs::create_dir(&reused).unwrap();
    let other = runtime.join("unrelated-folder");
    std::fs::create_dir(&other).unwrap();
    env.ok(&["list"]);
    assert!(
        !reused.exists(),
        "a folder whose pid is no fbvault is a leftover"
    );
    assert!(other.exists(), "other folders are left alone");
    assert!(live.1.exists(), "a running edit keeps its file");
    let mut live_child = live.0;
    crate::common::send_signal(live_child.id(), "TERM");
    let _ = live_child.wait();
}

#[test]
fn edit_without_an_editor_or_a_terminal_refuses_instead_of_starting_vi() {
    let env = Env::with_vault();
    env.add_credentials("acme");
    // Before the fix this started vi with no terminal, which waits for ever.
    let o = crate::common::out(
        env.cmd()
            .args(["edit", "acme"])
            .timeout(Duration::from_secs(20))
            .assert(),
    );
    o.fails(1).stderr_has("no editor").stderr_has("EDITOR");
}
