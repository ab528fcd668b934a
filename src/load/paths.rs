//! Relative paths to absolute ones, on the document tree.
//!
//! Owns: which attributes hold host paths (build contexts, bind sources,
//! env files, label files, secret and config files, `extends.file`, the
//! `path` of `develop.watch` rules, the `device` of a local bind volume,
//! `build.ssh` key files) and
//! resolving them against a base directory, with `~` as the home directory.
//! Paths in the first file and its overrides resolve against the project
//! directory; included and extended files resolve against their own folder.
//! Windows absolute paths (`C:\data`) are kept in bind sources and secret
//! and config files, as docker compose v2 keeps them.

use std::path::{Component, Path, PathBuf};

use super::node::{Kind, Node, Scalar};

/// Joins `p` onto `base` (or HOME for `~`) and removes `.`/`..` lexically.
pub fn absolutize(base: &Path, p: &str, home: Option<&Path>) -> PathBuf {
    let joined = if p == "~" || p.starts_with("~/") {
        match home {
            Some(h) => h.join(p.trim_start_matches('~').trim_start_matches('/')),
            None => PathBuf::from(p),
        }
    } else if Path::new(p).is_absolute() {
        // Absolute paths are kept as written, as docker compose does.
        return PathBuf::from(p);
    } else {
        base.join(p)
    };
    clean(&joined)
}

pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

fn is_remote(context: &str) -> bool {
    context.contains("://") || context.starts_with("git@") || context.starts_with("github.com/")
}

/// `C:\data`, `c:/data`: a Windows absolute path, which docker compose v2
/// keeps as written for bind sources and secret and config files (it
/// joins build contexts, env files and watch paths like relative ones).
pub fn is_windows_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/')
}

fn rewrite(node: &mut Node, base: &Path, home: Option<&Path>, skip_remote: bool) {
    if let Kind::Scalar(Scalar { text, .. }) = &mut node.kind {
        if text.is_empty() || (skip_remote && is_remote(text)) {
            return;
        }
        *text = absolutize(base, text, home).to_string_lossy().into_owned();
    }
}

/// Like [`rewrite`], but a Windows absolute path stays as written.
fn rewrite_host(node: &mut Node, base: &Path, home: Option<&Path>) {
    if !node.as_str().is_some_and(is_windows_absolute) {
        rewrite(node, base, home, false);
    }
}

/// Resolves the host paths of one service definition.
pub fn resolve_service(service: &mut Node, base: &Path, home: Option<&Path>) {
    let Some(map) = service.as_map_mut() else { return };
    if let Some(ctx) = map.get_mut("build").and_then(Node::as_map_mut).and_then(|b| b.get_mut("context")) {
        rewrite(ctx, base, home, true);
    } else if let Some(build) = map.get_mut("build").and_then(Node::as_map_mut) {
        // A build section without context builds from the base directory.
        let span = build.iter().next().map(|e| e.key_span).unwrap_or_default();
        build.insert(super::node::Entry { key: "context".into(), key_span: span, value: Node::scalar(base.to_string_lossy(), span) });
    }
    if let Some(ssh) = map.get_mut("build").and_then(Node::as_map_mut).and_then(|b| b.get_mut("ssh")) {
        resolve_ssh(ssh, base, home);
    }
    if let Some(Kind::Seq(vols)) = map.get_mut("volumes").map(|n| &mut n.kind) {
        for v in vols {
            if v.get("type").and_then(Node::as_str) == Some("bind") {
                if let Some(src) = v.as_map_mut().and_then(|m| m.get_mut("source")) {
                    rewrite_host(src, base, home);
                }
            }
        }
    }
    if let Some(Kind::Seq(files)) = map.get_mut("env_file").map(|n| &mut n.kind) {
        for f in files {
            if let Some(p) = f.as_map_mut().and_then(|m| m.get_mut("path")) {
                rewrite(p, base, home, false);
            }
        }
    }
    if let Some(label_file) = map.get_mut("label_file") {
        match &mut label_file.kind {
            Kind::Seq(items) => items.iter_mut().for_each(|i| rewrite(i, base, home, false)),
            _ => rewrite(label_file, base, home, false),
        }
    }
    if let Some(Kind::Seq(rules)) = map.get_mut("develop").and_then(Node::as_map_mut).and_then(|d| d.get_mut("watch")).map(|n| &mut n.kind) {
        for rule in rules {
            if let Some(p) = rule.as_map_mut().and_then(|m| m.get_mut("path")) {
                rewrite(p, base, home, false);
            }
        }
    }
    if let Some(file) = map.get_mut("extends").and_then(Node::as_map_mut).and_then(|e| e.get_mut("file")) {
        rewrite(file, base, home, false);
    }
}

/// `build.ssh` (a mapping by now): the key files.
fn resolve_ssh(ssh: &mut Node, base: &Path, home: Option<&Path>) {
    if let Some(m) = ssh.as_map_mut() {
        for e in m.iter_mut() {
            if e.value.as_str().is_some() {
                rewrite(&mut e.value, base, home, false);
            }
        }
    }
}

/// Resolves every host path in a document.
pub fn resolve_document(root: &mut Node, base: &Path, home: Option<&Path>) {
    let Some(map) = root.as_map_mut() else { return };
    if let Some(services) = map.get_mut("services").and_then(Node::as_map_mut) {
        for e in services.iter_mut() {
            resolve_service(&mut e.value, base, home);
        }
    }
    // A local bind volume's device is a host folder (`o` exactly `bind`,
    // as docker compose v2 reads it).
    if let Some(items) = map.get_mut("volumes").and_then(Node::as_map_mut) {
        for e in items.iter_mut() {
            let Some(vol) = e.value.as_map_mut() else { continue };
            if vol.get("driver").and_then(Node::as_str) != Some("local") {
                continue;
            }
            let Some(opts) = vol.get_mut("driver_opts").and_then(Node::as_map_mut) else { continue };
            if opts.get("o").and_then(Node::as_str) == Some("bind") {
                if let Some(device) = opts.get_mut("device") {
                    rewrite(device, base, home, false);
                }
            }
        }
    }
    for section in ["secrets", "configs"] {
        if let Some(items) = map.get_mut(section).and_then(Node::as_map_mut) {
            for e in items.iter_mut() {
                if let Some(file) = e.value.as_map_mut().and_then(|m| m.get_mut("file")) {
                    rewrite_host(file, base, home);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolutize_cleans_and_expands_home() {
        let base = Path::new("/proj/app");
        assert_eq!(absolutize(base, "./data", None), PathBuf::from("/proj/app/data"));
        assert_eq!(absolutize(base, "../x/./y", None), PathBuf::from("/proj/x/y"));
        assert_eq!(absolutize(base, "/abs", None), PathBuf::from("/abs"));
        assert_eq!(absolutize(base, "/abs/dir/", None).to_str(), Some("/abs/dir/"));
        assert_eq!(absolutize(base, "~/d", Some(Path::new("/home/u"))), PathBuf::from("/home/u/d"));
        assert_eq!(absolutize(base, ".", None), PathBuf::from("/proj/app"));
    }

    #[test]
    fn windows_absolute_paths() {
        for p in ["C:\\data", "c:/data", "D:\\"] {
            assert!(is_windows_absolute(p), "{p}");
        }
        for p in ["C:data", "v", "ab:/x", "/abs", "./C:/x"] {
            assert!(!is_windows_absolute(p), "{p}");
        }
    }
}
