//! `extends`: a service built on another, in the same file or another file.
//!
//! Owns: following `extends` chains (with cycle detection), loading the
//! other files they name, and merging each base under the extending service
//! with the usual merge rules. Paths in another file resolve against that
//! file's folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::merge::merge_service;
use super::node::Node;
use super::{paths, Session};
use crate::diag::Problem;

/// Replaces every service that has `extends` with its merged result.
pub fn apply(root: &mut Node, session: &mut Session) {
    let snapshot = root.clone();
    let names: Vec<String> = match snapshot.get("services").and_then(Node::as_map) {
        Some(m) => m.keys().cloned().collect(),
        None => return,
    };
    let mut files: HashMap<PathBuf, Option<Node>> = HashMap::new();
    for name in names {
        let has_extends = snapshot.at(&["services", &name, "extends"]).is_some();
        if !has_extends {
            continue;
        }
        let mut stack = Vec::new();
        if let Some(resolved) = resolve(&snapshot, None, &name, &mut stack, &mut files, session) {
            if let Some(slot) = root.as_map_mut().and_then(|m| m.get_mut("services")).and_then(Node::as_map_mut).and_then(|m| m.get_mut(&name)) {
                *slot = resolved;
            }
        }
    }
}

fn resolve(
    doc: &Node,
    file: Option<&Path>,
    name: &str,
    stack: &mut Vec<(Option<PathBuf>, String)>,
    files: &mut HashMap<PathBuf, Option<Node>>,
    session: &mut Session,
) -> Option<Node> {
    let service = doc.at(&["services", name])?.clone();
    let Some(ext) = service.get("extends").cloned() else { return Some(service) };
    let key = (file.map(Path::to_path_buf), name.to_string());
    if stack.contains(&key) {
        let mut chain: Vec<String> = stack.iter().map(|(_, n)| n.clone()).collect();
        chain.push(name.to_string());
        session.problems.push(
            Problem::new("rcompose::extends_cycle", format!("`extends` forms a cycle: {}", chain.join(" -> ")))
                .at(ext.span)
                .help("remove one of the `extends` so that the chain ends"),
        );
        return None;
    }
    stack.push(key);
    let base_name = ext.get("service").and_then(Node::as_str).unwrap_or_default().to_string();
    let other = ext.get("file").and_then(Node::as_str).map(PathBuf::from);
    let base = match &other {
        Some(path) => {
            let loaded = files.entry(path.clone()).or_insert_with(|| session.read_other_file(path)).clone();
            match loaded {
                Some(other_doc) => {
                    if other_doc.at(&["services", &base_name]).is_none() {
                        session.problems.push(unknown_base(&base_name, &ext, Some(path)));
                        None
                    } else {
                        resolve(&other_doc, Some(path), &base_name, stack, files, session)
                    }
                }
                None => None,
            }
        }
        None => {
            if doc.at(&["services", &base_name]).is_none() {
                session.problems.push(unknown_base(&base_name, &ext, file));
                None
            } else {
                resolve(doc, file, &base_name, stack, files, session)
            }
        }
    };
    stack.pop();
    let mut merged = base?;
    if let Some(m) = merged.as_map_mut() {
        m.remove("extends");
    }
    let mut own = service;
    if let Some(m) = own.as_map_mut() {
        m.remove("extends");
    }
    merge_service(&mut merged, own);
    Some(merged)
}

fn unknown_base(name: &str, ext: &Node, file: Option<&Path>) -> Problem {
    let span = ext.get("service").map(|n| n.span).unwrap_or(ext.span);
    let place = file.map(|f| format!(" in {}", f.display())).unwrap_or_default();
    Problem::new("rcompose::unknown_service", format!("`extends` names service `{name}`, which is not defined{place}"))
        .at(span)
        .label("no such service")
        .help("check the service name, and `file:` if the base service lives in another file")
}

/// Reads another compose file for `extends` or `include`, resolving its
/// paths against its own folder.
pub fn load_relative(session: &mut Session, path: &Path) -> Option<Node> {
    let mut doc = session.read(path)?;
    let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
    paths::resolve_document(&mut doc, &dir, session.home.as_deref());
    Some(doc)
}
