//! One `up` or `down` at a time per project on this machine: concurrent runs
//! on the same project wait for each other instead of racing (which could
//! create duplicate containers). Different projects never wait.

use std::fs::File;
use std::os::unix::io::AsRawFd;

use sha2::{Digest, Sha256};

/// Holds the project's lock until dropped.
pub struct ProjectLock {
    _file: File,
}

/// Takes the lock for `project` on the engine at `host`, telling `notice`
/// when another run holds it.
pub fn lock_project(host: &str, project: &str, notice: impl FnOnce(&str)) -> std::io::Result<ProjectLock> {
    let dir = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let key = hex::encode(&Sha256::digest(format!("{host}\n{project}").as_bytes())[..8]);
    let path = dir.join(format!("rcompose-{project}-{key}.lock"));
    let file = File::options().create(true).truncate(false).write(true).open(&path)?;
    let fd = file.as_raw_fd();
    // SAFETY: flock on a file descriptor we own.
    if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        notice(&format!("another rcompose is working on project \"{project}\"; waiting for it to finish"));
        // SAFETY: as above, blocking this time.
        if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(ProjectLock { _file: file })
}
