//! Dynamic shell completion (clap_complete's engine): subcommands, flags, paths, commands
//! after `--`, and profile names read from the vault's file names — no identity, no
//! decryption, no prompt. `fbvault completions SHELL` prints the script that wires a shell
//! to it; the shell then calls `fbvault` with `COMPLETE=SHELL` set.

use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

/// The completer for profile names.
pub fn profiles() -> ArgValueCompleter {
    ArgValueCompleter::new(profile_names)
}

fn profile_names(current: &std::ffi::OsStr) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else {
        return Vec::new();
    };
    let Some(dir) = vault_dir() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir.join("profiles")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let file = e.file_name().into_string().ok()?;
            let name = file.strip_suffix(".age")?;
            name.parse::<crate::vault::ProfileName>().ok()?;
            Some(name.to_string())
        })
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// The completer of `run`'s NAME: profile names, else (the engine does not know that a
/// word after `--` belongs to the command) the command's words.
pub fn profiles_or_commands() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &std::ffi::OsStr| {
        let profiles = profile_names(current);
        if profiles.is_empty() {
            command_words(current)
        } else {
            profiles
        }
    })
}

/// The completer for the command after `--`: programs on `PATH`, then files.
pub fn commands() -> ArgValueCompleter {
    ArgValueCompleter::new(command_words)
}

fn command_words(current: &std::ffi::OsStr) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else {
        return Vec::new();
    };
    let mut found = std::collections::BTreeSet::new();
    if !prefix.contains('/') {
        let path = crate::config::env_non_empty("PATH").unwrap_or_default();
        for dir in std::env::split_paths(&path) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.filter_map(|e| e.ok()) {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(prefix) && is_executable(&entry.path()) {
                    found.insert(name);
                }
            }
        }
    }
    let (dir, stem) = match prefix.rfind('/') {
        Some(i) => (&prefix[..=i], &prefix[i + 1..]),
        None => ("", prefix),
    };
    let base = if dir.is_empty() { "." } else { dir };
    if let Ok(entries) = std::fs::read_dir(base) {
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(stem) && !name.starts_with('.') {
                let slash = if entry.path().is_dir() { "/" } else { "" };
                found.insert(format!("{dir}{name}{slash}"));
            }
        }
    }
    found.into_iter().map(CompletionCandidate::new).collect()
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Whether the vault (as found from the environment) has a profile called `name`.
pub fn profile_exists(name: &str) -> bool {
    name.parse::<crate::vault::ProfileName>().is_ok()
        && vault_dir().is_some_and(|d| d.join("profiles").join(format!("{name}.age")).is_file())
}

/// The vault folder as the command would find it (flags are not parsed yet: the
/// environment and `fbvault.toml`); `None` when it cannot be told.
fn vault_dir() -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let project = crate::config::project::Project::find(None, &cwd)
        .ok()
        .flatten();
    crate::config::resolve(crate::config::Flags::default(), project.as_ref())
        .ok()
        .map(|p| p.vault)
}
