//! [`ProviderError`]: what went wrong talking to an issuer, classified so that fbvault can
//! pick the exit code (SPEC §7) without knowing the issuer.

/// The class of a provider failure. The names are the external protocol's error kinds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The issuer refused the token or the app credentials (exit 4): log in again or fix
    /// the credentials.
    InvalidGrant,
    /// The issuer could not be reached or kept failing after retries (exit 5).
    Unreachable,
    /// The issuer throttled us (exit 5).
    RateLimited,
    /// The request was wrong: a configuration or usage problem (exit 1).
    BadRequest,
    /// Anything else (exit 1).
    Internal,
}

impl ErrorKind {
    /// The protocol name of the kind (`invalid_grant`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidGrant => "invalid_grant",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Internal => "internal",
        }
    }
}

/// A provider failure: a kind, a one-line message saying what happened (never a secret,
/// never a URL that carries one), and hints saying what to do.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    /// The class, which decides the exit code.
    pub kind: ErrorKind,
    /// What happened, in words.
    pub message: String,
    /// What to do next; may mention `{profile}`, which fbvault replaces with the profile name.
    pub hints: Vec<String>,
}

impl ProviderError {
    /// An error of `kind` with a message and no hints.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ProviderError {
            kind,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// The error for a capability the provider does not have.
    pub fn unsupported(provider: &str, what: &str) -> Self {
        ProviderError::new(
            ErrorKind::BadRequest,
            format!("the {provider} provider cannot {what}"),
        )
    }
}
