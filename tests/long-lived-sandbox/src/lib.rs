//! Instagram's and Threads' token endpoints on 127.0.0.1, for fbvault's tests (beside the
//! Graph sandbox, which is Facebook's). One [`Sandbox`] per host, with the [`Flavor`]
//! deciding the paths, grant names and ids:
//!
//! - `GET /access_token?grant_type=ig_exchange_token|th_exchange_token&client_secret&access_token`:
//!   a short-lived token for a 60-day one;
//! - `GET /refresh_access_token?grant_type=ig_refresh_token|th_refresh_token&access_token`: a
//!   long-lived token at least 24 hours old and not expired, for a new 60-day one;
//! - `GET /me` (Instagram: `user_id`) or `/v1.0/me` (Threads: `id`): the token's user;
//! - `GET /oauth/authorize` (`client_id, redirect_uri, scope, response_type=code, state`):
//!   the authorize page, approving at once: a 302 to `redirect_uri?code=…&state=…#_`;
//! - `POST /oauth/access_token` (form `client_id, client_secret, grant_type=authorization_code,
//!   redirect_uri, code`): a single-use code from [`Sandbox::code`] for a short-lived token,
//!   in Instagram's `{"data": [...]}` or Threads' flat answer; Instagram's errors here come in
//!   its `{"error_type", "code", "error_message"}` envelope.
//!
//! Errors come in Graph's envelope (`{"error": {"message", "type", "code"}}`). The clock
//! starts at the real time and moves with [`Sandbox::advance`].
#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// The app secret the sandbox accepts.
pub const APP_SECRET: &str = "ll-sandbox-app-secret-0f1e2d";
/// The app id the sandbox accepts.
pub const APP_ID: &str = "990011223344";
/// The user every token belongs to.
pub const USER_ID: &str = "17841400000000042";
/// A long-lived token's life: 60 days.
pub const LONG_LIVED_SECS: i64 = 60 * 86_400;

/// Which issuer the sandbox plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// graph.instagram.com
    Instagram,
    /// graph.threads.net
    Threads,
}

impl Flavor {
    fn prefix(self) -> &'static str {
        match self {
            Flavor::Instagram => "ig",
            Flavor::Threads => "th",
        }
    }
    fn me_path(self) -> &'static str {
        match self {
            Flavor::Instagram => "/me",
            Flavor::Threads => "/v1.0/me",
        }
    }
    fn id_field(self) -> &'static str {
        match self {
            Flavor::Instagram => "user_id",
            Flavor::Threads => "id",
        }
    }
}

/// A token the sandbox issued.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Long-lived (refreshable) or short-lived (exchangeable).
    pub long: bool,
    /// When, on the sandbox clock (Unix seconds).
    pub issued_at: i64,
    /// Until when.
    pub expires_at: i64,
}

/// A request the sandbox got: the path and the query.
#[derive(Debug, Clone)]
pub struct Request {
    /// The path.
    pub path: String,
    /// The query parameters.
    pub params: BTreeMap<String, String>,
}

#[derive(Debug)]
struct State {
    flavor: Flavor,
    offset: i64,
    next: u64,
    long_lived_secs: i64,
    tokens: HashMap<String, Issued>,
    codes: HashMap<String, String>,
    requests: Vec<Request>,
    failures: Vec<(String, u16, Value)>,
}

impl State {
    fn code(&mut self, redirect_uri: &str) -> String {
        self.next += 1;
        let code = format!("AQ-sandbox-code-{:06}", self.next);
        self.codes.insert(code.clone(), redirect_uri.to_string());
        code
    }

    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
            + self.offset
    }

    fn mint(&mut self, long: bool, life: i64) -> String {
        self.next += 1;
        let token = format!(
            "{}{}-sandbox-token-{:06}-{}",
            self.flavor.prefix().to_uppercase(),
            if long { "LL" } else { "SL" },
            self.next,
            std::process::id()
        );
        let now = self.now();
        self.tokens.insert(
            token.clone(),
            Issued {
                long,
                issued_at: now,
                expires_at: now + life,
            },
        );
        token
    }
}

/// A running sandbox; stops when dropped.
pub struct Sandbox {
    url: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Starts one on a free port of 127.0.0.1.
    pub fn start(flavor: Flavor) -> Sandbox {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("a free port"));
        let url = format!(
            "http://{}",
            server.server_addr().to_ip().expect("an IP address")
        );
        let state = Arc::new(Mutex::new(State {
            flavor,
            offset: 0,
            next: 0,
            long_lived_secs: LONG_LIVED_SECS,
            tokens: HashMap::new(),
            codes: HashMap::new(),
            requests: Vec::new(),
            failures: Vec::new(),
        }));
        let (s, st) = (server.clone(), state.clone());
        let thread = std::thread::spawn(move || {
            for mut request in s.incoming_requests() {
                let mut form = String::new();
                let _ = std::io::Read::read_to_string(request.as_reader(), &mut form);
                let post = request.method() == &tiny_http::Method::Post;
                if let Some(location) = authorize(&st, request.url()) {
                    let response = tiny_http::Response::empty(302).with_header(
                        format!("Location: {location}")
                            .parse::<tiny_http::Header>()
                            .expect("a header"),
                    );
                    let _ = request.respond(response);
                    continue;
                }
                let (status, body) = handle(&st, request.url(), post.then_some(form.as_str()));
                let response = tiny_http::Response::from_string(body.to_string())
                    .with_status_code(status)
                    .with_header(
                        "Content-Type: application/json"
                            .parse::<tiny_http::Header>()
                            .expect("a header"),
                    );
                let _ = request.respond(response);
            }
        });
        Sandbox {
            url,
            state,
            server,
            thread: Some(thread),
        }
    }

    /// The base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> &str {
        &self.url
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh short-lived token (1 hour).
    pub fn short_token(&self) -> String {
        self.state().mint(false, 3600)
    }

    /// A single-use authorization code for `redirect_uri`, as the authorize page would
    /// send back.
    pub fn code(&self, redirect_uri: &str) -> String {
        self.state().code(redirect_uri)
    }

    /// A long-lived token issued `age_secs` ago that lives `left_secs` more.
    pub fn long_token(&self, age_secs: i64, left_secs: i64) -> String {
        let mut s = self.state();
        let token = s.mint(true, 0);
        let now = s.now();
        let t = s.tokens.get_mut(&token).expect("just minted");
        t.issued_at = now - age_secs;
        t.expires_at = now + left_secs;
        token
    }

    /// The life of the long-lived tokens it issues from now on.
    pub fn set_long_lived_secs(&self, secs: i64) {
        self.state().long_lived_secs = secs;
    }

    /// Moves the sandbox clock forward.
    pub fn advance(&self, secs: i64) {
        self.state().offset += secs;
    }

    /// What it knows of `token`.
    pub fn issued(&self, token: &str) -> Option<Issued> {
        self.state().tokens.get(token).cloned()
    }

    /// Every token it issued.
    pub fn tokens(&self) -> Vec<String> {
        self.state().tokens.keys().cloned().collect()
    }

    /// The next request whose path contains `path_part` answers `status` and `body`.
    pub fn fail_next(&self, path_part: &str, status: u16, body: Value) {
        self.state()
            .failures
            .push((path_part.to_string(), status, body));
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.state().requests.clone()
    }

    /// How many requests went to `path`.
    pub fn count(&self, path: &str) -> usize {
        self.state()
            .requests
            .iter()
            .filter(|r| r.path == path)
            .count()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Graph's error envelope.
pub fn graph_error(message: &str, kind: &str, code: i64) -> Value {
    json!({"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123"}})
}

/// `GET /oauth/authorize` (the page a browser is sent to): for the sandbox's app and
/// `response_type=code`, the redirect to `redirect_uri?code=…&state=…#_` the user's
/// approval gives; `None` for any other request.
fn authorize(state: &Mutex<State>, target: &str) -> Option<String> {
    let url = url::Url::parse(&format!("http://sandbox{target}")).ok()?;
    if url.path() != "/oauth/authorize" {
        return None;
    }
    let params: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    let p = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.requests.push(Request {
        path: url.path().to_string(),
        params: params.clone(),
    });
    if p("client_id") != APP_ID || p("response_type") != "code" {
        return None;
    }
    let code = s.code(p("redirect_uri"));
    let mut back = url::Url::parse(p("redirect_uri")).ok()?;
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", p("state"));
    Some(format!("{back}#_"))
}

fn handle(state: &Mutex<State>, target: &str, form: Option<&str>) -> (u16, Value) {
    let url = url::Url::parse(&format!("http://sandbox{target}")).expect("a request URL");
    let mut params: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    if let Some(form) = form {
        params.extend(url::form_urlencoded::parse(form.as_bytes()).into_owned());
    }
    let path = url.path().to_string();
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.requests.push(Request {
        path: path.clone(),
        params: params.clone(),
    });
    if let Some(i) = s
        .failures
        .iter()
        .position(|(p, _, _)| path.contains(p.as_str()))
    {
        let (_, status, body) = s.failures.remove(i);
        return (status, body);
    }
    let p = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let flavor = s.flavor;
    let now = s.now();
    let live = |s: &State, long: bool| {
        s.tokens
            .get(p("access_token"))
            .filter(|t| t.long == long && t.expires_at > now)
            .cloned()
    };
    let bad_token = || {
        (
            400,
            graph_error(
                "Invalid OAuth access token - Cannot parse access token",
                "OAuthException",
                190,
            ),
        )
    };
    let exchange = format!("{}_exchange_token", flavor.prefix());
    let refresh = format!("{}_refresh_token", flavor.prefix());
    match path.as_str() {
        "/oauth/access_token" if form.is_some() => redeem(&mut s, &params),
        "/access_token" => {
            if p("grant_type") != exchange {
                return (
                    400,
                    graph_error("Unsupported grant_type", "OAuthException", 100),
                );
            }
            if p("client_secret") != APP_SECRET {
                return (
                    400,
                    graph_error("Error validating client secret.", "OAuthException", 101),
                );
            }
            if live(&s, false).is_none() {
                return bad_token();
            }
            let life = s.long_lived_secs;
            let token = s.mint(true, life);
            (
                200,
                json!({"access_token": token, "token_type": "bearer", "expires_in": life}),
            )
        }
        "/refresh_access_token" => {
            if p("grant_type") != refresh {
                return (
                    400,
                    graph_error("Unsupported grant_type", "OAuthException", 100),
                );
            }
            let Some(old) = live(&s, true) else {
                return bad_token();
            };
            if now - old.issued_at < 86_400 {
                return (
                    400,
                    graph_error(
                        "The access token must be at least 24 hours old to be refreshed",
                        "IGApiException",
                        100,
                    ),
                );
            }
            let life = s.long_lived_secs;
            let token = s.mint(true, life);
            (
                200,
                json!({"access_token": token, "token_type": "bearer", "expires_in": life}),
            )
        }
        p_ if p_ == flavor.me_path() => {
            if live(&s, true).or_else(|| live(&s, false)).is_none() {
                return bad_token();
            }
            let mut body = json!({"username": "sandbox_user"});
            body[flavor.id_field()] = json!(USER_ID);
            (200, body)
        }
        _ => (
            404,
            graph_error("Unknown path components", "OAuthException", 2500),
        ),
    }
}

/// `POST /oauth/access_token`: a code for a short-lived token.
fn redeem(s: &mut State, params: &BTreeMap<String, String>) -> (u16, Value) {
    let p = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let refuse = |message: &str, flavor: Flavor| match flavor {
        Flavor::Instagram => (
            400,
            json!({"error_type": "OAuthException", "code": 400, "error_message": message}),
        ),
        Flavor::Threads => (400, graph_error(message, "OAuthException", 191)),
    };
    if p("grant_type") != "authorization_code" {
        return refuse("Invalid grant_type", s.flavor);
    }
    if p("client_id") != APP_ID || p("client_secret") != APP_SECRET {
        return refuse("Invalid platform app", s.flavor);
    }
    match s.codes.remove(p("code")) {
        Some(uri) if uri == p("redirect_uri") => {}
        Some(_) => return refuse("Error validating verification code", s.flavor),
        None => return refuse("Invalid authorization code", s.flavor),
    }
    let token = s.mint(false, 3600);
    match s.flavor {
        Flavor::Instagram => (
            200,
            json!({"data": [{"access_token": token, "user_id": USER_ID, "permissions": "instagram_business_basic"}]}),
        ),
        Flavor::Threads => (
            200,
            json!({"access_token": token, "user_id": 17841400000000042u64}),
        ),
    }
}
