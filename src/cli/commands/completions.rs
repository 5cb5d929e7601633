//! `fbvault completions SHELL`: print the script that wires a shell to fbvault's dynamic
//! completion (see [`crate::cli::complete`]).

use crate::cli::CliError;

/// Print a completion script for your shell.
///
/// The script calls fbvault back for every completion, so it knows your subcommands, flags,
/// paths, the commands after `--`, and your profile names (read from the vault's file
/// names: no identity or passphrase is needed).
///
/// Examples:
///   fbvault completions bash > ~/.local/share/bash-completion/completions/fbvault
///   fbvault completions zsh > "${fpath[1]}/_fbvault"
///   fbvault completions fish > ~/.config/fish/completions/fbvault.fish
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The shell
    shell: clap_complete::Shell,
}

pub fn run(ui: &crate::cli::Ui, args: Args) -> Result<u8, CliError> {
    let shells = clap_complete::env::Shells::builtins();
    let name = args.shell.to_string();
    let shell = shells
        .completer(&name)
        .ok_or_else(|| CliError::usage(format!("no completion support for {name}")))?;
    let mut script = Vec::new();
    shell
        .write_registration("COMPLETE", "fbvault", "fbvault", "fbvault", &mut script)
        .map_err(|e| CliError::new(format!("cannot write the script: {e}")))?;
    ui.out_bytes(&script);
    Ok(0)
}
