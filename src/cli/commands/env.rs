//! `fbvault env`: print exactly the variables `run` would inject.

use std::collections::BTreeMap;

use crate::cli::{CliError, Ctx};
use crate::runner::{dotenv_quote, shell_quote};

use super::run::{Select, prepare};

/// How to print the variables.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// `export NAME='value'` lines, safe for `eval "$(fbvault env)"`
    Shell,
    /// `NAME=value` lines for a .env file
    Dotenv,
    /// One JSON object `{"NAME": "value"}`
    Json,
}

/// Print the variables `run` would inject (secrets in clear: handle with care).
///
/// Example: eval "$(fbvault env -p acme)"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    select: Select,
    /// Output format
    #[arg(long, value_enum, default_value = "shell")]
    format: Format,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let vars = prepare(ctx, &args.select)?;
    let format = if ctx.ui.json {
        Format::Json
    } else {
        args.format
    };
    match format {
        Format::Json => {
            let map: BTreeMap<&str, &str> = vars
                .iter()
                .map(|v| (v.name.as_str(), v.value.expose()))
                .collect();
            ctx.ui.out(serde_json::to_string(&map).expect("serializes"));
        }
        Format::Shell => {
            for v in &vars {
                ctx.ui.out(format!(
                    "export {}={}",
                    v.name,
                    shell_quote(v.value.expose())
                ));
            }
        }
        Format::Dotenv => {
            for v in &vars {
                ctx.ui
                    .out(format!("{}={}", v.name, dotenv_quote(v.value.expose())));
            }
        }
    }
    Ok(0)
}
