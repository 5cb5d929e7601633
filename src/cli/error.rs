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
                "run `fbvault init` to create one, or point at yours with --identity FILE or FBVAULT_IDENTITY".into(),
            ]),
            V::BadIdentity { .. } => (code::LOCKED, vec![
                "an identity is an age key file (age-keygen) or an OpenSSH ed25519/RSA private key".into(),
            ]),
            V::PassphraseNeeded { .. } => (code::LOCKED, vec![
                "run the command in a terminal, or use an identity without a passphrase".into(),
            ]),
            V::WrongPassphrase { .. } => (code::LOCKED, vec!["try again".into()]),
            V::NotARecipient { .. } => (code::LOCKED, vec![
                "ask a teammate to run `fbvault recipients add <your key>` (`fbvault identity show` prints it)".into(),
            ]),
            V::Damaged { what, .. } if what.contains("team.age") => (code::LOCKED, vec![
                "every profile depends on team.age: restore it from version control (git checkout -- team.age) or from a backup".into(),
            ]),
            V::Damaged { .. } | V::Tampered { .. } => (code::LOCKED, vec![
                "restore the file from version control (git checkout -- FILE) or from a backup; the other profiles are not affected".into(),
            ]),
            V::TeamReplaced { .. } => (code::LOCKED, vec![
                "someone who is not a member may have written it to read what you store next; compare with your version control history".into(),
                "if a teammate really re-created the vault, `fbvault recipients trust` shows who can open it and asks before trusting it".into(),
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
