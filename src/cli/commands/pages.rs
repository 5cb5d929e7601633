//! `fbvault pages NAME`: list the pages the user token manages and store their tokens.

use crate::cli::format::when;
use crate::cli::sanitize::escape;
use crate::cli::ui::table;
use crate::cli::{CliError, Ctx};

/// Read the pages the user manages (GET /me/accounts, and with business_management the
/// pages of the user's businesses: /me/businesses, owned_pages, client_pages) and store a
/// token for each, each page once.
///
/// Page tokens read with a long-lived user token do not expire. Pick one for `run` with
/// --page ID, `page` in fbvault.toml, or `add --page`.
///
/// Example: fbvault pages acme && fbvault run -p acme --page "Acme Bakery" -- python post.py
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    which: crate::cli::select::Which,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let name = args.which.choose(ctx, &session)?;
    let _lock = session.vault.profile_lock(&name)?;
    let profile = session.read(&name)?;
    let provider = session.provider(&profile)?;
    // Only a provider that declares pages is asked for them.
    if !provider.describe().can(fbvault_provider::Capability::Pages) {
        return Err(CliError::new(format!(
            "{}: the {} provider has no pages",
            name, profile.provider
        )));
    }
    let progress = crate::cli::progress::start(&ctx.ui, format!("{}: reading pages", name));
    let set = provider
        .pages(&fbvault_provider::Context::now(), &profile.data())
        .map_err(|e| CliError::provider(e, name.as_str()))?;
    drop(progress);
    let stored = session.store_tokens(&name, set)?;
    let pages: Vec<_> = stored
        .tokens
        .iter()
        .filter(|t| t.kind == fbvault_provider::TokenKind::Page)
        .collect();
    if ctx.ui.json {
        let list: Vec<_> = pages
            .iter()
            .map(|t| {
                serde_json::json!({
                    "id": t.subject, "name": t.label, "tasks": t.tasks,
                    "expires_at": t.expires_at, "token": t.value.masked(),
                })
            })
            .collect();
        ctx.ui.out_json(&list);
    } else if pages.is_empty() {
        ctx.ui.info(format!(
            "{}: the user manages no pages this token can see",
            name
        ));
    } else {
        let rows: Vec<Vec<String>> = pages
            .iter()
            .map(|t| {
                // Page ids, names and tasks come from Graph: escaped.
                vec![
                    escape(t.subject.as_deref().unwrap_or_default()).into_owned(),
                    escape(t.label.as_deref().unwrap_or_default()).into_owned(),
                    escape(&t.tasks.join(",")).into_owned(),
                    when(t.expires_at),
                ]
            })
            .collect();
        for line in table(&["PAGE ID", "NAME", "TASKS", "TOKEN EXPIRES"], &rows) {
            ctx.ui.out(line);
        }
    }
    Ok(0)
}
