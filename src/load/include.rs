//! `include`: other compose projects pulled into this one.
//!
//! Owns: reading each included project (its files merged, paths resolved
//! against its own project directory, its own env file for interpolation,
//! its `extends` applied) and adding its resources to the including
//! document. A resource defined on both sides is an error, as in compose.

use std::path::{Path, PathBuf};

use super::node::{Entry, Kind, Node};
use super::{env, paths, Session};
use crate::diag::Problem;

const SECTIONS: &[&str] = &["services", "networks", "volumes", "secrets", "configs", "models"];

struct Item {
    paths: Vec<PathBuf>,
    project_dir: PathBuf,
    env_files: Vec<PathBuf>,
    span: super::source::Span,
}

/// Expands `include:` of `root` (a file whose folder is `base`), depth-limited.
pub fn apply(root: &mut Node, base: &Path, session: &mut Session, depth: usize) {
    let Some(entry) = root.as_map_mut().and_then(|m| m.remove("include")) else { return };
    if depth > 16 {
        session.problems.push(Problem::new("rcompose::include_depth", "`include` nests more than 16 levels").at(entry.key_span));
        return;
    }
    let Some(items) = entry.value.as_seq() else {
        session
            .problems
            .push(Problem::new("rcompose::wrong_type", format!("`include` must be a list, found {}", entry.value.type_name())).at(entry.value.span));
        return;
    };
    for raw in items {
        let Some(item) = read_item(raw, base, session) else { continue };
        let Some(included) = load_item(&item, session, depth) else { continue };
        add_resources(root, included, item.span, session);
    }
}

fn read_item(raw: &Node, base: &Path, session: &mut Session) -> Option<Item> {
    let home = session.home.clone();
    let abs = |p: &str| paths::absolutize(base, p, home.as_deref());
    let strings = |n: &Node| -> Vec<String> {
        match &n.kind {
            Kind::Seq(items) => items.iter().filter_map(Node::as_str).map(str::to_string).collect(),
            _ => n.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
        }
    };
    let (path_list, dir, envs) = match &raw.kind {
        Kind::Scalar(_) => (strings(raw), None, Vec::new()),
        Kind::Map(m) => {
            for e in m.iter() {
                if !matches!(e.key.as_str(), "path" | "project_directory" | "env_file") {
                    session.problems.push(
                        Problem::new("rcompose::unknown_key", format!("unknown key `{}` in include", e.key))
                            .at(e.key_span)
                            .help("an include entry takes `path`, `project_directory` and `env_file`"),
                    );
                    return None;
                }
            }
            (
                m.get("path").map(strings).unwrap_or_default(),
                m.get("project_directory").and_then(Node::as_str).map(str::to_string),
                m.get("env_file").map(strings).unwrap_or_default(),
            )
        }
        Kind::Seq(_) => (Vec::new(), None, Vec::new()),
    };
    if path_list.is_empty() {
        session.problems.push(
            Problem::new("rcompose::invalid_include", "an include entry needs a path")
                .at(raw.span)
                .help("write `- path/to/compose.yaml` or `- path: [a.yaml, b.yaml]`"),
        );
        return None;
    }
    let paths: Vec<PathBuf> = path_list.iter().map(|p| abs(p)).collect();
    let project_dir = match dir {
        Some(d) => abs(&d),
        None => paths[0].parent().map(Path::to_path_buf).unwrap_or_else(|| base.to_path_buf()),
    };
    let env_files = envs.iter().map(|p| abs(p)).collect();
    Some(Item { paths, project_dir, env_files, span: raw.span })
}

fn load_item(item: &Item, session: &mut Session, depth: usize) -> Option<Node> {
    // The included project's variables: the including project's (shell and
    // .env), then what its env files (or its .env) add, as docker compose v2.
    let dotenv_paths = if item.env_files.is_empty() { vec![item.project_dir.join(".env")] } else { item.env_files.clone() };
    let mut dotenv = env::Vars::new();
    for p in &dotenv_paths {
        match env::read_env_file(p, env::Format::Dotenv, &session.vars) {
            Ok(Some(v)) => dotenv.extend(v),
            Ok(None) => {}
            Err(problem) => session.problems.push(problem.at(item.span)),
        }
    }
    let mut vars = session.vars.clone();
    for (k, v) in dotenv {
        vars.entry(k).or_insert(v);
    }
    let saved = std::mem::replace(&mut session.vars, vars);
    let mut doc: Option<Node> = None;
    for path in &item.paths {
        let Some(mut d) = session.read(path) else { continue };
        let file_dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        apply(&mut d, &file_dir, session, depth + 1);
        paths::resolve_document(&mut d, &item.project_dir, session.home.as_deref());
        session.add_file(&mut doc, d);
    }
    session.vars = saved;
    doc
}

fn add_resources(root: &mut Node, included: Node, span: super::source::Span, session: &mut Session) {
    let Some(root_map) = root.as_map_mut() else { return };
    let Kind::Map(inc) = included.kind else { return };
    for section in inc.into_entries() {
        if !SECTIONS.contains(&section.key.as_str()) {
            continue;
        }
        let Kind::Map(items) = section.value.kind else { continue };
        if !root_map.contains_key(&section.key) {
            root_map.insert(Entry { key: section.key.clone(), key_span: section.key_span, value: Node::map(Default::default(), span) });
        }
        let target = root_map.get_mut(&section.key).and_then(Node::as_map_mut).expect("inserted above");
        for item in items.into_entries() {
            if let Some(existing) = target.entry(&item.key) {
                if !existing.value.same_as(&item.value) {
                    session.problems.push(
                        Problem::new("rcompose::include_conflict", format!("{} `{}` is defined both here and in an included file", section.key, item.key))
                            .at(existing.key_span)
                            .help("rename one of them, or remove the definition from this file"),
                    );
                }
                continue;
            }
            target.insert(item);
        }
    }
}
