//! `fbvault add NAME`: create a profile from the app's credentials and, with a short-lived
//! token, exchange it at once for a long-lived one (and the page tokens).

use chrono::Utc;
use fbvault_provider::{FieldSpec, TokenProvider};

use crate::cli::grant::{self, Sources};
use crate::cli::{CliError, Ctx, prompt};
use crate::login::{self, How};
use crate::vault::{Profile, ProfileName};

/// Add a profile: an app's id and secret, and its tokens.
///
/// Secrets never go on the command line: the app secret comes from --app-secret-stdin,
/// from APP_SECRET with --from-env, or from a no-echo prompt; the short-lived user token
/// from --token-stdin, SHORT_TOKEN with --from-env, or a prompt. With both on stdin, the
/// secret is the first line and the token the second.
///
/// fbvault looks at a token with Facebook's debug_token before anything else: only a
/// user token with less than a day to live is exchanged for a long-lived one; a
/// long-lived user token is kept as given, a page token is stored as that page's token,
/// and a system-user token (Business Manager) as kind system_user. With --no-exchange,
/// no token is ever exchanged. With --web, the token comes from the provider's login
/// page in the browser (see `fbvault login --help`).
///
/// Examples:
///   printf '%s\n' "$SECRET" | fbvault add acme --app-id 123 --app-secret-stdin --web
///   APP_ID=123 APP_SECRET=… SHORT_TOKEN=EAAB… fbvault add acme --from-env
///   printf '%s\n%s\n' "$SECRET" "$TOKEN" | fbvault add acme --app-id 123 --app-secret-stdin --token-stdin
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The profile name (a-z, 0-9, `.`, `_`, `-`)
    name: ProfileName,
    /// The Meta app id (or APP_ID with --from-env)
    #[arg(long, value_name = "ID")]
    app_id: Option<String>,
    /// The provider
    #[arg(long, default_value = crate::providers::DEFAULT)]
    provider: String,
    /// The page whose token `run` injects as FB_ACCESS_TOKEN
    #[arg(long, value_name = "PAGE_ID")]
    page: Option<String>,
    /// The Graph API version to call, like v27.0 (the default: the newest fbvault knows)
    #[arg(long, value_name = "V")]
    graph_version: Option<String>,
    /// The Graph API base URL (FBVAULT_GRAPH_URL overrides it)
    #[arg(long, value_name = "URL", hide = true)]
    graph_url: Option<String>,
    /// Read APP_ID, APP_SECRET and SHORT_TOKEN from the environment
    #[arg(long)]
    from_env: bool,
    /// Read the app secret from standard input
    #[arg(long)]
    app_secret_stdin: bool,
    /// Read the short-lived token from standard input
    #[arg(long, conflicts_with = "web")]
    token_stdin: bool,
    /// Get the token by logging in in a browser (see `fbvault login --help`)
    #[arg(long, conflicts_with = "no_exchange")]
    web: bool,
    /// The loopback port of --web (remembered in the profile; default 8765)
    #[arg(long, requires = "web", value_parser = clap::value_parser!(u16).range(1..))]
    port: Option<u16>,
    /// Print the login URL without starting a browser
    #[arg(long, requires = "web")]
    no_browser: bool,
    /// Permissions --web asks for, comma separated
    #[arg(long, value_name = "LIST", requires = "web")]
    scope: Option<String>,
    /// Do not exchange: alone, store the credentials only (no network); with a token on
    /// stdin (or LONG_TOKEN with --from-env), keep that long-lived token as it is and read
    /// its real expiry from debug_token
    #[arg(long)]
    no_exchange: bool,
    /// Also inject the app secret as FB_APP_SECRET in `run` and `env`
    #[arg(long)]
    inject_app_secret: bool,
    /// Set one of the provider's non-secret fields (repeatable); with --from-env, each
    /// field also comes from its name in capitals (CLIENT_ID, REFRESH_TOKEN)
    #[arg(long, value_name = "NAME=VALUE")]
    field: Vec<crate::cli::fields::FieldArg>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    session.require_new(&args.name)?;
    let sources = Sources {
        from_env: args.from_env,
        secret_stdin: args.app_secret_stdin,
        token_stdin: args.token_stdin,
    };
    let given = grant::from_stdin(sources)?;
    let app_id = args
        .app_id
        .clone()
        .map(|v| v.trim().to_string())
        .or_else(|| {
            args.from_env
                .then(|| crate::config::env_trimmed("APP_ID"))
                .flatten()
        })
        .filter(|v| !v.is_empty());
    let app_secret = given
        .app_secret
        .or_else(|| {
            args.from_env
                .then(|| crate::config::env_secret("APP_SECRET"))
                .flatten()
        })
        .or_else(|| {
            prompt::interactive()
                .then(|| prompt::secret(&format!("App secret for {}: ", args.name)))
                .flatten()
        })
        .filter(|s| !s.is_empty());

    let now = Utc::now();
    let mut profile = Profile::new(&args.name, &args.provider, now);
    let mut set = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            profile.config.insert(key.to_string(), v);
        }
    };
    set("app_id", app_id);
    set("page_id", args.page.clone());
    set("graph_version", args.graph_version.clone());
    set("graph_url", args.graph_url.clone());
    if let Some(secret) = app_secret {
        profile.secrets.insert("app_secret".into(), secret);
    }
    profile.inject_secrets = args.inject_app_secret;

    let provider = session.provider(&profile)?;
    let described = provider.describe();
    let asked = ["app_id", "app_secret"];
    crate::cli::fields::fill(&mut profile, &described, &args.field, args.from_env, &asked)?;
    provider.validate(&profile.data()).map_err(|e| {
        let e = CliError::provider(e, args.name.as_str());
        match fbvault_provider::missing_required_field(&described, &profile.data()) {
            Some(field) => e.hint(how_to_give(field)),
            None => e,
        }
    })?;

    let obtained = if args.web {
        warn_unknown_version(ctx, provider.as_ref(), &profile);
        let how = How::Web {
            port: args.port,
            scope: args.scope.clone(),
            no_browser: args.no_browser,
        };
        Some(
            login::obtain(&profile, provider.as_ref(), how, &ctx.ui).map_err(|e| {
                let again = format!("`fbvault add {} …` again (nothing was stored)", args.name);
                for_new_profile(e.into(), args.name.as_str(), &again)
            })?,
        )
    } else {
        None
    };
    let token = if let Some(o) = &obtained {
        Some(o.token.clone())
    } else if args.no_exchange {
        let kept = given.token.or_else(|| {
            args.from_env
                .then(|| crate::config::env_secret("LONG_TOKEN"))
                .flatten()
        });
        if kept.is_none() && args.from_env && crate::config::env_secret("SHORT_TOKEN").is_some() {
            ctx.ui.warn(
                "--no-exchange does not use SHORT_TOKEN (a token to keep goes in LONG_TOKEN)",
            );
        }
        kept
    } else {
        grant::token(
            sources,
            given.token,
            Some("Short-lived user token (Enter to skip): "),
        )
    };
    if obtained.is_none() {
        warn_unknown_version(ctx, provider.as_ref(), &profile);
    }
    if let Some(token) = token {
        let exchange = !args.no_exchange;
        let set = session
            .login(provider.as_ref(), &profile, token, exchange, now)
            .map_err(|e| {
                let again = format!("`fbvault add {} …` again (nothing was stored)", args.name);
                for_new_profile(e.into(), args.name.as_str(), &again)
            })?;
        session.show_notes(args.name.as_str(), &set);
        if let Some(o) = &obtained {
            let missing =
                login::report_missing(&ctx.ui, provider.as_ref(), args.name.as_str(), o, &set);
            login::remember(&mut profile, provider.as_ref(), o, &missing);
        }
        profile.tokens = set.tokens;
    }
    session.create(&mut profile)?;
    if profile.tokens.is_empty() {
        ctx.ui.info(format!(
            "added {} without a token; give it one with `fbvault login {}`",
            args.name, args.name
        ));
    } else {
        crate::cli::format::report(&ctx.ui, format!("added {}", args.name), &profile, now);
    }
    Ok(0)
}

/// How `add` takes a field: its own flag for the app id and secret, else `--field` for a
/// setting and the environment or the prompt for a secret.
fn how_to_give(field: &FieldSpec) -> String {
    let var = field.variable();
    match (field.name.as_str(), field.secret) {
        ("app_id", _) => "give the app id with --app-id (or APP_ID and --from-env)".into(),
        ("app_secret", _) => {
            "give the app secret with --app-secret-stdin, APP_SECRET and --from-env, or at the prompt".into()
        }
        (name, true) => format!("give `{name}` in {var} with --from-env, or at the prompt"),
        (name, false) => {
            format!("give `{name}` with --field {name}=VALUE, or in {var} with --from-env")
        }
    }
}

/// Shows the provider's remarks about a new profile (for Facebook, a Graph API version
/// that is not in its version table).
pub fn warn_unknown_version(ctx: &Ctx, provider: &dyn TokenProvider, profile: &Profile) {
    for remark in provider.remarks(&profile.data()) {
        ctx.ui.warn(remark);
    }
}

/// A failed `add` or `import` stores nothing: its hints must not send the user to a
/// command on a profile that does not exist (`fbvault login NAME`, `fbvault edit NAME`);
/// they say to run the creating command again instead.
pub fn for_new_profile(mut e: CliError, name: &str, again: &str) -> CliError {
    for hint in &mut e.hints {
        for cmd in ["login", "edit", "show", "refresh", "pages"] {
            // `fbvault login NAME`, and with flags: `fbvault login NAME --web`.
            for end in ["`", " "] {
                let named = format!("`fbvault {cmd} {name}{end}");
                while let Some(at) = hint.find(&named) {
                    let close = hint[at + 1..].find('`').map_or(hint.len(), |i| at + 2 + i);
                    hint.replace_range(at..close, again);
                }
            }
        }
    }
    e
}
