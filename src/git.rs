//! The few git operations fbvault needs for a vault kept in a repository: finding the
//! repository, reading a blob (`HEAD:path`, an index stage `:2:path`), listing unmerged
//! paths, and setting config. Each runs the `git` program; nothing here writes to the
//! repository's objects or index.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn git(dir: &Path, args: &[&str]) -> Option<Output> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
}

/// The top folder of the git work tree holding `dir`, if any.
pub fn repository_of(dir: &Path) -> Option<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).filter(|o| o.status.success())?;
    let top = String::from_utf8(out.stdout).ok()?;
    Some(PathBuf::from(top.trim_end_matches('\n')))
}

/// The content of `rev:./path` (a commit, or an index stage like `:2`), with `path`
/// relative to `dir`; `None` when there is no such blob.
pub fn show(dir: &Path, rev: &str, path: &str) -> Option<Vec<u8>> {
    let spec = format!("{rev}:./{path}");
    git(dir, &["show", &spec])
        .filter(|o| o.status.success())
        .map(|o| o.stdout)
}

/// The unmerged paths below `dir` (relative to it), each once.
pub fn unmerged(dir: &Path) -> Vec<String> {
    let Some(out) = git(dir, &["ls-files", "-u", "-z", "--", "."]) else {
        return Vec::new();
    };
    let mut paths: Vec<String> = out
        .stdout
        .split(|b| *b == 0)
        .filter_map(|entry| {
            let text = std::str::from_utf8(entry).ok()?;
            Some(text.split_once('\t')?.1.to_string())
        })
        .collect();
    paths.dedup();
    paths
}

/// Sets `key = value` in the repository's own config.
pub fn set_config(dir: &Path, key: &str, value: &str) -> std::io::Result<()> {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["config", "--local", key, value])
        .stdin(Stdio::null())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("git config {key} failed")))
    }
}
