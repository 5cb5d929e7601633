//! `fbvault merge BASE OURS THEIRS PATH`: the git merge driver for vault files (`fbvault
//! git setup` registers it). A profile merges with the later-token rule (see
//! [`crate::vault::merge`]) and is re-sealed into OURS; `team.age` and `vault.json` are
//! never merged silently.

use std::path::{Path, PathBuf};

use crate::cli::{CliError, Ctx};
use crate::vault::merge::MergeError;
use crate::vault::{MAX_FILE_BYTES, ProfileName, fsio};

/// Merge two versions of a vault file (git's merge driver)
///
/// Git runs it as `fbvault merge %O %A %B %P` once `fbvault git setup` registered it: the
/// common ancestor, ours (where the result goes), theirs, and the file's path. For each
/// token the later-issued one wins; other fields merge three-way. Exit 1 (git reports a
/// conflict, `fbvault resolve` settles it) when a field changed differently on both sides,
/// and always for team.age and vault.json.
///
/// Example: git config merge.fbvault.driver "fbvault merge %O %A %B %P"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The common ancestor's version (git's %O)
    base: PathBuf,
    /// Our version; the result is written here (git's %A)
    ours: PathBuf,
    /// Their version (git's %B)
    theirs: PathBuf,
    /// The file's path in the repository (git's %P)
    path: PathBuf,
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    match fsio::read_capped(path, MAX_FILE_BYTES) {
        Ok(bytes) => Ok(bytes),
        Err(fsio::ReadError::Missing) => Ok(Vec::new()),
        Err(_) => Err(CliError::new(format!("cannot read {}", path.display()))),
    }
}

/// The profile a vault path names (`…/profiles/NAME.age`) and its vault folder.
pub fn profile_of(path: &Path) -> Option<(ProfileName, PathBuf)> {
    let name = path
        .file_name()?
        .to_str()?
        .strip_suffix(".age")?
        .parse()
        .ok()?;
    let profiles = path.parent()?;
    (profiles.file_name()? == "profiles").then(|| (name, folder_of(profiles).to_path_buf()))
}

/// The folder holding `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let shown = args.path.display().to_string();
    let Some((name, root)) = profile_of(&args.path) else {
        let file = args.path.file_name().and_then(|f| f.to_str()).unwrap_or("");
        if matches!(file, "team.age" | "vault.json") {
            let [ours, theirs] = [read(&args.ours)?, read(&args.theirs)?];
            if ours == theirs {
                return Ok(0);
            }
            ctx.ui.warn(format!(
                "{shown} changed on both sides (two recipient changes at once): fbvault never merges it; run `fbvault resolve` to see both recipient lists and how to settle them"
            ));
            let root = folder_of(&args.path);
            if ctx.vault_at(root).vault_json_mergeable() {
                ctx.ui.warn(format!(
                    "{}'s .gitattributes lacks `/vault.json -merge`, so git may have merged vault.json as text: `fbvault resolve` rewrites it from the settled team.age, and `fbvault git setup` adds the line",
                    root.display()
                ));
            }
            return Ok(1);
        }
        return Err(CliError::new(format!(
            "{shown} is not a vault file fbvault can merge"
        )));
    };
    let vault = ctx.vault_at(&root);
    let identity = ctx.identity()?;
    let team = vault.team(&identity)?;
    let keys = vault.merge_keys(&identity, &team);
    let files = [read(&args.base)?, read(&args.ours)?, read(&args.theirs)?];
    let result = vault.merge_profile_files(
        &identity,
        &team,
        &keys,
        &name,
        [&files[0], &files[1], &files[2]],
    );
    match result {
        Ok((sealed, merged)) => {
            fsio::write_atomic(&args.ours, &sealed)?;
            super::resolve::report(ctx, &name, &merged);
            Ok(0)
        }
        Err(e) => {
            ctx.ui.warn(format!(
                "cannot merge {shown}: {}; git marks it conflicted: settle it with `fbvault resolve {name}`",
                explain(&e)
            ));
            Ok(1)
        }
    }
}

/// A merge failure in words, with the likely cause.
pub fn explain(e: &MergeError) -> String {
    match e {
        MergeError::Side(side, crate::vault::VaultError::Tampered { .. }) => format!(
            "the {} side is sealed with a team key this checkout does not know (a teammate rotated the team key: settle team.age first)",
            side.as_str()
        ),
        other => other.to_string(),
    }
}
