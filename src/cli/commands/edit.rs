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

use crate::cli::{CliError, Ctx, Session, editor};
use crate::vault::{Profile, ProfileName};

/// Edit a profile's JSON in your editor ($VISUAL, $EDITOR, or vi on a terminal).
///
/// The file you edit is the decrypted profile without its seal; fbvault checks it against
/// the profile schema and every field the provider reads (known names, types, ranges)
/// before saving; a rejected edit is kept (encrypted to you, outside the vault) and the next
/// `edit` starts from it. The name cannot be changed here.
///
/// Example: EDITOR=nano fbvault edit acme
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    which: crate::cli::select::Which,
    /// Start from the stored profile, dropping a rejected edit kept from last time
    #[arg(long)]
    discard: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let name = args.which.choose(ctx, &session)?;
    let editor = editor::editor().ok_or_else(|| {
        CliError::new(
            "no editor to run: $VISUAL and $EDITOR are unset and there is no terminal for vi",
        )
        .hint(format!(
            "set EDITOR, e.g. `EDITOR=nano fbvault edit {name}`"
        ))
    })?;
    let original = session.read(&name)?;
    if args.discard {
        session.vault.drop_rejected_edit(&name)?;
    }
    let stored = Zeroizing::new(format!(
        "{}\n",
        serde_json::to_string_pretty(&original.body()).expect("serializes")
    ));
    let text = match rejected(&session, &name) {
        Some(text) => {
            ctx.ui.info(format!(
                "continuing from your rejected edit of {name} (`fbvault edit {name} --discard` starts from the stored profile)"
            ));
            text
        }
        None => stored.clone(),
    };
    let Some(edited) = edit_text(ctx, &editor, &name, &text)? else {
        return Err(CliError::new(format!(
            "interrupted; profile `{name}` is unchanged"
        )));
    };
    if edited.trim() == stored.trim() {
        session.vault.drop_rejected_edit(&name)?;
        ctx.ui.info(format!("no changes to {name}"));
        return Ok(0);
    }
    let profile = match validate(&session, &name, &edited) {
        Ok(p) => p,
        Err(why) => return Err(reject(&session, &name, &edited, why)),
    };
    session.try_update(&name, |now| {
        if now.mac != original.mac {
            return Err(CliError::new(format!(
                "the profile changed while you were editing; profile `{name}` is unchanged"
            ))
            .hint(format!("run `fbvault edit {name}` again")));
        }
        *now = profile;
        Ok(())
    })?;
    session.vault.drop_rejected_edit(&name)?;
    ctx.ui.info(format!("saved {name}"));
    Ok(0)
}

/// The kept rejected edit, decrypted, when there is one this identity can open.
fn rejected(session: &Session, name: &ProfileName) -> Option<Zeroizing<String>> {
    let bytes = session.vault.rejected_edit(name)?;
    let plain = session.identity.decrypt(&bytes, "the rejected edit").ok()?;
    String::from_utf8(plain.to_vec()).ok().map(Zeroizing::new)
}

/// Refuses an edit, keeping its text (encrypted to this identity's own key, outside the
/// vault folder) for the next `edit`.
fn reject(session: &Session, name: &ProfileName, edited: &str, why: String) -> CliError {
    let kept = session.identity.public_key().is_some_and(|me| {
        crate::vault::encrypt(&[me.to_string()], edited.as_bytes())
            .and_then(|sealed| session.vault.keep_rejected_edit(name, &sealed))
            .is_ok()
    });
    let err = CliError::new(format!("{why}; profile `{name}` is unchanged"));
    if kept {
        err.hint(format!(
            "your text is kept: `fbvault edit {name}` continues from it (`--discard` drops it)"
        ))
    } else {
        err.hint(format!("run `fbvault edit {name}` again"))
    }
}

/// Checks an edited profile: JSON, the profile's shape, every field the provider reads
/// (known names, types and ranges), and the renames.
fn validate(session: &Session, name: &ProfileName, edited: &str) -> Result<Profile, String> {
    let value: Value = serde_json::from_str(edited).map_err(|e| {
        format!(
            "the edit is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let profile = Profile::from_body(name, value).map_err(|e| e.to_string())?;
    crate::runner::check_renames(&profile.env, &Default::default()).map_err(|e| e.to_string())?;
    let provider = session.provider(&profile).map_err(|e| e.to_string())?;
    let data = profile.data();
    fbvault_provider::check_known_fields(&provider.describe(), &data)
        .and_then(|()| provider.validate(&data))
        .map_err(|e| e.to_string())?;
    Ok(profile)
}

/// Writes `text` to a private file, runs the editor on it, and returns what it holds
/// afterwards; `None` when fbvault was interrupted (the plaintext is removed either way).
fn edit_text(
    ctx: &Ctx,
    editor: &str,
    name: &ProfileName,
    text: &str,
) -> Result<Option<Zeroizing<String>>, CliError> {
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
    let path = folder.path().join(format!("{name}.json"));
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
    let status = editor::run_editor(editor, &path, &hung_up);
    for id in handlers {
        signal_hook::low_level::unregister(id);
    }
    if hung_up.load(Ordering::SeqCst) {
        return Ok(None);
    }
    let status = status.map_err(|e| CliError::new(format!("cannot start the editor: {e}")))?;
    if !status.success() {
        return Err(CliError::new(format!(
            "the editor exited with {status}; profile `{name}` is unchanged"
        )));
    }
    let edited = std::fs::read_to_string(&path)
        .map_err(|e| CliError::new(format!("cannot read the edited file: {e}")))?;
    Ok(Some(Zeroizing::new(edited)))
}
