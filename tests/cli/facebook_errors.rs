//! Every way Facebook says no: the exit code, the words, how many requests were made, no
//! secret in the message, and the vault byte-for-byte as it was.

use std::time::{Duration, Instant};

use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET, Failure};

use crate::common::{Env, Out};

/// Refresh (forced) while the sandbox serves `failure` on the exchange; checks the vault is
/// untouched and nothing leaked, and returns the output and the number of exchange calls.
fn refresh_with(failures: Vec<Failure>) -> (Out, usize) {
    let env = Env::with_profile();
    for f in failures {
        env.graph().fail_next("/oauth/access_token", f);
    }
    env.graph().clear_log();
    let before = env.snapshot();
    let o = env.run(&["refresh", "acme", "--force"]);
    env.assert_no_secret(&o.stdout);
    env.assert_no_secret(&o.stderr);
    if o.code != 0 {
        assert_eq!(before, env.snapshot(), "a failed refresh changes nothing");
    }
    (o, env.graph().count("/oauth/access_token"))
}

#[test]
fn each_invalid_token_subcode_is_exit_4_in_words_without_retry() {
    for (sub, words) in [
        (458, "removed the app"),
        (459, "checkpointed"),
        (460, "changed their password"),
        (463, "expired"),
        (464, "unconfirmed"),
        (467, "revoked"),
        (492, "lost their role on the page"),
    ] {
        let (o, calls) = refresh_with(vec![Failure::graph(
            190,
            Some(sub),
            "Error validating access token",
        )]);
        // fbvault's words, then Facebook's message, the code and the trace id.
        o.fails(4)
            .stderr_has(words)
            .stderr_has(&format!(
                "(Error validating access token (code 190/{sub})) [fbtrace_id AsbxTrace0001]"
            ))
            .stderr_has("fbvault login acme");
        assert_eq!(calls, 1, "no retry for 190/{sub}");
    }
    let (o, _) = refresh_with(vec![Failure::graph(
        190,
        None,
        "Invalid OAuth access token - Cannot parse access token",
    )]);
    // No subcode: Facebook's own words, and its trace id.
    o.fails(4)
        .stderr_has("Cannot parse access token")
        .stderr_has("fbtrace_id AsbxTrace0001");
}

#[test]
fn a_bad_client_secret_is_exit_4_after_exactly_one_request() {
    let env = Env::with_graph_and_vault();
    let short = env.graph().short_token();
    let before = env.snapshot();
    let o = env.add_with("acme", DEMO_APP_ID, "not-the-secret", Some(&short), &[]);
    // The profile was not created, so the hint names `add`, not `edit acme`.
    o.fails(4)
        .stderr_has("refused the app secret")
        .stderr_has("fbvault add acme");
    o.stderr_lacks("fbvault edit acme");
    assert_eq!(
        env.graph().requests().len(),
        1,
        "a bad secret is never retried"
    );
    assert_eq!(
        env.graph().requests()[0].path,
        "/debug_token",
        "the token is looked at before any exchange"
    );
    assert!(!o.stderr.contains("not-the-secret"));
    env.assert_no_secret(&o.stderr);
    assert_eq!(before, env.snapshot());
}

#[test]
fn an_unknown_app_id_is_exit_4() {
    let env = Env::with_graph_and_vault();
    let short = env.graph().short_token();
    let o = env.add_with("acme", "31337", DEMO_APP_SECRET, Some(&short), &[]);
    o.fails(4).stderr_has("app id");
    assert_eq!(env.graph().requests().len(), 1);
}

#[test]
fn an_expired_or_invalidated_short_token_is_exit_4_and_stores_nothing() {
    let (env, short) = Env::with_stale_short_token();
    let before = env.snapshot();
    let o = env.add_with("acme", DEMO_APP_ID, DEMO_APP_SECRET, Some(&short), &[]);
    o.fails(4).stderr_has("expired");
    assert_eq!(before, env.snapshot());

    let env = Env::with_profile();
    let short = env.graph().short_token();
    env.graph().invalidate(
        &short,
        460,
        "The session has been invalidated because the user changed their password.",
    );
    let before = env.snapshot();
    env.run_stdin(&["login", "acme", "--token-stdin"], &format!("{short}\n"))
        .fails(4)
        .stderr_has("changed their password");
    assert_eq!(before, env.snapshot());
}

#[test]
fn transient_errors_are_retried_three_times_then_exit_5() {
    let (o, calls) = refresh_with(vec![
        Failure::server_error(),
        Failure::server_error(),
        Failure::server_error(),
    ]);
    o.fails(5).stderr_has("kept failing").stderr_has("3 tries");
    assert_eq!(calls, 3);

    let transient_1 = Failure::Graph {
        status: 500,
        code: 1,
        subcode: None,
        message: "An unknown error has occurred.".into(),
        transient: true,
        headers: vec![],
    };
    let (o, calls) = refresh_with(vec![transient_1.clone(), transient_1.clone(), transient_1]);
    o.fails(5);
    assert_eq!(calls, 3);

    let raw_502 = Failure::Raw {
        status: 502,
        body: "<html>Bad Gateway</html>".into(),
    };
    let (o, calls) = refresh_with(vec![raw_502.clone(), raw_502.clone(), raw_502]);
    o.fails(5).stderr_has("HTTP 502");
    assert_eq!(calls, 3);
}

#[test]
fn one_transient_failure_then_success_succeeds() {
    let (o, calls) = refresh_with(vec![Failure::server_error()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(calls, 2);
}

#[test]
fn bad_json_from_the_server_is_retried_then_exit_5() {
    let (o, calls) = refresh_with(vec![
        Failure::not_json(),
        Failure::not_json(),
        Failure::not_json(),
    ]);
    o.fails(5).stderr_has("not JSON");
    assert_eq!(calls, 3);
}

#[test]
fn rate_limits_are_exit_5_with_the_time_to_regain_access_and_no_retry() {
    for code in [4, 17, 32, 613, 80001] {
        let (o, calls) = refresh_with(vec![Failure::rate_limited(code, 12)]);
        o.fails(5).stderr_has("throttling").stderr_has("12 minutes");
        assert_eq!(calls, 1, "code {code} is not retried");
    }
}

#[test]
fn a_code_1_configuration_error_is_not_retried() {
    let (o, calls) = refresh_with(vec![Failure::graph(
        1,
        None,
        "fb_exchange_token parameter not specified",
    )]);
    o.fails(1)
        .stderr_has("fb_exchange_token parameter not specified");
    assert_eq!(calls, 1);
}

#[test]
fn a_permission_error_is_exit_4() {
    let (o, calls) = refresh_with(vec![Failure::Graph {
        status: 403,
        code: 200,
        subcode: None,
        message: "(#200) Permissions error".into(),
        transient: false,
        headers: vec![],
    }]);
    o.fails(4).stderr_has("permission");
    assert_eq!(calls, 1);
}

#[test]
fn a_hung_server_costs_a_bounded_time_then_exit_5() {
    let mut env = Env::with_profile();
    env.set("FBVAULT_HTTP_TIMEOUT", "0.5");
    for _ in 0..3 {
        env.graph()
            .fail_next("/oauth/access_token", Failure::Slow(Duration::from_secs(4)));
    }
    let before = env.snapshot();
    let started = Instant::now();
    let o = env.run(&["refresh", "acme", "--force"]);
    let took = started.elapsed();
    o.fails(5).stderr_has("no answer").stderr_has("3 tries");
    assert!(took < Duration::from_secs(6), "took {took:?}");
    assert_eq!(before, env.snapshot());
}

#[test]
fn an_unreachable_server_is_exit_5() {
    let mut env = Env::with_profile();
    let url = format!("http://127.0.0.1:{}", crate::common::free_port());
    env.set("FBVAULT_GRAPH_URL", &url);
    let o = env.run(&["refresh", "acme", "--force"]);
    o.fails(5).stderr_has("cannot connect");
    assert!(!o.stderr.contains(&url), "no URL in errors: {}", o.stderr);
}

#[test]
fn a_bad_inspector_secret_is_explained_as_credentials() {
    let env = Env::with_profile();
    env.graph().fail_next(
        "/debug_token",
        Failure::graph(190, None, "Invalid OAuth access token signature."),
    );
    let o = env.run(&["inspect", "acme", "--token", "user"]);
    o.fails(4).stderr_has("app id and secret");
    env.assert_no_secret(&o.stderr);
}

#[test]
fn redirects_are_not_followed() {
    // A redirect would carry the request, and its secrets, to another host.
    let env = Env::with_profile();
    let elsewhere = fbvault_graph_sandbox::Sandbox::start();
    for _ in 0..3 {
        env.graph().fail_next(
            "/oauth/access_token",
            Failure::Graph {
                status: 302,
                code: 2,
                subcode: None,
                message: "moved".into(),
                transient: true,
                headers: vec![(
                    "Location".into(),
                    format!("{}/v25.0/oauth/access_token", elsewhere.url()),
                )],
            },
        );
    }
    env.run(&["refresh", "acme", "--force"]).fails(5);
    assert!(elsewhere.requests().is_empty(), "the redirect was followed");
}
