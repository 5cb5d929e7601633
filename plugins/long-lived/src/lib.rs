//! `fbvault-long-lived`: one provider for the issuers whose long-lived tokens (60 days) are
//! refreshed in place — the Instagram API with Instagram Login and Threads. They differ only
//! in what a [`Spec`] holds: the host, the grant names, the variables, the `me` path.
//!
//! - `login`: a short-lived token is exchanged with
//!   `GET {host}/access_token?grant_type={exchange_grant}&client_secret&access_token`.
//!   A long-lived token (`--no-exchange`, or one the exchange refuses as a bad token) is
//!   kept: its expiry is in no call but the refresh's answer, so it is refreshed at once
//!   and the refreshed token stored with its `expires_in`; one under 24 hours old, which
//!   the issuer will not refresh yet, is stored with a safe estimate ([`SAFE_LIFE_DAYS`])
//!   and a note. Either way `GET {host}/{me}` learns the user id.
//! - `refresh`: `GET {host}/refresh_access_token?grant_type={refresh_grant}&access_token`,
//!   when the token is inside the refresh window (default 14 days), at least 24 hours old
//!   and not expired ([`default_refresh_need`]): these refreshes really extend the token,
//!   so `run` does them by itself.
//! - `env`: `{token_var}` and `{user_var}`.
#![forbid(unsafe_code)]

mod http;

use chrono::{DateTime, Duration, Utc};
use fbvault_provider::{
    Authorize, Capability, Context, Description, EnvOptions, EnvVar, ErrorKind, FieldSpec,
    ProfileData, ProviderError, RefreshNeed, Secret, StatusExtras, Token, TokenKind, TokenProvider,
    TokenSet, WebLogin, default_refresh_need,
};

pub use fbvault_provider::Setup;
pub use http::Options;

/// The stored token's name.
pub const TOKEN: &str = "user";
/// The refresh window when the profile sets none: 14 days before expiry.
pub const DEFAULT_WINDOW_DAYS: i64 = 14;
/// How long a long-lived token lives: 60 days from its exchange or refresh.
pub const LIFE_DAYS: i64 = 60;
/// What a long-lived token issued within the last 24 hours has left at least: the
/// expiry stored when the issuer does not say (a refresh refused by the 24-hour rule, an
/// answer without `expires_in`).
pub const SAFE_LIFE_DAYS: i64 = LIFE_DAYS - 1;

/// What tells one issuer from another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The provider name profiles refer to (`instagram`).
    pub name: &'static str,
    /// The issuer's name in messages (`Instagram`).
    pub label: &'static str,
    /// The API host (`https://graph.instagram.com`).
    pub default_url: &'static str,
    /// `grant_type` of the short-to-long exchange (`ig_exchange_token`).
    pub exchange_grant: &'static str,
    /// `grant_type` of the refresh (`ig_refresh_token`).
    pub refresh_grant: &'static str,
    /// The host that redeems an authorization code (`https://api.instagram.com`).
    pub oauth_url: &'static str,
    /// The page where the user grants access (`https://www.instagram.com/oauth/authorize`).
    pub authorize_url: &'static str,
    /// The permissions asked for by default, comma-separated.
    pub scopes: &'static str,
    /// The path that names the token's user (`me`, `v1.0/me`).
    pub me_path: &'static str,
    /// The field of `me` that holds the user id (`user_id`, `id`).
    pub id_field: &'static str,
    /// The variable of the token (`IG_ACCESS_TOKEN`).
    pub token_var: &'static str,
    /// The variable of the user id (`IG_USER_ID`).
    pub user_var: &'static str,
}

/// A provider for one [`Spec`].
#[derive(Debug, Clone)]
pub struct LongLivedProvider {
    spec: Spec,
    options: Options,
}

impl LongLivedProvider {
    /// The provider of `spec`, talking as `options` says.
    pub fn new(spec: Spec, options: Options) -> Self {
        LongLivedProvider { spec, options }
    }

    /// Its spec.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    fn client(&self, profile: &ProfileData) -> Result<http::Client, ProviderError> {
        self.client_at(profile, self.spec.default_url)
    }

    /// A client for `default` (the API host or the OAuth host), unless the options or the
    /// profile name one host for everything (`FBVAULT_INSTAGRAM_URL`, `api_url`).
    fn client_at(
        &self,
        profile: &ProfileData,
        default: &str,
    ) -> Result<http::Client, ProviderError> {
        let base = self
            .options
            .url
            .clone()
            .or_else(|| profile.config("api_url").map(str::to_string))
            .unwrap_or_else(|| default.to_string());
        let secrets = profile
            .secrets
            .values()
            .chain(profile.tokens.iter().map(|t| &t.value))
            .map(|s| s.expose().to_string())
            .collect();
        http::Client::new(&self.spec, &self.options, &base, secrets)
    }

    fn window(profile: &ProfileData) -> Duration {
        let days = profile
            .config("refresh_window_days")
            .and_then(|d| d.parse::<i64>().ok())
            .filter(|d| (1..=59).contains(d))
            .unwrap_or(DEFAULT_WINDOW_DAYS);
        Duration::days(days)
    }

    /// The token to store from an issuer's `{access_token, expires_in}` answer; without
    /// `expires_in`, the token (just issued) lives at least [`SAFE_LIFE_DAYS`].
    fn token(
        &self,
        client: &http::Client,
        value: Secret,
        expires_in: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Token, ProviderError> {
        client.also_scrub(&value);
        let user = client.user_id(&value)?;
        let life = expires_in.map_or(Duration::days(SAFE_LIFE_DAYS), Duration::seconds);
        let mut token = Token::new(TOKEN, TokenKind::User, value, Some(now + life));
        token.obtained_at = Some(now);
        token.subject = Some(user);
        token.env = Some(self.spec.token_var.to_string());
        Ok(token)
    }

    /// A long-lived token given as it is. Its expiry is nowhere in it, and the issuer has no
    /// call that reads it, but a refresh tells it: the refresh answers `expires_in` (and
    /// extends the token to 60 days), so the refreshed token is stored. The issuer refuses to
    /// refresh a token under 24 hours old, which says it was issued within the day: it then
    /// lives at least [`SAFE_LIFE_DAYS`] more, which is stored, with a note. Any other
    /// refusal is an error, and nothing is stored.
    fn keep(
        &self,
        client: &http::Client,
        given: &Secret,
        now: DateTime<Utc>,
        why: Option<String>,
    ) -> Result<TokenSet, ProviderError> {
        let label = self.spec.label;
        let mut notes: Vec<String> = why.into_iter().collect();
        let token = match client.refresh(given) {
            Ok((value, expires_in)) => {
                let token = self.token(client, value, expires_in, now)?;
                let days = token.expires_at.map_or(0, |at| (at - now).num_days());
                notes.push(format!(
                    "{label} refreshed the token to learn its expiry: the new one (stored) lives {days} days"
                ));
                token
            }
            Err(refused) if refused.too_young() => {
                // No `expires_in`: the token's life is taken as SAFE_LIFE_DAYS.
                let token = self.token(client, given.clone(), None, now)?;
                notes.push(format!(
                    "{label} refreshes only tokens at least 24 hours old, so this one was issued within the day: its expiry is taken as {SAFE_LIFE_DAYS} days from now (it is at least that); the first refresh learns the real one"
                ));
                token
            }
            Err(other) => return Err(other.error),
        };
        Ok(TokenSet {
            tokens: vec![token],
            notes,
        })
    }

    /// The page to send the user to for `login --web`: the spec's authorize URL with the
    /// profile's `app_id`, `redirect_uri`, the default scopes, `response_type=code` and
    /// `state`.
    pub fn authorize_url(
        &self,
        profile: &ProfileData,
        redirect_uri: &str,
        state: &str,
    ) -> Result<String, ProviderError> {
        let scopes = self.default_scopes();
        let a = Authorize {
            redirect_uri,
            state,
            code_challenge: "",
            scopes: &scopes,
        };
        WebLogin::authorize_page(self, profile, &a)
    }

    /// Redeems the authorization code `login --web` received (a trailing `#_` is
    /// stripped) for a short-lived token, exchanges that for a long-lived one, and returns
    /// the tokens to store.
    pub fn redeem_code(
        &self,
        ctx: &Context,
        profile: &ProfileData,
        code: &Secret,
        redirect_uri: &str,
    ) -> Result<TokenSet, ProviderError> {
        let short = WebLogin::redeem(self, profile, code, redirect_uri, &Secret::new(""))?;
        let input = fbvault_provider::LoginInput {
            token: short,
            exchange: true,
        };
        self.login(ctx, profile, &input)
    }

    fn default_scopes(&self) -> Vec<String> {
        self.spec.scopes.split(',').map(str::to_string).collect()
    }

    /// Where the authorize page is: the spec's, on the one host for everything when the
    /// options or the profile name one (the sandbox serves it at the same path).
    fn authorize_base(&self, profile: &ProfileData) -> Result<reqwest::Url, ProviderError> {
        let bad = || ProviderError::new(ErrorKind::Internal, "a bad authorize URL");
        let mut url = reqwest::Url::parse(self.spec.authorize_url).map_err(|_| bad())?;
        let host = self
            .options
            .url
            .clone()
            .or_else(|| profile.config("api_url").map(str::to_string));
        if let Some(host) = host {
            let path = url.path().to_string();
            url = reqwest::Url::parse(&host).map_err(|_| bad())?;
            url.set_path(&path);
        }
        Ok(url)
    }

    fn app_id<'a>(&self, profile: &'a ProfileData) -> Result<&'a str, ProviderError> {
        profile.config("app_id").ok_or_else(|| self.needs("app_id"))
    }

    fn app_secret<'a>(&self, profile: &'a ProfileData) -> Result<&'a Secret, ProviderError> {
        profile
            .secret("app_secret")
            .ok_or_else(|| self.needs("app_secret"))
    }

    fn needs(&self, field: &str) -> ProviderError {
        ProviderError::new(
            ErrorKind::BadRequest,
            format!("the {} provider needs `{field}` here", self.spec.name),
        )
    }

    fn login_hint(&self) -> String {
        format!(
            "get a new {} token and run `fbvault login {{profile}}`",
            self.spec.label
        )
    }
}

impl TokenProvider for LongLivedProvider {
    fn describe(&self) -> Description {
        let field = |name: &str, secret: bool, required: bool, description: String| FieldSpec {
            name: name.into(),
            secret,
            required,
            description,
        };
        let label = self.spec.label;
        Description {
            name: self.spec.name.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: vec![Capability::Login, Capability::Refresh],
            fields: vec![
                field("app_id", false, false, format!("the {label} app id")),
                field("app_secret", true, true, format!("the {label} app secret")),
                field("api_url", false, false, format!("the {label} API base URL")),
                field(
                    "refresh_window_days",
                    false,
                    false,
                    format!("refresh this many days before expiry (default {DEFAULT_WINDOW_DAYS})"),
                ),
            ],
            env: [(TOKEN.to_string(), self.spec.token_var.to_string())].into(),
            variables: vec![self.spec.user_var.to_string()],
            login: Default::default(),
        }
    }

    fn login(
        &self,
        ctx: &Context,
        profile: &ProfileData,
        input: &fbvault_provider::LoginInput,
    ) -> Result<TokenSet, ProviderError> {
        let client = self.client(profile)?;
        client.also_scrub(&input.token);
        if !input.exchange {
            return self.keep(&client, &input.token, ctx.now, None);
        }
        let secret = profile.secret("app_secret").ok_or_else(|| {
            ProviderError::new(
                ErrorKind::BadRequest,
                format!(
                    "the {} provider needs `app_secret` to exchange a token",
                    self.spec.name
                ),
            )
        })?;
        match client.exchange(&input.token, secret) {
            Ok((value, expires_in)) => Ok(TokenSet {
                tokens: vec![self.token(&client, value, expires_in, ctx.now)?],
                notes: Vec::new(),
            }),
            // The exchange takes short-lived tokens only, and these issuers cannot tell
            // what a token is (no `debug_token` on Instagram): a token it refuses may be a
            // long-lived one, which the refresh takes. If that refuses it too, the token
            // is dead and the exchange's refusal is the answer.
            Err(refused) if refused.bad_token() => {
                let why = format!(
                    "{} would not exchange it, but it is a long-lived token: kept, not exchanged (next time, `--no-exchange` skips the exchange)",
                    self.spec.label
                );
                match self.keep(&client, &input.token, ctx.now, Some(why)) {
                    Err(e) if e.kind == ErrorKind::InvalidGrant => Err(refused.error),
                    kept => kept,
                }
            }
            Err(other) => Err(other.error),
        }
    }

    fn refresh_due(&self, ctx: &Context, profile: &ProfileData) -> RefreshNeed {
        default_refresh_need(ctx.now, profile, Self::window(profile))
    }

    fn web_login(&self) -> Option<&dyn WebLogin> {
        Some(self)
    }

    /// A live token is extended by a refresh (which `run` does by itself inside the
    /// window), so `status` advises a refresh, not a new login, until it expires.
    fn status(&self, ctx: &Context, profile: &ProfileData) -> StatusExtras {
        let mut extras = StatusExtras::default();
        let live = profile
            .token(TOKEN)
            .filter(|t| t.invalid.is_none() && t.expires_at.is_none_or(|at| at > ctx.now));
        // These issuers' tokens always expire: one stored without a date (by an fbvault
        // before kept tokens were asked about) needs a refresh to learn it.
        if let Some(token) = live.filter(|t| t.expires_at.is_none()) {
            extras.warnings.push(format!(
                "{}: the expiry of its {} token is not known; `fbvault refresh {} --force` learns it",
                profile.name, self.spec.label, profile.name
            ));
            extras.advice.insert(
                token.name.clone(),
                format!("run `fbvault refresh {} --force`", profile.name),
            );
            return extras;
        }
        if let Some(token) = live {
            let days = Self::window(profile).num_days();
            extras.expiring.insert(
                token.name.clone(),
                format!(
                    "{} extends it: `fbvault run` refreshes it within {days} days of expiry, `fbvault refresh {}` does it now",
                    self.spec.label, profile.name
                ),
            );
            extras.advice.insert(
                token.name.clone(),
                format!(
                    "run `fbvault refresh {}` (a new login is not needed)",
                    profile.name
                ),
            );
        }
        extras
    }

    fn refresh(
        &self,
        ctx: &Context,
        profile: &ProfileData,
        force: bool,
    ) -> Result<TokenSet, ProviderError> {
        let hint = self.login_hint().replace("{profile}", &profile.name);
        let Some(token) = profile.token(TOKEN) else {
            return Err(ProviderError::new(
                ErrorKind::InvalidGrant,
                "the profile has no token yet",
            )
            .hint(hint));
        };
        if token.is_expired(ctx.now) || token.invalid.is_some() {
            return Err(ProviderError::new(
                ErrorKind::InvalidGrant,
                format!(
                    "the {} token expired and cannot be refreshed",
                    self.spec.label
                ),
            )
            .hint(hint));
        }
        let young = token
            .obtained_at
            .is_some_and(|at| ctx.now - at < Duration::hours(24));
        let due = self.refresh_due(ctx, profile) == RefreshNeed::Due;
        if young || (!force && !due) {
            let why = if young {
                format!(
                    "{} refreshes only tokens at least 24 hours old",
                    self.spec.label
                )
            } else {
                "not due".to_string()
            };
            return Ok(TokenSet {
                tokens: profile.tokens.clone(),
                notes: force.then_some(why).into_iter().collect(),
            });
        }
        let client = self.client(profile)?;
        let (value, expires_in) = client.refresh(&token.value)?;
        let mut fresh = self.token(&client, value, expires_in, ctx.now)?;
        fresh.subject = fresh.subject.or_else(|| token.subject.clone());
        Ok(TokenSet {
            tokens: vec![fresh],
            notes: Vec::new(),
        })
    }

    fn env(
        &self,
        profile: &ProfileData,
        _options: &EnvOptions,
    ) -> Result<Vec<EnvVar>, ProviderError> {
        let hint = self.login_hint().replace("{profile}", &profile.name);
        let token = profile.token(TOKEN).ok_or_else(|| {
            ProviderError::new(ErrorKind::InvalidGrant, "the profile has no token yet")
                .hint(hint.clone())
        })?;
        if token.is_expired(Utc::now()) || token.invalid.is_some() {
            return Err(ProviderError::new(
                ErrorKind::InvalidGrant,
                format!("the {} token expired", self.spec.label),
            )
            .hint(hint));
        }
        let mut vars = vec![EnvVar::secret(self.spec.token_var, token.value.clone())];
        if let Some(user) = &token.subject {
            vars.push(EnvVar::plain(self.spec.user_var, user.clone()));
        }
        Ok(vars)
    }
}

/// `login --web`: the issuer's authorize page (no PKCE), then `POST /oauth/access_token`
/// for a short-lived token that `login` exchanges.
impl WebLogin for LongLivedProvider {
    fn issuer(&self) -> &str {
        self.spec.label
    }

    fn scopes(&self, _profile: &ProfileData, scope: Option<&str>) -> Vec<String> {
        fbvault_provider::split_scopes(scope).unwrap_or_else(|| self.default_scopes())
    }

    fn authorize_page(
        &self,
        profile: &ProfileData,
        a: &Authorize,
    ) -> Result<String, ProviderError> {
        let app_id = self.app_id(profile)?;
        let mut url = self.authorize_base(profile)?;
        url.query_pairs_mut()
            .append_pair("client_id", app_id)
            .append_pair("redirect_uri", a.redirect_uri)
            .append_pair("scope", &a.scopes.join(","))
            .append_pair("response_type", "code")
            .append_pair("state", a.state);
        Ok(url.into())
    }

    fn redeem(
        &self,
        profile: &ProfileData,
        code: &Secret,
        redirect_uri: &str,
        _verifier: &Secret,
    ) -> Result<Secret, ProviderError> {
        let app_id = self.app_id(profile)?;
        let secret = self.app_secret(profile)?;
        let oauth = self.client_at(profile, self.spec.oauth_url)?;
        let code = Secret::new(code.expose().trim_end_matches("#_").to_string());
        oauth.redeem(app_id, secret, &code, redirect_uri)
    }
}
