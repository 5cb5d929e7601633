//! `fbvault list`: the profiles with their provider and token expiry.

use chrono::Utc;

use crate::cli::format::when;
use crate::cli::sanitize::escape;
use crate::cli::ui::table;
use crate::cli::{CliError, Ctx};
use crate::status::{extras, row};

/// List the profiles, with provider and user-token expiry.
///
/// Prints what it can read; a profile that cannot be opened is reported on stderr and
/// makes the exit code non-zero.
///
/// Examples:
///   fbvault list
///   fbvault list --json | jq -r '.[] | select(.state != "ok") | .profile'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Days before expiry that count as "expiring"
    #[arg(long, default_value_t = 7, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=3650))]
    warn_days: i64,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let now = Utc::now();
    let (profiles, failure) = session.read_all_reporting()?;
    let rows: Vec<_> = profiles
        .iter()
        .map(|p| {
            let extras = extras(p, &ctx.paths, now);
            row(p, p.primary_token(), now, args.warn_days, &extras)
        })
        .collect();
    if ctx.ui.json {
        ctx.ui.out_json(&rows);
    } else if rows.is_empty() && failure.is_none() {
        ctx.ui
            .info("no profiles yet; add one with `fbvault add NAME --app-id ID`");
    } else {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.profile.clone(),
                    escape(&r.provider).into_owned(),
                    r.kind.clone().unwrap_or_else(|| "-".into()),
                    if r.kind.is_some() {
                        when(r.expires_at)
                    } else {
                        "-".into()
                    },
                    super::status::painted(ctx, r.state),
                ]
            })
            .collect();
        for line in table(
            &["PROFILE", "PROVIDER", "TOKEN", "EXPIRES", "STATE"],
            &cells,
        ) {
            ctx.ui.out(line);
        }
    }
    Ok(failure.map_or(0, |f| CliError::from(f).code))
}
