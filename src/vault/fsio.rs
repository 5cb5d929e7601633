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

/// Why [`read_capped`] failed.
#[derive(Debug)]
pub enum ReadError {
    /// There is no such file.
    Missing,
    /// The file is larger than the cap (its size in bytes).
    TooLarge(u64),
    /// Any other failure.
    Io(io::Error),
}

/// Reads a whole file of at most `cap` bytes; a larger one is refused from its size,
/// without reading it (and a file that grows while read is cut at `cap + 1` bytes and
/// refused too).
pub fn read_capped(path: &Path, cap: u64) -> std::result::Result<Vec<u8>, ReadError> {
    use std::io::Read;
    // Non-blocking open: a FIFO planted in place of a vault file must not hang the reader.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => ReadError::Missing,
            _ => ReadError::Io(e),
        })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::Io(io::Error::other("it is not a regular file")));
    }
    let size = meta.len();
    if size > cap {
        return Err(ReadError::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
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
    let dir = folder_of(path);
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
        Ok(()) => sync_dir(folder_of(path)),
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
    sync_dir(folder_of(to))
}

/// The folder of `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| VaultError::io(format!("cannot sync {}", dir.display()), e))
}

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: Option<File>,
}

impl Lock {
    /// Blocks until a shared lock on `path` is held (many readers at once). In a folder
    /// nobody can write (a read-only mount), the lock file is opened read-only, or skipped
    /// when it cannot even be created: no writer can change such a folder either.
    pub fn shared(path: &Path) -> Result<Lock> {
        Self::take(path, false)
    }

    /// [`Lock::shared`] that never creates the lock file or opens it for writing (for
    /// `--read-only`, which leaves the vault folder exactly as it is).
    pub fn shared_read_only(path: &Path) -> Result<Lock> {
        let nofollow = LOCK_FLAGS;
        let file = match OpenOptions::new()
            .read(true)
            .custom_flags(nofollow)
            .open(path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Lock { _file: None }),
            Err(e) => return Err(lock_error(path, e)),
        };
        check_lock_file(path, &file)?;
        file.lock_shared()
            .map_err(|e| VaultError::io(format!("cannot lock {}", path.display()), e))?;
        Ok(Lock { _file: Some(file) })
    }

    /// Blocks until an exclusive lock on `path` is held (one writer, no readers).
    pub fn exclusive(path: &Path) -> Result<Lock> {
        Self::take(path, true)
    }

    /// The lock file's folder must exist. The lock file is never followed through a
    /// symbolic link and must be a regular file of this user's: a committed
    /// `.fbvault.lock -> /etc/nologin` creates nothing anywhere.
    fn take(path: &Path, exclusive: bool) -> Result<Lock> {
        let what = || format!("cannot lock {}", path.display());
        let nofollow = LOCK_FLAGS;
        let opened = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .custom_flags(nofollow)
            .open(path);
        let file = match opened {
            Ok(file) => file,
            Err(e) if !exclusive && read_only_error(&e) => {
                match OpenOptions::new()
                    .read(true)
                    .custom_flags(nofollow)
                    .open(path)
                {
                    Ok(file) => file,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        return Ok(Lock { _file: None });
                    }
                    Err(e) => return Err(lock_error(path, e)),
                }
            }
            Err(e) => return Err(lock_error(path, e)),
        };
        check_lock_file(path, &file)?;
        if exclusive {
            file.lock()
        } else {
            file.lock_shared()
        }
        .map_err(|e| VaultError::io(what(), e))?;
        Ok(Lock { _file: Some(file) })
    }
}

fn read_only_error(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(30) // EROFS
}

fn lock_error(path: &Path, e: io::Error) -> VaultError {
    // ELOOP: O_NOFOLLOW met a symbolic link.
    if e.raw_os_error() == Some(40) {
        return VaultError::Symlink {
            file: path.display().to_string(),
        };
    }
    // ENXIO: a FIFO opened for writing, without blocking, that nobody reads.
    if e.raw_os_error() == Some(6) {
        return VaultError::Refused(format!(
            "{} is not a regular file; remove it (it is fbvault's lock file)",
            path.display()
        ));
    }
    VaultError::io(format!("cannot lock {}", path.display()), e)
}

/// How lock files are opened: never through a symbolic link, and without blocking (a FIFO
/// planted as a lock file would otherwise hang the command; [`check_lock_file`] refuses it).
const LOCK_FLAGS: i32 =
    rustix::fs::OFlags::NOFOLLOW.bits() as i32 | rustix::fs::OFlags::NONBLOCK.bits() as i32;

fn check_lock_file(path: &Path, file: &File) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = file
        .metadata()
        .map_err(|e| VaultError::io(format!("cannot lock {}", path.display()), e))?;
    if !meta.is_file() {
        return Err(VaultError::Refused(format!(
            "{} is not a regular file; remove it (it is fbvault's lock file)",
            path.display()
        )));
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me && me != 0 {
        return Err(VaultError::Refused(format!(
            "{} belongs to another user; remove it (it is fbvault's lock file)",
            path.display()
        )));
    }
    Ok(())
}

/// Why a folder (or file) is unsafe to trust: `Some("is writable by …")` when others than
/// its owner may write to it.
pub fn loose_folder(path: &Path) -> Option<&'static str> {
    let mode = fs::metadata(path).ok()?.permissions().mode();
    if mode & 0o002 != 0 {
        Some("is writable by every user")
    } else if mode & 0o020 != 0 {
        Some("is writable by its group")
    } else {
        None
    }
}

/// Refuses `path` when it is a symbolic link (`name` names it in the error); a missing
/// entry is fine.
pub fn refuse_symlink(path: &Path, name: &str) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(VaultError::Symlink {
            file: name.to_string(),
        }),
        _ => Ok(()),
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
