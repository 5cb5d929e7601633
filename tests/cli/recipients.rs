//! Recipients and team keys: adding and removing members, rekeying, and recovering an
//! interrupted re-encryption.

use std::path::{Path, PathBuf};

use crate::common::{Env, private_copy};
use fbvault_graph_sandbox::DEMO_APP_SECRET;

/// A vault with one offline profile and a second identity (not yet a member).
fn team() -> (Env, PathBuf, String) {
    let env = Env::new();
    env.ok(&["init", "--name", "alice"]);
    env.add_with("acme", "1", DEMO_APP_SECRET, None, &[]);
    let bob = env.dir.path().join("bob.txt");
    let bob_key = env
        .ok(&[
            "--identity",
            bob.to_str().unwrap(),
            "--vault",
            env.dir.path().join("bobs").to_str().unwrap(),
            "init",
        ])
        .stdout
        .trim()
        .to_string();
    (env, bob, bob_key)
}

fn as_id(env: &Env, id: &Path, args: &[&str]) -> crate::common::Out {
    let mut all = vec!["--identity", id.to_str().unwrap()];
    all.extend_from_slice(args);
    env.run(&all)
}

#[test]
fn adding_a_recipient_lets_them_open_everything_and_rotates_the_team_key() {
    let (env, bob, bob_key) = team();
    as_id(&env, &bob, &["show", "acme"]).fails(3);
    let team_before = std::fs::read(env.vault().join("team.age")).unwrap();
    env.ok(&["recipients", "add", &bob_key, "--name", "bob"]);
    assert_ne!(
        team_before,
        std::fs::read(env.vault().join("team.age")).unwrap()
    );
    assert!(
        as_id(&env, &bob, &["show", "acme", "--reveal"])
            .stdout
            .contains(DEMO_APP_SECRET)
    );
    assert!(
        env.ok(&["show", "acme"]).stdout.contains("acme"),
        "alice still can"
    );
    let list = env.ok(&["recipients", "list"]).stdout;
    assert!(
        list.contains("bob") && list.contains("alice") && list.contains("(you)"),
        "{list}"
    );
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.vault().join("vault.json")).unwrap()).unwrap();
    assert_eq!(info["recipients"].as_array().unwrap().len(), 2);
    assert_eq!(info["generation"], 2);
    // Bob's copy opens with the age CLI too.
    let age = std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(&bob)
        .arg(env.profile_file("acme"))
        .output()
        .unwrap();
    assert!(age.status.success());
    env.ok(&["recipients", "add", &bob_key]);
    env.run(&["recipients", "add", "ssh-ed25519 nope"]).fails(2);
}

#[test]
fn an_ssh_recipient_can_open_the_vault() {
    let (env, _, _) = team();
    let key = private_copy("ssh_ed25519", env.dir.path());
    let public = std::fs::read_to_string(crate::common::fixture("ssh_ed25519.pub")).unwrap();
    env.ok(&["recipients", "add", public.trim()]);
    assert!(
        as_id(&env, &key, &["show", "acme", "--reveal"])
            .stdout
            .contains(DEMO_APP_SECRET)
    );
    assert!(
        env.ok(&["recipients", "list"])
            .stdout
            .contains("fbvault-test-only-ed25519"),
        "the key comment names it"
    );
}

#[test]
fn removing_a_recipient_locks_them_out_even_with_the_old_team_key() {
    let (env, bob, bob_key) = team();
    env.ok(&["recipients", "add", &bob_key, "--name", "bob"]);
    // What Bob could have kept: the old team key.
    let bob_id = fbvault::vault::Identity::load(&bob, &|_| None).unwrap();
    let old_team = fbvault::vault::Vault::new(env.vault())
        .team_unpinned(&bob_id)
        .unwrap();

    let o = env.ok(&["recipients", "remove", "bob", "--yes"]);
    o.stderr_has("rotate them");
    as_id(&env, &bob, &["show", "acme"]).fails(3);
    assert!(env.ok(&["show", "acme"]).stdout.contains("acme"));

    // A profile Bob forges with the old team key is refused.
    let alice = env.ok(&["identity", "show"]).stdout.trim().to_string();
    let mut forged =
        fbvault::vault::Profile::new(&"evil".parse().unwrap(), "facebook", chrono::Utc::now());
    forged.config.insert("app_id".into(), "1".into());
    forged.seal(&old_team.team_key);
    let bytes = fbvault::vault::encrypt(&[alice], &forged.to_plaintext()).unwrap();
    std::fs::write(env.profile_file("evil"), bytes).unwrap();
    // Refused, and not passed off as harmless: an earlier key is one a removed member knew.
    env.run(&["show", "evil"])
        .fails(3)
        .stderr_has("sealed with an earlier team key")
        .stderr_has("a member removed since");
    env.run(&["resolve", "evil"]).fails(2);
}

#[test]
fn removals_that_would_lock_everyone_out_are_refused() {
    let (env, _, _) = team();
    let before = env.snapshot();
    env.run(&["recipients", "remove", "alice"])
        .fails(1)
        .stderr_has("every recipient");
    env.run(&["recipients", "remove", "nobody"])
        .fails(1)
        .stderr_has("no recipient matches");
    assert_eq!(before, env.snapshot());
}

#[test]
fn removing_yourself_needs_confirmation() {
    let (env, _bob, bob_key) = team();
    env.ok(&["recipients", "add", &bob_key, "--name", "bob"]);
    let before = env.snapshot();
    env.run(&["recipients", "remove", "alice"])
        .fails(2)
        .stderr_has("--yes");
    assert_eq!(before, env.snapshot());
    env.ok(&["recipients", "remove", "alice", "--yes"]);
    env.run(&["show", "acme"]).fails(3);
}

#[test]
fn rekey_rotates_the_team_key_and_keeps_everything_readable() {
    let (env, _, _) = team();
    let before = env.snapshot();
    env.ok(&["rekey"]);
    let after = env.snapshot();
    assert_ne!(before[Path::new("team.age")], after[Path::new("team.age")]);
    assert_ne!(
        before[Path::new("profiles/acme.age")],
        after[Path::new("profiles/acme.age")]
    );
    assert!(
        env.ok(&["show", "acme", "--reveal"])
            .stdout
            .contains(DEMO_APP_SECRET)
    );
    assert!(
        after
            .keys()
            .all(|p| !p.to_string_lossy().ends_with(".next"))
    );
}

#[test]
fn rekey_and_remove_finish_past_a_planted_bad_profile_and_report_it() {
    let (env, bob, bob_key) = team();
    env.add_credentials("beta");
    let f = env.profile_file("acme");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
    let planted = std::fs::read(&f).unwrap();
    let beta_before = std::fs::read(env.profile_file("beta")).unwrap();
    let o = env.run(&["rekey"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    o.stderr_has("acme was left as it was");
    assert_ne!(
        std::fs::read(env.profile_file("beta")).unwrap(),
        beta_before
    );
    assert_eq!(
        std::fs::read(&f).unwrap(),
        planted,
        "the bad file is left alone"
    );
    env.ok(&["show", "beta"]);
    // The removal of a member is not blocked either.
    env.ok(&["recipients", "add", &bob_key, "--name", "bob"]);
    let o = env.run(&["recipients", "remove", "bob", "--yes"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.stderr_has("acme was left as it was");
    as_id(&env, &bob, &["show", "beta"]).fails(3);
}

#[test]
fn an_interrupted_rekey_is_finished_by_the_next_command() {
    let (env, _, _) = team();
    // What a rekey had written when it died after its commit mark: every new file as *.next.
    let copy = env.dir.path().join("copy");
    copy_dir(&env.vault(), &copy);
    // The rekey that died never recorded its pin: keep this one's elsewhere.
    let pins = env.dir.path().join("other-pins.json");
    let o = env
        .cmd()
        .env("FBVAULT_PINS", &pins)
        .args(["--vault", copy.to_str().unwrap(), "rekey"])
        .assert();
    assert!(o.get_output().status.success());
    for rel in ["team.age", "vault.json", "profiles/acme.age"] {
        std::fs::copy(copy.join(rel), env.vault().join(format!("{rel}.next"))).unwrap();
    }
    // Without the mark, the half-written files are ignored.
    let before: Vec<Vec<u8>> = ["team.age", "vault.json", "profiles/acme.age"]
        .iter()
        .map(|rel| std::fs::read(env.vault().join(rel)).unwrap())
        .collect();
    assert!(env.ok(&["show", "acme"]).stdout.contains("acme"));
    for (rel, bytes) in ["team.age", "vault.json", "profiles/acme.age"]
        .iter()
        .zip(&before)
    {
        assert_eq!(
            &std::fs::read(env.vault().join(rel)).unwrap(),
            bytes,
            "{rel} untouched without the mark"
        );
    }
    std::fs::write(env.vault().join(".rekey-commit"), "").unwrap();
    assert!(env.ok(&["show", "acme"]).stdout.contains("acme"));
    for rel in ["team.age", "vault.json", "profiles/acme.age"] {
        assert_eq!(
            std::fs::read(copy.join(rel)).unwrap(),
            std::fs::read(env.vault().join(rel)).unwrap(),
            "{rel} rolled forward"
        );
    }
    assert!(!env.vault().join(".rekey-commit").exists());
    assert!(
        env.snapshot()
            .keys()
            .all(|p| !p.to_string_lossy().ends_with(".next"))
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Runs fbvault as another machine: same vault folder, its own pins (data home).
fn elsewhere(env: &Env, id: &Path, args: &[&str]) -> crate::common::Out {
    let other_home = env.dir.path().join("other-machine");
    crate::common::out(
        env.cmd()
            .env("XDG_DATA_HOME", &other_home)
            .arg("--identity")
            .arg(id)
            .arg("--vault")
            .arg(env.vault())
            .args(args)
            .assert(),
    )
}

#[test]
fn a_team_file_written_with_only_the_public_keys_is_refused() {
    let (env, _bob, bob_key) = team();
    let alice = env.ok(&["identity", "show"]).stdout.trim().to_string();
    // Mallory knows both public keys and adds herself.
    let forged = fbvault::vault::Team::new(
        vec![
            fbvault::vault::Recipient {
                key: alice,
                name: Some("alice".into()),
            },
            fbvault::vault::Recipient {
                key: bob_key,
                name: Some("mallory".into()),
            },
        ],
        7,
    );
    let keys = forged.keys();
    let sealed = fbvault::vault::encrypt(&keys, &serde_json::to_vec(&forged).unwrap()).unwrap();
    std::fs::write(env.vault().join("team.age"), sealed).unwrap();
    let before = env.snapshot();
    let o = env.add_with("fresh", "1", "a-brand-new-secret", None, &[]);
    o.fails(3)
        .stderr_has("was replaced")
        .stderr_has("recipients trust");
    env.run(&["show", "acme"]).fails(3);
    env.run(&["run", "-p", "acme", "--", "true"]).fails(3);
    assert_eq!(before, env.snapshot(), "nothing was written to Mallory");
    assert!(!env.profile_file("fresh").exists());

    let o = env.run(&["recipients", "trust"]);
    assert_eq!(o.code, 2);
    o.stderr_has("--yes");
    let o = env.ok(&["recipients", "trust", "--yes"]);
    assert!(
        o.stderr.contains("mallory"),
        "trust shows who can open it: {}",
        o.stderr
    );
}

#[test]
fn a_rolled_back_team_file_is_refused() {
    let (env, _bob, bob_key) = team();
    env.ok(&["recipients", "add", &bob_key, "--name", "bob"]);
    let with_bob = env.snapshot();
    env.ok(&["recipients", "remove", "bob", "--yes"]);
    for (rel, bytes) in &with_bob {
        std::fs::write(env.vault().join(rel), bytes).unwrap();
    }
    env.run(&["show", "acme"])
        .fails(3)
        .stderr_has("older than the one this machine has seen: generation 2, but this machine has seen generation 3");
}

#[test]
fn a_teammates_rotations_are_accepted_on_the_next_read() {
    let (env, bob, bob_key) = team();
    env.ok(&["recipients", "add", &bob_key, "--name", "bob"]);
    // Bob, on his own machine, rotates twice while Alice is away.
    assert_eq!(elsewhere(&env, &bob, &["rekey"]).code, 0);
    assert_eq!(elsewhere(&env, &bob, &["rekey"]).code, 0);
    assert!(env.ok(&["show", "acme"]).stdout.contains("acme"));
    env.ok(&["list"]);
}

#[test]
fn init_again_after_deleting_the_vault_starts_a_new_pin() {
    let (env, _, _) = team();
    std::fs::remove_dir_all(env.vault()).unwrap();
    env.ok(&["init"]);
    env.ok(&["list"]);
}
