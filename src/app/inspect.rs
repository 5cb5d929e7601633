//! Asking a provider about the live tokens (`inspect`) and recording what it says about
//! their validity: a token the issuer calls invalid is marked so in the vault (`status`
//! shows it), one it calls valid again loses the mark.

use fbvault_provider::Inspection;

use super::{AppError, Session};
use crate::vault::ProfileName;

/// Asks about one profile's tokens and marks the ones whose validity changed. With
/// `skip_empty` (`--all`), a profile without tokens gives no rows instead of an error.
pub fn inspect(
    session: &Session,
    name: &ProfileName,
    only: Option<&str>,
    skip_empty: bool,
) -> Result<Vec<Inspection>, AppError> {
    // Under the profile lock: a login or refresh cannot swap a token between the question
    // and the mark.
    let _lock = session.vault.profile_lock(name)?;
    let profile = session.read(name)?;
    let provider = session.provider(&profile)?;
    if skip_empty && profile.tokens.is_empty() {
        return Ok(Vec::new());
    }
    let _busy = session.reporter.busy(&format!("{name}: inspecting"));
    let found = provider
        .inspect(&fbvault_provider::Context::now(), &profile.data(), only)
        .map_err(|e| AppError::provider(e, name.as_str()))?;
    let changed = found.iter().any(|i| {
        profile
            .token(&i.token)
            .is_some_and(|t| t.invalid.is_some() == i.valid)
    });
    if changed {
        session.update(name, |p| {
            for i in &found {
                let asked = profile.token(&i.token).map(|t| &t.value);
                let same =
                    |t: &&mut fbvault_provider::Token| t.name == i.token && Some(&t.value) == asked;
                if let Some(t) = p.tokens.iter_mut().find(same) {
                    t.invalid = if i.valid {
                        None
                    } else {
                        Some(i.error.clone().unwrap_or_else(|| "invalid".into()))
                    };
                }
            }
        })?;
    }
    Ok(found)
}
