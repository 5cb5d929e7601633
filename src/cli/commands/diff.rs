//! `fbvault diff FILE`: a vault file (a profile, `team.age` or `vault.json`) decrypted as
//! stable pretty JSON with every secret masked, for git's textconv: `git diff` and `git log
//! -p` show what changed without printing a secret. A file it cannot open gives one line
//! saying so, and exit 0, so git keeps working.

use std::path::PathBuf;

use fbvault_provider::Secret;
use serde_json::Value;

use crate::cli::{CliError, Ctx};
use crate::vault::MAX_FILE_BYTES;

/// Print a vault file decrypted, with every secret masked (git's textconv)
///
/// Register it with `fbvault git setup` (or `git config diff.fbvault.textconv "fbvault diff"`);
/// never use `age -d` as a textconv: it prints every secret into your terminal and pager.
///
/// Example: fbvault diff vault/profiles/acme.age
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The file (git passes a temporary copy of the version to show)
    file: PathBuf,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let text = match render(ctx, &args) {
        Ok(text) => text,
        Err(why) => format!("(fbvault diff: cannot show this file: {why})"),
    };
    ctx.ui.out(text);
    Ok(0)
}

fn render(ctx: &Ctx, args: &Args) -> Result<String, String> {
    let bytes =
        crate::vault::fsio::read_capped(&args.file, MAX_FILE_BYTES).map_err(|e| match e {
            crate::vault::fsio::ReadError::Missing => "no such file".to_string(),
            crate::vault::fsio::ReadError::TooLarge(n) => format!("it is {n} bytes, too large"),
            crate::vault::fsio::ReadError::Io(e) => e.to_string(),
        })?;
    if bytes.is_empty() {
        return Ok(String::new());
    }
    if crate::vault::has_conflict_markers(&bytes) {
        return Err("it holds git conflict markers (`fbvault resolve` settles them)".into());
    }
    let value: Value = if bytes.starts_with(b"-----BEGIN AGE") || bytes.starts_with(b"age-") {
        let identity = ctx.identity().map_err(|e| e.message)?;
        let plain = identity
            .decrypt(&bytes, "this file")
            .map_err(|e| CliError::from(e).message)?;
        serde_json::from_slice(&plain).map_err(|_| "it does not hold JSON".to_string())?
    } else {
        serde_json::from_slice(&bytes).map_err(|_| "it is neither age nor JSON".to_string())?
    };
    Ok(serde_json::to_string_pretty(&masked(value)).expect("JSON serializes"))
}

fn array_items<'a>(
    map: &'a mut serde_json::Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a mut Value> {
    map.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

fn mask(v: &mut Value) {
    if let Value::String(s) = v {
        *v = Value::String(Secret::new(s.as_str()).masked());
    }
}

/// The file's JSON with every secret masked the way `show` masks it: a profile's
/// `secrets` and token values, `team.age`'s team keys (wholly); the seal (`mac`) is left out (it
/// changes with every write and says nothing to a reader).
pub fn masked(mut value: Value) -> Value {
    let Some(map) = value.as_object_mut() else {
        return value;
    };
    map.remove("mac");
    // Team keys are shown as nothing at all: even a few characters of one are too many.
    if let Some(key) = map.get_mut("team_key") {
        *key = Value::String("***".into());
    }
    for item in array_items(map, "previous_keys") {
        if let Some(key) = item.get_mut("key") {
            *key = Value::String("***".into());
        }
    }
    for item in array_items(map, "tokens") {
        if let Some(v) = item.get_mut("value") {
            mask(v);
        }
    }
    if let Some(secrets) = map.get_mut("secrets").and_then(Value::as_object_mut) {
        secrets.values_mut().for_each(mask);
    }
    value
}
