//! Writing files so that a crash leaves the old content or the new, never half of one.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Mode of a file others may read (`0666` less the umask, as `File::create` makes them).
pub const MODE_SHARED: u32 = 0o666;
/// Mode of a public file written on purpose world-readable (less the umask).
pub const MODE_PUBLIC: u32 = 0o644;
/// Mode of a file only its owner may read.
pub const MODE_PRIVATE: u32 = 0o600;

/// Writes `bytes` to `path` atomically and durably: a temporary file in the same directory
/// (mode `mode` less the umask, on unix), written, synced, renamed over `path`, and the
/// directory synced (on unix).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut f = AtomicFile::new_for(path, mode)?;
    f.write_all(bytes)?;
    f.commit(path)
}

/// A file being written beside its final place; [`commit`](AtomicFile::commit) syncs it and
/// renames it into place. Dropped without a commit, it is removed.
#[derive(Debug)]
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    dir: PathBuf,
}

fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

impl AtomicFile {
    /// A temporary file in `dir`, named `.<hint>.<random>.tmp`, of mode `mode` less the umask
    /// (on unix).
    pub fn new_in(dir: &Path, hint: &str, mode: u32) -> io::Result<AtomicFile> {
        let prefix = format!(".{hint}.");
        let mut b = tempfile::Builder::new();
        b.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(mode));
        }
        #[cfg(not(unix))]
        let _ = mode;
        Ok(AtomicFile {
            tmp: b.tempfile_in(dir)?,
            dir: dir.to_owned(),
        })
    }

    /// A temporary file beside `path`.
    pub fn new_for(path: &Path, mode: u32) -> io::Result<AtomicFile> {
        let hint = path
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
        AtomicFile::new_in(dir_of(path), &hint, mode)
    }

    /// The open file.
    pub fn as_file(&self) -> &File {
        self.tmp.as_file()
    }

    /// The open file, for writing.
    pub fn as_file_mut(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Syncs the file, renames it to `path` (normally in the same directory) and syncs the
    /// directory (on unix; elsewhere not possible and not needed).
    pub fn commit(self, path: &Path) -> io::Result<()> {
        self.tmp.as_file().sync_all()?;
        self.tmp.persist(path).map_err(|e| e.error)?;
        sync_dir(&self.dir)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

impl Seek for AtomicFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.tmp.seek(pos)
    }
}

/// Syncs a directory, so that renames in it are durable (unix only).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        write_atomic(&p, b"one", MODE_PRIVATE).unwrap();
        write_atomic(&p, b"two", MODE_PRIVATE).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Nothing else is left in the directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Dropped without a commit: removed.
        let f = AtomicFile::new_in(dir.path(), "b", MODE_SHARED).unwrap();
        drop(f);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
