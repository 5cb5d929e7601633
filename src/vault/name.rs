//! [`ProfileName`]: a validated profile name. Every path under `profiles/` is built from one,
//! so a name is checked before any file is touched.

use std::fmt;
use std::str::FromStr;

/// A profile name matching `^[a-z0-9][a-z0-9._-]{0,63}$`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProfileName(String);

/// Why a string is not a profile name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid profile name `{0}`: use 1 to 64 characters from a-z, 0-9, `.`, `_` and `-`, starting with a letter or digit"
)]
pub struct InvalidName(pub String);

impl ProfileName {
    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ProfileName {
    type Err = InvalidName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        let first_ok = bytes
            .first()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let rest_ok = bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(b));
        if first_ok && rest_ok && bytes.len() <= 64 {
            Ok(ProfileName(s.to_string()))
        } else {
            // Keep the echoed name printable and short.
            let shown: String = s.chars().take(80).flat_map(char::escape_default).collect();
            Err(InvalidName(shown))
        }
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_names() {
        for ok in ["a", "acme", "acme-page_2.prod", "0", &"a".repeat(64)] {
            assert!(ok.parse::<ProfileName>().is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_invalid_names() {
        for bad in [
            "",
            "Acme",
            "-acme",
            ".acme",
            "_a",
            "a/b",
            "..",
            "../x",
            "a b",
            "é",
            "a\0",
            &"a".repeat(65),
        ] {
            assert!(bad.parse::<ProfileName>().is_err(), "{bad:?}");
        }
    }
}
