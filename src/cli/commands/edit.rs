//! `fbvault edit NAME`: open the decrypted profile in `$VISUAL`/`$EDITOR`, validate the
//! result, re-seal and re-encrypt it. The plaintext lives in a 0600 temporary file in memory
//! (`/dev/shm` or `$XDG_RUNTIME_DIR` when available), in a private folder removed afterwards
//! with anything the editor left next to it, even when the terminal is closed; an invalid
//! edit is refused and the profile left as it was. After a `kill -9` the editor dies too
//! and the next command removes the folder ([`editor`](crate::cli::editor)).

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use zeroize::Zeroizing;

use crate::cli::{CliError, Ctx, editor};
use crate::vault::{Profile, ProfileName};

/// Edit a profile's JSON in your editor ($VISUAL, $EDITOR, or vi on a terminal).
///
/// The file you edit is the decrypted profile without its seal; fbvault checks it against
/// the profile schema and the provider's required fields before saving. The name cannot be
/// changed here.
///
/// Example: EDITOR=nano fbvault edit acme
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The profile
    name: ProfileName,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let editor = editor::editor().ok_or_else(|| {
        CliError::new(
            "no editor to run: $VISUAL and $EDITOR are unset and there is no terminal for vi",
        )
        .hint(format!(
            "set EDITOR, e.g. `EDITOR=nano fbvault edit {}`",
            args.name
        ))
    })?;
    let session = ctx.session()?;
    let original = session.read(&args.name)?;
    let text = Zeroizing::new(format!(
        "{}\n",
        serde_json::to_string_pretty(&original.body()).expect("serializes")
    ));
    // A private folder (0700) holds the file, so the editor's swap and backup files are
    // private too, and removing the folder removes them all.
    let (base, in_memory) = editor::private_tmp_dir();
    if !in_memory {
        ctx.ui.warn(format!(
            "no memory-backed folder for the plaintext; using {} (removed afterwards)",
            base.display()
        ));
    }
    let folder = tempfile::Builder::new()
        .prefix(&editor::folder_prefix())
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
    let status = editor::run_editor(&editor, &path, &hung_up);
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
    crate::runner::check_renames(&profile.env, &Default::default())
        .map_err(|e| unchanged(e.to_string()))?;
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
