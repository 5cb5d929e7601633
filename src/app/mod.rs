//! The use cases between the command line ([`crate::cli`]) and the vault and providers.
//! Nothing here parses arguments, prints, or picks an exit code: failures are typed
//! ([`AppError`]) and remarks go to a [`Reporter`].
//!
//! - [`session`]: an opened vault and the read/modify/write patterns commands share,
//!   refreshing under the profile lock;
//! - [`refresh`]: the refresh policy and its back-off;
//! - [`select`]: the profile-selection rule;
//! - [`run`]: preparing a run (`run` and `env`);
//! - [`inspect`]: asking about the live tokens and marking the invalid ones;
//! - [`batch`]: working on every profile a few at a time (`--all`).

pub mod batch;
pub mod error;
pub mod inspect;
pub mod refresh;
pub mod report;
pub mod run;
pub mod select;
pub mod session;

pub use error::AppError;
pub use refresh::Refreshed;
pub use report::Reporter;
pub use session::{Opened, Session};
