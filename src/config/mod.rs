//! Where things are and how fbvault may behave: the vault folder, the identity, the plugin
//! folder, the pin store, read-only mode and the team fingerprint. Flags beat environment
//! variables, which beat `fbvault.toml`, which beats the platform defaults from
//! `directories`.
//!
//! The identity is, in this order: `--identity FILE`, `FBVAULT_KEY` (the key's text, for
//! CI), `FBVAULT_IDENTITY` (a file), then the first that exists of
//! `<config dir>/identity.txt`, `~/.ssh/id_ed25519` and `~/.ssh/id_rsa` (used, never
//! written). A path that holds key text instead of a path is refused without echoing it.
//!
//! Every read of the environment in this crate goes through the helpers here
//! ([`env_text`], [`env_trimmed`], [`env_non_empty`], [`env_flag`], [`env_secret`],
//! [`seconds_from_env`], [`key_text`]), so what counts as unset (empty, blank, not UTF-8) is
//! decided once.

pub mod project;

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::vault::{Fingerprint, VaultError, looks_like_key};
use project::Project;

/// Where the identity comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityChoice {
    /// A file (which may not exist yet).
    File(PathBuf),
    /// The key's text in `FBVAULT_KEY`.
    KeyVar,
}

/// Resolved locations and modes.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The vault folder.
    pub vault: PathBuf,
    /// The identity to use.
    pub identity: IdentityChoice,
    /// Where a new identity is created (`identity new`, `init`): the file named by
    /// `--identity`/`FBVAULT_IDENTITY`, else `<config dir>/identity.txt`.
    pub new_identity: PathBuf,
    /// Where external provider plugins may live (`<config dir>/plugins`).
    pub plugins: Option<PathBuf>,
    /// This machine's team-key pins (`FBVAULT_PINS`, else `<data dir>/pins.json`).
    pub pins: Option<PathBuf>,
    /// `--read-only` or `FBVAULT_READ_ONLY=1`.
    pub read_only: bool,
    /// `FBVAULT_TEAM_FINGERPRINT`.
    pub fingerprint: Option<Fingerprint>,
    /// Where this machine keeps its notes about vaults (`<data dir>/state`).
    pub state: Option<PathBuf>,
}

/// A duration in seconds from the environment variable `var` (fractions allowed), when it
/// is set to a number in (0, `max_secs`]; otherwise `default`.
pub fn seconds_from_env(var: &str, default: Duration, max_secs: f64) -> Duration {
    std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0 && *s <= max_secs)
        .map_or(default, Duration::from_secs_f64)
}

/// A variable's value, with the empty string counting as unset.
pub fn env_non_empty(var: &str) -> Option<OsString> {
    std::env::var_os(var).filter(|v| !v.is_empty())
}

/// A variable's text, with the empty string (and a value that is not UTF-8) counting as
/// unset: `FBVAULT_PROFILE`, `FBVAULT_GRAPH_URL`, `FBVAULT_DIALOG_URL` and the other
/// `FBVAULT_*_URL` variables.
pub fn env_text(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.is_empty())
}

/// The identity's text from `FBVAULT_KEY` (the one place it is read), when it is set and
/// valid text.
pub fn key_text() -> Option<zeroize::Zeroizing<String>> {
    std::env::var("FBVAULT_KEY")
        .ok()
        .filter(|v| !v.is_empty())
        .map(zeroize::Zeroizing::new)
}

/// A secret a user hands over in the environment (`APP_SECRET`, `SHORT_TOKEN` with
/// `--from-env`), trimmed; blank counts as unset.
pub fn env_secret(var: &str) -> Option<fbvault_provider::Secret> {
    env_trimmed(var).map(fbvault_provider::Secret::new)
}

/// A variable's text without surrounding blanks (`APP_ID`, `VISUAL`, `BROWSER`); blank
/// counts as unset.
pub fn env_trimmed(var: &str) -> Option<String> {
    env_text(var)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Whether a boolean variable is on (`1`, `true`, `yes`).
pub fn env_flag(var: &str) -> bool {
    env_non_empty(var).is_some_and(|v| {
        matches!(
            v.to_string_lossy().trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

/// Why the settings cannot be resolved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// No home folder to derive a default from.
    #[error("cannot find a home folder for the default {0} location")]
    NoHome(&'static str),
    /// A bad identity or fingerprint setting.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// The flags that settle locations (already parsed by clap).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    /// `--vault`.
    pub vault: Option<PathBuf>,
    /// `--identity`.
    pub identity: Option<PathBuf>,
    /// `--read-only`.
    pub read_only: bool,
}

fn path_setting(
    flag: Option<PathBuf>,
    var: &'static str,
    what: &'static str,
) -> Result<Option<PathBuf>, VaultError> {
    let (value, name) = match flag.filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => (Some(p), what),
        None => (env_non_empty(var).map(PathBuf::from), var),
    };
    match value {
        Some(p) if looks_like_key(&p.to_string_lossy()) || p.to_string_lossy().contains('\n') => {
            Err(VaultError::KeyInPath { var: name })
        }
        other => Ok(other),
    }
}

/// Resolves the locations from flags, the environment, the project file, and the defaults.
pub fn resolve(flags: Flags, project: Option<&Project>) -> Result<Paths, SettingsError> {
    let dirs = directories::ProjectDirs::from("", "", "fbvault");
    let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    let vault = match path_setting(flags.vault, "FBVAULT_DIR", "--vault")?
        .or_else(|| project.and_then(|p| p.vault.clone()))
    {
        Some(v) => v,
        None => dirs
            .as_ref()
            .ok_or(SettingsError::NoHome("vault"))?
            .data_dir()
            .join("vault"),
    };
    let flag_identity = path_setting(flags.identity, "", "--identity")?;
    let env_identity = path_setting(None, "FBVAULT_IDENTITY", "FBVAULT_IDENTITY")?;
    let default_identity = dirs.as_ref().map(|d| d.config_dir().join("identity.txt"));
    let explicit = flag_identity.clone().or(env_identity.clone());
    let new_identity = match explicit.clone().or(default_identity.clone()) {
        Some(p) => p,
        None => return Err(SettingsError::NoHome("identity")),
    };
    let identity = if let Some(file) = flag_identity {
        IdentityChoice::File(file)
    } else if env_non_empty("FBVAULT_KEY").is_some() {
        IdentityChoice::KeyVar
    } else if let Some(file) = env_identity {
        IdentityChoice::File(file)
    } else {
        let ssh = home.iter().flat_map(|h| {
            [
                h.join(".ssh").join("id_ed25519"),
                h.join(".ssh").join("id_rsa"),
            ]
        });
        let found = default_identity
            .iter()
            .cloned()
            .chain(ssh)
            .find(|p| p.is_file());
        IdentityChoice::File(found.unwrap_or_else(|| new_identity.clone()))
    };
    let pins = env_non_empty("FBVAULT_PINS")
        .map(PathBuf::from)
        .or_else(|| dirs.as_ref().map(|d| d.data_dir().join("pins.json")));
    let fingerprint = match env_non_empty("FBVAULT_TEAM_FINGERPRINT") {
        Some(v) => Some(v.to_string_lossy().parse::<Fingerprint>()?),
        None => None,
    };
    Ok(Paths {
        vault,
        identity,
        new_identity,
        plugins: dirs.as_ref().map(|d| d.config_dir().join("plugins")),
        pins,
        read_only: flags.read_only || env_flag("FBVAULT_READ_ONLY"),
        fingerprint,
        state: dirs.as_ref().map(|d| d.data_dir().join("state")),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every `.rs` file below `dir`.
    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The module doc's promise: no other file of the crate reads the environment itself.
    #[test]
    fn every_environment_read_of_the_crate_is_here() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        assert!(files.len() > 20, "the sources were found");
        let this = src.join("config/mod.rs");
        let readers: Vec<_> = files
            .iter()
            .filter(|f| **f != this)
            .filter(|f| {
                let text = std::fs::read_to_string(f).unwrap();
                text.contains("env::var(") || text.contains("env::var_os(")
            })
            .collect();
        assert!(
            readers.is_empty(),
            "read the environment through config: {readers:?}"
        );
    }
}
