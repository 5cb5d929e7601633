//! [`AppError`]: what a use case can fail with, typed, so the command line maps each one to
//! its message, hints and exit code (in `cli/error.rs`) and no use case compares exit codes.

use fbvault_provider::ProviderError;

use super::refresh::Failure;
use super::select::SelectError;
use crate::providers::UnknownProvider;
use crate::runner::BadName;
use crate::vault::{InvalidName, VaultError};

/// A use case's failure.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The vault could not be read or written.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A profile name is not valid.
    #[error(transparent)]
    Name(#[from] InvalidName),
    /// No profile could be chosen.
    #[error(transparent)]
    Select(#[from] SelectError),
    /// A profile names a provider that nothing answers to.
    #[error("profile `{profile}`: {error}")]
    NoProvider {
        /// The profile.
        profile: String,
        /// Which provider is missing.
        error: UnknownProvider,
    },
    /// A profile's provider failed.
    #[error("{profile}: {}", .error.message)]
    Provider {
        /// The profile.
        profile: String,
        /// What the provider said.
        error: ProviderError,
    },
    /// (`run`) The issuer refused this profile's token within the hour: the refusal stands
    /// and nobody is asked again yet.
    #[error("{message}")]
    StillRefused {
        /// The profile.
        profile: String,
        /// The refusal, as the issuer gave it then.
        message: String,
    },
    /// (`--all`) Not worked on: an earlier profile found the provider unreachable or
    /// throttling.
    #[error("{profile}: skipped: the provider could not be reached or is throttling (see above)")]
    Skipped {
        /// The profile.
        profile: String,
    },
    /// A browser or device login did not obtain a token.
    #[error(transparent)]
    Login(#[from] crate::login::LoginError),
    /// A rename of a variable is refused.
    #[error(transparent)]
    Rename(#[from] BadName),
}

impl AppError {
    /// A provider's error for `profile`.
    pub fn provider(error: ProviderError, profile: &str) -> AppError {
        AppError::Provider {
            profile: profile.to_string(),
            error,
        }
    }

    /// How a provider's failure bears on what comes next; `None` for other errors.
    pub fn failure(&self) -> Option<Failure> {
        match self {
            AppError::Provider { error, .. } => Some(Failure::of(error.kind)),
            AppError::StillRefused { .. } => Some(Failure::Refused),
            _ => None,
        }
    }
}
