//! The Instagram and Threads providers against their own sandboxes: exchange, refresh by
//! `run` itself inside the window, the 24-hour rule, expiry, error envelopes, variables.
//! Every test runs for both: they share one implementation, and must both hold.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use fbvault_long_lived_sandbox::{APP_ID, APP_SECRET, Flavor, Sandbox, USER_ID, graph_error};

use crate::common::{Env, executable};

const DAY: i64 = 86_400;

/// One issuer's names.
struct Names {
    provider: &'static str,
    url_var: &'static str,
    exchange: &'static str,
    refresh: &'static str,
    token_var: &'static str,
    user_var: &'static str,
}

const BOTH: [(Flavor, Names); 2] = [
    (
        Flavor::Instagram,
        Names {
            provider: "instagram",
            url_var: "FBVAULT_INSTAGRAM_URL",
            exchange: "ig_exchange_token",
            refresh: "ig_refresh_token",
            token_var: "IG_ACCESS_TOKEN",
            user_var: "IG_USER_ID",
        },
    ),
    (
        Flavor::Threads,
        Names {
            provider: "threads",
            url_var: "FBVAULT_THREADS_URL",
            exchange: "th_exchange_token",
            refresh: "th_refresh_token",
            token_var: "THREADS_ACCESS_TOKEN",
            user_var: "THREADS_USER_ID",
        },
    ),
];

/// A vault and a sandbox for `flavor`, with the long-lived tokens living `life` seconds.
fn world(flavor: Flavor, n: &Names, life: i64) -> (Env, Sandbox) {
    let mut env = Env::new();
    let sandbox = Sandbox::start(flavor);
    sandbox.set_long_lived_secs(life);
    env.set(n.url_var, sandbox.url());
    env.ok(&["init"]);
    (env, sandbox)
}

fn add(env: &Env, n: &Names, token: &str) -> crate::common::Out {
    add_with_secret(env, n, APP_SECRET, token)
}

fn add_with_secret(env: &Env, n: &Names, secret: &str, token: &str) -> crate::common::Out {
    env.run_stdin(
        &[
            "add",
            "me",
            "--provider",
            n.provider,
            "--app-secret-stdin",
            "--token-stdin",
        ],
        &format!("{secret}\n{token}\n"),
    )
}

/// `add me --no-exchange` with `token` on stdin after the app secret: kept as given.
fn add_kept(env: &Env, n: &Names, token: &str) -> crate::common::Out {
    env.run_stdin(
        &[
            "add",
            "me",
            "--provider",
            n.provider,
            "--no-exchange",
            "--app-secret-stdin",
            "--token-stdin",
        ],
        &format!("{APP_SECRET}\n{token}\n"),
    )
}

/// The expiry `status --json` shows for the profile's token.
fn expires_at(env: &Env) -> DateTime<Utc> {
    let json = env.ok(&["status", "--json"]).json();
    let at = json[0]["expires_at"]
        .as_str()
        .unwrap_or_else(|| panic!("{json}"));
    at.parse().unwrap()
}

/// Whether `at` is `from_now` away, give or take two minutes.
fn about(at: DateTime<Utc>, from_now: Duration) -> bool {
    (at - (Utc::now() + from_now)).num_seconds().abs() < 120
}

/// `fbvault import .env me --provider P` of a file with the sandbox app and `token_line`
/// (`SHORT_TOKEN=…` or `LONG_TOKEN=…`).
fn import(env: &Env, n: &Names, token_line: &str) -> crate::common::Out {
    let dotenv = env.dir.path().join(".env");
    let text = format!("APP_ID={APP_ID}\nAPP_SECRET={APP_SECRET}\n{token_line}\n");
    std::fs::write(&dotenv, text).unwrap();
    let file = dotenv.to_str().unwrap();
    env.run(&["import", file, "me", "--provider", n.provider])
}

/// A world whose refreshed tokens live `life`, and a long-lived token `(age, left)` old and
/// still to live given to `add` (for exchange, or kept as given), which succeeds: the world,
/// the token and add's output.
fn given_long(
    flavor: Flavor,
    n: &Names,
    life: i64,
    (age, left): (i64, i64),
    exchange: bool,
) -> (Env, Sandbox, String, crate::common::Out) {
    let (env, sandbox) = world(flavor, n, life);
    let given = sandbox.long_token(age, left);
    let o = if exchange {
        add(&env, n, &given)
    } else {
        add_kept(&env, n, &given)
    };
    assert_eq!(o.code, 0, "{}: {}", n.provider, o.stderr);
    (env, sandbox, given, o)
}

/// The first request the sandbox got at `path`.
fn first_to(sandbox: &Sandbox, path: &str) -> fbvault_long_lived_sandbox::Request {
    let asked = sandbox.requests();
    let first = asked.iter().find(|r| r.path == path);
    first
        .unwrap_or_else(|| panic!("no {path}: {asked:?}"))
        .clone()
}

/// Asserts that the first refresh the sandbox got was of `token`, with the issuer's grant.
fn first_refresh_was_of(sandbox: &Sandbox, n: &Names, token: &str) {
    let refresh = first_to(sandbox, "/refresh_access_token");
    assert_eq!(refresh.params["grant_type"], n.refresh);
    assert_eq!(refresh.params["access_token"], token);
}

fn child_env(env: &Env) -> BTreeMap<String, String> {
    env.ok(&["run", "-p", "me", "--", "env"])
        .stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Makes the stored token look obtained long ago (fbvault's clock cannot be moved).
fn age_in_vault(env: &mut Env) {
    edit_with_sed(
        env,
        r#"s/"obtained_at": "[^"]*"/"obtained_at": "2020-01-01T00:00:00Z"/"#,
    );
}

/// Edits profile `me` with `sed -i EXPRESSION` as the editor.
fn edit_with_sed(env: &mut Env, expression: &str) {
    let path = env.dir.path().join("edit.sh");
    executable(&path, format!("#!/bin/sh\nsed -i '{expression}' \"$1\"\n"));
    env.set("EDITOR", path.to_str().unwrap());
    env.ok(&["edit", "me"]);
}

#[test]
fn login_exchanges_with_the_issuers_own_grant_and_sets_its_variables() {
    for (flavor, n) in &BOTH {
        let (env, sandbox) = world(*flavor, n, 60 * DAY);
        let short = sandbox.short_token();
        let o = add(&env, n, &short);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let asked = sandbox.requests();
        let exchange = asked
            .iter()
            .find(|r| r.path == "/access_token")
            .expect("an exchange");
        assert_eq!(exchange.params["grant_type"], n.exchange);
        assert_eq!(exchange.params["client_secret"], APP_SECRET);
        assert_eq!(exchange.params["access_token"], short);
        let vars = child_env(&env);
        let long = &vars[n.token_var];
        assert!(sandbox.issued(long).is_some_and(|t| t.long), "{long}");
        assert_eq!(vars[n.user_var], USER_ID);
        assert!(!vars.keys().any(|k| k.starts_with("FB_")), "{vars:?}");
        for secret in [APP_SECRET, &short, long] {
            assert!(!o.stderr.contains(secret) && !o.stdout.contains(secret));
        }
    }
}

#[test]
fn run_refreshes_a_token_inside_the_window_itself() {
    for (flavor, n) in &BOTH {
        let (mut env, sandbox) = world(*flavor, n, 10 * DAY);
        assert_eq!(add(&env, n, &sandbox.short_token()).code, 0);
        let before = child_env(&env)[n.token_var].clone();
        assert_eq!(
            sandbox.count("/refresh_access_token"),
            0,
            "young: not refreshed"
        );
        age_in_vault(&mut env);
        sandbox.advance(25 * 3600);
        let after = child_env(&env)[n.token_var].clone();
        assert_ne!(before, after, "{}: run refreshed", n.provider);
        first_refresh_was_of(&sandbox, n, &before);
        // Stored: the next run refreshes nothing.
        assert_eq!(child_env(&env)[n.token_var], after);
        assert_eq!(sandbox.count("/refresh_access_token"), 1);
    }
}

#[test]
fn nothing_is_refreshed_before_24_hours_even_forced() {
    for (flavor, n) in &BOTH {
        let (env, sandbox) = world(*flavor, n, 10 * DAY);
        assert_eq!(add(&env, n, &sandbox.short_token()).code, 0);
        let before = env.snapshot();
        env.ok(&["run", "-p", "me", "--", "true"]);
        let o = env.ok(&["refresh", "me", "--force"]);
        o.stderr_has("24 hours");
        assert_eq!(sandbox.count("/refresh_access_token"), 0);
        assert_eq!(before, env.snapshot());
    }
}

#[test]
fn an_expired_token_is_exit_4_naming_login() {
    for (flavor, n) in &BOTH {
        // Long enough that `add` finishes on a busy machine, short enough to wait out.
        let (env, sandbox) = world(*flavor, n, 3);
        let added = add(&env, n, &sandbox.short_token());
        assert_eq!(added.code, 0, "{}", added.stderr);
        std::thread::sleep(std::time::Duration::from_millis(3200));
        let before = env.snapshot();
        env.run(&["run", "-p", "me", "--", "true"])
            .fails(4)
            .stderr_has("fbvault login me");
        env.run(&["refresh", "me"])
            .fails(4)
            .stderr_has("fbvault login me");
        assert_eq!(sandbox.count("/refresh_access_token"), 0);
        assert_eq!(before, env.snapshot());
    }
}

#[test]
fn status_shows_their_rows() {
    for (flavor, n) in &BOTH {
        let (env, sandbox) = world(*flavor, n, 10 * DAY);
        assert_eq!(add(&env, n, &sandbox.short_token()).code, 0);
        let json = env.ok(&["status", "--json"]).json();
        let rows = json.as_array().unwrap();
        assert_eq!(rows.len(), 1, "{json}");
        assert_eq!(rows[0]["profile"], "me");
        assert_eq!(rows[0]["token"], "user");
        assert_eq!(rows[0]["state"], "ok");
        let text = env.ok(&["status"]).stdout;
        assert!(text.contains("me") && text.contains("user"), "{text}");
        let o = env.run(&["status", "--check", "--warn-days", "14"]);
        assert_eq!(o.code, 10, "{}", o.stderr);
    }
}

#[test]
fn their_error_envelopes_map_to_exit_codes() {
    let cases = [
        (
            400,
            graph_error("Error validating access token", "OAuthException", 190),
            4,
        ),
        (
            400,
            graph_error("Application request limit reached", "OAuthException", 4),
            5,
        ),
        (
            500,
            graph_error("An unexpected error has occurred", "OAuthException", 2),
            5,
        ),
        (
            400,
            graph_error("Unsupported request", "IGApiException", 100),
            1,
        ),
    ];
    for (flavor, n) in &BOTH {
        for (status, body, code) in &cases {
            let (env, sandbox) = world(*flavor, n, 60 * DAY);
            sandbox.fail_next("/access_token", *status, body.clone());
            let short = sandbox.short_token();
            let before = env.snapshot();
            let o = add(&env, n, &short);
            o.fails(*code);
            assert!(!o.stderr.contains(&short) && !o.stderr.contains(APP_SECRET));
            assert_eq!(before, env.snapshot(), "{}: {body}", n.provider);
        }
        // A wrong app secret is refused as credentials: exit 4, and the hint is about the
        // app's secret, not about a new token.
        let (env, sandbox) = world(*flavor, n, 60 * DAY);
        add_with_secret(&env, n, "wrong-secret-1234", &sandbox.short_token())
            .fails(4)
            .stderr_has("client secret")
            .stderr_has(
                "app id and secret (the app's dashboard shows them), then `fbvault add me …` again",
            )
            .stderr_lacks("get a new");
    }
}

#[test]
fn debug_log_shows_their_calls_without_secrets() {
    for (flavor, n) in &BOTH {
        let (mut env, sandbox) = world(*flavor, n, 60 * DAY);
        env.set("FBVAULT_LOG", "debug");
        let o = add(&env, n, &sandbox.short_token());
        let line = format!("debug: {}: GET /access_token -> 200", n.provider);
        o.stderr_has(&line);
        for secret in sandbox
            .tokens()
            .iter()
            .map(String::as_str)
            .chain([APP_SECRET])
        {
            o.stderr_lacks(secret);
        }
    }
}

#[test]
fn they_have_no_pages_and_their_renames_are_checked_against_their_variables() {
    for (flavor, n) in &BOTH {
        let (env, sandbox) = world(*flavor, n, 60 * DAY);
        assert_eq!(add(&env, n, &sandbox.short_token()).code, 0);
        let before = env.snapshot();
        env.run(&["pages", "me"])
            .fails(1)
            .stderr_has("has no pages");
        assert_eq!(before, env.snapshot());
        assert_eq!(sandbox.requests().len(), 2, "exchange and me only");
        // A rename of the user-id variable (declared, not a token) is no typo.
        std::fs::write(
            env.dir.path().join("fbvault.toml"),
            format!(
                "[env]\n{} = \"MY_ID\"\nIG_ACESS_TOKEN = \"X\"\n",
                n.user_var
            ),
        )
        .unwrap();
        let o = env.ok(&["run", "-p", "me", "--", "sh", "-c", "printf %s \"$MY_ID\""]);
        assert_eq!(o.stdout, USER_ID);
        o.stderr_lacks(&format!("`{}`", n.user_var));
        o.stderr_has("`IG_ACESS_TOKEN` matches no variable");
    }
}

#[test]
fn a_flag_for_a_field_they_do_not_have_is_refused() {
    for (flavor, n) in &BOTH {
        let (env, sandbox) = world(*flavor, n, 60 * DAY);
        let before = env.snapshot();
        env.run_stdin(
            &[
                "add",
                "me",
                "--provider",
                n.provider,
                "--page",
                "123",
                "--app-secret-stdin",
                "--token-stdin",
            ],
            &format!("{APP_SECRET}\n{}\n", sandbox.short_token()),
        )
        .fails(2)
        .stderr_has("has no field `page_id`");
        assert_eq!(before, env.snapshot());
        assert!(sandbox.requests().is_empty());
    }
}

/// The provider of `flavor` against its sandbox, and a profile with the sandbox app.
fn provider_for(
    flavor: Flavor,
    sandbox: &Sandbox,
) -> (
    fbvault_long_lived::LongLivedProvider,
    fbvault_provider::ProfileData,
) {
    let options = fbvault_long_lived::Options {
        url: Some(sandbox.url().to_string()),
        ..Default::default()
    };
    let provider = match flavor {
        Flavor::Instagram => fbvault_instagram::provider(options),
        Flavor::Threads => fbvault_threads::provider(options),
    };
    let mut profile = fbvault_provider::ProfileData {
        name: "me".into(),
        ..Default::default()
    };
    profile.config.insert("app_id".into(), APP_ID.into());
    profile.secrets.insert(
        "app_secret".into(),
        fbvault_provider::Secret::new(APP_SECRET),
    );
    (provider, profile)
}

#[test]
fn they_redeem_an_authorization_code_for_a_long_lived_token() {
    use fbvault_provider::{Context, ErrorKind, Secret};
    let redirect = "http://127.0.0.1:8765/callback";
    for (flavor, n) in &BOTH {
        let sandbox = Sandbox::start(*flavor);
        let (provider, profile) = provider_for(*flavor, &sandbox);
        let url = provider.authorize_url(&profile, redirect, "st4te").unwrap();
        for part in [
            format!("client_id={APP_ID}"),
            "response_type=code".into(),
            "state=st4te".into(),
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback".into(),
        ] {
            assert!(url.contains(&part), "{url}");
        }
        let code = sandbox.code(redirect);
        let given = Secret::new(format!("{code}#_"));
        let set = provider
            .redeem_code(&Context::now(), &profile, &given, redirect)
            .unwrap();
        let token = &set.tokens[0];
        assert!(sandbox.issued(token.value.expose()).is_some_and(|t| t.long));
        assert_eq!(token.subject.as_deref(), Some(USER_ID));
        assert_eq!(token.env.as_deref(), Some(n.token_var));
        let redeemed = sandbox
            .requests()
            .into_iter()
            .find(|r| r.path == "/oauth/access_token")
            .unwrap();
        assert_eq!(redeemed.params["code"], code, "`#_` stripped");
        assert_eq!(redeemed.params["grant_type"], "authorization_code");
        // Single use, and the redirect must match: refusals, exit 4, no secret shown.
        let again = provider
            .redeem_code(&Context::now(), &profile, &given, redirect)
            .unwrap_err();
        assert_eq!(again.kind, ErrorKind::InvalidGrant, "{again:?}");
        let other = sandbox.code("http://elsewhere/");
        let e = provider
            .redeem_code(
                &Context::now(),
                &profile,
                &Secret::new(other.clone()),
                redirect,
            )
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidGrant);
        assert!(!format!("{e:?}").contains(&other) && !format!("{e:?}").contains(APP_SECRET));
    }
}

#[test]
fn status_advises_a_refresh_not_a_login_while_a_refresh_can_extend_the_token() {
    for (flavor, n) in &BOTH {
        let (env, sandbox) = world(*flavor, n, 10 * DAY);
        assert_eq!(add(&env, n, &sandbox.short_token()).code, 0);
        let o = env.run(&["status", "--check", "--warn-days", "14"]);
        assert_eq!(o.code, 10, "{}", o.stderr);
        assert!(
            !o.stderr.contains("fbvault login"),
            "{}: {}",
            n.provider,
            o.stderr
        );
        o.stderr_has("`fbvault refresh me`");
        o.stderr_has("`fbvault run` refreshes it");
        // No other provider's fields on their rows.
        let json = env.ok(&["status", "--json", "--warn-days", "14"]).json();
        let row = json[0].as_object().unwrap();
        for field in ["graph_version", "marketing_api_until", "login_by"] {
            assert!(!row.contains_key(field), "{field}: {json}");
        }
    }
    // Once expired only a login helps, and status says so.
    for (flavor, n) in &BOTH {
        let (env, sandbox) = world(*flavor, n, 1);
        assert_eq!(add(&env, n, &sandbox.short_token()).code, 0);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let o = env.run(&["status", "--check"]);
        assert_eq!(o.code, 10, "{}", o.stderr);
        o.stderr_has("run `fbvault login me`");
        o.stderr_lacks("fbvault refresh");
    }
}

#[test]
fn login_web_follows_their_authorize_page_back_to_the_loopback_listener() {
    for (flavor, n) in &BOTH {
        let (mut env, sandbox) = world(*flavor, n, 60 * DAY);
        let o = env.run_stdin(
            &[
                "add",
                "me",
                "--provider",
                n.provider,
                "--app-id",
                APP_ID,
                "--app-secret-stdin",
            ],
            &format!("{APP_SECRET}\n"),
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        let script = env.dir.path().join("browser.py");
        std::fs::write(&script, crate::login_web::BROWSER).unwrap();
        let log = env.dir.path().join("browser.log");
        env.set("BROWSER", &format!("python3 {} follow", script.display()));
        env.set("FAKE_BROWSER_LOG", log.to_str().unwrap());
        let port = crate::common::free_port();
        let o = env.run(&["login", "me", "--web", "--port", &port.to_string()]);
        assert_eq!(o.code, 0, "{}: {}", n.provider, o.stderr);
        let label = if n.provider == "instagram" {
            "Instagram"
        } else {
            "Threads"
        };
        let start = format!(
            "fbvault: log in to {label} at {}/oauth/authorize?client_id={APP_ID}&redirect_uri=http%3A%2F%2Flocalhost%3A{port}%2Fcallback",
            sandbox.url()
        );
        o.stderr_has(&start);
        // The browser followed the real 302 to fbvault's listener.
        let requests = sandbox.requests();
        let asked = requests
            .iter()
            .find(|r| r.path == "/oauth/authorize")
            .expect("the authorize page");
        let redeemed = requests
            .iter()
            .find(|r| r.path == "/oauth/access_token")
            .expect("a redemption");
        assert_eq!(
            redeemed.params["redirect_uri"],
            format!("http://localhost:{port}/callback")
        );
        assert_eq!(
            asked.params["redirect_uri"],
            redeemed.params["redirect_uri"]
        );
        o.stderr_lacks(&redeemed.params["code"]);
        // Exchanged for a long-lived token, stored, injected.
        let token = child_env(&env)[n.token_var].clone();
        assert!(sandbox.issued(&token).is_some_and(|t| t.long), "{token}");
        assert!(!o.stderr.contains(&token) && !o.stdout.contains(&token));
        // The port is not remembered in a field the provider does not have.
        let shown = env.ok(&["show", "me", "--json"]).json();
        assert!(!shown.to_string().contains("redirect_port"), "{shown}");
        let browser = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(browser.starts_with("200 "), "{browser}");
    }
}

#[test]
fn they_have_no_device_login_and_say_what_to_use() {
    let (flavor, n) = &BOTH[0];
    let (env, sandbox) = world(*flavor, n, 60 * DAY);
    assert_eq!(add(&env, n, &sandbox.short_token()).code, 0);
    let before = env.snapshot();
    env.run(&["login", "me", "--device"])
        .fails(2)
        .stderr_has("the `instagram` provider has no device login")
        .stderr_has("`fbvault login me --web`");
    assert_eq!(before, env.snapshot());
}

#[test]
fn import_reads_their_declared_fields_from_an_old_env_file() {
    for (flavor, n) in &BOTH {
        let (env, sandbox) = world(*flavor, n, 60 * DAY);
        let dotenv = env.dir.path().join(".env");
        // A file without the required secret: named, with what the file should hold.
        std::fs::write(&dotenv, format!("APP_ID={APP_ID}\nSHORT_TOKEN=x\n")).unwrap();
        let o = env.run(&[
            "import",
            dotenv.to_str().unwrap(),
            "me",
            "--provider",
            n.provider,
        ]);
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert!(o.stderr.contains("has no APP_SECRET"), "{}", o.stderr);
        assert!(
            o.stderr
                .contains("expected APP_SECRET, and SHORT_TOKEN or LONG_TOKEN"),
            "{}",
            o.stderr
        );
        assert!(
            sandbox.requests().is_empty(),
            "nothing is asked of the issuer"
        );
        env.run(&["show", "me"]).fails(1);

        let short = sandbox.short_token();
        let o = import(&env, n, &format!("SHORT_TOKEN={short}"));
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stderr.contains("used SHORT_TOKEN"), "{}", o.stderr);
        let exchange = first_to(&sandbox, "/access_token");
        assert_eq!(exchange.params["grant_type"], n.exchange);
        assert_eq!(exchange.params["client_secret"], APP_SECRET);
        let shown = env.ok(&["show", "me", "--json"]).json();
        assert_eq!(shown["provider"], n.provider);
        assert_eq!(shown["config"]["app_id"], APP_ID);
        let vars = child_env(&env);
        assert!(sandbox.issued(&vars[n.token_var]).is_some_and(|t| t.long));
        assert!(!vars.keys().any(|k| k.starts_with("FB_")), "{vars:?}");
        for secret in [APP_SECRET, &short] {
            assert!(!o.stderr.contains(secret) && !o.stdout.contains(secret));
        }
    }
}

#[test]
fn a_long_lived_token_kept_as_given_gets_its_real_expiry_from_a_refresh() {
    for (flavor, n) in &BOTH {
        // Refreshed tokens live 10 days here: inside the 14-day warning window.
        let (env, sandbox, given, o) = given_long(*flavor, n, 10 * DAY, (30 * DAY, 5 * DAY), false);
        o.stderr_has("refreshed the token to learn its expiry");
        first_refresh_was_of(&sandbox, n, &given);
        assert_eq!(sandbox.count("/access_token"), 0, "nothing exchanged");
        assert!(
            about(expires_at(&env), Duration::days(10)),
            "{}",
            n.provider
        );
        // The refreshed token is the one stored and injected.
        let stored = child_env(&env)[n.token_var].clone();
        assert_ne!(stored, given);
        assert!(sandbox.issued(&stored).is_some_and(|t| t.long));
        let o = env.run(&["status", "--check", "--warn-days", "14"]);
        assert_eq!(o.code, 10, "{}: {}", n.provider, o.stderr);
        for secret in [APP_SECRET, &given, &stored] {
            assert!(!o.stderr.contains(secret) && !o.stdout.contains(secret));
        }
    }
}

#[test]
fn run_refreshes_a_token_kept_as_given_when_it_is_due() {
    for (flavor, n) in &BOTH {
        let (mut env, sandbox, _, _) = given_long(*flavor, n, 10 * DAY, (30 * DAY, 5 * DAY), false);
        let kept = child_env(&env)[n.token_var].clone();
        assert_eq!(sandbox.count("/refresh_access_token"), 1, "only at add");
        age_in_vault(&mut env);
        sandbox.advance(25 * 3600);
        let after = child_env(&env)[n.token_var].clone();
        assert_ne!(kept, after, "{}: run refreshed", n.provider);
        assert_eq!(sandbox.count("/refresh_access_token"), 2);
        // Stored: the next run asks nothing at all.
        let asked = sandbox.requests().len();
        assert_eq!(child_env(&env)[n.token_var], after);
        assert_eq!(sandbox.requests().len(), asked);
    }
}

#[test]
fn a_kept_token_under_24_hours_old_gets_a_safe_estimate_and_a_note() {
    for (flavor, n) in &BOTH {
        let young = (3600, 60 * DAY - 3600);
        let (env, sandbox, given, o) = given_long(*flavor, n, 60 * DAY, young, false);
        o.stderr_has("issued within the day")
            .stderr_has("59 days from now");
        assert_eq!(sandbox.count("/refresh_access_token"), 1);
        // Kept as given, 59 days: at least what it has, never more.
        assert_eq!(child_env(&env)[n.token_var], given);
        let at = expires_at(&env);
        assert!(about(at, Duration::days(59)), "{}: {at}", n.provider);
        let real = sandbox.issued(&given).unwrap().expires_at;
        assert!(at.timestamp() <= real, "{at} is after {real}");
        let json = env.ok(&["status", "--json"]).json();
        assert_eq!(json[0]["state"], "ok", "{json}");
        // Nothing is due: `run` asks nothing.
        let asked = sandbox.requests().len();
        env.ok(&["run", "-p", "me", "--", "true"]);
        assert_eq!(sandbox.requests().len(), asked);
        o.stderr_lacks(&given);
    }
}

#[test]
fn an_invalid_token_kept_as_given_is_exit_4_and_nothing_is_stored() {
    for (flavor, n) in &BOTH {
        let (env, sandbox) = world(*flavor, n, 60 * DAY);
        let before = env.snapshot();
        let bogus = "IGLL-not-a-real-token-0042";
        let o = add_kept(&env, n, bogus);
        o.fails(4).stderr_lacks(bogus);
        assert!(!o.stderr.contains(APP_SECRET));
        assert_eq!(before, env.snapshot(), "{}", n.provider);
        // An expired one too.
        let dead = sandbox.long_token(61 * DAY, -DAY);
        add_kept(&env, n, &dead).fails(4).stderr_lacks(&dead);
        assert_eq!(before, env.snapshot());
        assert_eq!(sandbox.count("/access_token"), 0);
    }
}

#[test]
fn a_long_lived_token_given_for_exchange_is_kept_and_refreshed_instead() {
    for (flavor, n) in &BOTH {
        let (env, sandbox, _, o) = given_long(*flavor, n, 60 * DAY, (10 * DAY, 50 * DAY), true);
        o.stderr_has("it is a long-lived token: kept, not exchanged");
        let paths: Vec<String> = sandbox.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(
            paths[..2],
            ["/access_token", "/refresh_access_token"],
            "{paths:?}"
        );
        assert!(about(expires_at(&env), Duration::days(60)));
        let stored = child_env(&env)[n.token_var].clone();
        assert!(sandbox.issued(&stored).is_some_and(|t| t.long));
        // A dead token is still the exchange's refusal: exit 4, nothing stored.
        let (env, _sandbox) = world(*flavor, n, 60 * DAY);
        let (dead, before) = ("THLL-dead-token-0042", env.snapshot());
        let o = add(&env, n, dead);
        o.fails(4).stderr_has("Invalid OAuth access token");
        assert!(!o.stderr.contains(dead), "{}", o.stderr);
        assert_eq!(before, env.snapshot(), "{}", n.provider);
    }
}

#[test]
fn a_long_lived_token_from_the_environment_or_an_old_env_file_gets_its_expiry() {
    for (flavor, n) in &BOTH {
        let (mut env, sandbox) = world(*flavor, n, 10 * DAY);
        env.set("APP_SECRET", APP_SECRET);
        env.set("LONG_TOKEN", &sandbox.long_token(30 * DAY, 5 * DAY));
        env.ok(&[
            "add",
            "me",
            "--provider",
            n.provider,
            "--no-exchange",
            "--from-env",
        ]);
        assert!(
            about(expires_at(&env), Duration::days(10)),
            "{}",
            n.provider
        );
        assert_eq!(
            env.run(&["status", "--check", "--warn-days", "14"]).code,
            10
        );

        let (env, sandbox) = world(*flavor, n, 60 * DAY);
        let long = sandbox.long_token(30 * DAY, 30 * DAY);
        let o = import(&env, n, &format!("LONG_TOKEN={long}"));
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(!o.stderr.contains(&long), "{}", o.stderr);
        assert_eq!(sandbox.count("/refresh_access_token"), 1);
        assert!(
            about(expires_at(&env), Duration::days(60)),
            "{}",
            n.provider
        );
    }
}

#[test]
fn a_token_stored_without_its_expiry_is_flagged_until_a_refresh_learns_it() {
    for (flavor, n) in &BOTH {
        let (mut env, sandbox) = world(*flavor, n, 60 * DAY);
        let short = sandbox.short_token();
        assert_eq!(add(&env, n, &short).code, 0);
        // A day later for the issuer too, so that a refresh may extend the token.
        sandbox.advance(25 * 3600);
        // As an older fbvault stored a kept token: no expiry.
        edit_with_sed(&mut env, r#"s/"expires_at": "[^"]*"/"expires_at": null/"#);
        age_in_vault(&mut env);
        let o = env.run(&["status", "--check"]);
        assert_eq!(o.code, 10, "{}", o.stderr);
        let all = format!("{}{}", o.stdout, o.stderr);
        assert!(all.contains("is not known"), "{all}");
        assert!(all.contains("fbvault refresh me --force"), "{all}");
        env.ok(&["refresh", "me", "--force"]);
        assert!(about(expires_at(&env), Duration::days(60)));
        let o = env.run(&["status", "--check"]);
        assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    }
}
