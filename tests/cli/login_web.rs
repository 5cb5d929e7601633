//! `fbvault login --web` and `add --web` (SPEC §10) with a scripted browser: a `$BROWSER`
//! program that fetches the sandbox's login dialog and follows its real 302 redirect to
//! fbvault's loopback listener, like a browser. Also the sandbox's side: codes single-use
//! and bound to their `redirect_uri` and PKCE challenge.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;

use base64::Engine;
use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET, DEMO_PAGES, Request};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{Env, Out, free_port};

/// The scripted browser. Modes: `follow` (open the URL, follow redirects), `wrong-state`
/// (first a callback with another state, then the real one), `nothing` (never comes
/// back). It appends `STATUS BODY-START` lines to its log.
pub const BROWSER: &str = r#"
import http.client, os, sys, urllib.error, urllib.parse, urllib.request
mode, url = sys.argv[1], sys.argv[-1]
log = open(os.environ["FAKE_BROWSER_LOG"], "a")
def get(u):
    try:
        with urllib.request.urlopen(u, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
def note(status, body):
    log.write("%d %s\n" % (status, " ".join(body.split())))
    log.flush()
if mode == "follow":
    note(*get(url))
elif mode == "wrong-state":
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", u.path + "?" + u.query)
    location = c.getresponse().getheader("Location")
    note(*get(location.replace("state=", "state=x")))
    note(*get(location.replace("/callback", "/other")))
    note(*get(location))
elif mode == "nothing":
    note(0, "started")
"#;

/// A sandbox, a vault, and profile `acme` with the demo app's credentials but no token;
/// the dialog on the sandbox and the scripted browser in `mode`.
pub fn web_env(mode: &str) -> Env {
    let mut env = Env::with_graph_and_vault();
    env.add_credentials("acme");
    browser(&mut env, mode);
    env
}

fn browser(env: &mut Env, mode: &str) {
    let script = env.dir.path().join("browser.py");
    std::fs::write(&script, BROWSER).unwrap();
    let url = env.graph().url().to_string();
    env.set("FBVAULT_DIALOG_URL", &url);
    env.set("BROWSER", &format!("python3 {} {mode}", script.display()));
    env.set("FAKE_BROWSER_LOG", log_path(env).to_str().unwrap());
}

fn log_path(env: &Env) -> PathBuf {
    env.dir.path().join("browser.log")
}

fn browser_log(env: &Env) -> Vec<String> {
    std::fs::read_to_string(log_path(env))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The browser's log once it has `n` lines (the script may still be writing when fbvault
/// exits), or what it has after 10 s.
fn browser_log_of(env: &Env, n: usize) -> Vec<String> {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let log = browser_log(env);
        if log.len() >= n || std::time::Instant::now() > until {
            return log;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn login_web(env: &Env, port: u16, extra: &[&str]) -> Out {
    let p = port.to_string();
    let mut args = vec!["login", "acme", "--web", "--port", &p];
    args.extend_from_slice(extra);
    env.run(&args)
}

fn only(env: &Env, path: &str) -> Request {
    let reqs: Vec<Request> = env
        .graph()
        .requests()
        .into_iter()
        .filter(|r| {
            r.path == path && (path != "/oauth/access_token" || r.params.contains_key("code"))
        })
        .collect();
    assert_eq!(reqs.len(), 1, "one request to {path}: {reqs:?}");
    reqs.into_iter().next().unwrap()
}

/// No secret of the world, no login code, no verifier in `text`.
fn assert_clean(env: &Env, text: &str) {
    env.assert_no_secret(text);
    for code in env.graph().login_codes() {
        assert!(!text.contains(&code), "the login code leaked: {text}");
    }
    for r in env.graph().requests() {
        if let Some(v) = r.params.get("code_verifier") {
            assert!(!text.contains(v.as_str()), "the verifier leaked: {text}");
        }
    }
}

#[test]
fn a_web_login_stores_the_exchanged_long_lived_token_and_the_page_tokens() {
    let env = web_env("follow");
    let port = free_port();
    let o = login_web(&env, port, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let log = browser_log_of(&env, 1);
    assert!(
        log.len() == 1 && log[0].starts_with("200 ") && log[0].contains("close this tab"),
        "{log:?}"
    );
    let p = env.revealed("acme");
    let user = &p["tokens"][0];
    assert_eq!(user["name"], "user");
    let value = user["value"].as_str().unwrap();
    let rec = env.graph().world().tokens[value].clone();
    assert!(rec.long_lived, "the short-lived token was exchanged");
    let pages: Vec<&str> = p["tokens"].as_array().unwrap()[1..]
        .iter()
        .map(|t| t["subject"].as_str().unwrap())
        .collect();
    assert_eq!(pages, DEMO_PAGES);
    assert_eq!(p["config"]["redirect_port"], port.to_string());
    assert_eq!(
        env.graph().count("/debug_token"),
        4,
        "debug_token before storing"
    );
    assert_clean(&env, &format!("{}{}", o.stdout, o.stderr));
    let listing = env.ok(&["show", "acme"]);
    assert_clean(&env, &listing.stdout);
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("the port is released");
}

#[test]
fn the_dialog_and_the_redemption_carry_the_exact_parameters() {
    let env = web_env("follow");
    let port = free_port();
    let o = login_web(&env, port, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let dialog = only(&env, "/dialog/oauth");
    let redeem = only(&env, "/oauth/access_token");
    let redirect = format!("http://localhost:{port}/callback");
    assert_eq!(dialog.version.as_deref(), Some("v27.0"));
    assert_eq!(dialog.params["client_id"], DEMO_APP_ID);
    assert_eq!(dialog.params["redirect_uri"], redirect);
    assert_eq!(dialog.params["response_type"], "code");
    assert_eq!(dialog.params["code_challenge_method"], "S256");
    assert_eq!(
        dialog.params["scope"],
        "pages_show_list,pages_read_engagement,pages_manage_posts"
    );
    assert!(!dialog.params.contains_key("auth_type"));
    let state = &dialog.params["state"];
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(state)
        .expect("state is base64url");
    assert_eq!(raw.len(), 16, "a 128-bit state");
    // The URL fbvault printed is the one the browser opened.
    o.stderr_has(&format!("state={state}"));

    assert_eq!(redeem.method, "GET");
    assert_eq!(
        redeem.params["redirect_uri"], redirect,
        "the identical redirect_uri"
    );
    assert_eq!(redeem.params["client_id"], DEMO_APP_ID);
    assert_eq!(redeem.params["client_secret"], DEMO_APP_SECRET);
    let verifier = &redeem.params["code_verifier"];
    assert!((43..=128).contains(&verifier.len()));
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    assert_eq!(dialog.params["code_challenge"], challenge);
    assert!(!redeem.params.contains_key("grant_type"));
    assert!(env.graph().login_codes().contains(&redeem.params["code"]));
}

#[test]
fn a_wrong_state_is_refused_and_the_listener_waits_for_the_right_one() {
    let env = web_env("wrong-state");
    let o = login_web(&env, free_port(), &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let log = browser_log_of(&env, 3);
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(
        log[0].starts_with("400 ") && log[0].contains("state"),
        "{log:?}"
    );
    assert!(log[1].starts_with("404 "), "{log:?}");
    assert!(
        log[2].starts_with("200 ") && log[2].contains("close this tab"),
        "{log:?}"
    );
    assert_eq!(env.revealed("acme")["tokens"].as_array().unwrap().len(), 3);
}

#[test]
fn declining_in_the_dialog_exits_4_and_stores_nothing() {
    let env = web_env("follow");
    env.graph().configure(|c| c.dialog_decline = true);
    let before = env.snapshot();
    let o = login_web(&env, free_port(), &[]);
    o.fails(4)
        .stderr_has("not approved in the browser (access_denied: user_denied)")
        .stderr_has("nothing was stored");
    assert_eq!(
        env.snapshot(),
        before,
        "the profile is byte-for-byte as it was"
    );
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
    assert_clean(&env, &o.stderr);
}

#[test]
fn no_callback_in_time_exits_1_and_releases_the_port() {
    let mut env = web_env("nothing");
    env.set("FBVAULT_LOGIN_TIMEOUT", "1");
    let before = env.snapshot();
    let port = free_port();
    let o = login_web(&env, port, &[]);
    o.fails(1)
        .stderr_has("no answer from the browser within 1 s; nothing was stored");
    assert_eq!(
        browser_log_of(&env, 1),
        ["0 started"],
        "the browser was started"
    );
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("the port is released");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_port_in_use_is_one_clear_error() {
    let env = web_env("follow");
    let held = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = held.local_addr().unwrap().port();
    let o = login_web(&env, port, &[]);
    o.fails(1)
        .stderr_has(&format!("port {port} on 127.0.0.1 is in use"))
        .stderr_has("--port");
    assert!(
        browser_log(&env).is_empty(),
        "no browser without a listener"
    );
    drop(held);
}

#[test]
fn no_browser_prints_the_url_and_starts_nothing() {
    let mut env = web_env("follow");
    env.set("FBVAULT_LOGIN_TIMEOUT", "1");
    let o = login_web(&env, free_port(), &["--no-browser"]);
    o.fails(1);
    let url = format!(
        "fbvault: log in to Facebook at {}/v27.0/dialog/oauth?client_id={DEMO_APP_ID}&redirect_uri=http%3A%2F%2Flocalhost%3A",
        env.graph().url()
    );
    o.stderr_has(&url);
    assert!(browser_log(&env).is_empty(), "$BROWSER was not run");
    assert_eq!(env.graph().count("/dialog/oauth"), 0);
}

#[test]
fn declined_permissions_are_named_and_asked_again_next_time() {
    let env = web_env("follow");
    env.graph()
        .configure(|c| c.declined_scopes = vec!["pages_show_list".into()]);
    let port = free_port();
    let o = login_web(&env, port, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.stderr_has("permission pages_show_list was not granted")
        .stderr_has("no page tokens");
    let p = env.revealed("acme");
    assert_eq!(p["tokens"].as_array().unwrap().len(), 1, "no page tokens");
    assert_eq!(p["config"]["declined_scopes"], "pages_show_list");

    // The next login asks again; granted this time, the note goes.
    env.graph().configure(|c| c.declined_scopes.clear());
    env.graph().clear_log();
    let o = login_web(&env, port, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let dialog = only(&env, "/dialog/oauth");
    assert_eq!(dialog.params["auth_type"], "rerequest");
    o.stderr_lacks("was not granted");
    let p = env.revealed("acme");
    assert!(p["config"].get("declined_scopes").is_none(), "{p}");
    assert_eq!(p["tokens"].as_array().unwrap().len(), 3);
}

#[test]
fn scope_adds_to_what_the_profile_had() {
    let env = web_env("follow");
    let port = free_port();
    assert_eq!(login_web(&env, port, &["--scope", "ads_read"]).code, 0);
    env.graph().clear_log();
    assert_eq!(login_web(&env, port, &[]).code, 0);
    let dialog = only(&env, "/dialog/oauth");
    assert_eq!(
        dialog.params["scope"],
        "pages_show_list,pages_read_engagement,pages_manage_posts,ads_read"
    );
}

/// A sandbox and a vault with no profile yet; the scripted browser follows the dialog.
fn add_web_env() -> Env {
    let mut env = Env::with_graph_and_vault();
    browser(&mut env, "follow");
    env
}

/// `fbvault add acme --app-id … --app-secret-stdin --web --port PORT`, the demo secret on stdin.
fn add_web(env: &Env, port: &str) -> Out {
    env.run_stdin(
        &[
            "add",
            "acme",
            "--app-id",
            DEMO_APP_ID,
            "--app-secret-stdin",
            "--web",
            "--port",
            port,
        ],
        &format!("{DEMO_APP_SECRET}\n"),
    )
}

#[test]
fn add_web_creates_the_profile_from_the_browser_login() {
    let env = add_web_env();
    let port = free_port().to_string();
    let o = add_web(&env, &port);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let p = env.revealed("acme");
    assert_eq!(p["tokens"].as_array().unwrap().len(), 3);
    assert_eq!(p["config"]["redirect_port"], port);
    assert_clean(&env, &format!("{}{}", o.stdout, o.stderr));
}

#[test]
fn a_failed_add_web_stores_nothing() {
    let env = add_web_env();
    env.graph().configure(|c| c.dialog_decline = true);
    let port = free_port().to_string();
    let o = add_web(&env, &port);
    o.fails(4);
    assert!(!env.profile_file("acme").exists());
    o.stderr_lacks("fbvault login acme");
}

/// A raw HTTP GET to the sandbox: (status, Location header, body).
fn raw_get(base: &str, target: &str) -> (u16, Option<String>, String) {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let location = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("Location: ")
                .or_else(|| l.strip_prefix("location: "))
        })
        .map(str::to_string);
    (status, location, body.to_string())
}

/// The `code` parameter of a redirect's `Location`.
fn code_in(location: &str) -> String {
    location
        .split("code=")
        .nth(1)
        .unwrap()
        .split(['&', '#'])
        .next()
        .unwrap()
        .to_string()
}

fn q(s: &str) -> String {
    url_encode(s)
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn sandbox_codes_are_single_use_and_bound_to_their_redirect_uri_and_challenge() {
    let env = Env::with_graph();
    let base = env.graph().url().to_string();
    let verifier = "a".repeat(43) + "-verifier_0123456789";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let redirect = "http://localhost:8765/callback";
    let dialog = format!(
        "/v27.0/dialog/oauth?client_id={DEMO_APP_ID}&redirect_uri={}&state=s1&response_type=code&scope=pages_show_list&code_challenge={challenge}&code_challenge_method=S256",
        q(redirect)
    );
    let (status, location, _) = raw_get(&base, &dialog);
    assert_eq!(status, 302);
    let location = location.unwrap();
    assert!(
        location.starts_with(&format!("{redirect}?code=")),
        "{location}"
    );
    assert!(location.contains("&state=s1"), "{location}");
    let code = code_in(&location);
    let redeem_code = |code: &str, redirect: &str, verifier: &str| {
        raw_get(
            &base,
            &format!(
                "/v27.0/oauth/access_token?client_id={DEMO_APP_ID}&client_secret={DEMO_APP_SECRET}&redirect_uri={}&code={code}&code_verifier={}",
                q(redirect),
                q(verifier)
            ),
        )
    };
    let redeem = |redirect: &str, verifier: &str| redeem_code(&code, redirect, verifier);
    let error =
        |body: &str| -> Value { serde_json::from_str::<Value>(body).unwrap()["error"].clone() };
    let (s, _, body) = redeem("http://localhost:9999/callback", &verifier);
    assert_eq!((s, error(&body)["code"].as_i64()), (400, Some(100)));
    assert_eq!(error(&body)["type"], "OAuthException");
    assert!(body.contains("redirect_uri is identical"), "{body}");
    let (s, _, body) = redeem(redirect, &("b".repeat(43)));
    assert_eq!((s, error(&body)["code"].as_i64()), (400, Some(100)));
    let (s, _, body) = redeem(redirect, &verifier);
    assert_eq!(s, 200, "{body}");
    let token = serde_json::from_str::<Value>(&body).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !env.graph().world().tokens[&token].long_lived,
        "a short-lived token"
    );
    let (s, _, body) = redeem(redirect, &verifier);
    assert_eq!(s, 400);
    assert!(body.contains("has been used"), "{body}");

    // A code that outlived its few minutes.
    env.graph().configure(|c| c.code_lifetime_secs = 0);
    let (_, location, _) = raw_get(&base, &dialog);
    let late = code_in(&location.unwrap());
    let (s, _, body) = redeem_code(&late, redirect, &verifier);
    assert_eq!(s, 400);
    assert!(body.contains("has expired"), "{body}");

    // The decline mode, and a redirect URI that is not localhost.
    env.graph().configure(|c| c.dialog_decline = true);
    let (s, location, _) = raw_get(&base, &dialog);
    assert_eq!(s, 302);
    let location = location.unwrap();
    assert!(
        location.contains("error=access_denied")
            && location.contains("error_reason=user_denied")
            && location.contains("state=s1"),
        "{location}"
    );
    let (s, location, _) = raw_get(
        &base,
        &dialog.replace(&q(redirect), &q("https://evil.example/cb")),
    );
    assert_eq!((s, location), (400, None));
}
