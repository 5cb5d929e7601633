//! The sandbox's world: apps, users, pages and the tokens it minted, with Facebook's
//! lifetimes (short-lived user tokens ~1 h, long-lived ~60 days, page tokens derived from a
//! long-lived user token never expire, from a short-lived one 1 h), and the knobs tests
//! turn to make it misbehave.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::Failure;

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// An app.
#[derive(Debug, Clone)]
pub struct App {
    /// The app secret.
    pub secret: String,
    /// Its name (`application` in `debug_token`).
    pub name: String,
    /// Its client token (App settings › Advanced), for Facebook Login for Devices.
    pub client_token: String,
}

/// A user.
#[derive(Debug, Clone)]
pub struct User {
    /// The app-scoped user id.
    pub id: String,
    /// The pages the user has a role on.
    pub pages: Vec<String>,
}

/// A page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// The user's tasks.
    pub tasks: Vec<String>,
}

/// What kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A user token.
    User,
    /// A page token.
    Page,
    /// A system-user token.
    SystemUser,
}

/// A minted token.
#[derive(Debug, Clone)]
pub struct TokenRec {
    /// The app it belongs to.
    pub app_id: String,
    /// The user behind it.
    pub user_id: String,
    /// What it is.
    pub kind: Kind,
    /// For page tokens.
    pub page_id: Option<String>,
    /// Long-lived (exchanged) or not.
    pub long_lived: bool,
    /// Unix time of issue.
    pub issued_at: i64,
    /// Unix expiry; 0 = never.
    pub expires_at: i64,
    /// Unix data-access expiry; 0 = none.
    pub data_access_expires_at: i64,
    /// Granted permissions.
    pub scopes: Vec<String>,
    /// Set when invalidated: (subcode, message).
    pub invalid: Option<(i64, String)>,
    /// When a re-exchange last extended it.
    pub extended_at: i64,
}

impl TokenRec {
    /// Expired by the clock.
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at != 0 && self.expires_at <= now
    }
}

/// A Business Manager business.
#[derive(Debug, Clone)]
pub struct Business {
    /// Name.
    pub name: String,
    /// Pages the business owns.
    pub owned_pages: Vec<String>,
    /// Pages of clients the business works for.
    pub client_pages: Vec<String>,
}

/// A post made with `POST /{page-id}/feed`.
#[derive(Debug, Clone)]
pub struct Post {
    /// `{page-id}_{n}`.
    pub id: String,
    /// The page.
    pub page_id: String,
    /// `message`.
    pub message: String,
}

/// Graph API versions as the sandbox serves them: (version, last day served as a unix
/// time, `None` for not announced). Newest first; the dates of Meta's changelog.
pub const VERSIONS: &[(&str, Option<i64>)] = &[
    ("v27.0", None),
    ("v26.0", None),
    ("v25.0", Some(1_848_441_600)), // 2028-07-29
    ("v24.0", Some(1_834_444_800)), // 2028-02-18
    ("v23.0", Some(1_822_953_600)), // 2027-10-08
    ("v22.0", Some(1_810_771_200)), // 2027-05-20
    ("v21.0", Some(1_800_489_600)), // 2027-01-21
    ("v20.0", Some(1_790_208_000)), // 2026-09-24
    ("v19.0", Some(1_779_321_600)), // 2026-05-21
];

/// The version Graph serves for a request of `asked` at `now`: `asked` while it lives, the
/// oldest live version once it has ended (like Graph), `asked` when unknown.
pub fn served_version(asked: &str, now: i64) -> String {
    let ended = |v: &(&str, Option<i64>)| v.1.is_some_and(|end| end + 86_400 <= now);
    match VERSIONS.iter().find(|v| v.0 == asked) {
        Some(v) if ended(v) => VERSIONS
            .iter()
            .rev()
            .find(|v| !ended(v))
            .map_or(asked.to_string(), |v| v.0.to_string()),
        _ => asked.to_string(),
    }
}

/// How `fb_exchange_token` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExchangeMode {
    /// `{"access_token", "token_type", "expires_in"}`.
    #[default]
    Normal,
    /// No `expires_in` at all.
    OmitExpiresIn,
    /// The legacy `expires` key instead of `expires_in`.
    LegacyExpires,
    /// A long-lived input comes back as the same token with a smaller `expires_in`.
    SameTokenSmaller,
}

/// The sandbox's system user (Business Manager).
pub const DEMO_SYSTEM_USER_ID: &str = "61550000000000001";
/// The demo business.
pub const DEMO_BUSINESS_ID: &str = "880000000000001";
/// A page only the business owns (no direct role for the demo user).
pub const BM_OWNED_PAGE: &str = "222333444555666";
/// A client's page the business works on.
pub const BM_CLIENT_PAGE: &str = "333444555666777";

/// The knobs.
#[derive(Debug, Clone)]
pub struct Config {
    /// How the exchange answers.
    pub exchange_mode: ExchangeMode,
    /// Lifetime of long-lived user tokens in seconds; 0 = never expires.
    pub long_lived_secs: i64,
    /// Lifetime of short-lived user tokens in seconds.
    pub short_lived_secs: i64,
    /// Most pages per `/me/accounts` answer.
    pub page_size: usize,
    /// Start `/me/accounts` with an empty page that still has a `next` link.
    pub empty_first_page: bool,
    /// Put this base URL (another host) in `paging.next`.
    pub next_base: Option<String>,
    /// Require `appsecret_proof` on calls with an `access_token`.
    pub require_proof: bool,
    /// Delay every answer.
    pub delay: Duration,
    /// UNVERIFIED optimistic mode: a long-lived user token re-exchanged a day or more after
    /// its last extension gets a new 60-day token. Off by default: Facebook gives the same
    /// token back.
    pub extend_after_day: bool,
    /// A `call_count` percentage to send in `x-app-usage` on every answer (none when 0).
    pub app_usage_percent: u8,
    /// The "decline" mode of the login dialog: the user says no, and the dialog redirects
    /// with `error=access_denied&error_reason=user_denied`.
    pub dialog_decline: bool,
    /// Permissions the user unticks in the dialog or on the device page: asked for, not
    /// granted.
    pub declined_scopes: Vec<String>,
    /// The `interval` a device login answers with (Facebook: 5 s).
    pub device_interval_secs: u64,
    /// How long a device code lives (Facebook: 420 s).
    pub device_expires_secs: i64,
    /// How long a dialog's authorization code lives (Facebook: about 10 minutes).
    pub code_lifetime_secs: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            exchange_mode: ExchangeMode::Normal,
            long_lived_secs: 60 * 86_400,
            short_lived_secs: 3_600,
            page_size: 25,
            empty_first_page: false,
            next_base: None,
            require_proof: false,
            delay: Duration::ZERO,
            extend_after_day: false,
            app_usage_percent: 0,
            dialog_decline: false,
            declined_scopes: Vec::new(),
            device_interval_secs: 5,
            device_expires_secs: 420,
            code_lifetime_secs: 600,
        }
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`.
    pub method: String,
    /// The path without the version prefix, like `/oauth/access_token`.
    pub path: String,
    /// The version prefix, like `v25.0`, if any.
    pub version: Option<String>,
    /// Query and form parameters.
    pub params: BTreeMap<String, String>,
    /// The raw URL (path and query), for leak checks.
    pub raw_url: String,
}

/// Everything the server knows.
#[derive(Debug)]
pub struct World {
    /// Apps by id.
    pub apps: BTreeMap<String, App>,
    /// Users by id.
    pub users: BTreeMap<String, User>,
    /// Pages by id.
    pub pages: BTreeMap<String, Page>,
    /// Tokens by value.
    pub tokens: BTreeMap<String, TokenRec>,
    /// The knobs.
    pub config: Config,
    /// Failures to serve, in order, each for the first request whose path contains the
    /// pattern.
    pub failures: VecDeque<(String, Failure)>,
    /// Every request received.
    pub log: Vec<Request>,
    /// Businesses by id.
    pub businesses: BTreeMap<String, Business>,
    /// The businesses each user works for.
    pub user_businesses: BTreeMap<String, Vec<String>>,
    /// Posts made, in order.
    pub posts: Vec<Post>,
    /// Authorization codes the login dialog gave, by value.
    pub codes: BTreeMap<String, crate::login::CodeRec>,
    /// Device logins, by their (polling) code.
    pub devices: BTreeMap<String, crate::device::DeviceRec>,
    counter: u64,
}

/// The demo app id.
pub const DEMO_APP_ID: &str = "100200300400500";
/// The demo app secret (a sandbox value, not a real secret).
pub const DEMO_APP_SECRET: &str = "sandbox-app-secret-5f0c2a9e71d4";
/// The demo app's client token (a sandbox value, not a real secret).
pub const DEMO_CLIENT_TOKEN: &str = "sandbox-client-token-3c9d1e0f";
/// Another app, for "token of another app" cases.
pub const OTHER_APP_ID: &str = "999888777666555";
/// The other app's secret.
pub const OTHER_APP_SECRET: &str = "sandbox-other-secret-0b1c2d3e";
/// The demo user.
pub const DEMO_USER_ID: &str = "10215241773831025";
/// The demo user's pages.
pub const DEMO_PAGES: [&str; 2] = ["111222333444555", "666777888999000"];
/// Scopes of the demo user's tokens.
pub const DEMO_SCOPES: [&str; 4] = [
    "public_profile",
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
];

impl World {
    /// The demo world: one app, another app, one user with two pages.
    pub fn demo() -> World {
        let mut w = World {
            apps: BTreeMap::new(),
            users: BTreeMap::new(),
            pages: BTreeMap::new(),
            tokens: BTreeMap::new(),
            config: Config::default(),
            failures: VecDeque::new(),
            log: Vec::new(),
            businesses: BTreeMap::new(),
            user_businesses: BTreeMap::new(),
            posts: Vec::new(),
            codes: BTreeMap::new(),
            devices: BTreeMap::new(),
            counter: 0,
        };
        w.apps.insert(
            DEMO_APP_ID.into(),
            App {
                secret: DEMO_APP_SECRET.into(),
                name: "Sandbox Demo App".into(),
                client_token: DEMO_CLIENT_TOKEN.into(),
            },
        );
        w.apps.insert(
            OTHER_APP_ID.into(),
            App {
                secret: OTHER_APP_SECRET.into(),
                name: "Some Other App".into(),
                client_token: "sandbox-other-client-token-77aa".into(),
            },
        );
        w.pages.insert(
            DEMO_PAGES[0].into(),
            Page {
                name: "Cute Kitten Page".into(),
                category: "Brand".into(),
                tasks: vec![
                    "ANALYZE".into(),
                    "ADVERTISE".into(),
                    "MODERATE".into(),
                    "CREATE_CONTENT".into(),
                    "MANAGE".into(),
                ],
            },
        );
        w.pages.insert(
            DEMO_PAGES[1].into(),
            Page {
                name: "Acme Bakery".into(),
                category: "Local business".into(),
                tasks: vec!["ANALYZE".into(), "CREATE_CONTENT".into()],
            },
        );
        w.users.insert(
            DEMO_USER_ID.into(),
            User {
                id: DEMO_USER_ID.into(),
                pages: DEMO_PAGES.iter().map(|p| p.to_string()).collect(),
            },
        );
        // The system user is assigned the first page (as in Business settings).
        w.users.insert(
            DEMO_SYSTEM_USER_ID.into(),
            User {
                id: DEMO_SYSTEM_USER_ID.into(),
                pages: vec![DEMO_PAGES[0].to_string()],
            },
        );
        for (id, name) in [
            (BM_OWNED_PAGE, "Business Owned Page"),
            (BM_CLIENT_PAGE, "Client Shop"),
        ] {
            w.pages.insert(
                id.into(),
                Page {
                    name: name.into(),
                    category: "Brand".into(),
                    tasks: vec!["ADVERTISE".into(), "CREATE_CONTENT".into()],
                },
            );
        }
        // The business owns the first page (also reachable directly) and one more, and works
        // on a client's page.
        w.businesses.insert(
            DEMO_BUSINESS_ID.into(),
            Business {
                name: "Sandbox Agency".into(),
                owned_pages: vec![DEMO_PAGES[0].into(), BM_OWNED_PAGE.into()],
                client_pages: vec![BM_CLIENT_PAGE.into()],
            },
        );
        w.user_businesses
            .insert(DEMO_USER_ID.into(), vec![DEMO_BUSINESS_ID.into()]);
        w
    }

    /// Mints a system-user token for `app_id`: never expiring, or (`expiring`) 60 days.
    pub fn mint_system_user(&mut self, app_id: &str, scopes: &[&str], expiring: bool) -> String {
        let now = now();
        let value = self.mint_value("EAAsbxS");
        self.tokens.insert(
            value.clone(),
            TokenRec {
                app_id: app_id.into(),
                user_id: DEMO_SYSTEM_USER_ID.into(),
                kind: Kind::SystemUser,
                page_id: None,
                long_lived: true,
                issued_at: now,
                expires_at: if expiring { now + 60 * 86_400 } else { 0 },
                data_access_expires_at: 0,
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                invalid: None,
                extended_at: now,
            },
        );
        value
    }

    /// Mints a long-lived user token of the demo user issued `issued_ago` seconds ago and
    /// expiring in `expires_in` seconds (an old token from a `.env`).
    pub fn mint_aged(&mut self, app_id: &str, issued_ago: i64, expires_in: i64) -> String {
        let now = now();
        let value = self.mint_value("EAAsbxL");
        self.tokens.insert(
            value.clone(),
            TokenRec {
                app_id: app_id.into(),
                user_id: DEMO_USER_ID.into(),
                kind: Kind::User,
                page_id: None,
                long_lived: true,
                issued_at: now - issued_ago,
                expires_at: now + expires_in,
                data_access_expires_at: now + 90 * 86_400,
                scopes: DEMO_SCOPES.iter().map(|s| s.to_string()).collect(),
                invalid: None,
                extended_at: now - issued_ago,
            },
        );
        value
    }

    /// A fresh opaque token string, shaped like Facebook's.
    pub fn mint_value(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let mut h = Sha256::new();
        h.update(self.counter.to_be_bytes());
        h.update(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
                .to_be_bytes(),
        );
        h.update(std::process::id().to_be_bytes());
        let digest = h.finalize();
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let body: String = digest
            .iter()
            .chain(digest.iter().rev())
            .take(48)
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        format!("{prefix}{body}")
    }

    /// Mints a short-lived user token.
    pub fn mint_short(&mut self, app_id: &str, user_id: &str, scopes: &[&str]) -> String {
        let now = now();
        let value = self.mint_value("EAAsbx");
        self.tokens.insert(
            value.clone(),
            TokenRec {
                app_id: app_id.into(),
                user_id: user_id.into(),
                kind: Kind::User,
                page_id: None,
                long_lived: false,
                issued_at: now,
                expires_at: now + self.config.short_lived_secs,
                data_access_expires_at: now + 90 * 86_400,
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                invalid: None,
                extended_at: 0,
            },
        );
        value
    }

    /// Mints a long-lived token from `from` (a user token record).
    pub fn mint_long(&mut self, from: &TokenRec) -> String {
        let now = now();
        let value = self.mint_value("EAAsbxL");
        let lifetime = self.config.long_lived_secs;
        self.tokens.insert(
            value.clone(),
            TokenRec {
                long_lived: true,
                issued_at: now,
                expires_at: if lifetime == 0 { 0 } else { now + lifetime },
                extended_at: now,
                invalid: None,
                ..from.clone()
            },
        );
        value
    }

    /// Mints a page token for `page_id`, derived from a user token.
    pub fn mint_page(&mut self, user: &TokenRec, page_id: &str) -> String {
        let now = now();
        let value = self.mint_value("EAAsbxP");
        self.tokens.insert(
            value.clone(),
            TokenRec {
                kind: Kind::Page,
                page_id: Some(page_id.into()),
                issued_at: now,
                // Derived from a long-lived user token: no expiry. From a short one: its life.
                expires_at: if user.long_lived { 0 } else { user.expires_at },
                // The debugger shows the user's data-access date on page tokens too.
                data_access_expires_at: user.data_access_expires_at,
                extended_at: 0,
                invalid: None,
                ..user.clone()
            },
        );
        value
    }
}
