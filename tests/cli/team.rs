//! Team life in git (SPEC §8): real repositories — a bare remote and clones, one HOME and
//! identity per member — with fbvault as git's textconv and merge driver.

use std::path::{Path, PathBuf};

use crate::common::{Env, Out, executable, fixture, private_copy};
use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET};

/// The folder holding the `fbvault` binary, for git to find `fbvault diff`/`merge`.
fn bin_dir() -> PathBuf {
    Path::new(assert_cmd::cargo::cargo_bin!("fbvault"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// One member: a HOME, a clone of the team repository at `repo/`, the vault at
/// `repo/vault`.
pub struct Member {
    pub env: Env,
    pub repo: PathBuf,
}

fn out(o: std::process::Output) -> Out {
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

impl Member {
    /// A member with a fresh HOME; `graph` is the Graph sandbox URL everyone uses.
    pub fn new(name: &str, graph: &str) -> Member {
        let mut env = Env::new();
        let repo = env.dir.path().join("repo");
        let path = format!(
            "{}:{}",
            bin_dir().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        env.set("PATH", &path);
        env.set("FBVAULT_GRAPH_URL", graph);
        env.set("FBVAULT_DIR", repo.join("vault").to_str().unwrap());
        env.set("USER", name);
        for var in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] {
            env.set(var, name);
        }
        for var in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] {
            env.set(var, &format!("{name}@example.com"));
        }
        env.set("GIT_CONFIG_NOSYSTEM", "1");
        Member { env, repo }
    }

    /// Runs git in the clone, in this member's environment.
    pub fn git(&self, args: &[&str]) -> Out {
        let o = self
            .env
            .program("git")
            .current_dir(&self.repo)
            .args(args)
            .output()
            .unwrap();
        out(o)
    }

    /// Runs git and requires success.
    pub fn git_ok(&self, args: &[&str]) -> Out {
        let o = self.git(args);
        assert_eq!(o.code, 0, "git {args:?}: {}{}", o.stdout, o.stderr);
        o
    }

    /// fbvault in the clone's folder.
    pub fn fb(&self, args: &[&str]) -> Out {
        let o = self
            .env
            .std_cmd()
            .current_dir(&self.repo)
            .args(args)
            .output()
            .unwrap();
        out(o)
    }

    pub fn fb_stdin(&self, args: &[&str], stdin: &str) -> Out {
        out(assert_cmd::Command::from_std({
            let mut c = self.env.std_cmd();
            c.current_dir(&self.repo).args(args);
            c
        })
        .write_stdin(stdin.to_string())
        .assert()
        .get_output()
        .clone())
    }

    pub fn fb_ok(&self, args: &[&str]) -> Out {
        let o = self.fb(args);
        assert_eq!(o.code, 0, "fbvault {args:?}: {}{}", o.stdout, o.stderr);
        o
    }

    pub fn profile(&self, name: &str) -> PathBuf {
        self.repo.join("vault/profiles").join(format!("{name}.age"))
    }

    /// The public key of this member's identity.
    pub fn public_key(&self) -> String {
        self.fb_ok(&["identity", "show"]).stdout.trim().to_string()
    }

    /// `fbvault add NAME` with the demo app and `token`.
    pub fn add(&self, token: &str, name: &str) {
        let args = [
            "add",
            name,
            "--app-id",
            DEMO_APP_ID,
            "--app-secret-stdin",
            "--token-stdin",
        ];
        let o = self.fb_stdin(&args, &format!("{DEMO_APP_SECRET}\n{token}\n"));
        assert_eq!(o.code, 0, "add {name}: {}", o.stderr);
    }

    /// `fbvault edit NAME` with `script` (a shell line; the file is `$1`) as the editor.
    pub fn edit_with(&self, name: &str, script: &str) {
        let path = self.env.dir.path().join(format!("edit-{name}.sh"));
        executable(&path, format!("#!/bin/sh\n{script}\n"));
        let o = self
            .env
            .std_cmd()
            .current_dir(&self.repo)
            .env("EDITOR", &path)
            .args(["edit", name])
            .output()
            .unwrap();
        assert!(o.status.success(), "edit {name}: {o:?}");
    }

    /// `git pull` (a merge) from the remote.
    pub fn pull(&self) {
        self.git_ok(&["pull", "-q", "--no-rebase", "origin", "main"]);
    }

    /// Commits everything and pushes.
    pub fn commit_push(&self, message: &str) {
        self.git_ok(&["add", "-A"]);
        self.git_ok(&["commit", "-q", "-m", message]);
        self.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    }

    /// `git status --porcelain` is empty.
    pub fn assert_clean(&self, after: &str) {
        let st = self.git_ok(&["status", "--porcelain"]);
        assert_eq!(st.stdout, "", "git status not clean after {after}");
    }
}

/// A team: a sandbox, a bare remote, and alice, who created the vault with profile
/// `acme` and pushed it.
pub struct Team {
    pub graph: Env,
    pub remote: PathBuf,
    pub alice: Member,
}

impl Team {
    pub fn new() -> Team {
        let graph = Env::with_graph();
        let remote = graph.dir.path().join("remote.git");
        let url = graph.graph().url().to_string();
        let alice = Member::new("alice", &url);
        let init = alice
            .env
            .program("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&remote)
            .output()
            .unwrap();
        assert!(init.status.success());
        let clone = alice
            .env
            .program("git")
            .args(["clone", "-q"])
            .arg(&remote)
            .arg(&alice.repo)
            .output()
            .unwrap();
        assert!(clone.status.success(), "{:?}", clone);
        alice.fb_ok(&["init"]);
        alice.fb_ok(&["git", "setup"]);
        alice.add(&graph.graph().short_token(), "acme");
        alice.commit_push("vault with acme");
        Team {
            graph,
            remote,
            alice,
        }
    }

    /// A new member who cloned the repository (not yet a recipient).
    pub fn clone_member(&self, name: &str) -> Member {
        let m = Member::new(name, self.graph.graph().url());
        let o = m
            .env
            .program("git")
            .args(["clone", "-q", "-b", "main"])
            .arg(&self.remote)
            .arg(&m.repo)
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        m
    }

    /// A member that alice added (`identity new` + `recipients add`), pulled, with git set up.
    pub fn joined(&self, name: &str) -> Member {
        let m = self.clone_member(name);
        let key = m.fb_ok(&["identity", "new"]).stdout.trim().to_string();
        self.alice.pull();
        self.alice
            .fb_ok(&["recipients", "add", &key, "--name", name]);
        self.alice.commit_push(&format!("add {name}"));
        m.pull();
        m.fb_ok(&["git", "setup"]);
        m
    }

    /// A team where bob joined too, and alice has pulled since.
    pub fn with_bob() -> (Team, Member) {
        let team = Team::new();
        let bob = team.joined("bob");
        team.alice.pull();
        (team, bob)
    }

    /// Every secret of the world (app secrets, every token the sandbox minted, alice's key).
    pub fn secrets(&self) -> Vec<String> {
        let mut s = self.graph.secrets();
        s.extend(key_lines(&self.alice));
        s
    }

    pub fn assert_no_secret(&self, text: &str) {
        for secret in self.secrets() {
            assert!(!text.contains(&secret), "a secret leaked into: {text}");
        }
    }

    /// A fresh short-lived token for a login.
    pub fn token(&self) -> String {
        self.graph.graph().short_token()
    }
}

/// Whether the reference `age` CLI opens `file` with `identity`.
fn age_opens(identity: &Path, file: &Path) -> bool {
    std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(identity)
        .arg(file)
        .output()
        .unwrap()
        .status
        .success()
}

/// The public key of a new identity that belongs to nobody in the team.
fn stranger_key() -> String {
    Env::new()
        .ok(&["identity", "new"])
        .stdout
        .trim()
        .to_string()
}

fn key_lines(m: &Member) -> Vec<String> {
    std::fs::read_to_string(m.env.identity())
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("AGE-SECRET-KEY-"))
        .map(str::to_string)
        .collect()
}

/// Logs `m` in to `name` with a fresh short-lived token; returns the stored user token.
fn login(m: &Member, team: &Team, name: &str) -> String {
    let token = team.token();
    let o = m.fb_stdin(&["login", name, "--token-stdin"], &format!("{token}\n"));
    assert_eq!(o.code, 0, "login: {}", o.stderr);
    injected(m)
}

/// The user token fbvault would inject for `acme`.
fn injected(m: &Member) -> String {
    m.fb_ok(&["env", "-p", "acme", "--format", "json"]).json()["FB_USER_ACCESS_TOKEN"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn init_keeps_every_line_of_an_existing_gitignore_and_gitattributes() {
    let env = Env::new();
    let repo = env.dir.path().join("project");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join(".gitignore"), "node_modules/\n.env").unwrap();
    std::fs::write(repo.join(".gitattributes"), "*.png binary\n").unwrap();
    let o = env.ok(&["init", "--vault", repo.to_str().unwrap()]);
    let ignore = std::fs::read_to_string(repo.join(".gitignore")).unwrap();
    assert!(ignore.starts_with("node_modules/\n.env\n"), "{ignore}");
    assert!(ignore.contains(".fbvault.lock\n") && ignore.contains(".locks/\n"));
    let attrs = std::fs::read_to_string(repo.join(".gitattributes")).unwrap();
    assert_eq!(
        attrs,
        "*.png binary\n*.age diff=fbvault merge=fbvault\n/vault.json -merge\n"
    );
    assert!(
        !o.stderr.contains(" . "),
        "the folder is named in full: {}",
        o.stderr
    );
}

#[test]
fn git_diff_and_log_show_changes_through_the_textconv_with_no_secret() {
    let team = Team::new();
    let a = &team.alice;
    let old = injected(a);
    login(a, &team, "acme");
    let diff = a.git_ok(&["diff"]);
    diff.stdout_has("\"revision\"");
    assert!(
        diff.stdout.contains("EAA") && diff.stdout.contains('…'),
        "{}",
        diff.stdout
    );
    team.assert_no_secret(&diff.stdout);
    assert!(!diff.stdout.contains(&old));
    a.commit_push("login");
    let log = a.git_ok(&["log", "-p"]);
    log.stdout_has("\"team_key\": \"***\"");
    team.assert_no_secret(&log.stdout);
    team.assert_no_secret(&log.stderr);
}

#[test]
fn two_logins_merge_with_the_driver_keeping_the_later_token() {
    let (team, bob) = Team::with_bob();
    let a = &team.alice;
    login(a, &team, "acme");
    a.commit_push("alice logs in");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let bobs = login(&bob, &team, "acme");
    bob.git_ok(&["add", "-A"]);
    bob.git_ok(&["commit", "-q", "-m", "bob logs in"]);
    let pull = bob.git(&["pull", "--no-rebase", "origin", "main"]);
    assert_eq!(
        pull.code, 0,
        "the driver merges cleanly: {}{}",
        pull.stdout, pull.stderr
    );
    pull.stderr_has("kept the user token from ours");
    team.assert_no_secret(&pull.stderr);
    assert_eq!(injected(&bob), bobs, "the later token is kept");
    bob.assert_clean("the merge");
    bob.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    a.pull();
    assert_eq!(
        injected(a),
        bobs,
        "alice's machine opens the merged profile"
    );
}

#[test]
fn without_the_driver_markers_are_a_named_conflict_that_resolve_settles() {
    let (team, bob) = Team::with_bob();
    let a = &team.alice;
    a.add(&team.token(), "other");
    a.commit_push("other");
    bob.pull();
    login(a, &team, "acme");
    a.commit_push("alice logs in");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let bobs = login(&bob, &team, "acme");
    // Bob's clone has no driver: git merges the armored text.
    bob.git_ok(&["config", "--remove-section", "merge.fbvault"]);
    bob.git_ok(&["commit", "-qam", "bob logs in"]);
    let pull = bob.git(&["pull", "--no-rebase", "origin", "main"]);
    assert_ne!(pull.code, 0, "a text merge conflicts");
    let head = std::fs::read_to_string(bob.profile("acme")).unwrap();
    assert!(head.contains("<<<<<<<"), "{head}");
    let r = bob.fb(&["show", "acme"]);
    r.fails(3)
        .stderr_has("profiles/acme.age holds git merge conflict markers")
        .stderr_has("fbvault resolve acme")
        // A way out that works from where the user is (the repository's root).
        .stderr_has("`git -C vault checkout --ours profiles/acme.age`");
    r.stderr_lacks("damaged");
    bob.fb_ok(&["show", "other"]);
    let st = bob.fb(&["status"]);
    assert_eq!(
        st.code, 3,
        "status reports the conflicted one: {}",
        st.stderr
    );
    assert!(
        st.stdout.contains("other"),
        "the others are listed: {}",
        st.stdout
    );
    let settle = bob.fb_ok(&["resolve"]);
    settle.stderr_has("kept the user token from ours");
    assert_eq!(injected(&bob), bobs);
    bob.git_ok(&["add", "-A"]);
    bob.git_ok(&["commit", "-qm", "merge"]);
    bob.assert_clean("resolve and commit");
}

#[test]
fn concurrent_recipient_changes_are_explained_and_settled() {
    let (team, bob) = Team::with_bob();
    let a = &team.alice;
    let carol_key = stranger_key();
    let dave_key = stranger_key();
    a.fb_ok(&["recipients", "add", &carol_key, "--name", "carol"]);
    a.commit_push("add carol");
    bob.fb_ok(&["recipients", "add", &dave_key, "--name", "dave"]);
    bob.git_ok(&["commit", "-qam", "add dave"]);
    let pull = bob.git(&["pull", "--no-rebase", "origin", "main"]);
    assert_ne!(pull.code, 0);
    pull.stderr_has("never merges it");
    let r = bob.fb(&["resolve"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("carol") && r.stderr.contains("dave"),
        "{}",
        r.stderr
    );
    r.stderr_has(&format!(
        "fbvault recipients add '{dave_key}' --name 'dave'"
    ));
    // Follow the steps.
    bob.git_ok(&["checkout", "--theirs", "vault/team.age", "vault/vault.json"]);
    bob.git_ok(&["add", "vault/team.age", "vault/vault.json"]);
    bob.fb_ok(&["recipients", "trust", "--yes"]);
    bob.fb_ok(&["resolve"]);
    bob.fb_ok(&["recipients", "add", &dave_key, "--name", "dave"]);
    bob.git_ok(&["add", "-A"]);
    bob.git_ok(&["commit", "-qm", "merge recipients"]);
    let list = bob.fb_ok(&["recipients", "list"]).stdout;
    for who in ["alice", "bob", "carol", "dave"] {
        assert!(list.contains(who), "{who} in {list}");
    }
    bob.fb_ok(&["show", "acme"]);
}

/// Alice adds carol (a member with an identity, who pulls) while bob rekeys; alice pushes
/// first and bob pulls: team.age and vault.json both changed on both sides. Returns carol,
/// her public key and bob's pull.
fn rekey_while_carol_is_added(team: &Team, bob: &Member) -> (Member, String, Out) {
    let a = &team.alice;
    let carol = team.clone_member("carol");
    let carol_key = carol.fb_ok(&["identity", "new"]).stdout.trim().to_string();
    a.fb_ok(&["recipients", "add", &carol_key, "--name", "carol"]);
    a.commit_push("add carol");
    bob.fb_ok(&["rekey"]);
    bob.git_ok(&["commit", "-qam", "rekey"]);
    let pull = bob.git(&["pull", "--no-rebase", "origin", "main"]);
    assert_ne!(pull.code, 0, "{}{}", pull.stdout, pull.stderr);
    (carol, carol_key, pull)
}

/// The index states `git status --porcelain` gives `path` (`UU`, `M `, …).
fn git_state(m: &Member, path: &str) -> String {
    let st = m.git_ok(&["status", "--porcelain", "--", path]).stdout;
    st.get(..2).unwrap_or("").to_string()
}

/// After the merge is committed and pushed: every member opens the vault, and vault.json
/// lists what team.age holds (no warning anywhere).
fn assert_settled(team: &Team, bob: &Member, carol: &Member) {
    bob.assert_clean("the merge commit");
    bob.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    team.alice.pull();
    carol.pull();
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bob.repo.join("vault/vault.json")).unwrap()).unwrap();
    for m in [&team.alice, bob, carol] {
        let list = m.fb_ok(&["--json", "recipients", "list"]);
        let listed = list.json();
        assert_eq!(
            listed["recipients"], info["recipients"],
            "vault.json agrees"
        );
        assert_eq!(
            listed["generation"], info["generation"],
            "vault.json agrees"
        );
        for who in ["alice", "bob", "carol"] {
            assert!(list.stdout.contains(who), "{who} in {}", list.stdout);
        }
        for args in [&["status"][..], &["show", "acme"], &["list"]] {
            let o = m.fb(args);
            assert!(o.code == 0 || o.code == 10, "{args:?}: {}", o.stderr);
            o.stderr_lacks("vault.json does not list");
            o.stderr_lacks("warning");
        }
        m.assert_clean("reading the merged vault");
    }
}

#[test]
fn a_rekey_and_a_recipient_added_at_once_leave_vault_json_conflicted_and_resolve_settles_it() {
    let (team, bob) = Team::with_bob();
    let (carol, _, pull) = rekey_while_carol_is_added(&team, &bob);
    pull.stderr_has("never merges it");
    pull.stderr_lacks("lacks `/vault.json -merge`");
    // Never merged silently: git leaves vault.json conflicted like team.age.
    assert_eq!(git_state(&bob, "vault/team.age"), "UU");
    assert_eq!(git_state(&bob, "vault/vault.json"), "UU");
    let r = bob.fb(&["resolve"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    r.stderr_has("carol")
        .stderr_has("git -C vault checkout --theirs team.age vault.json")
        .stderr_has("rewrites vault.json from team.age");
    // Follow the steps resolve printed (the paths from the repository's root).
    bob.git_ok(&["checkout", "--theirs", "vault/team.age", "vault/vault.json"]);
    bob.git_ok(&["add", "vault/team.age", "vault/vault.json"]);
    bob.fb_ok(&["recipients", "trust", "--yes"]);
    let r = bob.fb_ok(&["resolve"]);
    r.stderr_lacks("vault.json does not list");
    bob.git_ok(&["add", "-A", "vault"]);
    bob.git_ok(&["commit", "-qm", "merge"]);
    assert_settled(&team, &bob, &carol);
}

#[test]
fn resolve_rewrites_vault_json_from_the_settled_team_file() {
    let (team, bob) = Team::with_bob();
    let (carol, _, _) = rekey_while_carol_is_added(&team, &bob);
    // Bob takes only alice's team.age: vault.json still holds his side (no carol).
    bob.git_ok(&["checkout", "--theirs", "vault/team.age"]);
    bob.git_ok(&["add", "vault/team.age"]);
    bob.fb_ok(&["recipients", "trust", "--yes"]);
    let r = bob.fb_ok(&["resolve"]);
    r.stderr_has("vault.json: rewritten from team.age")
        .stderr_has("git add");
    r.stderr_lacks("vault.json does not list");
    bob.git_ok(&["add", "-A", "vault"]);
    bob.git_ok(&["commit", "-qm", "merge"]);
    assert_settled(&team, &bob, &carol);
    // Nothing left to settle: resolve writes nothing.
    bob.fb_ok(&["resolve"])
        .stderr_has("nothing to do")
        .stderr_lacks("vault.json");
    bob.assert_clean("resolve with nothing to do");
}

#[test]
fn an_old_vault_gets_the_vault_json_line_from_git_setup_and_a_text_merge_is_settled() {
    let (team, bob) = Team::with_bob();
    let a = &team.alice;
    // A vault from before `/vault.json -merge`, with a line of the user's own.
    let attrs = a.repo.join("vault/.gitattributes");
    std::fs::write(&attrs, "*.png binary\n*.age diff=fbvault merge=fbvault\n").unwrap();
    a.commit_push("old attributes");
    bob.pull();
    // The same story, but git text-merges vault.json.
    let (carol, carol_key, pull) = rekey_while_carol_is_added(&team, &bob);
    pull.stderr_has("lacks `/vault.json -merge`");
    assert_eq!(git_state(&bob, "vault/vault.json"), "M ", "the old bug");
    // Bob keeps his own team.age (his rekey) and adds carol again.
    bob.git_ok(&[
        "checkout",
        "--ours",
        "vault/team.age",
        "vault/profiles/acme.age",
    ]);
    bob.git_ok(&["add", "vault/team.age", "vault/profiles/acme.age"]);
    let r = bob.fb_ok(&["resolve"]);
    r.stderr_has("vault.json: rewritten from team.age");
    bob.fb_ok(&["recipients", "add", &carol_key, "--name", "carol"]);
    // `git setup` adds the missing line, keeping the others.
    bob.fb_ok(&["git", "setup"]);
    let text = std::fs::read_to_string(bob.repo.join("vault/.gitattributes")).unwrap();
    assert_eq!(
        text,
        "*.png binary\n*.age diff=fbvault merge=fbvault\n/vault.json -merge\n"
    );
    let check = bob.git_ok(&["check-attr", "merge", "--", "vault/vault.json"]);
    assert!(check.stdout.contains("merge: unset"), "{}", check.stdout);
    bob.git_ok(&["add", "-A", "vault"]);
    bob.git_ok(&["commit", "-qm", "merge"]);
    bob.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    // Bob kept his own rotation: alice, who had seen hers, reviews and trusts his.
    a.pull();
    a.fb(&["list"]).fails(3);
    a.fb_ok(&["recipients", "trust", "--yes"]);
    assert_settled(&team, &bob, &carol);
    // A second setup changes nothing.
    bob.fb_ok(&["git", "setup"]);
    bob.assert_clean("git setup again");
    // The line reaches alice's clone with the merge.
    let text = std::fs::read_to_string(a.repo.join("vault/.gitattributes")).unwrap();
    assert!(text.ends_with("/vault.json -merge\n"), "{text}");
}

#[test]
fn a_rolled_back_team_file_is_named_as_a_rollback_with_both_generations() {
    let team = Team::new();
    let a = &team.alice;
    let key = stranger_key();
    a.fb_ok(&["recipients", "add", &key, "--name", "temp"]);
    // Throw the uncommitted change away.
    a.git_ok(&["checkout", "--", "vault"]);
    let o = a.fb(&["list"]);
    o.fails(3)
        .stderr_has("older than the one this machine has seen: generation 1, but this machine has seen generation 2")
        .stderr_has("git checkout, reset, revert, stash or branch switch");
    o.stderr_lacks("not a member may");
    // Committed, then reset.
    a.fb_ok(&["recipients", "trust", "--yes"]);
    a.fb_ok(&["recipients", "add", &key, "--name", "temp"]);
    a.commit_push("temp");
    a.git_ok(&["reset", "-q", "--hard", "HEAD~1"]);
    a.fb(&["show", "acme"])
        .fails(3)
        .stderr_has("generation 1, but this machine has seen generation 2");
    a.assert_clean("the refused command");
}

#[test]
fn an_older_sealed_copy_of_a_profile_is_refused_where_the_newer_one_was_seen() {
    let (team, bob) = Team::with_bob();
    let a = &team.alice;
    login(a, &team, "acme");
    a.commit_push("new token");
    bob.pull();
    bob.fb_ok(&["show", "acme"]);
    // Someone puts the older copy back.
    a.git_ok(&["revert", "--no-edit", "HEAD"]);
    a.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    bob.pull();
    let before = std::fs::read(bob.profile("acme")).unwrap();
    bob.fb(&["run", "-p", "acme", "--", "true"])
        .fails(3)
        .stderr_has("profile `acme` is older than the copy this machine has seen")
        .stderr_has("git checkout, reset, revert or stash");
    assert_eq!(std::fs::read(bob.profile("acme")).unwrap(), before);
    bob.fb(&["resolve", "acme"]).fails(2).stderr_has("--yes");
    bob.fb_ok(&["resolve", "acme", "--yes"]);
    bob.fb_ok(&["show", "acme"]);
}

#[test]
fn read_commands_and_a_refresh_that_changes_nothing_leave_git_clean() {
    let team = Team::new();
    let a = &team.alice;
    let reads: &[&[&str]] = &[
        &["list"],
        &["status"],
        &["status", "--check"],
        &["show", "acme"],
        &["show", "acme", "--reveal"],
        &["env", "-p", "acme"],
        &["run", "-p", "acme", "--", "true"],
        &["inspect", "acme"],
        &["recipients", "list"],
        &["identity", "show"],
        &["refresh", "acme"],
        // Facebook gives a long-lived token back unchanged: nothing tracked is rewritten.
        &["refresh", "acme", "--force"],
        &["diff", "vault/profiles/acme.age"],
        &["git", "setup"],
        &["init"],
    ];
    for args in reads {
        let o = a.fb(args);
        assert!(o.code == 0 || o.code == 10, "{args:?}: {}", o.stderr);
        a.assert_clean(&format!("{args:?}"));
    }
}

#[test]
fn a_member_joins_with_only_an_ssh_ed25519_key() {
    let team = Team::new();
    let bob = team.clone_member("bob");
    let ssh = bob.env.home().join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    private_copy("ssh_ed25519", &ssh);
    std::fs::rename(ssh.join("ssh_ed25519"), ssh.join("id_ed25519")).unwrap();
    std::fs::rename(ssh.join("ssh_ed25519.pub"), ssh.join("id_ed25519.pub")).unwrap();
    // Not yet a recipient: the message names the key it tried and its public key.
    let o = bob.fb(&["list"]);
    o.fails(3)
        .stderr_has(".ssh/id_ed25519 (public key ssh-ed25519");
    // `init` in the clone prints the key to send and changes no vault file.
    let init = bob.fb_ok(&["init"]);
    assert!(init.stdout.starts_with("ssh-ed25519 "), "{}", init.stdout);
    init.stderr_has("send this public key");
    bob.assert_clean("init in a clone");
    assert!(
        !bob.env.identity().exists(),
        "the SSH key is used, no new identity"
    );
    let key = init.stdout.trim().to_string();
    team.alice
        .fb_ok(&["recipients", "add", &key, "--name", "bob"]);
    team.alice.commit_push("add bob");
    bob.pull();
    let list = bob.fb_ok(&["list"]);
    assert!(list.stdout.contains("acme"));
    assert!(
        list.stderr.contains("for the first time"),
        "first trust is announced: {}",
        list.stderr
    );
    assert!(
        list.stderr.contains("alice") && list.stderr.contains("fbv1-"),
        "{}",
        list.stderr
    );
    let again = bob.fb_ok(&["list"]);
    again.stderr_lacks("first time");
}

#[test]
fn identity_new_creates_once_and_init_in_an_existing_vault_creates_only_the_identity() {
    let team = Team::new();
    let carol = team.clone_member("carol");
    let count = || std::fs::read_dir(carol.repo.join("vault")).unwrap().count();
    let before = count();
    let o = carol.fb_ok(&["init"]);
    let key = o.stdout.trim();
    assert!(key.starts_with("age1"), "{}", o.stdout);
    assert!(carol.env.identity().exists());
    carol.assert_clean("init in a clone");
    assert_eq!(count(), before, "no vault file is created");
    let again = carol.fb(&["identity", "new"]);
    again.fails(1).stderr_has("already exists");
    let shown = carol.fb_ok(&["identity", "show"]);
    assert_eq!(shown.stdout.trim(), key);
    let o = carol.fb(&["list"]);
    // The whole key, ready to be sent to a member.
    o.fails(3)
        .stderr_has(&format!("identity.txt (public key {key})"));
}

#[test]
fn fbvault_key_opens_the_vault_with_no_identity_file_and_never_reaches_the_child() {
    let team = Team::new();
    let key_text = std::fs::read_to_string(team.alice.env.identity()).unwrap();
    let ci = team.clone_member("ci");
    let mut ci = ci;
    ci.env.set("FBVAULT_KEY", &key_text);
    let o = ci.fb_ok(&["run", "-p", "acme", "--", "sh", "-c", "env"]);
    assert!(o.stdout.contains("FB_ACCESS_TOKEN="));
    assert!(!o.stdout.contains("FBVAULT_KEY") && !o.stdout.contains("AGE-SECRET-KEY"));
    assert!(!ci.env.identity().exists());
    // An OpenSSH key's text works too.
    let ssh_text = std::fs::read_to_string(fixture("ssh_ed25519")).unwrap();
    let ssh_pub = std::fs::read_to_string(fixture("ssh_ed25519.pub")).unwrap();
    team.alice
        .fb_ok(&["recipients", "add", ssh_pub.trim(), "--name", "ci-ssh"]);
    team.alice.commit_push("ci key");
    let mut ssh_ci = team.clone_member("ci2");
    ssh_ci.env.set("FBVAULT_KEY", &ssh_text);
    ssh_ci.fb_ok(&["show", "acme"]);
    ssh_ci.assert_clean("show with FBVAULT_KEY");
}

#[test]
fn the_team_fingerprint_refuses_a_team_file_written_with_only_the_public_keys() {
    let team = Team::new();
    let a = &team.alice;
    let list = a.fb_ok(&["recipients", "list"]);
    let fp = list
        .stdout
        .split_whitespace()
        .find(|w| w.starts_with("fbv1-"))
        .unwrap()
        .to_string();
    // A forger with the public keys writes a new team.age (a vault of their own).
    let forger = Env::new();
    let fkey = forger.ok(&["identity", "new"]).stdout.trim().to_string();
    let forged = forger.dir.path().join("forged");
    forger.ok(&[
        "init",
        "--vault",
        forged.to_str().unwrap(),
        "-r",
        &a.public_key(),
    ]);
    std::fs::copy(forged.join("team.age"), a.repo.join("vault/team.age")).unwrap();
    a.commit_push("forged");
    let mut ci = team.clone_member("ci");
    let key_text = std::fs::read_to_string(a.env.identity()).unwrap();
    ci.env.set("FBVAULT_KEY", &key_text);
    ci.env.set("FBVAULT_TEAM_FINGERPRINT", &fp);
    let o = ci.fb(&["list"]);
    o.fails(3).stderr_has("FBVAULT_TEAM_FINGERPRINT");
    let before = std::fs::read(ci.repo.join("vault/team.age")).unwrap();
    ci.fb(&["recipients", "add", &fkey]).fails(3);
    assert_eq!(
        std::fs::read(ci.repo.join("vault/team.age")).unwrap(),
        before
    );
    ci.env.set("FBVAULT_TEAM_FINGERPRINT", "fbv1-1-nothex");
    ci.fb(&["list"]).fails(2);
}

#[test]
fn a_read_only_run_uses_the_stored_token_when_one_is_due() {
    let team = Team::new();
    let a = &team.alice;
    team.graph
        .graph()
        .configure(|c| c.long_lived_secs = 3 * 86_400);
    login(a, &team, "acme");
    // Make the stored token look issued long ago, so that it is due now.
    a.edit_with(
        "acme",
        r#"sed -i -e 's/"obtained_at": "[^"]*"/"obtained_at": "2020-01-01T00:00:00Z"/' -e 's/"issued_at": "[^"]*"/"issued_at": "2020-01-01T00:00:00Z"/' "$1""#,
    );
    a.commit_push("short token");
    let mut ci = team.clone_member("ci");
    let key_text = std::fs::read_to_string(a.env.identity()).unwrap();
    ci.env.set("FBVAULT_KEY", &key_text);
    ci.env.set("FBVAULT_READ_ONLY", "1");
    team.graph.graph().clear_log();
    let before = std::fs::read(ci.profile("acme")).unwrap();
    let o = ci.fb_ok(&["run", "-p", "acme", "--", "true"]);
    o.stderr_has("read-only");
    assert_eq!(team.graph.graph().count("/oauth/access_token"), 0);
    assert_eq!(std::fs::read(ci.profile("acme")).unwrap(), before);
    ci.fb(&["refresh", "acme", "--force"])
        .fails(1)
        .stderr_has("read-only");
    ci.fb(&["rm", "acme", "--yes"])
        .fails(1)
        .stderr_has("read-only");
    ci.assert_clean("read-only commands");
    let vault = ci.repo.join("vault");
    assert!(
        !vault.join(".fbvault.lock").exists() && !vault.join(".locks").exists(),
        "read-only creates not even a lock file"
    );
}

#[test]
fn key_material_is_never_echoed() {
    let team = Team::new();
    let a = &team.alice;
    let key_text = std::fs::read_to_string(a.env.identity()).unwrap();
    let ssh_text = std::fs::read_to_string(fixture("ssh_ed25519")).unwrap();
    let ssh_body: Vec<&str> = ssh_text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let check = |o: &Out| {
        for text in [&o.stdout, &o.stderr] {
            team.assert_no_secret(text);
            for line in &ssh_body {
                assert!(!text.contains(line), "SSH key material leaked: {text}");
            }
        }
    };
    let mut b = team.clone_member("b");
    b.env.set("FBVAULT_IDENTITY", &key_text);
    let o = b.fb(&["list"]);
    o.fails(3)
        .stderr_has("FBVAULT_IDENTITY holds a private key's text");
    check(&o);
    b.env.set("FBVAULT_IDENTITY", &ssh_text);
    check(&b.fb(&["list"]));
    let o = a.fb(&["recipients", "add", &ssh_text]);
    assert_eq!(o.code, 2);
    check(&o);
    let o = a.fb(&["recipients", "add", key_text.trim()]);
    assert_eq!(o.code, 2);
    check(&o);
    let o = a.fb(&["--identity", &key_text, "list"]);
    check(&o);
    // The same keys in forms a hurried paste produces: lowercased, or an OpenSSH key's
    // base64 body without its lines.
    let lower = key_text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .to_ascii_lowercase();
    let body: String = ssh_body.concat();
    for text in [&lower, &body] {
        let o = a.fb(&["recipients", "add", text, "--name", "x"]);
        assert_ne!(o.code, 0);
        assert!(!o.stderr.contains(text.as_str()), "echoed: {}", o.stderr);
        let o = a.fb(&["--identity", text, "list"]);
        assert!(!o.stderr.contains(text.as_str()), "echoed: {}", o.stderr);
        b.env.set("FBVAULT_IDENTITY", text);
        let o = b.fb(&["list"]);
        assert!(!o.stderr.contains(text.as_str()), "echoed: {}", o.stderr);
    }
    // Key text that is not a valid key, in FBVAULT_KEY.
    let mut c = team.clone_member("c");
    c.env
        .set("FBVAULT_KEY", "AGE-SECRET-KEY-1NOTAREALKEYBUTSECRETLOOKING");
    let o = c.fb(&["list"]);
    o.fails(3).stderr_has("FBVAULT_KEY");
    o.stderr_lacks("NOTAREALKEY");
    // An unreadable (garbage) key file.
    std::fs::create_dir_all(c.env.home()).unwrap();
    std::fs::write(c.env.home().join("bad.key"), "secret-garbage-XYZZY\n").unwrap();
    c.env.set("FBVAULT_KEY", "");
    let o = c.fb(&[
        "--identity",
        c.env.home().join("bad.key").to_str().unwrap(),
        "list",
    ]);
    o.fails(3);
    o.stderr_lacks("XYZZY");
}

#[test]
fn recipients_remove_asks_and_without_a_terminal_needs_yes_then_lists_next_steps() {
    let (team, bob) = Team::with_bob();
    let a = &team.alice;
    let before = std::fs::read(a.repo.join("vault/team.age")).unwrap();
    let o = a.fb(&["recipients", "remove", "bob"]);
    o.fails(2).stderr_has("--yes");
    assert_eq!(
        std::fs::read(a.repo.join("vault/team.age")).unwrap(),
        before
    );
    // A second `bob` is refused.
    let key = stranger_key();
    a.fb(&["recipients", "add", &key, "--name", "bob"])
        .fails(1)
        .stderr_has("already named `bob`");
    a.fb(&["recipients", "add", &key, "--name", "evil\u{1b}[2K\r"])
        .fails(2)
        .stderr_has("control characters");
    let o = a.fb_ok(&["recipients", "remove", "bob", "--yes"]);
    o.stderr_has("commit and push now");
    assert!(
        !o.stderr.contains("\\n"),
        "no escaped line breaks: {}",
        o.stderr
    );
    assert!(
        o.stderr.contains("acme"),
        "the profiles to rotate: {}",
        o.stderr
    );
    o.stderr_has("fbvault login NAME");
    a.commit_push("remove bob");
    bob.pull();
    bob.fb(&["list"]).fails(3).stderr_has("cannot open");
}

#[test]
fn a_removal_re_encrypts_a_locally_older_profile_and_a_pre_rotation_copy_is_named_and_recoverable()
{
    let (team, bob) = Team::with_bob();
    let a = &team.alice;
    let bob_id = bob.env.identity();
    a.edit_with(
        "acme",
        r#"sed -i 's/"app_id": "/"refresh_window_days": "9", "app_id": "/' "$1""#,
    );
    a.commit_push("window 9");
    // An older copy put back locally, then a removal.
    a.git_ok(&["checkout", "HEAD~", "--", "vault/profiles/acme.age"]);
    let o = a.fb_ok(&["recipients", "remove", "bob", "--yes"]);
    o.stderr_lacks("left as it was");
    assert!(
        !age_opens(&bob_id, &a.profile("acme")),
        "the removed member cannot read the older copy"
    );
    // The newer copy from before the rotation: named as such, not as an attack.
    a.git_ok(&["checkout", "HEAD", "--", "vault/profiles/acme.age"]);
    let o = a.fb(&["show", "acme"]);
    o.fails(3)
        .stderr_has("sealed with an earlier team key")
        .stderr_has("fbvault resolve acme");
    o.stderr_lacks("without the team key");
    a.fb_ok(&["resolve", "acme", "--yes"]);
    let shown = a.fb_ok(&["--json", "show", "acme"]).json();
    assert_eq!(shown["config"]["refresh_window_days"], "9");
    assert!(
        !age_opens(&bob_id, &a.profile("acme")),
        "re-sealed for the current recipients only"
    );
}
