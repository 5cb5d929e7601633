//! [`VaultError`]: everything that can go wrong reading or writing the vault. Messages say
//! what happened and name the file; the CLI adds what to do and picks the exit code.

use std::io;
use std::path::PathBuf;

/// A vault failure. No variant ever carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// There is no vault in the folder.
    #[error("no vault at {}", path.display())]
    NoVault {
        /// The vault folder.
        path: PathBuf,
    },
    /// `init` found a vault already there.
    #[error("a vault already exists at {}", path.display())]
    VaultExists {
        /// The vault folder.
        path: PathBuf,
    },
    /// The identity file does not exist.
    #[error("no identity at {}", path.display())]
    NoIdentity {
        /// The identity file.
        path: PathBuf,
    },
    /// The identity file is not something we can use.
    #[error("{} is not a usable identity: {reason}", path.display())]
    BadIdentity {
        /// The identity file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An encrypted SSH key and no terminal to ask for its passphrase.
    #[error("the SSH key {} is protected by a passphrase and there is no terminal to ask for it", path.display())]
    PassphraseNeeded {
        /// The identity file.
        path: PathBuf,
    },
    /// The passphrase did not decrypt the SSH key.
    #[error("wrong passphrase for the SSH key {}", path.display())]
    WrongPassphrase {
        /// The identity file.
        path: PathBuf,
    },
    /// The file was not encrypted to this identity.
    #[error("this identity cannot open {what}: it is not one of its recipients")]
    NotARecipient {
        /// `the vault` or `profile \`acme\``.
        what: String,
    },
    /// The file is not a readable age file (truncated, corrupt, not age at all).
    #[error("{what} is damaged ({reason})")]
    Damaged {
        /// Which file, in words.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The file decrypted but failed the team-key integrity check.
    #[error(
        "{what} failed its integrity check: it was written, renamed or altered by someone without the team key"
    )]
    Tampered {
        /// Which file, in words.
        what: String,
    },
    /// `team.age` is not vouched for by the team key this machine last saw.
    #[error(
        "the vault's team file (team.age) was replaced: its generation {found} is not vouched for by the team key this machine trusts (generation {pinned})"
    )]
    TeamReplaced {
        /// The generation this machine trusts.
        pinned: u64,
        /// The generation found.
        found: u64,
    },
    /// A recipient string we cannot parse.
    #[error("`{value}` is not a recipient: {reason}")]
    BadRecipient {
        /// The offending text (a public key, never a secret).
        value: String,
        /// Why.
        reason: String,
    },
    /// No such profile.
    #[error("no profile named `{name}`")]
    NoProfile {
        /// The name.
        name: String,
    },
    /// The profile already exists.
    #[error("profile `{name}` already exists")]
    ProfileExists {
        /// The name.
        name: String,
    },
    /// A profile's content is not acceptable.
    #[error("invalid profile `{name}`: {reason}")]
    InvalidProfile {
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// A recipient change that would lock everybody out, or similar.
    #[error("{0}")]
    Refused(String),
    /// A filesystem error.
    #[error("{what}: {source}")]
    Io {
        /// What we were doing, naming the file.
        what: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

impl VaultError {
    /// Wraps an I/O error with what we were doing.
    pub fn io(what: impl Into<String>, source: io::Error) -> Self {
        VaultError::Io {
            what: what.into(),
            source,
        }
    }
}

/// A shorthand for results in this module.
pub type Result<T, E = VaultError> = std::result::Result<T, E>;
