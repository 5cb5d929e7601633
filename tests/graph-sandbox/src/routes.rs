//! The routes, answering like graph.facebook.com: versioned or not, token in the query,
//! the form body or `Authorization: Bearer`, errors in Facebook's envelope with
//! `WWW-Authenticate`, `facebook-api-version` echoed.
//!
//! | route | answers |
//! |---|---|
//! | `GET /oauth/access_token` `fb_exchange_token` | long-lived token; code 101/1/190 errors; modes of [`crate::ExchangeMode`] |
//! | `GET /oauth/access_token` `client_credentials` | `{app_id}\|opaque` app token |
//! | `GET /debug_token` | `{"data": {...}}`, `expires_at: 0` for never, `data.error` for dead tokens; POST refused (100/33) |
//! | `GET /me/accounts`, `/{user}/accounts` | pages with tokens, cursor paging, `next` carrying the token |
//! | `GET /{page-id}?fields=access_token` | one page token |
//! | `GET /me`, `/me/permissions` | the user (the page, for a page token), the granted permissions |
//! | `POST /{page-id}/feed`, `GET /{page-id}/feed` | a post made with that page's token (`pages_manage_posts`), the posts |
//! | `GET /me/businesses`, `/{business-id}/owned_pages`, `/client_pages` | Business Manager (`business_management`) |
//! | `GET /dialog/oauth` | the login dialog: a 302 to `redirect_uri` with `code` and `state` (or `error=access_denied` in the decline mode) |
//! | `GET /oauth/access_token` `code` | redeems a dialog code (single use, bound to `redirect_uri` and the PKCE challenge) for a short-lived token |
//! | `POST /device/login`, `/device/login_status` | Facebook Login for Devices with `APP_ID\|CLIENT_TOKEN`: pending, slow down, expired, declined, approved |
//! | `GET /sandbox/device/approve`, `/decline`, `/expire` `?user_code=` | (sandbox only) play the person at facebook.com/device |
//! | `GET /sandbox/short-token` | (sandbox only) a new short-lived token of the demo user |
//! | `GET /sandbox/delay?ms=N` | (sandbox only) answer every later request after N ms |
//!
//! Like Graph: a wrong `appsecret_proof` is refused whenever one is sent (and a missing one
//! when [`crate::Config::require_proof`] is set); a request for a version past its end is
//! served by the oldest live version, named in `facebook-api-version`; every error carries
//! an `fbtrace_id`.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Mutex;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::Failure;
use crate::model::{self, Kind, Request, TokenRec, World, now, served_version};
use crate::{business, device, login, tokens};

/// An answer.
pub struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) headers: Vec<(String, String)>,
}

pub(crate) fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        body: body.to_string(),
        headers: Vec::new(),
    }
}

pub(crate) fn error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> Reply {
    let kind = if code == 100 {
        "GraphMethodException"
    } else {
        "OAuthException"
    };
    let mut e =
        json!({"message": message, "type": kind, "code": code, "fbtrace_id": "AsbxTrace0001"});
    if let Some(s) = subcode {
        e["error_subcode"] = json!(s);
    }
    let www = if code == 190 {
        "invalid_token"
    } else {
        "invalid_request"
    };
    Reply {
        status,
        body: json!({"error": e}).to_string(),
        headers: vec![(
            "WWW-Authenticate".into(),
            format!("OAuth \"Facebook Platform\" \"{www}\" \"{message}\""),
        )],
    }
}

fn failure_reply(f: &Failure) -> Option<Reply> {
    match f {
        Failure::Graph {
            status,
            code,
            subcode,
            message,
            transient,
            headers,
        } => {
            let mut r = error(*status, *code, *subcode, message);
            if *transient {
                let mut v: Value = serde_json::from_str(&r.body).expect("json");
                v["error"]["is_transient"] = json!(true);
                r.body = v.to_string();
            }
            r.headers.extend(headers.iter().cloned());
            Some(r)
        }
        Failure::Raw { status, body } => Some(Reply {
            status: *status,
            body: body.clone(),
            headers: Vec::new(),
        }),
        Failure::Slow(_) => None,
    }
}

fn parse_form(text: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

/// Splits `/v25.0/me/accounts` into (`Some("v25.0")`, `/me/accounts`).
fn split_version(path: &str) -> (Option<String>, String) {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let first = parts.next().unwrap_or("");
    let is_version = first.starts_with('v') && first.len() > 1 && first[1..].parse::<f64>().is_ok();
    if is_version {
        (
            Some(first.to_string()),
            format!("/{}", parts.next().unwrap_or("")),
        )
    } else {
        (None, path.to_string())
    }
}

/// Serves one HTTP request.
pub fn serve(mut request: tiny_http::Request, world: &Mutex<World>, base: &str) {
    let method = request.method().as_str().to_uppercase();
    let raw_url = request.url().to_string();
    let (path, query) = raw_url.split_once('?').unwrap_or((&raw_url, ""));
    let mut params = parse_form(query);
    if method == "POST" {
        let mut body = String::new();
        let _ = request.as_reader().take(1 << 20).read_to_string(&mut body);
        params.extend(parse_form(&body));
    }
    for h in request.headers() {
        if let Some(token) = h
            .field
            .equiv("Authorization")
            .then(|| h.value.as_str().strip_prefix("Bearer "))
            .flatten()
        {
            params
                .entry("access_token".into())
                .or_insert_with(|| token.to_string());
        }
    }
    let (version, path) = split_version(path);
    let served = served_version(version.as_deref().unwrap_or(model::VERSIONS[0].0), now());
    let (failure, delay, usage) = {
        let mut w = world.lock().unwrap_or_else(|e| e.into_inner());
        w.log.push(Request {
            method: method.clone(),
            path: path.clone(),
            version: version.clone(),
            params: params.clone(),
            raw_url: raw_url.clone(),
        });
        let index = w
            .failures
            .iter()
            .position(|(pattern, _)| path.contains(pattern.as_str()));
        let failure = index.and_then(|i| w.failures.remove(i)).map(|(_, f)| f);
        (failure, w.config.delay, w.config.app_usage_percent)
    };
    let mut pause = delay;
    if let Some(Failure::Slow(d)) = &failure {
        pause += *d;
    }
    if !pause.is_zero() {
        std::thread::sleep(pause);
    }
    let reply = match failure.as_ref().and_then(failure_reply) {
        Some(r) => r,
        None => {
            let mut w = world.lock().unwrap_or_else(|e| e.into_inner());
            route(&mut w, &method, &path, &params, &served, base)
        }
    };
    let mut response = tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
    let mut headers = vec![
        (
            "Content-Type".to_string(),
            "application/json; charset=UTF-8".to_string(),
        ),
        ("facebook-api-version".to_string(), served),
        ("x-fb-trace-id".to_string(), "AsbxTrace0001".to_string()),
        (
            "Cache-Control".to_string(),
            "private, no-cache, no-store, must-revalidate".to_string(),
        ),
    ];
    if usage > 0 {
        headers.push((
            "x-app-usage".into(),
            format!(r#"{{"call_count":{usage},"total_time":{usage},"total_cputime":{usage}}}"#),
        ));
    }
    headers.extend(reply.headers);
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

fn route(
    w: &mut World,
    method: &str,
    path: &str,
    p: &BTreeMap<String, String>,
    version: &str,
    base: &str,
) -> Reply {
    match path.trim_end_matches('/') {
        "/oauth/access_token" => tokens::access_token(w, p),
        "/debug_token" if method == "POST" => error(
            400,
            100,
            Some(33),
            "Unsupported post request. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        ),
        "/debug_token" => tokens::debug_token(w, p),
        "/dialog/oauth" => login::dialog(w, p),
        "/device/login" if method == "POST" => device::start(w, p),
        "/device/login_status" if method == "POST" => device::status(w, p),
        "/sandbox/device/approve" => device::control(w, p, device::Control::Approve),
        "/sandbox/device/decline" => device::control(w, p, device::Control::Decline),
        "/sandbox/device/expire" => device::control(w, p, device::Control::Expire),
        "/sandbox/delay" => {
            let ms = p.get("ms").and_then(|m| m.parse::<u64>().ok()).unwrap_or(0);
            w.config.delay = std::time::Duration::from_millis(ms);
            ok(json!({"delay_ms": ms}))
        }
        "/sandbox/short-token" => {
            let scopes: Vec<String> = p.get("scopes").map_or_else(
                || model::DEMO_SCOPES.iter().map(|s| s.to_string()).collect(),
                |s| s.split(',').map(str::to_string).collect(),
            );
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let app = p
                .get("app_id")
                .map_or(model::DEMO_APP_ID, String::as_str)
                .to_string();
            let t = w.mint_short(&app, model::DEMO_USER_ID, &scopes);
            ok(
                json!({"access_token": t, "token_type": "bearer", "expires_in": w.config.short_lived_secs}),
            )
        }
        "/me" => with_user(w, p, |w, rec| match (&rec.kind, &rec.page_id) {
            // A page token answers as the page, like Graph.
            (Kind::Page, Some(page)) => {
                let name = w
                    .pages
                    .get(page)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                ok(json!({"id": page, "name": name}))
            }
            (Kind::SystemUser, _) => ok(json!({"id": rec.user_id, "name": "Sandbox System User"})),
            _ => ok(json!({"id": rec.user_id, "name": "Sandbox User"})),
        }),
        "/me/businesses" => business::businesses(w, p),
        "/me/permissions" => with_user(w, p, |_, rec| {
            let data: Vec<Value> = rec
                .scopes
                .iter()
                .map(|s| json!({"permission": s, "status": "granted"}))
                .collect();
            ok(json!({"data": data}))
        }),
        other => {
            let segments: Vec<&str> = other.trim_start_matches('/').split('/').collect();
            match segments.as_slice() {
                ["me", "accounts"] => accounts(w, p, version, base),
                [user, "accounts"] if w.users.contains_key(*user) => accounts(w, p, version, base),
                [page] if w.pages.contains_key(*page) => page_token(w, p, page),
                [page, "feed"] if w.pages.contains_key(*page) && method == "POST" => {
                    business::post_to_feed(w, p, page)
                }
                [page, "feed"] if w.pages.contains_key(*page) => business::read_feed(w, p, page),
                [biz, edge @ ("owned_pages" | "client_pages")]
                    if w.businesses.contains_key(*biz) =>
                {
                    business::business_edge(w, p, biz, edge)
                }
                _ => error(
                    400,
                    100,
                    Some(33),
                    &format!(
                        "Unsupported {} request. Object with ID '{}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
                        method.to_lowercase(),
                        other.trim_start_matches('/')
                    ),
                ),
            }
        }
    }
}

fn proof_for(secret: &str, message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(message.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks `appsecret_proof` (and the timed variant): a wrong one is refused whenever it is
/// sent, a missing one only when the app requires it.
pub(crate) fn check_proof(
    w: &World,
    token: &str,
    secret: &str,
    p: &BTreeMap<String, String>,
) -> Result<(), Reply> {
    let Some(given) = p.get("appsecret_proof") else {
        if !w.config.require_proof {
            return Ok(());
        }
        return Err(error(
            400,
            100,
            None,
            "API calls from the server require an appsecret_proof argument",
        ));
    };
    let expected = match p.get("appsecret_time").and_then(|t| t.parse::<i64>().ok()) {
        Some(t) if (now() - t).abs() <= 300 => proof_for(secret, &format!("{token}|{t}")),
        Some(_) => {
            return Err(error(
                400,
                100,
                None,
                "Invalid appsecret_proof provided in the API argument",
            ));
        }
        None => proof_for(secret, token),
    };
    if *given != expected {
        return Err(error(
            400,
            100,
            None,
            "Invalid appsecret_proof provided in the API argument",
        ));
    }
    Ok(())
}

pub(crate) fn expired_message(at: i64) -> String {
    format!(
        "Error validating access token: Session has expired on unix time {at}. The current unix time is {}.",
        now()
    )
}

/// Looks up a usable user token from `access_token`, like every user-token endpoint does.
pub(crate) fn user_token(
    w: &World,
    p: &BTreeMap<String, String>,
) -> Result<(String, TokenRec), Reply> {
    let Some(token) = p.get("access_token") else {
        return Err(error(
            400,
            2500,
            None,
            "An active access token must be used to query information about the current user.",
        ));
    };
    if token.contains('|') {
        return Err(error(
            400,
            2500,
            None,
            "An active access token must be used to query information about the current user.",
        ));
    }
    let Some(rec) = w.tokens.get(token) else {
        return Err(error(
            400,
            190,
            None,
            "Invalid OAuth access token - Cannot parse access token",
        ));
    };
    if let Some((sub, msg)) = &rec.invalid {
        return Err(error(400, 190, Some(*sub), msg));
    }
    if rec.expired(now()) {
        return Err(error(400, 190, Some(463), &expired_message(rec.expires_at)));
    }
    let secret = w
        .apps
        .get(&rec.app_id)
        .map(|a| a.secret.clone())
        .unwrap_or_default();
    check_proof(w, token, &secret, p)?;
    Ok((token.clone(), rec.clone()))
}

fn with_user(
    w: &mut World,
    p: &BTreeMap<String, String>,
    f: impl FnOnce(&mut World, TokenRec) -> Reply,
) -> Reply {
    match user_token(w, p) {
        Ok((_, rec)) => f(w, rec),
        Err(r) => r,
    }
}

fn accounts(w: &mut World, p: &BTreeMap<String, String>, version: &str, base: &str) -> Reply {
    let (token, rec) = match user_token(w, p) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if rec.kind == Kind::Page {
        return error(
            400,
            100,
            None,
            "(#100) Tried accessing nonexisting field (accounts) on node type (Page)",
        );
    }
    if !rec.scopes.iter().any(|s| s == "pages_show_list") {
        return error(
            403,
            200,
            None,
            "(#200) Requires pages_show_list permission to manage the object",
        );
    }
    let page_ids = w
        .users
        .get(&rec.user_id)
        .map(|u| u.pages.clone())
        .unwrap_or_default();
    let size = p
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, w.config.page_size.max(1));
    let after = p.get("after").cloned();
    let next_link = |cursor: &str, w: &World| {
        let host = w
            .config
            .next_base
            .clone()
            .unwrap_or_else(|| base.to_string());
        let fields = p
            .get("fields")
            .map(|f| {
                format!(
                    "&fields={}",
                    url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
                )
            })
            .unwrap_or_default();
        format!(
            "{host}/{version}/me/accounts?access_token={token}&limit={size}{fields}&after={cursor}"
        )
    };
    if after.is_none() && w.config.empty_first_page {
        let next = next_link("c0", w);
        return ok(
            json!({"data": [], "paging": {"cursors": {"before": "c0", "after": "c0"}, "next": next}}),
        );
    }
    let start = after
        .as_deref()
        .and_then(|c| c.strip_prefix('c'))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    if start > page_ids.len() {
        return error(
            400,
            100,
            None,
            "(#100) The After Cursor specified exceeds the max limit supported by this endpoint",
        );
    }
    let end = (start + size).min(page_ids.len());
    let mut data = Vec::new();
    for pid in &page_ids[start..end] {
        let page = w.pages[pid].clone();
        let page_token = w.mint_page(&rec, pid);
        data.push(json!({
            "access_token": page_token,
            "category": page.category,
            "category_list": [{"id": "1605186416478696", "name": page.category}],
            "name": page.name,
            "id": pid,
            "tasks": page.tasks,
        }));
    }
    let mut paging =
        json!({"cursors": {"before": format!("c{start}"), "after": format!("c{end}")}});
    if end < page_ids.len() {
        paging["next"] = json!(next_link(&format!("c{end}"), w));
    }
    ok(json!({"data": data, "paging": paging}))
}

fn page_token(w: &mut World, p: &BTreeMap<String, String>, page: &str) -> Reply {
    let (_, rec) = match user_token(w, p) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let manages = w
        .users
        .get(&rec.user_id)
        .is_some_and(|u| u.pages.iter().any(|x| x == page));
    if !manages {
        return error(
            400,
            190,
            Some(492),
            "User associated with the Page access token does not have an appropriate role on the Page",
        );
    }
    let wants_token = p
        .get("fields")
        .is_some_and(|f| f.split(',').any(|x| x == "access_token"));
    let name = w.pages[page].name.clone();
    if wants_token {
        let t = w.mint_page(&rec, page);
        ok(json!({"access_token": t, "id": page}))
    } else {
        ok(json!({"name": name, "id": page}))
    }
}
