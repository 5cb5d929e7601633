//! External providers: `fbvault-provider-NAME` executables speaking protocol v1.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::common::{Env, executable};

/// Installs `fbvault-provider-NAME` in the plugin folder with `body` as its shell script.
/// The script gets the method as $1 and the request on stdin; `$REQ` is where it saved it.
pub fn plugin(env: &Env, name: &str, body: &str) -> PathBuf {
    let dir = env.home().join(".config/fbvault/plugins");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("fbvault-provider-{name}"));
    let req = env.dir.path().join(format!("{name}-request.json"));
    executable(
        &path,
        format!(
            "#!/bin/sh\nREQ={}\ncat > \"$REQ.$1\"\n{body}\n",
            req.display()
        ),
    );
    path
}

/// A `describe` answer of plugin `name`, as a shell line.
fn describing(name: &str) -> String {
    format!(
        r#"echo '{{"protocol":1,"ok":true,"result":{{"name":"{name}","version":"1","capabilities":["login","refresh"],"fields":[],"env":{{}}}}}}'"#
    )
}

const GOOD: &str = r#"case "$1" in
describe) echo '{"protocol":1,"ok":true,"result":{"name":"demo","version":"1.2.3","capabilities":["login","refresh"],"fields":[],"env":{"main":"DEMO_TOKEN"}}}' ;;
login) echo '{"protocol":1,"ok":true,"result":{"tokens":[{"name":"main","value":"demo-token-value-123","expires_at":null,"env":"DEMO_TOKEN"}]}}' ;;
refresh) echo '{"protocol":1,"ok":true,"result":{"tokens":[{"name":"main","value":"demo-token-value-456","expires_at":null,"env":"DEMO_TOKEN"}]}}' ;;
esac"#;

#[test]
fn plugins_list_shows_builtin_and_external_providers() {
    let env = Env::with_vault();
    let path = plugin(&env, "demo", GOOD);
    let o = env.ok(&["plugins", "list"]);
    assert!(
        o.stdout.contains("facebook") && o.stdout.contains("built-in"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("demo")
            && o.stdout.contains("1.2.3")
            && o.stdout.contains("login,refresh"),
        "{}",
        o.stdout
    );
    let json = env.ok(&["plugins", "list", "--json"]).json();
    let demo = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "demo")
        .unwrap()
        .clone();
    assert_eq!(demo["path"], path.to_str().unwrap());
    assert_eq!(demo["kind"], "external");
}

#[test]
fn an_external_provider_logs_in_refreshes_and_feeds_run() {
    let env = Env::with_vault();
    plugin(&env, "demo", GOOD);
    let o = env.run_stdin(
        &["add", "ig", "--provider", "demo", "--token-stdin"],
        "user-grant-token\n",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let req: serde_json::Value = serde_json::from_slice(
        &std::fs::read(env.dir.path().join("demo-request.json.login")).unwrap(),
    )
    .unwrap();
    assert_eq!(req["protocol"], 1);
    assert_eq!(req["method"], "login");
    assert_eq!(req["profile"]["name"], "ig");
    assert_eq!(req["input"]["token"], "user-grant-token");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/plugin-request.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        jsonschema::validator_for(&schema).unwrap().is_valid(&req),
        "the request follows the schema"
    );

    let injected = || {
        env.ok(&[
            "run",
            "-p",
            "ig",
            "--",
            "sh",
            "-c",
            "printf %s \"$DEMO_TOKEN\"",
        ])
        .stdout
    };
    assert_eq!(injected(), "demo-token-value-123");
    env.ok(&["refresh", "ig", "--force"]);
    assert_eq!(injected(), "demo-token-value-456");
}

/// `add ig --provider bad --token-stdin` with plugin `bad`, which describes itself and
/// runs `body` for `login`, fails with `code` and `expect`, and changes nothing.
fn failing(body: &str, code: i32, expect: &str) {
    let mut env = Env::with_vault();
    env.set("FBVAULT_PLUGIN_TIMEOUT", "0.5");
    plugin(
        &env,
        "bad",
        &format!(
            "if [ \"$1\" = describe ]; then\n{}\nexit 0\nfi\n{body}",
            describing("bad")
        ),
    );
    let before = env.snapshot();
    let started = Instant::now();
    let o = env.run_stdin(
        &["add", "ig", "--provider", "bad", "--token-stdin"],
        "grant-value-9f8e7d6c5b\n",
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    o.fails(code).stderr_has("plugin `bad`").stderr_has(expect);
    o.stderr_lacks("grant-value-9f8e7d6c5b");
    assert_eq!(before, env.snapshot(), "the vault is unchanged");
}

#[test]
fn a_plugin_that_exits_non_zero_is_reported_by_name() {
    failing(
        "echo 'something broke' >&2; exit 3",
        1,
        "exited with status 3: something broke",
    );
}

#[test]
fn a_plugin_that_times_out_is_reported_by_name() {
    failing("sleep 10", 5, "no answer within");
}

#[test]
fn a_plugin_answer_that_does_not_validate_is_reported_by_name() {
    failing(
        "echo '{\"protocol\":1,\"ok\":true,\"result\":{\"tokens\":[{\"value\":1}]}}'",
        1,
        "does not follow protocol 1",
    );
    failing("echo 'not json at all'", 1, "does not follow protocol 1");
}

#[test]
fn what_a_plugin_echoes_of_its_input_is_scrubbed() {
    failing("cat \"$REQ.$1\" >&2; exit 3", 1, "exited with status 3");
    failing(
        "tok=$(sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/' \"$REQ.$1\"); echo \"{\\\"protocol\\\":1,\\\"ok\\\":false,\\\"error\\\":{\\\"kind\\\":\\\"internal\\\",\\\"message\\\":\\\"bad token $tok\\\"}}\"",
        1,
        "bad token ***",
    );
}

#[test]
fn plugin_error_kinds_map_to_exit_codes() {
    failing(
        "echo '{\"protocol\":1,\"ok\":false,\"error\":{\"kind\":\"invalid_grant\",\"message\":\"grant expired\"}}'",
        4,
        "grant expired",
    );
    failing(
        "echo '{\"protocol\":1,\"ok\":false,\"error\":{\"kind\":\"rate_limited\",\"message\":\"slow down\"}}'",
        5,
        "slow down",
    );
    failing(
        "echo '{\"protocol\":1,\"ok\":false,\"error\":{\"kind\":\"bad_request\",\"message\":\"nope\"}}'",
        1,
        "nope",
    );
}

#[test]
fn an_unknown_provider_is_a_clear_error() {
    let env = Env::with_vault();
    env.run(&["add", "x", "--provider", "nosuch", "--no-exchange"])
        .fails(1)
        .stderr_has("no provider named `nosuch`");
}

#[test]
fn a_plugin_gets_no_key_material_in_its_environment() {
    let mut env = Env::with_vault();
    let id = std::fs::read_to_string(env.identity()).unwrap();
    env.set("FBVAULT_IDENTITY", env.identity().to_str().unwrap());
    env.set("FBVAULT_KEY", &id);
    let listed = env.ok(&["recipients", "list"]);
    let fingerprint = format!("{}{}", listed.stdout, listed.stderr)
        .split_whitespace()
        .find(|w| w.starts_with("fbv1-"))
        .expect("recipients list prints the team fingerprint")
        .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .to_string();
    env.set("FBVAULT_TEAM_FINGERPRINT", &fingerprint);
    env.set("KEEP_ME", "inherited");
    let seen = env.dir.path().join("plugin-env.txt");
    plugin(
        &env,
        "demo",
        &format!("env > {}.$1\n{GOOD}", seen.display()),
    );
    let o = env.run_stdin(
        &["add", "ig", "--provider", "demo", "--token-stdin"],
        "user-grant-token\n",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let logged = std::fs::read_to_string(format!("{}.login", seen.display())).unwrap();
    assert!(logged.contains("KEEP_ME=inherited"), "{logged}");
    for name in [
        "FBVAULT_IDENTITY",
        "FBVAULT_KEY",
        "FBVAULT_TEAM_FINGERPRINT",
    ] {
        assert!(
            !logged.lines().any(|l| l.starts_with(&format!("{name}="))),
            "{name} reached the plugin"
        );
    }
    let key = id
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY"))
        .unwrap();
    assert!(!logged.contains(key));
}

#[test]
fn a_plugin_answer_over_a_mebibyte_is_refused_without_reading_it_whole() {
    // 64 MiB of answer, as fast as the pipe takes it.
    failing(
        "head -c 67108864 /dev/zero | tr '\\0' x; exit 0",
        1,
        "its answer is over 1 MiB",
    );
    // Endless stderr does not hold fbvault up either.
    failing("yes 'noise' >&2", 1, "plugin `bad`");
}

/// `add b1 --provider broken` (no token: the profile alone) with plugin `broken` running
/// `body` for `describe` fails with `code` and `expect`, and writes nothing.
fn cannot_describe(body: &str, code: i32, expect: &str) {
    let mut env = Env::with_vault();
    env.set("FBVAULT_PLUGIN_TIMEOUT", "2");
    plugin(&env, "broken", body);
    let before = env.snapshot();
    let dotenv = env.dir.path().join("old.env");
    std::fs::write(&dotenv, "LONG_TOKEN=tok-5150\n").unwrap();
    let file = dotenv.to_str().unwrap();
    for args in [
        &["add", "b1", "--provider", "broken"][..],
        &["import", file, "b1", "--provider", "broken"],
    ] {
        let o = env.run(args);
        o.fails(code)
            .stderr_has("plugin `broken`")
            .stderr_has(expect)
            .stderr_has("asked to describe itself")
            .stderr_lacks("added b1")
            .stderr_lacks("imported b1");
        assert_eq!(before, env.snapshot(), "{args:?}: the vault is unchanged");
        assert!(!env.profile_file("b1").exists());
    }
}

#[test]
fn a_plugin_that_cannot_describe_itself_makes_no_profile() {
    cannot_describe("echo 'not json at all'", 1, "does not follow protocol 1");
    cannot_describe(
        "echo 'it broke' >&2; exit 3",
        1,
        "exited with status 3: it broke",
    );
    cannot_describe("sleep 10", 5, "no answer within 2s");
}

#[test]
fn edit_refuses_a_profile_whose_plugin_cannot_describe_itself() {
    let env = Env::with_vault();
    plugin(&env, "demo", GOOD);
    env.ok(&["add", "b1", "--provider", "demo"]);
    plugin(&env, "demo", "echo 'gone wrong' >&2; exit 1");
    let (editor, _) = env.logging_editor(|_| {
        "sed -i 's/\"inject_secrets\": false/\"inject_secrets\": true/' \"$1\"\n".to_string()
    });
    let before = env.snapshot();
    let mut cmd = env.cmd();
    cmd.env("EDITOR", &editor).args(["edit", "b1"]);
    let o = crate::common::out(cmd.assert());
    assert_ne!(o.code, 0, "{}", o.stderr);
    o.stderr_has("plugin `demo`")
        .stderr_has("exited with status 1: gone wrong");
    assert_eq!(before, env.snapshot(), "the vault is unchanged");
    // Nor does a login go ahead with it.
    env.run_stdin(&["login", "b1", "--token-stdin"], "tok-5150\n")
        .fails(1)
        .stderr_has("plugin `demo`")
        .stderr_has("asked to describe itself");
    assert_eq!(before, env.snapshot(), "the vault is unchanged");
}

#[test]
fn plugins_list_shows_why_a_plugin_cannot_describe_itself_escaped() {
    let env = Env::with_vault();
    plugin(&env, "broken", "printf '\\033[31mEVIL\\n' >&2; exit 1");
    plugin(&env, "demo", GOOD);
    let o = env.ok(&["plugins", "list"]);
    assert!(!o.stdout.contains('\u{1b}') && !o.stderr.contains('\u{1b}'));
    assert!(
        o.stdout
            .lines()
            .any(|l| l.split_whitespace().take(2).eq(["broken", "-"])),
        "broken is listed without a version: {}",
        o.stdout
    );
    o.stdout_lacks("EVIL");
    o.stderr_has("plugin `broken`")
        .stderr_has("exited with status 1: \\u{1b}[31mEVIL")
        .stdout_has("1.2.3");

    let o = env.ok(&["plugins", "list", "--json"]);
    assert!(!o.stdout.contains("\\u001b"), "{}", o.stdout);
    let json = o.json();
    let entry = |name: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    let broken = entry("broken");
    assert_eq!(broken["version"], serde_json::Value::Null, "{broken}");
    let error = broken["error"].as_str().unwrap();
    assert!(
        error.contains("exited with status 1: \\u{1b}[31mEVIL"),
        "{error}"
    );
    assert!(entry("demo").get("error").is_none());
}
