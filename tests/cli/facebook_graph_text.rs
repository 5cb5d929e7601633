//! Every text that comes from Facebook, as fbvault shows and stores it: the completed
//! error table (493 and every other 190 subcode with fbvault's words next to Facebook's
//! message, 190 without subcode, #2635, a refused proof), Facebook's own words
//! (`error_user_msg`) and `fbtrace_id`, secrets scrubbed, control characters escaped, and
//! answers over 1 MB refused. After each failure the vault is byte-for-byte as it was.

use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET, Failure};

use crate::common::{Env, Out};

/// Runs `args` with `failure` queued for `path`; checks nothing changed or leaked.
fn failing(env: &Env, path: &str, failure: Failure, args: &[&str]) -> Out {
    env.graph().fail_next(path, failure);
    let before = env.snapshot();
    let o = env.run(args);
    assert_ne!(o.code, 0, "{}", o.stderr);
    env.assert_no_secret(&o.stdout);
    env.assert_no_secret(&o.stderr);
    assert_eq!(before, env.snapshot(), "a failure changes nothing");
    o
}

fn raw(body: String) -> Failure {
    Failure::Raw { status: 400, body }
}

/// Queues a `debug_token` answer saying the inspected token is invalid, with `error`.
fn debug_token_refuses(env: &Env, error: serde_json::Value) {
    let body = serde_json::json!({"data": {
        "app_id": DEMO_APP_ID, "is_valid": false, "scopes": [], "error": error
    }});
    let answer = Failure::Raw {
        status: 200,
        body: body.to_string(),
    };
    env.graph().fail_next("/debug_token", answer);
}

#[test]
fn subcode_493_has_its_words() {
    let env = Env::with_profile();
    let o = failing(
        &env,
        "/oauth/access_token",
        Failure::graph(
            190,
            Some(493),
            "The access token is invalid since the user hasn't engaged the app in longer than 90 days.",
        ),
        &["refresh", "acme", "--force"],
    );
    o.fails(4)
        .stderr_has("more than 90 days")
        .stderr_has("hasn't engaged the app in longer than 90 days. (code 190/493)")
        .stderr_has("fbtrace_id AsbxTrace0001");
}

#[test]
fn every_190_subcode_has_fbvaults_words_and_facebooks_message_scrubbed() {
    let env = Env::with_profile();
    let token = env.first_token("acme");
    for (sub, words, said) in [
        (
            493,
            "the user has not used the app for more than 90 days",
            "The session has been invalidated because the user has not engaged",
        ),
        (
            460,
            "the token was invalidated because the user changed their password",
            "The session has been invalidated because the user changed their password",
        ),
        (
            492,
            "the user lost their role on the page",
            "User associated with the Page access token does not have an appropriate role",
        ),
        (
            463,
            "the token has expired",
            "Session has expired on Sunday, 01-Feb-26",
        ),
        (
            4242,
            "the token is no longer valid",
            "A reason Facebook has not documented",
        ),
    ] {
        let message = format!(
            "Error validating access token: {said}; token {token}, secret {DEMO_APP_SECRET}"
        );
        let failure = Failure::graph(190, Some(sub), &message);
        let o = failing(&env, "/me/accounts", failure, &["pages", "acme"]);
        o.fails(4)
            .stderr_has(&format!("Facebook refused the token: {words}"))
            .stderr_has(&format!("(Error validating access token: {said}"))
            .stderr_has("; token ***, secret ***")
            .stderr_has(&format!("(code 190/{sub})) [fbtrace_id AsbxTrace0001]"))
            .stderr_has("fbvault login acme");
    }
}

#[test]
fn a_debug_token_refusal_has_fbvaults_words_and_facebooks_message() {
    let env = Env::with_profile();
    let token = env.first_token("acme");
    debug_token_refuses(
        &env,
        serde_json::json!({
            "code": 190,
            "subcode": 460,
            "message": format!("The session has been invalidated because the user changed their password ({token})")
        }),
    );
    let o = env.run(&["inspect", "acme", "--token", "user"]);
    assert_eq!(o.code, 4, "{}", o.stderr);
    env.assert_no_secret(&o.stdout);
    env.assert_no_secret(&o.stderr);
    o.stdout_has("the token was invalidated because the user changed their password")
        .stdout_has("(The session has been invalidated because the user changed their password (***) (code 190/460))");
}

#[test]
fn a_deprecated_version_says_which_version_to_move_to() {
    let env = Env::with_profile();
    let o = failing(
        &env,
        "/me/accounts",
        Failure::graph(
            2635,
            None,
            "(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version.",
        ),
        &["pages", "acme"],
    );
    o.fails(1)
        .stderr_has("v27.0")
        .stderr_has("deprecated")
        .stderr_has("graph_version");
}

#[test]
fn a_refused_proof_says_to_check_the_app_secret() {
    let env = Env::with_profile();
    for message in [
        "Invalid appsecret_proof provided in the API argument",
        "API calls from the server require an appsecret_proof argument",
    ] {
        let o = failing(
            &env,
            "/me/accounts",
            Failure::graph(100, None, message),
            &["pages", "acme"],
        );
        o.fails(4)
            .stderr_has("appsecret_proof")
            .stderr_has("app secret");
    }
}

#[test]
fn error_user_msg_and_fbtrace_id_are_shown_and_secrets_scrubbed() {
    let env = Env::with_profile();
    let token = env.first_token("acme");
    let body = serde_json::json!({"error": {
        "message": format!("(#368) blocked; token {token} secret {DEMO_APP_SECRET}"),
        "code": 368,
        "error_user_title": "Blocked",
        "error_user_msg": format!("You can't do this for 3 days ({DEMO_APP_SECRET})"),
        "fbtrace_id": "Trace368"
    }});
    let o = failing(
        &env,
        "/oauth/access_token",
        raw(body.to_string()),
        &["refresh", "acme", "--force"],
    );
    o.fails(5)
        .stderr_has("Facebook says: You can't do this for 3 days")
        .stderr_has("[fbtrace_id Trace368]")
        .stderr_has("***");
}

#[test]
fn control_characters_from_graph_are_escaped() {
    let env = Env::with_profile();
    let body = serde_json::json!({"error": {
        "message": "\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nfbvault: hint: ok",
        "code": 190
    }});
    let o = failing(
        &env,
        "/oauth/access_token",
        raw(body.to_string()),
        &["refresh", "acme", "--force"],
    );
    o.fails(4);
    assert!(
        !o.stderr.contains('\u{1b}') && !o.stderr.contains('\u{7}'),
        "{:?}",
        o.stderr
    );
    o.stderr_has("\\u{1b}[2J");
    o.stderr_lacks("\nfbvault: hint: ok");
}

#[test]
fn debug_token_errors_are_scrubbed_before_shown_or_stored() {
    let env = Env::with_profile();
    let token = env.first_token("acme");
    let echo = format!("token {token} and secret {DEMO_APP_SECRET} rejected \u{1b}[31m");
    debug_token_refuses(&env, serde_json::json!({"code": 1, "message": echo}));
    let o = env.run(&["inspect", "acme", "--token", "user", "--json"]);
    assert_eq!(o.code, 4, "{}", o.stderr);
    env.assert_no_secret(&o.stdout);
    o.stdout_has("rejected");
    o.stdout_lacks("\u{1b}");
    for args in [&["show", "acme"][..], &["show", "acme", "--json"]] {
        let shown = env.ok(args);
        env.assert_no_secret(&shown.stdout);
        shown.stdout_has("***");
    }
    let o = env.run(&["refresh", "acme", "--force"]);
    env.assert_no_secret(&o.stderr);
}

#[test]
fn an_answer_over_1_mb_is_refused() {
    let env = Env::with_profile();
    let body = format!("{{\"access_token\":\"{}\"}}", "A".repeat(2 << 20));
    let o = failing(
        &env,
        "/oauth/access_token",
        Failure::Raw { status: 200, body },
        &["refresh", "acme", "--force"],
    );
    o.fails(5).stderr_has("larger than 1 MB");
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        2,
        "not retried (add + this one)"
    );
}

#[test]
fn page_names_with_control_characters_are_stored_and_shown_escaped() {
    let env = Env::with_graph();
    env.graph()
        .world()
        .pages
        .get_mut(fbvault_graph_sandbox::DEMO_PAGES[0])
        .unwrap()
        .name = "\u{1b}]0;pwned\u{7}Kitten\r\nfbvault: hint: ok".into();
    env.ok(&["init"]);
    env.add("acme");
    for args in [
        &["status"][..],
        &["pages", "acme"],
        &["show", "acme"],
        &["show", "acme", "--json"],
    ] {
        let o = env.ok(args);
        let all = format!("{}{}", o.stdout, o.stderr);
        assert!(
            !all.contains('\u{1b}') && !all.contains('\u{7}') && !all.contains('\r'),
            "{args:?}: {all:?}"
        );
        assert!(all.contains("Kitten"), "{args:?}: {all}");
    }
}
