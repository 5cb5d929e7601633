//! `fbvault import FILE NAME`: make a profile from the `.env` file of the old hand-run
//! script: `APP_ID`, `APP_SECRET`, and `SHORT_TOKEN` (exchanged) or `LONG_TOKEN` (kept;
//! its expiry learned from `debug_token`).

use std::path::PathBuf;

use chrono::Utc;
use fbvault_provider::Secret;

use crate::cli::commands::add;
use crate::cli::{CliError, Ctx, code};
use crate::vault::{Profile, ProfileName};

/// Make a profile from a .env file holding APP_ID, APP_SECRET and SHORT_TOKEN or
/// LONG_TOKEN.
///
/// Every token is looked at with Facebook's debug_token first: a short-lived user token is
/// exchanged for a long-lived one, a long-lived one is kept as it is, with its real expiry
/// and age read from Facebook. With both SHORT_TOKEN and LONG_TOKEN, the long-lived one is
/// used when it is valid, else the short one; the output says which. Also accepted: FB_APP_ID, FB_APP_SECRET, and
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
    let short = first(&env, &["SHORT_TOKEN"]).map(Secret::new);
    let long = first(
        &env,
        &["LONG_TOKEN", "FB_USER_ACCESS_TOKEN", "FB_ACCESS_TOKEN"],
    )
    .map(Secret::new);
    if short.is_none() && long.is_none() {
        return Err(missing("SHORT_TOKEN or LONG_TOKEN"));
    }

    let now = Utc::now();
    let mut profile = Profile::new(&args.name, crate::providers::DEFAULT, now);
    profile.config.insert("app_id".into(), app_id);
    if let Some(page) = first(&env, &["PAGE_ID", "FB_PAGE_ID"]) {
        profile.config.insert("page_id".into(), page);
    }
    profile
        .secrets
        .insert("app_secret".into(), Secret::new(secret));
    let provider = session.provider(&profile)?;
    let again = format!(
        "`fbvault import {} {}` again (nothing was stored)",
        args.file.display(),
        args.name
    );
    let login = |token: Secret| {
        session
            .login(provider.as_ref(), &profile, token, true, now)
            .map_err(|e| add::for_new_profile(e.into(), args.name.as_str(), &again))
    };
    // The old script wrote LONG_TOKEN next to the SHORT_TOKEN it exchanged, which died an
    // hour later: the long-lived one goes first, the short one is the fallback.
    let (set, how) = match (long, short) {
        (Some(long), None) => (login(long)?, "used LONG_TOKEN".to_string()),
        (None, Some(short)) => (login(short)?, "used SHORT_TOKEN".to_string()),
        (Some(long), Some(short)) => match login(long) {
            Ok(set) => (set, "used LONG_TOKEN; SHORT_TOKEN not needed".to_string()),
            Err(e) if e.code == code::REFUSED => {
                let set = login(short)?;
                let prefix = format!("{}: ", args.name);
                let why = e.message.strip_prefix(&prefix).unwrap_or(&e.message);
                (set, format!("used SHORT_TOKEN; LONG_TOKEN refused: {why}"))
            }
            Err(e) => return Err(e),
        },
        (None, None) => unreachable!("checked above"),
    };
    session.show_notes(args.name.as_str(), &set);
    profile.tokens = set.tokens;
    session.create(&mut profile)?;
    let headline = format!(
        "imported {} from {} ({how})",
        args.name,
        args.file.display()
    );
    crate::cli::format::report(&ctx.ui, headline, &profile, now);
    ctx.ui.info(format!(
        "{} still holds the secrets in clear: delete it once `fbvault run -p {} -- …` works",
        args.file.display(),
        args.name
    ));
    Ok(0)
}
