//! A shared vault that fails closed (SPEC §13, the vault side): what someone who can push
//! to the repository plants in the folder, and the machine states fbvault must not trust.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::common::{Env, Out};

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// fbvault as a user with no passwd entry (uid 4242, via `setpriv`) when the tests run as
/// root; as anyone else, as that user.
fn stranger_cmd(env: &Env) -> Command {
    if current_uid() != 0 {
        return env.std_cmd();
    }
    let mut c = env.program("setpriv");
    c.args(["--reuid=4242", "--regid=4242", "--clear-groups"])
        .arg(assert_cmd::cargo::cargo_bin!("fbvault"));
    c
}

fn run_as_stranger(env: &Env, args: &[&str], home: &Path) -> Out {
    let mut cmd = stranger_cmd(env);
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .current_dir("/")
        .args(args);
    let o = cmd.output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn current_uid() -> u32 {
    let o = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
}

fn chown_tree(path: &Path) {
    let ok = Command::new("chown")
        .args(["-R", "4242:4242"])
        .arg(path)
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn a_symlinked_lock_file_creates_nothing_where_it_points() {
    let env = Env::with_profile();
    let lock = env.vault().join(".fbvault.lock");
    let target = env.dir.path().join("planted-target");
    std::fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    env.run(&["list"]).fails(3).stderr_has("symbolic link");
    assert!(!target.exists(), "the link's target is never created");
}

/// Replaces `path` with a FIFO (nobody ever writes to it).
fn fifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success());
}

/// `fbvault ARGS` within a few seconds: a FIFO must never hang a command.
fn within_seconds(env: &Env, args: &[&str]) -> Out {
    let started = std::time::Instant::now();
    let o = crate::common::out(
        env.cmd()
            .args(args)
            .timeout(std::time::Duration::from_secs(5))
            .assert(),
    );
    assert!(
        started.elapsed().as_secs() < 5,
        "{args:?} hung: {}",
        o.stderr
    );
    o
}

#[test]
fn a_fifo_in_place_of_a_lock_or_vault_file_is_refused_without_hanging() {
    let env = Env::with_profile();
    env.add("beta");
    let before = env.snapshot();
    fifo(&env.vault().join(".fbvault.lock"));
    within_seconds(&env, &["list"])
        .fails(1)
        .stderr_has("is not a regular file");
    std::fs::remove_file(env.vault().join(".fbvault.lock")).unwrap();
    let locks = env.vault().join(".locks");
    std::fs::create_dir_all(&locks).unwrap();
    fifo(&locks.join("acme.lock"));
    within_seconds(&env, &["refresh", "acme", "--force"])
        .fails(1)
        .stderr_has("is not a regular file");
    std::fs::remove_file(locks.join("acme.lock")).unwrap();
    // A profile that is a FIFO is named; the other profiles still open.
    let saved = std::fs::read(env.profile_file("acme")).unwrap();
    fifo(&env.profile_file("acme"));
    let o = within_seconds(&env, &["list"]);
    assert_ne!(o.code, 0);
    o.stderr_has("acme").stderr_has("not a regular file");
    o.stdout_has("beta");
    std::fs::remove_file(env.profile_file("acme")).unwrap();
    std::fs::write(env.profile_file("acme"), saved).unwrap();
    assert_eq!(before, env.snapshot(), "nothing else changed");
}

#[test]
fn a_symlinked_profiles_folder_is_refused_and_its_target_left_alone() {
    let env = Env::with_profile();
    let elsewhere = env.dir.path().join("elsewhere");
    std::fs::rename(env.vault().join("profiles"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, env.vault().join("profiles")).unwrap();
    let before = std::fs::read(elsewhere.join("acme.age")).unwrap();
    env.run(&["rm", "acme", "--yes"])
        .fails(3)
        .stderr_has("profiles in the vault is a symbolic link");
    env.run(&["show", "acme"]).fails(3);
    assert_eq!(std::fs::read(elsewhere.join("acme.age")).unwrap(), before);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 1);
}

#[test]
fn a_planted_failure_mark_dated_in_the_future_does_not_stop_refreshes() {
    let mut env = Env::with_profile_lasting(3 * 86_400);
    let script = env.dir.path().join("age-it.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nsed -i -e 's/\"obtained_at\": \"[^\"]*\"/\"obtained_at\": \"2020-01-01T00:00:00Z\"/' -e 's/\"issued_at\": \"[^\"]*\"/\"issued_at\": \"2020-01-01T00:00:00Z\"/' \"$1\"\n",
    )
    .unwrap();
    chmod(&script, 0o755);
    env.set("EDITOR", script.to_str().unwrap());
    env.ok(&["edit", "acme"]);
    let locks = env.vault().join(".locks");
    std::fs::create_dir_all(&locks).unwrap();
    std::fs::write(locks.join("acme.refresh-failed"), "9999-12-31T23:59:59Z").unwrap();
    env.graph().clear_log();
    let o = env.ok(&["run", "-p", "acme", "--", "true"]);
    assert_eq!(
        env.graph().count("/oauth/access_token"),
        1,
        "the mark is ignored: {}",
        o.stderr
    );
    o.stderr_lacks("9999");
}

#[test]
fn no_home_and_no_pin_store_fails_closed() {
    let env = Env::with_profile();
    let home = env.dir.path().join("empty-home");
    std::fs::create_dir_all(&home).unwrap();
    let copy = env.dir.path().join("shared");
    let cp = Command::new("cp")
        .arg("-a")
        .arg(env.vault())
        .arg(&copy)
        .status()
        .unwrap();
    assert!(cp.success());
    let id = env.dir.path().join("id.txt");
    std::fs::copy(env.identity(), &id).unwrap();
    if current_uid() == 0 {
        chown_tree(env.dir.path());
        chmod(env.dir.path(), 0o755);
    }
    let mut cmd = stranger_cmd(&env);
    cmd.env_remove("HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .args([
            "--vault",
            copy.to_str().unwrap(),
            "--identity",
            id.to_str().unwrap(),
        ])
        .arg("list");
    let o = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    if current_uid() != 0 && std::env::var_os("HOME").is_some() {
        // A user with a passwd entry has a home: nothing to check here.
        return;
    }
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("no place to keep this machine's team-key pins"),
        "{stderr}"
    );
}

#[test]
fn loose_permissions_on_the_vault_and_the_pin_store_are_warned_about() {
    let env = Env::with_profile();
    let quiet = env.ok(&["list"]);
    quiet.stderr_lacks("writable");
    chmod(&env.vault(), 0o777);
    let o = env.ok(&["list"]);
    o.stderr_has("is writable by every user");
    chmod(&env.vault(), 0o700);
    let pins = env.home().join(".local/share/fbvault/pins.json");
    chmod(&pins, 0o666);
    let o = env.ok(&["list"]);
    o.stderr_has("pins.json is writable by every user");
}

#[test]
fn a_huge_planted_profile_is_refused_from_its_size() {
    let env = Env::with_profile();
    let huge = env.vault().join("profiles/huge.age");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let start = std::time::Instant::now();
    env.run(&["show", "huge"])
        .fails(3)
        .stderr_has("larger than any vault file");
    assert!(start.elapsed().as_secs() < 5, "refused without reading it");
    let list = env.run(&["list"]);
    assert_eq!(list.code, 3, "{}", list.stderr);
    assert!(
        list.stdout.contains("acme"),
        "the others still list: {}",
        list.stdout
    );
}

#[test]
fn a_read_only_vault_can_be_read() {
    let env = Env::with_profile();
    env.ok(&["list"]);
    let home = env.dir.path().join("reader");
    std::fs::create_dir_all(home.join(".config/fbvault")).unwrap();
    std::fs::copy(env.identity(), home.join(".config/fbvault/identity.txt")).unwrap();
    let vault = env.dir.path().join("ro-vault");
    let cp = Command::new("cp")
        .arg("-a")
        .arg(env.vault())
        .arg(&vault)
        .status()
        .unwrap();
    assert!(cp.success());
    if current_uid() == 0 {
        chown_tree(env.dir.path());
        chmod(env.dir.path(), 0o755);
    }
    let ro = Command::new("chmod")
        .args(["-R", "a-w"])
        .arg(&vault)
        .status()
        .unwrap();
    assert!(ro.success());
    let v = vault.to_str().unwrap();
    let o = run_as_stranger(&env, &["--vault", v, "show", "acme"], &home);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("acme"));
    let o = run_as_stranger(&env, &["--vault", v, "rm", "acme", "--yes"], &home);
    assert_ne!(o.code, 0, "a write fails: {}", o.stderr);
    Command::new("chmod")
        .args(["-R", "u+w"])
        .arg(&vault)
        .status()
        .unwrap();
}

#[test]
fn a_vault_json_that_disagrees_with_team_age_is_reported() {
    let env = Env::with_profile();
    let path = env.vault().join("vault.json");
    let mut info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    info["recipients"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"key": "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", "name": "reviewer-bait"}));
    std::fs::write(&path, serde_json::to_vec_pretty(&info).unwrap()).unwrap();
    let o = env.ok(&["list"]);
    assert!(
        o.stderr
            .contains("vault.json does not list the recipients team.age holds"),
        "{}",
        o.stderr
    );
}

#[test]
fn roll_forward_renames_only_what_a_rotation_writes() {
    let env = Env::with_profile();
    let v = env.vault();
    std::fs::write(v.join(".rekey-commit"), "").unwrap();
    std::fs::write(v.join("evil.next"), "planted").unwrap();
    std::fs::write(v.join("profiles/NOT A NAME.age.next"), "planted").unwrap();
    env.ok(&["list"]);
    assert!(!v.join("evil").exists());
    assert!(!v.join("profiles/NOT A NAME.age").exists());
    assert!(!v.join(".rekey-commit").exists());
}

#[test]
fn a_planted_recipient_name_is_shown_escaped() {
    let env = Env::with_profile();
    // A member's machine that writes a name with terminal escapes (what a forger could
    // put in team.age): through the library, since `recipients add` refuses it.
    let id = fbvault::vault::Identity::load(&env.identity(), &|_| None).unwrap();
    let vault = fbvault::vault::Vault::new(env.vault());
    let team = vault.team_unpinned(&id).unwrap();
    let mut list = team.recipients.clone();
    list.push(fbvault::vault::Recipient {
        key: Env::new()
            .ok(&["identity", "new"])
            .stdout
            .trim()
            .to_string(),
        name: Some("\r\u{1b}[2K\u{1b}[1Amallory".into()),
    });
    vault.rotate(&id, &team, list).unwrap();
    env.ok(&["recipients", "trust", "--yes"]);
    let o = env.ok(&["recipients", "list"]);
    assert!(
        !o.stdout.contains('\u{1b}') && !o.stdout.contains('\r'),
        "{:?}",
        o.stdout
    );
    o.stdout_has("\\r\\u{1b}[2K\\u{1b}[1Amallory");
    let t = env.ok(&["recipients", "trust", "--yes"]);
    assert!(!t.stderr.contains('\u{1b}'), "{:?}", t.stderr);
    t.stderr_has("2 recipients");
}
