//! Where things are: the vault folder, the identity file, the plugin folder. Flags beat
//! environment variables (clap reads both), which beat `fbvault.toml`, which beats the
//! platform defaults from `directories`.

use std::path::PathBuf;

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
