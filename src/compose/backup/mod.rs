//! `backup` and `restore` of a project's volumes, and `backup ls` /
//! `backup verify` of an archive.
//!
//! Owns: the archive format ([`archive`]), the bridge between engine
//! streams and the blocking tar/zstd code ([`pipe`]), holding writers still
//! for a consistent copy ([`quiesce`]), and the operations themselves. Never
//! prints: progress goes to a `Reporter`, results are returned.

pub mod archive;
pub mod guard;
mod make;
pub mod pipe;
pub mod quiesce;
mod restore;

pub use make::{backup, backup_steps, chosen_volumes, partial_path, BackupOutcome, BackupRequest};
pub use restore::{restore, restore_steps, swap_script, target_name, unreadable, RestoreOutcome, RestoreRequest};

/// Reads a whole backup without restoring it: its header, the sums it
/// carries and the sums of what it holds (`backup ls`, `backup verify`).
pub async fn inspect(file: &std::path::Path) -> Result<archive::Contents, crate::Error> {
    let path = file.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let f = std::fs::File::open(&path).map_err(archive::ReadError::Io)?;
        archive::read(std::io::BufReader::with_capacity(1 << 20, f), |_| Ok(()), |_| Ok(None))
    })
    .await
    .map_err(|e| crate::Error::new(crate::ErrorKind::System, miette::miette!("{e}")))?
    .map_err(|e| unreadable(file, &e))
}
