//! Where things are: the vault folder, the identity file, the plugin folder. Flags beat
//! environment variables (clap reads both), which beat `fbvault.toml`, which beats the
//! platform defaults from `directories`.

use std::path::PathBuf;
use std::time::Duration;

use crate::project::Project;

/// Resolved locations.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The vault folder.
    pub vault: PathBuf,
    /// The identity file.
    pub identity: PathBuf,
    /// Where external provider plugins may live (`<config dir>/plugins`).
    pub plugins: Option<PathBuf>,
    /// This machine's team-key pins (`<data dir>/pins.json`).
    pub pins: Option<PathBuf>,
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

/// No home folder to derive defaults from.
#[derive(Debug, thiserror::Error)]
#[error("cannot find a home folder for the default {0} location")]
pub struct NoHome(pub &'static str);

/// Resolves the locations from flags/environment (already merged by clap), the project
/// file, and the defaults.
pub fn resolve(
    vault_flag: Option<PathBuf>,
    identity_flag: Option<PathBuf>,
    project: Option<&Project>,
) -> Result<Paths, NoHome> {
    let dirs = directories::ProjectDirs::from("", "", "fbvault");
    let vault = match vault_flag.or_else(|| project.and_then(|p| p.vault.clone())) {
        Some(v) => v,
        None => dirs
            .as_ref()
            .ok_or(NoHome("vault"))?
            .data_dir()
            .join("vault"),
    };
    let identity = match identity_flag {
        Some(i) => i,
        None => dirs
            .as_ref()
            .ok_or(NoHome("identity"))?
            .config_dir()
            .join("identity.txt"),
    };
    Ok(Paths {
        vault,
        identity,
        plugins: dirs.as_ref().map(|d| d.config_dir().join("plugins")),
        pins: dirs.map(|d| d.data_dir().join("pins.json")),
    })
}
