//! Where the entries of a volume archive sit, and where the volume must be
//! for them to land at its root: `volume export` writes them under
//! `volume/`; a tar of a volume's content (`tar -C dir -cf x.tar .`) has
//! them at the top; a tar made from a folder path (`tar cf x.tar /dbdata`)
//! has them under that folder, which `--strip-components` names. An archive
//! that fits none of these is refused before anything is written. Reads the
//! archive's headers only, so memory stays flat.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Component, Path};

/// What went wrong with an archive's layout; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("it is not a tar archive ({0})")]
    NotTar(String),
    #[error("it holds no files")]
    Empty,
    #[error("entry `{0}` would land outside the volume")]
    Unsafe(String),
    #[error("every entry is under `{0}/`: pass --strip-components {1} if that folder is the volume's content, or --strip-components 0 to keep it as a folder")]
    Ambiguous(String, usize),
    #[error("with --strip-components {depth}, entries under {} would be merged", .prefixes.join(" and "))]
    Merged { depth: usize, prefixes: Vec<String> },
    #[error("with --strip-components {depth}, file `{file}` is above the folders to strip")]
    FileAbove { depth: usize, file: String },
}

/// Where the volume goes for the archive to be unpacked into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Entries are relative to the volume's root.
    Root,
    /// Entries sit under this folder (`a` or `a/b`): the volume is mounted
    /// there and the archive unpacked at `/`.
    Under(String),
}

/// The distinct folders `depth` levels down that hold the archive's
/// entries (two at most: more tells nothing new), and a file, if any,
/// above that level.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    pub entries: usize,
    pub prefixes: BTreeSet<String>,
    pub file_above: Option<String>,
}

/// Reads the archive's headers, looking `depth` levels down.
pub fn scan(archive: impl Read, depth: usize) -> Result<Scan, LayoutError> {
    let mut tar = tar::Archive::new(archive);
    let entries = tar.entries().map_err(|e| LayoutError::NotTar(e.to_string()))?;
    let mut scan = Scan::default();
    for entry in entries {
        let entry = entry.map_err(|e| LayoutError::NotTar(e.to_string()))?;
        let path = entry.path().map_err(|e| LayoutError::NotTar(e.to_string()))?.into_owned();
        let parts = components(&path)?;
        scan.entries += 1;
        if parts.len() > depth || (parts.len() == depth && entry.header().entry_type().is_dir()) {
            if depth > 0 && scan.prefixes.len() < 2 {
                scan.prefixes.insert(parts[..depth].join("/"));
            }
        } else if !parts.is_empty() && !entry.header().entry_type().is_dir() && scan.file_above.is_none() {
            scan.file_above = Some(parts.join("/"));
        }
    }
    if scan.entries == 0 {
        return Err(LayoutError::Empty);
    }
    Ok(scan)
}

/// A path's normal components; `.` is dropped, anything leaving the root
/// is refused.
fn components(path: &Path) -> Result<Vec<String>, LayoutError> {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) | Component::ParentDir => return Err(LayoutError::Unsafe(path.display().to_string())),
        }
    }
    Ok(parts)
}

/// Where the volume must be. `strip` is `--strip-components` when given;
/// `top` is the scan one level down, `deep` the scan `strip` levels down.
pub fn placement(top: &Scan, strip: Option<usize>, deep: Option<&Scan>) -> Result<Placement, LayoutError> {
    match strip {
        Some(0) => Ok(Placement::Root),
        Some(depth) => {
            let scan = deep.unwrap_or(top);
            if let Some(file) = &scan.file_above {
                return Err(LayoutError::FileAbove { depth, file: file.clone() });
            }
            match scan.prefixes.iter().collect::<Vec<_>>().as_slice() {
                [one] => Ok(Placement::Under((*one).clone())),
                _ => Err(LayoutError::Merged { depth, prefixes: scan.prefixes.iter().cloned().collect() }),
            }
        }
        None => match (top.prefixes.iter().collect::<Vec<_>>().as_slice(), &top.file_above) {
            ([one], None) if one.as_str() == "volume" => Ok(Placement::Under("volume".into())),
            ([one], None) => Err(LayoutError::Ambiguous((*one).clone(), 1)),
            _ => Ok(Placement::Root),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar with these entries (a trailing `/` makes a folder).
    fn tar_of(paths: &[&str]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for p in paths {
            let mut h = tar::Header::new_gnu();
            if let Some(dir) = p.strip_suffix('/') {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                h.set_mode(0o755);
                h.set_cksum();
                b.append_data(&mut h, dir, std::io::empty()).unwrap();
            } else {
                h.set_size(2);
                h.set_mode(0o644);
                h.set_cksum();
                b.append_data(&mut h, p, &b"hi"[..]).unwrap();
            }
        }
        b.into_inner().unwrap()
    }

    fn place(paths: &[&str], strip: Option<usize>) -> Result<Placement, LayoutError> {
        let bytes = tar_of(paths);
        let top = scan(&bytes[..], 1)?;
        let deep = match strip {
            Some(n) if n > 1 => Some(scan(&bytes[..], n)?),
            _ => None,
        };
        placement(&top, strip, deep.as_ref())
    }

    #[test]
    fn exports_content_tars_and_folder_tars_each_find_the_volume_root() {
        assert_eq!(place(&["volume/", "volume/PG_VERSION", "volume/base/1"], None), Ok(Placement::Under("volume".into())));
        assert_eq!(place(&["./", "./PG_VERSION", "./base/1"], None), Ok(Placement::Root));
        assert_eq!(place(&["PG_VERSION", "base/"], None), Ok(Placement::Root));
        assert_eq!(place(&["dbdata/", "dbdata/PG_VERSION"], Some(1)), Ok(Placement::Under("dbdata".into())));
        assert_eq!(place(&["srv/", "srv/backup/", "srv/backup/dbdata/", "srv/backup/dbdata/a"], Some(3)), Ok(Placement::Under("srv/backup/dbdata".into())));
        assert_eq!(place(&["dbdata/", "dbdata/PG_VERSION"], Some(0)), Ok(Placement::Root));
    }

    #[test]
    fn layouts_that_cannot_be_mapped_are_refused_with_what_to_do() {
        let ambiguous = place(&["dbdata/", "dbdata/PG_VERSION"], None).unwrap_err();
        assert_eq!(
            ambiguous.to_string(),
            "every entry is under `dbdata/`: pass --strip-components 1 if that folder is the volume's content, or --strip-components 0 to keep it as a folder"
        );
        assert!(matches!(place(&["a/x", "b/y"], Some(1)), Err(LayoutError::Merged { .. })));
        assert_eq!(place(&["top.txt", "a/x"], Some(1)), Err(LayoutError::FileAbove { depth: 1, file: "top.txt".into() }));
        // The tar crate will not write `..`; a hand-made header will.
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..13].copy_from_slice(b"../etc/passwd");
        h.set_size(2);
        h.set_mode(0o644);
        h.set_cksum();
        let mut b = tar::Builder::new(Vec::new());
        b.append(&h, &b"hi"[..]).unwrap();
        let escaping = b.into_inner().unwrap();
        assert_eq!(scan(&escaping[..], 1), Err(LayoutError::Unsafe("../etc/passwd".into())));
        assert_eq!(scan(&tar_of(&[])[..], 1), Err(LayoutError::Empty));
        assert!(matches!(
            scan(&b"this is not a tar archive, just some text that is long enough"[..], 1),
            Err(LayoutError::NotTar(_)) | Err(LayoutError::Empty)
        ));
    }
}
