//! `fbvault inspect NAME | --all`: ask the provider about the live tokens (Facebook:
//! `debug_token`) and record what it says about their validity. `--all` inspects a few
//! profiles at a time.

use fbvault_provider::Inspection;

use crate::app;
use crate::cli::format::when;
use crate::cli::ui::table;
use crate::cli::{CliError, Ctx, Session, code};

/// Ask Facebook about the stored tokens: validity, scopes, expiry.
///
/// A token Facebook declares invalid is marked so in the vault (status shows `invalid`),
/// and the exit code is 4. --all asks about every profile, a few at a time.
///
/// Example: fbvault inspect acme --token user
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    which: crate::cli::select::Which,
    /// Every profile
    #[arg(long, conflicts_with_all = ["name", "profile"])]
    all: bool,
    /// Only this token (`user`, a page id, or `page:<id>`)
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
}

fn cells(profile: Option<&str>, i: &Inspection) -> Vec<String> {
    let mut row: Vec<String> = profile.map(str::to_string).into_iter().collect();
    row.extend([
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
    ]);
    row
}

const HEADERS: [&str; 6] = ["TOKEN", "TYPE", "VALID", "EXPIRES", "DATA ACCESS", "SCOPES"];

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    if args.all {
        return run_all(ctx, &session, args.token.as_deref());
    }
    let name = args.which.choose(ctx, &session)?;
    let found = app::inspect::inspect(&session, &name, args.token.as_deref(), false)?;
    if ctx.ui.json {
        ctx.ui.out_json(&found);
    } else {
        let rows: Vec<Vec<String>> = found.iter().map(|i| cells(None, i)).collect();
        for line in table(&HEADERS, &rows) {
            ctx.ui.out(line);
        }
    }
    if found.iter().any(|i| !i.valid) {
        return Ok(code::REFUSED);
    }
    Ok(0)
}

/// `--all`: every profile, a few at a time; a profile that fails is reported and the
/// others are still shown. JSON: `[{"profile", "tokens": [...]}]`.
fn run_all(ctx: &Ctx, session: &Session, only: Option<&str>) -> Result<u8, CliError> {
    let names = session.vault.names()?;
    let results = app::batch::each(&names, |name| {
        app::inspect::inspect(session, name, only, true)
    });
    let mut worst = 0u8;
    let mut json = Vec::new();
    let mut rows = Vec::new();
    for (name, result) in names.iter().zip(results) {
        match result {
            Ok(found) => {
                if found.iter().any(|i| !i.valid) {
                    worst = worst.max(code::REFUSED);
                }
                rows.extend(found.iter().map(|i| cells(Some(name.as_str()), i)));
                json.push(serde_json::json!({"profile": name.as_str(), "tokens": found}));
            }
            Err(e) => {
                let e = CliError::from(e);
                crate::cli::ui::err_line(&e.to_string());
                worst = worst.max(e.code);
            }
        }
    }
    if ctx.ui.json {
        ctx.ui.out_json(&json);
    } else {
        let mut headers = vec!["PROFILE"];
        headers.extend(HEADERS);
        for line in table(&headers, &rows) {
            ctx.ui.out(line);
        }
    }
    Ok(worst)
}
