use std::sync::{Arc, Mutex};

use super::*;

/// A tar as the engine gives `/volume`: everything under `volume/`.
fn engine_tar(big: usize) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut dir = |path: &str, mode: u32, uid: u64| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(mode);
        h.set_uid(uid);
        h.set_gid(uid);
        h.set_size(0);
        b.append_data(&mut h, path, io::empty()).unwrap();
    };
    dir("volume/", 0o700, 999);
    dir("volume/sub/", 0o755, 0);
    let mut file = |path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o640);
        h.set_uid(999);
        h.set_size(data.len() as u64);
        b.append_data(&mut h, path, data).unwrap();
    };
    file("volume/a.txt", b"hello rows");
    file("volume/sub/big.bin", &vec![7u8; big]);
    let long = format!("volume/sub/{}", "n".repeat(150));
    file(&long, b"long name");
    let mut link = |kind: tar::EntryType, path: &str, target: &str| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(0o777);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(0);
        b.append_link(&mut h, path, target).unwrap();
    };
    link(tar::EntryType::Symlink, "volume/link", "a.txt");
    link(tar::EntryType::Link, "volume/hard", "volume/a.txt");
    b.into_inner().unwrap()
}

fn header(keys: &[&str]) -> Header {
    Header {
        format: FORMAT,
        project: "demo".into(),
        created: "2026-12-02T13:00:00Z".into(),
        rcompose_version: "0.1.0".into(),
        volumes: keys
            .iter()
            .map(|k| VolumeMeta {
                key: (*k).into(),
                name: format!("demo_{k}"),
                driver: None,
                driver_opts: BTreeMap::new(),
                labels: BTreeMap::new(),
                external: false,
                services: vec!["db".into()],
            })
            .collect(),
        services: IndexMap::new(),
    }
}

fn write(header: &Header, volumes: &[&str], big: usize) -> (Vec<u8>, Trailer) {
    let mut w = Writer::new(compressor(Vec::new(), 3).unwrap(), header).unwrap();
    for k in volumes {
        w.add_volume(k, engine_tar(big).as_slice()).unwrap();
    }
    let (zstd, trailer) = w.finish().unwrap();
    (zstd.finish().unwrap(), trailer)
}

fn backup(keys: &[&str], big: usize) -> (Vec<u8>, Trailer) {
    write(&header(keys), keys, big)
}

/// A `Write` the test can read back after the reader dropped it.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);
impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// (path, kind, mode, uid, link, content) of each entry of a tar.
fn listing(tar: &[u8]) -> Vec<(String, tar::EntryType, u32, u64, String, Vec<u8>)> {
    let mut a = tar::Archive::new(tar);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut content = Vec::new();
            e.read_to_end(&mut content).unwrap();
            let h = e.header();
            let link = e.link_name().unwrap().map(|l| l.to_string_lossy().into_owned()).unwrap_or_default();
            (e.path().unwrap().to_string_lossy().into_owned(), h.entry_type(), h.mode().unwrap(), h.uid().unwrap(), link, content)
        })
        .collect()
}

#[test]
fn a_backup_reads_back_entry_for_entry_under_the_sink_prefix() {
    let (archive, written) = backup(&["db", "cache"], 300_000);
    assert_eq!(written.volumes["db"].bytes, 10 + 300_000 + 9);
    assert_eq!(written.volumes["db"].entries, 7);
    // The same content gives the same sum, whatever the volume's key.
    assert_eq!(written.volumes["db"], written.volumes["cache"]);
    assert!(archive.len() < 10_000, "300 kB of sevens compress: {}", archive.len());

    let sinks: Vec<(String, Shared)> = Vec::new();
    let sinks = Mutex::new(sinks);
    let read = read(
        archive.as_slice(),
        |h| {
            assert_eq!(h.project, "demo");
            Ok(())
        },
        |meta| {
            let s = Shared::default();
            sinks.lock().unwrap().push((meta.key.clone(), s.clone()));
            Ok(Some(Sink { out: Box::new(s), prefix: ".restore/".into() }))
        },
    )
    .unwrap();
    assert!(read.mismatches().is_empty());
    assert_eq!(read.expected, written);
    assert_eq!(read.actual, written);
    let sinks = sinks.into_inner().unwrap();
    assert_eq!(sinks.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["db", "cache"]);
    let entries = listing(&sinks[0].1 .0.lock().unwrap());
    let paths: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(paths[0], ".restore/", "the root, with its owner and mode");
    assert_eq!((entries[0].2 & 0o7777, entries[0].3), (0o700, 999));
    assert!(paths.contains(&".restore/a.txt") && paths.contains(&".restore/sub/big.bin"), "{paths:?}");
    assert!(paths.iter().any(|p| p.len() > 160), "a long name survives: {paths:?}");
    let a = entries.iter().find(|e| e.0 == ".restore/a.txt").unwrap();
    assert_eq!((a.5.as_slice(), a.2 & 0o7777, a.3), (&b"hello rows"[..], 0o640, 999));
    let sym = entries.iter().find(|e| e.0 == ".restore/link").unwrap();
    assert_eq!((sym.1, sym.4.as_str()), (tar::EntryType::Symlink, "a.txt"));
    let hard = entries.iter().find(|e| e.0 == ".restore/hard").unwrap();
    assert_eq!((hard.1, hard.4.as_str()), (tar::EntryType::Link, ".restore/a.txt"), "a hard link follows its target");
}

#[test]
fn unpacking_at_the_root_writes_no_entry_for_the_root_itself() {
    let (archive, _) = backup(&["db"], 10);
    let out = Shared::default();
    let o = out.clone();
    read(archive.as_slice(), |_| Ok(()), move |_| Ok(Some(Sink { out: Box::new(o.clone()), prefix: String::new() }))).unwrap();
    let entries = listing(&out.0.lock().unwrap());
    assert_eq!(entries[0].0, "sub");
    assert_eq!(entries.iter().find(|e| e.0 == "hard").unwrap().4, "a.txt");
}

/// The archive's tar, changed by `edit`, compressed again.
fn tampered(archive: &[u8], edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut tar = zstd::decode_all(archive).unwrap();
    edit(&mut tar);
    zstd::encode_all(tar.as_slice(), 3).unwrap()
}

#[test]
fn a_changed_byte_is_a_mismatch_of_that_volume_only() {
    let (archive, _) = backup(&["db", "cache"], 100);
    let bad = tampered(&archive, |tar| {
        let at = tar.windows(10).position(|w| w == b"hello rows").unwrap();
        tar[at] = b'j';
    });
    let read = read(bad.as_slice(), |_| Ok(()), |_| Ok(None)).unwrap();
    assert_eq!(read.mismatches(), ["db"]);
}

#[test]
fn a_cut_archive_is_truncated_or_unreadable_never_fine() {
    let (archive, _) = backup(&["db"], 200_000);
    for keep in [archive.len() / 2, archive.len() - 20] {
        let r = read(&archive[..keep], |_| Ok(()), |_| Ok(None));
        assert!(r.is_err(), "cut at {keep} of {} read as complete", archive.len());
    }
    // Cut just before the trailer, at an entry boundary: no sums, refused.
    let tar = zstd::decode_all(archive.as_slice()).unwrap();
    let at = tar.windows(TRAILER.len()).position(|w| w == TRAILER.as_bytes()).unwrap();
    let cut = zstd::encode_all(&tar[..at], 3).unwrap();
    assert!(matches!(read(cut.as_slice(), |_| Ok(()), |_| Ok(None)), Err(ReadError::Truncated)));
}

#[test]
fn other_archives_are_refused_by_what_they_are() {
    let plain = zstd::encode_all(engine_tar(1).as_slice(), 3).unwrap();
    let e = read(plain.as_slice(), |_| Ok(()), |_| Ok(None)).unwrap_err();
    assert!(e.to_string().contains("first entry is not rcompose-backup.json"), "{e}");
    let e = read(&b"not zstd at all"[..], |_| Ok(()), |_| Ok(None)).unwrap_err();
    assert!(e.to_string().starts_with("it is not an rcompose backup"), "{e}");
    let mut newer = header(&["db"]);
    newer.format = FORMAT + 1;
    let (archive, _) = write(&newer, &[], 0);
    assert!(matches!(read(archive.as_slice(), |_| Ok(()), |_| Ok(None)), Err(ReadError::NewerFormat(2))));
}

#[test]
fn strip_top_drops_the_first_folder() {
    assert_eq!(strip_top("volume/"), "");
    assert_eq!(strip_top("volume"), "");
    assert_eq!(strip_top("volume/a/b/"), "a/b");
    assert_eq!(strip_top("./volume/a"), "a");
}
