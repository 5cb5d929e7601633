//! [`LoginError`]: how a browser or device login can fail before a token is stored; the
//! command line words each one with its hints and exit code (`cli/error.rs`).

/// A login that did not obtain a token.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The profile's provider has no login of this kind.
    #[error("{profile}: the `{provider}` provider has no {kind} login")]
    Lacks {
        /// The profile.
        profile: String,
        /// Its provider.
        provider: String,
        /// `browser` or `device`.
        kind: &'static str,
        /// The flag of the login it has instead, if any (`--web`).
        other: Option<&'static str>,
    },
    /// A device login without the app's client token.
    #[error("{profile}: a device login needs the app's client token")]
    NoClientToken {
        /// The profile.
        profile: String,
        /// Where the provider's app dashboard shows it.
        place: String,
    },
    /// No randomness for `state` and the PKCE verifier.
    #[error("the operating system gave no random numbers for the login")]
    NoRandom,
    /// The person declined in the browser.
    #[error("{profile}: the login was not approved in the browser ({why}); nothing was stored")]
    Denied {
        /// The profile.
        profile: String,
        /// The issuer's error and reason, escaped.
        why: String,
    },
    /// The device code expired before anyone approved it.
    #[error("{profile}: the device login code expired before it was approved; nothing was stored")]
    DeviceCodeExpired {
        /// The profile.
        profile: String,
    },
    /// The loopback port is taken.
    #[error(
        "{profile}: cannot wait for the login: port {port} on 127.0.0.1 is in use (another program, or another fbvault login)"
    )]
    PortInUse {
        /// The profile.
        profile: String,
        /// The port.
        port: u16,
    },
    /// The browser did not come back in time.
    #[error("{profile}: no answer from the browser within {seconds} s; nothing was stored")]
    TimedOut {
        /// The profile.
        profile: String,
        /// How long it waited.
        seconds: u64,
        /// Whether the provider also has a device login (the way on a machine without a
        /// browser).
        device: bool,
    },
    /// The loopback listener failed otherwise.
    #[error("{profile}: cannot wait for the login: {message}")]
    Listener {
        /// The profile.
        profile: String,
        /// What failed.
        message: String,
    },
}
