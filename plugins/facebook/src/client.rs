//! The Graph API over blocking HTTP: versioned paths, bounded timeouts, retries with
//! backoff and jitter for transient failures only, and errors that never carry a URL (the
//! URLs carry tokens).

use std::io::Read;
use std::time::{Duration, Instant, SystemTime};

use fbvault_provider::{ErrorKind, ProviderError, http};
use reqwest::Url;
use reqwest::blocking::{Client as Http, RequestBuilder};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::errors::{Endpoint, GraphError, Verdict, classify, escape_controls};
use crate::usage;

/// The largest Graph answer read; a bigger one is refused without reading it whole.
pub const MAX_BODY: u64 = 1 << 20;
/// Usage (percent of a rate limit) from which the client pauses before its next call.
const SLOW_DOWN_AT: f64 = 75.0;

/// How the provider talks to Graph.
#[derive(Debug, Clone)]
pub struct Options {
    /// Overrides every profile's Graph base URL (`FBVAULT_GRAPH_URL`).
    pub graph_url: Option<String>,
    /// Overrides where the login dialog lives (`FBVAULT_DIALOG_URL`; default
    /// [`DEFAULT_DIALOG_URL`](crate::login::DEFAULT_DIALOG_URL)).
    pub dialog_url: Option<String>,
    /// Total time allowed for one HTTP attempt.
    pub timeout: Duration,
    /// Attempts per call for transient failures (1 = no retry).
    pub attempts: u32,
    /// The first pause between attempts; doubled each time, plus jitter.
    pub backoff: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            graph_url: None,
            dialog_url: None,
            timeout: fbvault_provider::DEFAULT_TIMEOUT,
            attempts: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// A successful Graph answer.
#[derive(Debug)]
pub struct Reply {
    /// The JSON body.
    pub body: Value,
}

/// A Graph client bound to one base URL and version.
pub struct Client {
    http: Http,
    base: Url,
    version: String,
    options: Options,
    /// Values to scrub from any text we report (the app secret, tokens).
    secrets: std::cell::RefCell<Vec<String>>,
    /// The version Graph says it served (`facebook-api-version`), when it differs from
    /// the one asked for: an ended version is served as the oldest live one.
    served: std::cell::RefCell<Option<String>>,
}

/// No call leaves before this instant: set, for every client of the process (`refresh
/// --all` runs several at once), when an answer's usage headers say the app is close to
/// a rate limit.
static NOT_BEFORE: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);

fn wait_for_quota() {
    let until = *NOT_BEFORE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(wait) = until.and_then(|u| u.checked_duration_since(std::time::Instant::now())) {
        std::thread::sleep(wait);
    }
}

fn hold_back(pause: Duration) {
    let until = std::time::Instant::now() + pause;
    let mut slot = NOT_BEFORE.lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_none_or(|u| u < until) {
        *slot = Some(until);
    }
}

fn unreachable(message: String) -> ProviderError {
    ProviderError::new(ErrorKind::Unreachable, message)
        .hint("check the network and try again; Graph API status: https://metastatus.com")
}

impl Client {
    /// A client for `base` (`https://graph.facebook.com`) and `version` (`v27.0`).
    pub fn new(
        options: &Options,
        base: &str,
        version: &str,
        secrets: Vec<String>,
    ) -> Result<Client, ProviderError> {
        let mut base = Url::parse(base).map_err(|_| {
            ProviderError::new(
                ErrorKind::BadRequest,
                format!("the Graph API URL `{base}` is not a URL"),
            )
        })?;
        if !matches!(base.scheme(), "https" | "http") || base.host_str().is_none() {
            return Err(ProviderError::new(
                ErrorKind::BadRequest,
                "the Graph API URL must be an http(s) URL with a host",
            ));
        }
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        if !crate::valid_version(version) {
            return Err(ProviderError::new(
                ErrorKind::BadRequest,
                format!(
                    "`{version}` is not a Graph API version (expected something like {})",
                    crate::versions::newest()
                ),
            ));
        }
        let http = http::client(options.timeout)?;
        Ok(Client {
            http,
            base,
            version: version.to_string(),
            options: options.clone(),
            secrets: std::cell::RefCell::new(secrets),
            served: std::cell::RefCell::new(None),
        })
    }

    /// The host, for messages.
    pub fn host(&self) -> String {
        self.base.host_str().unwrap_or("").to_string()
    }

    /// `GET {base}/{version}/{path}?{params}`.
    pub fn get(
        &self,
        endpoint: Endpoint,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<Reply, ProviderError> {
        let url = self.versioned(path)?;
        self.send(endpoint, || self.http.get(url.clone()).query(params))
    }

    /// `{base}/{version}/{path}`.
    fn versioned(&self, path: &str) -> Result<reqwest::Url, ProviderError> {
        self.base
            .join(&format!("{}/{}", self.version, path))
            .map_err(|_| ProviderError::new(ErrorKind::Internal, format!("bad Graph path {path}")))
    }

    /// `POST {base}/{version}/{path}` with `params` as a form body (Facebook Login for
    /// Devices).
    pub fn post(
        &self,
        endpoint: Endpoint,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<Reply, ProviderError> {
        let url = self.versioned(path)?;
        let body = http::form(params);
        self.send(endpoint, || {
            http::post_form(&self.http, url.clone(), body.clone())
        })
    }

    /// Whether `url` points at the configured Graph host (scheme, host and port).
    pub fn same_host(&self, url: &Url) -> bool {
        url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default()
    }

    /// `GET` a `paging.next` URL as given (it is on our host: check with [`Client::same_host`]).
    pub fn get_url(&self, url: Url) -> Result<Reply, ProviderError> {
        self.send(Endpoint::Graph, || self.http.get(url.clone()))
    }

    fn send(
        &self,
        endpoint: Endpoint,
        request: impl Fn() -> RequestBuilder,
    ) -> Result<Reply, ProviderError> {
        let attempts = self.options.attempts.max(1);
        let mut last = String::new();
        wait_for_quota();
        for attempt in 1..=attempts {
            match self.attempt(endpoint, request()) {
                Ok(reply) => return Ok(reply),
                Err(Verdict::Fail(e)) => return Err(self.scrub_error(e)),
                Err(Verdict::Retry(why)) => last = why,
            }
            if attempt < attempts {
                let jitter = Duration::from_millis(u64::from(
                    SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_nanos())
                        % 250,
                ));
                std::thread::sleep(self.options.backoff * 2u32.pow(attempt - 1) + jitter);
            }
        }
        let tries = if attempts == 1 {
            "1 try".to_string()
        } else {
            format!("{attempts} tries")
        };
        Err(self.scrub_error(unreachable(format!(
            "Facebook kept failing: {last} ({tries})"
        ))))
    }

    fn attempt(&self, endpoint: Endpoint, request: RequestBuilder) -> Result<Reply, Verdict> {
        let (http, request) = request.build_split();
        let request = request.map_err(|e| Verdict::Retry(self.describe_network_error(&e)))?;
        // For the debug log: the method and the path, never the query (it carries tokens).
        let (method, path) = (request.method().clone(), request.url().path().to_string());
        let started = Instant::now();
        let sent = http.execute(request);
        let outcome = match &sent {
            Ok(r) => r.status().as_u16().to_string(),
            Err(_) => "network error".to_string(),
        };
        fbvault_provider::log::request(
            "facebook",
            method.as_str(),
            &path,
            started.elapsed(),
            &outcome,
        );
        let response = sent.map_err(|e| Verdict::Retry(self.describe_network_error(&e)))?;
        let status = response.status();
        let headers: HeaderMap = response.headers().clone();
        self.note_served_version(&headers);
        let bytes = read_capped(response).map_err(|e| match e {
            Capped::TooBig => Verdict::Fail(ProviderError::new(
                ErrorKind::Unreachable,
                format!(
                    "Facebook's answer is larger than {} MB; not read",
                    MAX_BODY >> 20
                ),
            )),
            Capped::Io => Verdict::Retry(format!("the answer from {} was cut short", self.host())),
        })?;
        let body: Option<Value> = serde_json::from_slice(&bytes)
            .ok()
            .or_else(|| legacy_form(&bytes));
        let usage = usage::parse(&headers);
        match body {
            Some(body) => {
                if let Some(err) = GraphError::from_body(&body) {
                    // A device login's state (pending, slow down, expired, declined) comes
                    // as an error envelope; the device flow reads it itself.
                    if endpoint == Endpoint::Device && crate::errors::is_device_state(&err) {
                        return Ok(Reply { body });
                    }
                    let err = err.cleaned(|t| self.clean(t));
                    return Err(classify(&err, endpoint, &usage, &self.version));
                }
                if usage.peak_percent.is_some_and(|p| p >= SLOW_DOWN_AT) {
                    hold_back(slow_down(usage.peak_percent.unwrap_or(0.0)));
                }
                if status.is_success() {
                    Ok(Reply { body })
                } else if status.is_server_error() {
                    Err(Verdict::Retry(format!("HTTP {}", status.as_u16())))
                } else {
                    Err(Verdict::Fail(ProviderError::new(
                        ErrorKind::BadRequest,
                        format!(
                            "Facebook answered HTTP {} without an error object",
                            status.as_u16()
                        ),
                    )))
                }
            }
            None if status.is_server_error() => {
                Err(Verdict::Retry(format!("HTTP {}", status.as_u16())))
            }
            None if status.is_success() => {
                Err(Verdict::Retry("the answer was not JSON".to_string()))
            }
            None => Err(Verdict::Retry(format!(
                "HTTP {} with a body that is not JSON",
                status.as_u16()
            ))),
        }
    }

    fn describe_network_error(&self, e: &reqwest::Error) -> String {
        let host = self.host();
        if e.is_timeout() {
            format!(
                "no answer from {host} within {}s",
                self.options.timeout.as_secs_f32()
            )
        } else if e.is_connect() {
            format!("cannot connect to {host}")
        } else if e.is_body() || e.is_decode() {
            format!("the answer from {host} was cut short")
        } else {
            format!("network error talking to {host}")
        }
    }

    fn note_served_version(&self, headers: &HeaderMap) {
        let served = headers
            .get("facebook-api-version")
            .and_then(|v| v.to_str().ok())
            .filter(|v| crate::valid_version(v) && *v != self.version);
        if let Some(v) = served {
            *self.served.borrow_mut() = Some(v.to_string());
        }
    }

    /// The version Graph served instead of the one asked for, if it did.
    pub fn served_instead(&self) -> Option<String> {
        self.served.borrow().clone()
    }

    /// Adds a value (a token just received) to those scrubbed from reported text.
    pub fn also_scrub(&self, secret: &fbvault_provider::Secret) {
        self.secrets.borrow_mut().push(secret.expose().to_string());
    }

    fn scrub(&self, text: &str) -> String {
        fbvault_provider::redact(text, self.secrets.borrow().iter().map(String::as_str))
    }

    /// Text from Facebook made fit to show or store: every known secret replaced, control
    /// characters escaped, cut to 300 characters (scrubbed first: a cut must not leave
    /// half a secret).
    pub fn clean(&self, text: &str) -> String {
        escape_controls(&self.scrub(text), 300)
    }

    fn scrub_error(&self, mut e: ProviderError) -> ProviderError {
        e.message = self.scrub(&e.message);
        e
    }
}

enum Capped {
    TooBig,
    Io,
}

/// Reads at most [`MAX_BODY`] bytes, in chunks; a longer answer is refused.
fn read_capped(response: reqwest::blocking::Response) -> Result<Vec<u8>, Capped> {
    if response.content_length().is_some_and(|n| n > MAX_BODY) {
        return Err(Capped::TooBig);
    }
    let mut bytes = Vec::new();
    response
        .take(MAX_BODY + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| Capped::Io)?;
    if bytes.len() as u64 > MAX_BODY {
        return Err(Capped::TooBig);
    }
    Ok(bytes)
}

/// How long to wait before the next call at `percent` of a rate limit: nothing below
/// [`SLOW_DOWN_AT`], then up to 5 s at 100 %.
fn slow_down(percent: f64) -> Duration {
    let over = ((percent - SLOW_DOWN_AT) / (100.0 - SLOW_DOWN_AT)).clamp(0.0, 1.0);
    Duration::from_millis(200 + (over * 4_800.0) as u64)
}

/// Before v2.3 the OAuth endpoint answered `access_token=…&expires=…`; accept it.
fn legacy_form(bytes: &[u8]) -> Option<Value> {
    if !bytes.trim_ascii().starts_with(b"access_token=") {
        return None;
    }
    let map = url::form_urlencoded::parse(bytes.trim_ascii())
        .map(|(k, v)| {
            let value = v
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(v.into_owned()));
            (k.into_owned(), value)
        })
        .collect();
    Some(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_legacy_form_answer() {
        let v = legacy_form(b"access_token=EAAB%7Cx&expires=5183999").unwrap();
        assert_eq!(v["access_token"], "EAAB|x");
        assert_eq!(v["expires"], 5183999);
        assert!(legacy_form(b"<html>").is_none());
    }

    #[test]
    fn slowing_down_grows_with_usage() {
        assert!(slow_down(75.0) < slow_down(90.0));
        assert_eq!(slow_down(150.0), Duration::from_millis(5_000));
    }

    #[test]
    fn refuses_bad_versions_and_urls() {
        let o = Options::default();
        assert!(Client::new(&o, "https://graph.facebook.com", "25.0", vec![]).is_err());
        assert!(Client::new(&o, "ftp://x", "v25.0", vec![]).is_err());
        assert!(Client::new(&o, "https://graph.facebook.com", "v25.0", vec![]).is_ok());
    }
}
