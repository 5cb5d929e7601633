//! `fbvault import FILE NAME`: make a profile from the `.env` file of the old hand-run
//! script: `APP_ID`, `APP_SECRET`, and `SHORT_TOKEN` (exchanged) or `LONG_TOKEN` (kept;
//! its expiry learned from `debug_token`).

use std::path::PathBuf;

use chrono::Utc;
use fbvault_provider::Secret;

use crate::cli::{CliError, Ctx};
use crate::vault::{Profile, ProfileName};

/// Make a profile from a .env file holding APP_ID, APP_SECRET and SHORT_TOKEN or
/// LONG_TOKEN.
///
/// A SHORT_TOKEN is exchanged for a long-lived one; a LONG_TOKEN is kept as it is, with its
/// real expiry read from Facebook. Also accepted: FB_APP_ID, FB_APP_SECRET, and
/// FB_ACCESS_TOKEN / FB_USER_ACCESS_TOKEN for LONG_TOKEN; PAGE_ID or FB_PAGE_ID selects a
/// page. The file is left as it is: delete it once the profile works.
///
/// Example: fbvault import .env acme && shred -u .env
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The .env file
    file: PathBuf,
    /// The profile to create
    name: ProfileName,
}

fn first(
    env: &std::collections::BTreeMap<String, zeroize::Zeroizing<String>>,
    keys: &[&str],
) -> Option<String> {
    keys.iter()
        .filter_map(|k| env.get(*k))
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    session.require_new(&args.name)?;
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(&args.file)
            .map_err(|e| CliError::new(format!("cannot read {}: {e}", args.file.display())))?,
    );
    let env = crate::dotenv::parse(&text)
        .map_err(|e| CliError::new(format!("{}: {e}", args.file.display())))?;
    let missing = |what: &str| {
        CliError::new(format!("{} has no {what}", args.file.display()))
            .hint("expected APP_ID, APP_SECRET, and SHORT_TOKEN or LONG_TOKEN")
    };
    let app_id = first(&env, &["APP_ID", "FB_APP_ID"]).ok_or_else(|| missing("APP_ID"))?;
    let secret =
        first(&env, &["APP_SECRET", "FB_APP_SECRET"]).ok_or_else(|| missing("APP_SECRET"))?;
    let short = first(&env, &["SHORT_TOKEN"]);
    let long = first(
        &env,
        &["LONG_TOKEN", "FB_USER_ACCESS_TOKEN", "FB_ACCESS_TOKEN"],
    );
    let (token, exchange) = match (short, long) {
        (Some(t), _) => (t, true),
        (None, Some(t)) => (t, false),
        (None, None) => return Err(missing("SHORT_TOKEN or LONG_TOKEN")),
    };

    let now = Utc::now();
    let mut profile = Profile::new(&args.name, "facebook", now);
    profile.config.insert("app_id".into(), app_id);
    if let Some(page) = first(&env, &["PAGE_ID", "FB_PAGE_ID"]) {
        profile.config.insert("page_id".into(), page);
    }
    profile
        .secrets
        .insert("app_secret".into(), Secret::new(secret));
    let provider = session.provider(&profile)?;
    let set = session.login(
        provider.as_ref(),
        &profile,
        Secret::new(token),
        exchange,
        now,
    )?;
    session.show_notes(args.name.as_str(), &set);
    profile.tokens = set.tokens;
    session.create(&mut profile)?;
    let how = if exchange {
        "short-lived token exchanged"
    } else {
        "long-lived token kept"
    };
    let headline = format!(
        "imported {} from {} ({how})",
        args.name,
        args.file.display()
    );
    session.report(headline, &profile, now);
    ctx.ui.info(format!(
        "{} still holds the secrets in clear: delete it once `fbvault run -p {} -- …` works",
        args.file.display(),
        args.name
    ));
    Ok(0)
}
