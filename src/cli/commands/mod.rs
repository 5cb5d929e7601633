//! One module per subcommand; this file is the list and the dispatch.

pub mod add;
pub mod completions;
pub mod diff;
pub mod edit;
pub mod env;
pub mod git;
pub mod identity;
pub mod import;
pub mod init;
pub mod inspect;
pub mod list;
pub mod login;
pub mod merge;
pub mod pages;
pub mod plugins;
pub mod recipients;
pub mod refresh;
pub mod rekey;
pub mod resolve;
pub mod rm;
pub mod run;
pub mod show;
pub mod status;

use clap::Subcommand;

use super::{CliError, Ctx};

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::Args),
    /// Your identity: the private key that opens the vault, and its public key
    ///
    /// Examples:
    ///   fbvault identity show
    ///   fbvault identity new
    #[command(subcommand, verbatim_doc_comment)]
    Identity(identity::Command),
    Add(add::Args),
    Login(login::Args),
    Refresh(refresh::Args),
    List(list::Args),
    Status(status::Args),
    Show(show::Args),
    Inspect(inspect::Args),
    Pages(pages::Args),
    Edit(edit::Args),
    Rm(rm::Args),
    Run(run::Args),
    Env(env::Args),
    Import(import::Args),
    /// Who can open the vault: list, add, remove, trust
    ///
    /// Examples:
    ///   fbvault recipients list
    ///   fbvault recipients add "$(cat bob.pub)" --name bob
    #[command(subcommand, verbatim_doc_comment)]
    Recipients(recipients::Command),
    Rekey(rekey::Args),
    /// The providers: built in, and external fbvault-provider-NAME executables
    ///
    /// Example: fbvault providers list
    #[command(subcommand, visible_alias = "providers", verbatim_doc_comment)]
    Plugins(plugins::Command),
    Diff(diff::Args),
    Merge(merge::Args),
    Resolve(resolve::Args),
    /// Git integration for a vault kept in a repository
    ///
    /// Example: fbvault git setup
    #[command(subcommand, verbatim_doc_comment)]
    Git(git::Command),
    Completions(completions::Args),
}

impl Command {
    /// Whether `--json` may add a report of what the command did to stdout: not when
    /// stdout belongs to someone else (`run`'s child, git for `diff`/`merge`, a shell
    /// for `completions`).
    pub fn reports_done(&self) -> bool {
        !matches!(
            self,
            Command::Run(_) | Command::Diff(_) | Command::Merge(_) | Command::Completions(_)
        )
    }

    /// The command's words (`add`, `recipients add`), for `--json` reports.
    pub fn name(&self) -> String {
        let args = super::arguments();
        let mut cmd = <super::Cli as clap::CommandFactory>::command();
        let mut words = Vec::new();
        for arg in &args {
            let Some(sub) = cmd.find_subcommand(arg).cloned() else {
                if words.is_empty() {
                    continue;
                }
                break;
            };
            words.push(sub.get_name().to_string());
            cmd = sub;
        }
        words.join(" ")
    }

    /// Whether the command reads `fbvault.toml` (those that need no vault work even when
    /// it is broken).
    pub fn needs_project(&self) -> bool {
        !matches!(
            self,
            Command::Completions(_)
                | Command::Identity(_)
                | Command::Plugins(_)
                | Command::Diff(_)
                | Command::Merge(_)
        )
    }
}

/// Runs a subcommand; returns the exit code on success.
pub fn run(ctx: &Ctx, command: Command) -> Result<u8, CliError> {
    match command {
        Command::Init(a) => init::run(ctx, a),
        Command::Identity(c) => identity::run(ctx, c),
        Command::Add(a) => add::run(ctx, a),
        Command::Login(a) => login::run(ctx, a),
        Command::Refresh(a) => refresh::run(ctx, a),
        Command::List(a) => list::run(ctx, a),
        Command::Status(a) => status::run(ctx, a),
        Command::Show(a) => show::run(ctx, a),
        Command::Inspect(a) => inspect::run(ctx, a),
        Command::Pages(a) => pages::run(ctx, a),
        Command::Edit(a) => edit::run(ctx, a),
        Command::Rm(a) => rm::run(ctx, a),
        Command::Run(a) => run::run(ctx, a),
        Command::Env(a) => env::run(ctx, a),
        Command::Import(a) => import::run(ctx, a),
        Command::Recipients(c) => recipients::run(ctx, c),
        Command::Rekey(a) => rekey::run(ctx, a),
        Command::Plugins(c) => plugins::run(ctx, c),
        Command::Diff(a) => diff::run(ctx, a),
        Command::Merge(a) => merge::run(ctx, a),
        Command::Resolve(a) => resolve::run(ctx, a),
        Command::Git(c) => git::run(ctx, c),
        Command::Completions(a) => completions::run(&ctx.ui, a),
    }
}
