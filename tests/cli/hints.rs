//! Hints follow the profile's provider: what it needs, and the logins it has. A hint that
//! names a flag the provider refuses, or a field it does not have, sends the user astray.

use crate::common::Env;

#[test]
fn a_missing_field_is_named_with_the_way_to_give_it_and_other_refusals_get_no_such_hint() {
    let env = Env::with_vault();
    // Instagram needs its app secret, not an app id.
    let o = env.run(&["add", "ig", "--provider", "instagram", "--no-exchange"]);
    o.fails(1)
        .stderr_has("app_secret")
        .stderr_has("--app-secret-stdin");
    o.stderr_lacks("--app-id");
    // A bad setting is not a missing credential.
    let o = env.add_with("fb", "1", "s3cret", None, &["--graph-version", "v2x"]);
    o.fails(1).stderr_has("v2x").stderr_lacks("give the app id");
    env.run(&["show", "fb"]).fails(1);
}

#[test]
fn login_hints_name_only_the_logins_the_provider_has() {
    let mut env = Env::with_vault();
    let o = env.run_stdin(
        &[
            "add",
            "th",
            "--provider",
            "threads",
            "--app-id",
            "1",
            "--app-secret-stdin",
            "--no-exchange",
        ],
        "s3cret\n",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    // No token given: Threads has a browser login, no device login.
    let o = env.run(&["login", "th"]);
    o.fails(2).stderr_has("--web").stderr_lacks("--device");
    // A browser login that times out points at a pasted token, not at --device.
    env.set("FBVAULT_LOGIN_TIMEOUT", "1");
    let port = crate::common::free_port().to_string();
    let o = env.run(&["login", "th", "--web", "--no-browser", "--port", &port]);
    o.fails(1)
        .stderr_has("no answer from the browser")
        .stderr_has("--token-stdin");
    o.stderr_lacks("--device");
    // Facebook has both, and says so.
    let o = env.add_with("fb", "1", "s3cret", None, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    env.run(&["login", "fb"])
        .fails(2)
        .stderr_has("--web or --device");
}
