//! One rule for choosing the profile of every single-profile command (`show`, `login`,
//! `refresh`, `inspect`, `pages`, `edit`, `status`, `env`, `run`): a positional NAME or
//! `-p NAME`, else `FBVAULT_PROFILE`, else `profile` in `fbvault.toml`, else the only
//! profile; an unknown name gets the closest existing names as a hint. Profile names are
//! completed from the vault's file names, without decrypting anything.

use crate::cli::{CliError, Ctx, Session};
use crate::vault::{InvalidName, ProfileName};

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
        let name = choose(ctx, session, self.given())?;
        require(session, &name)?;
        Ok(name)
    }
}

/// Picks the profile: `explicit`, then FBVAULT_PROFILE, then fbvault.toml, then the only one.
pub fn choose(
    ctx: &Ctx,
    session: &Session,
    explicit: Option<&ProfileName>,
) -> Result<ProfileName, CliError> {
    if let Some(name) = explicit {
        return Ok(name.clone());
    }
    if let Some(name) = std::env::var("FBVAULT_PROFILE")
        .ok()
        .filter(|v| !v.is_empty())
    {
        return name
            .parse()
            .map_err(|e: InvalidName| CliError::usage(format!("FBVAULT_PROFILE: {e}")));
    }
    if let Some(project) = &ctx.project
        && let Some(name) = &project.profile
    {
        return name
            .parse()
            .map_err(|e: InvalidName| CliError::new(format!("{}: {e}", project.path.display())));
    }
    let names = session.vault.names()?;
    match names.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(CliError::new("the vault has no profiles")
            .hint("add one with `fbvault add NAME --app-id ID`")),
        many => Err(CliError::usage("which profile? the vault has several").hint(format!(
            "pass NAME or -p NAME, set FBVAULT_PROFILE, or put `profile = \"NAME\"` in fbvault.toml; profiles: {}",
            many.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Refuses a profile that does not exist, naming the closest existing ones.
pub fn require(session: &Session, name: &ProfileName) -> Result<(), CliError> {
    if session.vault.has_profile(name) {
        return Ok(());
    }
    let names = session.vault.names().unwrap_or_default();
    let err = CliError::new(format!("no profile named `{name}`"));
    Err(
        match fbvault_provider::did_you_mean(name.as_str(), names.iter().map(|n| n.as_str())) {
            Some(hint) => err.hint(hint),
            None => err.hint("`fbvault list` shows the profiles"),
        },
    )
}
