//! [`Session`]: an open vault (folder + identity) and the read/modify/write patterns the
//! commands share. Reads hold the vault's shared lock; writes re-read under the exclusive
//! lock and apply their change to the fresh copy, so concurrent commands never lose each
//! other's writes.

use chrono::{DateTime, Utc};
use fbvault_provider::{Context, LoginInput, Secret, TokenProvider, TokenSet};

use super::refresh::{Decision, Failure, Notes, Refreshed, decide};
use super::{AppError, Reporter};
use crate::config::Paths;
use crate::vault::{Identity, Profile, ProfileName, Vault, VaultError};

/// A profile name and what reading it gave.
pub type Opened = (ProfileName, Result<Profile, VaultError>);

/// An opened vault.
pub struct Session<'a> {
    /// The vault folder.
    pub vault: Vault,
    /// The identity that opens it.
    pub identity: Identity,
    /// Where remarks and progress go.
    pub reporter: &'a dyn Reporter,
    /// Where providers are looked for.
    paths: &'a Paths,
}

impl<'a> Session<'a> {
    /// Opens `vault` with `identity` (loaded only once the vault is known to exist, so a
    /// missing vault is reported before any passphrase is asked).
    pub fn open<E: From<AppError>>(
        vault: Vault,
        identity: impl FnOnce() -> Result<Identity, E>,
        reporter: &'a dyn Reporter,
        paths: &'a Paths,
    ) -> Result<Session<'a>, E> {
        if !vault.exists() {
            return Err(AppError::from(VaultError::NoVault {
                path: vault.root().to_path_buf(),
            })
            .into());
        }
        Ok(Session {
            vault,
            identity: identity()?,
            reporter,
            paths,
        })
    }

    /// Reads one profile.
    pub fn read(&self, name: &ProfileName) -> Result<Profile, AppError> {
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
    pub fn read_all(&self) -> Result<Vec<Opened>, AppError> {
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

    /// Every profile that opens, in name order; each one that does not is reported as a
    /// warning, and the first such error is returned for the exit code (like `ls`).
    pub fn read_all_reporting(&self) -> Result<(Vec<Profile>, Option<AppError>), AppError> {
        let mut profiles = Vec::new();
        let mut failure: Option<AppError> = None;
        for (name, result) in self.read_all()? {
            match result {
                Ok(p) => profiles.push(p),
                Err(e) => {
                    self.reporter.warn(&format!("{name}: {e}"));
                    failure.get_or_insert(e.into());
                }
            }
        }
        Ok((profiles, failure))
    }

    /// Refuses a name that is taken, before anything is asked or fetched.
    pub fn require_new(&self, name: &ProfileName) -> Result<(), AppError> {
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
            self.reporter.info(&format!("{profile}: {note}"));
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
    ) -> Result<TokenSet, AppError> {
        let _busy = self
            .reporter
            .busy(&format!("{}: asking {}", profile.name, profile.provider));
        provider
            .login(
                &Context { now },
                &profile.data(),
                &LoginInput { token, exchange },
            )
            .map_err(|e| AppError::provider(e, &profile.name))
    }

    /// Stores a new profile; refuses to overwrite one.
    pub fn create(&self, profile: &mut Profile) -> Result<(), AppError> {
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
        change: impl FnOnce(&mut Profile),
    ) -> Result<Profile, AppError> {
        self.try_update(name, |p| {
            change(p);
            Ok::<_, AppError>(())
        })
    }

    /// [`Session::update`] with a change that may refuse (with the caller's own error).
    pub fn try_update<E: From<AppError>>(
        &self,
        name: &ProfileName,
        change: impl FnOnce(&mut Profile) -> Result<(), E>,
    ) -> Result<Profile, E> {
        let vault = |e: VaultError| E::from(AppError::from(e));
        let _lock = self
            .vault
            .write_lock_for("storing a change to a profile")
            .map_err(vault)?;
        let team = self.vault.team(&self.identity).map_err(vault)?;
        let mut profile = self
            .vault
            .read_profile(&self.identity, &team, name)
            .map_err(vault)?;
        let before = profile.clone();
        change(&mut profile)?;
        if profile == before {
            self.vault.flush_pins().map_err(vault)?;
            return Ok(profile);
        }
        profile.updated_at = Utc::now();
        self.vault
            .write_profile(&team, &mut profile)
            .map_err(vault)?;
        Ok(profile)
    }

    /// Stores the tokens a provider returned and shows its notes; the same tokens again
    /// are not written.
    pub fn store_tokens(&self, name: &ProfileName, set: TokenSet) -> Result<Profile, AppError> {
        self.show_notes(name.as_str(), &set);
        self.update(name, |p| p.tokens = set.tokens)
    }

    /// The provider of a profile.
    pub fn provider(&self, profile: &Profile) -> Result<Box<dyn TokenProvider>, AppError> {
        crate::providers::find(&profile.provider, self.paths).map_err(|error| {
            AppError::NoProvider {
                profile: profile.name.clone(),
                error,
            }
        })
    }

    /// Refreshes a profile under its profile lock when `force` is set or its provider says
    /// a refresh is due. Concurrent callers wait for the lock and then find the fresh
    /// token, or the note that the issuer gave the same token back (then nobody asks again
    /// for 24 h unless forced), so N simultaneous `run`s cause one exchange.
    pub fn refresh(&self, name: &ProfileName, force: bool) -> Result<Refreshed, AppError> {
        self.refresh_with(name, force, false)
    }

    /// [`Session::refresh`] for `run`: once it holds the profile lock, it takes the outcome
    /// of a refresh that failed within the hour (the lock holder's, when this run waited)
    /// instead of trying again, and notes its own failure before it lets the lock go, so
    /// one refresh is attempted per burst of runs.
    pub fn refresh_for_run(&self, name: &ProfileName) -> Result<Refreshed, AppError> {
        self.refresh_with(name, false, true)
    }

    fn refresh_with(
        &self,
        name: &ProfileName,
        force: bool,
        from_run: bool,
    ) -> Result<Refreshed, AppError> {
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
            Decision::Refused(message) => {
                return Err(AppError::StillRefused {
                    profile: name.to_string(),
                    message,
                });
            }
        }
        let busy = self
            .reporter
            .busy(&format!("{name}: refreshing with {}", profile.provider));
        let result = provider.refresh(&ctx, &data, force);
        drop(busy);
        let set = match result {
            Ok(set) => set,
            Err(e) => {
                let e = AppError::provider(e, name.as_str());
                // Noted before the lock is released: the runs waiting on it take this
                // outcome instead of trying again.
                if from_run && e.failure() == Some(Failure::Refused) {
                    self.vault.note_refresh_refusal(name, &e.to_string())?;
                } else if from_run {
                    self.vault.note_refresh_failure(name)?;
                }
                return Err(e);
            }
        };
        if set.tokens == profile.tokens {
            self.show_notes(name.as_str(), &set);
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
