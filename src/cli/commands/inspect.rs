//! `fbvault inspect NAME`: ask the provider about the live tokens (Facebook:
//! `debug_token`) and record what it says about their validity.

use crate::cli::format::when;
use crate::cli::ui::table;
use crate::cli::{CliError, Ctx, code};
use crate::vault::ProfileName;

/// Ask Facebook about the stored tokens: validity, scopes, expiry.
///
/// A token Facebook declares invalid is marked so in the vault (status shows `invalid`),
/// and the exit code is 4.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The profile
    name: ProfileName,
    /// Only this token (`user`, a page id, or `page:<id>`)
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    // Under the profile lock: a login or refresh cannot swap a token between the question
    // and the mark.
    let _lock = session.vault.profile_lock(&args.name)?;
    let profile = session.read(&args.name)?;
    let provider = session.provider(&profile)?;
    let found = provider
        .inspect(
            &fbvault_provider::Context::now(),
            &profile.data(),
            args.token.as_deref(),
        )
        .map_err(|e| CliError::provider(e, args.name.as_str()))?;
    let changed = found.iter().any(|i| {
        profile
            .token(&i.token)
            .is_some_and(|t| t.invalid.is_some() == i.valid)
    });
    if changed {
        session.update(&args.name, |p| {
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
            Ok(())
        })?;
    }
    if ctx.ui.json {
        ctx.ui.out_json(&found);
    } else {
        let rows: Vec<Vec<String>> = found
            .iter()
            .map(|i| {
                vec![
                    i.token.clone(),
                    i.kind.clone().unwrap_or_default(),
                    if i.valid {
                        "yes".into()
                    } else {
                        format!("NO: {}", i.error.as_deref().unwrap_or("invalid"))
                    },
                    when(i.expires_at),
                    i.data_access_expires_at
                        .map_or_else(|| "-".into(), |d| d.format("%Y-%m-%d").to_string()),
                    i.scopes.join(","),
                ]
            })
            .collect();
        for line in table(
            &["TOKEN", "TYPE", "VALID", "EXPIRES", "DATA ACCESS", "SCOPES"],
            &rows,
        ) {
            ctx.ui.out(line);
        }
    }
    if found.iter().any(|i| !i.valid) {
        return Ok(code::REFUSED);
    }
    Ok(0)
}
