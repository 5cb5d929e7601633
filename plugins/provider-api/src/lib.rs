//! `fbvault-provider`: the contract between fbvault and the providers that keep its tokens fresh.
//!
//! A *provider* knows one token issuer (Facebook's Graph API, Instagram, Threads, …). fbvault
//! owns the files, the encryption, the locking and the command line; a provider owns the
//! network and the issuer's rules. The two meet in this crate:
//!
//! - [`TokenProvider`], the sync trait every provider implements (built-in crates under
//!   `plugins/`, and the bridge to external `fbvault-provider-NAME` executables);
//! - the data it works on: [`ProfileData`] in, [`TokenSet`] out, tokens as [`Token`] whose
//!   values are [`Secret`]s that never print;
//! - [`ProviderError`], whose [`ErrorKind`] decides fbvault's exit code;
//! - [`protocol`], the JSON request and response of external plugins (protocol v1);
//! - with the `http` feature, `http`: the blocking HTTP client the built-in providers share.
#![forbid(unsafe_code)]

mod error;
#[cfg(feature = "http")]
pub mod http;
mod import;
pub mod log;
pub mod protocol;
mod provider;
mod secret;
mod setup;
mod suggest;
#[cfg(feature = "testkit")]
pub mod testkit;
mod token;
mod web;

pub use error::{ErrorKind, ProviderError};
pub use import::ImportNames;
pub use provider::{
    Capability, Context, Description, EnvOptions, EnvVar, FieldSpec, Inspection, LoginInput,
    LoginSpec, ProfileData, RefreshNeed, StatusExtras, TokenProvider, TokenSet, check_known_fields,
    check_required_fields, default_refresh_need, missing_required_field,
};
pub use secret::{Secret, redact};
pub use setup::{DEFAULT_TIMEOUT, Setup};
pub use suggest::{closest, did_you_mean};
pub use token::{Token, TokenKind};
pub use web::{Authorize, DeviceCode, DeviceLogin, DevicePoll, WebLogin, split_scopes};
