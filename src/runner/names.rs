//! Which names a variable may be renamed to (`env` in a profile, `[env]` in `fbvault.toml`).
//!
//! A name must be an identifier, and must not be one that something other than the program
//! reads while it starts: a secret there would be loaded as code, run as a command, or
//! printed in an error message ("object 'EAAB…' from LD_PRELOAD cannot be preloaded").
//! The refused names, by who reads them:
//!
//! - the dynamic loader and libc: `LD_*`, `DYLD_*`, `MALLOC_*`, and glibc's own list of
//!   variables it drops for setuid programs (`GCONV_PATH`, `GLIBC_TUNABLES`, `LOCPATH`, …);
//! - shells: `PATH`, `IFS`, `ENV`, `BASH_ENV`, `SHELLOPTS`, `BASHOPTS`, `PS1`–`PS4`,
//!   `PROMPT_COMMAND`, `CDPATH`, `ZDOTDIR`, `BASH_XTRACEFD`, `BASH_FUNC_*`;
//! - interpreters and runtimes, by their whole namespace: `PYTHON*`, `NODE_*`, `PERL*`,
//!   `RUBY*`, `LUA_*`, `JAVA_TOOL_OPTIONS`, `_JAVA_OPTIONS`, `JDK_JAVA_OPTIONS`,
//!   `CLASSPATH`, `PHPRC`, `PHP_INI_SCAN_DIR`;
//! - programs that run a command named by a variable: `GIT_*`, `EDITOR`, `VISUAL`,
//!   `PAGER`, `LESSOPEN`, `LESSCLOSE`, `BROWSER`, `SSH_ASKPASS`, `SUDO_ASKPASS`;
//! - fbvault itself: `FBVAULT_*`.

/// Exact names refused, with who reads them.
const NAMES: &[(&str, &str)] = &[
    ("PATH", "shells"),
    ("IFS", "shells"),
    ("ENV", "shells"),
    ("BASH_ENV", "shells"),
    ("SHELLOPTS", "shells"),
    ("BASHOPTS", "shells"),
    ("PS1", "shells"),
    ("PS2", "shells"),
    ("PS3", "shells"),
    ("PS4", "shells"),
    ("PROMPT_COMMAND", "shells"),
    ("CDPATH", "shells"),
    ("ZDOTDIR", "shells"),
    ("BASH_XTRACEFD", "shells"),
    // glibc's UNSECURE_ENVVARS (sysdeps/generic/unsecvars.h), beyond LD_* and MALLOC_*.
    ("GCONV_PATH", "the C library"),
    ("GETCONF_DIR", "the C library"),
    ("GLIBC_TUNABLES", "the C library"),
    ("HOSTALIASES", "the C library"),
    ("LOCALDOMAIN", "the C library"),
    ("LOCPATH", "the C library"),
    ("NIS_PATH", "the C library"),
    ("NLSPATH", "the C library"),
    ("RESOLV_HOST_CONF", "the C library"),
    ("RES_OPTIONS", "the C library"),
    ("TMPDIR", "the C library"),
    ("TZDIR", "the C library"),
    ("JAVA_TOOL_OPTIONS", "the Java runtime"),
    ("_JAVA_OPTIONS", "the Java runtime"),
    ("JDK_JAVA_OPTIONS", "the Java runtime"),
    ("CLASSPATH", "the Java runtime"),
    ("PHPRC", "PHP"),
    ("PHP_INI_SCAN_DIR", "PHP"),
    ("EDITOR", "programs that start an editor"),
    ("VISUAL", "programs that start an editor"),
    ("PAGER", "programs that start a pager"),
    ("LESSOPEN", "less"),
    ("LESSCLOSE", "less"),
    ("BROWSER", "programs that start a browser"),
    ("SSH_ASKPASS", "ssh"),
    ("SUDO_ASKPASS", "sudo"),
];

/// Prefixes refused, with who reads them.
const PREFIXES: &[(&str, &str)] = &[
    ("LD_", "the dynamic loader"),
    ("DYLD_", "the dynamic loader"),
    ("MALLOC_", "the C library"),
    ("BASH_FUNC_", "bash"),
    ("PYTHON", "Python"),
    ("NODE_", "Node.js"),
    ("PERL", "Perl"),
    ("RUBY", "Ruby"),
    ("LUA_", "Lua"),
    ("GIT_", "git"),
    ("FBVAULT_", "fbvault"),
];

/// Whether `name` is an identifier: letters, digits and `_`, not starting with a digit.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Who else reads `name` at start-up, when it is a refused name.
pub fn reserved_by(name: &str) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| PREFIXES.iter().find(|(p, _)| name.starts_with(p)))
        .map(|(_, who)| *who)
}

/// Why a child may not get a variable named so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfit {
    /// Not an identifier.
    NotIdentifier,
    /// Read at start-up by this program (a loader, shell or interpreter).
    ReadBy(&'static str),
}

/// Whether a child may get a variable named `name`; `Some` says why not. The one rule for
/// renames (`apply_renames`, `check_renames`) and for the names plugins give their tokens.
pub fn unfit(name: &str) -> Option<Unfit> {
    if !is_identifier(name) {
        return Some(Unfit::NotIdentifier);
    }
    reserved_by(name).map(Unfit::ReadBy)
}

impl std::fmt::Display for Unfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unfit::NotIdentifier => f.write_str("not a valid environment variable name"),
            Unfit::ReadBy(who) => write!(
                f,
                "a variable {who} reads, which could load, run or print the value"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_is_refused_and_ordinary_names_are_not() {
        for (name, who) in [
            ("LD_PRELOAD", "the dynamic loader"),
            ("DYLD_INSERT_LIBRARIES", "the dynamic loader"),
            ("PATH", "shells"),
            ("BASH_ENV", "shells"),
            ("PYTHONWARNINGS", "Python"),
            ("NODE_OPTIONS", "Node.js"),
            ("PERL5OPT", "Perl"),
            ("RUBYOPT", "Ruby"),
            ("GCONV_PATH", "the C library"),
            ("GIT_SSH_COMMAND", "git"),
        ] {
            assert_eq!(reserved_by(name), Some(who), "{name}");
        }
        for name in [
            "FB_ACCESS_TOKEN",
            "META_TOKEN",
            "APP_ID",
            "PATHWAY",
            "ENVIRONMENT",
        ] {
            assert_eq!(reserved_by(name), None, "{name}");
        }
    }
}
