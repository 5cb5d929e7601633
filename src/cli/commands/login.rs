//! `fbvault login NAME`: give a profile a fresh token, pasted (`--token-stdin`), from a
//! browser (`--web`) or from another device (`--device`). A short-lived user token is
//! exchanged for a long-lived one and the page tokens are derived again. A new login is
//! the only real refresh of a Facebook user token.

use chrono::Utc;
use fbvault_provider::{Secret, TokenProvider};

use crate::cli::grant::{self, Sources};
use crate::cli::{CliError, Ctx, prompt};
use crate::login::{self, How};
use crate::vault::ProfileName;

/// Give a profile a new token: the way to a fresh user token (Facebook does not extend one).
///
/// --web opens the provider's login page (Facebook's login dialog, Instagram's or
/// Threads' authorize page) in the browser ($BROWSER, else xdg-open/open; the URL is
/// always printed, for a browser on another machine) and waits on 127.0.0.1:PORT for the
/// redirect to http://localhost:PORT/callback (port 8765 unless --port, which Facebook
/// profiles remember; register that URI in the app's login settings). It gives up after
/// FBVAULT_LOGIN_TIMEOUT seconds (300). --device prints a code to enter at
/// facebook.com/device, for machines without a browser; it needs the app's client token.
/// Otherwise the token comes from --token-stdin, SHORT_TOKEN with --from-env, or a
/// no-echo prompt. Every token is looked at with debug_token first; a short-lived user
/// token is exchanged.
///
/// Examples:
///   fbvault login acme --web
///   fbvault login acme --device --client-token-stdin < client-token.txt
///   pbpaste | fbvault login acme --token-stdin
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    which: crate::cli::select::Which,
    /// Read the token from standard input
    #[arg(long, conflicts_with_all = ["web", "device"])]
    token_stdin: bool,
    /// Read the token from SHORT_TOKEN
    #[arg(long, conflicts_with_all = ["web", "device"])]
    from_env: bool,
    /// Log in in a browser (OAuth code flow with PKCE, loopback redirect)
    #[arg(long, conflicts_with = "device")]
    web: bool,
    /// Log in with a code entered on another device (Facebook Login for Devices)
    #[arg(long)]
    device: bool,
    /// The loopback port of --web (remembered in the profile; default 8765)
    #[arg(long, requires = "web", value_parser = clap::value_parser!(u16).range(1..))]
    port: Option<u16>,
    /// Print the login URL without starting a browser
    #[arg(long, requires = "web")]
    no_browser: bool,
    /// Permissions to ask for, comma separated (default
    /// pages_show_list,pages_read_engagement,pages_manage_posts; plus what the profile had)
    #[arg(long, value_name = "LIST")]
    scope: Option<String>,
    /// Read the app's client token (for --device) from standard input
    #[arg(long, requires = "device")]
    client_token_stdin: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let name = args.which.choose(ctx, &session)?;
    let profile = session.read(&name)?;
    let provider = session.provider(&profile)?;
    let obtained = match how(&args)? {
        Some(how) => Some(login::obtain(&profile, provider.as_ref(), how, &ctx.ui)?),
        None => None,
    };
    let token = match &obtained {
        Some(o) => o.token.clone(),
        None => pasted(&args, &name, provider.as_ref())?,
    };
    let now = Utc::now();
    let stored = login::store(&session, &name, provider.as_ref(), token, obtained.as_ref())?;
    crate::cli::format::report(&ctx.ui, format!("logged in {}", name), &stored, now);
    Ok(0)
}

/// The browser or device login asked for, if any.
fn how(args: &Args) -> Result<Option<How>, CliError> {
    if args.web {
        return Ok(Some(How::Web {
            port: args.port,
            scope: args.scope.clone(),
            no_browser: args.no_browser,
        }));
    }
    if !args.device {
        if args.scope.is_some() {
            return Err(CliError::usage("--scope goes with --web or --device"));
        }
        return Ok(None);
    }
    let client_token = if args.client_token_stdin {
        let mut v = prompt::stdin_secrets(1, &["the client token"])
            .map_err(|e| CliError::usage(format!("cannot read standard input: {e}")))?;
        v.pop()
    } else {
        None
    };
    Ok(Some(How::Device {
        client_token,
        scope: args.scope.clone(),
    }))
}

/// A pasted token: stdin, SHORT_TOKEN, or the prompt.
fn pasted(
    args: &Args,
    name: &ProfileName,
    provider: &dyn TokenProvider,
) -> Result<fbvault_provider::Secret, CliError> {
    let tokenless = provider.describe().tokenless();
    let sources = Sources {
        from_env: args.from_env,
        secret_stdin: false,
        token_stdin: args.token_stdin,
    };
    let given = grant::from_stdin(sources)?;
    // A provider that needs no user grant is called without one (and nobody is prompted).
    let prompt = format!("Short-lived user token for {}: ", name);
    grant::token(
        sources,
        given.token,
        (!tokenless).then_some(prompt.as_str()),
    )
    .or_else(|| tokenless.then(|| Secret::new(String::new())))
    .ok_or_else(|| {
        let logins: Vec<&str> = [
            provider.web_login().map(|_| "--web"),
            provider.device_login().map(|_| "--device"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let paste =
            "pass it on standard input with --token-stdin, or in SHORT_TOKEN with --from-env";
        CliError::usage("no token given").hint(match logins.as_slice() {
            [] => paste.to_string(),
            some => format!("{paste}, or log in with {}", some.join(" or ")),
        })
    })
}
