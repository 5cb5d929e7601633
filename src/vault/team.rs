//! The team: `team.age` (the authoritative recipient list and the team key, encrypted to
//! every recipient) and `vault.json` (a cleartext copy of the recipient list, for humans and
//! for a clear "you are not a recipient" message).

use chrono::{DateTime, Utc};
use fbvault_provider::Secret;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The vault format this version writes.
pub const VAULT_FORMAT: u32 = 1;

/// One member of the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The public key: `age1…`, `ssh-ed25519 AAAA…` or `ssh-rsa AAAA…`.
    pub key: String,
    /// A name for humans (`alice`, `alice@laptop`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl std::fmt::Display for Recipient {
    /// `KEY  NAME` (or just the key).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{}  {name}", self.key),
            None => f.write_str(&self.key),
        }
    }
}

impl Recipient {
    /// Whether `needle` names this recipient (by key or by name).
    pub fn matches(&self, needle: &str) -> bool {
        let needle = needle.trim();
        self.key == needle
            || self.name.as_deref() == Some(needle)
            || super::keys::normalize_recipient(needle).is_ok_and(|(k, _)| k == self.key)
    }
}

/// The plaintext of `team.age`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Format version; 1.
    pub format: u32,
    /// 32 random bytes, hex: the key of the profile seals.
    pub team_key: Secret,
    /// Who can open the vault.
    pub recipients: Vec<Recipient>,
    /// Counts key rotations.
    pub generation: u64,
    /// When the team key was made.
    pub rotated_at: DateTime<Utc>,
    /// Every earlier team key with its generation. A new `team.age` can only list them if
    /// its writer knew them, which is how a member's machine tells a teammate's rotation
    /// from a replacement written with nothing but the public keys (see [`super::pin`]).
    #[serde(default)]
    pub previous_keys: Vec<PastKey>,
}

/// An earlier team key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PastKey {
    /// Its generation.
    pub generation: u64,
    /// The key.
    pub key: Secret,
}

impl Team {
    /// A new team with a fresh random key.
    pub fn new(recipients: Vec<Recipient>, generation: u64) -> Team {
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut()).expect("the OS random source works");
        Team {
            format: VAULT_FORMAT,
            team_key: Secret::new(super::seal::hex(key.as_ref())),
            recipients,
            generation,
            rotated_at: Utc::now(),
            previous_keys: Vec::new(),
        }
    }

    /// The team that replaces this one: a fresh key, the next generation, and this key
    /// added to the history.
    pub fn successor(&self, recipients: Vec<Recipient>) -> Team {
        let mut next = Team::new(recipients, self.generation + 1);
        next.previous_keys = self.previous_keys.clone();
        next.previous_keys.push(PastKey {
            generation: self.generation,
            key: self.team_key.clone(),
        });
        next
    }

    /// The recipients' keys, for encryption.
    pub fn keys(&self) -> Vec<String> {
        self.recipients.iter().map(|r| r.key.clone()).collect()
    }

    /// The cleartext summary written to `vault.json`.
    pub fn info(&self) -> VaultInfo {
        VaultInfo {
            format: VAULT_FORMAT,
            about: "fbvault vault: profiles/*.age are age-encrypted; team.age holds the authoritative recipient list".into(),
            generation: self.generation,
            recipients: self.recipients.clone(),
        }
    }
}

/// `vault.json`: informational, cleartext. `team.age` is authoritative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "fbvault vault.json")]
pub struct VaultInfo {
    /// Format version; 1.
    pub format: u32,
    /// What this folder is.
    #[serde(default)]
    pub about: String,
    /// Counts team-key rotations.
    #[serde(default)]
    pub generation: u64,
    /// Who can open the vault (public keys).
    pub recipients: Vec<Recipient>,
}
