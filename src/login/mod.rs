//! Logging in without pasting a token (SPEC §10): `login --web` (the OAuth code flow with
//! PKCE and a loopback redirect) and `login --device` (a code entered on another device),
//! for every provider that offers them ([`WebLogin`], [`DeviceLogin`]: the provider builds
//! its URLs and redeems; this module listens, waits and talks to the person). Both end
//! with a user token that then goes through the provider's ordinary token login (for
//! Facebook: `debug_token`, exchange if short-lived, pages); nothing is written before
//! that succeeds.
//!
//! The flow's messages go to stderr, each line starting `fbvault: `. The dialog URL is
//! printed (it carries the `state` and the PKCE challenge by design); the code, the
//! verifier, the client token and tokens never are.

pub mod browser;
pub mod error;
pub mod loopback;
pub mod pkce;

use std::time::{Duration, Instant};

use fbvault_provider::{
    Authorize, DeviceLogin, DevicePoll, ProfileData, Secret, TokenProvider, TokenSet, WebLogin,
};

use crate::app::{AppError, Reporter, Session};
use crate::vault::text::escape_controls as outside;
use crate::vault::{Profile, ProfileName};
pub use error::LoginError;
use loopback::{Callback, ListenError, Listener};

/// How to log in.
pub enum How {
    /// In a browser, through the loopback listener.
    Web {
        /// `--port`, else the profile's `redirect_port`, else 8765.
        port: Option<u16>,
        /// `--scope`.
        scope: Option<String>,
        /// `--no-browser`: print the URL only.
        no_browser: bool,
    },
    /// With a code typed on another device.
    Device {
        /// A client token given now (`--client-token-stdin`, the prompt); else the
        /// profile's.
        client_token: Option<Secret>,
        /// `--scope`.
        scope: Option<String>,
    },
}

/// What a login obtained, and what it leaves in the profile once stored.
pub struct Obtained {
    /// The user token, for the provider's token login.
    pub token: Secret,
    /// The permissions asked for.
    pub requested: Vec<String>,
    /// A port to remember (`--port`).
    pub port: Option<u16>,
    /// A client token to remember (given now).
    pub client_token: Option<Secret>,
}

/// The loopback port of `--web` when neither `--port` nor the profile's `redirect_port`
/// names one.
pub const DEFAULT_PORT: u16 = 8765;
/// The profile field that remembers `--port` (for a provider that declares it).
pub const PORT_FIELD: &str = "redirect_port";

/// The redirect URI for a loopback port: `http://localhost:PORT/callback`.
pub fn redirect_uri(port: u16) -> String {
    format!("http://localhost:{port}/callback")
}

/// Runs the browser or device login for `profile` with its `provider` and returns the
/// token it obtained; what the person must do (open a URL, enter a code) goes to `person`.
pub fn obtain(
    profile: &Profile,
    provider: &dyn TokenProvider,
    how: How,
    person: &dyn Reporter,
) -> Result<Obtained, AppError> {
    let data = profile.data();
    match how {
        How::Web {
            port,
            scope,
            no_browser,
        } => {
            let Some(flow) = provider.web_login() else {
                return Err(lacks(profile, "browser", None));
            };
            let saved = data.config(PORT_FIELD).and_then(|p| p.parse().ok());
            let use_port = port.or(saved).unwrap_or(DEFAULT_PORT);
            let requested = flow.scopes(&data, scope.as_deref());
            let device = provider.device_login().is_some();
            let token = web(
                flow,
                &data,
                use_port,
                &requested,
                !no_browser,
                person,
                device,
            )?;
            Ok(Obtained {
                token,
                requested,
                port: port.filter(|p| Some(*p) != saved),
                client_token: None,
            })
        }
        How::Device {
            client_token,
            scope,
        } => {
            let Some(flow) = provider.device_login() else {
                let web = provider.web_login().map(|_| "--web");
                return Err(lacks(profile, "device", web));
            };
            let stored = data.secret(flow.client_field()).cloned();
            let asked = || {
                let question = format!(
                    "Client token of the app for {} ({}): ",
                    profile.name,
                    flow.client_place()
                );
                stored
                    .is_none()
                    .then(|| person.ask_secret(&question))
                    .flatten()
                    .filter(|t| !t.is_empty())
            };
            let given = client_token
                .or_else(asked)
                .filter(|t| Some(t) != stored.as_ref());
            let Some(ct) = given.clone().or(stored) else {
                return Err(LoginError::NoClientToken {
                    profile: profile.name.clone(),
                    place: flow.client_place().to_string(),
                }
                .into());
            };
            let requested = flow.device_scopes(&data, scope.as_deref());
            let token = device(flow, &data, &ct, &requested, person)?;
            Ok(Obtained {
                token,
                requested,
                port: None,
                client_token: given,
            })
        }
    }
}

/// The profile's provider has no `kind` login: say so, and what it has (`other`, a flag).
fn lacks(profile: &Profile, kind: &'static str, other: Option<&'static str>) -> AppError {
    LoginError::Lacks {
        profile: profile.name.clone(),
        provider: profile.provider.clone(),
        kind,
        other,
    }
    .into()
}

/// How long a browser login waits: `FBVAULT_LOGIN_TIMEOUT` seconds, default 300.
fn timeout() -> Duration {
    crate::config::seconds_from_env("FBVAULT_LOGIN_TIMEOUT", Duration::from_secs(300), 86_400.0)
}

fn no_random(_: getrandom::Error) -> AppError {
    LoginError::NoRandom.into()
}

fn web(
    flow: &dyn WebLogin,
    profile: &ProfileData,
    port: u16,
    scopes: &[String],
    open: bool,
    person: &dyn Reporter,
    device: bool,
) -> Result<Secret, AppError> {
    let name = profile.name.as_str();
    let wait = timeout();
    let listener = Listener::bind(port).map_err(|e| listen_error(e, name, port, wait, device))?;
    let (state, verifier) = (
        pkce::state().map_err(no_random)?,
        pkce::verifier().map_err(no_random)?,
    );
    let redirect = redirect_uri(port);
    let authorize = Authorize {
        redirect_uri: &redirect,
        state: state.expose(),
        code_challenge: &pkce::challenge(&verifier),
        scopes,
    };
    let url = flow
        .authorize_page(profile, &authorize)
        .map_err(|e| AppError::provider(e, name))?;
    person.tell(&format!("log in to {} at {url}", flow.issuer()));
    person.tell(&format!(
        "waiting up to {} s for the browser to come back to {redirect}",
        wait.as_secs()
    ));
    if open && let Err(program) = browser::open(&url) {
        person.tell(&format!(
            "could not start a browser ({}); open the URL above yourself",
            outside(&program)
        ));
    }
    match listener.wait(&state, Instant::now() + wait) {
        Ok(Callback::Code(code)) => flow
            .redeem(profile, &code, &redirect, &verifier)
            .map_err(|e| AppError::provider(e, name)),
        Ok(Callback::Denied(error, reason)) => {
            let why = reason.map_or_else(
                || outside(&error),
                |r| format!("{}: {}", outside(&error), outside(&r)),
            );
            Err(LoginError::Denied {
                profile: name.to_string(),
                why,
            }
            .into())
        }
        Err(e) => Err(listen_error(e, name, port, wait, device)),
    }
}

/// A failure of the loopback listener; `device`: the provider also has a device login.
fn listen_error(e: ListenError, name: &str, port: u16, wait: Duration, device: bool) -> AppError {
    let profile = name.to_string();
    match e {
        ListenError::InUse { .. } => LoginError::PortInUse { profile, port },
        ListenError::TimedOut => LoginError::TimedOut {
            profile,
            seconds: wait.as_secs(),
            device,
        },
        other => LoginError::Listener {
            profile,
            message: other.to_string(),
        },
    }
    .into()
}

fn device(
    flow: &dyn DeviceLogin,
    profile: &ProfileData,
    client_token: &Secret,
    scopes: &[String],
    person: &dyn Reporter,
) -> Result<Secret, AppError> {
    let name = profile.name.as_str();
    let refused = |e| AppError::provider(e, name);
    let started = flow.start(profile, client_token, scopes).map_err(refused)?;
    person.tell(&format!(
        "on any device, open {} and enter the code {} (it expires in {} min)",
        outside(&started.verification_uri),
        outside(&started.user_code),
        started.expires_in.div_ceil(60)
    ));
    let deadline = Instant::now() + Duration::from_secs(started.expires_in);
    let mut interval = Duration::from_secs(started.interval.max(1));
    loop {
        std::thread::sleep(interval);
        match flow
            .poll(profile, client_token, &started)
            .map_err(refused)?
        {
            DevicePoll::Pending => {}
            DevicePoll::SlowDown => interval += Duration::from_secs(5),
            DevicePoll::Done(token) => return Ok(token),
        }
        if Instant::now() >= deadline {
            return Err(LoginError::DeviceCodeExpired {
                profile: name.to_string(),
            }
            .into());
        }
    }
}

/// Stores a login: under the profile lock, the profile is read again (a refresh may have
/// finished meanwhile), the provider turns `token` into the tokens to store (exchanging a
/// short-lived one), and the new tokens are written with what a browser or device login
/// leaves behind (`obtained`). Nothing is written when the provider refuses.
pub fn store(
    session: &Session,
    name: &ProfileName,
    provider: &dyn TokenProvider,
    token: Secret,
    obtained: Option<&Obtained>,
) -> Result<Profile, AppError> {
    let _lock = session.vault.profile_lock(name)?;
    let profile = session.read(name)?;
    let set = session.login(provider, &profile, token, true, chrono::Utc::now())?;
    session.show_notes(name.as_str(), &set);
    let missing = obtained
        .map(|o| report_missing(session.reporter, provider, name.as_str(), o, &set))
        .unwrap_or_default();
    session.update(name, |p| {
        p.tokens = set.tokens;
        if let Some(o) = obtained {
            remember(p, provider, o, &missing);
        }
    })
}

/// Names each requested permission the stored user token lacks, with what that means,
/// and returns them (a provider whose browser login checks none: nothing).
pub fn report_missing(
    person: &dyn Reporter,
    provider: &dyn TokenProvider,
    name: &str,
    obtained: &Obtained,
    set: &TokenSet,
) -> Vec<String> {
    let Some(flow) = provider.web_login() else {
        return Vec::new();
    };
    let granted = set
        .tokens
        .first()
        .map(|t| t.scopes.clone())
        .unwrap_or_default();
    let missing = flow.missing(&obtained.requested, &granted);
    for (scope, meaning) in &missing {
        person.warn(&format!(
            "{name}: permission {} was not granted: {meaning}",
            outside(scope)
        ));
    }
    if !missing.is_empty() {
        person.warn(&format!(
            "{name}: the next `fbvault login {name} --web` asks for them again (auth_type=rerequest); while the app is in development mode, only people with a role on it can grant them"
        ));
    }
    missing.into_iter().map(|(s, _)| s).collect()
}

/// What a stored login leaves in the profile, in the fields its provider declares: the
/// declined permissions (asked again with `auth_type=rerequest`), the port, the client
/// token.
pub fn remember(
    profile: &mut Profile,
    provider: &dyn TokenProvider,
    obtained: &Obtained,
    missing: &[String],
) {
    let declared = provider.describe();
    let has = |field: &str| declared.fields.iter().any(|f| f.name == field);
    if let Some(field) = provider.web_login().and_then(|w| w.declined_field()) {
        if missing.is_empty() {
            profile.config.remove(field);
        } else {
            profile.config.insert(field.into(), missing.join(","));
        }
    }
    if let Some(port) = obtained.port.filter(|_| has(PORT_FIELD)) {
        profile.config.insert(PORT_FIELD.into(), port.to_string());
    }
    if let (Some(ct), Some(flow)) = (&obtained.client_token, provider.device_login()) {
        profile
            .secrets
            .insert(flow.client_field().into(), ct.clone());
    }
}
