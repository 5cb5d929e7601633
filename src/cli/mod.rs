//! The command line: global flags, one module per subcommand under [`commands`], the
//! [`Ctx`] every command receives, and the mapping of results to exit codes.

pub mod commands;
pub mod editor;
pub mod error;
pub mod format;
pub mod grant;
pub mod prompt;
pub mod sanitize;
mod session;
pub mod ui;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser};

pub use error::{CliError, code};
pub use session::{Refreshed, Session};
pub use ui::Ui;

use crate::project::Project;
use crate::settings::{self, Paths};

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
#[command(name = "fbvault", version, max_term_width = 100, verbatim_doc_comment)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: commands::Command,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The vault folder [env: FBVAULT_DIR] [default: <data dir>/fbvault/vault]
    #[arg(long, global = true, value_name = "DIR")]
    pub vault: Option<PathBuf>,
    /// The identity (private key) file: an age key file or an OpenSSH private key
    /// [env: FBVAULT_IDENTITY] [default: <config dir>/fbvault/identity.txt]
    #[arg(long, global = true, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// The project file [default: fbvault.toml in this folder or the nearest parent]
    #[arg(long, global = true, value_name = "FILE")]
    pub project_file: Option<PathBuf>,
    /// Print machine-readable JSON (read commands)
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only data and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Never color the output (also: NO_COLOR)
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
    /// Builds the context from the global flags.
    pub fn new(global: &GlobalArgs) -> Result<Ctx, CliError> {
        let ui = Ui::new(global.json, global.quiet, global.no_color);
        // Flag, else the variable; a variable set to the empty string counts as unset.
        let non_empty = |p: &Option<PathBuf>, var: &str| {
            p.clone()
                .or_else(|| std::env::var_os(var).map(PathBuf::from))
                .filter(|p| !p.as_os_str().is_empty())
        };
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let project = Project::find(global.project_file.as_deref(), &cwd)
            .map_err(|e| CliError::new(e.to_string()))?;
        let paths = settings::resolve(
            non_empty(&global.vault, "FBVAULT_DIR"),
            non_empty(&global.identity, "FBVAULT_IDENTITY"),
            project.as_ref(),
        )
        .map_err(|e| {
            CliError::new(e.to_string()).hint("set HOME, or pass --vault DIR and --identity FILE")
        })?;
        Ok(Ctx { ui, project, paths })
    }

    /// The vault (which may not exist yet).
    pub fn vault(&self) -> crate::vault::Vault {
        let vault = crate::vault::Vault::new(&self.paths.vault);
        match &self.paths.pins {
            Some(pins) => vault.with_pins(crate::vault::Pins::new(pins)),
            None => vault,
        }
    }

    /// Loads the identity, asking for an SSH key's passphrase on the terminal.
    pub fn identity(&self) -> Result<crate::vault::Identity, CliError> {
        let ask = |q: &str| {
            prompt::secret(q).map(|s| age::secrecy::SecretString::from(s.expose().to_string()))
        };
        if let Some(warning) = crate::hardening::unprotected_identity(&self.paths.identity) {
            self.ui.warn(warning);
        }
        Ok(crate::vault::Identity::load(&self.paths.identity, &ask)?)
    }

    /// Opens the vault with the identity.
    pub fn session(&self) -> Result<Session<'_>, CliError> {
        Session::open(self)
    }
}

/// Prints a clap error in fbvault's shape (`fbvault: what` then hints); help and version
/// go to stdout as usual.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
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
    ui::err_line(&err.to_string());
    ExitCode::from(code::USAGE)
}

/// Parses the command line, runs the command, and returns the exit code.
pub fn main() -> ExitCode {
    crate::hardening::no_core_dumps();
    if let Some(code) = editor::guard_main() {
        return code;
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
    let result = Ctx::new(&cli.global).and_then(|ctx| commands::run(&ctx, cli.command));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            ui::err_line(&err.to_string());
            ExitCode::from(err.code)
        }
    }
}
