//! The vault core: init, identities, profiles on disk, integrity, permissions, interop.

use std::os::unix::fs::PermissionsExt;

use crate::common::{Env, executable, private_copy};
use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET};

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// A vault with one credentials-only profile (no network).
fn offline_profile(name: &str) -> Env {
    let env = Env::with_vault();
    env.add_credentials(name);
    env
}

#[test]
fn init_creates_a_private_vault_and_identity_and_prints_the_public_key() {
    let env = Env::new();
    let o = env.ok(&["init"]);
    let public = o.stdout.trim();
    assert!(public.starts_with("age1"), "{public}");
    assert_eq!(env.ok(&["identity", "show"]).stdout.trim(), public);
    for dir in [
        env.vault(),
        env.vault().join("profiles"),
        env.identity().parent().unwrap().to_path_buf(),
    ] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    for file in ["vault.json", "team.age", ".gitattributes"] {
        assert_eq!(mode(&env.vault().join(file)), 0o600, "{file}");
    }
    assert_eq!(mode(&env.identity()), 0o600);
    assert_eq!(
        std::fs::read_to_string(env.vault().join(".gitattributes")).unwrap(),
        "*.age diff=fbvault merge=fbvault\n/vault.json -merge\n"
    );
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.vault().join("vault.json")).unwrap()).unwrap();
    assert_eq!(info["recipients"][0]["key"], public);
    assert!(
        std::fs::read_to_string(env.vault().join("team.age"))
            .unwrap()
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----")
    );
}

#[test]
fn init_twice_changes_nothing_and_prints_the_key() {
    let env = Env::new();
    let first = env.ok(&["init"]);
    let before = env.snapshot();
    let again = env.ok(&["init"]);
    again.stderr_has("already exists");
    again.stderr_has("nothing to do");
    assert_eq!(again.stdout, first.stdout, "the same public key");
    assert_eq!(before, env.snapshot());
}

#[test]
fn init_with_a_bad_recipient_creates_nothing() {
    let env = Env::new();
    env.run(&["init", "--recipient", "age1notakey"])
        .fails(2)
        .stderr_has("not a recipient");
    assert!(!env.vault().exists());
    assert!(!env.identity().exists());
    let o = env.run(&[
        "init",
        "--recipient",
        "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
    ]);
    o.fails(2).stderr_has("private key");
    assert!(
        !o.stderr.contains("QQQQQQ"),
        "a private key is never echoed"
    );
}

#[test]
fn commands_without_a_vault_say_how_to_make_one() {
    let env = Env::new();
    env.run(&["list"]).fails(1).stderr_has("fbvault init");
}

#[test]
fn add_list_show_rm_round_trip_offline() {
    let env = offline_profile("acme");
    let file = env.profile_file("acme");
    assert_eq!(mode(&file), 0o600);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----")
    );

    let list = env.ok(&["list"]).stdout;
    assert!(
        list.contains("acme") && list.contains("facebook") && list.contains("missing"),
        "{list}"
    );
    let json = env.ok(&["list", "--json"]).json();
    assert_eq!(json[0]["profile"], "acme");
    assert_eq!(json[0]["state"], "missing");

    let shown = env.ok(&["show", "acme"]).stdout;
    assert!(
        shown.contains(DEMO_APP_ID) && !shown.contains(DEMO_APP_SECRET),
        "{shown}"
    );
    assert!(shown.contains("sand…1d4"), "masked like EAAB…9xQ: {shown}");
    let revealed = env.ok(&["show", "acme", "--reveal"]).stdout;
    assert!(revealed.contains(DEMO_APP_SECRET));
    let as_json = env.ok(&["show", "acme", "--json"]).json();
    assert_eq!(as_json["config"]["app_id"], DEMO_APP_ID);
    assert_ne!(as_json["secrets"]["app_secret"], DEMO_APP_SECRET);

    env.run(&["add", "acme", "--app-id", "1", "--no-exchange"])
        .fails(1)
        .stderr_has("already exists");
    env.run(&["rm", "acme"]).fails(2).stderr_has("--yes");
    assert!(file.exists(), "not deleted without confirmation");
    env.ok(&["rm", "acme", "--yes"]);
    assert!(!file.exists());
    env.run(&["show", "acme"])
        .fails(1)
        .stderr_has("no profile named `acme`");
    env.run(&["rm", "acme", "--yes"]).fails(1);
}

#[test]
fn add_without_a_secret_explains_where_secrets_come_from() {
    let env = Env::with_vault();
    let o = env.run(&["add", "acme", "--app-id", "123", "--no-exchange"]);
    o.fails(1)
        .stderr_has("app_secret")
        .stderr_has("--app-secret-stdin");
    assert!(!env.profile_file("acme").exists());
}

#[test]
fn add_reads_app_credentials_from_the_environment() {
    let mut env = Env::with_vault();
    env.set("APP_ID", "4242");
    env.set("APP_SECRET", "from-env-secret-value");
    env.ok(&["add", "envy", "--from-env", "--no-exchange"]);
    let shown = env.revealed("envy");
    assert_eq!(shown["config"]["app_id"], "4242");
    assert_eq!(shown["secrets"]["app_secret"], "from-env-secret-value");
}

#[test]
fn invalid_names_are_refused_before_any_file_is_touched() {
    let env = offline_profile("acme");
    let before = env.snapshot();
    for bad in [
        "Acme",
        "../acme",
        "a/b",
        ".hidden",
        "a b",
        "é",
        &"a".repeat(65),
    ] {
        env.run(&["add", bad, "--app-id", "1", "--no-exchange"])
            .fails(2)
            .stderr_has("invalid profile name");
        env.run(&["show", bad])
            .fails(2)
            .stderr_has("invalid profile name");
        env.run(&["run", "-p", bad, "--", "true"])
            .fails(2)
            .stderr_has("invalid profile name");
    }
    env.run(&["show", "--", "-x"])
        .fails(2)
        .stderr_has("invalid profile name");
    assert_eq!(before, env.snapshot());
    assert!(!env.vault().parent().unwrap().join("acme.age").exists());
}

#[test]
fn global_flags_work_after_the_subcommand_and_from_the_environment() {
    let env = offline_profile("acme");
    let elsewhere = env.dir.path().join("elsewhere");
    std::fs::rename(env.vault(), &elsewhere).unwrap();
    env.run(&["list"]).fails(1);
    assert!(
        env.ok(&["list", "--vault", elsewhere.to_str().unwrap()])
            .stdout
            .contains("acme")
    );
    assert!(
        env.ok(&["--vault", elsewhere.to_str().unwrap(), "list"])
            .stdout
            .contains("acme")
    );
    let mut env = env;
    env.set("FBVAULT_DIR", elsewhere.to_str().unwrap());
    assert!(env.ok(&["list", "-q"]).stdout.contains("acme"));
}

#[test]
fn a_wrong_identity_exits_3_and_says_what_to_do() {
    let env = offline_profile("acme");
    let other = env.dir.path().join("other.txt");
    let other_vault = env.dir.path().join("other-vault");
    env.ok(&[
        "--identity",
        other.to_str().unwrap(),
        "--vault",
        other_vault.to_str().unwrap(),
        "init",
    ]);
    let o = env.run(&["--identity", other.to_str().unwrap(), "show", "acme"]);
    o.fails(3)
        .stderr_has("not one of its recipients")
        .stderr_has("recipients add");
    env.run(&["--identity", other.to_str().unwrap(), "list"])
        .fails(3);
    env.run(&["--identity", "/nonexistent/id.txt", "list"])
        .fails(3)
        .stderr_has("no identity");
    std::fs::write(&other, "hello\n").unwrap();
    env.run(&["--identity", other.to_str().unwrap(), "list"])
        .fails(3)
        .stderr_has("not a usable identity");
}

fn damaged(env: &Env, name: &str, expect: &str) {
    let before = env.snapshot();
    env.run(&["show", name]).fails(3).stderr_has(expect);
    // The other profile is still usable, and list reports the bad one without hiding the good one.
    assert!(env.ok(&["show", "good"]).stdout.contains("good"));
    let list = env.run(&["list"]);
    assert_eq!(list.code, 3, "{}", list.stderr);
    list.stdout_has("good");
    list.stderr_has(name);
    assert_eq!(before, env.snapshot(), "reading changes nothing");
}

fn two_profiles() -> Env {
    let env = offline_profile("acme");
    env.add_with("good", "7", "s3cret-of-good", None, &[]);
    env
}

#[test]
fn a_truncated_profile_is_refused_and_the_others_stay_usable() {
    let env = two_profiles();
    let f = env.profile_file("acme");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() * 2 / 3]).unwrap();
    damaged(&env, "acme", "damaged");
}

#[test]
fn a_byte_flipped_profile_is_refused() {
    let env = two_profiles();
    let f = env.profile_file("acme");
    let mut text = std::fs::read_to_string(&f).unwrap();
    // Flip one character of the last full (64-character) armor line: the payload.
    let target = text.lines().rfind(|l| l.len() == 64).unwrap().to_string();
    let mut flipped: Vec<char> = target.chars().collect();
    flipped[5] = if flipped[5] == 'A' { 'B' } else { 'A' };
    text = text.replacen(&target, &flipped.into_iter().collect::<String>(), 1);
    std::fs::write(&f, text).unwrap();
    damaged(&env, "acme", "damaged");
}

#[test]
fn a_renamed_profile_is_refused() {
    let env = two_profiles();
    std::fs::copy(env.profile_file("acme"), env.profile_file("swapped")).unwrap();
    damaged(&env, "swapped", "integrity check");
}

#[test]
fn a_profile_forged_with_only_the_public_key_is_refused() {
    let env = two_profiles();
    let public = env.ok(&["identity", "show"]).stdout.trim().to_string();
    let forged = serde_json::json!({
        "format": 1, "name": "forged", "provider": "facebook",
        "config": {"app_id": "666", "graph_url": "https://evil.example"},
        "secrets": {"app_secret": "x"}, "tokens": [],
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        "mac": "00".repeat(32),
    });
    let sealed = fbvault::vault::encrypt(&[public], forged.to_string().as_bytes()).unwrap();
    std::fs::write(env.profile_file("forged"), sealed).unwrap();
    damaged(&env, "forged", "integrity check");
}

#[test]
fn edit_validates_and_saves_through_a_private_temporary_file() {
    let env = offline_profile("acme");
    let (editor, log) = env.logging_editor(|log| {
        format!("stat -c %a \"$1\" > {log}\nstat -c %a \"$(dirname \"$1\")\" >> {log}\necho \"$1\" >> {log}\ncp \"$1\" \"$1.swp\"\nsed -i 's/\"app_id\": \"{DEMO_APP_ID}\"/\"app_id\": \"777\"/' \"$1\"\n")
    });
    let mut env = env;
    env.set("EDITOR", editor.to_str().unwrap());
    env.ok(&["edit", "acme"]);
    let logged = std::fs::read_to_string(&log).unwrap();
    let mut lines = logged.lines();
    assert_eq!(lines.next(), Some("600"), "the plaintext file is private");
    assert_eq!(lines.next(), Some("700"), "in a private folder");
    let temp = std::path::Path::new(lines.next().unwrap());
    assert!(
        !temp.exists(),
        "the plaintext file is removed: {}",
        temp.display()
    );
    assert!(
        !temp.parent().unwrap().exists(),
        "with the editor's swap file"
    );
    assert_eq!(
        env.ok(&["show", "acme", "--json"]).json()["config"]["app_id"],
        "777"
    );
}

fn editing_with(script: &str) -> (Env, crate::common::Out, crate::common::Snapshot) {
    let mut env = offline_profile("acme");
    let editor = env.dir.path().join("editor.sh");
    executable(&editor, format!("#!/bin/sh\n{script}\n"));
    env.set("EDITOR", editor.to_str().unwrap());
    let before = env.snapshot();
    let o = env.run(&["edit", "acme"]);
    (env, o, before)
}

#[test]
fn an_invalid_edit_is_refused_and_the_profile_left_as_it_was() {
    for (script, expect) in [
        ("echo '{ not json' > \"$1\"", "not valid JSON"),
        ("sed -i 's/\"app_id\"/\"app_idx\"/' \"$1\"", "app_id"),
        (
            "sed -i 's/\"name\": \"acme\"/\"name\": \"other\"/' \"$1\"",
            "cannot be renamed",
        ),
        (
            "sed -i 's/\"format\": 1/\"format\": \"one\"/' \"$1\"",
            "unchanged",
        ),
        ("exit 3", "editor exited"),
    ] {
        let (env, o, before) = editing_with(script);
        o.fails(1).stderr_has(expect).stderr_has("unchanged");
        assert_eq!(before, env.snapshot(), "{script}");
    }
}

#[test]
fn signals_during_edit_never_leave_the_plaintext_behind() {
    // SIGHUP (terminal closed) and SIGTERM stop the edit; SIGINT is the editor's business.
    for (signal, expect) in [
        ("HUP", "interrupted"),
        ("TERM", "interrupted"),
        ("INT", "unchanged"),
    ] {
        edit_receiving(signal, expect);
    }
}

fn edit_receiving(signal: &str, expect: &str) {
    let env = offline_profile("acme");
    let (editor, log) = env.logging_editor(|log| {
        format!("echo \"$1\" > {log}.tmp; mv {log}.tmp {log}\nsleep 1\necho '{{}}' > \"$1\"\n")
    });
    let before = env.snapshot();
    let child = env
        .std_cmd()
        .env("EDITOR", &editor)
        .args(["edit", "acme"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while !log.exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    crate::common::send_signal(child.id(), signal);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "fbvault survived SIG{signal} to clean up"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(expect), "SIG{signal}: {stderr}");
    let temp = std::fs::read_to_string(&log).unwrap();
    let temp = std::path::Path::new(temp.trim());
    assert!(
        !temp.parent().unwrap().exists(),
        "the plaintext folder is gone"
    );
    assert_eq!(before, env.snapshot());
}

#[test]
fn an_unchanged_edit_writes_nothing() {
    let (env, o, before) = editing_with("true");
    assert_eq!(o.code, 0);
    assert!(o.stderr.contains("no changes"));
    assert_eq!(before, env.snapshot());
}

#[test]
fn ssh_ed25519_and_rsa_keys_work_as_identities() {
    for key in ["ssh_ed25519", "ssh_rsa"] {
        let env = Env::new();
        let id = private_copy(key, env.dir.path());
        let id = id.to_str().unwrap();
        let o = env.ok(&["--identity", id, "init"]);
        let expected =
            std::fs::read_to_string(crate::common::fixture(&format!("{key}.pub"))).unwrap();
        let expected: Vec<&str> = expected.split_whitespace().take(2).collect();
        assert_eq!(o.stdout.trim(), expected.join(" "), "{key}");
        env.add_with("acme", "1", "ssh-secret-value", None, &["--identity", id]);
        assert!(
            env.ok(&["--identity", id, "show", "acme", "--reveal"])
                .stdout
                .contains("ssh-secret-value")
        );
        assert_eq!(
            env.ok(&["--identity", id, "identity", "show"])
                .stdout
                .trim(),
            expected.join(" ")
        );
    }
}

/// A vault made with a plain identity, encrypted to the passphrase-protected SSH key too.
/// Returns the env, the plain identity, the SSH key and its public key.
fn passphrase_vault() -> (Env, std::path::PathBuf, std::path::PathBuf, String) {
    let env = Env::new();
    let plain = env.dir.path().join("plain.txt");
    let id = private_copy("ssh_ed25519_passphrase", env.dir.path());
    let public =
        std::fs::read_to_string(crate::common::fixture("ssh_ed25519_passphrase.pub")).unwrap();
    env.ok(&[
        "--identity",
        plain.to_str().unwrap(),
        "init",
        "--recipient",
        public.trim(),
    ]);
    (env, plain, id, public)
}

#[test]
fn a_passphrase_protected_ssh_key_without_a_terminal_fails_clearly() {
    let (env, _, id, public) = passphrase_vault();
    // The public half is readable without the passphrase.
    let shown = env
        .ok(&["--identity", id.to_str().unwrap(), "identity", "show"])
        .stdout;
    assert!(public.starts_with(shown.trim()), "{shown}");
    env.run(&["--identity", id.to_str().unwrap(), "list"])
        .fails(3)
        .stderr_has("passphrase")
        .stderr_has("terminal");
}

#[test]
fn a_passphrase_protected_ssh_key_asks_on_the_terminal_without_echo() {
    let (env, plain, id, _) = passphrase_vault();
    env.add_with(
        "acme",
        "1",
        "pty-secret-value",
        None,
        &["--identity", plain.to_str().unwrap()],
    );
    // `script` gives fbvault a terminal (a pty) whose input is our stdin.
    let in_terminal = |typed: &str| {
        let line = format!(
            "{} --identity {} show acme --reveal; code=$?; stty -a | grep -qE '(^| )-echo( |$)' && echo ECHO-OFF; exit $code",
            assert_cmd::cargo::cargo_bin!("fbvault").display(),
            id.display()
        );
        let mut child = env
            .program("script")
            .args(["-qec", &line, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("`script` (util-linux) is installed");
        let mut stdin = child.stdin.take().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(500));
        std::io::Write::write_all(&mut stdin, typed.as_bytes()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, screen) = in_terminal("correct horse\n");
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("Passphrase for"), "{screen}");
    assert!(screen.contains("pty-secret-value"), "{screen}");
    assert!(
        !screen.contains("correct horse"),
        "the passphrase is not echoed: {screen}"
    );
    assert!(!screen.contains("ECHO-OFF"), "{screen}");
    let (code, screen) = in_terminal("wrong\n");
    assert_eq!(code, Some(3), "{screen}");
    assert!(screen.contains("wrong passphrase"), "{screen}");
    // Ctrl-C at the prompt: fbvault stops as interrupted and the terminal echoes again.
    let (code, screen) = in_terminal("\u{3}");
    assert_eq!(code, Some(130), "{screen}");
    assert!(!screen.contains("ECHO-OFF"), "echo is restored: {screen}");
}

#[test]
fn profiles_open_with_the_reference_age_cli() {
    let env = offline_profile("acme");
    let age = std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(env.identity())
        .arg(env.profile_file("acme"))
        .output()
        .expect("the `age` CLI is installed (.ci/run installs Debian's age package)");
    assert!(
        age.status.success(),
        "{}",
        String::from_utf8_lossy(&age.stderr)
    );
    let profile: serde_json::Value = serde_json::from_slice(&age.stdout).unwrap();
    assert_eq!(profile["name"], "acme");
    assert_eq!(profile["secrets"]["app_secret"], DEMO_APP_SECRET);
    let team = std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(env.identity())
        .arg(env.vault().join("team.age"))
        .output()
        .unwrap();
    assert!(team.status.success());
}

#[test]
fn no_secret_reaches_any_output_or_cleartext_file() {
    // A profile with real (sandbox) tokens: the app secret, the user and the page tokens.
    let env = Env::with_profile();
    assert!(env.secrets().len() > 4);
    let mut seen = String::new();
    for args in [
        &["list"][..],
        &["status"],
        &["show", "acme"],
        &["show", "acme", "--json"],
        &["list", "--json"],
        &["identity", "show"],
    ] {
        let o = env.ok(args);
        seen.push_str(&o.stdout);
        seen.push_str(&o.stderr);
    }
    env.assert_no_secret(&seen);
    for (path, bytes) in env.snapshot() {
        // Every file, encrypted or not, holds no secret in clear.
        env.assert_no_secret(&String::from_utf8_lossy(&bytes));
        assert!(
            path.extension().is_some_and(|e| e == "age")
                || !String::from_utf8_lossy(&bytes).contains("app_secret")
        );
    }
}

#[test]
fn completions_are_printed() {
    let env = Env::new();
    let o = env.ok(&["completions", "bash"]);
    // The script calls fbvault back (dynamic completion, see manners.rs).
    assert!(o.stdout.contains("fbvault") && o.stdout.contains("COMPLETE"));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(
            !env.ok(&["completions", shell]).stdout.is_empty(),
            "{shell}"
        );
    }
    env.run(&["completions", "tcsh"]).fails_usage();
}

trait Usage {
    fn fails_usage(&self);
}

impl Usage for crate::common::Out {
    fn fails_usage(&self) {
        assert_eq!(self.code, 2, "{}", self.stderr);
    }
}

#[test]
fn concurrent_edits_and_reads_all_succeed() {
    let env = offline_profile("acme");
    let env = std::sync::Arc::new(env);
    let writer = {
        let env = env.clone();
        std::thread::spawn(move || {
            for i in 0..15 {
                let dir = env.dir.path().join(format!("ed{i}"));
                std::fs::create_dir_all(&dir).unwrap();
                let editor = dir.join("e.sh");
                executable(
                    &editor,
                    format!(
                        "#!/bin/sh\nsed -i 's/\"app_id\": \"[0-9]*\"/\"app_id\": \"{i}\"/' \"$1\"\n"
                    ),
                );
                let o = crate::common::out(
                    env.cmd()
                        .env("EDITOR", &editor)
                        .args(["edit", "acme"])
                        .assert(),
                );
                assert_eq!(o.code, 0, "{}", o.stderr);
            }
        })
    };
    for _ in 0..30 {
        let o = env.run(&["show", "acme", "--json"]);
        assert_eq!(o.code, 0, "a reader failed mid-write: {}", o.stderr);
    }
    writer.join().unwrap();
}

#[test]
fn output_that_cannot_be_written_is_an_error_not_a_success() {
    let env = offline_profile("acme");
    for args in [
        &["completions", "zsh"][..],
        &["list"],
        &["show", "acme", "--json"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = env.std_cmd().args(args).stdout(full).output().unwrap();
        let o = crate::common::Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        o.fails(1).stderr_has("cannot write the output");
    }
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let mut env = offline_profile("acme");
    env.set("FBVAULT_DIR", "");
    env.set("FBVAULT_IDENTITY", "");
    env.set("FBVAULT_PROFILE", "");
    assert!(env.ok(&["list"]).stdout.contains("acme"));
    let mut env = env;
    env.set("FBVAULT_PROFILE", "Bad Name");
    env.run(&["env"]).fails(2).stderr_has("FBVAULT_PROFILE");
}

#[test]
fn app_ids_and_graph_versions_are_checked_when_added() {
    let env = Env::with_vault();
    env.add_with("a", "abc", "s3cret", None, &[])
        .fails(1)
        .stderr_has("not a Meta app id");
    env.add_with(
        "b",
        "123",
        "s3cret",
        None,
        &["--graph-version", "v25.0/../x"],
    )
    .fails(1)
    .stderr_has("not a Graph API version");
    env.add_with("c", "123", "s3cret", None, &["--graph-version", "v23.0"]);
    assert!(!env.profile_file("a").exists() && !env.profile_file("b").exists());
}

#[test]
fn init_in_a_repository_names_the_git_setup_command_that_works_from_here() {
    let env = Env::new();
    let repo = env.dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    let git = env
        .program("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .status()
        .unwrap();
    assert!(git.success());
    let run = |args: &[&str]| crate::common::out(env.cmd().args(args).current_dir(&repo).assert());
    let o = run(&["--vault", "vault", "init"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let hint = "run `fbvault --vault vault git setup`";
    assert!(o.stderr.contains(hint), "{}", o.stderr);
    // The command as printed, from the same folder.
    let o = run(&["--vault", "vault", "git", "setup"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let attributes = std::fs::read_to_string(repo.join("vault/.gitattributes")).unwrap();
    assert!(attributes.contains("merge=fbvault"), "{attributes}");
}
