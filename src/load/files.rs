//! Finding compose files and reading them into interpolated, long-form trees.
//!
//! Owns: the default file lookup (compose.yaml ... and the `.override` file,
//! in the working directory or its parents), reading bytes, refusing input
//! that is not UTF-8, splitting multi-document files, and running the
//! per-file steps (YAML → interpolation → short-to-long syntax).

use std::path::{Path, PathBuf};

use super::interpolate::{interpolate_tree, Lookup};
use super::merge::merge_documents;
use super::node::{Kind, Map, Node};
use super::shorthand::normalize_service;
use super::source::{SourceMap, Span};
use super::yaml;
use crate::diag::{Problem, Problems};

/// Names tried, in order, when no file is given.
pub const DEFAULT_FILES: &[&str] = &["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/// Largest compose file accepted.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The default compose file (and its override) in `dir` or the nearest parent.
pub fn find_default(dir: &Path) -> Result<Vec<PathBuf>, Problem> {
    for candidate_dir in dir.ancestors() {
        for name in DEFAULT_FILES {
            let path = candidate_dir.join(name);
            if path.is_file() {
                let mut files = vec![path.clone()];
                let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
                for ext in ["yaml", "yml"] {
                    let over = candidate_dir.join(format!("{stem}.override.{ext}"));
                    if over.is_file() {
                        files.push(over);
                        break;
                    }
                }
                return Ok(files);
            }
        }
    }
    Err(Problem::new("rcompose::no_compose_file", format!("no configuration file provided: not found in {} or its parents", dir.display()))
        .help("create a compose.yaml, or pass one with -f FILE (or set COMPOSE_FILE)"))
}

/// Reads, parses, interpolates and normalises one file. Problems are pushed;
/// `None` means the file could not be used at all.
pub fn read_document(path: &Path, cwd: &Path, sources: &mut SourceMap, vars: &dyn Lookup, problems: &mut Problems, unset: &mut Vec<String>) -> Option<Node> {
    let shown = path.strip_prefix(cwd).unwrap_or(path).display().to_string();
    let bytes = match std::fs::metadata(path).and_then(|m| {
        if m.len() > MAX_FILE_BYTES {
            Err(std::io::Error::other(format!("the file is larger than {} MiB", MAX_FILE_BYTES >> 20)))
        } else {
            std::fs::read(path)
        }
    }) {
        Ok(b) => b,
        Err(e) => {
            problems.push(Problem::new("rcompose::read_file", format!("cannot read {shown}: {e}")).help("check the path given with -f or COMPOSE_FILE"));
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let id = sources.add(path, shown.clone(), lossy);
            // The prefix before `at` is valid UTF-8, so offsets agree.
            let start = at;
            problems.push(
                Problem::new("rcompose::not_utf8", format!("{shown} is not valid UTF-8"))
                    .at(Span::new(id, start, start + 1))
                    .label("invalid byte here")
                    .help("save the file as UTF-8"),
            );
            return None;
        }
    };
    let id = sources.add(path, shown.clone(), text);
    let docs = match yaml::parse(id, sources.get(id)) {
        Ok(d) => d,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let whole = Span::new(id, 0, sources.get(id).text.len().min(1));
    let mut root: Option<Node> = None;
    for doc in docs {
        if doc.is_null() {
            continue;
        }
        if doc.as_map().is_none() {
            problems.push(
                Problem::new("rcompose::wrong_type", format!("a compose file must be a mapping, found {}", doc.type_name()))
                    .at(doc.span)
                    .help("start the file with top-level keys such as `services:`"),
            );
            return None;
        }
        match &mut root {
            None => root = Some(doc),
            Some(r) => merge_documents(r, doc),
        }
    }
    let Some(mut root) = root else {
        problems.push(Problem::new("rcompose::empty_file", format!("{shown} is empty")).at(whole).help("add a `services:` section with at least one service"));
        return None;
    };
    interpolate_tree(&mut root, vars, problems, unset);
    normalize_services(&mut root, problems);
    Some(root)
}

/// Applies short-to-long rewriting to every service of a document.
pub fn normalize_services(root: &mut Node, problems: &mut Problems) {
    if let Some(services) = root.as_map_mut().and_then(|m| m.get_mut("services")).and_then(Node::as_map_mut) {
        for entry in services.iter_mut() {
            normalize_service(&mut entry.value, problems);
        }
    }
}

/// An empty mapping document (used when every file failed).
pub fn empty_document(span: Span) -> Node {
    Node { kind: Kind::Map(Map::new()), span, tag: None }
}
