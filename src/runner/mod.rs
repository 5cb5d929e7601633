//! Running a program with the tokens: the final variable list (the provider's variables
//! under their standard names, renamed by the profile and then by `fbvault.toml`), the
//! child's environment (inherited, plus the variables, minus fbvault's own pointers to key
//! material), and the two ways to run it: `exec` (the default on Unix: the program replaces
//! fbvault) and [`mask`] (fbvault stays as the parent and censors the output).

pub mod mask;
pub mod names;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

use fbvault_provider::{EnvVar, Secret};

use crate::vault::EnvRename;

/// Variables never passed to the child: they point at, or hold, the key that opens every
/// profile (the child gets only the one profile's variables).
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

/// A rename to a name the child cannot or must not get.
#[derive(Debug, thiserror::Error)]
pub enum BadName {
    /// Not an identifier.
    #[error(
        "{from}: `{name}` is not a valid environment variable name (use letters, digits and _, not starting with a digit)"
    )]
    Invalid {
        /// Where the rename is written.
        from: &'static str,
        /// The target name.
        name: String,
    },
    /// A name that something else reads at start-up (see [`names`]).
    #[error(
        "{from}: refusing to rename `{standard}` to `{name}`: {who} reads that variable and could load, run or print the value; choose another name"
    )]
    Reserved {
        /// Where the rename is written.
        from: &'static str,
        /// The standard name renamed.
        standard: String,
        /// The target name.
        name: String,
        /// Who reads it.
        who: &'static str,
    },
}

/// Applies renames: `project` (from `fbvault.toml`) wins over `profile` for the same
/// standard name. A target that is not an identifier, or that a loader, shell or
/// interpreter reads ([`names::reserved_by`]), is refused.
pub fn apply_renames(
    vars: Vec<EnvVar>,
    profile: &BTreeMap<String, EnvRename>,
    project: &BTreeMap<String, EnvRename>,
) -> Result<Vec<Var>, BadName> {
    let mut out: Vec<Var> = Vec::new();
    for v in vars {
        let (names, from) = match (project.get(&v.name), profile.get(&v.name)) {
            (Some(rename), _) => (strings(rename), "fbvault.toml [env]"),
            (None, Some(rename)) => (strings(rename), "the profile's env"),
            (None, None) => (vec![v.name.clone()], "the provider's variables"),
        };
        for name in names {
            check_target(&v.name, &name, from)?;
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

/// Checks every rename target of `profile` and `project` without the variables: `run`
/// calls it before anything can be refreshed or written, and `edit` before saving.
pub fn check_renames(
    profile: &BTreeMap<String, EnvRename>,
    project: &BTreeMap<String, EnvRename>,
) -> Result<(), BadName> {
    let sources = [
        (project, "fbvault.toml [env]"),
        (profile, "the profile's env"),
    ];
    for (renames, from) in sources {
        for (standard, rename) in renames {
            for name in rename.names() {
                check_target(standard, name, from)?;
            }
        }
    }
    Ok(())
}

fn strings(rename: &EnvRename) -> Vec<String> {
    rename.names().into_iter().map(str::to_string).collect()
}

fn check_target(standard: &str, name: &str, from: &'static str) -> Result<(), BadName> {
    match names::unfit(name) {
        None => Ok(()),
        Some(names::Unfit::NotIdentifier) => Err(BadName::Invalid {
            from,
            name: name.to_string(),
        }),
        Some(names::Unfit::ReadBy(who)) => Err(BadName::Reserved {
            from,
            standard: standard.to_string(),
            name: name.to_string(),
            who,
        }),
    }
}

/// Rename keys that name none of `injected` nor any variable the profile's provider
/// declares (`known`, asked only when some key is not injected): most likely typos
/// (`FB_ACESS_TOKEN`).
pub fn unknown_renames<'a>(
    renames: impl IntoIterator<Item = &'a String>,
    injected: &[EnvVar],
    known: impl FnOnce() -> Vec<String>,
) -> Vec<String> {
    let mut left: Vec<String> = renames
        .into_iter()
        .filter(|k| !injected.iter().any(|v| &v.name == *k))
        .cloned()
        .collect();
    if !left.is_empty() {
        let known = known();
        left.retain(|k| !known.contains(k));
    }
    left
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
///
/// The command gets back the core-file limit fbvault started with: from the exec on, it is
/// the command's own process (fbvault stays non-dumpable until the exec replaces it).
pub fn exec(argv: &[OsString], vars: &[Var]) -> StartError {
    crate::hardening::restore_core_limit();
    let err = command(argv, vars).exec();
    crate::hardening::no_core_dumps();
    start_error(&argv[0], &err)
}

/// Quotes a value for a POSIX shell (`'…'`, with `'` written as `'\''`).
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

/// Quotes a value for a `.env` file: bare when it holds only characters no shell or
/// dotenv reader treats specially, else single-quoted like [`shell_quote`], so the file
/// is inert when a shell sources it (`set -a; . ./.env`): inside single quotes no `$`,
/// backtick, backslash or newline means anything to `sh`.
pub fn dotenv_quote(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/+=@%,".contains(c));
    if safe {
        value.to_string()
    } else {
        shell_quote(value)
    }
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
        let profile = BTreeMap::from([(
            "FB_ACCESS_TOKEN".to_string(),
            EnvRename::Many(vec!["OK_NAME".into(), "LD_PRELOAD".into()]),
        )]);
        let e = apply_renames(
            vec![var("FB_ACCESS_TOKEN", "t")],
            &profile,
            &BTreeMap::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("the profile's env") && e.contains("LD_PRELOAD"),
            "{e}"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("it's"), r#"'it'\''s'"#);
        assert_eq!(dotenv_quote("EAAB123"), "EAAB123");
        assert_eq!(dotenv_quote("a b\"$`"), r#"'a b"$`'"#);
        assert_eq!(dotenv_quote("it's|x"), r#"'it'\''s|x'"#);
    }
}
