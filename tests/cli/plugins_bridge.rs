//! The external bridge for real: providers that need no user grant, the timeout against a
//! plugin whose grandchild holds its stdout, and `FBVAULT_LOG=debug`.

use std::time::{Duration, Instant};

use crate::common::Env;
use crate::plugins::plugin;

/// A provider that mints tokens from its own fields: `login` and `refresh` get no token.
const TOKENLESS: &str = r#"case "$1" in
describe) echo '{"protocol":1,"ok":true,"result":{"name":"cc","version":"0.1","capabilities":["login","refresh"],"fields":[],"env":{"main":"CC_TOKEN"},"login":{"needs_token":false}}}' ;;
login) echo '{"protocol":1,"ok":true,"result":{"tokens":[{"name":"main","value":"minted-by-login-7781","expires_at":null,"env":"CC_TOKEN"}]}}' ;;
refresh) echo '{"protocol":1,"ok":true,"result":{"tokens":[{"name":"main","value":"minted-by-refresh-7782","expires_at":null,"env":"CC_TOKEN"}]}}' ;;
esac"#;

fn request(env: &Env, name: &str, method: &str) -> serde_json::Value {
    let path = env.dir.path().join(format!("{name}-request.json.{method}"));
    serde_json::from_slice(&std::fs::read(path).expect("the plugin was called")).unwrap()
}

fn token_in_run(env: &Env, profile: &str) -> String {
    env.ok(&[
        "run",
        "-p",
        profile,
        "--",
        "sh",
        "-c",
        "printf %s \"$CC_TOKEN\"",
    ])
    .stdout
}

/// A vault with the `cc` plugin ([`TOKENLESS`]) and profile `svc` of it, no token yet.
fn tokenless_profile() -> Env {
    let env = Env::with_vault();
    plugin(&env, "cc", TOKENLESS);
    env.ok(&["add", "svc", "--provider", "cc"]);
    env
}

#[test]
fn a_tokenless_provider_logs_in_without_a_token() {
    let env = tokenless_profile();
    env.ok(&["login", "svc"]);
    let req = request(&env, "cc", "login");
    assert!(req["input"].get("token").is_none(), "{req}");
    assert_eq!(token_in_run(&env, "svc"), "minted-by-login-7781");
}

#[test]
fn a_tokenless_provider_refreshes_a_profile_without_a_token() {
    let env = tokenless_profile();
    env.ok(&["refresh", "svc"]);
    assert_eq!(request(&env, "cc", "refresh")["method"], "refresh");
    assert_eq!(token_in_run(&env, "svc"), "minted-by-refresh-7782");
}

#[test]
fn run_mints_a_first_token_from_a_tokenless_provider() {
    let env = tokenless_profile();
    assert_eq!(token_in_run(&env, "svc"), "minted-by-refresh-7782");
    // Stored: the next run finds it.
    let o = env.ok(&["show", "svc"]);
    o.stdout_has("mint…782");
}

#[test]
fn a_provider_that_needs_a_token_still_says_so_without_calling_the_plugin() {
    let env = Env::with_vault();
    plugin(
        &env,
        "demo",
        r#"case "$1" in
describe) echo '{"protocol":1,"ok":true,"result":{"name":"demo","version":"1","capabilities":["login"],"fields":[],"env":{}}}' ;;
esac"#,
    );
    env.ok(&["add", "svc", "--provider", "demo"]);
    env.run(&["login", "svc"])
        .fails(2)
        .stderr_has("no token given");
    assert!(!env.dir.path().join("demo-request.json.login").exists());
    env.run(&["refresh", "svc"])
        .fails(4)
        .stderr_has("has no token yet");
    assert!(!env.dir.path().join("demo-request.json.refresh").exists());
}

const DESCRIBE: &str = r#"echo '{"protocol":1,"ok":true,"result":{"name":"stuck","version":"1","capabilities":["login"],"fields":[],"env":{}}}'"#;

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit(')')
            .next()
            .is_some_and(|r| !r.trim_start().starts_with('Z'))
    })
}

/// Waits up to 2 s for the grandchild whose pid is in `pidfile` to be gone.
fn wait_gone(pidfile: &std::path::Path) {
    let pid: u32 = std::fs::read_to_string(pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let gone_by = Instant::now() + Duration::from_secs(2);
    while alive(pid) && Instant::now() < gone_by {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(pid), "the grandchild {pid} is still running");
}

/// A vault with a 1 s plugin timeout and plugin `stuck`: `start` (shell lines), then a
/// grandchild of fbvault (`sleep 30`) that keeps stdout open and whose pid goes to the
/// returned file, then `ending`.
fn stuck_plugin(start: &str, ending: &str) -> (Env, std::path::PathBuf) {
    let mut env = Env::with_vault();
    env.set("FBVAULT_PLUGIN_TIMEOUT", "1");
    let pidfile = env.dir.path().join("grandchild.pid");
    plugin(
        &env,
        "stuck",
        &format!(
            "{start}sleep 30 &\necho $! > {}\n{ending}",
            pidfile.display()
        ),
    );
    (env, pidfile)
}

/// A plugin whose child (the grandchild of fbvault) keeps stdout open on `login`, with
/// `ending` deciding whether the plugin itself waits too. It describes itself at once.
fn grandchild_holds_stdout(ending: &str) {
    let (env, pidfile) = stuck_plugin(
        &format!("if [ \"$1\" = describe ]; then\n{DESCRIBE}\nexit 0\nfi\n"),
        ending,
    );
    let before = env.snapshot();
    let started = Instant::now();
    let o = env.run_stdin(
        &["add", "svc", "--provider", "stuck", "--token-stdin"],
        "grant-value-5a4b3c2d1e\n",
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "held for {took:?}");
    o.fails(5)
        .stderr_has("plugin `stuck`")
        .stderr_has("no answer within 1s");
    assert!(!o.stderr.contains("grant-value-5a4b3c2d1e"));
    assert_eq!(before, env.snapshot(), "the vault is unchanged");
    wait_gone(&pidfile);
}

#[test]
fn the_timeout_holds_when_a_grandchild_keeps_stdout_open_after_the_plugin_exits() {
    grandchild_holds_stdout("exit 0");
}

#[test]
fn the_timeout_kills_the_plugin_and_its_grandchild() {
    grandchild_holds_stdout("wait");
}

#[test]
fn plugins_list_is_not_held_by_a_grandchild_holding_stdout() {
    let (env, pidfile) = stuck_plugin("", "exit 0");
    let started = Instant::now();
    let o = env.ok(&["plugins", "list"]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "held for {took:?}");
    o.stderr_has("plugin `stuck`")
        .stderr_has("no answer within 1s");
    wait_gone(&pidfile);
}

#[test]
fn providers_list_is_plugins_list() {
    let env = Env::with_vault();
    plugin(&env, "cc", TOKENLESS);
    let o = env.ok(&["providers", "list"]);
    assert!(
        o.stdout.contains("facebook") && o.stdout.contains("cc"),
        "{}",
        o.stdout
    );
    assert_eq!(o.stdout, env.ok(&["plugins", "list"]).stdout);
}

#[test]
fn debug_log_names_each_plugin_call_and_no_secret() {
    let mut env = Env::with_vault();
    env.set("FBVAULT_LOG", "debug");
    plugin(&env, "cc", TOKENLESS);
    env.ok(&["add", "svc", "--provider", "cc"]);
    let o = env.ok(&["login", "svc"]);
    o.stderr_has("debug: plugin cc: describe");
    let line = o
        .stderr
        .lines()
        .find(|l| l.contains("debug: plugin cc: login"))
        .unwrap_or_else(|| panic!("no login line in {}", o.stderr));
    assert!(
        line.contains("-> exit 0, ok") && line.contains(" ms)"),
        "{line}"
    );
    let o = env.ok(&["run", "-p", "svc", "--", "true"]);
    o.stderr_lacks("minted-by");
    // A plugin that exits 0 with an error answer: the line says which error.
    plugin(
        &env,
        "cc",
        &TOKENLESS.replace(
            r#"login) echo '{"protocol":1,"ok":true,"result":{"tokens":[{"name":"main","value":"minted-by-login-7781","expires_at":null,"env":"CC_TOKEN"}]}}' ;;"#,
            r#"login) echo '{"protocol":1,"ok":false,"error":{"kind":"invalid_grant","message":"revoked"}}' ;;"#,
        ),
    );
    let o = env.run(&["login", "svc"]);
    o.fails(4).stderr_has("-> exit 0, invalid_grant");
}

#[test]
fn debug_log_shows_facebook_calls_without_query_or_secret() {
    let mut env = Env::with_profile();
    env.set("FBVAULT_LOG", "debug");
    let o = env.ok(&["refresh", "acme", "--force"]);
    let lines: Vec<&str> = o
        .stderr
        .lines()
        .filter(|l| l.contains("debug: facebook:"))
        .collect();
    assert!(!lines.is_empty(), "{}", o.stderr);
    for line in &lines {
        assert!(
            line.contains("GET /") && line.contains("-> 200") && line.contains(" ms)"),
            "{line}"
        );
        assert!(!line.contains('?'), "{line}");
    }
    env.assert_no_secret(&o.stderr);
    // Without the variable: silent.
    let quiet = Env::with_profile();
    let o = quiet.ok(&["refresh", "acme", "--force"]);
    o.stderr_lacks("debug:");
}

/// A provider whose tokens go to the variable `$TOKEN_VAR` of its environment.
const NAMES_ITS_VARIABLE: &str = r#"case "$1" in
describe) echo '{"protocol":1,"ok":true,"result":{"name":"named","version":"1","capabilities":["login","refresh"],"fields":[],"env":{}}}' ;;
*) echo "{\"protocol\":1,\"ok\":true,\"result\":{\"tokens\":[{\"name\":\"main\",\"value\":\"named-token-3141\",\"expires_at\":null,\"env\":\"$TOKEN_VAR\"}]}}" ;;
esac"#;

#[test]
fn a_token_for_a_variable_run_refuses_is_an_invalid_answer() {
    let mut env = Env::with_vault();
    plugin(&env, "named", NAMES_ITS_VARIABLE);
    env.set("TOKEN_VAR", "CC_TOKEN");
    let o = env.run_stdin(
        &["add", "svc", "--provider", "named", "--token-stdin"],
        "grant-2718\n",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    for (var, why) in [
        ("LD_PRELOAD", "the dynamic loader reads"),
        ("PATH", "shells read"),
        ("BASH_ENV", "shells read"),
        ("1X", "not a valid environment variable name"),
    ] {
        env.set("TOKEN_VAR", var);
        let before = env.snapshot();
        for args in [
            &["add", "new", "--provider", "named", "--token-stdin"][..],
            &["login", "svc", "--token-stdin"],
            &["refresh", "svc", "--force"],
        ] {
            let o = env.run_stdin(args, "grant-2718\n");
            o.fails(1)
                .stderr_has("plugin `named`")
                .stderr_has(&format!("the variable `{var}`"))
                .stderr_has(why)
                .stderr_lacks("named-token-3141");
            assert_eq!(
                before,
                env.snapshot(),
                "{args:?} with {var}: the vault is unchanged"
            );
        }
    }
    env.set("TOKEN_VAR", "CC_TOKEN");
    assert_eq!(token_in_run(&env, "svc"), "named-token-3141");
}
