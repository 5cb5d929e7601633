//! The issuer's API over blocking HTTP: one attempt per call with a time limit, answers
//! read up to 1 MiB, error envelopes mapped to [`ErrorKind`]s, and messages scrubbed of
//! every secret (the URLs carry tokens, so no URL is ever shown).

use std::cell::RefCell;
use std::io::Read;
use std::time::{Duration, Instant};

use fbvault_provider::http as shared;
use fbvault_provider::{ErrorKind, ProviderError, Secret};
use reqwest::Url;
use serde_json::Value;

use crate::Spec;

/// The largest answer read.
const MAX_BODY: u64 = 1 << 20;

/// How the provider talks to its issuer.
#[derive(Debug, Clone)]
pub struct Options {
    /// Beats the profile's `api_url` and the spec's host (`FBVAULT_INSTAGRAM_URL`, …).
    pub url: Option<String>,
    /// Total time allowed for one call.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            url: None,
            timeout: fbvault_provider::DEFAULT_TIMEOUT,
        }
    }
}

/// A client for one operation.
pub struct Client {
    spec: Spec,
    base: Url,
    http: reqwest::blocking::Client,
    secrets: RefCell<Vec<String>>,
}

impl Client {
    pub fn new(
        spec: &Spec,
        options: &Options,
        base: &str,
        secrets: Vec<String>,
    ) -> Result<Client, ProviderError> {
        let mut base = Url::parse(base)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some())
            .ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::BadRequest,
                    format!("the {} API URL `{base}` is not an http(s) URL", spec.label),
                )
            })?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let http = shared::client(options.timeout)?;
        Ok(Client {
            spec: *spec,
            base,
            http,
            secrets: RefCell::new(secrets),
        })
    }

    /// Adds a value to scrub from messages.
    pub fn also_scrub(&self, secret: &Secret) {
        self.secrets.borrow_mut().push(secret.expose().to_string());
    }

    /// Short-lived to long-lived: the new token and its life in seconds.
    pub fn exchange(
        &self,
        short: &Secret,
        app_secret: &Secret,
    ) -> Result<(Secret, Option<i64>), Failure> {
        let body = self.get(
            "access_token",
            &[
                ("grant_type", self.spec.exchange_grant),
                ("client_secret", app_secret.expose()),
                ("access_token", short.expose()),
            ],
        )?;
        Ok(self.token_answer(&body)?)
    }

    /// A long-lived token refreshed: the new token and its life in seconds.
    pub fn refresh(&self, long: &Secret) -> Result<(Secret, Option<i64>), Failure> {
        let body = self.get(
            "refresh_access_token",
            &[
                ("grant_type", self.spec.refresh_grant),
                ("access_token", long.expose()),
            ],
        )?;
        Ok(self.token_answer(&body)?)
    }

    /// An authorization code for a short-lived token: `POST /oauth/access_token` with a
    /// form. Instagram answers `{"data": [{"access_token", …}]}`, Threads the token flat.
    pub fn redeem(
        &self,
        app_id: &str,
        app_secret: &Secret,
        code: &Secret,
        redirect_uri: &str,
    ) -> Result<Secret, ProviderError> {
        self.also_scrub(code);
        let url = self
            .base
            .join("oauth/access_token")
            .map_err(|_| self.odd("a bad API path"))?;
        let form = [
            ("client_id", app_id),
            ("client_secret", app_secret.expose()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code.expose()),
        ];
        let request = shared::post_form(&self.http, url.clone(), shared::form(&form));
        let body = self.answer("POST", &url, request)?;
        let flat = body.get("data").and_then(|d| d.get(0)).unwrap_or(&body);
        Ok(self.token_answer(flat)?.0)
    }

    /// The id of the token's user.
    pub fn user_id(&self, token: &Secret) -> Result<String, ProviderError> {
        let fields = format!("{},username", self.spec.id_field);
        let body = self.get(
            self.spec.me_path,
            &[("fields", &fields), ("access_token", token.expose())],
        )?;
        match &body[self.spec.id_field] {
            Value::String(s) if !s.is_empty() => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(self.odd("its `me` answer has no user id")),
        }
    }

    fn token_answer(&self, body: &Value) -> Result<(Secret, Option<i64>), ProviderError> {
        let value = body["access_token"]
            .as_str()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| self.odd("its answer has no access_token"))?;
        let token = Secret::new(value.to_string());
        self.also_scrub(&token);
        Ok((token, body["expires_in"].as_i64()))
    }

    fn odd(&self, why: &str) -> ProviderError {
        ProviderError::new(ErrorKind::Internal, format!("{}: {why}", self.spec.label))
    }

    fn get(&self, path: &str, params: &[(&str, &str)]) -> Result<Value, Failure> {
        let url = self
            .base
            .join(path)
            .map_err(|_| self.odd("a bad API path"))?;
        self.answer("GET", &url, self.http.get(url.clone()).query(params))
    }

    /// Sends `request` (to `url`, logged as `method` and its path) and reads its answer.
    fn answer(
        &self,
        method: &str,
        url: &Url,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<Value, Failure> {
        let started = Instant::now();
        let sent = request.send();
        let outcome = sent.as_ref().map_or_else(
            |_| "network error".to_string(),
            |r| r.status().as_u16().to_string(),
        );
        fbvault_provider::log::request(
            self.spec.name,
            method,
            url.path(),
            started.elapsed(),
            &outcome,
        );
        let response = sent.map_err(|e| {
            let why = if e.is_timeout() {
                "timed out"
            } else {
                "could not connect"
            };
            ProviderError::new(
                ErrorKind::Unreachable,
                format!(
                    "{} ({}) {why}",
                    self.spec.label,
                    self.base.host_str().unwrap_or("")
                ),
            )
        })?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        response
            .take(MAX_BODY + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| {
                ProviderError::new(
                    ErrorKind::Unreachable,
                    format!("{}'s answer was cut short", self.spec.label),
                )
            })?;
        if bytes.len() as u64 > MAX_BODY {
            return Err(self.odd("its answer is over 1 MiB").into());
        }
        let body: Option<Value> = serde_json::from_slice(&bytes).ok();
        if let Some(e) = body.as_ref().and_then(|b| crate::http::envelope(b, status)) {
            return Err(Failure {
                refusal: Some(e.refusal()),
                error: self.refusal(e),
            });
        }
        match body {
            Some(body) if (200..300).contains(&status) => Ok(body),
            _ if status >= 500 => Err(ProviderError::new(
                ErrorKind::Unreachable,
                format!("{} failed (HTTP {status})", self.spec.label),
            )
            .into()),
            _ => Err(ProviderError::new(
                ErrorKind::BadRequest,
                format!(
                    "{} answered HTTP {status} without an error object",
                    self.spec.label
                ),
            )
            .into()),
        }
    }

    fn refusal(&self, e: Envelope) -> ProviderError {
        let text: String =
            fbvault_provider::redact(&e.message, self.secrets.borrow().iter().map(String::as_str))
                .chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect();
        let kind = e.kind();
        let mut err = ProviderError::new(
            kind,
            format!(
                "{} refused ({} {}): {text}",
                self.spec.label, e.kind_name, e.code
            ),
        );
        // 101: the app's credentials (the client secret), not the token.
        if e.code == 101 {
            err = err.hint(format!(
                "check the {} app id and secret (the app's dashboard shows them), then `fbvault edit {{profile}}`",
                self.spec.label
            ));
        } else if kind == ErrorKind::InvalidGrant {
            err = err.hint(format!(
                "get a new {} token and run `fbvault login {{profile}}`",
                self.spec.label
            ));
        }
        err
    }
}

/// A call that failed: the error to show, and, when the issuer refused in an envelope,
/// what kind of refusal it was (which decides whether another call can help).
#[derive(Debug)]
pub struct Failure {
    pub error: ProviderError,
    pub refusal: Option<Refusal>,
}

impl From<ProviderError> for Failure {
    fn from(error: ProviderError) -> Self {
        Failure {
            error,
            refusal: None,
        }
    }
}

impl From<Failure> for ProviderError {
    fn from(f: Failure) -> Self {
        f.error
    }
}

impl Failure {
    /// Whether the issuer refused the token itself (code 190: unknown, expired, revoked,
    /// or not the kind of token the call takes).
    pub fn bad_token(&self) -> bool {
        self.refusal == Some(Refusal::BadToken)
    }

    /// Whether the issuer refused a refresh because the token is not yet 24 hours old.
    pub fn too_young(&self) -> bool {
        self.refusal == Some(Refusal::TooYoung)
    }
}

/// What an envelope refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Code 190: the token.
    BadToken,
    /// The 24-hour rule of `refresh_access_token`. Meta documents the rule, not its error;
    /// it is known by its words ("24 hours"), never guessed from a bare code.
    TooYoung,
    /// Anything else.
    Other,
}

/// An issuer's error, from either envelope: Graph's `{"error": {"message", "type",
/// "code"}}` or the OAuth endpoints' `{"error_type", "code", "error_message"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub kind_name: String,
    pub code: i64,
    pub message: String,
    pub status: u16,
}

impl Envelope {
    /// 190 and `OAuthException` (a dead or refused token, bad app credentials): exit 4;
    /// the rate-limit codes and HTTP 429: rate limited; 5xx and code 1/2: unreachable.
    pub fn kind(&self) -> ErrorKind {
        match (self.code, self.status) {
            (4 | 17 | 32 | 613, _) | (_, 429) => ErrorKind::RateLimited,
            (1 | 2, _) | (_, 500..) => ErrorKind::Unreachable,
            (190, _) => ErrorKind::InvalidGrant,
            _ if self.kind_name == "OAuthException" => ErrorKind::InvalidGrant,
            _ => ErrorKind::BadRequest,
        }
    }

    /// The refusal it is.
    pub fn refusal(&self) -> Refusal {
        let words = self.message.to_ascii_lowercase().replace('-', " ");
        match self.kind() {
            ErrorKind::InvalidGrant if self.code == 190 => Refusal::BadToken,
            ErrorKind::RateLimited | ErrorKind::Unreachable => Refusal::Other,
            _ if words.contains("24 hour") => Refusal::TooYoung,
            _ => Refusal::Other,
        }
    }
}

/// The error in `body`, if it is one.
pub fn envelope(body: &Value, status: u16) -> Option<Envelope> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    if let Some(e) = body.get("error").filter(|e| e.is_object()) {
        return Some(Envelope {
            kind_name: text(&e["type"]),
            code: e["code"].as_i64().unwrap_or(0),
            message: text(&e["message"]),
            status,
        });
    }
    body.get("error_type").map(|t| Envelope {
        kind_name: text(t),
        code: body["code"].as_i64().unwrap_or(0),
        message: text(&body["error_message"]),
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_envelopes() {
        let graph: Value = serde_json::json!({"error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}});
        let e = envelope(&graph, 400).unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidGrant);
        let oauth: Value = serde_json::json!({"error_type": "OAuthException", "code": 400, "error_message": "Invalid platform app"});
        assert_eq!(
            envelope(&oauth, 400).unwrap().kind(),
            ErrorKind::InvalidGrant
        );
        let limited: Value = serde_json::json!({"error": {"message": "too many", "type": "OAuthException", "code": 4}});
        assert_eq!(
            envelope(&limited, 400).unwrap().kind(),
            ErrorKind::RateLimited
        );
        let bad: Value = serde_json::json!({"error": {"message": "unsupported", "type": "IGApiException", "code": 100}});
        assert_eq!(envelope(&bad, 400).unwrap().kind(), ErrorKind::BadRequest);
        assert!(envelope(&serde_json::json!({"access_token": "x"}), 200).is_none());
        assert_eq!(e.refusal(), Refusal::BadToken);
        assert_eq!(envelope(&bad, 400).unwrap().refusal(), Refusal::Other);
        let young: Value = serde_json::json!({"error": {"message": "The access token must be at least 24-hours old", "type": "IGApiException", "code": 100}});
        assert_eq!(envelope(&young, 400).unwrap().refusal(), Refusal::TooYoung);
    }
}
