//! The vault's locks: the shared and exclusive `.fbvault.lock` (which finish an interrupted
//! re-encryption first) and the per-profile refresh locks in `.locks/`.

use std::path::PathBuf;

use super::{COMMIT_MARK, LOCK_FILE, LOCKS_DIR, ProfileName, Result, Vault, VaultError, fsio};
use fsio::Lock;

impl Vault {
    /// Takes the vault's shared lock (for reading), finishing an interrupted re-encryption
    /// first if there is one.
    pub fn read_lock(&self) -> Result<Lock> {
        self.require()?;
        self.check_layout()?;
        loop {
            if self.root.join(COMMIT_MARK).exists() {
                if self.read_only {
                    return Err(VaultError::ReadOnly {
                        what: "finishing an interrupted re-encryption".into(),
                    });
                }
                drop(self.write_lock()?);
            }
            let path = self.root.join(LOCK_FILE);
            let lock = if self.read_only {
                Lock::shared_read_only(&path)?
            } else {
                Lock::shared(&path)?
            };
            // A re-encryption may have died between the check and the lock.
            if !self.root.join(COMMIT_MARK).exists() {
                return Ok(lock);
            }
        }
    }

    /// Takes the vault's exclusive lock (for writing), finishing an interrupted
    /// re-encryption first if there is one.
    pub fn write_lock(&self) -> Result<Lock> {
        self.write_lock_for("this command")
    }

    /// [`Vault::write_lock`], naming what would write in the read-only error.
    pub fn write_lock_for(&self, what: &str) -> Result<Lock> {
        self.require()?;
        self.refuse_read_only(what)?;
        self.check_layout()?;
        let lock = Lock::exclusive(&self.root.join(LOCK_FILE))?;
        if self.root.join(COMMIT_MARK).exists() {
            self.roll_forward()?;
        }
        Ok(lock)
    }

    /// Takes the lock that serializes refreshes of one profile. Held across network calls;
    /// it does not block readers.
    pub fn profile_lock(&self, name: &ProfileName) -> Result<Lock> {
        self.refuse_read_only("refreshing a token")?;
        self.locks_dir()?;
        Lock::exclusive(&self.root.join(LOCKS_DIR).join(format!("{name}.lock")))
    }

    /// `.locks/`, created when missing and never followed through a symbolic link.
    pub(super) fn locks_dir(&self) -> Result<PathBuf> {
        let dir = self.root.join(LOCKS_DIR);
        fsio::refuse_symlink(&dir, LOCKS_DIR)?;
        fsio::create_private_dir(&dir)?;
        Ok(dir)
    }
}
