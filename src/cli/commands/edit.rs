//! `fbvault edit NAME`: open the decrypted profile in `$VISUAL`/`$EDITOR`, validate the
//! result, re-seal and re-encrypt it. The plaintext lives in a 0600 temporary file in memory
//! (`/dev/shm` or `$XDG_RUNTIME_DIR` when available) and is removed afterwards; an invalid
//! edit is refused and the profile left as it was.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use signal_hook::consts::{SIGINT, SIGQUIT};
use zeroize::Zeroizing;

use crate::cli::{CliError, Ctx};
use crate::vault::{Profile, ProfileName};

/// Edit a profile's JSON in your editor ($VISUAL, $EDITOR, or vi).
///
/// The file you edit is the decrypted profile without its seal; fbvault checks it against
/// the profile schema and the provider's required fields before saving. The name cannot be
/// changed here.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile
    name: ProfileName,
}

/// A folder for plaintext that should not reach a disk: memory-backed when possible.
fn private_tmp_dir() -> PathBuf {
    let candidates = [
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
        Some(PathBuf::from("/dev/shm")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|d| d.is_dir() && tempfile::tempfile_in(d).is_ok())
        .unwrap_or_else(std::env::temp_dir)
}

fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let original = session.read(&args.name)?;
    let text = Zeroizing::new(format!(
        "{}\n",
        serde_json::to_string_pretty(&original.body()).expect("serializes")
    ));
    let mut file = tempfile::Builder::new()
        .prefix("fbvault-edit-")
        .suffix(".json")
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(private_tmp_dir())
        .map_err(|e| CliError::new(format!("cannot create a temporary file: {e}")))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| CliError::new(format!("cannot write the temporary file: {e}")))?;

    // While the editor runs, a Ctrl-C is the editor's business: fbvault must survive it to
    // remove the plaintext file.
    let ignore: Vec<_> = [SIGINT, SIGQUIT]
        .iter()
        .filter_map(|s| {
            signal_hook::flag::register(
                *s,
                std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
            )
            .ok()
        })
        .collect();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{} \"$1\"", editor()))
        .arg("sh")
        .arg(file.path())
        .status();
    for id in ignore {
        signal_hook::low_level::unregister(id);
    }
    let status = status.map_err(|e| CliError::new(format!("cannot start the editor: {e}")))?;
    if !status.success() {
        return Err(CliError::new(format!(
            "the editor exited with {status}; profile `{}` is unchanged",
            args.name
        )));
    }
    let edited = Zeroizing::new(
        std::fs::read_to_string(file.path())
            .map_err(|e| CliError::new(format!("cannot read the edited file: {e}")))?,
    );
    drop(file);
    if edited.trim() == text.trim() {
        ctx.ui.info(format!("no changes to {}", args.name));
        return Ok(0);
    }
    let unchanged = |why: String| {
        CliError::new(format!("{why}; profile `{}` is unchanged", args.name))
            .hint(format!("run `fbvault edit {}` again", args.name))
    };
    let value: Value = serde_json::from_str(&edited).map_err(|e| {
        unchanged(format!(
            "the edit is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let profile = Profile::from_body(&args.name, value).map_err(|e| unchanged(e.to_string()))?;
    let provider = session.provider(&profile)?;
    provider
        .validate(&profile.data())
        .map_err(|e| unchanged(e.to_string()))?;
    session.update(&args.name, |stored| {
        if stored.mac != original.mac {
            return Err(unchanged(
                "the profile changed while you were editing".into(),
            ));
        }
        *stored = profile;
        Ok(())
    })?;
    ctx.ui.info(format!("saved {}", args.name));
    Ok(0)
}
