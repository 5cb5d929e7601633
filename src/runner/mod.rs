//! Running a program with the tokens: the final variable list (the provider's variables
//! under their standard names, renamed by the profile and then by `fbvault.toml`), the
//! child's environment (inherited, plus the variables, minus fbvault's own pointers to key
//! material), and the two ways to run it: `exec` (the default on Unix: the program replaces
//! fbvault) and [`mask`] (fbvault stays as the parent and censors the output).

pub mod mask;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

use fbvault_provider::{EnvVar, Secret};

use crate::vault::EnvRename;

/// Variables never passed to the child: they point at key material.
pub const SCRUBBED: &[&str] = &["FBVAULT_IDENTITY", "FBVAULT_KEY"];

/// A variable ready for the child.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    /// Its final name.
    pub name: String,
    /// Its value.
    pub value: Secret,
    /// Whether to mask it.
    pub secret: bool,
}

/// A rename that produces an unusable variable name.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{0}` is not a valid environment variable name (use letters, digits and _, not starting with a digit)"
)]
pub struct BadName(pub String);

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Applies renames: `project` (from `fbvault.toml`) wins over `profile` for the same
/// standard name.
pub fn apply_renames(
    vars: Vec<EnvVar>,
    profile: &BTreeMap<String, EnvRename>,
    project: &BTreeMap<String, EnvRename>,
) -> Result<Vec<Var>, BadName> {
    let mut out: Vec<Var> = Vec::new();
    for v in vars {
        let names: Vec<String> = match project.get(&v.name).or_else(|| profile.get(&v.name)) {
            Some(rename) => rename.names().into_iter().map(str::to_string).collect(),
            None => vec![v.name.clone()],
        };
        for name in names {
            if !valid_name(&name) {
                return Err(BadName(name));
            }
            out.retain(|o| o.name != name);
            out.push(Var {
                name,
                value: v.value.clone(),
                secret: v.secret,
            });
        }
    }
    Ok(out)
}

/// Rename keys that name none of `injected` nor any variable a built-in provider can
/// inject: most likely typos (`FB_ACESS_TOKEN`).
pub fn unknown_renames<'a>(
    renames: impl IntoIterator<Item = &'a String>,
    injected: &[EnvVar],
) -> Vec<String> {
    renames
        .into_iter()
        .filter(|k| {
            !injected.iter().any(|v| &v.name == *k)
                && !fbvault_facebook::VARIABLES.contains(&k.as_str())
        })
        .cloned()
        .collect()
}

/// The command to run, with the variables set and fbvault's key pointers removed.
pub fn command(argv: &[OsString], vars: &[Var]) -> Command {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    for name in SCRUBBED {
        cmd.env_remove(name);
    }
    for v in vars {
        cmd.env(&v.name, v.value.expose());
    }
    cmd
}

/// Why a command could not start: exit 127 (not found) or 126 (not executable).
#[derive(Debug)]
pub struct StartError {
    /// 126 or 127.
    pub code: u8,
    /// One line.
    pub message: String,
}

/// Maps a spawn/exec error.
pub fn start_error(program: &OsString, err: &io::Error) -> StartError {
    let shown = program.to_string_lossy();
    match err.kind() {
        // ENOENT for a file that exists: its `#!` interpreter is missing.
        io::ErrorKind::NotFound if std::path::Path::new(program).is_file() => StartError {
            code: 127,
            message: format!(
                "cannot run {shown}: the interpreter named on its #! line was not found"
            ),
        },
        io::ErrorKind::NotFound => StartError {
            code: 127,
            message: format!("command not found: {shown}"),
        },
        io::ErrorKind::PermissionDenied => StartError {
            code: 126,
            message: format!("{shown} is not executable (permission denied)"),
        },
        _ => StartError {
            code: 126,
            message: format!("cannot run {shown}: {err}"),
        },
    }
}

/// Replaces this process with the command. Returns only when it could not start.
pub fn exec(argv: &[OsString], vars: &[Var]) -> StartError {
    let err = command(argv, vars).exec();
    start_error(&argv[0], &err)
}

/// Quotes a value for a POSIX shell (`'…'`, with `'` written as `'\''`).
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

/// Quotes a value for a `.env` file: bare when safe, else double-quoted with escapes.
pub fn dotenv_quote(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/|+=@%,".contains(c));
    if safe {
        return value.to_string();
    }
    let mut s = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '$' => s.push_str("\\$"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, value: &str) -> EnvVar {
        EnvVar::secret(name, Secret::new(value))
    }

    #[test]
    fn project_renames_win_over_profile_renames() {
        let profile = BTreeMap::from([("FB_ACCESS_TOKEN".to_string(), EnvRename::One("A".into()))]);
        let project = BTreeMap::from([(
            "FB_ACCESS_TOKEN".to_string(),
            EnvRename::Many(vec!["FB_ACCESS_TOKEN".into(), "B".into()]),
        )]);
        let out = apply_renames(
            vec![var("FB_ACCESS_TOKEN", "t"), var("FB_APP_ID", "1")],
            &profile,
            &project,
        )
        .unwrap();
        let names: Vec<&str> = out.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["FB_ACCESS_TOKEN", "B", "FB_APP_ID"]);
        let only_profile = apply_renames(
            vec![var("FB_ACCESS_TOKEN", "t")],
            &profile,
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(only_profile[0].name, "A");
    }

    #[test]
    fn bad_names_are_refused() {
        let project = BTreeMap::from([("FB_APP_ID".to_string(), EnvRename::One("1X".into()))]);
        assert!(apply_renames(vec![var("FB_APP_ID", "1")], &BTreeMap::new(), &project).is_err());
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("it's"), r#"'it'\''s'"#);
        assert_eq!(dotenv_quote("EAAB123"), "EAAB123");
        assert_eq!(dotenv_quote("a b\"$"), r#""a b\"\$""#);
    }
}
