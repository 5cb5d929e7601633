//! `fbvault login NAME`: give a profile a fresh token; a short-lived user token is
//! exchanged for a long-lived one and the page tokens are derived again. A new login is
//! the only real refresh of a Facebook user token.

use chrono::Utc;
use fbvault_provider::Secret;

use crate::cli::grant::{self, Sources};
use crate::cli::{CliError, Ctx};
use crate::vault::ProfileName;

/// Give a profile a new token: the way to a fresh user token (Facebook does not extend one).
///
/// The token is looked at with debug_token first: a short-lived user token is exchanged for
/// a long-lived one; a long-lived user, page or system-user token is stored as given. The
/// token comes from --token-stdin, SHORT_TOKEN with --from-env, or a no-echo prompt.
///
/// Example: pbpaste | fbvault login acme --token-stdin
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The profile
    name: ProfileName,
    /// Read the token from standard input
    #[arg(long)]
    token_stdin: bool,
    /// Read the token from SHORT_TOKEN
    #[arg(long)]
    from_env: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let profile = session.read(&args.name)?;
    let provider = session.provider(&profile)?;
    let sources = Sources {
        from_env: args.from_env,
        secret_stdin: false,
        token_stdin: args.token_stdin,
    };
    let given = grant::from_stdin(sources)?;
    // A provider that needs no user grant is called without one (and nobody is prompted).
    let tokenless = provider.describe().tokenless();
    let prompt = format!("Short-lived user token for {}: ", args.name);
    let token = grant::token(
        sources,
        given.token,
        (!tokenless).then_some(prompt.as_str()),
    )
    .or_else(|| tokenless.then(|| Secret::new(String::new())))
    .ok_or_else(|| {
        CliError::usage("no token given")
            .hint("pass it on standard input with --token-stdin, or in SHORT_TOKEN with --from-env")
    })?;
    let _lock = session.vault.profile_lock(&args.name)?;
    // Re-read under the profile lock: a refresh may have finished meanwhile.
    let profile = session.read(&args.name)?;
    let now = Utc::now();
    let set = session.login(provider.as_ref(), &profile, token, true, now)?;
    let stored = session.store_tokens(&args.name, set)?;
    session.report(format!("logged in {}", args.name), &stored, now);
    Ok(0)
}
