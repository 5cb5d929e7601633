//! `fbvault show NAME`: the profile with its secrets masked (`EAAB…9xQ`), or whole with
//! `--reveal`.

use chrono::Utc;
use serde_json::Value;

use crate::cli::format::{expiry, token_title};
use crate::cli::sanitize::escape;
use crate::cli::{CliError, Ctx};
use crate::vault::Profile;

/// Show a profile; secrets are masked unless --reveal.
///
/// Examples:
///   fbvault show acme
///   fbvault show acme --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    which: crate::cli::select::Which,
    /// Print secrets and tokens in full
    #[arg(long)]
    reveal: bool,
}

/// The profile as JSON without its seal, secrets masked unless `reveal`.
pub fn view(profile: &Profile, reveal: bool) -> Value {
    let mut v = profile.body();
    if !reveal {
        if let Some(secrets) = v.get_mut("secrets").and_then(Value::as_object_mut) {
            for (key, value) in secrets.iter_mut() {
                *value = Value::String(profile.secrets[key].masked());
            }
        }
        if let Some(tokens) = v.get_mut("tokens").and_then(Value::as_array_mut) {
            for (t, stored) in tokens.iter_mut().zip(&profile.tokens) {
                t["value"] = Value::String(stored.value.masked());
            }
        }
    }
    v
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let name = args.which.choose(ctx, &session)?;
    let profile = session.read(&name)?;
    if ctx.ui.json {
        ctx.ui.out_json(&view(&profile, args.reveal));
        return Ok(0);
    }
    let show = |s: &fbvault_provider::Secret| {
        if args.reveal {
            s.expose().to_string()
        } else {
            s.masked()
        }
    };
    let now = Utc::now();
    // Page names, scopes, plugin fields and the reason a token was marked invalid come from
    // outside: every line is escaped (a real secret never holds a control character).
    let ui = &ctx.ui;
    let out = |line: String| ui.out(escape(&line));
    let field = |k: &str, v: &str| out(format!("{k:<14} {v}"));
    field("profile", &profile.name);
    field("provider", &profile.provider);
    for (k, v) in &profile.config {
        field(k, v);
    }
    for (k, v) in &profile.secrets {
        field(k, &show(v));
    }
    if profile.inject_secrets {
        field("inject", "the app secret (inject_secrets is on)");
    }
    for (standard, renamed) in &profile.env {
        field(
            "env",
            &format!("{standard} → {}", renamed.names().join(", ")),
        );
    }
    if profile.tokens.is_empty() {
        field(
            "tokens",
            &format!("none (give one with `fbvault login {}`)", profile.name),
        );
    }
    for t in &profile.tokens {
        out(token_title(t));
        out(format!("  value        {}", show(&t.value)));
        out(format!("  expiry       {}", expiry(t.expires_at, now)));
        if let Some(da) = t.data_access_expires_at {
            out(format!("  data access  until {}", da.format("%Y-%m-%d")));
        }
        if !t.scopes.is_empty() {
            out(format!("  scopes       {}", t.scopes.join(", ")));
        }
        if !t.tasks.is_empty() {
            out(format!("  tasks        {}", t.tasks.join(", ")));
        }
        if let Some(why) = &t.invalid {
            out(format!("  INVALID      {why}"));
        }
    }
    Ok(0)
}
