//! `fbvault edit NAME`: open the decrypted profile in `$VISUAL`/`$EDITOR`, validate the
//! result, re-seal and re-encrypt it. The plaintext lives in a 0600 temporary file in memory
//! (`/dev/shm` or `$XDG_RUNTIME_DIR` when available), in a private folder removed afterwards
//! with anything the editor left next to it, even when the terminal is closed; an invalid
//! edit is refused and the profile left as it was.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use zeroize::Zeroizing;

use crate::cli::{CliError, Ctx};
use crate::vault::{Profile, ProfileName};

/// Edit a profile's JSON in your editor ($VISUAL, $EDITOR, or vi).
///
/// The file you edit is the decrypted profile without its seal; fbvault checks it against
/// the profile schema and the provider's required fields before saving. The name cannot be
/// changed here.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The profile
    name: ProfileName,
}

/// A folder for plaintext that should not reach a disk: memory-backed when possible.
/// Returns the folder and whether it is memory-backed.
fn private_tmp_dir() -> (PathBuf, bool) {
    let candidates = [
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
        Some(PathBuf::from("/dev/shm")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|d| d.is_dir() && tempfile::tempfile_in(d).is_ok())
        .map_or_else(|| (std::env::temp_dir(), false), |d| (d, true))
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
    // A private folder (0700) holds the file, so the editor's swap and backup files are
    // private too, and removing the folder removes them all.
    let (base, in_memory) = private_tmp_dir();
    if !in_memory {
        ctx.ui.warn(format!(
            "no memory-backed folder for the plaintext; using {} (removed afterwards)",
            base.display()
        ));
    }
    let folder = tempfile::Builder::new()
        .prefix("fbvault-edit-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(&base)
        .map_err(|e| CliError::new(format!("cannot create a temporary folder: {e}")))?;
    let path = folder.path().join(format!("{}.json", args.name));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| CliError::new(format!("cannot create a temporary file: {e}")))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| CliError::new(format!("cannot write the temporary file: {e}")))?;
    drop(file);

    // While the editor runs, fbvault must outlive Ctrl-C, a closed terminal (SIGHUP) and
    // SIGTERM, to remove the plaintext. The handlers only raise flags.
    let hung_up = Arc::new(AtomicBool::new(false));
    let mut handlers = Vec::new();
    for sig in [SIGINT, SIGQUIT] {
        handlers.extend(signal_hook::flag::register(sig, Arc::new(AtomicBool::new(false))).ok());
    }
    for sig in [SIGHUP, SIGTERM] {
        handlers.extend(signal_hook::flag::register(sig, hung_up.clone()).ok());
    }
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{} \"$1\"", editor()))
        .arg("sh")
        .arg(&path)
        .status();
    for id in handlers {
        signal_hook::low_level::unregister(id);
    }
    if hung_up.load(Ordering::SeqCst) {
        drop(folder);
        return Err(CliError::new(format!(
            "interrupted; profile `{}` is unchanged",
            args.name
        )));
    }
    let status = status.map_err(|e| CliError::new(format!("cannot start the editor: {e}")))?;
    if !status.success() {
        return Err(CliError::new(format!(
            "the editor exited with {status}; profile `{}` is unchanged",
            args.name
        )));
    }
    let edited = Zeroizing::new(
        std::fs::read_to_string(&path)
            .map_err(|e| CliError::new(format!("cannot read the edited file: {e}")))?,
    );
    drop(folder);
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
