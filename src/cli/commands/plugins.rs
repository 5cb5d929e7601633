//! `fbvault plugins list`: the built-in and external providers, with versions and
//! capabilities.

use fbvault_provider::TokenProvider;
use serde::Serialize;

use crate::cli::ui::table;
use crate::cli::{CliError, Ctx};
use crate::external::ExternalProvider;

/// Providers.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the providers: built in, and fbvault-provider-NAME executables in
    /// <config dir>/plugins and on PATH
    ///
    /// Example: fbvault providers list --json
    #[command(verbatim_doc_comment)]
    List,
}

#[derive(Serialize)]
struct Entry {
    name: String,
    version: String,
    kind: &'static str,
    path: Option<String>,
    capabilities: Vec<String>,
}

pub fn run(ctx: &Ctx, command: Command) -> Result<u8, CliError> {
    let Command::List = command;
    let mut entries = Vec::new();
    let caps = |p: &dyn TokenProvider| {
        let d = p.describe();
        let c = d
            .capabilities
            .iter()
            .map(|c| {
                serde_json::to_value(c)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .collect();
        (d.version, c)
    };
    for builtin in crate::providers::BUILTIN {
        let (version, capabilities) = caps(crate::providers::build(builtin).as_ref());
        entries.push(Entry {
            name: builtin.name.into(),
            version,
            kind: "built-in",
            path: None,
            capabilities,
        });
    }
    for ext in ExternalProvider::discover(&ctx.paths) {
        let (version, capabilities) = caps(&ext);
        entries.push(Entry {
            name: ext.name().to_string(),
            version,
            kind: "external",
            path: Some(ext.path().display().to_string()),
            capabilities,
        });
    }
    if ctx.ui.json {
        ctx.ui.out_json(&entries);
    } else {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                vec![
                    e.name.clone(),
                    e.version.clone(),
                    e.kind.to_string(),
                    e.capabilities.join(","),
                    e.path.clone().unwrap_or_default(),
                ]
            })
            .collect();
        for line in table(&["NAME", "VERSION", "KIND", "CAPABILITIES", "PATH"], &rows) {
            ctx.ui.out(line);
        }
    }
    Ok(0)
}
