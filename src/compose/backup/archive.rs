//! The backup archive format, written and read a tar entry at a time so
//! memory stays flat whatever the volumes hold. No engine here.
//!
//! A backup is a zstd-compressed tar with, in this order:
//! - `rcompose-backup.json`, the [`Header`]: project, rcompose version,
//!   each volume's name, driver, options and labels, each service's image
//!   and config hash;
//! - each volume's content under `volumes/<key>/` (the `volumes/<key>/`
//!   entry itself carries the volume root's owner and mode);
//! - `rcompose-backup-sums.json`, the [`Trailer`]: per volume the bytes,
//!   the number of entries and a SHA-256 of its entries ([`Digest`]).
//!
//! The sums come last because they are known only once the data has gone
//! by; a reader checks them as it reads, so one pass restores and verifies.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The first entry's name.
pub const HEADER: &str = "rcompose-backup.json";
/// The last entry's name.
pub const TRAILER: &str = "rcompose-backup-sums.json";
/// The format this code writes and reads.
pub const FORMAT: u32 = 1;
const VOLUMES: &str = "volumes/";

/// What a backup holds, written before the data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub project: String,
    /// When the backup was made (RFC 3339, UTC).
    pub created: String,
    pub rcompose_version: String,
    pub volumes: Vec<VolumeMeta>,
    /// Service → what it ran when the backup was made.
    pub services: IndexMap<String, ServiceMeta>,
}

/// A volume as the project defined it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VolumeMeta {
    /// Its key under the file's top-level `volumes:`.
    pub key: String,
    /// Its engine name when backed up.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default)]
    pub driver_opts: BTreeMap<String, String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub external: bool,
    /// The services that mount it.
    #[serde(default)]
    pub services: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceMeta {
    pub image: String,
    pub config_hash: String,
}

/// What was written, known once the data has gone by.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trailer {
    pub volumes: IndexMap<String, VolumeSum>,
}

/// One volume's size and checksum.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeSum {
    /// Bytes of file content.
    pub bytes: u64,
    /// Entries: files, folders and links, the root included.
    pub entries: u64,
    /// SHA-256 over each entry's path, type, mode, owner, size, link target
    /// and content, in archive order (modification times left out).
    pub sha256: String,
}

/// The running checksum of one volume's entries.
#[derive(Default)]
pub struct Digest {
    sha: Sha256,
    sum: VolumeSum,
}

impl Digest {
    /// Adds an entry's metadata; its content follows through [`Digest::content`].
    fn entry(&mut self, rel: &str, header: &tar::Header, link: Option<&[u8]>) {
        self.sha.update(rel.as_bytes());
        self.sha.update([0, header.entry_type().as_byte()]);
        for n in [u64::from(header.mode().unwrap_or(0) & 0o7777), header.uid().unwrap_or(0), header.gid().unwrap_or(0), content_size(header)] {
            self.sha.update(n.to_le_bytes());
        }
        self.sha.update(link.unwrap_or_default());
        self.sha.update([0]);
        self.sum.entries += 1;
    }

    fn content(&mut self, bytes: &[u8]) {
        self.sha.update(bytes);
        self.sum.bytes += bytes.len() as u64;
    }

    fn finish(self) -> VolumeSum {
        VolumeSum { sha256: hex::encode(self.sha.finalize()), ..self.sum }
    }
}

fn content_size(header: &tar::Header) -> u64 {
    if header.entry_type().is_file() || header.entry_type() == tar::EntryType::Continuous {
        header.size().unwrap_or(0)
    } else {
        0
    }
}

/// A reader that feeds what it reads to a [`Digest`].
struct Hashing<'a, R> {
    inner: R,
    digest: &'a mut Digest,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.content(&buf[..n]);
        Ok(n)
    }
}

/// Writes a backup's tar: [`Writer::new`] with the header, one
/// [`Writer::add_volume`] per volume, then [`Writer::finish`]. The output
/// is the uncompressed tar; put a [`compressor`] under it.
pub struct Writer<W: Write> {
    tar: tar::Builder<W>,
    trailer: Trailer,
}

/// The zstd stream a backup is written through, at `level`. Single
/// threaded: zstd's own workers each buffer megabytes of jobs, which took a
/// backup's peak memory to 90 MB.
pub fn compressor<W: Write>(out: W, level: i32) -> io::Result<zstd::stream::write::Encoder<'static, W>> {
    zstd::stream::write::Encoder::new(out, level)
}

impl<W: Write> Writer<W> {
    /// Starts the archive with `header`.
    pub fn new(out: W, header: &Header) -> io::Result<Writer<W>> {
        let mut writer = Writer { tar: tar::Builder::new(out), trailer: Trailer::default() };
        writer.tar.mode(tar::HeaderMode::Complete);
        writer.json(HEADER, header)?;
        Ok(writer)
    }

    fn json(&mut self, name: &str, value: &impl Serialize) -> io::Result<()> {
        let body = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        self.tar.append_data(&mut h, name, body.as_slice())
    }

    /// Copies a volume's tar as the engine gives it (every entry under one
    /// top folder, the volume's root) into the backup under
    /// `volumes/<key>/`, and returns its sum.
    pub fn add_volume(&mut self, key: &str, engine_tar: impl Read) -> io::Result<VolumeSum> {
        let mut digest = Digest::default();
        let mut archive = tar::Archive::new(engine_tar);
        for entry in archive.entries()? {
            let mut entry = entry?;
            let path = entry.path()?.into_owned();
            let path = path.to_string_lossy().into_owned();
            let rel = strip_top(&path);
            let dest = if rel.is_empty() { format!("{VOLUMES}{key}/") } else { format!("{VOLUMES}{key}/{rel}") };
            let mut header = entry.header().clone();
            let kind = header.entry_type();
            if kind.is_symlink() || kind.is_hard_link() {
                let target = entry.link_name()?.map(|l| l.to_string_lossy().into_owned()).unwrap_or_default();
                // A hard link names another entry of the archive: move it too.
                // Hashed relative to the volume, so the key does not count.
                digest.entry(rel, &header, Some(if kind.is_hard_link() { strip_top(&target) } else { &target }.as_bytes()));
                let target = if kind.is_hard_link() { format!("{VOLUMES}{key}/{}", strip_top(&target)) } else { target };
                self.tar.append_link(&mut header, &dest, &target)?;
            } else {
                digest.entry(rel, &header, None);
                self.tar.append_data(&mut header, &dest, Hashing { inner: &mut entry, digest: &mut digest })?;
            }
        }
        let sum = digest.finish();
        self.trailer.volumes.insert(key.to_string(), sum.clone());
        Ok(sum)
    }

    /// Writes the trailer and ends the tar; returns the output.
    pub fn finish(mut self) -> io::Result<(W, Trailer)> {
        let trailer = std::mem::take(&mut self.trailer);
        self.json(TRAILER, &trailer)?;
        Ok((self.tar.into_inner()?, trailer))
    }
}

/// `top/a/b` → `a/b`; `top/` → ``.
fn strip_top(path: &str) -> &str {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    path.split_once('/').map_or("", |(_, rest)| rest.trim_end_matches('/'))
}

/// What reading a backup found wrong.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("it is not an rcompose backup: {0}")]
    NotBackup(String),
    #[error("it was made by a newer rcompose (format {0}); this one reads format {FORMAT}")]
    NewerFormat(u32),
    #[error("it ends before its checksums: the archive is cut short")]
    Truncated,
    #[error("volume `{0}` appears in the data but not in the header")]
    UnknownVolume(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Where a volume's entries go while reading: a tar stream of its content
/// under `prefix` (e.g. `.restore/`, or `` for the root).
pub struct Sink {
    pub out: Box<dyn Write + Send>,
    pub prefix: String,
}

/// What a read found.
#[derive(Debug)]
pub struct Contents {
    pub header: Header,
    /// The sums the archive carries.
    pub expected: Trailer,
    /// The sums of what was read.
    pub actual: Trailer,
    /// Each volume root's mode and owner.
    pub roots: IndexMap<String, Root>,
}

/// A volume root's mode and owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Root {
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

impl Contents {
    /// The volumes whose content does not match its checksum.
    pub fn mismatches(&self) -> Vec<&str> {
        self.header
            .volumes
            .iter()
            .map(|v| v.key.as_str())
            .filter(|k| self.expected.volumes.get(*k) != Some(self.actual.volumes.get(*k).unwrap_or(&VolumeSum::default())))
            .collect()
    }
}

/// Reads a whole backup, checking sums as it goes. `on_header` sees the
/// header first and may refuse it; `sink_for` gives, for each volume key
/// as its data begins, where its entries go (none: only checked).
pub fn read(
    input: impl Read,
    on_header: impl FnOnce(&Header) -> io::Result<()>,
    mut sink_for: impl FnMut(&VolumeMeta) -> io::Result<Option<Sink>>,
) -> Result<Contents, ReadError> {
    let zstd = zstd::stream::read::Decoder::new(input)?;
    let mut archive = tar::Archive::new(zstd);
    let mut entries = archive.entries()?;
    let header = header_of(entries.next())?;
    on_header(&header)?;
    let mut roots = IndexMap::new();
    let mut actual = Trailer::default();
    let mut current: Option<Open> = None;
    let mut expected = None;
    for entry in entries {
        let mut entry = entry.map_err(|e| if e.kind() == io::ErrorKind::UnexpectedEof { ReadError::Truncated } else { ReadError::Io(e) })?;
        let path = entry.path()?.to_string_lossy().into_owned();
        if path == TRAILER {
            expected = Some(serde_json::from_reader(&mut entry).map_err(|e| ReadError::NotBackup(format!("unreadable {TRAILER}: {e}")))?);
            continue;
        }
        let Some(inside) = path.strip_prefix(VOLUMES) else {
            return Err(ReadError::NotBackup(format!("unexpected entry `{path}`")));
        };
        let (key, rel) = inside.split_once('/').unwrap_or((inside, ""));
        let rel = rel.trim_end_matches('/').to_string();
        if current.as_ref().is_none_or(|(k, _, _)| k != key) {
            close(current.take(), &mut actual)?;
            let meta = header.volumes.iter().find(|v| v.key == key).ok_or_else(|| ReadError::UnknownVolume(key.to_string()))?;
            let sink = sink_for(meta)?.map(|s| {
                let mut b = tar::Builder::new(s.out);
                b.mode(tar::HeaderMode::Complete);
                (b, s.prefix)
            });
            current = Some((key.to_string(), Digest::default(), sink));
        }
        let (_, digest, sink) = current.as_mut().expect("set above");
        let mut h = entry.header().clone();
        let kind = h.entry_type();
        if rel.is_empty() && kind.is_dir() {
            roots.insert(key.to_string(), Root { mode: h.mode().unwrap_or(0o755) & 0o7777, uid: h.uid().unwrap_or(0), gid: h.gid().unwrap_or(0) });
        }
        let dest = |prefix: &str| if rel.is_empty() { prefix.to_string() } else { format!("{prefix}{rel}") };
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry.link_name()?.map(|l| l.to_string_lossy().into_owned()).unwrap_or_default();
            let within = format!("{VOLUMES}{key}/");
            let target = if kind.is_hard_link() { target.strip_prefix(&within).unwrap_or(&target).to_string() } else { target };
            digest.entry(&rel, &h, Some(target.as_bytes()));
            if let Some((b, prefix)) = sink {
                let target = if kind.is_hard_link() { format!("{prefix}{target}") } else { target };
                b.append_link(&mut h, dest(prefix), &target)?;
            }
        } else {
            digest.entry(&rel, &h, None);
            match sink {
                Some((b, prefix)) if !dest(prefix).is_empty() => b.append_data(&mut h, dest(prefix), Hashing { inner: &mut entry, digest })?,
                // The root itself, unpacked in place: nothing to write.
                _ => {
                    io::copy(&mut Hashing { inner: &mut entry, digest }, &mut io::sink())?;
                }
            }
        }
    }
    close(current.take(), &mut actual)?;
    let expected = expected.ok_or(ReadError::Truncated)?;
    Ok(Contents { header, expected, actual, roots })
}

/// Reads only the header at the start of a backup.
pub fn read_header(input: impl Read) -> Result<Header, ReadError> {
    let zstd = zstd::stream::read::Decoder::new(input)?;
    let mut archive = tar::Archive::new(zstd);
    let mut entries = archive.entries()?;
    header_of(entries.next())
}

fn header_of<R: Read>(first: Option<io::Result<tar::Entry<'_, R>>>) -> Result<Header, ReadError> {
    let header: Header = match first {
        Some(Ok(mut first)) if first.path()?.to_string_lossy() == HEADER => {
            serde_json::from_reader(&mut first).map_err(|e| ReadError::NotBackup(format!("unreadable {HEADER}: {e}")))?
        }
        Some(Ok(_)) => return Err(ReadError::NotBackup(format!("its first entry is not {HEADER}"))),
        Some(Err(e)) => return Err(ReadError::NotBackup(e.to_string())),
        None => return Err(ReadError::NotBackup("it is empty".into())),
    };
    if header.format > FORMAT {
        return Err(ReadError::NewerFormat(header.format));
    }
    Ok(header)
}

/// The volume being read: its key, running sum, and where its entries go
/// (a tar builder and the path prefix), if anywhere.
type Open = (String, Digest, Option<(tar::Builder<Box<dyn Write + Send>>, String)>);

/// Ends a volume's stream and keeps its sum.
fn close(current: Option<Open>, actual: &mut Trailer) -> io::Result<()> {
    if let Some((key, digest, sink)) = current {
        if let Some((b, _)) = sink {
            let mut out = b.into_inner()?;
            out.flush()?;
        }
        actual.volumes.insert(key, digest.finish());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
