//! `fbvault import FILE NAME`: make a profile from the `.env` file of the old hand-run
//! script: the provider's fields under the names it gives
//! ([`TokenProvider::import_names`](fbvault_provider::TokenProvider::import_names); for
//! Facebook `APP_ID`, `APP_SECRET`), and a token to exchange (`SHORT_TOKEN`) or to keep
//! (`LONG_TOKEN`).

use std::path::PathBuf;

use chrono::Utc;
use fbvault_provider::{Description, ImportNames, Secret};

use crate::app::AppError;
use crate::app::refresh::Failure;
use crate::cli::commands::add;
use crate::cli::{CliError, Ctx};
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
/// With --provider, the file holds that provider's fields, each under its name in capitals
/// (APP_SECRET for app_secret), and LONG_TOKEN or SHORT_TOKEN.
///
/// Examples:
///   fbvault import .env acme && shred -u .env
///   fbvault import ig.env shop-ig --provider instagram
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The .env file
    file: PathBuf,
    /// The profile to create
    name: ProfileName,
    /// The provider whose fields and tokens the file holds
    #[arg(long, default_value = crate::providers::DEFAULT, value_name = "NAME")]
    provider: String,
}

/// A parsed `.env` file.
type Env = std::collections::BTreeMap<String, zeroize::Zeroizing<String>>;

/// The first of `keys` that `env` holds, not blank, trimmed.
fn first(env: &Env, keys: &[String]) -> Option<String> {
    keys.iter()
        .filter_map(|k| env.get(k))
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
}

/// What a file should hold: `APP_ID, APP_SECRET, and SHORT_TOKEN or LONG_TOKEN` (the
/// required fields, then `tokens`).
fn expected(names: &ImportNames, described: &Description, tokens: &str) -> String {
    let required: Vec<&str> = names
        .fields
        .iter()
        .filter(|(f, _)| described.fields.iter().any(|d| &d.name == f && d.required))
        .filter_map(|(_, vars)| vars.first().map(String::as_str))
        .collect();
    if required.is_empty() {
        tokens.to_string()
    } else {
        format!("{}, and {tokens}", required.join(", "))
    }
}

/// Copies the declared fields found in `env` into `profile` (secrets among its secrets);
/// `Err` names the variable of the first required field that is missing.
fn read_fields(
    profile: &mut Profile,
    described: &Description,
    names: &ImportNames,
    env: &Env,
) -> Result<(), String> {
    for (field, vars) in &names.fields {
        let Some(spec) = described.fields.iter().find(|d| &d.name == field) else {
            continue;
        };
        match first(env, vars) {
            Some(value) if spec.secret => {
                profile.secrets.insert(field.clone(), Secret::new(value));
            }
            Some(value) => {
                profile.config.insert(field.clone(), value);
            }
            None if spec.required => return Err(vars.first().unwrap_or(field).clone()),
            None => {}
        }
    }
    Ok(())
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    session.require_new(&args.name)?;
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(&args.file)
            .map_err(|e| CliError::new(format!("cannot read {}: {e}", args.file.display())))?,
    );
    let env = crate::cli::dotenv::parse(&text)
        .map_err(|e| CliError::new(format!("{}: {e}", args.file.display())))?;
    let now = Utc::now();
    let mut profile = Profile::new(&args.name, &args.provider, now);
    let provider = session.provider(&profile)?;
    let described = provider.describe();
    let names = provider.import_names();
    let label = |list: &[String], or: &str| list.first().cloned().unwrap_or_else(|| or.into());
    let (long_name, short_name) = (
        label(&names.long, "LONG_TOKEN"),
        label(&names.short, "SHORT_TOKEN"),
    );
    let missing = |what: &str| {
        CliError::new(format!("{} has no {what}", args.file.display())).hint(format!(
            "expected {}",
            expected(&names, &described, &format!("{short_name} or {long_name}"))
        ))
    };
    read_fields(&mut profile, &described, &names, &env).map_err(|var| missing(&var))?;
    provider
        .validate(&profile.data())
        .map_err(|e| CliError::provider(e, args.name.as_str()))?;
    let short = first(&env, &names.short).map(Secret::new);
    let long = first(&env, &names.long).map(Secret::new);
    let tokenless = described.tokenless();
    if short.is_none() && long.is_none() && !tokenless {
        return Err(missing(&format!("{short_name} or {long_name}")));
    }
    let again = format!(
        "`fbvault import {} {}` again (nothing was stored)",
        args.file.display(),
        args.name
    );
    let login = |token: Secret| session.login(provider.as_ref(), &profile, token, true, now);
    let new_profile = |e: AppError| add::for_new_profile(e.into(), args.name.as_str(), &again);
    // The old script wrote LONG_TOKEN next to the SHORT_TOKEN it exchanged, which died an
    // hour later: the long-lived one goes first, the short one is the fallback.
    let (set, how) = match (long, short) {
        (Some(long), None) => (
            login(long).map_err(new_profile)?,
            format!("used {long_name}"),
        ),
        (None, Some(short)) => (
            login(short).map_err(new_profile)?,
            format!("used {short_name}"),
        ),
        (Some(long), Some(short)) => match login(long) {
            Ok(set) => (set, format!("used {long_name}; {short_name} not needed")),
            Err(e) if e.failure() == Some(Failure::Refused) => {
                let set = login(short).map_err(new_profile)?;
                let why = match &e {
                    AppError::Provider { error, .. } => error.message.clone(),
                    other => other.to_string(),
                };
                (
                    set,
                    format!("used {short_name}; {long_name} refused: {why}"),
                )
            }
            Err(e) => return Err(new_profile(e)),
        },
        // A provider that needs no user grant is called without one.
        (None, None) => (
            login(Secret::new(String::new())).map_err(new_profile)?,
            "no token needed".to_string(),
        ),
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
