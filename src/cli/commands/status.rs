//! `fbvault status`: every token with its expiry, data-access expiry and state; `--check`
//! for cron and CI.

use chrono::Utc;

use crate::cli::format::{outside, when};
use crate::cli::ui::table;
use crate::cli::{CliError, Ctx, code};
use fbvault_provider::StatusExtras;

use crate::status::{Row, State, extras, row};
use crate::vault::ProfileName;

/// Show when each token expires: profile, token, kind, expiry, days left, data-access
/// expiry, state (ok, expiring, expired, invalid, unknown).
///
/// With --check, exits 10 when any token is expired, invalid or inside the warning window,
/// or a profile's provider warns about it (a Facebook profile's Graph API version past or
/// within 30 days of its Marketing API end: see the version table in the README), so a
/// daily cron job can tell you before anything breaks. Each provider says what to do: log
/// in again, or refresh a token it can still extend. JSON rows also carry the provider's
/// fields (Facebook: graph_version, marketing_api_until and, for user tokens, login_by,
/// the day to log in again by; see schemas/status.schema.json).
///
/// Example: fbvault status --check --warn-days 14 || notify-send "fbvault: log in again"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only this profile (NAME or -p NAME) [default: every profile]
    #[arg(value_name = "NAME", add = crate::cli::complete::profiles())]
    name: Option<ProfileName>,
    /// Only this profile (the same as NAME)
    #[arg(short = 'p', long = "profile", value_name = "NAME", conflicts_with = "name", add = crate::cli::complete::profiles())]
    profile: Option<ProfileName>,
    /// Days before expiry that count as "expiring"
    #[arg(long, default_value_t = 7, value_name = "N", value_parser = clap::value_parser!(i64).range(0..=3650))]
    warn_days: i64,
    /// Exit 10 when a token is expired, invalid or expiring
    #[arg(long)]
    check: bool,
}

fn paint(ctx: &Ctx, state: State) -> String {
    let sgr = match state {
        State::Ok => "32",
        State::Expiring => "33",
        State::Expired | State::Invalid | State::Missing => "31",
        State::Unknown => "2",
    };
    ctx.ui.paint(state.as_str(), sgr)
}

/// A state, colored the same way in `list` and `status`.
pub fn painted(ctx: &Ctx, state: State) -> String {
    paint(ctx, state)
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let now = Utc::now();
    let (profiles, failure) = match args.name.as_ref().or(args.profile.as_ref()) {
        Some(n) => {
            crate::app::select::require(&session.vault, n)?;
            (vec![session.read(n)?], None)
        }
        None => session.read_all_reporting()?,
    };
    let extras: Vec<StatusExtras> = profiles
        .iter()
        .map(|p| extras(p, &ctx.paths, now))
        .collect();
    let rows: Vec<Row> = profiles
        .iter()
        .zip(&extras)
        .flat_map(|(p, x)| {
            if p.tokens.is_empty() {
                vec![row(p, None, now, args.warn_days, x)]
            } else {
                p.tokens
                    .iter()
                    .map(|t| row(p, Some(t), now, args.warn_days, x))
                    .collect()
            }
        })
        .collect();
    let of = |r: &Row| {
        profiles
            .iter()
            .position(|p| p.name == r.profile)
            .map(|i| &extras[i])
    };
    let token_of = |r: &Row| r.token.clone().unwrap_or_default();
    // `--check -q` (cron): only the rows that need attention, nothing when all is well.
    let shown: Vec<Row> = if args.check && ctx.ui.is_quiet() {
        rows.iter()
            .filter(|r| r.state.needs_attention() || of(r).is_some_and(|x| !x.warnings.is_empty()))
            .cloned()
            .collect()
    } else {
        rows.clone()
    };
    if ctx.ui.json {
        ctx.ui.out_json(&shown);
    } else if shown.is_empty() && !rows.is_empty() {
        // Quiet and nothing needs attention.
    } else {
        let cells: Vec<Vec<String>> = shown
            .iter()
            .map(|r| {
                let token = match (&r.token, &r.label) {
                    (None, _) => "-".to_string(),
                    (Some(t), Some(label)) => {
                        format!("{} ({})", t.replace(':', " "), outside(label))
                    }
                    (Some(t), None) => t.clone(),
                };
                vec![
                    r.profile.clone(),
                    // Token and page names come from outside.
                    crate::cli::sanitize::escape(&token).into_owned(),
                    r.kind.clone().unwrap_or_else(|| "-".into()),
                    if r.token.is_some() {
                        when(r.expires_at)
                    } else {
                        "-".into()
                    },
                    r.days_left.map_or_else(|| "-".into(), |d| d.to_string()),
                    r.data_access_expires_at
                        .map_or_else(|| "-".into(), |d| d.format("%Y-%m-%d").to_string()),
                    paint(ctx, r.state),
                ]
            })
            .collect();
        if cells.is_empty() && failure.is_none() {
            ctx.ui
                .info("no profiles yet; add one with `fbvault add NAME --app-id ID`");
        } else {
            for line in table(
                &[
                    "PROFILE",
                    "TOKEN",
                    "KIND",
                    "EXPIRES",
                    "DAYS",
                    "DATA ACCESS",
                    "STATE",
                ],
                &cells,
            ) {
                ctx.ui.out(line);
            }
        }
    }
    let warnings: Vec<(&str, &str)> = profiles
        .iter()
        .zip(&extras)
        .flat_map(|(p, x)| x.warnings.iter().map(|w| (p.name.as_str(), w.as_str())))
        .collect();
    for (name, warning) in warnings.iter().filter(|_| !ctx.ui.is_quiet() || args.check) {
        ctx.ui.warn(format!("{name}: {warning}"));
    }
    for r in rows.iter().filter(|r| r.state == State::Expiring) {
        if let Some(remark) = of(r).and_then(|x| x.expiring.get(&token_of(r))) {
            ctx.ui.info(format!("{}: {remark}", r.profile));
        }
    }
    if let Some(f) = failure {
        return Ok(CliError::from(f).code);
    }
    let attention: Vec<&Row> = rows.iter().filter(|r| r.state.needs_attention()).collect();
    if args.check && !warnings.is_empty() && attention.is_empty() {
        return Ok(code::CHECK_FAILED);
    }
    if args.check && !attention.is_empty() {
        for r in &attention {
            ctx.ui.info(if r.state == State::Missing {
                format!(
                    "{}: no token yet; give one with `fbvault login {}`",
                    r.profile, r.profile
                )
            } else {
                let login = format!("run `fbvault login {}`", r.profile);
                let advice = of(r).and_then(|x| x.advice.get(&token_of(r)));
                format!(
                    "{}: {} token is {}; {}",
                    r.profile,
                    r.token.as_deref().unwrap_or("the"),
                    r.state.as_str(),
                    advice.unwrap_or(&login)
                )
            });
        }
        return Ok(code::CHECK_FAILED);
    }
    Ok(0)
}
