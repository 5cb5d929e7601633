//! fbvault keeps Facebook/Meta app credentials and access tokens in an age-encrypted vault,
//! keeps the tokens fresh through provider plugins, and hands them to programs as
//! environment variables.
//!
//! The library is everything but argument parsing: [`vault`] owns the files and the
//! cryptography, [`providers`] finds the provider of a profile, [`runner`] builds a child's
//! environment and runs it, [`app`] holds the use cases between them and the command line
//! (session, selection, refresh policy, preparing a run), [`config`] reads flags, the
//! environment and `fbvault.toml` in one place, and [`cli`] is one module per subcommand on
//! top of them.
#![forbid(unsafe_code)]

pub mod app;
pub mod cli;
pub mod config;
pub mod git;
pub mod hardening;
pub mod login;
pub mod providers;
/// The external bridge, now under [`providers`]; the old path still works.
pub use providers::external;
pub mod runner;
pub mod status;
pub mod vault;
