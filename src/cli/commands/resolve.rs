//! `fbvault resolve [NAME]`: settle git merge conflicts in vault files. A conflicted
//! profile is merged from git's index stages (or from the conflict markers in the file)
//! with the same rule as `fbvault merge`, and written back for the user to `git add`. A
//! conflict in `team.age` is explained: both recipient lists and the commands that settle
//! it. Once `team.age` is settled, `vault.json` (derived from it, and never merged by git:
//! `.gitattributes` has `/vault.json -merge`) is rewritten from it. Outside a merge,
//! `resolve NAME` accepts an older copy of a profile (a rollback this machine refuses)
//! after asking.

use crate::cli::prompt::{self, Confirmed};
use crate::cli::{CliError, Ctx, Session, code};
use crate::vault::{Merged, ProfileName, Side, Team, VaultError};

/// Settle a git merge conflict in vault files
///
/// Without NAME, settles every conflicted profile; then `git add` the files and commit.
/// For each token the later-issued one is kept; other fields merge three-way.
///
/// Examples:
///   git pull            # CONFLICT in vault/profiles/acme.age
///   fbvault resolve     # keeps the later token
///   git add vault && git commit
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The profile [default: every conflicted one]
    #[arg(add = crate::cli::complete::profiles())]
    name: Option<ProfileName>,
    /// Do not ask (accepting an older copy of a profile)
    #[arg(long, short = 'y')]
    yes: bool,
}

/// Tells what a merge kept.
pub fn report(ctx: &Ctx, name: &ProfileName, merged: &Merged) {
    let kept: Vec<String> = merged
        .kept
        .iter()
        .map(|(token, side)| format!("the {token} token from {}", side.as_str()))
        .collect();
    let kept = if kept.is_empty() {
        "the tokens both sides share".to_string()
    } else {
        kept.join(", ")
    };
    ctx.ui.info(format!(
        "{name}: merged; kept {kept} (the later-issued), other fields merged"
    ));
}

pub fn run(ctx: &Ctx, args: Args) -> Result<u8, CliError> {
    let session = ctx.session()?;
    let root = session.vault.root().to_path_buf();
    let unmerged = crate::git::unmerged(&root);
    if unmerged.iter().any(|p| p == "team.age") {
        return explain_team(ctx, &session);
    }
    let info = settle_info(ctx, &session, unmerged.iter().any(|p| p == "vault.json"))?;
    let mut names: Vec<ProfileName> = session
        .vault
        .names()?
        .into_iter()
        .filter(|n| unmerged.contains(&format!("profiles/{n}.age")) || has_markers(&session, n))
        .collect();
    if let Some(name) = &args.name {
        if !names.contains(name) {
            if info {
                ctx.ui.info("now `git add` vault.json and commit");
            }
            return not_conflicted(ctx, &session, name, args.yes);
        }
        names.retain(|n| n == name);
    }
    if names.is_empty() {
        ctx.ui.info(if info {
            "now `git add` vault.json and commit"
        } else {
            "no vault file has a merge conflict; nothing to do"
        });
        return Ok(0);
    }
    let mut failed = None;
    for name in &names {
        if let Err(e) = settle(ctx, &session, name) {
            ctx.ui.warn(&e.message);
            failed.get_or_insert(e);
        }
    }
    if let Some(e) = failed {
        return Err(
            CliError::with_code(e.code, "some conflicts are not settled (see above)").hint(
                "keep one side of each with `git checkout --ours FILE` (or --theirs), redo the other side's change with `fbvault edit NAME`, then `git add` and commit",
            ),
        );
    }
    ctx.ui.info(format!(
        "now `git add` the resolved file{} and commit",
        if names.len() + usize::from(info) == 1 {
            ""
        } else {
            "s"
        }
    ));
    Ok(0)
}

/// Settles `vault.json` once `team.age` is settled: it is derived from `team.age`, so a
/// copy git left conflicted (`conflicted`) or merged as text into something `team.age`
/// does not say is rewritten from it. Returns whether there is a `vault.json` to `git
/// add`. Outside a conflict, a vault this cannot open is left to the steps after it.
fn settle_info(ctx: &Ctx, session: &Session, conflicted: bool) -> Result<bool, CliError> {
    match session.vault.settle_info(&session.identity) {
        Ok(Some(team)) => {
            ctx.ui.info(format!(
                "vault.json: rewritten from team.age (generation {}, {} recipient{})",
                team.generation,
                team.recipients.len(),
                if team.recipients.len() == 1 { "" } else { "s" }
            ));
            Ok(true)
        }
        Ok(None) => {
            if conflicted {
                ctx.ui.info("vault.json: already matches team.age");
            }
            Ok(conflicted)
        }
        Err(e) if conflicted => Err(e.into()),
        Err(_) => Ok(false),
    }
}

fn has_markers(session: &Session, name: &ProfileName) -> bool {
    std::fs::read(session.vault.profile_path(name))
        .is_ok_and(|b| crate::vault::has_conflict_markers(&b))
}

/// The three versions of a conflicted profile: git's index stages, else the two sides
/// written between the conflict markers.
fn versions(session: &Session, name: &ProfileName) -> [Vec<u8>; 3] {
    let root = session.vault.root();
    let rel = format!("profiles/{name}.age");
    let stage = |n: &str| crate::git::show(root, n, &rel);
    if let (Some(ours), Some(theirs)) = (stage(":2"), stage(":3")) {
        return [stage(":1").unwrap_or_default(), ours, theirs];
    }
    let text = std::fs::read(session.vault.profile_path(name)).unwrap_or_default();
    split_markers(&text)
}

/// Splits a file with git conflict markers into (base, ours, theirs).
pub fn split_markers(text: &[u8]) -> [Vec<u8>; 3] {
    let mut out: [Vec<u8>; 3] = Default::default();
    // Where each line goes: 0 base, 1 ours, 2 theirs; outside a conflict, to all.
    let mut part: Option<usize> = None;
    for line in text.split_inclusive(|b| *b == b'\n') {
        let targets: &[usize] = if line.starts_with(b"<<<<<<< ") {
            part = Some(1);
            &[]
        } else if line.starts_with(b"||||||| ") {
            part = Some(0);
            &[]
        } else if line.starts_with(b"=======") && part.is_some() {
            part = Some(2);
            &[]
        } else if line.starts_with(b">>>>>>> ") {
            part = None;
            &[]
        } else {
            match part {
                Some(0) => &[0],
                Some(1) => &[1],
                Some(_) => &[2],
                None => &[0, 1, 2],
            }
        };
        for &t in targets {
            out[t].extend_from_slice(line);
        }
    }
    if !text.windows(9).any(|w| w == b"\n||||||| ") {
        out[0].clear();
    }
    out
}

fn settle(ctx: &Ctx, session: &Session, name: &ProfileName) -> Result<(), CliError> {
    let [base, ours, theirs] = versions(session, name);
    let vault = &session.vault;
    let _lock = vault.write_lock_for("resolving a conflict")?;
    let team = vault.team(&session.identity)?;
    let keys = vault.merge_keys(&session.identity, &team);
    let (sealed, merged) = vault
        .merge_profile_files(&session.identity, &team, &keys, name, [&base, &ours, &theirs])
        .map_err(|e| {
            CliError::new(format!("{name}: cannot merge: {}", super::merge::explain(&e))).hint(
                format!(
                    "keep one side with `git -C {{vault}} checkout --ours profiles/{name}.age` (or --theirs), then `fbvault edit {name}` to redo the other side's change"
                ),
            )
        })?;
    vault.write_profile_file(name, &sealed)?;
    vault.record_profile_revision(&team, name, merged.profile.revision)?;
    report(ctx, name, &merged);
    Ok(())
}

/// `resolve NAME` for a profile git does not call conflicted.
fn not_conflicted(
    ctx: &Ctx,
    session: &Session,
    name: &ProfileName,
    yes: bool,
) -> Result<u8, CliError> {
    let read = {
        let vault = &session.vault;
        let _lock = vault.read_lock()?;
        let team = vault.team(&session.identity)?;
        vault.read_profile(&session.identity, &team, name)
    };
    match read {
        Ok(_) => {
            ctx.ui
                .info(format!("{name} has no merge conflict; nothing to do"));
            Ok(0)
        }
        Err(VaultError::ProfileRolledBack { .. } | VaultError::OlderTeamKey { .. }) => {
            let question = format!(
                "Accept this copy of {name}? Its tokens may be older than the ones you had, and a copy sealed with an earlier team key may come from a member removed since."
            );
            let how = "pass --yes to accept it";
            if prompt::confirm_or_yes(yes, &question, "accept an older profile", how)?
                == Confirmed::No
            {
                return Ok(1);
            }
            session
                .vault
                .accept_profile_as_is(&session.identity, name)?;
            ctx.ui.info(format!(
                "{name}: this older copy is now the one this machine trusts"
            ));
            Ok(0)
        }
        Err(e) => Err(e.into()),
    }
}

fn explain_team(ctx: &Ctx, session: &Session) -> Result<u8, CliError> {
    let root = session.vault.root();
    let side = |stage: &str| -> Option<Team> {
        let bytes = crate::git::show(root, stage, "team.age")?;
        session
            .vault
            .team_from_bytes(&session.identity, &bytes)
            .ok()
    };
    let (ours, theirs) = (side(":2"), side(":3"));
    ctx.ui.info(
        "team.age (and vault.json) changed on both sides: two members changed the recipients or rekeyed at the same time, each with a new team key. fbvault never merges them.",
    );
    for (label, team) in [(Side::Ours, &ours), (Side::Theirs, &theirs)] {
        match team {
            Some(t) => {
                ctx.ui
                    .info(format!("{} (generation {}):", label.as_str(), t.generation));
                for r in &t.recipients {
                    ctx.ui.info(format!("  {r}"));
                }
            }
            None => ctx.ui.info(format!(
                "{}: cannot be opened with your identity",
                label.as_str()
            )),
        }
    }
    let base = side(":1");
    let (added, removed) = our_changes(base.as_ref(), ours.as_ref(), theirs.as_ref());
    ctx.ui
        .info("to settle it, take theirs, accept it, then redo your own recipient changes:");
    ctx.ui.info(format!(
        "  git -C {0} checkout --theirs team.age vault.json && git -C {0} add team.age vault.json",
        super::super::shown_path(root)
    ));
    ctx.ui.info("  fbvault recipients trust");
    ctx.ui.info(
        "  fbvault resolve            (rewrites vault.json from team.age, merges the profiles both sides changed)",
    );
    for r in &added {
        let name = r
            .name
            .as_ref()
            .map(|n| format!(" --name '{}'", crate::vault::text::escape_controls(n)))
            .unwrap_or_default();
        ctx.ui
            .info(format!("  fbvault recipients add '{}'{name}", r.key));
    }
    for r in &removed {
        ctx.ui
            .info(format!("  fbvault recipients remove '{}'", r.key));
    }
    ctx.ui.info(format!(
        "  git -C {0} add -A . && git -C {0} commit",
        super::super::shown_path(root)
    ));
    Err(CliError::with_code(
        code::LOCKED,
        "team.age has a merge conflict; nothing was changed",
    ))
}

/// The recipients our side added and removed (against the base when there is one, else
/// against theirs), that theirs does not already reflect.
fn our_changes(
    base: Option<&Team>,
    ours: Option<&Team>,
    theirs: Option<&Team>,
) -> (Vec<crate::vault::Recipient>, Vec<crate::vault::Recipient>) {
    let (Some(ours), Some(theirs)) = (ours, theirs) else {
        return (Vec::new(), Vec::new());
    };
    let has = |t: &Team, key: &str| t.recipients.iter().any(|r| r.key == key);
    let reference = base.unwrap_or(theirs);
    let added = ours
        .recipients
        .iter()
        .filter(|r| !has(reference, &r.key) && !has(theirs, &r.key))
        .cloned()
        .collect();
    let removed = base
        .map(|b| {
            b.recipients
                .iter()
                .filter(|r| !has(ours, &r.key) && has(theirs, &r.key))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_markers_split_into_both_sides() {
        let text =
            b"head\n<<<<<<< HEAD\nmine\n||||||| base\nold\n=======\nyours\n>>>>>>> other\ntail\n";
        let [b, o, t] = split_markers(text);
        assert_eq!(b, b"head\nold\ntail\n");
        assert_eq!(o, b"head\nmine\ntail\n");
        assert_eq!(t, b"head\nyours\ntail\n");
        let [b, o, t] = split_markers(b"a\n<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> o\n");
        assert!(b.is_empty());
        assert_eq!(
            (o.as_slice(), t.as_slice()),
            (&b"a\nx\n"[..], &b"a\ny\n"[..])
        );
    }
}
