//! [`CliError`]: the one error type at the command-line edge. It decides the exit code
//! (SPEC §7) and carries hints; library errors are mapped to it in this file and nowhere
//! else.

use std::fmt;

use fbvault_provider::{ErrorKind, ProviderError};

use crate::vault::VaultError;

/// Exit codes (SPEC §7).
pub mod code {
    /// An error.
    pub const ERROR: u8 = 1;
    /// A usage error.
    pub const USAGE: u8 = 2;
    /// The vault cannot be opened with this identity.
    pub const LOCKED: u8 = 3;
    /// The provider refused the token or credentials.
    pub const REFUSED: u8 = 4;
    /// The provider could not be reached, or kept failing.
    pub const UNREACHABLE: u8 = 5;
    /// `status --check` found an expired or expiring token.
    pub const CHECK_FAILED: u8 = 10;
    /// `run`: the command is not executable.
    pub const NOT_EXECUTABLE: u8 = 126;
    /// `run`: the command was not found.
    pub const NOT_FOUND: u8 = 127;
}

/// An error to report: one line, then hints, then an exit code.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub code: u8,
    /// What happened (one line, no secret).
    pub message: String,
    /// What to do next.
    pub hints: Vec<String>,
}

impl CliError {
    /// A general error (exit 1).
    pub fn new(message: impl Into<String>) -> Self {
        Self::with_code(code::ERROR, message)
    }

    /// An error with a specific exit code.
    pub fn with_code(code: u8, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::with_code(code::USAGE, message)
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Maps a provider error for `profile`.
    pub fn provider(err: ProviderError, profile: &str) -> Self {
        let code = match err.kind {
            ErrorKind::InvalidGrant => code::REFUSED,
            ErrorKind::Unreachable | ErrorKind::RateLimited => code::UNREACHABLE,
            _ => code::ERROR,
        };
        CliError {
            code,
            message: format!("{profile}: {}", err.message),
            hints: err
                .hints
                .iter()
                .map(|h| h.replace("{profile}", profile))
                .collect(),
        }
    }
}

impl CliError {
    /// The error as JSON for `--json`: `{"error": {"message", "hints", "code"}}`
    /// (described by `schemas/error.schema.json`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(ErrorReport {
            error: ErrorBody {
                message: super::sanitize::escape(&self.message).into_owned(),
                hints: self
                    .hints
                    .iter()
                    .map(|h| super::sanitize::escape(h).into_owned())
                    .collect(),
                code: self.code,
            },
        })
        .expect("an error serializes")
    }
}

/// What `--json` prints on stderr for an error.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[schemars(title = "fbvault error (--json)")]
pub struct ErrorReport {
    /// The error.
    pub error: ErrorBody,
}

/// The error itself.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// What happened, in one line (no secret).
    pub message: String,
    /// What to do next.
    pub hints: Vec<String>,
    /// The exit code.
    pub code: u8,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The message and each hint are one line each, whatever outside text they hold.
        use super::sanitize::escape;
        write!(f, "fbvault: {}", escape(&self.message))?;
        for hint in &self.hints {
            write!(f, "\n  hint: {}", escape(hint))?;
        }
        Ok(())
    }
}

impl From<VaultError> for CliError {
    fn from(err: VaultError) -> Self {
        use VaultError as V;
        let message = err.to_string();
        let (code, hints): (u8, Vec<String>) = match &err {
            V::NoVault { .. } => (code::ERROR, vec![
                "create one with `fbvault init`, or point at yours with --vault DIR or FBVAULT_DIR".into(),
            ]),
            V::VaultExists { .. } => (code::ERROR, vec![
                "to give a teammate access, run `fbvault recipients add KEY`".into(),
            ]),
            V::NoIdentity { .. } => (code::LOCKED, vec![
                "`fbvault identity new` creates one (then send its public key to a member of the vault), or point at yours with --identity FILE, FBVAULT_IDENTITY=FILE or FBVAULT_KEY (the key's text); ~/.ssh/id_ed25519 and ~/.ssh/id_rsa are used when present".into(),
            ]),
            V::KeyInPath { .. } => (code::LOCKED, vec![
                "put the key's text in FBVAULT_KEY instead, or write it to a file only you can read (chmod 600) and point at the file".into(),
            ]),
            V::BadIdentity { .. } => (code::LOCKED, vec![
                "an identity is an age key file (age-keygen, `fbvault identity new`) or an OpenSSH ed25519/RSA private key".into(),
            ]),
            V::PassphraseNeeded { .. } => (code::LOCKED, vec![
                "run the command in a terminal, or use an identity without a passphrase".into(),
            ]),
            V::WrongPassphrase { .. } => (code::LOCKED, vec!["try again".into()]),
            V::NotARecipient { .. } => (code::LOCKED, vec![
                "send your public key (`fbvault identity show` prints it) to a member: they run `fbvault recipients add KEY` and push; or point at another key with --identity FILE".into(),
            ]),
            V::Conflict { profile: Some(name), file } => (code::LOCKED, vec![
                format!("settle it with `fbvault resolve {name}` (it keeps the later token), or keep one side with `git -C {{vault}} checkout --ours {file}` (or --theirs) and then `fbvault refresh {name}`"),
                "the other profiles are not affected".into(),
            ]),
            V::Conflict { profile: None, .. } => (code::LOCKED, vec![
                "two members changed the recipients at the same time: `fbvault resolve` shows both lists and how to settle them".into(),
            ]),
            V::TooLarge { .. } => (code::LOCKED, vec![
                "fbvault did not write it: restore it from version control, or remove it".into(),
            ]),
            V::Symlink { .. } => (code::LOCKED, vec![
                "replace the link with a real folder or file: fbvault never reads or writes through links in a vault".into(),
            ]),
            V::Damaged { what, .. } if what.contains("team.age") => (code::LOCKED, vec![
                "every profile depends on team.age: restore it from version control (`git -C {vault} checkout HEAD -- team.age`) or from a backup".into(),
            ]),
            V::Damaged { .. } | V::Tampered { .. } => (code::LOCKED, vec![
                "restore the file from version control (git checkout HEAD -- FILE) or from a backup; the other profiles are not affected".into(),
            ]),
            V::TeamRolledBack { .. } => (code::LOCKED, vec![
                "this usually follows a git checkout, reset, revert, stash or branch switch that put an older team.age back: `git -C {vault} log -- team.age` shows the newer one; restore it with `git -C {vault} checkout BRANCH-OR-COMMIT -- team.age vault.json` (or switch back to the branch that has it)".into(),
                "if you threw the newer one away on purpose (an uncommitted recipient change), `fbvault recipients trust` shows who can open this one and asks before trusting it".into(),
            ]),
            V::ConcurrentRotation { .. } => (code::LOCKED, vec![
                "two members changed the recipients at the same time and git kept the other team.age: during a merge, `fbvault resolve` shows both recipient lists and how to settle them".into(),
                "to keep this one: `fbvault recipients trust` (it shows who can open it and asks), then redo your own recipient change with `fbvault recipients add`".into(),
            ]),
            V::TeamReplaced { trusted, .. } if trusted.starts_with("FBVAULT") => (code::LOCKED, vec![
                "someone who is not a member may have written it; compare with your version control history".into(),
                "if the team really re-created the vault, update FBVAULT_TEAM_FINGERPRINT to what a member's `fbvault recipients list` prints".into(),
            ]),
            V::TeamReplaced { .. } => (code::LOCKED, vec![
                "someone who is not a member may have written it to read what you store next; compare with your version control history".into(),
                "if a teammate really re-created the vault, `fbvault recipients trust` shows who can open it and asks before trusting it".into(),
            ]),
            V::OlderTeamKey { name, .. } => (code::LOCKED, vec![
                format!("this usually follows a git checkout, reset or stash that put back profiles/{name}.age from before the rotation: restore the copy written after it with git (`git -C {{vault}} log -- profiles/{name}.age`)"),
                format!("only if you know this copy is your team's (you restored it from git yourself), `fbvault resolve {name}` asks, then seals it again with the current team key"),
            ]),
            V::ProfileRolledBack { name, .. } => (code::LOCKED, vec![
                format!("this usually follows a git checkout, reset, revert or stash that put an older profiles/{name}.age back: restore the newer one with git (`git -C {{vault}} log -- profiles/{name}.age`)"),
                format!("if you want this older copy, `fbvault resolve {name}` asks before accepting it"),
            ]),
            V::BadFingerprint => (code::USAGE, Vec::new()),
            V::NoPinStore => (code::LOCKED, vec![
                "set HOME, or FBVAULT_PINS=FILE for where to keep pins, or FBVAULT_TEAM_FINGERPRINT (a member's `fbvault recipients list` prints it) to check team.age without a pin store".into(),
            ]),
            V::ReadOnly { .. } => (code::ERROR, vec![
                "run it where the vault may change, without --read-only and FBVAULT_READ_ONLY".into(),
            ]),
            V::BadRecipient { .. } => (code::USAGE, Vec::new()),
            V::NoProfile { .. } => (code::ERROR, vec!["`fbvault list` shows the profiles".into()]),
            V::ProfileExists { name } => (code::ERROR, vec![format!(
                "give it a new token with `fbvault login {name}`, or remove it first with `fbvault rm {name}`"
            )]),
            V::InvalidProfile { .. } | V::Refused(_) | V::Io { .. } => (code::ERROR, Vec::new()),
        };
        CliError {
            code,
            message,
            hints,
        }
    }
}

impl From<crate::vault::InvalidName> for CliError {
    fn from(err: crate::vault::InvalidName) -> Self {
        CliError::usage(err.to_string())
    }
}

impl From<crate::app::select::SelectError> for CliError {
    fn from(err: crate::app::select::SelectError) -> Self {
        use crate::app::select::SelectError as S;
        let message = err.to_string();
        match err {
            S::NoProfiles => {
                CliError::new(message).hint("add one with `fbvault add NAME --app-id ID`")
            }
            S::Several(names) => CliError::usage(message).hint(format!(
                "pass NAME or -p NAME, set FBVAULT_PROFILE, or put `profile = \"NAME\"` in fbvault.toml; profiles: {}",
                names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
            )),
            S::Unknown { suggestion, .. } => CliError::new(message).hint(
                suggestion.unwrap_or_else(|| "`fbvault list` shows the profiles".into()),
            ),
            S::BadEnvName(_) => CliError::usage(message),
            S::BadProjectName { .. } => CliError::new(message),
            S::Vault(e) => e.into(),
        }
    }
}

impl From<crate::app::AppError> for CliError {
    fn from(err: crate::app::AppError) -> Self {
        use crate::app::AppError as A;
        match err {
            A::Vault(e) => e.into(),
            A::Name(e) => e.into(),
            A::Select(e) => e.into(),
            A::Provider { profile, error } => CliError::provider(error, &profile),
            e @ A::NoProvider { .. } => {
                CliError::new(e.to_string()).hint("`fbvault plugins list` shows the providers")
            }
            A::StillRefused { profile, message } => CliError::with_code(code::REFUSED, message)
                .hint(format!("get a new token and run `fbvault login {profile}`")),
            e @ A::Skipped { .. } => CliError::with_code(code::UNREACHABLE, e.to_string()),
            A::Login(e) => e.into(),
            e @ A::Rename(_) => CliError::new(e.to_string()),
        }
    }
}

impl From<crate::login::LoginError> for CliError {
    fn from(err: crate::login::LoginError) -> Self {
        use crate::login::LoginError as L;
        let message = err.to_string();
        match err {
            L::Lacks { profile, other, .. } => {
                let paste = format!("give it a token with `fbvault login {profile}`");
                CliError::usage(message).hint(match other {
                    Some(flag) => format!("log in with `fbvault login {profile} {flag}`, or {paste}"),
                    None => paste,
                })
            }
            L::NoClientToken { place, .. } => CliError::usage(message).hint(format!(
                "pass it on standard input with --client-token-stdin ({place})"
            )),
            L::NoRandom | L::Listener { .. } => CliError::new(message),
            L::Denied { profile, .. } => CliError::with_code(code::REFUSED, message).hint(format!(
                "run `fbvault login {profile} --web` again and continue in the dialog"
            )),
            L::DeviceCodeExpired { profile } => CliError::with_code(code::REFUSED, message)
                .hint(format!("run `fbvault login {profile} --device` again")),
            L::PortInUse { .. } => CliError::new(message).hint(
                "stop what holds it, or use another port with --port PORT (and add http://localhost:PORT/callback to the app's Valid OAuth Redirect URIs)",
            ),
            L::TimedOut {
                profile, device, ..
            } => {
                let again = format!(
                    "run `fbvault login {profile} --web` again (FBVAULT_LOGIN_TIMEOUT sets the wait)"
                );
                CliError::new(message).hint(if device {
                    format!("{again}, or on a machine without a browser `fbvault login {profile} --device`")
                } else {
                    format!("{again}, or paste a token with `fbvault login {profile} --token-stdin`")
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::AppError;
    use crate::login::LoginError;

    fn provider(kind: ErrorKind) -> AppError {
        AppError::provider(ProviderError::new(kind, "it said no"), "acme")
    }

    #[test]
    fn provider_failures_keep_their_exit_codes_and_name_the_profile() {
        for (kind, code) in [
            (ErrorKind::InvalidGrant, code::REFUSED),
            (ErrorKind::Unreachable, code::UNREACHABLE),
            (ErrorKind::RateLimited, code::UNREACHABLE),
            (ErrorKind::BadRequest, code::ERROR),
            (ErrorKind::Internal, code::ERROR),
        ] {
            let e = CliError::from(provider(kind));
            assert_eq!(e.code, code, "{kind:?}");
            assert_eq!(e.message, "acme: it said no");
        }
    }

    #[test]
    fn a_standing_refusal_is_exit_4_and_says_to_log_in() {
        let e = CliError::from(AppError::StillRefused {
            profile: "acme".into(),
            message: "acme: the token was revoked".into(),
        });
        assert_eq!(e.code, code::REFUSED);
        assert_eq!(e.message, "acme: the token was revoked");
        assert!(e.hints[0].contains("`fbvault login acme`"), "{:?}", e.hints);
    }

    #[test]
    fn a_skipped_profile_is_exit_5() {
        let e = CliError::from(AppError::Skipped {
            profile: "acme".into(),
        });
        assert_eq!(e.code, code::UNREACHABLE);
        assert!(e.message.starts_with("acme: skipped"), "{}", e.message);
    }

    #[test]
    fn login_failures_map_to_their_codes_and_next_steps() {
        let denied = CliError::from(AppError::from(LoginError::Denied {
            profile: "acme".into(),
            why: "access_denied".into(),
        }));
        assert_eq!(denied.code, code::REFUSED);
        assert!(denied.hints[0].contains("`fbvault login acme --web`"));
        let lacks = CliError::from(LoginError::Lacks {
            profile: "acme".into(),
            provider: "threads".into(),
            kind: "device",
            other: Some("--web"),
        });
        assert_eq!(lacks.code, code::USAGE);
        assert_eq!(
            lacks.message,
            "acme: the `threads` provider has no device login"
        );
        assert!(lacks.hints[0].contains("`fbvault login acme --web`"));
        let busy = CliError::from(LoginError::PortInUse {
            profile: "acme".into(),
            port: 8765,
        });
        assert_eq!(busy.code, code::ERROR);
        assert!(busy.hints[0].contains("--port PORT"));
    }

    #[test]
    fn only_provider_failures_and_refusals_bear_on_a_run() {
        use crate::app::refresh::Failure;
        assert_eq!(
            provider(ErrorKind::InvalidGrant).failure(),
            Some(Failure::Refused)
        );
        assert_eq!(
            provider(ErrorKind::RateLimited).failure(),
            Some(Failure::Unreachable)
        );
        let vault = AppError::from(VaultError::NoProfile {
            name: "acme".into(),
        });
        assert_eq!(vault.failure(), None);
        assert_eq!(CliError::from(vault).code, code::ERROR);
    }
}
