//! External providers: executables named `fbvault-provider-NAME`, speaking protocol v1
//! (see `fbvault_provider::protocol`) — one JSON request on stdin, one JSON response on
//! stdout, one process per request, a time limit, and every failure reported by name.
//!
//! A plugin is started without fbvault's key pointers ([`SCRUBBED`]): it gets the one
//! profile it serves on stdin, never the identity that opens every profile. Its stdout and
//! stderr are read in chunks up to [`MAX_ANSWER`] each; a longer answer is refused without
//! being read whole.

mod process;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use fbvault_provider::protocol::{
    InspectResult, Method, PROTOCOL_VERSION, PluginInput, PluginRequest, PluginResponse,
    PluginResult,
};
use fbvault_provider::{
    Context, Description, EnvOptions, EnvVar, ErrorKind, Inspection, LoginInput, ProfileData,
    ProviderError, RefreshNeed, Token, TokenProvider, TokenSet, default_refresh_need,
};

use crate::config::Paths;
use process::{Failed, Finished};

/// The prefix of plugin executables.
pub const PREFIX: &str = "fbvault-provider-";

pub use process::{MAX_ANSWER, SCRUBBED};

/// An external provider.
#[derive(Debug, Clone)]
pub struct ExternalProvider {
    name: String,
    path: PathBuf,
    timeout: Duration,
    /// Its answer to `describe`, or why there is none: asked once.
    described: std::sync::OnceLock<Result<Description, ProviderError>>,
}

impl ExternalProvider {
    /// Finds `fbvault-provider-NAME` in the plugin folder, then on `PATH`.
    pub fn find(name: &str, paths: &Paths) -> Option<ExternalProvider> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let file = format!("{PREFIX}{name}");
        let path = search_dirs(paths)
            .into_iter()
            .map(|d| d.join(&file))
            .find(|p| is_executable(p))?;
        Some(ExternalProvider::at(name, path))
    }

    /// The plugin at `path`, called `name` (no search).
    pub fn at(name: &str, path: PathBuf) -> ExternalProvider {
        ExternalProvider {
            name: name.to_string(),
            path,
            timeout: plugin_timeout(),
            described: Default::default(),
        }
    }

    /// Every plugin executable found: (name, path), first hit per name.
    pub fn discover(paths: &Paths) -> Vec<ExternalProvider> {
        let mut found: Vec<ExternalProvider> = Vec::new();
        for dir in search_dirs(paths) {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut here: Vec<_> = entries.filter_map(|e| e.ok()).collect();
            here.sort_by_key(|e| e.file_name());
            for entry in here {
                let Some(name) = entry
                    .file_name()
                    .to_str()
                    .and_then(|f| f.strip_prefix(PREFIX))
                    .map(str::to_string)
                else {
                    continue;
                };
                if is_executable(&entry.path()) && !found.iter().any(|p| p.name == name) {
                    found.push(ExternalProvider::at(&name, entry.path()));
                }
            }
        }
        found
    }

    /// The provider's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The executable.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, kind: ErrorKind, why: impl std::fmt::Display) -> ProviderError {
        ProviderError::new(
            kind,
            format!("plugin `{}` ({}): {why}", self.name, self.path.display()),
        )
    }

    /// Runs one request and returns the result payload.
    fn call(
        &self,
        method: Method,
        profile: &ProfileData,
        input: PluginInput,
    ) -> Result<PluginResult, ProviderError> {
        // Everything secret the plugin is sent; its stderr and messages are scrubbed of it.
        let secrets: Vec<String> = profile
            .secrets
            .values()
            .chain(profile.tokens.iter().map(|t| &t.value))
            .chain(input.token.iter())
            .map(|s| s.expose().to_string())
            .collect();
        let redact =
            |text: &str| fbvault_provider::redact(text, secrets.iter().map(String::as_str));
        let request = PluginRequest {
            protocol: PROTOCOL_VERSION,
            method,
            profile: profile.clone(),
            input,
            now: Utc::now(),
        };
        let body =
            zeroize::Zeroizing::new(serde_json::to_vec(&request).expect("a request serializes"));
        let started = Instant::now();
        let ran = self.run_process(method, body);
        // How the run ended when it did not exit 0; after an exit 0, what it answered.
        let failed = match &ran {
            Ok(done) if done.status.success() => None,
            Ok(done) => Some(
                done.status
                    .code()
                    .map_or_else(|| "killed".to_string(), |c| format!("exit {c}")),
            ),
            Err(e) => Some(e.kind.as_str().to_string()),
        };
        let answer = self.answer(ran, &redact);
        let outcome = match (failed, &answer) {
            (Some(failed), _) => failed,
            (None, Ok(_)) => "exit 0, ok".to_string(),
            (None, Err(e)) => format!("exit 0, {}", e.kind.as_str()),
        };
        fbvault_provider::log::request(
            &format!("plugin {}", self.name),
            method.as_str(),
            &self.path.display().to_string(),
            started.elapsed(),
            &outcome,
        );
        answer
    }

    /// What a plugin run answered: its result, or the reason it gave none (`redact`
    /// scrubs what the plugin was sent from its words).
    fn answer(
        &self,
        ran: Result<Finished, ProviderError>,
        redact: &dyn Fn(&str) -> String,
    ) -> Result<PluginResult, ProviderError> {
        let Finished {
            status,
            out: (out, too_long),
            err,
        } = ran?;
        if too_long {
            return Err(self.fail(
                ErrorKind::Internal,
                format!("its answer is over {} MiB", MAX_ANSWER >> 20),
            ));
        }
        if !status.success() {
            let last = redact(String::from_utf8_lossy(&err).lines().last().unwrap_or(""))
                .chars()
                .take(200)
                .collect::<String>();
            let why = match status.code() {
                Some(c) => format!("exited with status {c}"),
                None => "was killed by a signal".to_string(),
            };
            let detail = if last.is_empty() {
                String::new()
            } else {
                format!(": {last}")
            };
            return Err(self.fail(ErrorKind::Internal, format!("{why}{detail}")));
        }
        let response: PluginResponse = serde_json::from_slice(&out).map_err(|e| {
            self.fail(
                ErrorKind::Internal,
                format!("its answer does not follow protocol 1 ({e})"),
            )
        })?;
        let (protocol, result) = match response {
            PluginResponse::Ok(ok) => (ok.protocol, Ok(ok.result)),
            PluginResponse::Err(e) => (e.protocol, Err(e.error)),
        };
        if protocol != PROTOCOL_VERSION {
            return Err(self.fail(
                ErrorKind::Internal,
                format!("it speaks protocol {protocol}, not {PROTOCOL_VERSION}"),
            ));
        }
        result.map_err(|e| {
            ProviderError::new(
                e.kind,
                format!(
                    "plugin `{}`: {}",
                    self.name,
                    redact(&e.message).chars().take(300).collect::<String>()
                ),
            )
        })
    }

    /// Runs the plugin on `body` within the time limit ([`process::run`]).
    fn run_process(
        &self,
        method: Method,
        body: zeroize::Zeroizing<Vec<u8>>,
    ) -> Result<Finished, ProviderError> {
        process::run(&self.path, method.as_str(), body, self.timeout).map_err(|e| match e {
            Failed::Start(e) => self.fail(ErrorKind::Internal, format!("cannot start: {e}")),
            Failed::Wait(e) => self.fail(ErrorKind::Internal, e),
            Failed::TimedOut => self.fail(
                ErrorKind::Unreachable,
                format!("no answer within {}s", self.timeout.as_secs_f32()),
            ),
        })
    }

    fn expect<T>(
        &self,
        method: Method,
        pick: impl FnOnce(PluginResult) -> Option<T>,
        result: PluginResult,
    ) -> Result<T, ProviderError> {
        pick(result).ok_or_else(|| {
            self.fail(
                ErrorKind::Internal,
                format!("its answer to `{}` has the wrong shape", method.as_str()),
            )
        })
    }
}

fn plugin_timeout() -> Duration {
    crate::config::seconds_from_env("FBVAULT_PLUGIN_TIMEOUT", Duration::from_secs(30), 3600.0)
}

fn search_dirs(paths: &Paths) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = paths.plugins.iter().cloned().collect();
    if let Some(path) = crate::config::env_non_empty("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

impl ExternalProvider {
    /// The plugin's description, or why it could not give one (a time-out, a non-zero exit,
    /// an answer that does not validate). Asked once per provider value: each answer costs
    /// a process. Both are outside text shown as they are, so their control characters are
    /// escaped here.
    pub fn described(&self) -> Result<&Description, &ProviderError> {
        self.described.get_or_init(|| self.describe_now()).as_ref()
    }

    fn describe_now(&self) -> Result<Description, ProviderError> {
        let escape = crate::vault::text::escape_controls;
        self.call(
            Method::Describe,
            &ProfileData::default(),
            PluginInput::default(),
        )
        .and_then(|r| {
            self.expect(
                Method::Describe,
                |r| match r {
                    PluginResult::Describe(d) => Some(d),
                    _ => None,
                },
                r,
            )
        })
        .map(|d| Description {
            // Shown by `plugins list`: outside text.
            version: escape(&d.version),
            ..d
        })
        .map_err(|e| ProviderError {
            message: format!("{} (asked to describe itself)", escape(&e.message)),
            ..e
        })
    }

    /// The description, or the error that there is none: a profile is not made or logged
    /// in with a plugin that cannot describe itself.
    fn require_description(&self) -> Result<&Description, ProviderError> {
        self.described().map_err(ProviderError::clone)
    }

    /// A `login` or `refresh` answer: a set of tokens, each injected (if at all) under a
    /// name `run` accepts. A variable that is not an identifier, or that a loader, shell or
    /// interpreter reads ([`crate::runner::names::unfit`]), would be stored and then
    /// refused by every `run`; the answer is refused instead, and nothing is stored.
    fn tokens(&self, method: Method, result: PluginResult) -> Result<TokenSet, ProviderError> {
        let set = self.expect(
            method,
            |r| match r {
                PluginResult::Tokens(t) => Some(t),
                _ => None,
            },
            result,
        )?;
        for token in &set.tokens {
            let Some(var) = &token.env else { continue };
            let Some(why) = crate::runner::names::unfit(var) else {
                continue;
            };
            let escape = crate::vault::text::escape_controls;
            return Err(self.fail(
                ErrorKind::Internal,
                format!(
                    "its answer to `{}` gives the token `{}` the variable `{}`: {why}",
                    method.as_str(),
                    escape(&token.name),
                    escape(var)
                ),
            ));
        }
        Ok(set)
    }
}

impl TokenProvider for ExternalProvider {
    /// Asked once per provider value ([`ExternalProvider::described`]). A plugin that
    /// cannot describe itself is described as having nothing (version `unknown`); `validate`
    /// and `login` then fail with the reason, and `plugins list` shows it.
    fn describe(&self) -> Description {
        self.described().cloned().unwrap_or_else(|_| Description {
            name: self.name.clone(),
            version: "unknown".to_string(),
            capabilities: Vec::new(),
            fields: Vec::new(),
            env: Default::default(),
            variables: Vec::new(),
            login: Default::default(),
        })
    }

    /// The plugin describes itself, and the fields it declares as required are there.
    fn validate(&self, profile: &ProfileData) -> Result<(), ProviderError> {
        fbvault_provider::check_required_fields(self.require_description()?, profile)
    }

    fn login(
        &self,
        _ctx: &Context,
        profile: &ProfileData,
        input: &LoginInput,
    ) -> Result<TokenSet, ProviderError> {
        self.require_description()?;
        let r = self.call(
            Method::Login,
            profile,
            PluginInput {
                // No token for a provider that needs none and was given none.
                token: (!input.token.is_empty()).then(|| input.token.clone()),
                exchange: Some(input.exchange),
                ..Default::default()
            },
        )?;
        self.tokens(Method::Login, r)
    }

    /// The shared rule, except that a provider that needs no user grant mints a token when
    /// there is none, when it expired, or when it is about to ([`nearly_expired`]). Its
    /// description (a process) is asked only in those cases, so a fresh profile's `run`
    /// costs no extra process.
    fn refresh_due(&self, ctx: &Context, profile: &ProfileData) -> RefreshNeed {
        let need = default_refresh_need(ctx.now, profile, chrono::Duration::days(7));
        let mintable = match need {
            RefreshNeed::Missing | RefreshNeed::Expired => true,
            RefreshNeed::Fresh => profile
                .tokens
                .first()
                .is_some_and(|t| nearly_expired(t, ctx.now)),
            RefreshNeed::Due => false,
        };
        if mintable && self.describe().tokenless() {
            RefreshNeed::Due
        } else {
            need
        }
    }

    fn refresh(
        &self,
        _ctx: &Context,
        profile: &ProfileData,
        force: bool,
    ) -> Result<TokenSet, ProviderError> {
        let r = self.call(
            Method::Refresh,
            profile,
            PluginInput {
                force: Some(force),
                ..Default::default()
            },
        )?;
        self.tokens(Method::Refresh, r)
    }

    fn inspect(
        &self,
        _ctx: &Context,
        profile: &ProfileData,
        only: Option<&str>,
    ) -> Result<Vec<Inspection>, ProviderError> {
        let r = self.call(
            Method::Inspect,
            profile,
            PluginInput {
                only: only.map(str::to_string),
                ..Default::default()
            },
        )?;
        self.expect(
            Method::Inspect,
            |r| match r {
                PluginResult::Inspect(InspectResult { inspections }) => Some(inspections),
                _ => None,
            },
            r,
        )
    }

    fn env(
        &self,
        profile: &ProfileData,
        _options: &EnvOptions,
    ) -> Result<Vec<EnvVar>, ProviderError> {
        let now = Utc::now();
        let mut vars = Vec::new();
        for t in &profile.tokens {
            let Some(var) = &t.env else { continue };
            if t.is_expired(now) {
                return Err(ProviderError::new(
                    ErrorKind::InvalidGrant,
                    format!("the token `{}` expired", t.name),
                )
                .hint("run `fbvault login {profile}`"));
            }
            vars.push(EnvVar::secret(var, t.value.clone()));
        }
        if vars.is_empty() {
            return Err(ProviderError::new(
                ErrorKind::InvalidGrant,
                "the profile has no token to inject",
            )
            .hint("run `fbvault login {profile}`"));
        }
        Ok(vars)
    }
}

/// Whether a token has under a minute, or under a tenth of its life, left: a short-lived
/// access token (an OAuth2 one lives an hour) is replaced before a child gets it dying.
fn nearly_expired(token: &Token, now: chrono::DateTime<Utc>) -> bool {
    let Some(expires_at) = token.expires_at else {
        return false;
    };
    let born = token.obtained_at.or(token.issued_at).unwrap_or(expires_at);
    let margin = ((expires_at - born) / 10).max(chrono::Duration::seconds(60));
    expires_at - now <= margin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_python_example_keeps_the_provider_contract_through_the_bridge() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("plugins/examples/fbvault-provider-oauth2");
        let provider = ExternalProvider::at("oauth2", path);
        assert!(provider.describe().tokenless());
        fbvault_provider::testkit::check(&provider);
    }
}
