//! `fbvault login --device` (SPEC §10): Facebook Login for Devices against the sandbox,
//! which answers `interval: 1` here (its knob, not a flag of fbvault's) while the test
//! plays the person at facebook.com/device: pending, slow down, approved; declined and
//! expired (exit 4, nothing stored).

use std::io::Write;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_CLIENT_TOKEN, Failure};

use crate::common::{Env, Out, Snapshot};

fn device_env() -> Env {
    let env = Env::with_graph_and_vault();
    env.add_credentials("acme");
    env.graph().configure(|c| c.device_interval_secs = 1);
    env
}

/// [`device_env`] with a device login (the demo client token) started and polled once;
/// also the vault as it was before.
fn polled_once() -> (Env, Snapshot, Child) {
    let env = device_env();
    let before = env.snapshot();
    let child = spawn(&env, Some(DEMO_CLIENT_TOKEN));
    wait_polls(&env, 1);
    (env, before, child)
}

fn spawn(env: &Env, client_token: Option<&str>) -> Child {
    let mut cmd = env.std_cmd();
    cmd.args(["login", "acme", "--device"]);
    if client_token.is_some() {
        cmd.arg("--client-token-stdin");
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    if let Some(t) = client_token {
        writeln!(stdin, "{t}").unwrap();
    }
    drop(stdin);
    child
}

fn finish(child: Child) -> Out {
    let o = child.wait_with_output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn polls(env: &Env) -> usize {
    env.graph().count("/device/login_status")
}

/// Waits until the sandbox has seen `n` polls; returns when the last one came.
fn wait_polls(env: &Env, n: usize) -> Instant {
    let until = Instant::now() + Duration::from_secs(30);
    while polls(env) < n {
        assert!(Instant::now() < until, "fbvault never polled {n} times");
        std::thread::sleep(Duration::from_millis(20));
    }
    Instant::now()
}

fn user_code(env: &Env) -> String {
    env.graph()
        .pending_devices()
        .pop()
        .expect("a device login waits")
}

fn assert_clean(env: &Env, text: &str) {
    env.assert_no_secret(text);
    assert!(
        !text.contains(DEMO_CLIENT_TOKEN),
        "the client token leaked: {text}"
    );
    for code in env.graph().login_codes() {
        assert!(!text.contains(&code), "the device code leaked: {text}");
    }
}

#[test]
fn a_device_login_waits_slows_down_and_stores_the_exchanged_token() {
    let env = device_env();
    // Facebook's "slow down" on the first poll: the next comes 5 s later.
    env.graph().fail_next(
        "/device/login_status",
        Failure::graph(17, Some(1349172), "OAuth Device Excessive Polling"),
    );
    let child = spawn(&env, Some(DEMO_CLIENT_TOKEN));
    let first = wait_polls(&env, 1);
    let second = wait_polls(&env, 2); // pending: the person has not approved yet
    assert!(
        second - first >= Duration::from_millis(5_500),
        "slowed down by 5 s: {:?}",
        second - first
    );
    let code = user_code(&env);
    assert!(env.graph().approve_device(&code));
    let o = finish(child);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.stderr_has(&format!(
        "open https://www.facebook.com/device and enter the code {code}"
    ));
    assert_eq!(polls(&env), 3);

    let reqs = env.graph().requests();
    let start = reqs.iter().find(|r| r.path == "/device/login").unwrap();
    assert_eq!(start.method, "POST");
    assert_eq!(
        start.params["access_token"],
        format!("{DEMO_APP_ID}|{DEMO_CLIENT_TOKEN}")
    );
    assert_eq!(
        start.params["scope"],
        "pages_show_list,pages_read_engagement,pages_manage_posts"
    );
    let poll = reqs
        .iter()
        .find(|r| r.path == "/device/login_status")
        .unwrap();
    assert_eq!(poll.method, "POST");
    assert!(env.graph().login_codes().contains(&poll.params["code"]));

    let p = env.revealed("acme");
    let user = p["tokens"][0]["value"].as_str().unwrap().to_string();
    assert!(env.graph().world().tokens[&user].long_lived, "exchanged");
    assert_eq!(
        p["tokens"].as_array().unwrap().len(),
        3,
        "user and two pages"
    );
    assert_eq!(p["secrets"]["client_token"], DEMO_CLIENT_TOKEN);
    assert_clean(&env, &format!("{}{}", o.stdout, o.stderr));
    let shown = env.ok(&["show", "acme"]);
    assert_clean(&env, &shown.stdout);
}

#[test]
fn a_stored_client_token_is_used_again() {
    let env = device_env();
    let child = spawn(&env, Some(DEMO_CLIENT_TOKEN));
    wait_polls(&env, 1);
    env.graph().approve_device(&user_code(&env));
    assert_eq!(finish(child).code, 0);
    let n = polls(&env);
    let child = spawn(&env, None);
    wait_polls(&env, n + 1);
    env.graph().approve_device(&user_code(&env));
    let o = finish(child);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn declining_on_the_device_page_exits_4_and_stores_nothing() {
    let (env, before, child) = polled_once();
    assert!(env.graph().decline_device(&user_code(&env)));
    let o = finish(child);
    o.fails(4)
        .stderr_has("the device login was declined; nothing was stored");
    assert_eq!(env.snapshot(), before);
    assert_clean(&env, &o.stderr);
}

#[test]
fn an_expired_code_exits_4_and_says_to_try_again() {
    let (env, before, child) = polled_once();
    assert!(env.graph().expire_device(&user_code(&env)));
    let o = finish(child);
    o.fails(4)
        .stderr_has("the device login code expired")
        .stderr_has("fbvault login acme --device");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_wrong_client_token_is_named_as_such() {
    let env = device_env();
    let o = finish(spawn(&env, Some("not-the-client-token")));
    o.fails(4)
        .stderr_has("refused the app's client token")
        .stderr_has("Client token");
    o.stderr_lacks("not-the-client-token");
}

#[test]
fn without_a_client_token_it_says_where_to_find_one() {
    let env = device_env();
    let o = finish(spawn(&env, None));
    o.fails(2).stderr_has("--client-token-stdin");
    assert_eq!(env.graph().count("/device/login"), 0);
}
