//! `fbvault run` and `fbvault env`: variables, renames, selection, refresh before run,
//! process semantics, masking, and failing closed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::Duration;

use fbvault_facebook::appsecret_proof;
use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET, DEMO_PAGES, Failure};
use serde_json::Value;

use crate::common::{Env, executable};

/// The environment `env` prints when run under `fbvault run ARGS -- env`.
fn child_env(env: &Env, args: &[&str]) -> BTreeMap<String, String> {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", "env"]);
    let o = env.ok(&all);
    o.stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn token_value(profile: &Value, name: &str) -> String {
    profile["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string()
}

fn editor(env: &mut Env, script: &str) {
    let path = env.dir.path().join(format!(
        "editor-{}.sh",
        env.dir.path().read_dir().unwrap().count()
    ));
    executable(&path, format!("#!/bin/sh\n{script}\n"));
    env.set("EDITOR", path.to_str().unwrap());
}

#[test]
fn the_user_token_variables() {
    let env = Env::with_profile();
    env.graph().clear_log();
    let vars = child_env(&env, &["-p", "acme"]);
    let p = env.revealed("acme");
    let user = token_value(&p, "user");
    assert_eq!(vars["FB_ACCESS_TOKEN"], user);
    assert_eq!(vars["FB_USER_ACCESS_TOKEN"], user);
    assert_eq!(vars["FB_APP_ID"], DEMO_APP_ID);
    assert_eq!(
        vars["FB_APPSECRET_PROOF"],
        appsecret_proof(DEMO_APP_SECRET, &user)
    );
    assert_eq!(vars["FB_GRAPH_API_VERSION"], "v27.0");
    for absent in [
        "FB_PAGE_ACCESS_TOKEN",
        "FB_PAGE_ID",
        "FB_APP_SECRET",
        "FBVAULT_IDENTITY",
    ] {
        assert!(!vars.contains_key(absent), "{absent} must not be injected");
    }
    assert!(
        env.graph().requests().is_empty(),
        "no network when nothing is due"
    );
}

#[test]
fn a_selected_page_becomes_the_access_token_with_its_own_proof() {
    let env = Env::with_profile();
    let p = env.revealed("acme");
    let page_token = token_value(&p, &format!("page:{}", DEMO_PAGES[1]));
    for page in [DEMO_PAGES[1], "Acme Bakery", "acme bakery"] {
        let vars = child_env(&env, &["-p", "acme", "--page", page]);
        assert_eq!(vars["FB_ACCESS_TOKEN"], page_token);
        assert_eq!(vars["FB_PAGE_ACCESS_TOKEN"], page_token);
        assert_eq!(vars["FB_PAGE_ID"], DEMO_PAGES[1]);
        assert_eq!(vars["FB_USER_ACCESS_TOKEN"], token_value(&p, "user"));
        assert_eq!(
            vars["FB_APPSECRET_PROOF"],
            appsecret_proof(DEMO_APP_SECRET, &page_token),
            "the proof is for the injected token"
        );
    }
    env.run(&["run", "-p", "acme", "--page", "999", "--", "true"])
        .fails(1)
        .stderr_has("no page `999`")
        .stderr_has("fbvault pages acme");
}

#[test]
fn the_app_secret_is_injected_only_when_the_profile_opts_in() {
    let mut env = Env::with_profile();
    assert!(!child_env(&env, &[]).values().any(|v| v == DEMO_APP_SECRET));
    editor(
        &mut env,
        "sed -i 's/\"inject_secrets\": false/\"inject_secrets\": true/' \"$1\"",
    );
    env.ok(&["edit", "acme"]);
    assert_eq!(child_env(&env, &[])["FB_APP_SECRET"], DEMO_APP_SECRET);
    // SPEC's name for the switch, `inject_app_secret`, added beside the stored one.
    let mut env = Env::with_profile();
    editor(
        &mut env,
        "sed -i 's/\"inject_secrets\": false/\"inject_secrets\": false, \"inject_app_secret\": true/' \"$1\"",
    );
    env.ok(&["edit", "acme"]);
    assert_eq!(child_env(&env, &[])["FB_APP_SECRET"], DEMO_APP_SECRET);
    let shown = env.ok(&["show", "acme", "--json"]).json();
    assert_eq!(shown["inject_secrets"], true);
    assert!(
        shown.get("inject_app_secret").is_none(),
        "only the new name is written"
    );
}

#[test]
fn no_key_material_reaches_the_child() {
    let mut env = Env::with_profile();
    env.set("FBVAULT_IDENTITY", env.identity().to_str().unwrap());
    env.set("KEEP_ME", "inherited");
    let vars = child_env(&env, &[]);
    assert_eq!(
        vars["KEEP_ME"], "inherited",
        "the rest of the environment is inherited"
    );
    assert!(!vars.contains_key("FBVAULT_IDENTITY"));
    let id = std::fs::read_to_string(env.identity()).unwrap();
    let key = id
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY"))
        .unwrap();
    assert!(
        !vars
            .values()
            .any(|v| v.contains(key) || v.contains(DEMO_APP_SECRET))
    );
}

#[test]
fn renames_from_the_profile_and_from_fbvault_toml() {
    let mut env = Env::with_profile();
    editor(
        &mut env,
        r#"sed -i 's/"inject_secrets": false/"inject_secrets": false, "env": {"FB_ACCESS_TOKEN": "META_TOKEN", "FB_APP_ID": ["FB_APP_ID", "APP_ID"]}/' "$1""#,
    );
    env.ok(&["edit", "acme"]);
    let vars = child_env(&env, &[]);
    let user = token_value(&env.revealed("acme"), "user");
    assert_eq!(vars["META_TOKEN"], user);
    assert!(!vars.contains_key("FB_ACCESS_TOKEN"));
    assert_eq!(vars["APP_ID"], DEMO_APP_ID);
    assert_eq!(vars["FB_APP_ID"], DEMO_APP_ID);

    std::fs::write(
        env.dir.path().join("fbvault.toml"),
        "[env]\nFB_ACCESS_TOKEN = \"PROJECT_TOKEN\"\n",
    )
    .unwrap();
    let vars = child_env(&env, &[]);
    assert_eq!(
        vars["PROJECT_TOKEN"], user,
        "fbvault.toml wins over the profile"
    );
    assert!(!vars.contains_key("META_TOKEN"));

    std::fs::write(
        env.dir.path().join("fbvault.toml"),
        "[env]\nFB_ACCESS_TOKEN = \"9BAD\"\n",
    )
    .unwrap();
    env.run(&["run", "--", "true"])
        .fails(1)
        .stderr_has("not a valid environment variable name");
}

#[test]
fn profile_selection_precedence() {
    let mut env = Env::with_profile();
    env.add("beta");
    let beta_user = token_value(&env.revealed("beta"), "user");
    let acme_user = token_value(&env.revealed("acme"), "user");
    let o = env.run(&["run", "--", "true"]);
    o.fails(2)
        .stderr_has("acme, beta")
        .stderr_has("FBVAULT_PROFILE");

    let sub = env.dir.path().join("project/deep");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        env.dir.path().join("project/fbvault.toml"),
        format!("profile = \"beta\"\npage = \"{}\"\n", DEMO_PAGES[0]),
    )
    .unwrap();
    let in_project = |env: &Env, args: &[&str]| {
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--", "env"]);
        let o = crate::common::out(env.cmd().current_dir(&sub).args(&all).assert());
        assert_eq!(o.code, 0, "{}", o.stderr);
        o.stdout
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>()
    };
    let vars = in_project(&env, &[]);
    assert_eq!(
        vars["FB_USER_ACCESS_TOKEN"], beta_user,
        "fbvault.toml names the profile"
    );
    assert_eq!(vars["FB_PAGE_ID"], DEMO_PAGES[0], "and the page");
    env.set("FBVAULT_PROFILE", "acme");
    assert_eq!(
        in_project(&env, &[])["FB_USER_ACCESS_TOKEN"],
        acme_user,
        "FBVAULT_PROFILE beats fbvault.toml"
    );
    assert_eq!(
        in_project(&env, &["-p", "beta"])["FB_USER_ACCESS_TOKEN"],
        beta_user,
        "-p beats FBVAULT_PROFILE"
    );
    assert_eq!(
        in_project(&env, &["-p", "beta", "--page", DEMO_PAGES[1]])["FB_PAGE_ID"],
        DEMO_PAGES[1],
        "--page beats fbvault.toml"
    );
}

#[test]
fn exit_codes_are_the_commands_own() {
    let env = Env::with_profile();
    assert_eq!(env.run(&["run", "--", "true"]).code, 0);
    assert_eq!(env.run(&["run", "--", "sh", "-c", "exit 3"]).code, 3);
    assert_eq!(
        env.run(&["run", "--mask", "--", "sh", "-c", "exit 42"])
            .code,
        42
    );
    env.run(&["run", "--", "no-such-command-fbvault"])
        .fails(127)
        .stderr_has("command not found");
    env.run(&["run", "--mask", "--", "no-such-command-fbvault"])
        .fails(127);
    let script = env.dir.path().join("not-exec.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
    env.run(&["run", "--", script.to_str().unwrap()])
        .fails(126)
        .stderr_has("not executable");

    // exec: a signal that kills the command kills "fbvault" itself, as the shell sees it.
    let status = env
        .std_cmd()
        .args(["run", "--", "sh", "-c", "kill -TERM $$"])
        .status()
        .unwrap();
    assert_eq!(status.signal(), Some(15));
    // --mask: fbvault reports it as 128+N.
    assert_eq!(
        env.run(&["run", "--mask", "--", "sh", "-c", "kill -KILL $$"])
            .code,
        137
    );
}

#[test]
fn nothing_is_added_to_the_commands_output() {
    let env = Env::with_profile();
    let o = env.ok(&["run", "--", "printf", "exact"]);
    assert_eq!(o.stdout, "exact");
    let o = env.ok(&["run", "--mask", "--", "printf", "exact"]);
    assert_eq!(o.stdout, "exact");
}

#[test]
fn mask_censors_secrets_even_when_split_across_writes() {
    let env = Env::with_profile();
    let user = token_value(&env.revealed("acme"), "user");
    let script = r#"echo "token=$FB_ACCESS_TOKEN proof=$FB_APPSECRET_PROOF app=$FB_APP_ID"; echo "err=$FB_USER_ACCESS_TOKEN" >&2; printf '%s' "$(echo "$FB_ACCESS_TOKEN" | cut -c1-9)"; sleep 0.3; printf '%s\n' "$(echo "$FB_ACCESS_TOKEN" | cut -c10-)""#;
    let o = env.ok(&["run", "--mask", "--", "sh", "-c", script]);
    assert!(
        !o.stdout.contains(&user) && !o.stderr.contains(&user),
        "{}",
        o.stdout
    );
    assert!(
        !o.stdout.contains(&user[..20]),
        "no partial token either: {}",
        o.stdout
    );
    o.stdout_has("token=*** proof=*** app=100200300400500");
    o.stderr_has("err=***");
    assert!(
        o.stdout.ends_with("***\n"),
        "the split write is masked too: {:?}",
        o.stdout
    );
    // Without --mask the command's output is untouched.
    assert!(
        env.ok(&["run", "--", "sh", "-c", "echo $FB_ACCESS_TOKEN"])
            .stdout
            .contains(&user)
    );
}

#[test]
fn mask_forwards_signals_and_reports_the_childs_status() {
    let env = Env::with_profile();
    for (signal, expected) in [("TERM", 7), ("INT", 8), ("HUP", 9)] {
        let script = format!(
            "trap 'echo got-{signal}; exit {expected}' {signal}; echo ready; while :; do sleep 0.05; done"
        );
        let mut child = env
            .std_cmd()
            .args(["run", "--mask", "--", "sh", "-c", &script])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "ready");
        crate::common::send_signal(child.id(), signal);
        assert_eq!(lines.next().unwrap().unwrap(), format!("got-{signal}"));
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(expected), "SIG{signal}");
    }
}

#[test]
fn it_fails_closed() {
    // Wrong identity: exit 3, the command never runs.
    let env = Env::with_profile();
    let marker = env.dir.path().join("ran");
    let touch = format!("touch {}", marker.display());
    let other = env.dir.path().join("other-id.txt");
    env.ok(&[
        "--identity",
        other.to_str().unwrap(),
        "--vault",
        env.dir.path().join("v2").to_str().unwrap(),
        "init",
    ]);
    env.run(&[
        "--identity",
        other.to_str().unwrap(),
        "run",
        "--",
        "sh",
        "-c",
        &touch,
    ])
    .fails(3);
    assert!(!marker.exists());

    // Tampered profile: exit 3.
    let f = env.profile_file("acme");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() - 200]).unwrap();
    env.run(&["run", "-p", "acme", "--", "sh", "-c", &touch])
        .fails(3);
    assert!(!marker.exists());

    // No token: exit 4 with the login hint.
    let env = Env::with_graph_and_vault();
    env.add_with("bare", "1", "s3cret", None, &[]);
    env.run(&["run", "--", "sh", "-c", &touch])
        .fails(4)
        .stderr_has("fbvault login bare");
    assert!(!marker.exists());
}

#[test]
fn an_expired_token_is_exit_4_and_the_command_does_not_run() {
    let env = Env::with_profile_lasting(2);
    std::thread::sleep(Duration::from_secs(3));
    let marker = env.dir.path().join("ran");
    env.graph().clear_log();
    env.run(&["run", "--", "touch", marker.to_str().unwrap()])
        .fails(4)
        .stderr_has("fbvault login acme");
    assert!(!marker.exists());
    assert!(env.graph().requests().is_empty());
    // With a never-expiring page selected, the page token still works.
    let vars = child_env(&env, &["--page", DEMO_PAGES[0]]);
    assert!(
        vars.contains_key("FB_PAGE_ACCESS_TOKEN") && !vars.contains_key("FB_USER_ACCESS_TOKEN")
    );
}

/// A profile whose user token expires in 3 days and was obtained two days ago: due.
fn due_profile() -> Env {
    let mut env = Env::with_profile_lasting(3 * 86_400);
    editor(
        &mut env,
        r#"sed -i 's/"obtained_at": "[^"]*"/"obtained_at": "2020-01-01T00:00:00Z"/; s/"issued_at": "[^"]*"/"issued_at": "2020-01-01T00:00:00Z"/' "$1""#,
    );
    env.ok(&["edit", "acme"]);
    env.graph().clear_log();
    env
}

#[test]
fn a_due_token_is_refreshed_once_before_running() {
    let env = due_profile();
    let o = env.ok(&["run", "--", "true"]);
    assert_eq!(env.graph().count("/oauth/access_token"), 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("expires in 2 days"),
        "the token is still short-lived: warn: {}",
        o.stderr
    );
    env.graph().clear_log();
    env.ok(&["run", "--", "true"]);
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        0,
        "at most once a day"
    );
    let o = env.ok(&["run", "--no-refresh", "--", "true"]);
    assert!(o.stdout.is_empty());
}

#[test]
fn concurrent_runs_cause_exactly_one_exchange() {
    let env = due_profile();
    let env = std::sync::Arc::new(env);
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let env = env.clone();
            std::thread::spawn(move || env.run(&["run", "--", "sh", "-c", "echo $FB_ACCESS_TOKEN"]))
        })
        .collect();
    let outs: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        1,
        "one exchange for six runs"
    );
    let stored_token = token_value(&env.revealed("acme"), "user");
    for o in outs {
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(
            o.stdout.trim(),
            stored_token,
            "every run saw the refreshed token"
        );
    }
}

#[test]
fn a_failed_refresh_runs_anyway_while_the_token_is_valid() {
    let env = due_profile();
    for _ in 0..3 {
        env.graph()
            .fail_next("/oauth/access_token", Failure::server_error());
    }
    let before = env.snapshot();
    let o = env.run(&["run", "--", "printf", "ran"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "ran");
    assert!(
        o.stderr.contains("warning") && o.stderr.contains("still valid"),
        "{}",
        o.stderr
    );
    assert_eq!(before, env.snapshot());
    assert_eq!(env.graph().count("/oauth/access_token"), 3);

    // The next runs within the hour do not try again (each try costs time and, when
    // throttled, extends the block), and say so.
    let o = env.ok(&["run", "--", "printf", "ran"]);
    assert_eq!(env.graph().count("/oauth/access_token"), 3);
    o.stderr_has("last refresh failed");
    assert_eq!(o.stdout, "ran");

    // `fbvault refresh` tries now; a refusal means the token is dead: exit 4...
    env.graph().fail_next(
        "/oauth/access_token",
        Failure::graph(190, Some(460), "password changed"),
    );
    env.run(&["refresh", "acme"])
        .fails(4)
        .stderr_has("changed their password");
    assert_eq!(env.graph().count("/oauth/access_token"), 4);
}

#[test]
fn a_refusal_during_the_refresh_before_run_stops_the_run() {
    let env = due_profile();
    env.graph().fail_next(
        "/oauth/access_token",
        Failure::graph(190, Some(460), "password changed"),
    );
    env.run(&["run", "--", "printf", "ran"])
        .fails(4)
        .stderr_has("changed their password");
}

#[test]
fn env_prints_what_run_injects_in_three_formats() {
    let env = Env::with_profile();
    let run_vars = child_env(&env, &[]);
    let json = env.ok(&["env", "--format", "json"]).json();
    let obj = json.as_object().unwrap();
    assert!(obj.values().all(Value::is_string), "one flat object");
    for (k, v) in obj {
        assert_eq!(run_vars[k], v.as_str().unwrap(), "{k}");
    }
    let shell = env.ok(&["env"]).stdout;
    let o = crate::common::out(
        assert_cmd::Command::new("sh")
            .arg("-c")
            .arg("eval \"$(cat)\"; printf '%s|%s' \"$FB_APP_ID\" \"$FB_ACCESS_TOKEN\"")
            .write_stdin(shell)
            .assert(),
    );
    assert_eq!(
        o.stdout,
        format!("{DEMO_APP_ID}|{}", run_vars["FB_ACCESS_TOKEN"])
    );
    let dotenv = env.ok(&["env", "--format", "dotenv"]).stdout;
    assert!(
        dotenv
            .lines()
            .any(|l| l == format!("FB_APP_ID={DEMO_APP_ID}")),
        "{dotenv}"
    );
    assert_eq!(dotenv.lines().count(), obj.len());
}

#[test]
fn a_rename_that_matches_nothing_is_flagged() {
    let env = Env::with_profile();
    std::fs::write(
        env.dir.path().join("fbvault.toml"),
        "[env]\nFB_ACESS_TOKEN = \"T\"\nFB_PAGE_ID = \"P\"\n",
    )
    .unwrap();
    let o = env.ok(&["run", "--", "true"]);
    o.stderr_has("`FB_ACESS_TOKEN` matches no variable");
    assert!(
        !o.stderr.contains("FB_PAGE_ID"),
        "a known variable, just not injected this time: {}",
        o.stderr
    );
}

#[test]
fn a_script_whose_interpreter_is_missing_says_so() {
    let env = Env::with_profile();
    let script = env.dir.path().join("bad.sh");
    executable(&script, "#!/nonexistent/interpreter\necho hi\n");
    env.run(&["run", "--", script.to_str().unwrap()])
        .fails(127)
        .stderr_has("interpreter");
}

/// Rewrites profile `acme` through `edit`: `change` gets its body (secrets revealed).
fn change_profile(env: &mut Env, change: impl FnOnce(&mut Value)) {
    let mut body = env.revealed("acme");
    change(&mut body);
    let file = env.dir.path().join("new-body.json");
    std::fs::write(&file, serde_json::to_string_pretty(&body).unwrap()).unwrap();
    editor(env, &format!("cp {} \"$1\"", file.display()));
    env.ok(&["edit", "acme"]);
}

/// A value that runs commands, expands variables or breaks lines when a shell reads it
/// carelessly.
const NASTY: &str = "a'b\"c`touch PWNED1`$(touch PWNED2)${HOME}$X\\\\n\\\nline2 !x #z\ttab'";

#[test]
fn env_output_is_inert_when_sourced_whatever_a_value_holds() {
    let mut env = Env::with_profile();
    change_profile(&mut env, |body| {
        body["secrets"]["app_secret"] = Value::String(NASTY.into());
        body["inject_secrets"] = Value::Bool(true);
    });
    for format in ["shell", "dotenv"] {
        let out = env.ok(&["env", "--no-refresh", "--format", format]).stdout;
        let file = env.dir.path().join(format!("out.{format}"));
        std::fs::write(&file, &out).unwrap();
        let o = crate::common::out(
            assert_cmd::Command::new("sh")
                .current_dir(env.dir.path())
                .arg("-c")
                .arg(format!(
                    "set -a; . ./out.{format}; printf '%s' \"$FB_APP_SECRET\""
                ))
                .assert(),
        );
        assert_eq!(o.code, 0, "{format}: {}", o.stderr);
        assert_eq!(o.stdout, NASTY, "{format}: the exact value comes back");
        for pwned in ["PWNED1", "PWNED2"] {
            assert!(
                !env.dir.path().join(pwned).exists(),
                "{format}: sourcing ran a command:\n{out}"
            );
        }
    }
}

/// `run -- true` with `[env] FB_ACCESS_TOKEN = "TARGET"` in fbvault.toml.
fn run_with_project_rename(env: &Env, target: &str) -> crate::common::Out {
    std::fs::write(
        env.dir.path().join("fbvault.toml"),
        format!("[env]\nFB_ACCESS_TOKEN = \"{target}\"\n"),
    )
    .unwrap();
    env.run(&["run", "--no-refresh", "--", "true"])
}

#[test]
fn renames_to_variables_that_loaders_shells_or_interpreters_read_are_refused() {
    let mut env = Env::with_profile();
    let before = env.snapshot();
    for (target, who) in [
        ("LD_PRELOAD", "dynamic loader"),
        ("LD_LIBRARY_PATH", "dynamic loader"),
        ("DYLD_INSERT_LIBRARIES", "dynamic loader"),
        ("MALLOC_CHECK_", "C library"),
        ("GCONV_PATH", "C library"),
        ("PATH", "shells"),
        ("BASH_ENV", "shells"),
        ("ENV", "shells"),
        ("SHELLOPTS", "shells"),
        ("PS4", "shells"),
        ("IFS", "shells"),
        ("PYTHONWARNINGS", "Python"),
        ("PYTHONSTARTUP", "Python"),
        ("NODE_OPTIONS", "Node.js"),
        ("PERL5OPT", "Perl"),
        ("RUBYOPT", "Ruby"),
        ("JAVA_TOOL_OPTIONS", "Java"),
        ("GIT_SSH_COMMAND", "git"),
        ("FBVAULT_DIR", "fbvault"),
    ] {
        run_with_project_rename(&env, target)
            .fails(1)
            .stderr_has("fbvault.toml [env]")
            .stderr_has(&format!("`{target}`"))
            .stderr_has(who);
    }
    assert_eq!(run_with_project_rename(&env, "MY_TOKEN").code, 0);
    std::fs::remove_file(env.dir.path().join("fbvault.toml")).unwrap();
    assert_eq!(before, env.snapshot(), "the vault is unchanged");
    // A profile's own renames are checked when `edit` saves them (and again by `run`).
    editor(
        &mut env,
        r#"sed -i 's/"inject_secrets": false/"inject_secrets": false, "env": {"FB_APP_ID": ["FB_APP_ID", "LD_AUDIT"]}/' "$1""#,
    );
    env.run(&["edit", "acme"])
        .fails(1)
        .stderr_has("the profile's env")
        .stderr_has("`LD_AUDIT`")
        .stderr_has("unchanged");
    assert_eq!(before, env.snapshot(), "the vault is unchanged");
}

#[test]
fn a_refused_rename_stops_run_before_a_due_refresh_writes_anything() {
    let env = due_profile();
    let before = env.snapshot();
    std::fs::write(
        env.dir.path().join("fbvault.toml"),
        "[env]\nFB_ACCESS_TOKEN = \"LD_PRELOAD\"\n",
    )
    .unwrap();
    env.run(&["run", "--", "true"])
        .fails(1)
        .stderr_has("LD_PRELOAD");
    assert_eq!(env.graph().count("/oauth/access_token"), 0, "no refresh");
    assert_eq!(before, env.snapshot(), "the vault is unchanged");
}
