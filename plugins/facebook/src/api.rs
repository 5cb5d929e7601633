//! The Graph API calls fbvault makes: the token exchange, `debug_token`, and the pages a
//! user manages. Every call is versioned, carries an `appsecret_proof` for the exact token
//! it sends, and reads Graph's answers as they really come (numbers as strings, missing
//! `expires_in`, `expires_at: 0` meaning never).

use chrono::{DateTime, TimeZone, Utc};
use fbvault_provider::{ErrorKind, ProviderError, Secret};
use serde_json::Value;

use crate::client::{Client, Reply};
use crate::errors::{Endpoint, GraphError, int, refused_token};
use crate::proof::appsecret_proof;

/// The app's credentials.
pub struct App<'a> {
    /// The app id.
    pub id: &'a str,
    /// The app secret.
    pub secret: &'a Secret,
}

impl App<'_> {
    /// The `APP_ID|APP_SECRET` app token used as the `debug_token` inspector.
    fn app_token(&self) -> String {
        format!("{}|{}", self.id, self.secret.expose())
    }
}

/// The answer of `fb_exchange_token`.
pub struct Exchanged {
    /// The (new or same) token.
    pub token: Secret,
    /// `expires_in` (or the legacy `expires`), when Graph gave one.
    pub expires_in: Option<i64>,
}

fn bad_answer(what: &str) -> ProviderError {
    ProviderError::new(
        ErrorKind::Unreachable,
        format!("Facebook's answer to {what} is missing fields"),
    )
}

/// `GET /oauth/access_token?grant_type=fb_exchange_token&…`; for an expiring system-user
/// token (`system_user`), with `set_token_expires_in_60_days=true` as Meta's refresh
/// recipe requires.
pub fn exchange(
    client: &Client,
    app: &App,
    token: &Secret,
    system_user: bool,
) -> Result<Exchanged, ProviderError> {
    let mut params = vec![
        ("grant_type", "fb_exchange_token"),
        ("client_id", app.id),
        ("client_secret", app.secret.expose()),
        ("fb_exchange_token", token.expose()),
    ];
    if system_user {
        params.push(("set_token_expires_in_60_days", "true"));
    }
    let Reply { body } = client.get(Endpoint::OAuth, "oauth/access_token", &params)?;
    let value = body
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad_answer("the token exchange"))?;
    Ok(Exchanged {
        token: Secret::new(value),
        expires_in: int(body.get("expires_in")).or_else(|| int(body.get("expires"))),
    })
}

/// What `debug_token` says about a token.
#[derive(Debug, Clone, Default)]
pub struct DebugInfo {
    /// `app_id`.
    pub app_id: Option<String>,
    /// `type`: `USER`, `PAGE`, `APP`, `SYSTEM_USER`.
    pub kind: Option<String>,
    /// `is_valid`.
    pub is_valid: bool,
    /// `expires_at`, raw: `Some(0)` means never.
    pub expires_at: Option<i64>,
    /// `data_access_expires_at`, raw: `Some(0)` means none.
    pub data_access_expires_at: Option<i64>,
    /// `issued_at`.
    pub issued_at: Option<i64>,
    /// `scopes`.
    pub scopes: Vec<String>,
    /// `user_id`.
    pub user_id: Option<String>,
    /// `profile_id`: the page of a page token.
    pub profile_id: Option<String>,
    /// `application`: the app's name.
    pub application: Option<String>,
    /// `error` when the token is invalid (its text already scrubbed and escaped).
    pub error: Option<GraphError>,
}

/// A unix time, where 0 (or nothing) means "none".
pub fn time(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.filter(|s| *s > 0)
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
}

impl DebugInfo {
    /// The reason the token is invalid, in words.
    pub fn invalid_reason(&self) -> String {
        match &self.error {
            Some(e) if (e.code == 190 || e.code == 102) && e.subcode.is_some() => refused_token(e),
            Some(e) if !e.message.is_empty() => e.message.clone(),
            _ => "Facebook says the token is not valid".to_string(),
        }
    }

    /// Refuses a token that is invalid or belongs to another app.
    pub fn check(&self, app_id: &str) -> Result<(), ProviderError> {
        if self.is_valid && self.app_id.is_none() {
            return Err(ProviderError::new(
                ErrorKind::Unreachable,
                "Facebook's debug_token answer does not say which app the token belongs to",
            ));
        }
        if let Some(other) = self.app_id.as_deref().filter(|a| *a != app_id) {
            let name = self
                .application
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let why = match &self.error {
                Some(e) if !e.message.is_empty() => format!("; Facebook says: {}", e.message),
                _ => "; Facebook says: The token was not issued for this application.".into(),
            };
            return Err(ProviderError::new(
                ErrorKind::InvalidGrant,
                format!(
                    "the token belongs to app {other}{name}, not to this profile's app {app_id}{why}"
                ),
            )
            .hint(crate::errors::EXPLORER_HINT));
        }
        if !self.is_valid {
            return Err(ProviderError::new(
                ErrorKind::InvalidGrant,
                format!("Facebook refused the token: {}", self.invalid_reason()),
            )
            .hint("get a new short-lived user token and run `fbvault login {profile}`"));
        }
        Ok(())
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `GET /debug_token?input_token=…&access_token=APP_ID|APP_SECRET`.
pub fn debug(client: &Client, app: &App, token: &Secret) -> Result<DebugInfo, ProviderError> {
    let inspector = app.app_token();
    let proof = appsecret_proof(app.secret.expose(), &inspector);
    client.also_scrub(token);
    let Reply { body } = client
        .get(
            Endpoint::Graph,
            "debug_token",
            &[
                ("input_token", token.expose()),
                ("access_token", &inspector),
                ("appsecret_proof", &proof),
            ],
        )
        .map_err(|e| {
            // A problem with the *inspected* token comes back inside `data`; an error
            // envelope here means Graph refused the inspector: the app id and secret.
            if e.kind == ErrorKind::InvalidGrant {
                let said = e.message.strip_prefix("Facebook refused the token: ");
                ProviderError::new(
                    ErrorKind::InvalidGrant,
                    format!(
                        "Facebook refused the app secret (or the app id) used to check tokens ({})",
                        said.unwrap_or(&e.message)
                    ),
                )
                .hint(crate::errors::SECRET_HINT)
            } else {
                e
            }
        })?;
    let data = body
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| bad_answer("debug_token"))?;
    Ok(DebugInfo {
        app_id: string(data.get("app_id")),
        kind: data.get("type").and_then(Value::as_str).map(str::to_string),
        is_valid: data
            .get("is_valid")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        expires_at: int(data.get("expires_at")),
        data_access_expires_at: int(data.get("data_access_expires_at")),
        issued_at: int(data.get("issued_at")),
        scopes: data
            .get("scopes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        user_id: string(data.get("user_id")),
        profile_id: string(data.get("profile_id")),
        application: data
            .get("application")
            .and_then(Value::as_str)
            .map(|n| client.clean(n)),
        // Facebook may echo the token or the app secret in here: scrub before it is shown
        // or stored.
        error: GraphError::from_body(data).map(|e| e.cleaned(|t| client.clean(t))),
    })
}

/// One page the user manages.
pub struct PageEntry {
    /// The page id.
    pub id: String,
    /// The page name.
    pub name: Option<String>,
    /// The user's tasks on the page.
    pub tasks: Vec<String>,
    /// The page token.
    pub token: Secret,
}

/// The most `paging.next` links followed, against a server that never ends.
const MAX_PAGES: usize = 100;

/// `GET /me/accounts` with the long-lived user token, following `paging.next` while it
/// stays on the Graph host. Returns the pages and notes for the user.
pub fn accounts(
    client: &Client,
    app: &App,
    user_token: &Secret,
) -> Result<(Vec<PageEntry>, Vec<String>), ProviderError> {
    let mut notes = Vec::new();
    let fields = "id,name,access_token,tasks,category";
    let pages = page_edge(client, app, user_token, "me/accounts", fields, &mut notes)?;
    Ok((pages, notes))
}

/// The permission that lets a user token see the businesses it works for.
pub const BUSINESS_SCOPE: &str = "business_management";

/// Pages reached through Business Manager: `GET /me/businesses`, then each business's
/// `owned_pages` and `client_pages`, keeping only entries that carry a page token.
pub fn business_pages(
    client: &Client,
    app: &App,
    user_token: &Secret,
) -> Result<(Vec<PageEntry>, Vec<String>), ProviderError> {
    let mut notes = Vec::new();
    let mut businesses = Vec::new();
    each_item(
        client,
        app,
        user_token,
        "me/businesses",
        "id,name",
        &mut notes,
        |b| {
            if let Some(id) =
                string(b.get("id")).filter(|id| id.chars().all(|c| c.is_ascii_digit()))
            {
                businesses.push(id);
            }
        },
    )?;
    let mut pages = Vec::new();
    for id in businesses {
        for edge in ["owned_pages", "client_pages"] {
            let path = format!("{id}/{edge}");
            let fields = "id,name,access_token,tasks";
            let found = page_edge(client, app, user_token, &path, fields, &mut notes)?;
            pages.extend(found);
        }
    }
    Ok((pages, notes))
}

/// The entries of the paged edge `path` that carry a page token, in order.
fn page_edge(
    client: &Client,
    app: &App,
    user_token: &Secret,
    path: &str,
    fields: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<PageEntry>, ProviderError> {
    let mut pages = Vec::new();
    each_item(client, app, user_token, path, fields, notes, |entry| {
        pages.extend(page_entry(client, entry));
    })?;
    Ok(pages)
}

fn page_entry(client: &Client, entry: &Value) -> Option<PageEntry> {
    let id = string(entry.get("id"))?;
    let token = entry.get("access_token").and_then(Value::as_str)?;
    let token = Secret::new(token);
    client.also_scrub(&token);
    Some(PageEntry {
        id: client.clean(&id),
        name: entry
            .get("name")
            .and_then(Value::as_str)
            .map(|n| client.clean(n)),
        tasks: entry
            .get("tasks")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(|t| client.clean(t)))
                    .collect()
            })
            .unwrap_or_default(),
        token,
    })
}

/// Calls `item` for every entry of a paged edge (`me/accounts`, `{business}/owned_pages`),
/// following `paging.next` while it stays on the Graph host and carries the proof.
fn each_item(
    client: &Client,
    app: &App,
    token: &Secret,
    path: &str,
    fields: &str,
    notes: &mut Vec<String>,
    mut item: impl FnMut(&Value),
) -> Result<(), ProviderError> {
    let proof = appsecret_proof(app.secret.expose(), token.expose());
    let mut reply = client.get(
        Endpoint::Graph,
        path,
        &[
            ("fields", fields),
            ("limit", "100"),
            ("access_token", token.expose()),
            ("appsecret_proof", &proof),
        ],
    )?;
    for _ in 0..MAX_PAGES {
        let data = reply
            .body
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| bad_answer(path))?;
        for entry in data {
            item(entry);
        }
        let Some(next) = reply.body.pointer("/paging/next").and_then(Value::as_str) else {
            return Ok(());
        };
        let Ok(mut url) = reqwest::Url::parse(next) else {
            notes.push("stopped reading pages: Facebook's next-page link is not a URL".into());
            return Ok(());
        };
        if !client.same_host(&url) {
            notes.push(format!(
                "stopped reading pages: the next-page link points away from {} (not followed, it carries the token)",
                client.host()
            ));
            return Ok(());
        }
        // The link carries the token; make sure it carries the proof for that token too.
        let has_proof = url.query_pairs().any(|(k, _)| k == "appsecret_proof");
        if !has_proof {
            let token_in_link = url
                .query_pairs()
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.into_owned());
            if let Some(t) = token_in_link {
                let p = appsecret_proof(app.secret.expose(), &t);
                url.query_pairs_mut().append_pair("appsecret_proof", &p);
            }
        }
        reply = client.get_url(url)?;
    }
    notes.push(format!(
        "stopped reading pages after {MAX_PAGES} result pages"
    ));
    Ok(())
}

/// The name of whoever `token` acts for (`GET /me?fields=id,name`; a page for a page
/// token), or `None` when Facebook does not say.
pub fn name_of(client: &Client, app: &App, token: &Secret) -> Option<String> {
    let proof = appsecret_proof(app.secret.expose(), token.expose());
    let reply = client
        .get(
            Endpoint::Graph,
            "me",
            &[
                ("fields", "id,name"),
                ("access_token", token.expose()),
                ("appsecret_proof", &proof),
            ],
        )
        .ok()?;
    reply
        .body
        .get("name")
        .and_then(Value::as_str)
        .map(|n| client.clean(n))
}
