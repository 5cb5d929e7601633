//! The command line's manners (SPEC §12): colors only where they belong, tables aligned by
//! display width, a quiet `status --check` for cron, and commands that need no vault
//! working with a broken `fbvault.toml`.

use crate::common::Env;

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
    assert!(o.stderr.contains("fbvault login empty"), "{}", o.stderr);
}

#[test]
fn commands_that_need_no_vault_work_with_a_broken_project_file() {
    let env = Env::new();
    std::fs::write(env.dir.path().join("fbvault.toml"), "profile = [unclosed\n").unwrap();
    let c = env.ok(&["completions", "bash"]);
    assert!(c.stdout.contains("fbvault"), "{}", c.stdout);
    env.ok(&["--help"]);
    env.ok(&["help", "run"]);
    let id = env.ok(&["identity", "new"]);
    assert!(id.stdout.starts_with("age1"));
    env.run(&["list"]).fails(1).stderr_has("fbvault.toml");
}

#[test]
fn a_slow_call_shows_one_progress_line_on_a_terminal_and_none_elsewhere() {
    let env = Env::with_profile();
    env.graph()
        .configure(|c| c.delay = std::time::Duration::from_millis(1800));
    // Not a terminal: nothing but the usual lines.
    let o = env.ok(&["inspect", "acme"]);
    assert!(!o.stderr.contains("inspecting"), "{}", o.stderr);
    // In a terminal (util-linux `script`), the line shows up while Graph is slow.
    let line = format!(
        "{} inspect acme",
        assert_cmd::cargo::cargo_bin!("fbvault").display()
    );
    let out = env
        .program("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) is installed");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("acme: inspecting…"), "{screen}");
    env.assert_no_secret(&screen);
}
