//! `fbvault plugins list`: the built-in and external providers, with versions and
//! capabilities.

use fbvault_provider::{Description, ProviderError};
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
    /// `null` for a plugin that cannot describe itself.
    version: Option<String>,
    kind: &'static str,
    path: Option<String>,
    capabilities: Vec<String>,
    /// Why the plugin cannot describe itself (control characters escaped); absent when it can.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Entry {
    fn new(
        name: &str,
        kind: &'static str,
        path: Option<String>,
        described: Result<&Description, &ProviderError>,
    ) -> Entry {
        let (version, capabilities, error) = match described {
            Ok(d) => {
                let capabilities = d
                    .capabilities
                    .iter()
                    .map(|c| {
                        serde_json::to_value(c)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    })
                    .collect();
                (Some(d.version.clone()), capabilities, None)
            }
            Err(e) => (None, Vec::new(), Some(e.message.clone())),
        };
        Entry {
            name: name.to_string(),
            version,
            kind,
            path,
            capabilities,
            error,
        }
    }
}

pub fn run(ctx: &Ctx, command: Command) -> Result<u8, CliError> {
    let Command::List = command;
    let mut entries = Vec::new();
    for builtin in crate::providers::BUILTIN {
        let described = builtin.build().describe();
        entries.push(Entry::new(builtin.name, "built-in", None, Ok(&described)));
    }
    for ext in ExternalProvider::discover(&ctx.paths) {
        let path = Some(ext.path().display().to_string());
        entries.push(Entry::new(ext.name(), "external", path, ext.described()));
    }
    if ctx.ui.json {
        ctx.ui.out_json(&entries);
    } else {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                vec![
                    e.name.clone(),
                    e.version.clone().unwrap_or_else(|| "-".to_string()),
                    e.kind.to_string(),
                    e.capabilities.join(","),
                    e.path.clone().unwrap_or_default(),
                ]
            })
            .collect();
        for line in table(&["NAME", "VERSION", "KIND", "CAPABILITIES", "PATH"], &rows) {
            ctx.ui.out(line);
        }
        for e in &entries {
            if let Some(error) = &e.error {
                ctx.ui.warn(error);
            }
        }
    }
    Ok(0)
}
