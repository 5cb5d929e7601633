//! [`Session`]: an open vault (folder + identity) and the read/modify/write patterns the
//! commands share. Reads hold the vault's shared lock; writes re-read under the exclusive
//! lock and apply their change to the fresh copy, so concurrent commands never lose each
//! other's writes.

use chrono::{DateTime, Utc};
use fbvault_provider::{Context, LoginInput, Secret, TokenProvider, TokenSet};

use super::{CliError, Ctx};
use crate::vault::{Identity, Profile, ProfileName, Vault, VaultError};

pub use crate::app::refresh::Refreshed;
use crate::app::refresh::{Decision, Failure, Notes, decide};

/// A profile name and what reading it gave.
pub type Opened = (ProfileName, Result<Profile, VaultError>);

/// An opened vault.
pub struct Session<'a> {
    /// The command's context.
    pub ctx: &'a Ctx,
    /// The vault folder.
    pub vault: Vault,
    /// The identity that opens it.
    pub identity: Identity,
}

impl<'a> Session<'a> {
    /// Opens the vault at the configured folder with the configured identity.
    pub fn open(ctx: &'a Ctx) -> Result<Session<'a>, CliError> {
        let vault = ctx.vault();
        if !vault.exists() {
            return Err(VaultError::NoVault {
                path: vault.root().to_path_buf(),
            }
            .into());
        }
        let identity = ctx.identity()?;
        Ok(Session {
            ctx,
            vault,
            identity,
        })
    }

    /// Reads one profile.
    pub fn read(&self, name: &ProfileName) -> Result<Profile, CliError> {
        let _lock = self.vault.read_lock()?;
        if !self.vault.has_profile(name) {
            return Err(VaultError::NoProfile {
                name: name.to_string(),
            }
            .into());
        }
        let team = self.vault.team(&self.identity)?;
        let profile = self.vault.read_profile(&self.identity, &team, name)?;
        self.vault.flush_pins()?;
        Ok(profile)
    }

    /// Reads every profile, in parallel; each result stands alone so one damaged file
    /// does not hide the others.
    pub fn read_all(&self) -> Result<Vec<Opened>, CliError> {
        let _lock = self.vault.read_lock()?;
        let team = self.vault.team(&self.identity)?;
        let names = self.vault.names()?;
        let workers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .min(8);
        let chunk = names.len().div_ceil(workers).max(1);
        let (vault, identity, team) = (&self.vault, &self.identity, &team);
        let results = std::thread::scope(|scope| {
            let handles: Vec<_> = names
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|n| (n.clone(), vault.read_profile(identity, team, n)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a reader thread does not panic"))
                .collect()
        });
        self.vault.flush_pins()?;
        Ok(results)
    }

    /// Every profile that opens, in name order; each one that does not is reported on
    /// stderr, and the first such error is returned for the exit code (like `ls`).
    pub fn read_all_reporting(&self) -> Result<(Vec<Profile>, Option<CliError>), CliError> {
        let mut profiles = Vec::new();
        let mut failure: Option<CliError> = None;
        for (name, result) in self.read_all()? {
            match result {
                Ok(p) => profiles.push(p),
                Err(e) => {
                    let e = CliError::from(e);
                    self.ctx.ui.warn(format!("{name}: {}", e.message));
                    failure.get_or_insert(e);
                }
            }
        }
        Ok((profiles, failure))
    }

    /// Refuses a name that is taken, before anything is asked or fetched.
    pub fn require_new(&self, name: &ProfileName) -> Result<(), CliError> {
        if self.vault.has_profile(name) {
            return Err(VaultError::ProfileExists {
                name: name.to_string(),
            }
            .into());
        }
        Ok(())
    }

    /// Shows a provider's remarks about a token set.
    pub fn show_notes(&self, profile: &str, set: &TokenSet) {
        for note in &set.notes {
            self.ctx.ui.info(format!("{profile}: {note}"));
        }
    }

    /// Asks the provider to turn `token` into the tokens to store (`exchange`: it is
    /// short-lived).
    pub fn login(
        &self,
        provider: &dyn TokenProvider,
        profile: &Profile,
        token: Secret,
        exchange: bool,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, CliError> {
        let _progress = super::progress::start(
            &self.ctx.ui,
            format!("{}: asking {}", profile.name, profile.provider),
        );
        provider
            .login(
                &Context { now },
                &profile.data(),
                &LoginInput { token, exchange },
            )
            .map_err(|e| CliError::provider(e, &profile.name))
    }

    /// Shows what a profile holds now: one line per token.
    pub fn report(&self, headline: String, profile: &Profile, now: DateTime<Utc>) {
        self.ctx.ui.info(headline);
        for line in super::format::token_summary(profile, now) {
            self.ctx.ui.info(format!("  {line}"));
        }
    }

    /// Stores a new profile; refuses to overwrite one.
    pub fn create(&self, profile: &mut Profile) -> Result<(), CliError> {
        let name: ProfileName = profile.name.parse()?;
        let _lock = self.vault.write_lock()?;
        if self.vault.has_profile(&name) {
            return Err(VaultError::ProfileExists {
                name: name.to_string(),
            }
            .into());
        }
        let team = self.vault.team(&self.identity)?;
        self.vault.write_profile(&team, profile)?;
        Ok(())
    }

    /// Re-reads a profile under the exclusive lock, applies `change`, and writes it; when
    /// `change` changed nothing, nothing is written (the file stays byte-identical).
    pub fn update(
        &self,
        name: &ProfileName,
        change: impl FnOnce(&mut Profile) -> Result<(), CliError>,
    ) -> Result<Profile, CliError> {
        let _lock = self.vault.write_lock_for("storing a change to a profile")?;
        let team = self.vault.team(&self.identity)?;
        let mut profile = self.vault.read_profile(&self.identity, &team, name)?;
        let before = profile.clone();
        change(&mut profile)?;
        if profile == before {
            self.vault.flush_pins()?;
            return Ok(profile);
        }
        profile.updated_at = Utc::now();
        self.vault.write_profile(&team, &mut profile)?;
        Ok(profile)
    }

    /// Stores the tokens a provider returned and shows its notes; the same tokens again
    /// are not written.
    pub fn store_tokens(&self, name: &ProfileName, set: TokenSet) -> Result<Profile, CliError> {
        self.show_notes(name.as_str(), &set);
        self.update(name, |p| {
            p.tokens = set.tokens;
            Ok(())
        })
    }

    /// The provider of a profile.
    pub fn provider(&self, profile: &Profile) -> Result<Box<dyn TokenProvider>, CliError> {
        crate::providers::find(&profile.provider, &self.ctx.paths).map_err(|e| {
            CliError::new(format!("profile `{}`: {e}", profile.name))
                .hint("`fbvault plugins list` shows the providers")
        })
    }

    /// Refreshes a profile under its profile lock when `force` is set or its provider says
    /// a refresh is due. Concurrent callers wait for the lock and then find the fresh
    /// token, or the note that the issuer gave the same token back (then nobody asks again
    /// for 24 h unless forced), so N simultaneous `run`s cause one exchange.
    pub fn refresh(&self, name: &ProfileName, force: bool) -> Result<Refreshed, CliError> {
        self.refresh_with(name, force, false)
    }

    /// [`Session::refresh`] for `run`: once it holds the profile lock, it takes the outcome
    /// of a refresh that failed within the hour (the lock holder's, when this run waited)
    /// instead of trying again, and notes its own failure before it lets the lock go, so
    /// one refresh is attempted per burst of runs.
    pub fn refresh_for_run(&self, name: &ProfileName) -> Result<Refreshed, CliError> {
        self.refresh_with(name, false, true)
    }

    fn refresh_with(
        &self,
        name: &ProfileName,
        force: bool,
        from_run: bool,
    ) -> Result<Refreshed, CliError> {
        let _lock = self.vault.profile_lock(name)?;
        let profile = self.read(name)?;
        let provider = self.provider(&profile)?;
        let ctx = Context::now();
        let data = profile.data();
        // The policy decides (crate::app::refresh); the notes are this machine's.
        let notes = || Notes {
            asked: self.vault.last_refresh_attempt(name),
            refused: self.vault.last_refresh_refusal(name),
            failed: self.vault.last_refresh_failure(name),
        };
        let need = provider.refresh_due(&ctx, &data);
        match decide(need, force, from_run, notes, profile.updated_at, ctx.now) {
            Decision::Ask => {}
            Decision::NoToken => return Ok(Refreshed::NoToken),
            Decision::Fresh => return Ok(Refreshed::Unchanged(profile)),
            Decision::AskedAt(at) => return Ok(Refreshed::Asked(profile, at)),
            Decision::FailedAt(at) => return Ok(Refreshed::Failed(profile, at)),
            Decision::Refused(why) => {
                let mut e = CliError::with_code(super::code::REFUSED, why)
                    .hint(format!("get a new token and run `fbvault login {name}`"));
                e.failure = Some(Failure::Refused);
                return Err(e);
            }
        }
        let progress = super::progress::start(
            &self.ctx.ui,
            format!("{name}: refreshing with {}", profile.provider),
        );
        let result = provider.refresh(&ctx, &data, force);
        drop(progress);
        let set = match result {
            Ok(set) => set,
            Err(e) => {
                let e = CliError::provider(e, name.as_str());
                // Noted before the lock is released: the runs waiting on it take this
                // outcome instead of trying again.
                if from_run && e.failure == Some(Failure::Refused) {
                    self.vault.note_refresh_refusal(name, &e.message)?;
                } else if from_run {
                    self.vault.note_refresh_failure(name)?;
                }
                return Err(e);
            }
        };
        if set.tokens == profile.tokens {
            for note in &set.notes {
                self.ctx.ui.info(format!("{name}: {note}"));
            }
            // Remembered locally, so that no tracked file changes.
            self.vault.note_refresh_attempt(name)?;
            self.vault.clear_refresh_failure(name)?;
            self.vault.clear_refresh_refusal(name)?;
            return Ok(Refreshed::Unchanged(profile));
        }
        let stored = self.store_tokens(name, set)?;
        self.vault.clear_refresh_failure(name)?;
        self.vault.clear_refresh_refusal(name)?;
        Ok(Refreshed::Stored(stored))
    }
}
