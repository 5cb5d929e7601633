//! [`Profile`]: the plaintext of `profiles/NAME.age`, a JSON document described by
//! `schemas/profile.schema.json` and sealed with the team key (see [`super::seal`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use fbvault_provider::{ProfileData, Secret, Token};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{Result, VaultError};
use super::name::ProfileName;
use super::seal;

/// The profile format this version writes.
pub const PROFILE_FORMAT: u32 = 1;

/// New names for a standard variable: one name, or several (to keep the standard name too,
/// list it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EnvRename {
    /// Inject the variable under this name instead.
    One(String),
    /// Inject the variable under each of these names.
    Many(Vec<String>),
}

impl EnvRename {
    /// The names, in order.
    pub fn names(&self) -> Vec<&str> {
        match self {
            EnvRename::One(n) => vec![n.as_str()],
            EnvRename::Many(ns) => ns.iter().map(String::as_str).collect(),
        }
    }
}

/// Reads `inject_app_secret`, the first name of `inject_secrets` (SPEC §4 still uses it),
/// into `inject_secrets`: either one set to `true` turns injection on, and only the new
/// name is written back.
fn first_name(body: &mut Value) -> std::result::Result<(), String> {
    let Value::Object(map) = body else {
        return Ok(());
    };
    let Some(old) = map.remove("inject_app_secret") else {
        return Ok(());
    };
    let flag = |v: &Value, key: &str| {
        v.as_bool()
            .ok_or_else(|| format!("`{key}` must be true or false"))
    };
    let old = flag(&old, "inject_app_secret")?;
    let new = match map.get("inject_secrets") {
        Some(v) => flag(v, "inject_secrets")?,
        None => false,
    };
    map.insert("inject_secrets".into(), Value::Bool(old || new));
    Ok(())
}

/// The schema also describes the fields' first names, which older profiles hold and
/// fbvault still reads (`inject_app_secret`, now `inject_secrets`).
fn first_names(schema: &mut schemars::Schema) {
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        props.insert(
            "inject_app_secret".into(),
            serde_json::json!({
                "description": "The first name of `inject_secrets`, in profiles written before the rename (read, never written).",
                "type": "boolean",
                "deprecated": true
            }),
        );
    }
}

/// One profile: an app or page's credentials and tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "fbvault profile", transform = first_names)]
pub struct Profile {
    /// Format version; 1.
    pub format: u32,
    /// The profile name; must match the file name.
    pub name: String,
    /// The provider that keeps the tokens fresh (`facebook`).
    pub provider: String,
    /// Non-secret settings read by the provider (`app_id`, `graph_version`, `page_id`,
    /// `graph_url`, `refresh_window_days`).
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// Secret settings (`app_secret`).
    #[serde(default)]
    pub secrets: BTreeMap<String, Secret>,
    /// The stored tokens; the first is the primary (user) token.
    #[serde(default)]
    pub tokens: Vec<Token>,
    /// Variable renames for `run` and `env`: standard name → new name(s).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, EnvRename>,
    /// Also inject the profile's app secret (under the variable its provider names; off
    /// unless set). Read under its first name `inject_app_secret` too ([`first_name`]), so
    /// profiles written before the rename, or edited by its SPEC name, open.
    #[serde(default)]
    pub inject_secrets: bool,
    /// When the profile was created.
    pub created_at: DateTime<Utc>,
    /// When the profile was last written.
    pub updated_at: DateTime<Utc>,
    /// Counts the writes of this profile; under the seal, so that a machine that has seen
    /// revision N refuses an older sealed copy put back (`git checkout`, a replay).
    #[serde(default)]
    pub revision: u64,
    /// Hex HMAC-SHA256 under the team key of the profile name and the canonical JSON of
    /// every other field.
    pub mac: String,
}

impl Profile {
    /// A new, unsealed profile.
    pub fn new(name: &ProfileName, provider: &str, now: DateTime<Utc>) -> Profile {
        Profile {
            format: PROFILE_FORMAT,
            name: name.to_string(),
            provider: provider.to_string(),
            config: BTreeMap::new(),
            secrets: BTreeMap::new(),
            tokens: Vec::new(),
            env: BTreeMap::new(),
            inject_secrets: false,
            created_at: now,
            updated_at: now,
            revision: 0,
            mac: String::new(),
        }
    }

    /// What the provider sees.
    pub fn data(&self) -> ProfileData {
        ProfileData {
            name: self.name.clone(),
            config: self.config.clone(),
            secrets: self.secrets.clone(),
            tokens: self.tokens.clone(),
        }
    }

    /// The token with this name.
    pub fn token(&self, name: &str) -> Option<&fbvault_provider::Token> {
        self.tokens.iter().find(|t| t.name == name)
    }

    /// The primary token: the first user or system-user token, else the first token.
    pub fn primary_token(&self) -> Option<&Token> {
        use fbvault_provider::TokenKind::{SystemUser, User};
        self.tokens
            .iter()
            .find(|t| matches!(t.kind, User | SystemUser))
            .or_else(|| self.tokens.first())
    }

    /// The profile as JSON without its seal: what `edit` shows and what the seal covers.
    pub fn body(&self) -> Value {
        let mut value = serde_json::to_value(self).expect("a profile serializes");
        if let Value::Object(map) = &mut value {
            map.remove("mac");
        }
        value
    }

    /// Parses an unsealed body (as edited by a user) into a profile named `name`.
    pub fn from_body(name: &ProfileName, mut body: Value) -> Result<Profile> {
        let invalid = |reason: String| VaultError::InvalidProfile {
            name: name.to_string(),
            reason,
        };
        match &mut body {
            Value::Object(map) => {
                if map.contains_key("mac") {
                    return Err(invalid(
                        "remove the `mac` field: fbvault computes it".into(),
                    ));
                }
                map.insert("mac".into(), Value::String(String::new()));
            }
            _ => return Err(invalid("expected a JSON object".into())),
        }
        first_name(&mut body).map_err(invalid)?;
        let profile: Profile = serde_json::from_value(body).map_err(|e| invalid(e.to_string()))?;
        profile.check(name)?;
        Ok(profile)
    }

    /// Checks the invariants serde cannot: format, name, unique token names.
    pub fn check(&self, name: &ProfileName) -> Result<()> {
        let invalid = |reason: String| VaultError::InvalidProfile {
            name: name.to_string(),
            reason,
        };
        if self.format != PROFILE_FORMAT {
            return Err(invalid(format!(
                "format {} is not supported (this fbvault reads format {PROFILE_FORMAT})",
                self.format
            )));
        }
        if self.name != name.as_str() {
            return Err(invalid(format!(
                "its name field says `{}`; a profile cannot be renamed by editing it",
                self.name
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &self.tokens {
            if !seen.insert(t.name.as_str()) {
                return Err(invalid(format!("two tokens are named `{}`", t.name)));
            }
        }
        Ok(())
    }

    /// Sets `mac` to the seal of the current content.
    pub fn seal(&mut self, team_key: &Secret) {
        self.mac = seal::seal(team_key, &self.name, &self.body());
    }

    /// Serializes the sealed profile (the plaintext handed to age).
    pub fn to_plaintext(&self) -> zeroize::Zeroizing<Vec<u8>> {
        zeroize::Zeroizing::new(serde_json::to_vec_pretty(self).expect("a profile serializes"))
    }

    /// Parses and verifies a decrypted profile file that must be named `name`.
    pub fn open(name: &ProfileName, plaintext: &[u8], team_key: &Secret) -> Result<Profile> {
        let what = format!("profile `{name}`");
        let value: Value = serde_json::from_slice(plaintext)
            .map_err(|_| VaultError::Tampered { what: what.clone() })?;
        let mac = value
            .get("mac")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut body = value;
        if let Value::Object(map) = &mut body {
            map.remove("mac");
        }
        if !seal::verify(team_key, name.as_str(), &body, &mac) {
            return Err(VaultError::Tampered { what });
        }
        // Sealed by a member: from here on, a shape problem is a bug or a newer format.
        let shape = |reason: String| VaultError::InvalidProfile {
            name: name.to_string(),
            reason,
        };
        let mut value: Value =
            serde_json::from_slice(plaintext).map_err(|e| shape(e.to_string()))?;
        first_name(&mut value).map_err(shape)?;
        let profile: Profile = serde_json::from_value(value).map_err(|e| shape(e.to_string()))?;
        profile.check(name)?;
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A profile sealed before `inject_app_secret` became `inject_secrets` opens (its seal
    /// is over the JSON as stored), keeps its choice, and is written back under the new
    /// name.
    #[test]
    fn a_profile_written_with_the_old_field_name_opens() {
        let key = Secret::new("a-team-key-for-the-test");
        let name: ProfileName = "acme".parse().unwrap();
        let mut body = Profile::new(&name, "facebook", Utc::now()).body();
        let map = body.as_object_mut().unwrap();
        map.remove("inject_secrets")
            .expect("the new name is written");
        map.insert("inject_app_secret".into(), Value::Bool(true));
        let mac = seal::seal(&key, "acme", &body);
        body.as_object_mut()
            .unwrap()
            .insert("mac".into(), Value::String(mac));
        let plaintext = serde_json::to_vec(&body).unwrap();
        let profile = Profile::open(&name, &plaintext, &key).expect("opens");
        assert!(profile.inject_secrets);
        let written: Value = serde_json::from_slice(&profile.to_plaintext()).unwrap();
        assert_eq!(written["inject_secrets"], Value::Bool(true));
        assert!(written.get("inject_app_secret").is_none());
        // Tampering with the old field still breaks the seal.
        let changed = String::from_utf8(plaintext)
            .unwrap()
            .replace("\"inject_app_secret\":true", "\"inject_app_secret\":false");
        assert!(matches!(
            Profile::open(&name, changed.as_bytes(), &key),
            Err(VaultError::Tampered { .. })
        ));
    }

    #[test]
    fn an_edit_may_use_either_name_and_either_one_on_turns_injection_on() {
        let name: ProfileName = "acme".parse().unwrap();
        let base = Profile::new(&name, "facebook", Utc::now()).body();
        for (old, new, on) in [
            (true, false, true),
            (false, false, false),
            (false, true, true),
        ] {
            let mut body = base.clone();
            body["inject_app_secret"] = Value::Bool(old);
            body["inject_secrets"] = Value::Bool(new);
            let p = Profile::from_body(&name, body).expect("both names together are accepted");
            assert_eq!(p.inject_secrets, on, "old {old}, new {new}");
        }
        let mut only_old = base.clone();
        only_old.as_object_mut().unwrap().remove("inject_secrets");
        only_old["inject_app_secret"] = Value::Bool(true);
        assert!(Profile::from_body(&name, only_old).unwrap().inject_secrets);
        let mut wrong = base;
        wrong["inject_app_secret"] = Value::String("yes".into());
        let e = Profile::from_body(&name, wrong).unwrap_err().to_string();
        assert!(
            e.contains("`inject_app_secret` must be true or false"),
            "{e}"
        );
    }
}
