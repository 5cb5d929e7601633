//! The Facebook provider against the Graph sandbox: the exchange, `debug_token`, page
//! tokens, pagination, refresh rules, and every trap of graph-api.md §0.

use chrono::{DateTime, Duration, Utc};
use fbvault_facebook::appsecret_proof;
use fbvault_graph_sandbox::{
    DEMO_APP_ID, DEMO_APP_SECRET, DEMO_PAGES, ExchangeMode, OTHER_APP_ID, Request, Sandbox,
};
use serde_json::Value;

use crate::common::Env;

fn status(env: &Env) -> Vec<Value> {
    env.ok(&["status", "--json"])
        .json()
        .as_array()
        .unwrap()
        .clone()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

fn user_row(env: &Env) -> Value {
    status(env)
        .into_iter()
        .find(|r| r["token"] == "user")
        .expect("a user token row")
}

fn about(at: DateTime<Utc>, expected: DateTime<Utc>) -> bool {
    (at - expected).num_seconds().abs() < 120
}

fn params_of(r: &Request) -> Vec<&str> {
    r.params.keys().map(String::as_str).collect()
}

#[test]
fn add_debugs_then_exchanges_then_debugs_then_reads_pages_with_the_long_lived_token() {
    let env = Env::with_graph_and_vault();
    let short = env.graph().short_token();
    let o = env.add_with("acme", DEMO_APP_ID, DEMO_APP_SECRET, Some(&short), &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let reqs = env.graph().requests();
    assert!(
        reqs.iter()
            .all(|r| r.version.as_deref() == Some("v27.0") && r.method == "GET"),
        "versioned GETs only, at the newest version by default"
    );

    // Look before exchanging: debug_token on the given token comes first.
    let look = &reqs[0];
    assert_eq!(look.path, "/debug_token");
    assert_eq!(look.params["input_token"], short);
    let reqs = &reqs[1..];
    let ex = &reqs[0];
    assert_eq!(ex.path, "/oauth/access_token");
    assert_eq!(
        params_of(ex),
        [
            "client_id",
            "client_secret",
            "fb_exchange_token",
            "grant_type"
        ]
    );
    assert_eq!(ex.params["grant_type"], "fb_exchange_token");
    assert_eq!(ex.params["client_id"], DEMO_APP_ID);
    assert_eq!(ex.params["client_secret"], DEMO_APP_SECRET);
    assert_eq!(ex.params["fb_exchange_token"], short);
    assert_eq!(env.graph().count("/oauth/access_token"), 1);

    let long = env.first_token("acme");
    assert_ne!(long, short);
    let dbg = &reqs[1];
    assert_eq!(dbg.path, "/debug_token");
    assert_eq!(dbg.params["input_token"], long);
    let inspector = format!("{DEMO_APP_ID}|{DEMO_APP_SECRET}");
    assert_eq!(dbg.params["access_token"], inspector);
    assert_eq!(
        dbg.params["appsecret_proof"],
        appsecret_proof(DEMO_APP_SECRET, &inspector)
    );

    let acc = &reqs[2];
    assert_eq!(acc.path, "/me/accounts");
    assert_eq!(
        acc.params["access_token"], long,
        "pages are read with the long-lived token, never the short one"
    );
    assert_eq!(
        acc.params["appsecret_proof"],
        appsecret_proof(DEMO_APP_SECRET, &long)
    );
    assert!(
        reqs.iter()
            .all(|r| !r.raw_url.contains(&short) || r.path == "/oauth/access_token")
    );

    let rows = status(&env);
    let user = &rows[0];
    assert_eq!(user["kind"], "user");
    assert!(
        about(time(&user["expires_at"]), Utc::now() + Duration::days(60)),
        "{user}"
    );
    assert!(about(
        time(&user["data_access_expires_at"]),
        Utc::now() + Duration::days(90)
    ));
    assert_eq!(user["state"], "ok");
    let pages: Vec<&Value> = rows.iter().filter(|r| r["kind"] == "page").collect();
    assert_eq!(pages.len(), 2);
    for p in pages {
        assert_eq!(
            p["expires_at"],
            Value::Null,
            "page tokens from a long-lived user token never expire"
        );
        assert_eq!(p["state"], "ok");
    }
    let shown = env.ok(&["show", "acme", "--json"]).json();
    let page = &shown["tokens"][1];
    assert_eq!(page["subject"], DEMO_PAGES[0]);
    assert_eq!(page["label"], "Cute Kitten Page");
    assert!(
        page["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "CREATE_CONTENT")
    );
}

#[test]
fn a_missing_expires_in_is_unknown_not_zero_and_debug_token_decides() {
    for mode in [ExchangeMode::OmitExpiresIn, ExchangeMode::LegacyExpires] {
        let env = Env::with_graph();
        env.graph().configure(|c| c.exchange_mode = mode);
        env.ok(&["init"]);
        env.add("acme");
        let user = user_row(&env);
        assert!(
            about(time(&user["expires_at"]), Utc::now() + Duration::days(60)),
            "{mode:?}: {user}"
        );
        assert_eq!(user["state"], "ok");
    }
}

#[test]
fn expires_at_zero_means_never_and_is_never_re_exchanged() {
    let env = Env::with_profile_lasting(0);
    let user = user_row(&env);
    assert_eq!(user["expires_at"], Value::Null);
    assert_eq!(user["days_left"], Value::Null);
    assert_eq!(user["state"], "ok");
    assert!(env.ok(&["status"]).stdout.contains("never"));
    env.graph().clear_log();
    let o = env.ok(&["refresh", "acme", "--force"]);
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        0,
        "a never-expiring token is not exchanged: {}",
        o.stderr
    );
    env.ok(&["status", "--check"]);
}

#[test]
fn the_profile_graph_version_is_used_on_every_call() {
    let env = Env::with_graph_and_vault();
    let short = env.graph().short_token();
    env.add_with(
        "acme",
        DEMO_APP_ID,
        DEMO_APP_SECRET,
        Some(&short),
        &["--graph-version", "v23.0"],
    );
    let reqs = env.graph().requests();
    assert!(!reqs.is_empty());
    assert!(
        reqs.iter().all(|r| r.version.as_deref() == Some("v23.0")),
        "{reqs:?}"
    );
    let o = env.ok(&["env", "-p", "acme", "--format", "json"]).json();
    assert_eq!(o["FB_GRAPH_API_VERSION"], "v23.0");
}

#[test]
fn pagination_follows_next_through_empty_pages() {
    let env = Env::with_graph();
    env.graph().configure(|c| {
        c.page_size = 1;
        c.empty_first_page = true;
    });
    env.ok(&["init"]);
    env.add("acme");
    assert_eq!(
        env.graph().count("/me/accounts"),
        3,
        "an empty page with a next link, then one page each"
    );
    let pages: Vec<Value> = status(&env)
        .into_iter()
        .filter(|r| r["kind"] == "page")
        .collect();
    assert_eq!(pages.len(), 2);
    let followed: Vec<Request> = env
        .graph()
        .requests()
        .into_iter()
        .filter(|r| r.path == "/me/accounts")
        .skip(1)
        .collect();
    for r in followed {
        assert!(r.params.contains_key("after"));
        let token = &r.params["access_token"];
        assert_eq!(
            r.params["appsecret_proof"],
            appsecret_proof(DEMO_APP_SECRET, token),
            "the proof travels with next links"
        );
    }
}

#[test]
fn a_next_link_to_another_host_is_not_followed_and_not_shown() {
    let env = Env::with_graph();
    let foreign = Sandbox::start();
    env.graph().configure(|c| {
        c.page_size = 1;
        c.next_base = Some(foreign.url().to_string());
    });
    env.ok(&["init"]);
    let o = env.add("acme");
    assert_eq!(env.graph().count("/me/accounts"), 1);
    assert!(
        foreign.requests().is_empty(),
        "the token went to another host"
    );
    o.stderr_has("not followed");
    assert!(
        !o.stderr.contains("access_token") && !o.stderr.contains("http"),
        "{}",
        o.stderr
    );
    env.assert_no_secret(&o.stderr);
}

#[test]
fn a_long_lived_token_is_refreshed_inside_the_window_at_most_once_a_day() {
    let env = Env::with_profile_lasting(3 * 86_400);
    assert_eq!(user_row(&env)["state"], "expiring");
    env.graph().clear_log();
    // Inside the window, but obtained minutes ago: not due.
    let o = env.ok(&["refresh", "acme"]);
    o.stderr_has("nothing to refresh");
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
    // Forced: one exchange, and Facebook gives the same token back (it does not extend).
    let o = env.ok(&["refresh", "acme", "--force"]);
    assert_eq!(env.graph().count("/oauth/access_token"), 1);
    o.stderr_has("did not extend");
    let ex = env
        .graph()
        .requests()
        .into_iter()
        .find(|r| r.path == "/oauth/access_token")
        .unwrap();
    let stored = env.revealed("acme");
    assert_eq!(
        ex.params["fb_exchange_token"], stored["tokens"][0]["value"],
        "the long-lived token is what is re-exchanged"
    );
}

#[test]
fn status_check_exits_10_inside_the_warning_window() {
    let env = Env::with_profile_lasting(3 * 86_400);
    let o = env.run(&["status", "--check"]);
    assert_eq!(o.code, 10, "{}", o.stderr);
    assert!(o.stdout.contains("expiring"));
    assert!(o.stderr.contains("fbvault login acme"));
    env.ok(&["status", "--check", "--warn-days", "1"]);
    let rows = env.ok(&["list", "--json"]).json();
    for key in [
        "profile",
        "provider",
        "kind",
        "expires_at",
        "data_access_expires_at",
        "days_left",
        "state",
    ] {
        assert!(rows[0].get(key).is_some(), "list --json lacks {key}");
    }
    assert_eq!(rows[0]["days_left"], 2);
}

#[test]
fn an_expired_token_cannot_be_refreshed_and_says_login() {
    let env = Env::with_profile_lasting(2);
    std::thread::sleep(std::time::Duration::from_secs(3));
    env.graph().clear_log();
    let before = env.snapshot();
    env.run(&["refresh", "acme"])
        .fails(4)
        .stderr_has("expired")
        .stderr_has("fbvault login acme");
    assert!(
        env.graph().requests().is_empty(),
        "no call for an expired token"
    );
    assert_eq!(before, env.snapshot());
    assert_eq!(user_row(&env)["state"], "expired");
    assert_eq!(env.run(&["status", "--check"]).code, 10);
}

#[test]
fn login_replaces_the_tokens_and_derives_the_pages_again() {
    let env = Env::with_profile();
    let old = env.revealed("acme");
    let short = env.graph().short_token();
    env.graph().clear_log();
    let o = env.run_stdin(&["login", "acme", "--token-stdin"], &format!("{short}\n"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(env.graph().count("/oauth/access_token"), 1);
    assert_eq!(env.graph().count("/me/accounts"), 1);
    let new = env.revealed("acme");
    assert_ne!(old["tokens"][0]["value"], new["tokens"][0]["value"]);
    assert_eq!(new["tokens"].as_array().unwrap().len(), 3);
    env.assert_no_secret(&o.stderr);
    env.run(&["login", "acme"])
        .fails(2)
        .stderr_has("--token-stdin");
}

#[test]
fn import_exchanges_a_short_token_and_keeps_a_long_one() {
    let env = Env::with_graph_and_vault();
    let short = env.graph().short_token();
    let dotenv = env.dir.path().join(".env");
    std::fs::write(&dotenv, format!("# old script\nAPP_ID={DEMO_APP_ID}\nexport APP_SECRET=\"{DEMO_APP_SECRET}\"\nSHORT_TOKEN={short}\n")).unwrap();
    let o = env.ok(&["import", dotenv.to_str().unwrap(), "acme"]);
    assert_eq!(env.graph().count("/oauth/access_token"), 1);
    env.assert_no_secret(&o.stderr);

    // The long-lived token acme now holds, kept as is by a second import.
    let long = env.first_token("acme");
    std::fs::write(
        &dotenv,
        format!("APP_ID={DEMO_APP_ID}\nAPP_SECRET={DEMO_APP_SECRET}\nLONG_TOKEN={long}\n"),
    )
    .unwrap();
    env.graph().clear_log();
    env.ok(&["import", dotenv.to_str().unwrap(), "kept"]);
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        0,
        "a long-lived token is not exchanged"
    );
    assert!(env.graph().count("/debug_token") >= 1);
    let kept = env.revealed("kept");
    assert_eq!(kept["tokens"][0]["value"], long.as_str());
    assert!(about(
        time(&user_row_of(&env, "kept")["expires_at"]),
        Utc::now() + Duration::days(60)
    ));

    std::fs::write(&dotenv, "APP_ID=1\n").unwrap();
    env.run(&["import", dotenv.to_str().unwrap(), "nope"])
        .fails(1)
        .stderr_has("APP_SECRET");
}

fn user_row_of(env: &Env, profile: &str) -> Value {
    status(env)
        .into_iter()
        .find(|r| r["profile"] == profile && r["token"] == "user")
        .unwrap()
}

#[test]
fn a_token_of_another_app_is_refused() {
    let env = Env::with_graph_and_vault();
    let theirs = env
        .graph()
        .short_token_with(OTHER_APP_ID, &["public_profile"]);
    let dotenv = env.dir.path().join(".env");
    std::fs::write(
        &dotenv,
        format!("APP_ID={DEMO_APP_ID}\nAPP_SECRET={DEMO_APP_SECRET}\nLONG_TOKEN={theirs}\n"),
    )
    .unwrap();
    let before = env.snapshot();
    let o = env.run(&["import", dotenv.to_str().unwrap(), "acme"]);
    o.fails(4)
        .stderr_has(&format!("belongs to app {OTHER_APP_ID}"));
    env.assert_no_secret(&o.stderr);
    assert_eq!(before, env.snapshot());
}

#[test]
fn inspect_reports_live_validity_and_marks_dead_tokens() {
    let env = Env::with_profile();
    let o = env.ok(&["inspect", "acme"]);
    assert!(
        o.stdout.contains("yes") && o.stdout.contains("pages_show_list"),
        "{}",
        o.stdout
    );
    let json = env.ok(&["inspect", "acme", "--json"]).json();
    assert_eq!(json.as_array().unwrap().len(), 3);
    assert_eq!(json[0]["valid"], true);

    let user = env.first_token("acme");
    env.graph().invalidate(&user, 460, "Error validating access token: The session has been invalidated because the user changed their password.");
    let o = env.run(&["inspect", "acme", "--token", "user"]);
    assert_eq!(o.code, 4);
    o.stdout_has("changed their password");
    assert_eq!(user_row(&env)["state"], "invalid");
    assert_eq!(env.run(&["status", "--check"]).code, 10);
}

#[test]
fn pages_lists_and_stores_the_page_tokens() {
    let env = Env::with_graph_and_vault();
    // A token without pages_show_list: no pages at add time.
    let short = env
        .graph()
        .short_token_with(DEMO_APP_ID, &["public_profile"]);
    env.add_with("acme", DEMO_APP_ID, DEMO_APP_SECRET, Some(&short), &[]);
    assert_eq!(status(&env).len(), 1);
    assert_eq!(env.graph().count("/me/accounts"), 0);
    env.run(&["pages", "acme"])
        .fails(4)
        .stderr_has("pages_show_list");

    let env = Env::with_profile();
    let o = env.ok(&["pages", "acme"]);
    assert!(
        o.stdout.contains("Cute Kitten Page") && o.stdout.contains(DEMO_PAGES[1]),
        "{}",
        o.stdout
    );
    let json = env.ok(&["pages", "acme", "--json"]).json();
    assert_eq!(json.as_array().unwrap().len(), 2);
    env.assert_no_secret(&json.to_string());
}

#[test]
fn add_with_a_page_the_user_does_not_manage_is_refused() {
    let env = Env::with_graph_and_vault();
    let short = env.graph().short_token();
    let o = env.add_with(
        "acme",
        DEMO_APP_ID,
        DEMO_APP_SECRET,
        Some(&short),
        &["--page", "123"],
    );
    o.fails(1)
        .stderr_has("does not manage page 123")
        .stderr_has(DEMO_PAGES[0]);
    assert!(!env.profile_file("acme").exists());
}

#[test]
fn the_whole_flow_works_when_the_app_requires_appsecret_proof() {
    let env = Env::with_graph();
    env.graph().configure(|c| {
        c.require_proof = true;
        c.page_size = 1;
    });
    env.ok(&["init"]);
    env.add("acme");
    assert_eq!(status(&env).len(), 3);
    env.ok(&["inspect", "acme"]);
    env.ok(&["pages", "acme"]);
}

#[test]
fn no_token_or_secret_appears_in_any_output() {
    let env = Env::with_profile();
    let mut seen = String::new();
    for args in [
        &["list"][..],
        &["status"],
        &["status", "--json"],
        &["list", "--json"],
        &["show", "acme"],
        &["show", "acme", "--json"],
        &["inspect", "acme"],
        &["inspect", "acme", "--json"],
        &["pages", "acme"],
        &["refresh", "acme", "--force"],
        &["refresh", "--all"],
    ] {
        let o = env.ok(args);
        seen.push_str(&o.stdout);
        seen.push_str(&o.stderr);
    }
    env.assert_no_secret(&seen);
    let revealed = env.ok(&["show", "acme", "--reveal"]).stdout;
    assert!(revealed.contains(DEMO_APP_SECRET));
}

#[test]
fn add_no_exchange_keeps_a_given_long_lived_token() {
    let env = Env::with_profile();
    let long = env.first_token("acme");
    env.graph().clear_log();
    let o = env.add_with(
        "kept",
        DEMO_APP_ID,
        DEMO_APP_SECRET,
        Some(&long),
        &["--no-exchange"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
    assert!(
        env.graph().count("/debug_token") >= 1,
        "its expiry comes from debug_token"
    );
    assert_eq!(env.revealed("kept")["tokens"][0]["value"], long.as_str());
    assert!(about(
        time(&user_row_of(&env, "kept")["expires_at"]),
        Utc::now() + Duration::days(60)
    ));
}

#[test]
fn an_invalid_token_is_never_re_exchanged() {
    let env = Env::with_profile();
    let user = env.first_token("acme");
    env.graph().invalidate(&user, 460, "password changed");
    assert_eq!(env.run(&["inspect", "acme", "--token", "user"]).code, 4);
    env.graph().clear_log();
    env.run(&["refresh", "acme", "--force"])
        .fails(4)
        .stderr_has("invalid")
        .stderr_has("fbvault login acme");
    env.run(&["run", "--", "true"]).fails(4);
    assert_eq!(env.graph().count("/oauth/access_token"), 0);
}

#[test]
fn refresh_all_skips_profiles_without_a_token() {
    let env = Env::with_profile();
    env.add_with("bare", "1", "s3cret", None, &[]);
    let o = env.ok(&["refresh", "--all"]);
    o.stderr_has("bare: no token yet");
    env.run(&["refresh", "bare"])
        .fails(4)
        .stderr_has("fbvault login bare");
}
