//! A Graph API look-alike on 127.0.0.1: fbvault's tests start one per test, and
//! `cargo run -p fbvault-graph-sandbox` runs one for trying fbvault without a Facebook app.
//!
//! It is a real HTTP server that keeps token state like Facebook does (see [`model`]) and
//! answers the routes fbvault uses (see [`routes`]) with Facebook's shapes: errors in the
//! `{"error": {...}}` envelope decided by `code`/`error_subcode`, `expires_at: 0` for tokens
//! that never expire, cursor paging with the token in `paging.next`. Tests make it
//! misbehave with [`Sandbox::configure`] (modes) and [`Sandbox::fail_next`] (one-shot
//! failures), and read what it received with [`Sandbox::requests`].
#![forbid(unsafe_code)]

mod business;
pub mod device;
pub mod login;
pub mod model;
pub mod routes;
mod tokens;

use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

pub use model::{
    BM_CLIENT_PAGE, BM_OWNED_PAGE, Config, DEMO_APP_ID, DEMO_APP_SECRET, DEMO_BUSINESS_ID,
    DEMO_CLIENT_TOKEN, DEMO_PAGES, DEMO_SCOPES, DEMO_SYSTEM_USER_ID, DEMO_USER_ID, ExchangeMode,
    OTHER_APP_ID, OTHER_APP_SECRET, Post, Request, World,
};

/// A one-shot misbehaviour.
#[derive(Debug, Clone)]
pub enum Failure {
    /// A Graph error envelope.
    Graph {
        /// HTTP status.
        status: u16,
        /// `code`.
        code: i64,
        /// `error_subcode`.
        subcode: Option<i64>,
        /// `message`.
        message: String,
        /// `is_transient`.
        transient: bool,
        /// Extra headers (rate-limit usage).
        headers: Vec<(String, String)>,
    },
    /// Any status with a raw body.
    Raw {
        /// HTTP status.
        status: u16,
        /// The body.
        body: String,
    },
    /// Answer normally, but only after this long.
    Slow(Duration),
}

impl Failure {
    /// A Graph error with the usual HTTP 400.
    pub fn graph(code: i64, subcode: Option<i64>, message: &str) -> Failure {
        Failure::Graph {
            status: 400,
            code,
            subcode,
            message: message.into(),
            transient: false,
            headers: Vec::new(),
        }
    }

    /// HTTP 500 with code 2, transient: "An unexpected error has occurred."
    pub fn server_error() -> Failure {
        Failure::Graph {
            status: 500,
            code: 2,
            subcode: None,
            message: "An unexpected error has occurred. Please retry your request later.".into(),
            transient: true,
            headers: Vec::new(),
        }
    }

    /// A rate-limit error `code` with usage headers saying access returns in `minutes`.
    pub fn rate_limited(code: i64, minutes: u64) -> Failure {
        let usage = format!(
            r#"{{"{DEMO_PAGES0}":[{{"type":"pages","call_count":100,"total_cputime":40,"total_time":45,"estimated_time_to_regain_access":{minutes}}}]}}"#,
            DEMO_PAGES0 = DEMO_PAGES[0]
        );
        Failure::Graph {
            status: 400,
            code,
            subcode: None,
            message: format!("({code}) Application request limit reached"),
            transient: code == 4,
            headers: vec![
                ("x-business-use-case-usage".into(), usage),
                (
                    "x-app-usage".into(),
                    r#"{"call_count":100,"total_time":40,"total_cputime":38}"#.into(),
                ),
            ],
        }
    }

    /// HTTP 200 with an HTML body, as proxies and outages produce.
    pub fn not_json() -> Failure {
        Failure::Raw {
            status: 200,
            body: "<html><body>Service Unavailable</body></html>".into(),
        }
    }
}

/// A running sandbox; stops when dropped.
pub struct Sandbox {
    server: Arc<tiny_http::Server>,
    world: Arc<Mutex<World>>,
    url: String,
    thread: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Starts on a free port of 127.0.0.1.
    pub fn start() -> Sandbox {
        Self::start_on(0).expect("bind 127.0.0.1")
    }

    /// Starts on `port` of 127.0.0.1 (0: any free port).
    pub fn start_on(port: u16) -> Result<Sandbox, Box<dyn std::error::Error + Send + Sync>> {
        let server = Arc::new(tiny_http::Server::http(("127.0.0.1", port))?);
        let port = server.server_addr().to_ip().map_or(port, |a| a.port());
        let url = format!("http://127.0.0.1:{port}");
        let world = Arc::new(Mutex::new(World::demo()));
        let thread = {
            let (server, world, url) = (server.clone(), world.clone(), url.clone());
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let (world, url) = (world.clone(), url.clone());
                    std::thread::spawn(move || routes::serve(request, &world, &url));
                }
            })
        };
        Ok(Sandbox {
            server,
            world,
            url,
            thread: Some(thread),
        })
    }

    /// The base URL, for `FBVAULT_GRAPH_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The world, to look at or change directly.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the knobs.
    pub fn configure(&self, change: impl FnOnce(&mut Config)) {
        change(&mut self.world().config);
    }

    /// Queues a failure for the next request whose path contains `path_part`.
    pub fn fail_next(&self, path_part: &str, failure: Failure) {
        self.world().failures.push_back((path_part.into(), failure));
    }

    /// A new short-lived token of the demo user for the demo app.
    pub fn short_token(&self) -> String {
        self.world()
            .mint_short(DEMO_APP_ID, DEMO_USER_ID, &DEMO_SCOPES)
    }

    /// A new short-lived token with these scopes, for `app_id`.
    pub fn short_token_with(&self, app_id: &str, scopes: &[&str]) -> String {
        self.world().mint_short(app_id, DEMO_USER_ID, scopes)
    }

    /// A system-user token of the demo app (never expiring, or 60 days when `expiring`),
    /// assigned the first demo page.
    pub fn system_user_token(&self, expiring: bool) -> String {
        let scopes = [
            "pages_show_list",
            "pages_read_engagement",
            "pages_manage_posts",
            "ads_management",
            "business_management",
        ];
        self.world()
            .mint_system_user(DEMO_APP_ID, &scopes, expiring)
    }

    /// A never-expiring page token of `page_id` (derived from a long-lived user token).
    pub fn page_token(&self, page_id: &str) -> String {
        let mut w = self.world();
        let short = w.mint_short(DEMO_APP_ID, DEMO_USER_ID, &DEMO_SCOPES);
        let rec = w.tokens[&short].clone();
        let long = w.mint_long(&rec);
        let rec = w.tokens[&long].clone();
        w.mint_page(&rec, page_id)
    }

    /// A long-lived user token of the demo app issued `issued_ago` ago and expiring in
    /// `expires_in` (the token an old `.env` holds).
    pub fn aged_token(&self, issued_ago: Duration, expires_in: Duration) -> String {
        self.world().mint_aged(
            DEMO_APP_ID,
            issued_ago.as_secs() as i64,
            expires_in.as_secs() as i64,
        )
    }

    /// Makes an existing token look issued `issued_ago` ago and expiring in `expires_in`
    /// (as if it had been minted weeks before the test).
    pub fn age(&self, token: &str, issued_ago: Duration, expires_in: Duration) {
        let now = model::now();
        if let Some(t) = self.world().tokens.get_mut(token) {
            t.issued_at = now - issued_ago.as_secs() as i64;
            t.extended_at = t.issued_at;
            t.expires_at = now + expires_in.as_secs() as i64;
        }
    }

    /// The posts made so far.
    pub fn posts(&self) -> Vec<Post> {
        self.world().posts.clone()
    }

    /// Invalidates a token the way Facebook does (password change: 460; logout: 467; …).
    pub fn invalidate(&self, token: &str, subcode: i64, message: &str) {
        if let Some(t) = self.world().tokens.get_mut(token) {
            t.invalid = Some((subcode, message.into()));
        }
    }

    /// Invalidates every token of the demo user (for example a password change).
    pub fn invalidate_all(&self, subcode: i64, message: &str) {
        for t in self.world().tokens.values_mut() {
            t.invalid = Some((subcode, message.into()));
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.world().log.clone()
    }

    /// How many requests went to a path (without version), like `/oauth/access_token`.
    pub fn count(&self, path: &str) -> usize {
        self.world().log.iter().filter(|r| r.path == path).count()
    }

    /// The user codes of the device logins waiting for the person, oldest first.
    pub fn pending_devices(&self) -> Vec<String> {
        self.world()
            .devices
            .values()
            .filter(|d| d.state == device::DeviceState::Pending)
            .map(|d| d.user_code.clone())
            .collect()
    }

    /// Approves a waiting device login, as the person would at facebook.com/device.
    pub fn approve_device(&self, user_code: &str) -> bool {
        device::act(&mut self.world(), user_code, device::Control::Approve)
    }

    /// Declines a waiting device login.
    pub fn decline_device(&self, user_code: &str) -> bool {
        device::act(&mut self.world(), user_code, device::Control::Decline)
    }

    /// Lets a waiting device login's code expire.
    pub fn expire_device(&self, user_code: &str) -> bool {
        device::act(&mut self.world(), user_code, device::Control::Expire)
    }

    /// Every secret of the login flows the sandbox handed out: dialog codes and device
    /// codes (for leak checks).
    pub fn login_codes(&self) -> Vec<String> {
        let w = self.world();
        w.codes.keys().chain(w.devices.keys()).cloned().collect()
    }

    /// Forgets the request log.
    pub fn clear_log(&self) {
        self.world().log.clear();
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
