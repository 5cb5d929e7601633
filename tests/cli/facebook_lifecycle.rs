//! Facebook as it really is (SPEC §9), against a sandbox that is no kinder than Facebook:
//! tokens are looked at before any exchange, page and system-user tokens are stored as
//! what they are, a re-exchange that gives the same token back rewrites nothing, token age
//! comes from `issued_at`, versions have an end, and a burst of runs makes one refresh
//! attempt.

use std::io::{Read, Write};
use std::time::Duration;

use chrono::{DateTime, Utc};
use fbvault_facebook::appsecret_proof;
use fbvault_graph_sandbox::{
    BM_CLIENT_PAGE, BM_OWNED_PAGE, DEMO_APP_ID, DEMO_APP_SECRET, DEMO_BUSINESS_ID, DEMO_PAGES,
    DEMO_SYSTEM_USER_ID, Failure,
};
use serde_json::Value;

use crate::common::Env;

const DAY: u64 = 86_400;

/// Five concurrent `run -p acme -- printf ran`; the env back, and their outputs.
fn burst_of_runs(env: Env) -> (std::sync::Arc<Env>, Vec<crate::common::Out>) {
    let env = std::sync::Arc::new(env);
    let handles: Vec<_> = (0..5)
        .map(|_| {
            let env = env.clone();
            std::thread::spawn(move || env.run(&["run", "-p", "acme", "--", "printf", "ran"]))
        })
        .collect();
    let outs = handles.into_iter().map(|h| h.join().unwrap()).collect();
    (env, outs)
}

fn days(n: u64) -> Duration {
    Duration::from_secs(n * DAY)
}

fn token(env: &Env, name: &str, token: &str) -> Value {
    env.revealed(name)["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == token)
        .cloned()
        .unwrap_or_else(|| panic!("no token {token} in {name}"))
}

fn rows(env: &Env) -> Vec<Value> {
    env.ok(&["status", "--json"])
        .json()
        .as_array()
        .unwrap()
        .clone()
}

fn paths(env: &Env) -> Vec<String> {
    env.graph().requests().into_iter().map(|r| r.path).collect()
}

/// Adds `name` with `token` on stdin (the demo app), requiring success.
fn add_token(env: &Env, name: &str, token: &str, extra: &[&str]) -> crate::common::Out {
    let o = env.add_with(name, DEMO_APP_ID, DEMO_APP_SECRET, Some(token), extra);
    assert_eq!(o.code, 0, "add {name}: {}", o.stderr);
    o
}

/// A raw HTTP/1.0 request to the sandbox: (status, headers lowercased, body).
fn http(base: &str, method: &str, path: &str, form: &[(&str, &str)]) -> (u16, String, Value) {
    let addr = base.trim_start_matches("http://");
    let body: String = url_encode(form);
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let (target, payload) = if method == "GET" {
        (format!("{path}?{body}"), String::new())
    } else {
        (path.to_string(), body)
    };
    write!(
        s,
        "{method} {target} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        head.to_lowercase(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

fn url_encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn a_pasted_system_user_token_is_stored_as_such_and_never_exchanged() {
    let env = Env::with_graph_and_vault();
    let su = env.graph().system_user_token(false);
    add_token(&env, "ads", &su, &[]);
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        0,
        "{:?}",
        paths(&env)
    );
    assert_eq!(paths(&env)[0], "/debug_token");
    let user = token(&env, "ads", "user");
    assert_eq!(user["value"], su.as_str(), "kept as given");
    assert_eq!(user["kind"], "system_user");
    assert_eq!(user["subject"], DEMO_SYSTEM_USER_ID);
    let row = &rows(&env)[0];
    assert_eq!(row["kind"], "system_user");
    assert_eq!(row["expires_at"], Value::Null);
    assert!(row.get("login_by").is_none(), "no login needed: {row}");
    // Page tokens are derived from it like from a user token.
    let page = token(&env, "ads", &format!("page:{}", DEMO_PAGES[0]));
    assert_eq!(page["kind"], "page");
    assert!(env.ok(&["status"]).stdout.contains("system_user"));

    env.graph().clear_log();
    env.ok(&["refresh", "ads", "--force"]);
    env.ok(&["run", "-p", "ads", "--", "true"]);
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
}

#[test]
fn an_expiring_system_user_token_is_refreshed_inside_14_days_with_the_60_day_parameter() {
    let env = Env::with_graph_and_vault();
    let su = env.graph().system_user_token(true);
    // Issued 50 days ago, 10 days left: outside the 7-day user window, inside 14 days.
    env.graph().age(&su, days(50), days(10));
    add_token(&env, "ads", &su, &[]);
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
    env.graph().clear_log();
    let o = env.ok(&["run", "-p", "ads", "--", "true"]);
    let ex: Vec<_> = env
        .graph()
        .requests()
        .into_iter()
        .filter(|r| r.path == "/oauth/access_token")
        .collect();
    assert_eq!(ex.len(), 1, "{}", o.stderr);
    assert_eq!(ex[0].params["set_token_expires_in_60_days"], "true");
    assert_eq!(ex[0].params["fb_exchange_token"], su);
    let user = token(&env, "ads", "user");
    assert_ne!(user["value"], su.as_str(), "a new 60-day token is stored");
    assert_eq!(user["kind"], "system_user");
    let at: DateTime<Utc> = user["expires_at"].as_str().unwrap().parse().unwrap();
    assert!((at - Utc::now()).num_days() >= 59, "{at}");
    env.assert_no_secret(&o.stderr);
}

#[test]
fn a_page_token_is_stored_as_that_pages_token_and_posts_for_real() {
    let env = Env::with_graph_and_vault();
    let page = env.graph().page_token(DEMO_PAGES[1]);
    add_token(&env, "bakery", &page, &[]);
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
    let p = env.revealed("bakery");
    let tokens = p["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1, "{p}");
    assert_eq!(tokens[0]["name"], format!("page:{}", DEMO_PAGES[1]));
    assert_eq!(tokens[0]["kind"], "page");
    assert_eq!(tokens[0]["subject"], DEMO_PAGES[1]);
    assert_eq!(tokens[0]["label"], "Acme Bakery", "/me answers the page");

    let vars = env.ok(&["env", "-p", "bakery", "--format", "json"]).json();
    assert_eq!(vars["FB_ACCESS_TOKEN"], page.as_str());
    assert_eq!(vars["FB_PAGE_ID"], DEMO_PAGES[1]);
    assert!(vars.get("FB_USER_ACCESS_TOKEN").is_none());
    assert_eq!(
        vars["FB_PAGE_APPSECRET_PROOF"],
        appsecret_proof(DEMO_APP_SECRET, &page)
    );
    // The sandbox takes the post with the right proof and refuses a wrong one.
    let feed = format!("/v27.0/{}/feed", DEMO_PAGES[1]);
    let proof = vars["FB_PAGE_APPSECRET_PROOF"].as_str().unwrap();
    let post = |proof: &str| {
        http(
            env.graph().url(),
            "POST",
            &feed,
            &[
                ("message", "hello"),
                ("access_token", &page),
                ("appsecret_proof", proof),
            ],
        )
    };
    let (status, _, body) = post(proof);
    assert_eq!(status, 200, "{body}");
    assert!(body["id"].as_str().unwrap().starts_with(DEMO_PAGES[1]));
    let (status, _, body) = post("deadbeef");
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], 100);
    assert_eq!(env.graph().posts().len(), 1);
    env.graph().clear_log();
    env.ok(&["refresh", "bakery"]);
    assert!(env.graph().requests().is_empty(), "nothing to refresh");
}

#[test]
fn both_proofs_are_injected_and_verified_by_the_sandbox() {
    let env = Env::with_profile();
    let vars = env
        .ok(&[
            "env",
            "-p",
            "acme",
            "--page",
            DEMO_PAGES[0],
            "--format",
            "json",
        ])
        .json();
    let user = vars["FB_USER_ACCESS_TOKEN"].as_str().unwrap();
    let page = vars["FB_PAGE_ACCESS_TOKEN"].as_str().unwrap();
    assert_eq!(vars["FB_ACCESS_TOKEN"], page);
    assert_eq!(
        vars["FB_APPSECRET_PROOF"], vars["FB_PAGE_APPSECRET_PROOF"],
        "FB_APPSECRET_PROOF is for FB_ACCESS_TOKEN"
    );
    let base = env.graph().url().to_string();
    let me = |token: &str, proof: &str| {
        http(
            &base,
            "GET",
            "/v27.0/me",
            &[("access_token", token), ("appsecret_proof", proof)],
        )
    };
    let (status, _, body) = me(user, vars["FB_USER_APPSECRET_PROOF"].as_str().unwrap());
    assert_eq!((status, body["name"].as_str()), (200, Some("Sandbox User")));
    let (status, _, body) = me(page, vars["FB_PAGE_APPSECRET_PROOF"].as_str().unwrap());
    assert_eq!(status, 200);
    assert_eq!(
        body["id"], DEMO_PAGES[0],
        "/me with a page token is the page"
    );
    let (status, _, body) = me(user, vars["FB_PAGE_APPSECRET_PROOF"].as_str().unwrap());
    assert_eq!(status, 400, "the proof of the other token is refused");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("appsecret_proof")
    );
    // A user token cannot post as the page.
    let (status, _, _) = http(
        &base,
        "POST",
        &format!("/v27.0/{}/feed", DEMO_PAGES[0]),
        &[("message", "x"), ("access_token", user)],
    );
    assert_eq!(status, 403);
}

#[test]
fn a_re_exchange_that_gives_the_same_token_back_rewrites_nothing_and_waits_a_day() {
    let env = Env::with_graph_and_vault();
    let long = env.graph().aged_token(days(55), days(5));
    add_token(&env, "acme", &long, &[]);
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        0,
        "long-lived: kept"
    );
    let expires = token(&env, "acme", "user")["expires_at"].clone();
    let by = &expires.as_str().unwrap()[..10];
    env.graph().clear_log();
    let before = env.snapshot();
    let o = env.ok(&["refresh", "acme"]);
    assert_eq!(env.graph().count("/oauth/access_token"), 1);
    assert_eq!(before, env.snapshot(), "no file rewritten");
    o.stderr_has("did not extend");
    assert!(
        o.stderr.contains(&format!("log in again by {by}"))
            && o.stderr.contains("fbvault login acme"),
        "{}",
        o.stderr
    );
    // Remembered locally: no second exchange within 24 h, by refresh or by run.
    let o = env.ok(&["refresh", "acme"]);
    o.stderr_has("asks again after");
    env.ok(&["run", "-p", "acme", "--", "true"]);
    assert_eq!(env.graph().count("/oauth/access_token"), 1);
    assert_eq!(before, env.snapshot());
    // status says by when a new login is needed.
    let row = rows(&env)
        .into_iter()
        .find(|r| r["token"] == "user")
        .unwrap();
    assert_eq!(row["login_by"], expires);
    let o = env.run(&["status"]);
    o.stderr_has(&format!("log in again by {by}"));
    // --force asks now.
    env.ok(&["refresh", "acme", "--force"]);
    assert_eq!(env.graph().count("/oauth/access_token"), 2);
}

#[test]
fn the_extends_after_a_day_mode_is_named_and_stores_the_new_token() {
    let env = Env::with_graph();
    env.graph().configure(|c| c.extend_after_day = true);
    env.ok(&["init"]);
    let long = env.graph().aged_token(days(55), days(5));
    add_token(&env, "acme", &long, &[]);
    let before = env.snapshot();
    env.ok(&["refresh", "acme"]);
    assert_ne!(before, env.snapshot());
    assert_ne!(token(&env, "acme", "user")["value"], long.as_str());
}

#[test]
fn an_imported_58_day_old_token_is_refreshed_by_the_first_run() {
    for extend in [false, true] {
        let env = Env::with_graph();
        env.graph().configure(|c| c.extend_after_day = extend);
        env.ok(&["init"]);
        let long = env.graph().aged_token(days(58), days(2));
        let dotenv = env.dir.path().join(".env");
        std::fs::write(
            &dotenv,
            format!("APP_ID={DEMO_APP_ID}\nAPP_SECRET={DEMO_APP_SECRET}\nLONG_TOKEN={long}\n"),
        )
        .unwrap();
        env.ok(&["import", dotenv.to_str().unwrap(), "old"]);
        let issued = token(&env, "old", "user")["issued_at"].clone();
        let issued: DateTime<Utc> = issued.as_str().unwrap().parse().unwrap();
        assert!((Utc::now() - issued).num_days() >= 57, "age from issued_at");
        env.graph().clear_log();
        let o = env.ok(&["run", "-p", "old", "--", "true"]);
        assert_eq!(
            env.graph().count("/oauth/access_token"),
            1,
            "extend={extend}: {}",
            o.stderr
        );
        let value = token(&env, "old", "user")["value"].clone();
        assert_eq!(value != long.as_str(), extend, "{}", o.stderr);
    }
}

#[test]
fn versions_near_or_past_their_marketing_end_fail_the_check() {
    let env = Env::with_graph_and_vault();
    let short = env.graph().short_token();
    add_token(&env, "old", &short, &["--graph-version", "v24.0"]);
    let o = env.run(&["status", "--check"]);
    assert_eq!(o.code, 10, "{}", o.stderr);
    assert!(
        o.stderr.contains("Marketing API ended v24.0 on 2026-11-10") && o.stderr.contains("v27.0"),
        "{}",
        o.stderr
    );
    let row = &rows(&env)[0];
    assert_eq!(row["graph_version"], "v24.0");
    assert_eq!(row["marketing_api_until"], "2026-11-10");

    let env = Env::with_profile();
    let o = env.ok(&["status", "--check"]);
    o.stderr_lacks("Marketing");
    let row = &rows(&env)[0];
    assert_eq!(row["graph_version"], "v27.0");
    assert_eq!(row["marketing_api_until"], Value::Null);
}

#[test]
fn an_unknown_version_is_accepted_with_a_warning_and_a_malformed_one_refused() {
    let env = Env::with_graph_and_vault();
    let o = env.add_with("next", "1", "s3cret", None, &["--graph-version", "v28.0"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.stderr_has("v28.0 is not in fbvault's version table");
    let before = env.snapshot();
    env.add_with("bad", "1", "s3cret", None, &["--graph-version", "v2x"])
        .fails(1)
        .stderr_has("not a Graph API version");
    assert_eq!(before, env.snapshot());
}

#[test]
fn the_sandbox_serves_an_ended_version_as_the_oldest_live_one() {
    let env = Env::with_graph();
    let (_, head, _) = http(env.graph().url(), "GET", "/v19.0/me", &[]);
    let served = head
        .lines()
        .find_map(|l| l.strip_prefix("facebook-api-version: "))
        .unwrap()
        .trim()
        .to_string();
    assert!(served != "v19.0" && served != "v20.0", "{served}");
    let (_, head, _) = http(env.graph().url(), "GET", "/v27.0/me", &[]);
    assert!(head.contains("facebook-api-version: v27.0"), "{head}");
}

#[test]
fn a_token_of_another_app_is_refused_before_any_exchange_with_facebooks_reason() {
    let env = Env::with_graph_and_vault();
    let theirs = env
        .graph()
        .short_token_with(fbvault_graph_sandbox::OTHER_APP_ID, &["public_profile"]);
    let before = env.snapshot();
    let o = env.add_with("otherapp", DEMO_APP_ID, DEMO_APP_SECRET, Some(&theirs), &[]);
    o.fails(4)
        .stderr_has("belongs to app")
        .stderr_has("did not match the Viewing App")
        .stderr_has("Graph API Explorer");
    o.stderr_lacks("fbvault login otherapp");
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
    assert_eq!(before, env.snapshot());
    env.assert_no_secret(&o.stderr);
}

#[test]
fn a_failed_add_hints_at_add_not_at_a_profile_that_does_not_exist() {
    let (env, short) = Env::with_stale_short_token();
    let o = env.add_with("dead2", DEMO_APP_ID, DEMO_APP_SECRET, Some(&short), &[]);
    o.fails(4).stderr_has("fbvault add dead2");
    o.stderr_lacks("fbvault login dead2");
    assert!(!env.profile_file("dead2").exists());
}

#[test]
fn import_with_both_tokens_uses_the_valid_one_and_says_which() {
    let (env, stale) = Env::with_stale_short_token();
    env.graph().configure(|c| c.short_lived_secs = 3600);
    let long = env.graph().aged_token(days(10), days(50));
    let dotenv = env.dir.path().join(".env");
    let write = |short: &str, long: &str| {
        std::fs::write(
            &dotenv,
            format!("APP_ID={DEMO_APP_ID}\nAPP_SECRET={DEMO_APP_SECRET}\nSHORT_TOKEN={short}\nLONG_TOKEN={long}\n"),
        )
        .unwrap()
    };
    let file = dotenv.to_str().unwrap();
    // Stale short, valid long: the long one, no exchange.
    write(&stale, &long);
    let o = env.ok(&["import", file, "both"]);
    o.stderr_has("used LONG_TOKEN");
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
    assert_eq!(token(&env, "both", "user")["value"], long.as_str());
    // Both valid: still the long one.
    let fresh = env.graph().short_token();
    write(&fresh, &long);
    let o = env.ok(&["import", file, "both2"]);
    o.stderr_has("used LONG_TOKEN");
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
    // A dead long one: the short one, exchanged, and why.
    let dead = env.graph().aged_token(days(10), days(50));
    env.graph().invalidate(
        &dead,
        460,
        "The session has been invalidated because the user changed their password.",
    );
    write(&fresh, &dead);
    let o = env.ok(&["import", file, "both3"]);
    assert!(
        o.stderr.contains("used SHORT_TOKEN; LONG_TOKEN refused")
            && o.stderr.contains("changed their password"),
        "{}",
        o.stderr
    );
    assert_eq!(env.graph().count("/oauth/access_token"), 1);
    // Both dead: nothing stored, and the hint repeats the import.
    write(&stale, &dead);
    let before = env.snapshot();
    let o = env.run(&["import", file, "none"]);
    o.fails(4).stderr_has("fbvault import");
    o.stderr_lacks("fbvault login none");
    assert_eq!(before, env.snapshot());
}

#[test]
fn business_manager_pages_are_stored_once() {
    let env = Env::with_graph_and_vault();
    let short = env.graph().short_token_with(
        DEMO_APP_ID,
        &["public_profile", "pages_show_list", "business_management"],
    );
    add_token(&env, "agency", &short, &[]);
    let reqs = env.graph().requests();
    let biz = reqs
        .iter()
        .find(|r| r.path == "/me/businesses")
        .expect("businesses read");
    assert_eq!(
        biz.params["access_token"],
        token(&env, "agency", "user")["value"].as_str().unwrap()
    );
    for edge in ["owned_pages", "client_pages"] {
        let r = reqs
            .iter()
            .find(|r| r.path == format!("/{DEMO_BUSINESS_ID}/{edge}"))
            .unwrap_or_else(|| panic!("{edge} read"));
        assert_eq!(r.params["fields"], "id,name,access_token,tasks");
    }
    let names: Vec<String> = env.revealed("agency")["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    for page in [DEMO_PAGES[0], DEMO_PAGES[1], BM_OWNED_PAGE, BM_CLIENT_PAGE] {
        let n = names
            .iter()
            .filter(|n| **n == format!("page:{page}"))
            .count();
        assert_eq!(n, 1, "{page} once: {names:?}");
    }
    let o = env.ok(&["pages", "agency"]);
    o.stdout_has("Client Shop");
    // Without business_management, businesses are not asked about.
    let env = Env::with_profile();
    assert_eq!(env.graph().count("/me/businesses"), 0);
}

#[test]
fn a_burst_of_runs_makes_one_refresh_attempt_while_graph_hangs() {
    let env = Env::with_graph_and_vault();
    let long = env.graph().aged_token(days(55), days(5));
    add_token(&env, "acme", &long, &[]);
    for _ in 0..3 {
        env.graph()
            .fail_next("/oauth/access_token", Failure::Slow(Duration::from_secs(3)));
    }
    env.graph().clear_log();
    let start = std::time::Instant::now();
    let (env, outs) = burst_of_runs(env);
    for o in outs {
        assert_eq!((o.code, o.stdout.as_str()), (0, "ran"), "{}", o.stderr);
    }
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        3,
        "one attempt (three tries) for the whole burst"
    );
    assert!(
        start.elapsed() < Duration::from_secs(25),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn refresh_all_and_inspect_all_work_a_few_profiles_at_a_time() {
    let env = Env::with_graph_and_vault();
    let names: Vec<String> = (1..=12).map(|i| format!("p{i:02}")).collect();
    for n in &names {
        env.add(n);
    }
    env.graph()
        .configure(|c| c.delay = Duration::from_millis(400));
    env.graph().clear_log();
    let start = std::time::Instant::now();
    let o = env.ok(&["refresh", "--all", "--force"]);
    let took = start.elapsed();
    assert_eq!(env.graph().count("/oauth/access_token"), 12, "{}", o.stderr);
    // One at a time: at least 12 x 400 ms.
    assert!(took < Duration::from_millis(3_500), "{took:?}");
    let json = env.ok(&["inspect", "--all", "--json"]).json();
    let profiles: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    assert_eq!(
        profiles,
        names.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(json[0]["tokens"].as_array().unwrap().len() == 3);

    // Throttled: the profiles not yet started are skipped, not called.
    env.graph().configure(|c| c.delay = Duration::ZERO);
    env.graph().clear_log();
    env.graph()
        .fail_next("/oauth/access_token", Failure::rate_limited(4, 9));
    let o = env.run(&["refresh", "--all", "--force"]);
    assert_eq!(o.code, 5, "{}", o.stderr);
    o.stderr_has("skipped");
    assert!(env.graph().count("/oauth/access_token") < 12);
}

#[test]
fn calls_slow_down_when_the_usage_headers_near_a_rate_limit() {
    let env = Env::with_profile();
    let start = std::time::Instant::now();
    env.ok(&["inspect", "acme"]);
    let quick = start.elapsed();
    // x-app-usage call_count 80 %: each next call waits about a second.
    env.graph().configure(|c| c.app_usage_percent = 80);
    let start = std::time::Instant::now();
    env.ok(&["inspect", "acme"]);
    let slowed = start.elapsed();
    assert!(quick < Duration::from_secs(1), "{quick:?}");
    assert!(
        slowed >= Duration::from_secs(2),
        "three calls, two pauses: {slowed:?}"
    );
}

#[test]
fn a_profile_on_an_ended_version_is_told_which_version_facebook_served() {
    let env = Env::with_graph_and_vault();
    let short = env.graph().short_token();
    let o = add_token(&env, "old", &short, &["--graph-version", "v19.0"]);
    assert!(
        o.stderr.contains("Facebook answered with Graph API v2")
            && o.stderr.contains("not v19.0")
            && o.stderr.contains("fbvault edit old"),
        "{}",
        o.stderr
    );
    let o = env.run(&["status", "--check"]);
    assert_eq!(o.code, 10, "{}", o.stderr);
    o.stderr_has("Graph API v19.0 ended on 2026-05-21");
    // On the current version: no such note.
    let short = env.graph().short_token();
    let o = add_token(&env, "new", &short, &[]);
    o.stderr_lacks("Facebook answered with");
}

#[test]
fn a_burst_of_runs_takes_the_lock_holders_refusal_and_a_login_clears_it() {
    let env = Env::with_graph_and_vault();
    let long = env.graph().aged_token(days(55), days(5));
    add_token(&env, "acme", &long, &[]);
    env.graph().fail_next(
        "/oauth/access_token",
        Failure::graph(
            190,
            Some(460),
            "The session has been invalidated because the user changed their password.",
        ),
    );
    env.graph().clear_log();
    let before = env.snapshot();
    let (env, outs) = burst_of_runs(env);
    for o in outs {
        o.fails(4).stderr_has("changed their password");
        assert!(o.stdout.is_empty());
    }
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        1,
        "one attempt, five answers"
    );
    assert_eq!(before, env.snapshot());
    // A new login is a new token: the note about the old one no longer counts.
    let short = env.graph().short_token();
    let o = env.run_stdin(&["login", "acme", "--token-stdin"], &format!("{short}\n"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    env.ok(&["run", "-p", "acme", "--", "true"]);
}
