//! The command line: global flags, one module per subcommand under [`commands`], the
//! [`Ctx`] every command receives, and the mapping of results to exit codes.

pub mod commands;
pub mod complete;
pub mod dotenv;
pub mod editor;
pub mod error;
pub mod fields;
pub mod format;
pub mod grant;
pub mod progress;
pub mod prompt;
pub mod sanitize;
pub mod select;
pub mod ui;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser};

pub use crate::app::{Refreshed, Session};
pub use error::{CliError, code};
pub use ui::Ui;

use crate::config::project::Project;
use crate::config::{self, IdentityChoice, Paths};
use crate::vault::{Identity, IdentitySource, Notice, Vault};

/// Keep Facebook/Meta app secrets and access tokens in an age-encrypted vault, keep the
/// tokens fresh, and hand them to programs as environment variables.
///
/// Quick start:
///
///   fbvault init
///   APP_ID=123 APP_SECRET=… SHORT_TOKEN=… fbvault add acme --from-env
///   fbvault status
///   fbvault run -p acme -- python post.py
#[derive(Debug, Parser)]
#[command(
    name = "fbvault",
    version = VERSION.as_str(),
    max_term_width = 100,
    verbatim_doc_comment,
    disable_help_flag = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: commands::Command,
}

/// `fbvault --version`: the release, and the formats it reads and writes.
pub static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{} (vault format {}, profile format {}, plugin protocol {})",
        env!("CARGO_PKG_VERSION"),
        crate::vault::VAULT_FORMAT,
        crate::vault::PROFILE_FORMAT,
        fbvault_provider::protocol::PROTOCOL_VERSION
    )
});

/// When to color the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set or TERM is dumb.
    Auto,
    /// Always, even into a pipe.
    Always,
    /// Never.
    Never,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global Options")]
pub struct GlobalArgs {
    /// Print help, with examples (-h and --help are the same)
    #[arg(short = 'h', long = "help", global = true, action = clap::ArgAction::HelpLong)]
    pub help: Option<bool>,
    /// The vault folder [env: FBVAULT_DIR] [default: <data dir>/fbvault/vault]
    #[arg(long, global = true, value_name = "DIR")]
    pub vault: Option<PathBuf>,
    /// The identity (private key) file: an age key file or an OpenSSH private key
    /// [env: FBVAULT_KEY (the key's text), FBVAULT_IDENTITY (a file)]
    /// [default: <config dir>/fbvault/identity.txt, else ~/.ssh/id_ed25519, else ~/.ssh/id_rsa]
    #[arg(long, global = true, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Never change the vault: use the stored tokens, and fail commands that must write
    /// [env: FBVAULT_READ_ONLY=1]
    #[arg(long, global = true)]
    pub read_only: bool,
    /// The project file [default: fbvault.toml in this folder or the nearest parent]
    #[arg(long, global = true, value_name = "FILE")]
    pub project_file: Option<PathBuf>,
    /// Print machine-readable JSON: data, what a command did, and errors (on stderr)
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only data and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// When to color the output [env: NO_COLOR, TERM=dumb turn auto off]
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// Never color the output (the same as --color never)
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// What every command gets: output, the project file, and the resolved locations.
#[derive(Debug)]
pub struct Ctx {
    /// Output.
    pub ui: Ui,
    /// The project file, when there is one.
    pub project: Option<Project>,
    /// Where things are.
    pub paths: Paths,
}

impl Ctx {
    /// Builds the context from the global flags; `needs_project` is false for commands
    /// that work without a vault (a broken `fbvault.toml` is then ignored).
    pub fn new(global: &GlobalArgs, needs_project: bool) -> Result<Ctx, CliError> {
        let color = if global.no_color {
            ColorChoice::Never
        } else {
            global.color
        };
        let ui = Ui::new(global.json, global.quiet, color);
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let project = match Project::find(global.project_file.as_deref(), &cwd) {
            Ok(p) => p,
            // Commands that need no vault work even with a broken fbvault.toml.
            Err(_) if !needs_project => None,
            Err(e) => return Err(CliError::new(e.to_string())),
        };
        let flags = config::Flags {
            vault: global.vault.clone(),
            identity: global.identity.clone(),
            read_only: global.read_only,
        };
        let paths = config::resolve(flags, project.as_ref()).map_err(|e| match e {
            config::SettingsError::Vault(v) => CliError::from(v),
            other => CliError::new(other.to_string())
                .hint("set HOME, or pass --vault DIR and --identity FILE"),
        })?;
        Ok(Ctx { ui, project, paths })
    }

    /// The vault (which may not exist yet), checked against this machine's pins and
    /// `FBVAULT_TEAM_FINGERPRINT`, read-only when asked.
    pub fn vault(&self) -> Vault {
        self.vault_at(&self.paths.vault)
    }

    /// The vault in `root`, with the same checks as [`Ctx::vault`].
    pub fn vault_at(&self, root: &std::path::Path) -> Vault {
        let mut vault = Vault::new(root)
            .with_fingerprint(self.paths.fingerprint.clone())
            .read_only(self.paths.read_only)
            .with_state_dir(self.paths.state.clone())
            .with_notify(notices(self.paths.fingerprint.is_some()));
        if let Some(pins) = &self.paths.pins {
            vault = vault.with_pins(crate::vault::Pins::new(pins));
        }
        vault
    }

    /// Loads the identity, asking for an SSH key's passphrase on the terminal.
    pub fn identity(&self) -> Result<Identity, CliError> {
        let ask = |q: &str| {
            prompt::secret(q).map(|s| age::secrecy::SecretString::from(s.expose().to_string()))
        };
        match &self.paths.identity {
            IdentityChoice::File(path) => {
                if let Some(warning) = crate::hardening::unprotected_identity(path) {
                    self.ui.warn(warning);
                }
                Ok(Identity::load(path, &ask)?)
            }
            IdentityChoice::KeyVar => {
                let text = config::key_text().ok_or_else(|| {
                    CliError::with_code(code::LOCKED, "FBVAULT_KEY is not valid text")
                })?;
                Ok(Identity::from_text(
                    IdentitySource::Text("FBVAULT_KEY"),
                    &text,
                    &ask,
                )?)
            }
        }
    }

    /// Adds to an exit-3 error the identity it was tried with (its file or `FBVAULT_KEY`,
    /// and its public key) when the message does not say already.
    fn name_identity(&self, mut err: CliError) -> CliError {
        // Hints name git commands run from here: `{vault}` is the vault folder as seen
        // from the working directory.
        let vault = shown_path(&self.paths.vault);
        for hint in &mut err.hints {
            *hint = hint.replace("{vault}", &vault);
        }
        if err.code != code::LOCKED || err.message.contains("identity") {
            return err;
        }
        let public = commands::identity::configured_public_key(self)
            .ok()
            .flatten();
        let source = match &self.paths.identity {
            IdentityChoice::File(p) => p.display().to_string(),
            IdentityChoice::KeyVar => "FBVAULT_KEY".into(),
        };
        if let Some(public) = public {
            // Whole, so that it can be copied to a member (`recipients add KEY`).
            err.hints
                .push(format!("the identity used: {source} (public key {public})"));
        }
        err
    }

    /// Opens the vault with the identity.
    pub fn session(&self) -> Result<Session<'_>, CliError> {
        Session::open(self.vault(), || self.identity(), &self.ui, &self.paths)
    }
}

/// A path as the user would type it from the working directory (relative when below it).
pub fn shown_path(path: &std::path::Path) -> String {
    let cwd = std::env::current_dir().ok();
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    match cwd.and_then(|c| abs.strip_prefix(c).ok().map(std::path::Path::to_path_buf)) {
        Some(rel) if rel.as_os_str().is_empty() => ".".into(),
        Some(rel) => rel.display().to_string(),
        None => path.display().to_string(),
    }
}

/// Prints what the vault has to say, each distinct message once.
fn notices(pinned_by_fingerprint: bool) -> impl Fn(Notice) + Send + Sync + 'static {
    let said = std::sync::Mutex::new(std::collections::HashSet::new());
    move |notice| {
        let text = match notice {
            Notice::Warning(w) => format!("fbvault: warning: {w}"),
            Notice::FirstTrust { root, team } => first_trust(&root, &team, pinned_by_fingerprint),
        };
        if said.lock().expect("notices").insert(text.clone()) {
            ui::err_line(&text);
        }
    }
}

/// The announcement of a vault trusted for the first time on this machine.
fn first_trust(root: &std::path::Path, team: &crate::vault::Team, checked: bool) -> String {
    let mut text = format!(
        "fbvault: notice: this machine trusts the vault at {} for the first time: team key generation {}, fingerprint {}, {} recipient{}:",
        root.display(),
        team.generation,
        crate::vault::Fingerprint::of(team),
        team.recipients.len(),
        if team.recipients.len() == 1 { "" } else { "s" }
    );
    for r in &team.recipients {
        text.push_str(&format!("\n  {r}"));
    }
    text.push_str(if checked {
        "\n  (FBVAULT_TEAM_FINGERPRINT vouches for this team file)"
    } else {
        "\n  hint: if you did not expect this list, stop and compare it with a member's `fbvault recipients list`; on CI, set FBVAULT_TEAM_FINGERPRINT"
    });
    text
}

/// Prints a clap error in fbvault's shape (`fbvault: what` then hints); help and version
/// go to stdout as usual.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let json = json_flag();
    if e.kind() == ErrorKind::DisplayVersion && json {
        // `--json --version`: the same facts as data.
        let version = serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "vault_format": crate::vault::VAULT_FORMAT,
            "profile_format": crate::vault::PROFILE_FORMAT,
            "plugin_protocol": fbvault_provider::protocol::PROTOCOL_VERSION,
        });
        Ui::new(true, false, ColorChoice::Never).out(version.to_string());
        return ExitCode::SUCCESS;
    }
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Help follows `--color`/`--no-color` too; only here, so no other run pays for it.
        let e = match early_color() {
            Some(choice) => {
                use clap::CommandFactory;
                e.format(&mut Cli::command().color(choice))
            }
            None => e,
        };
        if let Err(err) = e.print()
            && err.kind() != std::io::ErrorKind::BrokenPipe
        {
            ui::err_line(&format!("fbvault: cannot write the output: {err}"));
            return ExitCode::from(code::ERROR);
        }
        return ExitCode::from(
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                code::USAGE
            } else {
                0
            },
        );
    }
    let rendered = e.render().to_string();
    let mut what = Vec::new();
    let mut hints = Vec::new();
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(tip) = line.strip_prefix("tip: ") {
            hints.push(tip.to_string());
        } else if line.starts_with("Usage:") {
            hints.push(line.to_string());
        } else if line.starts_with("For more information") {
            continue;
        } else if hints.is_empty() {
            what.push(line.strip_prefix("error: ").unwrap_or(line).to_string());
        }
    }
    let mut err = CliError::usage(what.join(" "));
    err.hints = hints;
    if let Some(hint) = forgotten_dashes(&err.message) {
        err.hints.insert(0, hint);
    }
    report(&err, json)
}

/// `fbvault run -p acme python3 x.py`: the command needs `--` in front of it.
fn forgotten_dashes(message: &str) -> Option<String> {
    const WITH_VALUE: &[&str] = &[
        "-p",
        "--profile",
        "--page",
        "--vault",
        "--identity",
        "--project-file",
        "--color",
    ];
    let args = arguments();
    let run = args.iter().position(|a| a == "run")?;
    if args.iter().any(|a| a == "--") || !message.starts_with("unexpected argument") {
        return None;
    }
    let mut bare = Vec::new();
    let mut i = run + 1;
    while i < args.len() {
        if WITH_VALUE.contains(&args[i].as_str()) {
            i += 2;
            continue;
        }
        if !args[i].starts_with('-') {
            bare.push(i);
        }
        i += 1;
    }
    let named = args.iter().any(|a| a == "-p" || a.starts_with("--profile"));
    let first_is_profile = bare
        .first()
        .is_some_and(|&at| complete::profile_exists(&args[at]));
    let start = if named || !first_is_profile {
        *bare.first()?
    } else {
        *bare.get(1)?
    };
    Some(format!(
        "put `--` before the command: fbvault {} -- {}",
        args[..start].join(" "),
        args[start..].join(" ")
    ))
}

/// The command-line arguments after the program name, as text (an argument that is not
/// UTF-8, like a child's `$'\xff'` after `--`, is shown lossily, never a panic).
pub fn arguments() -> Vec<String> {
    std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// `--no-color` or `--color WHEN` among the arguments before `--`, for the help clap prints
/// before fbvault has seen the flags (the last one wins, as clap's own parse would have it).
fn early_color() -> Option<clap::ColorChoice> {
    let args = arguments();
    let mut choice = None;
    let mut words = args.iter().take_while(|a| a.as_str() != "--");
    while let Some(arg) = words.next() {
        let value = match arg.as_str() {
            "--no-color" => Some("never"),
            "--color" => words.next().map(String::as_str),
            other => other.strip_prefix("--color="),
        };
        choice = match value {
            Some("never") => Some(clap::ColorChoice::Never),
            Some("always") => Some(clap::ColorChoice::Always),
            Some("auto") => Some(clap::ColorChoice::Auto),
            _ => choice,
        };
    }
    choice
}

/// Whether `--json` is among the arguments (read before clap has parsed them).
fn json_flag() -> bool {
    std::env::args_os().any(|a| a == "--json")
}

/// Parses the command line, runs the command, and returns the exit code.
pub fn main() -> ExitCode {
    crate::hardening::no_core_dumps();
    // Shell completion: active only with COMPLETE set (see `complete`), then exits.
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).complete();
    if let Some(code) = editor::guard_main() {
        return code;
    }
    // A private key pasted as an argument (`recipients add "$(cat ~/.ssh/id_ed25519)"`)
    // must not be echoed back by any error, clap's included.
    if std::env::args_os().any(|a| crate::vault::looks_like_key(&a.to_string_lossy())) {
        let err = CliError::usage("an argument holds a private key; it is not shown, and nothing was done")
            .hint("give the public key instead (`fbvault identity show`, or the .pub file next to an SSH key)");
        return report(&err, json_flag());
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    // Off the hot path of `run` and `env`, and not worth doing for `completions`.
    use commands::Command as C;
    if !matches!(cli.command, C::Run(_) | C::Env(_) | C::Completions(_)) {
        editor::clean_leftovers();
    }
    let json = cli.global.json;
    // Only under --json, and never for a command whose stdout is someone else's (`run`'s
    // child, git's textconv): building the clap command again costs time too.
    let done_as = (json && cli.command.reports_done()).then(|| cli.command.name());
    let result = Ctx::new(&cli.global, cli.command.needs_project()).and_then(|ctx| {
        let code = commands::run(&ctx, cli.command).map_err(|e| ctx.name_identity(e))?;
        if let Some(name) = &done_as {
            ctx.ui.report_done(name, code);
        }
        Ok(code)
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => report(&err, json),
    }
}

/// Prints an error (as `{"error": {…}}` under `--json`) and returns its exit code.
fn report(err: &CliError, json: bool) -> ExitCode {
    if json {
        ui::err_line(&err.to_json().to_string());
    } else {
        ui::err_line(&err.to_string());
    }
    ExitCode::from(err.code)
}
