//! `fbvault run -- CMD`: decrypt one profile, refresh it when due, and run CMD with the
//! tokens in its environment (exec on Unix; a masking parent with `--mask`).

use std::ffi::OsString;

use crate::app;
use crate::cli::{CliError, Ctx};
use crate::runner::{self, Var};
use crate::vault::ProfileName;

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

/// Opens the vault and prepares the selected profile's variables ([`app::run::prepare`]).
pub fn prepare(ctx: &Ctx, select: &Select) -> Result<Vec<Var>, CliError> {
    let session = ctx.session()?;
    let request = app::run::Request {
        given: select.name.as_ref().or(select.profile.as_ref()),
        page: select.page.clone(),
        no_refresh: select.no_refresh,
    };
    Ok(app::run::prepare(&session, ctx.project.as_ref(), &request)?)
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let vars = prepare(ctx, &args.select)?;
    let start_error = |e: runner::StartError| CliError::with_code(e.code, e.message);
    if args.mask {
        return runner::mask::run(&args.command, &vars).map_err(start_error);
    }
    Err(start_error(runner::exec(&args.command, &vars)))
}
