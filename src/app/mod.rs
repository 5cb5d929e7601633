//! The use cases between the command line ([`crate::cli`]) and the vault and providers:
//! decisions that do not parse, print or pick exit codes. So far: the refresh policy and
//! its back-off ([`refresh`]) and the profile-selection rule ([`select`]). [`crate::cli::Session`] applies it under the profile lock.

pub mod refresh;
pub mod select;
