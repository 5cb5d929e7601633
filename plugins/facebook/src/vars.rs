//! The variables `fbvault run` injects for a Facebook profile: the access token (a page's
//! when one is selected, else the user's), an `appsecret_proof` for each token injected
//! (`FB_APPSECRET_PROOF` for `FB_ACCESS_TOKEN`, `FB_USER_…`/`FB_PAGE_APPSECRET_PROOF` for
//! the others), and the rest of SPEC §4.
//! A token that is expired or marked invalid is refused here, so a run fails closed.

use chrono::Utc;
use fbvault_provider::{
    EnvOptions, EnvVar, ErrorKind, ProfileData, ProviderError, Secret, Token, TokenKind,
};

use crate::{USER, appsecret_proof, expired, no_token};

/// Builds the variables under their standard names.
pub fn build(
    profile: &ProfileData,
    options: &EnvOptions,
    app_id: &str,
    app_secret: &Secret,
    version: &str,
) -> Result<Vec<EnvVar>, ProviderError> {
    let now = Utc::now();
    let user = profile.token(USER);
    let target = options
        .target
        .clone()
        .or_else(|| profile.config("page_id").map(str::to_string));
    let page = match &target {
        Some(wanted) => Some(find_page(profile, wanted)?),
        // A profile made from a page token alone: that page.
        None if user.is_none() => profile.tokens.iter().find(|t| t.kind == TokenKind::Page),
        None => None,
    };
    let usable = |t: &Token| -> Result<(), ProviderError> {
        if let Some(why) = &t.invalid {
            return Err(ProviderError::new(
                ErrorKind::InvalidGrant,
                format!("the {} token is invalid: {why}", t.kind.as_str()),
            )
            .hint("get a new short-lived user token and run `fbvault login {profile}`"));
        }
        if t.is_expired(now) {
            return Err(expired(t.expires_at));
        }
        Ok(())
    };
    let access = match (page, user) {
        (Some(p), _) => p,
        (None, Some(u)) => u,
        (None, None) => return Err(no_token()),
    };
    usable(access)?;
    let proof = |t: &Token| Secret::new(appsecret_proof(app_secret.expose(), t.value.expose()));
    let mut vars = vec![EnvVar::secret("FB_ACCESS_TOKEN", access.value.clone())];
    // With a page selected, a dead user token does not stop the (never-expiring) page
    // token from working; it is left out rather than injected dead.
    if let Some(u) = user.filter(|u| usable(u).is_ok()) {
        vars.push(EnvVar::secret("FB_USER_ACCESS_TOKEN", u.value.clone()));
        vars.push(EnvVar::secret("FB_USER_APPSECRET_PROOF", proof(u)));
    }
    if let Some(p) = page {
        vars.push(EnvVar::secret("FB_PAGE_ACCESS_TOKEN", p.value.clone()));
        vars.push(EnvVar::secret("FB_PAGE_APPSECRET_PROOF", proof(p)));
        vars.push(EnvVar::plain(
            "FB_PAGE_ID",
            p.subject.clone().unwrap_or_default(),
        ));
    }
    vars.push(EnvVar::plain("FB_APP_ID", app_id));
    vars.push(EnvVar::secret("FB_APPSECRET_PROOF", proof(access)));
    vars.push(EnvVar::plain("FB_GRAPH_API_VERSION", version));
    if options.include_secrets {
        vars.push(EnvVar::secret("FB_APP_SECRET", app_secret.clone()));
    }
    Ok(vars)
}

/// Finds a stored page by id, `page:<id>`, or name (case-insensitive).
fn find_page<'a>(profile: &'a ProfileData, wanted: &str) -> Result<&'a Token, ProviderError> {
    let pages: Vec<&Token> = profile
        .tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Page)
        .collect();
    pages
        .iter()
        .find(|t| t.subject.as_deref() == Some(wanted) || t.name == wanted)
        .or_else(|| {
            pages.iter().find(|t| {
                t.label
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(wanted))
            })
        })
        .copied()
        .ok_or_else(|| {
            let known: Vec<String> = pages.iter().filter_map(|p| p.subject.clone()).collect();
            let labels = pages.iter().filter_map(|p| p.label.as_deref());
            let err = ProviderError::new(
                ErrorKind::BadRequest,
                format!(
                    "no page `{wanted}` in the profile{}",
                    if known.is_empty() {
                        String::new()
                    } else {
                        format!(" (it has {})", known.join(", "))
                    }
                ),
            );
            let err = match fbvault_provider::did_you_mean(wanted, labels) {
                Some(hint) => err.hint(hint),
                None => err,
            };
            err.hint("read the user's pages with `fbvault pages {profile}`")
        })
}
