//! The hermetic test environment: a cleared environment, a temporary HOME with XDG folders,
//! the default vault and identity locations inside it, and (when asked) a Graph API
//! sandbox on 127.0.0.1 that `FBVAULT_GRAPH_URL` points at.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use fbvault_graph_sandbox::{DEMO_APP_ID, DEMO_APP_SECRET, Sandbox};
use tempfile::TempDir;

/// A test's world.
pub struct Env {
    pub dir: TempDir,
    pub sandbox: Option<Sandbox>,
    extra: Vec<(String, String)>,
}

/// Every file of a vault with its bytes, as [`Env::snapshot`] takes them.
pub type Snapshot = BTreeMap<PathBuf, Vec<u8>>;

/// Output of a command, as text.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Env {
    /// A fresh HOME, no vault yet, no Graph server.
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
            sandbox: None,
            extra: Vec::new(),
        }
    }

    /// A fresh HOME with a Graph API sandbox.
    pub fn with_graph() -> Env {
        let mut env = Env::new();
        env.sandbox = Some(Sandbox::start());
        env
    }

    /// A fresh HOME with an initialized vault, no Graph server.
    pub fn with_vault() -> Env {
        let env = Env::new();
        env.ok(&["init"]);
        env
    }

    /// A Graph API sandbox and an initialized vault, no profile yet.
    pub fn with_graph_and_vault() -> Env {
        let env = Env::with_graph();
        env.ok(&["init"]);
        env
    }

    /// A sandbox, an initialized vault, and profile `acme` added with a fresh token.
    pub fn with_profile() -> Env {
        let env = Env::with_graph_and_vault();
        env.add("acme");
        env
    }

    /// A sandbox and an initialized vault, and a short-lived token of the demo app that
    /// has already expired (it lived 1 s; 2 s have passed).
    pub fn with_stale_short_token() -> (Env, String) {
        let env = Env::with_graph_and_vault();
        env.graph().configure(|c| c.short_lived_secs = 1);
        let short = env.graph().short_token();
        std::thread::sleep(std::time::Duration::from_secs(2));
        (env, short)
    }

    /// [`Env::with_profile`] with a sandbox whose long-lived tokens last `secs` seconds
    /// (0: they never expire).
    pub fn with_profile_lasting(secs: i64) -> Env {
        let env = Env::with_graph();
        env.graph().configure(|c| c.long_lived_secs = secs);
        env.ok(&["init"]);
        env.add("acme");
        env
    }

    pub fn graph(&self) -> &Sandbox {
        self.sandbox.as_ref().expect("this test has no sandbox")
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The default vault folder (`$XDG_DATA_HOME/fbvault/vault`).
    pub fn vault(&self) -> PathBuf {
        self.home().join(".local/share/fbvault/vault")
    }

    /// The default identity (`$XDG_CONFIG_HOME/fbvault/identity.txt`).
    pub fn identity(&self) -> PathBuf {
        self.home().join(".config/fbvault/identity.txt")
    }

    pub fn profile_file(&self, name: &str) -> PathBuf {
        self.vault().join("profiles").join(format!("{name}.age"))
    }

    /// Sets an extra environment variable for every later command.
    pub fn set(&mut self, key: &str, value: &str) {
        self.extra.push((key.to_string(), value.to_string()));
    }

    /// The `fbvault` command in the hermetic environment.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// The same as a plain `std::process::Command`, for spawning.
    pub fn std_cmd(&self) -> std::process::Command {
        self.program(assert_cmd::cargo::cargo_bin!("fbvault"))
    }

    /// Any program in the hermetic environment (cleared, temporary HOME, sandbox URL).
    pub fn program(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("XDG_DATA_HOME", self.home().join(".local/share"))
            .env("LANG", "C")
            .env("FBVAULT_HTTP_TIMEOUT", "2")
            .current_dir(self.dir.path());
        if let Some(s) = &self.sandbox {
            cmd.env("FBVAULT_GRAPH_URL", s.url());
        }
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs fbvault with `args` and captures everything.
    pub fn run(&self, args: &[&str]) -> Out {
        out(self.cmd().args(args).assert())
    }

    /// Runs fbvault with `args` and `stdin`.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Out {
        out(self
            .cmd()
            .args(args)
            .write_stdin(stdin.to_string())
            .assert())
    }

    /// Runs and requires exit 0.
    pub fn ok(&self, args: &[&str]) -> Out {
        let o = self.run(args);
        assert_eq!(
            o.code, 0,
            "fbvault {args:?} failed:\nstdout: {}\nstderr: {}",
            o.stdout, o.stderr
        );
        o
    }

    /// `fbvault add NAME --app-id ID --app-secret-stdin EXTRA...` with the secret on stdin,
    /// then the token (`--token-stdin`) when given, else `--no-exchange`.
    pub fn add_with(
        &self,
        name: &str,
        app_id: &str,
        secret: &str,
        token: Option<&str>,
        extra: &[&str],
    ) -> Out {
        let mut args = vec!["add", name, "--app-id", app_id, "--app-secret-stdin"];
        args.push(if token.is_some() {
            "--token-stdin"
        } else {
            "--no-exchange"
        });
        args.extend_from_slice(extra);
        let stdin = match token {
            Some(t) => format!("{secret}\n{t}\n"),
            None => format!("{secret}\n"),
        };
        self.run_stdin(&args, &stdin)
    }

    /// Adds a profile with the demo app and a fresh short-lived token from the sandbox.
    pub fn add(&self, name: &str) -> Out {
        let token = self.graph().short_token();
        let o = self.add_with(name, DEMO_APP_ID, DEMO_APP_SECRET, Some(&token), &[]);
        assert_eq!(o.code, 0, "add failed: {}", o.stderr);
        o
    }

    /// `show NAME --json --reveal`: the profile with its token values.
    pub fn revealed(&self, name: &str) -> serde_json::Value {
        self.ok(&["show", name, "--json", "--reveal"]).json()
    }

    /// The value of profile `name`'s first token (a Facebook profile's user token).
    pub fn first_token(&self, name: &str) -> String {
        self.revealed(name)["tokens"][0]["value"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Writes the editor script `editor.sh` into the test's folder: `#!/bin/sh` and then
    /// `body(log)`, where `log` is the path of `editor.log` beside it. Returns (editor, log).
    pub fn logging_editor(&self, body: impl FnOnce(&str) -> String) -> (PathBuf, PathBuf) {
        let log = self.dir.path().join("editor.log");
        let editor = self.dir.path().join("editor.sh");
        executable(
            &editor,
            format!("#!/bin/sh\n{}", body(&log.display().to_string())),
        );
        (editor, log)
    }

    /// Adds a profile with the demo app's credentials and no token, requiring success.
    pub fn add_credentials(&self, name: &str) -> Out {
        let o = self.add_with(name, DEMO_APP_ID, DEMO_APP_SECRET, None, &[]);
        assert_eq!(o.code, 0, "add {name} failed: {}", o.stderr);
        o
    }

    /// Every file of the vault with its bytes (lock files and the lock folder excluded).
    pub fn snapshot(&self) -> Snapshot {
        let mut files = BTreeMap::new();
        walk(&self.vault(), &self.vault(), &mut files);
        files
    }

    /// Every secret this test's world knows: the app secrets, every token the sandbox
    /// minted, and the identity's private key.
    pub fn secrets(&self) -> Vec<String> {
        let mut s = vec![
            DEMO_APP_SECRET.to_string(),
            fbvault_graph_sandbox::OTHER_APP_SECRET.to_string(),
        ];
        if let Some(g) = &self.sandbox {
            s.extend(g.world().tokens.keys().cloned());
        }
        if let Ok(id) = std::fs::read_to_string(self.identity()) {
            s.extend(
                id.lines()
                    .filter(|l| l.starts_with("AGE-SECRET-KEY-"))
                    .map(str::to_string),
            );
        }
        s
    }

    /// Fails when any known secret appears in `text`.
    pub fn assert_no_secret(&self, text: &str) {
        for secret in self.secrets() {
            assert!(!text.contains(&secret), "a secret leaked into: {text}");
        }
    }
}

fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if name == ".fbvault.lock" || name == ".locks" {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, files);
        } else {
            files.insert(
                path.strip_prefix(root).unwrap().to_path_buf(),
                std::fs::read(&path).unwrap(),
            );
        }
    }
}

pub fn out(a: Assert) -> Out {
    let o = a.get_output();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

impl Out {
    /// Asserts the exit code and that stderr is one `fbvault: ` line (plus hint lines).
    pub fn fails(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let first = self.stderr.lines().next().unwrap_or("");
        assert!(
            first.starts_with("fbvault: "),
            "stderr should start with `fbvault: `: {}",
            self.stderr
        );
        assert!(
            self.stderr
                .lines()
                .skip(1)
                .all(|l| l.starts_with("  hint: ") || l.starts_with("fbvault: ")),
            "stderr should be one line plus hints: {}",
            self.stderr
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{}",
            self.stderr
        );
        self
    }

    /// Nothing but ordinary messages: no warning, no error.
    pub fn stderr_has_nothing(&self) -> &Self {
        assert!(
            !self.stderr.contains("fbvault: "),
            "unexpected warning or error: {}",
            self.stderr
        );
        self
    }

    pub fn stderr_has(&self, part: &str) -> &Self {
        self.expect("stderr", &self.stderr, part, true)
    }

    pub fn stdout_has(&self, part: &str) -> &Self {
        self.expect("stdout", &self.stdout, part, true)
    }

    pub fn stderr_lacks(&self, part: &str) -> &Self {
        self.expect("stderr", &self.stderr, part, false)
    }

    pub fn stdout_lacks(&self, part: &str) -> &Self {
        self.expect("stdout", &self.stdout, part, false)
    }

    /// Asserts that `text` (the stream `stream`) contains `part`, or with `present` false
    /// that it does not.
    fn expect(&self, stream: &str, text: &str, part: &str, present: bool) -> &Self {
        let verb = if present { "lacks" } else { "has" };
        assert_eq!(
            text.contains(part),
            present,
            "{stream} {verb} {part:?}: {text}"
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// Sends signal `name` (`TERM`, `HUP`, …) to process `pid` with kill(1).
pub fn send_signal(pid: u32, name: &str) {
    let kill = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(kill.success(), "kill -{name} {pid}");
}

/// Writes `text` to `path` as an executable file (mode 0755): a script for a test to run.
pub fn executable(path: &Path, text: impl AsRef<[u8]>) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A fixture file's path.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies a fixture into `dir` with mode 0600 and returns the copy.
pub fn private_copy(name: &str, dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dest = dir.join(name);
    std::fs::copy(fixture(name), &dest).unwrap();
    let pub_src = fixture(&format!("{name}.pub"));
    if pub_src.exists() {
        std::fs::copy(pub_src, dir.join(format!("{name}.pub"))).unwrap();
    }
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o600)).unwrap();
    dest
}

/// A loopback port nothing listens on (bound, then released): for a listener to come, or
/// an address that refuses connections.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).unwrap();
    l.local_addr().unwrap().port()
}
