//! The Facebook/Meta provider: looks at every token it is given with `debug_token` first,
//! exchanges only short-lived user tokens, keeps long-lived user, page and system-user
//! tokens as they are, derives page tokens (also through Business Manager), refreshes
//! what Facebook really refreshes, and builds `FB_*` variables with an `appsecret_proof`
//! for each token injected.
//!
//! Profile fields: `app_id`, `graph_version` (default [`DEFAULT_GRAPH_VERSION`], see
//! [`versions`]), `page_id` (the default page), `graph_url` (default
//! `https://graph.facebook.com`), `refresh_window_days` (default 7; system-user tokens
//! use at least [`SYSTEM_USER_WINDOW_DAYS`]), `redirect_port` and `declined_scopes` (see
//! [`login`]); secrets `app_secret` and `client_token` (device logins). Tokens: `user` (first:
//! a user or system-user token), then `page:<id>` for each page. A profile made from a
//! page token alone holds only `page:<id>`.
//!
//! Facebook does not extend a long-lived user token when it is re-exchanged: it gives
//! the same token back. [`TokenProvider::refresh`] then returns the stored tokens
//! unchanged with a note saying by when a new login is needed.
#![forbid(unsafe_code)]

mod api;
mod client;
mod errors;
pub mod login;
mod pages;
mod policy;
mod proof;
mod status;
mod usage;
mod vars;
pub mod versions;

use chrono::{DateTime, Duration, Utc};
use fbvault_provider::{
    Capability, Context, Description, EnvOptions, EnvVar, ErrorKind, FieldSpec, Inspection,
    LoginInput, ProfileData, ProviderError, RefreshNeed, Secret, Token, TokenKind, TokenProvider,
    TokenSet,
};

pub use client::Options;
pub use proof::appsecret_proof;

pub use policy::refresh_need;

use api::{App, DebugInfo, time};
use client::Client;
use policy::{same_token_note, short_lived};

/// Every variable this provider can inject, under its standard name.
pub const VARIABLES: &[&str] = &[
    "FB_ACCESS_TOKEN",
    "FB_USER_ACCESS_TOKEN",
    "FB_PAGE_ACCESS_TOKEN",
    "FB_PAGE_ID",
    "FB_APP_ID",
    "FB_APPSECRET_PROOF",
    "FB_USER_APPSECRET_PROOF",
    "FB_PAGE_APPSECRET_PROOF",
    "FB_GRAPH_API_VERSION",
    "FB_APP_SECRET",
];

/// The Graph API version used when a profile does not pin one: the newest of
/// [`versions::VERSIONS`] (a test keeps them equal).
pub const DEFAULT_GRAPH_VERSION: &str = "v27.0";
/// The refresh window of an expiring system-user token: a missed refresh is fatal (an
/// expired one cannot be renewed), so it starts early.
pub const SYSTEM_USER_WINDOW_DAYS: i64 = 14;
/// A user token with less than this to live is short-lived and is exchanged.
const SHORT_LIVED: Duration = Duration::days(1);
/// The Graph API host.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";
/// The permission that lets a user token list the user's pages.
const PAGES_SCOPE: &str = "pages_show_list";
const USER: &str = "user";

/// The Facebook provider.
#[derive(Debug, Clone, Default)]
pub struct FacebookProvider {
    options: Options,
}

/// What a profile says about the app, resolved.
struct Settings<'a> {
    app: App<'a>,
    version: String,
    base: String,
    window: Duration,
}

impl FacebookProvider {
    /// A provider with these options.
    pub fn new(options: Options) -> Self {
        FacebookProvider { options }
    }

    /// The provider as fbvault builds it: `FBVAULT_GRAPH_URL` (the Graph base URL, beats
    /// each profile's `graph_url`), `FBVAULT_DIALOG_URL` (where the login dialog lives), and
    /// the timeout given per attempt (three attempts at most).
    pub fn configured(setup: &fbvault_provider::Setup) -> Self {
        FacebookProvider::new(Options {
            graph_url: setup.var("FBVAULT_GRAPH_URL"),
            dialog_url: setup.var("FBVAULT_DIALOG_URL"),
            timeout: setup.timeout,
            ..Options::default()
        })
    }

    fn settings<'a>(&self, profile: &'a ProfileData) -> Result<Settings<'a>, ProviderError> {
        self.validate(profile)?;
        let id = profile.config("app_id").unwrap_or_default();
        let secret = profile.secret("app_secret").expect("validated");
        let window_days = match profile.config("refresh_window_days") {
            None => 7,
            Some(d) => window_days(d)?,
        };
        Ok(Settings {
            app: App { id, secret },
            version: profile
                .config("graph_version")
                .unwrap_or(DEFAULT_GRAPH_VERSION)
                .to_string(),
            base: self
                .options
                .graph_url
                .clone()
                .or_else(|| profile.config("graph_url").map(str::to_string))
                .unwrap_or_else(|| DEFAULT_GRAPH_URL.to_string()),
            window: Duration::days(window_days),
        })
    }

    fn client(&self, s: &Settings, extra_secrets: &[&Secret]) -> Result<Client, ProviderError> {
        let mut secrets = vec![s.app.secret.expose().to_string()];
        secrets.extend(extra_secrets.iter().map(|t| t.expose().to_string()));
        Client::new(&self.options, &s.base, &s.version, secrets)
    }

    /// The `user` token (a user or system-user token) from what `debug_token` said.
    fn user_token(
        &self,
        ctx: &Context,
        value: Secret,
        info: &DebugInfo,
        expires_in: Option<i64>,
    ) -> Token {
        let kind = match info.kind.as_deref() {
            Some("SYSTEM_USER") => TokenKind::SystemUser,
            _ => TokenKind::User,
        };
        let expires_at = match info.expires_at {
            Some(_) => time(info.expires_at),
            // debug_token without expires_at: fall back to what the exchange said, if anything.
            None => expires_in
                .filter(|s| *s > 0)
                .and_then(Duration::try_seconds)
                .and_then(|d| ctx.now.checked_add_signed(d)),
        };
        let mut token = Token::new(USER, kind, value, expires_at);
        fill(&mut token, info, ctx.now);
        token.subject = info.user_id.clone();
        token
    }

    /// Exchanges a short-lived user token and checks the result with `debug_token`.
    fn exchanged(
        &self,
        ctx: &Context,
        client: &Client,
        s: &Settings,
        short: &Secret,
    ) -> Result<Token, ProviderError> {
        let ex = api::exchange(client, &s.app, short, false)?;
        client.also_scrub(&ex.token);
        let info = api::debug(client, &s.app, &ex.token)?;
        info.check(s.app.id)?;
        Ok(self.user_token(ctx, ex.token, &info, ex.expires_in))
    }
}

/// `vNN.N`: what Graph accepts as a version path segment.
fn valid_version(v: &str) -> bool {
    let Some((major, minor)) = v.strip_prefix('v').and_then(|r| r.split_once('.')) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit());
    digits(major) && digits(minor)
}

fn fill(token: &mut Token, info: &DebugInfo, now: DateTime<Utc>) {
    token.data_access_expires_at = time(info.data_access_expires_at);
    token.issued_at = time(info.issued_at);
    token.obtained_at = Some(now);
    token.scopes = info.scopes.clone();
}

/// "Facebook answered with v21.0, not v19.0": Graph serves an ended version as its oldest
/// live one and says so in `facebook-api-version`.
fn served_note(client: &Client, asked: &str, profile: &str) -> Option<String> {
    client.served_instead().map(|served| {
        format!(
            "Facebook answered with Graph API {served}, not {asked} (it no longer serves {asked}); move the profile to {DEFAULT_GRAPH_VERSION} (`fbvault edit {profile}`, graph_version)"
        )
    })
}

fn no_token() -> ProviderError {
    ProviderError::new(ErrorKind::InvalidGrant, "the profile has no user token yet")
        .hint("give it one with `fbvault login {profile}`")
}

fn expired(at: Option<DateTime<Utc>>) -> ProviderError {
    let when = at
        .map(|a| format!(" on {}", a.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    ProviderError::new(
        ErrorKind::InvalidGrant,
        format!("the user token expired{when}; an expired token cannot be exchanged"),
    )
    .hint("get a new short-lived user token and run `fbvault login {profile}`")
}

/// `refresh_window_days`: a whole number of days from 0 to 60.
fn window_days(d: &str) -> Result<i64, ProviderError> {
    d.parse::<i64>()
        .ok()
        .filter(|d| (0..=60).contains(d))
        .ok_or_else(|| {
            ProviderError::new(
                ErrorKind::BadRequest,
                format!("refresh_window_days must be a number of days from 0 to 60, not `{d}`"),
            )
        })
}

impl TokenProvider for FacebookProvider {
    fn describe(&self) -> Description {
        let field = |name: &str, secret: bool, required: bool, description: &str| FieldSpec {
            name: name.into(),
            secret,
            required,
            description: description.into(),
        };
        Description {
            name: "facebook".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: vec![
                Capability::Login,
                Capability::Refresh,
                Capability::Inspect,
                Capability::Pages,
            ],
            fields: vec![
                field("app_id", false, true, "the Meta app id"),
                field("app_secret", true, true, "the Meta app secret"),
                field(
                    "graph_version",
                    false,
                    false,
                    "Graph API version, like v27.0 (the default)",
                ),
                field(
                    "page_id",
                    false,
                    false,
                    "the page whose token run injects by default",
                ),
                field("graph_url", false, false, "Graph API base URL"),
                field(
                    "redirect_port",
                    false,
                    false,
                    "the loopback port of `login --web` (default 8765)",
                ),
                field(
                    "client_token",
                    true,
                    false,
                    "the app's client token, for `login --device` (App settings › Advanced)",
                ),
                field(
                    "refresh_window_days",
                    false,
                    false,
                    "refresh this many days before expiry (default 7)",
                ),
                field(
                    "declined_scopes",
                    false,
                    false,
                    "permissions declined at the last browser login (asked again with auth_type=rerequest)",
                ),
            ],
            env: [
                ("user", "FB_USER_ACCESS_TOKEN"),
                ("page:<id>", "FB_PAGE_ACCESS_TOKEN"),
            ]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            variables: VARIABLES.iter().map(|v| v.to_string()).collect(),
            login: Default::default(),
        }
    }

    /// The old hand-run script's names, and the ones its successors injected (`FB_APP_ID`,
    /// `FB_ACCESS_TOKEN`); only the app, its secret and the page are read.
    fn import_names(&self) -> fbvault_provider::ImportNames {
        fbvault_provider::ImportNames::new(
            &[
                ("app_id", &["APP_ID", "FB_APP_ID"]),
                ("app_secret", &["APP_SECRET", "FB_APP_SECRET"]),
                ("page_id", &["PAGE_ID", "FB_PAGE_ID"]),
            ],
            &["LONG_TOKEN", "FB_USER_ACCESS_TOKEN", "FB_ACCESS_TOKEN"],
            &["SHORT_TOKEN"],
        )
    }

    /// A well-formed `graph_version` that is not in the version table (a typo like v72.0,
    /// or a version newer than this fbvault).
    fn status(&self, ctx: &Context, profile: &ProfileData) -> fbvault_provider::StatusExtras {
        status::extras(ctx, profile)
    }

    fn status_schema(&self) -> Option<schemars::Schema> {
        Some(status::schema())
    }

    fn web_login(&self) -> Option<&dyn fbvault_provider::WebLogin> {
        Some(self)
    }

    fn device_login(&self) -> Option<&dyn fbvault_provider::DeviceLogin> {
        Some(self)
    }

    fn remarks(&self, profile: &ProfileData) -> Vec<String> {
        profile
            .config("graph_version")
            .filter(|v| versions::lookup(v).is_none())
            .map(|v| {
                format!(
                    "Graph API {v} is not in fbvault's version table (newest known: {}); using it as given",
                    versions::newest()
                )
            })
            .into_iter()
            .collect()
    }

    fn validate(&self, profile: &ProfileData) -> Result<(), ProviderError> {
        let bad = |m: String| Err(ProviderError::new(ErrorKind::BadRequest, m));
        fbvault_provider::check_required_fields(&self.describe(), profile)?;
        if let Some(id) = profile
            .config("app_id")
            .filter(|id| !id.chars().all(|c| c.is_ascii_digit()))
        {
            return bad(format!("`{id}` is not a Meta app id (app ids are digits)"));
        }
        if let Some(p) = profile
            .config(login::REDIRECT_PORT)
            .filter(|p| p.parse::<u16>().map_or(true, |p| p == 0))
        {
            return bad(format!(
                "redirect_port must be a port number from 1 to 65535, not `{p}`"
            ));
        }
        if let Some(d) = profile.config("refresh_window_days") {
            window_days(d)?;
        }
        if let Some(v) = profile
            .config("graph_version")
            .filter(|v| !valid_version(v))
        {
            return bad(format!(
                "`{v}` is not a Graph API version (expected something like {DEFAULT_GRAPH_VERSION})"
            ));
        }
        Ok(())
    }

    fn login(
        &self,
        ctx: &Context,
        profile: &ProfileData,
        input: &LoginInput,
    ) -> Result<TokenSet, ProviderError> {
        let s = self.settings(profile)?;
        let client = self.client(&s, &[&input.token])?;
        // Look before exchanging: an exchange can shorten a token that never expires.
        let info = api::debug(&client, &s.app, &input.token)?;
        info.check(s.app.id)?;
        let user = match info.kind.as_deref() {
            Some("PAGE") => {
                let mut set = self.page_login(ctx, &client, profile, input.token.clone(), &info)?;
                set.notes
                    .extend(served_note(&client, &s.version, &profile.name));
                return Ok(set);
            }
            Some("APP") => {
                return Err(ProviderError::new(
                    ErrorKind::BadRequest,
                    "that is an app token (APP_ID|…); give a user, page or system-user token",
                ));
            }
            Some("SYSTEM_USER") => self.user_token(ctx, input.token.clone(), &info, None),
            _ if input.exchange && short_lived(&info, ctx.now) => {
                self.exchanged(ctx, &client, &s, &input.token)?
            }
            _ => self.user_token(ctx, input.token.clone(), &info, None),
        };
        let mut set = self.with_pages(ctx, &client, &s, profile, user)?;
        let short = |t: &Token| t.expires_at.is_some_and(|at| at - ctx.now < SHORT_LIVED);
        if set.tokens.first().is_some_and(short) {
            set.notes.push("Facebook gave a token that expires within a day: was the token from this app's login?".into());
        }
        set.notes
            .extend(served_note(&client, &s.version, &profile.name));
        Ok(set)
    }

    fn refresh_due(&self, ctx: &Context, profile: &ProfileData) -> RefreshNeed {
        let window = self
            .settings(profile)
            .map_or(Duration::days(7), |s| s.window);
        refresh_need(ctx.now, profile, window)
    }

    fn refresh(
        &self,
        ctx: &Context,
        profile: &ProfileData,
        force: bool,
    ) -> Result<TokenSet, ProviderError> {
        let s = self.settings(profile)?;
        let Some(old) = profile.token(USER) else {
            if profile.tokens.iter().any(|t| t.kind == TokenKind::Page) {
                return Ok(TokenSet {
                    tokens: profile.tokens.clone(),
                    notes: vec!["the profile holds page tokens only; Facebook has nothing to refresh for them".into()],
                });
            }
            return Err(no_token());
        };
        if old.is_expired(ctx.now) {
            return Err(expired(old.expires_at));
        }
        if let Some(why) = &old.invalid {
            return Err(ProviderError::new(
                ErrorKind::InvalidGrant,
                format!("the user token is invalid ({why}); an invalid token cannot be exchanged"),
            )
            .hint("get a new short-lived user token and run `fbvault login {profile}`"));
        }
        let unchanged = |note: String| TokenSet {
            tokens: profile.tokens.clone(),
            notes: vec![note],
        };
        if old.expires_at.is_none() {
            return Ok(unchanged(
                "the user token never expires; nothing to refresh".into(),
            ));
        }
        if !force && self.refresh_due(ctx, profile) != RefreshNeed::Due {
            return Ok(unchanged(
                "the token is not due for a refresh (use --force to refresh anyway)".into(),
            ));
        }
        let client = self.client(&s, &[&old.value])?;
        let system_user = old.kind == TokenKind::SystemUser;
        let ex = api::exchange(&client, &s.app, &old.value, system_user)?;
        if ex.token == old.value {
            // What Facebook usually does with a long-lived user token: nothing changes, so
            // nothing is rewritten.
            let mut set = unchanged(same_token_note(old, &profile.name));
            set.notes
                .extend(served_note(&client, &s.version, &profile.name));
            return Ok(set);
        }
        client.also_scrub(&ex.token);
        let info = api::debug(&client, &s.app, &ex.token)?;
        info.check(s.app.id)?;
        let mut user = self.user_token(ctx, ex.token, &info, ex.expires_in);
        user.label = old.label.clone();
        let mut notes = Vec::new();
        if let (Some(new), Some(prev)) = (user.expires_at, old.expires_at)
            && new <= prev
        {
            notes.push(format!(
                "Facebook did not extend the token: it still expires on {}; run `fbvault login {}` with a new token before then",
                new.format("%Y-%m-%d"),
                profile.name
            ));
        }
        notes.extend(served_note(&client, &s.version, &profile.name));
        let mut tokens = vec![user];
        tokens.extend(profile.tokens.iter().filter(|t| t.name != USER).cloned());
        Ok(TokenSet { tokens, notes })
    }

    fn inspect(
        &self,
        _ctx: &Context,
        profile: &ProfileData,
        only: Option<&str>,
    ) -> Result<Vec<Inspection>, ProviderError> {
        let s = self.settings(profile)?;
        let chosen: Vec<&Token> = match only {
            Some(name) => {
                let t = profile
                    .tokens
                    .iter()
                    .find(|t| {
                        t.name == name
                            || t.subject.as_deref() == Some(name)
                            || t.name == format!("page:{name}")
                    })
                    .ok_or_else(|| {
                        ProviderError::new(
                            ErrorKind::BadRequest,
                            format!("no token `{name}` in the profile"),
                        )
                    })?;
                vec![t]
            }
            None => profile.tokens.iter().collect(),
        };
        if chosen.is_empty() {
            return Err(no_token());
        }
        let values: Vec<&Secret> = chosen.iter().map(|t| &t.value).collect();
        let client = self.client(&s, &values)?;
        chosen
            .into_iter()
            .map(|t| {
                let info = api::debug(&client, &s.app, &t.value)?;
                Ok(Inspection {
                    token: t.name.clone(),
                    valid: info.is_valid,
                    kind: info.kind.clone(),
                    expires_at: time(info.expires_at),
                    data_access_expires_at: time(info.data_access_expires_at),
                    issued_at: time(info.issued_at),
                    scopes: info.scopes.clone(),
                    user_id: info.user_id.clone(),
                    app_id: info.app_id.clone(),
                    error: (!info.is_valid).then(|| info.invalid_reason()),
                })
            })
            .collect()
    }

    fn pages(&self, ctx: &Context, profile: &ProfileData) -> Result<TokenSet, ProviderError> {
        let s = self.settings(profile)?;
        let Some(user) = profile.token(USER) else {
            return Err(no_token());
        };
        if user.is_expired(ctx.now) {
            return Err(expired(user.expires_at));
        }
        let client = self.client(&s, &[&user.value])?;
        let (pages, notes) = self.page_tokens(ctx, &client, &s, user)?;
        let mut tokens = vec![user.clone()];
        tokens.extend(pages);
        Ok(TokenSet { tokens, notes })
    }

    fn env(
        &self,
        profile: &ProfileData,
        options: &EnvOptions,
    ) -> Result<Vec<EnvVar>, ProviderError> {
        let s = self.settings(profile)?;
        vars::build(profile, options, s.app.id, s.app.secret, &s.version)
    }
}
