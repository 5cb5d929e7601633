//! The profile-selection rule of every single-profile command, without a command line: an
//! explicit name, else `FBVAULT_PROFILE`, else `profile` in `fbvault.toml`, else the only
//! profile; an unknown name gets the closest existing names. Failures are a typed
//! [`SelectError`]; [`crate::cli`] words them and picks the exit codes.

use std::path::PathBuf;

use crate::config::project::Project;
use crate::vault::{InvalidName, ProfileName, Vault, VaultError};

/// Why no profile could be chosen.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// The vault has no profile at all.
    #[error("the vault has no profiles")]
    NoProfiles,
    /// Nothing chose one of the vault's several profiles.
    #[error("which profile? the vault has several")]
    Several(Vec<ProfileName>),
    /// The chosen profile does not exist.
    #[error("no profile named `{name}`")]
    Unknown {
        /// The name asked for.
        name: ProfileName,
        /// A did-you-mean line naming the closest existing profiles, if any.
        suggestion: Option<String>,
    },
    /// `FBVAULT_PROFILE` holds no valid profile name.
    #[error("FBVAULT_PROFILE: {0}")]
    BadEnvName(InvalidName),
    /// `profile` in `fbvault.toml` is no valid profile name.
    #[error("{}: {err}", path.display())]
    BadProjectName {
        /// The project file.
        path: PathBuf,
        /// What is wrong with the name.
        err: InvalidName,
    },
    /// The vault's profiles could not be listed.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// Picks the profile: `explicit`, then FBVAULT_PROFILE, then fbvault.toml, then the only one.
pub fn choose(
    vault: &Vault,
    project: Option<&Project>,
    explicit: Option<&ProfileName>,
) -> Result<ProfileName, SelectError> {
    if let Some(name) = explicit {
        return Ok(name.clone());
    }
    if let Some(name) = crate::config::env_text("FBVAULT_PROFILE") {
        return name.parse().map_err(SelectError::BadEnvName);
    }
    if let Some(project) = project
        && let Some(name) = &project.profile
    {
        return name.parse().map_err(|err| SelectError::BadProjectName {
            path: project.path.clone(),
            err,
        });
    }
    let mut names = vault.names()?;
    match names.len() {
        1 => Ok(names.remove(0)),
        0 => Err(SelectError::NoProfiles),
        _ => Err(SelectError::Several(names)),
    }
}

/// Refuses a profile that does not exist, naming the closest existing ones.
pub fn require(vault: &Vault, name: &ProfileName) -> Result<(), SelectError> {
    if vault.has_profile(name) {
        return Ok(());
    }
    let names = vault.names().unwrap_or_default();
    let suggestion =
        fbvault_provider::did_you_mean(name.as_str(), names.iter().map(|n| n.as_str()));
    Err(SelectError::Unknown {
        name: name.clone(),
        suggestion,
    })
}

/// [`choose`], then [`require`]: the profile to act on, which must exist.
pub fn chosen(
    vault: &Vault,
    project: Option<&Project>,
    explicit: Option<&ProfileName>,
) -> Result<ProfileName, SelectError> {
    let name = choose(vault, project, explicit)?;
    require(vault, &name)?;
    Ok(name)
}
