//! The team: `team.age` (the authoritative recipient list and the team key, encrypted to
//! every recipient) and `vault.json` (a cleartext copy of the recipient list, for humans and
//! for a clear "you are not a recipient" message).

use chrono::{DateTime, Utc};
use fbvault_provider::Secret;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::text::escape_controls;

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
    /// `KEY  NAME` (or just the key), with control characters escaped: both come from
    /// `team.age`, which anyone with the public keys can write.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = escape_controls(&self.key);
        match &self.name {
            Some(name) => write!(f, "{key}  {}", escape_controls(name)),
            None => f.write_str(&key),
        }
    }
}

impl Recipient {
    /// A short label for messages: the name, else the shortened key (escaped).
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => escape_controls(name),
            None => escape_controls(&super::keys::shorten_key(&self.key)),
        }
    }

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

    /// The vault's own id: a hash of its first team key, which every later `team.age`
    /// carries in `previous_keys`. It stays the same across rotations and folders, and
    /// cannot be claimed without that key.
    pub fn vault_id(&self) -> String {
        let first = self
            .previous_keys
            .iter()
            .map(|k| (k.generation, &k.key))
            .chain(std::iter::once((self.generation, &self.team_key)))
            .min_by_key(|(g, _)| *g)
            .map(|(_, k)| k)
            .expect("a team has a key");
        let mut h = Sha256::new();
        h.update(b"fbvault-vault-id\n");
        h.update(first.expose().as_bytes());
        format!("v1-{}", &super::seal::hex(&h.finalize())[..32])
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
