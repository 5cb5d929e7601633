//! `fbvault completions SHELL`: print a shell completion script.

use clap::CommandFactory;

use crate::cli::{Cli, CliError};

/// Print a completion script for your shell.
///
/// Example: fbvault completions bash > ~/.local/share/bash-completion/completions/fbvault
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The shell
    shell: clap_complete::Shell,
}

pub fn run(ui: &crate::cli::Ui, args: Args) -> Result<u8, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "fbvault", &mut script);
    ui.out_bytes(&script);
    Ok(0)
}
