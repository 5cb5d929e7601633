//! The command line's manners (SPEC §12): colors only where they belong, tables aligned by
//! display width, a quiet `status --check` for cron, and commands that need no vault
//! working with a broken `fbvault.toml`.

use crate::common::{Env, executable};

fn status_with(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = env.cmd();
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = crate::common::out(cmd.args(args).assert());
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

#[test]
fn colors_only_when_asked_or_on_a_terminal_and_never_with_no_color_or_a_dumb_terminal() {
    let env = Env::with_profile();
    for cmd in [&["status"][..], &["list"]] {
        // Into a pipe (as here): no escape codes.
        assert!(!status_with(&env, &[], cmd).contains('\x1b'));
        let mut forced: Vec<&str> = vec!["--color", "always"];
        forced.extend_from_slice(cmd);
        let colored = status_with(&env, &[], &forced);
        assert!(colored.contains("\x1b[32mok\x1b[0m"), "{colored:?}");
        // NO_COLOR and TERM=dumb turn auto off; --color never and --no-color too.
        for vars in [&[("NO_COLOR", "1")][..], &[("TERM", "dumb")]] {
            let mut auto: Vec<&str> = vec!["--color", "auto"];
            auto.extend_from_slice(cmd);
            assert!(!status_with(&env, vars, &auto).contains('\x1b'));
        }
        let mut never: Vec<&str> = vec!["--no-color"];
        never.extend_from_slice(cmd);
        assert!(!status_with(&env, &[], &never).contains('\x1b'));
    }
}

#[test]
fn tables_align_page_names_in_cjk_and_emoji_by_display_width() {
    let env = Env::with_graph();
    {
        let mut world = env.graph().world();
        let names = ["東京ベーカリー", "🍰 Cake Shop", "Plain"];
        for (page, name) in world.pages.values_mut().zip(names) {
            page.name = name.to_string();
        }
    }
    env.ok(&["init"]);
    env.add("acme");
    let out = env.ok(&["pages", "acme"]).stdout;
    let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() >= 3, "{out}");
    // The column after NAME starts at the same display column on every line.
    let header = lines[0];
    let tasks_at = fbvault::cli::ui::visible_len(&header[..header.find("TASKS").unwrap()]);
    for line in &lines[1..] {
        let mut col = 0;
        let mut cut = None;
        for (i, c) in line.char_indices() {
            if col == tasks_at {
                cut = Some(i);
                break;
            }
            col += fbvault::cli::ui::visible_len(&c.to_string());
        }
        let cut = cut.unwrap_or_else(|| panic!("line too short: {line}"));
        assert!(
            line[..cut].ends_with("  ") && !line[cut..].starts_with(' '),
            "TASKS column misaligned in:\n{out}"
        );
    }
}

#[test]
fn status_check_quiet_is_silent_when_all_is_well_and_names_only_what_needs_attention() {
    let env = Env::with_profile();
    let o = env.run(&["-q", "status", "--check"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!((o.stdout.as_str(), o.stderr.as_str()), ("", ""));
    // A profile without a token is `missing`: --check fails on it, and -q shows only it.
    let add = env.add_with("empty", "1", "s3cret-value", None, &[]);
    assert_eq!(add.code, 0, "{}", add.stderr);
    let o = env.run(&["-q", "status", "--check"]);
    assert_eq!(o.code, 10, "{}", o.stderr);
    assert!(
        o.stdout.contains("empty") && o.stdout.contains("missing"),
        "{}",
        o.stdout
    );
    assert!(
        !o.stdout.contains("acme"),
        "only the rows that need attention: {}",
        o.stdout
    );
    let o = env.run(&["status", "--check", "empty"]);
    assert_eq!(o.code, 10, "{}", o.stdout);
    o.stderr_has("fbvault login empty");
}

#[test]
fn commands_that_need_no_vault_work_with_a_broken_project_file() {
    let env = Env::new();
    std::fs::write(env.dir.path().join("fbvault.toml"), "profile = [unclosed\n").unwrap();
    let c = env.ok(&["completions", "bash"]);
    c.stdout_has("fbvault");
    env.ok(&["--help"]);
    env.ok(&["help", "run"]);
    let id = env.ok(&["identity", "new"]);
    assert!(id.stdout.starts_with("age1"));
    let shown = env.ok(&["identity", "show"]);
    assert_eq!(shown.stdout, id.stdout);
    env.ok(&["providers", "list"]).stdout_has("instagram");
    env.ok(&["plugins", "list"]).stdout_has("facebook");
    env.run(&["list"]).fails(1).stderr_has("fbvault.toml");
}

/// What `fbvault ARGS` shows in a terminal (util-linux `script`), stdout and stderr alike.
fn in_terminal(env: &Env, args: &str) -> String {
    let line = format!(
        "{} {args}",
        assert_cmd::cargo::cargo_bin!("fbvault").display()
    );
    let out = env
        .program("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_has_its_example_with_h_too_and_follows_the_color_flags() {
    let mut env = Env::new();
    env.set("TERM", "xterm");
    for args in [["status", "-h"], ["status", "--help"], ["help", "status"]] {
        env.ok(&args).stdout_has("Example: fbvault status --check");
    }
    // In a terminal, clap colors help; --color never and --no-color turn that off.
    let help = |flags: &str| in_terminal(&env, &format!("{flags} --help"));
    assert!(help("").contains('\x1b'), "help is colored on a terminal");
    for flags in [
        "--color never",
        "--no-color",
        "--color=never",
        "status --no-color",
    ] {
        let text = help(flags);
        assert!(!text.contains('\x1b'), "{flags}: {text:?}");
        assert!(text.contains("Usage:"), "{flags}: {text}");
    }
}

#[test]
fn a_slow_call_shows_one_progress_line_on_a_terminal_and_none_elsewhere() {
    let env = Env::with_profile();
    env.graph()
        .configure(|c| c.delay = std::time::Duration::from_millis(1800));
    // Not a terminal: nothing but the usual lines.
    let o = env.ok(&["inspect", "acme"]);
    o.stderr_lacks("inspecting");
    // In a terminal, the line shows up while Graph is slow.
    let screen = in_terminal(&env, "inspect acme");
    assert!(screen.contains("acme: inspecting…"), "{screen}");
    env.assert_no_secret(&screen);
}

/// `show`'s first line names the profile it showed.
fn shown(o: &crate::common::Out) -> String {
    o.stdout.lines().next().unwrap_or("").to_string()
}

#[test]
fn every_single_profile_command_picks_the_profile_by_the_same_routes() {
    let mut env = Env::with_profile();
    env.add("beta");
    editor_script(&mut env, "noop.sh", "true");
    let toml = env.dir.path().join("fbvault.toml");
    // Every single-profile command, by every route: NAME, -p NAME, FBVAULT_PROFILE and
    // fbvault.toml (`status` without a name shows every profile, so only the first two).
    let commands: &[&[&str]] = &[
        &["show"],
        &["inspect"],
        &["pages"],
        &["refresh"],
        &["env"],
        &["edit"],
        &["login", "--token-stdin"],
        &["status"],
    ];
    for cmd in commands {
        for route in ["name", "-p", "FBVAULT_PROFILE", "fbvault.toml"] {
            if cmd[0] == "status" && matches!(route, "FBVAULT_PROFILE" | "fbvault.toml") {
                continue;
            }
            let mut args = cmd.to_vec();
            let mut command = env.cmd();
            match route {
                "name" => args.insert(1, "beta"),
                "-p" => args.extend_from_slice(&["-p", "beta"]),
                "FBVAULT_PROFILE" => {
                    command.env("FBVAULT_PROFILE", "beta");
                }
                _ => std::fs::write(&toml, "profile = \"beta\"\n").unwrap(),
            }
            let token = format!("{}\n", env.graph().short_token());
            let o = crate::common::out(command.args(&args).write_stdin(token).assert());
            let _ = std::fs::remove_file(&toml);
            assert_eq!(o.code, 0, "{args:?} by {route}: {}", o.stderr);
            assert!(
                !o.stdout.contains("acme") && !o.stderr.contains("acme"),
                "{args:?} by {route} acted on acme: {}{}",
                o.stdout,
                o.stderr
            );
        }
    }
    let o = env.ok(&["run", "beta", "--", "sh", "-c", "echo $FB_ACCESS_TOKEN"]);
    let beta_token = o.stdout.trim().to_string();
    let o = env.ok(&[
        "run",
        "-p",
        "acme",
        "--",
        "sh",
        "-c",
        "echo $FB_ACCESS_TOKEN",
    ]);
    assert_ne!(o.stdout.trim(), beta_token);
    // Both at once is a usage error.
    env.run(&["show", "acme", "-p", "beta"]).fails(2);
    // Several profiles and nothing chosen: an error that lists them.
    env.run(&["show"]).fails(2).stderr_has("acme, beta");
    // FBVAULT_PROFILE, then fbvault.toml.
    env.set("FBVAULT_PROFILE", "beta");
    assert_eq!(shown(&env.ok(&["show"])), "profile        beta");
    env.set("FBVAULT_PROFILE", "");
    std::fs::write(env.dir.path().join("fbvault.toml"), "profile = \"acme\"\n").unwrap();
    assert_eq!(shown(&env.ok(&["show"])), "profile        acme");
    let o = env.ok(&["edit", "--help"]);
    o.stdout_has("-p, --profile");
    std::fs::remove_file(env.dir.path().join("fbvault.toml")).unwrap();
    // The only profile.
    env.ok(&["rm", "beta", "--yes"]);
    assert_eq!(shown(&env.ok(&["show"])), "profile        acme");
}

#[test]
fn a_misspelled_profile_gets_the_closest_names_and_a_forgotten_dash_dash_a_hint() {
    let env = Env::with_profile();
    for cmd in [
        "show", "inspect", "pages", "refresh", "status", "edit", "login",
    ] {
        env.run(&[cmd, "acem"])
            .fails(1)
            .stderr_has("no profile named `acem`")
            .stderr_has("did you mean `acme`?");
    }
    env.run(&["run", "-p", "acem", "--", "true"])
        .fails(1)
        .stderr_has("did you mean `acme`?");
    env.run(&["show", "zzzzzz"])
        .fails(1)
        .stderr_has("`fbvault list` shows the profiles");
    env.run(&["run", "-p", "acme", "python3", "x.py"])
        .fails(2)
        .stderr_has("put `--` before the command: fbvault run -p acme -- python3 x.py");
}

#[test]
fn completion_offers_profile_names_without_any_identity() {
    let env = Env::with_profile();
    env.add("acme-staging");
    std::fs::remove_file(env.identity()).unwrap();
    let complete = |words: &[&str]| {
        let mut cmd = env.cmd();
        cmd.env("COMPLETE", "fish")
            .arg("--")
            .arg("fbvault")
            .args(words);
        crate::common::out(cmd.assert()).stdout
    };
    let names = complete(&["show", "ac"]);
    assert_eq!(
        names.lines().collect::<Vec<_>>(),
        vec!["acme", "acme-staging"]
    );
    assert!(complete(&["run", "-p", ""]).contains("acme-staging"));
    assert!(complete(&["rm", "acme-"]).contains("acme-staging"));
    assert!(complete(&["resolve", "acme-"]).contains("acme-staging"));
    assert!(complete(&["rec"]).starts_with("recipients"));
    assert!(complete(&["status", "--wa"]).contains("--warn-days"));
    assert!(
        complete(&["run", "-p", "acme", "--", "sh"])
            .lines()
            .any(|l| l == "sh")
    );
    let script = env.ok(&["completions", "bash"]).stdout;
    assert!(
        script.contains("COMPLETE") && script.contains("fbvault"),
        "{script}"
    );
}

#[test]
fn every_command_speaks_json_under_json() {
    let env = Env::with_profile();
    let key = Env::new()
        .ok(&["identity", "new"])
        .stdout
        .trim()
        .to_string();
    let token = env.graph().short_token();
    let commands: Vec<(Vec<&str>, Option<&str>)> = vec![
        (vec!["init"], None),
        (vec!["identity", "show"], None),
        (vec!["list"], None),
        (vec!["status"], None),
        (vec!["show", "acme"], None),
        (vec!["inspect", "acme"], None),
        (vec!["pages", "acme"], None),
        (vec!["refresh", "acme", "--force"], None),
        (vec!["login", "acme", "--token-stdin"], Some(token.as_str())),
        (vec!["env", "acme"], None),
        (vec!["recipients", "list"], None),
        (vec!["recipients", "add", &key, "--name", "bob"], None),
        (vec!["recipients", "remove", "bob", "--yes"], None),
        (vec!["rekey"], None),
        (vec!["plugins", "list"], None),
        (vec!["git", "setup"], None),
        (vec!["resolve"], None),
        (vec!["rm", "acme", "--yes"], None),
    ];
    for (args, stdin) in commands {
        let mut full = vec!["--json"];
        full.extend_from_slice(&args);
        let o = match stdin {
            Some(s) => env.run_stdin(&full, &format!("{s}\n")),
            None => env.run(&full),
        };
        // Success: data or what it did on stdout; failure: the error on stderr.
        let text = if o.code == 0 { &o.stdout } else { &o.stderr };
        let value: serde_json::Value = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}\n{}", o.stdout, o.stderr));
        if args[0] != "env" {
            env.assert_no_secret(&o.stdout);
        }
        if let Some(ok) = value.get("ok") {
            assert_eq!(ok, &serde_json::Value::Bool(o.code == 0), "{args:?}");
        }
    }
}

fn editor_script(env: &mut Env, name: &str, script: &str) {
    let path = env.dir.path().join(name);
    executable(&path, format!("#!/bin/sh\n{script}\n"));
    env.set("EDITOR", path.to_str().unwrap());
}

#[test]
fn edit_refuses_bad_values_keeps_the_rejected_text_and_changes_nothing() {
    let mut env = Env::with_profile();
    editor_script(&mut env, "noop.sh", "true");
    let before = env.snapshot();
    let bad: &[(&str, &str)] = &[
        (
            r#"s/"app_id": "/"refresh_window_days": "abc", "app_id": "/"#,
            "refresh_window_days",
        ),
        (
            r#"s/"app_id": "/"refresh_window_days": "99", "app_id": "/"#,
            "from 0 to 60",
        ),
        (
            r#"s/"app_id": "/"refresh_windows_days": "5", "app_id": "/"#,
            "no setting `refresh_windows_days`",
        ),
        (
            r#"s/"app_id": "/"refresh_window_days": 5, "app_id": "/"#,
            "invalid type",
        ),
        (
            r#"s/"app_id": "[0-9]*"/"app_id": "12ab"/"#,
            "not a Meta app id",
        ),
    ];
    for (i, (sed, words)) in bad.iter().enumerate() {
        env.ok(&["edit", "acme", "--discard"]).stderr_has_nothing();
        editor_script(
            &mut env,
            &format!("bad-{i}.sh"),
            &format!("sed -i '{sed}' \"$1\""),
        );
        env.run(&["edit", "acme"])
            .fails(1)
            .stderr_has(words)
            .stderr_has("your text is kept");
        assert_eq!(
            before,
            env.snapshot(),
            "the vault is unchanged after {words}"
        );
        editor_script(&mut env, &format!("keep-{i}.sh"), "true");
    }
    // The next edit starts from the rejected text; fixing it saves.
    editor_script(
        &mut env,
        "fix.sh",
        r#"grep -q '"12ab"' "$1" || exit 3; sed -i 's/"12ab"/"100200300400500"/; s/"app_id": "/"refresh_window_days": "10", "app_id": "/' "$1""#,
    );
    let o = env.ok(&["edit", "acme"]);
    o.stderr_has("continuing from your rejected edit");
    let shown = env.ok(&["show", "acme", "--json"]).json();
    assert_eq!(shown["config"]["refresh_window_days"], "10");
    // Nothing is left to continue from.
    editor_script(
        &mut env,
        "look.sh",
        r#"grep -q '"12ab"' "$1" && exit 4; exit 0"#,
    );
    let o = env.ok(&["edit", "acme"]);
    o.stderr_lacks("continuing");
}

#[test]
fn a_misspelled_page_name_gets_the_closest_pages() {
    let env = Env::with_profile();
    let pages = env.ok(&["--json", "show", "acme"]).json();
    let label = pages["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|t| t["label"].as_str())
        .expect("a page with a name")
        .to_string();
    let typo = format!("{}x", &label[..label.len() - 1]);
    env.run(&["run", "-p", "acme", "--page", &typo, "--", "true"])
        .fails(1)
        .stderr_has(&format!("did you mean `{label}`?"));
}

#[test]
fn json_adds_nothing_to_the_output_of_runs_child() {
    let env = Env::with_profile();
    let o = env.ok(&["--json", "run", "--mask", "-p", "acme", "--", "echo", "hi"]);
    assert_eq!(o.stdout, "hi\n");
}

#[test]
fn arguments_that_are_not_utf8_never_crash_help_version_or_usage_errors() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let env = Env::with_vault();
    let odd = OsStr::from_bytes(b"\xff\xfe");
    for (args, code) in [
        (vec!["run", "-p", "x", "--help", "--"], 0),
        (vec!["--json", "--version", "--"], 0),
        (vec!["run", "-p", "x", "--no-such-flag", "--"], 2),
    ] {
        let o = crate::common::out(env.cmd().args(&args).arg(odd).assert());
        assert_eq!(o.code, code, "{args:?}: {}", o.stderr);
        assert!(!o.stderr.contains("panicked"), "{args:?}: {}", o.stderr);
    }
}
