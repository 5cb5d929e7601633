//! [`Secret`]: a string that zeroizes on drop and never shows itself in `Debug` output.
//!
//! It serializes to its plain value on purpose: the only serializers that see it are the one
//! that writes the plaintext handed straight to age for encryption, and the one that writes an
//! external plugin's request to its stdin.

use std::fmt;

use schemars::JsonSchema;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string (app secret, access token). `Debug` prints `Secret(***)`.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a value; the `String` is moved, not copied.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The value, for the few places that must use it (an HTTP request, the child's env).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }

    /// A masked preview for humans, like `EAAB…9xQ`: at most 4 leading and 3 trailing
    /// characters, and only for values long enough that the preview gives nothing away.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.expose().chars().collect();
        if chars.len() < 16 {
            return "***".to_string();
        }
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 3..].iter().collect();
        format!("{head}…{tail}")
    }
}

/// Replaces every occurrence of each secret (4 characters or longer) in `text` with `***`:
/// for text that came from outside (an issuer's error message, a plugin's stderr) and may
/// echo what it was sent.
pub fn redact<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut text = text.to_string();
    for secret in secrets.into_iter().filter(|s| s.len() >= 4) {
        if text.contains(secret) {
            text = text.replace(secret, "***");
        }
    }
    text
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl PartialEq for Secret {
    /// Compares in constant time for equal lengths, so equality checks leak no prefix.
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.expose().as_bytes(), other.expose().as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

impl JsonSchema for Secret {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Secret".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A secret value (app secret or access token), stored only inside age-encrypted files."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("EAABsupersecrettokenvalue9xQ");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert!(!format!("{:?}", vec![s.clone()]).contains("supersecret"));
    }

    #[test]
    fn masked_keeps_only_a_short_head_and_tail() {
        assert_eq!(
            Secret::new("EAABsupersecrettokenvalue9xQ").masked(),
            "EAAB…9xQ"
        );
        assert_eq!(Secret::new("short").masked(), "***");
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(Secret::new("abc"), Secret::new("abc"));
        assert_ne!(Secret::new("abc"), Secret::new("abd"));
        assert_ne!(Secret::new("abc"), Secret::new("abcd"));
    }

    #[test]
    fn redact_replaces_every_secret() {
        assert_eq!(
            redact("a EAABtok b EAABtok c key1", ["EAABtok", "key1", "x"]),
            "a *** b *** c ***"
        );
    }

    #[test]
    fn serde_round_trip() {
        let s: Secret = serde_json::from_str("\"v\"").unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"v\"");
    }
}
