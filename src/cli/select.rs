//! The command-line side of choosing the profile of every single-profile command (`show`,
//! `login`, `refresh`, `inspect`, `pages`, `edit`, `status`, `env`, `run`): a positional
//! NAME or `-p NAME`; the rule itself is [`crate::app::select`]. Profile names are
//! completed from the vault's file names, without decrypting anything.

use crate::app::select as app;
use crate::cli::{CliError, Ctx, Session};
use crate::vault::ProfileName;

/// The profile a command acts on: NAME or `-p NAME`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Which {
    /// The profile [default: FBVAULT_PROFILE, then `profile` in fbvault.toml, then the only one]
    #[arg(value_name = "NAME", add = super::complete::profiles())]
    pub name: Option<ProfileName>,
    /// The profile, as an option (the same as NAME)
    #[arg(
        short = 'p',
        long = "profile",
        value_name = "NAME",
        conflicts_with = "name",
        add = super::complete::profiles()
    )]
    pub profile: Option<ProfileName>,
}

impl Which {
    /// The name given on the command line, if any.
    pub fn given(&self) -> Option<&ProfileName> {
        self.name.as_ref().or(self.profile.as_ref())
    }

    /// The profile to act on, by the one rule; it must exist.
    pub fn choose(&self, ctx: &Ctx, session: &Session) -> Result<ProfileName, CliError> {
        Ok(app::chosen(
            &session.vault,
            ctx.project.as_ref(),
            self.given(),
        )?)
    }
}
