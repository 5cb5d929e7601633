//! Files on disk: private folders (0700), atomic private files (0600), and locks.
//!
//! Every write goes to a temporary file in the destination folder, is fsynced, renamed over
//! the destination, and the folder is fsynced: a reader sees the old file or the new one,
//! never half of one, and a crash before the rename leaves the old file as it was.
//! Locks are `flock`-style locks on separate lock files (renaming a new inode over a data
//! file would make a lock on the data file itself protect nothing).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use super::error::{Result, VaultError};

/// Creates `path` and any missing parents with mode 0700.
pub fn create_private_dir(path: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| VaultError::io(format!("cannot create {}", path.display()), e))
}

/// Reads a whole file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| VaultError::io(format!("cannot read {}", path.display()), e))
}

/// Writes `bytes` to `path` atomically with mode 0600.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, bytes, |_| Ok(()))
}

/// [`write_atomic`] with a hook that runs after the temporary file is complete and synced,
/// just before the rename. An error from the hook aborts the write (the temporary file is
/// removed and `path` is untouched); tests use it to interrupt a write at its worst moment.
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let what = || format!("cannot write {}", path.display());
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| VaultError::io(what(), e))?;
    tmp.write_all(bytes)
        .map_err(|e| VaultError::io(what(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| VaultError::io(what(), e))?;
    before_rename(tmp.path()).map_err(|e| VaultError::io(what(), e))?;
    tmp.persist(path)
        .map_err(|e| VaultError::io(what(), e.error))?;
    sync_dir(dir)
}

/// Removes a file and syncs its folder; a missing file is not an error.
pub fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(path.parent().unwrap_or(Path::new("."))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(VaultError::io(
            format!("cannot remove {}", path.display()),
            e,
        )),
    }
}

/// Renames a file and syncs its folder.
pub fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to)
        .map_err(|e| VaultError::io(format!("cannot rename {}", from.display()), e))?;
    sync_dir(to.parent().unwrap_or(Path::new(".")))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| VaultError::io(format!("cannot sync {}", dir.display()), e))
}

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Blocks until a shared lock on `path` is held (many readers at once).
    pub fn shared(path: &Path) -> Result<Lock> {
        Self::take(path, false)
    }

    /// Blocks until an exclusive lock on `path` is held (one writer, no readers).
    pub fn exclusive(path: &Path) -> Result<Lock> {
        Self::take(path, true)
    }

    /// The lock file's folder must exist.
    fn take(path: &Path, exclusive: bool) -> Result<Lock> {
        let what = || format!("cannot lock {}", path.display());
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| VaultError::io(what(), e))?;
        if exclusive {
            file.lock()
        } else {
            file.lock_shared()
        }
        .map_err(|e| VaultError::io(what(), e))?;
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn atomic_write_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        write_atomic(&p, b"one").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
    }

    #[test]
    fn an_interrupted_write_leaves_the_old_file_and_no_debris() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("profile.age");
        write_atomic(&p, b"old content").unwrap();
        let mut seen_tmp = None;
        let err = write_atomic_with(&p, b"new content", |tmp| {
            // The new bytes are complete on disk next to the old file...
            assert_eq!(fs::read(tmp).unwrap(), b"new content");
            seen_tmp = Some(tmp.to_path_buf());
            // ...and then the process "dies" before the rename.
            Err(io::Error::other("interrupted"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&p).unwrap(), b"old content");
        assert!(
            !seen_tmp.unwrap().exists(),
            "the temporary file is cleaned up"
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("profile.age")]);
    }

    #[test]
    fn private_dirs_are_0700() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b");
        create_private_dir(&p).unwrap();
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o700);
        assert_eq!(
            fs::metadata(dir.path().join("a")).unwrap().mode() & 0o777,
            0o700
        );
    }

    #[test]
    fn exclusive_lock_excludes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".lock");
        let held = Lock::exclusive(&p).unwrap();
        let f = OpenOptions::new().write(true).open(&p).unwrap();
        assert!(f.try_lock_shared().is_err());
        drop(held);
        assert!(f.try_lock_shared().is_ok());
    }
}
