//! `fbvault run -- CMD`: decrypt one profile, refresh it when due, and run CMD with the
//! tokens in its environment (exec on Unix; a masking parent with `--mask`).

use std::ffi::OsString;

use chrono::{Duration, Utc};
use fbvault_provider::{Context, EnvOptions, RefreshNeed};

use crate::cli::format::time_left;
use crate::cli::{CliError, Ctx, Refreshed};
use crate::runner::{self, Var};
use crate::status::{State, state};
use crate::vault::{Profile, ProfileName};

/// Which profile and page, shared by `run` and `env`.
#[derive(Debug, Clone, clap::Args)]
pub struct Select {
    /// The profile [default: FBVAULT_PROFILE, then `profile` in fbvault.toml, then the only one]
    #[arg(value_name = "NAME", add = crate::cli::complete::profiles_or_commands())]
    pub name: Option<ProfileName>,
    /// The profile, as an option (the same as NAME)
    #[arg(
        short = 'p',
        long = "profile",
        value_name = "NAME",
        conflicts_with = "name",
        add = crate::cli::complete::profiles()
    )]
    pub profile: Option<ProfileName>,
    /// The page to act as: its token becomes FB_ACCESS_TOKEN (id or name)
    #[arg(long, value_name = "PAGE")]
    pub page: Option<String>,
    /// Do not refresh tokens first, even when due
    #[arg(long)]
    pub no_refresh: bool,
}

/// Run a command with the profile's tokens in its environment.
///
/// Sets FB_ACCESS_TOKEN (the page token when a page is selected, else the user token),
/// FB_USER_ACCESS_TOKEN, FB_PAGE_ACCESS_TOKEN and FB_PAGE_ID (with a page), FB_APP_ID,
/// FB_APPSECRET_PROOF (for FB_ACCESS_TOKEN), FB_USER_APPSECRET_PROOF and
/// FB_PAGE_APPSECRET_PROOF (for the user and the page token), FB_GRAPH_API_VERSION, and
/// FB_APP_SECRET only when the profile opts in. Tokens due for a refresh are refreshed
/// first (at most one attempt a day when Facebook gives the same token back).
///
/// Without --mask, fbvault replaces itself with the command: its exit status, signals and
/// terminal are the command's own. With --mask, fbvault copies the command's output with
/// every secret replaced by ***.
///
/// Example: fbvault run -p acme --page 1234567890 -- python post.py
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    select: Select,
    /// Replace secret values in the command's output with ***
    #[arg(long)]
    mask: bool,
    /// The command and its arguments
    #[arg(
        last = true,
        required = true,
        value_name = "CMD",
        value_hint = clap::ValueHint::CommandWithArguments,
        add = crate::cli::complete::commands()
    )]
    command: Vec<OsString>,
}

fn warn_about_expiry(ctx: &Ctx, profile: &Profile, vars: &[Var]) {
    let Some(user) = profile.primary_token() else {
        return;
    };
    let Some(at) = user.expires_at else { return };
    let now = Utc::now();
    let name = &profile.name;
    if at <= now {
        // The primary token was not injected (another one was, like a page's).
        if !vars.iter().any(|v| v.value.expose() == user.value.expose()) {
            ctx.ui.warn(format!(
                "{name}'s user token expired on {}; only the page token was injected. Run `fbvault login {name}`",
                at.format("%Y-%m-%d")
            ));
        }
        return;
    }
    // The same window as `status`'s default "expiring".
    if state(user, now, 7) == State::Expiring {
        let when = time_left(now, at);
        ctx.ui.warn(format!(
            "{name}'s token expires {when}; run `fbvault login {name}`"
        ));
    }
}

/// Opens, refreshes when due, and builds the variables of the selected profile.
pub fn prepare(ctx: &Ctx, select: &Select) -> Result<Vec<Var>, CliError> {
    let session = ctx.session()?;
    let which = crate::cli::select::Which {
        name: select.name.clone(),
        profile: select.profile.clone(),
    };
    let name = which.choose(ctx, &session)?;
    let mut profile = session.read(&name)?;
    let no_renames = Default::default();
    let project_env = ctx.project.as_ref().map_or(&no_renames, |p| &p.env);
    // A refused rename stops here, before a refresh could write anything.
    runner::check_renames(&profile.env, project_env).map_err(|e| CliError::new(e.to_string()))?;
    let provider = session.provider(&profile)?;
    let due = !select.no_refresh
        && provider.refresh_due(&Context::now(), &profile.data()) == RefreshNeed::Due;
    if due && session.vault.is_read_only() {
        ctx.ui.warn(format!(
            "{name}'s token is due for a refresh, but the vault is read-only here; using the stored token (a job without --read-only refreshes it)"
        ));
    } else if due {
        match session.refresh_for_run(&name) {
            Ok(
                Refreshed::Stored(fresh) | Refreshed::Unchanged(fresh) | Refreshed::Asked(fresh, _),
            ) => profile = fresh,
            // A refresh failed within the hour (maybe the one this run waited for): each
            // try costs up to ~30 s and, when throttled, extends the block.
            Ok(Refreshed::Failed(fresh, at)) => {
                profile = fresh;
                ctx.ui.warn(format!(
                    "{name}: the last refresh failed at {}; using the stored token until {} (`fbvault refresh {name}` tries now)",
                    at.format("%Y-%m-%d %H:%M UTC"),
                    (at + Duration::hours(1)).format("%Y-%m-%d %H:%M UTC")
                ));
            }
            Ok(Refreshed::NoToken) => {}
            Err(e) => {
                let still_valid = profile
                    .primary_token()
                    .is_some_and(|t| !t.is_expired(Utc::now()) && t.invalid.is_none());
                // A refusal means the token is dead whatever the clock says.
                let refused = e.failure == Some(crate::app::refresh::Failure::Refused);
                if refused || !still_valid {
                    return Err(e);
                }
                ctx.ui.warn(format!(
                    "{}; using the stored token, which is still valid",
                    e.message
                ));
            }
        }
    }
    let project = ctx.project.as_ref();
    let options = EnvOptions {
        target: select
            .page
            .clone()
            .or_else(|| project.and_then(|p| p.page.clone())),
        include_secrets: profile.inject_secrets,
    };
    let vars = provider
        .env(&profile.data(), &options)
        .map_err(|e| CliError::provider(e, name.as_str()))?;
    let renames = profile.env.keys().chain(project_env.keys());
    // Known: what this profile's provider and every built-in one may inject.
    let known = || {
        let mut all = provider.describe().all_variables();
        all.extend(crate::providers::builtin_variables());
        all
    };
    for key in runner::unknown_renames(renames, &vars, known) {
        ctx.ui.warn(format!(
            "the rename of `{key}` matches no variable (a typo?)"
        ));
    }
    let vars = runner::apply_renames(vars, &profile.env, project_env)
        .map_err(|e| CliError::new(e.to_string()))?;
    warn_about_expiry(ctx, &profile, &vars);
    Ok(vars)
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let vars = prepare(ctx, &args.select)?;
    let start_error = |e: runner::StartError| CliError::with_code(e.code, e.message);
    if args.mask {
        return runner::mask::run(&args.command, &vars).map_err(start_error);
    }
    Err(start_error(runner::exec(&args.command, &vars)))
}
