//! `fbvault.toml`, the project file: found from the working directory upward (or given
//! with `--project-file`), it names a project's profile, page, vault folder and variable
//! renames, so that `fbvault run -- CMD` in a checkout needs no flags.
//!
//! ```toml
//! profile = "acme"            # used when neither -p nor FBVAULT_PROFILE is given
//! page = "1234567890"         # the page whose token becomes FB_ACCESS_TOKEN
//! vault = "secrets/vault"     # relative to this file's folder
//!
//! [env]
//! FB_ACCESS_TOKEN = "META_TOKEN"                            # rename
//! FB_PAGE_ID = ["FB_PAGE_ID", "PAGE_ID"]                     # keep, and add an alias
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::vault::EnvRename;

/// The project file's name.
pub const FILE_NAME: &str = "fbvault.toml";

/// A parsed project file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// The profile to use.
    pub profile: Option<String>,
    /// The page to act as.
    pub page: Option<String>,
    /// The vault folder, relative to the project file.
    pub vault: Option<PathBuf>,
    /// Variable renames.
    #[serde(default)]
    pub env: BTreeMap<String, EnvRename>,
    /// Where the file is.
    #[serde(skip)]
    pub path: PathBuf,
}

/// A project file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot use {}: {reason}", path.display())]
pub struct ProjectError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

impl Project {
    /// Loads `explicit`, or the first `fbvault.toml` from `start` upward; `None` when
    /// there is none.
    pub fn find(explicit: Option<&Path>, start: &Path) -> Result<Option<Project>, ProjectError> {
        if let Some(path) = explicit {
            return Self::load(path).map(Some);
        }
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Self::load(&candidate).map(Some);
            }
        }
        Ok(None)
    }

    fn load(path: &Path) -> Result<Project, ProjectError> {
        let err = |reason: String| ProjectError {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let mut project: Project =
            toml::from_str(&text).map_err(|e| err(e.message().to_string()))?;
        project.path = path.to_path_buf();
        if let Some(vault) = &project.vault
            && vault.is_relative()
        {
            let base = path.parent().unwrap_or(Path::new("."));
            project.vault = Some(base.join(vault));
        }
        Ok(project)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_upward_and_vault_made_relative_to_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "profile = \"acme\"\nvault = \"v\"\n[env]\nFB_ACCESS_TOKEN = \"T\"\nFB_PAGE_ID = [\"A\", \"B\"]\n",
        )
        .unwrap();
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        let p = Project::find(None, &deep).unwrap().unwrap();
        assert_eq!(p.profile.as_deref(), Some("acme"));
        assert_eq!(p.vault.unwrap(), dir.path().join("v"));
        assert_eq!(p.env["FB_PAGE_ID"].names(), vec!["A", "B"]);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join(FILE_NAME);
        std::fs::write(&f, "profil = \"acme\"\n").unwrap();
        let e = Project::find(Some(&f), dir.path()).unwrap_err();
        assert!(e.to_string().contains("profil"), "{e}");
    }
}
